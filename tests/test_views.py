"""Hidden checks, the student view, the self-check command and other student-facing help."""
import json
import subprocess
import sys

import pytest

from conftest import CASES, ROOT, SUBMISSIONS, quick
from grader.grade import grade, helper_graph
from grader.report import render_text
from grader.report.text import LEGEND, fix_first
from grader.result import CheckResult, FunctionResult, Report


def run(*args):
    return subprocess.run([sys.executable, "-m", "grader", *args], capture_output=True,
                          text=True, timeout=600, cwd=ROOT)


def hidden_ids(task):
    return {c.id for f in task.functions for c in f.checks if c.hidden}


def test_the_mlp_task_keeps_some_checks_hidden(task):
    assert hidden_ids(task) == {"softmax.scales", "backward.three_hidden"}


def test_student_view_counts_hidden_checks_without_showing_them(task):
    result = run("run", str(SUBMISSIONS / "bob.py"), "--student-view", "--format", "json")
    doc = json.loads(result.stdout)
    shown = {c["id"] for f in doc["functions"] for c in f["checks"]}
    assert not shown & hidden_ids(task)
    assert doc["hidden_checks"] == 2 and doc["view"] == "student"
    softmax = next(f for f in doc["functions"] if f["name"] == "softmax")
    assert softmax["hidden_checks"] == 1
    assert doc["score"] == 92          # bob's softmax earns nothing, its hidden check counted
    text = run("run", str(SUBMISSIONS / "bob.py"), "--student-view").stdout
    assert "rows of very different scale" not in text          # the hidden check's description
    assert "+ 1 hidden check (counted in the score, not shown)" in text
    assert text.rstrip().endswith("Score: 92/100 (including 2 hidden checks)")


def test_instructor_view_shows_hidden_checks_marked(task):
    text = run("run", str(SUBMISSIONS / "bob.py")).stdout
    assert "rows of very different scale in one batch  [hidden]" in text


def test_self_check_runs_public_checks_only_and_says_what_to_fix_first(task):
    result = run("check", str(SUBMISSIONS / "carol.py"))
    assert result.returncode == 0
    text = " ".join(result.stdout.split())
    assert "public checks only (95 of the task's points)" in text
    assert "three hidden sigmoid layers" not in text
    assert "What to fix first:" in text
    first = text.split("What to fix first:")[1].strip()
    assert first.startswith("1. backward: backward gives the right gradients for one hidden relu layer")
    # the public backward checks (5 + 4) fail; the MNIST check (7) may, as carol's
    # training is only slowed (see test_submissions)
    mnist_failed = "train: train reaches 85% test accuracy" in first
    # backward's two public value checks (9) and, with no value check passing, its
    # unchanged-inputs check (2)
    assert text.rstrip().endswith(f"Score: {95 - 9 - 2 - (7 if mnist_failed else 0)}/95")


def test_self_check_of_one_function():
    result = run("check", str(SUBMISSIONS / "bob.py"), "--only", "softmax", "--format", "json")
    doc = json.loads(result.stdout)
    assert [f["name"] for f in doc["functions"]] == ["softmax"]
    assert (doc["score"], doc["max_score"]) == (0, 7)     # shape and input checks earn nothing alone
    assert run("check", str(SUBMISSIONS / "bob.py"), "--only", "softmx").returncode == 2


def test_near_miss_names_are_reported_not_graded(task):
    report = grade(CASES / "near_misses.py", quick(task))
    notes = "\n".join(report.notes)
    assert "softmax is missing; did you mean soft_max (line 8)?" in notes
    assert "relu_grad is missing; did you mean relu_derivative (line 13)?" in notes
    by_name = {f.name: f for f in report.functions}
    assert by_name["softmax"].score == 0 and by_name["relu_grad"].score == 0
    assert by_name["relu"].score == by_name["relu"].max_score


def test_a_function_needing_skipped_top_level_data_names_it(task):
    report = grade(CASES / "near_misses.py", quick(task))
    check = next(c for f in report.functions for c in f.checks if c.id == "preprocess.values")
    assert check.status == "error"
    assert "NameError: name 'data' is not defined" in check.message
    assert "data is set by top-level code (line 4), which is not run when grading" in check.message


def test_run_toplevel_runs_the_script_too(task, tmp_path):
    path = tmp_path / "s.py"
    path.write_text("import numpy as np\ndef offset():\n    return 0.0\nOFFSET = offset()\n"
                    "def relu(z):\n    return np.maximum(z, OFFSET)\n")
    assert grade(path, quick(task)).functions[4].score == 0              # OFFSET never set
    report = grade(path, quick(task), run_toplevel=True)
    assert report.functions[4].name == "relu" and report.functions[4].score == 3
    assert "top-level code was run too (--run-toplevel)" in report.notes


def test_an_empty_file_is_graded_zero_with_a_note(task, tmp_path):
    path = tmp_path / "empty.py"
    path.write_text("")
    report = grade(path, quick(task))
    assert report.score == 0 and f"{path} is empty: there is nothing to grade" in report.notes
    assert all(f.missing for f in report.functions)
    assert report.status == "ungraded" and report.to_dict()["status"] == "ungraded"


def test_check_from_a_script(tmp_path):
    script = tmp_path / "mine.py"
    script.write_text(
        "import numpy as np\n"
        "from grader import check\n"
        "def relu(z):\n    return np.maximum(z, 0)\n"
        "def accuracy(y_pred, y_true):\n    while True:\n        pass\n"
        "report = check()\n"
        "print('SCORE', report.score, report.max_score)\n"
        "print(repr(report))\n")
    result = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    assert "SCORE 3 95" in result.stdout
    assert "accuracy() did not finish within" in result.stdout
    # accuracy's hint is about a wrong value ("a fraction, not a percentage"): not for a timeout
    assert "a fraction, not a percentage" not in result.stdout
    assert "What to fix first:" in result.stdout
    assert result.stdout.count("Self-check of your code") == 1             # the report, once
    # relu (3 points) is right, accuracy hangs, the other 17 of the 19 are not defined
    assert result.stdout.splitlines()[-1] == \
        "<self-check of your code: 3/95 on the public checks; to fix: accuracy; 17 functions not defined>"


# ------------------------------------------------------------------ the self-check's text
def test_the_untouched_template_gives_a_short_self_check():
    result = run("check", "tasks/mlp/template.py")
    assert result.returncode == 0
    lines = result.stdout.rstrip().splitlines()
    assert len(lines) < 15, result.stdout
    text = " ".join(result.stdout.split())
    # every one of the 19 functions raises NotImplementedError; the public checks hold 95 points
    assert "19 functions not written yet (raising NotImplementedError), 95 points:" in text
    assert "sigmoid, sigmoid_grad, tanh," in text and "accuracy, numerical_gradient" in text
    assert "not implemented yet" not in text and LEGEND not in text     # no check is listed
    assert "Nothing you have written fails a public check" in text
    assert lines[-1] == "Score: 0/95"


def test_one_legend_line_at_the_top():
    text = run("check", str(SUBMISSIONS / "bob.py")).stdout
    lines = text.splitlines()
    assert lines.count(LEGEND) == 1 and text.count("✓ passed") == 1
    assert lines.index(LEGEND) < lines.index(next(line for line in lines if line.startswith("sigmoid ")))
    assert max(map(len, lines[:4])) <= 78


def _function(name, lost, of=None, status="failed", **check):
    of = of if of is not None else lost
    checks = [CheckResult(f"{name}.ok", name, f"{name} part one", "passed", points=of - lost, max_points=of - lost)]
    if lost:
        checks.append(CheckResult(f"{name}.bad", name, f"{name} part two", status, f"{name} is wrong",
                                  max_points=lost, **check))
    return FunctionResult(name, of, [c for c in checks if c.max_points])


def test_what_to_fix_first_unblocks_the_most_points_first():
    report = Report(task="t", submission="s.py", view="check", functions=[
        _function("a", 2), _function("b", 5, 8), _function("h", 1), _function("c", 3), _function("ok", 0, 4)])
    # b loses 5; h loses 1 but is a helper of c, which loses 3 (4 in all); c 3; a 2
    assert [f.name for f, _ in fix_first(report, helpers={"c": ("h",)})] == ["b", "h", "c"]
    assert [f.name for f, _ in fix_first(report, helpers={})] == ["b", "c", "a"]
    # equal points: the helper more functions call comes first
    tie = Report(task="t", submission="s.py", view="check", functions=[_function("x", 2), _function("y", 2)])
    assert [f.name for f, _ in fix_first(tie, helpers={"p": ("y",), "q": ("y", "x"), "r": ("y",)})] == ["y", "x"]


def test_what_to_fix_first_knows_the_tasks_helpers(task):
    """softmax is a helper of forward, backward, train and predict in task.yaml: losing 2
    points itself while forward loses 10, fixing it first unblocks 12. The report carries
    the helper graph of the task it was graded against; a report without one ranks by
    each function's own loss."""
    graph = helper_graph(task)
    assert "softmax" in graph["forward"] and grade(SUBMISSIONS / "bob.py", task).helpers == graph
    functions = [_function("softmax", 2, 8), _function("one_hot", 3), _function("forward", 10)]
    report = Report(task="mlp", submission="s.py", view="check", functions=functions, helpers=graph)
    assert [f.name for f, _ in fix_first(report)] == ["softmax", "forward", "one_hot"]
    unknown = Report(task="mlp", submission="s.py", view="check", functions=functions)
    assert [f.name for f, _ in fix_first(unknown)] == ["forward", "one_hot", "softmax"]


@pytest.mark.parametrize("call_error, shown", [("timeout", False), ("crash", False), ("exception", True), (None, True)])
def test_a_hint_is_shown_for_a_wrong_value_not_for_a_hang(call_error, shown):
    facts = {"call_error": call_error} if call_error else {}
    f = _function("softmax", 2, status="error" if call_error else "failed", help="normalise over axis=1",
                  facts=facts)
    for view in ("full", "check"):
        text = render_text(Report(task="mlp", submission="s.py", view=view, functions=[f]))
        assert ("hint: normalise over axis=1" in text) == shown


def test_the_grouped_lines_use_the_graders_own_messages():
    from grader.engine import MISSING, NOT_IMPLEMENTED
    from grader.grade import SEE_NOTES
    from grader.report import text
    assert (text.NOT_WRITTEN, text.NOT_DEFINED, text.NOT_GRADED) == (NOT_IMPLEMENTED, MISSING, SEE_NOTES)


def test_a_file_that_could_not_be_read_gives_a_short_report(tmp_path):
    binary = tmp_path / "a.py"
    binary.write_bytes(b"\x00\x01")
    result = run("check", str(binary))
    text = " ".join(result.stdout.split())
    assert "19 functions not graded (see the notes), 95 points:" in text
    assert "Nothing was graded: see the notes." in text
    assert len(result.stdout.splitlines()) < 20
