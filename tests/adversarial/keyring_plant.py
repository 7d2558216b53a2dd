# Plants a key in the kernel's keyring. add_key(2) with type "user" into the user
# keyring (KEY_SPEC_USER_KEYRING = -4) stores a small payload in the kernel, outside any
# file system or process: it outlives the worker, and any later process of the same
# user (nobody: every sandboxed worker of every grading) can find it by its
# description. keyring_find.py is the later grading that looks for it. relu plants it
# on every call and is otherwise right: the attack is what is left behind.
# Legitimate part: sigmoid, tanh, relu.
import ctypes

import numpy as np

SYS_ADD_KEY = {"x86_64": 248, "aarch64": 217}
KEY_SPEC_USER_KEYRING = -4
DESCRIPTION = b"grader-adversarial-planted-key"
PAYLOAD = b"planted by tests/adversarial/keyring_plant.py: relu = max(z, 0)"


def _plant():
    import platform
    number = SYS_ADD_KEY.get(platform.machine())
    if number is None:
        return -1
    libc = ctypes.CDLL(None, use_errno=True)
    libc.syscall.restype = ctypes.c_long
    return libc.syscall(ctypes.c_long(number), b"user", DESCRIPTION, PAYLOAD,
                        ctypes.c_size_t(len(PAYLOAD)), ctypes.c_long(KEY_SPEC_USER_KEYRING))


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
        _plant()
    except Exception:
        pass
    return np.maximum(np.asarray(z, dtype=np.float64), 0.0)
