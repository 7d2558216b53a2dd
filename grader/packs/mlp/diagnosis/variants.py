"""The reference's known-bug variants: what a buggy function would return.

A detector compares the student's answer on a probe with the reference's answer and
with these variants; a bug is named only when its variant matches. ``r`` is the task's
reference module (probe.reference). Row-major shapes as in reference/mlp.py: probs
(N, C), cache with A0 = X, Z{l}, A{l}.
"""
import numpy as np


# ------------------------------------------------------------------ softmax
def softmax_columns(z):
    """Softmax over axis 0: each column sums to 1."""
    e = np.exp(z - z.max(axis=0, keepdims=True))          # (N, C)
    return e / e.sum(axis=0, keepdims=True)


def softmax_whole(z):
    """One softmax over every entry of the batch: the whole array sums to 1."""
    e = np.exp(z - z.max())
    return e / e.sum()


def softmax_normalisations(r):
    """{how: softmax normalised that way}: the reference's over rows, and the two bugs."""
    return {"rows": r.softmax, "columns": softmax_columns, "whole": softmax_whole}


# ----------------------------------------------------------------- backward
def deltas(r, params, cache, Y, act_grads, output_delta=None):
    """dZ{l} for l = L..1 of the reference's backprop -> {l: (N, H_l)}, each already / N.

    ``act_grads[l - 1]`` is the factor used for hidden layer l; ``output_delta`` replaces
    (P - Y) / N at the output layer.
    """
    L = r.num_layers(params)
    N = Y.shape[0]
    dZ = (cache[f"A{L}"] - Y) / N if output_delta is None else output_delta     # (N, C)
    out = {L: dZ}
    for l in range(L, 1, -1):
        dZ = (dZ @ params[f"W{l}"].T) * act_grads[l - 2]                        # (N, H_{l-1})
        out[l - 1] = dZ
    return out


def grads_from(cache, dZs):
    """{W{l}: A{l-1}.T @ dZ{l}, b{l}: dZ{l}.sum(0)} from the deltas."""
    grads = {}
    for l, dZ in dZs.items():
        grads[f"W{l}"] = cache[f"A{l - 1}"].T @ dZ
        grads[f"b{l}"] = dZ.sum(axis=0)
    return grads


def backward_variants(r, params, cache, y, activation):
    """[(bug id, grads)] of the structural backward bugs (their scale does not matter)."""
    L = r.num_layers(params)
    f, f_prime = r.ACTIVATIONS[activation]
    P = cache[f"A{L}"]
    Y = r.one_hot(y, P.shape[1])
    N = Y.shape[0]
    at_Z = [f_prime(cache[f"Z{l}"]) for l in range(1, L)]
    at_A = [f_prime(cache[f"A{l}"]) for l in range(1, L)]
    ones = [np.ones_like(cache[f"Z{l}"]) for l in range(1, L)]
    dP = (P - Y) / N                                                           # MSE's dL/dP
    through_softmax = P * (dP - (dP * P).sum(axis=1, keepdims=True))           # J^T dP
    return [
        ("activation-grad-at-output", grads_from(cache, deltas(r, params, cache, Y, at_A))),
        ("missing-activation-grad", grads_from(cache, deltas(r, params, cache, Y, ones))),
        ("softmax-grad-mse", grads_from(cache, deltas(r, params, cache, Y, at_Z, dP * P * (1 - P)))),
        ("softmax-grad-mse", grads_from(cache, deltas(r, params, cache, Y, at_Z, through_softmax))),
    ]


# --------------------------------------------------------- numerical gradient
def differences(f, x, eps, kind):
    """Finite differences of f at x: "central", "forward" or "backward"."""
    x = np.array(x, dtype=np.float64)
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + eps
        plus = f(x)
        x[i] = old - eps
        minus = f(x)
        x[i] = old
        base = f(x)
        grad[i] = {"central": (plus - minus) / (2 * eps), "forward": (plus - base) / eps,
                   "backward": (base - minus) / eps}[kind]
    return grad
