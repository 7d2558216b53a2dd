"""The MLP pack's harness routines: worker-side code that drives several of the student's
functions in one request (a numerical gradient through their own forward and loss, a
traced training run). Each takes the submission's namespace first. Sent to the worker as
text (Pack.harness); imports nothing from ``grader``, only numpy and the worker's own
``_gw_values``.
"""
import numpy as np

import _gw_values as values

def loss_numgrad(ns, params, X, y, activation, eps):
    """Central differences of the student's own loss cross_entropy(forward(...)[0], y).

    Returns {key: array shaped like params[key]}; the student's functions do the work.
    """
    forward, cross_entropy = ns["forward"], ns["cross_entropy"]

    def loss():
        return float(cross_entropy(forward(params, X, activation)[0], y))

    grads = {}
    for key, p in params.items():
        g = np.zeros(p.shape)
        for i in np.ndindex(p.shape):
            old = p[i]
            p[i] = old + eps
            plus = loss()
            p[i] = old - eps
            minus = loss()
            p[i] = old
            g[i] = (plus - minus) / (2 * eps)
        grads[key] = g
    return grads


TRACED = {                          # helper -> (argument name, position) to record
    "init_params": ("layer_sizes", 0), "minibatches": ("batch_size", 2),
    "forward": ("X", 1), "backward": (None, None), "sgd_step": ("lr", 2),
}
MAX_EVENTS = 5000


def _argument(args, kwargs, name, position):
    if name in kwargs:
        return kwargs[name]
    return args[position] if position is not None and position < len(args) else None


def _recorded(name, value):
    """What the trace keeps of an argument: sizes and rates as numbers, X as its first column
    (None for anything else: the trace must never make the student's train fail)."""
    try:
        return _record(name, value)
    except Exception:
        return None


def _record(name, value):
    if name == "X":
        X = np.asarray(value)
        return X[:, 0].astype(np.float64).tolist() if X.ndim == 2 and X.shape[1] else None
    if name == "layer_sizes":
        return [int(v) for v in value] if isinstance(value, (list, tuple, np.ndarray)) else None
    if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
        return float(value)
    return None


def trace_train(ns, X, y, layer_sizes, kwargs):
    """Run the student's train with its own helpers wrapped, recording each call in order.

    -> {"events": [[helper, recorded argument, activation], ...], "params": what train
    returned}. The helpers are looked up in the submission's namespace at call time, so
    replacing them there is enough; they are put back afterwards.
    """
    events, originals = [], {name: ns[name] for name in TRACED if callable(ns.get(name))}

    def wrap(name, func):
        arg_name, position = TRACED[name]

        def traced(*args, **kw):
            if len(events) < MAX_EVENTS:
                activation = _argument(args, kw, "activation", 2) if name == "forward" else None
                events.append([name, _recorded(arg_name, _argument(args, kw, arg_name, position))
                               if arg_name else None, activation if isinstance(activation, str) else None])
            return func(*args, **kw)
        return traced

    for name, func in originals.items():
        ns[name] = wrap(name, func)
    try:
        params = ns["train"](X, y, layer_sizes, **kwargs)
    finally:
        ns.update(originals)
    return {"events": events, "params": params}


MAX_SNAPSHOTS = 50


def train_with_snapshots(ns, X, y, layer_sizes, kwargs, steps_per_epoch):
    """Run the student's train, keeping a copy of the parameters after every
    ``steps_per_epoch``-th call of their own sgd_step (its result, or its first argument
    when it returns nothing) -> {"params": what train returned, "snapshots": [params after
    epoch 1, 2, ...], "steps": sgd_step calls}. Nothing else about the call changes."""
    snapshots, steps = [], [0]
    step = ns.get("sgd_step")

    def counted(*args, **kw):
        result = step(*args, **kw)
        steps[0] += 1
        if steps[0] % steps_per_epoch == 0 and len(snapshots) < MAX_SNAPSHOTS:
            try:
                current = result if isinstance(result, dict) else (args[0] if args else None)
                snapshots.append({k: np.array(v, dtype=np.float64) for k, v in current.items()})
            except Exception:
                snapshots.append(None)
        return result

    if callable(step):
        ns["sgd_step"] = counted
    try:
        params = ns["train"](X, y, layer_sizes, **kwargs)
    finally:
        if callable(step):
            ns["sgd_step"] = step
    return {"params": values.materialise(params), "snapshots": snapshots, "steps": steps[0]}


HARNESS = {"loss_numgrad": loss_numgrad, "trace_train": trace_train,
           "train_with_snapshots": train_with_snapshots}
