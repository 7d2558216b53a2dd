"""A task (an assignment) declared as data in ``tasks/<name>/task.yaml``.

The grader knows a task only through this file: its functions, points, checks,
tolerances, datasets and limits. Loading validates it in two steps: the JSON Schema
(grader/schemas/task.schema.json, completed with the declared parameters of the kinds of
the core and of the task's pack, grader/packs/; every key known, every value of its
type), then what a schema cannot say (``$name`` bound, input specs, datasets and
reference functions that exist, arguments that fit the signature, helpers, evidence,
points, detectors that agree with the bug catalog, files). The first mistake
is named on one line with its exact place, e.g.
``tasks/mlp/task.yaml: functions[18].checks[0].rtoll: unknown parameter of matches_reference
(did you mean rtol?)``.
"""
import ast
import difflib
import hashlib
import json
import os
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path

import yaml

from . import evidence, schemas, yamlfile
from .checks import kinds_for
from .checks.registry import SIGNATURE, SPEC_TYPES, declaration, kinds_schema
from .diagnosis import registry as detectors_registry
from .diagnosis.catalog import CatalogError, load_catalog
from .inputs import SpecError, reference_module, validate_spec
from .packs import KNOWN_PACKS, UNKNOWN_PACK, load_pack
from .safetext import clip
from .worker import WorkerLimits

TASKS_PACKAGE = "grader_tasks"  # the repository's tasks/, installed as a package (pyproject.toml)
CHECKOUT_TASKS = Path(__file__).resolve().parent.parent / "tasks"


def shipped_tasks_dir():
    """The folder of the tasks that ship with the grader: the package ``grader_tasks``
    through importlib.resources (a wheel's, or an editable install's, which is the
    checkout's tasks/), else the checkout's tasks/ (the code run from a checkout that is
    not installed)."""
    try:
        from importlib.resources import files
        folder = Path(str(files(TASKS_PACKAGE)))
    except (ImportError, TypeError, ValueError):
        return CHECKOUT_TASKS
    return folder if folder.is_dir() else CHECKOUT_TASKS


TASKS_DIR = shipped_tasks_dir()
DEFAULT_TASK = "mlp"            # what --task and check() grade against when none is named

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
    evidence: tuple = ()        # check ids that must all pass before it earns anything
                                # (empty: any one of its value checks, see checks.is_evidence)
    detector: str = ""          # the pack's detector naming its bugs when a check fails


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
    every_function: tuple = ()  # all of the task's functions when this is a selection of them
    template: str = ""          # the file handed out to students, relative to the folder
    pack: str = ""              # the pack it uses (grader/packs/<pack>/); "": the core alone
    kinds: dict = field(default_factory=dict)   # the kinds its checks may name: the core's and the pack's
    detectors: tuple = ()       # the pack's detectors run on every submission (not one function's)
    evidence: str = ""          # a student kit's recorded answers (folder), which answer for the
                                # reference; "": the reference module itself answers
    hidden_checks: int = 0      # a student kit: checks graded only after submission (a count)

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
    Task, whose ``path`` is absolute and resolved (pytest collects it by that path).
    ``kinds`` replaces the kinds the task's pack gives (the tests declare their own)."""
    path = task_file(name_or_path, tasks_dir)
    try:
        doc = yamlfile.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or exc
        raise TaskError(UNREADABLE_TASK.format(path=path, reason=reason)) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark else str(path)
        raise TaskError(f"{where}: not valid YAML: {getattr(exc, 'problem', None) or exc}") from None
    task = _parse(doc, path, kinds)
    return replace(task, digest=task_digest(path.parent))


# ------------------------------------------------------------------ parsing
# After the schema (grader/schemas/task.schema.json, completed with the kinds' declared
# parameters), what a schema cannot say: names that must exist, arguments that must fit a
# signature, files that must be there. Each message is one line after its place.
POINTS_MISMATCH = "{name} is worth {points} but its checks add up to {total}"
TOTAL_MISMATCH = "total is {total} but the functions add up to {added}"
DUPLICATE_CHECK = "duplicate check id {id!r}"
DUPLICATE_FUNCTION = "{name} is declared twice (first as functions[{first}])"
NOT_A_HELPER = "{name!r} is not another function of the task{suggestion}"
NOT_A_FUNCTION = "{name!r} is not a function of the task{suggestion}"
NOT_A_CHECK = "{id!r} is not a check of {function}{suggestion}"
BAD_SIGNATURE = "not a Python signature such as {name}(x, y=1): {reason}"
SIGNATURE_NAME = "the signature is of {found}, not of {name}"
ARG_COUNT = "{signature} takes {expected}, got {count}"
NO_ARGS = "{signature} takes {expected}; give them under args: or cases:"
NO_PARAMETER = "{signature} has no parameter {name!r}{suggestion}"
TWICE = "{signature} gets {name!r} twice: as an argument and in kwargs"
KEYWORD_ONLY = "{signature} needs its keyword-only argument {name!r} in kwargs"
KIND_ARGS = "{kind} takes [{names}] in each case, got {count}"
KIND_NO_ARGS = "{kind} needs cases: [[{names}], ...] or args: [{names}]"
BOTH_ARGS = "give args: or cases:, not both (cases: would win)"
LET_CYCLE = "${name} is defined in terms of itself ({chain})"
NO_REFERENCE_MODULE = "cannot import {module}: {reason}"
NO_REFERENCE_FUNCTION = "the reference module {module} has no {name}{suggestion}"
UNKNOWN_LOADER = "no loader for dataset {name!r}: give loader: (one of {known})"
NEEDS_PATH = "the {loader} loader needs path: (the folder of its files)"
TAKES_NO_PATH = "the {loader} loader reads no files; remove path:"
NO_DATASET_FOLDER = ("no such folder {path!r}, neither in the task folder ({task_dir}) nor in "
                     "the pack's data folder ({data_dir})")
NO_DATA_FILE = "{folder} has no {file}"
NO_TEMPLATE = "no such file {name!r} in the task folder ({directory})"
UNKNOWN_DETECTOR = "unknown detector {name!r} of pack {pack!r}{suggestion}"
NO_PACK_DETECTORS = "detectors come from a pack: name one under pack: (known: {known})"
UNCAUGHT_BUG = "no detector of the task can name {id!r}: give its function a detector that declares it"
UNLISTED_BUG = "{detector} can name {id!r}, which {catalog} lacks"
NO_CATALOG = "detectors name bugs of a catalog: give bugs: (a bugs.yaml)"
DUPLICATE_DETECTOR = "{name} is named twice (a detector runs once)"
_CHECK_KEYS = {"id", "kind", "description", "points", "help", "hidden", "end_to_end", "timeout"}


class _Where:
    def __init__(self, path, trail=""):
        self.path, self.trail = path, trail

    def __truediv__(self, key):
        part = f"[{key}]" if isinstance(key, int) else (f".{key}" if self.trail else key)
        return _Where(self.path, self.trail + part)

    def at(self, parts):
        where = self
        for part in parts:
            where = where / part
        return where

    def fail(self, problem):
        where = f"{self.path}: {self.trail}" if self.trail else str(self.path)
        raise TaskError(BAD_VALUE.format(where=where, problem=problem))


@lru_cache(maxsize=8)
def _schema(kinds, loaders):
    """The task schema completed with these kinds and loaders, as JSON text."""
    schema = schemas.load_schema(schemas.TASK_SCHEMA)
    schema["$defs"].update(kinds_schema(dict(kinds)))
    schema["$defs"]["dataset"]["properties"]["loader"]["enum"] = list(loaders)
    return json.dumps(schema)             # in its order: messages list keys so


def _pack(doc, path):
    """The pack a task document names (CORE when none); TaskError for an unknown one."""
    name = doc.get("pack", "") if isinstance(doc, dict) else ""
    if isinstance(name, str) and name and name not in KNOWN_PACKS:
        (_Where(path) / "pack").fail(UNKNOWN_PACK.format(name=name, known=", ".join(KNOWN_PACKS))
                                     + _close(name, KNOWN_PACKS))
    return load_pack(name if isinstance(name, str) else "")


def validate_document(doc, path, kinds=None):
    """Check a task.yaml document against the schema only, completed with the kinds and
    loaders of its pack (``kinds`` replaces the kinds); TaskError names the first error.
    -> (the Pack, the kinds) it was validated with."""
    pack = _pack(doc, path)
    kinds = kinds_for(pack) if kinds is None else kinds
    problem = schemas.first_problem_of(_schema(tuple(kinds.items()), tuple(pack.loaders)), doc)
    if problem is not None:
        _Where(path).at(problem.at).fail(problem.problem)
    return pack, kinds


def _parse(doc, path, kinds):
    top = _Where(path)
    pack, kinds = validate_document(doc, path, kinds)
    if "evidence" in doc:
        reference = _load_evidence(doc, path, top / "evidence").module(doc["reference"])
    else:
        reference = _reference_module(doc["reference"], top / "reference")
    datasets = doc.get("datasets", {})
    for name, spec in datasets.items():
        _dataset_loader(name, spec, pack, top / "datasets" / name)
    names = [f["name"] for f in doc["functions"]]
    context = _Context(names, datasets, reference, kinds, {}, pack)
    functions = tuple(_function(fdoc, top / "functions" / i, i, context)
                      for i, fdoc in enumerate(doc["functions"]))
    total = doc["total"]
    if sum(f.points for f in functions) != total:
        (top / "total").fail(TOTAL_MISMATCH.format(total=total, added=sum(f.points for f in functions)))
    # files last: a task.yaml copied alone still reports its own mistakes first
    resolved = {name: _dataset_files(name, spec, path.parent, pack, top / "datasets" / name)
                for name, spec in datasets.items()}
    template = doc.get("template", "")
    if template and not (path.parent / template).is_file():
        (top / "template").fail(NO_TEMPLATE.format(name=template, directory=path.parent))
    bugs = {}
    if "bugs" in doc:
        try:
            bugs = load_catalog(path.parent / doc["bugs"], names)
        except CatalogError as exc:
            raise TaskError(str(exc)) from None
    task_detectors = tuple(doc.get("detectors", []))
    _check_detectors(top, doc, functions, task_detectors, pack, bugs)
    limits = WorkerLimits(**doc.get("limits", {}))
    return Task(name=doc["name"], title=doc["title"], path=path, reference=doc["reference"],
                limits=limits, datasets=resolved, functions=functions, total=total, bugs=bugs,
                template=template, pack=pack.name, kinds=kinds, detectors=task_detectors,
                evidence=doc.get("evidence", ""), hidden_checks=doc.get("hidden_checks", 0))


def _load_evidence(doc, path, where):
    """A student kit's task: its recorded answers answer for the reference (and for the
    pack's variant modules), and must have been recorded for exactly this task file."""
    folder = path.parent / doc["evidence"]
    try:
        answers = evidence.answers_for(folder)
        answers.module(doc["reference"])
    except (OSError, ValueError, KeyError, ImportError) as exc:
        where.fail(NO_EVIDENCE.format(folder=folder, reason=clip(" ".join(str(exc).split()), 200)))
    stale = answers.stale(path.parent)
    if stale:
        where.fail(STALE_EVIDENCE.format(reason=stale))
    return answers


def _check_detectors(top, doc, functions, task_detectors, pack, bugs):
    """Every detector named exists in the pack, and the detectors and the catalog agree:
    each catalog bug can be named by one of them, and each of them names only catalog bugs."""
    named = [(top / "detectors" / j, name) for j, name in enumerate(task_detectors)]
    named += [(top / "functions" / i / "detector", f.detector) for i, f in enumerate(functions) if f.detector]
    seen = set()
    for where, name in named:
        if not pack.name:
            where.fail(NO_PACK_DETECTORS.format(known=", ".join(KNOWN_PACKS)))
        if name not in pack.detectors:
            where.fail(UNKNOWN_DETECTOR.format(name=name, pack=pack.name,
                                               suggestion=_close(name, pack.detectors)))
        if name in seen:
            where.fail(DUPLICATE_DETECTOR.format(name=name))
        seen.add(name)
    if named and not bugs:
        (top / "bugs").fail(NO_CATALOG) if "bugs" in doc else top.fail(NO_CATALOG)
    declared = {}
    for where, name in named:
        for bug in detectors_registry.declaration(pack.detectors[name]).bugs:
            declared.setdefault(bug, name)
            if bug not in bugs:
                where.fail(UNLISTED_BUG.format(detector=name, id=bug, catalog=doc["bugs"]))
    for index, bug in enumerate(bugs):
        if bug not in declared:
            (_Where(top.path.parent / doc["bugs"]) / "bugs" / index / "id").fail(UNCAUGHT_BUG.format(id=bug))


@dataclass
class _Context:
    names: list             # the task's function names
    datasets: dict          # its datasets: mapping
    reference: object       # the reference module
    kinds: dict
    seen_ids: dict          # check id -> where it was first declared
    pack: object            # the task's Pack


NO_EVIDENCE = "the kit's recorded answers in {folder} cannot be read ({reason}): rebuild the kit"
STALE_EVIDENCE = ("this kit is stale: {reason}; its recorded answers no longer fit, so it refuses to "
                  "grade: ask for (or build, with grader kit) a fresh kit")


def _reference_module(module, where):
    try:
        return reference_module(module)
    except Exception as exc:           # trusted grader-side code: any failure is the task's
        reason = " ".join(f"{type(exc).__name__}: {exc}".split())
        where.fail(NO_REFERENCE_MODULE.format(module=module, reason=clip(reason, 300)))


def _dataset_loader(name, spec, pack, where):
    loader = spec.get("loader", name)
    if loader not in pack.loaders:
        where.fail(UNKNOWN_LOADER.format(name=name, known=", ".join(pack.loaders) or "none: name a pack"))
    if pack.loaders[loader].files and "path" not in spec:
        (where / "path").fail(NEEDS_PATH.format(loader=loader))
    if not pack.loaders[loader].files and "path" in spec:
        (where / "path").fail(TAKES_NO_PATH.format(loader=loader))


def _dataset_files(name, spec, task_dir, pack, where):
    """The dataset's declaration with its folder resolved: relative to the task folder,
    else to the pack's data folder; its loader's files must be there."""
    if "path" not in spec:
        return dict(spec)
    given = spec["path"]
    candidates = [task_dir / given] + ([Path(pack.data) / given] if pack.data else [])
    folder = next((candidate.resolve() for candidate in candidates if candidate.is_dir()), None)
    if folder is None:
        (where / "path").fail(NO_DATASET_FOLDER.format(path=given, task_dir=task_dir, data_dir=pack.data))
    for file in pack.loaders[spec.get("loader", name)].files:
        if not (folder / file).is_file():
            (where / "path").fail(NO_DATA_FILE.format(folder=folder, file=file))
    return {**spec, "path": str(folder)}


def _function(fdoc, fw, index, context):
    name = fdoc["name"]
    if name in context.names[:index]:
        (fw / "name").fail(DUPLICATE_FUNCTION.format(name=name, first=context.names.index(name)))
    if not callable(getattr(context.reference, name, None)):
        public = [n for n in dir(context.reference) if not n.startswith("_")]
        (fw / "name").fail(NO_REFERENCE_FUNCTION.format(
            module=context.reference.__name__, name=name, suggestion=_close(name, public)))
    signature = _signature(fdoc["signature"], name, fw / "signature")
    let = fdoc.get("let", {})
    uses = _check_let(let, {}, fw, fw, context)
    checks = tuple(_check(cdoc, fw / "checks" / j, fw, uses, signature, context)
                   for j, cdoc in enumerate(fdoc["checks"]))
    points = fdoc["points"]
    if sum(c.points for c in checks) != points:
        (fw / "points").fail(POINTS_MISMATCH.format(name=name, points=points,
                                                    total=sum(c.points for c in checks)))
    others = [n for n in context.names if n != name]
    for j, helper in enumerate(fdoc.get("helpers", [])):
        if helper not in others:
            (fw / "helpers" / j).fail(NOT_A_HELPER.format(name=helper, suggestion=_close(helper, others)))
    ids = [c.id for c in checks]
    for j, cid in enumerate(fdoc.get("evidence", [])):
        if cid not in ids:
            (fw / "evidence" / j).fail(NOT_A_CHECK.format(id=cid, function=name, suggestion=_close(cid, ids)))
    return FunctionSpec(name=name, signature=fdoc["signature"], points=points, checks=checks,
                        summary=fdoc.get("summary", ""), let=let,
                        helpers=tuple(fdoc.get("helpers", [])), evidence=tuple(fdoc.get("evidence", [])),
                        detector=fdoc.get("detector", ""))


def _check(cdoc, cw, fw, function_uses, signature, context):
    cid = cdoc["id"]
    if cid in context.seen_ids:
        (cw / "id").fail(DUPLICATE_CHECK.format(id=cid))
    context.seen_ids[cid] = cw.trail
    bound = _check_let(cdoc.get("let", {}), function_uses, cw, fw, context)
    for key in ("args", "cases", "kwargs"):
        if key in cdoc:
            _spec(cdoc[key], cw / key, bound, context)
    spec = declaration(context.kinds[cdoc["kind"]])
    for name, param in (spec.params.items() if spec else ()):
        if name not in cdoc:
            continue
        if param.type in SPEC_TYPES:
            _spec(cdoc[name], cw / name, bound, context)
        elif param.type == "functions":
            for j, helper in enumerate(cdoc[name]):
                if helper not in context.names:
                    (cw / name / j).fail(NOT_A_FUNCTION.format(name=helper,
                                                               suggestion=_close(helper, context.names)))
    if spec is not None and spec.args is not None:
        _check_arguments(cdoc, cw, spec, signature)
    return CheckSpec(id=cid, kind=cdoc["kind"], description=cdoc["description"], points=cdoc["points"],
                     help=cdoc.get("help", ""), hidden=cdoc.get("hidden", False),
                     end_to_end=cdoc.get("end_to_end", False), timeout=cdoc.get("timeout", 0.0),
                     params={k: v for k, v in cdoc.items() if k not in _CHECK_KEYS})


def _spec(spec, where, bound, context):
    try:
        return validate_spec(spec, (), bound, context.datasets, context.reference, context.pack.loaders)
    except SpecError as exc:
        where.at(exc.at).fail(exc.problem)


def _check_let(let, outer, where, function_where, context):
    """Each binding of ``let`` (under ``where``) is a valid spec that uses only bound names
    (its own level's and those of ``outer``, {name: (spec, names it uses)}), and none is
    defined in terms of itself. Returns {name: (spec, names it uses)} of both levels."""
    bound = {**{name: spec for name, (spec, _) in outer.items()}, **let}
    uses = dict(outer)
    uses.update({name: (spec, _spec(spec, where / "let" / name, bound, context)) for name, spec in let.items()})
    graph = {name: used for name, (_, used) in uses.items()}
    for start in let:
        chain = _cycle(start, graph)
        if chain:
            owner = where if chain[0] in let else function_where
            (owner / "let" / chain[0]).fail(LET_CYCLE.format(
                name=chain[0], chain=" -> ".join(f"${n}" for n in chain)))
    return uses


def _cycle(start, graph):
    """A chain start -> ... -> start through the bindings' uses, or None."""
    stack, seen = [(start, (start,))], set()
    while stack:
        name, chain = stack.pop()
        for used in sorted(graph.get(name, ()), reverse=True):
            if used == start:
                return (*chain, start)
            if used not in seen:
                seen.add(used)
                stack.append((used, (*chain, used)))
    return None


# -------------------------------------------------------------- signatures
@dataclass(frozen=True)
class _Signature:
    text: str
    positional: tuple       # names, in order
    required: frozenset     # positional names without a default
    varargs: bool
    keyword_only: tuple
    required_keyword_only: frozenset
    varkw: bool


def _signature(text, name, where):
    try:
        tree = ast.parse(f"def {text}: pass")
        node = tree.body[0] if len(tree.body) == 1 else None
        if not isinstance(node, ast.FunctionDef) or len(node.body) != 1 or not isinstance(node.body[0], ast.Pass):
            raise SyntaxError("more than one signature")
    except SyntaxError as exc:
        where.fail(BAD_SIGNATURE.format(name=name, reason=exc.msg))
    if node.name != name:
        where.fail(SIGNATURE_NAME.format(found=node.name, name=name))
    args = node.args
    positional = tuple(a.arg for a in args.posonlyargs + args.args)
    required = positional[:len(positional) - len(args.defaults)]
    return _Signature(text=text, positional=positional, required=frozenset(required),
                      varargs=args.vararg is not None,
                      keyword_only=tuple(a.arg for a in args.kwonlyargs),
                      required_keyword_only=frozenset(a.arg for a, d in zip(args.kwonlyargs, args.kw_defaults)
                                                      if d is None),
                      varkw=args.kwarg is not None)


def _arguments_text(low, high):
    if high is None:
        return f"at least {low} argument{'s' if low != 1 else ''}"
    if low == high:
        return f"{low} argument{'s' if low != 1 else ''}"
    return f"{low} to {high} arguments"


def _keyword_problem(sig, count, keywords):
    """(name, why) for the first keyword argument that does not fit, or None."""
    for name in keywords:
        if name in sig.positional[:count]:
            return name, TWICE.format(signature=sig.text, name=name)
        if name not in sig.positional + sig.keyword_only and not sig.varkw:
            return name, NO_PARAMETER.format(signature=sig.text, name=name,
                                             suggestion=_close(name, sig.positional + sig.keyword_only))
    return None


def _count_problem(sig, count, keywords):
    """How many positional arguments fit (words), when ``count`` does not; else None."""
    low = 1 + max((i for i, p in enumerate(sig.positional) if p in sig.required and p not in keywords),
                  default=-1)
    given = [i for i, p in enumerate(sig.positional) if p in keywords]
    high = min(given) if given else (None if sig.varargs else len(sig.positional))
    if count < low or (high is not None and count > high):
        return _arguments_text(low, high)
    return None


def _check_arguments(cdoc, cw, spec, signature):
    """The check's args or cases fit the function's signature (or the kind's own arguments)."""
    if "args" in cdoc and "cases" in cdoc:
        (cw / "args").fail(BOTH_ARGS)
    if "cases" in cdoc:
        lists = [(cw / "cases" / k, case) for k, case in enumerate(cdoc["cases"])]
    elif "args" in cdoc:
        lists = [(cw / "args", cdoc["args"])]
    else:
        lists = []
    if spec.args != SIGNATURE:
        names = ", ".join(spec.args)
        if not lists:
            cw.fail(KIND_NO_ARGS.format(kind=spec.name, names=names))
        for where, args in lists:
            if len(args) != len(spec.args):
                where.fail(KIND_ARGS.format(kind=spec.name, names=names, count=len(args)))
        return
    keywords = list(cdoc.get("kwargs", {}))
    for _, args in lists or [(cw, [])]:
        wrong = _keyword_problem(signature, len(args), keywords)
        if wrong:
            (cw / "kwargs" / wrong[0]).fail(wrong[1])
    missing = sorted(signature.required_keyword_only - set(keywords))
    if missing:
        (cw / "kwargs" if "kwargs" in cdoc else cw).fail(
            KEYWORD_ONLY.format(signature=signature.text, name=missing[0]))
    for where, args in lists or [(cw, None)]:
        expected = _count_problem(signature, len(args or []), keywords)
        if expected and args is None:
            where.fail(NO_ARGS.format(signature=signature.text, expected=expected))
        if expected:
            where.fail(ARG_COUNT.format(signature=signature.text, expected=expected, count=len(args)))


def _close(word, known):
    """" (did you mean x?)" when one of ``known`` is close to ``word``, else ""."""
    match = difflib.get_close_matches(str(word), [str(k) for k in known], n=1)
    return f" (did you mean {match[0]}?)" if match else ""
