"""What a detector sees of the student's code: calls that answer None instead of raising.

A detector asks questions ("what does your softmax return for these logits?") on probe
inputs it chooses. A call that raises, hangs or returns something unusable answers
None: the detector then has no evidence and names no bug. Expected values never enter
the worker; they are computed here, by the detector, from the reference's variants.
"""
import contextlib
import numbers

import numpy as np

from ..checks import compare
from ..checks.base import Failed
from ..checks.values import arrays_in
from ..inputs import for_worker, reference_module
from ..worker import CallError
from ..worker.protocol import Unsupported

PROBE_SECONDS = 5.0        # a probe call is small; a slower one is no evidence


class Probe:
    """``dead``: functions that hung or crashed (in a check or a probe): not called again,
    so a submission with an endless loop pays its timeout once, not once per probe.
    ``reference``: the task's reference module (name), which detectors compare with;
    ``results``: {function: FunctionResult} of the checks (a detector may read their facts)."""

    def __init__(self, worker, functions, seconds=PROBE_SECONDS, dead=(), stand_ins=None, remaining=None,
                 reference=None, results=None):
        self.worker, self.functions, self._seconds = worker, set(functions), seconds
        self.reference = reference_module(reference) if isinstance(reference, str) else reference
        self.results = dict(results or {})
        self.notes = []             # what a detector tells the report (probe.note)
        # seconds left of the grading's budget (None: no budget); past it, no more probes
        self.remaining = remaining
        self.dead = set(dead)
        # name -> {helper: correct function}: what the checks gave that function, so a
        # probe of forward does not hang in a relu that hung in its own check
        self.stand_ins = stand_ins or (lambda name: {})
        self._shared = None

    def _session(self, name):
        """A session for probing ``name``: its own when ``name`` needs stand-ins, else one
        shared by the probes (they only feed the diagnosis, never a score)."""
        stand_ins = self.stand_ins(name) if name else {}
        if stand_ins:
            return self.worker.session(stand_ins, what=f"probing {name}")
        if self._shared is None or not self._shared.alive:
            self._shared = self.worker.session({}, what="the diagnosis")
        return contextlib.nullcontext(self._shared)

    def note(self, text):
        """A line for the report's notes (said once)."""
        if text not in self.notes:
            self.notes.append(text)

    @property
    def seconds(self):
        return self.budget(1)

    def budget(self, factor):
        """Seconds for a probe worth ``factor`` calls, within what is left of the budget."""
        if self.remaining is None:
            return self._seconds * factor
        return max(0.0, min(self._seconds * factor, self.remaining()))

    def has(self, name):
        return name in self.functions and name not in self.dead and self.seconds > 0

    def _failed(self, name, error):
        if error.kind in ("timeout", "crash"):
            self.dead.add(name)

    def call(self, name, *args, **kwargs):
        """The student's ``name(*args, **kwargs)`` as plain data, or None."""
        if not self.has(name):
            return None
        try:
            with self._session(name) as session:
                value = session.call(name, *for_worker(list(args)), timeout=self.seconds,
                                     **for_worker(kwargs))
        except CallError as error:
            self._failed(name, error)
            return None
        return None if isinstance(value, Unsupported) else value

    def array(self, name, *args, **kwargs):
        """The call's result as a float64 array, or None if it is not an array of numbers."""
        return as_array(self.call(name, *args, **kwargs))

    def changed(self, name, *args):
        """Which positional arguments the call changed in place -> list of (index, path), or None."""
        if not self.has(name):
            return None
        before = for_worker(list(args))
        try:
            with self._session(name) as session:
                _, after, _ = session.call(name, *before, timeout=self.seconds, return_args=True)
        except CallError as error:
            self._failed(name, error)
            return None
        changes = []
        for i, (old, new) in enumerate(zip(args, after)):
            now = dict(arrays_in(new, ""))
            for path, a in arrays_in(old, ""):
                b = now.get(path)
                if b is None or a.shape != b.shape or not np.array_equal(a, b, equal_nan=True):
                    changes.append((i, path))
        return changes

    def harness(self, name, *args, uses=()):
        """A worker harness routine that calls the student's ``uses`` (None if one is dead)."""
        if any(not self.has(func) for func in uses):
            return None
        try:
            with self._session(uses[0] if uses else "") as session:
                return session.harness(name, *for_worker(list(args)), timeout=self.budget(4))
        except CallError as error:
            for func in uses:
                self._failed(func, error)
            return None


def as_array(value):
    """value -> float64 ndarray (as the checks read it), or None when it is no grid of
    real numbers."""
    scalar = isinstance(value, numbers.Real) and not isinstance(value, bool)
    try:
        return compare.as_array(value, "the answer", () if scalar else None)
    except (Failed, TypeError, ValueError):
        return None


def close(a, b, rtol=1e-4, atol=1e-7):
    """Both arrays exist, have one shape and agree (within float32 round-off, far
    below the difference between any two variants a detector compares)."""
    return (a is not None and b is not None and np.shape(a) == np.shape(b)
            and bool(np.allclose(a, b, rtol=rtol, atol=atol)))


def scale_between(actual, expected):
    """The k with actual == k * expected (least squares), or None if no such constant fits."""
    if actual is None or expected is None or np.shape(actual) != np.shape(expected):
        return None
    denom = float(np.sum(expected * expected))
    if denom == 0.0 or not np.all(np.isfinite(actual)):
        return None
    k = float(np.sum(actual * expected)) / denom
    return k if close(actual, k * expected) else None
