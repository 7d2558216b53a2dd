# Carries state from one check to a later one through files: sigmoid (graded first)
# writes a marker file into /tmp, its working directory and $HOME, and tanh and relu
# (graded later) look for those files and would answer differently when one is there.
# Here they raise with what they found, so the report shows it; with a fresh state for
# every check nothing is found, and they compute their values as they should. The
# expected outcome is full points for all three. Legitimate part: sigmoid, tanh, relu.
import os

import numpy as np

NAME = "adversarial-state.txt"
FOUND = "FOUND STATE FROM AN EARLIER CHECK"
MARKER = "ADVERSARIAL-CHANNEL state planted by tests/adversarial/state_in_files.py"


def _places():
    places = ["/tmp/" + NAME, os.path.join(os.getcwd(), NAME)]
    if os.environ.get("HOME"):
        places.append(os.path.join(os.environ["HOME"], NAME))
    return list(dict.fromkeys(places))


def _leave_state():
    for path in _places():
        try:
            with open(path, "a") as f:
                f.write(MARKER + "\n")
        except OSError:
            pass


def _earlier_state():
    for path in _places():
        try:
            with open(path) as f:
                return f"{FOUND}: {path}: {f.read(200)!r}"
        except OSError:
            pass
    return None


def sigmoid(z):
    _leave_state()
    z = np.asarray(z, dtype=np.float64)
    out = np.empty_like(z)
    pos = z >= 0
    out[pos] = 1.0 / (1.0 + np.exp(-z[pos]))
    ez = np.exp(z[~pos])
    out[~pos] = ez / (1.0 + ez)
    return out


def tanh(z):
    found = _earlier_state()
    if found:
        raise RuntimeError(found)
    return np.tanh(np.asarray(z, dtype=np.float64))


def relu(z):
    found = _earlier_state()
    if found:
        raise RuntimeError(found)
    return np.maximum(np.asarray(z, dtype=np.float64), 0.0)
