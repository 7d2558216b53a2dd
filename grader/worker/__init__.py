"""The worker boundary: student code runs in a child process, plain data crosses back."""
from .client import CallError, Worker, WorkerLimits

__all__ = ["CallError", "Worker", "WorkerLimits"]
