"""check() inside a real Jupyter kernel, executed headlessly with nbclient."""
import time

import nbformat
import pytest
from nbclient import NotebookClient

from conftest import SUBMISSIONS


def outputs(cell):
    """What a cell showed as text: its printed output and its displays' text/plain."""
    return "".join(o.get("text", "") if o.get("output_type") == "stream" else o.get("data", {}).get("text/plain", "")
                   for o in cell.get("outputs", []))


def reports(cell):
    """The outputs of a cell that show a self-check report."""
    return [o for o in cell.get("outputs", [])
            if "Self-check of your code" in (o.get("text", "") + o.get("data", {}).get("text/plain", ""))]


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    """notebook_good.ipynb plus self-check cells, run top to bottom in a fresh kernel."""
    nb = nbformat.read(SUBMISSIONS / "notebook_good.ipynb", as_version=4)
    # the notebook's own import cell starts with %matplotlib inline and !pip install, either
    # of which may fail in a bare kernel before it imports numpy: import it first, as a
    # student's kernel would have
    nb.cells.insert(0, nbformat.v4.new_code_cell("import numpy as np"))
    nb.cells += [
        nbformat.v4.new_code_cell("from grader import check\nreport = check()\n"
                                  "print('SCORE', report.score, report.max_score)"),
        nbformat.v4.new_code_cell("one = check('softmax')\nprint('ONE', one.score, one.max_score)"),
        nbformat.v4.new_code_cell("def accuracy(y_pred, y_true):\n    while True:\n        pass\n"),
        nbformat.v4.new_code_cell("start = __import__('time').monotonic()\nlooped = check('accuracy')\n"
                                  "print('LOOPED', looped.score, round(__import__('time').monotonic() - start))"),
        nbformat.v4.new_code_cell("check('softmax')"),          # the last line of its cell
        nbformat.v4.new_code_cell("one"),                       # shown again, in a later cell
        nbformat.v4.new_code_cell("print(repr(one))\nprint(str(one) == one.text, len(repr(one).splitlines()))"),
    ]
    workdir = tmp_path_factory.mktemp("nb")
    start = time.monotonic()
    NotebookClient(nb, timeout=300, kernel_name="python3", allow_errors=True,
                   resources={"metadata": {"path": str(workdir)}}).execute()
    return nb, time.monotonic() - start


def test_check_grades_the_kernels_functions_with_public_checks(executed):
    nb, _ = executed
    text = outputs(nb.cells[-7])
    assert "SCORE 95 95" in text                      # all public checks of a correct notebook
    assert "hidden checks run when your work is graded" in " ".join(text.split())
    assert "rows of very different scale" not in text  # a hidden check: neither run nor shown


def test_check_of_one_function(executed):
    nb, _ = executed
    assert "ONE 7 7" in outputs(nb.cells[-6])


def test_an_endless_loop_does_not_hang_the_kernel(executed):
    nb, _ = executed
    text = outputs(nb.cells[-4])
    assert "accuracy() did not finish within 10 s" in text
    looped = [line for line in text.splitlines() if line.startswith("LOOPED")][0].split()
    assert looped[1] == "0" and int(looped[2]) < 60


def test_check_as_a_cells_last_line_shows_the_report_once(executed):
    nb, _ = executed
    cell = nb.cells[-3]
    shown = reports(cell)
    assert len(shown) == 1 and shown[0]["output_type"] == "display_data"     # no execute_result too
    assert len(cell["outputs"]) == 1
    data = shown[0]["data"]
    assert data["text/plain"].count("Self-check of your code") == 1
    assert data["text/plain"].rstrip().endswith("Score: 7/7")
    assert data["text/html"].lstrip().startswith('<div class="grader-report">')
    assert "<script" not in data["text/html"]
    assert all("CheckResult(" not in outputs(c) for c in nb.cells)          # no dataclass dump anywhere


def test_a_self_check_shown_again_later_shows_once_and_has_a_one_line_repr(executed):
    nb, _ = executed
    assert len(reports(nb.cells[-2])) == 1
    text = outputs(nb.cells[-1]).splitlines()
    assert text == ["<self-check of your code: 7/7 on the public checks>", "True 1"]
