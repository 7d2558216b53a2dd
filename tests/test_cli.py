"""The command line: exit codes, one-line errors, JSON keys, --out."""
import json
import subprocess
import sys

import pytest

import grader
from conftest import CASES, ROOT, SUBMISSIONS
from grader import cli
from grader.report import render_json, render_text
from grader.report.text import GRADER_ERROR_SCORE
from grader.result import CheckResult, FunctionResult, Report


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


# ------------------------------------------------------------------ status and exit 4
def one_function_report(**options):
    checks = [CheckResult("f.one", "f", "one", "passed", points=2, max_points=2),
              CheckResult("f.two", "f", "two", "error", "the grader broke", max_points=3,
                          grader_error=options.pop("check_error", False))]
    return Report(task="mlp", submission="s.py", functions=[FunctionResult("f", 5, checks)], **options)


@pytest.mark.parametrize("options, status", [
    ({}, "graded"),
    ({"check_error": True}, "grader_error"),
    ({"grader_error": True}, "grader_error"),
    ({"ungraded": True}, "ungraded"),
    ({"ungraded": True, "grader_error": True}, "grader_error"),
])
def test_report_status(options, status):
    report = one_function_report(**options)
    assert report.status == status
    doc = json.loads(render_json(report))
    assert doc["status"] == status
    assert doc["grader_version"] == grader.__version__ == "0.2.0"


def test_a_report_where_no_function_was_found_is_ungraded():
    report = Report(task="mlp", submission="s.py",
                    functions=[FunctionResult("f", 1, [CheckResult("f.x", "f", "x", "failed", max_points=1)],
                                              missing=True)])
    assert report.status == "ungraded"


def test_the_json_report_carries_the_task_digest():
    report = one_function_report(task_digest="ab" * 32)
    assert json.loads(render_json(report))["task_digest"] == "ab" * 32


def test_a_grader_error_says_so_first_and_gives_no_score():
    text = render_text(one_function_report(check_error=True))
    assert text.splitlines()[0] == "grader error, not your fault: this submission was not graded"
    assert text.rstrip().splitlines()[-1] == GRADER_ERROR_SCORE
    assert "Score: 2/5" not in text
    assert render_text(one_function_report()).rstrip().endswith("Score: 2/5")


@pytest.mark.parametrize("options, code", [
    ({}, cli.EXIT_OK), ({"ungraded": True}, cli.EXIT_OK),
    ({"check_error": True}, cli.EXIT_GRADER_ERROR), ({"grader_error": True}, cli.EXIT_GRADER_ERROR),
])
@pytest.mark.parametrize("command", ["run", "check"])
def test_a_grader_error_exits_4_after_writing_the_report(monkeypatch, capsys, tmp_path, options, code,
                                                         command):
    monkeypatch.setattr(cli, "grade", lambda *args, **kwargs: one_function_report(**dict(options)))
    alice = str(SUBMISSIONS / "alice.py")
    assert cli.main([command, alice, "--format", "json"]) == code
    assert json.loads(capsys.readouterr().out)["status"] == one_function_report(**dict(options)).status
    out = tmp_path / "r.txt"
    assert cli.main([command, alice, "--out", str(out)]) == code
    assert out.read_text(encoding="utf-8").startswith("grader error, not your fault") == (code == 4)


def test_exit_codes_are_documented():
    assert (cli.EXIT_OK, cli.EXIT_USAGE, cli.EXIT_INTERNAL, cli.EXIT_GRADER_ERROR) == (0, 2, 3, 4)
    for line in ("- 0 (EXIT_OK)", "- 2 (EXIT_USAGE)", "- 3 (EXIT_INTERNAL)", "- 4 (EXIT_GRADER_ERROR)"):
        assert line in cli.__doc__


def test_version():
    result = run("--version")
    assert result.returncode == 0 and result.stdout == f"grader {grader.__version__}\n"


def test_the_package_version_is_grader_version():
    tomllib = pytest.importorskip("tomllib")
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert "version" not in project["project"] and "version" in project["project"]["dynamic"]
    assert project["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "grader.__version__"}


def test_the_grader_running_out_of_memory_is_a_grader_error_not_a_zero(monkeypatch, capsys):
    """A MemoryError in the grader's own process: exit 4, and a report that says the file
    was not graded, so no gradebook records it as 0 and a batch can grade it again."""
    import json as _json

    from grader import cli

    def out_of_memory(*args, **kwargs):
        raise MemoryError()
    monkeypatch.setattr(cli, "grade", out_of_memory)
    assert cli.main(["run", str(SUBMISSIONS / "alice.py"), "--format", "json"]) == 4
    doc = _json.loads(capsys.readouterr().out)
    assert doc["status"] == "grader_error"
    assert doc["notes"] == [cli.OUT_OF_MEMORY]
