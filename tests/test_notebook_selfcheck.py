"""check() inside a real Jupyter kernel, executed headlessly with nbclient."""
import time

import nbformat
import pytest
from nbclient import NotebookClient

from conftest import SUBMISSIONS


def outputs(cell):
    return "".join(o.get("text", "") for o in cell.get("outputs", []) if o.get("output_type") == "stream")


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    """notebook_good.ipynb plus self-check cells, run top to bottom in a fresh kernel."""
    nb = nbformat.read(SUBMISSIONS / "notebook_good.ipynb", as_version=4)
    # matplotlib is not installed here, so the notebook's own import cell fails at
    # %matplotlib inline before it imports numpy: import it first, as a student's kernel would have
    nb.cells.insert(0, nbformat.v4.new_code_cell("import numpy as np"))
    nb.cells += [
        nbformat.v4.new_code_cell("from grader import check\nreport = check()\n"
                                  "print('SCORE', report.score, report.max_score)"),
        nbformat.v4.new_code_cell("one = check('softmax')\nprint('ONE', one.score, one.max_score)"),
        nbformat.v4.new_code_cell("def accuracy(y_pred, y_true):\n    while True:\n        pass\n"),
        nbformat.v4.new_code_cell("start = __import__('time').monotonic()\nlooped = check('accuracy')\n"
                                  "print('LOOPED', looped.score, round(__import__('time').monotonic() - start))"),
    ]
    workdir = tmp_path_factory.mktemp("nb")
    start = time.monotonic()
    NotebookClient(nb, timeout=300, kernel_name="python3", allow_errors=True,
                   resources={"metadata": {"path": str(workdir)}}).execute()
    return nb, time.monotonic() - start


def test_check_grades_the_kernels_functions_with_public_checks(executed):
    nb, _ = executed
    text = outputs(nb.cells[-4])
    assert "SCORE 95 95" in text                      # all public checks of a correct notebook
    assert "hidden checks run when your work is graded" in " ".join(text.split())
    assert "rows of very different scale" not in text  # a hidden check: neither run nor shown


def test_check_of_one_function(executed):
    nb, _ = executed
    assert "ONE 7 7" in outputs(nb.cells[-3])


def test_an_endless_loop_does_not_hang_the_kernel(executed):
    nb, _ = executed
    text = outputs(nb.cells[-1])
    assert "accuracy() did not finish within 10 s" in text
    looped = [line for line in text.splitlines() if line.startswith("LOOPED")][0].split()
    assert looped[1] == "0" and int(looped[2]) < 60
