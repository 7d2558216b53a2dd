"""The command line: ``grader run SUBMISSION [--task mlp] [--format text|json] [--out FILE]``,
``grader check SUBMISSION ...`` and, for course staff, ``grader task check TASK``.

``grader run PATH... --out DIR [-j N | --dask ADDRESS] [--roster FILE] [--regrade]`` grades a class
(grader/batch/, docs/class-grading.md): several files, folders or globs, or one file with
``--out`` an existing folder. One file without ``--out DIR`` is graded as above, its checks
on ``-j N`` workers at once (default: the cores, at most 4; the same report for any N). A
class exits 0, 2 or 4 as below (4: at least one grader error) and 130 after Ctrl-C.

``--task`` is a task name under tasks/ (``mlp``), a task folder or a task.yaml, relative
or absolute.

Exit status (``grader run`` and ``grader check``):

- 0 (EXIT_OK): the submission was graded (or could not be graded for a reason of its
  own: unreadable, empty, not loadable), whatever the score; the report says which
  ("status": "graded" or "ungraded").
- 1 (EXIT_BELOW): only with ``--fail-under SCORE`` (points, or a percent of the graded
  points with a ``%`` suffix: ``--fail-under 80%``; with ``--only``, of those functions'
  points): the report was written and its score is below SCORE (for CI).
- 2 (EXIT_USAGE): a one-line ``grader: error: ...`` for a bad command line, an unknown or
  invalid task, or a path that cannot be graded (missing, a directory).
- 3 (EXIT_INTERNAL): an internal error of the grader's, no report (one line;
  GRADER_DEBUG=1 shows the traceback).
- 4 (EXIT_GRADER_ERROR): the report was written, but a problem of the grader's own kept
  the submission from being graded fully ("status": "grader_error"): record no score and
  grade it again.

``grader gradescope --task T -o autograder.zip [--visibility V] [--wheel FILE] [--file NAME]``
writes Gradescope's autograder bundle (grader/integrations/, docs/integrations.md): 0, or 2
with the reason. ``grader classroom --task T [--file NAME] [-o DIR] [--force]`` writes
DIR/.github/workflows/classroom.yml, GitHub Classroom's workflow: 0, or 2 with the reason.

``grader kit --task T -o DIR [--record PATH...]`` writes the student kit (kit.py, docs/kit.md):
the package without the reference, the hidden checks or the bug variants' code, the
reference's answers recorded as data: 0 with a summary, or 2 with the reason.

``grader task check TASK`` (taskcheck.py): 0 with a summary when the task is ready; 1 with
``grader: task check failed: <reason>`` when its reference does not get full marks (or is
diagnosed) or its template gets points or a grader error; 2 with the located error for an
invalid task file.
"""
import argparse
import os
import sys
from pathlib import Path

from . import __version__
from .grade import SLOW_NOTE, SLOW_SECONDS, grade, grader_failed
from .report import RENDERERS
from .result import GRADER_ERROR
from .safetext import clip
from .start import default_workers
from .submission import SubmissionError
from .task import DEFAULT_TASK, TaskError, load_task

EXIT_OK, EXIT_USAGE, EXIT_INTERNAL, EXIT_GRADER_ERROR = 0, 2, 3, 4
EXIT_BELOW = 1                  # --fail-under: graded, and the score is below it
OUT_OF_MEMORY = "grader error, not your fault: the grader ran out of memory while grading this file"
VERSION = "grader {version}"
ERROR_LIMIT = 1000              # characters of a one-line error
BAD_WORKERS = "-j {jobs}: give a number of workers, 1 or more"


def build_parser():
    parser = argparse.ArgumentParser(prog="grader", description="Grade numpy neural-network assignments.")
    parser.add_argument("--version", action="version", version=VERSION.format(version=__version__))
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    run = commands.add_parser("run", help="grade one submission with every check (instructors)")
    check = commands.add_parser("check", help="check your own work with the public checks (students)")
    run.add_argument("submission", nargs="+", metavar="PATH",
                     help="the student's .py or .ipynb file; or, with --out DIR, a class: files, "
                          "folders (searched recursively) or globs (see docs/class-grading.md)")
    check.add_argument("submission", help="the student's .py or .ipynb file")
    for sub in (run, check):
        sub.add_argument("--task", default=DEFAULT_TASK,
                         help=f"a task name under tasks/, a task folder or a task.yaml (default: {DEFAULT_TASK})")
        sub.add_argument("--format", choices=sorted(RENDERERS), default="text", help="report format (default: text)")
        sub.add_argument("--out", help="write the report to this file instead of standard output"
                         + ("; for a class, the folder to write every report, grades.csv and the "
                            "summary to" if sub is run else ""))
        sub.add_argument("--run-toplevel", action="store_true",
                         help="also run the file's top-level code (off by default), under the same limits")
    run.add_argument("--student-view", action="store_true",
                     help="the report as released to students: hidden checks counted, not shown")
    run.add_argument("-j", "--jobs", type=int, metavar="N",
                     help="a class: grade N submissions at once; one file: judge its checks on N "
                          "workers at once, the same report (default: the number of cores)")
    check.add_argument("-j", "--jobs", type=int, metavar="N",
                       help="judge the checks on N workers at once, the same report (default: the "
                            "number of cores)")
    run.add_argument("--roster", metavar="FILE",
                     help="a class: a CSV with columns id, name, email, or a Canvas or Moodle export "
                          "(names, emails, who is missing)")
    run.add_argument("--regrade", action="store_true",
                     help="a class: grade every submission again, even those graded and unchanged")
    run.add_argument("--dask", metavar="ADDRESS",
                     help="a class: grade on a Dask cluster, a scheduler's ADDRESS (tcp://host:8786) "
                          "or local:N (N worker processes here); needs grader[dask] (docs/cluster.md)")
    check.add_argument("--only", metavar="FUNCTION", action="append",
                       help="check only this function (may be repeated)")
    for sub in (run, check):
        sub.add_argument("--fail-under", metavar="SCORE", type=fail_under,
                         help="exit 1 when the score is below SCORE: points, or a percent with %% "
                              "(80%%) of the points graded (with --only, of those functions)")
    run.add_argument("--lms", choices=("canvas", "moodle"),
                     help="a class: also write the file this LMS imports (OUT/canvas_import.csv or "
                          "OUT/moodle_import.csv), matched by the --roster export's ids")
    _gradescope_parser(commands)
    _classroom_parser(commands)
    _kit_parser(commands)
    task = commands.add_parser("task", help="work on a task (course staff)")
    task_commands = task.add_subparsers(dest="task_command", required=True, metavar="TASK_COMMAND")
    task_check = task_commands.add_parser(
        "check", help="validate a task file, then grade its reference (must get full marks, no "
                      "diagnosis) and its template (must get 0, no grader error)")
    task_check.add_argument("task", help="a task name under tasks/, a task folder or a task.yaml")
    return parser


INTERNAL_ERROR = ("internal error in the grader, not in the submission: {detail} "
                  "(set GRADER_DEBUG=1 to see the traceback)")
CANNOT_WRITE = "{path}: cannot write the report: {reason}"


def main(argv=None):
    args = build_parser().parse_args(argv)
    try:
        return _run(args)
    except Exception as exc:
        if os.environ.get("GRADER_DEBUG"):
            raise
        _say(f"grader: {INTERNAL_ERROR.format(detail=f'{type(exc).__name__}: {exc}')}")
        return EXIT_INTERNAL


def _run(args):
    if args.command == "task":
        return _task_check(args)
    if args.command == "gradescope":
        return _gradescope(args)
    if args.command == "classroom":
        return _classroom(args)
    if args.command == "kit":
        return _kit(args)
    try:
        task = load_task(args.task)
    except TaskError as exc:
        return _error(exc)
    if args.command == "run":
        batch = _batch(args, task)
        if batch is not None:
            return batch
        args.submission = args.submission[0]
    path = Path(args.submission)
    self_check = args.command == "check"
    if self_check and args.only:
        unknown = [n for n in args.only if n not in {f.name for f in task.functions}]
        if unknown:
            return _error(f"--only {unknown[0]}: not a function of the task {task.name!r}")
    if args.jobs is not None and args.jobs < 1:
        return _error(BAD_WORKERS.format(jobs=args.jobs))
    try:
        report = grade(path, task, public_only=self_check, run_toplevel=args.run_toplevel,
                       only=args.only if self_check else None, workers=args.jobs or default_workers())
    except SubmissionError as exc:
        return _error(exc)
    except MemoryError:                 # the grader's own process ran out: not the student's 0
        report = grader_failed(task, path, OUT_OF_MEMORY)
    report.view = "check" if self_check else ("student" if args.student_view else "full")
    text = RENDERERS[args.format](report)
    if args.out:
        try:
            Path(args.out).write_text(text, encoding="utf-8", errors="backslashreplace")
        except OSError as exc:
            return _error(CANNOT_WRITE.format(path=args.out, reason=exc.strerror or exc))
    else:
        _write(sys.stdout, text)
    if report.seconds > SLOW_SECONDS:       # not in the report: reports do not depend on timing
        _say(f"grader: note: {SLOW_NOTE.format(seconds=report.seconds)}")
    if report.status == GRADER_ERROR:
        return EXIT_GRADER_ERROR
    return EXIT_BELOW if below(report, args.fail_under) else EXIT_OK


def fail_under(text):
    """``--fail-under``: "80" (points) or "80%" -> (80.0, is_percent)."""
    percent = text.strip().endswith("%")
    try:
        value = float(text.strip().rstrip("%"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: expected points (80) or a percent (80%)") from None
    if not 0 <= value < float("inf") or (percent and value > 100):
        raise argparse.ArgumentTypeError(f"{text!r}: expected 0 to the task's points, or 0% to 100%")
    return value, percent


def below(report, threshold):
    """Whether the report's score is below ``--fail-under`` (None: never)."""
    if threshold is None:
        return False
    value, percent = threshold
    if percent:
        return report.score * 100 < value * report.max_score
    return report.score < value


def _gradescope_parser(commands):
    from .report.gradescope import DEFAULT_HIDDEN_VISIBILITY, VISIBILITIES
    gs = commands.add_parser("gradescope", help="write Gradescope's autograder bundle (course staff)")
    gs.add_argument("--task", default=DEFAULT_TASK,
                    help=f"a task name under tasks/, a task folder or a task.yaml (default: {DEFAULT_TASK})")
    gs.add_argument("-o", "--out", default="autograder.zip", help="the zip to write (default: autograder.zip)")
    gs.add_argument("--visibility", choices=VISIBILITIES, default=DEFAULT_HIDDEN_VISIBILITY,
                    help=f"when students see the hidden checks' tests (default: {DEFAULT_HIDDEN_VISIBILITY})")
    gs.add_argument("--wheel", help="the grader wheel to bundle (default: built from this checkout)")
    gs.add_argument("--file", default="", metavar="NAME",
                    help="the file name to grade when a submission holds several (default: the "
                         "template's or the task's name)")


def _gradescope(args):
    from .integrations.gradescope import BundleError, build_bundle
    try:
        task = load_task(args.task)
        wheel = build_bundle(task, args.out, args.visibility, args.wheel, args.file)
    except (TaskError, BundleError) as exc:
        return _error(exc)
    except OSError as exc:
        return _error(CANNOT_WRITE.format(path=args.out, reason=exc.strerror or exc))
    _write(sys.stdout, f"{args.out}: Gradescope autograder for task {task.name} ({wheel}); "
                       "upload it as the assignment's autograder\n")
    return EXIT_OK


def _classroom_parser(commands):
    cl = commands.add_parser("classroom", help="write the GitHub Classroom workflow (course staff)")
    cl.add_argument("--task", default=DEFAULT_TASK,
                    help=f"a task name under tasks/, a task folder or a task.yaml (default: {DEFAULT_TASK})")
    cl.add_argument("--file", default="", metavar="NAME",
                    help=f"the student's file in the repository (default: the task's name, e.g. {DEFAULT_TASK}.py)")
    cl.add_argument("-o", "--out", default=".", metavar="DIR",
                    help="write DIR/.github/workflows/classroom.yml (default: the current folder)")
    cl.add_argument("--force", action="store_true", help="overwrite an existing classroom.yml")


def _classroom(args):
    from .integrations.classroom import ClassroomError, write_workflow
    try:
        task = load_task(args.task)
        path = write_workflow(task, args.out, args.file, args.force)
    except (TaskError, ClassroomError) as exc:
        return _error(exc)
    except OSError as exc:
        return _error(f"{args.out}: cannot write the workflow: {exc.strerror or exc}")
    _write(sys.stdout, f"{path}: GitHub Classroom workflow for task {task.name}\n")
    return EXIT_OK


def _kit_parser(commands):
    kit = commands.add_parser("kit", help="build the student kit: public self-check without the solution (course staff)")
    kit.add_argument("--task", default=DEFAULT_TASK,
                     help=f"a task name under tasks/, a task folder or a task.yaml (default: {DEFAULT_TASK})")
    kit.add_argument("-o", "--out", required=True, metavar="DIR", help="the folder to write the kit into")
    kit.add_argument("--record", nargs="*", default=[], metavar="PATH",
                     help="correct solutions and known-bug files (or folders of them) whose answers the kit "
                          "records: the more, the more the kit can diagnose (the reference is always recorded)")


KIT_DONE = ("{folder}: student kit for task {task} ({points} public points, {hidden} hidden checks left "
            "out, {questions} recorded answers from {files} files); students run: pip install {package}")


def _kit(args):
    from .batch.discover import DiscoveryError, discover
    from .kit import KitError, build_kit
    try:
        task = load_task(args.task)
        paths = [d.path for d in discover(args.record)] if args.record else []
        kit = build_kit(task, args.out, paths, say=lambda line: _write(sys.stderr, line + "\n"))
    except (TaskError, KitError, SubmissionError, DiscoveryError) as exc:
        return _error(exc)
    except OSError as exc:
        return _error(CANNOT_WRITE.format(path=args.out, reason=exc.strerror or exc))
    for line in kit.skipped:
        _write(sys.stderr, f"grader: {line}\n")
    _write(sys.stdout, KIT_DONE.format(folder=kit.folder, task=task.name, points=kit.public_points,
                                       hidden=kit.hidden_checks, questions=kit.questions,
                                       files=len(kit.recorded_from), package=kit.package) + "\n")
    return EXIT_OK


CLASS_NEEDS_OUT = "{what}: to grade a class, give --out DIR (the folder for its reports and grades.csv)"
CLASS_OPTIONS_NEED_OUT = "{options} grade{s} a class: give --out DIR"


def _batch(args, task):
    """``grader run`` of a class (grader/batch/): its exit code; None for one file, which
    is graded as it always was."""
    from .batch.command import class_options_without_out, is_batch, run_class
    if not is_batch(args):
        options = class_options_without_out(args)
        if options and not args.out:
            return _error(CLASS_OPTIONS_NEED_OUT.format(options=", ".join(options),
                                                        s="" if len(options) > 1 else "s"))
        if not options or not args.out:
            return None
    if not args.out:
        paths = args.submission
        what = f"{paths[0]}: is a directory" if len(paths) == 1 and Path(paths[0]).is_dir() else \
            f"{len(paths)} paths" if len(paths) > 1 else f"{paths[0]}: a glob"
        return _error(CLASS_NEEDS_OUT.format(what=what))
    return run_class(args, task, error=_error, say=_say)


TASK_CHECK_FAILED = "task check failed: {reason}"


def _task_check(args):
    """``grader task check TASK``: 0 and a summary, 1 and the reason, 2 for an invalid task."""
    from .taskcheck import EXIT_INVALID, EXIT_OK, check_task
    outcome = check_task(args.task)
    if outcome.code == EXIT_OK:
        _write(sys.stdout, outcome.line + "\n")
    elif outcome.code == EXIT_INVALID:
        _say(f"grader: error: {outcome.line}")
    else:
        _say(f"grader: {TASK_CHECK_FAILED.format(reason=outcome.line)}")
    return outcome.code


def _write(stream, text):
    """Write ``text`` to ``stream``; what its encoding cannot hold is written as escapes."""
    encoding = getattr(stream, "encoding", None) or "utf-8"
    try:
        text = text.encode(encoding, "backslashreplace").decode(encoding, "replace")
    except LookupError:
        pass
    stream.write(text)
    stream.flush()


def _say(line):
    """One line to standard error: clipped, control characters and newlines escaped."""
    _write(sys.stderr, clip(line, ERROR_LIMIT).replace("\n", "\\n") + "\n")


def _error(message):
    _say(f"grader: error: {message}")
    return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
