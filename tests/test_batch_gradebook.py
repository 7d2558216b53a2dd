"""grades.csv and summary.json from records, without grading anything: the columns, the
statuses (a grader error or a missing student has no score, never a 0), the summary's exact
shape and its orderings, and the progress display."""
import csv
import io
import json
from types import SimpleNamespace

from grader.batch.gradebook import Row, render_gradebook
from grader.batch.progress import Progress
from grader.batch.records import Record
from grader.batch.summary import build_summary, render_summary_json, render_summary_text
from grader.result import CheckResult, FunctionResult, Report

CHECKS = {"f": [("f.a", False), ("f.b", True)], "score": [("score.x", False)]}
TASK = SimpleNamespace(name="t", digest="d" * 64, total=5, functions=[
    SimpleNamespace(name=name, points=points, checks=[SimpleNamespace(id=i, description=f"does {i}", hidden=h)
                                                      for i, h in CHECKS[name]])
    for name, points in (("f", 3), ("score", 2))])


def record(student, passed=(), diagnoses=(), seconds=1.0, **flags):
    functions = [FunctionResult(name, spec.points, [
        CheckResult(i, name, f"does {i}", "passed" if i in passed else "failed",
                    points=(spec.points if i in passed and i in ("f.a", "score.x") else 0),
                    max_points=spec.points if i in ("f.a", "score.x") else 0, hidden=h,
                    grader_error=flags.get("check_error", False))
        for i, h in CHECKS[name]]) for name, spec in zip(CHECKS, TASK.functions)]
    report = Report(task="t", submission=f"{student}.py", functions=functions, notes=["a note"],
                    diagnoses=[{"id": d, "function": "f", "title": f"bug {d}"} for d in diagnoses],
                    ungraded=flags.get("ungraded", False), grader_error=flags.get("grader_error", False))
    return Record(student, f"{student}.py", "s", "d", "v", {}, report.status, seconds, report.to_dict())


def rows():
    return [Row("=cmd()", "Eve", "", "x", record("=cmd()", passed={"f.a"}, diagnoses=["bug-1"], seconds=3.0)),
            Row("ann", "Ann", "a@x", "ann", record("ann", passed={"f.a", "f.b", "score.x"})),
            Row("bo", "Bo", "", "bo", record("bo", diagnoses=["bug-1", "bug-2"], seconds=9.0)),
            Row("cy", "", "", "cy", record("cy", grader_error=True)),
            Row("di", "Di", "d@x", "di", record("di", ungraded=True)),
            Row("gone", "Gone", "")]


def test_the_gradebook_has_a_row_per_student_and_no_score_for_a_grader_error_or_a_missing_one():
    table = list(csv.reader(io.StringIO(render_gradebook(rows(), TASK))))
    assert table[0] == ["id", "name", "email", "file", "status", "score", "max_score", "percent", "f",
                        "score points", "diagnoses", "seconds", "notes"]
    by_id = {r[0]: r for r in table[1:]}
    assert by_id["ann"][4:10] == ["graded", "5", "5", "100.0", "3", "2"]
    assert by_id["'=cmd()"][4:11] == ["graded", "3", "5", "60.0", "3", "0", "bug-1"]   # no formula
    assert by_id["bo"][10] == "bug-1;bug-2"
    assert by_id["cy"][4:11] == ["grader_error", "", "", "", "", "", ""] and by_id["cy"][11] == "1.0"
    assert by_id["di"][4:8] == ["ungraded", "0", "5", "0.0"]
    assert by_id["gone"][3:] == ["", "missing"] + [""] * 8


def test_the_summary_has_exactly_the_agreed_shape_and_orderings():
    s = json.loads(render_summary_json(build_summary(rows(), TASK)))
    assert list(s) == ["task", "grader_version", "task_digest", "students", "counts", "max_score", "mean_score",
                       "median_score", "histogram", "functions", "checks", "diagnoses", "grader_errors", "slowest"]
    assert s["counts"] == {"graded": 3, "missing": 1, "ungraded": 1, "grader_error": 1}
    assert (s["students"], s["max_score"], s["mean_score"], s["median_score"]) == (6, 5, 2.0, 1.5)
    assert s["histogram"] == {"edges": [0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100],
                              "counts": [2, 0, 0, 0, 0, 0, 1, 0, 0, 1]}
    assert s["functions"] == [{"name": "f", "max_score": 3, "mean_points": 1.5},
                              {"name": "score", "max_score": 2, "mean_points": 0.5}]
    assert [(c["id"], c["graded"], c["passed"], c["pass_rate"], c["hidden"]) for c in s["checks"]] == [
        ("f.b", 3, 1, 0.3333, True), ("score.x", 3, 1, 0.3333, False), ("f.a", 3, 2, 0.6667, False)]
    assert s["checks"][0]["description"] == "does f.b" and s["checks"][0]["function"] == "f"
    assert s["diagnoses"] == [
        {"id": "bug-1", "title": "bug bug-1", "function": "f", "count": 2, "share": 0.6667, "students": ["=cmd()", "bo"]},
        {"id": "bug-2", "title": "bug bug-2", "function": "f", "count": 1, "share": 0.3333, "students": ["bo"]}]
    assert s["grader_errors"] == [{"student": "cy", "file": "cy.py", "reason": "a note"}]
    assert s["slowest"][:2] == [{"student": "bo", "seconds": 9.0}, {"student": "=cmd()", "seconds": 3.0}]
    text = render_summary_text(s)
    assert "67% (2 of 3)  bug-1: bug bug-1" in text and "grade them again" in text


def test_a_class_with_no_score_yet_has_a_null_mean():
    s = build_summary([Row("gone")], TASK)
    assert s["mean_score"] is None and s["median_score"] is None and s["diagnoses"] == []
    assert "score: none yet" in render_summary_text(s)


class Tty(io.StringIO):
    def isatty(self):
        return True


def test_progress_is_a_bar_on_a_terminal_and_a_line_per_submission_otherwise():
    for stream in (Tty(), io.StringIO()):
        progress = Progress(stream)
        progress.start(2, jobs=2, skipped=1)
        progress.finished(record("ann", passed={"f.a"}))
        progress.finished(record("cy", grader_error=True))
        progress.close()
        text = stream.getvalue()
        assert text.startswith("grader: grading 2 submissions with 2 at a time (1 already graded")
        if isinstance(stream, Tty):
            assert "2/2" in text and "100%" in text and "[1/2]" not in text
        else:
            assert text.splitlines()[1:] == ["[1/2] ann (ann.py): graded 3/5, 1.0 s",
                                             "[2/2] cy (cy.py): grader error (not graded), 1.0 s"]
