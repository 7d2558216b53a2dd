"""The ``grader`` command's entry point: the worker processes first, then the grader.

Grading one file needs its sandboxed worker processes, and their start (Python, numpy)
needs nothing of the file: this starts them (worker/launch.py) before importing the
grader (pytest, numpy, the task), so the two overlap on the machine's cores. Anything but
``grader run|check FILE`` starts none. Then it is cli.main, as ``python -m grader``.
"""
import os
import sys

# One file's checks on several workers at once: past 4, the checks that wait for a helper's
# outcome leave the extra ones idle, and each costs a zygote (65 MB, 0.15 s to start)
MAX_WORKERS = 4


def default_workers():
    """Workers for one file's checks when not told: one per core, at most MAX_WORKERS."""
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cores = os.cpu_count() or 1
    return max(1, min(cores, MAX_WORKERS))


def workers_wanted(argv):
    """How many workers ``argv`` will grade one file with (0: not a one-file grading)."""
    if len(argv) < 2 or argv[0] not in ("run", "check") or "-h" in argv or "--help" in argv:
        return 0
    files = [a for a in argv[1:] if not a.startswith("-")]
    if not files or not os.path.isfile(files[0]) or "--dask" in argv or "--roster" in argv:
        return 0
    if sum(os.path.exists(f) for f in files) > 1:     # several paths: a class
        return 0
    if "--out" in argv[:-1]:                # --out DIR/ grades a class of one file
        out = argv[argv.index("--out") + 1]
        if os.path.isdir(out) or out.endswith(("/", os.sep)):
            return 0
    for flag in ("-j", "--jobs"):
        if flag in argv[:-1]:
            value = argv[argv.index(flag) + 1]
            return min(int(value), MAX_WORKERS) if value.isdigit() else 0
    return default_workers()


# The grader's own numpy work is small (a check's expected values); a BLAS with a thread
# per core would spin those threads on the cores the sandboxed workers need (0.1-0.2 s of
# CPU for one file). Set before numpy is imported; a value the user set is kept.
SINGLE_THREADED = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def main(argv=None):
    argv = sys.argv[1:] if argv is None else list(argv)
    for name in SINGLE_THREADED:
        os.environ.setdefault(name, "1")
    n = workers_wanted(argv)
    if n:
        from .worker import launch
        launch.prelaunch(n)
    from .cli import main as cli_main
    try:
        return cli_main(argv)
    finally:
        if n:
            launch.discard_all()
