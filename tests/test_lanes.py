"""Checks judged on several workers at once (grader/lanes.py, engine.py): the same report
as one after another, for right, wrong, hanging and crashing code."""
import json
import os
import threading
import time
from pathlib import Path

import pytest

from conftest import ROOT, SUBMISSIONS, quick
from grader import cli
from grader.engine import check_order, dependencies, lanes_for
from grader.grade import grade
from grader.lanes import Lanes, Overdue, Speculation
from mutants import MUTANTS


def ready(lanes=1):
    return [lambda: True] * lanes


# ------------------------------------------------------------------ the scheduler
def test_one_lane_runs_the_jobs_in_order():
    ran = []
    lanes = Lanes([set(), set(), {0}, set()], lambda lane, i: ran.append(i) or i * 10, ready(1))
    assert [lanes.result(i) for i in range(4)] == [0, 10, 20, 30]
    assert ran == [0, 1, 2, 3]
    lanes.close()


def test_a_job_starts_only_after_its_dependencies_are_done():
    deps = [set(), set(), {0, 1}, set(), {2}, {3, 4}]
    spans, lock = {}, threading.Lock()

    def run(lane, i):
        start = time.monotonic()
        time.sleep(0.02 * (i % 3 + 1))
        with lock:
            spans[i] = (start, time.monotonic())
    lanes = Lanes(deps, run, ready(3))
    for i in range(len(deps)):
        lanes.result(i)
    for i, before in enumerate(deps):
        for j in before:
            assert spans[j][1] <= spans[i][0], f"job {i} started before its dependency {j} ended"
    lanes.close()


def test_two_lanes_run_independent_jobs_at_once():
    second_started = threading.Event()

    def run(lane, i):
        if i == 0:           # finishes only if job 1 runs meanwhile, in the other lane
            return second_started.wait(5)
        second_started.set()
        return True
    lanes = Lanes([set(), set()], run, ready(2))
    assert lanes.result(0) is True and lanes.result(1) is True
    lanes.close()


def test_a_jobs_exception_is_raised_by_result_and_the_others_go_on():
    def run(lane, i):
        if i == 1:
            raise ValueError("job 1 broke")
        return i
    lanes = Lanes([set(), set(), {1}], run, ready(2))
    assert lanes.result(0) == 0
    with pytest.raises(ValueError, match="job 1 broke"):
        lanes.result(1)
    assert lanes.result(2) == 2
    lanes.close()


def test_when_no_lane_can_start_the_jobs_run_in_the_waiting_thread():
    ran = []
    lanes = Lanes([set(), {0}], lambda lane, i: ran.append((lane, i)) or i, [lambda: False, lambda: 1 / 0])
    assert lanes.result(1) == 1 and lanes.result(0) == 0
    assert ran == [(None, 0), (None, 1)]
    lanes.close()


def test_a_job_past_its_backstop_is_given_up():
    release = threading.Event()
    lanes = Lanes([set()], lambda lane, i: release.wait(10), ready(1))
    with pytest.raises(Overdue):
        lanes.result(0, backstop=0.3)
    release.set()
    lanes.close()


def speculating(holds):
    """Lanes over 3 jobs where job 2 waits for 0 and 1 and may run early; -> (lanes, log)."""
    log = []
    slow = threading.Event()

    def run(lane, i):
        if i == 0:
            slow.wait(0.3)          # job 2's early run happens meanwhile
        log.append(("run", i))
        return f"job {i}"

    def early(lane, i):
        log.append(("early", i))
        return f"early {i}"

    def commit(i, token):
        log.append(("commit", i))
        return token
    spec = Speculation(jobs=(2,), run=early, holds=lambda i: holds, commit=commit)
    return Lanes([set(), set(), {0, 1}], run, ready(2), spec), log


def test_a_speculation_whose_guess_holds_is_the_jobs_result_and_the_job_runs_once():
    lanes, log = speculating(holds=True)
    assert [lanes.result(i) for i in range(3)] == ["job 0", "job 1", "early 2"]
    assert log.index(("early", 2)) < log.index(("run", 0)), "job 2 did not run early"
    assert ("commit", 2) in log and ("run", 2) not in log
    lanes.close()


def test_a_speculation_whose_guess_fails_is_thrown_away_and_the_job_runs_again():
    lanes, log = speculating(holds=False)
    assert [lanes.result(i) for i in range(3)] == ["job 0", "job 1", "job 2"]
    assert ("early", 2) in log and ("run", 2) in log and ("commit", 2) not in log
    lanes.close()


def test_speculation_tries_its_jobs_in_the_order_given_not_by_index():
    order, gate = [], threading.Event()

    def run(lane, i):
        gate.wait(5)                # job 0 holds lane 0 until both early runs are done
        return i

    def early(lane, i):
        order.append(i)
        if len(order) == 2:
            gate.set()
        return i
    spec = Speculation(jobs=(3, 2), run=early, holds=lambda i: True, commit=lambda i, token: token)
    lanes = Lanes([set(), set(), {0}, {0}], run, ready(2), spec)
    assert [lanes.result(i) for i in range(4)] == [0, 1, 2, 3]
    assert order == [3, 2]
    lanes.close()


def test_the_end_to_end_checks_run_early_longest_time_limit_first(task, monkeypatch):
    from grader import engine
    seen = []
    init = engine.Lanes.__init__

    def recording(self, deps, run, starts, speculation=None):
        seen.append(speculation)
        init(self, deps, run, starts, speculation)
    monkeypatch.setattr(engine.Lanes, "__init__", recording)
    grade(SUBMISSIONS / "alice.py", task, workers=2)
    order = check_order(task)
    ids = [order[i][0].id for i in seen[0].jobs]
    assert ids == ["train.mnist", "train.xor", "backward.gradcheck"]     # 60 s, 20 s, the default


def test_a_job_waiting_for_a_later_one_is_refused():
    with pytest.raises(AssertionError, match="job 0 waits for a later job"):
        Lanes([{1}, set()], lambda lane, i: i, ready(1))


# ------------------------------------------------------------- the dependencies
def test_a_check_waits_for_the_earlier_checks_of_its_function_and_helpers_only(task):
    order = check_order(task)
    deps = dependencies(task, order)
    index = {spec.id: i for i, (spec, _) in enumerate(order)}
    names = lambda i: {order[j][0].id for j in deps[i]}
    assert names(index["softmax.values"]) == {"softmax.shape", "softmax.rows"}
    forward = names(index["forward.hidden"])
    assert {"relu.values", "softmax.rows", "forward.linear"} <= forward
    assert not any(c.startswith(("backward.", "minibatches.", "init_params.")) for c in forward)
    assert "train.xor" in names(index["train.mnist"])
    hidden = [spec.id for spec, _ in order if spec.hidden]
    assert hidden, "the mlp task has hidden checks"
    for spec, _ in order:       # a public check never waits for a hidden one (they come last)
        if not spec.hidden:
            assert not names(index[spec.id]) & set(hidden)


def test_a_kit_and_a_single_worker_use_one_lane(task):
    assert lanes_for(task, 1) == 1
    assert lanes_for(task, 3, force_stand_ins={"softmax"}) == 1
    assert lanes_for(task, 2) == 2


# ------------------------------------------------------------- the same reports
def comparable(report):
    doc = report.to_dict()
    doc.pop("seconds", None)
    return json.dumps(doc, sort_keys=True)


CORPUS = ["alice.py", "bob.py", "carol.py", "dave.py", "erin.py", "frank.py", "notebook_messy.ipynb"]
PICKED = ["softmax-whole-array", "mutates-input", "init-zero-weights", "forward-ignores-activation",
          "grad-not-averaged", "missing-activation-grad", "sgd-ascent", "no-shuffle", "numgrad-sign-flipped"]
# hostile files whose state, processes or hangs could reach a check running beside another
HOSTILE = ["loop_in_function.py", "orphan_process.py", "thread_left_running.py", "state_in_files.py",
           "memory_between_calls.py", "sysv_ipc_left_behind.py", "exit_os_in_function.py", "fork_bomb.py"]


def test_every_example_submission_gets_the_same_report_from_one_two_and_three_workers(task):
    for name in CORPUS:
        path = SUBMISSIONS / name
        one = comparable(grade(path, task, workers=1))
        for workers in (2, 3):
            assert comparable(grade(path, task, workers=workers)) == one, f"{name}: -j {workers} differs"


def test_mutants_get_the_same_report_from_one_and_two_workers(task, tmp_path):
    mutants = [m for m in MUTANTS if m.key in PICKED]
    assert len(mutants) == len(PICKED), sorted(set(PICKED) - {m.key for m in mutants})
    for mutant in mutants:
        path = tmp_path / f"{mutant.key}.py"
        path.write_text(mutant.source(), encoding="utf-8")
        one = grade(path, task, workers=1)
        assert one.score < one.max_score, f"{mutant.key} should lose points"
        assert comparable(grade(path, task, workers=2)) == comparable(one), f"{mutant.key}: -j 2 differs"


def test_hangs_and_crashes_get_the_same_report_from_one_and_two_workers(task):
    fast = quick(task)
    for path in [SUBMISSIONS / "grace.py", *(ROOT / "tests" / "adversarial" / name for name in HOSTILE)]:
        one = comparable(grade(path, fast, workers=1))
        assert comparable(grade(path, fast, workers=2)) == one, f"{path.name}: -j 2 differs"


def test_a_correct_file_speculates_its_end_to_end_checks_and_keeps_them(task, monkeypatch):
    from grader import engine
    commits, failed = [], []
    commit, holds = engine.Grading.commit, engine.Grading.guess_holds

    def counting_commit(self, index, token):
        commits.append(self.order[index][0].id)
        return commit(self, index, token)

    def counting_holds(self, index):
        held = holds(self, index)
        if not held:
            failed.append(self.order[index][0].id)
        return held
    monkeypatch.setattr(engine.Grading, "commit", counting_commit)
    monkeypatch.setattr(engine.Grading, "guess_holds", counting_holds)
    assert grade(SUBMISSIONS / "alice.py", task, workers=2).score == 100
    # the longest runs early and is kept; the others may be reached in order first
    assert "train.mnist" in commits and not failed
    commits.clear()
    report = grade(SUBMISSIONS / "bob.py", task, workers=2)      # softmax over the wrong axis
    assert report.score < report.max_score
    assert "train.mnist" in failed and "train.mnist" not in commits


# ------------------------------------------------------------------ the command
def test_one_file_with_j_gets_the_same_json_and_j_0_is_refused(tmp_path, capsys):
    outputs = []
    for jobs in ("1", "2"):
        out = tmp_path / f"j{jobs}.json"
        assert cli.main(["run", str(SUBMISSIONS / "carol.py"), "-j", jobs, "--format", "json", "--out", str(out)]) == 0
        doc = json.loads(out.read_text())
        doc.pop("seconds", None)
        outputs.append(doc)
    assert outputs[0] == outputs[1]
    assert cli.main(["check", str(SUBMISSIONS / "carol.py"), "-j", "0"]) == 2
    assert capsys.readouterr().err == "grader: error: -j 0: give a number of workers, 1 or more\n"
    assert Path(tmp_path / "j1.json").exists()


# ------------------------------------------------- worker processes started ahead
def test_the_command_starts_workers_ahead_only_for_one_file(tmp_path):
    from grader.start import default_workers, workers_wanted
    alice = str(SUBMISSIONS / "alice.py")
    assert workers_wanted(["run", alice]) == default_workers() >= 1
    assert workers_wanted(["check", alice, "-j", "3"]) == 3
    assert workers_wanted(["run", alice, "-j", "9"]) == 4
    assert workers_wanted(["run", str(SUBMISSIONS)]) == 0                    # a folder: a class
    assert workers_wanted(["run", alice, str(SUBMISSIONS / "bob.py"), "--out", "o"]) == 0
    assert workers_wanted(["run", alice, "--out", str(tmp_path)]) == 0       # --out DIR: a class
    assert workers_wanted(["run", alice, "--out", str(tmp_path / "r.json")]) == default_workers()
    assert workers_wanted(["task", "check", "mlp"]) == 0 and workers_wanted(["run", "--help"]) == 0


def test_a_grading_takes_the_workers_started_ahead_and_leaves_none_running(task, monkeypatch):
    from grader.worker import launch
    taken = []
    take = launch.take
    monkeypatch.setattr(launch, "take", lambda: taken.append(take()) or taken[-1])
    launch.prelaunch(2)
    started = [w.proc for w in launch._waiting]
    assert len(started) == 2 and all(p.poll() is None for p in started)
    assert grade(SUBMISSIONS / "alice.py", task, workers=2).score == 100
    assert [t.proc for t in taken[:2]] == started and launch._waiting == []
    assert all(p.poll() is not None for p in started), "a worker outlived its grading"


def test_workers_started_ahead_by_another_process_or_unused_are_never_taken(monkeypatch):
    from grader.worker import launch
    launch.prelaunch(2)
    mine, theirs = launch._waiting
    monkeypatch.setattr(theirs, "owner", -1)        # as a forked child sees its parent's
    launch._waiting.reverse()
    assert launch.take() is mine
    assert launch._waiting == [] and theirs.proc.poll() is None     # left alone, not killed
    theirs.owner = mine.owner = launch.os.getpid()
    launch._waiting.append(theirs)
    launch.discard_all()
    mine.discard()
    assert theirs.proc.wait(10) is not None and mine.proc.poll() is not None


def test_python_m_grader_with_workers_started_ahead_grades_as_before(tmp_path):
    import subprocess
    import sys
    done = subprocess.run([sys.executable, "-m", "grader", "run", str(SUBMISSIONS / "alice.py"),
                           "--format", "json"], capture_output=True, text=True, cwd=tmp_path, timeout=300)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["score"] == 100 and done.stderr == ""


def test_the_command_runs_its_own_numpy_single_threaded_unless_told(monkeypatch, capsys):
    from grader import start
    for name in start.SINGLE_THREADED:      # restored afterwards, whatever main sets
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("MKL_NUM_THREADS", "3")
    with pytest.raises(SystemExit):
        start.main(["--version"])
    assert capsys.readouterr().out.startswith("grader ")
    assert os.environ["OPENBLAS_NUM_THREADS"] == "1" and os.environ["MKL_NUM_THREADS"] == "3"
