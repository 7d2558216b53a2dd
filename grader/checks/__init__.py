"""The check kinds a task file may name, by name.

Generic kinds (values.py) work for any task; the others know about layered networks.
A kind is a function ``kind(ctx) -> note | None`` that raises ``Failed`` (see base.py).
"""
from .base import Context, Failed
from .batching import minibatch_property
from .init import init_scale, init_shapes, init_uses_rng
from .network import backward_matches, forward_layers, gradient_check, integer_labels, predict_labels
from .properties import rows_sum_to_one
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

__all__ = ["KINDS", "Context", "Failed"]
