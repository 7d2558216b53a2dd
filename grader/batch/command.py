"""``grader run PATH... --out DIR``: a class graded, from parsed arguments to an exit code.

Exit status: 0 when every submission was graded (whatever the scores); 4 when at least
one ended in a grader error (its row has no score: grade it again; the rest is written);
2 with a one-line error for a bad path, roster or output folder (or ``--dask``: a bad
address, the extra not installed, no worker that can grade); 130 after Ctrl-C, with
everything finished kept (the same command then grades the rest). ``--dask`` grades on a
Dask cluster (dask_run.py) into the same files.
"""
import importlib
import os
from pathlib import Path

from ..result import GRADER_ERROR
from . import records
from .discover import DiscoveryError, discover
from .duplicates import choose
from .gradebook import NOT_ON_ROSTER, Row, render_gradebook
from .grading import html_renderer
from .identity import Person, identify
from .lms import NEEDS_ROSTER, lms_file, render_lms
from .progress import Progress
from .roster import RosterError, read_roster
from .run import default_jobs, run_batch
from .summary import build_summary, render_summary_json, render_summary_text

EXIT_OK, EXIT_USAGE, EXIT_GRADER_ERROR, EXIT_INTERRUPTED = 0, 2, 4, 130
OUT_NOT_A_FOLDER = "--out {path}: not a folder (a class is written to a folder)"
CANNOT_WRITE = "--out {path}: cannot write there: {reason}"
BAD_JOBS = "-j {jobs}: give a number of gradings at once, 1 or more"
JOBS_AND_DASK = "-j and --dask: give one (with --dask, the cluster's workers set how many at once)"
INTERRUPTED = ("grader: interrupted: {done} of {total} submissions finished and kept in {out}; "
               "run the same command again to grade the rest")
FINISHED = ("grader: {students} students: {graded} graded, {ungraded} ungraded, {missing} missing, "
            "{grader_error} grader error{s}; wrote {gradebook} and {summary}")
GROUP_NOTE = "group submission of {people}"
LMS_NAMES = {"canvas": "Canvas", "moodle": "Moodle"}
WROTE_LMS = "grader: wrote {path} for {name}'s grade import ({n} students of the roster, {empty} without a grade)"


def students(found, roster, template):
    """[Found] -> [Submission], one per student (duplicates.choose), roster names added."""
    subs = [identify(f) for f in found]
    for sub in subs:
        person = roster.match(sub.student, sub.name) if roster else None
        if person is not None:
            sub.student, sub.name, sub.email = person.id, person.name or sub.name, person.email or sub.email
        elif roster is not None:
            sub.notes.append(NOT_ON_ROSTER)
    groups = {}
    for sub in subs:
        groups.setdefault(sub.student, []).append(sub)
    chosen = [choose(group, template) for _, group in sorted(groups.items())]
    folders = {}
    for sub in chosen:                          # two keys, one folder name: the second is numbered
        base = sub.folder
        n = folders.setdefault(base.casefold(), 0)
        folders[base.casefold()] = n + 1
        if n:
            sub.out_folder = f"{base}-{n + 1}"
    return chosen


def gradebook_rows(subs, results, roster):
    """Rows: each submission (and each other member of a group), then the roster's missing."""
    rows = []
    for sub in subs:
        record = results.get(sub.student)
        people = [Person(sub.student, sub.name, sub.email), *sub.members]
        notes = list(sub.notes)
        if sub.members:
            notes.append(GROUP_NOTE.format(people=", ".join(p.name or p.id for p in people)))
        for person in people:
            if roster is not None and person is not people[0]:
                known = roster.match(person.id, person.name)
                person = Person(known.id, known.name or person.name, known.email or person.email) if known else person
            rows.append(Row(person.id, person.name, person.email, sub.folder, record, notes))
    if roster is not None:
        present = {r.id for r in rows}
        rows += [Row(p.id, p.name, p.email) for p in roster.people if p.id not in present]
    return sorted(rows, key=lambda r: (r.id.casefold(), r.id))


def run_class(args, task, error, say):
    """The batch ``grader run``; ``error(message)`` and ``say(line)`` are the CLI's."""
    if args.jobs is not None and args.jobs < 1:
        return error(BAD_JOBS.format(jobs=args.jobs))
    dask = getattr(args, "dask", None)
    if dask:
        from .dask_run import DaskError, validate
        if args.jobs is not None:
            return error(JOBS_AND_DASK)
        try:
            validate(dask)
        except DaskError as exc:
            return error(exc)
    lms = getattr(args, "lms", None)
    if lms and not args.roster:
        return error(NEEDS_ROSTER.format(lms=lms, name=LMS_NAMES[lms]))
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        return error(OUT_NOT_A_FOLDER.format(path=args.out))
    try:
        roster = read_roster(args.roster) if args.roster else None
        found = discover(args.submission, exclude=[out])
    except (RosterError, DiscoveryError) as exc:
        return error(exc)
    try:
        out.mkdir(parents=True, exist_ok=True)
        (out / records.STATE_DIR).mkdir(exist_ok=True)
    except OSError as exc:
        return error(CANNOT_WRITE.format(path=args.out, reason=exc.strerror or exc))
    subs = students(found, roster, task.template)
    html_renderer()             # imported once here, so every forked grading starts with it
    if any(str(sub.path).endswith(".ipynb") for sub in subs if sub.path):
        importlib.import_module("nbformat")     # likewise, for the notebooks
    jobs = args.jobs or default_jobs()
    options = {"run_toplevel": bool(args.run_toplevel)}
    try:
        if dask:
            from .dask_run import DaskError, run_dask_batch
            try:
                result = run_dask_batch(subs, task, out, dask, options=options, regrade=args.regrade,
                                        progress=Progress(), say=say)
            except DaskError as exc:
                return error(exc)
        else:
            result = run_batch(subs, task, out, jobs=jobs, options=options, regrade=args.regrade,
                               progress=Progress())
    except KeyboardInterrupt as exc:
        batch = getattr(exc, "batch", None)
        done = len(batch.records) if batch else 0
        say(INTERRUPTED.format(done=done, total=len(subs), out=out))
        return EXIT_INTERRUPTED
    rows = gradebook_rows(subs, result.records, roster)
    summary = write_class_files(out, rows, task)
    counts = summary["counts"]
    say(FINISHED.format(students=len(rows), s="" if counts[GRADER_ERROR] == 1 else "s",
                        gradebook=out / "grades.csv", summary=out / "summary.txt", **counts))
    if lms:
        text = render_lms(lms, roster, rows, task)
        records.write_atomic(out / lms_file(lms), text)
        scored = {r.id for r in rows if r.scored}
        say(WROTE_LMS.format(path=out / lms_file(lms), name=LMS_NAMES[lms], n=len(roster.people),
                             empty=sum(p.id not in scored for p in roster.people)))
    return EXIT_GRADER_ERROR if counts[GRADER_ERROR] else EXIT_OK


def write_class_files(out, rows, task):
    """grades.csv, summary.json, summary.txt (and summary.html when it can be rendered)."""
    summary = build_summary(rows, task)
    records.write_atomic(out / "grades.csv", render_gradebook(rows, task))
    records.write_atomic(out / "summary.json", render_summary_json(summary))
    records.write_atomic(out / "summary.txt", render_summary_text(summary))
    html = html_renderer()
    if html is not None and hasattr(html, "render_summary_html"):
        records.write_atomic(out / "summary.html", html.render_summary_html(summary))
    return summary


def is_batch(args):
    """Whether ``grader run`` was given a class rather than one file (see cli.py)."""
    paths = args.submission
    if len(paths) > 1 or any(Path(p).is_dir() for p in paths):
        return True
    if not Path(paths[0]).exists() and any(c in paths[0] for c in "*?["):
        return True
    out = args.out or ""
    return bool(out) and (Path(out).is_dir() or out.endswith(("/", os.sep)))


def class_options_without_out(args):
    """The class-only options given (for the error when --out is missing)."""
    given = [("--roster", args.roster), ("--regrade", args.regrade),
             ("--dask", getattr(args, "dask", None)), ("--lms", getattr(args, "lms", None))]
    return [name for name, value in given if value]

