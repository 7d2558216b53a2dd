"""The worker starts on a busy machine: other processes of other users change nothing.

A limit on the worker's processes must count the worker's own, not every process that
happens to run under the same user on the host. Here 64 processes (the worker's default
process limit) already run as ``nobody`` when alice.py is graded: it must still earn
100/100, with no "grader error" anywhere in the report.

Needs root (to start processes as another user) and util-linux ``setpriv``; CI has both.
"""
import os
import shutil
import subprocess
import time

import pytest

from conftest import SUBMISSIONS
from grader.grade import grade
from grader.report import render_text

NOBODY = 65534
BUSY = 64


def _uid(pid):
    """The real uid of a process, or None once it is gone."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("Uid:"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def _exe(pid):
    try:
        return os.path.basename(os.readlink(f"/proc/{pid}/exe"))
    except OSError:
        return None


@pytest.fixture
def busy_nobody():
    """BUSY processes of nobody's, each a `sleep` already running as nobody; all killed after."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        pytest.skip("needs root to start processes as nobody (uid 65534); CI runs as root")
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("needs util-linux setpriv to start processes as nobody")
    started = []
    try:
        for _ in range(BUSY):
            started.append(subprocess.Popen(
                [setpriv, f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", "sleep", "120"],
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE))
        # setpriv execs sleep in the same process: wait until every one of them has done so
        pending = list(started)
        while pending:
            for proc in list(pending):
                if proc.poll() is not None:
                    raise AssertionError(f"setpriv could not start a process as nobody: "
                                         f"{proc.stderr.read().decode(errors='replace').strip()}")
                if _uid(proc.pid) == NOBODY and _exe(proc.pid) == "sleep":
                    pending.remove(proc)
            time.sleep(0.01)
        yield [proc.pid for proc in started]
    finally:
        for proc in started:
            proc.kill()
        for proc in started:
            proc.wait()
            proc.stderr.close()


def test_grading_is_complete_while_nobody_already_runs_64_processes(task, busy_nobody):
    assert sum(_uid(pid) == NOBODY for pid in busy_nobody) == BUSY     # still running meanwhile
    report = grade(SUBMISSIONS / "alice.py", task)
    assert sum(_uid(pid) == NOBODY for pid in busy_nobody) == BUSY
    blamed = [f"{c.id}: {c.message}" for f in report.functions for c in f.checks if c.grader_error]
    not_passed = [f"{c.id} ({c.status}): {c.message}" for f in report.functions for c in f.checks
                  if c.status != "passed"]
    assert blamed == [], "\n".join(report.notes + blamed[:3])
    assert "grader error" not in render_text(report), "\n".join(report.notes)
    assert report.score == 100, "\n".join(not_passed + report.notes)
