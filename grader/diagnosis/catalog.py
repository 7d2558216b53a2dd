"""The bug catalog of a task: known student bugs as data (``tasks/<task>/bugs.yaml``).

Each entry names a bug the diagnosis can recognise: ``id`` (stable: reports and the
JSON ``diagnoses`` list use it), the ``function`` it lives in ("any" for bugs that can
live anywhere), a one-line ``title``, an ``explanation`` and a ``hint`` for the student,
its ``origin`` (where the bug was seen) and how it is ``detected``; optionally its
``mutants``: submissions with exactly this bug (relative to the catalog's folder), which
``grader task check`` grades, each of which must be diagnosed with exactly this id.
"""
import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from .. import schemas, yamlfile

FIELDS = ("id", "function", "title", "explanation", "hint", "origin", "detected")
OPTIONAL = ("mutants",)
BAD_ENTRY = "{path}: bugs[{index}]{key}: {problem}"
NOT_A_CATALOG = "{path}: expected a mapping with a non-empty list under bugs:"
UNKNOWN_FIELD = "unknown field {field!r}{hint}"
DUPLICATE_ID = "duplicate id {id!r}"
NOT_A_FUNCTION = "{name!r} is not a function of the task"
NO_MUTANT = "no such file {name!r} (relative to {folder})"
ID_PATTERN = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")       # as bugs.schema.json says


class CatalogError(Exception):
    """The bug catalog is missing or invalid; the message says where."""


@dataclass(frozen=True)
class Bug:
    id: str
    function: str
    title: str
    explanation: str
    hint: str
    origin: str
    detected: str
    mutants: tuple = ()         # absolute paths of submissions with exactly this bug


def load_catalog(path, functions):
    """bugs.yaml -> {id: Bug}, in file order; ``functions`` are the task's function names.

    The file is checked against grader/schemas/bugs.schema.json first (every entry a
    mapping of the seven non-empty strings, nothing else), then its ids must be unique
    and its functions the task's.
    """
    path = Path(path)
    try:
        doc = yamlfile.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise CatalogError(f"{path}: cannot be read: {exc}") from None
    problem = schemas.first_problem_of(_schema(), doc)
    if problem is not None:
        raise CatalogError(_located(path, problem))
    bugs = {}
    for index, entry in enumerate(doc["bugs"]):
        if entry["id"] in bugs:
            raise CatalogError(BAD_ENTRY.format(path=path, index=index, key=".id",
                                                problem=DUPLICATE_ID.format(id=entry["id"])))
        if entry["function"] != "any" and entry["function"] not in functions:
            raise CatalogError(BAD_ENTRY.format(path=path, index=index, key=".function",
                                                problem=NOT_A_FUNCTION.format(name=entry["function"])))
        mutants = []
        for j, name in enumerate(entry.get("mutants", [])):
            mutant = (path.parent / name).resolve()
            if not mutant.is_file():
                raise CatalogError(BAD_ENTRY.format(path=path, index=index, key=f".mutants[{j}]",
                                                    problem=NO_MUTANT.format(name=name, folder=path.parent)))
            mutants.append(mutant)
        bugs[entry["id"]] = Bug(**{key: " ".join(entry[key].split()) for key in FIELDS}, mutants=tuple(mutants))
    return bugs


@lru_cache(maxsize=1)
def _schema():
    return json.dumps(schemas.load_schema(schemas.BUGS_SCHEMA))      # in its order (messages)


def _located(path, problem):
    """A schema problem in the catalog -> one line naming its place."""
    at, words = problem.at, problem.problem
    if at in ((), ("bugs",)) and problem.validator in ("type", "required", "minItems"):
        return NOT_A_CATALOG.format(path=path)
    if problem.validator == "unknown" and len(at) == 3 and at[0] == "bugs":     # a field of an entry
        at, words = at[:-1], UNKNOWN_FIELD.format(field=problem.key,
                                                  hint=schemas.suggestion(problem.key, FIELDS + OPTIONAL))
    return f"{path}: {schemas.trail(at)}: {words}"
