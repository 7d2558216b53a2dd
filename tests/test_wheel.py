"""The package: ``python -m build`` makes an sdist and a wheel of at most 5 MB holding the
grader, the reference, the tasks and the MNIST subset; installed into a fresh virtual
environment (no system site-packages, nothing of the repository on the path), its
``grader`` grades from a folder outside the repository, sandbox included; and the
Gradescope bundle made from it installs with its own setup.sh and grades with its own
run_autograder. Slow (a build and two installs with pip, about two minutes)."""
import json
import shutil
import sys
import zipfile
from pathlib import Path

import jsonschema
import pytest

from conftest import ROOT, SUBMISSIONS, fresh_venv, run_clean
from grader.task import load_task
from grader.worker import sandbox

MAX_WHEEL_BYTES = 5 * 2**20
SCHEMA = json.loads((Path(__file__).parent / "gradescope.schema.json").read_text())
pytestmark = pytest.mark.timeout(1200)


def run(command, cwd, timeout=900, **env):
    return run_clean(command, cwd, timeout, **env)


@pytest.fixture(scope="module")
def dist(tmp_path_factory):
    out = tmp_path_factory.mktemp("dist")
    done = run([sys.executable, "-m", "build", "--outdir", out, ROOT], cwd=out)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return out


@pytest.fixture(scope="module")
def wheel(dist):
    wheels = list(dist.glob("grader-*.whl"))
    assert len(wheels) == 1, wheels
    return wheels[0]


@pytest.fixture(scope="module")
def venv(tmp_path_factory, wheel):
    return fresh_venv(tmp_path_factory.mktemp("venv") / "env", wheel)


@pytest.fixture
def elsewhere(tmp_path):
    folder = tmp_path / "course"
    folder.mkdir()
    for name in ("alice.py", "bob.py"):
        shutil.copy(SUBMISSIONS / name, folder / name)
    return folder


def test_the_sdist_and_the_wheel_hold_the_grader_the_reference_the_tasks_and_mnist(dist, wheel):
    assert len(list(dist.glob("grader-*.tar.gz"))) == 1
    assert wheel.stat().st_size <= MAX_WHEEL_BYTES
    names = set(zipfile.ZipFile(wheel).namelist())
    for folder in ("tasks/mlp", "tasks/dnn_colmajor"):
        for path in (ROOT / folder).iterdir():
            if path.is_file():
                assert "grader_tasks/" + path.relative_to(ROOT / "tasks").as_posix() in names
    for path in (ROOT / "grader" / "packs" / "mlp" / "data" / "mnist").iterdir():
        assert path.relative_to(ROOT).as_posix() in names
    # every module of the grader and the reference: pyproject.toml lists the packages
    for top in ("grader", "reference"):
        for path in (ROOT / top).rglob("*.py"):
            assert path.relative_to(ROOT).as_posix() in names, f"{path}: not in the wheel (pyproject packages)"
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]
    assert {"grader/integrations/setup.sh", "grader/integrations/run_autograder"} <= names


def test_the_installed_grader_grades_alice_and_bob_from_anywhere(venv, elsewhere):
    grader = venv / "bin" / "grader"
    version = run([grader, "--version"], cwd=elsewhere)
    assert version.returncode == 0 and version.stdout.startswith("grader ")
    where = run([venv / "bin" / "python", "-c", "import grader, grader.task as t; print(grader.__file__); print(t.TASKS_DIR)"],
                cwd=elsewhere)
    module, tasks = where.stdout.split()
    assert Path(module).is_relative_to(venv) and Path(tasks).is_relative_to(venv), where.stdout
    reports = {}
    for name in ("alice.py", "bob.py"):
        done = run([grader, "run", name, "--format", "json"], cwd=elsewhere)
        assert done.returncode == 0, done.stderr
        reports[name] = json.loads(done.stdout)
    alice, bob = reports["alice.py"], reports["bob.py"]
    assert alice["status"] == "graded" and alice["score"] == 100
    assert bob["score"] == 92
    assert [d["id"] for d in bob["diagnoses"]] == ["softmax-wrong-axis"]
    assert alice["task_digest"] == load_task("mlp").digest          # the very task of the checkout
    notes = alice["notes"] + bob["notes"]
    assert not [n for n in notes if "grader error" in n or "numpy" in n], notes
    if sandbox.command_prefix()[0] is not None:     # namespaces work here: they must for the wheel too
        assert not [n for n in notes if "sandbox unavailable" in n], notes


def test_the_installed_sandbox_hides_the_reference_and_shows_numpy(venv, elsewhere):
    site = run([venv / "bin" / "python", "-c", "import numpy, reference, os; "
                "print(os.path.dirname(reference.__file__)); print(os.path.dirname(numpy.__file__))"],
               cwd=elsewhere).stdout.split()
    probe = elsewhere / "probe.py"
    probe.write_text("import os\nimport numpy as np\n\n\ndef relu(z):\n"
                     f"    seen = os.path.exists({site[0] + '/mlp.py'!r}) or not os.path.isdir({site[1]!r})\n"
                     "    return z * 0 if seen else np.maximum(z, 0)\n")
    done = run([venv / "bin" / "grader", "check", "probe.py", "--only", "relu", "--format", "json"],
               cwd=elsewhere)
    assert done.returncode == 0, done.stderr
    relu = json.loads(done.stdout)["functions"][0]
    assert relu["score"] == relu["max_score"] == 3


def test_the_gradescope_bundle_installs_with_setup_sh_and_grades(venv, wheel, tmp_path):
    bundle = tmp_path / "autograder.zip"
    done = run([venv / "bin" / "grader", "gradescope", "--task", "mlp", "--wheel", wheel, "-o", bundle],
               cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    root = tmp_path / "autograder"
    (root / "submission").mkdir(parents=True)
    with zipfile.ZipFile(bundle) as archive:
        archive.extractall(root / "source")
    for script in ("setup.sh", "run_autograder"):
        (root / "source" / script).chmod(0o755)
    setup = run(["bash", root / "source" / "setup.sh"], cwd=root / "source",
                GRADER_SETUP_PYTHON=sys.executable)
    assert setup.returncode == 0, setup.stdout[-2000:] + setup.stderr[-2000:]
    assert setup.stdout.strip().endswith(f"grader {wheel.name.split('-')[1]}")
    shutil.copy(root / "source" / "run_autograder", root / "run_autograder")
    shutil.copy(SUBMISSIONS / "bob.py", root / "submission" / "bob.py")
    # GRADER_RUN_AS=-: this test's Python lives where nobody may not read (test_gradescope.py
    # proves the drop itself)
    done = run([root / "run_autograder"], cwd=root, GRADESCOPE_ROOT=root, GRADER_RUN_AS="-")
    assert done.returncode == 0, done.stderr
    doc = json.loads((root / "results" / "results.json").read_text())
    jsonschema.validate(doc, SCHEMA)
    assert doc["score"] == 92 and "softmax-wrong-axis" in doc["output"]
    assert doc["extra_data"]["grader_status"] == "graded"
