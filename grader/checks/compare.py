"""Compare what the student's code returned with what was expected, in words.

Everything the student returned arrives as plain data (numbers, lists, dicts, plain
``np.ndarray``); these helpers turn it into float64 arrays or floats and raise
``Failed`` with a rationale that shows the difference ("expected shape (4, 3), got (3, 4)").
"""
import numbers

import numpy as np

from ..worker.protocol import Unsupported, Yielded
from .base import Failed

RTOL, ATOL = 1e-4, 1e-6      # loose enough for float32 arithmetic, far below any real bug


def kind_of(value):
    """A short phrase for what a value is, for messages."""
    if value is None:
        return "None (is a return statement missing?)"
    if isinstance(value, Unsupported):
        return value.what
    if isinstance(value, Yielded):
        return "a generator"
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape} and dtype {value.dtype}"
    if isinstance(value, bool):
        return f"a bool ({value})"
    if isinstance(value, numbers.Number):
        return f"a number ({value!r})"
    return f"a {type(value).__name__}"


def as_array(value, what, expected_shape=None):
    """value -> float64 ndarray, or Failed saying what it was instead."""
    wanted = f"an array of shape {expected_shape}" if expected_shape is not None else "an array"
    if isinstance(value, (list, tuple)) and not isinstance(value, Yielded):
        try:
            value = np.asarray(value, dtype=np.float64)
        except (TypeError, ValueError):
            raise Failed(f"{what} returned a {type(value).__name__} that is not a grid of numbers; "
                         f"expected {wanted}") from None
    if isinstance(value, numbers.Number) and not isinstance(value, bool) and expected_shape == ():
        value = np.asarray(value, dtype=np.float64)
    if not isinstance(value, np.ndarray):
        raise Failed(f"{what} returned {kind_of(value)}; expected {wanted}")
    if value.dtype.kind == "c":
        raise Failed(f"{what} returned complex numbers (dtype {value.dtype}); expected real numbers")
    return value.astype(np.float64)


def as_float(value, what):
    """value -> Python float; a 0-d result is fine, an array of several numbers is not."""
    if isinstance(value, np.ndarray) and value.size == 1 and value.dtype.kind in "biuf":
        return float(value.reshape(()))
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        return float(value)
    raise Failed(f"{what} returned {kind_of(value)}; expected a single number")


def _index(flat_index, shape):
    return tuple(int(i) for i in np.unravel_index(flat_index, shape)) if shape else ()


def agrees(actual, expected, rtol=RTOL, atol=ATOL):
    """Whether two float arrays have one shape and close values (no message: a test)."""
    return actual.shape == expected.shape and bool(np.allclose(actual, expected, rtol=rtol, atol=atol))


def expect_shape(actual, shape, what):
    """Failed with "expected shape (4, 3), got (3, 4)" unless ``actual`` has ``shape``."""
    if actual.shape != tuple(shape):
        raise Failed(f"{what}: expected shape {tuple(shape)}, got {actual.shape}")


def expect_close(actual, expected, what, rtol=RTOL, atol=ATOL, name="values"):
    """actual (anything) against expected (ndarray): shape, finiteness, then values."""
    expected = np.asarray(expected, dtype=np.float64)
    actual = as_array(actual, what, expected.shape)
    expect_shape(actual, expected.shape, what)
    bad = ~np.isfinite(actual) & np.isfinite(expected)
    if bad.any():
        first = _index(np.flatnonzero(bad)[0], actual.shape)
        raise Failed(f"{what}: nan or inf in {int(bad.sum())} of {actual.size} {name} "
                     f"(first at index {first}) where a finite value is expected")
    close = np.isclose(actual, expected, rtol=rtol, atol=atol, equal_nan=True)
    if not close.all():
        diff = np.where(close, 0.0, np.abs(actual - expected))
        worst = _index(int(np.argmax(diff)), actual.shape)
        where = f" at index {worst}" if worst else ""
        raise Failed(f"{what}: {int((~close).sum())} of {actual.size} {name} differ from the "
                     f"expected ones; largest difference{where}: expected {expected[worst]:.6g}, "
                     f"got {actual[worst]:.6g}")
    return actual


def expect_float(actual, expected, what, rtol=RTOL, atol=ATOL):
    value = as_float(actual, what)
    if not np.isfinite(value) and np.isfinite(expected):
        raise Failed(f"{what}: expected {expected:.6g}, got {value}")
    if not np.isclose(value, expected, rtol=rtol, atol=atol):
        raise Failed(f"{what}: expected {expected:.6g}, got {value:.6g}")
    return value


def expect_dict(actual, expected, what, rtol=RTOL, atol=ATOL):
    """A dict of arrays (params, grads): the same keys, then each array."""
    if not isinstance(actual, dict):
        raise Failed(f"{what} returned {kind_of(actual)}; expected a dict with keys "
                     f"{', '.join(expected)}")
    missing = [k for k in expected if k not in actual]
    extra = [str(k) for k in actual if k not in expected]
    if missing or extra:
        parts = ([f"missing {', '.join(missing)}"] if missing else []) + (
            [f"unexpected {', '.join(extra)}"] if extra else [])
        raise Failed(f"{what}: expected the keys {', '.join(expected)}; {'; '.join(parts)}")
    return {k: expect_close(actual[k], expected[k], f"{what}, key {k!r}", rtol, atol) for k in expected}


def expect_same(actual, expected, what, rtol=RTOL, atol=ATOL):
    """Dispatch on the expected value's type: dict, tuple, float or array."""
    if isinstance(expected, dict):
        return expect_dict(actual, expected, what, rtol, atol)
    if isinstance(expected, tuple):
        if not isinstance(actual, tuple) or len(actual) != len(expected):
            raise Failed(f"{what} returned {kind_of(actual)}; expected a tuple of {len(expected)}")
        return tuple(expect_same(a, e, f"{what}[{i}]", rtol, atol)
                     for i, (a, e) in enumerate(zip(actual, expected)))
    if isinstance(expected, numbers.Real) and not isinstance(expected, np.ndarray):
        return expect_float(actual, float(expected), what, rtol, atol)
    return expect_close(actual, expected, what, rtol, atol)
