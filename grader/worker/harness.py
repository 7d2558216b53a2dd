"""The core's harness routines: worker-side code that drives the student's functions in
one request. Each takes the submission's namespace first. A pack adds routines of its
own (Pack.harness: modules sent to the worker as text, each with a HARNESS dict); the
session serves the union (session.py).
"""
import _gw_values as values


def call_repeatedly(ns, func, args, times):
    """Call the student's ``func(*args)`` ``times`` times with the very same argument
    objects (one Generator shared by all calls, as in a training loop)."""
    return [values.materialise(ns[func](*args)) for _ in range(times)]


HARNESS = {"call_repeatedly": call_repeatedly}
