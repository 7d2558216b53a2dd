# Leaves System V IPC objects behind: a shared memory segment, a message queue and a
# semaphore set, created through libc (shmget, msgget, semget with IPC_CREAT) in relu.
# They are not files and belong to no process, so neither the private /tmp nor the end
# of the worker's processes removes them: without an IPC namespace of its own, each
# grading would leave them on the host (see /proc/sysvipc/) for good, and a later
# grading could find them by key. relu's values are right: the attack is what is left
# behind. The keys start with 0x4752 ("GR") so tests/test_adversarial_channel.py can
# tell them from the machine's own. Legitimate part: sigmoid, tanh, relu.
import ctypes
import time

import numpy as np

IPC_CREAT = 0o1000
KEY_BASE = 0x47520000


def _leave_ipc_objects():
    libc = ctypes.CDLL(None, use_errno=True)
    key = KEY_BASE | (time.monotonic_ns() & 0xFFFF)
    made = []
    for attempt in range(4):
        k = ctypes.c_int(key + attempt)
        made.append(("shm", libc.shmget(k, 4096, IPC_CREAT | 0o666)))
        made.append(("msg", libc.msgget(k, IPC_CREAT | 0o666)))
        made.append(("sem", libc.semget(k, 1, IPC_CREAT | 0o666)))
    return made


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
    try:
        _leave_ipc_objects()
    except Exception:
        pass
    return np.maximum(np.asarray(z, dtype=np.float64), 0.0)
