"""The terminal report: per function its points, each check with a mark and its message."""
import textwrap

MARKS = {"passed": "✓", "failed": "✗", "error": "!"}
WIDTH = 78


def _wrap(text, indent):
    return "\n".join(textwrap.fill(line, WIDTH, initial_indent=indent, subsequent_indent=indent)
                     for line in text.splitlines() if line.strip())


def render_text(report, color=False):
    out = [f"grader · task {report.task} · {report.submission}", ""]
    for f in report.functions:
        title = f"{f.name}{'  (missing)' if f.missing else ''}"
        out.append(f"{title:<{WIDTH - 10}}{f.score:>4} / {f.max_score}")
        for c in f.checks:
            label = c.description + ("  [end-to-end]" if c.end_to_end else "") + \
                (f"  ({c.max_points} pts)" if c.status != "passed" and c.max_points else "") + \
                ("  (no points)" if not c.max_points else "")
            out.append(f"  {MARKS[c.status]} {label}")
            if c.message:
                out.append(_wrap(c.message, "      "))
            if c.help and c.status != "passed":
                out.append(_wrap(f"hint: {c.help}", "      "))
        for d in (d for d in report.diagnoses if d.get("function") == f.name):
            out.append(f"  → {d['title']}")
            out.append(_wrap(d["explanation"], "      "))
            out.append(_wrap(f"how to fix: {d['hint']}", "      "))
        out.append("")
    if report.notes:
        out.append("Notes:")
        out.extend(_wrap(f"- {n}", "  ") for n in report.notes)
        out.append("")
    out.append(f"Score: {report.score}/{report.max_score}")
    return "\n".join(out) + "\n"
