# v04 | conventions: float32 arithmetic (inputs cast to float32 in the activations,
#       softmax, preprocess, forward and backward); LeCun init N(0, 1/fan_in);
#       max-subtracted softmax; cross_entropy picking the target probabilities;
#       in-place sgd_step; generator minibatches.
# Jonas Lindqvist -- "float32 is what the GPU people use, so I use it too"
import numpy as np

DT = np.float32


def sigmoid(z):
    z = np.asarray(z, dtype=DT)
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e)).astype(DT)


def sigmoid_grad(z):
    s = sigmoid(z)
    return s * (DT(1) - s)


def tanh(z):
    return np.tanh(np.asarray(z, dtype=DT))


def tanh_grad(z):
    t = tanh(z)
    return DT(1) - t * t


def relu(z):
    return np.maximum(np.asarray(z, dtype=DT), DT(0))


def relu_grad(z):
    return (np.asarray(z, dtype=DT) > 0).astype(DT)


def softmax(z):
    z = np.asarray(z, dtype=DT)
    z = z - z.max(axis=1, keepdims=True)
    num = np.exp(z)
    return num / num.sum(axis=1, keepdims=True)


def one_hot(y, num_classes):
    y = np.asarray(y, dtype=np.intp)
    Y = np.zeros((y.shape[0], num_classes), dtype=DT)
    Y[np.arange(y.shape[0]), y] = 1
    return Y


def cross_entropy(probs, y):
    probs = np.asarray(probs, dtype=DT)
    y = np.asarray(y, dtype=np.intp)
    p_true = probs[np.arange(len(y)), y]
    p_true = np.maximum(p_true, np.finfo(DT).tiny)
    return float(-np.log(p_true).mean())


def preprocess(images):
    x = np.asarray(images)
    return (x.reshape(x.shape[0], -1) / DT(255)).astype(DT)


def init_params(layer_sizes, rng):
    out = {}
    for i in range(len(layer_sizes) - 1):
        n_in, n_out = layer_sizes[i], layer_sizes[i + 1]
        out[f"W{i + 1}"] = rng.standard_normal((n_in, n_out)) / np.sqrt(n_in)   # LeCun
        out[f"b{i + 1}"] = np.zeros(n_out)
    return out


def _nlayers(params):
    return sum(k.startswith("W") for k in params)


def forward(params, X, activation="relu"):
    fn = {"relu": relu, "tanh": tanh, "sigmoid": sigmoid}[activation]
    L = _nlayers(params)
    h = np.asarray(X, dtype=DT)
    cache = {"A0": h}
    for i in range(1, L + 1):
        W = params[f"W{i}"].astype(DT)
        b = params[f"b{i}"].astype(DT)
        z = h @ W + b
        h = softmax(z) if i == L else fn(z)
        cache[f"Z{i}"], cache[f"A{i}"] = z, h
    return h, cache


def backward(params, cache, y, activation="relu"):
    dfn = {"relu": relu_grad, "tanh": tanh_grad, "sigmoid": sigmoid_grad}[activation]
    L = _nlayers(params)
    probs = np.asarray(cache[f"A{L}"], dtype=DT)
    m = probs.shape[0]
    d = (probs - one_hot(y, probs.shape[1])) / DT(m)
    grads = {}
    for i in range(L, 0, -1):
        a_prev = np.asarray(cache[f"A{i - 1}"], dtype=DT)
        grads[f"W{i}"] = a_prev.T @ d
        grads[f"b{i}"] = d.sum(axis=0)
        if i > 1:
            d = (d @ params[f"W{i}"].astype(DT).T) * dfn(cache[f"Z{i - 1}"])
    return grads


def sgd_step(params, grads, lr):
    for key in params:
        params[key] -= lr * grads[key]
    return params


def minibatches(X, y, batch_size, rng):
    n = X.shape[0]
    perm = rng.permutation(n)
    for i in range(0, n, batch_size):
        j = perm[i:i + batch_size]
        yield X[j], y[j]


def train(X, y, layer_sizes, activation="relu", lr=0.1, epochs=5, batch_size=32, seed=0):
    rng = np.random.default_rng(seed)
    params = init_params(layer_sizes, rng)
    X = np.asarray(X, dtype=DT)
    for _ in range(epochs):
        for xb, yb in minibatches(X, y, batch_size, rng):
            _, cache = forward(params, xb, activation)
            sgd_step(params, backward(params, cache, yb, activation), lr)
    return params


def predict(params, X, activation="relu"):
    return np.argmax(forward(params, X, activation)[0], axis=1)


def accuracy(y_pred, y_true):
    return float(np.mean(np.asarray(y_pred) == np.asarray(y_true)))


def numerical_gradient(f, x, eps=1e-5):
    # stays in float64: finite differences in float32 would be noise
    g = np.zeros(x.shape, dtype=np.float64)
    for pos in np.ndindex(x.shape):
        v = x[pos]
        x[pos] = v + eps
        hi = f(x)
        x[pos] = v - eps
        lo = f(x)
        x[pos] = v
        g[pos] = (hi - lo) / (2 * eps)
    return g
