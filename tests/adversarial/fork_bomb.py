# A (bounded) fork bomb: each call starts 200 processes that linger for a minute, then
# answers correctly as if nothing happened. A process limit must stop it; the loop ends
# on its own so that a grader without one is not taken down. The children carry
# ADVERSARIAL_MARK (with the worker's HOME) in their environment so the test can find
# (and end) them, and only them.
# Legitimate part: sigmoid, tanh.
import os

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


def _worker_home():
    """The HOME the grader gave the worker (from the process's original environment)."""
    try:
        with open("/proc/self/environ", "rb") as f:
            for item in f.read().split(b"\0"):
                if item.startswith(b"HOME="):
                    return item[5:].decode(errors="replace")
    except OSError:
        pass
    return os.environ.get("HOME", "")


def relu(z):
    sleep = "/bin/sleep" if os.path.exists("/bin/sleep") else "/usr/bin/sleep"
    env = {"ADVERSARIAL_MARK": "fork_bomb " + _worker_home()}
    for _ in range(200):
        if os.fork() == 0:
            try:
                os.execve(sleep, ["sleep", "60"], env)
            finally:
                os._exit(0)
    return np.maximum(np.asarray(z, dtype=np.float64), 0.0)
