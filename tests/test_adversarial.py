"""Hostile and broken submissions (tests/adversarial/) get no more than their honest part.

Each file in tests/adversarial/ is a small submission: a few correct functions (copied
from alice.py: the legitimate part) plus one attack. Every file is graded once, with
short time limits, in one module fixture that also watches the file system and the
process table around each grading. For every file the tests assert that

- the grade is no higher than the points of the legitimately correct checks (and equal
  to them where the legitimate part can be graded), and the attacked checks do not pass;
- the grading finished within a bound (a hang guard, not a speed test), with a complete
  report (every check of the task reported);
- the report explains what happened (the attacked checks' messages or the notes), never
  blames the grader for it ("grader error, not your fault"), and carries no terminal
  control characters of the student's;
- no process started by the submission outlives its grading;

and, over the whole run, that nothing outside the per-submission temporary directory
was created, changed or deleted: the workers' directories are made in a temporary root
of this module's own (``tempfile.tempdir``, two levels down a directory it owns, so
that every relative escape the corpus tries -- "..", "../..", $HOME -- lands inside),
and that directory and the repository tree are compared in full around each grading.
The machine's shared /tmp, which other programs write to all the time, is only searched
for the files the corpus plants. Files that other programs edit in the repository show
up too, so run it on a quiet checkout. Grading the example submissions five times gives
five identical reports.

The attacks that run "at import" sit in default arguments, decorators or class bodies:
those run while the file's definitions are loaded (plain top-level statements do not).
Attacks that could hurt the machine are bounded by themselves (200 processes, 8 GiB,
1 GiB of output, two-minute sleeps) and never delete or overwrite anything outside the
worker's own directory. Files they create where they must not, and processes they
leave behind, are removed by this module right after the grading that caused them.
"""
import dataclasses
import hashlib
import json
import os
import shutil
import signal
import tempfile
import time
from pathlib import Path

import pytest

from conftest import ROOT, SUBMISSIONS, quick, statuses
from grader.grade import grade
from grader.report import render_text

ADVERSARIAL = Path(__file__).resolve().parent / "adversarial"
BOUND_SECONDS = 60          # per hostile file, with 2 s per call and 5 s to load: a hang guard
DETERMINISM_RUNS = 5
ALL = "*"                   # attacked: every check that is not part of the legitimate part

pytestmark = pytest.mark.timeout(1800)      # the module fixture grades the whole corpus


@dataclasses.dataclass(frozen=True)
class Case:
    file: str
    legit: tuple = ()       # functions (or check ids) that are implemented correctly
    attacked: tuple = ()    # functions (or check ids) under attack: none of them may pass
    explains: dict = dataclasses.field(default_factory=dict)
    # {function, check id or None (anywhere): a substring, or a tuple of alternatives}:
    # what the messages of those checks, or the report's notes, must say
    exact: bool = True      # the legitimate part can be graded, so it must earn its points


BASICS = ("sigmoid", "tanh")
ACTIVATIONS = ("sigmoid", "tanh", "relu")
HANG = "did not finish within"
NOT_AVAILABLE = ("could not be defined", "is not defined", "No such file", "Permission denied",
                 "not available", "not readable")

CASES = [
    # ------------------------------------------------------------- exits
    Case("exit_sys_at_import.py", ACTIVATIONS, ("softmax",), {"softmax": "sys.exit(0)"}),
    # the worker dies while loading: nothing can be graded, nothing may be earned
    Case("exit_os_at_import.py", ACTIVATIONS, ("softmax",), {"softmax": "exited with code 0"},
         exact=False),
    Case("exit_sys_in_function.py", ACTIVATIONS, ("softmax",), {"softmax": "sys.exit(0)"}),
    Case("exit_os_in_function.py", ACTIVATIONS, ("softmax",), {"softmax": "exited with code 0"}),
    Case("raises_interrupts.py", BASICS, ("relu", "softmax"),
         {"relu": "KeyboardInterrupt", "softmax": "sys.exit(0)"}),
    # ------------------------------------------------------------- hangs
    Case("loop_at_import.py", BASICS, ("relu",), {"relu": HANG}, exact=False),
    Case("loop_in_function.py", BASICS, ("relu",), {"relu": HANG}),
    Case("loop_swallows_interrupts.py", BASICS, ("relu",), {"relu": HANG}),
    Case("ignores_sigterm.py", BASICS, ("relu",), {"relu": HANG}),
    Case("sleep_forever.py", BASICS, ("relu",), {"relu": HANG}),
    Case("reads_stdin.py", BASICS, ("relu",), {"relu": ("EOFError", "stdin", HANG)}),
    Case("infinite_generator.py", BASICS, ("minibatches",),
         {"minibatches": ("yielded more than", HANG)}),
    # ---------------------------------------------------------- resources
    # touching 3 GiB may take longer than the 2 s these tests allow a call
    Case("memory_bomb.py", BASICS, ("relu",),
         {"relu": ("MemoryError", "out of memory", "SIGKILL", HANG)}),
    # 400 processes in two calls: a process limit must refuse them
    Case("fork_bomb.py", BASICS, ("relu",),
         {"relu": ("BlockingIOError", "Resource temporarily unavailable", "process limit", "fork")}),
    # relu's values are right; the attack is the process left behind (checked for every file)
    Case("orphan_process.py", ACTIVATIONS),
    Case("thread_left_running.py", ACTIVATIONS),
    Case("deep_recursion.py", BASICS, ("relu", "softmax"),
         {"relu": "RecursionError", "softmax": ("SIGSEGV", "RecursionError", "MemoryError")}),
    Case("print_gigabyte.py", ACTIVATIONS, ("softmax",),
         {"softmax": ("File too large", "output", "printed")}),
    Case("nested_answer.py", BASICS, ("softmax",),
         {"softmax": ("not plain data", "nested", "deep", "recursion")}),
    Case("bad_returns.py", ("relu_grad", "softmax.shape", "softmax.unchanged", "cross_entropy.number"),
         ("sigmoid", "sigmoid_grad", "tanh", "tanh_grad", "relu", "softmax.rows", "softmax.values",
          "softmax.large", "softmax.scales", "one_hot", "cross_entropy.values", "cross_entropy.zeros",
          "preprocess", "accuracy"),
         {"sigmoid": "dtype object", "sigmoid_grad": "complex", "tanh": "not a grid of numbers",
          "tanh_grad": ("shape", "larger than", HANG), "relu": "None", "softmax.values": "nan",
          "one_hot": "set", "cross_entropy.values": "inf", "preprocess": "generator",
          "accuracy": "single number"}),
    # -------------------------------------------------- the grader's own code and files
    Case("import_reference.py", BASICS, ("relu", "softmax", "one_hot", "cross_entropy"),
         {"relu": "No module named", "softmax": "No module named", "one_hot": "No module named",
          "cross_entropy": "No module named"}),
    Case("reference_by_path.py", (), (ALL,), {None: NOT_AVAILABLE}),
    Case("golden_files.py", (), (ALL,), {None: NOT_AVAILABLE}),
    Case("pytest_conftest.py", ("sigmoid",), (ALL,), {"softmax": "is not defined"}),
    Case("monkeypatch_libs.py", ACTIVATIONS + ("softmax.shape", "softmax.unchanged", "cross_entropy.number"),
         ("softmax.rows", "softmax.values", "softmax.large", "softmax.scales", "cross_entropy.values",
          "cross_entropy.zeros"),
         {"softmax.values": "expected", "cross_entropy.values": "expected"}),
    Case("forged_answer.py", ACTIVATIONS + ("relu_grad.values",), ("relu_grad.unchanged",),
         {"relu_grad.unchanged": "changed"}),
    # ------------------------------------------------------ fake results
    Case("fake_results_files.py", BASICS, ("one_hot",), {"one_hot": "expected"}),
    # softmax returns a string, so it does leave its input unchanged
    Case("fake_score_output.py", BASICS + ("softmax.unchanged",),
         ("softmax.shape", "softmax.rows", "softmax.values", "softmax.large", "softmax.scales", "one_hot"),
         {"softmax.values": "str", "one_hot": "None"}),
    Case("spoofs_report_text.py", BASICS, ("relu",), {"relu": "RuntimeError"}),
    # ------------------------------------------------------ lying values
    Case("lying_ndarray.py", ACTIVATIONS + ("softmax.shape", "softmax.unchanged"),
         ("softmax.rows", "softmax.values", "softmax.large", "softmax.scales", "one_hot"),
         {"softmax.values": "differ", "one_hot": "shape"}),
    Case("lying_float64.py", ACTIVATIONS + ("cross_entropy.number",),
         ("cross_entropy.values", "cross_entropy.zeros", "accuracy"),
         {"cross_entropy.values": "expected", "accuracy": ("object", "AlwaysCloseFloat")}),
    Case("mutates_inputs.py",
         ("one_hot", "relu_grad.values", "softmax.shape", "softmax.rows", "softmax.values",
          "softmax.large", "softmax.scales", "backward.one_hidden", "backward.two_hidden",
          "backward.three_hidden"),
         ("relu_grad.unchanged", "softmax.unchanged", "backward.unchanged"),
         {"relu_grad.unchanged": "changed", "softmax.unchanged": "changed",
          "backward.unchanged": "changed"}),
    # --------------------------------------------------- state and files
    Case("numpy_global_state.py", ACTIVATIONS + ("init_params.shapes", "init_params.scale"),
         ("init_params.rng",), {"init_params.rng": "seed"}),
    Case("chdir_escape.py", BASICS, ("relu",), {"relu": ("expected", "Permission denied", "Read-only")}),
    # the worker's directory is gone when the grader restarts it for tanh and relu
    Case("deletes_workdir.py", ("tanh", "relu"), ("sigmoid",), {"sigmoid": "exited with code 3"}),
]
BY_FILE = {case.file: case for case in CASES}

# Names of the files the corpus tries to create outside its directory (removed again
# right after the grading that created them, and only when they were new).
PLANTED = {"results.json", "report.json", "grade.txt", "adversarial-escaped.txt", "conftest.py"}
PLANTED_MARKERS = (b"Score: 100/100", b"written from", b"planted by tests/adversarial")
SKIP_DIRS = {".git", "__pycache__", ".pytest_cache"}
MARK = b"ADVERSARIAL_MARK="
SYSTEM_TMP = tempfile.gettempdir()       # the machine's, before the fixture swaps in its own
WORKERS_ROOT = ("above", "root")         # tempfile.tempdir, below the directory the module owns


# ------------------------------------------------------------------ the task side
def _check_ids(task, names):
    ids = []
    for name in names:
        if "." in name:
            ids.append(name)
        else:
            ids.extend(c.id for c in task.function(name).checks)
    return ids


def _all_ids(task):
    return [c.id for f in task.functions for c in f.checks]


def legit_ids(task, case):
    return set(_check_ids(task, case.legit))


def attacked_ids(task, case):
    if ALL in case.attacked:
        return set(_all_ids(task)) - legit_ids(task, case)
    return set(_check_ids(task, case.attacked))


def legit_points(task, case):
    """The points the legitimate part earns: its checks, in the functions where it also
    computes something right (no points without evidence, see grade._with_evidence)."""
    from grader.checks import is_evidence
    ids, total = set(legit_ids(task, case)), 0
    for f in task.functions:
        mine = [c for c in f.checks if c.id in ids]
        values = [c for c in f.checks if is_evidence(c, task.kinds)]
        shown = set(f.evidence) <= ids if f.evidence else (not values or any(c.id in ids for c in values))
        total += sum(c.points for c in mine) if shown else 0
    return total


# ------------------------------------------------------------ watching the machine
def _digest(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _tree(root):
    """{relative path: (size, mtime_ns, sha256)} of every file under root (dirs: None)."""
    found = {}
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if d not in SKIP_DIRS]
        for name in dirs:
            found[os.path.relpath(os.path.join(folder, name), root) + "/"] = None
        for name in files:
            path = os.path.join(folder, name)
            try:
                st = os.lstat(path)
                digest = _digest(path) if os.path.isfile(path) and not os.path.islink(path) else None
                found[os.path.relpath(path, root)] = (st.st_size, st.st_mtime_ns, digest)
            except OSError:
                found[os.path.relpath(path, root)] = "unreadable"
    return found


def _planted_in(folder):
    """The corpus's planted file names present in ``folder`` (the machine's /tmp, where
    other programs come and go: only these names are the corpus's)."""
    try:
        names = os.listdir(folder)
    except OSError:
        return set()
    return {n for n in names if n in PLANTED}


def snapshot(owned):
    return {"repo": _tree(ROOT), "owned": _tree(owned), "tmp": _planted_in(SYSTEM_TMP)}


def differences(before, after):
    """Lines naming every file or directory created, changed or deleted."""
    lines = []
    for where in ("repo", "owned"):
        old, new = before[where], after[where]
        label = {"repo": "the repository", "owned": "the temporary root"}[where]
        lines += [f"created in {label}: {p}" for p in sorted(set(new) - set(old))]
        lines += [f"deleted from {label}: {p}" for p in sorted(set(old) - set(new))]
        lines += [f"changed in {label}: {p}" for p in sorted(set(old) & set(new)) if old[p] != new[p]]
    lines += [f"created in {SYSTEM_TMP}: {n}" for n in sorted(after["tmp"] - before["tmp"])]
    lines += [f"deleted from {SYSTEM_TMP}: {n}" for n in sorted(before["tmp"] - after["tmp"])]
    return lines


def _processes(owned):
    """[(pid, command line)] of live processes started by this run's corpus: a HOME inside
    its own temporary directory (the worker and anything it forked), or the corpus's mark
    naming that directory (what it exec'd with an environment of its own)."""
    root = os.fsencode(str(owned))
    home = b"HOME=" + root
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as f:
                if f.read().rsplit(b")", 1)[1].split()[0] in (b"Z", b"X"):
                    continue                    # a zombie is already dead
            with open(f"/proc/{entry}/environ", "rb") as f:
                env = f.read().split(b"\0")
            if any(v.startswith(home) or (v.startswith(MARK) and root in v) for v in env):
                with open(f"/proc/{entry}/cmdline", "rb") as f:
                    found.append((int(entry), f.read().replace(b"\0", b" ").decode(errors="replace")))
        except (OSError, IndexError):
            continue
    return found


def leftover_processes(owned, wait=3.0):
    """Processes of the corpus still alive ``wait`` seconds after its grading ended."""
    deadline = time.monotonic() + wait
    while True:
        found = _processes(owned)
        if not found or time.monotonic() > deadline:
            return found
        time.sleep(0.1)


def end_processes(processes):
    for pid, _ in processes:
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass


def remove_planted(before, after, owned):
    """Remove what one grading planted outside its directory (new files with the corpus's
    names and markers only), and anything left in the module's own temporary directory
    (which is then laid out afresh: the workers' root, empty)."""
    for rel in set(after["repo"]) - set(before["repo"]):
        path = ROOT / rel
        if path.name in PLANTED and path.is_file() and any(m in path.read_bytes() for m in PLANTED_MARKERS):
            path.unlink()
    for name in after["tmp"] - before["tmp"]:
        path = Path(SYSTEM_TMP) / name
        if name in PLANTED and path.is_file() and any(m in path.read_bytes() for m in PLANTED_MARKERS):
            path.unlink()
    for entry in Path(owned).iterdir():
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            entry.unlink()
    workers_root(owned)


def workers_root(owned):
    """The directory the workers' temporary directories go in (made when missing)."""
    root = Path(owned).joinpath(*WORKERS_ROOT)
    root.mkdir(parents=True, exist_ok=True)
    return root


@dataclasses.dataclass
class Outcome:
    report: object = None       # the Report, or None when grade() raised
    crash: str = ""             # what grade() raised
    seconds: float = 0.0
    processes: list = dataclasses.field(default_factory=list)
    damage: list = dataclasses.field(default_factory=list)


@pytest.fixture(scope="module")
def corpus(task):
    """{file: Outcome}: every hostile file graded once, watched, and cleaned up after."""
    fast = quick(task)
    owned = Path(tempfile.mkdtemp(prefix="adversarial-root-")).resolve()
    saved = tempfile.tempdir
    outcomes = {}
    try:
        # the workers' directories (tempfile.TemporaryDirectory) go in a root of our own
        tempfile.tempdir = str(workers_root(owned))
        for case in CASES:
            before = snapshot(owned)
            outcome = Outcome()
            start = time.monotonic()
            try:
                outcome.report = grade(ADVERSARIAL / case.file, fast)
            except Exception as exc:          # noqa: BLE001 -- a grader crash is a finding
                outcome.crash = f"{type(exc).__name__}: {exc}"
            outcome.seconds = time.monotonic() - start
            outcome.processes = leftover_processes(owned)
            end_processes(outcome.processes)
            after = snapshot(owned)
            outcome.damage = differences(before, after)
            remove_planted(before, after, owned)
            outcomes[case.file] = outcome
    finally:
        tempfile.tempdir = saved
        end_processes(_processes(owned))
        shutil.rmtree(owned, ignore_errors=True)
    return outcomes


def graded(corpus, case):
    outcome = corpus[case.file]
    assert not outcome.crash, f"grading {case.file} crashed the grader: {outcome.crash}"
    return outcome.report


def params(cases):
    return [pytest.param(case, id=case.file[:-3]) for case in cases]


# ------------------------------------------------------------------ the tests
def test_the_corpus_is_complete():
    files = sorted(p.name for p in ADVERSARIAL.glob("*.py"))
    assert len(files) >= 25
    from test_adversarial_channel import CHANNEL_FILES
    assert files == sorted(set(BY_FILE) | set(CHANNEL_FILES)), \
        "every file in tests/adversarial/ has exactly one case (here or in test_adversarial_channel.py)"


@pytest.mark.parametrize("case", params(CASES))
def test_grade_is_no_higher_than_the_legitimate_part(corpus, task, case):
    report = graded(corpus, case)
    status = statuses(report)
    assert sorted(status) == sorted(_all_ids(task)), "every check of the task is reported"
    passed_attacks = sorted(i for i in attacked_ids(task, case) if status[i] == "passed")
    assert passed_attacks == [], f"attacked checks passed: {passed_attacks}"
    assert report.score <= legit_points(task, case)
    if case.exact:
        missed = sorted(i for i in legit_ids(task, case) if status[i] != "passed")
        assert missed == [], f"legitimate checks not passed: {missed}"
        assert report.score == legit_points(task, case)


@pytest.mark.parametrize("case", params(CASES))
def test_grading_finishes_in_bounded_time(corpus, case):
    graded(corpus, case)
    assert corpus[case.file].seconds < BOUND_SECONDS


@pytest.mark.parametrize("case", params([c for c in CASES if c.explains]))
def test_report_explains_what_happened(corpus, task, case):
    report = graded(corpus, case)
    checks = {c.id: c for f in report.functions for c in f.checks}
    notes = "\n".join(report.notes)
    for target, wanted in case.explains.items():
        ids = _check_ids(task, [target]) if target else sorted(attacked_ids(task, case))
        text = "\n".join(checks[i].message for i in ids if i in checks) + "\n" + notes
        alternatives = (wanted,) if isinstance(wanted, str) else wanted
        assert any(a in text for a in alternatives), \
            f"{target or 'the report'} should say one of {alternatives}; it says:\n{text}"


@pytest.mark.parametrize("case", params(CASES))
def test_no_process_outlives_the_grading(corpus, case):
    graded(corpus, case)
    assert corpus[case.file].processes == []


@pytest.mark.parametrize("case", params(CASES))
def test_the_attack_is_not_blamed_on_the_grader(corpus, case):
    """What a submission does is the submission's doing: never "grader error, not your fault"."""
    report = graded(corpus, case)
    blamed = [f"{c.id}: {c.message}" for f in report.functions for c in f.checks if c.grader_error]
    assert blamed == []


def test_no_collateral_damage(corpus):
    """Nothing outside the per-submission temporary directory was created, changed or
    deleted: the repository tree and the module's own temporary directory (the workers'
    root and the two levels above it), compared in full before and after each grading of
    the corpus, and no planted file appeared in the machine's temporary directory."""
    damage = {file: outcome.damage for file, outcome in corpus.items() if outcome.damage}
    assert damage == {}, "\n".join(f"{file}: {line}" for file, lines in damage.items() for line in lines)


@pytest.mark.parametrize("name", ["fake_score_output.py", "fake_results_files.py"])
def test_faked_scores_do_not_reach_the_report(corpus, name):
    """What the code prints is shown only as its printed output: behind "| " in the text
    (under "your code printed:"), in a check's "output" in the JSON, never as a score."""
    report = graded(corpus, BY_FILE[name])
    text = render_text(report)
    assert [line for line in text.splitlines() if "Score" in line and not line.startswith("      | ")] == \
        [f"Score: {report.score}/{report.max_score}"]
    doc = report.to_dict()
    for f in doc["functions"]:
        for c in f["checks"]:
            c.pop("output")
    assert "100/100" not in json.dumps(doc) and doc["score"] == report.score < 100


@pytest.mark.parametrize("case", params(CASES))
def test_the_text_report_carries_no_control_characters(corpus, case):
    """Student text (exception messages) cannot drive the terminal: no escape sequences,
    carriage returns or bells, so no fake line can be drawn over the grader's own."""
    report = graded(corpus, case)
    text = render_text(report)
    controls = sorted({repr(ch) for ch in text if (ord(ch) < 32 and ch != "\n") or 127 <= ord(ch) < 160})
    assert controls == []
    assert [line for line in text.splitlines() if line.startswith("Score")] == \
        [f"Score: {report.score}/{report.max_score}"]


@pytest.mark.parametrize("name", ["alice", "bob", "dave"])
def test_grading_is_deterministic(task, name):
    reports = [grade(SUBMISSIONS / f"{name}.py", task).to_dict() for _ in range(DETERMINISM_RUNS)]
    for run, report in enumerate(reports[1:], start=2):
        assert report == reports[0], f"grading {name}.py a {run}. time gave another report"


def test_every_attack_is_in_the_security_table():
    """docs/security.md explains every attack of the corpus: one table row per file."""
    import re
    doc = (ROOT / "docs" / "security.md").read_text(encoding="utf-8")
    files = sorted(p.name for p in ADVERSARIAL.glob("*.py"))
    missing = [name for name in files if f"`{name}`" not in doc]
    assert missing == [], f"not in docs/security.md: {missing}"
    rows = [line for line in doc.splitlines() if re.match(r"\|\s*`[\w.-]+\.py`\s*\|", line)]
    assert len(rows) >= 25
