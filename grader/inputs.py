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

Plain lists stay lists (``[4, 5, 3]`` is a list of layer sizes); use ``array:`` for arrays.
Generators and probes stay markers until a side is chosen: ``for_worker`` turns them
into wire tags, ``for_reference`` into live objects. Only inputs are built here;
expected values are computed by checks from the reference, in the grader's process.
"""
import copy
import importlib
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from . import datasets as datasets_module
from .worker import protocol
from .worker.probes import PROBES


class SpecError(Exception):
    """An input spec in the task file is invalid."""


@dataclass(frozen=True)
class Rng:
    seed: int


@dataclass(frozen=True)
class Probe:
    name: str
    args: tuple


def _convert(value, leaf):
    if isinstance(value, (Rng, Probe)):
        return leaf(value)
    if isinstance(value, np.ndarray):
        return value.copy()
    if isinstance(value, list):
        return [_convert(v, leaf) for v in value]
    if isinstance(value, tuple):
        return tuple(_convert(v, leaf) for v in value)
    if isinstance(value, dict):
        return {k: _convert(v, leaf) for k, v in value.items()}
    return value


def for_worker(value):
    """Markers -> wire tags; arrays copied."""
    return _convert(value, lambda m: protocol.rng(m.seed) if isinstance(m, Rng)
                    else protocol.probe(m.name, *for_worker(list(m.args))))


def for_reference(value):
    """Markers -> live Generators and functions; arrays copied."""
    return _convert(value, lambda m: np.random.default_rng(m.seed) if isinstance(m, Rng)
                    else PROBES[m.name](*for_reference(list(m.args))))


@lru_cache(maxsize=None)
def reference_module(name):
    return importlib.import_module(name)


@lru_cache(maxsize=8)
def load_dataset(loader, path):
    if loader == "xor":
        X, y = datasets_module.xor()
        return {"X": X, "y": y}
    if loader == "mnist":
        return datasets_module.load_mnist(path)
    raise SpecError(f"unknown dataset loader {loader!r} (known: xor, mnist)")


class Inputs:
    """Builds the values of one check, with its ``let:`` bindings, lazily and once."""

    def __init__(self, task, let=None):
        self.task = task
        self.let = dict(let or {})
        self.bound = {}

    def reference(self, name):
        func = getattr(reference_module(self.task.reference), name, None)
        if func is None:
            raise SpecError(f"the reference module {self.task.reference} has no {name}")
        return func

    def dataset(self, name, part):
        spec = self.task.datasets.get(name)
        if spec is None:
            raise SpecError(f"dataset {name!r} is not declared under datasets:")
        path = spec.get("path")
        data = load_dataset(spec.get("loader", name),
                            str((self.task.directory / path).resolve()) if path else None)
        if part not in data:
            raise SpecError(f"dataset {name!r} has no part {part!r} (it has {', '.join(data)})")
        return data[part]

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
    args = for_reference(inputs.value(spec.get("args", [])))
    kwargs = for_reference(inputs.value(spec.get("kwargs", {})))
    result = inputs.reference(spec["reference"])(*args, **kwargs)
    if "pick" in spec:
        result = result[spec["pick"]]
    return copy.deepcopy(result)


_BUILDERS = {"array": _array, "randn": _randn, "uniform": _uniform, "randint": _randint,
             "rng": _rng, "probe": _probe, "dataset": _dataset, "reference": _reference}
