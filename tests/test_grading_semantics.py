"""One bug costs its own points: a function is graded as if its helpers were right.

Each case is alice.py (100/100) with one edit a student makes: a helper deleted, broken
so it does not compile, raising NotImplementedError, or looping forever. Its callers must
keep every point (they are graded with a correct stand-in for that helper, answered by
the grader during their check only), and a second bug in a caller is still named.
"""
import time

import pytest

from conftest import SUBMISSIONS, quick
from grader.grade import grade

ALICE = (SUBMISSIONS / "alice.py").read_text()
ONE_HOT = '''def one_hot(y, num_classes):
    y = np.asarray(y, dtype=int)
    out = np.zeros((len(y), num_classes), dtype=np.float64)
    out[np.arange(len(y)), y] = 1.0
    return out
'''
TANH_GRAD = '''def tanh_grad(z):
    t = np.tanh(np.asarray(z, dtype=np.float64))
    return 1.0 - t * t
'''
RELU = '''def relu(z):
    z = np.asarray(z, dtype=np.float64)
    return np.maximum(z, 0.0)
'''


def variant(tmp_path, name, *edits):
    source = ALICE
    for old, new in edits:
        assert source.count(old) == 1, old
        source = source.replace(old, new)
    path = tmp_path / f"{name}.py"
    path.write_text(source)
    return path


def by_function(report):
    return {f.name: f for f in report.functions}


def test_a_missing_helper_costs_only_its_own_points(task, tmp_path):
    report = grade(variant(tmp_path, "no_one_hot", (ONE_HOT, "")), task)
    functions = by_function(report)
    assert functions["one_hot"].missing and functions["one_hot"].score == 0
    assert report.score == 97
    backward = functions["backward"]
    assert backward.score == backward.max_score
    note = next(c.message for c in backward.checks if c.id == "backward.one_hidden")
    assert "graded with a correct one_hot, because yours is missing" in note
    assert functions["train"].score == functions["train"].max_score


def test_a_helper_that_does_not_compile_costs_only_its_own_points(task, tmp_path):
    broken = ONE_HOT.replace("    return out\n", "    return out +\n")
    report = grade(variant(tmp_path, "one_hot_syntax", (ONE_HOT, broken)), task)
    assert report.score == 97
    assert any("syntax error" in n for n in report.notes)


def test_a_raising_helper_leaves_its_callers_their_points(task, tmp_path):
    raising = "def tanh_grad(z):\n    raise NotImplementedError\n"
    report = grade(variant(tmp_path, "tanh_grad_todo", (TANH_GRAD, raising)), task)
    functions = by_function(report)
    assert functions["tanh_grad"].score == 0
    for name in ("backward", "train"):
        assert functions[name].score == functions[name].max_score, name
    assert report.score == 97


def test_a_callers_own_bug_is_still_named_behind_a_raising_helper(task, tmp_path):
    raising = "def tanh_grad(z):\n    raise NotImplementedError\n"
    report = grade(variant(tmp_path, "tanh_grad_todo_m_bug", (TANH_GRAD, raising),
                           ("    m = X.shape[0]   # batch size", "    m = X.shape[1]")), task)
    ids = {d["id"] for d in report.diagnoses}
    assert "grad-divided-by-features" in ids
    assert by_function(report)["backward"].score < by_function(report)["backward"].max_score


def test_an_endless_helper_costs_one_timeout_and_leaves_its_callers_their_points(task, tmp_path):
    endless = "def relu(z):\n    while True:\n        pass\n"
    start = time.monotonic()
    report = grade(variant(tmp_path, "relu_loops", (RELU, endless)), quick(task))
    seconds = time.monotonic() - start
    functions = by_function(report)
    assert functions["relu"].score == 0
    for name in ("forward", "predict", "backward", "train"):
        assert functions[name].score == functions[name].max_score, name
    hung = [c for c in functions["relu"].checks if "did not finish within" in c.message]
    assert len(hung) == 1                      # its later checks are not run again
    # a hang guard, not a speed test: one 2 s timeout, not one per call of relu
    assert seconds < 60


def test_state_kept_between_calls_cannot_change_another_checks_result(task, tmp_path):
    """A counter kept in module state: every check starts from the freshly loaded file,
    so relu sees call number 1 in every check and always answers right."""
    counting = ("CALLS = []\n\ndef relu(z):\n    CALLS.append(1)\n    z = np.asarray(z, dtype=np.float64)\n"
                "    if len(CALLS) > 1:\n        return z\n    return np.maximum(z, 0.0)\n")
    report = grade(variant(tmp_path, "relu_counts", (RELU, counting)), task)
    relu = by_function(report)["relu"]
    assert relu.score == relu.max_score


@pytest.mark.parametrize("form", ["zeros", "input"])
def test_a_stub_helper_earns_nothing_even_where_its_caller_agrees_with_it(task, tmp_path, form):
    body = {"zeros": "    return np.zeros_like(np.asarray(z, dtype=float))\n",
            "input": "    return np.asarray(z, dtype=float)\n"}[form]
    stub = "def softmax(z):\n" + body
    source = ALICE
    start = source.index("def softmax(")
    end = source.index("\ndef ", start + 1) + 1
    path = tmp_path / f"softmax_{form}.py"
    path.write_text(source[:start] + stub + "\n" + source[end:])
    functions = by_function(grade(path, task))
    assert functions["softmax"].score == 0
    assert functions["forward"].score == functions["forward"].max_score


def test_only_one_function_still_gets_a_correct_stand_in_for_its_broken_helper(task):
    """grader check --only forward on bob.py (softmax over the wrong axis): softmax is not
    reported, but it is graded, so forward runs with a correct softmax as in a full check."""
    from conftest import SUBMISSIONS
    from grader.grade import grade
    full = grade(SUBMISSIONS / "bob.py", task, public_only=True)
    only = grade(SUBMISSIONS / "bob.py", task, public_only=True, only=["forward"])
    assert [f.name for f in only.functions] == ["forward"] and only.diagnoses == []
    forward = only.functions[0]
    assert forward.score == forward.max_score == next(f for f in full.functions if f.name == "forward").score
    assert any("graded with a correct softmax" in c.message for c in forward.checks)
