"""A finding: one catalog bug seen in one function, with the evidence that names it."""
from dataclasses import dataclass


@dataclass(frozen=True)
class Finding:
    id: str             # a catalog id, e.g. "softmax-wrong-axis"
    function: str       # where it was seen (a catalog entry for "any" names no function)
    evidence: str       # what the detector observed, in one sentence
