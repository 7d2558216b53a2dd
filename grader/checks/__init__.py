"""The check kinds a task file may name, by name.

The core's kinds (values.py, properties.py) work for any task; a pack adds kinds of its
own (grader/packs/). A kind is a function ``kind(ctx) -> note | None`` that raises
``Failed`` (see base.py), declared with ``@kind(...)`` (registry.py): its parameters,
what its args are, evidence.
"""
from .base import Context, Failed
from .properties import rows_sum_to_one
from .registry import declaration
from .values import matches_reference, returns_number, same_shape, unchanged_inputs, values_in_range

CORE_KINDS = {kind.__name__: kind for kind in (
    matches_reference, same_shape, returns_number, unchanged_inputs, values_in_range,
    rows_sum_to_one,
)}


def kinds_for(pack):
    """The kinds a task of ``pack`` (a Pack) may name: the core's and the pack's."""
    clash = set(CORE_KINDS) & set(pack.kinds)
    assert not clash, f"pack {pack.name} redefines core kinds {sorted(clash)}"
    return {**CORE_KINDS, **pack.kinds}


def all_kinds():
    """The core's kinds and every pack's: what the shipped schema and docs/tasks.md list."""
    from ..packs import all_packs
    kinds = dict(CORE_KINDS)
    for pack in all_packs():
        kinds.update(kinds_for(pack))
    return kinds


# "No points without evidence": a function earns nothing until one of its *value* checks
# passes (one that compares what it computes with the reference). Shape, property and
# consistency checks count only then. Each kind declares its default with @kind(evidence=...)
# (registry.py): a bool, or a function of the check's params; a check may override it with
# `evidence: true|false` in the task file.
def is_evidence(check, kinds):
    """Whether passing ``check`` (a CheckSpec) shows the function computes something right;
    ``kinds`` are the task's (Task.kinds)."""
    if "evidence" in check.params:
        return bool(check.params["evidence"])
    spec = declaration(kinds.get(check.kind))
    return spec.is_evidence(check.params) if spec else False


__all__ = ["CORE_KINDS", "Context", "Failed", "all_kinds", "is_evidence", "kinds_for"]
