"""The command line: ``grader run SUBMISSION [--task mlp] [--format text|json] [--out FILE]``.

Exit status: 0 when grading finished, whatever the score; 2 with a one-line error for a
bad command line, an unknown or invalid task, or a path that cannot be graded; 3 for
an internal error of the grader's (one line; GRADER_DEBUG=1 shows the traceback).
"""
import argparse
import os
import sys
from pathlib import Path

from .grade import grade
from .report import RENDERERS
from .submission import SubmissionError
from .task import TaskError, load_task

EXIT_OK, EXIT_USAGE = 0, 2


def build_parser():
    parser = argparse.ArgumentParser(prog="grader", description="Grade numpy neural-network assignments.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    run = commands.add_parser("run", help="grade one submission with every check (instructors)")
    check = commands.add_parser("check", help="check your own work with the public checks (students)")
    for sub in (run, check):
        sub.add_argument("submission", help="the student's .py or .ipynb file")
        sub.add_argument("--task", default="mlp", help="a task name under tasks/, or a task.yaml path (default: mlp)")
        sub.add_argument("--format", choices=sorted(RENDERERS), default="text", help="report format (default: text)")
        sub.add_argument("--out", help="write the report to this file instead of standard output")
        sub.add_argument("--run-toplevel", action="store_true",
                         help="also run the file's top-level code (off by default), under the same limits")
    run.add_argument("--student-view", action="store_true",
                     help="the report as released to students: hidden checks counted, not shown")
    check.add_argument("--only", metavar="FUNCTION", action="append",
                       help="check only this function (may be repeated)")
    return parser


INTERNAL_ERROR = ("internal error in the grader, not in the submission: {detail} "
                  "(set GRADER_DEBUG=1 to see the traceback)")
EXIT_INTERNAL = 3


def main(argv=None):
    args = build_parser().parse_args(argv)
    try:
        return _run(args)
    except Exception as exc:
        if os.environ.get("GRADER_DEBUG"):
            raise
        print(f"grader: {INTERNAL_ERROR.format(detail=f'{type(exc).__name__}: {exc}')}", file=sys.stderr)
        return EXIT_INTERNAL


def _run(args):
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
    report.view = "check" if self_check else ("student" if args.student_view else "full")
    text = RENDERERS[args.format](report)
    if args.out:
        try:
            Path(args.out).write_text(text, encoding="utf-8")
        except OSError as exc:
            return _error(f"{args.out}: cannot write the report: {exc.strerror or exc}")
    else:
        sys.stdout.write(text)
    return EXIT_OK


def _error(message):
    print(f"grader: error: {message}", file=sys.stderr)
    return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
