"""Near-miss names: "softmax is missing; did you mean soft_max?".

A function is graded only under its exact name; a close name is reported, never used.
"""
import difflib
import re

DID_YOU_MEAN = "{name} is missing; did you mean {candidate} ({where})? Functions are graded only under their exact names"

# ways students name a derivative or gradient: relu_derivative, relu_prime, d_relu, drelu
_GRAD_WORDS = ("grad", "gradient", "derivative", "deriv", "prime", "backward", "back", "der", "d")


def _canonical(name):
    """softMax -> softmax, relu_derivative -> relu_grad, dRelu -> relu_grad."""
    words = [w for w in re.split(r"_+|(?<=[a-z])(?=[A-Z])", name) if w]
    words = [w.lower() for w in words]
    if len(words) > 1 and words[0] in ("d", "grad", "derivative") and words[1] not in _GRAD_WORDS:
        words = words[1:] + ["grad"]
    if len(words) > 1 and words[-1] in _GRAD_WORDS:
        words = words[:-1] + ["grad"]
    return "".join(words)


def near_misses(missing, defined, wanted):
    """{missing name: the defined name it was probably meant as}.

    ``defined`` are the names the student defined, ``wanted`` all names the task grades
    (a name the task grades is never offered as another's near miss).
    """
    candidates = [d for d in defined if d not in wanted]
    by_canonical = {}
    for d in candidates:
        by_canonical.setdefault(_canonical(d), d)
    found = {}
    for name in missing:
        key = _canonical(name)
        if key in by_canonical:
            found[name] = by_canonical[key]
            continue
        close = difflib.get_close_matches(key, list(by_canonical), n=1, cutoff=0.85)
        if close:
            found[name] = by_canonical[close[0]]
    return found
