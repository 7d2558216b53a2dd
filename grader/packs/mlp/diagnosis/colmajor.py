"""Detectors for the column-major task (tasks/dnn_colmajor): X of shape (n_x, m), one
example per column, W{l} of shape (n_l, n_{l-1}), b{l} of shape (n_l, 1).

Each compares the student's answer on a probe with the reference's (probe.reference, the
task's reference/dnn_colmajor.py) and with what one known bug would give; a bug is named
only when its variant matches, on probes chosen so that no two variants coincide
(n_{l-1} != m, so dividing by the wrong dimension shows).
"""
import numpy as np

from grader.diagnosis.finding import Finding
from grader.diagnosis.probe import as_array, close, scale_between
from grader.diagnosis.registry import detector
from grader.inputs import Rng


def _randn(seed, *shape):
    return np.random.default_rng(seed).standard_normal(shape)


def _triple(value):
    """A (dA_prev, dW, db) answer as three float arrays, or None."""
    if not isinstance(value, (tuple, list)) or len(value) != 3:
        return None
    arrays = [as_array(v) for v in value]
    return None if any(a is None for a in arrays) else arrays


# (n_l, n_prev, m): n_prev != m, so m = A_prev.shape[0] divides by the wrong number
LINEAR_PROBES = ((3, 5, 8), (4, 6, 9))


@detector(bugs=("colmajor-m-from-rows", "colmajor-db-wrong-axis", "colmajor-db-not-column",
                "colmajor-w-not-transposed"))
def linear_backward(probe):
    """The linear gradients: the batch size, the bias gradient's axis and shape, W.T."""
    r = probe.reference
    scales, found = [], []
    for i, (n, n_prev, m) in enumerate(LINEAR_PROBES):
        dZ, A_prev = _randn(200 + i, n, m), _randn(210 + i, n_prev, m)
        W, b = _randn(220 + i, n, n_prev), _randn(230 + i, n, 1)
        got = _triple(probe.call("linear_backward", dZ, (A_prev, W, b)))
        if got is None:             # e.g. W @ dZ on a W that is not square: no evidence here
            break
        dA_prev, dW, db = got
        want_dA, want_dW, want_db = r.linear_backward(dZ, (A_prev, W, b))
        if close(dA_prev, want_dA):
            scales.append((scale_between(dW, want_dW), m / n_prev, (n_prev, m)))
        if i == 0 and close(dW, want_dW):
            if close(db, dZ.sum(axis=0, keepdims=True) / m):
                found.append(Finding("colmajor-db-wrong-axis", "linear_backward",
                                     f"for dZ of shape {dZ.shape} db has shape {db.shape}: the sum "
                                     f"over the rows (axis 0), where db sums each row over the m = {m} "
                                     f"examples (axis 1) to shape ({n}, 1)"))
            elif db.shape == (n,) and close(db.reshape(n, 1), want_db):
                found.append(Finding("colmajor-db-not-column", "linear_backward",
                                     f"db has the right values but shape {db.shape}, where b (and db) "
                                     f"are columns of shape ({n}, 1)"))
    if len(scales) == len(LINEAR_PROBES) and all(k is not None and np.isclose(k, ratio, rtol=1e-6)
                                                  and not np.isclose(ratio, 1.0) for k, ratio, _ in scales):
        (k, _, (n_prev, m)) = scales[0]
        found.append(Finding("colmajor-m-from-rows", "linear_backward",
                             f"with A_prev of shape ({n_prev}, {m}) dW is {k:.4g} times the right one, "
                             f"i.e. divided by n_prev = {n_prev} instead of m = {m} (the same on a "
                             f"second probe)"))
    found += _untransposed(probe)
    return found


def _untransposed(probe):
    """dA_prev = W @ dZ: seen on a square W (otherwise W @ dZ cannot even be formed)."""
    n, m = 4, 7
    dZ, A_prev, W, b = _randn(240, n, m), _randn(241, n, m), _randn(242, n, n), _randn(243, n, 1)
    got = _triple(probe.call("linear_backward", dZ, (A_prev, W, b)))
    if got is None or close(got[0], W.T @ dZ) or not close(got[0], W @ dZ):
        return []
    return [Finding("colmajor-w-not-transposed", "linear_backward",
                    f"with a square W of shape ({n}, {n}), dA_prev equals W @ dZ, not W.T @ dZ")]


@detector(bugs=("colmajor-cost-summed",))
def compute_cost(probe):
    """The cost summed over the m examples instead of averaged."""
    r = probe.reference
    rng = np.random.default_rng(250)
    ms, ks = (5, 9), []
    for m in ms:
        AL = rng.uniform(0.05, 0.95, (1, m))
        Y = (rng.uniform(size=(1, m)) > 0.5).astype(np.float64)
        k = scale_between(as_array(probe.call("compute_cost", AL, Y)), np.asarray(r.compute_cost(AL, Y)))
        ks.append(k)
    if all(k is not None and np.isclose(k, m, rtol=1e-6) for k, m in zip(ks, ms)):
        return [Finding("colmajor-cost-summed", "compute_cost",
                        f"for m = {ms[0]} and m = {ms[1]} examples the cost is m times the mean "
                        f"cross-entropy: summed, not divided by m")]
    return []


@detector(bugs=("colmajor-sigmoid-grad-at-activation",))
def sigmoid_backward(probe):
    """sigmoid_backward that treats the cache (Z) as the activation A = σ(Z)."""
    r = probe.reference
    dA, Z = _randn(260, 3, 6), _randn(261, 3, 6) * 2
    dZ = as_array(probe.call("sigmoid_backward", dA, Z))
    if close(dZ, dA * Z * (1 - Z)) and not close(dZ, r.sigmoid_backward(dA, Z)):
        return [Finding("colmajor-sigmoid-grad-at-activation", "sigmoid_backward",
                        f"dZ = dA · Z · (1 − Z): the cache Z was used as if it were A = σ(Z) (at "
                        f"Z = {Z[0, 0]:.3g} the factor is {Z[0, 0] * (1 - Z[0, 0]):.3g}, where "
                        f"σ′(Z) = {r.sigmoid_backward(np.ones((1, 1)), Z[:1, :1])[0, 0]:.3g})")]
    return []


@detector(bugs=("colmajor-relu-grad-in-place",))
def relu_backward(probe):
    """relu_backward that zeroes dA itself (dZ = dA without a copy)."""
    dA, Z = _randn(270, 3, 6), _randn(271, 3, 6)
    changed = probe.changed("relu_backward", dA, Z)
    if changed and any(index == 0 for index, _ in changed):
        return [Finding("colmajor-relu-grad-in-place", "relu_backward",
                        "after relu_backward(dA, cache) the caller's dA has changed: its entries "
                        "where Z <= 0 were set to 0 in place")]
    return []


@detector(bugs=("colmajor-update-ascent",))
def update_parameters(probe):
    """A step up the gradient: W + lr·dW."""
    r = probe.reference
    params = {"W1": _randn(280, 3, 4), "b1": _randn(281, 3, 1), "W2": _randn(282, 1, 3), "b2": _randn(283, 1, 1)}
    grads = {"d" + k: _randn(290 + i, *v.shape) for i, (k, v) in enumerate(params.items())}
    lr = 0.1
    got = probe.call("update_parameters", {k: v.copy() for k, v in params.items()}, grads, lr)
    if not isinstance(got, dict) or set(got) != set(params):
        return []
    want = r.update_parameters(params, grads, lr)
    ascent = {k: params[k] + lr * grads["d" + k] for k in params}
    if all(close(as_array(got[k]), ascent[k]) for k in params) and not close(ascent["W1"], want["W1"]):
        return [Finding("colmajor-update-ascent", "update_parameters",
                        f"with learning_rate = {lr} every parameter became W + {lr}·dW: a step up "
                        f"the gradient, where descent is W − {lr}·dW")]
    return []


@detector(bugs=("colmajor-empty-last-batch",))
def random_mini_batches(probe):
    """An empty batch appended when m is a multiple of the batch size."""
    m, size = 12, 4
    X, Y = _randn(300, 2, m), (np.arange(m) % 2).reshape(1, m).astype(np.float64)
    got = probe.call("random_mini_batches", X, Y, size, Rng(5))
    if not isinstance(got, (list, tuple)) or not got:
        return []
    widths = []
    for batch in got:
        if not isinstance(batch, (tuple, list)) or len(batch) != 2 or as_array(batch[0]) is None:
            return []
        widths.append(as_array(batch[0]).shape[-1] if as_array(batch[0]).ndim == 2 else None)
    if widths[:-1] == [size] * (m // size) and widths[-1] == 0:
        return [Finding("colmajor-empty-last-batch", "random_mini_batches",
                        f"for m = {m} examples in batches of {size} it returned {len(got)} batches, "
                        f"the last one empty (X of shape (2, 0))")]
    return []


DETECTORS = (linear_backward, compute_cost, sigmoid_backward, relu_backward, update_parameters,
             random_mini_batches)
