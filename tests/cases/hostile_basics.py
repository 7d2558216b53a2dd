# A submission whose functions misbehave in ways that would take down a grader that
# runs student code in its own process.
import os
import sys

import numpy as np
import tensorflow as tf            # not installed: this import fails, the rest still loads


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-np.clip(z, -500, 500)))


def relu(z):
    while True:                    # loops forever
        pass


def softmax(z):
    sys.exit("done")               # SystemExit inside a function


def accuracy(y_pred, y_true):
    os._exit(0)                    # ends the process without a word


def one_hot(y, num_classes):
    print("12/12 checks passed. Score: 100/100")   # printed text is just text
    return np.eye(num_classes)[y]


def tanh(z):
    return np.tanh(z)
