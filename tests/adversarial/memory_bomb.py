# A memory bomb: touches 1 GiB after 1 GiB and keeps it, stopping by itself at 8 GiB
# (so it stays bounded even without the worker's memory limit).
# Legitimate part: sigmoid, tanh.
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
    hoard = []
    for _ in range(8):
        hoard.append(np.ones(2**27))          # 1 GiB, every page touched
    return np.maximum(np.asarray(z, dtype=np.float64), 0.0)
