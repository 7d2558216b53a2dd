"""The terminal report: per function its points, each check with a mark and its message.

Three views: "full" (the instructor's: everything, hidden checks marked), "student"
(hidden checks counted but not shown) and "check" (a student's self-check: public
checks only, with a short "what to fix first" list at the end).
"""
import textwrap

from ..result import ERROR, FAILED, GRADER_ERROR, LIMITS, PASSED
from ..safetext import clip, safe

MARKS = {"passed": "✓", "failed": "✗", "error": "!"}
LEGEND = "✓ passed   ✗ failed (wrong or not defined)   ! error (raised, hung or crashed)"
PENDING_MARK = "…"             # a student kit could not grade the check: graded after submission
PENDING_LEGEND = "… graded after submission (this kit cannot check it yet)"
PENDING_SCORE = " ({points} more point{s} graded after submission)"
WIDTH = 78
CHECK_HEADER = ("Self-check of {submission}: public checks only ({points} of the task's points); "
                "hidden checks run when your work is graded.")
HIDDEN_LINE = "  + {n} hidden check{s} (counted in the score, not shown)"
PRINTED_LINE = "      your code printed:"
FIX_FIRST = "What to fix first:"
ALL_PASS = "All public checks pass."
ONLY_TO_WRITE = "Nothing you have written fails a public check; the functions above are still to write."
NOTHING_GRADED = "Nothing was graded: see the notes."
# Functions every check of which says the same thing are listed on one line, by group:
# (the engine's message for each check, the group's line). The messages are the engine's
# own (grader/engine.py NOT_IMPLEMENTED and MISSING; grade.py SEE_NOTES; a test keeps
# them equal).
NOT_WRITTEN = "{name} is not implemented yet (it raises NotImplementedError)"
NOT_DEFINED = "{name} is not defined in your file"
NOT_GRADED = "not graded (see the notes)"
GROUPS = (
    ("not-written", ERROR, NOT_WRITTEN,
     "{n} function{s} not written yet (raising NotImplementedError), {points} point{ps}:"),
    ("not-defined", FAILED, NOT_DEFINED, "{n} function{s} not defined, {points} point{ps}:"),
    ("not-graded", None, NOT_GRADED, "{n} function{s} not graded (see the notes), {points} point{ps}:"),
)
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


def mark(c):
    """The check's mark: MARKS by status, PENDING_MARK for a check a kit could not grade."""
    return PENDING_MARK if c.pending else MARKS.get(c.status, "?")


def show_help(c):
    """Whether a check's hint is shown: only when it did not pass, and not when the call
    hung or its process ended (the hint is about a wrong value, which a timeout is not)."""
    return bool(c.help) and c.status != PASSED and \
        (c.facts or {}).get("call_error") not in ("timeout", "crash")


def group_of(f):
    """The group (see GROUPS) of a function every check of which says it was not written,
    not defined or not graded; None for any other function."""
    if not f.checks:
        return None
    for key, status, message, _ in GROUPS:
        text = message.format(name=f.name)
        if all(c.message == text and (status is None or c.status == status) for c in f.checks):
            return key
    return None


def grouped(report):
    """[(group line, [function names])] for the functions listed by group, in GROUPS order."""
    out = []
    for key, _, _, line in GROUPS:
        functions = [f for f in report.functions if group_of(f) == key]
        if functions:
            n, points = len(functions), sum(f.max_score for f in functions)
            out.append((line.format(n=n, s="s" if n != 1 else "", points=points, ps="s" if points != 1 else ""),
                        [f.name for f in functions]))
    return out


def _function(report, f):
    title = f"{_name(f.name)}{'  (missing)' if f.missing else ''}"
    out = [f"{title:<{WIDTH - 10}}{f.score:>4} / {f.max_score}"]
    for c in report.shown_checks(f):
        out.append(f"  {mark(c)} {_label(c)}")
        if c.message:
            out.append(_wrap(c.message, "      "))
        if show_help(c):
            out.append(_wrap(f"hint: {clip(c.help, LIMITS['help'])}", "      ", None))
        if c.output:
            out.append(PRINTED_LINE)
            out.extend("      | " + line for line in safe(clip(c.output, LIMITS["output"])).splitlines())
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


def fix_first(report, limit=3, helpers=None):
    """The first failing check of the few functions whose fixing unblocks the most points.

    A function ranks by the points it loses plus the points lost by the failing functions
    that call it (its callers in the task's ``helpers``): when the student runs their own
    code, a helper's bug is in the way of every caller, even though the grade gives each
    caller a correct stand-in. Ties go to the helper more functions call, then task order.
    Functions not written yet (see GROUPS) are left to their own line.
    ``helpers``: {function: its helpers}; None: the report's (Report.helpers, the graph of
    the task it was graded against).
    """
    if helpers is None:
        helpers = report.helpers
    order = {f.name: i for i, f in enumerate(report.functions)}
    callers = {}
    for name, names in helpers.items():
        for helper in names:
            callers.setdefault(helper, set()).add(name)
    failing = {}
    for f in report.functions:
        bad = [c for c in report.shown_checks(f) if c.status != PASSED and c.max_points and not c.pending]
        if bad and group_of(f) is None:
            failing[f.name] = (f, bad[0], f.max_score - f.score)
    def key(name):
        f, _, loss = failing[name]
        blocked = sum(failing[g][2] for g in callers.get(name, ()) if g in failing)
        return (-(loss + blocked), -len(callers.get(name, ())), order[name])
    return [failing[name][:2] for name in sorted(failing, key=key)[:limit]]


def fix_first_headline(report, todo):
    """The line above the "what to fix first" list (``todo``: fix_first's answer)."""
    if todo:
        return FIX_FIRST
    groups = {group_of(f) for f in report.functions}
    return ONLY_TO_WRITE if groups & {"not-written", "not-defined"} else \
        NOTHING_GRADED if "not-graded" in groups else ALL_PASS


def render_text(report):
    """The report as text; every piece of it clipped (see result.LIMITS), so any message,
    however long or strange, gives a short report that encodes as UTF-8."""
    out = [*GRADER_ERROR_LINES, ""] if report.status == GRADER_ERROR else []
    submission = clip(report.submission, LIMITS["submission"]).replace("\n", "\\n")
    if report.view == "check":
        out += [_wrap(CHECK_HEADER.format(submission=submission, points=report.max_score), "", None), ""]
    else:
        out += [f"grader · task {_name(report.task)} · {submission}", ""]
    shown = [f for f in report.functions if group_of(f) is None]
    if any(report.shown_checks(f) for f in shown):
        out += [LEGEND, PENDING_LEGEND, ""] if report.pending_points else [LEGEND, ""]
    for f in shown:
        out += _function(report, f) + [""]
    for line, names in grouped(report):
        out += [line, _wrap(", ".join(_name(n) for n in names), "  ", None), ""]
    if report.notes:
        out.append("Notes:")
        out.extend(_wrap(f"- {n}", "  ", None) for n in report.shown_notes())
        out.append("")
    if report.view == "check":
        todo = fix_first(report)
        out.append(_wrap(fix_first_headline(report, todo), "", None))
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
    pending = report.pending_points
    out.append(f"Score: {report.score}/{report.max_score}" +
               (f" (including {hidden} hidden check{'s' if hidden != 1 else ''})" if hidden else "") +
               (PENDING_SCORE.format(points=pending, s="s" if pending != 1 else "") if pending else ""))
    return "\n".join(out) + "\n"
