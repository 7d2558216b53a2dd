"""Gradescope's results.json (its autograder specification, "Output format"): one
Gradescope test per check of the report.

- ``score``: the report's score (hidden checks count); ``output``: the report as
  released to students (the student view: hidden checks counted, not shown; the
  diagnoses those checks alone led to left out), as Markdown (``output_format: "md"``):
  the text report in a code block, so its layout and marks survive and nothing a
  submission printed is read as Markdown or HTML.
- ``tests``: one per check, numbered ``function.check`` (``3.2``), named
  ``function: description``, ``score``/``max_score`` its points, ``status``
  ``passed`` or ``failed`` (Gradescope has no third state: an error is a failed test
  whose output starts with ``error:``), ``output`` the rationale and the hint. Public
  checks are ``visible``; hidden ones get ``visibility`` (``after_published`` by
  default), so students never see them, their name included, before the instructor
  publishes the grades.
- ``stdout_visibility: "hidden"``: what the autograder printed is for staff.
- A grader error (``status: grader_error``): ``score`` 0 only because Gradescope's
  format has no "not graded" (a results.json without a score is invalid), an
  ``output`` that says plainly the submission was not graded and is not the student's
  fault, no tests, and ``extra_data.grader_status`` set so staff can find and regrade it.

Why a test is a check and not a function: visibility is per test, and a function mixes
public and hidden checks (softmax has both), so a test per function would either show a
hidden check's result or hide public feedback; and a check is the unit that passes or
fails, so Gradescope's green and red mean what the report means.
"""
import json
import re
from dataclasses import replace

from ..result import ERROR, GRADER_ERROR, LIMITS, PASSED
from ..safetext import clip
from .text import render_text, show_help

VISIBILITIES = ("hidden", "after_due_date", "after_published", "visible")
DEFAULT_HIDDEN_VISIBILITY = "after_published"
GRADER_ERROR_OUTPUT = ("**Grader error, not your fault: this submission was not graded.** "
                       "The score of 0 is a placeholder, not a grade: a problem of the grader's "
                       "own kept your file from being graded, and your instructor will grade it "
                       "again once it is fixed. You do not need to resubmit.")
NO_SUBMISSION_TITLE = "**Nothing was graded: {reason}**"


def code_block(text):
    """``text`` as a fenced Markdown code block: the fence is longer than any run of
    backticks inside, so no text can close it early."""
    longest = max((len(m) for m in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}text\n{text.rstrip()}\n{fence}"


def _student_view(report):
    """The report as students may see it: the self-check stays a self-check."""
    return report if report.view in ("student", "check") else replace(report, view="student")


def _check_output(c):
    lines = []
    message = clip(c.message, LIMITS["message"]).strip()
    if c.status == ERROR:
        lines.append("error: " + (message or "your code raised an error"))
    elif message:
        lines.append(message)
    if show_help(c):
        lines.append("hint: " + clip(c.help, LIMITS["help"]).strip())
    if c.end_to_end:
        lines.append("(end-to-end: uses several of your functions)")
    return "\n".join(lines) if lines else ("passed" if c.status == PASSED else c.status)


def _tests(report, visibility):
    tests = []
    for i, f in enumerate(report.functions, start=1):
        for j, c in enumerate(f.checks, start=1):
            name = f"{clip(f.name, LIMITS['name'])}: {clip(c.description, LIMITS['description'])}"
            tests.append({
                "name": name.replace("\n", " ") + (" [hidden]" if c.hidden else ""),
                "number": f"{i}.{j}",
                "score": c.points, "max_score": c.max_points,
                "status": "passed" if c.status == PASSED else "failed",
                "output": _check_output(c),
                "output_format": "text",
                "visibility": visibility if c.hidden else "visible",
            })
    return tests


def results(report, visibility=DEFAULT_HIDDEN_VISIBILITY, execution_time=None):
    """The results.json document (a dict) of a report."""
    if visibility not in VISIBILITIES:
        raise ValueError(f"visibility must be one of {', '.join(VISIBILITIES)}, not {visibility!r}")
    text = render_text(_student_view(report))
    doc = {"score": report.score}
    if execution_time is not None:
        doc["execution_time"] = max(0, int(round(execution_time)))
    if report.status == GRADER_ERROR:
        doc.update(score=0, output=GRADER_ERROR_OUTPUT + "\n\n" + code_block(text), tests=[])
    else:
        doc.update(output=code_block(text), tests=_tests(report, visibility))
    doc.update(output_format="md", visibility="visible", stdout_visibility="hidden",
               extra_data={"grader_status": report.status, "max_score": report.max_score,
                           "task": clip(report.task, LIMITS["name"]),
                           "task_digest": report.task_digest})
    return doc


def message_results(reason, detail="", status="ungraded", execution_time=None):
    """A results.json for a run that graded nothing: no file to grade (the student's to
    fix: ``status`` "ungraded", score 0) or the autograder failed (``status``
    "grader_error": the score is a placeholder and the output says so)."""
    if status == GRADER_ERROR:
        output = GRADER_ERROR_OUTPUT + ("\n\n" + code_block(detail) if detail else "")
    else:
        output = NO_SUBMISSION_TITLE.format(reason=reason) + ("\n\n" + detail if detail else "")
    doc = {"score": 0}
    if execution_time is not None:
        doc["execution_time"] = max(0, int(round(execution_time)))
    doc.update(output=output, output_format="md", visibility="visible", stdout_visibility="hidden",
               tests=[], extra_data={"grader_status": status})
    return doc


def dumps(doc):
    return json.dumps(doc, indent=2, allow_nan=False, default=str) + "\n"


def render_gradescope(report, visibility=DEFAULT_HIDDEN_VISIBILITY, execution_time=None):
    """``--format gradescope``: the results.json of one file (without ``execution_time``,
    which only the autograder, timing the whole run, adds)."""
    return dumps(results(report, visibility, execution_time))


__all__ = ["VISIBILITIES", "code_block", "message_results", "render_gradescope", "results"]
