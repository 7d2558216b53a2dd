"""Tests of the golden implementation ``reference/mlp.py``.

Every expected value here is derived independently of the code under test: hand
computations, closed forms (e.g. softmax([0, ln 2, ln 3]) = [1, 2, 3] / 6),
identities (row sums, shift invariance), finite differences, or an independent
autograd engine (torch, optional). Nothing is a snapshot of the code's own output.
"""
import math

import numpy as np
import pytest

from reference import mlp

ACTIVATION_NAMES = ["sigmoid", "tanh", "relu"]

# Small network for gradient checks: D=4 inputs, hidden sizes taken from (5, 6, 4), C=3, N=6.
D, C, N = 4, 3, 6
HIDDEN = (5, 6, 4)

# XOR settings established by measurement: full-batch SGD (batch_size=4 = N, so the shuffling
# order is irrelevant) on [2, 32, 2] with relu and lr=1.0. Over seeds 0..199 and five init
# schemes (N(0, 1/fan_in), randn*0.01, Xavier uniform, He normal, U(-1, 1)) every run is at
# 100% training accuracy from epoch 72 on at the latest, so 300 epochs leave a 4x margin.
# (tanh/sigmoid cannot be used: with randn*0.01 init they stay at the symmetric saddle.)
XOR_X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
XOR_Y = np.array([0, 1, 1, 0])
XOR_SETTINGS = dict(layer_sizes=[2, 32, 2], activation="relu", lr=1.0, epochs=300, batch_size=4)


def _sizes(n_hidden):
    return [D, *HIDDEN[:n_hidden], C]


def _problem(n_hidden, seed):
    """Random params, inputs and labels for a small network; every class occurs."""
    rng = np.random.default_rng(seed)
    sizes = _sizes(n_hidden)
    params = {}  # built here, independent of init_params; non-zero biases for a generic point
    for l in range(1, len(sizes)):
        params[f"W{l}"] = rng.standard_normal((sizes[l - 1], sizes[l])) / math.sqrt(sizes[l - 1])
        params[f"b{l}"] = 0.1 * rng.standard_normal(sizes[l])
    X = rng.standard_normal((N, D))
    y = np.array([0, 1, 2, 0, 1, 2])
    rng.shuffle(y)
    return params, X, y


def _strict_fp():
    """numpy error state in which overflow, division by zero and invalid results raise."""
    return np.errstate(over="raise", divide="raise", invalid="raise")


# ----------------------------------------------------------------- gradient checks
@pytest.mark.parametrize("n_hidden", [1, 2, 3])
@pytest.mark.parametrize("activation", ACTIVATION_NAMES)
def test_backward_matches_numerical_gradient(activation, n_hidden):
    params, X, y = _problem(n_hidden, seed=10 * n_hidden + ACTIVATION_NAMES.index(activation))
    if activation == "relu":
        # Central differences are only valid away from the kink: no pre-activation near 0.
        _, cache = mlp.forward(params, X, activation)
        for l in range(1, n_hidden + 1):
            assert np.abs(cache[f"Z{l}"]).min() > 1e-3
    _, cache = mlp.forward(params, X, activation)
    grads = mlp.backward(params, cache, y, activation)
    assert set(grads) == set(params)
    for key, value in params.items():
        assert grads[key].shape == value.shape

        def f(p, key=key):
            return mlp.loss({**params, key: p}, X, y, activation)

        num = mlp.numerical_gradient(f, value.copy())
        assert np.linalg.norm(num) > 1e-6  # a non-trivial gradient is being compared
        err = mlp.rel_error(grads[key], num)
        assert err < 1e-7, f"{key}: rel_error {err:.2e}"


def test_backward_hand_example_single_layer():
    # L = 1 (no hidden layer): softmax regression. For N=1, x = [1, 2], W = 0, b = 0:
    # p = [1/2, 1/2], y = 1, dZ = p - onehot = [1/2, -1/2], dW = x^T dZ, db = dZ.
    params = {"W1": np.zeros((2, 2)), "b1": np.zeros(2)}
    X = np.array([[1.0, 2.0]])
    probs, cache = mlp.forward(params, X)
    np.testing.assert_allclose(probs, [[0.5, 0.5]], rtol=0, atol=1e-15)
    grads = mlp.backward(params, cache, np.array([1]))
    np.testing.assert_allclose(grads["W1"], [[0.5, -0.5], [1.0, -1.0]], rtol=0, atol=1e-15)
    np.testing.assert_allclose(grads["b1"], [0.5, -0.5], rtol=0, atol=1e-15)


def test_forward_hand_example_and_cache():
    # x = [1, 2]; Z1 = x W1 + b1 = [1 + 0, -1 + 2 - 3] = [1, -2]; relu -> [1, 0];
    # Z2 = [1, 0] W2 + b2 = [1 + 0.5, 0 - 0.5] = [1.5, -0.5]; probs = softmax([1.5, -0.5]).
    params = {
        "W1": np.array([[1.0, -1.0], [0.0, 1.0]]),
        "b1": np.array([0.0, -3.0]),
        "W2": np.array([[1.0, 0.0], [7.0, 7.0]]),
        "b2": np.array([0.5, -0.5]),
    }
    X = np.array([[1.0, 2.0]])
    probs, cache = mlp.forward(params, X, "relu")
    e = math.exp(2.0)  # exp(1.5) / exp(-0.5)
    np.testing.assert_allclose(probs, [[e / (e + 1), 1 / (e + 1)]], rtol=1e-14)
    np.testing.assert_array_equal(cache["A0"], X)
    np.testing.assert_allclose(cache["Z1"], [[1.0, -2.0]], rtol=0, atol=1e-15)
    np.testing.assert_allclose(cache["A1"], [[1.0, 0.0]], rtol=0, atol=1e-15)
    np.testing.assert_allclose(cache["Z2"], [[1.5, -0.5]], rtol=0, atol=1e-15)
    np.testing.assert_allclose(cache["A2"], probs, rtol=0, atol=0)
    # Same network with tanh: A1 = tanh([1, -2]).
    _, cache = mlp.forward(params, X, "tanh")
    np.testing.assert_allclose(cache["A1"], [[math.tanh(1.0), math.tanh(-2.0)]], rtol=1e-14)


# ----------------------------------------------------------------- activations
@pytest.mark.parametrize("activation", ACTIVATION_NAMES)
def test_activation_grads_match_central_differences(activation):
    f, fgrad = mlp.ACTIVATIONS[activation]
    z = np.linspace(-6.0, 6.0, 61) + 0.0123  # never 0 (or near it), for relu's sake
    z = z.reshape(61, 1) * np.ones((1, 2))   # any shape is accepted
    h = 1e-6
    num = (f(z + h) - f(z - h)) / (2 * h)
    assert fgrad(z).shape == z.shape
    np.testing.assert_allclose(fgrad(z), num, rtol=0, atol=1e-8)


def test_activations_hand_values():
    np.testing.assert_allclose(mlp.sigmoid(np.array([0.0, math.log(3.0)])), [0.5, 0.75], rtol=1e-15)
    np.testing.assert_allclose(mlp.sigmoid_grad(np.array([0.0, math.log(3.0)])),
                               [0.25, 0.75 * 0.25], rtol=1e-15)
    # tanh(ln 2) = (2 - 1/2) / (2 + 1/2) = 3/5; derivative 1 - 9/25 = 16/25.
    np.testing.assert_allclose(mlp.tanh(np.array([math.log(2.0)])), [0.6], rtol=1e-15)
    np.testing.assert_allclose(mlp.tanh_grad(np.array([math.log(2.0)])), [0.64], rtol=1e-14)
    np.testing.assert_array_equal(mlp.relu(np.array([-2.0, -0.0, 0.0, 3.5])), [0.0, 0.0, 0.0, 3.5])
    # sigmoid(-z) = 1 - sigmoid(z), computed independently for moderate z.
    z = np.linspace(-30, 30, 13)
    np.testing.assert_allclose(mlp.sigmoid(z), 1.0 / (1.0 + np.exp(-z)), rtol=1e-14)


def test_relu_grad_at_zero_is_zero():
    np.testing.assert_array_equal(mlp.relu_grad(np.array([-1.0, -0.0, 0.0, 1e-300, 2.0])),
                                  [0.0, 0.0, 0.0, 1.0, 1.0])
    assert mlp.relu_grad(0.0) == 0.0
    assert mlp.relu_grad(np.zeros((2, 3))).shape == (2, 3)


def test_activations_at_plus_minus_1000_are_finite_and_correct():
    z = np.array([-1000.0, 1000.0])
    with _strict_fp():
        s, ds = mlp.sigmoid(z), mlp.sigmoid_grad(z)
        t, dt = mlp.tanh(z), mlp.tanh_grad(z)
        p = mlp.softmax(np.array([[1000.0, 0.0, -1000.0], [-1000.0, -1000.0, -1000.0],
                                  [1000.0, 1000.0, -1000.0]]))
    for arr in (s, ds, t, dt, p):
        assert np.all(np.isfinite(arr))
    # True sigmoid(-1000) ~ 5e-435 is below the float64 range: 0 up to underflow.
    np.testing.assert_allclose(s, [0.0, 1.0], rtol=0, atol=1e-300)
    np.testing.assert_allclose(ds, [0.0, 0.0], rtol=0, atol=1e-300)
    np.testing.assert_array_equal(t, [-1.0, 1.0])
    np.testing.assert_allclose(dt, [0.0, 0.0], rtol=0, atol=1e-300)
    np.testing.assert_allclose(p, [[1.0, 0.0, 0.0], [1 / 3, 1 / 3, 1 / 3], [0.5, 0.5, 0.0]],
                               rtol=1e-15, atol=1e-300)


# ---------------------------------------------------------------------- softmax
def test_softmax_hand_example():
    # exp([0, ln 2, ln 3]) = [1, 2, 3], so the probabilities are [1, 2, 3] / 6.
    p = mlp.softmax(np.array([[0.0, math.log(2.0), math.log(3.0)]]))
    assert p.shape == (1, 3)
    np.testing.assert_allclose(p, [[1 / 6, 2 / 6, 3 / 6]], rtol=1e-14)
    q = mlp.softmax(np.array([[1.0, 2.0, 3.0]]))
    den = math.exp(1) + math.exp(2) + math.exp(3)
    np.testing.assert_allclose(q, [[math.exp(1) / den, math.exp(2) / den, math.exp(3) / den]],
                               rtol=1e-14)


def test_softmax_rows_sum_to_one_and_shift_invariance():
    rng = np.random.default_rng(0)
    z = 5.0 * rng.standard_normal((7, 4))
    p = mlp.softmax(z)
    assert p.shape == (7, 4)
    assert np.all(p > 0)
    np.testing.assert_allclose(p.sum(axis=1), np.ones(7), rtol=0, atol=1e-14)
    shift = 100.0 * rng.standard_normal((7, 1))  # a different constant per row
    np.testing.assert_allclose(mlp.softmax(z + shift), p, rtol=1e-12)
    # Row-wise, not over the whole matrix: a single row gives the same result alone.
    np.testing.assert_allclose(mlp.softmax(z[2:3]), p[2:3], rtol=1e-15)


def test_softmax_rows_of_very_different_scale():
    row = np.array([1.0, 2.0, 3.0])
    z = np.stack([row, 1000.0 * row, -1000.0 * row])
    with _strict_fp():
        p = mlp.softmax(z)
    assert np.all(np.isfinite(p))
    den = math.exp(1) + math.exp(2) + math.exp(3)
    np.testing.assert_allclose(p[0], [math.exp(1) / den, math.exp(2) / den, math.exp(3) / den],
                               rtol=1e-14)
    # [1000, 2000, 3000]: exp(-1000) relative to the max, i.e. [0, 0, 1] in float64.
    np.testing.assert_allclose(p[1], [0.0, 0.0, 1.0], rtol=0, atol=1e-300)
    np.testing.assert_allclose(p[2], [1.0, 0.0, 0.0], rtol=0, atol=1e-300)


# ------------------------------------------------------------ cross-entropy etc.
def test_cross_entropy_hand_example():
    probs = np.array([[0.5, 0.25, 0.25], [0.1, 0.8, 0.1], [0.2, 0.2, 0.6]])
    y = np.array([0, 1, 2])
    ce = mlp.cross_entropy(probs, y)
    assert isinstance(ce, float)
    assert ce == pytest.approx(-(math.log(0.5) + math.log(0.8) + math.log(0.6)) / 3, rel=1e-14)
    # Only the target column counts: a different target picks other entries.
    assert mlp.cross_entropy(probs, np.array([1, 0, 0])) == pytest.approx(
        -(math.log(0.25) + math.log(0.1) + math.log(0.2)) / 3, rel=1e-14)


def test_cross_entropy_finite_with_zero_non_target_probabilities():
    with _strict_fp():
        ce_perfect = mlp.cross_entropy(np.array([[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]]), np.array([0, 2]))
        ce_half = mlp.cross_entropy(np.array([[0.5, 0.5, 0.0], [0.0, 0.0, 1.0]]), np.array([0, 2]))
        ce_zero_target = mlp.cross_entropy(np.array([[1.0, 0.0]]), np.array([1]))
    assert ce_perfect == 0.0
    assert ce_half == pytest.approx(math.log(2.0) / 2, rel=1e-14)
    # A zero target probability: finite (floored at 1e-300 per the docstring), and large.
    assert math.isfinite(ce_zero_target)
    assert ce_zero_target == pytest.approx(300 * math.log(10.0), rel=1e-12)


def test_loss_is_cross_entropy_of_forward():
    # loss() on a one-layer net with W = 0 and b = 0 gives uniform probabilities: ln C.
    params = {"W1": np.zeros((3, 5)), "b1": np.zeros(5)}
    X = np.arange(12.0).reshape(4, 3)
    assert mlp.loss(params, X, np.array([0, 4, 2, 2])) == pytest.approx(math.log(5.0), rel=1e-14)


def test_one_hot():
    Y = mlp.one_hot(np.array([2, 0, 1, 2]), 4)
    assert Y.shape == (4, 4)
    assert np.issubdtype(Y.dtype, np.floating)
    np.testing.assert_array_equal(Y, [[0, 0, 1, 0], [1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0]])
    assert mlp.one_hot(np.array([0, 1]), 3).shape == (2, 3)  # unused classes still get a column


def test_preprocess():
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, size=(5, 28, 28), dtype=np.uint8)
    images[0, 0, 0], images[1, 3, 5], images[2, 27, 27] = 255, 255, 0
    images[3, 10, 20] = 51
    before = images.copy()
    X = mlp.preprocess(images)
    assert X.shape == (5, 784)
    assert np.issubdtype(X.dtype, np.floating)
    assert X.min() >= 0.0 and X.max() <= 1.0
    assert X[0, 0] == 1.0 and X[1, 3 * 28 + 5] == 1.0 and X[2, 783] == 0.0  # row-major pixels
    assert X[3, 10 * 28 + 20] == pytest.approx(0.2, rel=1e-15)            # 51 / 255
    np.testing.assert_allclose(X, images.reshape(5, 784).astype(float) / 255.0, rtol=1e-15)
    np.testing.assert_array_equal(images, before)
    # Extremes: an all-white image is all 1.0, an all-black one all 0.0.
    ext = mlp.preprocess(np.stack([np.full((28, 28), 255, np.uint8), np.zeros((28, 28), np.uint8)]))
    np.testing.assert_array_equal(ext, np.stack([np.ones(784), np.zeros(784)]))


# ---------------------------------------------------------------------- init
@pytest.mark.parametrize("sizes", [[784, 64, 10], [2, 8, 8, 2]])
def test_init_params_shapes_and_zero_biases(sizes):
    params = mlp.init_params(sizes, np.random.default_rng(0))
    L = len(sizes) - 1
    assert set(params) == {f"W{l}" for l in range(1, L + 1)} | {f"b{l}" for l in range(1, L + 1)}
    for l in range(1, L + 1):
        assert params[f"W{l}"].shape == (sizes[l - 1], sizes[l])
        assert params[f"b{l}"].shape == (sizes[l],)
        np.testing.assert_array_equal(params[f"b{l}"], np.zeros(sizes[l]))
        assert np.all(np.isfinite(params[f"W{l}"]))
        assert np.unique(params[f"W{l}"]).size == params[f"W{l}"].size  # random, not constant


def test_init_params_statistics():
    params = mlp.init_params([784, 64, 10], np.random.default_rng(1))
    for key, fan_in in (("W1", 784), ("W2", 64)):
        W = params[key]
        target = 1.0 / math.sqrt(fan_in)
        # Loose bounds: the sampling error of the std is ~1/sqrt(2n) (0.3% for W1, 3% for W2).
        assert abs(W.mean()) < 0.1 * target, key
        assert 0.85 * target < W.std() < 1.15 * target, key
    # Not a uniform or other scale: about 68% of N(0, s^2) lies within one s.
    W1 = params["W1"]
    frac = np.mean(np.abs(W1) < 1.0 / math.sqrt(784))
    assert 0.66 < frac < 0.70


def test_init_params_same_seed_same_params():
    for sizes in ([784, 64, 10], [2, 8, 8, 2]):
        a = mlp.init_params(sizes, np.random.default_rng(42))
        b = mlp.init_params(sizes, np.random.default_rng(42))
        c = mlp.init_params(sizes, np.random.default_rng(43))
        assert a.keys() == b.keys()
        for key in a:
            np.testing.assert_array_equal(a[key], b[key])
        assert not np.array_equal(a["W1"], c["W1"])


# ------------------------------------------------------------------ minibatches
def _indexed_data(n, d=3):
    """X whose row i is [i*d, i*d + 1, ...] and y = arange(n): row identity is checkable."""
    return np.arange(n * d, dtype=float).reshape(n, d), np.arange(n)


def test_minibatches_partition_and_pairing():
    X, y = _indexed_data(23)
    batches = list(mlp.minibatches(X, y, 5, np.random.default_rng(0)))
    assert [len(yb) for _, yb in batches] == [5, 5, 5, 5, 3]  # last batch smaller
    for Xb, yb in batches:
        assert Xb.shape == (len(yb), 3)
        np.testing.assert_array_equal(Xb, 3.0 * yb[:, None] + np.arange(3))  # rows stay together
    order = np.concatenate([yb for _, yb in batches])
    np.testing.assert_array_equal(np.sort(order), np.arange(23))  # every index exactly once
    assert not np.array_equal(order, np.arange(23))  # shuffled


def test_minibatches_batch_size_edge_cases():
    X, y = _indexed_data(12)
    sizes = [len(yb) for _, yb in mlp.minibatches(X, y, 4, np.random.default_rng(0))]
    assert sizes == [4, 4, 4]  # no empty trailing batch
    whole = list(mlp.minibatches(X, y, 100, np.random.default_rng(0)))
    assert len(whole) == 1 and np.array_equal(np.sort(whole[0][1]), np.arange(12))


def test_minibatches_fresh_order_each_call():
    X, y = _indexed_data(30)
    rng = np.random.default_rng(7)
    first = np.concatenate([yb for _, yb in mlp.minibatches(X, y, 8, rng)])
    second = np.concatenate([yb for _, yb in mlp.minibatches(X, y, 8, rng)])
    np.testing.assert_array_equal(np.sort(first), np.sort(second))
    assert not np.array_equal(first, second)


# ------------------------------------------------------------ numerical gradient
def test_numerical_gradient_matches_analytic_and_restores_x():
    rng = np.random.default_rng(3)
    c = rng.standard_normal((3, 4))
    x = rng.standard_normal((3, 4))
    x_before = x.copy()
    seen = []

    def f(v):
        seen.append(v.copy())
        return float(np.sum(np.sin(v) * c))

    grad = mlp.numerical_gradient(f, x)
    assert grad.shape == x.shape
    np.testing.assert_allclose(grad, np.cos(x_before) * c, rtol=0, atol=1e-8)
    np.testing.assert_array_equal(x, x_before)  # identical values on return
    assert len(seen) == 2 * x.size  # one central difference per entry
    # Each evaluation perturbs exactly one entry.
    assert all(np.count_nonzero(v != x_before) == 1 for v in seen)


def test_numerical_gradient_quadratic_is_exact():
    # For a quadratic, the central difference is exact up to round-off: grad = (A + A^T) x.
    rng = np.random.default_rng(4)
    A = rng.standard_normal((5, 5))
    x = rng.standard_normal(5)
    grad = mlp.numerical_gradient(lambda v: float(v @ A @ v), x, eps=1e-4)
    np.testing.assert_allclose(grad, (A + A.T) @ x, rtol=0, atol=1e-9)


def test_rel_error():
    a = np.array([3.0, 4.0])
    assert mlp.rel_error(a, a) == 0.0
    # ||a - 0|| / (||a|| + 0) = 1; ||a - (-a)|| / (2 ||a||) = 1; hand example below.
    assert mlp.rel_error(a, np.zeros(2)) == pytest.approx(1.0)
    assert mlp.rel_error(a, -a) == pytest.approx(1.0)
    assert mlp.rel_error(np.array([1.0, 0.0]), np.array([0.0, 1.0])) == pytest.approx(
        math.sqrt(2.0) / 2.0)
    assert mlp.rel_error(np.zeros(3), np.zeros(3)) == 0.0  # the floor avoids 0/0


# ------------------------------------------------------------- SGD, predict, acc
def test_sgd_step():
    params = {"W1": np.array([[1.0, 2.0], [3.0, 4.0]]), "b1": np.array([0.5, -0.5])}
    grads = {"W1": np.array([[10.0, 0.0], [-10.0, 5.0]]), "b1": np.array([1.0, -1.0])}
    p_before = {k: v.copy() for k, v in params.items()}
    g_before = {k: v.copy() for k, v in grads.items()}
    new = mlp.sgd_step(params, grads, 0.1)
    assert set(new) == {"W1", "b1"}
    np.testing.assert_allclose(new["W1"], [[0.0, 2.0], [4.0, 3.5]], rtol=0, atol=1e-15)
    np.testing.assert_allclose(new["b1"], [0.4, -0.4], rtol=0, atol=1e-15)
    for k in params:
        np.testing.assert_array_equal(params[k], p_before[k])
        np.testing.assert_array_equal(grads[k], g_before[k])
        assert not np.shares_memory(new[k], params[k])


@pytest.mark.parametrize("activation", ACTIVATION_NAMES)
def test_predict_returns_argmax_labels(activation):
    # Identity layers: a monotone activation of positive inputs keeps the argmax of X.
    params = {"W1": np.eye(3), "b1": np.zeros(3), "W2": np.eye(3), "b2": np.zeros(3)}
    X = np.array([[1.0, 5.0, 2.0], [3.0, 0.5, 0.25], [0.5, 0.25, 9.0], [0.0, 2.0, 1.0]])
    pred = mlp.predict(params, X, activation)
    assert pred.shape == (4,)
    assert np.issubdtype(pred.dtype, np.integer)
    np.testing.assert_array_equal(pred, [1, 0, 2, 1])


def test_accuracy():
    acc = mlp.accuracy(np.array([0, 1, 2, 2]), np.array([0, 1, 1, 2]))
    assert isinstance(acc, float)
    assert acc == 0.75
    assert mlp.accuracy(np.array([3, 3, 3]), np.array([3, 3, 3])) == 1.0
    assert mlp.accuracy(np.array([0, 1]), np.array([1, 0])) == 0.0


# ------------------------------------------------------------------------ train
def test_train_is_deterministic():
    rng = np.random.default_rng(5)
    X = rng.standard_normal((40, 4))
    y = rng.integers(0, 3, 40)
    kwargs = dict(layer_sizes=[4, 6, 3], activation="tanh", lr=0.1, epochs=3, batch_size=8)
    a = mlp.train(X, y, seed=11, **kwargs)
    b = mlp.train(X, y, seed=11, **kwargs)
    c = mlp.train(X, y, seed=12, **kwargs)
    assert a.keys() == b.keys() == {"W1", "b1", "W2", "b2"}
    for key in a:
        np.testing.assert_array_equal(a[key], b[key])
    assert not np.array_equal(a["W1"], c["W1"])
    # It trained: the loss dropped from the initial parameters' loss.
    init = mlp.init_params([4, 6, 3], np.random.default_rng(11))
    assert mlp.loss(a, X, y, "tanh") < mlp.loss(init, X, y, "tanh")


@pytest.mark.parametrize("seed", range(20))
def test_train_learns_xor(seed):
    s = XOR_SETTINGS
    params = mlp.train(XOR_X, XOR_Y, s["layer_sizes"], s["activation"], lr=s["lr"],
                       epochs=s["epochs"], batch_size=s["batch_size"], seed=seed)
    pred = mlp.predict(params, XOR_X, s["activation"])
    assert mlp.accuracy(pred, XOR_Y) == 1.0
    np.testing.assert_array_equal(pred, XOR_Y)


# --------------------------------------------------------- torch autograd (optional)
@pytest.mark.parametrize("n_hidden", [1, 2, 3])
@pytest.mark.parametrize("activation", ACTIVATION_NAMES)
def test_backward_matches_torch_autograd(activation, n_hidden):
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    params, X, y = _problem(n_hidden, seed=100 + 10 * n_hidden + ACTIVATION_NAMES.index(activation))
    t_params = {k: torch.tensor(v, dtype=torch.float64, requires_grad=True) for k, v in params.items()}
    act = {"sigmoid": torch.sigmoid, "tanh": torch.tanh, "relu": torch.relu}[activation]
    L = n_hidden + 1
    A = torch.tensor(X, dtype=torch.float64)
    for l in range(1, L):
        A = act(A @ t_params[f"W{l}"] + t_params[f"b{l}"])
    logits = A @ t_params[f"W{L}"] + t_params[f"b{L}"]
    t_loss = F.cross_entropy(logits, torch.tensor(y, dtype=torch.long))  # mean reduction
    t_loss.backward()

    probs, cache = mlp.forward(params, X, activation)
    np.testing.assert_allclose(probs, torch.softmax(logits, dim=1).detach().numpy(), rtol=1e-12)
    assert mlp.loss(params, X, y, activation) == pytest.approx(t_loss.item(), rel=1e-12)
    grads = mlp.backward(params, cache, y, activation)
    assert set(grads) == set(params)
    for key in params:
        ref = t_params[key].grad.numpy()
        assert grads[key].shape == ref.shape
        err = mlp.rel_error(grads[key], ref)
        assert err < 1e-10, f"{key}: rel_error {err:.2e}"
