# v08: float32 arithmetic throughout the network maths; sigmoid written as
#      0.5 * (1 + tanh(z / 2)); tanh from a clipped exp formula, finite at |z| = 1000;
#      Xavier (Glorot) normal init; relu_grad via np.heaviside(z, 1), i.e. 1 at z == 0;
#      minibatches returning a list; train recording the whole-data loss each epoch
#      (an extra forward on all of X, never followed by backward), printing nothing;
#      accuracy as (a == b).sum() / len(a).
# (Ana Souza)
import numpy as np

F32 = np.float32
ZCLIP = 15.0    # float32 tanh(15) is already exactly 1


def tanh(z):
    z = np.clip(np.asarray(z, dtype=F32), -ZCLIP, ZCLIP)
    e = np.exp(F32(2) * z)
    return (e - F32(1)) / (e + F32(1))


def tanh_grad(z):
    t = tanh(z)
    return F32(1) - t * t


def sigmoid(z):
    return F32(0.5) * (F32(1) + tanh(np.asarray(z, dtype=F32) / F32(2)))


def sigmoid_grad(z):
    s = sigmoid(z)
    return s * (F32(1) - s)


def relu(z):
    z = np.asarray(z, dtype=F32)
    return np.maximum(z, F32(0))


def relu_grad(z):
    return np.heaviside(np.asarray(z, dtype=F32), F32(1))


def softmax(z):
    z = np.asarray(z, dtype=F32)
    e = np.exp(z - np.max(z, axis=1, keepdims=True))
    return e / np.sum(e, axis=1, keepdims=True)


def one_hot(y, num_classes):
    Y = np.zeros((len(y), num_classes), dtype=F32)
    Y[np.arange(len(y)), np.asarray(y, dtype=int)] = F32(1)
    return Y


def cross_entropy(probs, y):
    P = np.asarray(probs, dtype=F32)
    t = P[np.arange(P.shape[0]), np.asarray(y, dtype=int)]
    return float(np.mean(-np.log(np.maximum(t, F32(1e-30)))))


def preprocess(images):
    return np.asarray(images, dtype=F32).reshape(len(images), -1) / F32(255)


def init_params(layer_sizes, rng):
    prm = {}
    for l, (n_in, n_out) in enumerate(zip(layer_sizes, layer_sizes[1:]), 1):
        sd = np.sqrt(2.0 / (n_in + n_out))              # Glorot normal
        prm["W%d" % l] = sd * rng.standard_normal((n_in, n_out))
        prm["b%d" % l] = np.zeros(n_out)
    return prm


def _act(name):
    return {"relu": (relu, relu_grad), "tanh": (tanh, tanh_grad), "sigmoid": (sigmoid, sigmoid_grad)}[name]


def forward(params, X, activation="relu"):
    g, _ = _act(activation)
    L = len(params) // 2
    A = np.asarray(X, dtype=F32)
    cache = {"A0": A}
    for l in range(1, L + 1):
        Z = A @ np.asarray(params["W%d" % l], F32) + np.asarray(params["b%d" % l], F32)
        A = g(Z) if l < L else softmax(Z)
        cache["Z%d" % l] = Z
        cache["A%d" % l] = A
    return A, cache


def backward(params, cache, y, activation="relu"):
    _, dg = _act(activation)
    L = len(params) // 2
    P = np.asarray(cache["A%d" % L], F32)
    dZ = (P - one_hot(y, P.shape[1])) / F32(P.shape[0])
    grads = {}
    for l in range(L, 0, -1):
        grads["W%d" % l] = np.asarray(cache["A%d" % (l - 1)], F32).T @ dZ
        grads["b%d" % l] = dZ.sum(axis=0)
        if l > 1:
            dZ = (dZ @ np.asarray(params["W%d" % l], F32).T) * dg(cache["Z%d" % (l - 1)])
    return grads


def sgd_step(params, grads, lr):
    return {k: v - lr * grads[k] for k, v in params.items()}


def minibatches(X, y, batch_size, rng):
    perm = rng.permutation(len(X))
    return [(X[perm[s:s + batch_size]], y[perm[s:s + batch_size]]) for s in range(0, len(X), batch_size)]


def train(X, y, layer_sizes, activation="relu", lr=0.1, epochs=5, batch_size=32, seed=0):
    rng = np.random.default_rng(seed)
    prm = init_params(layer_sizes, rng)
    history = []
    for _ in range(epochs):
        for Xb, yb in minibatches(X, y, batch_size, rng):
            _, cache = forward(prm, Xb, activation)
            prm = sgd_step(prm, backward(prm, cache, yb, activation), lr)
        history.append(cross_entropy(forward(prm, X, activation)[0], y))
    return prm


def predict(params, X, activation="relu"):
    return np.argmax(forward(params, X, activation)[0], axis=1)


def accuracy(y_pred, y_true):
    y_pred, y_true = np.asarray(y_pred), np.asarray(y_true)
    return float((y_pred == y_true).sum() / len(y_pred))


def numerical_gradient(f, x, eps=1e-5):
    g = np.zeros_like(x, dtype=np.float64)
    it = np.nditer(x, flags=["multi_index"])
    for _ in it:
        i = it.multi_index
        old = x[i].copy()
        x[i] = old + eps
        fp = f(x)
        x[i] = old - eps
        fm = f(x)
        x[i] = old
        g[i] = (fp - fm) / (2 * eps)
    return g
