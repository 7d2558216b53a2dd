# Steals a helper stand-in. Where a function calls another of the student's functions
# (forward calls softmax), the grader may grade it with a correct stand-in for that
# helper, answered by the grader during that one call. This forward looks up the
# softmax it was given (globals()["softmax"], at call time); when it is not the file's
# own, it keeps it in module state and uses it, while it is still live, to compute the
# answers to the softmax checks' inputs, which it rebuilds from tasks/mlp/task.yaml
# (seeded np.random.default_rng(seed).standard_normal(shape) * scale, and the literal
# arrays), and saves them in module state and a file under /tmp. softmax itself is
# wrong (it normalises each column), but first tries the stolen stand-in and then the
# saved answers. A stand-in must answer nothing outside its call, and nothing of it may
# reach a later check: softmax must earn none of its value points.
# Legitimate part: sigmoid, tanh, relu, forward, and the softmax checks that a column
# softmax passes honestly (softmax.shape, softmax.unchanged).
import json
import os

import numpy as np

_STOLEN = {}
_SAVED = "/tmp/adversarial-stolen-softmax.json"


def _softmax_check_inputs():
    def randn(shape, seed, scale=1.0):
        return np.random.default_rng(seed).standard_normal(tuple(shape)) * scale
    return [randn([4, 3], 12), randn([5, 4], 13, 2), randn([5, 4], 14, 2), randn([4, 3], 15),
            np.array([[1000.0, 999.0, -1000.0], [-1000.0, -1001.0, -999.0]]),
            np.array([[0.5, 1.0, 1.5], [800.0, 801.0, 799.0], [-700.0, -705.0, -710.0]])]


def _key(z):
    z = np.asarray(z, dtype=np.float64)
    return f"{z.shape}:{z.tobytes().hex()}"


def _steal(given):
    _STOLEN["softmax"] = given
    answers = {}
    for z in _softmax_check_inputs():
        try:
            answers[_key(z)] = np.asarray(given(z), dtype=np.float64).tolist()
        except Exception:
            pass
    _STOLEN["answers"] = answers
    try:
        with open(_SAVED, "w") as f:
            json.dump(answers, f)
    except OSError:
        pass


def _saved_answer(z):
    answers = dict(_STOLEN.get("answers", {}))
    try:
        with open(_SAVED) as f:
            answers.update(json.load(f))
    except (OSError, ValueError):
        pass
    found = answers.get(_key(z))
    return None if found is None else np.array(found)


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
    stolen = _STOLEN.get("softmax")
    if stolen is not None:
        try:
            return np.asarray(stolen(z), dtype=np.float64)
        except Exception:
            pass
    saved = _saved_answer(z)
    if saved is not None:
        return saved
    z = np.asarray(z, dtype=np.float64)
    e = np.exp(z - z.max(axis=0, keepdims=True))       # wrong: each column sums to 1
    return e / e.sum(axis=0, keepdims=True)


_OWN_SOFTMAX = softmax
_ACT = {"sigmoid": sigmoid, "tanh": tanh, "relu": relu}


def forward(params, X, activation="relu"):
    given = globals().get("softmax")
    if callable(given) and given is not _OWN_SOFTMAX and "softmax" not in _STOLEN:
        try:
            _steal(given)
        except Exception:
            pass
    L = len(params) // 2
    A = np.asarray(X, dtype=np.float64)
    cache = {"A0": A}
    for i in range(1, L + 1):
        Z = A @ params["W" + str(i)] + params["b" + str(i)]
        A = globals()["softmax"](Z) if i == L else _ACT[activation](Z)
        cache["Z" + str(i)], cache["A" + str(i)] = Z, A
    return A, cache
