"""Reference multilayer perceptron: the golden implementation of the ``mlp`` task.

Row-major throughout: a batch X has shape (N, D), labels y shape (N,), C classes.
A network with layer_sizes [D, H1, ..., C] has L = len(layer_sizes) - 1 layers;
layer l maps A{l-1} of shape (N, H_{l-1}) to Z{l} = A{l-1} @ W{l} + b{l} of shape
(N, H_l). Hidden layers apply the chosen activation, the output layer softmax.
Everything is float64 and vectorised.
"""
import numpy as np


# ----------------------------------------------------------------- activations
def sigmoid(z):
    """Logistic function, elementwise; z of any shape. Stable for large |z|."""
    z = np.asarray(z, dtype=np.float64)
    ez = np.exp(-np.abs(z))                       # in (0, 1]: never overflows
    return np.where(z >= 0, 1.0 / (1.0 + ez), ez / (1.0 + ez))


def sigmoid_grad(z):
    """d sigmoid(z) / dz evaluated at the pre-activation z; same shape as z."""
    s = sigmoid(z)
    return s * (1.0 - s)


def tanh(z):
    """Hyperbolic tangent, elementwise; z of any shape."""
    return np.tanh(np.asarray(z, dtype=np.float64))


def tanh_grad(z):
    """d tanh(z) / dz = 1 - tanh(z)**2, evaluated at z; same shape as z."""
    return 1.0 - np.tanh(np.asarray(z, dtype=np.float64)) ** 2


def relu(z):
    """max(z, 0), elementwise; z of any shape."""
    return np.maximum(np.asarray(z, dtype=np.float64), 0.0)


def relu_grad(z):
    """1 where z > 0, else 0 (the derivative at 0 is taken as 0); same shape as z."""
    return (np.asarray(z) > 0).astype(np.float64)


ACTIVATIONS = {
    "sigmoid": (sigmoid, sigmoid_grad),
    "tanh": (tanh, tanh_grad),
    "relu": (relu, relu_grad),
}


# ------------------------------------------------------------ output and loss
def softmax(z):
    """Row-wise softmax of logits z of shape (N, C) -> probabilities (N, C).

    Subtracting each row's max keeps exp() in (0, 1], so logits of any finite
    size are safe, and rows of very different scale do not affect each other.
    """
    z = np.asarray(z, dtype=np.float64)
    e = np.exp(z - z.max(axis=1, keepdims=True))  # (N, C)
    return e / e.sum(axis=1, keepdims=True)


def one_hot(y, num_classes):
    """Labels y of shape (N,) -> float one-hot matrix of shape (N, num_classes)."""
    y = np.asarray(y)
    Y = np.zeros((y.shape[0], num_classes))       # (N, C)
    Y[np.arange(y.shape[0]), y] = 1.0
    return Y


def cross_entropy(probs, y):
    """Mean negative log-likelihood of labels y (N,) under probs (N, C) -> float.

    Only the target probability of each row is read, so zeros elsewhere are harmless;
    the target probability is floored at 1e-300 to keep log() finite.
    """
    probs = np.asarray(probs, dtype=np.float64)
    y = np.asarray(y)
    target = probs[np.arange(y.shape[0]), y]      # (N,)
    return float(-np.mean(np.log(np.maximum(target, 1e-300))))


# ---------------------------------------------------------------- data & init
def preprocess(images):
    """uint8 images of shape (N, 28, 28) -> float64 rows of shape (N, 784) in [0, 1]."""
    images = np.asarray(images)
    rows = images.reshape(images.shape[0], -1).astype(np.float64)    # (N, 784), a new array
    rows /= 255.0                                                    # in place: one copy, not two
    return rows


def init_params(layer_sizes, rng):
    """Random parameters for layer_sizes [D, H1, ..., C].

    W{l} of shape (H_{l-1}, H_l) drawn from N(0, 1/H_{l-1}) (LeCun scaling), b{l} of
    shape (H_l,) zero. rng is a numpy.random.Generator.
    """
    params = {}
    for l in range(1, len(layer_sizes)):
        fan_in, fan_out = layer_sizes[l - 1], layer_sizes[l]
        params[f"W{l}"] = rng.standard_normal((fan_in, fan_out)) / np.sqrt(fan_in)
        params[f"b{l}"] = np.zeros(fan_out)
    return params


def num_layers(params):
    """Number of weight layers L in a params dict with keys W1, b1, ..., WL, bL."""
    return sum(1 for key in params if key.startswith("W"))


# -------------------------------------------------------------------- network
def forward(params, X, activation="relu"):
    """Forward pass of X (N, D) -> (probs (N, C), cache).

    cache holds "A0" = X and, for l = 1..L, "Z{l}" (N, H_l) and "A{l}" (N, H_l),
    with A{L} = probs.
    """
    act, _ = ACTIVATIONS[activation]
    L = num_layers(params)
    A = np.asarray(X, dtype=np.float64)
    cache = {"A0": A}
    for l in range(1, L + 1):
        Z = A @ params[f"W{l}"] + params[f"b{l}"]  # (N, H_l)
        A = softmax(Z) if l == L else act(Z)      # (N, H_l)
        cache[f"Z{l}"], cache[f"A{l}"] = Z, A
    return A, cache


def backprop(params, cache, Y, act_grads):
    """Gradients of the mean cross-entropy, given the activation derivatives.

    Y is the one-hot target (N, C); act_grads[l - 1] is f'(Z{l}) of shape (N, H_l)
    for each hidden layer l = 1..L-1. Returns {"W{l}": (H_{l-1}, H_l), "b{l}": (H_l,)}.
    Split from ``backward`` so a caller can supply derivatives computed elsewhere.
    """
    L = num_layers(params)
    N = Y.shape[0]
    dZ = (cache[f"A{L}"] - Y) / N                  # (N, C): softmax + mean CE
    grads = {}
    for l in range(L, 0, -1):
        grads[f"W{l}"] = cache[f"A{l - 1}"].T @ dZ  # (H_{l-1}, H_l)
        grads[f"b{l}"] = dZ.sum(axis=0)             # (H_l,)
        if l > 1:
            dZ = (dZ @ params[f"W{l}"].T) * act_grads[l - 2]  # (N, H_{l-1})
    return grads


def backward(params, cache, y, activation="relu"):
    """Gradients of the mean cross-entropy over the batch; keys and shapes as params."""
    _, act_grad = ACTIVATIONS[activation]
    L = num_layers(params)
    Y = one_hot(y, cache[f"A{L}"].shape[1])        # (N, C)
    return backprop(params, cache, Y, [act_grad(cache[f"Z{l}"]) for l in range(1, L)])


def loss(params, X, y, activation="relu"):
    """Mean cross-entropy of the network on (X (N, D), y (N,)) -> float."""
    return cross_entropy(forward(params, X, activation)[0], y)


# ------------------------------------------------------------------- training
def sgd_step(params, grads, lr):
    """One step of gradient descent: a new dict with p - lr * g for every key."""
    return {key: params[key] - lr * grads[key] for key in params}


def minibatches(X, y, batch_size, rng):
    """Yield (X_batch (B, D), y_batch (B,)) over one fresh random permutation.

    Every sample appears exactly once; the last batch may be smaller than batch_size.
    """
    order = rng.permutation(X.shape[0])           # (N,)
    for start in range(0, X.shape[0], batch_size):
        idx = order[start:start + batch_size]
        yield X[idx], y[idx]


def train(X, y, layer_sizes, activation="relu", lr=0.1, epochs=5, batch_size=32, seed=0):
    """Shuffled minibatch SGD on (X (N, D), y (N,)) -> trained params."""
    rng = np.random.default_rng(seed)
    params = init_params(layer_sizes, rng)
    for _ in range(epochs):
        for X_batch, y_batch in minibatches(X, y, batch_size, rng):
            _, cache = forward(params, X_batch, activation)
            params = sgd_step(params, backward(params, cache, y_batch, activation), lr)
    return params


def predict(params, X, activation="relu"):
    """Most probable class of each row of X (N, D) -> int labels (N,)."""
    return np.argmax(forward(params, X, activation)[0], axis=1)


def accuracy(y_pred, y_true):
    """Fraction of equal labels in y_pred (N,) and y_true (N,) -> float in [0, 1]."""
    return float(np.mean(np.asarray(y_pred) == np.asarray(y_true)))


# ------------------------------------------------------------- gradient check
def numerical_gradient(f, x, eps=1e-5):
    """Central-difference gradient of the scalar function f at the array x.

    x is perturbed in place one entry at a time and restored; returns an array
    shaped like x.
    """
    grad = np.zeros(x.shape, dtype=np.float64)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + eps
        f_plus = f(x)
        x[i] = old - eps
        f_minus = f(x)
        x[i] = old
        grad[i] = (f_plus - f_minus) / (2 * eps)
    return grad


def rel_error(a, b, floor=1e-12):
    """Relative error ||a - b|| / (||a|| + ||b||) of two arrays, floored at ``floor``.

    The norm form (as in gradient checking) is used rather than an elementwise max,
    which central-difference round-off inflates on near-zero entries.
    """
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return float(np.linalg.norm(a - b) / max(floor, np.linalg.norm(a) + np.linalg.norm(b)))
