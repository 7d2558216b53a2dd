# Puts a lone surrogate ("\ud800", half of a UTF-16 pair: no UTF-8 encoder accepts it)
# into exception messages. JSON carries it as the escape \ud800, but writing the text
# report to the terminal or to --out FILE raised UnicodeEncodeError in the grader
# (exit 3, no report at all). relu raises it; softmax raises it inside a longer message
# (and in the exception's class name); one_hot returns it as a string. Legitimate part:
# sigmoid, tanh.
import numpy as np


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
    raise ValueError("\ud800")


def softmax(z):
    raise type("Surrogate\udfffError", (Exception,), {})("before \ud800 after \udc00\ud83d")


def one_hot(y, num_classes):
    return "\ud800" * 3
