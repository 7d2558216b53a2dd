"""JUnit XML (``--format junit``) for CI servers (GitLab, Jenkins, GitHub's test
reporters): one ``testsuite`` per function of the task, one ``testcase`` per check.

- a passed check: an empty ``testcase``;
- a failed check (a wrong answer, or the function is missing): ``failure``, its
  ``message`` the rationale, its text the rationale and the hint;
- an error (the student's code raised, hung or crashed): ``error``, ``type`` the
  student's (``student_code``) or, for a problem of the grader's own, ``grader_error``;
- a check that was not graded (the file could not be loaded: see the report's notes):
  ``skipped``.

Hidden checks follow the report's view: the instructor's (``run``) lists them, marked
``[hidden]``; the student view counts them in the suite's ``hidden_checks`` property
only; the self-check (``check``) does not run them. Each suite carries its points as
properties (``score``, ``max_score``, with the report's ``status``, ``view`` and
``submission``: JUnit's ``testsuites`` has no properties); the root adds up the counts.
Text from the submission is clipped and made printable (result.LIMITS) and then escaped
by the XML writer, so the document is always well-formed.
"""
import xml.etree.ElementTree as ET

from ..result import ERROR, FAILED, LIMITS, PASSED
from ..safetext import clip
from .text import NOT_GRADED, show_help


def _case_text(c):
    lines = [clip(c.message, LIMITS["message"])] if c.message else []
    if show_help(c):
        lines.append("hint: " + clip(c.help, LIMITS["help"]))
    return "\n".join(lines)


def outcome(c):
    """"passed", "failure", "error" or "skipped": how a check appears in JUnit."""
    if c.grader_error:
        return "error"
    if c.message == NOT_GRADED:
        return "skipped"
    if c.status == PASSED:
        return "passed"
    if c.status == ERROR:
        return "error"
    return "failure"


def _properties(parent, **values):
    props = ET.SubElement(parent, "properties")
    for name, value in values.items():
        ET.SubElement(props, "property", name=name, value=str(value))


def render_junit(report):
    task = clip(report.task, LIMITS["name"])
    root = ET.Element("testsuites", name=f"grader {task}")
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for f in report.functions:
        name = clip(f.name, LIMITS["name"])
        suite = ET.SubElement(root, "testsuite", name=name)
        _properties(suite, score=f.score, max_score=f.max_score, missing=str(f.missing).lower(),
                    hidden_checks=sum(c.hidden for c in f.checks), status=report.status, view=report.view,
                    submission=clip(report.submission, LIMITS["submission"]))
        counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
        for c in report.shown_checks(f):
            label = clip(c.description, LIMITS["description"]).replace("\n", " ")
            case = ET.SubElement(suite, "testcase", classname=f"{task}.{name}",
                                 name=f"{clip(c.id, LIMITS['name'])}: {label}"
                                      + (" [hidden]" if c.hidden else ""))
            counts["tests"] += 1
            kind = outcome(c)
            text = _case_text(c)
            first = (clip(c.message, LIMITS["message"]).splitlines() or [c.status])[0]
            if kind == "skipped":
                ET.SubElement(case, "skipped", message=first)
                counts["skipped"] += 1
            elif kind == "error":
                element = ET.SubElement(case, "error", message=first,
                                        type="grader_error" if c.grader_error else "student_code")
                element.text = text
                counts["errors"] += 1
            elif kind == "failure":
                element = ET.SubElement(case, "failure", message=first, type=FAILED)
                element.text = text
                counts["failures"] += 1
        for key, value in counts.items():
            suite.set(key, str(value))
            totals[key] += value
    for key, value in totals.items():
        root.set(key, str(value))
    ET.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
