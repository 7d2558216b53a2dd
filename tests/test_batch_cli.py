"""``grader run`` on a class from the command line: what makes it a class, one-line errors,
and a real Ctrl-C (exit 130, everything finished kept, the next run grades the rest)."""
import importlib.util
import os
import signal
import subprocess
import sys
import time

import pytest

from batch_helpers import ALICE, BOB, read_csv, write
from conftest import ROOT
from grader import cli


def lines(capsys):
    return capsys.readouterr().err.strip().splitlines()


@pytest.mark.parametrize("args, message", [
    (["{c}"], "{c}: is a directory: to grade a class, give --out DIR"),
    (["{c}/a.py", "{c}/b.py"], "2 paths: to grade a class, give --out DIR"),
    (["{c}/a.py", "--roster", "{c}/r.csv"], "--roster grades a class: give --out DIR"),
    (["{c}", "--out", "{c}/a.py"], "--out {c}/a.py: not a folder (a class is written to a folder)"),
    (["{c}", "--out", "{c}/o", "--roster", "{c}/r.csv"], "{c}/r.csv: line 1: the roster needs a header line"),
    (["{c}", "--out", "{c}/o", "-j", "0"], "-j 0: give a number of gradings at once, 1 or more"),
    (["{c}/*.ipynb", "--out", "{c}/o"], "{c}/*.ipynb: no file matches"),
])
def test_a_bad_class_command_is_one_line_and_exit_2(tmp_path, capsys, args, message):
    write(tmp_path / "a.py", "")
    write(tmp_path / "b.py", "")
    write(tmp_path / "r.csv", "alice,Alice,a@x.org\n")
    assert cli.main(["run", *[a.format(c=tmp_path) for a in args]]) == 2
    err = lines(capsys)
    assert len(err) == 1 and err[0].startswith("grader: error: " + message.format(c=tmp_path))
    assert not (tmp_path / "o" / "grades.csv").exists()


def test_one_file_with_out_an_existing_folder_is_a_class_of_one(tmp_path, monkeypatch, capsys):
    from grader.batch import grading
    from grader.grade import grader_failed
    monkeypatch.setattr(grading, "grade", lambda path, task, **kw: grader_failed(task, path, "grader error: stub"))
    write(tmp_path / "ann.py", "")
    (tmp_path / "o").mkdir()
    assert cli.main(["run", str(tmp_path / "ann.py"), "--out", str(tmp_path / "o"), "-j", "1"]) == 4
    assert read_csv(tmp_path / "o" / "grades.csv")["ann"]["status"] == "grader_error"
    assert "[1/1] ann" in capsys.readouterr().err
    html = importlib.util.find_spec("grader.report.html") is not None      # pages when it exists
    assert (tmp_path / "o" / "ann" / "report.html").exists() == html == (tmp_path / "o" / "summary.html").exists()


def test_a_grading_stuck_in_the_grader_is_stopped_tried_again_and_recorded_as_a_grader_error(tmp_path, task):
    from grader.batch import grading, run
    from grader.batch.discover import discover
    from grader.batch.identity import identify

    def stuck(path, task, **options):
        time.sleep(3600)
    write(tmp_path / "c" / "ann.py", "")
    subs = [identify(f) for f in discover([str(tmp_path / "c")])]
    started = time.monotonic()
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(grading, "grade", stuck)
        result = run.run_batch(subs, task, tmp_path / "o", jobs=1, deadline=1.0)
    record = result.records["ann"]
    assert record.status == "grader_error" and record.attempts == 2
    assert record.report["notes"] == [run.HUNG.format(seconds=1.0)]
    assert time.monotonic() - started < 30


def test_ctrl_c_stops_the_class_keeps_what_finished_and_the_next_run_grades_the_rest(tmp_path):
    c, out = tmp_path / "class", tmp_path / "out"
    write(c / "a_alice.py", ALICE)
    write(c / "b_bob.py", BOB)
    write(c / "c_carl.py", ALICE)
    command = [sys.executable, "-m", "grader", "run", str(c), "--out", str(out), "-j", "1"]
    proc = subprocess.Popen(command, cwd=ROOT, stderr=subprocess.PIPE, text=True)
    first = [proc.stderr.readline() for _ in range(2)]
    assert first[1].startswith("[1/3] a_alice"), first
    proc.send_signal(signal.SIGINT)
    started = time.monotonic()
    rest = proc.stderr.read()
    assert proc.wait(timeout=60) == 130
    assert time.monotonic() - started < 20                  # stopped, not finished
    assert "grader: interrupted: 1 of 3 submissions finished and kept" in rest and "Traceback" not in rest
    assert sorted(p.name for p in (out / ".grader").glob("*.json")) == ["a_alice.json"]
    assert not (out / "grades.csv").exists()
    assert not list((out / ".grader").glob(".*.tmp")) and not list(out.glob("*/.*.tmp"))

    again = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert again.returncode == 0, again.stderr
    assert "grading 2 submissions with 1 at a time (1 already graded and unchanged, kept;" in again.stderr
    rows = read_csv(out / "grades.csv")
    assert {k: r["score"] for k, r in rows.items()} == {"a_alice": "100", "b_bob": "92", "c_carl": "100"}

    os.utime(c / "b_bob.py")                                 # touched, not changed: still kept
    write(c / "c_carl.py", BOB)                              # changed: graded again
    third = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert "grading 1 submission with 1 at a time (2 already graded" in third.stderr
    assert read_csv(out / "grades.csv")["c_carl"]["score"] == "92"
