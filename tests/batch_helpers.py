"""Building classes of submissions for the tests of grader/batch/ (tests/test_batch_*.py)."""
import json
import os
from pathlib import Path

from conftest import ROOT, SUBMISSIONS

ALICE = (SUBMISSIONS / "alice.py").read_text(encoding="utf-8")
BOB = (SUBMISSIONS / "bob.py").read_text(encoding="utf-8")       # softmax over the wrong axis
TEMPLATE = (ROOT / "tasks" / "mlp" / "template.py").read_text(encoding="utf-8")
PRINTS_SCORE = (ROOT / "tests" / "cases" / "prints_score.py").read_text(encoding="utf-8")
SOFTMAX = "    e = np.exp(z - z.max(axis=1, keepdims=True))\n    return e / e.sum(axis=1, keepdims=True)"
HANG = ALICE.replace(SOFTMAX, "    while True:\n        pass")
ONE_HOT = ALICE[ALICE.index("def one_hot("):ALICE.index("\n\n\n", ALICE.index("def one_hot("))]
NO_ONE_HOT = ALICE.replace(ONE_HOT, "")
BATCH = Path(__file__).resolve().parent / "batch"
assert HANG != ALICE and NO_ONE_HOT != ALICE and "def one_hot" not in NO_ONE_HOT


def write(path, text, mtime=None):
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    if mtime is not None:
        os.utime(path, (mtime, mtime))
    return path


def notebook(source):
    """A notebook of one code cell holding ``source`` (and a markdown cell)."""
    import nbformat
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# My MLP"), nbformat.v4.new_code_cell(source)]
    return nbformat.writes(nb)


def read_csv(path):
    import csv
    with open(path, encoding="utf-8", newline="") as f:
        return {row["id"]: row for row in csv.DictReader(f)}


def reports(out):
    """{student folder: report.json text} of an output folder."""
    return {p.parent.name: p.read_text(encoding="utf-8") for p in sorted(Path(out).glob("*/report.json"))}


def summary(out):
    return json.loads((Path(out) / "summary.json").read_text(encoding="utf-8"))
