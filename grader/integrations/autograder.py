"""What Gradescope's ``run_autograder`` runs: find the student's file, grade it as an
unprivileged user, write ``ROOT/results/results.json`` (ROOT: /autograder).

``python -m grader.integrations.autograder --root ROOT --config FILE`` is the
autograder's side, run by Gradescope as root:

1. the file to grade: the single ``.py`` or ``.ipynb`` under ``ROOT/submission`` (any
   depth; hidden folders, ``__MACOSX``, ``__pycache__`` and ``.ipynb_checkpoints`` do not
   count); when there are several, the one named as the bundle's ``file`` (``--file``), or
   like the task's template or the task (``template.py``, ``mlp.ipynb``); else no grade
   and a results.json that says which files were found and what to do;
2. a copy of it, in a folder of its own, is graded by a child process (``... autograder
   grade``), which runs as ``GRADER_RUN_AS`` (default ``nobody``) when this process is
   root: then the student's code never runs as root, even where the container allows no
   namespaces and the worker runs as a plain process. ``GRADER_RUN_AS=-`` keeps the
   current user (for a local run from a Python other users cannot read, as in the tests);
3. the child prints the results.json (grader/report/gradescope.py) on a pipe, which
   nothing the student's code starts can write to; this side adds ``execution_time``
   and writes it. Anything going wrong on the grader's side (the child crashed, printed
   no valid document, ran past ``GRADER_AUTOGRADER_TIMEOUT`` seconds) yields a
   results.json that says plainly that the submission was not graded and is not the
   student's fault (grader_status "grader_error").

It always writes a results.json and exits 0 once it has; what it prints is for staff
(Gradescope keeps it in results/stdout, hidden from students).
"""
import argparse
import json
import os
import pwd
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from ..report.gradescope import DEFAULT_HIDDEN_VISIBILITY, VISIBILITIES, dumps, message_results
from ..result import GRADER_ERROR

SUFFIXES = (".py", ".ipynb")
IGNORED_PARTS = ("__MACOSX", "__pycache__", ".ipynb_checkpoints")
RUN_AS = "nobody"
TIMEOUT = 540                   # seconds: under Gradescope's default limit of 10 minutes
MAX_LISTED = 20

NO_FILE = "your submission has no .py or .ipynb file"
NO_FILE_DETAIL = "Upload your solution as one `.py` file or `.ipynb` notebook{named}.{found}"
SEVERAL = "your submission has {n} Python files and none of them is named {names}"
SEVERAL_DETAIL = ("Found: {files}. Upload only your solution, or name it {names} so that "
                  "the autograder knows which file to grade.")
CHILD_FAILED = "the grading process {what}"


def _candidates(folder):
    if not folder.is_dir():
        return []
    found = []
    for path in sorted(folder.rglob("*")):
        parts = path.relative_to(folder).parts
        if any(p.startswith(".") or p in IGNORED_PARTS for p in parts):
            continue
        if path.is_file() and path.suffix.lower() in SUFFIXES:
            found.append(path)
    return found


def preferred_names(task, file_name=""):
    """The file names that pick the student's file among several: the bundle's ``file``,
    then the task's template's and the task's name, as .py and .ipynb."""
    stems = [Path(file_name).stem] if file_name else []
    stems += [Path(task.template).stem] if task.template else []
    stems.append(task.name)
    names = [Path(file_name).name] if file_name else []
    for stem in dict.fromkeys(stems):
        names += [stem + suffix for suffix in SUFFIXES]
    return list(dict.fromkeys(names))


def find_submission(folder, names):
    """-> (path, None) or (None, (reason, detail)) for the student's file in ``folder``."""
    folder = Path(folder)
    files = _candidates(folder)
    shown = lambda paths: ", ".join(f"`{p.relative_to(folder)}`" for p in paths[:MAX_LISTED]) + \
        (f" and {len(paths) - MAX_LISTED} more" if len(paths) > MAX_LISTED else "")
    if len(files) == 1:
        return files[0], None
    quoted = " or ".join(f"`{n}`" for n in names[:2])
    if not files:
        others = [p for p in sorted(folder.rglob("*")) if p.is_file()] if folder.is_dir() else []
        found = f" Your submission holds: {shown(others)}." if others else " Your submission is empty."
        return None, (NO_FILE, NO_FILE_DETAIL.format(named=f" (e.g. {quoted})" if quoted else "", found=found))
    for name in names:
        matches = [p for p in files if p.name == name]
        if len(matches) == 1:
            return matches[0], None
    return None, (SEVERAL.format(n=len(files), names=quoted),
                  SEVERAL_DETAIL.format(files=shown(files), names=quoted))


def child_user():
    """(uid, gid) the grading runs as, or None to keep the current user: GRADER_RUN_AS
    (default nobody) when this process is root."""
    name = os.environ.get("GRADER_RUN_AS", RUN_AS)
    if os.geteuid() != 0 or name == "-":
        return None
    entry = pwd.getpwuid(int(name)) if name.isdigit() else pwd.getpwnam(name)
    if entry.pw_uid == 0:
        raise RuntimeError(f"GRADER_RUN_AS={name} is root: the student's code must not run as root")
    return entry.pw_uid, entry.pw_gid


def run_child(command, workdir, timeout):
    """Run ``command`` in ``workdir`` as child_user() -> CompletedProcess (text)."""
    user = child_user()
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(workdir), "LANG": "C.UTF-8"}
    for key in ("GRADER_DEBUG", "OPENBLAS_CORETYPE"):
        if key in os.environ:
            env[key] = os.environ[key]
    extra = {}
    if user is not None:
        for path in [workdir, *Path(workdir).rglob("*")]:
            os.chown(path, *user)
        extra = {"user": user[0], "group": user[1], "extra_groups": []}
    return subprocess.run(command, cwd=workdir, env=env, capture_output=True, text=True,
                          timeout=timeout, stdin=subprocess.DEVNULL, **extra)


def grade_file(path, task_path, visibility, timeout=TIMEOUT):
    """Grade ``path`` (a copy of it) in a child process -> the results.json document."""
    workdir = Path(tempfile.mkdtemp(prefix="grader-gradescope-"))
    try:
        os.chmod(workdir, 0o700)
        copy = workdir / path.name
        shutil.copyfile(path, copy)
        # -I: the folder of the student's file is not on sys.path (a grader.py there is not
        # imported as the grader), nor is anything from PYTHON* variables
        command = [sys.executable, "-I", "-m", "grader.integrations.autograder", "grade",
                   "--task", str(task_path), "--visibility", visibility, copy.name]
        try:
            done = run_child(command, workdir, timeout)
        except subprocess.TimeoutExpired:
            return _failed(CHILD_FAILED.format(what=f"ran past {timeout} s"))
        if done.stderr.strip():
            print(done.stderr.strip()[-4000:], file=sys.stderr)
        try:
            doc = json.loads(done.stdout)
        except ValueError:
            doc = None
        if not (isinstance(doc, dict) and isinstance(doc.get("tests"), list) and "score" in doc):
            tail = (done.stderr.strip().splitlines() or ["no output"])[-1]
            return _failed(CHILD_FAILED.format(what=f"exited with {done.returncode} and no results: {tail}"))
        return doc
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def _failed(detail):
    print(f"grader error: {detail}", file=sys.stderr)
    return message_results("", detail, status=GRADER_ERROR)


def run(root, config):
    """The autograder's side: grade ROOT/submission, write ROOT/results/results.json."""
    from ..task import load_task
    started = time.monotonic()
    root = Path(root)
    try:
        task_path = Path(config.get("task", "task"))
        task_path = task_path if task_path.is_absolute() else root / "source" / task_path
        visibility = config.get("visibility", DEFAULT_HIDDEN_VISIBILITY)
        if visibility not in VISIBILITIES:
            raise ValueError(f"visibility {visibility!r} is not one of {', '.join(VISIBILITIES)}")
        task = load_task(task_path)
        path, problem = find_submission(root / "submission", preferred_names(task, config.get("file", "")))
        if problem:
            doc = message_results(*problem)
        else:
            print(f"grading {path.relative_to(root / 'submission')} with task {task.name}")
            doc = grade_file(path, task_path, visibility,
                             float(os.environ.get("GRADER_AUTOGRADER_TIMEOUT", TIMEOUT)))
    except Exception as exc:           # whatever it is, the student gets a results.json
        doc = _failed(f"{type(exc).__name__}: {exc}")
    doc["execution_time"] = max(0, int(round(time.monotonic() - started)))
    results = root / "results"
    results.mkdir(parents=True, exist_ok=True)
    partial = results / "results.json.partial"
    partial.write_text(dumps(doc), encoding="utf-8")
    partial.replace(results / "results.json")
    status = doc.get("extra_data", {}).get("grader_status")
    print(f"results.json written: score {doc.get('score')}, status {status}")
    return 0


def grade_child(args):
    """The child: grade one file, print its results.json."""
    from ..cli import OUT_OF_MEMORY
    from ..grade import grade, grader_failed
    from ..report.gradescope import render_gradescope
    from ..submission import SubmissionError
    from ..task import load_task
    task = load_task(args.task)
    path = Path(args.submission)
    try:
        report = grade(path, task)
    except SubmissionError as exc:
        sys.stdout.write(dumps(message_results("your file could not be read", str(exc))))
        return 0
    except MemoryError:
        report = grader_failed(task, path, OUT_OF_MEMORY)
    report.view = "student"
    sys.stdout.write(render_gradescope(report, visibility=args.visibility))
    return 0


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m grader.integrations.autograder")
    parser.add_argument("--root", default=os.environ.get("GRADESCOPE_ROOT", "/autograder"),
                        help="Gradescope's root (default: $GRADESCOPE_ROOT or /autograder)")
    parser.add_argument("--config", help="the bundle's grader-autograder.json")
    sub = parser.add_subparsers(dest="command")
    child = sub.add_parser("grade")
    child.add_argument("--task", required=True)
    child.add_argument("--visibility", default=DEFAULT_HIDDEN_VISIBILITY, choices=VISIBILITIES)
    child.add_argument("submission")
    args = parser.parse_args(argv)
    if args.command == "grade":
        return grade_child(args)
    config = {}
    if args.config:
        try:
            config = json.loads(Path(args.config).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            config = {"error": f"cannot read {args.config}: {exc}"}
    if "error" in config:
        return _write_error(Path(args.root), config["error"])
    return run(args.root, config)


def _write_error(root, detail):
    results = root / "results"
    results.mkdir(parents=True, exist_ok=True)
    (results / "results.json").write_text(dumps(_failed(detail)), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
