"""A task file found valid is remembered (grader/schemas: first_problem_of), so grading a
file does not validate the same task.yaml again; an invalid or changed one always is."""
import shutil
import subprocess
import sys

import pytest

from conftest import ROOT
from grader import schemas
from grader.task import TaskError, load_task

PROBE = ("import sys; from grader.task import load_task; load_task({task!r}); "
         "print('jsonschema' in sys.modules)")


def imports_jsonschema(task, env):
    done = subprocess.run([sys.executable, "-c", PROBE.format(task=str(task))], capture_output=True,
                          text=True, env=env, cwd=ROOT, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip() == "True"


def test_a_valid_task_is_validated_once_then_loaded_without_jsonschema(tmp_path, monkeypatch):
    env = {"PATH": "/usr/bin:/bin", "GRADER_CACHE_DIR": str(tmp_path / "cache")}
    assert imports_jsonschema("mlp", env) is True
    marks = list((tmp_path / "cache" / "valid").iterdir())
    assert len(marks) == 2, marks           # the task file and its bug catalog
    assert imports_jsonschema("mlp", env) is False
    assert imports_jsonschema("mlp", {**env, "GRADER_NO_CACHE": "1"}) is True


def test_an_invalid_or_changed_task_is_validated_every_time(tmp_path, monkeypatch):
    monkeypatch.setenv("GRADER_CACHE_DIR", str(tmp_path / "cache"))
    folder = tmp_path / "mlp"
    shutil.copytree(ROOT / "tasks" / "mlp", folder)
    assert load_task(folder).name == "mlp"
    text = (folder / "task.yaml").read_text()
    (folder / "task.yaml").write_text(text.replace("    points: 12\n", "    pionts: 12\n", 1))
    for _ in range(2):
        with pytest.raises(TaskError, match=r"functions\[\d+\]\.pionts: unknown key \(did you mean points\?\)"):
            load_task(folder)
    assert len(list((tmp_path / "cache" / "valid").iterdir())) == 2     # nothing new remembered


def test_no_cache_folder_means_validating_every_time(tmp_path, monkeypatch):
    monkeypatch.setenv("GRADER_NO_CACHE", "1")
    assert schemas.cache_dir() is None
    monkeypatch.delenv("GRADER_NO_CACHE")
    blocked = tmp_path / "a-file"           # a cache folder that cannot be made (even as root)
    blocked.write_text("")
    monkeypatch.setenv("GRADER_CACHE_DIR", str(blocked))
    assert load_task("mlp").name == "mlp"   # validated, no error
    assert blocked.read_text() == ""
