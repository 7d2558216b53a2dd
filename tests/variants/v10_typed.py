"""v10 -- conventions: alice.py's logic (He init, stable two-branch sigmoid, max-shifted
softmax, in-place sgd_step, minibatches over rng.permutation) written in a typed style:
``from __future__ import annotations``; type aliases (``Dict[str, np.ndarray]``,
``npt.NDArray[np.float64]``, ``tuple[int, ...]``); a TypeVar; a NamedTuple of layer keys
built by an ``lru_cache``'d function; a TypedDict for the forward cache; a str Enum of
activations dispatched through a dict; a frozen dataclass of training settings (string
annotations) with a module-level default instance; ``partial`` row reductions; a
``wraps`` decorator casting inputs to float64; numpy constants (``np.finfo``,
``np.arange``); ``Final`` constants and ``__all__``. A demo under ``if __name__ ==
"__main__":`` must stay skipped.

Priya Raman, HW3.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass
from enum import Enum
from functools import partial, wraps
from typing import Callable, Dict, Final, Iterator, NamedTuple, Sequence, Tuple, TypedDict, TypeVar

import numpy as np
import numpy.typing as npt

__all__ = ["sigmoid", "sigmoid_grad", "tanh", "tanh_grad", "relu", "relu_grad", "softmax",
           "one_hot", "cross_entropy", "preprocess", "init_params", "forward", "backward",
           "sgd_step", "minibatches", "train", "predict", "accuracy", "numerical_gradient"]

Array = npt.NDArray[np.float64]
Params = Dict[str, np.ndarray]
Grads = Params
Shape = tuple[int, ...]
T = TypeVar("T")

LOG_FLOOR: Final = 1e-300           # smallest probability allowed inside log()
EPS = np.finfo(float).eps           # for the sanity checks in the demo
CLASSES = np.arange(10)             # MNIST digits

print("typed MLP loaded")


class Activation(str, Enum):
    SIGMOID = "sigmoid"
    TANH = "tanh"
    RELU = "relu"


class LayerKeys(NamedTuple):
    W: str
    b: str
    Z: str
    A: str


class Cache(TypedDict, total=False):
    A0: Array


@dataclass(frozen=True)
class TrainConfig:
    lr: "float" = 0.1
    epochs: "int" = 5
    batch_size: "int" = 32
    seed: int = 0


DEFAULTS = TrainConfig()


@functools.lru_cache(maxsize=None)
def _keys(layer: int) -> LayerKeys:
    return LayerKeys(f"W{layer}", f"b{layer}", f"Z{layer}", f"A{layer}")


def _float64(func: Callable[[Array], T]) -> Callable[[npt.ArrayLike], T]:
    """Cast the argument to a float64 array before calling func."""
    @wraps(func)
    def wrapper(z: npt.ArrayLike) -> T:
        return func(np.asarray(z, dtype=np.float64))
    return wrapper


_row_max = partial(np.max, axis=1, keepdims=True)
_row_sum = partial(np.sum, axis=1, keepdims=True)


# ---------------- activations ----------------

@_float64
def sigmoid(z: Array) -> Array:
    out = np.empty_like(z)
    pos = z >= 0
    out[pos] = 1.0 / (1.0 + np.exp(-z[pos]))
    ez = np.exp(z[~pos])
    out[~pos] = ez / (1.0 + ez)
    return out


def sigmoid_grad(z: npt.ArrayLike) -> Array:
    s = sigmoid(z)
    return s * (1.0 - s)


@_float64
def tanh(z: Array) -> Array:
    return np.tanh(z)


@_float64
def tanh_grad(z: Array) -> Array:
    t = np.tanh(z)
    return 1.0 - t * t


@_float64
def relu(z: Array) -> Array:
    return np.maximum(z, 0.0)


@_float64
def relu_grad(z: Array) -> Array:
    return (z > 0).astype(np.float64)


_ACTIVATIONS: dict[Activation, Tuple[Callable[..., Array], Callable[..., Array]]] = {
    Activation.SIGMOID: (sigmoid, sigmoid_grad),
    Activation.TANH: (tanh, tanh_grad),
    Activation.RELU: (relu, relu_grad),
}


def _act(z: Array, activation: Activation | str) -> Array:
    return _ACTIVATIONS[Activation(activation)][0](z)


def _act_grad(z: Array, activation: Activation | str) -> Array:
    return _ACTIVATIONS[Activation(activation)][1](z)


# ---------------- softmax / loss ----------------

def softmax(z: npt.ArrayLike) -> Array:
    z = np.asarray(z, dtype=np.float64)
    e = np.exp(z - _row_max(z))
    return e / _row_sum(e)


def one_hot(y: npt.ArrayLike, num_classes: int) -> Array:
    y = np.asarray(y, dtype=int)
    out = np.zeros((len(y), num_classes), dtype=np.float64)
    out[np.arange(len(y)), y] = 1.0
    return out


def cross_entropy(probs: npt.ArrayLike, y: npt.ArrayLike) -> float:
    probs = np.asarray(probs, dtype=np.float64)
    y = np.asarray(y, dtype=int)
    n = probs.shape[0]
    p_correct = np.clip(probs[np.arange(n), y], LOG_FLOOR, None)
    return float(-np.log(p_correct).sum() / n)


# ---------------- data + init ----------------

def preprocess(images: npt.ArrayLike) -> Array:
    images = np.asarray(images)
    shape: Shape = images.shape
    return images.reshape(shape[0], -1).astype(np.float64) / 255.0


def init_params(layer_sizes: Sequence[int], rng: np.random.Generator) -> Params:
    params: Params = {}
    for i in range(1, len(layer_sizes)):
        fan_in, fan_out = layer_sizes[i - 1], layer_sizes[i]
        k = _keys(i)
        params[k.W] = rng.normal(0.0, np.sqrt(2.0 / fan_in), size=(fan_in, fan_out))
        params[k.b] = np.zeros(fan_out, dtype=np.float64)
    return params


# ---------------- forward / backward ----------------

def forward(params: "Params", X: npt.ArrayLike, activation: Activation | str = "relu") -> tuple[Array, Cache]:
    L = len(params) // 2
    A = np.asarray(X, dtype=np.float64)
    cache: Cache = Cache(A0=A)
    for i in range(1, L + 1):
        k = _keys(i)
        Z = A @ params[k.W] + params[k.b]
        A = softmax(Z) if i == L else _act(Z, activation)
        cache[k.Z] = Z
        cache[k.A] = A
    return A, cache


def backward(params: "Params", cache: Cache, y: npt.ArrayLike, activation: Activation | str = "relu") -> Grads:
    L = len(params) // 2
    m = cache["A0"].shape[0]
    probs = cache[_keys(L).A]
    dZ = (probs - one_hot(y, probs.shape[1])) / m
    grads: Grads = {}
    for i in range(L, 0, -1):
        k, prev = _keys(i), _keys(i - 1)
        grads[k.W] = cache[prev.A].T @ dZ
        grads[k.b] = dZ.sum(axis=0)
        if i > 1:
            dZ = (dZ @ params[k.W].T) * _act_grad(cache[prev.Z], activation)
    return grads


# ---------------- training ----------------

def sgd_step(params: Params, grads: Grads, lr: float) -> Params:
    for key in params:
        params[key] -= lr * grads[key]
    return params


def minibatches(X: Array, y: np.ndarray, batch_size: int,
                rng: np.random.Generator) -> Iterator[Tuple[Array, np.ndarray]]:
    n = X.shape[0]
    idx = rng.permutation(n)
    for start in range(0, n, batch_size):
        batch = idx[start:start + batch_size]
        yield X[batch], y[batch]


def train(X: Array, y: np.ndarray, layer_sizes: Sequence[int], activation: Activation | str = "relu",
          lr: float = DEFAULTS.lr, epochs: int = DEFAULTS.epochs, batch_size: int = DEFAULTS.batch_size,
          seed: int = DEFAULTS.seed) -> Params:
    config = TrainConfig(lr=lr, epochs=epochs, batch_size=batch_size, seed=seed)
    rng = np.random.default_rng(config.seed)
    params = init_params(layer_sizes, rng)
    for _ in range(config.epochs):
        for Xb, yb in minibatches(X, y, config.batch_size, rng):
            _, cache = forward(params, Xb, activation)
            grads = backward(params, cache, yb, activation)
            params = sgd_step(params, grads, config.lr)
    return params


def predict(params: Params, X: npt.ArrayLike, activation: Activation | str = "relu") -> np.ndarray:
    probs, _ = forward(params, X, activation)
    return np.argmax(probs, axis=1)


def accuracy(y_pred: npt.ArrayLike, y_true: npt.ArrayLike) -> float:
    return float(np.mean(np.asarray(y_pred) == np.asarray(y_true)))


# ---------------- gradient check ----------------

def numerical_gradient(f: Callable[[Array], float], x: Array, eps: float = 1e-5) -> Array:
    grad = np.zeros(x.shape, dtype=np.float64)
    it = np.nditer(x, flags=["multi_index"], op_flags=["readwrite"])
    while not it.finished:
        ix = it.multi_index
        old = x[ix]
        x[ix] = old + eps
        fplus = f(x)
        x[ix] = old - eps
        fminus = f(x)
        x[ix] = old
        grad[ix] = (fplus - fminus) / (2 * eps)
        it.iternext()
    return grad


def _is_distribution(p: Array) -> bool:
    return bool(np.allclose(p.sum(axis=1), 1.0, atol=1e4 * EPS))


if __name__ == "__main__":
    rng = np.random.default_rng(1)
    y = rng.choice(CLASSES[:3], size=600)
    X = rng.normal(0, 3, size=(3, 20))[y] + rng.normal(0, 1, size=(600, 20))
    params = train(X[:500], y[:500], [20, 32, 3], Activation.RELU, epochs=10)
    print("rows are distributions:", _is_distribution(forward(params, X[500:])[0]))
    print("test acc:", accuracy(predict(params, X[500:]), y[500:]))
