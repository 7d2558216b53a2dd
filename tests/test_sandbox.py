"""The worker's sandbox on Linux: hidden grader files, no network, no privileges.

These run on every Linux CI machine; the sandbox being unavailable there is a failure.
"""
import sys

import pytest

from conftest import ROOT
from grader.worker import CallError, Worker, sandbox

SOURCE = '''
import os
def read(path):
    with open(path) as f:
        return f.read()
def write(path):
    with open(path, "w") as f:
        f.write("x")
    return "written"
def listdir(path):
    return sorted(os.listdir(path))
def me():
    return [os.getuid(), os.getpid(), os.getcwd(), sorted(p for p in os.listdir("/proc") if p.isdigit())]
def connect():
    import socket
    socket.create_connection(("127.0.0.1", 9), timeout=1)
def umount(path):
    import ctypes
    libc = ctypes.CDLL(None, use_errno=True)
    return [libc.umount2(path.encode(), 2), ctypes.get_errno()]
def become_root():
    os.setuid(0)
def stdlib():
    import math, statistics, fractions, decimal, numpy.testing
    return math.sqrt(16.0)
'''

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="namespaces are Linux-only")


@pytest.fixture(scope="module")
def worker():
    with Worker(SOURCE, "student.py", range(9)) as w:
        yield w


def test_the_sandbox_is_available_on_linux():
    prefix, reason = sandbox.command_prefix()
    assert prefix is not None, reason


@pytest.mark.parametrize("path", ["reference/mlp.py", "tasks/mlp/task.yaml", "submissions/alice.py",
                                  "grader/checks/values.py"])
def test_grader_files_cannot_be_read_by_path(worker, path):
    """Neither this checkout's files nor any other's: only system directories and the
    Python installation stay visible."""
    assert (ROOT / path).exists()
    with pytest.raises(CallError) as info:
        worker.call("read", str(ROOT / path))
    assert "FileNotFoundError" in info.value.exc_type


def test_only_its_own_directory_is_writable(worker, tmp_path):
    assert worker.call("write", "here.txt") == "written"
    for target in (ROOT / "pwned.txt", tmp_path / "pwned.txt"):
        with pytest.raises(CallError):
            worker.call("write", str(target))
        assert not target.exists()


def test_it_runs_unprivileged_in_its_own_pid_namespace(worker):
    uid, pid, cwd, pids = worker.call("me")
    # PID 1 is the namespace's reaper (no student code), the worker PID 2; nothing else
    assert uid != 0 and pid == 2 and pids == ["1", "2"] and cwd == "/tmp/work"


def test_no_network(worker):
    with pytest.raises(CallError) as info:
        worker.call("connect")
    assert info.value.exc_type in ("OSError", "ConnectionRefusedError")


def test_cannot_unmount_what_hides_the_grader_or_regain_root(worker):
    assert worker.call("umount", "/tmp") == [-1, 1]          # EPERM: a mount point it has
    assert worker.call("umount", str(ROOT / "reference"))[0] == -1
    with pytest.raises(CallError) as info:
        worker.call("become_root")
    assert info.value.exc_type == "PermissionError"


def test_the_standard_library_still_imports(worker):
    assert worker.call("stdlib") == 4.0


def test_private_files_are_covered_and_everything_else_is_read_only(worker, tmp_path):
    secret = sandbox.Path.home() / ".grader-sandbox-probe"
    secret.write_text("private")
    try:
        with pytest.raises(CallError) as info:
            worker.call("read", str(secret))
        assert info.value.exc_type == "FileNotFoundError"
    finally:
        secret.unlink()
    for target in ("/run/lock/grader-probe", "/var/tmp/grader-probe", "/etc/grader-probe"):
        with pytest.raises(CallError):
            worker.call("write", target)
        assert not sandbox.Path(target).exists()


def test_no_capability_is_left(worker):
    status = worker.call("read", "/proc/self/status")
    caps = {line.split(":")[0]: int(line.split()[1], 16) for line in status.splitlines()
            if line.startswith("Cap")}
    assert caps["CapEff"] == caps["CapPrm"] == caps["CapBnd"] == 0


@pytest.mark.parametrize("where", ["tmp", "home"])
def test_a_submission_anywhere_is_graded(task, where):
    import tempfile
    from pathlib import Path

    from conftest import SUBMISSIONS, quick
    from grader.grade import grade
    folder = Path(tempfile.gettempdir()) if where == "tmp" else Path.home()
    path = folder / f"grader-probe-{where}.py"
    path.write_text((SUBMISSIONS / "dave.py").read_text())
    try:
        report = grade(path, quick(task, call_seconds=10.0))
    finally:
        path.unlink()
    assert not any("grader error" in n for n in report.notes), report.notes
    assert report.score == 98


def test_a_python_installed_under_tmp_still_works_in_the_sandbox(tmp_path):
    """The worker's /tmp is private; a virtual environment (or checkout) under /tmp must
    still be importable there, and hidden files stay hidden (a CI clone may live in /tmp)."""
    import subprocess
    import venv

    from conftest import SUBMISSIONS
    env_dir = tmp_path / "venv"
    venv.create(env_dir, system_site_packages=True, with_pip=False)
    result = subprocess.run([str(env_dir / "bin" / "python"), "-m", "grader", "run",
                             str(SUBMISSIONS / "dave.py"), "--format", "json"],
                            capture_output=True, text=True, timeout=600, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    import json
    doc = json.loads(result.stdout)
    assert not any("grader error" in n for n in doc["notes"]), doc["notes"]
    assert doc["score"] == 98


def test_only_system_directories_and_python_are_visible(worker):
    import os
    for top in sorted(os.listdir("/")):
        path = "/" + top
        if os.path.isdir(path) and not os.path.islink(path) and path not in (
                "/usr", "/lib", "/lib32", "/lib64", "/libx32", "/bin", "/sbin", "/etc", "/dev",
                "/proc", "/sys", "/tmp"):
            if any((p + "/").startswith(path + "/") for p in (sys.prefix, sys.base_prefix)):
                continue                 # holds the Python installation, bound back
            assert worker.call("listdir", path) == [], path
