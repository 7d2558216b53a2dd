"""The worker: runs one student submission in its own process and serves calls.

Started by ``grader.worker.client`` as ``python -s -P child.py READ_FD WRITE_FD CONFIG``
(inside ``unshare`` where namespaces work, see sandbox.py). It imports nothing from the ``grader`` package: the
wire format comes from ``protocol.py`` beside it, loaded by path. Requests arrive on
READ_FD and answers leave on WRITE_FD; the student's own stdout and stderr go wherever
the grader pointed them (a capped file), so a print can never forge an answer.

Requests (dicts):
    {"op": "load", "source": str, "filename": str, "statements": [int, ...]}
    {"op": "call", "func": name, "args": [...], "kwargs": {...}}
    {"op": "harness", "name": name, "args": [...]}   (a routine of HARNESS, below)
Answers: {"ok": True, ...} or {"ok": False, "error": {...}}.
"""
import ast
import builtins
import ctypes
import importlib.util
import json
import linecache
import mmap
import os
import random
import re
import resource
import signal
import sys
import traceback
import types

import numpy as np

_here = os.path.dirname(os.path.abspath(__file__))
_spec = importlib.util.spec_from_file_location("_grader_protocol", os.path.join(_here, "protocol.py"))
protocol = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(protocol)

MAX_YIELDED = 100_000
SETUP_FAILED = 121                 # exit code: the sandbox could not be set up
BLOCKED_PACKAGES = ("grader", "reference", "tasks")
BLOCKED_MESSAGE = "No module named {name!r} (the grader's own code is not available to submissions)"          # items materialised from a generator before giving up
SUBMISSION = {"filename": "<submission>"}


# ------------------------------------------------------------------ limits
def apply_limits(limits):
    """Resource limits for this process and anything it starts."""
    def cap(which, value, grace=0):
        if value:
            soft, hard = resource.getrlimit(which)
            value = int(value) if hard == resource.RLIM_INFINITY else min(int(value), hard)
            resource.setrlimit(which, (value, value + grace if hard == resource.RLIM_INFINITY else hard))
    cap(resource.RLIMIT_AS, limits.get("memory_mb", 0) * 2**20)
    # the soft CPU limit sends SIGXCPU (reported as such); SIGKILL comes only at the hard one
    cap(resource.RLIMIT_CPU, limits.get("cpu_seconds", 0), grace=5)
    cap(resource.RLIMIT_FSIZE, limits.get("file_size_mb", 0) * 2**20)
    cap(resource.RLIMIT_NOFILE, limits.get("open_files", 0))
    # Writing past RLIMIT_FSIZE then fails with an OSError instead of killing the worker.
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)


MS_NOSUID, MS_NODEV, MS_REC, MS_PRIVATE = 2, 4, 16384, 1 << 18
PR_CAPBSET_DROP, PR_SET_SECUREBITS, PR_SET_NO_NEW_PRIVS = 24, 28, 38
SECBITS_LOCKED_DOWN = 0x0F         # NOROOT, NO_SETUID_FIXUP and their locks
CAP_LAST = 63
CAPABILITY_VERSION_3 = 0x20080522


def _check(result, what):
    if result != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")


def _capset(libc, keep):
    """Set the effective and permitted capabilities to ``keep`` (a bit mask), none inheritable."""
    header = (ctypes.c_uint32 * 2)(CAPABILITY_VERSION_3, 0)
    data = (ctypes.c_uint32 * 6)(keep & 0xFFFFFFFF, keep & 0xFFFFFFFF, 0, keep >> 32, keep >> 32, 0)
    _check(libc.capset(header, data), "capset")


MS_RDONLY, MS_NOEXEC, MS_REMOUNT, MS_BIND, MS_MOVE = 1, 8, 32, 4096, 8192
MS_NOATIME, MS_NODIRATIME, MS_RELATIME = 1024, 2048, 1 << 21
_KEPT_FLAGS = {"nosuid": MS_NOSUID, "nodev": MS_NODEV, "noexec": MS_NOEXEC, "noatime": MS_NOATIME,
               "nodiratime": MS_NODIRATIME, "relatime": MS_RELATIME}


def _mounts():
    """(mount point, flags to keep) of every mount, from /proc/self/mountinfo."""
    mounts = []
    with open("/proc/self/mountinfo") as f:
        for line in f:
            fields = line.split()
            point = re.sub(r"\\([0-7]{3})", lambda m: chr(int(m.group(1), 8)), fields[4])
            mounts.append((point, sum(_KEPT_FLAGS.get(o, 0) for o in fields[5].split(","))))
    return mounts


def _topmost(paths):
    """The paths that lie inside none of the others."""
    paths = list(paths)
    return sorted(p for p in paths if not any(p.startswith(q.rstrip("/") + "/") for q in paths if q != p))


def _python_paths():
    """Where this interpreter and its packages live (its prefixes): what the worker must
    keep reading. Other sys.path entries (e.g. a checkout on the path) are not included."""
    return _topmost({os.path.realpath(p) for p in (sys.prefix, sys.base_prefix, sys.exec_prefix)
                     if p and os.path.isdir(p)})


def _inside(path, ancestor):
    return path == ancestor or path.startswith(ancestor.rstrip("/") + "/")


SYSTEM_DIRS = {"/usr", "/lib", "/lib32", "/lib64", "/libx32", "/bin", "/sbin", "/etc", "/dev",
               "/proc", "/sys", "/tmp"}


def _covers(python_paths, private):
    """Directories to cover with an empty tmpfs: every top-level directory but the
    system's (so no checkout, home or data anywhere on the machine stays visible), the
    private ones (homes), and the first ancestor of a Python path that other users
    cannot enter (e.g. a 0700 /root)."""
    covers = {p for p in private if os.path.isdir(p)}
    covers |= {entry.path for entry in os.scandir("/")
               if entry.is_dir(follow_symlinks=False) and entry.path not in SYSTEM_DIRS}
    for path in python_paths:
        parts = path.split("/")
        for i in range(2, len(parts)):
            ancestor = "/".join(parts[:i])
            if not os.stat(ancestor).st_mode & 0o001:
                covers.add(ancestor)
                break
    return _topmost(c for c in covers if not _inside(c, "/tmp"))   # /tmp is private anyway


def enter_sandbox(sandbox, processes):
    """Hide the grader's files and the machine's private ones, make everything else
    read-only, work in a private tmpfs, and give up every privilege.

    Runs before any student code (see sandbox.py). Mounts only when this process
    provably has a mount namespace of its own, so nothing can touch the host's mounts.
    Every top-level directory but the system's (/usr, /lib, /etc, /dev, ...) is covered
    with an empty tmpfs, /tmp with a private one, and only the Python installation is
    mounted back into them (through descriptors opened before covering). Afterwards the worker runs without
    capabilities (as ``nobody`` when started as root): it cannot unmount, write outside
    its /tmp, or regain root.
    """
    if not sandbox:
        return
    if os.readlink("/proc/self/ns/mnt") == sandbox["host_mnt_ns"]:
        raise RuntimeError("refusing to mount: not in a private mount namespace")
    libc = ctypes.CDLL(None, use_errno=True)

    def mount(source, target, fstype, flags, data=None, what=""):
        _check(libc.mount(source, target.encode(), fstype, flags, data), what or f"mount {target}")

    mount(b"none", "/", None, MS_REC | MS_PRIVATE)
    python_paths = _python_paths()
    covers = _covers(python_paths, sandbox.get("private", []))
    held = [(path, os.open(path, os.O_PATH | os.O_DIRECTORY)) for path in python_paths
            if any(_inside(path, c) for c in covers + ["/tmp"])]
    mount(b"tmpfs", "/tmp", b"tmpfs", MS_NOSUID | MS_NODEV, b"size=64m,mode=0755", "private /tmp")
    for path in covers:
        mount(b"tmpfs", path, b"tmpfs", MS_NOSUID | MS_NODEV, b"size=1m,mode=0755", f"cover {path}")
    for path, fd in held:                # the Python installation, back where it was
        os.makedirs(path, 0o755, exist_ok=True)
        mount(f"/proc/self/fd/{fd}".encode(), path, None, MS_BIND | MS_REC, None, f"expose {path}")
        os.close(fd)
    for path in sandbox["hide"]:         # last, so nothing mounted later uncovers them
        if path == "/tmp" or not os.path.isdir(path) or any(_inside(p, path) for p in python_paths):
            continue                     # private already, gone with /tmp, or holds Python
        mount(b"tmpfs", path, b"tmpfs", MS_NOSUID | MS_NODEV, b"size=16k,mode=0555", f"hide {path}")
    mount(b"proc", "/proc", b"proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
    for point, flags in _mounts():       # everything else read-only (e.g. /run/lock)
        if point in ("/tmp", "/proc") or point.startswith("/proc/"):
            continue
        libc.mount(None, point.encode(), None, MS_BIND | MS_REMOUNT | MS_RDONLY | flags, None)
    os.mkdir("/tmp/work", 0o700)
    if sandbox.get("uid") is not None:
        os.chown("/tmp/work", sandbox["uid"], sandbox["gid"])
    os.chdir("/tmp/work")
    _check(libc.prctl(PR_SET_SECUREBITS, SECBITS_LOCKED_DOWN, 0, 0, 0), "securebits")
    for cap in range(CAP_LAST + 1):
        libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0)     # EINVAL past the kernel's last cap
    if sandbox.get("uid") is not None:
        os.setgroups([])
        os.setgid(sandbox["gid"])
        if processes:                                 # counts every process of the user
            resource.setrlimit(resource.RLIMIT_NPROC, (processes, processes))
        os.setuid(sandbox["uid"])
    _capset(libc, 0)
    _check(libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "no_new_privs")


def become_reaper(keep_out):
    """As PID 1 of a PID namespace, fork: the child goes on as the worker; this process
    runs no student code, only waits for it and exits with its status (128 + the signal
    when it was killed). PID 1 ignores signals it has no handler for, and unshare cannot
    pass on a SIGKILL, so without this an out-of-memory kill would read as "exit 1".
    """
    if os.getpid() != 1:
        return
    pid = os.fork()
    if pid == 0:
        return
    for fd in keep_out:                   # the worker's pipes must close when it dies
        os.close(fd)
    while True:
        try:
            _, status = os.waitpid(pid, 0)
            break
        except InterruptedError:
            continue
    os._exit(128 + os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status))


class BlockGraderImports:
    """A meta-path finder that refuses the grader's, the reference's and the tasks' code."""

    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] in BLOCKED_PACKAGES:
            raise ModuleNotFoundError(BLOCKED_MESSAGE.format(name=name), name=name)
        return None


# ------------------------------------------------------------ student errors
def describe(exc):
    """An exception -> plain data naming the student's own lines, not ours."""
    frames = [
        {"line": f.lineno, "function": f.name, "code": (f.line or "").strip()}
        for f in traceback.extract_tb(exc.__traceback__)
        if f.filename == SUBMISSION["filename"]
    ]
    if isinstance(exc, SystemExit):
        message = f"called sys.exit({exc.code!r})" if exc.code is not None else "called sys.exit()"
    else:
        message = str(exc)
    return {"type": type(exc).__name__, "message": message[:2000], "frames": frames[-5:]}


# ------------------------------------------------------ values from the grader
ARENA = {}                         # the mapping shared with the grader (see arena.py)


def rebuild(tag, payload, args):
    if tag == "__shared__":
        offset, dtype, shape = payload
        if protocol._DTYPE_RE.match(dtype) is None:
            raise protocol.ProtocolError(f"refused array dtype {dtype!r}")
        return np.ndarray(tuple(shape), dtype=np.dtype(dtype), buffer=ARENA["map"], offset=offset)
    if tag == "__rng__":
        return np.random.default_rng(payload)
    if tag == "__probe__":
        return PROBES[payload](*args)
    raise protocol.ProtocolError(f"unknown tag {tag}")


def _sin_dot(c):
    """f(x) = sum(sin(x) * c): a scalar function whose gradient cos(x) * c is known."""
    c = np.asarray(c, dtype=np.float64)
    return lambda x: float(np.sum(np.sin(x) * c))


PROBES = {"sin_dot": _sin_dot}


# ------------------------------------------------------------------ harness
def loss_numgrad(ns, params, X, y, activation, eps):
    """Central differences of the student's own loss cross_entropy(forward(...)[0], y).

    Returns {key: array shaped like params[key]}; the student's functions do the work.
    """
    forward, cross_entropy = ns["forward"], ns["cross_entropy"]

    def loss():
        return float(cross_entropy(forward(params, X, activation)[0], y))

    grads = {}
    for key, p in params.items():
        g = np.zeros(p.shape)
        for i in np.ndindex(p.shape):
            old = p[i]
            p[i] = old + eps
            plus = loss()
            p[i] = old - eps
            minus = loss()
            p[i] = old
            g[i] = (plus - minus) / (2 * eps)
        grads[key] = g
    return grads


def call_repeatedly(ns, func, args, times):
    """Call the student's ``func(*args)`` ``times`` times with the very same argument
    objects (one Generator shared by all calls, as in a training loop)."""
    return [_materialise(ns[func](*args)) for _ in range(times)]


TRACED = {                          # helper -> (argument name, position) to record
    "init_params": ("layer_sizes", 0), "minibatches": ("batch_size", 2),
    "forward": ("X", 1), "backward": (None, None), "sgd_step": ("lr", 2),
}
MAX_EVENTS = 5000


def _argument(args, kwargs, name, position):
    if name in kwargs:
        return kwargs[name]
    return args[position] if position is not None and position < len(args) else None


def _recorded(name, value):
    """What the trace keeps of an argument: sizes and rates as numbers, X as its first column
    (None for anything else: the trace must never make the student's train fail)."""
    try:
        return _record(name, value)
    except Exception:
        return None


def _record(name, value):
    if name == "X":
        X = np.asarray(value)
        return X[:, 0].astype(np.float64).tolist() if X.ndim == 2 and X.shape[1] else None
    if name == "layer_sizes":
        return [int(v) for v in value] if isinstance(value, (list, tuple, np.ndarray)) else None
    if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
        return float(value)
    return None


def trace_train(ns, X, y, layer_sizes, kwargs):
    """Run the student's train with its own helpers wrapped, recording each call in order.

    -> {"events": [[helper, recorded argument, activation], ...], "params": what train
    returned}. The helpers are looked up in the submission's namespace at call time, so
    replacing them there is enough; they are put back afterwards.
    """
    events, originals = [], {name: ns[name] for name in TRACED if callable(ns.get(name))}

    def wrap(name, func):
        arg_name, position = TRACED[name]

        def traced(*args, **kw):
            if len(events) < MAX_EVENTS:
                activation = _argument(args, kw, "activation", 2) if name == "forward" else None
                events.append([name, _recorded(arg_name, _argument(args, kw, arg_name, position))
                               if arg_name else None, activation if isinstance(activation, str) else None])
            return func(*args, **kw)
        return traced

    for name, func in originals.items():
        ns[name] = wrap(name, func)
    try:
        params = ns["train"](X, y, layer_sizes, **kwargs)
    finally:
        ns.update(originals)
    return {"events": events, "params": params}


HARNESS = {"loss_numgrad": loss_numgrad, "call_repeatedly": call_repeatedly,
           "trace_train": trace_train}


# --------------------------------------------------------------- operations
def do_load(ns, request):
    """Execute the chosen top-level statements one by one; note the ones that fail."""
    source, filename = request["source"], request["filename"]
    SUBMISSION["filename"] = filename
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    tree = ast.parse(source, filename)
    failures = []
    for index in request["statements"]:
        node = tree.body[index]
        try:
            exec(compile(ast.Module(body=[node], type_ignores=[]), filename, "exec"), ns)
        except BaseException as exc:  # the student's module may raise anything, even SystemExit
            failures.append({"line": node.lineno, "end_line": node.end_lineno, "error": describe(exc)})
    functions = sorted(k for k, v in ns.items() if callable(v) and not k.startswith("__"))
    return {"ok": True, "functions": functions, "failures": failures}


def _materialise(value):
    """Generators and other iterators become the list of what they yielded."""
    if isinstance(value, (types.GeneratorType, map, filter, zip)) or (
        hasattr(value, "__next__") and not isinstance(value, (np.ndarray, str, bytes))
    ):
        items = protocol.Yielded()
        for item in value:
            items.append(item)
            if len(items) > MAX_YIELDED:
                raise RuntimeError(f"the generator yielded more than {MAX_YIELDED} items")
        return items
    return value


def _seed_global_generators():
    """The same grade every time, even for code that ignores the rng it was given."""
    np.random.seed(0)
    random.seed(0)


def do_call(ns, request):
    func = ns.get(request["func"])
    if not callable(func):
        return {"ok": False, "error": {"type": "Missing", "message": f"{request['func']} is not defined", "frames": []}}
    args, kwargs = request.get("args", []), request.get("kwargs", {})
    _seed_global_generators()
    try:
        result = _materialise(func(*args, **kwargs))
    except BaseException as exc:
        return {"ok": False, "error": describe(exc)}
    return {"ok": True, "result": result}


def do_harness(ns, request):
    _seed_global_generators()
    try:
        return {"ok": True, "result": HARNESS[request["name"]](ns, *request.get("args", []))}
    except BaseException as exc:
        return {"ok": False, "error": describe(exc)}


OPS = {"load": do_load, "call": do_call, "harness": do_harness}


def main():
    read_fd, write_fd = int(sys.argv[1]), int(sys.argv[2])
    config = json.loads(sys.argv[3])
    try:
        apply_limits(config["limits"])
        enter_sandbox(config.get("sandbox"), config["limits"].get("processes", 0))
        become_reaper([read_fd, write_fd] + ([config["arena"]["fd"]] if config.get("arena") else []))
        if config.get("arena"):
            ARENA["map"] = mmap.mmap(config["arena"]["fd"], config["arena"]["size"])
    except Exception as exc:              # the grader's problem: say so, in its own words
        print(f"worker setup failed: {type(exc).__name__}: {exc}", file=sys.stderr, flush=True)
        os._exit(SETUP_FAILED)
    os.environ["HOME"] = os.getcwd()
    sys.meta_path.insert(0, BlockGraderImports())
    ns = {"__name__": "__submission__", "__builtins__": builtins}
    while True:
        try:
            request = protocol.read_frame(read_fd, rebuild=rebuild)
        except protocol.Closed:
            return
        try:
            answer = OPS[request["op"]](ns, request)
        except Exception as exc:          # a malformed request: the grader's bug, not the student's
            answer = {"ok": False, "error": {"type": "WorkerError", "message": f"{type(exc).__name__}: {exc}",
                                             "frames": []}}
        try:
            protocol.write_frame(write_fd, answer)
        except protocol.Closed:
            return
        except Exception as exc:      # e.g. a result too exotic to encode
            protocol.write_frame(write_fd, {"ok": False, "error": {
                "type": "Unencodable", "message": f"the result could not be sent back: {exc}", "frames": []}})


if __name__ == "__main__":
    main()
