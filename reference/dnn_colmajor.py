"""Reference deep binary classifier, column-major: the golden implementation of the
``dnn_colmajor`` task (tasks/dnn_colmajor/).

Conventions (the task's contract; the student-facing version is the task's template.py)

* Column-major: a batch X has shape (n_x, m), one example per COLUMN; the number of
  examples is m = X.shape[1]. Labels Y have shape (1, m) and hold 0 or 1.
* layer_dims = [n_0, n_1, ..., n_L] with n_0 = n_x and n_L = 1; the network has
  L = len(layer_dims) - 1 weight layers. Layer l (l = 1..L) computes

      Z{l} = W{l} @ A{l-1} + b{l}     W{l}: (n_l, n_{l-1}), b{l}: (n_l, 1), Z{l}: (n_l, m)
      A{l} = relu(Z{l})               for l < L (hidden layers)
      A{L} = sigmoid(Z{L})            the output: AL of shape (1, m), P(y = 1 | x)

  with A0 = X. The cost is the binary cross-entropy averaged over the m examples.
* Caches (tuples, never copies of anything but what is listed):
    linear cache      (A_prev, W, b)                  shapes (n_{l-1}, m), (n_l, n_{l-1}), (n_l, 1)
    activation cache  Z                               shape (n_l, m), the pre-activation
    layer cache       (linear_cache, activation_cache) = ((A_prev, W, b), Z)
    caches            a list of the L layer caches; caches[l - 1] belongs to layer l
* Gradients, for l = 1..L: grads["dW{l}"] (W{l}'s shape) and grads["db{l}"] (b{l}'s) are
  the gradients of the mean cost. grads["dA{l-1}"] (A{l-1}'s shape) and the dZ passed
  between the backward functions are per example: column j is the gradient of example
  j's own loss, i.e. m times the gradient of the mean cost. The average over the m
  examples is taken once, in dW and db (the course convention); dA0 is for X.

Everything is float64, vectorised over the examples, and deterministic: all randomness
comes from a numpy Generator passed in (or built from ``seed`` in ``train``).
"""
import numpy as np


# ----------------------------------------------------------------- activations
def sigmoid(Z):
    """Logistic function of Z (any shape) -> (A, cache).

    A = 1 / (1 + exp(-Z)), float64, same shape as Z; stable for large |Z| (exp() only
    ever sees -|Z|). cache is Z itself, for sigmoid_backward.
    """
    Z = np.asarray(Z, dtype=np.float64)
    e = np.exp(-np.abs(Z))                         # in (0, 1]: never overflows
    A = np.where(Z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
    return A, Z


def relu(Z):
    """max(Z, 0) of Z (any shape) -> (A, cache); A float64 of Z's shape, cache is Z."""
    Z = np.asarray(Z, dtype=np.float64)
    return np.maximum(Z, 0.0), Z


def sigmoid_backward(dA, cache):
    """Gradient through a sigmoid unit: dA and cache = Z of one shape (n, m) -> dZ (n, m).

    dZ = dA * s * (1 - s) with s = sigmoid(Z), the derivative taken at the
    pre-activation Z held in the cache.
    """
    s, _ = sigmoid(cache)
    return np.asarray(dA, dtype=np.float64) * s * (1.0 - s)


def relu_backward(dA, cache):
    """Gradient through a relu unit: dA and cache = Z of one shape (n, m) -> dZ (n, m).

    dZ = dA where Z > 0 and 0 where Z <= 0 (the derivative at 0 is taken as 0); a new
    array, dA is left unchanged.
    """
    Z = np.asarray(cache)
    return np.where(Z > 0, np.asarray(dA, dtype=np.float64), 0.0)


# ------------------------------------------------------------------ data & init
def preprocess(images):
    """uint8 images (m, 28, 28) -> X float64 of shape (784, m) in [0, 1], one image a column.

    Column j of X is image j flattened row by row (pixel (r, c) at index 28 r + c).
    """
    images = np.asarray(images)
    return images.reshape(images.shape[0], -1).T.astype(np.float64) / 255.0


def digit_pair(images, labels, negative, positive):
    """A two-class problem from MNIST: the images of two digits, in their original order.

    images (N, 28, 28) uint8 and labels (N,) ints -> (X, Y): X = preprocess(the images
    whose label is negative or positive), shape (784, m); Y of shape (1, m), float64,
    1.0 where the label is ``positive`` and 0.0 where it is ``negative``. A data helper
    for the task file's input specs, not a function students write.
    """
    images, labels = np.asarray(images), np.asarray(labels)
    keep = (labels == negative) | (labels == positive)          # (N,)
    X = preprocess(images[keep])                                 # (784, m)
    Y = (labels[keep] == positive).astype(np.float64)[None, :]   # (1, m)
    return X, Y


def initialize_parameters_deep(layer_dims, rng):
    """Random parameters for layer_dims [n_0, ..., n_L] -> {"W1", "b1", ..., "WL", "bL"}.

    For l = 1..L, in that order: W{l} = rng.standard_normal((n_l, n_{l-1})) / sqrt(n_{l-1})
    of shape (n_l, n_{l-1}) (centred, variance 1 / fan-in), b{l} = zeros of shape (n_l, 1).
    rng is a numpy.random.Generator; nothing else is drawn from it.
    """
    parameters = {}
    for l in range(1, len(layer_dims)):
        n_prev, n = layer_dims[l - 1], layer_dims[l]
        parameters[f"W{l}"] = rng.standard_normal((n, n_prev)) / np.sqrt(n_prev)
        parameters[f"b{l}"] = np.zeros((n, 1))
    return parameters


def num_layers(parameters):
    """The number of weight layers L of a parameters dict with keys W1, b1, ..., WL, bL."""
    return sum(1 for key in parameters if key.startswith("W"))


# ---------------------------------------------------------------------- forward
def linear_forward(A, W, b):
    """Z = W @ A + b for A (n_{l-1}, m), W (n_l, n_{l-1}), b (n_l, 1) -> (Z, cache).

    Z has shape (n_l, m) (b is broadcast over the m columns); cache = (A, W, b).
    """
    A, W, b = (np.asarray(v, dtype=np.float64) for v in (A, W, b))
    return W @ A + b, (A, W, b)


def linear_activation_forward(A_prev, W, b, activation):
    """One layer: A = g(W @ A_prev + b) with g = "relu" or "sigmoid" -> (A, cache).

    A_prev (n_{l-1}, m), W (n_l, n_{l-1}), b (n_l, 1); A (n_l, m);
    cache = (linear_cache, activation_cache) = ((A_prev, W, b), Z) with Z (n_l, m).
    """
    Z, linear_cache = linear_forward(A_prev, W, b)
    if activation == "sigmoid":
        A, activation_cache = sigmoid(Z)
    elif activation == "relu":
        A, activation_cache = relu(Z)
    else:
        raise ValueError(f"unknown activation {activation!r}: expected 'relu' or 'sigmoid'")
    return A, (linear_cache, activation_cache)


def L_model_forward(X, parameters):
    """Forward pass of X (n_0, m): L - 1 relu layers, then one sigmoid unit -> (AL, caches).

    AL has shape (1, m); caches is a list of L layer caches (see
    linear_activation_forward), caches[l - 1] for layer l.
    """
    L = num_layers(parameters)
    A, caches = np.asarray(X, dtype=np.float64), []
    for l in range(1, L + 1):
        A, cache = linear_activation_forward(A, parameters[f"W{l}"], parameters[f"b{l}"],
                                             "sigmoid" if l == L else "relu")
        caches.append(cache)
    return A, caches


def compute_cost(AL, Y):
    """Mean binary cross-entropy of AL (1, m) against labels Y (1, m) -> a Python float.

    cost = -(1/m) * sum_j [Y_j log AL_j + (1 - Y_j) log(1 - AL_j)], m = Y.shape[1]. For
    0/1 labels only the probability of the true class enters each term, so it is taken
    directly (floored at 1e-300): finite even where the other class has probability 0.
    """
    AL, Y = np.asarray(AL, dtype=np.float64), np.asarray(Y, dtype=np.float64)
    m = Y.shape[1]
    p_true = np.where(Y == 1, AL, 1.0 - AL)        # (1, m)
    return float(-np.sum(np.log(np.maximum(p_true, 1e-300))) / m)


# --------------------------------------------------------------------- backward
def linear_backward(dZ, cache):
    """Gradients of the linear part of a layer: dZ (n_l, m), cache = (A_prev, W, b)
    -> (dA_prev, dW, db).

    dZ is per example (column j: the gradient of example j's loss with respect to
    Z[:, j]). With m = A_prev.shape[1] examples: dW = dZ @ A_prev.T / m of shape
    (n_l, n_{l-1}) and db = the sum of dZ over its columns / m of shape (n_l, 1), the
    gradients of the mean loss; dA_prev = W.T @ dZ of shape (n_{l-1}, m), per example
    like dZ (no 1/m).
    """
    A_prev, W, _ = cache
    dZ = np.asarray(dZ, dtype=np.float64)
    m = A_prev.shape[1]
    dW = dZ @ A_prev.T / m                           # (n_l, n_{l-1})
    db = np.sum(dZ, axis=1, keepdims=True) / m       # (n_l, 1)
    dA_prev = W.T @ dZ                               # (n_{l-1}, m)
    return dA_prev, dW, db


def linear_activation_backward(dA, cache, activation):
    """Gradients through one layer: dA (n_l, m), cache = ((A_prev, W, b), Z), activation
    "relu" or "sigmoid" -> (dA_prev (n_{l-1}, m), dW (n_l, n_{l-1}), db (n_l, 1))."""
    linear_cache, activation_cache = cache
    if activation == "sigmoid":
        dZ = sigmoid_backward(dA, activation_cache)
    elif activation == "relu":
        dZ = relu_backward(dA, activation_cache)
    else:
        raise ValueError(f"unknown activation {activation!r}: expected 'relu' or 'sigmoid'")
    return linear_backward(dZ, linear_cache)


def L_model_backward(AL, Y, caches):
    """Gradients of the mean cost for AL (1, m), Y (1, m) and the L caches of
    L_model_forward -> grads.

    dAL = -(Y / AL - (1 - Y) / (1 - AL)) (AL strictly between 0 and 1; per example, no
    1/m), then layer L (sigmoid) and layers L-1..1 (relu) in turn. grads has, for
    l = 1..L, "dA{l-1}" of A{l-1}'s shape (n_{l-1}, m) (per example), "dW{l}"
    (n_l, n_{l-1}) and "db{l}" (n_l, 1) (of the mean cost).
    """
    AL, Y = np.asarray(AL, dtype=np.float64), np.asarray(Y, dtype=np.float64).reshape(AL.shape)
    L = len(caches)
    dA = -(Y / AL - (1.0 - Y) / (1.0 - AL))          # (1, m)
    grads = {}
    for l in range(L, 0, -1):
        dA, grads[f"dW{l}"], grads[f"db{l}"] = linear_activation_backward(
            dA, caches[l - 1], "sigmoid" if l == L else "relu")
        grads[f"dA{l - 1}"] = dA
    return grads


# --------------------------------------------------------------------- training
def update_parameters(parameters, grads, learning_rate):
    """One gradient-descent step: a new dict with W{l} - learning_rate * dW{l} and
    b{l} - learning_rate * db{l} for l = 1..L; keys and shapes as parameters."""
    L = num_layers(parameters)
    updated = {}
    for l in range(1, L + 1):
        updated[f"W{l}"] = parameters[f"W{l}"] - learning_rate * grads[f"dW{l}"]
        updated[f"b{l}"] = parameters[f"b{l}"] - learning_rate * grads[f"db{l}"]
    return updated


def random_mini_batches(X, Y, mini_batch_size, rng):
    """One epoch of minibatches of X (n_x, m) and Y (1, m) -> a list of (X_batch, Y_batch).

    One permutation = rng.permutation(m) orders the columns of X and Y alike; the batches
    are its consecutive slices of mini_batch_size columns: X_batch (n_x, B), Y_batch (1, B),
    B = mini_batch_size except for a smaller last batch when m is not a multiple of it.
    Every column appears exactly once; no batch is empty.
    """
    X, Y = np.asarray(X), np.asarray(Y)
    m = X.shape[1]
    permutation = rng.permutation(m)                 # (m,)
    X_shuffled, Y_shuffled = X[:, permutation], Y.reshape(1, m)[:, permutation]
    return [(X_shuffled[:, k:k + mini_batch_size], Y_shuffled[:, k:k + mini_batch_size])
            for k in range(0, m, mini_batch_size)]


def train(X, Y, layer_dims, learning_rate=0.0075, num_epochs=10, mini_batch_size=64, seed=0):
    """Minibatch gradient descent on X (n_0, m), Y (1, m) -> the trained parameters.

    rng = np.random.default_rng(seed) is drawn from twice over: first by
    initialize_parameters_deep(layer_dims, rng), then by random_mini_batches(X, Y,
    mini_batch_size, rng) once per epoch; every batch gets one forward pass, one
    backward pass and one update_parameters step.
    """
    rng = np.random.default_rng(seed)
    parameters = initialize_parameters_deep(layer_dims, rng)
    for _ in range(num_epochs):
        for X_batch, Y_batch in random_mini_batches(X, Y, mini_batch_size, rng):
            AL, caches = L_model_forward(X_batch, parameters)
            grads = L_model_backward(AL, Y_batch, caches)
            parameters = update_parameters(parameters, grads, learning_rate)
    return parameters


def predict(X, parameters):
    """0/1 labels of X (n_0, m) -> int64 array of shape (1, m): 1 where AL > 0.5."""
    AL, _ = L_model_forward(X, parameters)
    return (AL > 0.5).astype(np.int64)


def accuracy(parameters, X, Y):
    """Fraction of the m columns of X (n_0, m) whose predicted label is Y's (1, m) -> float.
    A helper for tests and for scoring a trained result (parameters first), not a
    function students write."""
    return float(np.mean(predict(X, parameters) == np.asarray(Y).reshape(1, -1)))
