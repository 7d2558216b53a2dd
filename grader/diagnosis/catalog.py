"""The bug catalog of a task: known student bugs as data (``tasks/<task>/bugs.yaml``).

Each entry names a bug the diagnosis can recognise: ``id`` (stable: reports and the
JSON ``diagnoses`` list use it), the ``function`` it lives in ("any" for bugs that can
live anywhere), a one-line ``title``, an ``explanation`` and a ``hint`` for the student,
its ``origin`` (where the bug was seen) and how it is ``detected``.
"""
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

FIELDS = ("id", "function", "title", "explanation", "hint", "origin", "detected")
BAD_ENTRY = "{path}: bugs[{index}]{key}: {problem}"
ID_PATTERN = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


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


def load_catalog(path, functions):
    """bugs.yaml -> {id: Bug}, in file order; ``functions`` are the task's function names."""
    path = Path(path)
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise CatalogError(f"{path}: cannot be read: {exc}") from None
    entries = doc.get("bugs") if isinstance(doc, dict) else None
    if not isinstance(entries, list) or not entries:
        raise CatalogError(f"{path}: expected a mapping with a non-empty list under bugs:")
    bugs = {}
    for index, entry in enumerate(entries):
        def fail(problem, key=""):
            raise CatalogError(BAD_ENTRY.format(path=path, index=index, key=f".{key}" if key else "",
                                                problem=problem))
        if not isinstance(entry, dict):
            fail("expected a mapping")
        unknown = sorted(set(entry) - set(FIELDS))
        if unknown:
            fail(f"unknown field {unknown[0]!r} (known: {', '.join(FIELDS)})")
        for key in FIELDS:
            value = entry.get(key)
            if not isinstance(value, str) or not value.strip():
                fail(f"expected a non-empty string, got {value!r}", key)
        if not ID_PATTERN.match(entry["id"]):
            fail(f"ids are lower-case words joined by '-', got {entry['id']!r}", "id")
        if entry["id"] in bugs:
            fail(f"duplicate id {entry['id']!r}", "id")
        if entry["function"] != "any" and entry["function"] not in functions:
            fail(f"{entry['function']!r} is not a function of the task", "function")
        bugs[entry["id"]] = Bug(**{key: " ".join(entry[key].split()) for key in FIELDS})
    return bugs
