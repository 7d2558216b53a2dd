"""Check kinds for init_params: shapes, a sensible random scale, and use of the rng.

Valid schemes differ (N(0, 0.01^2), LeCun, Xavier, He, small uniform), so the scale
check accepts any centred random weights with std * sqrt(fan_in) <= MAX_SCALED_STD,
and rejects constant, all-positive or offset weights and plain N(0, 1) for wide layers.
"""
import numpy as np

from grader.inputs import Rng
from grader.checks.base import Failed
from grader.checks.compare import as_array, kind_of
from grader.checks.registry import Param, kind

MAX_SCALED_STD = 3.0      # He gives sqrt(2) ~ 1.41; plain randn at fan_in 784 gives 28
MAX_MEAN_IN_STDS = 0.25   # sampling noise of the mean is < 0.04 std for >= 640 entries


def _init(ctx, sizes, seed):
    what = ctx.call_text("init_params", [list(sizes), "rng"]).replace("'rng'", "rng")
    params = ctx.call("init_params", list(sizes), Rng(seed))
    if not isinstance(params, dict):
        raise Failed(f"{what} returned {kind_of(params)}; expected a dict of W1, b1, ...")
    return params, what


@kind(summary="`init_params` gives W{l} (H_{l-1}, H_l) and b{l} (H_l,)",
      params={"layer_sizes": Param("sizes_list", required=True)})
def init_shapes(ctx):
    """Keys W1, b1, ..., WL, bL with W{l} (H_{l-1}, H_l) and b{l} (H_l,) (or (1, H_l))."""
    for sizes in ctx.params["layer_sizes"]:
        params, what = _init(ctx, sizes, 0)
        for l in range(1, len(sizes)):
            for key, shapes in ((f"W{l}", [(sizes[l - 1], sizes[l])]),
                                (f"b{l}", [(sizes[l],), (1, sizes[l])])):
                if key not in params:
                    raise Failed(f"{what}: no {key!r} in the result (keys: {', '.join(map(str, params))})")
                arr = as_array(params[key], f"{what}[{key!r}]")
                if arr.shape not in shapes:
                    raise Failed(f"{what}[{key!r}]: expected shape {shapes[0]}, got {arr.shape}",
                                 "W{l} maps layer l-1 to layer l: shape (inputs, outputs), row-major.")
        extra = [str(k) for k in params if k not in {f"{p}{l}" for l in range(1, len(sizes)) for p in "Wb"}]
        if extra:
            raise Failed(f"{what}: unexpected keys {', '.join(extra)}")


@kind(summary="weights random, centred, std ≤ 3/sqrt(fan_in)",
      params={"layer_sizes": Param("sizes_list", required=True)}, evidence=True)
def init_scale(ctx):
    """Weights are random, centred on 0, and scaled for their fan-in."""
    for sizes in ctx.params["layer_sizes"]:
        params, what = _init(ctx, sizes, 0)
        for l in range(1, len(sizes)):
            W = as_array(params.get(f"W{l}"), f"{what}['W{l}']")
            fan_in = sizes[l - 1]
            std, mean = float(W.std()), float(W.mean())
            if not np.all(np.isfinite(W)):
                raise Failed(f"{what}['W{l}'] contains nan or inf")
            if std == 0.0:
                raise Failed(f"{what}['W{l}']: every weight is {mean:.6g}; with equal weights all "
                             f"hidden units compute the same thing and stay identical")
            if abs(mean) > MAX_MEAN_IN_STDS * std:
                raise Failed(f"{what}['W{l}']: weights average {mean:.3g} with std {std:.3g}; "
                             f"they should be centred on 0")
            if std * np.sqrt(fan_in) > MAX_SCALED_STD:
                raise Failed(f"{what}['W{l}']: std {std:.3g} for fan-in {fan_in}, i.e. "
                             f"{std * np.sqrt(fan_in):.3g}/sqrt(fan_in); at most "
                             f"{MAX_SCALED_STD:g}/sqrt(fan_in) keeps units out of saturation")


@kind(summary="same seed → same weights, other seed → other weights",
      params={"layer_sizes": Param("sizes_list", required=True, doc="the first is used")}, evidence=True)
def init_uses_rng(ctx):
    """The same generator seed gives the same weights, different seeds different ones."""
    sizes = ctx.params["layer_sizes"][0]
    a, what = _init(ctx, sizes, 1)
    b, _ = _init(ctx, sizes, 1)
    c, _ = _init(ctx, sizes, 2)
    W_a, W_b, W_c = (as_array(p.get("W1"), f"{what}['W1']") for p in (a, b, c))
    if W_a.shape != W_b.shape or not np.array_equal(W_a, W_b):
        raise Failed(f"{what}: two generators with the same seed gave different weights")
    if W_a.shape == W_c.shape and np.array_equal(W_a, W_c):
        raise Failed(f"{what}: generators with different seeds gave identical weights; "
                     f"draw the weights from the rng argument (rng.normal, rng.standard_normal)")
