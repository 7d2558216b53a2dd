"""``grader run DIR --out OUT --lms canvas|moodle --roster EXPORT.csv``: the file the LMS
imports, beside grades.csv (docs/class-grading.md).

- Canvas (Grades > Import, "How do I import grades in the Gradebook?"): a CSV with the
  gradebook export's columns ``Student``, ``ID``, ``SIS User ID``, ``SIS Login ID``,
  ``Section`` (Canvas matches a row by ``ID``, else the SIS ids), then one assignment
  column named ``<assignment name> (<assignment id>)``: the export's column for this task
  (named by the task's title; else the export's only assignment column), else the task's
  title alone, which Canvas imports as a new assignment. The second line is the export's
  ``Points Possible`` row, with the task's points. Written to ``OUT/canvas_import.csv``.
- Moodle (Grades > Import > CSV file, "Import grades from CSV"): an identifier column that
  the import maps to a user field (``Email address``, else ``ID number``), then the grade
  column, mapped to the grade item at import: the export's ``Assignment: <task title>
  (Real)`` column when it has one, else the task's title. Written to
  ``OUT/moodle_import.csv``.

One row per student of the roster export, in its order, with the score grades.csv gives
(``graded`` or ``ungraded``); a student with a grader error, or missing, gets an empty cell,
never 0. Submissions that are not on the roster are not in the file (the LMS has no such
student); grades.csv has them.
"""
import csv
import io
import re

from .gradebook import row_values
from .roster import CANVAS, MOODLE

FILES = {CANVAS: "canvas_import.csv", MOODLE: "moodle_import.csv"}
CANVAS_COLUMNS = ("Student", "ID", "SIS User ID", "SIS Login ID", "Section")
CANVAS_POINTS_POSSIBLE = "    Points Possible"          # as Canvas's export writes it
CANVAS_ASSIGNMENT = re.compile(r"^(?P<name>.*\S)\s*\((?P<id>\d+)\)$")
CANVAS_NOT_ASSIGNMENTS = {c.casefold() for c in (*CANVAS_COLUMNS, "Integration ID", "Root Account")}
MOODLE_IDENTIFIERS = ("Email address", "ID number")
MOODLE_GRADE = re.compile(r"^(?:[^:]+:\s*)?(?P<name>.*?)\s*\((?:Real|Percentage|Letter)\)$")
NEEDS_ROSTER = "--lms {lms}: give --roster, the class list exported from {name} (its students' ids)"


def lms_file(lms):
    return FILES[lms]


def scores(rows, task):
    """{student id: grades.csv's score cell} ("" for missing and grader_error)."""
    return {row.id: str(row_values(row, task).get("score", "")) for row in rows}


def _by_name(columns):
    return {c.casefold(): c for c in columns}


def canvas_assignment_column(roster, task):
    """The export's column for this task, else the task's title (a new assignment)."""
    candidates = [c for c in roster.columns
                  if c.casefold() not in CANVAS_NOT_ASSIGNMENTS and CANVAS_ASSIGNMENT.match(c)]
    named = [c for c in candidates if CANVAS_ASSIGNMENT.match(c)["name"].casefold() == task.title.casefold()]
    if len(named) == 1:
        return named[0]
    return candidates[0] if len(candidates) == 1 else task.title


def moodle_grade_column(roster, task):
    named = [c for c in roster.columns if (m := MOODLE_GRADE.match(c)) and m["name"].casefold() == task.title.casefold()]
    return named[0] if named else task.title


def render_canvas(roster, rows, task):
    column = canvas_assignment_column(roster, task)
    grade = scores(rows, task)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([*CANVAS_COLUMNS, column])
    writer.writerow([CANVAS_POINTS_POSSIBLE, "", "", "", "", task.total])
    for person in roster.people:
        cells = {c.casefold(): v for c, v in roster.cells.get(person.id, {}).items()}
        cells.update(student=person.name, id=person.id)
        writer.writerow([*(cells.get(c.casefold(), "") for c in CANVAS_COLUMNS), grade.get(person.id, "")])
    return buffer.getvalue()


def render_moodle(roster, rows, task):
    header = _by_name(roster.columns)
    identifier = next((c for c in MOODLE_IDENTIFIERS if c.casefold() in header), "Email address")
    column = moodle_grade_column(roster, task)
    grade = scores(rows, task)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([identifier, column])
    for person in roster.people:
        cells = roster.cells.get(person.id, {})
        if identifier.casefold() in header:
            value = cells.get(header[identifier.casefold()], "")
        else:                               # a plain roster: id, name, email
            value = person.email
        writer.writerow([value, grade.get(person.id, "")])
    return buffer.getvalue()


RENDER = {CANVAS: render_canvas, MOODLE: render_moodle}


def render_lms(lms, roster, rows, task):
    return RENDER[lms](roster, rows, task)
