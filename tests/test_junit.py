"""``--format junit``: parsed with junitparser, its counts are the JSON report's."""
import json
import subprocess
import sys

from junitparser import Error, Failure, JUnitXml, Skipped

from conftest import SUBMISSIONS

ALICE = (SUBMISSIONS / "alice.py").read_text()


def cli(*args, cwd):
    done = subprocess.run([sys.executable, "-m", "grader", *args], capture_output=True, text=True,
                          cwd=cwd, timeout=600)
    assert done.returncode == 0, done.stderr
    return done


def both(path, *options, cwd):
    """(the parsed JUnit XML, the JSON report) of one file, written with --out."""
    cli(*options, str(path), "--format", "junit", "--out", "report.xml", cwd=cwd)
    cli(*options, str(path), "--format", "json", "--out", "report.json", cwd=cwd)
    return JUnitXml.fromfile(str(cwd / "report.xml")), json.loads((cwd / "report.json").read_text())


def kinds(case):
    return [type(r).__name__ for r in case.result]


def expected_counts(function):
    checks = function["checks"]
    skipped = [c for c in checks if c["message"] == "not graded (see the notes)" and not c["grader_error"]]
    errors = [c for c in checks if c not in skipped and (c["status"] == "error" or c["grader_error"])]
    failures = [c for c in checks if c not in skipped + errors and c["status"] == "failed"]
    return {"tests": len(checks), "failures": len(failures), "errors": len(errors), "skipped": len(skipped)}


def counts(suite):
    cases = list(suite)
    return {"tests": len(cases),
            "failures": sum(any(isinstance(r, Failure) for r in c.result) for c in cases),
            "errors": sum(any(isinstance(r, Error) for r in c.result) for c in cases),
            "skipped": sum(any(isinstance(r, Skipped) for r in c.result) for c in cases)}


def check_against(xml, doc):
    suites = list(xml)
    assert [s.name for s in suites] == [f["name"] for f in doc["functions"]]
    for suite, function in zip(suites, doc["functions"]):
        assert counts(suite) == expected_counts(function), function["name"]
        assert (suite.tests, suite.failures, suite.errors, suite.skipped) == tuple(expected_counts(function).values())
        props = {p.name: p.value for p in suite.properties()}
        assert int(props["score"]) == function["score"] and int(props["max_score"]) == function["max_score"]
    assert sum(int({p.name: p.value for p in s.properties()}["score"]) for s in suites) == doc["score"]
    assert {next(p.value for p in s.properties() if p.name == "status") for s in suites} == {doc["status"]}
    assert xml.tests == sum(expected_counts(f)["tests"] for f in doc["functions"])
    assert (xml.failures, xml.errors, xml.skipped) == tuple(
        sum(expected_counts(f)[k] for f in doc["functions"]) for k in ("failures", "errors", "skipped"))


def test_bob_failures_carry_the_rationale_and_the_hint(tmp_path):
    xml, doc = both(SUBMISSIONS / "bob.py", "run", cwd=tmp_path)
    check_against(xml, doc)
    softmax = next(s for s in xml if s.name == "softmax")
    failures = [r for c in softmax for r in c.result if isinstance(r, Failure)]
    assert failures and all(r.message and "hint:" in r.text for r in failures)
    assert sum(s.failures for s in xml) == sum(expected_counts(f)["failures"] for f in doc["functions"]) > 0
    assert any(c.name.endswith("[hidden]") for s in xml for c in s)      # the instructor's view


def test_the_student_view_lists_no_hidden_check(tmp_path):
    xml, doc = both(SUBMISSIONS / "bob.py", "run", "--student-view", cwd=tmp_path)
    check_against(xml, doc)
    assert not any(c.name.endswith("[hidden]") for s in xml for c in s)
    hidden = sum(int({p.name: p.value for p in s.properties()}["hidden_checks"]) for s in xml)
    assert hidden == doc["hidden_checks"] > 0


def test_the_students_code_raising_is_an_error(tmp_path):
    path = tmp_path / "raises.py"
    path.write_text(ALICE + "\n\ndef softmax(z):\n    raise IndexError('boom')\n")
    xml, doc = both(path, "check", "--only", "softmax", cwd=tmp_path)
    check_against(xml, doc)
    softmax = next(s for s in xml if s.name == "softmax")
    errors = [r for c in softmax for r in c.result if isinstance(r, Error)]
    assert errors and all(r.type == "student_code" and "IndexError" in r.text for r in errors)


def test_what_was_not_graded_is_skipped(tmp_path):
    path = tmp_path / "binary.py"           # cannot be read as source: nothing is graded
    path.write_bytes(b"\x00\xff\xfe" * 100)
    xml, doc = both(path, "run", cwd=tmp_path)
    check_against(xml, doc)
    skipped = sum(s.skipped for s in xml)
    assert doc["status"] == "ungraded"
    assert skipped == sum(len(f["checks"]) for f in doc["functions"]) > 0


def test_text_from_the_submission_cannot_break_the_xml(tmp_path):
    path = tmp_path / "nasty.py"
    path.write_text(ALICE + "\n\ndef softmax(z):\n    raise ValueError('</failure>]]>&\\x00\\x1b[2J')\n")
    xml, doc = both(path, "check", "--only", "softmax", cwd=tmp_path)
    check_against(xml, doc)
    text = (tmp_path / "report.xml").read_text()
    assert "\x00" not in text and "\x1b" not in text


# --fail-under: the exit code CI reads (grader/cli.py EXIT_BELOW)

def exit_code(*args, cwd):
    return subprocess.run([sys.executable, "-m", "grader", *args], capture_output=True, text=True,
                          cwd=cwd, timeout=600).returncode


def test_fail_under_points_and_percent(tmp_path):
    bob = str(SUBMISSIONS / "bob.py")
    assert exit_code("run", bob, "--format", "json", "--fail-under", "92", cwd=tmp_path) == 0
    assert exit_code("run", bob, "--format", "json", "--fail-under", "93", cwd=tmp_path) == 1
    assert exit_code("run", bob, "--format", "json", "--fail-under", "92.5%", cwd=tmp_path) == 1
    assert exit_code("run", bob, "--format", "json", "--fail-under", "92%", cwd=tmp_path) == 0


def test_fail_under_with_only_is_of_those_functions(tmp_path):
    bob = str(SUBMISSIONS / "bob.py")
    assert exit_code("check", bob, "--only", "softmax", "--fail-under", "100%", cwd=tmp_path) == 1
    assert exit_code("check", bob, "--only", "sigmoid", "--fail-under", "100%", cwd=tmp_path) == 0
    assert exit_code("check", bob, "--only", "sigmoid", "--fail-under", "3", cwd=tmp_path) == 0
    assert exit_code("check", bob, "--only", "sigmoid", "--fail-under", "4", cwd=tmp_path) == 1


def test_fail_under_refuses_what_is_not_a_score(tmp_path):
    for bad in ("80x", "101%", "-1", "nan"):
        assert exit_code("check", str(SUBMISSIONS / "bob.py"), "--fail-under", bad, cwd=tmp_path) == 2, bad


# docs/classroom.yml: each step's command, run here, exits as the report says

def test_the_classroom_workflow_has_a_step_per_function_with_its_points(tmp_path):
    import shlex

    import yaml

    from grader.task import load_task
    task = load_task("mlp")
    doc = yaml.safe_load((SUBMISSIONS.parent / "docs" / "classroom.yml").read_text())
    steps = [s for s in doc["jobs"]["run-autograding-tests"]["steps"]
             if s.get("uses", "").startswith("classroom-resources/autograding-command-grader")]
    assert {s["with"]["test-name"]: s["with"]["max-score"] for s in steps} == {f.name: f.points for f in task.functions}
    reporter = doc["jobs"]["run-autograding-tests"]["steps"][-1]
    assert reporter["uses"].startswith("classroom-resources/autograding-grading-reporter")
    assert reporter["with"]["runners"].split(",") == [s["id"] for s in steps]
    for name in ("alice.py", "bob.py"):
        (tmp_path / name).write_text((SUBMISSIONS / name).read_text())
    for step in steps:
        command = shlex.split(step["with"]["command"])
        assert command[:2] == ["grader", "check"] and command[2] == "mlp.py"
        function = step["with"]["test-name"]
        assert exit_code(*command[1:2], "alice.py", *command[3:], cwd=tmp_path) == 0, function
        if function in ("softmax", "sigmoid"):
            assert exit_code(*command[1:2], "bob.py", *command[3:], cwd=tmp_path) == (function == "softmax")
