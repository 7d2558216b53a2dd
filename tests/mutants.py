"""One mutant per catalog bug: alice.py (or an example submission) with that one bug in.

Each mutant is written as a student would write the bug. Its expectations, reasoned from
the bug, are what tests/test_diagnosis.py asserts:

- ``id``: the diagnosis it must get, exactly (plus ``also``, bugs it genuinely causes);
- ``functions``: where it must lose points, and the only places it may (default: the
  catalog's function for the id);
- ``breaks``: end-to-end checks it necessarily fails (learning cannot work with it);
- ``may_break``: end-to-end checks it may fail (it slows or skews learning, or not).

scripts/bug_table.py grades the same mutants to write docs/bugs.md.
"""
import ast
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ALICE = ROOT / "submissions" / "alice.py"
XOR, MNIST, GRADCHECK = "train.xor", "train.mnist", "backward.gradcheck"
BOTH = frozenset({XOR, MNIST})


@dataclass(frozen=True)
class Mutant:
    id: str
    edits: tuple = ()                 # (old, new) replacements in alice.py, each old unique
    file: str = ""                    # or an example submission, as it is
    functions: tuple = ()
    also: frozenset = frozenset()
    breaks: frozenset = frozenset()
    may_break: frozenset = frozenset()
    why: str = ""                     # why the end-to-end expectations are what they are
    name: str = ""                    # for a second mutant of one id: its own name

    @property
    def key(self):
        return self.name or self.id

    def source(self):
        if self.file:
            return (ROOT / self.file).read_text(encoding="utf-8")
        text = ALICE.read_text(encoding="utf-8")
        for old, new in self.edits:
            assert text.count(old) == 1, f"{self.id}: {old!r} occurs {text.count(old)} times in alice.py"
            text = text.replace(old, new)
        ast.parse(text)
        return text


def M(id, *edits, **kw):
    return Mutant(id, edits=tuple(edits) or kw.pop("edits", ()), **kw)


SOFTMAX = "    e = np.exp(z - z.max(axis=1, keepdims=True))\n    return e / e.sum(axis=1, keepdims=True)"
DZ = "    dZ = (probs - Y) / m"
SGD = "        params[k] -= lr * grads[k]"
BATCHING = ("    for start in range(0, n, batch_size):\n        batch = idx[start:start + batch_size]\n"
            "        yield X[batch], y[batch]")
PERMUTATION = "    idx = rng.permutation(n)"
CE_RETURN = "    return float(-np.log(p_correct).sum() / n)"
HIDDEN_DELTA = '            dZ = dA_prev * _act_grad(cache["Z" + str(i - 1)], activation)'
OUTPUT = "            A = softmax(Z)   # output layer is always softmax"
INIT = 'params["W" + str(i)] = rng.normal(0.0, np.sqrt(2.0 / fan_in), size=(fan_in, fan_out))'
NUMGRAD = "        grad[ix] = (fplus - fminus) / (2 * eps)"

MUTANTS = [
    # ----------------------------------------------------------- activations
    M("sigmoid-grad-of-activation", ("    s = sigmoid(z)\n    return s * (1.0 - s)", "    return z * (1.0 - z)"),
      why="backward calls this sigmoid_grad; its checks judge it against the student's own derivative"),
    M("tanh-overflow", ("def tanh(z):\n    return np.tanh(np.asarray(z, dtype=np.float64))",
                        "def tanh(z):\n    return (np.exp(z) - np.exp(-z)) / (np.exp(z) + np.exp(-z))"),
      why="MNIST pre-activations stay far below the overflow at |z| ~ 710"),
    M("mutates-input", ("    z = np.asarray(z, dtype=np.float64)\n    return (z > 0).astype(np.float64)",
                        "    z[z > 0] = 1\n    z[z <= 0] = 0\n    return z"),
      functions=("relu_grad",), why="the cache's Z is used before relu_grad overwrites it"),
    # ------------------------------------------------------- output and loss
    M("softmax-wrong-axis", file="submissions/bob.py", breaks=BOTH,
      why="each sample's probabilities depend on the rest of the batch: P - Y is no gradient"),
    M("softmax-whole-array", (SOFTMAX, "    e = np.exp(z - z.max())\n    return e / e.sum()"),
      breaks=BOTH, why="probabilities shrink with the batch size; the gradient P - Y is wrong"),
    M("softmax-unstable", (SOFTMAX, "    e = np.exp(z)\n    return e / e.sum(axis=1, keepdims=True)"),
      why="the training logits stay small: only extreme inputs overflow"),
    M("softmax-global-max", (SOFTMAX, "    e = np.exp(z - z.max())\n    return e / e.sum(axis=1, keepdims=True)"),
      why="the training logits of one batch are of similar scale"),
    M("one-hot-transposed",
      ("    out = np.zeros((len(y), num_classes), dtype=np.float64)\n    out[np.arange(len(y)), y] = 1.0",
       "    out = np.zeros((num_classes, len(y)), dtype=np.float64)\n    out[y, np.arange(len(y))] = 1.0"),
      ("    Y = one_hot(y, probs.shape[1])", "    Y = one_hot(y, probs.shape[1]).T"),
      why="the student's backward transposes it back, as code written for (C, N) does"),
    M("ce-sum-not-mean", (CE_RETURN, "    return float(-np.log(p_correct).sum())"),
      why="training uses backward, not the loss's value"),
    M("ce-wrong-normalizer", (CE_RETURN, "    return float(-np.log(p_correct).sum() / probs.shape[1])")),
    M("ce-nan-on-zero",
      ("    p_correct = probs[np.arange(n), y]\n    p_correct = np.clip(p_correct, LOG_FLOOR, None)\n" + CE_RETURN,
       "    Y = one_hot(y, probs.shape[1])\n    return float(-np.sum(Y * np.log(probs)) / n)")),
    # ------------------------------------------------------------ data, init
    M("inputs-not-scaled", ("    return X / 255.0", "    return X"),
      why="the training checks feed the reference's preprocessed images"),
    M("init-not-centered", (INIT, 'params["W" + str(i)] = rng.uniform(size=(fan_in, fan_out))'),
      may_break=BOTH, why="all-positive weights saturate tanh on MNIST; XOR may still be learnt"),
    M("init-zero-weights", (INIT, 'params["W" + str(i)] = np.zeros((fan_in, fan_out))'),
      breaks=BOTH, why="with zero weights every gradient but the output bias's is zero"),
    M("init-too-large", (INIT, 'params["W" + str(i)] = rng.standard_normal((fan_in, fan_out))'),
      may_break=frozenset({MNIST}), why="784 inputs of std 1 saturate tanh; XOR has 2 inputs"),
    # ---------------------------------------------------------------- forward
    M("forward-ignores-bias", ("        Z = A @ W + b\n", "        Z = A @ W\n"),
      may_break=BOTH, why="a network without biases can still fit XOR and MNIST, or not"),
    M("forward-ignores-activation", ("            A = _act(Z, activation)", "            A = relu(Z)"),
      may_break=frozenset({MNIST}), why="relu forward with tanh derivatives in backward"),
    M("output-not-softmax", (OUTPUT, "            A = sigmoid(Z)"),
      may_break=BOTH, why="sigmoid outputs with P - Y is per-class logistic regression: it may learn"),
    M("activation-on-logits", (OUTPUT, "            A = softmax(_act(Z, activation))"),
      may_break=BOTH, why="squashed logits cap the confidence; backward ignores the extra f'"),
    # --------------------------------------------------------------- backward
    M("weights-transposed", ('        grads["W" + str(i)] = A_prev.T @ dZ', '        grads["W" + str(i)] = dZ.T @ A_prev'),
      breaks=BOTH, why="sgd_step cannot subtract a (out, in) gradient from (in, out) weights"),
    # the whole file written for weights of shape (out, in): init, forward and backward
    M("weights-transposed", name="weights-transposed-forward",
      edits=(
          (INIT, 'params["W" + str(i)] = rng.normal(0.0, np.sqrt(2.0 / fan_in), size=(fan_out, fan_in))'),
          ("        Z = A @ W + b\n", "        Z = A @ W.T + b\n"),
          ('        grads["W" + str(i)] = A_prev.T @ dZ', '        grads["W" + str(i)] = dZ.T @ A_prev'),
          ("            dA_prev = dZ @ params[\"W\" + str(i)].T", "            dA_prev = dZ @ params[\"W\" + str(i)]")),
      functions=("init_params", "forward", "backward"), breaks=BOTH,
      why="the task's (in, out) weights do not fit; trained (out, in) weights are scored as (in, "
          "out) (predict, which calls forward, is graded with a correct forward in its place)"),
    M("grad-divided-by-features", file="submissions/carol.py", may_break=frozenset({MNIST}),
      why="the step is scaled by N/D = 32/784: MNIST learns slowly, near the threshold"),
    M("grad-not-averaged", (DZ, "    dZ = probs - Y"), may_break=BOTH,
      why="the step is N times larger: it may still converge, or diverge"),
    M("grad-wrong-scale", (DZ, "    dZ = (probs - Y) / probs.shape[1]"), may_break=BOTH,
      why="the step is N/C times larger"),
    M("grad-sign-flipped", (DZ, "    dZ = (Y - probs) / m"), breaks=BOTH,
      why="every step climbs the loss"),
    M("bias-grad-not-summed", ('        grads["b" + str(i)] = dZ.sum(axis=0)', '        grads["b" + str(i)] = dZ'),
      breaks=BOTH, why="an (N, H) bias gradient cannot update an (H,) bias in place"),
    M("bias-grad-wrong-axis", ('        grads["b" + str(i)] = dZ.sum(axis=0)', '        grads["b" + str(i)] = dZ.sum(axis=1)'),
      breaks=BOTH, why="an (N,) bias gradient cannot update an (H,) bias in place"),
    M("activation-grad-at-output", (HIDDEN_DELTA, '            dZ = dA_prev * _act_grad(cache["A" + str(i - 1)], activation)'),
      may_break=frozenset({MNIST}), why="invisible for relu (XOR); tanh'(tanh(z)) only distorts the step"),
    M("missing-activation-grad", (HIDDEN_DELTA, "            dZ = dA_prev"), may_break=BOTH),
    M("softmax-grad-mse", (DZ, "    dZ = (probs - Y) * probs * (1 - probs) / m"), may_break=BOTH,
      why="a smaller, distorted step: it may still learn"),
    M("grad-wrong-layer-input", ('        A_prev = cache["A" + str(i - 1)]', '        A_prev = cache["A" + str(i)]'),
      breaks=BOTH, why="dW has the shape (H_l, H_l), which cannot update W"),
    # --------------------------------------------------------------- training
    M("sgd-ascent", (SGD, "        params[k] += lr * grads[k]"), breaks=BOTH, why="every step climbs the loss"),
    M("sgd-ignores-lr", (SGD, "        params[k] -= grads[k]"), may_break=frozenset({MNIST}),
      why="XOR trains with lr = 1, where ignoring lr changes nothing"),
    M("no-shuffle", file="submissions/dave.py",
      why="the training data is not sorted by class, so order alone does not break learning"),
    M("same-order-each-epoch", (PERMUTATION, "    idx = np.random.default_rng(0).permutation(n)")),
    M("shuffle-misaligned", (PERMUTATION, PERMUTATION + "\n    idy = rng.permutation(n)"),
      ("        yield X[batch], y[batch]", "        yield X[batch], y[idy[start:start + batch_size]]"),
      breaks=BOTH, why="labels no longer belong to their images"),
    M("batches-not-a-partition", (PERMUTATION, "    idx = rng.integers(0, n, size=n)"), may_break=BOTH,
      why="sampling with replacement still sees most of the data"),
    M("full-batch-only", (BATCHING, "    yield X[idx], y[idx]"), breaks=frozenset({MNIST}),
      why="3 full-batch steps cannot fit MNIST; XOR is trained full-batch anyway"),
    M("training-stops-early",
      ("            params = sgd_step(params, grads, lr)\n",
       "            params = sgd_step(params, grads, lr)\n            error = probs - one_hot(yb, probs.shape[1])\n"
       "            if (error < 0.3).any():\n                break\n"),
      breaks=frozenset({MNIST}), why="one step per epoch: 3 steps on MNIST; XOR has one batch per epoch anyway"),
    M("training-diverged",
      ("    rng = np.random.default_rng(seed)\n    params = init_params(layer_sizes, rng)",
       "    X = (X - X.mean(axis=0)) / X.std(axis=0)\n    rng = np.random.default_rng(seed)\n"
       "    params = init_params(layer_sizes, rng)"),
      breaks=BOTH, why="MNIST's border pixels are always 0: 0 / 0 = nan; on XOR the weights fit "
      "standardised inputs, but are scored on the raw ones"),
    M("train-ignores-hyperparameters",
      ("    params = init_params(layer_sizes, rng)", "    params = init_params([X.shape[1], 64, 10], rng)"),
      breaks=frozenset({XOR}), why="XOR asks for [2, 32, 2]; MNIST's sizes are the hard-coded ones"),
    M("predict-returns-probs", ("    return np.argmax(probs, axis=1)", "    return probs"),
      why="the training checks score with the reference's predict"),
    M("predict-wrong-axis", ("    return np.argmax(probs, axis=1)", "    return np.argmax(probs, axis=0)")),
    M("accuracy-not-fraction", ("    return float(np.mean(y_pred == y_true))", "    return float(np.mean(y_pred == y_true) * 100)")),
    M("accuracy-wrong-count",
      ("# ---------------- gradient check ----------------", "correct = 0\n\n\n# ---------------- gradient check ----------------"),
      ("    return float(np.mean(y_pred == y_true))",
       "    global correct\n    correct += int(np.sum(y_pred == y_true))\n    return correct / len(y_true)")),
    # ------------------------------------------------------- gradient check
    M("numgrad-sign-flipped", (NUMGRAD, "        grad[ix] = (fminus - fplus) / (2 * eps)")),
    M("numgrad-not-restored", ("        x[ix] = old   # put it back!!\n", "")),
    M("numgrad-one-sided",
      ("        x[ix] = old - eps\n        fminus = f(x)\n        x[ix] = old   # put it back!!\n" + NUMGRAD,
       "        x[ix] = old   # put it back!!\n        grad[ix] = (fplus - f(x)) / eps")),
]


# ------------------------------------------------------------------ grading
def _grade(job):
    path, task_name = job
    from grader.grade import grade
    from grader.task import load_task
    return grade(Path(path), load_task(task_name)).to_dict()


def grade_all(mutants, directory, jobs=2, task_name="mlp"):
    """Write each mutant to ``directory`` and grade them, ``jobs`` at a time ->
    {mutant key: the report as a dict}."""
    from concurrent.futures import ProcessPoolExecutor
    paths = []
    for mutant in mutants:
        path = Path(directory) / f"{mutant.key}.py"
        path.write_text(mutant.source(), encoding="utf-8")
        paths.append(str(path))
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        reports = list(pool.map(_grade, [(p, task_name) for p in paths]))
    return {m.key: r for m, r in zip(mutants, reports)}


# -------------------------------------------------------------------- table
TABLE_HEADER = """# Known bugs: what the grader diagnoses

Generated by `python scripts/bug_table.py` from the bug catalog
(`tasks/mlp/bugs.yaml`) and from grading each bug's mutant (`tests/mutants.py`:
`submissions/alice.py` with that one bug put in); `tests/test_diagnosis.py` fails when
this file is out of date. *Points lost* is what the mutant lost, out of 100, and in
which checks; end-to-end checks are marked *e2e*.

A bug is named only when the student's code, run on the detector's probe inputs,
matches the reference's variant with that bug (see `grader/packs/mlp/diagnosis/`). When the
evidence fits no entry, the report says what the checks saw and names no bug.

| id | function | origin | how it is detected | points lost (mutant) |
|---|---|---|---|---|
"""


def _cell(text):
    return " ".join(str(text).split()).replace("|", "\\|")


def render_table(catalog, reports):
    """The docs table: one row per catalog id, from the catalog and the mutant reports."""
    rows = []
    for bug in catalog.values():
        report = reports[bug.id]
        lost = [(c["id"], c["max_points"], c["end_to_end"]) for f in report["functions"]
                for c in f["checks"] if c["status"] != "passed" and c["max_points"]]
        checks = ", ".join(f"{cid}{' (e2e)' if e2e else ''}" for cid, _, e2e in lost)
        points = f"{100 - report['score']}: {checks}" if lost else "0"
        rows.append(f"| `{bug.id}` | {bug.function} | {_cell(bug.origin)} | {_cell(bug.detected)} "
                    f"| {_cell(points)} |")
    return TABLE_HEADER + "\n".join(rows) + "\n"
