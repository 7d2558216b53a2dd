"""Assignment: a multilayer perceptron from scratch in numpy.

In this assignment you build, train and check a fully connected neural network
classifier using nothing but numpy. Fill in every function below; do not change
any function name or signature, and do not import anything except numpy (no
torch, tensorflow, sklearn, ...). Leave no code at the top level of the file
other than imports, constants and function definitions: the grader imports this
file and calls your functions one by one.

Conventions (read these carefully, the grader relies on them)
--------------------------------------------------------------
* Row-major everywhere: a batch of inputs X has shape (N, D), one example per
  row. Labels y are integer arrays of shape (N,) with values in 0..C-1, where C
  is the number of classes.
* A network is described by ``layer_sizes = [D, H1, ..., C]``; it has
  L = len(layer_sizes) - 1 weight layers. Layer l (l = 1..L) computes

      Z{l} = A{l-1} @ W{l} + b{l}        W{l}: (H_{l-1}, H_l), b{l}: (H_l,)
      A{l} = f(Z{l})                      for hidden layers, l < L
      A{L} = softmax(Z{L})                for the output layer

  with A0 = X. ``f`` is the hidden activation, one of "sigmoid", "tanh" or
  "relu". The output layer is ALWAYS softmax, whatever the hidden activation.
* The loss is the cross-entropy averaged (mean, not sum) over the batch, and
  every gradient you return is the gradient of that mean.
* Use float64 arithmetic. Functions must be vectorised over the batch (loops
  over layers are fine; loops over examples are too slow for the grader).
* Anything random takes its randomness from the ``rng`` argument (a
  ``numpy.random.Generator``) or, in ``train``, from
  ``np.random.default_rng(seed)``; never use the global ``np.random`` state.

How to check your own work
--------------------------
1. Activations: compare sigmoid_grad / tanh_grad / relu_grad against
   numerical_gradient applied to sum(sigmoid(z)) etc. (away from z = 0 for relu).
2. Softmax: rows must sum to 1 and stay finite for logits like [1000, -1000].
3. Gradient check: build a tiny network, e.g. layer_sizes = [4, 5, 3] on N = 6
   random examples, and compare every entry of backward(...) with
   numerical_gradient(lambda W: cross_entropy(forward(params, X)[0], y),
   params["W1"]) and so on. The relative error
   ||a - b|| / (||a|| + ||b||) should be below about 1e-7.
4. Training: train(X, y, [2, 8, 2], "tanh", lr=0.5, epochs=2000, batch_size=4)
   should solve XOR (100% accuracy), and train on MNIST with [784, 64, 10],
   "relu", lr=0.1, epochs=3, batch_size=32 should reach well above 85% test
   accuracy.
"""
import numpy as np


# ---------------------------------------------------------------------------
# Activation functions and their derivatives
# ---------------------------------------------------------------------------
def sigmoid(z):
    """Logistic sigmoid 1 / (1 + exp(-z)), elementwise.

    Inputs:
    - z: float array of any shape.

    Returns:
    - float64 array of the same shape as z, values in [0, 1].

    Must not overflow or return nan for large |z| (e.g. z = +-1000).
    """
    raise NotImplementedError("sigmoid")


def sigmoid_grad(z):
    """Derivative of sigmoid with respect to its input, evaluated at z.

    Inputs:
    - z: float array of any shape, the PRE-activation (not sigmoid(z)).

    Returns:
    - float64 array of the same shape as z: d sigmoid(z) / dz.
    """
    raise NotImplementedError("sigmoid_grad")


def tanh(z):
    """Hyperbolic tangent, elementwise.

    Inputs:
    - z: float array of any shape.

    Returns:
    - float64 array of the same shape as z, values in [-1, 1].
    """
    raise NotImplementedError("tanh")


def tanh_grad(z):
    """Derivative of tanh with respect to its input, evaluated at z.

    Inputs:
    - z: float array of any shape, the PRE-activation (not tanh(z)).

    Returns:
    - float64 array of the same shape as z: d tanh(z) / dz.
    """
    raise NotImplementedError("tanh_grad")


def relu(z):
    """Rectified linear unit max(z, 0), elementwise.

    Inputs:
    - z: float array of any shape.

    Returns:
    - float64 array of the same shape as z.
    """
    raise NotImplementedError("relu")


def relu_grad(z):
    """Derivative of relu with respect to its input, evaluated at z.

    Inputs:
    - z: float array of any shape, the PRE-activation.

    Returns:
    - float64 array of the same shape as z: 1.0 where z > 0, 0.0 where z < 0.
      At exactly z == 0 either 0.0 or 1.0 is accepted.
    """
    raise NotImplementedError("relu_grad")


# ---------------------------------------------------------------------------
# Output layer and loss
# ---------------------------------------------------------------------------
def softmax(z):
    """Row-wise softmax.

    Inputs:
    - z: float array of shape (N, C), one row of logits per example.

    Returns:
    - probs: float64 array of shape (N, C); every row is non-negative and sums
      to 1.

    Must be numerically stable: finite for logits of +-1000, and correct when
    rows of very different scale share one batch.
    """
    raise NotImplementedError("softmax")


def one_hot(y, num_classes):
    """One-hot encode integer labels.

    Inputs:
    - y: int array of shape (N,), values in 0..num_classes-1.
    - num_classes: int C.

    Returns:
    - Y: float64 array of shape (N, C) with Y[i, y[i]] = 1 and 0 elsewhere.
    """
    raise NotImplementedError("one_hot")


def cross_entropy(probs, y):
    """Mean cross-entropy loss of a batch.

    Inputs:
    - probs: float array of shape (N, C), predicted class probabilities (rows
      sum to 1).
    - y: int array of shape (N,), the true labels.

    Returns:
    - loss: Python float, -(1/N) * sum_i log(probs[i, y[i]]).

    Must stay finite when some non-target probabilities are exactly 0.
    """
    raise NotImplementedError("cross_entropy")


# ---------------------------------------------------------------------------
# Data and initialisation
# ---------------------------------------------------------------------------
def preprocess(images):
    """Flatten and scale raw images.

    Inputs:
    - images: uint8 array of shape (N, 28, 28), grey levels 0..255.

    Returns:
    - X: float64 array of shape (N, 784) with values in [0, 1].
    """
    raise NotImplementedError("preprocess")


def init_params(layer_sizes, rng):
    """Randomly initialise the network parameters.

    Inputs:
    - layer_sizes: list of ints [D, H1, ..., C] (at least two entries).
    - rng: a numpy.random.Generator; draw all random numbers from it.

    Returns:
    - params: dict with, for l = 1..L (L = len(layer_sizes) - 1),
      - "W{l}": float64 array of shape (layer_sizes[l-1], layer_sizes[l]),
        random, centred on 0, scaled for the fan-in (e.g. Xavier or He);
      - "b{l}": float64 array of shape (layer_sizes[l],) (zeros are fine).
    """
    raise NotImplementedError("init_params")


# ---------------------------------------------------------------------------
# Forward and backward pass
# ---------------------------------------------------------------------------
def forward(params, X, activation="relu"):
    """Forward pass through the whole network.

    Inputs:
    - params: dict as returned by init_params.
    - X: float array of shape (N, D).
    - activation: str, "sigmoid", "tanh" or "relu"; used by the hidden
      layers. The output layer is always softmax.

    Returns a tuple (probs, cache):
    - probs: float64 array of shape (N, C), the softmax output.
    - cache: dict with "A0" = X and, for l = 1..L, "Z{l}" (pre-activation) and
      "A{l}" (activation), each of shape (N, H_l); cache["A{L}"] is probs.
    """
    raise NotImplementedError("forward")


def backward(params, cache, y, activation="relu"):
    """Backward pass: gradients of the mean cross-entropy loss.

    Inputs:
    - params: dict as returned by init_params.
    - cache: dict as returned by forward(params, X, activation).
    - y: int array of shape (N,), the true labels of the batch X.
    - activation: str, the same hidden activation used in forward.

    Returns:
    - grads: dict with the same keys as params, grads[k] having the same shape
      as params[k]: the gradient of cross_entropy(probs, y) (the MEAN over the
      batch) with respect to params[k].
    """
    raise NotImplementedError("backward")


# ---------------------------------------------------------------------------
# Training
# ---------------------------------------------------------------------------
def sgd_step(params, grads, lr):
    """One step of (vanilla) gradient descent.

    Inputs:
    - params: dict of float arrays.
    - grads: dict with the same keys and shapes as params.
    - lr: float, the learning rate.

    Returns:
    - the updated params dict, params[k] - lr * grads[k] for every key k
      (updating the arrays in place and returning params is fine).
    """
    raise NotImplementedError("sgd_step")


def minibatches(X, y, batch_size, rng):
    """Iterate over one epoch of shuffled minibatches.

    Inputs:
    - X: float array of shape (N, D).
    - y: int array of shape (N,).
    - batch_size: int B.
    - rng: a numpy.random.Generator.

    Yields:
    - (X_batch, y_batch) pairs of shapes (B, D) and (B,), with rows of X and y
      kept together. Each call uses a fresh random permutation drawn from rng,
      and every example appears exactly once per call; the last batch may be
      smaller than B.
    """
    raise NotImplementedError("minibatches")


def train(X, y, layer_sizes, activation="relu", lr=0.1, epochs=5, batch_size=32, seed=0):
    """Train a network with shuffled minibatch SGD.

    Inputs:
    - X: float array of shape (N, D).
    - y: int array of shape (N,).
    - layer_sizes: list of ints [D, H1, ..., C].
    - activation: str, hidden activation ("sigmoid", "tanh" or "relu").
    - lr: float, learning rate.
    - epochs: int, number of passes over the data.
    - batch_size: int, minibatch size.
    - seed: int; create ONE rng = np.random.default_rng(seed) and use it for
      both init_params and minibatches.

    Returns:
    - params: dict of trained parameters (same layout as init_params).

    Build this from your own init_params, minibatches, forward, backward and
    sgd_step.
    """
    raise NotImplementedError("train")


def predict(params, X, activation="relu"):
    """Predict class labels.

    Inputs:
    - params: dict of parameters.
    - X: float array of shape (N, D).
    - activation: str, the hidden activation the network was trained with.

    Returns:
    - y_pred: int array of shape (N,), the most probable class of each row.
    """
    raise NotImplementedError("predict")


def accuracy(y_pred, y_true):
    """Classification accuracy.

    Inputs:
    - y_pred: int array of shape (N,).
    - y_true: int array of shape (N,).

    Returns:
    - Python float in [0, 1], the fraction of positions where they agree.
    """
    raise NotImplementedError("accuracy")


# ---------------------------------------------------------------------------
# Gradient checking
# ---------------------------------------------------------------------------
def numerical_gradient(f, x, eps=1e-5):
    """Numerical gradient by central differences.

    Inputs:
    - f: function taking an array shaped like x and returning a scalar.
    - x: float array of any shape, the point at which to evaluate the gradient.
      You may perturb it in place, but every entry must hold its original value
      again when the function returns.
    - eps: float, the step size.

    Returns:
    - grad: float64 array of the same shape as x, where
      grad[i] = (f(x + eps * e_i) - f(x - eps * e_i)) / (2 * eps).
    """
    raise NotImplementedError("numerical_gradient")
