"""Where the worker runs: its own PID, mount, IPC and network namespaces.

The grader starts the worker through util-linux ``unshare``:

- a new PID namespace with the worker's zygote as its PID 1, so killing it kills every
  process the submission started (even ones that called ``setsid``), ``--kill-child``
  kills it when ``unshare`` dies, and no session can signal it;
- a new network namespace: no network at all; a new IPC namespace: no System V object
  reaches the host;
- a new mount namespace, in which the zygote (``jail.enter_sandbox``) hides every
  top-level directory but the system's and the grader's own folders behind empty tmpfs
  mounts (mounting back only the Python installation) and makes every other mount
  read-only. Each session (one per check, ``jail.enter_session``) then gets a mount and
  IPC namespace of its own with an empty private ``/tmp``, and gives up every privilege:
  no capabilities, no new privileges, a fresh keyring, and (when the grader runs as
  root) a random uid of its own, so process limits count only its own processes.

Where namespaces are not available (another OS, a container that forbids them), the
worker runs as a plain child process and the report says so: network isolation and
hiding files are then the host's job.
"""
import functools
import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

_HERE = Path(__file__).resolve().parents[2]          # grader/..: a checkout, or site-packages
ROOT = _HERE if (_HERE / "pyproject.toml").is_file() else None     # the repository, if any
# the grader's own installed packages (the wheel puts them in site-packages, which the
# worker must see for numpy): the code, the reference and the tasks, hidden in any case
OWN_PACKAGES = ("grader", "reference", "grader_tasks")
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
    prefix = [unshare, "--fork", "--pid", "--net", "--mount", "--ipc", "--kill-child"]
    if os.geteuid() != 0:
        prefix[1:1] = ["--user", "--map-root-user"]
    try:
        probe = subprocess.run(prefix + ["true"], capture_output=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return None, f"unshare failed: {exc}"
    if probe.returncode != 0:
        return None, "unshare failed: " + (probe.stderr.decode(errors="replace").strip() or "no reason")
    return prefix, None


def own_package_dirs():
    """The folders of the grader's own packages (OWN_PACKAGES) wherever they are installed."""
    folders = []
    for name in OWN_PACKAGES:
        try:
            spec = importlib.util.find_spec(name)
        except (ImportError, ValueError):
            continue
        for folder in (spec.submodule_search_locations or []) if spec else []:
            folders.append(Path(folder).resolve())
    return folders


def hidden_paths(extra=()):
    """Directories the worker must not see: the repository's own (but not a virtual
    environment inside it, which holds numpy), the grader's installed packages (a wheel's,
    in site-packages), the given ones, and the shared temp dirs."""
    prefix = Path(sys.prefix).resolve()
    paths = []
    for entry in sorted(ROOT.iterdir()) if ROOT else ():
        if entry.is_dir() and not entry.is_symlink() and entry not in prefix.parents and entry != prefix:
            paths.append(str(entry))
    for path in [*own_package_dirs(), *extra]:
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
    private = [p for p in (str(Path.home()), "/root", "/home") if os.path.isdir(p)]
    return {"hide": hidden_paths(extra_hidden), "private": private,
            "host_mnt_ns": os.readlink("/proc/self/ns/mnt"),
            "root": os.geteuid() == 0}      # as root, each session gets a uid of its own


def python_paths():
    """Where this interpreter and its packages live: what the worker must keep reading.

    Its prefixes, and every package directory on sys.path (a .pth file or PYTHONPATH may
    put site-packages anywhere), but never the repository itself. An installed grader lives
    in one of them: its own packages are hidden inside it (hidden_paths)."""
    paths = {os.path.realpath(p) for p in (sys.prefix, sys.base_prefix, sys.exec_prefix)
             if p and os.path.isdir(p)}
    for entry in sys.path:
        real = os.path.realpath(entry) if entry else ""
        if real and os.path.isdir(real) and os.path.basename(real) in ("site-packages", "dist-packages") \
                and not (ROOT and Path(real).is_relative_to(ROOT)):
            paths.add(real)
    return sorted(paths)


def host_pid_of_child(pid):
    """The host PID of ``unshare``'s child (the worker, PID 1 inside), or None."""
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        return int(children[0]) if children else None
    except (OSError, ValueError):
        return None
