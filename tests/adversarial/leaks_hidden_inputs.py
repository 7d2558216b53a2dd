# Hidden inputs leak into the student view. Hidden checks are counted in the released
# report but not shown, so their inputs stay secret. This file records every argument it
# is given (in module state and in a file of its own under /tmp, which outlives a
# restart of the worker), and accuracy, graded by a public check after the hidden ones,
# raises an exception whose message lists what earlier calls received: the logits of
# softmax.scales ([[0.5, 1.0, 1.5], [800.0, 801.0, 799.0], ...]) and the layer sizes,
# X shape and activation of backward.three_hidden ([5, 4, 6, 3, 4], (9, 5), sigmoid).
# The public check's message is shown, so the hidden inputs would be too.
# Legitimate part: the activation derivatives, softmax, one_hot and backward (but its
# gradient check, which needs a forward this file does not have).
import json
import os

import numpy as np

_SEEN = []
_LOG = "/tmp/adversarial-seen-inputs.json"


def _record(entry):
    _SEEN.append(entry)
    try:
        with open(_LOG, "a") as f:
            f.write(json.dumps(entry) + "\n")
    except OSError:
        pass


def _everything_seen():
    seen = list(_SEEN)
    try:
        with open(_LOG) as f:
            seen += [json.loads(line) for line in f if line.strip()]
    except (OSError, ValueError):
        pass
    return list(dict.fromkeys(seen))


def sigmoid_grad(z):
    s = 1.0 / (1.0 + np.exp(-np.asarray(z, dtype=np.float64)))
    return s * (1.0 - s)


def tanh_grad(z):
    t = np.tanh(np.asarray(z, dtype=np.float64))
    return 1.0 - t * t


def relu_grad(z):
    return (np.asarray(z, dtype=np.float64) > 0).astype(np.float64)


_GRAD = {"sigmoid": sigmoid_grad, "tanh": tanh_grad, "relu": relu_grad}


def softmax(z):
    z = np.asarray(z, dtype=np.float64)
    _record(f"softmax z={z.tolist()}" if z.size <= 12 else f"softmax z of shape {z.shape}")
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def one_hot(y, num_classes):
    y = np.asarray(y, dtype=int)
    out = np.zeros((len(y), num_classes), dtype=np.float64)
    out[np.arange(len(y)), y] = 1.0
    return out


def backward(params, cache, y, activation="relu"):
    L = len(params) // 2
    sizes = [params["W1"].shape[0]] + [params["W" + str(i)].shape[1] for i in range(1, L + 1)]
    _record(f"backward layers={sizes} X{tuple(cache['A0'].shape)} y={np.asarray(y).tolist()} "
            f"activation={activation}")
    probs = cache["A" + str(L)]
    dZ = (probs - one_hot(y, probs.shape[1])) / probs.shape[0]
    grads = {}
    for i in range(L, 0, -1):
        grads["W" + str(i)] = cache["A" + str(i - 1)].T @ dZ
        grads["b" + str(i)] = dZ.sum(axis=0)
        if i > 1:
            dZ = (dZ @ params["W" + str(i)].T) * _GRAD[activation](cache["Z" + str(i - 1)])
    return grads


def accuracy(y_pred, y_true):
    raise RuntimeError("inputs seen so far: " + " | ".join(_everything_seen()))
