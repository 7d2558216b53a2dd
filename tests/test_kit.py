"""The student kit (``grader kit``): built as an instructor builds it, installed into a
fresh virtual environment (nothing of the repository on the path), it holds no line of the
reference's implementation, no hidden check and no answer a hidden check asks; it grades
alice.py, bob.py and a notebook in the sandbox; on every example, mutant, variant and stub
it gives exactly the points ``grader check`` gives on every check it grades, and the checks
it cannot grade (a broken helper's stand-in on values only the student's code makes) are
end-to-end ones, marked "graded after submission", never counted as failures; a stale kit
refuses to grade. Slow (a kit build, a pip install, the corpus graded twice: ~10 minutes).
"""
import ast
import collections
import dataclasses
import json
import re
import shutil
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest

from conftest import ROOT, SUBMISSIONS, fresh_venv, run_clean
from grader import evidence
from grader.grade import grade, grade_submission
from grader.inputs import reference_module
from grader.kit import EVIDENCE
from grader.submission import load
from grader.task import load_task

sys.path.insert(0, str(ROOT / "scripts"))
from kit_corpus import write_corpus  # noqa: E402

pytestmark = pytest.mark.timeout(2400)
TASK = "mlp"


def run(command, cwd, timeout=1500, **env):
    return run_clean(command, cwd, timeout, **env)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    folder = tmp_path_factory.mktemp("corpus")
    return write_corpus(folder)


@pytest.fixture(scope="module")
def kit(tmp_path_factory, corpus):
    """The kit, built with the command an instructor runs, recorded from the examples and
    the catalog's mutants (not the variants nor the stubs: those are graded unseen)."""
    out = tmp_path_factory.mktemp("kit")
    recorded = [p for p in corpus if p.name.startswith(("example_", "mutant_"))]
    alice = next(p for p in recorded if p.name == "example_alice.py")
    done = run([sys.executable, "-m", "grader", "kit", "--task", TASK, "-o", out, "--record", alice, *recorded],
               cwd=ROOT)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "student kit for task mlp" in done.stdout
    return out


@pytest.fixture(scope="module")
def venv(tmp_path_factory, kit):
    return fresh_venv(tmp_path_factory.mktemp("kitvenv") / "env", kit / "mlp-kit", timeout=1500)


def installed(venv):
    """The kit's installed files: the grader and grader_tasks packages in site-packages."""
    site = next((venv / "lib").glob("python*/site-packages"))
    return [p for top in ("grader", "grader_tasks") for p in (site / top).rglob("*") if p.is_file()]


def body_lines(path, template):
    """The reference's implementation, line by line: each task function's body (no
    docstring, no comment), lines of at least 20 characters that compute (not a loop or
    branch header such as ``for l in range(1, L + 1):``) and are not given in the template."""
    source = path.read_text()
    given = template.read_text()
    lines = set()
    for node in ast.parse(source).body:
        if isinstance(node, ast.FunctionDef):
            body = node.body[1:] if isinstance(node.body[0], ast.Expr) and \
                isinstance(node.body[0].value, ast.Constant) else node.body
            for statement in body:
                for line in ast.get_source_segment(source, statement).splitlines():
                    line = line.split("#")[0].strip()
                    if len(line) >= 20 and line not in given and not line.endswith(":"):
                        lines.add(line)
    return lines


def literal_rows(check):
    """The rows of a hidden check's literal array inputs as source text ("800.0, 801.0, 799.0")."""
    rows = []
    for arg in check.params.get("args", []):
        if isinstance(arg, dict) and "array" in arg:
            rows += [", ".join(repr(float(v)) for v in row) for row in arg["array"] if isinstance(row, list)]
    return rows


def test_the_installed_kit_holds_no_reference_code_and_no_hidden_check(venv):
    task = load_task(TASK)
    reference = Path(reference_module(task.reference).__file__)
    lines = body_lines(reference, task.directory / task.template)
    hidden = [c for f in task.functions for c in f.checks if c.hidden]
    assert len(lines) > 30 and len(hidden) == 2
    files = installed(venv)
    assert any(p.name == "answers.npz" for p in files)
    texts = {p: p.read_bytes().decode("utf-8", "replace") for p in files}
    for line in lines:
        found = [str(p) for p, text in texts.items() if line in text]
        assert not found, f"the reference's line {line!r} is in {found}"
    for check in hidden:
        for text in (check.id, check.description, *literal_rows(check)):
            found = [str(p) for p, t in texts.items() if text in t]
            assert not found, f"the hidden check's {text!r} is in {found}"
    python = venv / "bin" / "python"
    done = run([python, "-c", "import reference"], cwd=venv)
    assert done.returncode != 0 and "No module named 'reference'" in done.stderr
    done = run([python, "-c", "import grader.packs.mlp.diagnosis.variants as v, inspect; print(inspect.getsource(v))"],
               cwd=venv)
    assert "recorded answers" in done.stdout and "np.exp" not in done.stdout


def test_no_question_a_hidden_check_asks_is_answered_by_the_kit(venv, tmp_path):
    """The reference's answers to the hidden checks, recorded here as the kit records the
    public ones: the installed kit's record holds none of them but those a public check
    asks too."""
    task = load_task(TASK)
    reference = load(Path(reference_module(task.reference).__file__))
    records = {}
    for name, keep in (("public", False), ("hidden", True)):
        recording = evidence.Recording()
        only = dataclasses.replace(task, functions=tuple(dataclasses.replace(
            f, checks=tuple(c for c in f.checks if c.hidden == keep)) for f in task.functions))
        with recording.wrap_reference(task.reference):
            grade_submission(reference, only, diagnosis=False)
        recording.save(tmp_path / name)
        records[name] = evidence.Answers.load(tmp_path / name)
    site = next((venv / "lib").glob("python*/site-packages"))
    kit = evidence.Answers.load(site / "grader_tasks" / TASK / EVIDENCE)
    secret = [q for q in records["hidden"].questions() if not records["public"].holds(*q)]
    assert len(secret) >= 2, "the hidden checks ask the reference nothing of their own?"
    assert kit.questions() and all(kit.holds(*q) for q in records["public"].questions())
    leaked = [q[0] for q in secret if kit.holds(*q)]
    assert not leaked, f"the kit answers what only hidden checks ask: {leaked}"


def full_check(path):
    """``grader check PATH`` of the full installation, as plain data."""
    report = grade(Path(path), load_task(TASK), public_only=True)
    return str(path), report.to_dict()


@pytest.fixture(scope="module")
def graded(venv, corpus, tmp_path_factory):
    """Every corpus file graded by the installed kit (a class run, -j 2, outside the
    repository) and by the full grader's self-check -> {name: (kit report, full report)}."""
    out = tmp_path_factory.mktemp("kitclass")
    folder = corpus[0].parent
    done = run([venv / "bin" / "grader", "run", folder, "--out", out / "reports", "-j", "2"], cwd=out)
    assert done.returncode == 0, done.stderr[-3000:]
    kit = {p.name: json.loads((out / "reports" / p.stem / "report.json").read_text()) for p in corpus}
    with ProcessPoolExecutor(2) as pool:
        full = {Path(p).name: r for p, r in pool.map(full_check, corpus)}
    return {name: (kit[name], full[name]) for name in full}


def checks_of(report):
    return {c["id"]: c for f in report["functions"] for c in f["checks"]}


def test_the_kit_gives_every_corpus_file_the_graders_points_on_every_check_it_grades(graded):
    task = load_task(TASK)
    helpers = {f.name: f.helpers for f in task.functions}
    function_of = {c.id: f.name for f in task.functions for c in f.checks}
    disagree, pending_files, pending_checks, same = [], [], [], 0
    for name, (kit, full) in sorted(graded.items()):
        mine, theirs = checks_of(kit), checks_of(full)
        assert sorted(mine) == sorted(theirs), name
        pending = sorted(i for i, c in mine.items() if c.get("pending"))
        failing = {f["name"] for f in kit["functions"] if any(c["status"] != "passed" for c in f["checks"])}
        for i in pending:      # only ever for a broken helper: the kit holds no correct one
            assert set(helpers[function_of[i]]) & failing, f"{name}: {i} is pending, no helper of it fails"
        pending_checks += pending
        disagree += [(name, i, mine[i]["points"], theirs[i]["points"]) for i in mine
                     if i not in pending and mine[i]["points"] != theirs[i]["points"]]
        same += kit["score"] == full["score"]
        if pending:
            pending_files.append(name)
            assert all(mine[i]["status"] == "error" and mine[i]["points"] == 0 for i in pending)
            assert kit["pending_points"] == sum(mine[i]["max_points"] for i in pending)
            assert kit["score"] == full["score"] - sum(theirs[i]["points"] for i in pending)
        else:
            assert kit["score"] == full["score"], name
    assert not disagree, f"the kit and the grader disagree on checks the kit grades: {disagree}"
    print(f"\n{same} of {len(graded)} files: the same score; "
          f"{len(pending_files)} with checks graded after submission: {pending_files}; the checks: "
          f"{sorted(collections.Counter(pending_checks).items())}")


def test_the_kit_names_the_same_bugs_as_the_grader_and_never_another(graded):
    """The same diagnoses on every example, mutant and variant; on the stub files, which
    the kit never saw, never one the grader does not name."""
    differ = {}
    for name, (kit, full) in sorted(graded.items()):
        mine = sorted((d["id"], d["function"]) for d in kit["diagnoses"])
        theirs = sorted((d["id"], d["function"]) for d in full["diagnoses"])
        if name.startswith("stub_") and set(mine) <= set(theirs):
            continue
        if mine != theirs:
            differ[name] = (mine, theirs)
    assert not differ, "\n".join(f"{n}: kit {m}, grader {t}" for n, (m, t) in differ.items())


def test_correct_code_the_kit_never_saw_gets_full_marks_and_no_diagnosis(graded):
    variants = [name for name in graded if name.startswith("variant_")]
    assert len(variants) == 10
    for name in variants:
        kit, _ = graded[name]
        assert kit["score"] == kit["max_score"] == 95 and not kit["diagnoses"], name


def test_stubs_the_kit_never_saw_earn_nothing(graded):
    for name in (n for n in graded if n.startswith("stub_")):
        assert graded[name][0]["score"] == 0, name


def test_the_installed_kit_checks_alice_bob_and_a_notebook_from_anywhere(venv, tmp_path):
    for name, score, bug in (("alice.py", "95/95", None), ("bob.py", "76/95", "softmax-wrong-axis"),
                             ("notebook_good.ipynb", "95/95", None)):
        shutil.copy(SUBMISSIONS / name, tmp_path / name)
        done = run([venv / "bin" / "grader", "check", name], cwd=tmp_path)
        assert done.returncode == 0, done.stderr[-2000:]
        assert f"Score: {score}" in done.stdout, done.stdout[-2000:]
        if bug:
            assert f"[{bug}]" in done.stdout
            assert "12 more points graded after submission" in done.stdout
            assert "graded after submission, not here: your softmax fails its own checks" in done.stdout


def test_a_students_endless_loop_cannot_hang_the_kit(venv, tmp_path):
    source = (SUBMISSIONS / "alice.py").read_text()
    looping = source.replace("def relu(z):\n", "def relu(z):\n    while True:\n        pass\n", 1)
    assert looping != source
    (tmp_path / "loop.py").write_text(looping)
    done = run([venv / "bin" / "grader", "check", "loop.py"], cwd=tmp_path, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    assert re.search(r"relu .*did not finish", done.stdout.replace("\n", " ")) or "did not finish" in done.stdout


def test_a_stale_kit_refuses_to_grade_with_one_line(kit, venv, tmp_path):
    copy = tmp_path / "kit"
    shutil.copytree(kit / "mlp-kit" / "grader_tasks" / TASK, copy)
    task_yaml = copy / "task.yaml"
    task_yaml.write_text(task_yaml.read_text().replace("points: 3\n", "points: 4\n", 1))
    shutil.copy(SUBMISSIONS / "alice.py", tmp_path / "alice.py")
    done = run([venv / "bin" / "grader", "check", "alice.py", "--task", copy], cwd=tmp_path)
    assert done.returncode == 2
    assert len(done.stderr.strip().splitlines()) == 1
    assert "this kit is stale: its task files changed after its answers were recorded" in done.stderr
