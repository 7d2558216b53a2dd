"""Where the worker runs: its own PID, mount and network namespaces, as ``nobody``.

The grader starts the worker through util-linux ``unshare``:

- a new PID namespace with the worker as its PID 1, so killing the worker kills every
  process it started (even ones that called ``setsid``), and ``--kill-child`` kills it
  when ``unshare`` dies;
- a new network namespace: no network at all;
- a new mount namespace, in which the worker (see ``child.enter_sandbox``) hides the
  repository's directories (grader, reference, tasks, submissions, ...), ``/dev/shm``,
  ``/var/tmp``, the homes and ``/root`` behind empty tmpfs mounts (mounting back only
  the Python installation), makes every other mount read-only, gets a private ``/tmp``
  (a 64 MB tmpfs it works in) and its own ``/proc``, and then gives up every privilege:
  no capabilities, and ``nobody`` with a cap on its number of processes when started
  as root.

Where namespaces are not available (another OS, a container that forbids them), the
worker runs as a plain child process and the report says so: network isolation and
hiding files are then the host's job.
"""
import functools
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]           # the repository (grader/..)
NOBODY = 65534
UNAVAILABLE = "sandbox unavailable ({reason}): the submission ran as a plain process"
SHARED_TEMP = ("/var/tmp", "/dev/shm")     # hidden; /tmp becomes a private tmpfs


@functools.lru_cache(maxsize=None)
def command_prefix():
    """-> (argv prefix, None) when namespaces work here, else (None, reason)."""
    if not sys.platform.startswith("linux"):
        return None, f"not Linux ({sys.platform})"
    unshare = shutil.which("unshare")
    if unshare is None:
        return None, "no unshare command"
    prefix = [unshare, "--fork", "--pid", "--net", "--mount", "--kill-child"]
    if os.geteuid() != 0:
        prefix[1:1] = ["--user", "--map-root-user"]
    try:
        probe = subprocess.run(prefix + ["true"], capture_output=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return None, f"unshare failed: {exc}"
    if probe.returncode != 0:
        return None, "unshare failed: " + (probe.stderr.decode(errors="replace").strip() or "no reason")
    return prefix, None


def hidden_paths(extra=()):
    """Directories the worker must not see: the repository's own (but not a virtual
    environment inside it, which holds numpy), the given ones, and the shared temp dirs."""
    prefix = Path(sys.prefix).resolve()
    paths = []
    for entry in sorted(ROOT.iterdir()):
        if entry.is_dir() and not entry.is_symlink() and entry not in prefix.parents and entry != prefix:
            paths.append(str(entry))
    for path in extra:
        path = Path(path).resolve()
        if path.is_dir() and path not in prefix.parents and str(path) not in paths and path != Path("/"):
            paths.append(str(path))
    paths += [p for p in SHARED_TEMP if os.path.isdir(p)]
    # a directory inside one already hidden needs (and allows) no mount of its own
    return [p for p in paths if not any(p.startswith(q + "/") for q in paths)]


def config(extra_hidden=()):
    """What the worker needs to enter its sandbox (None when there is none)."""
    prefix, _ = command_prefix()
    if prefix is None:
        return None
    drop = os.geteuid() == 0
    private = [p for p in (str(Path.home()), "/root", "/home") if os.path.isdir(p)]
    return {"hide": hidden_paths(extra_hidden), "private": private,
            "host_mnt_ns": os.readlink("/proc/self/ns/mnt"),
            "uid": NOBODY if drop else None, "gid": NOBODY if drop else None}


def host_pid_of_child(pid):
    """The host PID of ``unshare``'s child (the worker, PID 1 inside), or None."""
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        return int(children[0]) if children else None
    except (OSError, ValueError):
        return None
