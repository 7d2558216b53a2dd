"""A task (an assignment) declared as data in ``tasks/<name>/task.yaml``.

The grader knows a task only through this file: its functions, points, checks,
tolerances, datasets and limits. Validation names the exact place of a bad value,
e.g. ``tasks/mlp/task.yaml: functions[3].checks[1].points: expected a whole number >= 0``.
"""
from dataclasses import dataclass, field, fields
from pathlib import Path

import yaml

from .checks import KINDS
from .diagnosis.catalog import CatalogError, load_catalog
from .worker import WorkerLimits

TASKS_DIR = Path(__file__).resolve().parent.parent / "tasks"

UNKNOWN_TASK = "unknown task {name!r}: no {path} (known tasks: {known})"
BAD_VALUE = "{where}: {problem}"


class TaskError(Exception):
    """The task file is missing or invalid; the message says where."""


@dataclass(frozen=True)
class CheckSpec:
    id: str
    kind: str
    description: str            # the one line the student sees
    points: int
    help: str = ""              # the likely mistake, shown when the check fails
    hidden: bool = False
    end_to_end: bool = False    # uses more than one of the student's functions
    timeout: float = 0.0        # seconds per call; 0: the task's default
    params: dict = field(default_factory=dict)


@dataclass(frozen=True)
class FunctionSpec:
    name: str
    signature: str
    points: int
    checks: tuple
    summary: str = ""
    let: dict = field(default_factory=dict)     # inputs shared by this function's checks


@dataclass(frozen=True)
class Task:
    name: str
    title: str
    path: Path                  # the task.yaml
    reference: str              # module with the golden implementation
    limits: WorkerLimits
    datasets: dict
    functions: tuple
    total: int
    bugs: dict = field(default_factory=dict)    # the bug catalog: {id: Bug} (diagnosis/catalog.py)

    @property
    def directory(self):
        return self.path.parent

    def function(self, name):
        return next(f for f in self.functions if f.name == name)


def known_tasks(tasks_dir=TASKS_DIR):
    return sorted(p.parent.name for p in Path(tasks_dir).glob("*/task.yaml"))


def load_task(name_or_path, tasks_dir=TASKS_DIR, kinds=None):
    """A task name (``mlp``) or a path to a task.yaml -> validated Task."""
    path = Path(name_or_path)
    if path.suffix not in (".yaml", ".yml"):
        path = Path(tasks_dir) / str(name_or_path) / "task.yaml"
    if not path.is_file():
        raise TaskError(UNKNOWN_TASK.format(name=str(name_or_path), path=path,
                                            known=", ".join(known_tasks(tasks_dir)) or "none"))
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark else str(path)
        raise TaskError(f"{where}: not valid YAML: {getattr(exc, 'problem', None) or exc}") from None
    return _parse(doc, path, KINDS if kinds is None else kinds)


# ------------------------------------------------------------------ parsing
class _Where:
    def __init__(self, path, trail=""):
        self.path, self.trail = path, trail

    def __truediv__(self, key):
        part = f"[{key}]" if isinstance(key, int) else (f".{key}" if self.trail else key)
        return _Where(self.path, self.trail + part)

    def fail(self, problem):
        where = f"{self.path}: {self.trail}" if self.trail else str(self.path)
        raise TaskError(BAD_VALUE.format(where=where, problem=problem))


def _get(doc, key, where, kind, default=...):
    if not isinstance(doc, dict):
        where.fail("expected a mapping")
    if key not in doc:
        if default is ...:
            (where / key).fail("missing")
        return default
    value = doc[key]
    ok = {
        "str": isinstance(value, str) and value.strip(),
        "points": isinstance(value, int) and not isinstance(value, bool) and value >= 0,
        "number": isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0,
        "bool": isinstance(value, bool),
        "list": isinstance(value, list) and value,
        "dict": isinstance(value, dict),
    }[kind]
    if not ok:
        expected = {"str": "a non-empty string", "points": "a whole number >= 0",
                    "number": "a number > 0", "bool": "true or false",
                    "list": "a non-empty list", "dict": "a mapping"}[kind]
        (where / key).fail(f"expected {expected}, got {value!r}")
    return value


_CHECK_KEYS = {"id", "kind", "description", "points", "help", "hidden", "end_to_end", "timeout"}


def _parse(doc, path, kinds):
    top = _Where(path)
    limits_doc = _get(doc, "limits", top, "dict", {})
    limit_names = {f.name for f in fields(WorkerLimits)}
    for key in limits_doc:
        if key not in limit_names:
            (top / "limits" / key).fail(f"unknown limit (known: {', '.join(sorted(limit_names))})")
        _get(limits_doc, key, top / "limits", "number")
    functions, seen_ids = [], set()
    for i, fdoc in enumerate(_get(doc, "functions", top, "list")):
        fw = top / "functions" / i
        name = _get(fdoc, "name", fw, "str")
        checks = []
        for j, cdoc in enumerate(_get(fdoc, "checks", fw, "list")):
            cw = fw / "checks" / j
            cid = _get(cdoc, "id", cw, "str")
            if cid in seen_ids:
                (cw / "id").fail(f"duplicate check id {cid!r}")
            seen_ids.add(cid)
            kind = _get(cdoc, "kind", cw, "str")
            if kind not in kinds:
                (cw / "kind").fail(f"unknown check kind {kind!r} (known: {', '.join(sorted(kinds))})")
            checks.append(CheckSpec(
                id=cid, kind=kind, description=_get(cdoc, "description", cw, "str"),
                points=_get(cdoc, "points", cw, "points"), help=cdoc.get("help", "") or "",
                hidden=_get(cdoc, "hidden", cw, "bool", False),
                end_to_end=_get(cdoc, "end_to_end", cw, "bool", False),
                timeout=_get(cdoc, "timeout", cw, "number", 0.0),
                params={k: v for k, v in cdoc.items() if k not in _CHECK_KEYS}))
        points = _get(fdoc, "points", fw, "points")
        if sum(c.points for c in checks) != points:
            (fw / "points").fail(f"{name} is worth {points} but its checks add up to "
                                 f"{sum(c.points for c in checks)}")
        functions.append(FunctionSpec(name=name, signature=_get(fdoc, "signature", fw, "str"),
                                      points=points, checks=tuple(checks),
                                      summary=fdoc.get("summary", "") or "",
                                      let=_get(fdoc, "let", fw, "dict", {})))
    names = [f.name for f in functions]
    if len(set(names)) != len(names):
        (top / "functions").fail("a function is declared twice")
    total = _get(doc, "total", top, "points")
    if sum(f.points for f in functions) != total:
        (top / "total").fail(f"total is {total} but the functions add up to {sum(f.points for f in functions)}")
    bugs = {}
    catalog = _get(doc, "bugs", top, "str", None)
    if catalog is not None:
        try:
            bugs = load_catalog(path.parent / catalog, names)
        except CatalogError as exc:
            raise TaskError(str(exc)) from None
    return Task(name=_get(doc, "name", top, "str"), title=_get(doc, "title", top, "str"),
                path=path, reference=_get(doc, "reference", top, "str"),
                limits=WorkerLimits(**limits_doc), datasets=_get(doc, "datasets", top, "dict", {}),
                functions=tuple(functions), total=total, bugs=bugs)
