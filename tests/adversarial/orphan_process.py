# A child that outlives the worker: double fork, a new session (so killing the worker's
# process group misses it), then two minutes of sleep. relu itself answers correctly.
# The orphan carries ADVERSARIAL_MARK (with the worker's HOME) so the test can find (and
# end) it, and only it.
# Legitimate part: sigmoid, tanh, relu (its values are right; the leftover is the attack).
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
    env = {"ADVERSARIAL_MARK": "orphan_process " + _worker_home()}
    pid = os.fork()
    if pid == 0:
        try:
            os.setsid()
            if os.fork() == 0:
                os.execve(sleep, ["sleep", "120"], env)
        finally:
            os._exit(0)
    os.waitpid(pid, 0)
    return np.maximum(np.asarray(z, dtype=np.float64), 0.0)
