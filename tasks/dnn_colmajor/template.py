"""Assignment: a deep binary classifier, step by step, in numpy (column-major).

You build an L-layer network (relu hidden layers, one sigmoid output unit), its
backward pass, minibatch gradient descent, and train it to tell two MNIST digits
apart. Fill in every function below; do not change any name or signature, and do
not import anything except numpy and the standard library. Leave no code at the
top level other than imports, constants and function definitions: the grader
imports this file and calls your functions one by one.

Conventions (read these carefully, the grader relies on them)
--------------------------------------------------------------
* Column-major everywhere: a batch X has shape (n_x, m), ONE EXAMPLE PER COLUMN.
  The number of examples is m = X.shape[1] (X.shape[0] is the number of
  features). Labels Y have shape (1, m) and hold 0 or 1.
* A network is described by layer_dims = [n_0, n_1, ..., n_L], with n_0 = n_x
  and n_L = 1; it has L = len(layer_dims) - 1 weight layers. Layer l (1..L):

      Z{l} = W{l} @ A{l-1} + b{l}     W{l}: (n_l, n_{l-1})   b{l}: (n_l, 1)
      A{l} = relu(Z{l})               for l = 1..L-1          Z{l}, A{l}: (n_l, m)
      A{L} = sigmoid(Z{L})            AL, shape (1, m): the probability of label 1

  with A0 = X. The bias b{l} is a column, broadcast over the m columns.
* The cost is the binary cross-entropy AVERAGED over the m examples. dW{l} and
  db{l} are the gradients of that mean. The dA and dZ arrays passed between the
  backward functions are per example: column j is the gradient of example j's own
  loss (so they are m times the gradient of the mean); the 1/m is applied once,
  in dW and db (see linear_backward).
* Caches: what the forward functions hand to the backward ones. They are tuples,
  exactly as follows (the grader passes its own, correct caches to your backward
  functions, so the layout matters):

      linear cache      (A_prev, W, b)          A_prev (n_{l-1}, m), W (n_l, n_{l-1}), b (n_l, 1)
      activation cache  Z                       Z (n_l, m), the pre-activation
      layer cache       (linear_cache, activation_cache), i.e. ((A_prev, W, b), Z)
      caches            a list of the L layer caches; caches[l - 1] is layer l's
                        (caches[0] is layer 1, caches[L - 1] the sigmoid layer)

* Use float64. Vectorise over the examples (loops over layers are fine; loops
  over examples are too slow for the grader).
* Randomness comes only from the rng argument (a numpy.random.Generator) or, in
  train, from rng = np.random.default_rng(seed); never from np.random.* directly.
  The grader compares your initial weights, your batches and your trained
  weights with its own, so draw exactly what the docstrings say, in that order.

How to check your own work
--------------------------
1. Shapes first: for layer_dims = [5, 4, 3, 1] and X of shape (5, 7), AL must be
   (1, 7) and grads["dW2"] (3, 4), grads["db2"] (3, 1), grads["dA0"] (5, 7).
2. Gradient check: on such a tiny network, compare every entry of grads["dW1"]
   (and every dW, db) with central differences of
   compute_cost(L_model_forward(X, parameters)[0], Y) with respect to W1; the
   relative error ||a - b|| / (||a|| + ||b||) should be below about 1e-7
   (grads["dA0"] is m times the central differences with respect to X).
3. Training: train on MNIST 3s (label 0) against 5s (label 1) with
   layer_dims [784, 32, 8, 1], learning_rate 0.05, 5 epochs, minibatches of 32
   reaches about 95% accuracy on held-out 3s and 5s.
"""
import numpy as np


# ---------------------------------------------------------------------------
# Activations: each returns (A, cache) with cache = Z
# ---------------------------------------------------------------------------
def sigmoid(Z):
    """Logistic sigmoid 1 / (1 + exp(-Z)), elementwise.

    Inputs:
    - Z: float array of any shape, e.g. (n_l, m).

    Returns a tuple (A, cache):
    - A: float64 array of Z's shape, values in [0, 1]. Must not be nan for large
      |Z| (e.g. Z = +-1000).
    - cache: Z itself (the activation cache).
    """
    raise NotImplementedError("sigmoid")


def relu(Z):
    """Rectified linear unit max(Z, 0), elementwise.

    Inputs:
    - Z: float array of any shape, e.g. (n_l, m).

    Returns a tuple (A, cache):
    - A: float64 array of Z's shape.
    - cache: Z itself (the activation cache).
    """
    raise NotImplementedError("relu")


def sigmoid_backward(dA, cache):
    """Gradient through a layer of sigmoid units.

    Inputs:
    - dA: float array of shape (n_l, m), the gradient of the cost with respect to
      the activation A = sigmoid(Z).
    - cache: Z, float array of shape (n_l, m): the PRE-activation (the activation
      cache sigmoid returned), not A.

    Returns:
    - dZ: float64 array of shape (n_l, m), dA * s * (1 - s) with s = sigmoid(Z).
    """
    raise NotImplementedError("sigmoid_backward")


def relu_backward(dA, cache):
    """Gradient through a layer of relu units.

    Inputs:
    - dA: float array of shape (n_l, m), the gradient with respect to A = relu(Z).
    - cache: Z, float array of shape (n_l, m), the pre-activation.

    Returns:
    - dZ: float64 array of shape (n_l, m): dA where Z > 0, 0 where Z < 0 (either
      at exactly Z == 0). dA itself must be left unchanged: build a new array.
    """
    raise NotImplementedError("relu_backward")


# ---------------------------------------------------------------------------
# Data and initialisation
# ---------------------------------------------------------------------------
def preprocess(images):
    """Flatten and scale raw images, one image per column.

    Inputs:
    - images: uint8 array of shape (m, 28, 28), grey levels 0..255.

    Returns:
    - X: float64 array of shape (784, m) with values in [0, 1]; column j is
      image j flattened row by row (pixel (r, c) at index 28 * r + c), divided
      by 255.
    """
    raise NotImplementedError("preprocess")


def initialize_parameters_deep(layer_dims, rng):
    """Random initial parameters of an L-layer network.

    Inputs:
    - layer_dims: list of ints [n_0, n_1, ..., n_L] (at least two entries).
    - rng: a numpy.random.Generator.

    Returns:
    - parameters: dict with, for l = 1..L (drawn in this order, l = 1 first):
      - "W{l}": rng.standard_normal((n_l, n_{l-1})) / np.sqrt(n_{l-1}), a float64
        array of shape (n_l, n_{l-1}) (centred, variance 1 / fan-in);
      - "b{l}": zeros of shape (n_l, 1).
      Draw nothing else from rng.
    """
    raise NotImplementedError("initialize_parameters_deep")


# ---------------------------------------------------------------------------
# Forward pass
# ---------------------------------------------------------------------------
def linear_forward(A, W, b):
    """The linear part of a layer.

    Inputs:
    - A: float array of shape (n_{l-1}, m), the previous layer's activations.
    - W: float array of shape (n_l, n_{l-1}).
    - b: float array of shape (n_l, 1).

    Returns a tuple (Z, cache):
    - Z: float64 array of shape (n_l, m), W @ A + b.
    - cache: the linear cache, the tuple (A, W, b).
    """
    raise NotImplementedError("linear_forward")


def linear_activation_forward(A_prev, W, b, activation):
    """One whole layer: linear part, then activation.

    Inputs:
    - A_prev: float array of shape (n_{l-1}, m).
    - W: float array of shape (n_l, n_{l-1}).
    - b: float array of shape (n_l, 1).
    - activation: "relu" or "sigmoid".

    Returns a tuple (A, cache):
    - A: float64 array of shape (n_l, m), activation(W @ A_prev + b).
    - cache: the layer cache (linear_cache, activation_cache), i.e. the tuple
      ((A_prev, W, b), Z) with Z of shape (n_l, m).
    """
    raise NotImplementedError("linear_activation_forward")


def L_model_forward(X, parameters):
    """Forward pass through the whole network: L - 1 relu layers, then sigmoid.

    Inputs:
    - X: float array of shape (n_0, m).
    - parameters: dict as returned by initialize_parameters_deep, with
      W1, b1, ..., WL, bL (so L = len(parameters) // 2).

    Returns a tuple (AL, caches):
    - AL: float64 array of shape (1, m), the sigmoid output.
    - caches: list of the L layer caches of linear_activation_forward, in layer
      order: caches[l - 1] = ((A{l-1}, W{l}, b{l}), Z{l}).
    """
    raise NotImplementedError("L_model_forward")


def compute_cost(AL, Y):
    """Mean binary cross-entropy.

    Inputs:
    - AL: float array of shape (1, m), probabilities strictly between 0 and 1.
    - Y: array of shape (1, m), labels 0 or 1.

    Returns:
    - cost: a Python float,
      -(1/m) * sum_j [Y_j log(AL_j) + (1 - Y_j) log(1 - AL_j)], m = Y.shape[1].
    """
    raise NotImplementedError("compute_cost")


# ---------------------------------------------------------------------------
# Backward pass
# ---------------------------------------------------------------------------
def linear_backward(dZ, cache):
    """Gradients of the linear part of one layer.

    Inputs:
    - dZ: float array of shape (n_l, m), per example: column j is the gradient
      of example j's loss with respect to Z[:, j], where Z = W @ A_prev + b.
    - cache: the linear cache (A_prev, W, b) of that layer: A_prev (n_{l-1}, m),
      W (n_l, n_{l-1}), b (n_l, 1).

    Returns a tuple (dA_prev, dW, db), with m = A_prev.shape[1] examples:
    - dA_prev: float64 array of shape (n_{l-1}, m), W.T @ dZ (per example like
      dZ: no 1/m).
    - dW: float64 array of shape (n_l, n_{l-1}), dZ @ A_prev.T / m, the
      gradient of the mean cost.
    - db: float64 array of shape (n_l, 1), the sum of dZ over its columns
      (over the examples) / m, the gradient of the mean cost.
    """
    raise NotImplementedError("linear_backward")


def linear_activation_backward(dA, cache, activation):
    """Gradients through one whole layer: activation, then linear part.

    Inputs:
    - dA: float array of shape (n_l, m), the gradient (per example) with respect
      to the layer's output A.
    - cache: the layer cache ((A_prev, W, b), Z) of linear_activation_forward.
    - activation: "relu" or "sigmoid", the layer's activation.

    Returns a tuple (dA_prev, dW, db) of shapes (n_{l-1}, m), (n_l, n_{l-1}) and
    (n_l, 1), as linear_backward.
    """
    raise NotImplementedError("linear_activation_backward")


def L_model_backward(AL, Y, caches):
    """Backward pass through the whole network.

    Inputs:
    - AL: float array of shape (1, m), the output of L_model_forward.
    - Y: array of shape (1, m), labels 0 or 1.
    - caches: the list of L layer caches of L_model_forward (caches[l - 1] is
      layer l's; the last one is the sigmoid layer's).

    Returns:
    - grads: dict with, for l = 1..L,
      - "dA{l-1}": float64 array of A{l-1}'s shape (n_{l-1}, m), per example
        (column j: the gradient of example j's loss; "dA0" is for X);
      - "dW{l}": float64 array of shape (n_l, n_{l-1}), and
      - "db{l}": float64 array of shape (n_l, 1), the gradients of
        compute_cost(AL, Y) (the MEAN over the m examples).
      No other keys. Start from dAL = -(Y / AL - (1 - Y) / (1 - AL)), the
      per-example gradient with respect to AL (no 1/m).
    """
    raise NotImplementedError("L_model_backward")


# ---------------------------------------------------------------------------
# Training
# ---------------------------------------------------------------------------
def update_parameters(parameters, grads, learning_rate):
    """One step of gradient descent.

    Inputs:
    - parameters: dict with W1, b1, ..., WL, bL.
    - grads: dict as returned by L_model_backward (its dA keys are not used).
    - learning_rate: float.

    Returns:
    - parameters: dict with the same keys and shapes, W{l} - learning_rate *
      dW{l} and b{l} - learning_rate * db{l} (returning a new dict, or the same
      dict updated, are both fine).
    """
    raise NotImplementedError("update_parameters")


def random_mini_batches(X, Y, mini_batch_size, rng):
    """Split one epoch of data into shuffled minibatches.

    Inputs:
    - X: float array of shape (n_x, m).
    - Y: array of shape (1, m).
    - mini_batch_size: int B.
    - rng: a numpy.random.Generator.

    Returns:
    - a list of tuples (X_batch, Y_batch): draw ONE permutation
      rng.permutation(m), reorder the columns of X and of Y by it, and cut the
      result into consecutive slices of B columns: X_batch (n_x, B) and
      Y_batch (1, B), except the last, which has the m - B * (m // B) remaining
      columns when m is not a multiple of B. Every example appears exactly once,
      its column of X still paired with its column of Y; no batch is empty.
    """
    raise NotImplementedError("random_mini_batches")


def train(X, Y, layer_dims, learning_rate=0.0075, num_epochs=10, mini_batch_size=64, seed=0):
    """Minibatch gradient descent, built from your own functions.

    Inputs:
    - X: float array of shape (n_0, m).
    - Y: array of shape (1, m), labels 0 or 1.
    - layer_dims: list of ints [n_0, ..., n_L] with n_L = 1.
    - learning_rate: float.
    - num_epochs: int, the number of passes over the data.
    - mini_batch_size: int.
    - seed: int. Create ONE rng = np.random.default_rng(seed); call
      initialize_parameters_deep(layer_dims, rng) with it first, then, at the
      start of every epoch, random_mini_batches(X, Y, mini_batch_size, rng).
      For every minibatch, in order: L_model_forward, L_model_backward,
      update_parameters.

    Returns:
    - parameters: dict of the trained W1, b1, ..., WL, bL.
    """
    raise NotImplementedError("train")


def predict(X, parameters):
    """Predicted labels.

    Inputs:
    - X: float array of shape (n_0, m).
    - parameters: dict of W1, b1, ..., WL, bL.

    Returns:
    - int array of shape (1, m): 1 where the network's AL > 0.5, else 0.
    """
    raise NotImplementedError("predict")
