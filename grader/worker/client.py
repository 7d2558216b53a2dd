"""The grader's side of the worker: start it, open a fresh session per check, survive anything.

One ``Worker`` per submission. It starts one sandboxed process, the *zygote* (zygote.py),
which compiles the submission but runs none of it. Every check then gets a *session*: a
child forked from the zygote that loads the submission's definitions afresh and serves
that check's calls, so nothing one check's code keeps (memory, files, processes, System V
objects) can reach another check. Ending a session kills everything it started.

Each call has a wall-clock deadline enforced here; past it the session is ended (the
zygote and the loaded code stay, so the next check starts at once). A session whose
process dies is reported as that call's crash. Only plain data comes back, and every frame
is checked against its schema (protocol.py) before a key of it is read.

Who is to blame is decided from what the grader observed, never from what the worker
says: a failure before the zygote reported itself ready, or while no student code was
running, is the grader's (``WorkerError``); anything after the student's code got control
is the student's (``CallError``).
"""
import json
import os
import signal
import socket
import struct
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..evidence import NotRecorded
from . import launch, protocol, sandbox
from .arena import Arena

HERE = Path(__file__).resolve().parent
# The worker's own code, sent to it as text at start (so its command line names no host
# path), in import order; each becomes module ``_gw_<name>`` there.
WORKER_MODULES = ("protocol", "probes", "values", "compiling", "jail", "harness", "session", "zygote")
OUTPUT_TAIL_BYTES = 2000
PRINTED_BYTES = 4000               # of a session's own printed output kept for its report
PRINTED_LINES = 20
CONTROL_SECONDS = 10.0             # the zygote answers a control request (no student code) in this
MAX_STAND_IN_BYTES = 256 << 20     # a stand-in's arguments or result larger than this are refused
MAX_STAND_IN_ITEMS = 100_000       # items taken from a stand-in that yields
ARENA_SIZE = 64 << 20              # shared memory for one call's arguments (sparse)

TIMEOUT_MESSAGE = "{what} did not finish within {seconds:g} s (an endless loop, or far too slow?)"
DIED_MESSAGE = "the process running your code ended during {what}: {how}"
BAD_ANSWER_MESSAGE = "{what} sent back something that is not a valid answer: {detail}"
SESSION_GONE = "{what} was not run: your code's process had already ended during this check"
STAND_IN_REFUSED = "the correct {name} could not take these arguments: {detail}"
NO_STAND_IN = "{name} is not one of this check's stand-in helpers"
NOT_RECORDED = "this kit holds no correct {name} for these arguments (the grader has one)"
SETUP_FAILED = "the worker could not start: {reason}"
ZYGOTE_LOST = "the worker stopped answering while no code of yours was running ({how})"


@dataclass(frozen=True)
class WorkerLimits:
    """Limits for one worker; the task file may override each of them."""
    call_seconds: float = 10.0        # wall clock for one call
    load_seconds: float = 10.0        # wall clock for loading the submission (per session)
    budget_seconds: float = 60.0      # wall clock for the whole grading of one submission
    memory_mb: int = 4096             # address space of a session (RLIMIT_AS)
    cpu_seconds: int = 600            # CPU time of one session
    file_size_mb: int = 16            # largest file it may write (its printed output too)
    open_files: int = 256
    processes: int = 64               # processes and threads of a session (its own uid, as root)
    tmp_mb: int = 64                  # a session's private /tmp

    def for_child(self):
        return {"memory_mb": self.memory_mb, "cpu_seconds": self.cpu_seconds,
                "file_size_mb": self.file_size_mb, "open_files": self.open_files,
                "processes": self.processes, "tmp_mb": self.tmp_mb}


class WorkerError(RuntimeError):
    """The worker could not start, or could not do what the grader asked while none of the
    student's code was running: a problem of the grader's or the host's."""


@dataclass
class CallError(Exception):
    """The student's code did not produce an answer: it raised, hung, crashed or is missing.

    kind is one of "exception", "missing", "timeout", "crash", "bad-answer", "dead".
    """
    kind: str
    message: str
    frames: list = field(default_factory=list)    # [{"line", "function", "code"}]
    exc_type: str = ""
    func: str = ""                                # the function called, when it was a call

    def __str__(self):
        return self.message


def _signal_name(number):
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


def how_it_ended(status):
    """The zygote's report on a session's process -> words for the student."""
    if status is None:
        return "it stopped answering"
    if "signal" in status:
        name = _signal_name(status["signal"])
        hint = {"SIGKILL": " (out of memory?)", "SIGSEGV": " (a crash in native code)",
                "SIGXCPU": " (CPU time limit)", "SIGABRT": " (abort)"}.get(name, "")
        return f"killed by {name}{hint}"
    return f"it exited with code {status.get('exit')} (does your code call os._exit() or exit()?)"


def _worker_sources(harness=()):
    """{module name: source} of the worker's own modules, then of the pack's harness
    modules (``_gw_pack_<i>``): the order the worker imports them in."""
    sources = {f"_gw_{name}": (HERE / f"{name}.py").read_text(encoding="utf-8") for name in WORKER_MODULES}
    for i, path in enumerate(harness):
        sources[f"_gw_pack_{i}"] = Path(path).read_text(encoding="utf-8")
    return sources


def _status(doc):
    """A zygote's "end" answer -> the session's status (validated)."""
    status = doc.get("status") if isinstance(doc, dict) else None
    if isinstance(status, dict) and len(status) == 1:
        (key, value), = status.items()
        if key in ("exit", "signal") and type(value) is int:
            return status
    return None


class Worker:
    """A student submission compiled in a sandboxed zygote; ``session()`` per check."""

    def __init__(self, source, filename, statements, limits=WorkerLimits(), workdir=None, hide=(),
                 harness=()):
        self.source, self.filename, self.statements = source, filename, list(statements)
        self.limits = limits
        self.harness = tuple(harness)      # the pack's worker-side modules (paths), see Pack
        self.hide = tuple(hide)
        self.sandbox = sandbox.config(hide)
        self._own_tmp = None
        if workdir is None:
            self._own_tmp = tempfile.TemporaryDirectory(prefix="grader-worker-")
            workdir = self._own_tmp.name
        self.workdir = Path(workdir)
        self.proc = self.ctl = None
        self.load_info = None      # the first session's load answer: functions and failures
        self.restarts = 0          # times the zygote had to be started again
        self.sessions = 0
        self.current = None        # the open Session
        self.events = []           # what happened to which call, for the report's notes
        self._pid1 = None

    def twin(self):
        """Another worker of the same submission, limits and walls (not started): checks
        judged at once each run in a worker of their own (engine.py, lanes.py)."""
        return Worker(self.source, self.filename, self.statements, self.limits, hide=self.hide,
                      harness=self.harness)

    # ------------------------------------------------------------ the zygote
    def _spawn(self):
        prefix, reason = sandbox.command_prefix()
        if prefix is None and not any("sandbox unavailable" in e for e in self.events):
            self.events.append(sandbox.UNAVAILABLE.format(reason=reason))
        # a process the command line started ahead (launch.py), when this worker's folder
        # is a temporary one of its own (the prelaunched process has one of the same kind)
        started = launch.take() if self._own_tmp is not None and self.proc is None else None
        if started is not None:
            self._own_tmp.cleanup()
            self._own_tmp, self.workdir = started.folder, Path(started.folder.name)
        else:
            try:
                started = launch.start(self.workdir)
            except OSError as exc:
                raise WorkerError(SETUP_FAILED.format(reason=exc)) from None
        self.proc, self.ctl, self._output = started.proc, started.sock, started.output
        sources = _worker_sources(self.harness)
        pack_modules = [name for name in sources if name.startswith("_gw_pack_")]
        config = {"limits": self.limits.for_child(), "sandbox": self.sandbox,
                  "python_paths": sandbox.python_paths(), "arena_size": ARENA_SIZE,
                  "harness": pack_modules}
        boot = json.dumps({"order": list(sources), "main": "_gw_zygote",
                           "sources": sources, "config": config}).encode()
        deadline = time.monotonic() + CONTROL_SECONDS
        try:
            self._send_all(struct.pack("!Q", len(boot)) + boot, deadline)
            ready = protocol.read_frame(self.ctl.fileno(), deadline)
        except (protocol.Timeout, protocol.Closed, protocol.ProtocolError, OSError) as exc:
            detail = self._tail(self.workdir / launch.OUTPUT_NAME).strip().splitlines()
            self._kill()
            raise WorkerError(SETUP_FAILED.format(
                reason=detail[-1] if detail else type(exc).__name__)) from None
        if not (isinstance(ready, dict) and ready.get("ok") is True):
            self._kill()
            raise WorkerError(SETUP_FAILED.format(reason=str(ready.get("error", ready))[:300]
                                                  if isinstance(ready, dict) else "no answer"))
        if prefix is not None:
            self._pid1 = sandbox.host_pid_of_child(self.proc.pid)
        # From here on the submission's text is in play: compiling it is its own business.
        try:
            answer = self._control({"op": "prepare", "source": self.source, "filename": self.filename,
                                    "statements": self.statements}, self.limits.load_seconds)
        except WorkerError as exc:
            self._kill()
            raise CallError("crash", f"compiling your file failed: {exc}") from None
        if answer.get("ok") is not True:
            self._kill()
            raise WorkerError(SETUP_FAILED.format(reason=str(answer.get("error"))[:300]))

    def _send_all(self, data, deadline):
        view = memoryview(data)
        while view:
            protocol._wait(self.ctl.fileno(), deadline, for_write=True)
            try:
                n = self.ctl.send(view[:1 << 20])
            except BlockingIOError:
                continue
            except (BrokenPipeError, ConnectionResetError):
                raise protocol.Closed() from None
            view = view[n:]

    def _control(self, request, seconds=CONTROL_SECONDS, fds=()):
        """One request to the zygote -> its answer; WorkerError if it cannot answer."""
        deadline = time.monotonic() + seconds
        try:
            protocol.write_frame(self.ctl.fileno(), request, deadline)
            if fds:
                protocol._wait(self.ctl.fileno(), deadline, for_write=True)
                socket.send_fds(self.ctl, [b"F"], list(fds))
            answer = protocol.read_frame(self.ctl.fileno(), deadline)
        except protocol.Timeout:
            self._kill()
            raise WorkerError(ZYGOTE_LOST.format(how=f"no answer within {seconds:g} s")) from None
        except (protocol.Closed, OSError):
            self._kill()
            raise WorkerError(ZYGOTE_LOST.format(how="it ended")) from None
        except protocol.ProtocolError as exc:
            self._kill()
            raise WorkerError(ZYGOTE_LOST.format(how=f"a malformed answer: {exc}")) from None
        if not isinstance(answer, dict):
            self._kill()
            raise WorkerError(ZYGOTE_LOST.format(how="a malformed answer"))
        return answer

    def _kill(self):
        """Kill the zygote and everything it started."""
        if self.current is not None:
            self.current._drop()
            self.current = None
        if self.proc is None:
            return
        for pid, kill in ((self.proc.pid, os.killpg), (self._pid1, os.kill)):
            if pid is not None:
                try:
                    kill(pid, signal.SIGKILL)
                except (ProcessLookupError, PermissionError):
                    pass
        self._pid1 = None
        self.proc.wait()
        self.ctl.close()
        self._output.close()
        self.proc = self.ctl = None

    def close(self):
        """Stop the worker and remove its temporary directory (when it made one)."""
        self._kill()
        if self._own_tmp is not None:
            self._own_tmp.cleanup()
            self._own_tmp = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # ------------------------------------------------------------- sessions
    def start(self):
        """Start the worker (once) -> the load answer: {"functions", "failures"}.

        CallError when the submission cannot be loaded at all; WorkerError when the
        worker cannot start.
        """
        if self.load_info is None:
            with self.session(what="loading your file"):
                pass
        return self.load_info

    def session(self, stand_ins=None, what="a check"):
        """A fresh copy of the loaded submission for one check -> Session.

        ``stand_ins``: {helper name: a correct function} answered in the grader whenever
        the student's code calls that helper during this session.
        """
        if self.current is not None:
            self.current.close()
        if self.proc is None:
            if self.load_info is not None:
                self.restarts += 1
            self._spawn()
        self.sessions += 1
        mine, theirs = socket.socketpair()
        output = _anonymous_file("output")     # no host path for the student to read off fd 1
        arena = Arena(ARENA_SIZE)              # its own: nothing of a check's arguments stays
        try:
            answer = self._control({"op": "session", "stand_ins": sorted(stand_ins or {})},
                                   fds=(theirs.fileno(), output, arena.fd))
        finally:
            theirs.close()
        if answer.get("ok") is not True:
            mine.close()
            os.close(output)
            arena.close()
            raise WorkerError(SETUP_FAILED.format(reason=str(answer.get("error"))[:300]))
        self.current = Session(self, mine, output, arena, dict(stand_ins or {}))
        info = self.current._load(self.limits.load_seconds)
        if self.load_info is None:
            self.load_info = info
        return self.current

    def call(self, func, *args, timeout=None, return_args=False, **kwargs):
        """``func(*args, **kwargs)`` in a session of its own (see Session.call)."""
        with self.session(what=f"{func}()") as s:
            return s.call(func, *args, timeout=timeout, return_args=return_args, **kwargs)

    def harness(self, name, *args, timeout=None, what=None, func=""):
        with self.session(what=what or name) as s:
            return s.harness(name, *args, timeout=timeout, what=what, func=func)

    @staticmethod
    def _tail(path):
        try:
            with open(path, "rb") as f:
                f.seek(max(0, path.stat().st_size - OUTPUT_TAIL_BYTES))
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""



def _anonymous_file(name):
    """A file descriptor of a file with no name on the host (a memfd where Linux has it)."""
    if hasattr(os, "memfd_create"):
        return os.memfd_create(f"grader-{name}", os.MFD_CLOEXEC)
    handle = tempfile.TemporaryFile()
    fd = os.dup(handle.fileno())
    handle.close()
    return fd


class Session:
    """One check's fresh copy of the submission (see Worker.session)."""

    def __init__(self, worker, sock, output, arena, stand_ins):
        self.worker, self.sock, self.output, self.arena = worker, sock, output, arena
        self.stand_ins = stand_ins
        self.stand_in_calls = {}           # helper -> how often the student's code asked it
        self.unanswered = set()            # helpers a kit's recorded answers could not answer
        self.alive = True
        self.ended = None                  # why it ended early (a CallError), if it did
        self.load = None
        sock.setblocking(False)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def start(self):
        """The load answer of this session (the same shape as Worker.start())."""
        return self.load

    # ------------------------------------------------------------ lifecycle
    def _drop(self):
        if self.alive:
            self.alive = False
            self.sock.close()
            os.close(self.output)
            self.arena.close()

    def printed(self, lines=PRINTED_LINES, limit=PRINTED_BYTES):
        """What the student's code printed in this session (stdout and stderr), its first
        ``lines`` lines and at most ``limit`` bytes, as text; "" when nothing (or closed)."""
        if not self.alive:
            return ""
        try:
            data = os.pread(self.output, limit + 1, 0)
        except OSError:
            return ""
        text = data[:limit].decode("utf-8", "replace")
        kept = text.splitlines()[:lines]
        more = len(data) > limit or len(text.splitlines()) > lines
        return "\n".join(kept) + ("\n..." if more and kept else "")

    def close(self, ended=False):
        """End the session: the zygote kills everything it started -> its status."""
        if not self.alive:
            return None
        self._drop()
        if self.worker.current is self:
            self.worker.current = None
        if self.worker.proc is None:
            return None
        try:
            return _status(self.worker._control({"op": "end", "ended": ended}))
        except WorkerError:
            return None

    def _fail(self, kind, message, **extra):
        """End the session after a failed call -> the CallError to raise."""
        error = CallError(kind, message, **extra)
        self.ended = error
        return error

    # ------------------------------------------------------------ the wire
    def _load(self, seconds):
        what = "loading your file"
        doc = self._exchange(None, seconds, what)
        if isinstance(doc, dict) and doc.get("ok") is False and "error" in doc:
            try:                                # loading itself raised (not one statement)
                error = protocol.error_info(doc["error"])
            except protocol.ProtocolError:
                error = {"type": "", "message": "a malformed error", "frames": []}
            self.close()
            raise self._fail("exception", f"loading your file failed: {error['type']}: {error['message']}")
        try:
            self.load = protocol.load_answer(doc)
        except protocol.ProtocolError as exc:
            self.close()
            raise self._fail("bad-answer", BAD_ANSWER_MESSAGE.format(what=what, detail=exc)) from None
        return self.load

    def _exchange(self, request, seconds, what, func=""):
        """Send ``request`` (None: only read) and read frames until the answer, serving
        the stand-ins' questions meanwhile -> the answer frame (not yet validated)."""
        if not self.alive:
            raise CallError("dead", SESSION_GONE.format(what=what))
        fd = self.sock.fileno()
        deadline = time.monotonic() + seconds
        try:
            if request is not None:
                protocol.write_frame(fd, request, deadline)
            while True:
                doc = protocol.read_frame(fd, deadline)
                if isinstance(doc, dict) and "op" in doc:
                    self._serve_helper(protocol.helper_request(doc), deadline)
                    continue
                return doc
        except protocol.Timeout:
            self.close()
            self.worker.events.append(f"{what}: timed out after {seconds:g} s; it was stopped")
            raise self._fail("timeout", TIMEOUT_MESSAGE.format(what=what, seconds=seconds), func=func) from None
        except protocol.Closed:
            zygote = self.worker.proc
            status = self.close(ended=True)
            if zygote is not None and self.worker.proc is None:
                how = "the worker ended with it"
                self.worker.events.append(f"{what}: the worker ended; it was started again")
            else:
                how = how_it_ended(status)
                self.worker.events.append(f"{what}: {how}")
            raise self._fail("crash", DIED_MESSAGE.format(what=what, how=how), func=func) from None
        except protocol.ProtocolError as exc:
            self.close()
            raise self._fail("bad-answer", BAD_ANSWER_MESSAGE.format(what=what, detail=exc), func=func) from None

    def _serve_helper(self, request, deadline):
        """Answer a stand-in's call with the correct helper's result, computed here."""
        name = request["name"]
        function = self.stand_ins.get(name)
        if function is None:
            answer = {"ok": False, "message": NO_STAND_IN.format(name=str(name)[:60])}
        else:
            self.stand_in_calls[name] = self.stand_in_calls.get(name, 0) + 1
            generators = []

            def live(value):
                if isinstance(value, protocol.RngState):
                    generators.append(value.generator())
                    return generators[-1]
                return value
            try:
                args = [live(a) for a in request["args"]]
                kwargs = {k: live(v) for k, v in request["kwargs"].items()}
                if _nbytes(args) + _nbytes(kwargs) > MAX_STAND_IN_BYTES:
                    raise MemoryError(f"arguments over {MAX_STAND_IN_BYTES >> 20} MiB")
                result = function(*args, **kwargs)
                if hasattr(result, "__next__"):
                    result = self._taken(result, deadline)
                if _nbytes(result) > MAX_STAND_IN_BYTES:
                    raise MemoryError(f"a result over {MAX_STAND_IN_BYTES >> 20} MiB")
                answer = {"ok": True, "result": result,
                          "rng_states": [protocol.RngState.of(g) for g in generators]}
            except NotRecorded:       # a kit holds no answer to this question: not the student's fault
                self.unanswered.add(name)
                answer = {"ok": False, "message": NOT_RECORDED.format(name=name)}
            except (Exception, MemoryError) as exc:   # the student passed what no correct helper takes
                detail = f"{type(exc).__name__}: {str(exc)[:200]}"
                answer = {"ok": False, "message": STAND_IN_REFUSED.format(name=name, detail=detail)}
        protocol.write_frame(self.sock.fileno(), answer, deadline)

    @staticmethod
    def _taken(items, deadline):
        """What a yielding stand-in yields, within bounds (count, bytes, the call's deadline)."""
        out, size = protocol.Yielded(), 0
        for item in items:
            out.append(item)
            size += _nbytes(item)
            if len(out) > MAX_STAND_IN_ITEMS or size > MAX_STAND_IN_BYTES:
                raise MemoryError(f"more than {MAX_STAND_IN_ITEMS} items or {MAX_STAND_IN_BYTES >> 20} MiB")
            if time.monotonic() > deadline:
                raise TimeoutError("the call's time ran out while the correct helper yielded")
        return out

    # -------------------------------------------------------------- calls
    def call(self, func, *args, timeout=None, return_args=False, **kwargs):
        """Run the student's ``func(*args, **kwargs)`` -> its result as plain data.

        With return_args=True, -> (result, args_after, kwargs_after): the argument arrays
        live in shared memory during the call and are read back from it afterwards, so
        what the call did to them is seen by the grader, not reported by the worker.
        Raises CallError when there is no result.
        """
        arena = self.arena
        if return_args:
            arena.reset()
            args, kwargs = _share(arena, list(args)), _share(arena, kwargs)
        what = f"{func}()"
        doc = self._exchange({"op": "call", "func": func, "args": list(args), "kwargs": kwargs},
                             timeout or self.worker.limits.call_seconds, what, func)
        answer = self._answer(doc, what, func)
        if return_args:
            return answer["result"], _unshare(arena, list(args)), _unshare(arena, kwargs)
        return answer["result"]

    def harness(self, name, *args, timeout=None, what=None, func=""):
        """Run a worker harness routine (one that drives the student's functions);
        ``func``: the student's function it runs, named in its CallError as a call's is."""
        what = what or name
        doc = self._exchange({"op": "harness", "name": name, "args": list(args)},
                             timeout or self.worker.limits.call_seconds, what, func)
        return self._answer(doc, what, func)["result"]

    def _answer(self, doc, what, func):
        try:
            answer = protocol.answer(doc)
        except protocol.ProtocolError as exc:
            self.close()
            raise self._fail("bad-answer", BAD_ANSWER_MESSAGE.format(what=what, detail=exc), func=func) from None
        if not answer["ok"]:
            error = answer["error"]
            kind = "missing" if error["type"] == "Missing" and not error["frames"] else "exception"
            raise CallError(kind, error["message"], error["frames"], error["type"], func=func)
        return answer


def _nbytes(value):
    if isinstance(value, np.ndarray):
        return value.nbytes
    if isinstance(value, (list, tuple)):
        return sum(_nbytes(v) for v in value)
    if isinstance(value, dict):
        return sum(_nbytes(v) for v in value.values())
    return 0


def _share(arena, value):
    """Arrays in ``value`` -> arena tags (recursively through lists, tuples, dicts)."""
    if isinstance(value, np.ndarray):
        return protocol.Tagged(protocol.SHARED, list(arena.place(value)))
    if isinstance(value, (list, tuple)):
        return type(value)(_share(arena, v) for v in value)
    if isinstance(value, dict):
        return {k: _share(arena, v) for k, v in value.items()}
    return value


def _unshare(arena, value):
    """Arena tags -> the arrays as they are in shared memory now (None if gone)."""
    if isinstance(value, protocol.Tagged) and value.tag == protocol.SHARED:
        return arena.read(*value.payload)
    if isinstance(value, (list, tuple)):
        return type(value)(_unshare(arena, v) for v in value)
    if isinstance(value, dict):
        return {k: _unshare(arena, v) for k, v in value.items()}
    return value
