# v05 -- conventions: Xavier/Glorot UNIFORM init, limit sqrt(6 / (fan_in + fan_out));
#        train shuffling and slicing inline (rng.permutation each epoch, minibatches
#        never called) and printing nothing; relu_grad(0) == 1; one_hot via np.eye;
#        cross_entropy = -sum(Y * log(P + 1e-12)) / N; numerical_gradient with
#        np.ndindex and eps = 1e-6; sgd_step building a new dict.
#   -- Wei Zhang
import numpy as np

LOG_EPS = 1e-12
ACTIVATIONS = ("sigmoid", "tanh", "relu")


def sigmoid(z):
    z = np.array(z, dtype=np.float64)          # copy, so the masks below are safe
    result = np.zeros_like(z)
    m = z >= 0
    result[m] = 1 / (1 + np.exp(-z[m]))
    ez = np.exp(z[~m])
    result[~m] = ez / (1 + ez)
    return result


def sigmoid_grad(z):
    sz = sigmoid(z)
    return sz - sz ** 2


def tanh(z):
    return np.tanh(np.asarray(z, np.float64))


def tanh_grad(z):
    return 1 / np.cosh(np.clip(np.asarray(z, np.float64), -300, 300)) ** 2


def relu(z):
    return np.clip(np.asarray(z, np.float64), 0, None)


def relu_grad(z):
    return (np.asarray(z) >= 0).astype(np.float64)


def softmax(z):
    z = np.asarray(z, np.float64)
    z_shift = z - np.amax(z, axis=1)[:, None]
    expz = np.exp(z_shift)
    return expz / np.sum(expz, axis=1)[:, None]


def one_hot(y, num_classes):
    return np.eye(num_classes, dtype=np.float64)[y]


def cross_entropy(probs, y):
    N = probs.shape[0]
    Y = one_hot(y, probs.shape[1])
    return float(-np.sum(Y * np.log(probs + LOG_EPS)) / N)


def preprocess(images):
    N = images.shape[0]
    return images.reshape(N, 28 * 28).astype(np.float64) / 255


def init_params(layer_sizes, rng):
    theta = {}
    for k in range(len(layer_sizes) - 1):
        fi, fo = layer_sizes[k], layer_sizes[k + 1]
        limit = np.sqrt(6.0 / (fi + fo))
        theta["W" + str(k + 1)] = rng.uniform(-limit, limit, size=(fi, fo))
        theta["b" + str(k + 1)] = np.zeros(fo)
    return theta


def activate(z, kind):
    assert kind in ACTIVATIONS, kind
    return {"sigmoid": sigmoid, "tanh": tanh, "relu": relu}[kind](z)


def activate_grad(z, kind):
    assert kind in ACTIVATIONS, kind
    return {"sigmoid": sigmoid_grad, "tanh": tanh_grad, "relu": relu_grad}[kind](z)


def forward(params, X, activation="relu"):
    depth = len(params) // 2
    cache = {"A0": X}
    out = X
    for k in range(1, depth + 1):
        z = np.dot(out, params["W" + str(k)]) + params["b" + str(k)]
        if k < depth:
            out = activate(z, activation)
        else:
            out = softmax(z)
        cache["Z" + str(k)] = z
        cache["A" + str(k)] = out
    return out, cache


def backward(params, cache, y, activation="relu"):
    depth = len(params) // 2
    out = cache["A" + str(depth)]
    N, C = out.shape
    delta = (out - one_hot(y, C)) / N
    grads = {}
    k = depth
    while k >= 1:
        grads["W" + str(k)] = np.dot(cache["A" + str(k - 1)].T, delta)
        grads["b" + str(k)] = delta.sum(0)
        if k > 1:
            delta = np.dot(delta, params["W" + str(k)].T) * activate_grad(cache["Z" + str(k - 1)], activation)
        k -= 1
    return grads


def sgd_step(params, grads, lr):
    new_params = {}
    for name in params:
        new_params[name] = params[name] - lr * grads[name]
    return new_params


def minibatches(X, y, batch_size, rng):
    p = rng.permutation(len(y))
    Xs, ys = X[p], y[p]
    for s in range(0, len(y), batch_size):
        yield Xs[s:s + batch_size], ys[s:s + batch_size]


def train(X, y, layer_sizes, activation="relu", lr=0.1, epochs=5, batch_size=32, seed=0):
    rng = np.random.default_rng(seed)
    theta = init_params(layer_sizes, rng)
    N = len(y)
    for epoch in range(epochs):
        p = rng.permutation(N)
        for s in range(0, N, batch_size):
            rows = p[s:s + batch_size]
            _, cache = forward(theta, X[rows], activation)
            grads = backward(theta, cache, y[rows], activation)
            theta = sgd_step(theta, grads, lr)
    return theta


def predict(params, X, activation="relu"):
    probs = forward(params, X, activation)[0]
    return np.argmax(probs, axis=1)


def accuracy(y_pred, y_true):
    return float(np.mean(y_pred == y_true))


def numerical_gradient(f, x, eps=1e-6):
    grad = np.zeros_like(x, dtype=np.float64)
    for i in np.ndindex(x.shape):
        tmp = x[i]
        x[i] = tmp + eps
        plus = f(x)
        x[i] = tmp - eps
        minus = f(x)
        x[i] = tmp
        grad[i] = (plus - minus) / (2 * eps)
    return grad
