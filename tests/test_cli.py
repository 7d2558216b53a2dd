"""The command line: exit codes, one-line errors, JSON keys, --out."""
import json
import subprocess
import sys

import pytest

from conftest import CASES, ROOT, SUBMISSIONS
from grader import cli


def run(*args, cwd=ROOT):
    return subprocess.run([sys.executable, "-m", "grader", *args], capture_output=True,
                          text=True, timeout=600, cwd=cwd)


def test_json_report_has_the_documented_keys(tmp_path):
    out = tmp_path / "r.json"
    result = run("run", str(CASES / "prints_score.py"), "--format", "json", "--out", str(out))
    assert result.returncode == 0, result.stderr
    doc = json.loads(out.read_text())
    assert set(doc) >= {"task", "submission", "score", "max_score", "functions", "diagnoses", "notes"}
    assert doc["task"] == "mlp" and doc["max_score"] == 100 and doc["score"] == 3
    assert doc["diagnoses"] == []
    one_hot = next(f for f in doc["functions"] if f["name"] == "one_hot")
    assert set(one_hot) >= {"name", "score", "max_score", "checks"}
    assert {"id", "description", "status", "message"} <= set(one_hot["checks"][0])
    assert {c["status"] for c in one_hot["checks"]} == {"passed"}
    softmax = next(f for f in doc["functions"] if f["name"] == "softmax")
    assert {c["status"] for c in softmax["checks"]} == {"failed"}


def test_text_report_goes_to_stdout():
    result = run("run", str(CASES / "prints_score.py"))
    assert result.returncode == 0
    assert result.stdout.rstrip().endswith("Score: 3/100")
    assert "✓ one_hot returns shape (N, num_classes)" in result.stdout


@pytest.mark.parametrize("args, message", [
    (["run", "no/such/file.py"], "no/such/file.py: no such file"),
    (["run", "submissions"], "is a directory"),
    (["run", "submissions/alice.py", "--task", "nope"], "unknown task 'nope'"),
])
def test_bad_input_is_one_line_and_exit_2(args, message):
    result = run(*args)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0] and lines[0].startswith("grader: error:")
    assert "Traceback" not in result.stderr


def test_bad_command_line_exits_2():
    assert run("run").returncode == 2
    assert run("run", "x.py", "--format", "xml").returncode == 2
    assert run("frobnicate").returncode == 2


def test_a_binary_file_gets_a_zero_report_with_the_reason(tmp_path):
    binary = tmp_path / "a.py"
    binary.write_bytes(b"\x00\x01\x02")
    result = run("run", str(binary), "--format", "json")
    assert result.returncode == 0 and result.stderr == ""
    doc = json.loads(result.stdout)
    assert doc["score"] == 0
    assert doc["notes"] == [f"nothing could be graded: {binary} is not a text file (it contains NUL bytes)"]
    assert {c["message"] for f in doc["functions"] for c in f["checks"]} == {"not graded (see the notes)"}


def test_internal_error_is_one_line(monkeypatch, capsys):
    def broken(*args, **kwargs):
        raise RuntimeError("boom")
    monkeypatch.setattr(cli, "grade", broken)
    monkeypatch.delenv("GRADER_DEBUG", raising=False)
    assert cli.main(["run", str(SUBMISSIONS / "alice.py")]) == cli.EXIT_INTERNAL
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "internal error in the grader" in err and "boom" in err


def test_grader_command_is_installed():
    result = subprocess.run(["grader", "run", "--help"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and "--format" in result.stdout
