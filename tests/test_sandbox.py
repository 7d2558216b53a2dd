"""The worker's sandbox on Linux: hidden grader files, no network, no privileges.

These run on every Linux CI machine; the sandbox being unavailable there is a failure.
"""
import os
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
    # PID 1 is the zygote (no student code); the call's session is the only other process
    assert uid != 0 and pid > 1 and pids == ["1", str(pid)] and cwd == "/tmp/work"
    if os.geteuid() == 0:            # as root, each session runs as a random uid of its own
        assert uid >= 2**30
        assert worker.call("me")[0] != uid


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


PROBE = """
import json, os, sys
from grader.worker import CallError, Worker, sandbox
SOURCE = (
    "import sys\\n"
    "def read(path):\\n"
    "    with open(path) as f:\\n"
    "        return f.read()\\n"
    "def prefix():\\n"
    "    return sys.prefix\\n"
)
out = {"sandbox": sandbox.command_prefix()[0] is not None, "read": {}}
with Worker(SOURCE, "student.py", range(3)) as w:
    out["prefix"] = w.call("prefix")
    for path in sys.argv[1:]:
        try:
            w.call("read", path)
            out["read"][path] = "read"
        except CallError as exc:
            out["read"][path] = exc.exc_type
print(json.dumps(out))
"""


def _link_or_copy(source, target):
    import os
    import shutil
    try:
        os.link(source, target)          # same file system: instant, and no space taken
    except OSError:
        shutil.copy2(source, target)


def _python_under_tmp(folder):
    """A self-contained virtual environment in ``folder`` that imports exactly what this
    test run imports: this interpreter's site-packages directories are linked (or
    copied) into its own site-packages, and a .pth file there adds the repository root.
    It depends on nothing the base interpreter has installed, and everything it imports
    lies inside its own prefix, as in the venv a CI clone under /tmp makes for itself."""
    import shutil
    import site
    import subprocess
    import sysconfig
    import venv

    env_dir = folder / "venv"
    venv.create(env_dir, with_pip=False, symlinks=True)
    python = env_dir / "bin" / "python"
    site_packages = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True, text=True, check=True).stdout.strip()
    sources = [p for p in dict.fromkeys([sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"],
                                         *site.getsitepackages()]) if sandbox.Path(p).is_dir()]
    # the first on sys.path wins: copied last, over the others
    for source in sorted(sources, key=lambda p: sys.path.index(p) if p in sys.path else len(sys.path),
                         reverse=True):
        shutil.copytree(source, site_packages, copy_function=_link_or_copy, dirs_exist_ok=True)
    (sandbox.Path(site_packages) / "grader-test-checkout.pth").write_text(str(ROOT) + "\n")
    return python


def test_a_python_installed_under_tmp_still_works_in_the_sandbox():
    """The worker's /tmp is private; a virtual environment (or checkout) under /tmp must
    still work there, and the grader's files stay hidden (a CI clone may live in /tmp)."""
    import json
    import os
    import subprocess
    import tempfile

    from conftest import SUBMISSIONS
    with tempfile.TemporaryDirectory(dir="/tmp", prefix="grader-venv-probe-") as folder:
        folder = sandbox.Path(folder).resolve()
        python = _python_under_tmp(folder)
        env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
        result = subprocess.run([str(python), "-m", "grader", "run", str(SUBMISSIONS / "dave.py"),
                                 "--format", "json"],
                                capture_output=True, text=True, timeout=600, cwd=folder, env=env)
        assert result.returncode == 0, result.stderr
        doc = json.loads(result.stdout)
        assert not any("grader error" in n for n in doc["notes"]), doc["notes"]
        assert doc["score"] == 98
        hidden = [str(ROOT / p) for p in ("reference/mlp.py", "tasks/mlp/task.yaml", "grader/worker/zygote.py")]
        assert all(os.path.isfile(p) for p in hidden)
        probe = subprocess.run([str(python), "-c", PROBE, *hidden],
                               capture_output=True, text=True, timeout=600, cwd=folder, env=env)
        assert probe.returncode == 0, probe.stderr
        seen = json.loads(probe.stdout)
    assert seen["sandbox"]
    assert os.path.realpath(seen["prefix"]) == str(folder / "venv")     # the Python under /tmp ran it
    assert seen["read"] == {path: "FileNotFoundError" for path in hidden}


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
