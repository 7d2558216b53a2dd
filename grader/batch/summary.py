"""The class view: ``summary.json`` (its shape is fixed: summary.html is rendered from it)
and ``summary.txt``, the same for a terminal.

Who counts where:

- ``counts``: every row of grades.csv by status;
- ``mean_score``, ``median_score``, ``histogram`` (of percent, ten bins, the last one
  holding 100) and ``functions[].mean_points``: the students with a score (graded and
  ungraded: an empty or unreadable file is a real 0; missing and grader errors are not);
- ``checks`` (pass rate, fewest passed first) and ``diagnoses`` (count, ``share`` of the
  graded students, most common first): the graded students, from their full reports
  (hidden checks included and marked);
- ``grader_errors``: every grader error with its reason; ``slowest``: the ten slowest
  gradings (seconds are kept out of the reports, so these come from the records).
"""
import json
import statistics

from .. import __version__
from ..result import GRADED, GRADER_ERROR, PASSED, UNGRADED
from ..safetext import clip
from .gradebook import MISSING

EDGES = list(range(0, 101, 10))
SLOWEST = 10
SEE_NOTES = "not graded (see the notes)"


def _reason(report):
    """Why a grader error happened, in the report's words."""
    for f in report.get("functions", []):
        for c in f.get("checks", []):
            if c.get("grader_error") and c.get("message") and c["message"] != SEE_NOTES:
                return c["message"]
    notes = report.get("notes", [])
    return next((n for n in notes if "grader error" in n), notes[-1] if notes else "")


def build_summary(rows, task):
    scored = [r for r in rows if r.scored]
    graded = [r for r in rows if r.status == GRADED]
    scores = [r.record.report["score"] for r in scored]
    counts = {s: sum(r.status == s for r in rows) for s in (GRADED, MISSING, UNGRADED, GRADER_ERROR)}
    histogram = [0] * (len(EDGES) - 1)
    for score in scores:
        percent = 100 * score / task.total if task.total else 0
        histogram[min(int(percent // 10), len(histogram) - 1)] += 1
    points = {}
    for r in scored:
        for f in r.record.report["functions"]:
            points.setdefault(f["name"], []).append(f["score"])
    outcomes = {}                       # check id -> [passed?] over graded students
    found = {}                          # diagnosis id -> (first dict, [students])
    for r in graded:
        for f in r.record.report["functions"]:
            for c in f["checks"]:
                outcomes.setdefault(c["id"], []).append(c["status"] == PASSED)
        for d in r.record.report.get("diagnoses", []):
            entry = found.setdefault(d.get("id", ""), (d, []))
            if r.id not in entry[1]:
                entry[1].append(r.id)
    checks = []
    for spec in task.functions:
        for c in spec.checks:
            seen = outcomes.get(c.id, [])
            checks.append({"id": c.id, "function": spec.name, "description": c.description,
                           "hidden": c.hidden, "graded": len(seen), "passed": sum(seen),
                           "pass_rate": round(sum(seen) / len(seen), 4) if seen else 0.0})
    checks.sort(key=lambda c: (c["pass_rate"], c["id"]))
    diagnoses = [{"id": i, "title": d.get("title", ""), "function": d.get("function", ""),
                  "count": len(students), "share": round(len(students) / len(graded), 4),
                  "students": sorted(students)}
                 for i, (d, students) in found.items()]
    diagnoses.sort(key=lambda d: (-d["count"], d["id"]))
    timed = sorted((r for r in rows if r.record), key=lambda r: (-r.record.seconds, r.id))
    return {
        "task": task.name, "grader_version": __version__, "task_digest": task.digest,
        "students": len(rows), "counts": counts, "max_score": task.total,
        "mean_score": round(statistics.fmean(scores), 2) if scores else None,
        "median_score": float(statistics.median(scores)) if scores else None,
        "histogram": {"edges": EDGES, "counts": histogram},
        "functions": [{"name": f.name, "max_score": f.points,
                       "mean_points": round(statistics.fmean(points[f.name]), 2) if points.get(f.name) else 0.0}
                      for f in task.functions],
        "checks": checks,
        "diagnoses": diagnoses,
        "grader_errors": [{"student": r.id, "file": r.record.file, "reason": _reason(r.record.report)}
                          for r in rows if r.status == GRADER_ERROR],
        "slowest": [{"student": r.id, "seconds": round(r.record.seconds, 2)} for r in timed[:SLOWEST]],
    }


def render_summary_json(summary):
    return json.dumps(summary, indent=2, allow_nan=False) + "\n"


HEADER = "Class summary · task {task} · {students} student{s}"
COUNTS = "graded {graded}, ungraded {ungraded}, missing {missing}, grader error {grader_error}"
SCORES = "score: mean {mean} / {max}, median {median}"
NO_SCORES = "score: none yet"
BUG_LINE = "  {share:>4.0%} ({count} of {graded})  {id}: {title}"
CHECK_LINE = "  {rate:>4.0%} ({passed}/{graded})  {id}{marker}: {description}"
BAR = 30


def render_summary_text(summary):
    s = summary
    graded = s["counts"]["graded"]
    out = [HEADER.format(task=s["task"], students=s["students"], s="" if s["students"] == 1 else "s"),
           COUNTS.format(**s["counts"]),
           SCORES.format(mean=s["mean_score"], max=s["max_score"], median=s["median_score"])
           if s["mean_score"] is not None else NO_SCORES, ""]
    top = max(s["histogram"]["counts"]) or 1
    out.append("scores (percent of the points):")
    for lo, n in zip(s["histogram"]["edges"], s["histogram"]["counts"]):
        out.append(f"  {lo:>3}-{lo + 10:<3} {'#' * round(BAR * n / top):<{BAR}} {n}")
    out += ["", "points per function (mean / max):"]
    width = max((len(f["name"]) for f in s["functions"]), default=0)
    out += [f"  {f['name']:<{width}}  {f['mean_points']:>6.2f} / {f['max_score']}" for f in s["functions"]]
    if s["diagnoses"]:
        out += ["", "most common bugs (share of the graded students):"]
        for d in s["diagnoses"]:
            out.append(clip(BUG_LINE.format(graded=graded, **d), 300))
            out.append(clip("        " + ", ".join(d["students"]), 300))
    failing = [c for c in s["checks"] if c["graded"] and c["pass_rate"] < 1][:10]
    if failing:
        out += ["", "checks passed least:"]
        out += [clip(CHECK_LINE.format(rate=c["pass_rate"], marker=" [hidden]" if c["hidden"] else "", **c), 300)
                for c in failing]
    if s["grader_errors"]:
        out += ["", "grader errors (not graded, no score: grade them again):"]
        out += [clip(f"  {e['student']} ({e['file']}): {e['reason']}", 300).replace("\n", " ")
                for e in s["grader_errors"]]
    if s["slowest"]:
        out += ["", "slowest gradings:"]
        out += [clip(f"  {t['seconds']:>7.1f} s  {t['student']}", 300) for t in s["slowest"]]
    return "\n".join(out) + "\n"
