"""Check kinds for a layered network: forward, backward, predict, gradient checks.

Each function is judged on its own logic: where it calls another of the student's
functions (forward calls softmax, backward calls relu_grad, predict calls forward) and
that helper fails its own checks, the engine gives the check a correct stand-in for it
(see engine.py), so a helper's bug is charged to the helper only. The reference module
must provide forward, backward, one_hot and ACTIVATIONS.
"""
import numpy as np

from grader.checks.base import Failed
from grader.checks.compare import as_array, expect_close, expect_dict, expect_shape, kind_of
from grader.checks.registry import Param, kind, unless


FLOAT32_EPS, FLOAT32_MAX_REL_ERROR = 1e-3, 1e-2   # round-off ~1e-7 / eps; real bugs give > 0.1


def _layers(params):
    return sum(1 for key in params if str(key).startswith("W"))


def _call_forward(ctx, params, X, activation):
    what = ctx.call_text("forward", [params, X, activation])
    result = ctx.call("forward", params, X, activation)
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        raise Failed(f"{what} returned {kind_of(result)}; expected a tuple (probs, cache)")
    probs, cache = result
    if not isinstance(cache, dict):
        raise Failed(f"{what}: the cache is {kind_of(cache)}; expected a dict with A0, Z1, A1, ...")
    missing = [k for k in _wanted(_layers(params)) if k not in cache]
    if missing:
        raise Failed(f"{what}: the cache has no {', '.join(missing)} (it has {', '.join(map(str, cache)) or 'nothing'})",
                     "The cache must hold A0 = X and, for every layer l, Z{l} and A{l}.")
    return probs, cache, what


@kind(summary="one `part` of forward is right, judged from the student's own cache: `shapes`, "
              "`pre_activations`, `hidden`, `output`",
      params={"part": Param("string", allowed=("shapes", "pre_activations", "hidden", "output"),
                            required=True)},
      evidence=unless("part", "shapes"), args=("params", "X", "activation"))
def forward_layers(ctx):
    """One part of forward, judged layer by layer from the student's own cache.

    ``part``: "shapes" (probs and cache entries have the right shapes),
    "pre_activations" (Z{l} = A{l-1} @ W{l} + b{l}), "hidden" (A{l} = f(Z{l})),
    "output" (probs = softmax(Z{L}) and A{L} = probs). Cases: [params, X, activation].
    """
    part = ctx.params["part"]
    ref_act = {name: pair[0] for name, pair in _activations(ctx).items()}
    notes = []
    for params, X, activation in ctx.cases():
        probs, cache, what = _call_forward(ctx, params, X, activation)
        L = _layers(params)
        arrays = {k: as_array(cache[k], f"{what}: cache[{k!r}]") for k in cache if k in _wanted(L)}
        if part == "shapes":
            expected = ctx.reference("forward", params, X, activation)[1]
            expect_shape(as_array(probs, f"{what}: probs"), expected[f"A{L}"].shape, f"{what}: probs")
            for key in _wanted(L):
                expect_shape(arrays[key], expected[key].shape, f"{what}: cache[{key!r}]")
        elif part == "pre_activations":
            expect_close(arrays["A0"], X, f"{what}: cache['A0'] (should be X itself)")
            for l in range(1, L + 1):
                A_prev = arrays[f"A{l - 1}"]
                if A_prev.shape[-1:] != params[f"W{l}"].shape[:1]:
                    raise Failed(f"{what}: cache['A{l - 1}'] has shape {A_prev.shape}, which does "
                                 f"not fit W{l} of shape {params[f'W{l}'].shape}")
                expected = A_prev @ params[f"W{l}"] + params[f"b{l}"]        # (N, H_l)
                expect_close(arrays[f"Z{l}"], expected,
                             f"{what}: cache['Z{l}'] should be A{l - 1} @ W{l} + b{l}")
        elif part == "hidden":
            f = ref_act[activation]
            for l in range(1, L):
                Z, A = arrays[f"Z{l}"], arrays[f"A{l}"]
                expect_close(A, f(Z), f"{what}: cache['A{l}'] should be {activation}(Z{l})")
        elif part == "output":
            ZL = arrays[f"Z{L}"]
            P = as_array(probs, f"{what}: probs")
            expect_close(P, ctx.reference("softmax", ZL), f"{what}: probs should be softmax(Z{L})")
            expect_close(arrays[f"A{L}"], P, f"{what}: cache['A{L}'] should be the probs returned")
        else:
            raise ValueError(f"unknown part {part!r}")
    return "; ".join(dict.fromkeys(notes)) or None


def _wanted(L):
    return ["A0"] + [f"{p}{l}" for l in range(1, L + 1) for p in ("Z", "A")]


def _activations(ctx):
    return ctx.inputs.reference("ACTIVATIONS")


@kind(summary="backward on the reference's cache gives the reference's gradients (or those implied "
              "by the student's own `*_grad`)",
      evidence=True, args=("params", "cache", "y", "activation"))
def backward_matches(ctx):
    """backward(params, cache, y, activation) on the reference's cache gives the gradients."""
    for params, cache, y, activation in ctx.cases():
        what = ctx.call_text("backward", [params, cache, y, activation])
        expected = ctx.reference("backward", params, cache, y, activation)
        expect_dict(ctx.call("backward", params, cache, y, activation), expected, what)


@kind(summary="backward agrees with central differences of the student's own forward + "
              "cross_entropy (end to end)",
      params={"eps": Param("positive", 1e-6), "max_rel_error": Param("positive", 1e-5)},
      args=("params", "X", "y", "activation"))
def gradient_check(ctx):
    """backward agrees with central differences of the student's own forward + cross_entropy.

    End to end: it uses the student's forward, cross_entropy and backward together.
    Keys: cases [params, X, y, activation], ``eps``, ``max_rel_error``.
    """
    notes = []
    for params, X, y, activation in ctx.cases():
        eps = float(ctx.params.get("eps", 1e-6))
        limit = float(ctx.params.get("max_rel_error", 1e-5))
        probs, cache, _ = _call_forward(ctx, params, X, activation)
        if isinstance(probs, np.ndarray) and probs.dtype.kind == "f" and probs.dtype.itemsize < 8:
            # a float32 loss moves in steps of ~1e-7: differences over eps = 1e-6 are noise
            eps, limit = max(eps, FLOAT32_EPS), max(limit, FLOAT32_MAX_REL_ERROR)
            notes.append(f"your forward computes in {probs.dtype}: the numerical gradient used "
                         f"eps = {eps:g} and allowed a relative error of {limit:g}")
        what = f"backward(params, cache, y, {activation!r})"
        grads = ctx.call("backward", params, cache, y, activation)
        numeric = ctx.harness("loss_numgrad", params, X, y, activation, eps,
                              what="the numerical gradient of your forward + cross_entropy")
        if not isinstance(grads, dict) or set(grads) != set(params):
            raise Failed(f"{what} returned {kind_of(grads)}; expected a dict with keys {', '.join(params)}")
        for key in params:
            a, b = as_array(grads[key], f"{what}, key {key!r}"), as_array(numeric[key], key)
            expect_shape(a, b.shape, f"{what}, key {key!r}")
            err = np.linalg.norm(a - b) / max(1e-12, np.linalg.norm(a) + np.linalg.norm(b))
            if not err < limit:
                raise Failed(f"{what}: relative error {err:.2g} for {key} between your backward and "
                             f"the numerical gradient of your own forward + cross_entropy "
                             f"(at most {limit:g} expected)")
    return "; ".join(dict.fromkeys(notes)) or None


@kind(summary="predict returns the argmax class (or that of the student's own forward)",
      evidence=True, args=("params", "X", "activation"))
def predict_labels(ctx):
    """predict returns, for each row, the class the network finds most probable."""
    for params, X, activation in ctx.cases():
        what = ctx.call_text("predict", [params, X, activation])
        probs = ctx.reference("forward", params, X, activation)[0]
        expected = np.argmax(probs, axis=1)                    # (N,)
        actual = as_array(ctx.call("predict", params, X, activation), what, expected.shape)
        if actual.shape != expected.shape:
            raise Failed(f"{what}: expected labels of shape {expected.shape}, got shape {actual.shape}")
        if np.array_equal(actual, expected):
            continue
        wrong = np.flatnonzero(actual != expected)
        raise Failed(f"{what}: {len(wrong)} of {len(expected)} labels differ from the most probable "
                     f"class; row {wrong[0]}: expected {expected[wrong[0]]}, got {actual[wrong[0]]:g}")


@kind(summary="predict returns (N,) integers", args=("params", "X", "activation"))
def integer_labels(ctx):
    """predict returns integer labels of shape (N,)."""
    for params, X, activation in ctx.cases():
        what = ctx.call_text("predict", [params, X, activation])
        actual = ctx.call("predict", params, X, activation)
        if not isinstance(actual, np.ndarray) or actual.dtype.kind not in "iu":
            raise Failed(f"{what} returned {kind_of(actual)}; expected an array of integer labels")
        if actual.shape != (X.shape[0],):
            raise Failed(f"{what}: expected labels of shape ({X.shape[0]},), got shape {actual.shape}")
