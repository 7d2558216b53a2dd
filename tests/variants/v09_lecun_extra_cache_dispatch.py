"""v09 -- conventions: LeCun init rng.normal(0, 1/sqrt(fan_in)); forward cache with the
required A0, Z1, A1, ... plus extra keys (the activation name, dropout-free "mask" placeholders,
the layer count); backward looking the activation name up in a dict of derivative functions;
softmax via log-softmax with np.logaddexp.reduce; one_hot via np.eye(C)[y]; minibatches as a
generator over rng.shuffle'd indices; train printing the whole-data loss and accuracy each epoch;
relu_grad(0) == 1; numerical_gradient with np.ndindex and eps = 1e-6.

Kofi Mensah, HW3.
"""
import numpy as np


def sigmoid(z):
    z = np.asarray(z, dtype=np.float64)
    out = np.where(z >= 0,
                   1.0 / (1.0 + np.exp(-np.maximum(z, 0.0))),
                   np.exp(np.minimum(z, 0.0)) / (1.0 + np.exp(np.minimum(z, 0.0))))
    return out


def sigmoid_grad(z):
    s = sigmoid(z)
    return s * (1.0 - s)


def tanh(z):
    return np.tanh(np.asarray(z, dtype=np.float64))


def tanh_grad(z):
    return 1.0 - tanh(z) ** 2


def relu(z):
    return np.maximum(np.asarray(z, dtype=np.float64), 0.0)


def relu_grad(z):
    return np.where(np.asarray(z) >= 0.0, 1.0, 0.0)


ACTIVATION_FUNCS = {"sigmoid": sigmoid, "tanh": tanh, "relu": relu}
DERIVATIVE_FUNCS = {"sigmoid": sigmoid_grad, "tanh": tanh_grad, "relu": relu_grad}


def log_softmax(z):
    z = np.asarray(z, dtype=np.float64)
    return z - np.logaddexp.reduce(z, axis=1, keepdims=True)


def softmax(z):
    return np.exp(log_softmax(z))


def one_hot(y, num_classes):
    return np.eye(num_classes)[np.asarray(y, dtype=int)]


def cross_entropy(probs, y):
    P = np.asarray(probs, dtype=np.float64)
    n = P.shape[0]
    return float(-np.sum(one_hot(y, P.shape[1]) * np.log(P + 1e-12)) / n)


def preprocess(images):
    a = np.asarray(images, dtype=np.float64)
    return (a / 255.0).reshape(a.shape[0], -1)


def init_params(layer_sizes, rng):
    params = {}
    for l in range(1, len(layer_sizes)):
        fan_in = layer_sizes[l - 1]
        params[f"W{l}"] = rng.normal(0.0, 1.0 / np.sqrt(fan_in), size=(fan_in, layer_sizes[l]))
        params[f"b{l}"] = np.zeros(layer_sizes[l])
    return params


def forward(params, X, activation="relu"):
    f = ACTIVATION_FUNCS[activation]
    L = len([k for k in params if k.startswith("W")])
    cache = {"A0": X, "activation": activation, "num_layers": L}
    A = X
    for l in range(1, L + 1):
        Z = A @ params[f"W{l}"] + params[f"b{l}"]
        A = f(Z) if l < L else softmax(Z)
        cache[f"Z{l}"] = Z
        cache[f"A{l}"] = A
        cache[f"mask{l}"] = None            # room for dropout later
    return A, cache


def backward(params, cache, y, activation="relu"):
    df = DERIVATIVE_FUNCS[activation]
    L = len([k for k in params if k.startswith("W")])
    P = cache[f"A{L}"]
    delta = (P - one_hot(y, P.shape[1])) / P.shape[0]
    grads = {}
    for l in reversed(range(1, L + 1)):
        grads[f"W{l}"] = cache[f"A{l - 1}"].T @ delta
        grads[f"b{l}"] = delta.sum(axis=0)
        if l > 1:
            delta = delta @ params[f"W{l}"].T * df(cache[f"Z{l - 1}"])
    return grads


def sgd_step(params, grads, lr):
    for k, g in grads.items():
        params[k] -= lr * g
    return params


def minibatches(X, y, batch_size, rng):
    ids = np.arange(X.shape[0])
    rng.shuffle(ids)
    for chunk in np.array_split(ids, np.arange(batch_size, len(ids), batch_size)):
        yield X[chunk], y[chunk]


def train(X, y, layer_sizes, activation="relu", lr=0.1, epochs=5, batch_size=32, seed=0):
    rng = np.random.default_rng(seed)
    params = init_params(layer_sizes, rng)
    for epoch in range(epochs):
        for Xb, yb in minibatches(X, y, batch_size, rng):
            _, cache = forward(params, Xb, activation)
            sgd_step(params, backward(params, cache, yb, activation), lr)
        P_all, _ = forward(params, X, activation)
        print("epoch", epoch, "loss", round(cross_entropy(P_all, y), 4),
              "acc", round(accuracy(P_all.argmax(1), y), 4))
    return params


def predict(params, X, activation="relu"):
    return forward(params, X, activation)[0].argmax(1)


def accuracy(y_pred, y_true):
    return np.count_nonzero(np.asarray(y_pred) == np.asarray(y_true)) / np.size(y_true)


def numerical_gradient(f, x, eps=1e-6):
    grad = np.zeros(x.shape)
    for idx in np.ndindex(x.shape):
        x0 = x[idx]
        x[idx] = x0 + eps
        up = f(x)
        x[idx] = x0 - eps
        down = f(x)
        x[idx] = x0
        grad[idx] = (up - down) / (2 * eps)
    return grad
