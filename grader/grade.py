"""Grade one submission against one task: load, start the worker, run checks, report."""
import re

from .engine import run_checks
from .result import ERROR, CheckResult, FunctionResult, Report
from .submission import load
from .worker import CallError, Worker, WorkerError

LOAD_FAILED = "line {line}: {type}: {message}"
NOT_LOADED = "your file could not be loaded: {reason}"
NO_WORKER = "grader error, not your fault: the worker could not start: {reason}"


def grade(path, task, public_only=False):
    """path, Task -> Report. Raises SubmissionError when the file cannot be read at all."""
    sub = load(path)
    notes = list(sub.notes)
    hide = [sub.path.resolve().parent, task.directory]
    with Worker(sub.source, sub.filename, sub.statements, task.limits, hide=hide) as worker:
        try:
            info = worker.start()
        except CallError as error:
            return _unloadable(task, sub, notes, NOT_LOADED.format(reason=error.message))
        except WorkerError as error:
            return _unloadable(task, sub, notes, NO_WORKER.format(reason=error), grader_error=True)
        for failure in info["failures"]:
            err = failure["error"]
            notes.append(LOAD_FAILED.format(line=failure["line"], type=err["type"],
                                            message=err["message"].splitlines()[0] if err["message"] else ""))
        results = run_checks(task, worker, sub.defined, public_only)
        notes.extend(worker.events)
    functions = []
    for spec in task.functions:
        checks = [results[c.id] for c in spec.checks if c.id in results]
        missing = spec.name not in info["functions"]
        functions.append(FunctionResult(spec.name, spec.points, checks, missing))
    return Report(task=task.name, submission=str(path), functions=functions, notes=_ordered(notes))


def _unloadable(task, sub, notes, reason, grader_error=False):
    functions = [FunctionResult(f.name, f.points, [
        CheckResult(c.id, f.name, c.description, ERROR, reason, max_points=c.points,
                    hidden=c.hidden, end_to_end=c.end_to_end, grader_error=grader_error)
        for c in f.checks])
        for f in task.functions]
    return Report(task=task.name, submission=str(sub.path), functions=functions,
                  notes=_ordered(notes + [reason]))


def _ordered(notes):
    """Notes that start with a line number first, in line order; the rest after."""
    def key(note):
        m = re.match(r"lines? (\d+)", note)
        return (0, int(m.group(1))) if m else (1, 0)
    return sorted(dict.fromkeys(notes), key=key)
