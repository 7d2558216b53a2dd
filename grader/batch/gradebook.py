"""``grades.csv``: one row per student, for a spreadsheet or an LMS upload.

Columns, in order (docs/class-grading.md):

- ``id``, ``name``, ``email``: the student (the roster's name and email when it has them);
- ``file``: the file graded (empty when missing);
- ``status``: ``graded``; ``missing`` (on the roster, nothing submitted); ``ungraded`` (the
  file could not be read, was empty or could not be loaded: a 0 that is the student's to
  fix); ``grader_error`` (the grader failed twice: no score, grade it again);
- ``score``, ``max_score``, ``percent`` (one decimal); empty for missing and grader_error;
- one column per function of the task, in the task's order, named by the function
  (``<name> points`` if that name is one of the columns above): its points;
- ``diagnoses``: the ids of the bugs named, ``;``-joined, in report order;
- ``seconds``: how long its grading took (empty when missing);
- ``notes``: what the batch noticed (several files; not on the roster), ``;``-joined.

Rows are sorted by id. A cell that a spreadsheet would read as a formula (it starts with
``=``, ``+``, ``-``, ``@``) gets a leading ``'``: names come from students' file names.
"""
import csv
import io
from dataclasses import dataclass, field

from ..result import GRADER_ERROR

FIXED = ("id", "name", "email", "file", "status", "score", "max_score", "percent")
TRAILING = ("diagnoses", "seconds", "notes")
MISSING = "missing"
NOT_ON_ROSTER = "not on the roster"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass
class Row:
    """One student in the gradebook; ``record`` is None when nothing was submitted."""
    id: str
    name: str = ""
    email: str = ""
    folder: str = ""
    record: object = None       # records.Record
    notes: list = field(default_factory=list)

    @property
    def status(self):
        return self.record.status if self.record else MISSING

    @property
    def scored(self):
        """Whether this row has a score (graded or ungraded)."""
        return self.record is not None and self.record.status != GRADER_ERROR


def function_columns(task):
    return [f.name if f.name not in FIXED + TRAILING else f"{f.name} points" for f in task.functions]


def diagnosis_ids(report):
    return list(dict.fromkeys(d.get("id", "") for d in report.get("diagnoses", [])))


def _cell(value):
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def row_values(row, task):
    record = row.record
    values = {"id": row.id, "name": row.name, "email": row.email, "file": record.file if record else "",
              "status": row.status, "notes": "; ".join(row.notes)}
    if record:
        values["seconds"] = f"{record.seconds:.1f}"
    if row.scored:
        report = record.report
        values.update(score=report["score"], max_score=report["max_score"],
                      percent=f"{100 * report['score'] / report['max_score']:.1f}" if report["max_score"] else "",
                      diagnoses=";".join(diagnosis_ids(report)))
        points = {f["name"]: f["score"] for f in report["functions"]}
        for spec, column in zip(task.functions, function_columns(task)):
            values[column] = points.get(spec.name, "")
    return values


def render_gradebook(rows, task):
    columns = [*FIXED, *function_columns(task), *TRAILING]
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, columns, restval="", lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: _cell(v) for k, v in row_values(row, task).items()})
    return buffer.getvalue()
