# Deep recursion: relu recurses without end (RecursionError); softmax first lifts the
# recursion limit to a million and recurses through C code (sorted's key), which
# overflows the C stack: a segfault.
# Legitimate part: sigmoid, tanh.
import sys

import numpy as np


def sigmoid(z):
    z = np.asarray(z, dtype=np.float64)
    out = np.empty_like(z)
    pos = z >= 0
    out[pos] = 1.0 / (1.0 + np.exp(-z[pos]))
    ez = np.exp(z[~pos])
    out[~pos] = ez / (1.0 + ez)
    return out


def tanh(z):
    return np.tanh(np.asarray(z, dtype=np.float64))


def relu(z):
    return relu(z)


def _down(x):
    return sorted([x], key=_down)


def softmax(z):
    sys.setrecursionlimit(10**6)
    return _down(z)
