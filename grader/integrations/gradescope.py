"""``grader gradescope --task mlp -o autograder.zip``: Gradescope's autograder bundle.

The zip holds, at its root (Gradescope's "Autograder Specifications"):

- ``setup.sh``: run once, as root, when Gradescope builds the image: a virtual
  environment with the bundled wheel and its dependencies installed by pip;
- ``run_autograder``: run for every submission (autograder.py);
- ``grader-<version>-py3-none-any.whl``: this grader, the reference, the tasks and the
  MNIST subset;
- ``task/``: the task folder graded against (so the bundle grades with exactly the task
  it was made from: its digest is in the config);
- ``grader-autograder.json``: the task folder, the visibility of hidden checks, the
  preferred file name, the grader's version and the task's digest.

The wheel is ``--wheel FILE`` when given; from a checkout it is built from the checkout
with ``pip wheel`` (setuptools comes from the package index, as for any build).
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from importlib.resources import files
from pathlib import Path

from .. import __version__
from ..report.gradescope import DEFAULT_HIDDEN_VISIBILITY, VISIBILITIES
from ..worker import sandbox

CONFIG = "grader-autograder.json"
SCRIPTS = ("setup.sh", "run_autograder")
NO_WHEEL = ("this grader is installed, not a checkout: give --wheel FILE, the grader wheel to "
            "bundle (python -m build in a checkout makes one in dist/)")
BAD_WHEEL = "{path}: not a grader wheel (expected grader-<version>-*.whl)"
COPY_IGNORED = (".*", "build", "dist", "*.egg-info", "__pycache__", "tests", "submissions", "venv")
BUILD_FAILED = "building the grader wheel failed: {reason}"


class BundleError(Exception):
    """The bundle cannot be made; the message says why."""


def build_wheel(folder):
    """A wheel of the checkout this grader runs from, built into ``folder`` -> its path."""
    if sandbox.ROOT is None:
        raise BundleError(NO_WHEEL)
    # from a clean copy: a build in the checkout would leave build/ there, whose stale
    # files setuptools would put in the next wheel
    source = Path(folder) / "source"
    shutil.copytree(sandbox.ROOT, source, ignore=shutil.ignore_patterns(*COPY_IGNORED))
    done = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet",
                           "--disable-pip-version-check", "-w", str(folder), str(source)],
                          capture_output=True, text=True)
    wheels = sorted(Path(folder).glob("grader-*.whl"))
    if done.returncode != 0 or not wheels:
        lines = (done.stderr or done.stdout).strip().splitlines()
        raise BundleError(BUILD_FAILED.format(reason=lines[-1] if lines else f"exit {done.returncode}"))
    return wheels[-1]


def _task_files(directory):
    for path in sorted(Path(directory).rglob("*")):
        parts = path.relative_to(directory).parts
        if path.is_file() and not any(p.startswith(".") or p == "__pycache__" for p in parts):
            yield path, Path(*parts).as_posix()


def _add(archive, name, data, executable=False):
    info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = ((0o755 if executable else 0o644) | 0o100000) << 16
    archive.writestr(info, data)


def build_bundle(task, out, visibility=DEFAULT_HIDDEN_VISIBILITY, wheel=None, file_name=""):
    """Write the autograder zip for ``task`` (a loaded Task) to ``out`` -> the wheel's name."""
    if visibility not in VISIBILITIES:
        raise BundleError(f"--visibility must be one of {', '.join(VISIBILITIES)}")
    with tempfile.TemporaryDirectory(prefix="grader-bundle-") as tmp:
        if wheel is None:
            wheel = build_wheel(tmp)
        wheel = Path(wheel)
        if not (wheel.is_file() and wheel.name.startswith("grader-") and wheel.suffix == ".whl"):
            raise BundleError(BAD_WHEEL.format(path=wheel))
        config = {"task": "task", "visibility": visibility, "file": file_name,
                  "grader_version": __version__, "task_name": task.name, "task_digest": task.digest}
        partial = Path(str(out) + ".partial")
        with zipfile.ZipFile(partial, "w") as archive:
            here = files("grader.integrations")
            for script in SCRIPTS:
                _add(archive, script, here.joinpath(script).read_bytes(), executable=True)
            _add(archive, wheel.name, wheel.read_bytes())
            for path, relative in _task_files(task.directory):
                _add(archive, f"task/{relative}", path.read_bytes())
            _add(archive, CONFIG, json.dumps(config, indent=2) + "\n")
        os.replace(partial, out)
    return wheel.name
