"""Students never see each other: a submission that searches everything it can reach
(walks /, reads /proc, looks for the class folder, the roster, the output folder, other
students' files and grades.csv) and tries to leave traces and kill processes, graded in a
batch beside others at -j 2, finds nothing and changes no one else's grade."""
import hashlib
import json
import re
import uuid

from batch_helpers import ALICE, BATCH, BOB, read_csv, write
from conftest import quick
from grader import cli


def test_a_snooping_submission_finds_nothing_and_changes_no_other_grade(tmp_path, task, monkeypatch):
    q = quick(task, call_seconds=8.0)
    monkeypatch.setattr(cli, "load_task", lambda name: q)
    secret = {who: f"MARKER-{who}-{uuid.uuid4().hex}" for who in ("alice", "bob", "roster")}
    c, out, roster = tmp_path / "class", tmp_path / "out", tmp_path / "roster.csv"
    write(c / "alice.py", ALICE + f"\n# {secret['alice']}\n")
    write(c / "bob.py", BOB + f"\n# {secret['bob']}\n")
    write(roster, f"id,name,email\nalice,{secret['roster']},a@x.org\nbob,Bob,b@x.org\nsnoop,Snoop,s@x.org\n")
    places = [str(c), str(roster), str(out), str(tmp_path), str(out / "grades.csv"), str(out / "alice")]
    snoop = (BATCH / "snoop.py").read_text().replace(
        "__MARKERS__", repr(tuple(secret.values()))).replace("__PLACES__", repr(tuple(places)))
    write(c / "snoop.py", snoop)
    before = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in c.iterdir()}
    assert cli.main(["run", str(c), "--out", str(out), "--roster", str(roster), "-j", "2"]) == 0

    report = json.loads((out / "snoop" / "report.json").read_text())
    sigmoid = next(f for f in report["functions"] if f["name"] == "sigmoid")
    messages = " ".join(ch["message"] for ch in sigmoid["checks"])
    searched = re.search(r"SNOOP searched (\d+) files; found (\[.*?\])", messages)
    assert searched, messages
    assert int(searched.group(1)) > 100 and searched.group(2) == "[]", messages
    rows = read_csv(out / "grades.csv")
    assert (rows["alice"]["score"], rows["bob"]["score"]) == ("100", "92")
    assert rows["bob"]["diagnoses"] == "softmax-wrong-axis" and rows["alice"]["diagnoses"] == ""
    after = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in c.iterdir()}
    assert after == before                              # nothing written into the class folder
    assert not (out / "alice.py").exists() and not (tmp_path / "alice.py").exists()
