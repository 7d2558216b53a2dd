"""Gradescope: ``grader gradescope`` writes the autograder zip; its real ``run_autograder``
runs against a fake /autograder tree (GRADESCOPE_ROOT) and its results.json is checked
against a JSON Schema written from Gradescope's specification
(tests/gradescope.schema.json). ``--format gradescope`` prints the same document.

The fake root runs run_autograder with this interpreter (GRADER_PYTHON) and as the
current user (GRADER_RUN_AS=-: the developer's Python may not be readable by nobody);
setup.sh, the wheel and the drop to nobody are proven end to end in test_wheel.py and
by test_the_grading_runs_as_nobody_when_root.
"""
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import jsonschema
import pytest

from conftest import ROOT, SUBMISSIONS
from grader.integrations import autograder
from grader.report.gradescope import code_block, results

SCHEMA = json.loads((Path(__file__).parent / "gradescope.schema.json").read_text())


@pytest.fixture(scope="module")
def bundle(tmp_path_factory):
    out = tmp_path_factory.mktemp("bundle") / "autograder.zip"
    done = subprocess.run([sys.executable, "-m", "grader", "gradescope", "--task", "mlp", "-o", str(out)],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    return out


def fake_root(tmp_path, bundle, files=(), config=None):
    root = tmp_path / "autograder"
    (root / "submission").mkdir(parents=True)
    with zipfile.ZipFile(bundle) as archive:
        archive.extractall(root / "source")
    if config:
        path = root / "source" / "grader-autograder.json"
        path.write_text(json.dumps({**json.loads(path.read_text()), **config}))
    shutil.copy(root / "source" / "run_autograder", root / "run_autograder")
    (root / "run_autograder").chmod(0o755)
    for source, name in files:
        target = root / "submission" / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(source, target)
    return root


def run_autograder(root, **env):
    environment = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    environment.update(GRADESCOPE_ROOT=str(root), GRADER_PYTHON=sys.executable, GRADER_RUN_AS="-", **env)
    done = subprocess.run([str(root / "run_autograder")], cwd=root, env=environment,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    doc = json.loads((root / "results" / "results.json").read_text())
    jsonschema.validate(doc, SCHEMA)
    return doc


def test_the_bundle_holds_what_gradescope_needs(bundle):
    with zipfile.ZipFile(bundle) as archive:
        names = archive.namelist()
        modes = {i.filename: i.external_attr >> 16 for i in archive.infolist()}
        config = json.loads(archive.read("grader-autograder.json"))
    assert {"setup.sh", "run_autograder", "task/task.yaml", "task/bugs.yaml", "task/template.py"} <= set(names)
    assert [n for n in names if n.endswith(".whl")] == [n for n in names if n.startswith("grader-0") and n.endswith(".whl")]
    assert len([n for n in names if n.endswith(".whl")]) == 1
    assert modes["setup.sh"] & 0o111 and modes["run_autograder"] & 0o111
    assert config["visibility"] == "after_published" and config["task"] == "task"
    assert not [n for n in names if "__pycache__" in n]


def test_alice_gets_full_marks_every_test_passed(tmp_path, bundle):
    doc = run_autograder(fake_root(tmp_path, bundle, [(SUBMISSIONS / "alice.py", "alice.py")]))
    assert doc["score"] == 100
    assert sum(t["score"] for t in doc["tests"]) == 100 == sum(t["max_score"] for t in doc["tests"])
    assert {t["status"] for t in doc["tests"]} == {"passed"}
    assert doc["output_format"] == "md" and doc["stdout_visibility"] == "hidden"
    assert doc["extra_data"]["grader_status"] == "graded"
    assert isinstance(doc["execution_time"], int)
    assert "Score: 100/100" in doc["output"]
    assert len({t["number"] for t in doc["tests"]}) == len(doc["tests"])


def test_bob_is_diagnosed_and_hidden_checks_wait_for_publication(tmp_path, bundle):
    doc = run_autograder(fake_root(tmp_path, bundle, [(SUBMISSIONS / "bob.py", "bob.py")]))
    assert doc["score"] == 92
    assert "softmax-wrong-axis" in doc["output"]
    failed = [t for t in doc["tests"] if t["status"] == "failed"]
    assert failed and all(t["name"].startswith("softmax") for t in failed)
    assert any("hint:" in t["output"] for t in failed)
    hidden = [t for t in doc["tests"] if t["name"].endswith("[hidden]")]
    assert hidden and {t["visibility"] for t in hidden} == {"after_published"}
    assert {t["visibility"] for t in doc["tests"] if t not in hidden} == {"visible"}
    # the top-level output is the student view: no hidden check's description in it
    for t in hidden:
        assert t["name"].split(": ", 1)[1].removesuffix(" [hidden]") not in doc["output"]


def test_the_visibility_of_hidden_checks_is_the_bundles(tmp_path, bundle):
    doc = run_autograder(fake_root(tmp_path, bundle, [(SUBMISSIONS / "alice.py", "alice.py")],
                                   config={"visibility": "hidden"}))
    assert {t["visibility"] for t in doc["tests"] if t["name"].endswith("[hidden]")} == {"hidden"}


def test_a_notebook_is_graded(tmp_path, bundle):
    doc = run_autograder(fake_root(tmp_path, bundle, [(SUBMISSIONS / "notebook_good.ipynb", "hw.ipynb")]))
    assert doc["extra_data"]["grader_status"] == "graded"
    assert doc["score"] == 100


def test_a_hang_costs_its_function_and_says_so(tmp_path, bundle):
    doc = run_autograder(fake_root(tmp_path, bundle, [(SUBMISSIONS / "grace.py", "grace.py")]))
    assert doc["extra_data"]["grader_status"] == "graded"
    relu_grad = [t for t in doc["tests"] if t["name"].startswith("relu_grad:")]
    assert relu_grad and all(t["status"] == "failed" and t["score"] == 0 for t in relu_grad)
    assert any(t["output"].startswith("error:") for t in relu_grad)
    assert 0 < doc["score"] < 100


def test_two_files_pick_the_one_named_like_the_task(tmp_path, bundle):
    root = fake_root(tmp_path, bundle, [(SUBMISSIONS / "alice.py", "mlp.py"),
                                        (SUBMISSIONS / "bob.py", "scratch/old.py")])
    assert run_autograder(root)["score"] == 100


def test_two_files_without_a_name_to_pick_say_what_to_do(tmp_path, bundle):
    root = fake_root(tmp_path, bundle, [(SUBMISSIONS / "alice.py", "a.py"), (SUBMISSIONS / "bob.py", "b.py")])
    doc = run_autograder(root)
    assert doc["score"] == 0 and doc["tests"] == []
    assert "`a.py`" in doc["output"] and "`b.py`" in doc["output"] and "`template.py`" in doc["output"]
    assert doc["extra_data"]["grader_status"] == "ungraded"


def test_an_empty_submission_says_so(tmp_path, bundle):
    root = fake_root(tmp_path, bundle)
    (root / "submission" / "README.txt").write_text("hi")
    doc = run_autograder(root)
    assert doc["score"] == 0 and doc["tests"] == []
    assert "no .py or .ipynb file" in doc["output"] and "`README.txt`" in doc["output"]


def test_a_grader_error_says_plainly_it_was_not_graded(tmp_path, bundle):
    root = fake_root(tmp_path, bundle, [(SUBMISSIONS / "alice.py", "alice.py")])
    doc = run_autograder(root, GRADER_AUTOGRADER_TIMEOUT="0.01")
    assert doc["extra_data"]["grader_status"] == "grader_error"
    assert doc["output"].startswith("**Grader error, not your fault: this submission was not graded.**")
    assert doc["tests"] == []


def test_a_broken_task_in_the_bundle_is_a_grader_error_not_a_crash(tmp_path, bundle):
    root = fake_root(tmp_path, bundle, [(SUBMISSIONS / "alice.py", "alice.py")])
    (root / "source" / "task" / "task.yaml").write_text("name: [")
    doc = run_autograder(root)
    assert doc["extra_data"]["grader_status"] == "grader_error" and "not graded" in doc["output"]


def test_format_gradescope_prints_the_same_document(tmp_path, bundle):
    doc = run_autograder(fake_root(tmp_path, bundle, [(SUBMISSIONS / "bob.py", "bob.py")]))
    shutil.copy(SUBMISSIONS / "bob.py", tmp_path / "bob.py")
    done = subprocess.run([sys.executable, "-m", "grader", "run", "bob.py", "--format", "gradescope"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    printed = json.loads(done.stdout)
    jsonschema.validate(printed, SCHEMA)
    doc.pop("execution_time")
    assert printed == doc


def test_the_grading_runs_as_nobody_when_root(tmp_path, monkeypatch):
    """The mechanism run_autograder uses for the grading child: as root, it is nobody."""
    monkeypatch.delenv("GRADER_RUN_AS", raising=False)
    workdir = tmp_path / "work"
    workdir.mkdir()
    done = autograder.run_child(["id", "-u"], workdir, 30)
    expected = 65534 if os.geteuid() == 0 else os.geteuid()
    assert int(done.stdout) == expected
    if os.geteuid() == 0:
        assert workdir.stat().st_uid == 65534
        monkeypatch.setenv("GRADER_RUN_AS", "root")
        with pytest.raises(RuntimeError, match="must not run as root"):
            autograder.child_user()


def test_a_student_file_named_like_the_grader_is_not_imported(tmp_path, bundle):
    """-I: the folder of the student's file is not on the child's sys.path."""
    root = fake_root(tmp_path, bundle, [(SUBMISSIONS / "alice.py", "grader.py")])
    doc = run_autograder(root)
    assert doc["score"] == 100 and doc["extra_data"]["grader_status"] == "graded"


def test_code_blocks_cannot_be_closed_by_the_text():
    block = code_block("a ```` b")
    fence = block.splitlines()[0].removesuffix("text")
    assert len(fence) == 5 and block.endswith("\n" + fence)


def test_results_refuses_an_unknown_visibility(graded):
    with pytest.raises(ValueError):
        results(graded(SUBMISSIONS / "alice.py"), visibility="later")


def test_the_cli_refuses_a_wheel_that_is_not_one(tmp_path):
    fake = tmp_path / "other.whl"
    fake.write_text("x")
    done = subprocess.run([sys.executable, "-m", "grader", "gradescope", "--wheel", str(fake),
                           "-o", str(tmp_path / "a.zip")], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 2 and "not a grader wheel" in done.stderr
