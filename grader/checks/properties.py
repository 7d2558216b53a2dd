"""Check kinds for properties of a probability output."""
import numpy as np

from .base import Failed
from .compare import as_array
from .registry import SIGNATURE, kind


@kind(summary="each row of the (N, C) result is a distribution", args=SIGNATURE)
def rows_sum_to_one(ctx):
    """Every row of the (N, C) result is a probability distribution: >= 0, sums to 1."""
    func = ctx.function.name
    for args in ctx.cases():
        what = ctx.call_text(func, args)
        P = as_array(ctx.call(func, *args), what)
        if P.ndim != 2:
            raise Failed(f"{what}: expected a 2-D array (N, C), got shape {P.shape}")
        sums = P.sum(axis=1)                                        # (N,)
        if np.all(np.isfinite(P)) and np.all(P >= 0) and np.allclose(sums, 1.0, atol=1e-6):
            continue
        detail = ""
        if P.shape[0] > 1 and np.allclose(P.sum(axis=0), 1.0, atol=1e-6):
            detail = "; its columns sum to 1 instead"
        elif np.isclose(P.sum(), 1.0, atol=1e-6):
            detail = "; the whole array sums to 1 instead"
        shown = np.array2string(sums[:4], precision=3, separator=", ")
        raise Failed(f"{what}: rows sum to {shown}{'...' if len(sums) > 4 else ''}, not 1{detail}")
