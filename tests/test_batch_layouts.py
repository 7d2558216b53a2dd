"""Which files a class run grades, and whose they are: the layouts of plain folders,
Canvas, Moodle and Gradescope, the rule for two files of one student, and the roster."""
import shutil

import pytest

from batch_helpers import BATCH, write
from grader.batch.discover import DiscoveryError, discover
from grader.batch.duplicates import choose
from grader.batch.identity import identify, safe_component
from grader.batch.roster import RosterError, read_roster


def whose(paths):
    """{student: (layout, name, email, file name)} for the files found under ``paths``."""
    return {s.student: (s.layout, s.name, s.email, s.path.name)
            for s in (identify(f) for f in discover([str(p) for p in paths]))}


# ------------------------------------------------------------------ discovery
def test_a_folder_is_searched_recursively_for_py_and_ipynb_files_skipping_hidden_ones(tmp_path):
    for name in ["a.py", "b/nb.ipynb", "b/deep/c.py", "notes.txt", ".hidden.py", ".git/x.py",
                 "__pycache__/a.cpython-311.py", "b/.ipynb_checkpoints/nb-checkpoint.ipynb"]:
        write(tmp_path / "class" / name, "")
    found = sorted(f.relative.as_posix() for f in discover([str(tmp_path / "class")]))
    assert found == ["a.py", "b/deep/c.py", "b/nb.ipynb"]


def test_the_output_folder_inside_the_class_folder_is_not_graded(tmp_path):
    write(tmp_path / "class" / "a.py", "")
    write(tmp_path / "class" / "out" / "b.py", "")
    found = [f.relative.as_posix() for f in discover([str(tmp_path / "class")], exclude=[tmp_path / "class" / "out"])]
    assert found == ["a.py"]


def test_a_glob_expands_and_named_files_keep_their_student_folders(tmp_path):
    for student in ("ann", "ben"):
        write(tmp_path / "class" / student / "mlp.py", "")
    assert whose([tmp_path / "class" / "*" / "mlp.py"]) == {
        "ann": ("folder", "", "", "mlp.py"), "ben": ("folder", "", "", "mlp.py")}


def test_a_path_that_names_nothing_is_a_one_line_error(tmp_path):
    with pytest.raises(DiscoveryError, match="no such file or folder"):
        discover([str(tmp_path / "nope")])
    with pytest.raises(DiscoveryError, match="no file matches"):
        discover([str(tmp_path / "*.py")])
    (tmp_path / "empty").mkdir()
    with pytest.raises(DiscoveryError, match="no .py or .ipynb file found"):
        discover([str(tmp_path / "empty")])


# ------------------------------------------------------------------ layouts
def test_plain_layouts_a_folder_per_student_or_a_file_per_student(tmp_path):
    write(tmp_path / "class" / "ann" / "src" / "mlp.py", "")
    write(tmp_path / "class" / "ben.py", "")
    assert whose([tmp_path / "class"]) == {"ann": ("folder", "", "", "mlp.py"),
                                           "ben": ("file", "", "", "ben.py")}


def test_canvas_downloads_give_the_id_and_the_login_name_late_ones_too(tmp_path):
    write(tmp_path / "dl" / "smithjohn_12345_67890_mlp.py", "")
    write(tmp_path / "dl" / "doejane_LATE_23456_67891_mlp.ipynb", "")
    assert whose([tmp_path / "dl"]) == {"12345": ("canvas", "smithjohn", "", "smithjohn_12345_67890_mlp.py"),
                                        "23456": ("canvas", "doejane", "", "doejane_LATE_23456_67891_mlp.ipynb")}


def test_moodle_downloads_give_the_id_and_the_full_name_in_folders_or_flat(tmp_path):
    write(tmp_path / "dl" / "Mary Major_45678_assignsubmission_file_" / "mlp.py", "")
    write(tmp_path / "dl" / "Sam Poe_67890_assignsubmission_file_mlp.py", "")
    assert whose([tmp_path / "dl"]) == {"45678": ("moodle", "Mary Major", "", "mlp.py"),
                                        "67890": ("moodle", "Sam Poe", "", "Sam Poe_67890_assignsubmission_file_mlp.py")}


def test_gradescope_exports_give_the_submitters_from_submission_metadata(tmp_path):
    export = tmp_path / "assignment_42_export"
    shutil.copy(BATCH / "gradescope_metadata.yml", write(export / "submission_metadata.yml", ""))
    write(export / "submission_777" / "mlp.py", "")
    write(export / "submission_778" / "nb" / "mlp.ipynb", "")
    write(export / "submission_779" / "mlp.py", "")          # not in the metadata: its folder name
    subs = {s.student: s for s in (identify(f) for f in discover([str(export)]))}
    assert {k: (s.layout, s.name, s.email) for k, s in subs.items()} == {
        "777001": ("gradescope", "Gus Scope", "gus@example.edu"),
        "778001": ("gradescope", "Solo Scope", "solo@example.edu"),
        "submission_779": ("gradescope", "", "")}
    assert [(p.id, p.name) for p in subs["777001"].members] == [("777002", "Gia Scope")]


def test_a_student_key_becomes_one_safe_folder_name():
    assert safe_component("../x/y") == "_x_y" and safe_component("..") == "_" and safe_component(".a") == "a"


# ------------------------------------------------------------------ two files of one student
def subs_of(tmp_path, files):
    """files: {relative path: mtime} -> the Submissions found for them."""
    for name, mtime in files.items():
        write(tmp_path / name, "", mtime)
    return [identify(f) for f in discover([str(tmp_path)])]


def test_of_two_files_the_later_one_is_graded_and_the_note_says_why(tmp_path):
    subs = subs_of(tmp_path, {"leeann_34567_70001_mlp.py": 1000, "leeann_34567_70002_mlp-1.py": 2000})
    chosen = choose(subs, "template.py")
    assert chosen.path.name == "leeann_34567_70002_mlp-1.py"
    assert chosen.notes == ["2 files were submitted (leeann_34567_70001_mlp.py, leeann_34567_70002_mlp-1.py); "
                            "graded leeann_34567_70002_mlp-1.py: it was modified last; the others were not graded"]


def test_a_file_named_as_the_template_wins_over_a_later_one(tmp_path):
    subs = subs_of(tmp_path, {"kim/template.py": 1000, "kim/scratch.py": 2000})
    chosen = choose(subs, "template.py")
    assert chosen.path.name == "template.py" and "its name is the template's (template.py)" in chosen.notes[0]


def test_files_modified_at_the_same_time_are_told_apart_by_name(tmp_path):
    subs = subs_of(tmp_path, {"kim/b.py": 1000, "kim/a.py": 1000})
    chosen = choose(list(reversed(subs)), "template.py")
    assert chosen.path.name == "a.py" and "comes first by name" in chosen.notes[0]


# ------------------------------------------------------------------ roster
def test_a_roster_gives_names_and_matches_by_id_or_else_by_name(tmp_path):
    roster = read_roster(write(tmp_path / "r.csv", "\ufeffID,Name,Email,section\nalice,Alice A,a@x.org,1\n"
                                                   "rroe,Richard  Roe,r@x.org,2\n\n"))
    assert [(p.id, p.name, p.email) for p in roster.people] == [("alice", "Alice A", "a@x.org"),
                                                                 ("rroe", "Richard  Roe", "r@x.org")]
    assert roster.match("alice").name == "Alice A"
    assert roster.match("56789", "richard roe").id == "rroe"
    assert roster.match("56789", "Someone Else") is None


@pytest.mark.parametrize("text, message", [
    ("alice,Alice,a@x.org\n", "line 1: the roster needs a header line naming the columns id, name, email "
                              "(found: alice, Alice, a@x.org)"),
    ("", "line 1: the roster needs a header line naming the columns id, name, email (found: an empty file)"),
    ("id,name,email\nalice,A,a\nalice,B,b\n", "line 3: id 'alice' is already on line 2"),
    ("id,name,email\n,A,a\n", "line 2: no id"),
    (b"id,name,email\n\xff\xfe,A,a\n", "cannot read the roster: not UTF-8"),
])
def test_a_malformed_roster_is_one_line_with_its_place(tmp_path, text, message):
    path = write(tmp_path / "r.csv", text)
    with pytest.raises(RosterError) as error:
        read_roster(path)
    assert str(error.value) == f"{path}: {message}" or str(error.value).startswith(f"{path}: {message}")
    assert "\n" not in str(error.value)
