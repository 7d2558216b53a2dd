"""``grader task check TASK``: is a task ready to hand out?

1. The task file is valid (``load_task``: the schema with the kinds' declared parameters,
   then names, bindings, arguments and files; the first mistake is named with its place).
2. The reference module's own source file, graded as a submission, gets full marks and
   no diagnosis: every check can be passed, and no catalog bug fires on correct code.
3. The template gets 0 with no grader error: nothing is given away, and a file of stubs
   is graded as the student's mistakes, not as the grader's.
4. Each mutant the catalog ships (``mutants:`` of a bugs.yaml entry) is diagnosed with
   exactly its entry's id: the detectors name the bug they claim, and nothing else.

Exit status: 0 with a short summary; 1 with the one-line reason a step failed; 2 with
the located error when the task file is invalid (as for ``grader run``).
"""
import importlib.util
from dataclasses import dataclass
from pathlib import Path

from .grade import grade
from .result import GRADER_ERROR, PASSED
from .safetext import clip
from .task import TaskError, load_task

EXIT_OK, EXIT_FAILED, EXIT_INVALID = 0, 1, 2

SUMMARY = ("{name}: ready: the task file is valid ({functions} functions, {checks} checks, "
           "{points} points); the reference {reference} scores {points}/{points} with no "
           "diagnosis; the template {template} scores 0 with no grader error{mutants}")
MUTANTS_DONE = "; {n} mutants each get exactly their bug's id"
WRONG_DIAGNOSIS = "the mutant {path} of {id!r} is diagnosed with {found}, not exactly {id!r}"
NO_REFERENCE_FILE = "the reference module {module} has no source file to grade"
NO_TEMPLATE = "no template: the task declares none and its folder has no template.py"
NOT_FULL = "the reference {path} scores {score}/{max_score}, not {max_score}: {checks}"
DIAGNOSED = "the reference {path} is diagnosed with {ids}: a detector fires on correct code"
NOT_ZERO = "the template {path} scores {score}/{max_score}, not 0: {checks} give points"
GRADER_ERROR_IN = "grading {what} {path} met a grader error: {reason}"
NOT_PASSED = "{id} {status}"
DETAIL = " ({message})"
MESSAGE_LIMIT = 300             # characters of a check's message quoted in the reason


@dataclass(frozen=True)
class Outcome:
    code: int                   # EXIT_OK, EXIT_FAILED or EXIT_INVALID
    line: str                   # the summary, or the one-line reason


def check_task(name_or_path):
    """Validate the task and grade its reference and template -> Outcome."""
    try:
        task = load_task(name_or_path)
    except TaskError as exc:
        return Outcome(EXIT_INVALID, str(exc))
    spec = importlib.util.find_spec(task.reference)
    if spec is None or not spec.origin or not Path(spec.origin).is_file():
        return Outcome(EXIT_FAILED, NO_REFERENCE_FILE.format(module=task.reference))
    reference = Path(spec.origin)
    template = task.directory / (task.template or "template.py")
    if not template.is_file():
        return Outcome(EXIT_FAILED, NO_TEMPLATE)

    report = grade(reference, task)
    if report.status == GRADER_ERROR:
        return Outcome(EXIT_FAILED, GRADER_ERROR_IN.format(what="the reference", path=reference,
                                                           reason=_grader_error(report)))
    if report.score != report.max_score:
        missed = [c for f in report.functions for c in f.checks if c.status != PASSED or c.points < c.max_points]
        return Outcome(EXIT_FAILED, NOT_FULL.format(path=reference, score=report.score,
                                                    max_score=report.max_score, checks=_listed(missed)))
    if report.diagnoses:
        ids = ", ".join(dict.fromkeys(str(d.get("id")) for d in report.diagnoses))
        return Outcome(EXIT_FAILED, DIAGNOSED.format(path=reference, ids=ids))

    report = grade(template, task)
    if report.status == GRADER_ERROR:
        return Outcome(EXIT_FAILED, GRADER_ERROR_IN.format(what="the template", path=template,
                                                           reason=_grader_error(report)))
    if report.score != 0:
        earned = [c for f in report.functions for c in f.checks if c.points > 0]
        return Outcome(EXIT_FAILED, NOT_ZERO.format(path=template, score=report.score,
                                                    max_score=report.max_score,
                                                    checks=", ".join(c.id for c in earned)))
    mutants = [(bug.id, path) for bug in task.bugs.values() for path in bug.mutants]
    for bug_id, path in mutants:
        report = grade(path, task)
        if report.status == GRADER_ERROR:
            return Outcome(EXIT_FAILED, GRADER_ERROR_IN.format(what="the mutant", path=path,
                                                               reason=_grader_error(report)))
        found = [str(d.get("id")) for d in report.diagnoses]
        if found != [bug_id]:
            return Outcome(EXIT_FAILED, WRONG_DIAGNOSIS.format(path=path, id=bug_id,
                                                               found=", ".join(found) or "nothing"))
    checks = sum(len(f.checks) for f in task.functions)
    return Outcome(EXIT_OK, SUMMARY.format(name=task.name, functions=len(task.functions), checks=checks,
                                           points=task.total, reference=reference, template=template,
                                           mutants=MUTANTS_DONE.format(n=len(mutants)) if mutants else ""))


def _listed(checks):
    """"train.mnist failed (accuracy 93.1% ...)", the first one with its message."""
    if not checks:
        return "no check says why"
    first, rest = checks[0], checks[1:]
    text = NOT_PASSED.format(id=first.id, status=first.status)
    if first.message:
        text += DETAIL.format(message=clip(" ".join(first.message.split()), MESSAGE_LIMIT))
    return ", ".join([text] + [NOT_PASSED.format(id=c.id, status=c.status) for c in rest])


def _grader_error(report):
    for f in report.functions:
        for c in f.checks:
            if c.grader_error:
                return f"{c.id}: {clip(' '.join(c.message.split()), MESSAGE_LIMIT)}"
    return clip(" ".join(" ".join(report.notes[:1]).split()), MESSAGE_LIMIT) or "see the report"


__all__ = ["EXIT_FAILED", "EXIT_INVALID", "EXIT_OK", "Outcome", "check_task"]
