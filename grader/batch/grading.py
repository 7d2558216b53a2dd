"""One submission graded and written: its student-view files, then its record.

``grade_and_write`` runs in a process of its own (run.py forks one per submission), so a
grading that crashes or hangs in the grader takes nothing else with it. A Dask batch
(dask_run.py) grades with ``grade_report`` and renders with ``student_files`` on a Dask
worker, and the orchestrator writes what comes back with ``write_result``, as here. The student's
code itself runs further away still, in the sandboxed worker that ``grade`` starts.

A student's folder ``DIR/<student>/`` gets ``report.txt`` and ``report.json`` (and
``report.html`` when grader/report/html.py exists): the student view, as ``grader run FILE
--student-view`` gives it, with the batch's own notes (which file of several was graded)
added. No timing goes into them, so they are identical at any ``-j`` and in any order.
"""
import resource
import sys
import time
from pathlib import Path

from ..grade import grade, grader_failed
from ..report import render_json, render_text
from ..result import GRADER_ERROR
from . import records
from .records import Record

OUT_OF_MEMORY = "grader error, not your fault: the grader ran out of memory while grading this file"
HTML_MISSING = object()
_html = None


def html_renderer():
    """grader.report.html, or None when it is not there (HTML pages are then skipped)."""
    global _html
    if _html is None:
        try:
            from ..report import html as module
            _html = module if hasattr(module, "render_html") else HTML_MISSING
        except ImportError:
            _html = HTML_MISSING
    return None if _html is HTML_MISSING else _html


def grade_report(sub, task, options):
    """Submission -> Report (full view), the batch's notes added; MemoryError in the
    grader's own process becomes a grader error, not the student's 0."""
    try:
        report = grade(Path(sub.path), task, run_toplevel=options.get("run_toplevel", False))
    except MemoryError:
        report = grader_failed(task, sub.path, OUT_OF_MEMORY)
    report.notes = list(report.notes) + [n for n in sub.notes if n not in report.notes]
    return report


def student_files(report):
    """The student view of ``report`` -> {file name: text}: report.txt, report.json (and
    report.html when HTML rendering is installed). In a Dask batch this runs beside the
    grading, on the Dask worker, where the report's facts (the figures) still are."""
    view = report.view
    report.view = "student"
    try:
        files = {"report.txt": render_text(report), "report.json": render_json(report)}
        html = html_renderer()
        if html is not None:
            files["report.html"] = html.render_html(report)
    finally:
        report.view = view
    return files


def write_student_files(out, sub, report):
    """The student view of ``report`` into ``DIR/<student>/`` (each file atomically)."""
    write_files(out, sub, student_files(report))


def write_files(out, sub, files):
    folder = Path(out) / sub.folder
    for name, text in files.items():
        records.write_atomic(folder / name, text)


def write_result(out, sub, task, files, report, sha256, options, seconds, attempts=1, rss=None):
    """A finished submission written, the one path of a local and of a Dask batch: the
    student's ``files`` (``student_files``), then the record holding ``report`` (the full
    view's ``Report.to_dict()``), last: a record means all is written -> Record."""
    write_files(out, sub, files)
    record = Record(student=sub.student, file=str(sub.path), sha256=sha256, task_digest=task.digest,
                    grader_version=report["grader_version"], options=options,
                    status=report["status"], seconds=round(seconds, 3), report=report,
                    attempts=attempts, peak_rss_mb=rss or {})
    records.save(out, sub.folder, record)
    return record


def finish(out, sub, task, report, sha256, options, seconds, attempts=1, rss=None):
    """Write the student's files, then the record (last: a record means all is written)."""
    files = student_files(report)
    report.view = "full"
    return write_result(out, sub, task, files, report.to_dict(), sha256, options, seconds, attempts, rss)


def grade_and_write(out, sub, task, options, attempts=1):
    """Grade ``sub`` and write everything of it -> Record."""
    sha256 = records.file_sha256(sub.path)
    started = time.monotonic()
    report = grade_report(sub, task, options)
    seconds = time.monotonic() - started
    return finish(out, sub, task, report, sha256, options, seconds, attempts, peak_rss())


def record_failure(out, sub, task, options, reason, seconds, attempts):
    """A grading that crashed or hung in the grader, twice: recorded as a grader error
    (no score), with the reason in the report."""
    report = grader_failed(task, sub.path, reason)
    report.notes = list(report.notes) + list(sub.notes)
    record = finish(out, sub, task, report, records.file_sha256(sub.path), options, seconds, attempts)
    assert record.status == GRADER_ERROR
    return record


def peak_rss():
    """Peak resident memory of this process in MB (a forked grading counts the pages of
    the orchestrator it maps). Not its workers': Linux carries a process's peak across fork
    and exec, so a worker's ``RUSAGE_CHILDREN`` peak is at least this process's size when
    it started the worker, whatever the worker itself used (scripts/benchmark_class.py
    samples the workers' own ``VmHWM`` instead)."""
    kb = 1024 * 1024 if sys.platform == "darwin" else 1024      # ru_maxrss: bytes there, KB here
    return {"grader": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / kb, 1)}
