"""Probe functions: small scalar functions a check passes to the student (e.g. the f of
numerical_gradient(f, x)). Built on whichever side needs them, from the same code: in the
worker from a wire tag, in the grader for the reference. Only numpy, no grader imports."""
import numpy as np


def sin_dot(c):
    """f(x) = sum(sin(x) * c): a scalar function whose gradient cos(x) * c is known."""
    c = np.asarray(c, dtype=np.float64)
    return lambda x: float(np.sum(np.sin(x) * c))


PROBES = {"sin_dot": sin_dot}
