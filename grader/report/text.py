"""The terminal report: per function its points, each check with a mark and its message.

Three views: "full" (the instructor's: everything, hidden checks marked), "student"
(hidden checks counted but not shown) and "check" (a student's self-check: public
checks only, with a short "what to fix first" list at the end).
"""
import textwrap

from ..result import GRADER_ERROR, LIMITS
from ..safetext import clip, safe

MARKS = {"passed": "✓", "failed": "✗", "error": "!"}
WIDTH = 78
CHECK_HEADER = ("Self-check of {submission}: public checks only ({points} of the task's points); "
                "hidden checks run when your work is graded.")
HIDDEN_LINE = "  + {n} hidden check{s} (counted in the score, not shown)"
FIX_FIRST = "What to fix first:"
ALL_PASS = "All public checks pass."
GRADER_ERROR_LINES = ("grader error, not your fault: this submission was not graded",
                      "(a problem of the grader's own; it must be graded again once that is fixed)")
GRADER_ERROR_SCORE = "Score: none (grader error, not your fault: not graded)"
MAX_LINES = 40                  # of any one wrapped piece of text
MORE_LINES = "... ({n} more lines)"


def _wrap(text, indent, limit=LIMITS["message"]):
    """``text`` clipped to ``limit`` characters (None: text built from clipped pieces, made
    safe only), wrapped, at most MAX_LINES lines."""
    text = safe(text) if limit is None else clip(text, limit)
    lines = "\n".join(textwrap.fill(line, WIDTH, initial_indent=indent, subsequent_indent=indent,
                                     break_on_hyphens=False)
                       for line in text.splitlines() if line.strip()).split("\n")
    if len(lines) > MAX_LINES:
        lines = lines[:MAX_LINES] + [indent + MORE_LINES.format(n=len(lines) - MAX_LINES)]
    return "\n".join(lines)


def _name(text):
    return clip(text, LIMITS["name"]).replace("\n", "\\n")


def _label(c):
    label = clip(c.description, LIMITS["description"]).replace("\n", " ")
    if c.end_to_end:
        label += "  [end-to-end]"
    if c.hidden:
        label += "  [hidden]"
    if not c.max_points:
        label += "  (no points)"
    elif c.status != "passed":
        label += f"  ({c.max_points} pt{'s' if c.max_points != 1 else ''})"
    return label


def _function(report, f):
    title = f"{_name(f.name)}{'  (missing)' if f.missing else ''}"
    out = [f"{title:<{WIDTH - 10}}{f.score:>4} / {f.max_score}"]
    for c in report.shown_checks(f):
        out.append(f"  {MARKS.get(c.status, '?')} {_label(c)}")
        if c.message:
            out.append(_wrap(c.message, "      "))
        if c.help and c.status != "passed":
            out.append(_wrap(f"hint: {clip(c.help, LIMITS['help'])}", "      ", None))
    hidden = len(f.checks) - len(report.shown_checks(f))
    if hidden:
        out.append(HIDDEN_LINE.format(n=hidden, s="s" if hidden != 1 else ""))
    for d in (d for d in report.shown_diagnoses() if d.get("function") == f.name):
        text = {k: clip(d.get(k, ""), LIMITS["diagnosis"]) for k in ("title", "explanation", "hint")}
        out.append(_wrap(f"→ likely bug: {text['title']} [{_name(d.get('id', ''))}]", "  ", None))
        out.append(_wrap(f"seen: {clip(d.get('evidence', ''), LIMITS['evidence'])}", "      ", None))
        out.append(_wrap(text["explanation"], "      ", None))
        out.append(_wrap(f"how to fix: {text['hint']}", "      ", None))
    return out


def fix_first(report, limit=3):
    """The first failing check of the first few failing functions, in task order.

    End-to-end checks come last: they usually fail because of a function before them.
    """
    firsts = []
    for f in report.functions:
        bad = [c for c in report.shown_checks(f) if c.status != "passed" and c.max_points]
        if bad:
            firsts.append((any(not c.end_to_end for c in bad), f, bad[0]))
    firsts.sort(key=lambda t: not t[0])          # stable: own failures first, in task order
    return [(f, c) for _, f, c in firsts[:limit]]


def render_text(report):
    """The report as text; every piece of it clipped (see result.LIMITS), so any message,
    however long or strange, gives a short report that encodes as UTF-8."""
    out = [*GRADER_ERROR_LINES, ""] if report.status == GRADER_ERROR else []
    submission = clip(report.submission, LIMITS["submission"]).replace("\n", "\\n")
    if report.view == "check":
        out += [_wrap(CHECK_HEADER.format(submission=submission, points=report.max_score), "", None), ""]
    else:
        out += [f"grader · task {_name(report.task)} · {submission}", ""]
    for f in report.functions:
        out += _function(report, f) + [""]
    if report.notes:
        out.append("Notes:")
        out.extend(_wrap(f"- {n}", "  ", None) for n in report.shown_notes())
        out.append("")
    if report.view == "check":
        todo = fix_first(report)
        out.append(FIX_FIRST if todo else ALL_PASS)
        bugs = {d.get("function"): d.get("title", "") for d in reversed(report.shown_diagnoses())}
        for i, (f, c) in enumerate(todo, 1):
            line = (f"{i}. {_name(f.name)}: {clip(c.description, LIMITS['description'])}" +
                    (f" — {clip(c.message, LIMITS['message'])}" if c.message else ""))
            if f.name in bugs:
                line += f" (likely bug: {clip(bugs[f.name], LIMITS['diagnosis'])})"
            out.append(_wrap(line, "  ", None))
        out.append("")
    if report.status == GRADER_ERROR:
        out.append(GRADER_ERROR_SCORE)
        return "\n".join(out) + "\n"
    hidden = report.hidden_count if report.view == "student" else 0
    out.append(f"Score: {report.score}/{report.max_score}" +
               (f" (including {hidden} hidden check{'s' if hidden != 1 else ''})" if hidden else ""))
    return "\n".join(out) + "\n"
