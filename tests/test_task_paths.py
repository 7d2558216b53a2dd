"""``--task`` as a name, a task folder or a task.yaml, relative or absolute, from any
working directory; the task's digest (grader/task.py: task_file, task_digest)."""
import json
import os
import shutil
import subprocess
import sys

import pytest

from conftest import ROOT, SUBMISSIONS
from grader.task import TASKS_DIR, TaskError, load_task, task_digest, task_file

MLP = TASKS_DIR / "mlp"


def env():
    """The environment for ``python -m grader``, installed or not."""
    path = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p)
    return {**os.environ, "PYTHONPATH": path}


def run(*args, cwd):
    return subprocess.run([sys.executable, "-m", "grader", *args], capture_output=True, text=True,
                          timeout=600, cwd=cwd, env=env())


def forms(cwd):
    """Each way to name the mlp task, as seen from ``cwd``."""
    relative = os.path.relpath(MLP, cwd)
    return {"name": "mlp", "relative folder": relative,
            "relative task.yaml": os.path.join(relative, "task.yaml"),
            "absolute folder": str(MLP), "absolute task.yaml": str(MLP / "task.yaml")}


@pytest.mark.parametrize("form", list(forms(ROOT)))
def test_every_form_of_task_grades_with_all_its_checks(tmp_path, form):
    given = forms(tmp_path)[form]
    result = run("run", str(SUBMISSIONS / "alice.py"), "--task", given, "--format", "json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    checks = [c for f in doc["functions"] for c in f["checks"]]
    assert len(checks) >= 52 and {c["status"] for c in checks} == {"passed"}, given
    assert (doc["score"], doc["max_score"], doc["task"]) == (100, 100, "mlp")


@pytest.mark.parametrize("form", list(forms(ROOT)))
def test_load_task_gives_an_absolute_resolved_path(tmp_path, monkeypatch, form):
    monkeypatch.chdir(tmp_path)
    task = load_task(forms(tmp_path)[form])
    assert task.path == (MLP / "task.yaml").resolve() and task.path.is_absolute()
    assert task.directory == MLP.resolve()


def test_a_relative_path_with_dots_is_resolved(tmp_path, monkeypatch):
    (tmp_path / "sub").mkdir()
    monkeypatch.chdir(tmp_path / "sub")
    given = os.path.join("..", os.path.relpath(MLP, tmp_path), ".", "task.yaml")
    assert ".." in given
    assert task_file(given) == (MLP / "task.yaml").resolve()


def test_an_existing_task_folder_wins_over_a_name(tmp_path, monkeypatch):
    shutil.copytree(MLP, tmp_path / "mlp")
    monkeypatch.chdir(tmp_path)
    assert task_file("mlp") == (tmp_path / "mlp" / "task.yaml").resolve()
    (tmp_path / "other").mkdir()                    # a folder here without a task.yaml
    monkeypatch.chdir(tmp_path / "other")
    (tmp_path / "other" / "mlp").mkdir()
    assert task_file("mlp") == (MLP / "task.yaml").resolve()


def test_an_unknown_name_is_one_line_listing_the_known_tasks(tmp_path):
    result = run("run", str(SUBMISSIONS / "alice.py"), "--task", "nope", cwd=tmp_path)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("grader: error: unknown task 'nope'")
    assert lines[0].endswith("(known tasks: dnn_colmajor, mlp)")


@pytest.mark.parametrize("given, message", [
    ("no/such/folder", "no/such/folder: no such task folder or task.yaml (known tasks: dnn_colmajor, mlp)"),
    ("missing.yaml", "missing.yaml: no such task folder or task.yaml (known tasks: dnn_colmajor, mlp)"),
    ("empty", "empty: a folder without a task.yaml (known tasks: dnn_colmajor, mlp)"),
    ("notes.txt", "notes.txt: not a task file (expected a task folder or a .yaml file)"),
])
def test_a_bad_path_is_one_line(tmp_path, given, message):
    (tmp_path / "empty").mkdir()
    (tmp_path / "notes.txt").write_text("hello")
    result = run("run", str(SUBMISSIONS / "alice.py"), "--task", given, cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [f"grader: error: {message}"]


def test_in_process_errors_are_task_errors(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(TaskError, match=r"unknown task 'nope'.*known tasks: dnn_colmajor, mlp"):
        task_file("nope")
    with pytest.raises(TaskError, match="a folder without a task.yaml"):
        task_file(str(tmp_path))


# ------------------------------------------------------------------ digest
def test_the_digest_is_of_the_folders_files_not_of_where_it_is(tmp_path):
    copy = tmp_path / "copy"
    shutil.copytree(MLP, copy)
    digest = task_digest(MLP)
    assert len(digest) == 64 and int(digest, 16) >= 0
    assert task_digest(copy) == digest == task_digest(MLP)
    (copy / "__pycache__").mkdir()
    (copy / "__pycache__" / "template.cpython-311.pyc").write_bytes(b"cache")
    (copy / ".template.py.swp").write_bytes(b"editor")
    assert task_digest(copy) == digest


@pytest.mark.parametrize("change", ["edit", "add", "rename", "move bytes between files"])
def test_the_digest_changes_with_the_task(tmp_path, change):
    copy = tmp_path / "copy"
    shutil.copytree(MLP, copy)
    (copy / "a").write_bytes(b"12")
    (copy / "b").write_bytes(b"3")
    before = task_digest(copy)
    if change == "edit":
        (copy / "task.yaml").write_bytes((copy / "task.yaml").read_bytes() + b"\n")
    elif change == "add":
        (copy / "data").mkdir()
        (copy / "data" / "x.npy").write_bytes(b"")
    elif change == "rename":
        (copy / "template.py").rename(copy / "template2.py")
    else:
        (copy / "a").write_bytes(b"1")
        (copy / "b").write_bytes(b"23")
    assert task_digest(copy) != before
