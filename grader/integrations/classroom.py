"""``grader classroom --task mlp [--file mlp.py] [-o DIR] [--force]``: the GitHub Classroom
workflow, ``DIR/.github/workflows/classroom.yml``, generated from the task.

The form is the one GitHub Classroom writes today for its "Run command" tests:

- one step per function of the task, ``uses: classroom-resources/autograding-command-grader@v1``
  with the action's inputs ``test-name`` (the function), ``setup-command`` (empty: the
  grader is installed once, in an earlier step), ``command`` (``grader check FILE --only
  FUNCTION --fail-under 100%``: exit 0, and so the test's points, exactly when every public
  check of the function passes), ``timeout`` (minutes) and ``max-score`` (the function's
  points); the step's ``id`` is the function's name in lower case with ``-`` for ``_``,
  as Classroom makes ids from test names;
- then ``classroom-resources/autograding-grading-reporter@v1``, whose one input ``runners``
  lists the step ids, comma-separated, and which reads each step's ``result`` output from
  the environment variable ``<ID in upper case>_RESULTS``.

docs/classroom.yml is this output for the mlp task (a test keeps it so).
"""
import math
import shlex
from pathlib import Path

import yaml

COMMAND_GRADER = "classroom-resources/autograding-command-grader@v1"
REPORTER = "classroom-resources/autograding-grading-reporter@v1"
WORKFLOW = Path(".github") / "workflows" / "classroom.yml"
COMMAND = "grader check {file} --only {function} --fail-under 100%"
PYTHON = "3.11"
EXISTS = "{path}: already exists (give --force to overwrite it)"

HEADER = """\
# GitHub Classroom autograding for the task {task} (written by `grader classroom`; see
# docs/integrations.md): one test per function, worth that function's points ({total} in
# all); a test passes when `grader check --only FUNCTION --fail-under 100%` exits 0, i.e.
# when every public check of that function passes. It belongs in the assignment's template
# repository as .github/workflows/classroom.yml, with the grader wheel (python -m build ->
# dist/) in .github/grader/ and the students' solution as {file} at the repository's root.
# Classroom runs in the student's own repository: nothing there is secret, so it runs the
# public checks only (`grader check`); grade the hidden ones with `grader run` or Gradescope.
"""


class ClassroomError(Exception):
    """The workflow cannot be written; the message is one line."""


def step_id(name):
    return name.lower().replace("_", "-").replace(" ", "-")


def timeout_minutes(task):
    """Minutes a step may run: twice the task's grading budget, at least 2."""
    return max(2, math.ceil(2 * task.limits.budget_seconds / 60))


def default_file(task):
    return f"{task.name}.py"


def workflow(task, file=""):
    """The workflow as data (the order of its keys is the order written)."""
    file = file or default_file(task)
    tests = []
    for function in task.functions:
        tests.append({
            "name": function.name,
            "id": step_id(function.name),
            "uses": COMMAND_GRADER,
            "with": {
                "test-name": function.name,
                "setup-command": "",
                "command": COMMAND.format(file=shlex.quote(file), function=function.name),
                "timeout": timeout_minutes(task),
                "max-score": function.points,
            },
        })
    reporter = {
        "name": "Autograding Reporter",
        "uses": REPORTER,
        "env": {f"{t['id'].upper()}_RESULTS": f"${{{{steps.{t['id']}.outputs.result}}}}" for t in tests},
        "with": {"runners": ",".join(t["id"] for t in tests)},
    }
    setup = [
        {"name": "Checkout code", "uses": "actions/checkout@v4"},
        {"name": "Set up Python", "uses": "actions/setup-python@v5", "with": {"python-version": PYTHON}},
        {"name": "Install the grader", "run": "pip install .github/grader/grader-*.whl"},
    ]
    return {
        "name": "Autograding Tests",
        "on": ["push", "workflow_dispatch", "repository_dispatch"],
        "permissions": {"checks": "write", "actions": "read", "contents": "read"},
        "jobs": {"run-autograding-tests": {
            "runs-on": "ubuntu-latest",
            "if": "github.actor != 'github-classroom[bot]'",
            "steps": [*setup, *tests, reporter],
        }},
    }


def render(task, file=""):
    """The text of classroom.yml."""
    body = yaml.safe_dump(workflow(task, file), sort_keys=False, width=1000, default_flow_style=False,
                          allow_unicode=True)
    return HEADER.format(task=task.name, total=sum(f.points for f in task.functions),
                         file=file or default_file(task)) + body


def write_workflow(task, out_dir=".", file="", force=False):
    """Write DIR/.github/workflows/classroom.yml; its path. ClassroomError when it exists
    (and not ``force``) or is a folder."""
    path = Path(out_dir) / WORKFLOW
    if path.is_dir() or (path.exists() and not force):
        raise ClassroomError(EXISTS.format(path=path))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render(task, file), encoding="utf-8")
    return path
