"""``--roster CSV``: the class list (columns id, name, email; a header line is required).

A submission is matched to a roster row by its id (the folder name, file stem, Canvas or
Moodle id or Gradescope sid, see identity.py), else by its name when exactly one row has
that name (case and spacing ignored: Moodle's ids are per assignment, its names are not).
Roster rows that no submission matches are listed as ``missing``.
"""
import csv
from dataclasses import dataclass

from .identity import Person

COLUMNS = ("id", "name", "email")
UNREADABLE = "{path}: cannot read the roster: {reason}"
NO_HEADER = "{path}: line 1: the roster needs a header line naming the columns id, name, email (found: {found})"
EMPTY_ID = "{path}: line {line}: no id"
DUPLICATE_ID = "{path}: line {line}: id {id!r} is already on line {first}"
BAD_CSV = "{path}: line {line}: not valid CSV: {reason}"


class RosterError(Exception):
    """The roster cannot be used; the message is one line, with its place."""


@dataclass
class Roster:
    people: list                 # [Person], in the file's order

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
    if not set(COLUMNS) <= set(header):
        raise RosterError(NO_HEADER.format(path=path, found=", ".join(rows[0]) if rows else "an empty file"))
    where = {c: header.index(c) for c in COLUMNS}
    people, first = [], {}
    for line, row in enumerate(rows[1:], 2):
        if not any(cell.strip() for cell in row):
            continue
        cells = {c: (row[i].strip() if i < len(row) else "") for c, i in where.items()}
        if not cells["id"]:
            raise RosterError(EMPTY_ID.format(path=path, line=line))
        if cells["id"] in first:
            raise RosterError(DUPLICATE_ID.format(path=path, line=line, id=cells["id"], first=first[cells["id"]]))
        first[cells["id"]] = line
        people.append(Person(cells["id"], cells["name"], cells["email"]))
    return Roster(people)
