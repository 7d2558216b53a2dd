"""The example submissions get the grades their bugs deserve, and only there.

Each buggy submission is alice.py with one bug. The expected failing checks are the
ones that bug must break (reasoned from the bug, listed per file), plus end-to-end
checks where the bug necessarily breaks learning; everything else must pass.
"""
import pytest

from conftest import ROOT, SUBMISSIONS, not_passed

E2E_TRAIN = {"train.xor", "train.mnist"}


def test_alice_gets_full_marks(graded):
    report = graded(SUBMISSIONS / "alice.py")
    assert not_passed(report) == set()
    assert (report.score, report.max_score) == (100, 100)


def test_reference_gets_full_marks(graded):
    report = graded(ROOT / "reference" / "mlp.py")
    assert not_passed(report) == set()
    assert report.score == 100


def test_alice_top_level_code_is_skipped_and_listed(graded):
    notes = "\n".join(graded(SUBMISSIONS / "alice.py").notes)
    assert "not run (top-level code): print('loaded')" in notes
    assert "np.load('mnist.npz')" in notes          # would raise FileNotFoundError if run
    assert '__name__ == "__main__"' in notes


def test_template_scores_zero_without_grader_errors(graded):
    report = graded(ROOT / "tasks" / "mlp" / "template.py")
    checks = [c for f in report.functions for c in f.checks]
    assert report.score == 0
    assert not any(c.grader_error for c in checks)
    assert all(c.status == "error" and "not implemented yet" in c.message for c in checks)


@pytest.mark.parametrize("name, bug_checks, must_break, may_break", [
    # softmax over axis 0: rows do not sum to 1, values and stability probes differ;
    # its shape is right and it does not touch its input (but those earn nothing while no
    # value check passes). Every caller (forward, predict, train) is graded with a correct
    # softmax in its place, so nothing else breaks.
    ("bob", {"softmax.rows", "softmax.values", "softmax.large", "softmax.scales"}, set(), set()),
    # m = X.shape[1]: every gradient is scaled by N/D, so all backward value checks fail
    # (the zero-point gradient check too). Training is only slowed (lr * N/D): on MNIST
    # it ends near the threshold (84% here), so that check may go either way.
    ("carol", {"backward.one_hidden", "backward.two_hidden", "backward.three_hidden"},
     {"backward.gradcheck"}, {"train.mnist"}),
    # no shuffling: batches are in data order and the same every call; still a partition.
    ("dave", {"minibatches.shuffled", "minibatches.reshuffles"}, set(), set()),
])
def test_buggy_submission_loses_points_only_where_the_bug_is(graded, task, name, bug_checks,
                                                             must_break, may_break):
    report = graded(SUBMISSIONS / f"{name}.py")
    lost = not_passed(report)
    assert bug_checks | must_break <= lost <= bug_checks | must_break | may_break
    points = {c.id: c.points for f in task.functions for c in f.checks}
    assert report.score == 100 - sum(points[c] for c in lost) - sum(points[c] for c in unearned(report))
    e2e = {c.id for f in task.functions for c in f.checks if c.end_to_end}
    assert must_break | may_break <= e2e          # only end-to-end checks fail outside the bug


def unearned(report):
    """Checks that passed but earn nothing: their function has no passing value check."""
    return {c.id for f in report.functions for c in f.checks
            if c.status == "passed" and c.points == 0 and c.max_points}


def test_a_function_with_no_passing_value_check_earns_nothing(graded):
    """bob's softmax keeps its shape and leaves its input alone, but computes nothing right:
    those two checks pass and say why they earn nothing."""
    softmax = next(f for f in graded(SUBMISSIONS / "bob.py").functions if f.name == "softmax")
    assert softmax.score == 0
    passed = {c.id: c for c in softmax.checks if c.status == "passed"}
    assert set(passed) == {"softmax.shape", "softmax.unchanged"}
    assert all("no points yet" in c.message for c in passed.values())


def test_bob_messages_say_what_is_wrong(graded):
    softmax = next(f for f in graded(SUBMISSIONS / "bob.py").functions if f.name == "softmax")
    rows = next(c for c in softmax.checks if c.id == "softmax.rows")
    assert "columns sum to 1 instead" in rows.message
    assert "axis=1" in rows.help


def test_carol_message_shows_expected_and_actual(graded):
    report = graded(SUBMISSIONS / "carol.py")
    check = next(c for f in report.functions for c in f.checks if c.id == "backward.one_hidden")
    assert "expected" in check.message and "got" in check.message
    assert "X.shape[0], not X.shape[1]" in check.help


def test_forward_is_not_charged_for_bobs_softmax(graded):
    forward = next(f for f in graded(SUBMISSIONS / "bob.py").functions if f.name == "forward")
    assert forward.score == forward.max_score
    output = next(c for c in forward.checks if c.id == "forward.output")
    assert "graded with a correct softmax, because yours fails its own checks" in output.message


def test_partial_submission_costs_only_missing_functions(graded):
    report = graded(SUBMISSIONS / "erin.py")
    by_name = {f.name: f for f in report.functions}
    assert {n for n, f in by_name.items() if f.missing} == {"backward", "train", "numerical_gradient"}
    for name in ("backward", "train", "numerical_gradient"):
        assert by_name[name].score == 0
        assert all(c.message == f"{name} is not defined in your file" for c in by_name[name].checks)
    assert {c.status for c in by_name["predict"].checks} == {"error"}
    assert all("not implemented yet" in c.message for c in by_name["predict"].checks)
    lost = {"backward", "train", "numerical_gradient", "predict"}
    assert all(f.score == f.max_score for n, f in by_name.items() if n not in lost)


def test_definition_time_error_names_the_missing_global(graded):
    report = graded(SUBMISSIONS / "frank.py")
    train = next(f for f in report.functions if f.name == "train")
    assert train.score == 0
    assert all("LEARNING_RATE" in c.message for c in train.checks)
    assert not_passed(report) == E2E_TRAIN


def test_grading_is_deterministic(task):
    from grader.grade import grade
    first = grade(SUBMISSIONS / "dave.py", task).to_dict()
    second = grade(SUBMISSIONS / "dave.py", task).to_dict()
    assert first == second


def test_correct_notebook_full_of_script_code_gets_full_marks(graded):
    report = graded(SUBMISSIONS / "notebook_good.ipynb")
    assert not_passed(report) == set() and report.score == 100
    notes = "\n".join(report.notes)
    assert "cell 2, lines 1, 2: IPython magics and shell commands removed (%matplotlib inline, !pip install numpy)" in notes
    # matplotlib is one of the grader's own dependencies: the sandbox imports it (once, in
    # the zygote: grader/worker/zygote.py PRELOADABLE), and `import matplotlib.pyplot` fails nowhere
    assert not [n for n in report.notes if "matplotlib" in n and "Error" in n]
    assert "cell 12, lines 8-13: not run (top-level code): data = np.load('/Users/alice/Downloads/mnist.npz')" in notes


def test_messy_notebook_loses_only_what_is_broken_or_missing(graded, task):
    report = graded(SUBMISSIONS / "notebook_messy.ipynb")
    lost = {
        # the only definition of sigmoid_grad is in a cell with a syntax error (cell 5)
        "sigmoid_grad.values", "sigmoid_grad.extremes",
        # (backward calls that missing sigmoid_grad for a sigmoid network: it is graded with
        # a correct one in its place, so backward.three_hidden passes)
        # relu_grad was written as relu_derivative: reported, not graded under the other name
        "relu_grad.values", "relu_grad.unchanged",
        # never written
        "numerical_gradient.values", "numerical_gradient.restores",
        # train reads a global `data` that only top-level code (not run) would set
        "train.xor", "train.mnist",
    }
    assert not_passed(report) == lost
    points = {c.id: c.points for f in task.functions for c in f.checks}
    assert report.score == 100 - sum(points[c] for c in lost)
    notes = "\n".join(report.notes)
    assert "cell 5, line 6: syntax error (Missing parentheses in call to 'print'" in notes
    assert "softmax is defined more than once (cell 9, line 1; cell 17, line 1); the last definition is graded" in notes
    assert "relu_grad is missing; did you mean relu_derivative (cell 6, line 15)?" in notes
    train = next(c for f in report.functions for c in f.checks if c.id == "train.xor")
    assert "data is set by top-level code (cell 13, line 8)" in train.message
