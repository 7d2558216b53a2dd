"""Detectors for the activations, and for arguments changed in place (any function)."""
import numpy as np

from grader.diagnosis.finding import Finding
from grader.diagnosis.probe import close
from grader.diagnosis.registry import detector


def _z(seed, shape=(6, 5), scale=3.0):
    return np.random.default_rng(seed).standard_normal(shape) * scale


@detector(bugs=("sigmoid-grad-of-activation",))
def sigmoid_grad(probe):
    z = _z(101)                                                   # (6, 5)
    out = probe.array("sigmoid_grad", z)
    if close(out, z * (1 - z)) and not close(out, probe.reference.sigmoid_grad(z)):
        return [Finding("sigmoid-grad-of-activation", "sigmoid_grad",
                        f"sigmoid_grad(z) returned z·(1 − z): at z = {z[0, 0]:.3g} it gave "
                        f"{out[0, 0]:.3g}, where σ′(z) = {probe.reference.sigmoid_grad(z)[0, 0]:.3g}")]
    return []


@detector(bugs=("tanh-overflow",))
def tanh(probe):
    z = _z(102, scale=2.0)
    big = np.array([[-1000.0, -400.0, 0.0, 400.0, 1000.0]])
    moderate, extreme = probe.array("tanh", z), probe.array("tanh", big)
    if not close(moderate, np.tanh(z)) or extreme is None or extreme.shape != big.shape:
        return []
    bad = ~np.isfinite(extreme)
    if bad.any():
        return [Finding("tanh-overflow", "tanh",
                        f"tanh is right for moderate z, but tanh({big[bad][0]:g}) gave "
                        f"{extreme[bad][0]} where it is {np.tanh(big[bad][0]):g}")]
    return []


# ------------------------------------------------------------ mutates-input
HELPERS = ("sigmoid", "sigmoid_grad", "tanh", "tanh_grad", "relu", "relu_grad", "softmax")
COMPOSITES = ("one_hot", "cross_entropy", "forward", "backward", "predict", "accuracy")
# Not probed: sgd_step (updating params in place is allowed), numerical_gradient (it
# perturbs x by design; numgrad-not-restored covers it), minibatches and train.


def _sweep_inputs(r):
    rng = np.random.default_rng(103)
    params = {"W1": rng.standard_normal((4, 5)) / 2, "b1": rng.standard_normal(5) / 2,
              "W2": rng.standard_normal((5, 3)) / 2, "b2": rng.standard_normal(3) / 2}
    X = rng.standard_normal((6, 4))                                # (N, D)
    y = rng.integers(0, 3, 6)
    z = rng.standard_normal((6, 3))
    cache = r.forward(params, X, "relu")[1]
    return {
        "one_hot": (y, 3),
        "cross_entropy": (r.softmax(z), y),
        "forward": (params, X, "relu"),
        "backward": (params, cache, y, "relu"),
        "predict": (params, X, "relu"),
        "accuracy": (y, rng.integers(0, 3, 6)),
        **{name: (z.copy(),) for name in HELPERS},
    }


@detector(bugs=("mutates-input",), always=True)
def mutates_input(probe):
    """Call each function with arguments in shared memory and see whether they change.

    A composite (forward, backward, ...) is named only when none of the helpers it may
    call changes its own argument: then the helper is where the bug is.
    """
    inputs = _sweep_inputs(probe.reference)
    found = []
    for name in HELPERS + COMPOSITES:
        if name in COMPOSITES and found:
            break
        changes = probe.changed(name, *inputs[name])
        if changes:
            where = ", ".join(f"argument {i + 1}{path}" for i, path in changes[:3])
            found.append(Finding("mutates-input", name,
                                 f"{name}() changed the caller's array in place ({where})"))
    return found
