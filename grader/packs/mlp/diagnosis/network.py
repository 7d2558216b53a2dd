"""Detectors for init_params, forward and backward."""
import numpy as np

from grader.inputs import Rng
from grader.packs.mlp.checks.init import MAX_MEAN_IN_STDS, MAX_SCALED_STD
from grader.diagnosis.finding import Finding
from grader.diagnosis.probe import as_array, close, scale_between
from grader.diagnosis.registry import detector

from .variants import backward_variants, deltas


def random_params(sizes, seed, bias_scale=0.5):
    """W{l} ~ N(0, 1/fan_in) and non-zero biases b{l} ~ N(0, bias_scale²)."""
    rng = np.random.default_rng(seed)
    params = {}
    for l in range(1, len(sizes)):
        params[f"W{l}"] = rng.standard_normal((sizes[l - 1], sizes[l])) / np.sqrt(sizes[l - 1])
        params[f"b{l}"] = rng.standard_normal(sizes[l]) * bias_scale
    return params


# -------------------------------------------------------------- init_params
@detector(bugs=("init-zero-weights", "init-not-centered", "init-too-large"))
def init_params(probe):
    sizes = [784, 128, 64, 10]
    params = probe.call("init_params", sizes, Rng(0))
    if not isinstance(params, dict):
        return []
    weights = [(l, as_array(params.get(f"W{l}"))) for l in range(1, len(sizes))]
    if any(W is None or W.size < 2 or not np.all(np.isfinite(W)) for _, W in weights):
        return []
    for l, W in weights:
        if W.std() == 0:
            return [Finding("init-zero-weights", "init_params",
                            f"every weight of W{l} is {W.flat[0]:g}: all hidden units compute the "
                            f"same thing and get the same updates")]
    for l, W in weights:
        if abs(W.mean()) > MAX_MEAN_IN_STDS * W.std() or W.min() >= 0:
            return [Finding("init-not-centered", "init_params",
                            f"W{l} ranges from {W.min():.3g} to {W.max():.3g} with mean "
                            f"{W.mean():.3g} and std {W.std():.3g}: not centred on 0")]
    for l, W in weights:
        fan_in = sizes[l - 1]
        if W.std() * np.sqrt(fan_in) > MAX_SCALED_STD:
            return [Finding("init-too-large", "init_params",
                            f"W{l} has std {W.std():.3g} for fan-in {fan_in}, "
                            f"{W.std() * np.sqrt(fan_in):.3g}/sqrt(fan_in): a unit's input sums "
                            f"{fan_in} such terms and lands deep in saturation")]
    return []


# ------------------------------------------------------------------ forward
def _forward(probe, params, X, activation):
    result = probe.call("forward", params, X, activation)
    if not isinstance(result, (tuple, list)) or len(result) != 2 or not isinstance(result[1], dict):
        return None, None
    cache = {k: as_array(v) for k, v in result[1].items()}
    return as_array(result[0]), cache


@detector(bugs=("forward-ignores-bias", "forward-ignores-activation", "output-not-softmax",
                "activation-on-logits", "weights-transposed"))
def forward(probe):
    r = probe.reference
    params = random_params([4, 6, 5, 3], 121)
    X = np.random.default_rng(122).standard_normal((7, 4))            # (N, D)
    runs = {act: _forward(probe, params, X, act) for act in r.ACTIVATIONS}
    if any(probs is None for probs, _ in runs.values()):
        return _transposed_forward(probe)
    return [finding for finding in (_bias(params, X, runs["relu"][1]), _hidden(r, runs), _output(r, runs))
            if finding]


def _bias(params, X, cache):
    """forward-ignores-bias: Z1 against X @ W1 (+ b1), with non-zero b1."""
    Z1 = cache.get("Z1")
    if Z1 is None or Z1.shape != (X.shape[0], params["W1"].shape[1]):
        return None
    offset = Z1 - X @ params["W1"]                                     # b1 in every row
    if close(offset, np.zeros_like(offset)):
        return Finding("forward-ignores-bias", "forward",
                       "with non-zero biases, cache['Z1'] equals X @ W1: b1 is not added")
    if close(offset, np.full_like(offset, offset.flat[0])) and not close(offset[0], params["b1"]):
        return Finding("forward-ignores-bias", "forward",
                       f"cache['Z1'] equals X @ W1 + {offset.flat[0]:g}, not X @ W1 + b1")
    return None


def _hidden(r, runs):
    """forward-ignores-activation: the same f maps Z{l} to A{l} whatever ``activation`` says."""
    used = {}                                 # activation asked for -> functions seen applied
    for act, (_, cache) in runs.items():
        used[act] = {name for name, (f, _) in r.ACTIVATIONS.items()
                     for l in range(1, _layers(cache))
                     if cache.get(f"Z{l}") is not None and close(cache.get(f"A{l}"), f(cache[f"Z{l}"]))}
    always = set.intersection(*used.values())
    if len(always) == 1 and any(act not in names for act, names in used.items()):
        return Finding("forward-ignores-activation", "forward",
                       f"the hidden layers apply {always.pop()} whether activation is "
                       f"{_listed([repr(a) for a in r.ACTIVATIONS], 'or')}")
    return None


def _output(r, runs):
    """output-not-softmax / activation-on-logits: what maps the last Z to probs."""
    seen = set()
    for act, (probs, cache) in runs.items():
        ZL, f = cache.get(f"Z{_layers(cache)}"), r.ACTIVATIONS[act][0]
        if ZL is None or close(probs, r.softmax(ZL)):
            seen.add("softmax")
        elif close(probs, r.sigmoid(ZL)):
            seen.add("sigmoid")
        elif close(probs, f(ZL)):
            seen.add("hidden activation")
        elif close(probs, r.softmax(f(ZL))):
            seen.add("activation then softmax")
        else:
            seen.add("something else")
    if seen <= {"sigmoid", "hidden activation"}:
        return Finding("output-not-softmax", "forward",
                       f"probs equal {' / '.join(sorted(seen))} of the last Z, not its softmax: "
                       f"rows do not sum to 1")
    if seen - {"softmax"} == {"activation then softmax"}:     # relu(Z) = Z where all Z > 0
        return Finding("activation-on-logits", "forward",
                       "probs equal softmax(f(Z_L)), with the hidden activation f applied to the "
                       "last layer's logits first")
    return None


def _listed(items, last="and"):
    """["a", "b", "c"] -> "a, b and c"."""
    items = list(items)
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} {last} {items[-1]}"


def _layers(cache):
    """L, from a cache with Z1..ZL (the probe network has 3 layers)."""
    return max((int(k[1:]) for k in cache if k[:1] == "Z" and k[1:].isdigit()), default=3)


def _transposed_forward(probe):
    """forward fails on (inputs, outputs) weights: is it written for (outputs, inputs)?"""
    r = probe.reference
    params = random_params([4, 4, 4], 123)                            # square: both ways fit
    X = np.random.default_rng(124).standard_normal((5, 4))
    probs, _ = _forward(probe, params, X, "tanh")
    flipped = {k: (v.T if k.startswith("W") else v) for k, v in params.items()}
    if close(probs, r.forward(flipped, X, "tanh")[0]) and not close(probs, r.forward(params, X, "tanh")[0]):
        return [Finding("weights-transposed", "forward",
                        "forward fails on W1 of shape (inputs, outputs), and on square layers it "
                        "computes the network with every W transposed (X @ W.T)")]
    return []


# ----------------------------------------------------------------- backward
PROBES = (                       # sizes, N, activation: N/D, N and N/C differ between them
    ([4, 6, 5, 3], 10, "tanh"),
    ([5, 7, 4], 6, "sigmoid"),
)


def _probe_case(r, sizes, N, activation, seed):
    params = random_params(sizes, seed)
    rng = np.random.default_rng(seed + 1)
    X = rng.standard_normal((N, sizes[0]))
    y = rng.integers(0, sizes[-1], N)
    cache = r.forward(params, X, activation)[1]
    return params, X, y, cache


def _common_scale(actual, expected):
    """The one k with actual[key] == k * expected[key] for every key, or None."""
    ks = []
    for key, value in expected.items():
        a = _fit(actual.get(key), value.shape)
        k = scale_between(a, value)
        if k is None and a is not None and close(a, 0 * value) and not np.any(value):
            continue
        if k is None:
            return None
        ks.append(k)
    return ks[0] if ks and np.allclose(ks, ks[0], rtol=1e-4) else None


def _fit(a, shape):
    """A bias gradient of shape (1, H) (keepdims) read as (H,); anything else as it is."""
    return a.reshape(shape) if a is not None and a.shape == (1,) + tuple(shape) else a


def _per_key(r, actual, params, cache, Y, activation):
    """For each key: "ok", or the catalog id its value matches, or "?"."""
    L = r.num_layers(params)
    f_prime = r.ACTIVATIONS[activation][1]
    dZ = deltas(r, params, cache, Y, [f_prime(cache[f"Z{l}"]) for l in range(1, L)])
    expected = {k: v for l in dZ for k, v in (("W%d" % l, cache[f"A{l - 1}"].T @ dZ[l]),
                                                ("b%d" % l, dZ[l].sum(axis=0)))}
    verdict = {}
    for key, want in expected.items():
        a, l = actual.get(key), int(key[1:])
        if a is None:
            verdict[key] = "?"
        elif close(_fit(a, want.shape), want):
            verdict[key] = "ok"
        elif key[0] == "W" and a.shape == want.T.shape and a.shape != want.shape and close(a, want.T):
            verdict[key] = "weights-transposed"
        elif key[0] == "W" and any(close(a, M.T @ dZ[l]) for M in _other_inputs(cache, l, L)):
            verdict[key] = "grad-wrong-layer-input"
        elif key[0] == "b" and (close(a, dZ[l]) or any(close(a, dZ[l][i]) for i in (0, -1))):
            verdict[key] = "bias-grad-not-summed"
        elif key[0] == "b" and (close(a, dZ[l].sum(axis=1)) or close(a, np.asarray(dZ[l].sum()))):
            verdict[key] = "bias-grad-wrong-axis"
        else:
            verdict[key] = "?"
    return verdict


def _other_inputs(cache, l, L):
    """What a dW{l} might wrongly be built from: another layer's activation, or Z{l-1}."""
    others = [cache[f"A{k}"] for k in range(0, L + 1) if k != l - 1]
    return others + ([cache[f"Z{l - 1}"]] if l > 1 else [])


def _explain(probe, sizes, N, activation, seed):
    """One probe -> (bug id or "scale", detail) or None: what the student's gradients are."""
    r = probe.reference
    params, X, y, cache = _probe_case(r, sizes, N, activation, seed)
    raw = probe.call("backward", params, cache, y, activation)
    if not isinstance(raw, dict):
        return None
    actual = {k: as_array(v) for k, v in raw.items()}
    if any(v is None for v in actual.values()):
        return None
    Y = r.one_hot(y, sizes[-1])
    right = r.backward(params, cache, y, activation)
    own = [probe.array(f"{activation}_grad", cache[f"Z{l}"]) for l in range(1, len(sizes) - 1)]
    if all(o is not None and o.shape == cache[f"Z{l + 1}"].shape for l, o in enumerate(own)):
        implied = r.backprop(params, cache, Y, own)
        if _common_scale(actual, implied) == 1.0 or all(close(actual.get(k), v) for k, v in implied.items()):
            return None                       # right for the student's own derivative
    k = _common_scale(actual, right)
    if k is not None:
        return None if abs(k - 1) < 1e-4 else ("scale", k)
    for bug, grads in backward_variants(r, params, cache, y, activation):
        k = _common_scale(actual, grads)
        if k is not None and k > 0:
            return bug, k
    verdict = _per_key(r, actual, params, cache, Y, activation)
    bugs = set(verdict.values()) - {"ok"}
    if len(bugs) == 1 and "?" not in bugs:
        bug = bugs.pop()
        return bug, [key for key, v in verdict.items() if v == bug]
    return None


SCALE_NAMES = (                      # bug, factor k(N, D, C), what k means
    ("grad-sign-flipped", lambda N, D, C: -1.0, "exactly minus the right ones"),
    ("grad-divided-by-features", lambda N, D, C: N / D,
     "N/D times the right ones: divided by the number of features D, not the batch size N"),
    ("grad-not-averaged", lambda N, D, C: float(N), "N times the right ones: summed, not averaged"),
    ("grad-wrong-scale", lambda N, D, C: N / C,
     "N/C times the right ones: divided by the number of classes C, not the batch size N"),
)


@detector(bugs=("grad-sign-flipped", "grad-divided-by-features", "grad-not-averaged",
                "grad-wrong-scale", "weights-transposed", "grad-wrong-layer-input",
                "bias-grad-not-summed", "bias-grad-wrong-axis", "activation-grad-at-output",
                "missing-activation-grad", "softmax-grad-mse"))
def backward(probe):
    explained = [(_explain(probe, sizes, N, act, 131 + 10 * i), sizes, N)
                 for i, (sizes, N, act) in enumerate(PROBES)]
    if any(e is None for e, _, _ in explained):
        return []
    kinds = {e[0] for e, _, _ in explained}
    if len(kinds) != 1:
        return []
    kind = kinds.pop()
    if kind == "scale":
        ks = [e[1] for e, _, _ in explained]
        dims = [(N, sizes[0], sizes[-1]) for _, sizes, N in explained]
        (N, D, C), k = dims[0], ks[0]
        for bug, formula, words in SCALE_NAMES:
            if all(np.isclose(k, formula(*d), rtol=1e-4) for k, d in zip(ks, dims)):
                return [Finding(bug, "backward",
                                f"for a batch of N = {N} samples with D = {D} features and C = {C} "
                                f"classes every gradient is {k:.4g} times the right one, i.e. "
                                f"{words} (the same on a second batch)")]
        if np.isclose(ks[0], ks[1], rtol=1e-4):
            return [Finding("grad-wrong-scale", "backward",
                            f"every gradient is {ks[0]:.4g} times the right one, on two probes "
                            f"with different N, D and C")]
        return []
    first = explained[0][0]
    if kind in ("weights-transposed", "grad-wrong-layer-input", "bias-grad-not-summed",
                "bias-grad-wrong-axis"):
        keys = sorted(set(first[1]) | set(explained[1][0][1]))
        what = {"weights-transposed": "the right gradient transposed, of shape (outputs, inputs)",
                "grad-wrong-layer-input": "built from another layer's values instead of A{l-1}",
                "bias-grad-not-summed": "not summed over the batch (per sample, or one sample's)",
                "bias-grad-wrong-axis": "summed over the wrong axis"}[kind]
        return [Finding(kind, "backward", f"the gradient{'s' if len(keys) > 1 else ''} of {_listed(keys)} "
                                          f"{'is' if len(keys) == 1 else 'are each'} "
                                          f"{what}; the other gradients are right")]
    words = {"activation-grad-at-output": "backprop with f′(A) in place of f′(Z)",
             "missing-activation-grad": "backprop with the hidden layers' f′(Z) factor left out",
             "softmax-grad-mse": "backprop started from a squared-error delta through softmax, "
                                 "not from P − Y"}[kind]
    return [Finding(kind, "backward", f"for tanh and sigmoid layers the gradients match {words}")]
