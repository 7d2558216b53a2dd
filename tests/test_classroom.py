"""``grader classroom``: the GitHub Classroom workflow generated from the task; docs/classroom.yml
is its output for mlp; each step's command, run here on alice.py and bob.py, exits 0 exactly
when that function got all its public points in the student's ``grader check`` report."""
import json
import shlex
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import yaml

from conftest import ROOT, SUBMISSIONS
from grader import cli
from grader.task import load_task

DOC = ROOT / "docs" / "classroom.yml"
WORKFLOW = (".github", "workflows", "classroom.yml")
JOB = "run-autograding-tests"


def run_grader(*args, cwd):
    return subprocess.run([sys.executable, "-m", "grader", *args], capture_output=True, text=True,
                          cwd=cwd, timeout=600)


def generate(tmp_path, *args):
    tmp_path.mkdir(parents=True, exist_ok=True)
    done = run_grader("classroom", *args, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    out = tmp_path / args[args.index("-o") + 1] if "-o" in args else tmp_path
    assert done.stdout == f"{(out.relative_to(tmp_path)).joinpath(*WORKFLOW)}: GitHub Classroom workflow for task mlp\n"
    return out.joinpath(*WORKFLOW)


def grader_steps(doc):
    return [s for s in doc["jobs"][JOB]["steps"]
            if s.get("uses") == "classroom-resources/autograding-command-grader@v1"]


def test_docs_classroom_yml_is_what_the_command_generates(tmp_path):
    path = generate(tmp_path, "--task", "mlp", "--file", "mlp.py")     # into the current folder
    assert path.read_text(encoding="utf-8") == DOC.read_text(encoding="utf-8")
    assert generate(tmp_path / "o", "-o", ".", "--force").read_bytes() == DOC.read_bytes()   # the defaults


def test_the_workflow_has_a_step_per_function_with_its_points_and_a_reporter_of_them_all(tmp_path):
    task = load_task("mlp")
    doc = yaml.safe_load(generate(tmp_path, "--file", "my solution.py", "-o", "repo").read_text())
    assert doc["on"] == ["push", "workflow_dispatch", "repository_dispatch"]
    steps = grader_steps(doc)
    assert [s["with"]["test-name"] for s in steps] == [f.name for f in task.functions]
    assert [s["with"]["max-score"] for s in steps] == [f.points for f in task.functions]
    assert sum(s["with"]["max-score"] for s in steps) == task.total == 100
    for step, function in zip(steps, task.functions):
        assert shlex.split(step["with"]["command"]) == [
            "grader", "check", "my solution.py", "--only", function.name, "--fail-under", "100%"]
        assert step["with"]["timeout"] >= 2 and step["with"]["setup-command"] == ""
    reporter = doc["jobs"][JOB]["steps"][-1]
    assert reporter["uses"] == "classroom-resources/autograding-grading-reporter@v1"
    ids = [s["id"] for s in steps]
    assert len(set(ids)) == len(ids) and "sigmoid-grad" in ids
    assert reporter["with"]["runners"].split(",") == ids
    assert reporter["env"] == {f"{i.upper()}_RESULTS": f"${{{{steps.{i}.outputs.result}}}}" for i in ids}


def test_an_existing_workflow_is_kept_unless_force(tmp_path):
    path = tmp_path.joinpath(*WORKFLOW)
    path.parent.mkdir(parents=True)
    path.write_text("mine\n")
    done = run_grader("classroom", cwd=tmp_path)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr == f"grader: error: {path.relative_to(tmp_path)}: already exists (give --force to overwrite it)\n"
    assert path.read_text() == "mine\n"
    assert generate(tmp_path, "--force") == path and path.read_text() == DOC.read_text()


def test_an_unknown_task_is_a_one_line_error(tmp_path, capsys):
    assert cli.main(["classroom", "--task", "nope", "-o", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("grader: error: ") and err.count("\n") == 1
    assert not (tmp_path / ".github").exists()


def test_each_step_exits_0_exactly_when_the_function_got_its_public_points(tmp_path):
    doc = yaml.safe_load(generate(tmp_path, "-o", "repo").read_text())
    steps = grader_steps(doc)
    runs, expected = [], {}
    for student in ("alice", "bob"):
        repo = tmp_path / student
        repo.mkdir()
        (repo / "mlp.py").write_text((SUBMISSIONS / f"{student}.py").read_text(encoding="utf-8"), encoding="utf-8")
        done = run_grader("check", "mlp.py", "--format", "json", cwd=repo)
        assert done.returncode == 0, done.stderr
        report = json.loads(done.stdout)
        expected[student] = {f["name"]: f["score"] == f["max_score"] for f in report["functions"]}
        for step in steps:
            runs.append((student, step["with"]["test-name"], shlex.split(step["with"]["command"]), repo))

    def run(item):
        student, function, command, repo = item
        assert command[0] == "grader"
        return student, function, run_grader(*command[1:], cwd=repo).returncode

    with ThreadPoolExecutor(2) as pool:
        codes = {(s, f): code for s, f, code in pool.map(run, runs)}
    for (student, function), code in codes.items():
        assert code == (0 if expected[student][function] else 1), (student, function, code)
    assert all(expected["alice"].values())
    assert [f for f, full in expected["bob"].items() if not full] == ["softmax"]
    assert codes[("bob", "softmax")] == 1 and codes[("bob", "sigmoid")] == 0
