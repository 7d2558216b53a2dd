"""``grader run DIR --out OUT --lms canvas|moodle --roster EXPORT.csv``: the LMS's import file,
row by row, from sample exports written from the LMS documentation (tests/batch/
canvas_export.csv: Canvas's gradebook export with its "Points Possible" and "Manual Posting"
rows; tests/batch/moodle_export.csv: Moodle's "Plain text file" grade export).

Scores are reasoned from the submissions (README): alice.py 100, bob.py 92 (softmax over the
wrong axis), an empty file is ungraded (0, the student's); a grader error and a missing
student get an empty cell, never 0; a submission not on the roster is not in the file."""
import csv
import shutil
from types import SimpleNamespace

import pytest

from batch_helpers import ALICE, BATCH, BOB, read_csv, write
from grader import cli
from grader.batch import grading
from grader.batch.gradebook import Row
from grader.batch.lms import render_lms
from grader.batch.roster import RosterError, read_roster
from grader.grade import grade as real_grade
from grader.grade import grader_failed

TITLE = "Multilayer perceptron from scratch in numpy"


@pytest.fixture
def zed_fails(monkeypatch):
    """A grader error for every file whose name ends in zed.py (twice: recorded as such)."""
    def flaky(path, task, **options):
        if path.name.endswith("zed.py"):
            return grader_failed(task, path, "grader error, not your fault: injected")
        return real_grade(path, task, **options)
    monkeypatch.setattr(grading, "grade", flaky)


def rows_of(path):
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.reader(f))


def test_canvas_import_has_the_export_columns_and_the_assignment_filled_from_grades_csv(tmp_path, zed_fails, capsys):
    c = tmp_path / "class"
    write(c / "smithjohn_12345_67890_mlp.py", ALICE)
    write(c / "leeann_34567_70001_mlp.py", BOB)
    write(c / "doejane_LATE_23456_67891_mlp.py", "")
    write(c / "errorzed_45679_70003_zed.py", ALICE)
    write(c / "walkin_88888_70004_mlp.py", ALICE)                 # not on the roster
    roster = shutil.copy(BATCH / "canvas_export.csv", tmp_path / "export.csv")
    out = tmp_path / "out"
    code = cli.main(["run", str(c), "--out", str(out), "--lms", "canvas", "--roster", str(roster), "-j", "2"])
    assert code == 4                                                # a grader error: grade it again
    grades = read_csv(out / "grades.csv")
    assert {i: grades[i]["score"] for i in grades} == {
        "12345": "100", "34567": "92", "23456": "0", "45679": "", "56789": "", "88888": "100", "99001": ""}
    assert rows_of(out / "canvas_import.csv") == [
        ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", f"{TITLE} (4822)"],
        ["    Points Possible", "", "", "", "", "100"],
        ["Smith, John", "12345", "S0012345", "jsmith", "MLP 101 - Section 1", "100"],
        ["Lee, Ann", "34567", "S0034567", "alee", "MLP 101 - Section 2", "92"],
        ["Doe, Jane", "23456", "S0023456", "jdoe", "MLP 101 - Section 1", "0"],
        ["Error, Zed", "45679", "S0045679", "zerror", "MLP 101 - Section 2", ""],
        ["St, Gho", "56789", "S0056789", "gst", "MLP 101 - Section 1", ""],
        ["Student, Test", "99001", "", "", "MLP 101 - Section 1", ""],
    ]
    for row in rows_of(out / "canvas_import.csv")[2:]:             # the score grades.csv gives
        assert row[5] == grades[row[1]]["score"]
    assert grades["12345"]["name"] == "Smith, John" and grades["88888"]["notes"] == "not on the roster"
    err = capsys.readouterr().err
    assert f"wrote {out / 'canvas_import.csv'} for Canvas's grade import (6 students of the roster, 3 without a grade)" in err


def test_moodle_import_has_the_email_and_the_grade_column(tmp_path, zed_fails):
    c = tmp_path / "class"
    write(c / "Mary Major_45678_assignsubmission_file_" / "mlp.py", ALICE)   # matched by name
    write(c / "Sam Poe_67890_assignsubmission_file_mlp.py", BOB)
    write(c / "Zed Error_11111_assignsubmission_file_zed.py", ALICE)
    write(c / "Walk In_22222_assignsubmission_file_mlp.py", "")              # not on the roster
    out = tmp_path / "out"
    code = cli.main(["run", str(c), "--out", str(out), "--lms", "moodle",
                     "--roster", str(BATCH / "moodle_export.csv"), "-j", "2"])
    assert code == 4
    grades = read_csv(out / "grades.csv")
    assert {i: (grades[i]["name"], grades[i]["score"]) for i in grades} == {
        "mary@uni.edu": ("Mary Major", "100"), "sam@uni.edu": ("Sam Poe", "92"), "zed@uni.edu": ("Zed Error", ""),
        "ghost@uni.edu": ("Gho St", ""), "22222": ("Walk In", "0")}
    assert rows_of(out / "moodle_import.csv") == [
        ["Email address", f"Assignment: {TITLE} (Real)"],
        ["mary@uni.edu", "100"],
        ["sam@uni.edu", "92"],
        ["zed@uni.edu", ""],
        ["ghost@uni.edu", ""],
    ]
    assert not (out / "canvas_import.csv").exists()


# the roster readers and the renderers, without grading

def record(status, score):
    return SimpleNamespace(status=status, file="mlp.py", seconds=1.0,
                           report={"score": score, "max_score": 100, "functions": [], "diagnoses": []})


def test_the_three_roster_forms_are_read_by_their_header(tmp_path):
    canvas = read_roster(BATCH / "canvas_export.csv")
    assert canvas.kind == "canvas"
    assert [(p.id, p.name) for p in canvas.people] == [
        ("12345", "Smith, John"), ("34567", "Lee, Ann"), ("23456", "Doe, Jane"), ("45679", "Error, Zed"),
        ("56789", "St, Gho"), ("99001", "Student, Test")]          # Points Possible, Manual Posting skipped
    moodle = read_roster(BATCH / "moodle_export.csv")
    assert moodle.kind == "moodle"
    assert moodle.people[0].id == "mary@uni.edu" and moodle.people[0].name == "Mary Major"
    assert moodle.match("45678", "mary  MAJOR").id == "mary@uni.edu"      # Moodle: by name
    participants = write(tmp_path / "participants.csv", "First name,Last name,ID number\nAda,Lovelace,7\n")
    assert [(p.id, p.name, p.email) for p in read_roster(participants).people] == [("7", "Ada Lovelace", "")]
    plain = write(tmp_path / "plain.csv", "email,id,name\nbob@uni.edu,bob,Bob Baker\n")
    roster = read_roster(plain)
    assert roster.kind == "plain" and [(p.id, p.name, p.email) for p in roster.people] == [
        ("bob", "Bob Baker", "bob@uni.edu")]


def test_a_bad_export_is_a_one_line_error_with_its_line(tmp_path):
    dup = write(tmp_path / "dup.csv", "Student,ID,SIS User ID,SIS Login ID,Section\n"
                                      "    Points Possible,,,,\n\"A, B\",1,,,S\n\"C, D\",1,,,S\n")
    with pytest.raises(RosterError, match=r"line 4: id '1' is already on line 3$"):
        read_roster(dup)
    other = write(tmp_path / "other.csv", "Name,Mail\nx,y\n")
    with pytest.raises(RosterError, match=r"line 1: .*\(found: Name, Mail\), or an LMS export's: Canvas \(Student, ID"):
        read_roster(other)


def test_a_plain_roster_gives_both_import_files(tmp_path, task):
    roster = read_roster(write(tmp_path / "r.csv", "id,name,email\nalice,Alice Archer,alice@uni.edu\n"
                                                   "bob,Bob Baker,bob@uni.edu\nzed,Zed Error,zed@uni.edu\n"))
    rows = [Row("alice", "Alice Archer", "alice@uni.edu", "alice", record("graded", 97.5)),
            Row("bob", "Bob Baker", "bob@uni.edu", "bob", record("ungraded", 0)),
            Row("zed", "Zed Error", "zed@uni.edu", "zed", record("grader_error", 0))]
    assert render_lms("canvas", roster, rows, task).splitlines() == [
        f"Student,ID,SIS User ID,SIS Login ID,Section,{TITLE}",       # no assignment id: a new assignment
        "    Points Possible,,,,,100",
        "Alice Archer,alice,,,,97.5",
        "Bob Baker,bob,,,,0",
        "Zed Error,zed,,,,"]
    assert render_lms("moodle", roster, rows, task).splitlines() == [
        f"Email address,{TITLE}", "alice@uni.edu,97.5", "bob@uni.edu,0", "zed@uni.edu,"]


def test_lms_needs_a_roster_and_a_class(tmp_path, capsys):
    write(tmp_path / "c" / "alice.py", ALICE)
    assert cli.main(["run", str(tmp_path / "c"), "--out", str(tmp_path / "o"), "--lms", "canvas"]) == 2
    assert capsys.readouterr().err == ("grader: error: --lms canvas: give --roster, the class list exported "
                                       "from Canvas (its students' ids)\n")
    assert not (tmp_path / "o").exists()
    assert cli.main(["run", str(tmp_path / "c" / "alice.py"), "--lms", "moodle"]) == 2
    assert capsys.readouterr().err == "grader: error: --lms grades a class: give --out DIR\n"
