"""Detector for numerical_gradient."""
import numpy as np

from grader.diagnosis.finding import Finding
from grader.diagnosis.probe import close
from grader.diagnosis.registry import detector
from grader.inputs import Probe as ProbeFunction, for_reference

from .variants import differences

EPS = 1e-4      # large enough that one-sided and central differences differ visibly


@detector(bugs=("numgrad-not-restored", "numgrad-sign-flipped", "numgrad-one-sided"))
def numerical_gradient(probe):
    rng = np.random.default_rng(171)
    c, x = rng.standard_normal((3, 4)), rng.standard_normal((3, 4))
    f = ProbeFunction("sin_dot", (c,))
    changed = probe.changed("numerical_gradient", f, x, EPS)
    if changed:
        return [Finding("numgrad-not-restored", "numerical_gradient",
                        "after numerical_gradient(f, x) returns, x is not what it was: the "
                        "perturbed entries were not put back")]
    out = probe.array("numerical_gradient", f, x, EPS)
    fx = for_reference(f)       # the same function, marked as the probe it is (a kit's records know it)
    variants = {kind: differences(fx, x, EPS, kind) for kind in ("central", "forward", "backward")}
    tight = dict(rtol=1e-6, atol=1e-9)       # one-sided and central differ by ~eps · f''
    if out is None or close(out, variants["central"], **tight):
        return []
    if close(out, -variants["central"], **tight):
        return [Finding("numgrad-sign-flipped", "numerical_gradient",
                        "numerical_gradient returns exactly minus the central differences "
                        "(f(x − eps) − f(x + eps)) / (2 eps)")]
    for kind in ("forward", "backward"):
        if close(out, variants[kind], **tight):
            return [Finding("numgrad-one-sided", "numerical_gradient",
                            f"numerical_gradient returns {kind} differences, whose error is "
                            f"about eps · f''/2 instead of eps² · f'''/6")]
    return []
