"""``--roster CSV``: the class list (columns id, name, email; a header line is required), or
an LMS's own export of it, read by its header:

- ``plain``: the columns ``id``, ``name``, ``email`` (any order and case);
- ``canvas``: Canvas's gradebook export (Grades > Export): ``Student``, ``ID``, ``SIS User
  ID``, ``SIS Login ID``, ``Section``, then the assignments; the ``Points Possible`` row (and
  any other row without an ``ID``, such as a posting-policy row) is skipped. The id is the
  Canvas user ``ID`` (the id in Canvas's submission file names), the name ``Student``;
- ``moodle``: Moodle's grade export or participants download: ``First name``, ``Last
  name`` and ``Email address`` or ``ID number``. The id is the email (else the ID number),
  the name "First Last": Moodle's submission downloads carry a per-assignment id and the
  full name, so its submissions match by name.

``Roster.kind`` says which, ``Roster.columns`` is the header as written and
``Roster.cells[id]`` the row's cells by column (for the LMS import file, lms.py).

A submission is matched to a roster row by its id (the folder name, file stem, Canvas or
Moodle id or Gradescope sid, see identity.py), else by its name when exactly one row has
that name (case and spacing ignored: Moodle's ids are per assignment, its names are not).
Roster rows that no submission matches are listed as ``missing``.
"""
import csv
from dataclasses import dataclass, field

from .identity import Person

COLUMNS = ("id", "name", "email")
UNREADABLE = "{path}: cannot read the roster: {reason}"
NO_HEADER = ("{path}: line 1: the roster needs a header line naming the columns id, name, email "
             "(found: {found}), or an LMS export's: Canvas (Student, ID, SIS Login ID, Section) or "
             "Moodle (First name, Last name, Email address or ID number)")
PLAIN, CANVAS, MOODLE = "plain", "canvas", "moodle"
CANVAS_COLUMNS = ("student", "id", "sis login id", "section")
CANVAS_POINTS_POSSIBLE = "points possible"
MOODLE_NAMES = ("first name", "last name")
MOODLE_IDS = ("email address", "id number")
EMPTY_ID = "{path}: line {line}: no id"
DUPLICATE_ID = "{path}: line {line}: id {id!r} is already on line {first}"
BAD_CSV = "{path}: line {line}: not valid CSV: {reason}"


class RosterError(Exception):
    """The roster cannot be used; the message is one line, with its place."""


@dataclass
class Roster:
    people: list                 # [Person], in the file's order
    kind: str = PLAIN            # plain | canvas | moodle
    columns: list = field(default_factory=list)    # the header, as written
    cells: dict = field(default_factory=dict)      # id -> {column as written: cell}

    def match(self, id, name=""):
        """The roster's Person with this id, else the only one with this name, else None."""
        by_id = {p.id: p for p in self.people}
        if id in by_id:
            return by_id[id]
        wanted = _norm(name)
        named = [p for p in self.people if wanted and _norm(p.name) == wanted]
        return named[0] if len(named) == 1 else None


def _norm(name):
    return " ".join(name.casefold().split())


def read_roster(path):
    """path -> Roster; RosterError (one line) for anything malformed."""
    try:
        with open(path, encoding="utf-8-sig", newline="") as f:
            rows = list(csv.reader(f))
    except UnicodeDecodeError as exc:
        raise RosterError(UNREADABLE.format(path=path, reason=f"not UTF-8 ({exc.reason})")) from None
    except OSError as exc:
        raise RosterError(UNREADABLE.format(path=path, reason=exc.strerror or exc)) from None
    except csv.Error as exc:
        raise RosterError(BAD_CSV.format(path=path, line="?", reason=exc)) from None
    header = [h.strip().casefold() for h in rows[0]] if rows else []
    kind = _kind(header)
    if kind is None:
        raise RosterError(NO_HEADER.format(path=path, found=", ".join(rows[0]) if rows else "an empty file"))
    columns = [h.strip() for h in rows[0]]
    people, first, cells_by_id = [], {}, {}
    for line, row in enumerate(rows[1:], 2):
        if not any(cell.strip() for cell in row):
            continue
        cells = {h: (row[i].strip() if i < len(row) else "") for i, h in enumerate(header)}
        if kind == CANVAS and (not cells["id"] or cells["student"].casefold() == CANVAS_POINTS_POSSIBLE):
            continue                    # the Points Possible row, a posting-policy row
        person = _person(kind, cells)
        if not person.id:
            raise RosterError(EMPTY_ID.format(path=path, line=line))
        if person.id in first:
            raise RosterError(DUPLICATE_ID.format(path=path, line=line, id=person.id, first=first[person.id]))
        first[person.id] = line
        people.append(person)
        cells_by_id[person.id] = {c: (row[i].strip() if i < len(row) else "") for i, c in enumerate(columns)}
    return Roster(people, kind, columns, cells_by_id)


def _kind(header):
    if set(COLUMNS) <= set(header):
        return PLAIN
    if set(CANVAS_COLUMNS) <= set(header):
        return CANVAS
    if set(MOODLE_NAMES) <= set(header) and set(MOODLE_IDS) & set(header):
        return MOODLE
    return None


def _person(kind, cells):
    if kind == PLAIN:
        return Person(cells["id"], cells["name"], cells["email"])
    if kind == CANVAS:
        return Person(cells["id"], cells["student"], "")
    email, number = cells.get("email address", ""), cells.get("id number", "")
    name = " ".join(f"{cells['first name']} {cells['last name']}".split())
    return Person(email or number, name, email)
