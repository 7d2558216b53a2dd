"""The worker boundary: student code runs in a child process, plain data crosses back.

The names below come from client.py, imported on first use, so that launch.py (which
starts worker processes before the grader's own imports) imports no numpy with this package.
"""
__all__ = ["CallError", "Worker", "WorkerLimits", "WorkerError"]


def __getattr__(name):
    if name in __all__:
        from . import client
        return getattr(client, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
