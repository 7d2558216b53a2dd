# Every function of the assignment written as a @staticmethod of one class, none at module
# level (alice.py's logic): the grader calls module-level functions, so nothing is found
# and the report must say that the functions are methods of class MLP and what to add.
import numpy as np


class MLP:
    # smallest prob we allow inside log(), so log(0) can't happen
    LOG_FLOOR = 1e-300

    @staticmethod
    def sigmoid(z):
        z = np.asarray(z, dtype=np.float64)
        out = np.empty_like(z)
        pos = z >= 0
        # for z >= 0 exp(-z) <= 1 so this is safe
        out[pos] = 1.0 / (1.0 + np.exp(-z[pos]))
        # for z < 0 use e^z / (1 + e^z) instead, otherwise exp(-z) blows up
        ez = np.exp(z[~pos])
        out[~pos] = ez / (1.0 + ez)
        return out

    @staticmethod
    def sigmoid_grad(z):
        s = MLP.sigmoid(z)
        return s * (1.0 - s)

    @staticmethod
    def tanh(z):
        return np.tanh(np.asarray(z, dtype=np.float64))

    @staticmethod
    def tanh_grad(z):
        t = np.tanh(np.asarray(z, dtype=np.float64))
        return 1.0 - t * t

    @staticmethod
    def relu(z):
        z = np.asarray(z, dtype=np.float64)
        return np.maximum(z, 0.0)

    @staticmethod
    def relu_grad(z):
        z = np.asarray(z, dtype=np.float64)
        return (z > 0).astype(np.float64)

    @staticmethod
    def _act(z, activation):
        if activation == "sigmoid":
            return MLP.sigmoid(z)
        elif activation == "tanh":
            return MLP.tanh(z)
        elif activation == "relu":
            return MLP.relu(z)
        raise ValueError("unknown activation: " + str(activation))

    @staticmethod
    def _act_grad(z, activation):
        if activation == "sigmoid":
            return MLP.sigmoid_grad(z)
        elif activation == "tanh":
            return MLP.tanh_grad(z)
        elif activation == "relu":
            return MLP.relu_grad(z)
        raise ValueError("unknown activation: " + str(activation))

    # ---------------- softmax / loss ----------------

    @staticmethod
    def softmax(z):
        z = np.asarray(z, dtype=np.float64)
        # shift each row by its max so the biggest exponent is exp(0) = 1
        e = np.exp(z - z.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)

    @staticmethod
    def one_hot(y, num_classes):
        y = np.asarray(y, dtype=int)
        out = np.zeros((len(y), num_classes), dtype=np.float64)
        out[np.arange(len(y)), y] = 1.0
        return out

    @staticmethod
    def cross_entropy(probs, y):
        probs = np.asarray(probs, dtype=np.float64)
        y = np.asarray(y, dtype=int)
        n = probs.shape[0]
        # only need the prob of the correct class for each example
        p_correct = probs[np.arange(n), y]
        p_correct = np.clip(p_correct, MLP.LOG_FLOOR, None)
        return float(-np.log(p_correct).sum() / n)

    # ---------------- data + init ----------------

    @staticmethod
    def preprocess(images):
        images = np.asarray(images)
        n = images.shape[0]
        X = images.reshape(n, -1).astype(np.float64)
        return X / 255.0

    @staticmethod
    def init_params(layer_sizes, rng):
        params = {}
        for i in range(1, len(layer_sizes)):
            fan_in = layer_sizes[i - 1]
            fan_out = layer_sizes[i]
            # He init: std = sqrt(2 / fan_in)
            params["W" + str(i)] = rng.normal(0.0, np.sqrt(2.0 / fan_in), size=(fan_in, fan_out))
            params["b" + str(i)] = np.zeros(fan_out, dtype=np.float64)
        return params

    # ---------------- forward / backward ----------------

    @staticmethod
    def forward(params, X, activation="relu"):
        L = len(params) // 2
        A = np.asarray(X, dtype=np.float64)
        cache = {"A0": A}
        for i in range(1, L + 1):
            W = params["W" + str(i)]
            b = params["b" + str(i)]
            Z = A @ W + b
            if i == L:
                A = MLP.softmax(Z)   # output layer is always softmax
            else:
                A = MLP._act(Z, activation)
            cache["Z" + str(i)] = Z
            cache["A" + str(i)] = A
        return A, cache

    @staticmethod
    def backward(params, cache, y, activation="relu"):
        L = len(params) // 2
        X = cache["A0"]
        m = X.shape[0]   # batch size
        probs = cache["A" + str(L)]
        Y = MLP.one_hot(y, probs.shape[1])

        grads = {}
        # softmax + cross entropy together give this nice simple gradient
        dZ = (probs - Y) / m
        for i in range(L, 0, -1):
            A_prev = cache["A" + str(i - 1)]
            grads["W" + str(i)] = A_prev.T @ dZ
            grads["b" + str(i)] = dZ.sum(axis=0)
            if i > 1:
                dA_prev = dZ @ params["W" + str(i)].T
                dZ = dA_prev * MLP._act_grad(cache["Z" + str(i - 1)], activation)
        return grads

    # ---------------- training ----------------

    @staticmethod
    def sgd_step(params, grads, lr):
        for k in params:
            params[k] -= lr * grads[k]
        return params

    @staticmethod
    def minibatches(X, y, batch_size, rng):
        n = X.shape[0]
        idx = rng.permutation(n)
        for start in range(0, n, batch_size):
            batch = idx[start:start + batch_size]
            yield X[batch], y[batch]

    @staticmethod
    def train(X, y, layer_sizes, activation="relu", lr=0.1, epochs=5, batch_size=32, seed=0):
        rng = np.random.default_rng(seed)
        params = MLP.init_params(layer_sizes, rng)
        for epoch in range(epochs):
            for Xb, yb in MLP.minibatches(X, y, batch_size, rng):
                probs, cache = MLP.forward(params, Xb, activation)
                grads = MLP.backward(params, cache, yb, activation)
                params = MLP.sgd_step(params, grads, lr)
            # print("epoch", epoch, "loss", MLP.cross_entropy(MLP.forward(params, X, activation)[0], y))
        return params

    @staticmethod
    def predict(params, X, activation="relu"):
        probs, _ = MLP.forward(params, X, activation)
        return np.argmax(probs, axis=1)

    @staticmethod
    def accuracy(y_pred, y_true):
        y_pred = np.asarray(y_pred)
        y_true = np.asarray(y_true)
        return float(np.mean(y_pred == y_true))

    # ---------------- gradient check ----------------

    @staticmethod
    def numerical_gradient(f, x, eps=1e-5):
        grad = np.zeros(x.shape, dtype=np.float64)
        it = np.nditer(x, flags=["multi_index"], op_flags=["readwrite"])
        while not it.finished:
            ix = it.multi_index
            old = x[ix]
            x[ix] = old + eps
            fplus = f(x)
            x[ix] = old - eps
            fminus = f(x)
            x[ix] = old   # put it back!!
            grad[ix] = (fplus - fminus) / (2 * eps)
            it.iternext()
        return grad


if __name__ == "__main__":
    rng = np.random.default_rng(1)
    centers = rng.normal(0, 3, size=(3, 20))
    y = rng.integers(0, 3, size=600)
    X = centers[y] + rng.normal(0, 1, size=(600, 20))
    params = MLP.train(X[:500], y[:500], [20, 32, 3], "relu", lr=0.1, epochs=10, batch_size=32, seed=0)
    print("test acc:", MLP.accuracy(MLP.predict(params, X[500:]), y[500:]))
