"""A class graded end to end: 20 files in plain, Canvas, Moodle and Gradescope layouts with
a roster (a missing student, duplicates, empty files, a notebook, a hang, injected grader
errors and a crash), its gradebook row by row, its summary, resuming after an interrupted
run, and identical reports at -j 1 and -j 2.

Expected values are reasoned from the submissions (README): alice.py scores 100; bob.py
normalises softmax over the wrong axis and loses softmax's 8 points only (92); alice
without one_hot scores 97; a softmax that never returns loses its own 8 points (its
callers get a stand-in); the template and its stubs score 0; prints_score.py earns
one_hot's 3 points; an empty, binary or unparseable file is ungraded (0).
"""
import json
import os
import shutil
import signal

import pytest

from batch_helpers import (ALICE, BATCH, BOB, HANG, NO_ONE_HOT, PRINTS_SCORE, TEMPLATE, notebook,
                           read_csv, reports, summary, write)
from conftest import quick
from grader import cli
from grader.batch import grading, progress
from grader.grade import grade as real_grade
from grader.grade import grader_failed

ROSTER = """id,name,email
alice,Alice Archer,alice@uni.edu
bob,Bob Baker,bob@uni.edu
12345,John Smith,john@uni.edu
23456,Jane Doe,jane@uni.edu
34567,Ann Lee,ann@uni.edu
45678,Mary Major,mary@uni.edu
rroe,Richard Roe,richard@uni.edu
67890,Sam Poe,sam@uni.edu
777001,Gus Scope,gus@uni.edu
777002,Gia Scope,gia@uni.edu
hang,Hank Ang,hank@uni.edu
kim,Kim Kay,kim@uni.edu
pat,Pat Prints,pat@uni.edu
bin,Bea Inary,bea@uni.edu
syntax,Syd Tax,syd@uni.edu
xi,Xi Raise,xi@uni.edu
yan,Yan Crash,yan@uni.edu
zed,Zed Error,zed@uni.edu
ghost,Gho St,ghost@uni.edu
"""


def build_class(root):
    c = root / "class"
    write(c / "alice" / "mlp.py", ALICE)                                         # folder layout
    write(c / "bob" / "mlp.py", BOB)
    write(c / "kim" / "template.py", ALICE, mtime=1_000_000)                     # named as the template:
    write(c / "kim" / "scratch.py", BOB, mtime=2_000_000)                        # wins over a later file
    write(c / "smithjohn_12345_67890_mlp.py", ALICE)                             # Canvas
    write(c / "doejane_LATE_23456_67891_mlp.py", "")                             # Canvas, late, empty
    write(c / "leeann_34567_70001_mlp.py", BOB, mtime=1_000_000)                 # Canvas, resubmitted:
    write(c / "leeann_34567_70002_mlp-1.py", ALICE, mtime=2_000_000)             # the later one counts
    write(c / "Mary Major_45678_assignsubmission_file_" / "mlp.py", NO_ONE_HOT)  # Moodle, folders
    write(c / "Richard Roe_56789_assignsubmission_file_" / "mlp.ipynb", notebook(ALICE))   # by name
    write(c / "Sam Poe_67890_assignsubmission_file_mlp.py", BOB)                 # Moodle, flat
    export = c / "gradescope"
    shutil.copy(BATCH / "gradescope_metadata.yml", write(export / "submission_metadata.yml", ""))
    write(export / "submission_777" / "mlp.py", TEMPLATE)                        # a group of two
    write(c / "hang.py", HANG)                                                   # file layout
    write(c / "pat.py", PRINTS_SCORE)
    write(c / "bin.py", b"\x00\x01\x02")
    write(c / "syntax.py", "def softmax(z:\n    return z\n")
    write(c / "walkin.py", "")                                                   # not on the roster
    write(c / "xi.py", ALICE)          # the grading raises, twice: a grader error
    write(c / "yan.py", ALICE)         # the grading process is killed once: graded on the retry
    write(c / "zed.py", ALICE)         # grader error reports, twice
    write(c / ".hidden.py", ALICE)
    write(c / "__pycache__" / "alice.py", ALICE)
    write(c / "alice" / ".ipynb_checkpoints" / "mlp-checkpoint.ipynb", notebook(BOB))
    write(root / "roster.csv", ROSTER)
    return c


@pytest.fixture
def injected(monkeypatch, tmp_path):
    """grade(), as the forked gradings see it, with failures injected for xi, yan and zed."""
    calls = tmp_path / "calls"
    calls.mkdir()

    def flaky(path, task, **options):
        (calls / f"{path.name}.{len(list(calls.glob(path.name + '.*')))}").touch()
        if path.name == "xi.py":
            raise RuntimeError("injected failure")
        if path.name == "zed.py":
            return grader_failed(task, path, "grader error, not your fault: injected")
        if path.name == "yan.py" and len(list(calls.glob("yan.py.*"))) == 1:
            os.kill(os.getpid(), signal.SIGKILL)
        return real_grade(path, task, **options)
    monkeypatch.setattr(grading, "grade", flaky)
    return calls


@pytest.fixture
def quick_task(monkeypatch, task):
    q = quick(task, call_seconds=8.0)      # MNIST training fits even on a busy machine
    monkeypatch.setattr(cli, "load_task", lambda name: q)
    return q


def interrupt_after(monkeypatch, k):
    """Ctrl-C in the orchestrator once ``k`` submissions have finished."""
    real = progress.Progress.finished

    def finished(self, record):
        real(self, record)
        if self.done >= k:
            raise KeyboardInterrupt()
    monkeypatch.setattr(progress.Progress, "finished", finished)
    return real


EXPECTED = {    # id: (name, status, score, notes)
    "12345": ("John Smith", "graded", "100", ""),
    "23456": ("Jane Doe", "ungraded", "0", ""),
    "34567": ("Ann Lee", "graded", "100", "2 files were submitted (leeann_34567_70001_mlp.py, leeann_34567_70002_mlp-1.py); "
                                          "graded leeann_34567_70002_mlp-1.py: it was modified last; the others were not graded"),
    "45678": ("Mary Major", "graded", "97", ""),
    "67890": ("Sam Poe", "graded", "92", ""),
    "777001": ("Gus Scope", "graded", "0", "group submission of Gus Scope, Gia Scope"),
    "777002": ("Gia Scope", "graded", "0", "group submission of Gus Scope, Gia Scope"),
    "alice": ("Alice Archer", "graded", "100", ""),
    "bin": ("Bea Inary", "ungraded", "0", ""),
    "bob": ("Bob Baker", "graded", "92", ""),
    "ghost": ("Gho St", "missing", "", ""),
    "hang": ("Hank Ang", "graded", "92", ""),
    "kim": ("Kim Kay", "graded", "100", "2 files were submitted (scratch.py, template.py); graded template.py: "
                                        "its name is the template's (template.py); the others were not graded"),
    "pat": ("Pat Prints", "graded", "3", ""),
    "rroe": ("Richard Roe", "graded", "100", ""),
    "syntax": ("Syd Tax", "ungraded", "0", ""),
    "walkin": ("", "ungraded", "0", "not on the roster"),
    "xi": ("Xi Raise", "grader_error", "", ""),
    "yan": ("Yan Crash", "graded", "100", ""),
    "zed": ("Zed Error", "grader_error", "", ""),
}


def run_class(tmp_path, out, jobs, *extra):
    return cli.main(["run", str(tmp_path / "class"), "--out", str(out), "--roster", str(tmp_path / "roster.csv"),
                     "-j", str(jobs), *extra])


def test_a_class_is_graded_resumed_after_an_interruption_and_the_same_at_any_j(
        tmp_path, quick_task, injected, monkeypatch, capsys):
    build_class(tmp_path)
    out1, out2 = tmp_path / "out1", tmp_path / "out2"
    real_finished = interrupt_after(monkeypatch, 5)
    assert run_class(tmp_path, out1, 2) == 130
    kept = [p for p in (out1 / ".grader").glob("*.json")                # a grader error is not kept
            if json.loads(p.read_text())["status"] != "grader_error"]
    assert len(kept) >= 5 and not (out1 / "grades.csv").exists()
    err = capsys.readouterr().err
    assert "interrupted:" in err and "run the same command again" in err
    before = {p: p.stat().st_mtime_ns for p in kept}

    monkeypatch.setattr(progress.Progress, "finished", real_finished)
    assert run_class(tmp_path, out1, 2) == 4                   # grader errors: exit 4
    err = capsys.readouterr().err
    assert f"({len(kept)} already graded and unchanged, kept;" in err
    assert all(p.stat().st_mtime_ns == t for p, t in before.items())    # not graded again
    shutil.rmtree(injected)
    injected.mkdir()
    assert run_class(tmp_path, out2, 1) == 4

    rows = read_csv(out1 / "grades.csv")
    assert {k: (r["name"], r["status"], r["score"], r["notes"]) for k, r in rows.items()} == EXPECTED
    assert list(rows) == sorted(EXPECTED, key=str.casefold)
    assert rows["bob"]["softmax"] == "0" and rows["bob"]["diagnoses"] == "softmax-wrong-axis"
    assert rows["67890"]["diagnoses"] == "softmax-wrong-axis"
    assert rows["hang"]["softmax"] == "0" and rows["hang"]["forward"] == "10"
    assert rows["45678"]["one_hot"] == "0" and rows["45678"]["softmax"] == "8"
    assert rows["alice"]["percent"] == "100.0" and rows["alice"]["max_score"] == "100"
    assert rows["alice"]["email"] == "alice@uni.edu" and rows["alice"]["file"].endswith("alice/mlp.py")
    assert rows["rroe"]["file"].endswith("mlp.ipynb")
    for k in ("xi", "zed", "ghost"):
        assert rows[k]["score"] == rows[k]["percent"] == rows[k]["max_score"] == rows[k]["softmax"] == ""
    assert rows["ghost"]["file"] == rows["ghost"]["seconds"] == ""
    assert float(rows["hang"]["seconds"]) >= 8          # one call timeout

    s = summary(out1)
    assert s["students"] == 20
    assert s["counts"] == {"graded": 13, "missing": 1, "ungraded": 4, "grader_error": 2}
    assert [d["id"] for d in s["diagnoses"]][:1] == ["softmax-wrong-axis"]
    wrong_axis = s["diagnoses"][0]
    assert wrong_axis["students"] == ["67890", "bob"] and wrong_axis["share"] == round(2 / 13, 4)
    assert {e["student"]: e["reason"] for e in s["grader_errors"]} == {
        "xi": "grader error, not your fault: the grading stopped twice (RuntimeError: injected failure); "
              "grade it again",
        "zed": "grader error, not your fault: injected"}
    scored = [100, 0, 100, 97, 92, 0, 0, 100, 0, 92, 92, 100, 3, 100, 0, 0, 100]
    assert s["mean_score"] == round(sum(scored) / len(scored), 2) and s["median_score"] == 92.0
    assert s["histogram"]["counts"] == [7, 0, 0, 0, 0, 0, 0, 0, 0, 10]
    softmax = next(f for f in s["functions"] if f["name"] == "softmax")
    # full softmax points: 12345, 34567, 45678, alice, kim, rroe, yan (bob, Sam Poe, hang: 0)
    assert softmax == {"name": "softmax", "max_score": 8, "mean_points": round(8 * 7 / 17, 2)}

    yan = json.loads((out1 / ".grader" / "yan.json").read_text())
    assert yan["attempts"] == 2 and yan["status"] == "graded"
    assert len(list(injected.glob("zed.py.*"))) == 2           # a grader error is tried twice
    first = reports(out1)
    assert first == reports(out2) and len(first) == 18         # -j 1 and -j 2: byte for byte
    assert json.loads(first["alice"])["view"] == "student"
    assert "2 files were submitted" in (out1 / "kim" / "report.txt").read_text()
    assert not (out1 / "ghost").exists()
    assert (out1 / "summary.txt").read_text().count("15% (2 of 13)  softmax-wrong-axis") == 1
