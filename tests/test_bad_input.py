"""Bad input: a clear one-line reason in the report, a complete grade, never a traceback."""
import json
import subprocess
import sys

import nbformat
import pytest

from conftest import ROOT


def grade_cli(path, *extra):
    result = subprocess.run([sys.executable, "-m", "grader", "run", str(path), "--format", "json", *extra],
                            capture_output=True, text=True, timeout=600, cwd=ROOT)
    assert "Traceback" not in result.stderr
    return result


def notebook(cells):
    nb = nbformat.v4.new_notebook()
    nb.cells = cells
    return nbformat.writes(nb)


@pytest.mark.parametrize("name, content, reason", [
    ("empty.py", b"", "{path} is empty: there is nothing to grade"),
    ("binary.py", b"\x7fELF\x00\x00\x01", "nothing could be graded: {path} is not a text file (it contains NUL bytes)"),
    ("broken.ipynb", b'{"cells": [', "nothing could be graded: {path} is not a valid notebook: "),
    ("prose.ipynb", notebook([nbformat.v4.new_markdown_cell("# just notes")]).encode(),
     "nothing could be graded: {path} has no code cells"),
    ("big.py", b"# padding\n" * 600_000, "nothing could be graded: {path} is 5.7 MB; submissions over 5 MB are not graded"),
], ids=["empty", "binary", "invalid-json", "no-code-cells", "too-large"])
def test_unusable_files_get_a_zero_report_with_one_reason(tmp_path, name, content, reason):
    path = tmp_path / name
    path.write_bytes(content)
    result = grade_cli(path)
    assert result.returncode == 0 and result.stderr == ""
    doc = json.loads(result.stdout)
    assert doc["score"] == 0 and doc["max_score"] == 100
    expected = reason.format(path=path)
    matching = [n for n in doc["notes"] if n.startswith(expected)]
    assert len(matching) == 1 and "\n" not in matching[0]


def test_a_usable_part_is_still_graded_next_to_a_broken_cell(tmp_path):
    path = tmp_path / "part.ipynb"
    path.write_text(notebook([
        nbformat.v4.new_code_cell("import numpy as np"),
        nbformat.v4.new_code_cell("def relu(z:\n    return z"),            # syntax error
        nbformat.v4.new_code_cell("def relu_grad(z):\n    return (z > 0).astype(float)"),
    ]))
    doc = json.loads(grade_cli(path).stdout)
    by_name = {f["name"]: f for f in doc["functions"]}
    assert by_name["relu_grad"]["score"] == 3 and by_name["relu"]["score"] == 0
    assert any(n.startswith("cell 2, line 1: syntax error") for n in doc["notes"])


@pytest.mark.parametrize("target, message", [
    ("does/not/exist.py", "does/not/exist.py: no such file"),
    ("submissions", "submissions: is a directory: to grade a class, give --out DIR (the folder for its "
                    "reports and grades.csv)"),
])
def test_paths_that_are_no_file_are_command_line_errors(target, message):
    result = grade_cli(target)
    assert result.returncode == 2
    assert result.stderr.strip() == f"grader: error: {message}"
