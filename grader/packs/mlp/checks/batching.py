"""Check kinds for minibatches(X, y, batch_size, rng).

The probe data makes every sample identifiable: row i of X starts with i and y[i] = i,
so the batches show which samples came, in which order, and whether rows stayed paired.
"""
import numpy as np

from grader.inputs import Rng
from grader.checks.base import Failed
from grader.checks.compare import as_array, kind_of
from grader.checks.registry import Param, kind, when


def probe_data(n, d):
    """X (n, d) whose row i is [i, i + 0.5, ...] and labels y (n,) = 0..n-1."""
    X = np.arange(n, dtype=np.float64)[:, None] + 0.5 * np.arange(d)[None, :]   # (n, d)
    return X, np.arange(n)


def batches_of(result, what):
    """minibatches' output -> [(X_batch (B, D), y_batch (B,))] as float arrays, or Failed."""
    if not isinstance(result, (list, tuple)) or not result:
        raise Failed(f"{what} produced {kind_of(result)}; expected (X_batch, y_batch) pairs")
    out = []
    for i, item in enumerate(result):
        if not isinstance(item, (tuple, list)) or len(item) != 2:
            raise Failed(f"{what}: batch {i} is {kind_of(item)}; expected a pair (X_batch, y_batch)")
        Xb = as_array(item[0], f"{what}: X_batch {i}")
        yb = as_array(item[1], f"{what}: y_batch {i}")
        if Xb.ndim != 2 or yb.ndim != 1 or len(Xb) != len(yb):
            raise Failed(f"{what}: batch {i} has X of shape {Xb.shape} and y of shape {yb.shape}; "
                         f"expected (B, D) and (B,)")
        out.append((Xb, yb))
    return out


@kind(summary="one `property` of `minibatches`: `partition`, `paired`, `shuffled`, `sizes`, `reshuffles`",
      params={"property": Param("string", allowed=("partition", "paired", "shuffled", "sizes", "reshuffles"),
                                required=True),
              "n": Param("count", 103, doc="samples"), "d": Param("count", 3, doc="features"),
              "batch_size": Param("count", 10)},
      evidence=when("property", "partition"))
def minibatch_property(ctx):
    """One property of the batches of a single call (see ``property``).

    "partition": every sample exactly once; "paired": rows of X and y stay together;
    "shuffled": not in the original order; "sizes": batch_size rows each, the last may
    be smaller; "reshuffles": two calls with one generator give two different orders.
    """
    n, d, size = ctx.params.get("n", 103), ctx.params.get("d", 3), ctx.params.get("batch_size", 10)
    X, y = probe_data(n, d)
    what = f"minibatches(X, y, {size}, rng) with X of shape {X.shape}"
    prop = ctx.params["property"]
    if prop == "reshuffles":
        runs = ctx.harness("call_repeatedly", "minibatches", [X, y, size, Rng(3)], 2,
                           what="minibatches() twice")
        first, second = (batches_of(r, what) for r in runs)
        order1 = np.concatenate([b[1] for b in first])
        order2 = np.concatenate([b[1] for b in second])
        if order1.shape == order2.shape and np.array_equal(order1, order2):
            raise Failed(f"{what}: two calls with the same generator gave the same order; every "
                         f"epoch should see a fresh permutation")
        return
    batches = batches_of(ctx.call("minibatches", X, y, size, Rng(3)), what)
    ids = np.concatenate([b[0][:, 0] for b in batches])         # which rows of X came
    if prop == "partition":
        counts = np.bincount(np.clip(ids, 0, n).astype(int), minlength=n + 1)[:n]
        if len(ids) != n or not np.all(counts == 1) or not np.array_equal(np.sort(ids), np.arange(n)):
            repeated, missing = np.flatnonzero(counts > 1), np.flatnonzero(counts == 0)
            detail = []
            if len(repeated):
                detail.append(f"sample {repeated[0]} came {counts[repeated[0]]} times")
            if len(missing):
                detail.append(f"{len(missing)} samples never came (e.g. {missing[0]})")
            raise Failed(f"{what}: {len(ids)} rows in all for {n} samples; " + ", ".join(detail or ["rows were altered"]))
    elif prop == "paired":
        for i, (Xb, yb) in enumerate(batches):
            if not np.array_equal(Xb[:, 0], yb):
                j = int(np.flatnonzero(Xb[:, 0] != yb)[0])
                raise Failed(f"{what}: in batch {i}, row {j} of X is sample {Xb[j, 0]:g} but its label "
                             f"is sample {yb[j]:g}'s; X and y must be shuffled with the same permutation")
    elif prop == "shuffled":
        if np.array_equal(ids, np.arange(len(ids))):
            raise Failed(f"{what}: the batches come in the original order of the data; "
                         f"shuffle with rng.permutation first")
    elif prop == "sizes":
        sizes = [len(b[1]) for b in batches]
        expected = [size] * (n // size) + ([n % size] if n % size else [])
        if sizes != expected:
            raise Failed(f"{what}: batch sizes {_short(sizes)}; expected {_short(expected)}")
    else:
        raise ValueError(f"unknown property {prop!r}")


def _short(sizes):
    return str(sizes) if len(sizes) <= 12 else f"{sizes[:5]} ... ({len(sizes)} batches)"
