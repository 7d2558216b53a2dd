"""Shared fixtures: the mlp task, and each example submission graded once per session."""
import dataclasses
import os
import subprocess
import sys
from pathlib import Path

import pytest

from grader.grade import grade
from grader.task import load_task
from grader.worker import WorkerLimits

ROOT = Path(__file__).resolve().parent.parent
SUBMISSIONS = ROOT / "submissions"
CASES = Path(__file__).resolve().parent / "cases"


@pytest.fixture(scope="session")
def task():
    return load_task("mlp")


def quick(task, call_seconds=2.0, load_seconds=5.0):
    """The same task with short time limits, for submissions that hang on purpose."""
    functions = tuple(dataclasses.replace(f, checks=tuple(
        dataclasses.replace(c, timeout=min(c.timeout, call_seconds) if c.timeout else 0.0)
        for c in f.checks)) for f in task.functions)
    limits = dataclasses.replace(task.limits, call_seconds=call_seconds, load_seconds=load_seconds)
    return dataclasses.replace(task, functions=functions, limits=limits)


@pytest.fixture(scope="session")
def graded(task):
    """graded(path) -> Report, graded once per session for each path."""
    cache = {}

    def get(path, **options):
        key = (str(path), tuple(sorted(options.items())))
        if key not in cache:
            cache[key] = grade(Path(path), task, **options)
        return cache[key]
    return get


def statuses(report):
    """{check id: status} of a report."""
    return {c.id: c.status for f in report.functions for c in f.checks}


def not_passed(report):
    return {cid for cid, status in statuses(report).items() if status != "passed"}


__all__ = ["CASES", "ROOT", "SUBMISSIONS", "WorkerLimits", "not_passed", "quick", "statuses"]


def forced_diagnosis(path, task):
    """Every detector of ``task`` run on the file at ``path``, failed checks or not ->
    (diagnoses, notes): how the tests show right code is never diagnosed."""
    from grader.diagnosis import diagnose
    from grader.packs import load_pack
    from grader.result import FunctionResult
    from grader.submission import load
    from grader.worker import Worker
    sub = load(path)
    with Worker(sub.source, sub.filename, sub.statements, task.limits,
                harness=load_pack(task.pack).harness) as worker:
        defined = worker.start()["functions"]
        functions = [FunctionResult(f.name, f.points, []) for f in task.functions]
        return diagnose(task, worker, functions, defined, probe_all=True)


def clean_env(**extra):
    """The environment without anything that could put the repository on the path."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("PYTHON", "VIRTUAL_ENV", "PIP_REQUIRE", "GRADER_"))}
    env.update(extra)
    return env


def run_clean(command, cwd, timeout=900, **env):
    """``command`` in ``cwd`` with clean_env (plus ``env``), its output captured."""
    return subprocess.run([str(c) for c in command], cwd=cwd, env=clean_env(**env),
                          capture_output=True, text=True, timeout=timeout)


def fresh_venv(folder, package, timeout=900):
    """A virtual environment at ``folder`` with ``package`` (a wheel, or a folder pip
    builds) installed, nothing of the repository on its path -> ``folder``."""
    done = run_clean([sys.executable, "-m", "venv", folder], folder.parent, timeout)
    assert done.returncode == 0, done.stderr
    done = run_clean([folder / "bin" / "python", "-m", "pip", "install", "--quiet",
                      "--disable-pip-version-check", package], folder.parent, timeout)
    assert done.returncode == 0, done.stderr[-3000:]
    return folder
