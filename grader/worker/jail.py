"""Inside the worker: the walls, set up by trusted code before any student code runs.

Two levels (see sandbox.py for the namespaces ``unshare`` makes):

- ``enter_sandbox`` runs once in the zygote (PID 1 of the worker's PID namespace): it
  hides every top-level directory but the system's behind empty tmpfs mounts, mounts
  back only the Python installation, hides the grader's own folders, makes every other
  mount read-only. The zygote keeps its privileges: it runs no student code.
- ``enter_session`` runs in each forked session, before the submission is loaded: a
  mount and IPC namespace of its own with a fresh, empty ``/tmp/work`` (the rest of ``/tmp``
  is read-only, so no file or System V object of one check reaches another), a fresh session keyring, resource limits, and
  then no privilege at all: a uid of its own (as root: a random one, so process limits
  count only this session's processes and no other session or grading can be signalled),
  no capabilities, no new privileges, and a seccomp filter refusing the kernel keyring.

This file is loaded by path in the worker and imports nothing from ``grader``.
"""
import ctypes
import os
import platform
import re
import resource
import secrets
import signal
import struct

MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_REMOUNT = 1, 2, 4, 8, 32
MS_NOATIME, MS_NODIRATIME, MS_BIND, MS_MOVE, MS_REC = 1024, 2048, 4096, 8192, 16384
MS_PRIVATE, MS_RELATIME = 1 << 18, 1 << 21
CLONE_NEWNS, CLONE_NEWIPC = 0x00020000, 0x08000000
PR_SET_DUMPABLE, PR_CAPBSET_DROP, PR_SET_SECUREBITS = 4, 24, 28
PR_SET_NO_NEW_PRIVS, PR_SET_CHILD_SUBREAPER, PR_SET_SECCOMP = 38, 36, 22
SECBITS_LOCKED_DOWN = 0x0F         # NOROOT, NO_SETUID_FIXUP and their locks
CAP_LAST = 63
CAPABILITY_VERSION_3 = 0x20080522
SESSION_UIDS = (1 << 30, 1 << 31)  # a fresh uid per session, drawn from this range
WORK = "/tmp/work"                 # a session's working directory: its own empty tmpfs
SCRATCH_VARIABLES = ("MPLCONFIGDIR",)    # folders of preloaded libraries, under WORK
KEYCTL_JOIN_SESSION_KEYRING = 1
# syscall numbers: keyctl, add_key, request_key (refused by seccomp), by machine
KEY_SYSCALLS = {"x86_64": (250, 248, 249), "aarch64": (219, 217, 218)}
AUDIT_ARCH = {"x86_64": 0xC000003E, "aarch64": 0xC00000B7}
SYSTEM_DIRS = {"/usr", "/lib", "/lib32", "/lib64", "/libx32", "/bin", "/sbin", "/etc", "/dev",
               "/proc", "/sys", "/tmp"}
_KEPT_FLAGS = {"nosuid": MS_NOSUID, "nodev": MS_NODEV, "noexec": MS_NOEXEC, "noatime": MS_NOATIME,
               "nodiratime": MS_NODIRATIME, "relatime": MS_RELATIME}

_libc = ctypes.CDLL(None, use_errno=True)


def _check(result, what):
    if result != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")


def _mount(source, target, fstype, flags, data=None, what=""):
    _check(_libc.mount(source, target.encode(), fstype, flags, data), what or f"mount {target}")


# --------------------------------------------------------------- the zygote
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


def _inside(path, ancestor):
    return path == ancestor or path.startswith(ancestor.rstrip("/") + "/")


def _covers(python_paths, private):
    """Directories to cover with an empty tmpfs: every top-level directory but the
    system's, the private ones (homes), and the first ancestor of a Python path that
    other users cannot enter (e.g. a 0700 /root)."""
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


def enter_sandbox(sandbox, python_paths):
    """Hide the machine but for the system and Python; everything else read-only.

    Mounts only when this process provably has a mount namespace of its own.
    """
    if not sandbox:
        return
    if os.readlink("/proc/self/ns/mnt") == sandbox["host_mnt_ns"]:
        raise RuntimeError("refusing to mount: not in a private mount namespace")
    _mount(b"none", "/", None, MS_REC | MS_PRIVATE)
    python_paths = _topmost(python_paths)
    covers = _covers(python_paths, sandbox.get("private", []))
    held = [(path, os.open(path, os.O_PATH | os.O_DIRECTORY)) for path in python_paths
            if any(_inside(path, c) for c in covers + ["/tmp"])]
    _mount(b"tmpfs", "/tmp", b"tmpfs", MS_NOSUID | MS_NODEV, b"size=1m,mode=0755", "private /tmp")
    for path in covers:
        _mount(b"tmpfs", path, b"tmpfs", MS_NOSUID | MS_NODEV, b"size=1m,mode=0755", f"cover {path}")
    for path, fd in held:                # the Python installation, back where it was
        os.makedirs(path, 0o755, exist_ok=True)
        _mount(f"/proc/self/fd/{fd}".encode(), path, None, MS_BIND | MS_REC, None, f"expose {path}")
        os.close(fd)
    for path in sandbox["hide"]:         # last, so nothing mounted later uncovers them
        if path == "/tmp" or not os.path.isdir(path) or any(_inside(p, path) for p in python_paths):
            continue
        _mount(b"tmpfs", path, b"tmpfs", MS_NOSUID | MS_NODEV, b"size=16k,mode=0555", f"hide {path}")
    _mount(b"proc", "/proc", b"proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
    os.makedirs(WORK, 0o755, exist_ok=True)   # each session mounts its own tmpfs here
    for point, flags in _mounts():       # everything else read-only, /tmp too (e.g. /run/lock)
        if point == "/proc" or point.startswith("/proc/"):
            continue
        _libc.mount(None, point.encode(), None, MS_BIND | MS_REMOUNT | MS_RDONLY | flags, None)
    os.chdir("/")


def guard_zygote():
    """No one may read or trace the zygote's memory; orphans of sessions come back to it."""
    _libc.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)
    if os.getpid() != 1:
        _libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)


# -------------------------------------------------------------- a session
def apply_limits(limits):
    """Resource limits for this process and anything it starts."""
    def cap(which, value, grace=0):
        if value:                    # the hard limit too, so the session cannot raise it again
            soft, hard = resource.getrlimit(which)
            value = int(value) if hard == resource.RLIM_INFINITY else min(int(value), hard)
            top = value + grace if hard == resource.RLIM_INFINITY else min(value + grace, hard)
            resource.setrlimit(which, (value, top))
    cap(resource.RLIMIT_AS, limits.get("memory_mb", 0) * 2**20)
    # the soft CPU limit sends SIGXCPU (reported as such); SIGKILL comes only at the hard one
    cap(resource.RLIMIT_CPU, limits.get("cpu_seconds", 0), grace=5)
    cap(resource.RLIMIT_FSIZE, limits.get("file_size_mb", 0) * 2**20)
    cap(resource.RLIMIT_NOFILE, limits.get("open_files", 0))
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)   # past RLIMIT_FSIZE: an OSError, not death


def _capset(keep):
    header = (ctypes.c_uint32 * 2)(CAPABILITY_VERSION_3, 0)
    data = (ctypes.c_uint32 * 6)(keep & 0xFFFFFFFF, keep & 0xFFFFFFFF, 0, keep >> 32, keep >> 32, 0)
    _check(_libc.capset(header, data), "capset")


def _fresh_keyring():
    calls = KEY_SYSCALLS.get(platform.machine())
    if calls:                            # a new anonymous session keyring, shared with no one
        _libc.syscall(calls[0], KEYCTL_JOIN_SESSION_KEYRING, None)


def _seccomp_refuse(numbers):
    """A seccomp filter: these syscalls fail with EPERM, every other one is allowed."""
    arch = AUDIT_ARCH.get(platform.machine())
    if arch is None or not numbers:
        return False
    ld, jeq, ret = 0x20, 0x15, 0x06                     # BPF_LD|W|ABS, BPF_JMP|JEQ|K, BPF_RET|K
    allow, eperm, kill = 0x7FFF0000, 0x00050000 | 1, 0x80000000
    prog = [(ld, 0, 0, 4), (jeq, 1, 0, arch), (ret, 0, 0, kill), (ld, 0, 0, 0)]
    for i, nr in enumerate(numbers):
        prog.append((jeq, 0, 1, nr))
        prog.append((ret, 0, 0, eperm))
    prog.append((ret, 0, 0, allow))
    raw = b"".join(struct.pack("HBBI", *f) for f in prog)
    buf = ctypes.create_string_buffer(raw)
    fprog = struct.pack("HxxxxxxQ" if struct.calcsize("P") == 8 else "HxxI", len(prog),
                        ctypes.addressof(buf))
    fbuf = ctypes.create_string_buffer(fprog)
    _check(_libc.prctl(PR_SET_SECCOMP, 2, fbuf, 0, 0), "seccomp")
    return True


PRELOAD_SCRATCH = WORK + "/.preload"     # the zygote's own writable folder while it preloads
_scratch = []


def preload_scratch(sandbox):
    """A writable folder for libraries the zygote preloads (matplotlib needs a cache
    folder at import): in the sandbox, a tmpfs of the zygote's own on /tmp/work, which every
    session covers with its own tmpfs (so no session sees what another left there) -> the
    folder, or None outside the sandbox (the library finds its usual one)."""
    if not sandbox:
        return None
    if not _scratch:
        _mount(b"tmpfs", WORK, b"tmpfs", MS_NOSUID | MS_NODEV, b"size=16m,mode=0755", "the zygote's scratch")
        os.makedirs(PRELOAD_SCRATCH, 0o755, exist_ok=True)
        _scratch.append(PRELOAD_SCRATCH)
    return _scratch[0]


def enter_session(sandbox, limits):
    """Everything a session does before the submission's code runs (see the docstring).

    -> the session's working directory.
    """
    os.setsid()
    if sandbox:
        _check(_libc.unshare(CLONE_NEWNS | CLONE_NEWIPC), "unshare a session's mount and IPC namespaces")
        _mount(b"none", "/", None, MS_REC | MS_PRIVATE)
        # /tmp itself is read-only (it may hold the Python installation, bound back);
        # the session writes only in its own, empty tmpfs on /tmp/work
        _mount(b"tmpfs", WORK, b"tmpfs", MS_NOSUID | MS_NODEV,
               f"size={int(limits.get('tmp_mb', 64))}m,mode=0700".encode(), "a session's /tmp/work")
        work = WORK
        uid = None
        if sandbox.get("root"):
            uid = SESSION_UIDS[0] + secrets.randbelow(SESSION_UIDS[1] - SESSION_UIDS[0])
            os.chown(work, uid, uid)
        for name in SCRATCH_VARIABLES:         # preloaded libraries' folders, fresh and empty
            if os.environ.get(name, "").startswith(WORK + "/"):
                os.makedirs(os.environ[name], 0o700, exist_ok=True)
                if uid is not None:
                    os.chown(os.environ[name], uid, uid)
        os.chdir(work)
        _fresh_keyring()
        apply_limits(limits)
        _check(_libc.prctl(PR_SET_SECUREBITS, SECBITS_LOCKED_DOWN, 0, 0, 0), "securebits")
        for cap in range(CAP_LAST + 1):
            _libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0)     # EINVAL past the kernel's last cap
        if uid is not None:
            os.setgroups([])
            os.setgid(uid)
            if limits.get("processes"):              # counts this session's uid only
                n = int(limits["processes"])
                resource.setrlimit(resource.RLIMIT_NPROC, (n, n))
            os.setuid(uid)
        _capset(0)
        _check(_libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "no_new_privs")
        numbers = KEY_SYSCALLS.get(platform.machine(), ())
        if platform.machine() == "x86_64":           # the x32 ABI's numbers too
            numbers = tuple(numbers) + tuple(n | 0x40000000 for n in numbers)
        _seccomp_refuse(numbers)
        return work
    apply_limits(limits)
    return os.getcwd()
