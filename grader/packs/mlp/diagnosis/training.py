"""Detectors for sgd_step, minibatches, predict and accuracy."""
import numpy as np

from grader.checks.base import Failed
from grader.diagnosis.finding import Finding
from grader.diagnosis.probe import as_array, close, scale_between
from grader.diagnosis.registry import detector
from grader.inputs import Rng
from grader.packs.mlp.checks.batching import batches_of, probe_data


@detector(bugs=("sgd-ascent", "sgd-ignores-lr"))
def sgd_step(probe):
    rng = np.random.default_rng(141)
    params = {"W1": rng.standard_normal((4, 3)), "b1": rng.standard_normal(3)}
    grads = {"W1": rng.standard_normal((4, 3)), "b1": rng.standard_normal(3)}
    steps = []                                   # the c of p - c * g, for each lr
    for lr in (0.5, 0.01):
        out = probe.call("sgd_step", params, grads, lr)
        if not isinstance(out, dict) or set(out) != set(params):
            return []
        new = {k: as_array(out[k]) for k in params}
        cs = [scale_between(params[k] - new[k], grads[k]) if new[k] is not None else None for k in params]
        if None in cs or not np.allclose(cs, cs[0], rtol=1e-4):
            return []
        steps.append(cs[0])
    if all(np.isclose(c, -lr, rtol=1e-4) for c, lr in zip(steps, (0.5, 0.01))):
        return [Finding("sgd-ascent", "sgd_step",
                        "sgd_step returns params + lr · grads: it climbs the loss")]
    if np.isclose(steps[0], steps[1], rtol=1e-4) and not np.isclose(steps[0], 0.5, rtol=1e-4):
        return [Finding("sgd-ignores-lr", "sgd_step",
                        f"sgd_step takes a step of {steps[0]:.3g} · grads for lr = 0.5 and for "
                        f"lr = 0.01 alike")]
    return []


def _batches(value):
    """minibatches' output -> [(X_batch, y_batch)] as arrays, or None."""
    try:
        return batches_of(value, "minibatches")
    except Failed:
        return None


@detector(bugs=("full-batch-only", "batches-not-a-partition", "shuffle-misaligned", "no-shuffle",
                "same-order-each-epoch"))
def minibatches(probe):
    n, size = 103, 10
    X, y = probe_data(n, 3)                      # row i of X starts with i; y[i] = i
    batches = _batches(probe.call("minibatches", X, y, size, Rng(3)))
    if batches is None:
        return []
    ids_X = np.concatenate([b[0][:, 0] for b in batches])
    ids_y = np.concatenate([b[1] for b in batches])
    every = np.arange(n)
    if len(batches) == 1 and len(ids_X) == n:
        return [Finding("full-batch-only", "minibatches",
                        f"minibatches(X, y, {size}, rng) on {n} samples yields one batch of all "
                        f"{n} rows")]
    if not np.array_equal(np.sort(ids_X), every):
        counts = np.bincount(np.clip(ids_X, 0, n).astype(int), minlength=n + 1)[:n]
        repeated, missing = np.flatnonzero(counts > 1), np.flatnonzero(counts == 0)
        if not np.all(ids_X == np.round(ids_X)) or not (len(repeated) or len(missing)):
            return []
        seen = [f"sample {repeated[0]} came {counts[repeated[0]]} times"] if len(repeated) else []
        seen += [f"{len(missing)} samples never came"] if len(missing) else []
        return [Finding("batches-not-a-partition", "minibatches",
                        f"in one pass over {n} samples {' and '.join(seen)}")]
    if not np.array_equal(ids_X, ids_y):
        if np.array_equal(np.sort(ids_y), every):
            i = int(np.flatnonzero(ids_X != ids_y)[0])
            return [Finding("shuffle-misaligned", "minibatches",
                            f"every sample comes once in X and once in y, but sample "
                            f"{ids_X[i]:g}'s row comes with sample {ids_y[i]:g}'s label")]
        return []
    if np.array_equal(ids_X, every):
        return [Finding("no-shuffle", "minibatches",
                        f"the batches bring samples 0, 1, 2, ..., {n - 1} in the data's own order")]
    runs = probe.harness("call_repeatedly", "minibatches", [X, y, size, Rng(3)], 2, uses=["minibatches"])
    if isinstance(runs, list) and len(runs) == 2:
        orders = [_batches(run) for run in runs]
        if None not in orders:
            first, second = ([b[1] for b in order] for order in orders)
            if len(first) == len(second) and all(np.array_equal(a, b) for a, b in zip(first, second)):
                return [Finding("same-order-each-epoch", "minibatches",
                                "the samples are shuffled, but two calls with one generator (two "
                                "epochs) give the very same order")]
    return []


@detector(bugs=("predict-returns-probs", "predict-wrong-axis"))
def predict(probe):
    r = probe.reference
    rng = np.random.default_rng(151)
    params = {"W1": rng.standard_normal((4, 6)), "b1": rng.standard_normal(6),
              "W2": rng.standard_normal((6, 5)), "b2": rng.standard_normal(5)}
    X = rng.standard_normal((20, 4)) * 3                                  # (N, D)
    out = probe.array("predict", params, X, "relu")
    if out is None:
        return []
    candidates = [r.forward(params, X, "relu")[0]]
    own = probe.call("forward", params, X, "relu")
    if isinstance(own, (list, tuple)) and len(own) == 2 and as_array(own[0]) is not None:
        candidates.append(as_array(own[0]))
    for probs in candidates:
        if close(out, probs):
            return [Finding("predict-returns-probs", "predict",
                            f"predict returns the probabilities, shape {out.shape}, not one label "
                            f"per row")]
        if probs.ndim == 2 and out.shape == (probs.shape[1],) and np.array_equal(out, probs.argmax(axis=0)):
            return [Finding("predict-wrong-axis", "predict",
                            f"predict returns {out.shape[0]} labels for {probs.shape[0]} rows: the "
                            f"argmax over axis 0, one per class")]
    return []


@detector(bugs=("accuracy-wrong-count", "accuracy-not-fraction"))
def accuracy(probe):
    rng = np.random.default_rng(161)
    a, b = rng.integers(0, 3, 40), rng.integers(0, 3, 40)
    right = float(np.mean(a == b))
    runs = probe.harness("call_repeatedly", "accuracy", [a, b], 2, uses=["accuracy"])
    if not isinstance(runs, list) or len(runs) != 2:
        return []
    values = [as_array(v) for v in runs]
    if any(v is None or v.size != 1 for v in values):
        return []
    first, second = (float(v.reshape(())) for v in values)
    if not np.isclose(first, second, rtol=1e-9):
        return [Finding("accuracy-wrong-count", "accuracy",
                        f"the same call twice gave {first:.4g}, then {second:.4g}: the count "
                        f"carries over from one call to the next")]
    if np.isclose(first, 100 * right, rtol=1e-6):
        return [Finding("accuracy-not-fraction", "accuracy",
                        f"accuracy is {first:.4g} where the fraction is {right:.4g}: a percentage")]
    if np.isclose(first, len(a) * right, rtol=1e-6):
        return [Finding("accuracy-not-fraction", "accuracy",
                        f"accuracy is {first:.4g} where the fraction is {right:.4g}: a count of "
                        f"matches")]
    a2, b2 = rng.integers(0, 4, 40), rng.integers(0, 4, 40)
    value = as_array(probe.call("accuracy", a2, b2))
    if value is None or value.size != 1:
        return []
    counts = _slices(first, a, b) & _slices(float(value.reshape(())), a2, b2)
    if counts:
        k = min(counts)
        return [Finding("accuracy-wrong-count", "accuracy",
                        f"on two pairs of {len(a)} labels, accuracy counts only the first {k}")]
    return []


def _slices(value, a, b):
    """The k < N for which ``value`` is the share of matches among the first k labels."""
    hits = np.cumsum(a == b)
    return {k for k in range(1, len(a)) if np.isclose(value, hits[k - 1] / len(a))
            or np.isclose(value, hits[k - 1] / k)} if not np.isclose(value, hits[-1] / len(a)) else set()
