"""The JSON Schemas of the task files (draft 2020-12), and their errors as one located line.

``task.schema.json`` describes task.yaml, ``bugs.schema.json`` the bug catalog. Editors
that speak the yaml-language-server comment (``# yaml-language-server: $schema=...``)
complete and check the files with them; the grader validates with ``jsonschema``
(Draft202012Validator), collects every error and reports the first in document order,
a typo (an unknown key) before what it causes (a missing key).

Annotations the grader reads to word an error (editors ignore them):
``x-expected`` (what a value should be: "expected a number > 0, got 'fast'"),
``x-pattern`` (what a pattern means), ``x-enum`` (what a name is: "unknown check kind
'telepathy'"), ``x-unknown`` (what an unknown key is: "unknown limit"), ``x-kind`` (the
check kind whose parameters a schema lists: "unknown parameter of matches_reference").
"""
import difflib
import hashlib
import json
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .. import __version__

SCHEMA_DIR = Path(__file__).resolve().parent
TASK_SCHEMA, BUGS_SCHEMA = "task.schema.json", "bugs.schema.json"

EXPECTED = "expected {expected}, got {value}"
MISSING = "missing"
UNKNOWN = "unknown {noun}{suggestion}"
UNKNOWN_PARAMETER = "unknown parameter of {kind}{suggestion}"
NOT_ALLOWED = "unknown {noun} {value}{suggestion}"
DID_YOU_MEAN = " (did you mean {match}?)"
KNOWN = " (known: {known})"
KIND_KNOWN = " ({kind} takes: {params}; every check takes: {common})"
YAML_NUMBER = " (YAML reads {value} as text: write the number with a dot, e.g. 1.0e-6)"
SHOWN = 60                       # characters of a value quoted in an error

# which error wins among several at one place: a typo explains what follows from it
_RANK = {"unknown": 0, "enum": 1, "required": 2}


@dataclass(frozen=True)
class Problem:
    """One schema error: ``at`` (keys and indexes to the place), ``problem`` (the words)."""
    at: tuple
    problem: str
    validator: str = ""
    key: object = None           # an unknown key's name
    allowed: tuple = ()          # the keys allowed where an unknown key is


@lru_cache(maxsize=None)
def _read(name):
    return (SCHEMA_DIR / name).read_text(encoding="utf-8")


def load_schema(name):
    """The schema ``name`` (task.schema.json, bugs.schema.json) as a fresh dict."""
    return json.loads(_read(name))


def validator(schema):
    """A Draft202012Validator for ``schema`` whose integers are ints (not 2.0, not true)."""
    from jsonschema import Draft202012Validator, validators
    checker = Draft202012Validator.TYPE_CHECKER.redefine(
        "integer", lambda _, value: isinstance(value, int) and not isinstance(value, bool))
    return validators.extend(Draft202012Validator, type_checker=checker)(schema)


# A document found valid is remembered by the digest of (grader version, schema, document),
# so that grading a file does not import jsonschema and validate the same task.yaml again
# (0.12 s, a tenth of grading a correct file). Only valid documents are remembered: an
# invalid one is validated, and its error worded, every time. GRADER_NO_CACHE=1: never.
CACHE_ENV, NO_CACHE_ENV = "GRADER_CACHE_DIR", "GRADER_NO_CACHE"


def cache_dir():
    """Where valid documents are remembered: $GRADER_CACHE_DIR, or grader/ in the user's
    cache folder ($XDG_CACHE_HOME or ~/.cache); None when remembering is off."""
    if os.environ.get(NO_CACHE_ENV):
        return None
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV])
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "grader"


@lru_cache(maxsize=16)
def _cached_validator(schema_text):
    return validator(json.loads(schema_text))


def first_problem_of(schema_text, doc):
    """``first_problem`` of ``doc`` against the schema given as JSON text, answered from
    the remembered valid documents when this one is among them (see cache_dir)."""
    try:
        doc_text = json.dumps(doc, sort_keys=True, ensure_ascii=False, allow_nan=True)
    except (TypeError, ValueError):          # not JSON-like (e.g. mixed key types): validate
        doc_text = None
    folder = cache_dir()
    mark = None
    if doc_text is not None and folder is not None:
        key = hashlib.sha256("\0".join((__version__, schema_text, doc_text)).encode()).hexdigest()
        mark = folder / "valid" / key
        if mark.is_file():
            return None
    problem = first_problem(_cached_validator(schema_text), doc)
    if problem is None and mark is not None:
        try:
            mark.parent.mkdir(parents=True, exist_ok=True)
            mark.touch()
        except OSError:                      # a read-only home: validate every time
            pass
    return problem


def show(value):
    """A value as quoted in an error: its repr, clipped."""
    text = repr(value)
    return text if len(text) <= SHOWN else text[:SHOWN - 3] + "..."


def suggestion(word, known):
    """" (did you mean x?)" for the closest of ``known``, else " (known: a, b, ...)"."""
    known = [str(k) for k in known]
    match = difflib.get_close_matches(str(word), known, n=1)
    return DID_YOU_MEAN.format(match=match[0]) if match else KNOWN.format(known=", ".join(known) or "none")


def problems(validator, doc):
    """Every error of ``doc``, first the one to report (see ``first_problem``)."""
    found = []
    for error in validator.iter_errors(doc):
        for problem, anchor, rank in _translate(error):
            found.append(((_position(doc, anchor), rank, _position(doc, problem.at)), problem))
    return [problem for _, problem in sorted(found, key=lambda item: item[0])]


def first_problem(validator, doc):
    """The error of ``doc`` to report, or None: the first in document order (by the object
    it is in), and at one object an unknown key before a bad name before a missing key."""
    found = problems(validator, doc)
    return found[0] if found else None


def trail(parts):
    """("functions", 6, "checks", 2, "rtol") -> "functions[6].checks[2].rtol"."""
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _translate(error):
    """A jsonschema error -> [(Problem, anchor, rank)]; anchor: the object the error is in."""
    path, schema, value, check = tuple(error.absolute_path), error.schema, error.instance, error.validator
    if check == "additionalProperties" and schema.get("additionalProperties") is False:
        allowed = tuple(schema.get("properties", {}))
        return [(Problem(path + (key,), _unknown_words(key, schema), "unknown", key, allowed), path,
                 _RANK["unknown"]) for key in value if key not in allowed]
    if check == "required":
        return [(Problem(path + (key,), MISSING, check), path, _RANK["required"])
                for key in error.validator_value if key not in value]
    anchor = path[:-1]
    if check == "enum" and "x-enum" in schema:
        words = NOT_ALLOWED.format(noun=schema["x-enum"], value=show(value),
                                   suggestion=suggestion(value, schema["enum"]))
        return [(Problem(path, words, check), anchor, _RANK["enum"])]
    if check == "pattern" and "x-pattern" in schema:
        return [(Problem(path, f"{schema['x-pattern']}, got {show(value)}", check), anchor, 3)]
    if "x-expected" in schema:
        words = EXPECTED.format(expected=schema["x-expected"], value=show(value))
        if schema.get("type") in ("number", "integer") and isinstance(value, str) and _is_float(value):
            words += YAML_NUMBER.format(value=value)
    else:
        words = " ".join(error.message.split())
        words = words if len(words) <= 4 * SHOWN else words[:4 * SHOWN - 3] + "..."
    return [(Problem(path, words, check), anchor, 3)]


def _is_float(text):
    try:
        float(text)
    except ValueError:
        return False
    return True


def _unknown_words(key, schema):
    properties = schema.get("properties", {})
    kind = schema.get("x-kind")
    if kind is None:
        return UNKNOWN.format(noun=schema.get("x-unknown", "key"), suggestion=suggestion(key, properties))
    params = [name for name, sub in properties.items() if sub is not True]
    common = [name for name, sub in properties.items() if sub is True]
    match = difflib.get_close_matches(str(key), params + common, n=1)
    if match and match[0] in common:
        return UNKNOWN.format(noun="key", suggestion=DID_YOU_MEAN.format(match=match[0]))
    if match:
        return UNKNOWN_PARAMETER.format(kind=kind, suggestion=DID_YOU_MEAN.format(match=match[0]))
    return UNKNOWN_PARAMETER.format(kind=kind, suggestion=KIND_KNOWN.format(
        kind=kind, params=", ".join(params) or "no parameters", common=", ".join(common)))


def _position(doc, parts):
    """Where ``parts`` lead in ``doc``, as comparable numbers (key order, list index)."""
    out, node = [], doc
    for part in parts:
        if isinstance(node, dict):
            keys = list(node)
            out.append(keys.index(part) if part in node else len(keys))
            node = node.get(part)
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            out.append(part)
            node = node[part]
        else:
            out.append(0)
            node = None
    return tuple(out)


__all__ = ["BUGS_SCHEMA", "Problem", "SCHEMA_DIR", "TASK_SCHEMA", "cache_dir", "first_problem",
           "first_problem_of", "load_schema", "problems", "show", "suggestion", "trail", "validator"]
