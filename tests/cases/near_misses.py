# Right code under the wrong names, and a function that needs script-level data.
import numpy as np

data = np.load("/Users/student/mnist.npz")     # only exists on the student's laptop
SCALE = 255.0


def soft_max(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def relu_derivative(z):
    return (z > 0).astype(float)


def relu(z):
    return np.maximum(z, 0.0)


def preprocess(images):
    return images.reshape(len(images), -1) / data["scale"]
