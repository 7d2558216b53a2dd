# Slow full marks: a correct submission (alice.py's functions) in which every call the
# grader makes sleeps 1.7 s first, 85% of the 2 s the tests allow a call (the file
# cannot read its deadline, so it is a fixed time), while calls among its own
# functions do not sleep. No single call times out, but the grading as a whole would
# take several minutes, and with the task's own limits (10 s per call) far longer:
# a grading must have a wall-clock budget of its own (task limits: budget_seconds),
# and checks it leaves unrun are errors that say so, never passes.
import functools
import time

import numpy as np

SLEEP_SECONDS = 1.7
_DEPTH = [0]


def _slow(func):
    """Sleep before a call from outside (the grader's), not before nested ones."""
    @functools.wraps(func)
    def slowed(*args, **kwargs):
        if _DEPTH[0] == 0:
            time.sleep(SLEEP_SECONDS)
        _DEPTH[0] += 1
        try:
            return func(*args, **kwargs)
        finally:
            _DEPTH[0] -= 1
    return slowed


# smallest prob we allow inside log(), so log(0) can't happen
LOG_FLOOR = 1e-300


# ---------------- activations ----------------

@_slow
def sigmoid(z):
    z = np.asarray(z, dtype=np.float64)
    out = np.empty_like(z)
    pos = z >= 0
    # for z >= 0 exp(-z) <= 1 so this is safe
    out[pos] = 1.0 / (1.0 + np.exp(-z[pos]))
    # for z < 0 use e^z / (1 + e^z) instead, otherwise exp(-z) blows up
    ez = np.exp(z[~pos])
    out[~pos] = ez / (1.0 + ez)
    return out


@_slow
def sigmoid_grad(z):
    s = sigmoid(z)
    return s * (1.0 - s)


@_slow
def tanh(z):
    return np.tanh(np.asarray(z, dtype=np.float64))


@_slow
def tanh_grad(z):
    t = np.tanh(np.asarray(z, dtype=np.float64))
    return 1.0 - t * t


@_slow
def relu(z):
    z = np.asarray(z, dtype=np.float64)
    return np.maximum(z, 0.0)


@_slow
def relu_grad(z):
    z = np.asarray(z, dtype=np.float64)
    return (z > 0).astype(np.float64)


def _act(z, activation):
    if activation == "sigmoid":
        return sigmoid(z)
    elif activation == "tanh":
        return tanh(z)
    elif activation == "relu":
        return relu(z)
    raise ValueError("unknown activation: " + str(activation))


def _act_grad(z, activation):
    if activation == "sigmoid":
        return sigmoid_grad(z)
    elif activation == "tanh":
        return tanh_grad(z)
    elif activation == "relu":
        return relu_grad(z)
    raise ValueError("unknown activation: " + str(activation))


# ---------------- softmax / loss ----------------

@_slow
def softmax(z):
    z = np.asarray(z, dtype=np.float64)
    # shift each row by its max so the biggest exponent is exp(0) = 1
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


@_slow
def one_hot(y, num_classes):
    y = np.asarray(y, dtype=int)
    out = np.zeros((len(y), num_classes), dtype=np.float64)
    out[np.arange(len(y)), y] = 1.0
    return out


@_slow
def cross_entropy(probs, y):
    probs = np.asarray(probs, dtype=np.float64)
    y = np.asarray(y, dtype=int)
    n = probs.shape[0]
    # only need the prob of the correct class for each example
    p_correct = probs[np.arange(n), y]
    p_correct = np.clip(p_correct, LOG_FLOOR, None)
    return float(-np.log(p_correct).sum() / n)


# ---------------- data + init ----------------

@_slow
def preprocess(images):
    images = np.asarray(images)
    n = images.shape[0]
    X = images.reshape(n, -1).astype(np.float64)
    return X / 255.0


@_slow
def init_params(layer_sizes, rng):
    params = {}
    for i in range(1, len(layer_sizes)):
        fan_in = layer_sizes[i - 1]
        fan_out = layer_sizes[i]
        # He init: std = sqrt(2 / fan_in)
        params["W" + str(i)] = rng.normal(0.0, np.sqrt(2.0 / fan_in), size=(fan_in, fan_out))
        params["b" + str(i)] = np.zeros(fan_out, dtype=np.float64)
    return params


# ---------------- forward / backward ----------------

@_slow
def forward(params, X, activation="relu"):
    L = len(params) // 2
    A = np.asarray(X, dtype=np.float64)
    cache = {"A0": A}
    for i in range(1, L + 1):
        W = params["W" + str(i)]
        b = params["b" + str(i)]
        Z = A @ W + b
        if i == L:
            A = softmax(Z)   # output layer is always softmax
        else:
            A = _act(Z, activation)
        cache["Z" + str(i)] = Z
        cache["A" + str(i)] = A
    return A, cache


@_slow
def backward(params, cache, y, activation="relu"):
    L = len(params) // 2
    X = cache["A0"]
    m = X.shape[0]   # batch size
    probs = cache["A" + str(L)]
    Y = one_hot(y, probs.shape[1])

    grads = {}
    # softmax + cross entropy together give this nice simple gradient
    dZ = (probs - Y) / m
    for i in range(L, 0, -1):
        A_prev = cache["A" + str(i - 1)]
        grads["W" + str(i)] = A_prev.T @ dZ
        grads["b" + str(i)] = dZ.sum(axis=0)
        if i > 1:
            dA_prev = dZ @ params["W" + str(i)].T
            dZ = dA_prev * _act_grad(cache["Z" + str(i - 1)], activation)
    return grads


# ---------------- training ----------------

@_slow
def sgd_step(params, grads, lr):
    for k in params:
        params[k] -= lr * grads[k]
    return params


@_slow
def minibatches(X, y, batch_size, rng):
    n = X.shape[0]
    idx = rng.permutation(n)
    for start in range(0, n, batch_size):
        batch = idx[start:start + batch_size]
        yield X[batch], y[batch]


@_slow
def train(X, y, layer_sizes, activation="relu", lr=0.1, epochs=5, batch_size=32, seed=0):
    rng = np.random.default_rng(seed)
    params = init_params(layer_sizes, rng)
    for epoch in range(epochs):
        for Xb, yb in minibatches(X, y, batch_size, rng):
            probs, cache = forward(params, Xb, activation)
            grads = backward(params, cache, yb, activation)
            params = sgd_step(params, grads, lr)
        # print("epoch", epoch, "loss", cross_entropy(forward(params, X, activation)[0], y))
    return params


@_slow
def predict(params, X, activation="relu"):
    probs, _ = forward(params, X, activation)
    return np.argmax(probs, axis=1)


@_slow
def accuracy(y_pred, y_true):
    y_pred = np.asarray(y_pred)
    y_true = np.asarray(y_true)
    return float(np.mean(y_pred == y_true))


# ---------------- gradient check ----------------

@_slow
def numerical_gradient(f, x, eps=1e-5):
    grad = np.zeros(x.shape, dtype=np.float64)
    it = np.nditer(x, flags=["multi_index"], op_flags=["readwrite"])
    while not it.finished:
        ix = it.multi_index
        old = x[ix]
        x[ix] = old + eps
        fplus = f(x)
        x[ix] = old - eps
        fminus = f(x)
        x[ix] = old   # put it back!!
        grad[ix] = (fplus - fminus) / (2 * eps)
        it.iternext()
    return grad
