"""Detectors for train: what its loop does with the student's own helpers.

The worker runs train on a small probe set whose first column is each sample's index,
with init_params, minibatches, forward, backward and sgd_step wrapped to record their
calls (see ``trace_train`` in the pack's harness.py). Each update is a backward call; its
batch is the X of the forward call before it. So the batches, their order, the
learning rate and the number of passes are seen even when the final accuracy is fine.
"""
import math

import numpy as np

from grader.checks.base import Failed
from grader.diagnosis.finding import Finding
from grader.diagnosis.probe import as_array
from grader.diagnosis.registry import detector
from grader.packs.mlp.checks.training import trained_params

N, D, C = 48, 3, 3
RUNS = (                                   # two runs, so hard-coded values show up
    {"lr": 0.05, "epochs": 3, "batch_size": 8, "seed": 0},
    {"lr": 0.02, "epochs": 2, "batch_size": 16, "seed": 1},
)
SIZES = [D, 5, C]
ACTIVATION = "tanh"
NOT_OBSERVED = ("train calls neither backward nor sgd_step of your file, so the diagnosis "
                "could not look inside its loop; it judged train from behaviour instead "
                "(training on data sorted by class)")
# The behavioural fallback: one epoch on three overlapping blobs sorted by class. Over 180
# correct runs (seeds 0-59; LeCun, He and N(0, 0.01²) init) shuffled training predicted the
# last class for at most 57% of the samples, unshuffled training for at least 80%.
ORDERED = {"sizes": [2, 8, 3], "activation": "tanh", "lr": 1.0, "epochs": 1, "batch_size": 10}
ORDERED_SEEDS = (0, 1, 2)
LAST_CLASS_SHARE = 0.7


def probe_set():
    """X (N, D) whose first column is the sample's index, labels y (N,) in 0..C-1."""
    rng = np.random.default_rng(181)
    X = np.column_stack([np.arange(N, dtype=np.float64), rng.standard_normal((N, D - 1))])
    return X, np.arange(N) % C


class Run:
    """One traced train run, read: updates, their batches, the rates and sizes used."""

    def __init__(self, trace, args):
        self.args, self.params = args, trace["params"]
        events = trace["events"]
        self.calls = {name: [e for e in events if e[0] == name] for name in
                      ("init_params", "minibatches", "forward", "backward", "sgd_step")}
        self.batches, last_X = [], None
        for name, value, _ in events:
            if name == "forward":
                last_X = value
            elif name == "backward":
                self.batches.append(last_X)
        self.updates = len(self.calls["backward"]) or len(self.calls["sgd_step"])

    @property
    def observed(self):
        return self.updates > 0

    @property
    def ids_known(self):
        """Whether every batch is a list of sample indices (train did not transform X)."""
        return bool(self.batches) and all(
            b is not None and all(float(v).is_integer() and 0 <= v < N for v in b) for b in self.batches)

    @property
    def expected_updates(self):
        return self.args["epochs"] * math.ceil(N / self.args["batch_size"])


def _hyperparameters(runs):
    """train-ignores-hyperparameters / full-batch-only from the arguments train passed on."""
    for run in runs:
        a = run.args
        sizes = [e[1] for e in run.calls["init_params"]]
        if sizes and sizes[0] != SIZES:
            return Finding("train-ignores-hyperparameters", "train",
                           f"train(..., layer_sizes={SIZES}) called init_params with {sizes[0]}")
        rates = [e[1] for e in run.calls["sgd_step"] if e[1] is not None]
        if rates and not np.isclose(rates[0], a["lr"]):
            return Finding("train-ignores-hyperparameters", "train",
                           f"train(..., lr={a['lr']}) passed lr = {rates[0]:g} to sgd_step")
        acts = {e[2] for e in run.calls["forward"] if e[2] is not None}
        if acts and acts != {ACTIVATION}:
            return Finding("train-ignores-hyperparameters", "train",
                           f"train(..., activation={ACTIVATION!r}) called forward with "
                           f"{', '.join(sorted(map(repr, acts)))}")
        sizes_passed = [e[1] for e in run.calls["minibatches"] if e[1] is not None]
        if sizes_passed and sizes_passed[0] != a["batch_size"]:
            if sizes_passed[0] >= N:
                return Finding("full-batch-only", "train",
                               f"train(..., batch_size={a['batch_size']}) asked minibatches for "
                               f"batches of {sizes_passed[0]:g} on {N} samples: one update per epoch")
            return Finding("train-ignores-hyperparameters", "train",
                           f"train(..., batch_size={a['batch_size']}) asked minibatches for "
                           f"batches of {sizes_passed[0]:g}")
        if isinstance(run.params, dict):
            for l in range(1, len(SIZES)):
                W = as_array(run.params.get(f"W{l}"))
                if W is not None and W.size != SIZES[l - 1] * SIZES[l]:
                    return Finding("train-ignores-hyperparameters", "train",
                                   f"train(..., layer_sizes={SIZES}) returned W{l} of shape "
                                   f"{W.shape}")
    return None


def _updates(runs):
    """training-stops-early / ignored epochs / full-batch-only from the number of updates."""
    if not all(run.ids_known for run in runs):
        return None
    through_minibatches = bool(runs[0].calls["minibatches"])     # then its batches are its own
    rows = [sum(len(b) for b in run.batches) for run in runs]
    passes = [r / N for r in rows]
    epochs = [run.args["epochs"] for run in runs]
    if not through_minibatches and all(run.updates == run.args["epochs"] and all(len(b) == N for b in run.batches)
                                       for run in runs):
        return Finding("full-batch-only", "train",
                       f"train(..., epochs={epochs[0]}, batch_size={runs[0].args['batch_size']}) "
                       f"on {N} samples made {runs[0].updates} updates, each on all {N} rows")
    if passes != epochs and all(p.is_integer() for p in passes) and passes[0] == passes[1]:
        return Finding("train-ignores-hyperparameters", "train",
                       f"train made {passes[0]:g} passes over the data for epochs={epochs[0]} "
                       f"and for epochs={epochs[1]} alike")
    if any(r > e * N for r, e in zip(rows, epochs)):
        return Finding("train-ignores-hyperparameters", "train",
                       f"train(..., epochs={epochs[0]}) made {passes[0]:g} passes over the data")
    short = [run for run, r, e in zip(runs, rows, epochs) if r < e * N]
    if short:
        run = short[0]
        return Finding("training-stops-early", "train",
                       f"train(..., epochs={run.args['epochs']}, batch_size="
                       f"{run.args['batch_size']}) on {N} samples made {run.updates} updates; "
                       f"{run.expected_updates} expected")
    return None


def _order(runs):
    """Batching bugs of a train that batches by itself (not through minibatches)."""
    run = runs[0]
    if run.calls["minibatches"] or not run.ids_known:
        return None                       # minibatches has detectors of its own
    ids = np.concatenate([np.asarray(b) for b in run.batches])
    epochs = [ids[i * N:(i + 1) * N] for i in range(run.args["epochs"])]
    if any(len(e) != N or not np.array_equal(np.sort(e), np.arange(N)) for e in epochs):
        return Finding("batches-not-a-partition", "train",
                       "within one epoch of train's own batches some samples come twice and "
                       "others never")
    if all(np.array_equal(e, np.arange(N)) for e in epochs):
        return Finding("no-shuffle", "train",
                       f"train's batches bring samples 0, 1, 2, ..., {N - 1} in the data's own "
                       f"order in every epoch")
    if all(np.array_equal(e, epochs[0]) for e in epochs[1:]):
        return Finding("same-order-each-epoch", "train",
                       "train's batches are shuffled once, then come in the same order every epoch")
    return None


DIVERGED = "after training on the task's data the parameters contain nan or inf"


@detector(bugs=("training-diverged", "train-ignores-hyperparameters", "full-batch-only",
                "training-stops-early", "batches-not-a-partition", "no-shuffle",
                "same-order-each-epoch"), always=True)
def train(probe):
    """Trace train's loop on a probe set (its bugs need not fail a check: always run)."""
    checked = probe.results.get("train")
    found = []
    if checked is not None and any(c.facts.get("diverged") for c in checked.checks):
        found.append(Finding("training-diverged", "train", DIVERGED))
    if not probe.has("train"):
        return found
    X, y = probe_set()
    runs = []
    for args in RUNS:
        trace = probe.harness("trace_train", X, y, SIZES, {"activation": ACTIVATION, **args},
                              uses=["train"])
        if not isinstance(trace, dict) or not isinstance(trace.get("events"), list):
            return found
        runs.append(Run(trace, args))
    if any(_diverged(run.params) for run in runs):
        found.append(Finding("training-diverged", "train",
                             "the parameters train returned on a small probe set contain nan or inf"))
    if not all(run.observed for run in runs):
        probe.note(NOT_OBSERVED)
        return found + _class_ordered(probe)
    finding = _hyperparameters(runs) or _updates(runs) or _order(runs)
    return found + ([finding] if finding else [])


def class_ordered_set():
    """Three overlapping blobs, 100 samples each, sorted by class -> X (300, 2), y (300,)."""
    rng = np.random.default_rng(191)
    centres = np.array([[1.5, 0.0], [-0.75, 1.3], [-0.75, -1.3]])
    y = np.repeat(np.arange(3), 100)
    return centres[y] + rng.standard_normal((300, 2)) * 1.5, y


def _class_ordered(probe):
    """no-shuffle from behaviour, for a train whose loop cannot be observed."""
    X, y = class_ordered_set()
    shares = []
    for seed in ORDERED_SEEDS:
        params = probe.call("train", X, y, ORDERED["sizes"], activation=ORDERED["activation"],
                            lr=ORDERED["lr"], epochs=ORDERED["epochs"],
                            batch_size=ORDERED["batch_size"], seed=seed)
        trained = _as_params(params)
        if trained is None:
            return []
        shares.append(float(np.mean(probe.reference.predict(trained, X, ORDERED["activation"]) == 2)))
    if min(shares) >= LAST_CLASS_SHARE:
        return [Finding("no-shuffle", "train",
                        f"judged from behaviour (train's loop could not be observed): trained for "
                        f"one epoch on data sorted by class, it predicts the last class for "
                        f"{min(shares):.0%} or more of the samples, as training in the data's "
                        f"order does (shuffled training: at most 57%)")]
    return []


def _as_params(params):
    try:
        return trained_params(params, ORDERED["sizes"], "train")
    except Failed:
        return None


def _diverged(params):
    if not isinstance(params, dict):
        return False
    arrays = [as_array(v) for v in params.values()]
    return any(a is not None and not np.all(np.isfinite(a)) for a in arrays)
