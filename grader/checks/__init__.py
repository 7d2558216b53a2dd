"""The check kinds a task file may name, by name.

Generic kinds (values.py) work for any task; the others know about layered networks.
A kind is a function ``kind(ctx) -> note | None`` that raises ``Failed`` (see base.py),
declared with ``@kind(...)`` (registry.py): its parameters, what its args are, evidence.
"""
from .base import Context, Failed
from .batching import minibatch_property
from .init import init_scale, init_shapes, init_uses_rng
from .network import backward_matches, forward_layers, gradient_check, integer_labels, predict_labels
from .properties import rows_sum_to_one
from .registry import declaration
from .training import learns
from .values import matches_reference, returns_number, same_shape, unchanged_inputs, values_in_range

KINDS = {kind.__name__: kind for kind in (
    matches_reference, same_shape, returns_number, unchanged_inputs, values_in_range,
    rows_sum_to_one,
    init_shapes, init_scale, init_uses_rng,
    forward_layers, backward_matches, gradient_check, predict_labels, integer_labels,
    minibatch_property,
    learns,
)}

# "No points without evidence": a function earns nothing until one of its *value* checks
# passes (one that compares what it computes with the reference). Shape, property and
# consistency checks count only then. Each kind declares its default with @kind(evidence=...)
# (registry.py): a bool, or a function of the check's params; a check may override it with
# `evidence: true|false` in the task file.
EVIDENCE = {name: declaration(func).evidence for name, func in KINDS.items()}


def is_evidence(check):
    """Whether passing ``check`` (a CheckSpec) shows the function computes something right."""
    if "evidence" in check.params:
        return bool(check.params["evidence"])
    spec = declaration(KINDS.get(check.kind))
    return spec.is_evidence(check.params) if spec else False


__all__ = ["EVIDENCE", "KINDS", "Context", "Failed", "is_evidence"]
