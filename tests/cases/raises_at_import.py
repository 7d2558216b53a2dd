# Raises while being imported, in the two ways that can reach definitions.
import numpy as np

raise RuntimeError("I only work on my laptop")


def memoize(f):
    raise ValueError("decorator broke")


def sigmoid(z):
    return 0.5 * (1.0 + np.tanh(0.5 * z))


@memoize
def relu(z):
    return np.maximum(z, 0)
