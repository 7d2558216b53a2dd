# ==========================================================================
#  v03 -- conventions: He init (sqrt(2 / fan_in)); backward dispatching on the
#  activation name through a top-level dict of lambdas, with the sigmoid derivative
#  taken from the activation as A * (1 - A); forward cache with extra keys;
#  tanh by a clipped exp formula; minibatches as a generator over an index
#  array shuffled with rng.shuffle; train printing the full-data loss per epoch;
#  in-place sgd_step.
#  (Marco Bellini, assignment 3)
# ==========================================================================
import numpy as np

# beyond |z| = 20, tanh(z) is +-1 to double precision, and exp(2 * 20) is harmless
TANH_CLIP = 20.0
EPS_LOG = 1e-300


# --- activations -----------------------------------------------------------

def sigmoid(z):
    z = np.asarray(z, dtype=np.float64)
    pos = 1.0 / (1.0 + np.exp(-np.clip(z, 0, None)))              # z >= 0 branch
    neg_e = np.exp(np.clip(z, None, 0))
    neg = neg_e / (1.0 + neg_e)                                    # z < 0 branch
    return np.where(z >= 0, pos, neg)


def sigmoid_grad(z):
    s = sigmoid(z)
    return s * (1.0 - s)


def tanh(z):
    # (e^{2z} - 1) / (e^{2z} + 1), with z clipped so e^{2z} stays finite
    zc = np.clip(np.asarray(z, dtype=np.float64), -TANH_CLIP, TANH_CLIP)
    e2z = np.exp(2.0 * zc)
    return (e2z - 1.0) / (e2z + 1.0)


def tanh_grad(z):
    th = tanh(z)
    return 1.0 - th * th


def relu(z):
    z = np.asarray(z, dtype=np.float64)
    return z * (z > 0)


def relu_grad(z):
    return (np.asarray(z) > 0) * 1.0


ACT = {"sigmoid": sigmoid, "tanh": tanh, "relu": relu}


# --- output & loss -----------------------------------------------------------

def softmax(z):
    z = np.asarray(z, dtype=np.float64)
    shifted = z - np.max(z, axis=1, keepdims=True)
    ex = np.exp(shifted)
    return ex / np.sum(ex, axis=1, keepdims=True)


def one_hot(y, num_classes):
    y = np.asarray(y).astype(int)
    M = np.zeros((y.size, num_classes), dtype=np.float64)
    M[np.arange(y.size), y] = 1.0
    return M


def cross_entropy(probs, y):
    probs = np.asarray(probs, dtype=np.float64)
    N = probs.shape[0]
    picked = probs[np.arange(N), np.asarray(y).astype(int)]
    return float(np.mean(-np.log(np.maximum(picked, EPS_LOG))))


# --- data & init -------------------------------------------------------------

def preprocess(images):
    return np.asarray(images, dtype=np.float64).reshape(len(images), -1) / 255.0


def init_params(layer_sizes, rng):
    params = {}
    L = len(layer_sizes) - 1
    for l in range(1, L + 1):
        fan_in, fan_out = layer_sizes[l - 1], layer_sizes[l]
        params["W" + str(l)] = rng.normal(0.0, np.sqrt(2.0 / fan_in), (fan_in, fan_out))  # He
        params["b" + str(l)] = np.zeros(fan_out)
    return params


# --- forward / backward ------------------------------------------------------

def forward(params, X, activation="relu"):
    L = len([k for k in params if k[0] == "W"])
    A = np.asarray(X, dtype=np.float64)
    cache = {"A0": A, "activation": activation, "L": L, "N": A.shape[0]}
    for l in range(1, L + 1):
        Z = A @ params["W" + str(l)] + params["b" + str(l)]
        A = softmax(Z) if l == L else ACT[activation](Z)
        cache["Z" + str(l)] = Z
        cache["A" + str(l)] = A
    return A, cache


# derivative of each hidden activation, given (Z, A) of that layer
DERIV = {
    "sigmoid": lambda Z, A: A * (1.0 - A),     # A = sigmoid(Z), so this is sigmoid'(Z)
    "tanh": lambda Z, A: tanh_grad(Z),
    "relu": lambda Z, A: relu_grad(Z),
}


def backward(params, cache, y, activation="relu"):
    L = len([k for k in params if k[0] == "W"])
    deriv = DERIV[activation]
    P = cache["A" + str(L)]
    N = P.shape[0]
    dZ = (P - one_hot(y, P.shape[1])) / N
    grads = {}
    for l in range(L, 0, -1):
        grads["W" + str(l)] = cache["A" + str(l - 1)].T @ dZ
        grads["b" + str(l)] = dZ.sum(axis=0)
        if l > 1:
            dA = dZ @ params["W" + str(l)].T
            dZ = dA * deriv(cache["Z" + str(l - 1)], cache["A" + str(l - 1)])
    return grads


# --- training ------------------------------------------------------------------

def sgd_step(params, grads, lr):
    for name in params.keys():
        params[name] -= lr * grads[name]
    return params


def minibatches(X, y, batch_size, rng):
    idx = np.arange(X.shape[0])
    rng.shuffle(idx)                       # fresh order every call
    start = 0
    while start < len(idx):
        part = idx[start:start + batch_size]
        yield X[part], y[part]
        start += batch_size


def train(X, y, layer_sizes, activation="relu", lr=0.1, epochs=5, batch_size=32, seed=0):
    rng = np.random.default_rng(seed)
    params = init_params(layer_sizes, rng)
    for epoch in range(epochs):
        for Xb, yb in minibatches(X, y, batch_size, rng):
            _, cache = forward(params, Xb, activation)
            grads = backward(params, cache, yb, activation)
            sgd_step(params, grads, lr)
        full_probs, _ = forward(params, X, activation)
        print(f"epoch {epoch + 1}/{epochs}: loss {cross_entropy(full_probs, y):.4f}")
    return params


def predict(params, X, activation="relu"):
    return np.argmax(forward(params, X, activation)[0], axis=1)


def accuracy(y_pred, y_true):
    return float(np.mean(np.asarray(y_pred) == np.asarray(y_true)))


# --- gradient check -----------------------------------------------------------

def numerical_gradient(f, x, eps=1e-5):
    grad = np.zeros_like(x, dtype=np.float64)
    for ix in np.ndindex(x.shape):
        saved = float(x[ix])
        x[ix] = saved + eps
        f1 = f(x)
        x[ix] = saved - eps
        f2 = f(x)
        x[ix] = saved
        grad[ix] = (f1 - f2) / (2 * eps)
    return grad
