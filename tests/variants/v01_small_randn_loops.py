# v01 -- conventions: init rng.standard_normal(...) * 0.01; Python loops in the small
#        functions (per-row softmax, per-sample cross_entropy picking the target prob,
#        loop one_hot); in-place sgd_step returning the same dict; generator minibatches
#        called from train; np.where stable sigmoid; relu_grad(0) == 0.
# student: T. Okafor, hw3
import numpy as np

INIT_SCALE = 0.01


def sigmoid(z):
    z = np.asarray(z, dtype=float)
    ea = np.exp(-np.abs(z))          # never overflows
    return np.where(z >= 0, 1.0 / (1.0 + ea), ea / (1.0 + ea))


def sigmoid_grad(z):
    s = sigmoid(z)
    return s * (1 - s)


def tanh(z):
    return np.tanh(np.asarray(z, dtype=float))


def tanh_grad(z):
    t = tanh(z)
    return 1 - t ** 2


def relu(z):
    return np.maximum(0.0, np.asarray(z, dtype=float))


def relu_grad(z):
    return np.asarray(np.asarray(z) > 0, dtype=float)


def softmax(z):
    z = np.asarray(z, dtype=float)
    out = np.empty_like(z)
    for i in range(z.shape[0]):        # one row = one example
        row = z[i] - z[i].max()
        e = np.exp(row)
        out[i] = e / e.sum()
    return out


def one_hot(y, num_classes):
    oh = np.zeros((len(y), num_classes))
    for i, lab in enumerate(y):
        oh[i, int(lab)] = 1.0
    return oh


def cross_entropy(probs, y):
    n = len(y)
    tot = 0.0
    for i in range(n):
        p = probs[i, int(y[i])]
        tot += -np.log(max(p, 1e-300))
    return float(tot / n)


def preprocess(images):
    imgs = np.asarray(images)
    return imgs.reshape(len(imgs), 784).astype(float) / 255.0


def init_params(layer_sizes, rng):
    p = {}
    for l in range(1, len(layer_sizes)):
        p["W%d" % l] = rng.standard_normal((layer_sizes[l - 1], layer_sizes[l])) * INIT_SCALE
        p["b%d" % l] = np.zeros(layer_sizes[l])
    return p


def _f(z, act):
    if act == "relu":
        return relu(z)
    if act == "tanh":
        return tanh(z)
    if act == "sigmoid":
        return sigmoid(z)
    raise ValueError(act)


def _df(z, act):
    if act == "relu":
        return relu_grad(z)
    if act == "tanh":
        return tanh_grad(z)
    if act == "sigmoid":
        return sigmoid_grad(z)
    raise ValueError(act)


def forward(params, X, activation="relu"):
    nl = len(params) // 2
    a = np.asarray(X, dtype=float)
    cache = {"A0": a}
    for l in range(1, nl + 1):
        z = a @ params["W%d" % l] + params["b%d" % l]
        a = softmax(z) if l == nl else _f(z, activation)
        cache["Z%d" % l] = z
        cache["A%d" % l] = a
    return a, cache


def backward(params, cache, y, activation="relu"):
    nl = len(params) // 2
    P = cache["A%d" % nl]
    n = P.shape[0]
    dz = (P - one_hot(y, P.shape[1])) / n
    g = {}
    for l in range(nl, 0, -1):
        g["W%d" % l] = cache["A%d" % (l - 1)].T @ dz
        g["b%d" % l] = dz.sum(axis=0)
        if l > 1:
            dz = (dz @ params["W%d" % l].T) * _df(cache["Z%d" % (l - 1)], activation)
    return g


def sgd_step(params, grads, lr):
    for k in params:
        params[k] -= lr * grads[k]
    return params


def minibatches(X, y, batch_size, rng):
    perm = rng.permutation(len(X))
    for s in range(0, len(X), batch_size):
        sel = perm[s:s + batch_size]
        yield X[sel], y[sel]


def train(X, y, layer_sizes, activation="relu", lr=0.1, epochs=5, batch_size=32, seed=0):
    rng = np.random.default_rng(seed)
    params = init_params(layer_sizes, rng)
    for ep in range(epochs):
        for xb, yb in minibatches(X, y, batch_size, rng):
            _, c = forward(params, xb, activation)
            params = sgd_step(params, backward(params, c, yb, activation), lr)
    return params


def predict(params, X, activation="relu"):
    probs, _ = forward(params, X, activation)
    return np.argmax(probs, axis=1)


def accuracy(y_pred, y_true):
    return float(np.mean(np.asarray(y_pred) == np.asarray(y_true)))


def numerical_gradient(f, x, eps=1e-5):
    g = np.zeros(x.shape)
    for idx in np.ndindex(*x.shape):
        keep = x[idx]
        x[idx] = keep + eps
        fp = f(x)
        x[idx] = keep - eps
        fm = f(x)
        x[idx] = keep
        g[idx] = (fp - fm) / (2 * eps)
    return g
