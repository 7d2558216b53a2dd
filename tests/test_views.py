"""Hidden checks, the student view, the self-check command and other student-facing help."""
import json
import subprocess
import sys

from conftest import CASES, ROOT, SUBMISSIONS, quick
from grader.grade import grade


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
        "print('SCORE', report.score, report.max_score)\n")
    result = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    assert "SCORE 3 95" in result.stdout
    assert "accuracy() did not finish within" in result.stdout
    assert "What to fix first:" in result.stdout
