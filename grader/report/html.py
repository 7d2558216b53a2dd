"""The HTML reports: a student's feedback page and the class summary.

Each is one self-contained file: inline CSS, figures as base64 PNG (plots.py), no script
and nothing fetched (a Content-Security-Policy says so to the browser too), readable on
a phone (viewport meta, one column, wide tables scroll inside their box). The templates
are package data (templates/), rendered by jinja2 with autoescaping on: every piece of
text that may come from a submission (messages, notes, evidence, names) is escaped, and
clipped as in the text report (result.LIMITS).

The student page honours ``report.view`` as the text report does: the student and
self-check views never show a hidden check's content (Report.shown_checks,
shown_diagnoses, shown_notes), only their number. Figures come from check facts when the
grader recorded them: ``facts["curve"]`` (the training curve beside the reference's) and
``facts["confusion"]`` (the confusion matrix of the student's predictions); a check
without them, or with facts that cannot be drawn, simply has no figure.

jinja2 and matplotlib are imported by this module only, and it is imported only when HTML
is rendered (report/__init__.py), so text and JSON grading do not load them.
"""
import base64
import math

import jinja2

from .. import __version__
from ..result import GRADER_ERROR, LIMITS, PASSED
from ..safetext import clip
from . import plots
from .text import (CHECK_HEADER, GRADER_ERROR_LINES, MARKS, PENDING_MARK, fix_first, fix_first_headline, grouped,
                   group_of, mark, show_help)

LEGEND = [("passed", MARKS["passed"], "passed"),
          ("failed", MARKS["failed"], "failed: a wrong answer, or not defined"),
          ("error", MARKS["error"], "error: the code raised, hung or crashed")]
PENDING_LEGEND = ("pending", PENDING_MARK, "graded after submission: this kit cannot check it yet")
CURVE_ALT = "Your {metric} per epoch (solid) beside the reference's (dashed), same data and seed"
CONFUSION_ALT = "Confusion matrix of your predictions: rows are the true labels, columns the predicted ones"
MAX_STUDENTS_OPEN = 12          # a diagnosis lists this many students openly, more in a <details>
_ENVIRONMENT = None


def _environment():
    global _ENVIRONMENT
    if _ENVIRONMENT is None:
        _ENVIRONMENT = jinja2.Environment(
            loader=jinja2.PackageLoader("grader.report", "templates"),
            autoescape=True, undefined=jinja2.StrictUndefined,
            trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    return _ENVIRONMENT


def _data_uri(png):
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii") if png else None


def _text(value, limit):
    return clip(value, LIMITS[limit]) if value not in (None, "") else ""


def _points(n):
    return f"{n} pt{'s' if n != 1 else ''}"


# ---------------------------------------------------------------- the student page
def _figures(check):
    """The figures one check's facts allow: [{"src", "alt", "caption"}]."""
    facts = check.facts or {}
    figures = []
    curve = facts.get("curve")
    src = _data_uri(plots.curve_png(curve)) if curve is not None else None
    if src:
        metric = plots.curve_label(curve)
        if curve.get("reference") is not None:
            alt, caption = CURVE_ALT.format(metric=metric), \
                f"Your {metric} per epoch beside the reference's, on the same data and seed."
        else:
            alt = caption = f"Your {metric} after each epoch of the check's training run" + \
                (", and the level the check needs (dotted)." if curve.get("threshold") is not None else ".")
        figures.append({"src": src, "alt": alt, "caption": caption})
    confusion = facts.get("confusion")
    src = _data_uri(plots.confusion_png(confusion)) if confusion is not None else None
    if src:
        total = sum(map(sum, confusion))
        right = sum(confusion[i][i] for i in range(len(confusion)))
        figures.append({"src": src, "alt": CONFUSION_ALT,
                        "caption": f"What your predictions were, by true label: {right} of {total} right "
                                   "(the diagonal)."})
    return figures


def _check(c):
    label = _text(c.description, "description")
    status = "pending" if c.pending else c.status if c.status in MARKS else "unknown"
    return {"status": status, "mark": mark(c),
            "label": label, "end_to_end": c.end_to_end, "hidden": c.hidden,
            "points": "no points" if not c.max_points else
                      (_points(c.max_points) if c.status != PASSED else f"{c.points} / {c.max_points}"),
            "message": _text(c.message, "message"),
            "hint": _text(c.help, "help") if show_help(c) else "",
            "output": _text(c.output, "output"),
            "figures": _figures(c)}


def _diagnosis(d):
    return {"id": _text(d.get("id"), "name"), "title": _text(d.get("title"), "diagnosis"),
            "evidence": _text(d.get("evidence"), "evidence"),
            "explanation": _text(d.get("explanation"), "diagnosis"), "hint": _text(d.get("hint"), "diagnosis")}


def _function(report, f):
    shown = report.shown_checks(f)
    checks = [_check(c) for c in shown]
    complete = all(c.status == PASSED for c in f.checks) and f.score == f.max_score
    return {"name": _text(f.name, "name"), "score": f.score, "max_score": f.max_score, "missing": f.missing,
            "complete": complete, "open": not complete or any(c["figures"] for c in checks),
            "checks": checks, "hidden": len(f.checks) - len(shown),
            "diagnoses": [_diagnosis(d) for d in report.shown_diagnoses() if d.get("function") == f.name]}


def _fix_first(report):
    if report.view != "check":
        return None
    todo = fix_first(report)
    headline = fix_first_headline(report, todo)
    bugs = {d.get("function"): d.get("title", "") for d in reversed(report.shown_diagnoses())}
    return {"headline": headline, "entries": [
        {"function": _text(f.name, "name"), "description": _text(c.description, "description"),
         "message": _text(c.message, "message"), "bug": _text(bugs.get(f.name), "diagnosis")}
        for f, c in todo]}


def report_context(report):
    """What the student page shows, as plain, clipped data for the templates."""
    status = report.status
    submission = _text(report.submission, "submission")
    score, max_score = report.score, report.max_score
    return {
        "title": f"{_text(report.task, 'name')} · {submission}", "grader_version": __version__,
        "task": _text(report.task, "name"), "submission": submission, "view": report.view,
        "grader_error": status == GRADER_ERROR, "grader_error_lines": GRADER_ERROR_LINES,
        "check_header": CHECK_HEADER.format(submission=submission, points=max_score)
                        if report.view == "check" else "",
        "score": score, "max_score": max_score,
        "percent": round(100 * score / max_score) if max_score else 0,
        "hidden_count": report.hidden_count if report.view == "student" else 0,
        "legend": LEGEND + [PENDING_LEGEND] if report.pending_points else LEGEND,
        "pending_points": report.pending_points,
        "functions": [_function(report, f) for f in report.functions if group_of(f) is None],
        "groups": [{"line": line, "names": ", ".join(_text(n, "name") for n in names)}
                   for line, names in grouped(report)],
        "notes": report.shown_notes(),
        "fix_first": _fix_first(report),
    }


def render_html(report):
    """The student page: one self-contained HTML document."""
    return _environment().get_template("report.html.j2").render(page=report_context(report), fragment=False)


def render_html_fragment(report):
    """The student page's body (its styles scoped to it), for a notebook cell's output."""
    return _environment().get_template("report_body.html.j2").render(page=report_context(report),
                                                                      fragment=True)


# ---------------------------------------------------------------- the class summary
def _number(value, digits=1):
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        return "—"
    return f"{value:.{digits}f}"


def _share(value):
    """A fraction (0.31) as a percentage ("31%")."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        return "—"
    return f"{100 * value:.0f}%"


def _width(part, whole):
    """A bar's width in percent, 0-100, for a style attribute (a number, never text)."""
    try:
        return max(0.0, min(100.0, round(100.0 * float(part) / float(whole), 1))) if whole else 0.0
    except (TypeError, ValueError):
        return 0.0


def _int(value):
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def summary_context(summary):
    """What the class summary shows, as plain, clipped data for the template."""
    counts = summary.get("counts", {})
    histogram = summary.get("histogram", {})
    diagnoses = sorted(summary.get("diagnoses", []), key=lambda d: (-_int(d.get("count")), str(d.get("id"))))
    # most failed first; a check no one was graded on has no rate and comes last
    checks = sorted(summary.get("checks", []),
                    key=lambda c: (not _int(c.get("graded")),
                                   c.get("pass_rate") if isinstance(c.get("pass_rate"), (int, float)) else 2,
                                   str(c.get("id"))))
    return {
        "title": f"{_text(summary.get('task'), 'name')} · class summary",
        "task": _text(summary.get("task"), "name"),
        "grader_version": _text(summary.get("grader_version"), "name"),
        "task_digest": _text(summary.get("task_digest"), "name")[:12],
        "students": _int(summary.get("students")),
        "counts": [(key, _int(counts.get(key))) for key in ("graded", "missing", "ungraded", "grader_error")],
        "max_score": _int(summary.get("max_score")),
        "mean_score": _number(summary.get("mean_score")), "median_score": _number(summary.get("median_score")),
        "histogram": _data_uri(plots.histogram_png(histogram.get("edges"), histogram.get("counts"))),
        "bugs_chart": _data_uri(plots.bugs_png([(d.get("id", ""), d.get("count"), d.get("share"))
                                                for d in diagnoses])),
        "functions": [{"name": _text(f.get("name"), "name"), "mean": _number(f.get("mean_points")),
                       "max": _int(f.get("max_score")), "width": _width(f.get("mean_points"), f.get("max_score"))}
                      for f in summary.get("functions", [])],
        "checks": [{"id": _text(c.get("id"), "name"), "function": _text(c.get("function"), "name"),
                    "description": _text(c.get("description"), "description"), "hidden": bool(c.get("hidden")),
                    "passed": _int(c.get("passed")), "graded": _int(c.get("graded")),
                    "rate": _share(c.get("pass_rate")), "width": _width(c.get("pass_rate"), 1)}
                   for c in checks],
        "diagnoses": [{"id": _text(d.get("id"), "name"), "title": _text(d.get("title"), "diagnosis"),
                       "function": _text(d.get("function"), "name"), "count": _int(d.get("count")),
                       "share": _share(d.get("share")),
                       "students": [_text(s, "name") for s in d.get("students", [])],
                       "open": len(d.get("students", [])) <= MAX_STUDENTS_OPEN}
                      for d in diagnoses],
        "grader_errors": [{"student": _text(e.get("student"), "name"), "file": _text(e.get("file"), "submission"),
                           "reason": _text(e.get("reason"), "message")} for e in summary.get("grader_errors", [])],
        "slowest": [{"student": _text(s.get("student"), "name"), "seconds": _number(s.get("seconds"))}
                    for s in summary.get("slowest", [])],
    }


def render_summary_html(summary):
    """The class summary (the dict batch grading writes as summary.json) as one
    self-contained HTML document."""
    return _environment().get_template("summary.html.j2").render(page=summary_context(summary))
