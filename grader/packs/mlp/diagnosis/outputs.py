"""Detectors for softmax, one_hot, cross_entropy and preprocess."""
import numpy as np

from grader.diagnosis.finding import Finding
from grader.diagnosis.probe import as_array, close
from grader.diagnosis.registry import detector

from .variants import softmax_normalisations

# rows of similar, large scale: exp() overflows unless a max is subtracted
LARGE = np.array([[1000.0, 999.0, 998.0], [1001.0, 1000.0, 999.5], [999.0, 1001.0, 1000.0]])
# rows far apart: one max of the whole batch sends the low rows to 0/0 (not the hidden
# check's input: a student kit ships this file, and no hidden input may be in a kit)
FAR_APART = np.array([[0.25, 1.25, 1.75], [790.0, 792.0, 789.0], [-690.0, -696.0, -701.0]])


@detector(bugs=("softmax-wrong-axis", "softmax-whole-array", "softmax-unstable", "softmax-global-max"))
def softmax(probe):
    z = np.random.default_rng(111).standard_normal((5, 4)) * 2    # (N, C), N != C
    s = probe.array("softmax", z)
    if s is None or s.shape != z.shape:
        return []
    normalisations = softmax_normalisations(probe.reference)
    norm = next((name for name, f in normalisations.items() if close(s, f(z))), None)
    found = []
    if norm == "columns":
        found.append(Finding("softmax-wrong-axis", "softmax",
                             f"on logits of shape {z.shape} the columns of softmax(z) sum to 1 "
                             f"and the rows sum to {_sums(s.sum(axis=1))}"))
    elif norm == "whole":
        found.append(Finding("softmax-whole-array", "softmax",
                             f"on logits of shape {z.shape} all {s.size} entries of softmax(z) "
                             f"sum to 1 together; the rows sum to {_sums(s.sum(axis=1))}"))
    if norm is None:
        return found
    expected = normalisations[norm]
    large = probe.array("softmax", LARGE)
    if large is None or large.shape != LARGE.shape:
        return found
    if not np.all(np.isfinite(large)):
        found.append(Finding("softmax-unstable", "softmax",
                             "right for small logits, but logits near 1000 give nan or inf "
                             "(exp(1000) overflows)"))
    elif close(large, expected(LARGE)) and norm != "whole":
        far = probe.array("softmax", FAR_APART)
        if far is not None and far.shape == FAR_APART.shape and not close(far, expected(FAR_APART)):
            rows = [i for i in range(3) if not close(far[i], expected(FAR_APART)[i])]
            found.append(Finding("softmax-global-max", "softmax",
                                 f"right for large logits of one scale, but in a batch with rows "
                                 f"near 1, 790 and -690, row {rows[0]} came out as "
                                 f"{np.array2string(far[rows[0]], precision=3)}"))
    return found


def _sums(values):
    return ", ".join(f"{v:.3g}" for v in values[:5])


@detector(bugs=("one-hot-transposed",))
def one_hot(probe):
    y, C = np.array([0, 3, 1, 2, 1]), 4
    out = probe.array("one_hot", y, C)
    expected = probe.reference.one_hot(y, C)                                  # (N, C)
    if out is not None and out.shape == (C, len(y)) and close(out.T, expected):
        return [Finding("one-hot-transposed", "one_hot",
                        f"one_hot(y, {C}) for {len(y)} labels has shape {out.shape}: one column per "
                        f"sample instead of one row")]
    return []


def _loss(probe, probs, y):
    value = as_array(probe.call("cross_entropy", probs, y))
    return float(value.reshape(())) if value is not None and value.size == 1 else None


@detector(bugs=("ce-sum-not-mean", "ce-wrong-normalizer", "ce-nan-on-zero"))
def cross_entropy(probe):
    r = probe.reference
    rng = np.random.default_rng(112)
    batches = [(r.softmax(rng.standard_normal((8, 5)) * 2), rng.integers(0, 5, 8)),
               (r.softmax(rng.standard_normal((3, 4))), np.array([0, 3, 1]))]
    divisors = []                       # the count each loss was divided by, if N/ratio is whole
    for probs, y in batches:
        value, right = _loss(probe, probs, y), r.cross_entropy(probs, y)
        if value is None or not np.isfinite(value) or value <= 0:
            return []
        count = len(y) * right / value
        divisors.append(round(count) if abs(count - round(count)) < 1e-6 * max(1, count) else None)
    sizes = [(probs.shape[0], probs.shape[1]) for probs, _ in batches]
    found = []
    if divisors == [N for N, _ in sizes]:
        pass
    elif divisors == [1, 1]:
        found.append(Finding("ce-sum-not-mean", "cross_entropy",
                             f"the loss is exactly N times the mean on batches of N = "
                             f"{sizes[0][0]} and {sizes[1][0]}: it is summed, not averaged"))
    elif None not in divisors and 0 not in divisors:
        (N, C), d = sizes[0], divisors[0]
        what = {N * C: f"N·C = {N * C} (every entry of the matrix)",
                C: f"the number of classes C = {C}"}.get(d, str(d))
        found.append(Finding("ce-wrong-normalizer", "cross_entropy",
                             f"on a batch of N = {N} samples and C = {C} classes the summed "
                             f"loss is divided by {what}, not by N"))
    else:
        return []
    zeros = np.array([[1.0, 0.0, 0.0], [0.0, 0.5, 0.5], [0.2, 0.0, 0.8]])
    value = _loss(probe, zeros, np.array([0, 1, 2]))
    if value is not None and not np.isfinite(value):
        found.append(Finding("ce-nan-on-zero", "cross_entropy",
                             f"right for strictly positive probabilities, but {value} when a "
                             f"non-target probability is exactly 0"))
    return found


@detector(bugs=("inputs-not-scaled",))
def preprocess(probe):
    images = np.random.default_rng(113).integers(0, 256, (4, 28, 28)).astype(np.uint8)
    out = probe.array("preprocess", images)
    flat = images.reshape(4, -1).astype(np.float64)                 # (N, 784)
    if close(out, flat):
        return [Finding("inputs-not-scaled", "preprocess",
                        f"preprocess returns the pixels as they are, from {out.min():g} to "
                        f"{out.max():g}, not scaled to [0, 1]")]
    return []
