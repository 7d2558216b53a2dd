"""The column-major task (tasks/dnn_colmajor/): its file, its reference, its submissions.

- The task loads, its points and helpers are as declared, and the template declares
  every function with the task's signature.
- The golden implementation reference/dnn_colmajor.py is right on its own terms:
  hand-computed values, properties, and L_model_backward against central differences
  of compute_cost(L_model_forward(...)) (relative error below 1e-7 for 1-3 hidden
  layers); it trains MNIST 3s against 5s well enough for train.mnist to mean learning.
- Graded: the reference's own file scores 100, the template 0 with no grader error,
  submissions/colmajor/correct.py 100 with no diagnosis, and each buggy submission
  (correct.py with one bug) loses points in the function with the bug only, its
  callers graded with a correct stand-in.
"""
import ast
import difflib
import math
from pathlib import Path

import numpy as np
import pytest

from grader.packs.mlp.datasets import load_mnist
from grader.grade import grade
from grader.task import load_task
from reference import dnn_colmajor as ref

ROOT = Path(__file__).resolve().parent.parent
TASK_DIR = ROOT / "tasks" / "dnn_colmajor"
SUBMISSIONS = ROOT / "submissions" / "colmajor"
TRAIN_MNIST = ([784, 32, 8, 1], 0.05, 5, 32)    # train.mnist: layer_dims, learning_rate, epochs, batch


@pytest.fixture(scope="module")
def colmajor_task():
    return load_task(TASK_DIR)


@pytest.fixture(scope="module")
def colmajor_graded(colmajor_task):
    """graded(path) -> Report, each path graded once per module."""
    cache = {}

    def get(path):
        if path not in cache:
            cache[path] = grade(Path(path), colmajor_task)
        return cache[path]
    return get


def _checks(report):
    return [c for f in report.functions for c in f.checks]


def _not_passed(report):
    return {c.id for c in _checks(report) if c.status != "passed"}


def _losing(report):
    """The functions that scored below their maximum."""
    return {f.name for f in report.functions if f.score < f.max_score}


# ---------------------------------------------------------------- the task file
def test_task_loads_with_its_points(colmajor_task):
    task = colmajor_task
    assert task.name == "dnn_colmajor" and task.reference == "reference.dnn_colmajor"
    assert task.total == 100 == sum(f.points for f in task.functions)
    for f in task.functions:
        assert f.points == sum(c.points for c in f.checks), f.name
    assert sum(c.hidden for f in task.functions for c in f.checks) >= 2


def test_helpers_come_before_their_callers(colmajor_task):
    # public checks run in file order: a helper's own public checks must have run (and
    # failed) before a caller's, for the caller to get a stand-in
    order = [f.name for f in colmajor_task.functions]
    for f in colmajor_task.functions:
        for helper in f.helpers:
            assert order.index(helper) < order.index(f.name), (f.name, helper)


def test_template_declares_every_function_with_its_signature(colmajor_task):
    tree = ast.parse((TASK_DIR / "template.py").read_text(encoding="utf-8"))
    defs = {node.name: node for node in tree.body if isinstance(node, ast.FunctionDef)}
    for f in colmajor_task.functions:
        assert f.name in defs, f.name
        declared = ast.parse(f"def {f.signature}: pass").body[0].args
        assert ast.dump(defs[f.name].args) == ast.dump(declared), f.name
        assert ast.get_docstring(defs[f.name]), f.name
    assert set(defs) == {f.name for f in colmajor_task.functions}


# ------------------------------------------------------------- the reference
def test_sigmoid_and_relu_by_hand():
    A, cache = ref.sigmoid(np.array([[0.0, math.log(3.0), -math.log(3.0), -1000.0, 1000.0]]))
    np.testing.assert_allclose(A, [[0.5, 0.75, 0.25, 0.0, 1.0]], rtol=0, atol=1e-15)
    np.testing.assert_array_equal(cache, [[0.0, math.log(3.0), -math.log(3.0), -1000.0, 1000.0]])
    A, cache = ref.relu(np.array([[-2.0, 0.0, 3.0]]))
    np.testing.assert_array_equal(A, [[0.0, 0.0, 3.0]])
    # d sigmoid at 0 is 1/4; at ±1000 it is 0, not nan
    np.testing.assert_allclose(ref.sigmoid_backward(np.array([[2.0, 1.0, 1.0]]),
                                                    np.array([[0.0, -1000.0, 1000.0]])),
                               [[0.5, 0.0, 0.0]], atol=1e-300)


def test_relu_backward_masks_by_z_and_leaves_da_alone():
    dA = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    Z = np.array([[-1.0, 0.5, 0.0], [2.0, -3.0, 1e-9]])
    kept = dA.copy()
    np.testing.assert_array_equal(ref.relu_backward(dA, Z), [[0.0, 2.0, 0.0], [4.0, 0.0, 6.0]])
    np.testing.assert_array_equal(dA, kept)


def test_compute_cost_by_hand():
    assert ref.compute_cost(np.array([[0.5, 0.5]]), np.array([[1, 0]])) == pytest.approx(math.log(2))
    expected = -(math.log(0.8) + math.log(0.75)) / 2
    assert ref.compute_cost(np.array([[0.8, 0.25]]), np.array([[1, 0]])) == pytest.approx(expected)
    assert isinstance(ref.compute_cost(np.array([[0.8, 0.25]]), np.array([[1, 0]])), float)


def test_linear_backward_by_hand():
    # one unit, two inputs, m = 2 examples: dW = dZ A^T / 2, db = sum(dZ) / 2, dA = W^T dZ
    A = np.array([[1.0, 2.0], [3.0, 4.0]])
    W, b = np.array([[0.5, -1.0]]), np.array([[0.25]])
    dZ = np.array([[1.0, -2.0]])
    dA_prev, dW, db = ref.linear_backward(dZ, (A, W, b))
    np.testing.assert_allclose(dW, [[(1 - 4) / 2, (3 - 8) / 2]])
    np.testing.assert_allclose(db, [[-0.5]])
    np.testing.assert_allclose(dA_prev, [[0.5, -1.0], [-1.0, 2.0]])


def test_preprocess_puts_one_image_per_column():
    images = np.arange(2 * 28 * 28, dtype=np.int64).reshape(2, 28, 28) % 256
    X = ref.preprocess(images.astype(np.uint8))
    assert X.shape == (784, 2) and X.dtype == np.float64
    np.testing.assert_array_equal(X[28 * 3 + 5, 1], images[1, 3, 5] / 255.0)


def test_initialization_shapes_and_scale():
    p = ref.initialize_parameters_deep([784, 200, 7, 1], np.random.default_rng(0))
    assert [p[k].shape for k in ("W1", "b1", "W2", "b2", "W3", "b3")] == \
        [(200, 784), (200, 1), (7, 200), (7, 1), (1, 7), (1, 1)]
    assert abs(p["W1"].std() * math.sqrt(784) - 1) < 0.02 and abs(p["W1"].mean()) < 0.01
    assert not any(p[f"b{l}"].any() for l in (1, 2, 3))


def test_random_mini_batches_partition_the_columns_in_pairs():
    X = np.arange(3 * 23, dtype=np.float64).reshape(3, 23)
    Y = np.arange(23, dtype=np.float64)[None, :]
    batches = ref.random_mini_batches(X, Y, 5, np.random.default_rng(1))
    assert [b[0].shape for b in batches] == [(3, 5)] * 4 + [(3, 3)]
    assert [b[1].shape for b in batches] == [(1, 5)] * 4 + [(1, 3)]
    order = np.concatenate([b[1][0] for b in batches]).astype(int)
    assert sorted(order) == list(range(23)) and list(order) != list(range(23))
    np.testing.assert_array_equal(np.hstack([b[0] for b in batches]), X[:, order])
    assert len(ref.random_mini_batches(X[:, :20], Y[:, :20], 5, np.random.default_rng(1))) == 4


def _network(n_hidden, seed):
    """Parameters with non-zero biases, X (4, 7) and Y (1, 7) with both labels, for a
    network [4, (5, 3, 6)[:n_hidden], 1] whose hidden pre-activations stay away from the
    relu kink (|Z| > 1e-3), where central differences are valid."""
    dims = [4, *(5, 3, 6)[:n_hidden], 1]
    for attempt in range(100):
        rng = np.random.default_rng(1000 * seed + attempt)
        p = {}
        for l in range(1, len(dims)):
            p[f"W{l}"] = rng.standard_normal((dims[l], dims[l - 1])) / math.sqrt(dims[l - 1])
            p[f"b{l}"] = 0.1 * rng.standard_normal((dims[l], 1))
        X = rng.standard_normal((4, 7))
        Y = np.array([[1, 0, 1, 1, 0, 0, 1]], dtype=np.float64)
        _, caches = ref.L_model_forward(X, p)
        if min(np.abs(cache[1]).min() for cache in caches[:-1]) > 1e-3:
            return p, X, Y
    raise AssertionError("no network away from the relu kink")


def _numerical_gradient(f, x, eps=1e-6):
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + eps
        plus = f()
        x[i] = old - eps
        minus = f()
        x[i] = old
        grad[i] = (plus - minus) / (2 * eps)
    return grad


def _rel_error(a, b):
    return float(np.linalg.norm(a - b) / max(1e-12, np.linalg.norm(a) + np.linalg.norm(b)))


@pytest.mark.parametrize("n_hidden", [1, 2, 3])
def test_L_model_backward_matches_central_differences(n_hidden):
    p, X, Y = _network(n_hidden, seed=n_hidden)
    AL, caches = ref.L_model_forward(X, p)
    grads = ref.L_model_backward(AL, Y, caches)
    L = n_hidden + 1
    assert set(grads) == {f"{k}{l}" for l in range(1, L + 1) for k in ("dW", "db")} | \
        {f"dA{l}" for l in range(L)}

    def cost():
        return ref.compute_cost(ref.L_model_forward(X, p)[0], Y)
    for key in p:
        numerical = _numerical_gradient(cost, p[key])
        assert grads[f"d{key}"].shape == p[key].shape
        assert _rel_error(grads[f"d{key}"], numerical) < 1e-7, key
    # dA0 is per example: m times the gradient of the mean cost with respect to X
    numerical = _numerical_gradient(cost, X) * X.shape[1]
    assert _rel_error(grads["dA0"], numerical) < 1e-7


@pytest.fixture(scope="module")
def threes_and_fives():
    data = load_mnist(ROOT / "grader" / "packs" / "mlp" / "data" / "mnist")
    train = ref.digit_pair(data["train_images"], data["train_labels"], 3, 5)
    test = ref.digit_pair(data["test_images"], data["test_labels"], 3, 5)
    return train, test


def test_digit_pair_selects_two_digits_as_columns(threes_and_fives):
    (X, Y), (X_test, Y_test) = threes_and_fives
    assert X.shape == (784, 2000) and Y.shape == (1, 2000) and Y.sum() == 1000
    assert X_test.shape == (784, 400) and Y_test.shape == (1, 400) and Y_test.sum() == 200
    assert 0.0 <= X.min() and X.max() <= 1.0


def test_reference_learns_threes_against_fives(threes_and_fives, colmajor_task):
    # train.mnist's settings: the reference's run is what a student's must reproduce, so
    # it must learn, and stay away from a saturated output unit (where dAL = 0/0)
    check = next(c for c in colmajor_task.function("train").checks if c.id == "train.mnist")
    assert tuple(check.params["args"][2:6]) == TRAIN_MNIST and check.params["args"][6] == 0
    (X, Y), (X_test, Y_test) = threes_and_fives
    accuracies = []
    # (measured over seeds 0-49: 90.8% at the lowest, 94.8% median, |Z| at most 18.1)
    for seed in range(20):
        p = ref.train(X, Y, *TRAIN_MNIST, seed)
        accuracies.append(ref.accuracy(p, X_test, Y_test))
        _, caches = ref.L_model_forward(X, p)
        assert np.abs(caches[-1][1]).max() < 25
    assert min(accuracies) >= 0.9, accuracies
    assert accuracies[0] >= 0.94                  # seed 0 is the one train.mnist uses
    again = ref.train(X, Y, *TRAIN_MNIST, 0)
    first = ref.train(X, Y, *TRAIN_MNIST, 0)
    assert all(np.array_equal(again[k], first[k]) for k in first)


# ---------------------------------------------------------------- graded
def test_reference_file_scores_full_marks(colmajor_graded):
    report = colmajor_graded(ROOT / "reference" / "dnn_colmajor.py")
    assert _not_passed(report) == set()
    assert (report.score, report.max_score) == (100, 100)


def test_template_scores_zero_without_grader_errors(colmajor_graded):
    report = colmajor_graded(TASK_DIR / "template.py")
    assert report.score == 0 and report.status == "graded"
    assert not any(c.grader_error for c in _checks(report))
    assert all(c.status == "error" and "not implemented yet" in c.message for c in _checks(report))


def test_correct_submission_scores_full_marks_without_diagnosis(colmajor_graded):
    report = colmajor_graded(SUBMISSIONS / "correct.py")
    assert _not_passed(report) == set()
    assert (report.score, report.max_score) == (100, 100)
    assert report.diagnoses == []
    assert not any("graded with a correct" in c.message for c in _checks(report))


# file -> (the function with the bug, the checks it fails, callers that must pass with a
# correct stand-in of it). Every other check passes.
BUGGY = {
    # m = A_prev.shape[0]: dW and db scaled by m / n_{l-1}; dA_prev has no 1/m, so it is right
    "m_rows.py": ("linear_backward", {"linear_backward.dW", "linear_backward.db",
                                      "linear_backward.other_shape"},
                  {"linear_activation_backward.relu", "L_model_backward.one_hidden", "train.mnist"}),
    # db of shape (n_l,): in update_parameters it would broadcast b to (n_l, n_l)
    "db_flat.py": ("linear_backward", {"linear_backward.db", "linear_backward.other_shape"},
                   {"L_model_backward.two_hidden", "train.small"}),
    # db summed over the units: shape (1, m)
    "db_axis0.py": ("linear_backward", {"linear_backward.db", "linear_backward.other_shape"},
                    {"linear_activation_backward.sigmoid"}),
    # W @ dZ: raises for every non-square layer, so every check of linear_backward errs
    "w_untransposed.py": ("linear_backward", {"linear_backward.dA_prev", "linear_backward.dW",
                                              "linear_backward.db", "linear_backward.other_shape"},
                          {"L_model_backward.three_hidden", "train.mnist"}),
    # caches[l + 1]: the relu layers get the next layer's cache
    "caches_shifted.py": ("L_model_backward", {"L_model_backward.one_hidden", "L_model_backward.two_hidden",
                                               "L_model_backward.three_hidden", "L_model_backward.unchanged"},
                          {"train.small", "train.mnist"}),
    # the derivative taken as if the cache held A: dA * Z * (1 - Z)
    "sigmoid_at_a.py": ("sigmoid_backward", {"sigmoid_backward.values", "sigmoid_backward.extremes"},
                        {"linear_activation_backward.sigmoid", "L_model_backward.one_hidden", "train.small"}),
    # the sum of the losses: no caller uses the cost (correct.py's train only records it)
    "cost_summed.py": ("compute_cost", {"compute_cost.values", "compute_cost.confident"}, set()),
    # += : gradient ascent, and the caller's arrays changed in place
    "update_ascent.py": ("update_parameters", {"update_parameters.values", "update_parameters.deep"},
                         {"train.small", "train.mnist"}),
    # dZ = dA; dZ[Z <= 0] = 0: right values, but the caller's dA is changed
    "relu_inplace.py": ("relu_backward", {"relu_backward.unchanged"},
                        {"linear_activation_backward.relu", "L_model_backward.two_hidden"}),
    # the remainder batch appended even when it is empty
    "batch_empty.py": ("random_mini_batches", {"random_mini_batches.sizes", "random_mini_batches.values"},
                       {"train.small", "train.mnist"}),
}


@pytest.mark.parametrize("name", sorted(BUGGY))
def test_buggy_submission_loses_points_only_in_its_function(colmajor_graded, colmajor_task, name):
    function, failing, stood_in = BUGGY[name]
    report = colmajor_graded(SUBMISSIONS / name)
    assert report.status == "graded"
    assert _not_passed(report) == failing
    assert _losing(report) == {function}
    lost = next(f for f in report.functions if f.name == function)
    spec = colmajor_task.function(function)
    assert report.score == 100 - spec.points + lost.score
    assert not any(c.grader_error for c in _checks(report))
    messages = {c.id: c.message for c in _checks(report)}
    for check in stood_in:
        assert f"graded with a correct {function}" in messages[check], (check, messages[check])


def test_every_buggy_submission_is_correct_py_with_one_change():
    correct = (SUBMISSIONS / "correct.py").read_text(encoding="utf-8").splitlines()[1:]
    for name in BUGGY:
        lines = (SUBMISSIONS / name).read_text(encoding="utf-8").splitlines()[1:]  # line 1: the author
        hunks = [op for op in difflib.SequenceMatcher(None, correct, lines, autojunk=False).get_opcodes()
                 if op[0] != "equal"]
        assert len(hunks) == 1, (name, hunks)
        _, i1, i2, j1, j2 = hunks[0]
        assert max(i2 - i1, j2 - j1) <= 4, (name, hunks)
