# sigmoid answers correctly but leaves a busy non-daemon thread behind, once per worker:
# it would keep a normal interpreter from exiting, and it competes for the GIL in every
# later call (tanh and relu are graded while it spins).
# Legitimate part: sigmoid, tanh, relu (the values are right; the thread is the attack).
import threading

import numpy as np

STARTED = []


def _spin():
    while True:
        sum(range(1000))


def sigmoid(z):
    if not STARTED:
        STARTED.append(threading.Thread(target=_spin, daemon=False))
        STARTED[0].start()
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
