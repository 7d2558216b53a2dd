"""Inside the worker: one session, i.e. one check's fresh copy of the submission.

The zygote forks a session for every check (and for every diagnosis probe). Before any
student code runs, the session enters its own walls (jail.enter_session), then loads
the submission's definitions from the code the zygote compiled, replaces the helpers the
grader asked to stand in for (their calls are answered by the grader, during this
session only), reports what was defined, and serves calls until the grader ends it.
Everything it does dies with it: the next check starts from the freshly loaded file.

Requests: {"op": "call", "func", "args", "kwargs"} and {"op": "harness", "name", "args"}.
Answers: {"ok": True, "result": value} or {"ok": False, "error": {"type", "message", "frames"}}.
A stand-in asks, from inside a call: {"op": "helper", "name", "args", "kwargs"}.
"""
import builtins
import linecache
import mmap
import os
import random
import signal
import sys
import traceback
import types

import numpy as np

import _gw_harness as harness
import _gw_jail as jail
import _gw_probes as probes
import _gw_protocol as protocol
import _gw_values as values

# The harness routines this worker serves: the core's, then each pack module's (the
# zygote calls use_harness with the modules the task's pack sent, before any session).
HARNESS = dict(harness.HARNESS)


def use_harness(module_names):
    for name in module_names:
        HARNESS.update(sys.modules[name].HARNESS)

MODULE = "__submission__"
SUBMISSION = {"filename": "<submission>"}
BLOCKED_PACKAGES = ("grader", "reference", "tasks")
BLOCKED_MESSAGE = "No module named {name!r} (the grader's own code is not available to submissions)"


class BlockGraderImports:
    """A meta-path finder that refuses the grader's, the reference's and the tasks' code."""

    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] in BLOCKED_PACKAGES:
            raise ModuleNotFoundError(BLOCKED_MESSAGE.format(name=name), name=name)
        return None


class StandInError(Exception):
    """A stand-in helper could not answer (e.g. it was called with arguments the correct
    helper does not take)."""


def describe(exc):
    """An exception -> plain data naming the student's own lines, not ours."""
    frames = [{"line": f.lineno or 0, "function": f.name, "code": (f.line or "").strip()[:400]}
              for f in traceback.extract_tb(exc.__traceback__)
              if f.filename == SUBMISSION["filename"]]
    if isinstance(exc, SystemExit):
        message = f"called sys.exit({exc.code!r})" if exc.code is not None else "called sys.exit()"
    else:
        try:
            message = str(exc)
        except BaseException:               # a __str__ that raises is the student's too
            message = f"<{type(exc).__name__} whose message could not be read>"
    return {"type": type(exc).__name__[:100], "message": message[:2000], "frames": frames[-5:]}


def _seed_global_generators():
    """The same grade every time, even for code that ignores the rng it was given."""
    np.random.seed(0)
    random.seed(0)


class Session:
    def __init__(self, sock, arena, plan, source, filename, stand_ins):
        self.sock, self.arena, self.plan = sock, arena, plan
        self.source, self.filename, self.stand_ins = source, filename, stand_ins

    # ------------------------------------------------------------ loading
    def load(self):
        SUBMISSION["filename"] = self.filename
        linecache.cache[self.filename] = (len(self.source), None, self.source.splitlines(True), self.filename)
        module = types.ModuleType(MODULE)
        module.__file__ = self.filename
        sys.modules[MODULE] = module         # dataclasses and typing look their module up here
        ns = module.__dict__
        ns["__builtins__"] = builtins
        failures = []
        _seed_global_generators()
        for entry in self.plan:
            if "error" in entry:
                failures.append({"line": entry["line"], "end_line": entry["end_line"], "error": {
                    "type": entry["error"]["type"], "message": entry["error"]["message"], "frames": []}})
                continue
            try:
                exec(entry["code"], ns)
            except BaseException as exc:     # the student's module may raise anything
                failures.append({"line": entry["line"], "end_line": entry["end_line"],
                                 "error": describe(exc)})
        functions = sorted(k for k, v in list(ns.items()) if callable(v) and not str(k).startswith("__"))
        for name in self.stand_ins:
            ns[name] = self._stand_in(name)
        self.ns = ns
        return {"ok": True, "functions": functions, "failures": failures}

    def _stand_in(self, name):
        sock = self.sock

        def stand_in(*args, **kwargs):
            generators = [a for a in list(args) + list(kwargs.values()) if isinstance(a, np.random.Generator)]
            wire = lambda v: protocol.RngState.of(v) or v if isinstance(v, np.random.Generator) else v
            protocol.write_frame(sock, {"op": "helper", "name": name, "args": [wire(a) for a in args],
                                        "kwargs": {k: wire(v) for k, v in kwargs.items()}})
            answer = protocol.read_frame(sock, rebuild=self.rebuild)
            if not answer.get("ok"):
                raise StandInError(str(answer.get("message", "")))
            for g, state in zip(generators, answer.get("rng_states", [])):
                g.bit_generator.state = state.bit_state()      # as if it had drawn itself
            return answer["result"]
        stand_in.__name__ = stand_in.__qualname__ = name
        stand_in.__doc__ = f"A correct {name}, answered by the grader for this check only."
        return stand_in

    # ------------------------------------------------------------ requests
    def rebuild(self, tag, payload, args):
        if tag == protocol.SHARED:
            offset, dtype, shape = payload
            if protocol.DTYPE_RE.match(dtype) is None:
                raise protocol.ProtocolError(f"refused array dtype {dtype!r}")
            return np.ndarray(tuple(shape), dtype=np.dtype(dtype), buffer=self.arena, offset=offset)
        if tag == protocol.RNG:
            return np.random.default_rng(payload)
        if tag == protocol.PROBE:
            return probes.PROBES[payload](*args)
        raise protocol.ProtocolError(f"unknown tag {tag}")

    def do_call(self, request):
        func = self.ns.get(request["func"])
        if not callable(func):
            return {"ok": False, "error": {"type": "Missing", "message": f"{request['func']} is not defined",
                                           "frames": []}}
        _seed_global_generators()
        try:
            return {"ok": True, "result": values.materialise(func(*request["args"], **request["kwargs"]))}
        except BaseException as exc:
            return {"ok": False, "error": describe(exc)}

    def do_harness(self, request):
        _seed_global_generators()
        try:
            return {"ok": True, "result": HARNESS[request["name"]](self.ns, *request["args"])}
        except BaseException as exc:
            return {"ok": False, "error": describe(exc)}

    def serve(self):
        ops = {"call": self.do_call, "harness": self.do_harness}
        while True:
            try:
                request = protocol.read_frame(self.sock, rebuild=self.rebuild)
            except protocol.Closed:
                os._exit(0)
            answer = ops[request["op"]](request)
            _flush_printed()
            try:
                protocol.write_frame(self.sock, answer)
            except protocol.Closed:
                os._exit(0)
            except Exception as exc:         # e.g. a result too exotic to encode
                protocol.write_frame(self.sock, {"ok": False, "error": {
                    "type": "Unencodable", "message": f"the result could not be sent back: {exc}"[:500],
                    "frames": []}})


def _flush_printed():
    """Write out what the call printed (the grader reads it off the output fd for the
    report: Session.printed), whatever the student did to sys.stdout."""
    for stream in (sys.stdout, sys.stderr, sys.__stdout__, sys.__stderr__):
        try:
            stream.flush()
        except Exception:
            pass


def run(sock, arena_fd, arena_size, output_fd, ready_fd, plan, source, filename, stand_ins,
        sandbox, limits):
    """The forked session's life: walls, then load, then serve (never returns)."""
    try:
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT, signal.SIGUSR1,
                    signal.SIGUSR2, signal.SIGPIPE):
            signal.signal(sig, signal.SIG_DFL)      # the zygote's ignores are not the student's
        signal.signal(signal.SIGINT, signal.default_int_handler)
        os.dup2(output_fd, 1)
        os.dup2(output_fd, 2)
        keep = {0, 1, 2, sock, arena_fd, ready_fd}
        for fd in map(int, os.listdir("/proc/self/fd")):
            if fd not in keep:
                try:
                    os.close(fd)
                except OSError:
                    pass
        arena = mmap.mmap(arena_fd, arena_size) if arena_fd >= 0 else None
        work = jail.enter_session(sandbox, limits)
        os.environ.clear()
        os.environ.update({"HOME": work, "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8",
                           "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"})
        sys.meta_path.insert(0, BlockGraderImports())
        for key in ("hide", "private", "host_mnt_ns"):    # no host path stays in reach
            (sandbox or {}).pop(key, None)
        session = Session(sock, arena, plan, source, filename, stand_ins)
        os.write(ready_fd, b"+")             # setup done: what follows is the student's
        os.close(ready_fd)
    except BaseException as exc:             # the grader's problem, told to the zygote
        try:
            os.write(ready_fd, f"-{type(exc).__name__}: {exc}".encode()[:500])
        finally:
            os._exit(1)
    try:
        answer = session.load()
    except BaseException as exc:
        answer = {"ok": False, "error": describe(exc)}
    try:
        protocol.write_frame(sock, answer)
    except BaseException:
        os._exit(0)
    session.serve()
