"""Check kind for train: does the student's training actually learn?

End to end by nature: train runs the student's own init, batching, forward, backward
and update. The trained parameters come back as plain arrays and are scored here, in
the grader's process, with the reference predict, so the student's predict and
accuracy play no part.
"""
import numpy as np

from grader.checks.base import Failed
from grader.checks.compare import as_array, kind_of
from grader.checks.registry import Param, kind


def trained_params(params, sizes, what):
    """What train returned -> {W{l}: (H_{l-1}, H_l), b{l}: (H_l,)} as finite float arrays,
    or Failed saying what is wrong with it (with the fact "diverged" for nan or inf)."""
    if not isinstance(params, dict):
        raise Failed(f"{what} returned {kind_of(params)}; expected the trained params dict")
    trained = {}
    for l in range(1, len(sizes)):
        for key, shape in ((f"W{l}", (sizes[l - 1], sizes[l])), (f"b{l}", (sizes[l],))):
            if key not in params:
                raise Failed(f"{what}: the returned params have no {key!r}")
            arr = as_array(params[key], f"{what}: params[{key!r}]")
            if arr.size != int(np.prod(shape)):
                raise Failed(f"{what}: params[{key!r}] has shape {arr.shape}; expected {shape}")
            if not np.all(np.isfinite(arr)):
                raise Failed(f"{what}: params[{key!r}] contains nan or inf after training "
                             f"(the training diverged)", facts={"diverged": True})
            trained[key] = arr.reshape(shape)
    return trained


MIN_CONFUSION = 100             # held-out samples a confusion matrix is drawn for (not XOR's 4)


def _curve(ctx, run, sizes, activation, X_test, y_test, epochs, steps):
    """Held-out accuracy after each epoch, from the parameters the run kept after each
    epoch's last sgd_step -> [float] (one per epoch), or None when the run's steps do not
    fall into ``epochs`` epochs of ``steps`` (train did not call sgd_step once a batch)."""
    if not isinstance(run, dict):
        return None
    snapshots = run.get("snapshots")
    if run.get("steps") != epochs * steps or not isinstance(snapshots, list) or len(snapshots) != epochs:
        return None
    curve = []
    for snapshot in snapshots:
        try:
            trained = trained_params(snapshot, sizes, "a snapshot")
        except Failed:
            return None
        curve.append(float(np.mean(ctx.reference("predict", trained, X_test, activation) == y_test)))
    return curve


def confusion(labels, predicted, classes):
    """Counts of (true label, predicted label) -> a classes x classes list of ints
    (rows: the true label); predictions outside 0..classes-1 are left out."""
    labels, predicted = np.asarray(labels).astype(np.int64).ravel(), np.asarray(predicted).astype(np.int64).ravel()
    inside = (predicted >= 0) & (predicted < classes) & (labels >= 0) & (labels < classes)
    counts = np.zeros((classes, classes), dtype=np.int64)
    np.add.at(counts, (labels[inside], predicted[inside]), 1)
    return counts.tolist()


@kind(summary="`train(...)` reaches `threshold` accuracy on held-out data for every seed (scored "
              "with the reference predict)",
      params={"train": Param("pair", required=True, doc="[X, y]"),
              "test": Param("pair", doc="[X, y]; default: the training data"),
              "layer_sizes": Param("sizes", required=True), "activation": Param("string", required=True),
              "lr": Param("positive", required=True), "epochs": Param("count", required=True),
              "batch_size": Param("count", required=True), "seeds": Param("seeds", [0]),
              "threshold": Param("fraction", required=True),
              "dataset_name": Param("string", "the data", doc="for messages"),
              "test_name": Param("string", doc="for messages; default: dataset_name")},
      evidence=True)
def learns(ctx):
    """train(...) reaches at least ``threshold`` accuracy on held-out data for every seed.

    Keys: ``train: [X, y]``, ``test: [X, y]`` (defaults to the training data),
    ``layer_sizes``, ``activation``, ``lr``, ``epochs``, ``batch_size``, ``seeds``,
    ``threshold`` (a fraction), ``dataset_name`` (for messages).
    """
    p = ctx.params
    X, y = ctx.value(p["train"])
    X_test, y_test = ctx.value(p.get("test", p["train"]))
    sizes, activation = list(p["layer_sizes"]), p["activation"]
    name = p.get("dataset_name", "the data")
    for seed in p.get("seeds", [0]):
        what = (f"train(X, y, {sizes}, activation={activation!r}, lr={p['lr']}, epochs={p['epochs']}, "
                f"batch_size={p['batch_size']}, seed={seed}) on {name}")
        kwargs = {"activation": activation, "lr": p["lr"], "epochs": p["epochs"],
                  "batch_size": p["batch_size"], "seed": seed}
        figures = "confusion" not in ctx.facts and len(y_test) >= MIN_CONFUSION  # the first seed's, for the page
        if figures:
            steps = -(-len(y) // p["batch_size"])                  # sgd_step calls an epoch takes
            run = ctx.harness("train_with_snapshots", X, y, sizes, kwargs, steps, what="train()", func="train")
            params = run["params"] if isinstance(run, dict) else None
        else:
            params = ctx.call("train", X, y, sizes, **kwargs)
        trained = trained_params(params, sizes, what)
        predicted = ctx.reference("predict", trained, X_test, activation)
        acc = float(np.mean(predicted == y_test))
        if figures:
            ctx.facts["confusion"] = confusion(y_test, predicted, sizes[-1])
            curve = _curve(ctx, run, sizes, activation, X_test, y_test, p["epochs"], steps)
            if curve:
                ctx.facts["curve"] = {"label": "held-out accuracy", "percent": True,
                                      "student": curve, "threshold": p["threshold"]}
        if acc < p["threshold"]:
            raise Failed(f"{what}: accuracy {acc:.1%} on {p.get('test_name', name)}; at least "
                         f"{p['threshold']:.0%} expected")
