"""The command line: ``grader run SUBMISSION [--task mlp] [--format text|json] [--out FILE]``,
``grader check SUBMISSION ...`` and, for course staff, ``grader task check TASK``.

``--task`` is a task name under tasks/ (``mlp``), a task folder or a task.yaml, relative
or absolute.

Exit status (``grader run`` and ``grader check``):

- 0 (EXIT_OK): the submission was graded (or could not be graded for a reason of its
  own: unreadable, empty, not loadable), whatever the score; the report says which
  ("status": "graded" or "ungraded").
- 2 (EXIT_USAGE): a one-line ``grader: error: ...`` for a bad command line, an unknown or
  invalid task, or a path that cannot be graded (missing, a directory).
- 3 (EXIT_INTERNAL): an internal error of the grader's, no report (one line;
  GRADER_DEBUG=1 shows the traceback).
- 4 (EXIT_GRADER_ERROR): the report was written, but a problem of the grader's own kept
  the submission from being graded fully ("status": "grader_error"): record no score and
  grade it again.

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
from .grade import grade, grader_failed
from .report import RENDERERS
from .result import GRADER_ERROR
from .safetext import clip
from .submission import SubmissionError
from .task import TaskError, load_task

EXIT_OK, EXIT_USAGE, EXIT_INTERNAL, EXIT_GRADER_ERROR = 0, 2, 3, 4
OUT_OF_MEMORY = "grader error, not your fault: the grader ran out of memory while grading this file"
VERSION = "grader {version}"
ERROR_LIMIT = 1000              # characters of a one-line error


def build_parser():
    parser = argparse.ArgumentParser(prog="grader", description="Grade numpy neural-network assignments.")
    parser.add_argument("--version", action="version", version=VERSION.format(version=__version__))
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    run = commands.add_parser("run", help="grade one submission with every check (instructors)")
    check = commands.add_parser("check", help="check your own work with the public checks (students)")
    for sub in (run, check):
        sub.add_argument("submission", help="the student's .py or .ipynb file")
        sub.add_argument("--task", default="mlp",
                         help="a task name under tasks/, a task folder or a task.yaml (default: mlp)")
        sub.add_argument("--format", choices=sorted(RENDERERS), default="text", help="report format (default: text)")
        sub.add_argument("--out", help="write the report to this file instead of standard output")
        sub.add_argument("--run-toplevel", action="store_true",
                         help="also run the file's top-level code (off by default), under the same limits")
    run.add_argument("--student-view", action="store_true",
                     help="the report as released to students: hidden checks counted, not shown")
    check.add_argument("--only", metavar="FUNCTION", action="append",
                       help="check only this function (may be repeated)")
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
    try:
        task = load_task(args.task)
    except TaskError as exc:
        return _error(exc)
    path = Path(args.submission)
    self_check = args.command == "check"
    if self_check and args.only:
        unknown = [n for n in args.only if n not in {f.name for f in task.functions}]
        if unknown:
            return _error(f"--only {unknown[0]}: not a function of the task {task.name!r}")
    try:
        report = grade(path, task, public_only=self_check, run_toplevel=args.run_toplevel,
                       only=args.only if self_check else None)
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
    return EXIT_GRADER_ERROR if report.status == GRADER_ERROR else EXIT_OK


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
