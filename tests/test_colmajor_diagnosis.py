"""The column-major task's diagnosis: every catalog id of tasks/dnn_colmajor/bugs.yaml is
named exactly on its mutants, in more than one written form, and never on right code.

Each catalog id has the shipped one-bug submission (submissions/colmajor/) and a second
form of the same bug written into correct.py; each must get exactly its id, and lose
points only in the bug's function. Right code (correct.py, the reference's own file) gets
no diagnosis even when every detector is forced to run, and a bug the catalog does not
know (caches_shifted.py: L_model_backward reads the next layer's cache) names nothing.
"""
from pathlib import Path

import pytest

from conftest import forced_diagnosis
from grader.grade import grade
from grader.task import load_task

ROOT = Path(__file__).resolve().parent.parent
SUBMISSIONS = ROOT / "submissions" / "colmajor"
CORRECT = SUBMISSIONS / "correct.py"

# id -> (shipped submission, [(old, new) edits of correct.py: a second written form])
FORMS = {
    "colmajor-sigmoid-grad-at-activation": ("sigmoid_at_a.py", [
        ("    s = 1.0 / (1.0 + np.exp(-np.clip(Z, -500, 500)))\n    dZ = dA * s * (1 - s)",
         "    dZ = dA * Z * (1 - Z)")]),
    "colmajor-relu-grad-in-place": ("relu_inplace.py", [
        ("    dZ = np.array(dA, copy=True)   # copy, so dA itself is not touched\n    dZ[Z <= 0] = 0\n    return dZ",
         "    dA[Z <= 0] = 0\n    return dA")]),
    "colmajor-cost-summed": ("cost_summed.py", [
        ("    cost = -np.sum(logprobs) / m", "    cost = -np.sum(logprobs, axis=1)")]),
    "colmajor-m-from-rows": ("m_rows.py", [
        ("    m = A_prev.shape[1]\n    dW = np.dot(dZ, A_prev.T) / m",
         "    m = len(A_prev)\n    dW = np.dot(dZ, A_prev.T) / m")]),
    "colmajor-db-wrong-axis": ("db_axis0.py", [
        ("    db = np.sum(dZ, axis=1, keepdims=True) / m", "    db = dZ.sum(0, keepdims=True) / m")]),
    "colmajor-db-not-column": ("db_flat.py", [
        ("    db = np.sum(dZ, axis=1, keepdims=True) / m", "    db = dZ.mean(axis=1)")]),
    "colmajor-w-not-transposed": ("w_untransposed.py", [
        ("    dA_prev = np.dot(W.T, dZ)", "    dA_prev = W @ dZ")]),
    "colmajor-update-ascent": ("update_ascent.py", [
        ('        params["W" + str(l + 1)] = params["W" + str(l + 1)] - learning_rate * grads["dW" + str(l + 1)]\n'
         '        params["b" + str(l + 1)] = params["b" + str(l + 1)] - learning_rate * grads["db" + str(l + 1)]',
         '        params["W" + str(l + 1)] = params["W" + str(l + 1)] + learning_rate * grads["dW" + str(l + 1)]\n'
         '        params["b" + str(l + 1)] = params["b" + str(l + 1)] + learning_rate * grads["db" + str(l + 1)]')]),
    "colmajor-empty-last-batch": ("batch_empty.py", [
        ("    if m % mini_batch_size != 0:\n", "    if True:     # the rest, however many\n")]),
}
CASES = [(bug, "shipped") for bug in FORMS] + [(bug, "rewritten") for bug in FORMS]


@pytest.fixture(scope="module")
def task():
    return load_task("dnn_colmajor")


@pytest.fixture(scope="module")
def reports(task, tmp_path_factory):
    """(id, form) -> Report, each graded once."""
    folder, cache = tmp_path_factory.mktemp("colmajor-mutants"), {}

    def get(bug, form):
        if (bug, form) not in cache:
            shipped, edits = FORMS[bug]
            path = SUBMISSIONS / shipped
            if form == "rewritten":
                text = CORRECT.read_text(encoding="utf-8")
                for old, new in edits:
                    assert text.count(old) == 1, (bug, old)
                    text = text.replace(old, new)
                path = folder / f"{bug}.py"
                path.write_text(text, encoding="utf-8")
            cache[bug, form] = grade(path, task)
        return cache[bug, form]
    return get


def test_every_catalog_id_has_two_written_forms(task):
    assert set(FORMS) == set(task.bugs)


@pytest.mark.parametrize("bug, form", CASES, ids=[f"{b}-{f}" for b, f in CASES])
def test_each_form_of_a_bug_is_diagnosed_exactly_and_costs_only_its_function(bug, form, reports, task):
    report = reports(bug, form)
    assert [d["id"] for d in report.diagnoses] == [bug], report.diagnoses
    diagnosis = report.diagnoses[0]
    home = task.bugs[bug].function
    assert diagnosis["function"] == home and diagnosis["evidence"]
    losing = {f.name for f in report.functions if f.score < f.max_score}
    assert losing == {home}, losing


@pytest.mark.parametrize("path", [CORRECT, ROOT / "reference" / "dnn_colmajor.py"], ids=["correct", "reference"])
def test_no_detector_fires_on_right_code_even_when_forced(path, task):
    assert forced_diagnosis(path, task) == ([], [])


def test_a_bug_the_catalog_does_not_know_names_nothing(task):
    report = grade(SUBMISSIONS / "caches_shifted.py", task)
    assert report.score < 100
    assert report.diagnoses == []
