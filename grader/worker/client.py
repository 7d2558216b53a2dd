"""The grader's side of the worker: start it, call student functions, survive anything.

One ``Worker`` per submission. Each call has a wall-clock deadline enforced here: past
it the whole worker process group is killed (not interrupted), and the next call starts
a fresh worker that loads the submission again. A worker that dies (``os._exit``,
a signal, the memory limit) is restarted the same way. Only plain data comes back.
"""
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from . import protocol, sandbox
from .arena import Arena

CHILD = Path(__file__).with_name("child.py")
# No user site-packages, no script directory on sys.path. Not -I: it implies -E, which
# would ignore PYTHONHASHSEED and make string hashing (set order) differ between runs;
# the environment is built from scratch below instead.
PYTHON_FLAGS = ("-s", "-P") if sys.version_info >= (3, 11) else ("-s",)
OUTPUT_TAIL_BYTES = 2000

TIMEOUT_MESSAGE = "{what} did not finish within {seconds:g} s (an endless loop, or far too slow?)"
DIED_MESSAGE = "the worker process running your code ended during {what}: {how}"
BAD_ANSWER_MESSAGE = "{what} returned something that is not plain data: {detail}"


@dataclass(frozen=True)
class WorkerLimits:
    """Limits for one worker process; the task file may override each of them."""
    call_seconds: float = 10.0        # wall clock for one call
    load_seconds: float = 10.0        # wall clock for loading the submission
    memory_mb: int = 4096             # address space (RLIMIT_AS)
    cpu_seconds: int = 600            # CPU time for the worker's whole life
    file_size_mb: int = 16            # largest file it may write (its printed output too)
    open_files: int = 256
    processes: int = 64               # processes and threads of the sandbox user (as root)

    def for_child(self):
        return {"memory_mb": self.memory_mb, "cpu_seconds": self.cpu_seconds,
                "file_size_mb": self.file_size_mb, "open_files": self.open_files,
                "processes": self.processes}


SETUP_FAILED = 121                 # the worker's exit code when its sandbox could not be set up


class WorkerError(RuntimeError):
    """The worker could not start, or could not do what the grader asked: a problem of
    the grader's or the host's, never the student's."""


@dataclass
class CallError(Exception):
    """The student's code did not produce an answer: it raised, hung, crashed or is missing.

    kind is one of "exception", "missing", "timeout", "crash", "bad-answer".
    """
    kind: str
    message: str
    frames: list = field(default_factory=list)    # [{"line", "function", "code"}]
    exc_type: str = ""

    def __str__(self):
        return self.message


def _widen_pipe(fd):
    """Ask Linux for a 1 MiB pipe buffer: a 63 MB array then crosses ~5x faster."""
    try:
        import fcntl
        fcntl.fcntl(fd, getattr(fcntl, "F_SETPIPE_SZ", 1031), 1 << 20)
    except (ImportError, OSError):
        pass               # other platforms, or a lower pipe-max-size: just slower


def _signal_name(number):
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


def _how_it_died(returncode):
    if returncode is None:
        return "it stopped answering"
    if returncode < 0:
        name = _signal_name(-returncode)
        hint = {"SIGKILL": " (out of memory?)", "SIGSEGV": " (a crash in native code)",
                "SIGXCPU": " (CPU time limit)"}.get(name, "")
        return f"killed by {name}{hint}"
    return f"it exited with code {returncode} (does your code call os._exit() or exit()?)"


class Worker:
    """A student submission loaded in a child process; ``call`` runs one function."""

    def __init__(self, source, filename, statements, limits=WorkerLimits(), workdir=None, hide=()):
        self.source, self.filename, self.statements = source, filename, list(statements)
        self.limits = limits
        self.sandbox = sandbox.config(hide)
        self._pid1 = None          # the worker's host PID when it runs in a PID namespace
        self._own_tmp = None
        if workdir is None:
            self._own_tmp = tempfile.TemporaryDirectory(prefix="grader-worker-")
            workdir = self._own_tmp.name
        self.workdir = Path(workdir)
        self.proc = None
        self.arena = Arena()
        self.load_info = None      # the first load's answer: functions and failures
        self.restarts = 0
        self.events = []           # what happened to which call, for the report's notes

    # -------------------------------------------------------------- lifecycle
    def _spawn(self):
        to_child_r, to_child_w = os.pipe()
        from_child_r, from_child_w = os.pipe()
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(self.workdir),
               "LANG": "C.UTF-8", "PYTHONHASHSEED": "0", "PYTHONDONTWRITEBYTECODE": "1",
               "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
        self.workdir.mkdir(parents=True, exist_ok=True)     # a submission may have deleted it
        self._output = open(self.workdir / "output.txt", "ab")
        prefix, reason = sandbox.command_prefix()
        if prefix is None and not any("sandbox unavailable" in e for e in self.events):
            self.events.append(sandbox.UNAVAILABLE.format(reason=reason))
        config = {"limits": self.limits.for_child(), "sandbox": self.sandbox,
                  "arena": {"fd": self.arena.fd, "size": self.arena.size}}
        self.proc = subprocess.Popen(
            (prefix or []) + [sys.executable, *PYTHON_FLAGS, str(CHILD), str(to_child_r),
                              str(from_child_w), json.dumps(config)],
            pass_fds=(to_child_r, from_child_w, self.arena.fd), stdin=subprocess.DEVNULL,
            stdout=self._output, stderr=self._output, cwd=self.workdir, env=env,
            start_new_session=True)
        os.close(to_child_r)
        os.close(from_child_w)
        self._to_child, self._from_child = to_child_w, from_child_r
        for fd in (to_child_w, from_child_r):
            _widen_pipe(fd)
        os.set_blocking(self._to_child, False)
        os.set_blocking(self._from_child, False)
        answer = self._roundtrip(
            {"op": "load", "source": self.source, "filename": self.filename,
             "statements": self.statements},
            self.limits.load_seconds, "loading your file")
        if prefix is not None:            # unshare has forked by now: the worker answered
            self._pid1 = sandbox.host_pid_of_child(self.proc.pid)
        if self.load_info is None:
            self.load_info = answer

    def _kill(self):
        """Kill the worker and everything it started."""
        if self.proc is None:
            return
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        if self._pid1 is not None:   # PID 1 of its namespace: its death ends every process in it
            try:
                os.kill(self._pid1, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            self._pid1 = None
        self.proc.wait()
        for fd in (self._to_child, self._from_child):
            try:
                os.close(fd)
            except OSError:
                pass
        self._output.close()
        self.proc = None

    def close(self):
        """Stop the worker and remove its temporary directory (when it made one)."""
        self._kill()
        self.arena.close()
        if self._own_tmp is not None:
            self._own_tmp.cleanup()
            self._own_tmp = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def start(self):
        """Start the worker now (otherwise the first call does); -> the load answer."""
        if self.proc is None:
            self._spawn()
        return self.load_info

    # ------------------------------------------------------------------ calls
    def _roundtrip(self, request, seconds, what):
        deadline = time.monotonic() + seconds
        try:
            protocol.write_frame(self._to_child, request, deadline)
            answer = protocol.read_frame(self._from_child, deadline)
        except protocol.Timeout:
            self._kill()
            self.events.append(f"{what}: timed out after {seconds:g} s; the worker was restarted")
            raise CallError("timeout", TIMEOUT_MESSAGE.format(what=what, seconds=seconds)) from None
        except protocol.Closed:
            returncode = self.proc.poll()
            if returncode is None:
                try:
                    returncode = self.proc.wait(timeout=1)
                except subprocess.TimeoutExpired:
                    returncode = None
            if returncode == SETUP_FAILED:
                detail = self.output_tail().strip().splitlines()
                self._kill()
                raise WorkerError(detail[-1] if detail else "worker setup failed") from None
            self._kill()
            if self.sandbox is not None and returncode is not None and returncode > 128:
                returncode = -(returncode - 128)   # the namespace's reaper reports 128 + signal
            how = _how_it_died(returncode)
            self.events.append(f"{what}: {how}; the worker was restarted")
            raise CallError("crash", DIED_MESSAGE.format(what=what, how=how)) from None
        except protocol.ProtocolError as exc:
            self._kill()
            raise CallError("bad-answer", BAD_ANSWER_MESSAGE.format(what=what, detail=exc)) from None
        if not isinstance(answer, dict) or "ok" not in answer:
            self._kill()
            raise CallError("bad-answer", BAD_ANSWER_MESSAGE.format(what=what, detail="no answer"))
        return answer

    def _request(self, request, seconds, what):
        if self.proc is None:
            if self.load_info is not None:
                self.restarts += 1
            self._spawn()
        answer = self._roundtrip(request, seconds, what)
        if not answer["ok"]:
            error = answer.get("error") or {}
            if error.get("type") == "WorkerError":
                raise WorkerError(str(error.get("message", "")))
            kind = "missing" if error.get("type") == "Missing" else "exception"
            raise CallError(kind, str(error.get("message", "")), list(error.get("frames", [])),
                            str(error.get("type", "")))
        return answer

    def call(self, func, *args, timeout=None, return_args=False, **kwargs):
        """Run the student's ``func(*args, **kwargs)`` -> its result as plain data.

        With return_args=True, -> (result, args_after, kwargs_after): the argument arrays
        live in shared memory during the call and are read back from it afterwards, so
        what the call did to them is seen by the grader, not reported by the worker.
        Raises CallError when there is no result.
        """
        if return_args:
            self.arena.reset()
            args, kwargs = self._share(list(args)), self._share(kwargs)
        answer = self._request(
            {"op": "call", "func": func, "args": list(args), "kwargs": kwargs},
            timeout or self.limits.call_seconds, f"{func}()")
        if return_args:
            return answer["result"], self._unshare(list(args)), self._unshare(kwargs)
        return answer["result"]

    def _share(self, value):
        """Arrays in ``value`` -> arena tags (recursively through lists, tuples, dicts)."""
        if isinstance(value, np.ndarray):
            return protocol.Tagged("__shared__", list(self.arena.place(value)))
        if isinstance(value, (list, tuple)):
            return type(value)(self._share(v) for v in value)
        if isinstance(value, dict):
            return {k: self._share(v) for k, v in value.items()}
        return value

    def _unshare(self, value):
        """Arena tags -> the arrays as they are in shared memory now."""
        if isinstance(value, protocol.Tagged) and value.tag == "__shared__":
            return self.arena.read(*value.payload)
        if isinstance(value, (list, tuple)):
            return type(value)(self._unshare(v) for v in value)
        if isinstance(value, dict):
            return {k: self._unshare(v) for k, v in value.items()}
        return value

    def harness(self, name, *args, timeout=None, what=None):
        """Run a worker harness routine (one that drives the student's functions)."""
        return self._request({"op": "harness", "name": name, "args": list(args)},
                             timeout or self.limits.call_seconds, what or name)["result"]

    def output_tail(self):
        """The last bytes the student's code printed, decoded leniently."""
        path = self.workdir / "output.txt"
        try:
            with open(path, "rb") as f:
                f.seek(max(0, path.stat().st_size - OUTPUT_TAIL_BYTES))
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""
