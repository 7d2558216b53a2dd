"""HW3 -- multilayer perceptron.  Author: Priya Raman.

Conventions exercised (grader variant v02): Xavier/Glorot normal init; logsumexp
softmax (z - logsumexp(z) then exp); sigmoid as 0.5 * (1 + tanh(z / 2)); relu_grad(0) == 1
(z >= 0); one_hot via np.eye(C)[y]; cross_entropy as -sum(Y * log(P + 1e-12)) / N;
sgd_step building a new dict; minibatches returning a list; train doing its own inline
shuffling and slicing; numerical_gradient over a flat view x.reshape(-1) with eps=1e-6;
predict via probs.argmax(1); accuracy via (a == b).sum() / len(a).
"""
import numpy as np

TINY = 1e-12


def sigmoid(z):
    """Logistic function written through tanh: never overflows."""
    return 0.5 * (1.0 + np.tanh(np.asarray(z, dtype=np.float64) / 2.0))


def sigmoid_grad(z):
    """sigma'(z) = sigma(z) (1 - sigma(z))."""
    sig = sigmoid(z)
    return sig * (1.0 - sig)


def tanh(z):
    """Hyperbolic tangent via numpy."""
    return np.tanh(np.asarray(z, dtype=np.float64))


def tanh_grad(z):
    """1 - tanh(z)^2."""
    return 1.0 - np.square(tanh(z))


def relu(z):
    """max(z, 0)."""
    z = np.asarray(z, dtype=np.float64)
    return np.where(z > 0, z, 0.0)


def relu_grad(z):
    """Subgradient of relu, taking 1 at z == 0."""
    return np.where(np.asarray(z) >= 0, 1.0, 0.0)


def logsumexp_rows(z):
    """log(sum(exp(z))) of every row, shape (N, 1), computed stably."""
    zmax = np.max(z, axis=1, keepdims=True)
    return zmax + np.log(np.sum(np.exp(z - zmax), axis=1, keepdims=True))


def softmax(z):
    """exp(z - logsumexp(z)) row by row."""
    z = np.asarray(z, dtype=np.float64)
    return np.exp(z - logsumexp_rows(z))


def one_hot(y, num_classes):
    """Rows of the identity matrix picked by the labels."""
    return np.eye(num_classes)[np.asarray(y, dtype=np.int64)]


def cross_entropy(probs, y):
    """-(1/N) sum_i sum_c Y_ic log(P_ic), with a tiny floor inside the log."""
    P = np.asarray(probs, dtype=np.float64)
    Y = one_hot(y, P.shape[1])
    return float(-np.sum(Y * np.log(P + TINY)) / P.shape[0])


def preprocess(images):
    """(N, 28, 28) uint8 -> (N, 784) floats in [0, 1]."""
    flat = np.asarray(images).reshape(np.shape(images)[0], -1)
    return flat / np.float64(255)


def init_params(layer_sizes, rng):
    """Glorot normal: std = sqrt(2 / (fan_in + fan_out))."""
    params = {}
    for idx, (fan_in, fan_out) in enumerate(zip(layer_sizes[:-1], layer_sizes[1:]), start=1):
        std = np.sqrt(2.0 / (fan_in + fan_out))
        params[f"W{idx}"] = rng.normal(loc=0.0, scale=std, size=(fan_in, fan_out))
        params[f"b{idx}"] = np.zeros((fan_out,))
    return params


def hidden_activation(name):
    """(f, f') for a hidden activation name."""
    if name == "sigmoid":
        return sigmoid, sigmoid_grad
    if name == "tanh":
        return tanh, tanh_grad
    if name == "relu":
        return relu, relu_grad
    raise ValueError(f"unknown activation {name!r}")


def count_layers(params):
    """L, the number of W matrices."""
    return len([key for key in params if key.startswith("W")])


def forward(params, X, activation="relu"):
    """Returns (probs, cache) with cache A0, Z1, A1, ..., ZL, AL."""
    f, _ = hidden_activation(activation)
    n_layers = count_layers(params)
    cache = {"A0": np.asarray(X, dtype=np.float64)}
    for idx in range(1, n_layers + 1):
        pre = cache[f"A{idx - 1}"] @ params[f"W{idx}"] + params[f"b{idx}"]
        cache[f"Z{idx}"] = pre
        cache[f"A{idx}"] = softmax(pre) if idx == n_layers else f(pre)
    return cache[f"A{n_layers}"], cache


def backward(params, cache, y, activation="relu"):
    """Gradients of the mean cross-entropy."""
    _, fprime = hidden_activation(activation)
    n_layers = count_layers(params)
    probs = cache[f"A{n_layers}"]
    batch = probs.shape[0]
    delta = (probs - one_hot(y, probs.shape[1])) / batch
    grads = {}
    for idx in range(n_layers, 0, -1):
        grads[f"W{idx}"] = cache[f"A{idx - 1}"].T @ delta
        grads[f"b{idx}"] = np.sum(delta, axis=0)
        if idx > 1:
            delta = (delta @ params[f"W{idx}"].T) * fprime(cache[f"Z{idx - 1}"])
    return grads


def sgd_step(params, grads, lr):
    """A fresh dict; the old params are left alone."""
    return {name: value - lr * grads[name] for name, value in params.items()}


def minibatches(X, y, batch_size, rng):
    """A list of (X_batch, y_batch) tuples covering one random permutation."""
    order = rng.permutation(X.shape[0])
    batches = []
    for lo in range(0, X.shape[0], batch_size):
        chosen = order[lo:lo + batch_size]
        batches.append((X[chosen], y[chosen]))
    return batches


def train(X, y, layer_sizes, activation="relu", lr=0.1, epochs=5, batch_size=32, seed=0):
    """Minibatch SGD with the shuffling done right here."""
    rng = np.random.default_rng(seed)
    params = init_params(layer_sizes, rng)
    n_samples = X.shape[0]
    for _ in range(epochs):
        shuffled = rng.permutation(n_samples)
        X_shuf, y_shuf = X[shuffled], y[shuffled]
        for lo in range(0, n_samples, batch_size):
            X_b = X_shuf[lo:lo + batch_size]
            y_b = y_shuf[lo:lo + batch_size]
            _, cache = forward(params, X_b, activation)
            params = sgd_step(params, backward(params, cache, y_b, activation), lr)
    return params


def predict(params, X, activation="relu"):
    """Index of the largest probability in each row."""
    probs, _ = forward(params, X, activation)
    return probs.argmax(1)


def accuracy(y_pred, y_true):
    """Fraction of matches."""
    y_pred, y_true = np.asarray(y_pred), np.asarray(y_true)
    return float((y_pred == y_true).sum() / len(y_pred))


def numerical_gradient(f, x, eps=1e-6):
    """Central differences, walking a flat view of x."""
    flat_x = x.reshape(-1)            # a view: writing into it changes x
    grad = np.zeros(flat_x.shape[0])
    for i in range(flat_x.shape[0]):
        original = flat_x[i]
        flat_x[i] = original + eps
        up = f(x)
        flat_x[i] = original - eps
        down = f(x)
        flat_x[i] = original
        grad[i] = (up - down) / (2.0 * eps)
    return grad.reshape(x.shape)
