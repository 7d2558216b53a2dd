# Right answers computed by overwriting the caller's arrays: relu_grad writes its 0/1
# mask into z, softmax normalises z in place, backward turns the cache's probs into
# dZ in place (and, through relu_grad, overwrites the cache's Z).
# Legitimate part: one_hot, and every check of relu_grad, softmax and backward except
# their unchanged-inputs checks (backward.gradcheck needs a forward, which is missing).
import numpy as np


def relu_grad(z):
    z[...] = z > 0
    return z


def softmax(z):
    z -= z.max(axis=1, keepdims=True)
    np.exp(z, out=z)
    z /= z.sum(axis=1, keepdims=True)
    return z


def _sigmoid_grad(z):
    s = 1.0 / (1.0 + np.exp(-z))
    return s * (1.0 - s)


def _tanh_grad(z):
    return 1.0 - np.tanh(z) ** 2


def one_hot(y, num_classes):
    y = np.asarray(y, dtype=int)
    out = np.zeros((len(y), num_classes), dtype=np.float64)
    out[np.arange(len(y)), y] = 1.0
    return out


def backward(params, cache, y, activation="relu"):
    L = len(params) // 2
    m = cache["A0"].shape[0]
    grad_of = {"sigmoid": _sigmoid_grad, "tanh": _tanh_grad, "relu": relu_grad}[activation]
    dZ = cache["A" + str(L)]
    dZ -= one_hot(y, dZ.shape[1])
    dZ /= m
    grads = {}
    for i in range(L, 0, -1):
        grads["W" + str(i)] = cache["A" + str(i - 1)].T @ dZ
        grads["b" + str(i)] = dZ.sum(axis=0)
        if i > 1:
            dZ = (dZ @ params["W" + str(i)].T) * grad_of(cache["Z" + str(i - 1)])
    return grads
