"""A stub submission: every function of the mlp task returns its (first) input unchanged.

Nothing is computed: activations and softmax return z, forward returns X as the
probabilities and as every entry of its cache (with the right keys), backward and
sgd_step return params, minibatches yields the whole of (X, y) once, and the others hand
back their first argument. It must score 0 (tests/test_stubs.py).
"""


def sigmoid(z):
    return z


def sigmoid_grad(z):
    return z


def tanh(z):
    return z


def tanh_grad(z):
    return z


def relu(z):
    return z


def relu_grad(z):
    return z


def softmax(z):
    return z


def one_hot(y, num_classes):
    return y


def cross_entropy(probs, y):
    return probs


def preprocess(images):
    return images


def init_params(layer_sizes, rng):
    return layer_sizes


def forward(params, X, activation="relu"):
    layers = len(params) // 2
    cache = {"A0": X}
    for l in range(1, layers + 1):
        cache[f"Z{l}"] = X
        cache[f"A{l}"] = X
    return X, cache


def backward(params, cache, y, activation="relu"):
    return params


def sgd_step(params, grads, lr):
    return params


def minibatches(X, y, batch_size, rng):
    yield X, y


def train(X, y, layer_sizes, activation="relu", lr=0.1, epochs=5, batch_size=32, seed=0):
    return X


def predict(params, X, activation="relu"):
    return X


def accuracy(y_pred, y_true):
    return y_pred


def numerical_gradient(f, x, eps=1e-5):
    return x
