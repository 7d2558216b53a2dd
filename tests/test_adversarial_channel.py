"""Attacks on the channel between the worker and the grader (issue 10).

The sandbox walls held against tests/test_adversarial.py; these attacks go for what
crosses them instead: the shared-memory arena, the answer pipe and its decoder, module
state and files that outlive one call or one grading, kernel objects outside the
sandbox (System V IPC, keys), what the worker can read about where it runs, and the
report itself (its size, its encoding, the hidden inputs it must not show, and the
time a grading may take). Each attack is a small submission in tests/adversarial/ (a
few correct functions, the legitimate part, plus the attack) or, where the source is
large (a 5 MB line, 100,000 minuses, a sum of 1,000,000 ones) or a notebook, is built
by this module into a temporary directory.

Attacks that could crash the grader's own process (SIGBUS, forged frames, the decoder,
the loader, encoding) are graded in a subprocess, ``python -c DRIVER run FILE --format
json``: the command line of ``python -m grader``, with the tests' short limits
(``conftest.quick``: 2 s per call, 5 s to load); the others in-process with
``grade(path, quick(task))``, in module fixtures like tests/test_adversarial.py's.

For each attack the tests assert that the grading finishes, within a bound (a hang
guard, not a speed test), with a complete report (every check reported); that the
score is no higher than the legitimate part's points and the attacked checks do not
pass (and, where the legitimate part can be graded, that it earns its points); that
no check or note says "grader error, not your fault" and the report's status is not
"grader_error" (what a submission does is its own doing); and that nothing is left on
the host: no process, no worker directory, no planted file, no System V IPC object,
no key in the sandbox user's keyring. Some attacks have a test of their own on top.
Every assertion message starts with the attack's name and what it does.
"""
import ctypes
import dataclasses
import json
import os
import platform
import re
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from test_adversarial import _check_ids
from conftest import ROOT, SUBMISSIONS, quick
from grader.grade import grade
from grader.report import render_text

TESTS = Path(__file__).resolve().parent
ADVERSARIAL = TESTS / "adversarial"
BOUND_SECONDS = 90              # per grading: a hang guard, not a speed test
BLOAT_TIMEOUT = 120             # the report-bloat gradings took 13 minutes
REPORT_LIMIT = 1 << 20          # bytes of a report with megabytes of student text in it
MEMORY_CAP = 3 << 30            # the grader's address space for the decoder-amplification attack
BUDGET_SECONDS = 30             # the wall budget given to the slow submission's grading
BUDGET_MARGIN = 30              # a call in flight, restarts, the diagnosis, start-up
SYSTEM_TMP = tempfile.gettempdir()

pytestmark = pytest.mark.timeout(3600)       # the module fixtures grade many files

GRADER_BLAME = ("grader error", "not your fault")
# Files the corpus plants (in the worker's /tmp, its working directory or $HOME); found
# on the host, in the repository or the machine's /tmp, they are damage.
PLANTED_NAMES = {"adversarial-state.txt", "adversarial-seen-inputs.json",
                 "adversarial-stolen-softmax.json"}
MARKER = b"ADVERSARIAL-CHANNEL"
IPC_KEY_PREFIX = 0x47520000     # sysv_ipc_left_behind.py's keys: 0x4752xxxx
KEY_DESCRIPTION = "grader-adversarial-planted-key"      # keyring_plant.py's key
KEY_FOUND = "FOUND A KEY FROM AN EARLIER GRADING"       # keyring_find.py's message
STATE_FOUND = "FOUND STATE FROM AN EARLIER CHECK"       # state_in_files.py's message
SANDBOX_UID = 65534
SKIP_DIRS = {".git", "__pycache__", ".pytest_cache", ".ci-venv"}

# python -m grader, with the tests' short limits (and a wall budget when asked for and
# the task limits have one): a crash of the grader ends this process, not pytest.
DRIVER = r"""
import dataclasses, os, sys
sys.path.insert(0, os.environ["CHANNEL_TESTS"])
from conftest import quick
import grader.cli as cli

real_load_task = cli.load_task


def load_task(*args, **kwargs):
    task = quick(real_load_task(*args, **kwargs))
    budget = os.environ.get("CHANNEL_BUDGET")
    if budget and "budget_seconds" in {f.name for f in dataclasses.fields(task.limits)}:
        limits = dataclasses.replace(task.limits, budget_seconds=float(budget))
        task = dataclasses.replace(task, limits=limits)
    return task


cli.load_task = load_task
sys.exit(cli.main(sys.argv[1:]))
"""


# ------------------------------------------------------------------ the cases
@dataclasses.dataclass(frozen=True)
class Case:
    name: str                   # the test id
    attack: str                 # what it does, for failure messages
    file: str = ""              # in tests/adversarial/ ...
    build: str = ""             # ... or made by BUILDERS[build](folder) -> path
    legit: tuple = ()           # functions or check ids implemented correctly
    attacked: tuple = ()        # functions or check ids under attack: none may pass
    exact: bool = True          # the legitimate part can be graded, so it earns its points
    runner: str = "inprocess"   # "inprocess" (grade()), "cli" (a subprocess) or "slow"
    argv: tuple = ("run", "{path}", "--format", "json")
    text: bool = False          # the CLI writes a text report (not parsed as JSON)
    out_file: bool = False      # the CLI writes its report to --out FILE
    memory_cap: int = 0         # RLIMIT_AS of the grader's process
    group: str = ""             # CLI runs of one group are started together
    timeout: float = BOUND_SECONDS  # the grader's process is killed after this long
    bound: float = 0.0          # the time the grading may take (default: timeout)
    keeps_for_next: bool = False    # its leftovers are the next case's bait: clean up after that

    @property
    def time_bound(self):
        return self.bound or self.timeout

    @property
    def label(self):
        return f"{self.name} ({self.attack})"

    @property
    def public_only(self):
        return self.argv[0] == "check"


ACTIVATIONS = ("sigmoid", "tanh", "relu")
FRAME = "forged frame on the answer pipe while loading: "
LOADER = "a harmless top-level line that crashed the loader: "
MEMORY_LEGIT = ("sigmoid", "sigmoid_grad", "tanh", "tanh_grad", "relu", "relu_grad", "softmax",
                "one_hot", "cross_entropy", "preprocess", "init_params", "sgd_step", "minibatches",
                "train", "accuracy", "numerical_gradient", "forward.shapes", "forward.linear",
                "backward.unchanged", "predict.labels")
MEMORY_ATTACKED = ("forward.hidden", "forward.output", "backward.one_hidden", "backward.two_hidden",
                   "backward.three_hidden", "predict.values")
SOFTMAX_VALUES = ("softmax.rows", "softmax.values", "softmax.large", "softmax.scales")
# the forged-frame files' softmax returns ones: the right shape, and z left alone
FRAME_LEGIT = ACTIVATIONS + ("softmax.shape", "softmax.unchanged")

IN_PROCESS = [
    Case("memory_between_calls", "module state remembers the grader's arguments and answers "
         "its re-judging calls so that a wrong forward/backward/predict looks consistent",
         "memory_between_calls.py", legit=MEMORY_LEGIT, attacked=MEMORY_ATTACKED),
    Case("returns_huge_int", "returns 10**400, which no float holds (OverflowError in the grader)",
         "returns_huge_int.py", legit=ACTIVATIONS, attacked=("sigmoid_grad", "cross_entropy", "accuracy")),
    Case("raises_worker_error", "raises an exception class of its own named WorkerError",
         "raises_worker_error.py", legit=ACTIVATIONS, attacked=("softmax", "one_hot")),
    Case("exit_121_in_function", "prints a fake 'worker setup failed' line and calls os._exit(121) "
         "in softmax", "exit_121_in_function.py", legit=ACTIVATIONS, attacked=("softmax",)),
    Case("exit_121_at_import", "prints a fake 'worker setup failed' line and calls os._exit(121) "
         "while loading", "exit_121_at_import.py", legit=ACTIVATIONS, attacked=("softmax",), exact=False),
    Case("leaks_hidden_inputs", "records its arguments and raises them in a later public check",
         "leaks_hidden_inputs.py",
         legit=("sigmoid_grad", "tanh_grad", "relu_grad", "softmax", "one_hot", "backward.one_hidden",
                "backward.two_hidden", "backward.three_hidden", "backward.unchanged"),
         attacked=("accuracy",)),
    Case("sysv_ipc_left_behind", "creates System V shared memory, message queues and semaphores",
         "sysv_ipc_left_behind.py", legit=ACTIVATIONS),
    Case("keyring_plant", "adds a key to the sandbox user's keyring", "keyring_plant.py",
         legit=ACTIVATIONS, keeps_for_next=True),
    Case("keyring_find", "looks for the key an earlier grading planted and raises with it",
         "keyring_find.py", legit=ACTIVATIONS),
    Case("reads_cmdline", "raises with the host paths in /proc/self/cmdline, environ and /proc/1/cmdline",
         "reads_cmdline.py", legit=("sigmoid",), attacked=("tanh", "relu", "softmax", "one_hot")),
    Case("state_in_files", "writes a file in one check and looks for it in later ones",
         "state_in_files.py", legit=ACTIVATIONS),
    Case("steals_standin", "forward keeps the softmax stand-in it is given for softmax's own checks",
         "steals_standin.py", legit=ACTIVATIONS + ("forward", "softmax.shape", "softmax.unchanged"),
         attacked=SOFTMAX_VALUES),
]

CLI = [
    Case("arena_truncate", "ftruncates the grader's shared-memory arena while loading (SIGBUS)",
         "arena_truncate.py", legit=ACTIVATIONS + ("relu_grad.values",), attacked=("relu_grad.unchanged",),
         exact=False, runner="cli"),
    Case("forged_frame_no_failures", FRAME + "a load answer without 'failures'",
         "forged_frame_no_failures.py", legit=FRAME_LEGIT, attacked=SOFTMAX_VALUES, exact=False,
         runner="cli"),
    Case("forged_frame_bad_message", FRAME + "a load failure whose 'message' is a number",
         "forged_frame_bad_message.py", legit=FRAME_LEGIT, attacked=SOFTMAX_VALUES, exact=False,
         runner="cli"),
    Case("forged_frame_bad_tuple", FRAME + '{"__tuple__": 5}',
         "forged_frame_bad_tuple.py", legit=FRAME_LEGIT, attacked=SOFTMAX_VALUES, exact=False, runner="cli"),
    Case("forged_frame_list_key", FRAME + "a list as a dict key",
         "forged_frame_list_key.py", legit=FRAME_LEGIT, attacked=SOFTMAX_VALUES, exact=False, runner="cli"),
    Case("forged_frame_no_result", FRAME + "a call answer without 'result'",
         "forged_frame_no_result.py", legit=FRAME_LEGIT, attacked=SOFTMAX_VALUES, exact=False, runner="cli"),
    Case("forged_frame_amplified", FRAME + "20,000 array tags naming one 512 KiB array, "
         "under a 3 GiB memory cap", "forged_frame_amplified.py", legit=FRAME_LEGIT, attacked=SOFTMAX_VALUES,
         exact=False, runner="cli", memory_cap=MEMORY_CAP),
    Case("print_long_sum", LOADER + "print() of a 1,500-term sum", "print_long_sum.py",
         legit=ACTIVATIONS, runner="cli"),
    Case("print_long_sum_ipynb", LOADER + "print() of a 1,500-term sum, in a notebook cell",
         build="long_sum_ipynb", legit=ACTIVATIONS, runner="cli"),
    Case("minuses", LOADER + "x = ---...1 with 100,000 minuses", build="minuses_py",
         legit=ACTIVATIONS, runner="cli"),
    Case("minuses_ipynb", LOADER + "x = ---...1 with 100,000 minuses, in a notebook cell",
         build="minuses_ipynb", legit=ACTIVATIONS, runner="cli"),
    Case("million_ones", LOADER + "a sum of 1,000,000 ones", build="million_py",
         legit=ACTIVATIONS, runner="cli"),
    Case("million_ones_ipynb", LOADER + "a sum of 1,000,000 ones, in a notebook cell",
         build="million_ipynb", legit=ACTIVATIONS, runner="cli"),
    Case("surrogate_json", "a lone surrogate in exception messages (JSON report)", "raises_surrogate.py",
         legit=("sigmoid", "tanh"), attacked=("relu", "softmax", "one_hot"), runner="cli"),
    Case("surrogate_text", "a lone surrogate in exception messages (text report on stdout)",
         "raises_surrogate.py", runner="cli", argv=("run", "{path}"), text=True),
    Case("surrogate_out", "a lone surrogate in exception messages (text report to --out FILE)",
         "raises_surrogate.py", runner="cli", argv=("run", "{path}", "--out", "{out}"), text=True,
         out_file=True),
    Case("surrogate_check", "a lone surrogate in exception messages (grader check)",
         "raises_surrogate.py", runner="cli", argv=("check", "{path}"), text=True),
    Case("huge_error_text_json", "5 MB of error text on one line (JSON report)", "huge_error_text.py",
         legit=("sigmoid", "tanh"), attacked=("relu", "softmax", "one_hot", "relu_grad"), runner="cli",
         group="bloat", timeout=BLOAT_TIMEOUT),
    Case("huge_error_text_text", "5 MB of error text on one line (text report)", "huge_error_text.py",
         runner="cli", argv=("run", "{path}"), text=True, group="bloat", timeout=BLOAT_TIMEOUT),
    Case("long_source_line_json", "a 5 MB source line in the failing frame (JSON report)",
         build="long_line_py", legit=ACTIVATIONS, attacked=("softmax",), runner="cli", group="bloat",
         timeout=BLOAT_TIMEOUT),
    Case("long_source_line_text", "a 5 MB source line in the failing frame (text report)",
         build="long_line_py", runner="cli", argv=("run", "{path}"), text=True, group="bloat",
         timeout=BLOAT_TIMEOUT),
]

SLOW = [
    Case("slow_correct", "a correct file whose every answer takes 1.7 s of its 2 s", "slow_correct.py",
         runner="slow", bound=BUDGET_SECONDS + BUDGET_MARGIN, timeout=BUDGET_SECONDS + BUDGET_MARGIN + 60),
]

CASES = IN_PROCESS + CLI + SLOW
BY_NAME = {case.name: case for case in CASES}
REPORTED = [c for c in CASES if not c.text]         # those with a report to read
BLOAT = [c for c in CASES if c.group == "bloat"]
# The files of tests/adversarial/ that this module grades (tests/test_adversarial.py
# grades the rest).
CHANNEL_FILES = sorted({c.file for c in CASES if c.file})


# ------------------------------------------------------- sources built here
LEGIT_SOURCE = '''import numpy as np


def sigmoid(z):
    z = np.asarray(z, dtype=np.float64)
    out = np.empty_like(z)
    pos = z >= 0
    out[pos] = 1.0 / (1.0 + np.exp(-z[pos]))
    ez = np.exp(z[~pos])
    out[~pos] = ez / (1.0 + ez)
    return out


def tanh(z):
    return np.tanh(np.asarray(z, dtype=np.float64))
'''
RELU_SOURCE = '''import numpy as np


def relu(z):
    return np.maximum(np.asarray(z, dtype=np.float64), 0.0)
'''
LINES = {                       # built when needed: megabytes of source
    "long_sum": lambda: "print(" + " + ".join(["1"] * 1500) + ")",
    "minuses": lambda: "x = " + "-" * 100_000 + "1",
    "million": lambda: "TOTAL = " + " + ".join(["1"] * 1_000_000),
    "long_line": lambda: ('def softmax(z):\n    raise ValueError("softmax fails on a long line"); _ = "'
                          + "x" * 5_000_000 + '"\n'),
}


def _py(folder, name):
    line = LINES[name]()
    path = folder / f"{name}.py"
    path.write_text(f"# {name}: built by tests/test_adversarial_channel.py\n{LEGIT_SOURCE}\n\n"
                    f"{line}\n\n\n{RELU_SOURCE}", encoding="utf-8")
    return path


def _ipynb(folder, name):
    import nbformat
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook
    nb = new_notebook(cells=[new_markdown_cell(f"{name}: built by tests/test_adversarial_channel.py"),
                             new_code_cell(LEGIT_SOURCE), new_code_cell(LINES[name]()),
                             new_code_cell(RELU_SOURCE)])
    path = folder / f"{name}.ipynb"
    nbformat.write(nb, str(path))
    return path


BUILDERS = {
    "long_sum_ipynb": lambda folder: _ipynb(folder, "long_sum"),
    "minuses_py": lambda folder: _py(folder, "minuses"),
    "minuses_ipynb": lambda folder: _ipynb(folder, "minuses"),
    "million_py": lambda folder: _py(folder, "million"),
    "million_ipynb": lambda folder: _ipynb(folder, "million"),
    "long_line_py": lambda folder: _py(folder, "long_line"),
}


def source_of(case, folder):
    if case.file:
        return ADVERSARIAL / case.file
    path = folder / case.build
    if not path.exists():
        path.mkdir(parents=True)
    built = [p for p in path.iterdir() if p.suffix in (".py", ".ipynb")]
    return built[0] if built else BUILDERS[case.build](path)


# ------------------------------------------------------------------ the task side
def expected_ids(task, case):
    return sorted(c.id for f in task.functions for c in f.checks if not (case.public_only and c.hidden))


def legit_points(task, case):
    points = {c.id: c.points for f in task.functions for c in f.checks}
    return sum(points[i] for i in set(_check_ids(task, case.legit)))


# ------------------------------------------------------------ watching the host
def _ipc_objects():
    """{(kind, key, id)} of the host's System V IPC objects."""
    found = set()
    for kind in ("shm", "msg", "sem"):
        try:
            lines = Path(f"/proc/sysvipc/{kind}").read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if len(fields) >= 2:
                found.add((kind, int(fields[0]) & 0xFFFFFFFF, int(fields[1])))
    return found


def _remove_ipc(objects):
    """Remove the corpus's IPC objects (keys 0x4752xxxx) among ``objects``."""
    libc = ctypes.CDLL(None, use_errno=True)
    for kind, key, ident in objects:
        if key & 0xFFFF0000 != IPC_KEY_PREFIX:
            continue
        if kind == "shm":
            libc.shmctl(ident, 0, None)
        elif kind == "msg":
            libc.msgctl(ident, 0, None)
        else:
            libc.semctl(ident, 0, 0)


KEYCTL = {"x86_64": 250, "aarch64": 219}
KEYCTL_SEARCH, KEYCTL_READ, KEYCTL_INVALIDATE = 10, 11, 21
KEY_SPEC_USER_KEYRING = -4


def _keyring(description, invalidate=False):
    """[(key id, payload)] for a user key with ``description`` in the user keyring of the
    sandbox's user (nobody, when these tests run as root; our own user otherwise), looked
    up in a forked child that becomes that user; with invalidate=True it is also removed."""
    number = KEYCTL.get(platform.machine())
    if number is None or not sys.platform.startswith("linux"):
        return []
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:                                    # the child: syscalls only, then _exit
        try:
            os.close(read_end)
            if os.geteuid() == 0:
                os.setgroups([])
                os.setgid(SANDBOX_UID)
                os.setuid(SANDBOX_UID)
            libc = ctypes.CDLL(None, use_errno=True)
            libc.syscall.restype = ctypes.c_long
            found = []
            key = libc.syscall(ctypes.c_long(number), ctypes.c_long(KEYCTL_SEARCH),
                               ctypes.c_long(KEY_SPEC_USER_KEYRING), b"user", description.encode(),
                               ctypes.c_long(0))
            if key > 0:
                buf = ctypes.create_string_buffer(512)
                n = libc.syscall(ctypes.c_long(number), ctypes.c_long(KEYCTL_READ), ctypes.c_long(key),
                                 buf, ctypes.c_size_t(512))
                found.append([key, buf.raw[:max(0, min(n, 512))].decode(errors="replace")])
                if invalidate:
                    libc.syscall(ctypes.c_long(number), ctypes.c_long(KEYCTL_INVALIDATE), ctypes.c_long(key))
            os.write(write_end, json.dumps(found).encode())
        finally:
            os._exit(0)
    os.close(write_end)
    data = b""
    while True:
        chunk = os.read(read_end, 4096)
        if not chunk:
            break
        data += chunk
    os.close(read_end)
    os.waitpid(pid, 0)
    try:
        return [tuple(k) for k in json.loads(data or b"[]")]
    except ValueError:
        return []


def _proc_keys(description):
    """Lines of the host's /proc/keys (what this process may view) naming ``description``."""
    try:
        return [line for line in Path("/proc/keys").read_text().splitlines() if description in line]
    except OSError:
        return []


def _repo_files():
    found = set()
    for folder, dirs, files in os.walk(ROOT):
        dirs[:] = [d for d in dirs if d not in SKIP_DIRS]
        found.update(os.path.join(folder, name) for name in files)
    return found


def _planted(path):
    try:
        return Path(path).name in PLANTED_NAMES or MARKER in Path(path).read_bytes()[:1 << 20]
    except OSError:
        return False


def _marked_path(private):
    """PATH with a directory that does not exist appended, named after ``private``: the
    grader passes PATH on to its workers, so they (and what they fork) carry the mark in
    their environment, whatever else it holds."""
    return os.environ.get("PATH", "/usr/bin:/bin") + os.pathsep + str(private / "process-mark")


def _processes(private):
    """[(pid, command line)] of live processes whose environment names ``private`` (a
    HOME or TMPDIR inside it, or the PATH mark of _marked_path): the workers of these
    gradings and anything they started."""
    root = os.fsencode(str(private))
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as f:
                if f.read().rsplit(b")", 1)[1].split()[0] in (b"Z", b"X"):
                    continue
            with open(f"/proc/{entry}/environ", "rb") as f:
                env = f.read().split(b"\0")
            if any(root in v for v in env):
                with open(f"/proc/{entry}/cmdline", "rb") as f:
                    found.append((int(entry), f.read().replace(b"\0", b" ").decode(errors="replace")[:200]))
        except (OSError, IndexError):
            continue
    return found


class Host:
    """What a grading may leave on the host, compared before and after it."""

    def __init__(self, private):
        self.private = private

    def snapshot(self):
        return {"ipc": _ipc_objects(), "repo": _repo_files(), "keys": set(_keyring(KEY_DESCRIPTION)),
                "tmp": {n for n in os.listdir(SYSTEM_TMP) if n in PLANTED_NAMES}}

    def leftovers(self, before, wait=3.0):
        """Lines naming what the grading left behind, and (for cleaning up) what it was."""
        deadline = time.monotonic() + wait
        while True:
            processes = _processes(self.private)
            if not processes or time.monotonic() > deadline:
                break
            time.sleep(0.1)
        after = self.snapshot()
        ipc = after["ipc"] - before["ipc"]
        planted = sorted(p for p in after["repo"] - before["repo"] if _planted(p))
        tmp = sorted(after["tmp"] - before["tmp"])
        private = sorted(p.name for p in Path(self.private).iterdir())
        keys = sorted(set(_keyring(KEY_DESCRIPTION)) - before["keys"])
        if keys:
            keys += [("/proc/keys", line) for line in _proc_keys(KEY_DESCRIPTION)]
        lines = [f"a process outlived the grading: pid {pid}: {cmd}" for pid, cmd in processes]
        lines += [f"a System V {kind} object outlived the grading: key {key:#010x}, id {ident}"
                  for kind, key, ident in sorted(ipc)]
        lines += [f"a key outlived the grading: {key} {payload!r}" for key, payload in keys]
        lines += [f"planted in the repository: {os.path.relpath(p, ROOT)}" for p in planted]
        lines += [f"planted in {SYSTEM_TMP}: {name}" for name in tmp]
        lines += [f"left in the workers' temporary root: {name}" for name in private]
        return lines, {"processes": processes, "ipc": ipc, "planted": planted,
                       "tmp": [os.path.join(SYSTEM_TMP, n) for n in tmp]}

    def clean(self, found):
        for pid, _ in found.get("processes", []):
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        _remove_ipc(found.get("ipc", ()))
        _keyring(KEY_DESCRIPTION, invalidate=True)
        for path in found.get("planted", []) + found.get("tmp", []):
            try:
                os.unlink(path)
            except OSError:
                pass
        for entry in Path(self.private).iterdir():
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry, ignore_errors=True)
            else:
                entry.unlink()


# ------------------------------------------------------------------ gradings
@dataclasses.dataclass
class Outcome:
    report: object = dataclasses.field(default=None, repr=False)    # the Report (in-process)
    doc: dict = dataclasses.field(default=None, repr=False)         # the report as plain data
    crash: str = ""             # what grade() raised, or how the grader's process ended
    exit_code: int = None
    output: bytes = dataclasses.field(default=b"", repr=False)      # the CLI's report: its first MiB
    tail: bytes = dataclasses.field(default=b"", repr=False)        # and its last 64 KiB
    size: int = 0               # the CLI's report's size in bytes
    seconds: float = 0.0
    leftovers: list = dataclasses.field(default_factory=list)


def _grade_in_process(path, task, private):
    outcome = Outcome()
    saved, saved_path = tempfile.tempdir, os.environ.get("PATH")
    start = time.monotonic()
    try:
        tempfile.tempdir = str(private)     # the worker's directory goes in the private root
        os.environ["PATH"] = _marked_path(private)
        outcome.report = grade(path, task)
        outcome.doc = outcome.report.to_dict()
        outcome.doc.setdefault("status", getattr(outcome.report, "status", None))
    except Exception as exc:            # noqa: BLE001 -- a grader crash is a finding
        outcome.crash = f"grade() raised {type(exc).__name__}: {str(exc)[:500]}"
    finally:
        tempfile.tempdir = saved
        if saved_path is None:
            os.environ.pop("PATH", None)
        else:
            os.environ["PATH"] = saved_path
    outcome.seconds = time.monotonic() - start
    return outcome


def _start_cli(case, path, folder, private, budget=None):
    out = folder / f"{case.name}.report"
    stdout = folder / f"{case.name}.stdout"
    stderr = folder / f"{case.name}.stderr"
    argv = [a.format(path=path, out=out) for a in case.argv]
    env = dict(os.environ, TMPDIR=str(private), CHANNEL_TESTS=str(TESTS), PATH=_marked_path(private))
    env.pop("GRADER_DEBUG", None)
    if budget is not None:
        env["CHANNEL_BUDGET"] = str(budget)
    cap = case.memory_cap

    def limit():
        if cap:
            resource.setrlimit(resource.RLIMIT_AS, (cap, cap))

    with open(stdout, "wb") as out_f, open(stderr, "wb") as err_f:
        proc = subprocess.Popen([sys.executable, "-c", DRIVER, *argv], cwd=ROOT, env=env,
                                stdin=subprocess.DEVNULL, stdout=out_f, stderr=err_f,
                                preexec_fn=limit, start_new_session=True)
    return {"proc": proc, "start": time.monotonic(), "out": out, "stdout": stdout, "stderr": stderr}


def _finish_cli(case, run):
    proc, outcome = run["proc"], Outcome()
    remaining = case.timeout - (time.monotonic() - run["start"])
    try:
        proc.wait(timeout=max(remaining, 0.1))
    except subprocess.TimeoutExpired:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except OSError:
            pass
        proc.wait()
        outcome.crash = f"the grader did not finish within {case.timeout:g} s (killed)"
    outcome.seconds = time.monotonic() - run["start"]
    outcome.exit_code = proc.returncode
    target = run["out"] if case.out_file else run["stdout"]
    try:
        size = os.path.getsize(target)
        with open(target, "rb") as f:
            outcome.output = f.read(1 << 20)
            f.seek(max(0, size - (64 << 10)))
            outcome.tail = f.read()
    except OSError:
        size = 0
    err = run["stderr"].read_bytes().decode(errors="replace").strip().splitlines() or [""]
    said = err[0][:300] + (" ... " + " / ".join(err[-2:])[-500:] if len(err) > 1 else "")
    if not outcome.crash and proc.returncode != 0:
        how = (f"was killed by {signal.Signals(-proc.returncode).name}" if proc.returncode < 0
               else f"exited with {proc.returncode}")
        outcome.crash = f"the grader {how}: {said}"
    if not case.text and size:
        try:
            with open(target, "rb") as f:
                outcome.doc = json.loads(f.read())
        except ValueError as exc:
            outcome.crash = outcome.crash or f"the JSON report does not parse: {exc}"
    outcome.size = size
    return outcome


@pytest.fixture(scope="module")
def host():
    """The host watcher; the workers' directories go in a private temporary root."""
    private = Path(tempfile.mkdtemp(prefix="adversarial-channel-root-")).resolve()
    try:
        yield Host(private)
    finally:
        for pid, _ in _processes(private):
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        _keyring(KEY_DESCRIPTION, invalidate=True)
        shutil.rmtree(private, ignore_errors=True)


@pytest.fixture(scope="module")
def sources(tmp_path_factory):
    return tmp_path_factory.mktemp("channel-sources")


@pytest.fixture(scope="module")
def in_process(task, host, sources):
    """{case name: Outcome} of every in-process case, graded in order."""
    fast = quick(task)
    outcomes, pending = {}, []
    for case in IN_PROCESS:
        before = host.snapshot()
        outcome = _grade_in_process(source_of(case, sources), fast, host.private)
        outcome.leftovers, found = host.leftovers(before)
        pending.append(found)
        if not case.keeps_for_next:          # keyring_plant's key is keyring_find's bait
            for found in pending:
                host.clean(found)
            pending = []
        outcomes[case.name] = outcome
    for found in pending:
        host.clean(found)
    return outcomes


@pytest.fixture(scope="module")
def cli(host, sources):
    """{case name: Outcome} of every CLI case; the runs of one group start together."""
    outcomes = {}
    groups = {}
    for case in CLI:
        groups.setdefault(case.group or case.name, []).append(case)
    for members in groups.values():
        before = host.snapshot()
        runs = [(case, _start_cli(case, source_of(case, sources), sources, host.private))
                for case in members]
        for case, run in runs:
            outcomes[case.name] = _finish_cli(case, run)
        leftovers, found = host.leftovers(before)
        for case in members:
            outcomes[case.name].leftovers = leftovers
        host.clean(found)
    return outcomes


@pytest.fixture(scope="module")
def slow(host, sources):
    outcomes = {}
    for case in SLOW:
        before = host.snapshot()
        run = _start_cli(case, source_of(case, sources), sources, host.private, budget=BUDGET_SECONDS)
        outcomes[case.name] = _finish_cli(case, run)
        outcomes[case.name].leftovers, found = host.leftovers(before)
        host.clean(found)
    return outcomes


def outcome_of(request, case):
    fixture = {"inprocess": "in_process", "cli": "cli", "slow": "slow"}[case.runner]
    return request.getfixturevalue(fixture)[case.name]


def reported(request, case):
    """The report of ``case`` as plain data; fails when the grading gave none."""
    outcome = outcome_of(request, case)
    assert not outcome.crash, f"{case.label}: no report: {outcome.crash}"
    assert outcome.doc is not None, f"{case.label}: no report (exit {outcome.exit_code})"
    return outcome.doc


def checks_of(doc):
    return {c["id"]: c for f in doc["functions"] for c in f["checks"]}


def texts_of(doc):
    """Every piece of text of a report a person reads: check messages and hints, notes,
    diagnoses (not the submission's own path)."""
    parts = [c.get(k) or "" for c in checks_of(doc).values() for k in ("message", "help")]
    parts += [str(n) for n in doc.get("notes", [])]
    parts += [json.dumps(d, ensure_ascii=False) for d in doc.get("diagnoses", [])]
    return "\n".join(parts)


def params(cases):
    return [pytest.param(case, id=case.name) for case in cases]


# ------------------------------------------------------------ every attack
def test_the_cases_are_complete():
    """Every attack file named here exists, and none is graded twice by mistake."""
    missing = [name for name in CHANNEL_FILES if not (ADVERSARIAL / name).is_file()]
    assert missing == [], f"attack files missing from tests/adversarial/: {missing}"
    assert len(CHANNEL_FILES) >= 14
    assert len(BY_NAME) == len(CASES), "two cases share a name"


@pytest.mark.parametrize("case", params(CASES))
def test_the_grading_finishes(request, case):
    """The grader's process survives the attack: exit 0 for the CLI, no exception in-process."""
    outcome = outcome_of(request, case)
    assert not outcome.crash, f"{case.label}: {outcome.crash}"
    if case.runner != "inprocess":
        assert outcome.exit_code == 0, f"{case.label}: the grader exited with {outcome.exit_code}"
        assert outcome.output, f"{case.label}: the grader wrote no report"
        if case.text:
            assert b"Score:" in outcome.tail, f"{case.label}: the text report has no Score line"


@pytest.mark.parametrize("case", params(CASES))
def test_the_grading_finishes_in_bounded_time(request, case):
    outcome = outcome_of(request, case)
    assert outcome.seconds < case.time_bound, \
        f"{case.label}: the grading took {outcome.seconds:.0f} s (bound {case.time_bound:g} s)"


@pytest.mark.parametrize("case", params(REPORTED))
def test_every_check_is_reported(request, task, case):
    doc = reported(request, case)
    got = sorted(checks_of(doc))
    wanted = expected_ids(task, case)
    assert got == wanted, (f"{case.label}: incomplete report: missing {sorted(set(wanted) - set(got))}, "
                           f"unexpected {sorted(set(got) - set(wanted))}")


@pytest.mark.parametrize("case", params(REPORTED))
def test_no_more_than_the_legitimate_part(request, task, case):
    doc = reported(request, case)
    checks = checks_of(doc)
    attacked = sorted(i for i in _check_ids(task, case.attacked)
                      if checks.get(i, {}).get("status") == "passed")
    assert attacked == [], f"{case.label}: attacked checks passed: {attacked}"
    limit = legit_points(task, case) if case.legit or case.attacked else doc["max_score"]
    assert doc["score"] <= limit, \
        f"{case.label}: scored {doc['score']}, more than the legitimate part's {limit} points"
    if case.exact:
        missing = {"status": "not reported", "message": ""}
        missed = sorted(f"{i}: {checks.get(i, missing)['status']}: {checks.get(i, missing)['message'][:200]}"
                        for i in _check_ids(task, case.legit) if checks.get(i, missing)["status"] != "passed")
        assert missed == [], f"{case.label}: legitimate checks did not pass:\n" + "\n".join(missed)


@pytest.mark.parametrize("case", params(REPORTED))
def test_the_attack_is_not_blamed_on_the_grader(request, case):
    """What a submission does is its own doing: never "grader error, not your fault"."""
    doc = reported(request, case)
    blamed = [f"{i}: {c['status']}: {c['message'][:200]}" for i, c in checks_of(doc).items()
              if c.get("grader_error") or any(b in (c.get("message") or "") for b in GRADER_BLAME)]
    blamed += [f"note: {str(n)[:200]}" for n in doc.get("notes", [])
               if any(b in str(n) for b in GRADER_BLAME)]
    assert blamed == [], f"{case.label}: blamed on the grader:\n" + "\n".join(blamed)
    assert doc.get("status") != "grader_error", f"{case.label}: report status is grader_error"


@pytest.mark.parametrize("case", params([c for c in CASES if c.text]))
def test_the_text_report_does_not_blame_the_grader(request, case):
    outcome = outcome_of(request, case)
    assert not outcome.crash, f"{case.label}: {outcome.crash}"
    text = outcome.output.decode("utf-8", "replace")
    blamed = [line.strip() for line in text.splitlines() if any(b in line for b in GRADER_BLAME)]
    assert blamed == [], f"{case.label}: blamed on the grader:\n" + "\n".join(blamed[:10])


@pytest.mark.parametrize("case", params(CASES))
def test_nothing_is_left_on_the_host(request, case):
    outcome = outcome_of(request, case)
    assert outcome.leftovers == [], f"{case.label}: left on the host:\n" + "\n".join(outcome.leftovers)


# ------------------------------------------------------- attack by attack
@pytest.mark.parametrize("case", params(BLOAT))
def test_reports_stay_small(request, case):
    """Megabytes of student text make a report of at most REPORT_LIMIT bytes."""
    outcome = outcome_of(request, case)
    size = outcome.size
    assert not outcome.crash, f"{case.label}: {outcome.crash} (report so far: {size} bytes)"
    assert size < REPORT_LIMIT, f"{case.label}: the report is {size:,} bytes (at most {REPORT_LIMIT:,})"


@pytest.mark.parametrize("name", ["returns_huge_int", "raises_worker_error", "exit_121_in_function",
                                  "exit_121_at_import"])
def test_student_failures_are_the_students(request, task, name):
    """The attacked checks end as the student's error or failure, not the grader's."""
    case = BY_NAME[name]
    checks = checks_of(reported(request, case))
    wrong = [f"{i}: {checks[i]['status']}, grader_error={checks[i].get('grader_error')}: "
             f"{checks[i]['message'][:200]}" for i in _check_ids(task, case.attacked)
             if checks[i]["status"] not in ("error", "failed") or checks[i].get("grader_error")]
    assert wrong == [], f"{case.label}: not reported as the student's failure:\n" + "\n".join(wrong)


def test_state_does_not_cross_checks_through_files(request, task):
    case = BY_NAME["state_in_files"]
    doc = reported(request, case)
    assert STATE_FOUND not in texts_of(doc), \
        f"{case.label}: a later check found the file an earlier one wrote:\n" + \
        "\n".join(line for line in texts_of(doc).splitlines() if STATE_FOUND in line)[:1500]
    checks = checks_of(doc)
    for name in ("tanh", "relu"):
        score = sum(checks[i]["points"] for i in _check_ids(task, [name]))
        assert score == task.function(name).points, f"{case.label}: {name} did not earn its points"


def test_a_key_does_not_cross_gradings(request):
    """keyring_plant.py's key must not reach keyring_find.py's grading, nor stay behind."""
    plant, find = BY_NAME["keyring_plant"], BY_NAME["keyring_find"]
    doc = reported(request, find)
    seen = [line for line in texts_of(doc).splitlines() if KEY_FOUND in line]
    assert seen == [], f"{find.label}: the later grading found the earlier one's key:\n" + "\n".join(seen[:3])
    leftovers = outcome_of(request, plant).leftovers
    assert not [line for line in leftovers if "key" in line], \
        f"{plant.label}: the key outlived the grading:\n" + "\n".join(leftovers)
    assert _proc_keys(KEY_DESCRIPTION) == [] and _keyring(KEY_DESCRIPTION) == [], \
        f"{plant.label}: a key named {KEY_DESCRIPTION} is still on the host"


def test_sysv_ipc_objects_do_not_outlive_the_grading(request):
    case = BY_NAME["sysv_ipc_left_behind"]
    leftovers = outcome_of(request, case).leftovers
    ipc = [line for line in leftovers if "System V" in line]
    assert ipc == [], f"{case.label}: left on the host:\n" + "\n".join(ipc)


def _without_python(text):
    """``text`` without the Python installation's paths: the interpreter is visible to
    the worker by design (a virtual environment inside the checkout, as CI makes one,
    holds numpy), so its path is no leak of the repository's."""
    prefixes = {sys.prefix, sys.base_prefix, sys.exec_prefix, os.path.dirname(sys.executable)}
    for prefix in sorted({p for q in prefixes for p in (q, os.path.realpath(q)) if p}, key=len, reverse=True):
        text = text.replace(prefix, "<python>")
    return text


def test_host_paths_do_not_reach_the_report(request):
    case = BY_NAME["reads_cmdline"]
    text = _without_python(texts_of(reported(request, case)))
    roots = {str(ROOT), os.path.realpath(ROOT)}
    leaked = [line[:300] for line in text.splitlines() if any(r in line for r in roots)]
    assert leaked == [], \
        f"{case.label}: the report shows the repository's path {ROOT}:\n" + "\n".join(leaked[:5])


def test_memory_between_calls_earns_nothing_for_the_wrong_functions(request, task):
    case = BY_NAME["memory_between_calls"]
    doc = reported(request, case)
    checks = checks_of(doc)
    lost = {"forward": 0, "backward": 0, "predict": 0}
    for i in _check_ids(task, case.attacked):
        lost[i.split(".")[0]] += checks[i]["points"]
    assert lost == {"forward": 0, "backward": 0, "predict": 0}, \
        f"{case.label}: points for consistent-looking wrong answers: {lost}"
    assert legit_points(task, case) == 79, "the legitimate part of memory_between_calls.py is worth 79"
    assert doc["score"] <= 79, f"{case.label}: scored {doc['score']}, more than its legitimate 79 points"


def test_a_stolen_standin_earns_softmax_nothing(request, task):
    case = BY_NAME["steals_standin"]
    checks = checks_of(reported(request, case))
    earned = {i: checks[i]["points"] for i in SOFTMAX_VALUES if checks[i]["points"]}
    assert earned == {}, f"{case.label}: softmax earned value points: {earned}"


# What only the hidden checks use (softmax.scales' logits; backward.three_hidden's layer
# sizes, X shape and labels), as leaks_hidden_inputs.py writes it down.
HIDDEN_ONLY = ("801.0", "799.0", "-705.0", "-710.0", "[5, 4, 6, 3, 4]", "(9, 5)",
               "[0, 0, 3, 1, 1, 0, 2, 2, 0]")


def _student_view(report):
    saved = report.view
    report.view = "student"
    try:
        text = render_text(report) + "\n" + json.dumps(report.to_dict(), ensure_ascii=False)
        return " ".join(text.split())
    finally:
        report.view = saved


def test_the_hidden_only_values_are_not_in_a_clean_student_view(graded):
    """The control for the next test: a correct submission's student view holds none of
    HIDDEN_ONLY, so finding one there can only be a leak."""
    text = _student_view(graded(SUBMISSIONS / "alice.py"))
    present = [token for token in HIDDEN_ONLY if " ".join(token.split()) in text]
    assert present == []


def test_hidden_inputs_do_not_reach_the_student_view(request):
    case = BY_NAME["leaks_hidden_inputs"]
    outcome = outcome_of(request, case)
    assert outcome.report is not None, f"{case.label}: no report: {outcome.crash}"
    text = _student_view(outcome.report)
    leaked = [token for token in HIDDEN_ONLY if " ".join(token.split()) in text]
    assert leaked == [], f"{case.label}: the student view shows inputs only hidden checks used: {leaked}"


BUDGET_WORDS = re.compile(r"budget|too slow|unusually slow|ran out|time for the whole grading", re.I)


def test_a_slow_submission_is_stopped_by_the_budget(request, task):
    """A correct but slow file: the grading stops at its wall budget (plus a margin),
    says so in a note, and the checks it could not run are errors with that reason."""
    case = BY_NAME["slow_correct"]
    outcome = outcome_of(request, case)
    has_budget = "budget_seconds" in {f.name for f in dataclasses.fields(task.limits)}
    assert has_budget, f"{case.label}: the task limits have no budget_seconds"
    assert outcome.seconds < BUDGET_SECONDS + BUDGET_MARGIN, \
        f"{case.label}: took {outcome.seconds:.0f} s with a budget of {BUDGET_SECONDS} s" + \
        (f" ({outcome.crash})" if outcome.crash else "")
    doc = reported(request, case)
    notes = [str(n) for n in doc.get("notes", []) if BUDGET_WORDS.search(str(n))]
    assert notes, f"{case.label}: no note says the budget ran out: {doc.get('notes')}"
    checks = checks_of(doc)
    budget_checks = {i: c for i, c in checks.items() if BUDGET_WORDS.search(c.get("message") or "")}
    assert budget_checks, f"{case.label}: no check says it was not run for lack of budget"
    not_errors = sorted(f"{i}: {c['status']}" for i, c in budget_checks.items() if c["status"] != "error")
    assert not_errors == [], f"{case.label}: checks not run for lack of budget are not errors: {not_errors}"
