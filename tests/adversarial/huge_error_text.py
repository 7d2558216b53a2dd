# Report bloat: error text of 5 MB on a single line. The worker quoted at most 2,000
# characters of an exception's message, but that cut is the worker's own code, which
# the submission replaces while the file is loaded (a decorator runs when its def
# does) with one that quotes everything; and the names it sends were never cut at all:
#   relu raises with a 5 MB message; softmax raises an exception class with a 5 MB
#   name; one_hot is a function whose code object has a 5 MB name; a decorator fails
#   while loading (so a note quotes it) with a 5 MB message.
# Every check of these functions, and every note, quoted the whole text: reports of
# hundreds of megabytes, and text wrapping that took many minutes.
# tests/test_adversarial_channel.py also builds a file whose failing line itself is
# 5 MB long (the frame's quoted source line). Legitimate part: sigmoid, tanh.
import sys
import types

import numpy as np

BIG = 5_000_000


def _quote_everything(func):
    worker = sys.modules.get("__main__")
    original = getattr(worker, "describe", None)
    if callable(original) and not getattr(original, "_unclipped", False):
        def describe(exc):
            answer = original(exc)
            try:
                answer["message"] = str(exc)
            except Exception:
                pass
            return answer
        describe._unclipped = True
        worker.describe = describe
    return func


def _fails_at_load(func):
    raise ValueError("loading: " + "L" * BIG)


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


@_quote_everything
def relu(z):
    raise ValueError("relu: " + "x" * BIG)


def softmax(z):
    raise type("Huge" + "E" * BIG, (Exception,), {})("softmax")


def _renamed(func):
    return types.FunctionType(func.__code__.replace(co_name="n" * BIG), func.__globals__, func.__name__)


@_renamed
def one_hot(y, num_classes):
    raise ValueError("one_hot")


@_fails_at_load
def relu_grad(z):
    return (np.asarray(z) > 0).astype(np.float64)
