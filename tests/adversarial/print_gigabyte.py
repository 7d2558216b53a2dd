# Prints 1 GiB to stdout in 1 MiB chunks, then returns the right answer.
# Legitimate part: sigmoid, tanh, relu.
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
    return np.maximum(np.asarray(z, dtype=np.float64), 0.0)


def softmax(z):
    chunk = "x" * (2**20 - 1)
    for _ in range(1024):
        print(chunk, flush=True)
    z = np.asarray(z, dtype=np.float64)
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)
