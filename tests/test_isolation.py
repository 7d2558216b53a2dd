"""Student code runs in another process: exits, endless loops and crashes in it leave
the grader standing, with a complete report."""
import os
import subprocess
import sys
import time

import numpy as np
import pytest

from conftest import CASES, quick, statuses
from grader.grade import grade
from grader.worker import CallError, Worker, WorkerLimits

SOURCE = """
import os, sys
import numpy as np
def pid():
    return os.getpid()
def spin():
    while True:
        pass
def quit_hard():
    os._exit(7)
def quit_soft():
    sys.exit(3)
def crash():
    import ctypes
    ctypes.string_at(0)
def swallow():
    try:
        while True:
            pass
    except BaseException:
        return 1.0
def double(x):
    return 2 * x
"""


@pytest.fixture
def worker():
    with Worker(SOURCE, "student.py", range(9)) as w:
        yield w


def test_student_code_runs_in_another_process(worker):
    assert worker.call("pid") not in (os.getpid(), None)


def test_os_exit_ends_only_its_own_session(worker):
    """The call's session dies; the loaded worker (the zygote) stays, so the next call
    starts at once from the freshly loaded file without a restart."""
    with pytest.raises(CallError) as info:
        worker.call("quit_hard")
    assert info.value.kind == "crash" and "exited with code 7" in info.value.message
    assert np.array_equal(worker.call("double", np.arange(3.0)), [0.0, 2.0, 4.0])
    assert worker.restarts == 0


def test_sys_exit_is_an_error_of_the_call(worker):
    with pytest.raises(CallError) as info:
        worker.call("quit_soft")
    assert info.value.kind == "exception" and "sys.exit(3)" in info.value.message


def test_segfault_is_survived(worker):
    with pytest.raises(CallError) as info:
        worker.call("crash")
    assert "SIGSEGV" in info.value.message
    assert worker.call("double", 2.0) == 4.0


@pytest.mark.parametrize("func", ["spin", "swallow"])
def test_endless_loop_is_killed_at_the_deadline(worker, func):
    start = time.monotonic()
    with pytest.raises(CallError) as info:
        worker.call(func, timeout=1.0)
    assert info.value.kind == "timeout"
    assert time.monotonic() - start < 5.0          # killed, not waited for
    assert worker.call("double", 1.5) == 3.0


def test_missing_function_is_reported_as_missing(worker):
    with pytest.raises(CallError) as info:
        worker.call("softmax")
    assert info.value.kind == "missing"


def test_hostile_submission_gets_a_complete_report(task):
    report = grade(CASES / "hostile_basics.py", quick(task))
    status = statuses(report)
    assert len(status) == sum(len(f.checks) for f in task.functions)   # every check reported
    assert status["sigmoid.values"] == "passed" and status["tanh.values"] == "passed"
    assert status["relu.values"] == "error"
    relu = {c.id: c for f in report.functions for c in f.checks if c.function == "relu"}
    assert "did not finish within 2 s" in relu["relu.shape"].message       # its first check waits
    assert "not called again" in relu["relu.values"].message               # the next one does not
    softmax = next(c for f in report.functions for c in f.checks if c.id == "softmax.values")
    assert softmax.status == "error" and "sys.exit('done')" in softmax.message
    acc = next(c for f in report.functions for c in f.checks if c.id == "accuracy.values")
    assert acc.status == "error" and "exited with code 0" in acc.message
    assert status["one_hot.values"] == "passed"
    assert any("tensorflow" in note for note in report.notes)
    assert report.score == 3 + 3 + 3      # sigmoid, tanh, one_hot: all that is right


def test_printed_fake_score_does_not_reach_the_report(tmp_path):
    out = tmp_path / "report.txt"
    result = subprocess.run([sys.executable, "-m", "grader", "run", str(CASES / "prints_score.py"),
                             "--out", str(out)], capture_output=True, text=True, timeout=600)
    assert result.returncode == 0 and result.stdout == ""
    lines = out.read_text().splitlines()
    assert [line for line in lines if line.startswith("Score:")] == ["Score: 3/100"]
    assert lines[-1] == "Score: 3/100"
    assert not any(line.strip() == "one_hot  3 / 3" for line in lines)


def test_the_reference_and_the_grader_cannot_be_imported_by_a_submission(task):
    report = grade(CASES / "imports_reference.py", quick(task))
    assert report.score == 0
    notes = "\n".join(report.notes)
    assert "No module named 'reference' (the grader's own code is not available" in notes
    assert "No module named 'grader' (the grader's own code" in notes
    relu = next(c for f in report.functions for c in f.checks if c.id == "relu.values")
    assert relu.status == "error" and "ModuleNotFoundError" in relu.message


def test_a_submission_that_raises_at_import_is_still_graded(task):
    report = grade(CASES / "raises_at_import.py", quick(task))
    by_name = {f.name: f for f in report.functions}
    assert by_name["sigmoid"].score == by_name["sigmoid"].max_score     # still graded
    assert by_name["relu"].score == 0
    assert all("relu could not be defined: line 16: ValueError: decorator broke" in c.message
               for c in by_name["relu"].checks)
    assert any("line 4: not run (top-level code): raise RuntimeError" in n for n in report.notes)


def test_the_cpu_time_limit_is_reported_as_such():
    with Worker(SOURCE, "student.py", range(9), limits=WorkerLimits(cpu_seconds=1)) as w:
        with pytest.raises(CallError) as info:
            w.call("spin", timeout=20.0)
    assert info.value.kind == "crash" and "SIGXCPU (CPU time limit)" in info.value.message


def test_string_hashing_is_the_same_in_every_worker():
    """Set order of strings must not vary between gradings (PYTHONHASHSEED holds)."""
    source = "def order():\n    return list({'relu', 'tanh', 'sigmoid', 'softmax', 'one_hot', 'accuracy'})\n"
    orders = set()
    for _ in range(4):
        with Worker(source, "student.py", [0]) as w:
            orders.add(tuple(w.call("order")))
    assert len(orders) == 1
