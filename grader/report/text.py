"""The terminal report: per function its points, each check with a mark and its message.

Three views: "full" (the instructor's: everything, hidden checks marked), "student"
(hidden checks counted but not shown) and "check" (a student's self-check: public
checks only, with a short "what to fix first" list at the end).
"""
import re
import textwrap

MARKS = {"passed": "✓", "failed": "✗", "error": "!"}
WIDTH = 78
CHECK_HEADER = ("Self-check of {submission}: public checks only ({points} of the task's points); "
                "hidden checks run when your work is graded.")
HIDDEN_LINE = "  + {n} hidden check{s} (counted in the score, not shown)"
FIX_FIRST = "What to fix first:"
ALL_PASS = "All public checks pass."


# control characters and bidirectional overrides could redraw or reorder a terminal's lines
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def safe(text):
    """Text from a submission with control characters shown as escapes, e.g. \\x1b."""
    return _UNSAFE.sub(lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 256
                       else f"\\u{ord(m.group()):04x}", text)


def _wrap(text, indent):
    return "\n".join(textwrap.fill(line, WIDTH, initial_indent=indent, subsequent_indent=indent,
                                    break_on_hyphens=False)
                     for line in safe(text).splitlines() if line.strip())


def _label(c):
    label = c.description
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
    title = f"{f.name}{'  (missing)' if f.missing else ''}"
    out = [f"{title:<{WIDTH - 10}}{f.score:>4} / {f.max_score}"]
    for c in report.shown_checks(f):
        out.append(f"  {MARKS[c.status]} {_label(c)}")
        if c.message:
            out.append(_wrap(c.message, "      "))
        if c.help and c.status != "passed":
            out.append(_wrap(f"hint: {c.help}", "      "))
    hidden = len(f.checks) - len(report.shown_checks(f))
    if hidden:
        out.append(HIDDEN_LINE.format(n=hidden, s="s" if hidden != 1 else ""))
    for d in (d for d in report.shown_diagnoses() if d.get("function") == f.name):
        out.append(_wrap(f"→ likely bug: {d['title']} [{d['id']}]", "  "))
        out.append(_wrap(f"seen: {d['evidence']}", "      "))
        out.append(_wrap(d["explanation"], "      "))
        out.append(_wrap(f"how to fix: {d['hint']}", "      "))
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
    if report.view == "check":
        out = [_wrap(CHECK_HEADER.format(submission=report.submission, points=report.max_score), ""), ""]
    else:
        out = [f"grader · task {report.task} · {report.submission}", ""]
    for f in report.functions:
        out += _function(report, f) + [""]
    if report.notes:
        out.append("Notes:")
        out.extend(_wrap(f"- {n}", "  ") for n in report.notes)
        out.append("")
    if report.view == "check":
        todo = fix_first(report)
        out.append(FIX_FIRST if todo else ALL_PASS)
        bugs = {d["function"]: d["title"] for d in reversed(report.shown_diagnoses())}
        for i, (f, c) in enumerate(todo, 1):
            line = f"{i}. {f.name}: {c.description}" + (f" — {c.message}" if c.message else "")
            out.append(_wrap(line + (f" (likely bug: {bugs[f.name]})" if f.name in bugs else ""), "  "))
        out.append("")
    hidden = report.hidden_count if report.view == "student" else 0
    out.append(f"Score: {report.score}/{report.max_score}" +
               (f" (including {hidden} hidden check{'s' if hidden != 1 else ''})" if hidden else ""))
    return "\n".join(out) + "\n"
