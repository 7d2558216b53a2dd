"""The worker boundary: student code runs in a child process, plain data crosses back."""
from .client import CallError, Worker, WorkerLimits, WorkerError

__all__ = ["CallError", "Worker", "WorkerLimits", "WorkerError"]
