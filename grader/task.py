"""A task (an assignment) declared as data in ``tasks/<name>/task.yaml``.

The grader knows a task only through this file: its functions, points, checks,
tolerances, datasets and limits. Validation names the exact place of a bad value,
e.g. ``tasks/mlp/task.yaml: functions[3].checks[1].points: expected a whole number >= 0``.
"""
import hashlib
import os
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

import yaml

from .checks import KINDS
from .diagnosis.catalog import CatalogError, load_catalog
from .worker import WorkerLimits

TASKS_DIR = Path(__file__).resolve().parent.parent / "tasks"

UNKNOWN_TASK = "unknown task {name!r}: no {path} (known tasks: {known})"
NO_TASK_PATH = "{path}: no such task folder or task.yaml (known tasks: {known})"
NO_TASK_FILE = "{path}: a folder without a task.yaml (known tasks: {known})"
NOT_A_TASK_FILE = "{path}: not a task file (expected a task folder or a .yaml file)"
UNREADABLE_TASK = "{path}: cannot read the task file: {reason}"
TASK_SUFFIXES = (".yaml", ".yml")
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
    helpers: tuple = ()         # task functions it may call: a correct stand-in replaces each
                                # one whose own checks do not all pass (one bug, its own points)


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
    digest: str = ""            # sha256 of the task folder's files (task_digest)

    @property
    def directory(self):
        return self.path.parent

    def function(self, name):
        return next(f for f in self.functions if f.name == name)


def known_tasks(tasks_dir=TASKS_DIR):
    """The task names under ``tasks_dir``: its folders that hold a task.yaml."""
    try:
        return sorted(p.parent.name for p in Path(tasks_dir).glob("*/task.yaml") if p.is_file())
    except OSError:
        return []


def _is_name(text):
    """A bare task name such as ``mlp`` (not a path: no separator, not a .yaml file)."""
    seps = {"/", os.sep} | ({os.altsep} if os.altsep else set())
    return (bool(text) and not any(sep in text for sep in seps) and text not in (".", "..")
            and not text.startswith("~") and Path(text).suffix not in TASK_SUFFIXES)


def task_file(name_or_path, tasks_dir=TASKS_DIR):
    """The task.yaml that ``--task`` names, as an absolute, resolved path.

    ``name_or_path`` is a task name under ``tasks_dir`` (``mlp``), a task folder or a
    task.yaml, relative (to the working directory) or absolute. An existing path always
    wins; a bare name that is no task folder here is looked up under ``tasks_dir``.
    """
    text = str(name_or_path)
    given = Path(text).expanduser()
    known = ", ".join(known_tasks(tasks_dir)) or "none"
    if given.is_dir() and (given / "task.yaml").is_file():
        return (given / "task.yaml").resolve()
    if given.is_file():
        if given.suffix not in TASK_SUFFIXES:
            raise TaskError(NOT_A_TASK_FILE.format(path=text))
        return given.resolve()
    if _is_name(text):
        path = Path(tasks_dir) / text / "task.yaml"
        if path.is_file():
            return path.resolve()
        if not given.is_dir():
            raise TaskError(UNKNOWN_TASK.format(name=text, path=path, known=known))
    if given.is_dir():
        raise TaskError(NO_TASK_FILE.format(path=text, known=known))
    raise TaskError(NO_TASK_PATH.format(path=text, known=known))


def task_digest(directory):
    """sha256 (hex) of a task folder: each file's relative path and bytes, in sorted order.

    Every file under ``directory`` counts (the task.yaml, the bug catalog, the template,
    data), except Python caches and hidden files, which change without the task changing.
    """
    directory = Path(directory)
    files = sorted((p.relative_to(directory).as_posix(), p) for p in directory.rglob("*")
                   if p.is_file() and not any(part == "__pycache__" or part.startswith(".")
                                              for part in p.relative_to(directory).parts))
    digest = hashlib.sha256()
    for relative, path in files:
        data = path.read_bytes()
        name = relative.encode("utf-8", "surrogateescape")
        digest.update(b"%d:%s%d:" % (len(name), name, len(data)))
        digest.update(data)
    return digest.hexdigest()


def load_task(name_or_path, tasks_dir=TASKS_DIR, kinds=None):
    """A task name (``mlp``), a task folder or a task.yaml (see ``task_file``) -> validated
    Task, whose ``path`` is absolute and resolved (pytest collects it by that path)."""
    path = task_file(name_or_path, tasks_dir)
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or exc
        raise TaskError(UNREADABLE_TASK.format(path=path, reason=reason)) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark else str(path)
        raise TaskError(f"{where}: not valid YAML: {getattr(exc, 'problem', None) or exc}") from None
    task = _parse(doc, path, KINDS if kinds is None else kinds)
    if "digest" in Task.__dataclass_fields__:      # until the field is declared with the others
        task = replace(task, digest=task_digest(path.parent))
    return task


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
        helpers = _get(fdoc, "helpers", fw, "list", [])
        if not all(isinstance(h, str) for h in helpers):
            (fw / "helpers").fail("expected a list of function names")
        functions.append(FunctionSpec(name=name, signature=_get(fdoc, "signature", fw, "str"),
                                      points=points, checks=tuple(checks),
                                      summary=fdoc.get("summary", "") or "",
                                      let=_get(fdoc, "let", fw, "dict", {}),
                                      helpers=tuple(helpers)))
    names = [f.name for f in functions]
    if len(set(names)) != len(names):
        (top / "functions").fail("a function is declared twice")
    for i, f in enumerate(functions):
        for j, helper in enumerate(f.helpers):
            if helper not in names or helper == f.name:
                (top / "functions" / i / "helpers" / j).fail(
                    f"{helper!r} is not another function of the task")
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
