"""Check kinds declare their task-file parameters: ``@kind(params={...}, evidence=...)``.

Each kind function in grader/checks/ carries a declaration: a one-line summary (what
passing means), its parameters (name, type, default, allowed values, required), what its
``args``/``cases`` are, and whether passing it is *evidence* (a value check, see
``is_evidence`` in __init__.py). The task file's JSON Schema (grader/schemas/) is
completed from these declarations, so a typo in a parameter (``rtoll:``), a wrong type
(``threshold: high``) or a value outside the allowed ones is refused with its place;
docs/tasks.md's table of kinds is generated from them (scripts/kinds_table.py).

    @kind(summary="...", params={"rtol": Param("number", 1e-4)}, evidence=True)
    def matches_reference(ctx): ...
"""
from dataclasses import dataclass, field, replace

# Keys every check may have, whatever its kind (their types: grader/schemas/task.schema.json).
COMMON_KEYS = ("id", "kind", "description", "points", "help", "hidden", "end_to_end", "timeout",
               "evidence", "args", "cases", "kwargs", "let")

SIGNATURE = "signature"     # args/cases are the checked function's arguments (fit its signature)

NO_DEFAULT = type("NoDefault", (), {"__repr__": lambda self: "NO_DEFAULT",
                                    "__bool__": lambda self: False})()

_LAYER_SIZE = {"type": "integer", "minimum": 1, "x-expected": "a layer size (a whole number >= 1)"}
_SIZES = {"type": "array", "items": _LAYER_SIZE, "minItems": 2,
          "x-expected": "a list of layer sizes such as [4, 5, 3]"}

# type name -> (JSON Schema of a value, how the docs name it). "x-expected" words the error.
TYPES = {
    "number": ({"type": "number", "x-expected": "a number"}, "number"),
    "positive": ({"type": "number", "exclusiveMinimum": 0, "x-expected": "a number > 0"}, "number > 0"),
    "count": ({"type": "integer", "minimum": 1, "x-expected": "a whole number >= 1"}, "whole number ≥ 1"),
    "index": ({"type": "integer", "minimum": 0, "x-expected": "a whole number >= 0"}, "whole number ≥ 0"),
    "fraction": ({"type": "number", "minimum": 0, "maximum": 1,
                  "x-expected": "a fraction between 0 and 1"}, "fraction in [0, 1]"),
    "string": ({"type": "string", "pattern": r"\S", "x-expected": "a non-empty string"}, "string"),
    "range": ({"type": "array", "minItems": 2, "maxItems": 2,
               "items": {"type": "number", "x-expected": "a number"},
               "x-expected": "[low, high], two numbers"}, "[low, high]"),
    "sizes": (_SIZES, "layer sizes [D, H, ..., C]"),
    "sizes_list": ({"type": "array", "minItems": 1, "items": _SIZES,
                    "x-expected": "a non-empty list of layer-size lists such as [[4, 5, 3]]"},
                   "list of layer-size lists"),
    "seeds": ({"type": "array", "minItems": 1, "items": {"type": "integer", "x-expected": "a whole number"},
               "x-expected": "a non-empty list of whole numbers"}, "list of whole numbers"),
    "functions": ({"type": "array", "items": {"type": "string", "x-expected": "a function name"},
                   "x-expected": "a list of the task's function names"}, "list of task functions"),
    "pair": ({"type": "array", "minItems": 2, "maxItems": 2,
              "x-expected": "[X, y], two input specs"}, "[X, y] input specs"),
    "spec": ({}, "input spec"),
}
SPEC_TYPES = ("pair", "spec")           # parameters whose values are input specs (grader/inputs.py)


@dataclass(frozen=True)
class Param:
    """One parameter of a kind: its type (a key of TYPES), default, allowed values."""
    type: str
    default: object = NO_DEFAULT
    allowed: tuple = ()
    required: bool = False
    doc: str = ""
    name: str = ""                     # filled in by @kind

    def __post_init__(self):
        if self.type not in TYPES:
            raise ValueError(f"unknown parameter type {self.type!r} (known: {', '.join(TYPES)})")

    def schema(self):
        """The JSON Schema of this parameter's value."""
        if self.allowed:
            return {"enum": list(self.allowed), "x-enum": self.name}
        return dict(TYPES[self.type][0])


@dataclass(frozen=True)
class Rule:
    """Evidence that depends on one parameter: ``when``/``unless`` it has one of ``values``."""
    param: str
    values: tuple
    negate: bool = False

    def __call__(self, params):
        return (params.get(self.param) in self.values) != self.negate

    @property
    def text(self):
        words = " or ".join(f"`{v}`" for v in self.values)
        return f"{'unless' if self.negate else 'when'} `{self.param}` is {words}"


def when(param, *values):
    """Evidence when ``param`` has one of ``values``."""
    return Rule(param, values)


def unless(param, *values):
    """Evidence unless ``param`` has one of ``values``."""
    return Rule(param, values, negate=True)


@dataclass(frozen=True)
class KindSpec:
    name: str
    summary: str                        # passes when ...
    params: dict = field(default_factory=dict)      # name -> Param, in declaration order
    evidence: object = False            # bool, or a function of the check's params
    args: object = None                 # SIGNATURE, a tuple of argument names, or None (unused)

    def is_evidence(self, params):
        return bool(self.evidence(params) if callable(self.evidence) else self.evidence)

    def evidence_text(self):
        if callable(self.evidence):
            return getattr(self.evidence, "text", None) or "depends on the parameters"
        return "yes" if self.evidence else "no"

    def schema(self):
        """The part of a check's schema that applies when its kind is this one."""
        properties = {key: True for key in COMMON_KEYS}
        properties.update({name: p.schema() for name, p in self.params.items()})
        out = {"properties": properties, "additionalProperties": False, "x-kind": self.name}
        required = [name for name, p in self.params.items() if p.required]
        if required:
            out["required"] = required
        return out


REGISTRY = {}                           # kind name -> KindSpec, in the order kinds are declared


def kind(summary="", params=None, evidence=False, args=None):
    """Declare a check kind: ``summary`` (passes when ...), ``params`` (name -> Param),
    ``evidence`` (bool or a function of the check's params, e.g. ``when("part", ...)``),
    ``args`` (SIGNATURE: args/cases are the checked function's own arguments; a tuple of
    names: each case is exactly these; None: the kind takes no args/cases)."""
    def declare(func):
        named = {}
        for name, param in (params or {}).items():
            if name in COMMON_KEYS:
                raise ValueError(f"{func.__name__}: {name!r} is a common check key, not a parameter")
            named[name] = replace(param, name=name)
        spec = KindSpec(name=func.__name__, summary=summary or _first_line(func.__doc__),
                        params=named, evidence=evidence, args=args)
        func.__kind__ = spec
        REGISTRY[spec.name] = spec
        return func
    return declare


def declaration(func):
    """The KindSpec of a kind function, or None for a function declared without @kind."""
    return getattr(func, "__kind__", None)


def _first_line(doc):
    return (doc or "").strip().splitlines()[0] if doc and doc.strip() else ""


def kinds_schema(kinds):
    """{"kind": enum schema, "kinds": if/then per kind}: the generated part of the task schema.

    ``kinds`` is {name: kind function}; a kind without a declaration accepts any keys.
    """
    rules = []
    for name, func in kinds.items():
        spec = declaration(func)
        rules.append({"if": {"properties": {"kind": {"const": name}}, "required": ["kind"]},
                      "then": spec.schema() if spec else {}})
    return {"kind": {"enum": list(kinds), "x-enum": "check kind",
                     "description": "the check kind (grader/checks/)"},
            "kinds": {"allOf": rules}}


__all__ = ["COMMON_KEYS", "NO_DEFAULT", "Param", "REGISTRY", "SIGNATURE", "SPEC_TYPES", "TYPES",
           "KindSpec", "declaration", "kind", "kinds_schema", "unless", "when"]
