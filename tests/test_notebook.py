"""Notebooks -> Python source with a map back to cells (grader/notebook.py)."""
import ast
import json

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_raw_cell

from grader import notebook
from grader.notebook import read_notebook, where
from grader.submission import SubmissionError

from conftest import SUBMISSIONS

TEMPLATE_FUNCTIONS = {
    "sigmoid", "sigmoid_grad", "tanh", "tanh_grad", "relu", "relu_grad", "softmax", "one_hot",
    "cross_entropy", "preprocess", "init_params", "forward", "backward", "sgd_step",
    "minibatches", "train", "predict", "accuracy", "numerical_gradient"}


def write(tmp_path, *cells, name="nb.ipynb"):
    path = tmp_path / name
    nbformat.write(new_notebook(cells=list(cells)), path)
    return path


def lines_of(nb):
    """{(cell, line in cell): text} of the kept source."""
    return {c: text for c, text in zip(nb.cells, nb.source.split("\n")) if c}


def defined(nb):
    return {n.name for n in ast.parse(nb.source).body if isinstance(n, ast.FunctionDef)}


def error_of(path):
    with pytest.raises(SubmissionError) as info:
        read_notebook(path)
    message = str(info.value)
    assert "\n" not in message
    return message


def test_magics_and_shell_commands_become_pass_keeping_line_numbers(tmp_path):
    nb = read_notebook(write(tmp_path, new_markdown_cell("# intro"), new_code_cell("\n".join([
        "%matplotlib inline",           # 1: top level -> blank
        "import numpy as np",           # 2
        "!pip install \\",              # 3: with its continuation
        "    numpy",                    # 4
        "files = !ls",                  # 5
        "def f():",                     # 6
        "    x = %timeit -o g()",       # 7: inside a block -> pass
        "    return np.zeros(2)",       # 8
    ]))))
    assert lines_of(nb) == {(2, 1): "", (2, 2): "import numpy as np", (2, 3): "", (2, 4): "",
                            (2, 5): "", (2, 6): "def f():", (2, 7): "    pass",
                            (2, 8): "    return np.zeros(2)"}
    assert nb.notes == ["cell 2, lines 1, 3, 5, 7: IPython magics and shell commands removed "
                        "(%matplotlib inline, !pip install, files = !ls, ...)"]
    assert defined(nb) == {"f"}


def test_a_cell_that_parses_is_left_alone(tmp_path):
    text = 'doc = """\n%d items\n!important\n"""\nr = 7 % 3'
    nb = read_notebook(write(tmp_path, new_code_cell(text)))
    assert nb.source.rstrip("\n") == text and nb.notes == []


def test_time_cells_stay_python_and_other_cell_magics_are_dropped(tmp_path):
    nb = read_notebook(write(tmp_path,
                             new_code_cell("%%time\ndef trained():\n    return 1"),
                             new_code_cell("%%bash\necho hi"),
                             new_code_cell("%%writefile helper.py\ndef helper():\n    return 2"),
                             new_code_cell("%%timeit -n 3\nx = 1")))
    assert defined(nb) == {"trained"}
    assert lines_of(nb)[(1, 2)] == "def trained():" and lines_of(nb)[(4, 2)] == "x = 1"
    assert nb.notes == ["cell 1, line 1: IPython magics and shell commands removed (%%time)",
                        "cell 2: not Python (%%bash cell), left out",
                        "cell 3: not Python (%%writefile cell), left out",
                        "cell 4, line 1: IPython magics and shell commands removed (%%timeit -n 3)"]


def test_a_cell_with_a_syntax_error_is_dropped_and_the_others_kept(tmp_path):
    nb = read_notebook(write(tmp_path,
                             new_code_cell("def a():\n    return 1"),
                             new_markdown_cell("the next one is broken"),
                             new_code_cell("x = 1\ndef b(:\n    return 2"),
                             new_code_cell("np.sum?"),
                             new_code_cell("def c():\n    return 3")))
    assert defined(nb) == {"a", "c"}
    assert nb.notes == ["cell 3, line 2: syntax error (invalid syntax); the cell was left out",
                        "cell 4, line 1: syntax error (invalid syntax); the cell was left out"]
    assert lines_of(nb)[(3, 2)] == "" and lines_of(nb)[(5, 1)] == "def c():"


def test_the_whole_source_always_parses(tmp_path, monkeypatch):
    """The last safety net: a cell that breaks the joined source is dropped there too."""
    monkeypatch.setattr(notebook, "_cell_to_python", lambda number, lines: (lines, []))
    nb = read_notebook(write(tmp_path, new_code_cell("a = 1"), new_code_cell("def b(:\n    pass"),
                             new_code_cell("c = 3")))
    ast.parse(nb.source)
    assert lines_of(nb) == {(1, 1): "a = 1", (2, 1): "", (2, 2): "", (3, 1): "c = 3"}
    assert nb.notes == ["cell 2, line 1: syntax error (invalid syntax); the cell was left out"]


def test_cell_numbers_count_markdown_and_raw_cells(tmp_path):
    nb = read_notebook(write(tmp_path, new_markdown_cell("# a"), new_raw_cell("raw"),
                             new_code_cell("x = 1\ny = 2"), new_markdown_cell("b"),
                             new_code_cell(""), new_code_cell("z = 3\n")))
    assert nb.cells == [(3, 1), (3, 2), None, (6, 1)]
    assert nb.source == "x = 1\ny = 2\n\nz = 3\n"


def test_lines_are_counted_as_python_counts_them(tmp_path):
    nb = read_notebook(write(tmp_path, new_code_cell("s = 'a\u2028b\x0cc'\r\nt = 1\rv = 2")))
    assert lines_of(nb) == {(1, 1): "s = 'a\u2028b\x0cc'", (1, 2): "t = 1", (1, 3): "v = 2"}


def test_where_names_cells_and_lines(tmp_path):
    nb = read_notebook(write(tmp_path, new_markdown_cell("# a"),
                             new_code_cell("a = 1\nb = 2\nc = 3"), new_code_cell("d = 4\ne = 5")))
    assert where(nb, 2) == "cell 2, line 2"
    assert where(nb, 1, 3) == "cell 2, lines 1-3"
    assert where(nb, 2, 2) == "cell 2, line 2"
    assert where(nb, 3, 6) == "cell 2, line 3 to cell 3, line 2"
    assert where(nb, 4) == "cell 3, line 1"          # a separator line: the next cell's first
    assert where(nb, 2, 4) == "cell 2, lines 2-3"    # a range ending on a separator
    assert where(nb, 99) == "line 99"


def test_a_version_3_notebook_is_upgraded(tmp_path):
    v3 = nbformat.v3
    old = v3.new_notebook(worksheets=[v3.new_worksheet(cells=[
        v3.new_heading_cell("Homework", level=1),
        v3.new_code_cell(input="%matplotlib inline\ndef f(x):\n    return x"),
    ])])
    path = tmp_path / "old.ipynb"
    path.write_text(v3.writes_json(old), encoding="utf-8")
    assert json.loads(path.read_text())["nbformat"] == 3
    nb = read_notebook(path)
    assert defined(nb) == {"f"}
    assert lines_of(nb)[(2, 2)] == "def f(x):"
    assert nb.notes == ["cell 2, line 1: IPython magics and shell commands removed (%matplotlib inline)"]


def test_invalid_json_says_where(tmp_path):
    path = tmp_path / "alice.ipynb"
    path.write_text('{"cells": [1 2]}', encoding="utf-8")
    assert error_of(path) == f"{path} is not a valid notebook: Expecting ',' delimiter: line 1 column 14"


@pytest.mark.parametrize("text", ['{"a": 1}', "[1, 2]", '"hello"', '{"nbformat": 9, "cells": []}',
                                  '{"nbformat": 4, "nbformat_minor": 4, "metadata": {}, "cells": 3}',
                                  '{"nbformat": 4, "nbformat_minor": 4, "metadata": {},'
                                  ' "cells": [{"cell_type": "code", "source": 5}]}'])
def test_json_that_is_not_a_notebook_is_refused(tmp_path, text):
    path = tmp_path / "x.ipynb"
    path.write_text(text, encoding="utf-8")
    assert error_of(path).startswith(f"{path} is not a valid notebook: ")


def test_not_utf8_is_refused(tmp_path):
    path = tmp_path / "x.ipynb"
    path.write_bytes(b'{"cells": "\xff"}')
    assert error_of(path).startswith(f"{path} is not UTF-8 text: ")


def test_a_notebook_without_code_is_refused(tmp_path):
    path = write(tmp_path, new_markdown_cell("# only prose"), new_code_cell("   \n"), name="prose.ipynb")
    assert error_of(path) == f"{path} has no code cells"


def test_the_good_example_notebook_defines_every_function():
    nb = read_notebook(SUBMISSIONS / "notebook_good.ipynb")
    assert defined(nb) >= TEMPLATE_FUNCTIONS
    assert any("%matplotlib inline, !pip install numpy" in n for n in nb.notes)
    assert any("(%%time)" in n for n in nb.notes)
    assert not any("left out" in n for n in nb.notes)


def test_the_messy_example_notebook_loses_what_it_should():
    nb = read_notebook(SUBMISSIONS / "notebook_messy.ipynb")
    assert TEMPLATE_FUNCTIONS - defined(nb) == {"sigmoid_grad", "relu_grad", "numerical_gradient"}
    assert "relu_derivative" in defined(nb)
    assert [n for n in nb.notes if "syntax error" in n] == [
        "cell 5, line 6: syntax error (Missing parentheses in call to 'print'. Did you mean "
        "print(...)?); the cell was left out"]
    softmaxes = [ast.get_source_segment(nb.source, n) for n in ast.parse(nb.source).body
                 if isinstance(n, ast.FunctionDef) and n.name == "softmax"]
    assert len(softmaxes) == 2                    # buggy first, fixed later: the later one is graded
    assert "axis=0" in softmaxes[0] and "axis=1" in softmaxes[1]
    train = [n for n in ast.parse(nb.source).body if isinstance(n, ast.FunctionDef) and n.name == "train"]
    assert 'data["mean"]' in ast.get_source_segment(nb.source, train[0])
