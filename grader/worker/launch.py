"""A worker's process, started before its grading knows what it will grade.

Starting the worker is mostly Python's own start and numpy's import (0.1-0.15 s), and
needs nothing of the submission: the process waits for its boot message (its code, the
task's limits, the walls to build) before it runs anything of ours. So the command line
starts the worker processes first (``prelaunch``, from grader/start.py) and imports the
grader meanwhile; ``Worker._spawn`` then takes one (``take``) instead of starting its own.
A process no grading takes ends by itself when the grader does (its socket closes).

This module imports no numpy and nothing of the grader's but sandbox.py, so that starting
the processes does not wait for the imports they are meant to overlap.
"""
import os
import socket
import subprocess
import sys
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

from . import sandbox

BOOTSTRAP = """\
def _boot():
    import json, os, struct, sys, types
    try:
        import numpy        # before the boot message arrives: the grader imports meanwhile
    except BaseException:
        pass                # the zygote's own import says why
    fd = int(sys.argv[1])
    def read(n):
        data = b""
        while len(data) < n:
            chunk = os.read(fd, n - len(data))
            if not chunk:
                os._exit(0)
            data += chunk
        return data
    (n,) = struct.unpack("!Q", read(8))
    boot = json.loads(read(n))
    for name in boot["order"]:
        module = types.ModuleType(name)
        module.__file__ = "<" + name + ">"
        sys.modules[name] = module
        exec(compile(boot["sources"][name], module.__file__, "exec"), module.__dict__)
    main, config = sys.modules[boot["main"]].main, boot["config"]
    del boot
    main(fd, config)
_boot()
"""
# No user site-packages, no script directory on sys.path. Not -I: it implies -E, which
# would ignore PYTHONHASHSEED and make string hashing (set order) differ between runs;
# the environment is built from scratch below instead.
PYTHON_FLAGS = ("-s", "-P") if sys.version_info >= (3, 11) else ("-s",)
OUTPUT_NAME = "worker.txt"          # the worker's own stdout and stderr, in its folder


@dataclass
class Launch:
    """A started worker process waiting for its boot message."""
    proc: subprocess.Popen
    sock: socket.socket             # the grader's end of its control socket
    output: object                  # its stdout/stderr file, open
    folder: object                  # the TemporaryDirectory it runs in (None: the caller's)
    prefix: object                  # the sandbox's command prefix it was started under
    env: dict                       # the environment it was started with
    owner: int                      # the pid of the grader that started it

    def discard(self):
        """End it unused (its folder removed)."""
        self.sock.close()           # it reads EOF and exits; the kill is for certainty
        try:
            os.killpg(self.proc.pid, 9)
        except (ProcessLookupError, PermissionError):
            pass
        self.proc.wait()
        self.output.close()
        if self.folder is not None:
            self.folder.cleanup()


def environment():
    """The worker's whole environment, built from scratch (nothing of the grader's leaks)."""
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": "/tmp", "LANG": "C.UTF-8",
           "PYTHONHASHSEED": "0", "PYTHONDONTWRITEBYTECODE": "1",
           "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    for key in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):   # a BLAS that needs them here
        if key in os.environ:
            env[key] = os.environ[key]
    return env


def start(workdir=None):
    """Start a worker process in ``workdir`` (None: a temporary folder of its own) -> Launch.
    OSError when it cannot be started."""
    folder = tempfile.TemporaryDirectory(prefix="grader-worker-") if workdir is None else None
    workdir = Path(folder.name if folder is not None else workdir)
    workdir.mkdir(parents=True, exist_ok=True)          # a submission may have deleted it
    prefix, env = sandbox.command_prefix()[0], environment()
    parent, child = socket.socketpair()
    output = open(workdir / OUTPUT_NAME, "ab")
    try:
        proc = subprocess.Popen(
            (prefix or []) + [sys.executable, *PYTHON_FLAGS, "-c", BOOTSTRAP, str(child.fileno())],
            pass_fds=(child.fileno(),), stdin=subprocess.DEVNULL, stdout=output, stderr=output,
            cwd=workdir, env=env, start_new_session=True)
    except OSError:
        parent.close()
        output.close()
        if folder is not None:
            folder.cleanup()
        raise
    finally:
        child.close()
    parent.setblocking(False)
    return Launch(proc, parent, output, folder, prefix, env, os.getpid())


_waiting = []                       # prelaunched, not taken yet
_lock = threading.Lock()


def prelaunch(n):
    """Start ``n`` worker processes now, for the gradings to come to take (best effort:
    one that cannot start is simply not there, and the grading starts its own)."""
    for _ in range(n):
        try:
            launch = start()
        except OSError:
            return
        with _lock:
            _waiting.append(launch)


def take():
    """A prelaunched worker process, or None. One that ended, or was started under another
    sandbox prefix or environment than a worker started now would be, is discarded; one
    started by another process (this one is a fork of it: each fork has a copy of the
    list) is left alone, so that no two gradings ever share a worker."""
    while True:
        with _lock:
            if not _waiting:
                return None
            launch = _waiting.pop(0)
        if launch.owner != os.getpid():
            _forget(launch)
            continue
        if launch.proc.poll() is None and launch.prefix == sandbox.command_prefix()[0] and \
                launch.env == environment():
            return launch
        launch.discard()


def _forget(launch):
    """Close a fork's copies of another process's prelaunched worker, leaving it alone."""
    launch.sock.close()
    launch.output.close()


def discard_all():
    """End every prelaunched process nobody took."""
    while True:
        with _lock:
            if not _waiting:
                return
            launch = _waiting.pop()
        if launch.owner == os.getpid():
            launch.discard()
        else:
            _forget(launch)
