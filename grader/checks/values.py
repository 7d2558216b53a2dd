"""Generic check kinds: compare with the reference, and leave inputs alone.

These know nothing about neural networks; any task can use them from its task file.
"""
import numpy as np

from ..worker import CallError
from .base import Failed, param_names
from .compare import ATOL, RTOL, as_array, as_float, expect_same, expect_shape, kind_of
from .registry import SIGNATURE, Param, kind


def _tolerances(ctx):
    return float(ctx.params.get("rtol", RTOL)), float(ctx.params.get("atol", ATOL))


@kind(summary="the student's function returns what the reference returns (arrays, floats, dicts "
              "and tuples compared recursively, shape first)",
      params={"pick": Param("index", doc="compare only item k of a tuple result"),
              "rtol": Param("number", RTOL), "atol": Param("number", ATOL)},
      evidence=True, args=SIGNATURE)
def matches_reference(ctx):
    """The student's function returns what the reference returns on the same inputs.

    Task-file keys: ``args`` or ``cases`` (a list of argument lists), ``kwargs``,
    ``pick`` (compare only item k of a tuple result), ``rtol``, ``atol``.
    """
    func = ctx.function.name
    rtol, atol = _tolerances(ctx)
    for args in ctx.cases():
        kwargs = ctx.kwargs()
        expected = ctx.reference(func, *args, **kwargs)
        actual = ctx.call(func, *args, **kwargs)
        what = ctx.call_text(func, args)
        if "pick" in ctx.params:
            k = ctx.params["pick"]
            expected = expected[k]
            if not isinstance(actual, (tuple, list)) or len(actual) <= k:
                raise Failed(f"{what} returned {kind_of(actual)}; expected a tuple whose item {k} "
                             f"is {kind_of(expected)}")
            actual, what = actual[k], f"{what}[{k}]"
        expect_same(actual, expected, what, rtol, atol)


@kind(summary="the result has the reference's shape", args=SIGNATURE)
def same_shape(ctx):
    """The student's function returns an array of the same shape as the reference's."""
    func = ctx.function.name
    for args in ctx.cases():
        expected = np.asarray(ctx.reference(func, *args))
        what = ctx.call_text(func, args)
        expect_shape(as_array(ctx.call(func, *args), what, expected.shape), expected.shape, what)


@kind(summary="the result is one number", args=SIGNATURE)
def returns_number(ctx):
    """The student's function returns one number (a float, or a 0-d array)."""
    func = ctx.function.name
    for args in ctx.cases():
        as_float(ctx.call(func, *args), ctx.call_text(func, args))


def arrays_in(value, path):
    """(path, array) for every array inside nested dicts, lists and tuples."""
    if isinstance(value, np.ndarray):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from arrays_in(item, f"{path}[{key!r}]")
    elif isinstance(value, (list, tuple)):
        for i, item in enumerate(value):
            yield from arrays_in(item, f"{path}[{i}]")


def _explained_by_helper(ctx, helpers, old, new):
    """The own helper whose in-place effect on ``old`` is exactly ``new``, or None."""
    for helper in helpers:
        if not ctx.has(helper) or ctx.fresh is None:
            continue
        try:
            with ctx.fresh() as session:     # not this check's session: its state is its own
                _, (after,), _ = session.call(helper, old, return_args=True, timeout=ctx.timeout()[0])
        except CallError:
            continue
        if isinstance(after, np.ndarray) and after.shape == new.shape and not np.array_equal(after, old) \
                and np.array_equal(after, new, equal_nan=True):
            return helper
    return None


@kind(summary="the arrays passed in are unchanged afterwards",
      params={"atol": Param("number", 0.0, doc="0 compares bit for bit"),
              "own_helpers": Param("functions", [], doc="task functions it may call on its arguments: "
                                   "a change one of them explains is charged to that helper")},
      args=SIGNATURE)
def unchanged_inputs(ctx):
    """The student's function leaves the arrays it was given as they were.

    Task-file keys: ``args``/``cases``; ``atol`` (default 0: bit for bit); ``own_helpers``:
    functions it may call on its arguments (e.g. backward calling relu_grad on the cache's
    Z). A change that is exactly what one of them does to its own argument is charged to
    that helper (its own checks and the diagnosis name it), not here.
    """
    func = ctx.function.name
    atol = float(ctx.params.get("atol", 0.0))
    names = param_names(ctx.task, func)
    notes = []
    for args in ctx.cases():
        _, after, _ = ctx.call(func, *args, return_args=True)
        for i, (before, now) in enumerate(zip(args, after)):
            label = names[i] if i < len(names) else f"argument {i}"
            now_arrays = dict(arrays_in(now, label))
            for path, old in arrays_in(before, label):
                new = now_arrays.get(path)
                if new is None or new.shape != old.shape:
                    raise Failed(f"{func}() replaced {path} with something else")
                changed = ~np.isclose(new, old, rtol=0, atol=atol, equal_nan=True)
                if not changed.any():
                    continue
                helper = _explained_by_helper(ctx, ctx.params.get("own_helpers", []), old, new)
                if helper is None:
                    raise Failed(f"{ctx.call_text(func, args)} changed {path} in place "
                                 f"({int(changed.sum())} of {old.size} entries); the caller's "
                                 f"data must be left as it was")
                notes.append(f"{path} is changed by your own {helper}, which writes into its "
                             f"argument; that is charged to {helper}")
    return "; ".join(dict.fromkeys(notes)) or None


@kind(summary="every value lies in `[low, high]`", params={"range": Param("range", required=True)},
      args=SIGNATURE)
def values_in_range(ctx):
    """Every value the student's function returns lies in [low, high]."""
    func = ctx.function.name
    low, high = ctx.params["range"]
    for args in ctx.cases():
        what = ctx.call_text(func, args)
        actual = as_array(ctx.call(func, *args), what)
        if not np.all(np.isfinite(actual)) or actual.min() < low or actual.max() > high:
            raise Failed(f"{what}: values should lie in [{low}, {high}], but they range from "
                         f"{np.nanmin(actual):.6g} to {np.nanmax(actual):.6g}")
