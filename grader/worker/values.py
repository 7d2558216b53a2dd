"""Inside the worker: what a student's function returned, made ready to cross back.

Generators and other iterators become the list of what they yielded (bounded), so a
check can tell a generator from a list. Loaded by path in the worker.
"""
import types

import numpy as np

import _gw_protocol as protocol

MAX_YIELDED = 100_000              # items materialised from a generator before giving up


def materialise(value):
    """Generators and other iterators become the list of what they yielded."""
    if isinstance(value, (types.GeneratorType, map, filter, zip)) or (
        hasattr(value, "__next__") and not isinstance(value, (np.ndarray, str, bytes))
    ):
        items = protocol.Yielded()
        for item in value:
            items.append(item)
            if len(items) > MAX_YIELDED:
                raise RuntimeError(f"the generator yielded more than {MAX_YIELDED} items")
        return items
    return value
