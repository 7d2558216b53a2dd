"""The orchestration: every submission graded once, N at a time, resumable, interruptible.

One process orchestrates: the task is loaded once, and its reference-built inputs
computed once (inputs.prepare), before any grading, and each grading
runs in a child forked from it (so it starts with the task, numpy and the grader already
imported), which grades one submission, writes its files and record (grading.py) and
exits. At most ``jobs`` children run at once; the student's code runs further away, in the
sandboxed worker each grading starts.

- Resume: a submission whose record is current (same file hash, task digest, grader
  version, options; records.py) is kept, not graded again, unless ``regrade``.
- A grading that ends in a grader error, or whose process crashes, raises or outlives
  ``deadline`` seconds, is graded once more; a second failure is recorded as
  ``grader_error`` (no score, never a 0).
- Ctrl-C (or SIGTERM): the running gradings are stopped (their workers with them),
  everything finished stays on disk, and KeyboardInterrupt reaches the caller.
"""
import contextlib
import json
import multiprocessing
import multiprocessing.connection
import os
import signal
import sys
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path

from ..inputs import prepare
from ..result import GRADER_ERROR
from . import grading, records

ATTEMPTS = 2
CRASHED = "grader error, not your fault: the grading stopped twice ({detail}); grade it again"
HUNG = ("grader error, not your fault: the grading did not finish within {seconds:.0f} s, twice "
        "(a problem of the grader's); grade it again")
RAISED = "{type}: {message}"
KILLED = "its process was killed by {signal}"
EXITED = "its process exited with code {code} without a result"
WHY_ERROR = "grader error"
STOP_SECONDS = 10.0             # for a stopped grading to close its worker before SIGKILL
TICK = 0.5


def default_jobs():
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def default_deadline(task):
    """Seconds one grading may take before the grader is deemed stuck: well past the
    task's own budget, which bounds a grading that works."""
    return max(120.0, 3 * task.limits.budget_seconds)


@dataclass
class Job:
    sub: object                 # identity.Submission
    attempts: int = 0
    why: str = ""               # the last failure's reason
    seconds: float = 0.0


@dataclass
class Running:
    process: object
    conn: object
    job: Job
    started: float


@dataclass
class BatchResult:
    records: dict = field(default_factory=dict)     # student -> Record (this run's or kept)
    graded: int = 0                                 # graded in this run
    kept: int = 0                                   # current records kept
    interrupted: bool = False


def _child(conn, out, sub, task, options, attempt):
    """A grading process: grade, write, say how it went, exit."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)            # Ctrl-C is the orchestrator's
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # unwinds: the worker is closed
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT, signal.SIGTERM})
    try:
        grading.grade_and_write(out, sub, task, options, attempt)
        message = {"ok": True}
    except Exception as exc:                                # the grader's own failure
        message = {"ok": False, "why": RAISED.format(type=type(exc).__name__, message=exc)[:500]}
    conn.send_bytes(json.dumps(message).encode())
    conn.close()


def kept_record(out, sub, options, task, regrade):
    """The current Record of ``sub`` when it may be kept, else None."""
    if regrade:
        return None
    record = records.load(out, sub.folder)
    folder = out / sub.folder
    if (record is None or record.file != str(sub.path) or record.student != sub.student
            or not (folder / "report.txt").is_file() or not (folder / "report.json").is_file()):
        return None
    return record if record.current(records.file_sha256(sub.path), task.digest, options) else None


def plan(subs, task, out, options, regrade):
    """-> (BatchResult holding the kept records, deque of the Jobs to grade); shared with
    the Dask batch (dask_run.py)."""
    result = BatchResult()
    queue = deque()
    for sub in subs:
        record = kept_record(out, sub, options, task, regrade)
        if record is not None:
            result.records[sub.student] = record
            result.kept += 1
        else:
            queue.append(Job(sub))
    return result, queue


def finished(result, record, progress=None, on_result=None):
    """A submission done (graded, or recorded as a grader error): counted and shown."""
    result.records[record.student] = record
    result.graded += 1
    if progress:
        progress.finished(record)
    if on_result:
        on_result(record)


def run_batch(subs, task, out, jobs=1, options=None, regrade=False, progress=None, deadline=None,
              on_result=None):
    """Grade ``subs`` (one per student) into ``out`` -> BatchResult.

    ``on_result(record)`` is called after each submission finishes (tests interrupt there).
    KeyboardInterrupt propagates after the running gradings are stopped; what finished is
    on disk and in ``result.records`` of the exception's ``batch`` attribute.
    """
    out = Path(out)
    options = dict(options or {})
    deadline = deadline or default_deadline(task)
    result, queue = plan(subs, task, out, options, regrade)
    if queue:
        prepare(task)           # the reference's inputs, once: every forked grading starts with them
    if progress:
        progress.start(len(queue), jobs, result.kept)
    context = multiprocessing.get_context("fork")
    running = {}
    with interruptible(result, progress, stop=lambda: [_stop(item) for item in running.values()]):
        while queue or running:
            while queue and len(running) < jobs:
                job = queue.popleft()
                job.attempts += 1
                running_job = _start(context, out, job, task, options)
                running[running_job.process.sentinel] = running_job
            ready = multiprocessing.connection.wait(list(running), timeout=TICK)
            now = time.monotonic()
            for key in list(running):
                item = running[key]
                if key in ready:
                    why = _collect(item)
                elif now - item.started > deadline:
                    _stop(item)
                    why = HUNG.format(seconds=deadline)
                else:
                    continue
                del running[key]
                item.job.seconds += now - item.started
                record = records.load(out, item.job.sub.folder) if why is None else None
                if why is None and record is None:
                    why = "its record could not be read back"
                failed = why is not None or record.status == GRADER_ERROR
                if failed and item.job.attempts < ATTEMPTS:
                    item.job.why = why or WHY_ERROR
                    if progress:
                        progress.retry(item.job.sub.student, item.job.why)
                    queue.append(item.job)
                    continue
                if why is not None:
                    reason = why if why.startswith("grader error") else CRASHED.format(detail=why)
                    record = grading.record_failure(out, item.job.sub, task, options, reason,
                                                    item.job.seconds, item.job.attempts)
                finished(result, record, progress, on_result)
    return result


@contextlib.contextmanager
def interruptible(result, progress=None, stop=lambda: None):
    """A batch's body, stopped cleanly by Ctrl-C or SIGTERM (shared with dask_run.py):
    ``stop()`` ends what is running, ``result`` is marked interrupted and rides on the
    KeyboardInterrupt as its ``batch``; the progress display is closed in any case."""
    previous_term = signal.signal(signal.SIGTERM, _interrupt)
    try:
        yield
    except KeyboardInterrupt as exc:
        signal.signal(signal.SIGINT, signal.SIG_IGN)     # a second Ctrl-C must not cut the cleanup
        stop()
        result.interrupted = True
        exc.batch = result
        raise
    finally:
        signal.signal(signal.SIGTERM, previous_term)
        if result.interrupted:
            signal.signal(signal.SIGINT, signal.default_int_handler)
        if progress:
            progress.close()


def _interrupt(signum, frame):
    raise KeyboardInterrupt()


def _start(context, out, job, task, options):
    receive, send = context.Pipe(duplex=False)
    process = context.Process(target=_child, args=(send, out, job.sub, task, options, job.attempts),
                              daemon=True)
    # SIGINT and SIGTERM blocked across the fork: the child sets its own handlers before
    # either can arrive (a stop right after the fork would otherwise run the orchestrator's)
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
    try:
        process.start()
    finally:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT, signal.SIGTERM})
    send.close()
    return Running(process, receive, job, time.monotonic())


def _collect(item):
    """A finished child -> None when it graded, else why not."""
    message = None
    try:
        if item.conn.poll():
            message = json.loads(item.conn.recv_bytes(1 << 16))
    except (EOFError, OSError, ValueError):
        message = None
    item.conn.close()
    item.process.join()
    if isinstance(message, dict) and message.get("ok") is True and item.process.exitcode == 0:
        return None
    if isinstance(message, dict) and message.get("why"):
        return str(message["why"])
    code = item.process.exitcode
    if code is not None and code < 0:
        return KILLED.format(signal=_signal_name(-code))
    return EXITED.format(code=code)


def _stop(item):
    """End a running grading: SIGTERM (its worker closes), SIGKILL if it lingers."""
    process = item.process
    if process.is_alive():
        process.terminate()
        process.join(STOP_SECONDS)
        if process.is_alive():
            process.kill()
            process.join()
    item.conn.close()


def _signal_name(number):
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"
