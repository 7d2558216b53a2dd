"""Turn the input specs of a task file into arguments.

A spec is plain YAML. Tagged mappings build values:

    {array: [[1, 2], [3, 4]], dtype: float64}       a literal array
    {randn: [N, D], seed: 1, scale: 1.0, shift: 0}  normal samples, float64
    {uniform: [low, high], shape: [N, D], seed: 1}
    {randint: [low, high], shape: [N], seed: 1, dtype: int64}
    {rng: 7}                                        a fresh numpy Generator(7) per call
    {probe: sin_dot, args: [...]}                   a scalar function (see worker PROBES)
    {dataset: mnist, part: train_images, take: 100}
    {reference: forward, args: [...], pick: 1}      an input computed by the reference
    "$name"                                         a value bound under the check's `let:`
                                                    (or the function's)

Plain lists stay lists (``[4, 5, 3]`` is a list of layer sizes); use ``array:`` for arrays.
Generators and probes stay markers until a side is chosen: ``for_worker`` turns them
into wire tags, ``for_reference`` into live objects. Only inputs are built here;
expected values are computed by checks from the reference, in the grader's process.

A ``reference:`` spec is computed once per process (``REFERENCE_INPUTS``): its arguments
are specs too, so the same spec always gives the same value, and its arrays are kept
read-only and shared by every check and grading that asks for it (each gets its own
lists and dicts around them). ``prepare`` computes a
task's all at once: a class batch does it before it forks its gradings, which then start
with them (the MNIST training inputs cost about 0.5 s of CPU to build and copy).

``validate_spec`` checks a spec when the task is loaded (task.py), without building it:
every tag is known and has only its own keys, every ``$name`` is bound, datasets, parts,
probes and reference functions exist. A mapping without a tag is a plain dict of values,
unless it has a spec option (``seed``, ``shape``, ...) or its only key is close to a tag:
then it is a spec with an unknown tag (``{gauss: [5, 4], seed: 1}``).
"""
import copy
import difflib
import importlib
import inspect
import json
import threading
import types
from collections import OrderedDict
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from .packs import load_pack
from .worker import protocol
from .worker.probes import PROBES


class SpecError(Exception):
    """An input spec in the task file is invalid; ``at`` is its place (keys and indexes)."""

    def __init__(self, problem, at=()):
        super().__init__(problem)
        self.problem, self.at = problem, tuple(at)


@dataclass(frozen=True)
class Rng:
    seed: int


@dataclass(frozen=True)
class Probe:
    name: str
    args: tuple


def _convert(value, leaf, copy=True):
    if isinstance(value, (Rng, Probe)):
        return leaf(value)
    if isinstance(value, np.ndarray):
        return value.copy() if copy else value
    if isinstance(value, list):
        return [_convert(v, leaf, copy) for v in value]
    if isinstance(value, tuple):
        return tuple(_convert(v, leaf, copy) for v in value)
    if isinstance(value, dict):
        return {k: _convert(v, leaf, copy) for k, v in value.items()}
    return value


def for_worker(value):
    """Markers -> wire tags; arrays as they are (not copied: the session copies each into
    its own shared memory, and the worker changes only that copy)."""
    return _convert(value, lambda m: protocol.rng(m.seed) if isinstance(m, Rng)
                    else protocol.probe(m.name, *for_worker(list(m.args))), copy=False)


def for_reference(value):
    """Markers -> live Generators and functions; arrays copied."""
    return _convert(value, lambda m: np.random.default_rng(m.seed) if isinstance(m, Rng)
                    else _probe_function(m))


def _probe_function(marker):
    """A probe marker -> its function, which says what it is (``__probe__``: name and
    arguments) so that a kit's recorded answers can recognise it (evidence.key)."""
    function = PROBES[marker.name](*for_reference(list(marker.args)))
    function.__probe__ = (marker.name, list(marker.args))
    return function


# module name -> what answers for it instead of the module itself: a kit's recorded
# answers (evidence.Answers), or a recording proxy while a kit is built (evidence.Recording)
OVERRIDES = {}


def reference_module(name):
    """The task's reference module by name (or what answers for it, see OVERRIDES)."""
    if name in OVERRIDES:
        return OVERRIDES[name]
    return importlib.import_module(name)


def reference_of(task):
    """What answers for ``task``'s reference: its module, or a kit's recorded answers."""
    if getattr(task, "evidence", ""):
        from .evidence import answers_for
        return answers_for(task.directory / task.evidence).module(task.reference)
    return reference_module(task.reference)


@lru_cache(maxsize=8)
def load_dataset(pack, loader, path):
    """The parts of a dataset: the ``loader`` of ``pack`` (names) reading folder ``path``."""
    loaders = load_pack(pack).loaders
    if loader not in loaders:
        raise SpecError(f"unknown dataset loader {loader!r} (known: {', '.join(loaders) or 'none'})")
    return loaders[loader].load(path)


class Inputs:
    """Builds the values of one check, with its ``let:`` bindings, lazily and once."""

    def __init__(self, task, let=None):
        self.task = task
        self.let = dict(let or {})
        self.bound = {}

    @classmethod
    def of_check(cls, task, function, check):
        """The inputs of one check: its function's ``let:`` bindings, and its own over them."""
        return cls(task, {**function.let, **check.params.get("let", {})})

    def reference(self, name):
        func = getattr(reference_of(self.task), name, None)
        if func is None:
            raise SpecError(f"the reference module {self.task.reference} has no {name}")
        return func

    def dataset(self, name, part):
        spec = self.task.datasets.get(name)
        if spec is None:
            raise SpecError(f"dataset {name!r} is not declared under datasets:")
        path = spec.get("path")
        data = load_dataset(self.task.pack, spec.get("loader", name),
                            str((self.task.directory / path).resolve()) if path else None)
        if part not in data:
            raise SpecError(f"dataset {name!r} has no part {part!r} (it has {', '.join(data)})")
        return data[part]

    def expanded(self, spec, seen=()):
        """``spec`` with every ``$name`` replaced by its binding's spec (a plain value)."""
        if isinstance(spec, str) and spec.startswith("$"):
            name = spec[1:]
            if name in self.let and name not in seen:
                return self.expanded(self.let[name], seen + (name,))
            return spec
        if isinstance(spec, list):
            return [self.expanded(s, seen) for s in spec]
        if isinstance(spec, dict):
            return {k: self.expanded(v, seen) for k, v in spec.items()}
        return spec

    def value(self, spec):
        if isinstance(spec, str) and spec.startswith("$"):
            name = spec[1:]
            if name not in self.bound:
                if name not in self.let:
                    raise SpecError(f"{spec} is not bound under let:")
                self.bound[name] = self.value(self.let[name])
            return self.bound[name]
        if isinstance(spec, list):
            return [self.value(s) for s in spec]
        if not isinstance(spec, dict):
            return spec
        for tag in _BUILDERS:
            if tag in spec:
                return _BUILDERS[tag](self, spec)
        return {k: self.value(v) for k, v in spec.items()}


def _seeded(spec):
    return np.random.default_rng(spec.get("seed", 0))


def _array(inputs, spec):
    return np.array(spec["array"], dtype=spec.get("dtype", "float64"))


def _randn(inputs, spec):
    x = _seeded(spec).standard_normal(tuple(spec["randn"]))
    return x * spec.get("scale", 1.0) + spec.get("shift", 0.0)


def _uniform(inputs, spec):
    low, high = spec["uniform"]
    return _seeded(spec).uniform(low, high, tuple(spec["shape"]))


def _randint(inputs, spec):
    low, high = spec["randint"]
    dtype = spec.get("dtype", "int64")
    return _seeded(spec).integers(low, high, tuple(spec["shape"])).astype(dtype)


def _rng(inputs, spec):
    return Rng(int(spec["rng"]))


def _probe(inputs, spec):
    if spec["probe"] not in PROBES:
        raise SpecError(f"unknown probe {spec['probe']!r} (known: {', '.join(PROBES)})")
    return Probe(spec["probe"], tuple(inputs.value(spec.get("args", []))))


def _dataset(inputs, spec):
    data = inputs.dataset(spec["dataset"], spec["part"])
    take = spec.get("take")
    return data[:take] if take else data


def _reference(inputs, spec):
    func = inputs.reference(spec["reference"])
    key = REFERENCE_INPUTS.key(inputs, func, spec)
    if key is None:
        return copy.deepcopy(_compute_reference(inputs, func, spec))
    return shared(REFERENCE_INPUTS.get(key, lambda: read_only(_compute_reference(inputs, func, spec))))


def _compute_reference(inputs, func, spec):
    args = for_reference(inputs.value(spec.get("args", [])))
    kwargs = for_reference(inputs.value(spec.get("kwargs", {})))
    result = func(*args, **kwargs)
    if "pick" in spec:
        result = result[spec["pick"]]
    return result


def _arrays(value):
    if isinstance(value, np.ndarray):
        yield value
    elif isinstance(value, (list, tuple)):
        for v in value:
            yield from _arrays(v)
    elif isinstance(value, dict):
        for v in value.values():
            yield from _arrays(v)


def read_only(value):
    """``value`` with every array in it (in lists, tuples and dicts) made read-only: a
    shared input that something tried to change raises instead of changing others' input.
    The reference made them from fresh copies of its arguments, so nothing else holds them."""
    for array in _arrays(value):
        array.flags.writeable = False
    return value


def shared(value):
    """A copy of a kept ``value`` for one check: its lists, dicts and anything else new,
    its (read-only) arrays the kept ones, not copied."""
    return copy.deepcopy(value, {id(array): array for array in _arrays(value)})


class ReferenceInputs:
    """The values of ``reference:`` specs, computed once per process and shared.

    The key is the reference function itself (a patched or another reference is another
    key), the spec with its ``$name`` bindings written out, and the task's datasets; only
    a reference module's own functions are kept (not a kit's recorded answers, nor a
    recording proxy, which must see every call). At most ``tasks`` tasks' values are kept.
    """

    def __init__(self, tasks=4):
        self.tasks = tasks
        self.values = OrderedDict()         # task key -> {spec key: value}
        self.lock = threading.Lock()
        self.computing = {}                 # key -> Lock held while one thread computes it

    def key(self, inputs, func, spec):
        """-> the key of ``spec``'s value, or None when it is not to be kept."""
        if not isinstance(func, types.FunctionType) or not kept_for(inputs.task):
            return None
        try:
            text = json.dumps(inputs.expanded(spec), sort_keys=True)
        except (TypeError, ValueError):
            return None
        task = inputs.task
        where = (str(task.directory), json.dumps(task.datasets, sort_keys=True, default=str))
        return where, func, text

    def get(self, key, compute):
        where, rest = key[0], key[1:]
        with self.lock:
            values = self.values.setdefault(where, {})
            self.values.move_to_end(where)
            while len(self.values) > self.tasks:
                self.values.popitem(last=False)
            if rest in values:
                return values[rest]
            busy = self.computing.setdefault(key, threading.Lock())
        with busy:                          # another thread computing it: wait, then take it
            with self.lock:
                if rest in values:
                    return values[rest]
            try:
                value = compute()
                with self.lock:
                    values[rest] = value
                return value
            finally:
                with self.lock:
                    self.computing.pop(key, None)

    def clear(self):
        with self.lock:
            self.values.clear()


REFERENCE_INPUTS = ReferenceInputs()


def kept_for(task):
    """Whether ``task``'s reference-built inputs are kept: not when a kit's recorded answers
    stand for the reference (``evidence``), nor while a recording does (OVERRIDES)."""
    return not task.evidence and task.reference not in OVERRIDES


def prepare(task, checks=lambda check: True):
    """Compute every ``reference:`` input of ``task``'s checks (those ``checks(check)``
    accepts) now (see REFERENCE_INPUTS), so that gradings forked after this start with
    them. A spec that fails here is left for the grading, which reports it as it always does."""
    if not kept_for(task):
        return
    for function in task.functions:
        for check in function.checks:
            if not checks(check):
                continue
            inputs = Inputs.of_check(task, function, check)
            for spec in _reference_specs([inputs.let, check.params]):
                try:
                    inputs.value(spec)
                except Exception:                       # noqa: BLE001 - the grading reports it
                    pass


def prepare_in_background(task):
    """Start computing the inputs of ``task``'s end-to-end checks (the costly ones, e.g.
    MNIST's training set) in a thread of their own, while the worker starts and the first
    checks run; a check that needs one first waits for it (ReferenceInputs.get) -> Thread.
    numpy computes the big arrays outside the GIL, so this takes another core."""
    thread = threading.Thread(target=prepare, args=(task, lambda check: check.end_to_end),
                              name="grader-prepare", daemon=True)
    thread.start()
    return thread


def _reference_specs(value):
    """The ``reference:`` specs in a check's parameters (not inside another spec)."""
    if isinstance(value, dict):
        if "reference" in value:
            yield value
        else:
            for v in value.values():
                yield from _reference_specs(v)
    elif isinstance(value, list):
        for v in value:
            yield from _reference_specs(v)


_BUILDERS = {"array": _array, "randn": _randn, "uniform": _uniform, "randint": _randint,
             "rng": _rng, "probe": _probe, "dataset": _dataset, "reference": _reference}


# ------------------------------------------------------------------ validation
SPEC_OPTIONS = {"array": ("dtype",), "randn": ("seed", "scale", "shift"), "uniform": ("shape", "seed"),
                "randint": ("shape", "seed", "dtype"), "rng": (), "probe": ("args",),
                "dataset": ("part", "take"), "reference": ("args", "kwargs", "pick")}
REQUIRED_OPTIONS = {"uniform": ("shape",), "randint": ("shape",), "dataset": ("part",)}
# keys that only a spec has: a mapping with one of them but no known tag has a typo in its tag
SPEC_ONLY_KEYS = ("seed", "shape", "dtype", "scale", "shift", "part", "take", "pick")

UNKNOWN_SPEC = "unknown input spec {tag!r}{suggestion}"
NO_TAG = "an input spec without a tag (one of: {known})"
TWO_TAGS = "an input spec has one tag, this one has {tags}"
UNKNOWN_OPTION = "unknown key of a {tag} spec{suggestion}"
MISSING_OPTION = "missing (a {tag} spec needs it)"
UNBOUND = "{name} is not bound under let:{suggestion}"
UNKNOWN_DATASET = "unknown dataset {name!r}{suggestion}"
UNKNOWN_PART = "dataset {name!r} has no part {part!r}{suggestion}"
UNKNOWN_PROBE = "unknown probe {name!r}{suggestion}"
NO_REFERENCE = "the reference module {module} has no {name}{suggestion}"
NOT_CALLABLE = "{name} of the reference module {module} is not a function"
REFERENCE_ARGS = "the reference's {name}{signature} cannot take these arguments: {reason}"
BAD_SHAPE = "expected a shape (a list of whole numbers >= 0), got {value!r}"
BAD_BOUNDS = "expected [low, high] with low < high, got {value!r}"
BAD_INTEGER = "expected a whole number{minimum}, got {value!r}"
BAD_NUMBER = "expected a number, got {value!r}"
BAD_DTYPE = "unknown dtype {value!r}"
BAD_ARRAY = "cannot be made into an array: {reason}"
BAD_LIST = "expected a list, got {value!r}"
BAD_MAPPING = "expected a mapping, got {value!r}"
BAD_NAME = "expected a name, got {value!r}"
DID_YOU_MEAN = " (did you mean {match}?)"
KNOWN = " (known: {known})"


def suggest(word, known, listing=True):
    """" (did you mean x?)" for the closest of ``known``, else " (known: ...)" (or "")."""
    known = [str(k) for k in known]
    match = difflib.get_close_matches(str(word), known, n=1)
    if match:
        return DID_YOU_MEAN.format(match=match[0])
    return KNOWN.format(known=", ".join(known) or "none") if listing else ""


def _is_int(value):
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def spec_tag(spec):
    """The tag of a mapping that is a spec ("randn", ...), None for a plain dict of values,
    or SpecError for a mapping that looks like a spec with an unknown tag."""
    tags = [key for key in spec if key in _BUILDERS]
    if len(tags) > 1:
        raise SpecError(TWO_TAGS.format(tags=" and ".join(map(str, tags))))
    if tags:
        return tags[0]
    others = [key for key in spec if key not in SPEC_ONLY_KEYS]
    looks_like_a_spec = any(key in SPEC_ONLY_KEYS for key in spec) or (
        len(spec) == 1 and difflib.get_close_matches(str(others[0]), list(_BUILDERS), n=1, cutoff=0.75))
    if not looks_like_a_spec:
        return None
    if not others:
        raise SpecError(NO_TAG.format(known=", ".join(_BUILDERS)))
    raise SpecError(UNKNOWN_SPEC.format(tag=others[0], suggestion=suggest(others[0], _BUILDERS)))


def validate_spec(spec, where=(), bindings=(), datasets=None, reference=None, loaders=None):
    """Check one input spec without building it; SpecError(problem, at) names the place.

    ``where``: the place of ``spec`` (keys and indexes); ``bindings``: the names bound
    under ``let:`` there; ``datasets``: the task's ``datasets:`` mapping; ``reference``:
    the reference module (None: reference functions are not checked); ``loaders``: the
    pack's dataset loaders (Pack.loaders), which say what parts a dataset has. Returns
    the binding names the spec uses (``{"probs"}`` for ``$probs``).
    """
    used = set()
    parts = {}                  # dataset name -> the parts its loader gives (None: unknown)
    for name, declared in (datasets or {}).items():
        loader = declared.get("loader", name) if isinstance(declared, dict) else name
        parts[name] = getattr((loaders or {}).get(loader), "parts", None)
    _validate(spec, tuple(where), set(bindings), parts, reference, used)
    return used


def _validate(spec, at, bindings, datasets, reference, used):
    def fail(problem, *more):
        raise SpecError(problem, at + more)

    if isinstance(spec, str) and spec.startswith("$"):
        name = spec[1:]
        if name not in bindings:
            fail(UNBOUND.format(name=spec, suggestion=_bound_hint(name, bindings)))
        used.add(name)
        return
    if isinstance(spec, list):
        for i, item in enumerate(spec):
            _validate(item, at + (i,), bindings, datasets, reference, used)
        return
    if not isinstance(spec, dict):
        return
    try:
        tag = spec_tag(spec)
    except SpecError as exc:
        raise SpecError(exc.problem, at + exc.at) from None
    if tag is None:
        for key, value in spec.items():
            _validate(value, at + (key,), bindings, datasets, reference, used)
        return
    for key in spec:
        if key != tag and key not in SPEC_OPTIONS[tag]:
            fail(UNKNOWN_OPTION.format(tag=tag, suggestion=suggest(key, SPEC_OPTIONS[tag])), key)
    for key in REQUIRED_OPTIONS.get(tag, ()):
        if key not in spec:
            fail(MISSING_OPTION.format(tag=tag), key)
    value = spec[tag]
    if "seed" in spec and not _is_int(spec["seed"]):
        fail(BAD_INTEGER.format(minimum="", value=spec["seed"]), "seed")
    if "shape" in spec:
        _shape(spec["shape"], lambda problem: fail(problem, "shape"))
    if "dtype" in spec:
        try:
            np.dtype(spec["dtype"])
        except TypeError:
            fail(BAD_DTYPE.format(value=spec["dtype"]), "dtype")
    for key in ("scale", "shift"):
        if key in spec and not _is_number(spec[key]):
            fail(BAD_NUMBER.format(value=spec[key]), key)
    if tag == "array":
        if isinstance(value, (list, int, float)) and not isinstance(value, bool):
            try:
                np.array(value, dtype=spec.get("dtype", "float64"))
            except (TypeError, ValueError) as exc:
                fail(BAD_ARRAY.format(reason=exc), tag)
        else:
            fail(BAD_ARRAY.format(reason=f"{value!r} is not a list or a number"), tag)
    elif tag == "randn":
        _shape(value, lambda problem: fail(problem, tag))
    elif tag in ("uniform", "randint"):
        ok = _is_int if tag == "randint" else _is_number
        if not (isinstance(value, list) and len(value) == 2 and all(map(ok, value)) and value[0] < value[1]):
            fail(BAD_BOUNDS.format(value=value), tag)
    elif tag == "rng":
        if not _is_int(value):
            fail(BAD_INTEGER.format(minimum="", value=value), tag)
    elif tag == "probe":
        if value not in PROBES:
            fail(UNKNOWN_PROBE.format(name=value, suggestion=suggest(value, PROBES)), tag)
        _arguments(spec, at, bindings, datasets, reference, used)
    elif tag == "dataset":
        _dataset_spec(spec, fail, datasets)
    elif tag == "reference":
        _reference_spec(spec, at, fail, bindings, datasets, reference, used)


def _bound_hint(name, bindings):
    if not bindings:
        return " (nothing is bound here)"
    match = difflib.get_close_matches(name, sorted(bindings), n=1)
    if match:
        return DID_YOU_MEAN.format(match=f"${match[0]}")
    return f" (bound here: {', '.join('$' + b for b in sorted(bindings))})"


def _shape(value, fail):
    if not (isinstance(value, list) and all(_is_int(v) and v >= 0 for v in value)):
        fail(BAD_SHAPE.format(value=value))


def _arguments(spec, at, bindings, datasets, reference, used):
    args, kwargs = spec.get("args", []), spec.get("kwargs", {})
    if not isinstance(args, list):
        raise SpecError(BAD_LIST.format(value=args), at + ("args",))
    if not isinstance(kwargs, dict):
        raise SpecError(BAD_MAPPING.format(value=kwargs), at + ("kwargs",))
    _validate(args, at + ("args",), bindings, datasets, reference, used)
    _validate(kwargs, at + ("kwargs",), bindings, datasets, reference, used)
    return args, kwargs


def _dataset_spec(spec, fail, datasets):
    name, part = spec["dataset"], spec["part"]
    if not isinstance(name, str) or name not in datasets:
        fail(UNKNOWN_DATASET.format(name=name, suggestion=suggest(name, datasets)), "dataset")
    parts = datasets[name]              # the parts its loader gives (None: unknown loader)
    if parts is not None and part not in parts:
        fail(UNKNOWN_PART.format(name=name, part=part, suggestion=suggest(part, parts)), "part")
    if "take" in spec and not (_is_int(spec["take"]) and spec["take"] >= 1):
        fail(BAD_INTEGER.format(minimum=" >= 1", value=spec["take"]), "take")


def _reference_spec(spec, at, fail, bindings, datasets, reference, used):
    name = spec["reference"]
    if not isinstance(name, str) or not name.isidentifier():
        fail(BAD_NAME.format(value=name), "reference")
    if "pick" in spec and not _is_int(spec["pick"]):
        fail(BAD_INTEGER.format(minimum="", value=spec["pick"]), "pick")
    args, kwargs = _arguments(spec, at, bindings, datasets, reference, used)
    if reference is None:
        return
    module = reference.__name__
    if not hasattr(reference, name):
        public = [n for n in dir(reference) if not n.startswith("_")]
        fail(NO_REFERENCE.format(module=module, name=name, suggestion=suggest(name, public, listing=False)),
             "reference")
    func = getattr(reference, name)
    if not callable(func):
        fail(NOT_CALLABLE.format(module=module, name=name), "reference")
    try:
        signature = inspect.signature(func)
    except (TypeError, ValueError):
        return
    try:
        signature.bind(*args, **kwargs)
    except TypeError as exc:
        fail(REFERENCE_ARGS.format(name=name, signature=signature, reason=exc), "args")
