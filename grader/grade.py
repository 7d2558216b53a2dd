"""Grade one submission against one task: load, start the worker, run checks, report."""
import dataclasses
import re
import time

from .checks import is_evidence
from .diagnosis import diagnose
from .engine import Twins, budget_note, lanes_for, run_checks
from .inputs import prepare_in_background
from .names import DID_YOU_MEAN, near_misses
from .packs import load_pack
from .result import ERROR, FAILED, PASSED, CheckResult, FunctionResult, Report
from .safetext import clip
from .submission import SubmissionError, check_path, class_only_note, load
from .worker import CallError, Worker, WorkerError

LOAD_FAILED = "{where}: {type}: {message}"
NOT_LOADED = "your file could not be loaded: {reason}"
NOT_GRADED = "nothing could be graded: {reason}"
NO_WORKER = "grader error, not your fault: the worker could not start: {reason}"
SEE_NOTES = "not graded (see the notes)"
DIAGNOSIS_FAILED = "grader error, not your fault: the diagnosis stopped ({detail}); the checks above are complete"
NO_EVIDENCE = ("no points yet: {name} earns its shape and property points once one of its value "
               "checks passes")
SLOW_NOTE = "grading took {seconds:.0f} s, unusually long: the code is very slow somewhere"
SLOW_SECONDS = 30               # Report.seconds past this: the command line says so (not the report)


def select(task, public_only=False, only=None):
    """The task restricted to public checks and/or to the named functions."""
    functions = []
    for f in task.functions:
        if only and f.name not in only:
            continue
        checks = tuple(c for c in f.checks if not (public_only and c.hidden))
        functions.append(dataclasses.replace(f, checks=checks, points=sum(c.points for c in checks)))
    return dataclasses.replace(task, functions=tuple(functions),
                               total=sum(f.points for f in functions),
                               every_function=task.every_function or task.functions)


def with_helpers(task, only):
    """``only`` and every function they may call, transitively (their ``helpers``)."""
    specs = {f.name: f for f in task.functions}
    needed, todo = set(), list(only)
    while todo:
        name = todo.pop()
        if name in needed or name not in specs:
            continue
        needed.add(name)
        todo.extend(specs[name].helpers)
    return needed


def grade_only(sub, task, public_only=False, only=None, workers=1):
    """Grade the loaded ``sub``; with ``only``, report those functions alone, but grade
    their helpers too (unreported), so a broken helper gets its correct stand-in exactly
    as in a full grading: --only never costs a function its helper's bug."""
    if not only:
        return grade_submission(sub, select(task, public_only), workers=workers)
    report = grade_submission(sub, select(task, public_only, with_helpers(task, only)), workers=workers)
    report.functions = [f for f in report.functions if f.name in only]
    report.diagnoses = [d for d in report.diagnoses if d.get("function") in only]
    return report


def grade(path, task, public_only=False, run_toplevel=False, only=None, workers=1):
    """path, Task -> Report; public_only leaves hidden checks out, only names the
    functions to report (their helpers are graded too: see grade_only). ``workers``: how
    many sandboxed workers judge its checks at once (the same report with any number;
    a class batch grades several submissions at once instead, one worker each).

    A file that cannot be read at all (binary, too large, not a notebook) still gets a
    report: zero, with the reason. SubmissionError is raised only for a path that is no
    file at all (missing, a directory): a command-line mistake.
    """
    try:
        sub = load(path, run_toplevel=run_toplevel)
    except SubmissionError as exc:
        check_path(path)
        return _ungraded(select(task, public_only, only), str(path), [], NOT_GRADED.format(reason=exc), FAILED)
    return grade_only(sub, task, public_only, only, workers)


def grade_submission(sub, task, probe_all=False, force_stand_ins=(), diagnosis=True, workers=1):
    """Grade the loaded ``sub`` -> Report (``workers``: see grade). For kit.py's
    recording: ``probe_all`` runs every detector, whatever failed; ``force_stand_ins``
    names helpers that are stand-ins in every check; ``diagnosis=False`` runs none."""
    notes = list(sub.notes)
    hide = [sub.path.resolve().parent, task.directory]
    started = time.monotonic()
    prepare_in_background(task)
    with Worker(sub.source, sub.filename, sub.statements, task.limits, hide=hide,
                harness=load_pack(task.pack).harness) as worker, \
            Twins(worker, lanes_for(task, workers, force_stand_ins) - 1) as twins:
        try:
            info = worker.start()
        except CallError as error:
            return _ungraded(task, str(sub.path), notes, NOT_LOADED.format(reason=clip(error.message)), ERROR)
        except WorkerError as error:
            return _ungraded(task, str(sub.path), notes, NO_WORKER.format(reason=clip(str(error))), ERROR,
                             grader_error=True)
        for failure in info["failures"]:
            err = failure["error"]
            first = err["message"].splitlines()[0] if err["message"] else ""
            notes.append(LOAD_FAILED.format(where=sub.where(failure["line"]), type=clip(err["type"], 100),
                                            message=clip(first)))
        wanted = [f.name for f in task.functions]
        missing = [name for name in wanted if name not in info["functions"]]
        for name, candidate in near_misses(missing, info["functions"], set(wanted)).items():
            line = sub.defined.get(candidate)
            notes.append(DID_YOU_MEAN.format(name=name, candidate=clip(candidate, 100),
                                             where=sub.where(line) if line else "defined"))
        if missing:
            note = class_only_note(sub, wanted)
            if note:
                notes.append(note)
        grading = run_checks(task, worker, sub, force_stand_ins, twins)
        results = grading.results
        functions = [_with_evidence(FunctionResult(spec.name, spec.points,
                                                   [results[c.id] for c in spec.checks if c.id in results],
                                                   missing=spec.name not in info["functions"]), spec,
                                    task.kinds)
                     for spec in task.functions]
        note = budget_note(task, grading)
        if note:
            notes.append(note)
        diagnoses = []
        if task.bugs and diagnosis:
            try:
                diagnoses, diagnosis_notes = diagnose(task, worker, functions, info["functions"],
                                                      probe_all=probe_all, dead=set(grading.dead),
                                                      stand_ins=grading.stand_in_functions,
                                                      remaining=grading.remaining)
                notes.extend(diagnosis_notes)
            except Exception as exc:    # a detector's bug must never cost the grade
                notes.append(DIAGNOSIS_FAILED.format(detail=f"{type(exc).__name__}: {exc}"))
        notes.extend(worker.events)
    # how long it took is not in the report (the same file must always get the same
    # report, on a busy machine too); the command line says it when it was unusually long
    return Report(task=task.name, submission=str(sub.path), functions=functions,
                  notes=_ordered(notes), diagnoses=diagnoses,
                  task_digest=task.digest, seconds=time.monotonic() - started, helpers=helper_graph(task))


def helper_graph(task):
    """{function: the task functions it may call (its helpers)}, of the whole task."""
    return {f.name: tuple(f.helpers) for f in task.every_function or task.functions}


def grader_failed(task, path, reason):
    """A report for a grading the grader itself could not finish (status grader_error)."""
    return _ungraded(task, str(path), [], reason, ERROR, grader_error=True)


def _with_evidence(result, spec, kinds):
    """No points without evidence: until one of its value checks passes, a function's
    shape and property checks earn nothing (they pass, with the reason said)."""
    passed = {c.id for c in result.checks if c.status == PASSED}
    if spec.evidence:
        if set(spec.evidence) <= passed:
            return result
    else:
        value_checks = {c.id for c in spec.checks if is_evidence(c, kinds)}
        if not value_checks or value_checks & passed:
            return result
    for c in result.checks:
        if c.status == PASSED and c.points:
            c.points = 0
            c.message = "; ".join(filter(None, [c.message, NO_EVIDENCE.format(name=spec.name)]))
    return result


def _ungraded(task, submission, notes, reason, status, grader_error=False):
    """Every check ends with ``status``; the reason is given once, in the notes.
    A grader error marks the whole report (status grader_error); otherwise it is ungraded."""
    functions = [FunctionResult(f.name, f.points, [
        CheckResult(c.id, f.name, c.description, status, SEE_NOTES, max_points=c.points,
                    hidden=c.hidden, end_to_end=c.end_to_end, grader_error=grader_error)
        for c in f.checks]) for f in task.functions]
    return Report(task=task.name, submission=submission, functions=functions, helpers=helper_graph(task),
                  notes=_ordered(notes + [reason]), grader_error=grader_error,
                  ungraded=not grader_error, task_digest=task.digest)


def _ordered(notes):
    """Notes that name a place first, in the file's order; the rest after, as they came."""
    def key(note):
        cell = re.match(r"cell (\d+)(?:, lines? (\d+))?", note)
        if cell:
            return (0, int(cell.group(1)), int(cell.group(2) or 0))
        line = re.match(r"lines? (\d+)", note)
        return (0, 0, int(line.group(1))) if line else (1, 0, 0)
    return sorted(dict.fromkeys(notes), key=key)
