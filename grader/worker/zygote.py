"""Inside the worker: the zygote, which never runs student code.

It is the worker's first process (PID 1 of its PID namespace where the sandbox works):
it enters the sandbox, imports numpy, compiles the submission (compiling.py: compiling
runs none of it), and then, for every session the grader opens, forks a child that
loads the compiled definitions and serves that one check. When the grader ends a
session, the zygote kills every process the session left (as PID 1: every process of the
namespace but itself) and reports how the session's own process ended.

The grader talks to it over a Unix socket; a session's socket, output file and the
arena arrive with the "session" request as SCM_RIGHTS descriptors, so the zygote's own
socket is closed in the session before any student code runs.

Requests and answers:
    {"op": "prepare", "source", "filename", "statements"} -> {"ok": True}
    {"op": "session", "stand_ins": [...]} + fds (socket, output) -> {"ok": True} after the
        session finished its setup, or {"ok": False, "error": why its setup failed}
    {"op": "end"} -> {"ok": True, "status": {"exit": code} | {"signal": n} | None}
"""
import os
import signal
import socket
import sys
import time

import numpy  # noqa: F401  (imported once here, so every session starts with it)

# Modules submissions import, loaded once here (no student code runs in the zygote): a
# session forked from it finds them in sys.modules instead of importing each afresh.
PRELOADED = ("numpy.random", "numpy.linalg", "math", "random", "typing", "dataclasses",
             "functools", "itertools", "collections", "copy", "enum", "abc", "numbers", "warnings",
             "linecache", "traceback")

# Heavy libraries a submission may import: when the statements to run import one, the
# zygote imports it once (library code, no student code), so that each session finds it
# loaded instead of paying its import again (matplotlib.pyplot: about 0.5 s a session).
PRELOADABLE = ("matplotlib", "matplotlib.pyplot", "scipy", "scipy.special", "scipy.optimize",
               "pandas", "sklearn", "tqdm", "IPython.display")

import _gw_compiling as compiling
import _gw_jail as jail
import _gw_protocol as protocol
import _gw_session as session




def preload(modules, sandbox):
    """Import the PRELOADABLE ones of ``modules`` (names the submission imports); one that
    is not installed or fails is left for the session to report, as without preloading."""
    for name in modules:
        if name not in PRELOADABLE or name in sys.modules:
            continue
        if name.startswith("matplotlib"):
            os.environ.setdefault("MPLBACKEND", "Agg")       # no display in a sandbox
            scratch = jail.preload_scratch(sandbox)
            if scratch and "MPLCONFIGDIR" not in os.environ:
                os.environ["MPLCONFIGDIR"] = scratch + "/matplotlib"
                os.makedirs(os.environ["MPLCONFIGDIR"], exist_ok=True)
        before = set(sys.modules)
        try:
            __import__(name)
        except BaseException:
            # a half-imported package would break the session's own import (which then
            # reports the error as without preloading): forget all of it
            for added in set(sys.modules) - before:
                del sys.modules[added]


class Zygote:
    def __init__(self, sock, config):
        self.sock, self.config = sock, config
        self.plan, self.source, self.filename = [], "", "<submission>"
        self.child = None                  # the running session's pid

    def prepare(self, request):
        self.source, self.filename = request["source"], request["filename"]
        self.plan = compiling.compile_plan(self.source, self.filename, list(request["statements"]))
        preload([name for entry in self.plan for name in entry.get("imports", ())], self.config.get("sandbox"))
        return {"ok": True}

    def open_session(self, request, fds):
        self.end_session()
        self.reap(block=True)
        if len(fds) != 3:
            return {"ok": False, "error": f"expected 3 descriptors, got {len(fds)}"}
        sock, output, arena = fds
        ready_r, ready_w = os.pipe()
        pid = os.fork()
        if pid == 0:
            try:
                os.close(ready_r)
                self.sock.close()
                session.run(sock, arena, self.config["arena_size"], output, ready_w, self.plan, self.source,
                            self.filename, list(request["stand_ins"]), self.config.get("sandbox"),
                            self.config["limits"])
            finally:
                os._exit(1)
        os.close(ready_w)
        for fd in fds:
            os.close(fd)
        self.child = pid
        word = b""
        while True:                          # the session says "+" once set up, or why not
            chunk = os.read(ready_r, 512)
            if not chunk:
                break
            word += chunk
            if word.startswith(b"+") or len(word) > 500:
                break
        os.close(ready_r)
        if word.startswith(b"+"):
            return {"ok": True}
        self.end_session()
        reason = word[1:].decode("utf-8", "replace") or "the session ended during its setup"
        return {"ok": False, "error": f"session setup failed: {reason}"}

    def end_session(self, request=None):
        """Kill the session and everything it started; -> how its own process ended
        ({"exit": code} or {"signal": n}), or None when it was still running."""
        status, child = None, self.child
        if child is not None:
            polls = 100 if request and request.get("ended") else 1    # it closed its socket: exiting
            for _ in range(polls):
                try:
                    pid, raw = os.waitpid(child, os.WNOHANG)
                except ChildProcessError:
                    break
                if pid == child:
                    status, child = self.status_of(raw), None
                    break
                if polls > 1:
                    time.sleep(0.01)
            self.kill_all(child)
        self.reap()
        self.child = None
        return {"ok": True, "status": status}

    @staticmethod
    def reap(block=False):
        """Reap what has died. The killed ones die on their own (SIGKILL cannot be caught),
        so "end" need not wait for them; a new session is forked only once every process
        of the last one is gone (block=True), so none of them is ever seen by it."""
        while True:
            try:
                pid, _ = os.waitpid(-1, 0 if block else os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return

    def kill_all(self, child):
        if os.getpid() == 1:                      # PID 1: every process of the namespace but us
            try:
                os.kill(-1, signal.SIGKILL)
            except ProcessLookupError:
                pass
            return
        if child is not None:                     # no namespace: the session's process group
            for kill in (lambda: os.killpg(child, signal.SIGKILL), lambda: os.kill(child, signal.SIGKILL)):
                try:
                    kill()
                except (ProcessLookupError, PermissionError):
                    pass

    @staticmethod
    def status_of(raw):
        if os.WIFSIGNALED(raw):
            return {"signal": os.WTERMSIG(raw)}
        return {"exit": os.WEXITSTATUS(raw)}

    def serve(self):
        fd = self.sock.fileno()
        while True:
            try:
                request = protocol.read_frame(fd)
            except protocol.Closed:
                self.end_session()
                os._exit(0)
            fds = []
            if request.get("op") == "session":
                _, fds, _, _ = socket.recv_fds(self.sock, 1, 8)
            try:
                if request["op"] == "prepare":
                    answer = self.prepare(request)
                elif request["op"] == "session":
                    answer = self.open_session(request, fds)
                elif request["op"] == "end":
                    answer = self.end_session(request)
                else:
                    answer = {"ok": False, "error": f"unknown op {request['op']!r}"}
            except Exception as exc:                # the grader's own bug: say so plainly
                answer = {"ok": False, "error": f"{type(exc).__name__}: {exc}"[:500]}
            try:
                protocol.write_frame(fd, answer)
            except protocol.Closed:
                self.end_session()
                os._exit(0)


def main(fd, config):
    """The worker's entry point (called by the bootstrap with the control socket)."""
    sock = socket.socket(fileno=fd)
    try:
        os.setsid() if os.getpid() != 1 else None
    except OSError:
        pass
    try:
        for name in PRELOADED:
            __import__(name)
        jail.enter_sandbox(config.get("sandbox"), config.get("python_paths", []))
        jail.guard_zygote()
        session.use_harness(config.get("harness", []))
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT, signal.SIGUSR1,
                    signal.SIGUSR2, signal.SIGPIPE):
            signal.signal(sig, signal.SIG_IGN)      # as PID 1, then, no session can end it
        answer = {"ok": True, "ready": True}
    except Exception as exc:                          # the grader's problem, in its words
        answer = {"ok": False, "error": f"worker setup failed: {type(exc).__name__}: {exc}"[:500]}
    protocol.write_frame(fd, answer)
    if not answer["ok"]:
        os._exit(1)
    Zygote(sock, config).serve()
