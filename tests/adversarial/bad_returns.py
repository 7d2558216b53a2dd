# Returns everything but a plain float array: an object array (of the right numbers),
# a list of strings, None, nan, inf, complex numbers (right real part), a set, a
# generator, a complex scalar, and a 512 MiB array.
# Legitimate part: relu_grad.
import numpy as np


def _true_sigmoid(z):
    z = np.asarray(z, dtype=np.float64)
    return np.where(z >= 0, 1.0 / (1.0 + np.exp(-np.abs(z))), np.exp(-np.abs(z)) / (1.0 + np.exp(-np.abs(z))))


def sigmoid(z):
    return np.array(_true_sigmoid(z).tolist(), dtype=object)        # an object array


def sigmoid_grad(z):
    s = _true_sigmoid(z)
    return (s * (1.0 - s)).astype(np.complex128)                    # complex, right real part


def tanh(z):
    return [["tanh"] * 3] * 2                                       # a list of strings


def tanh_grad(z):
    return np.ones((2**13, 2**13))                                  # 512 MiB, wrong shape


def relu(z):
    np.maximum(z, 0.0)                                              # forgot to return: None


def relu_grad(z):
    return (np.asarray(z, dtype=np.float64) > 0).astype(np.float64)


def softmax(z):
    return np.full(np.asarray(z).shape, np.nan)                     # nan


def one_hot(y, num_classes):
    return set(range(num_classes))                                  # a set


def cross_entropy(probs, y):
    return float("inf")                                             # inf


def preprocess(images):
    for row in np.asarray(images):                                  # a generator
        yield row.reshape(-1) / 255.0


def accuracy(y_pred, y_true):
    return complex(np.mean(np.asarray(y_pred) == np.asarray(y_true)), 0.0)   # a complex scalar
