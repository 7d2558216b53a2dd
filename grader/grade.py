"""Grade one submission against one task: load, start the worker, run checks, report."""
import dataclasses
import re

from .diagnosis import diagnose
from .engine import run_checks
from .names import DID_YOU_MEAN, near_misses
from .result import ERROR, FAILED, CheckResult, FunctionResult, Report
from .submission import SubmissionError, check_path, load
from .worker import CallError, Worker, WorkerError

LOAD_FAILED = "{where}: {type}: {message}"
NOT_LOADED = "your file could not be loaded: {reason}"
NOT_GRADED = "nothing could be graded: {reason}"
NO_WORKER = "grader error, not your fault: the worker could not start: {reason}"
SEE_NOTES = "not graded (see the notes)"
DIAGNOSIS_FAILED = "grader error, not your fault: the diagnosis stopped ({detail}); the checks above are complete"


def select(task, public_only=False, only=None):
    """The task restricted to public checks and/or to the named functions."""
    functions = []
    for f in task.functions:
        if only and f.name not in only:
            continue
        checks = tuple(c for c in f.checks if not (public_only and c.hidden))
        functions.append(dataclasses.replace(f, checks=checks, points=sum(c.points for c in checks)))
    return dataclasses.replace(task, functions=tuple(functions),
                               total=sum(f.points for f in functions))


def grade(path, task, public_only=False, run_toplevel=False, only=None):
    """path, Task -> Report; public_only leaves hidden checks out, only names functions.

    A file that cannot be read at all (binary, too large, not a notebook) still gets a
    report: zero, with the reason. SubmissionError is raised only for a path that is no
    file at all (missing, a directory): a command-line mistake.
    """
    task = select(task, public_only, only)
    try:
        sub = load(path, run_toplevel=run_toplevel)
    except SubmissionError as exc:
        check_path(path)
        return _ungraded(task, str(path), [], NOT_GRADED.format(reason=exc), FAILED)
    return grade_submission(sub, task)


def grade_submission(sub, task):
    notes = list(sub.notes)
    hide = [sub.path.resolve().parent, task.directory]
    with Worker(sub.source, sub.filename, sub.statements, task.limits, hide=hide) as worker:
        try:
            info = worker.start()
        except CallError as error:
            return _ungraded(task, str(sub.path), notes, NOT_LOADED.format(reason=error.message), ERROR)
        except WorkerError as error:
            return _ungraded(task, str(sub.path), notes, NO_WORKER.format(reason=error), ERROR,
                             grader_error=True)
        for failure in info["failures"]:
            err = failure["error"]
            notes.append(LOAD_FAILED.format(where=sub.where(failure["line"]), type=err["type"],
                                            message=err["message"].splitlines()[0] if err["message"] else ""))
        wanted = {f.name for f in task.functions}
        missing = [f.name for f in task.functions if f.name not in info["functions"]]
        for name, candidate in near_misses(missing, info["functions"], wanted).items():
            line = sub.defined.get(candidate)
            notes.append(DID_YOU_MEAN.format(name=name, candidate=candidate,
                                             where=sub.where(line) if line else "defined"))
        results = run_checks(task, worker, sub)
        functions = [FunctionResult(spec.name, spec.points,
                                    [results[c.id] for c in spec.checks if c.id in results],
                                    missing=spec.name not in info["functions"])
                     for spec in task.functions]
        diagnoses = []
        if task.bugs:
            try:
                diagnoses, diagnosis_notes = diagnose(task.bugs, worker, functions, info["functions"])
                notes.extend(diagnosis_notes)
            except Exception as exc:    # a detector's bug must never cost the grade
                notes.append(DIAGNOSIS_FAILED.format(detail=f"{type(exc).__name__}: {exc}"))
        notes.extend(worker.events)
    return Report(task=task.name, submission=str(sub.path), functions=functions,
                  notes=_ordered(notes), diagnoses=diagnoses)


def _ungraded(task, submission, notes, reason, status, grader_error=False):
    """Every check ends with ``status``; the reason is given once, in the notes."""
    functions = [FunctionResult(f.name, f.points, [
        CheckResult(c.id, f.name, c.description, status, SEE_NOTES, max_points=c.points,
                    hidden=c.hidden, end_to_end=c.end_to_end, grader_error=grader_error)
        for c in f.checks]) for f in task.functions]
    return Report(task=task.name, submission=submission, functions=functions,
                  notes=_ordered(notes + [reason]))


def _ordered(notes):
    """Notes that name a place first, in the file's order; the rest after, as they came."""
    def key(note):
        cell = re.match(r"cell (\d+)(?:, lines? (\d+))?", note)
        if cell:
            return (0, int(cell.group(1)), int(cell.group(2) or 0))
        line = re.match(r"lines? (\d+)", note)
        return (0, 0, int(line.group(1))) if line else (1, 0, 0)
    return sorted(dict.fromkeys(notes), key=key)
