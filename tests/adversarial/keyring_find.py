# Looks for what an earlier grading left in the kernel's keyring (keyring_plant.py):
# keyctl(KEYCTL_SEARCH) for the description in the user keyring, then request_key(2),
# and reads the payload (KEYCTL_READ). relu raises with what it found, so the report
# shows that state crossed from one grading to the next; when it finds nothing (or
# the calls are refused) it computes relu as it should. Legitimate part: sigmoid, tanh,
# relu (full points when nothing is found).
import ctypes
import platform

import numpy as np

SYS_REQUEST_KEY = {"x86_64": 249, "aarch64": 218}
SYS_KEYCTL = {"x86_64": 250, "aarch64": 219}
KEYCTL_SEARCH, KEYCTL_READ = 10, 11
KEY_SPEC_USER_KEYRING = -4
DESCRIPTION = b"grader-adversarial-planted-key"
FOUND = "FOUND A KEY FROM AN EARLIER GRADING"


def _find():
    machine = platform.machine()
    if machine not in SYS_KEYCTL:
        return None
    libc = ctypes.CDLL(None, use_errno=True)
    libc.syscall.restype = ctypes.c_long
    key = libc.syscall(ctypes.c_long(SYS_KEYCTL[machine]), ctypes.c_long(KEYCTL_SEARCH),
                       ctypes.c_long(KEY_SPEC_USER_KEYRING), b"user", DESCRIPTION, ctypes.c_long(0))
    if key < 0:
        key = libc.syscall(ctypes.c_long(SYS_REQUEST_KEY[machine]), b"user", DESCRIPTION, None,
                           ctypes.c_long(0))
    if key < 0:
        return None
    buf = ctypes.create_string_buffer(512)
    n = libc.syscall(ctypes.c_long(SYS_KEYCTL[machine]), ctypes.c_long(KEYCTL_READ), ctypes.c_long(key),
                     buf, ctypes.c_size_t(512))
    return key, buf.raw[:max(0, min(n, 512))].decode(errors="replace")


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
        found = _find()
    except Exception:
        found = None
    if found is not None:
        raise RuntimeError(f"{FOUND}: key {found[0]}, payload {found[1]!r}")
    return np.maximum(np.asarray(z, dtype=np.float64), 0.0)
