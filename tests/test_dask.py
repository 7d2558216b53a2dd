"""A class graded on a Dask cluster (grader run ... --dask, grader/batch/dask_run.py): the
same class as tests/test_batch_class.py (20 files, a hang, an empty and a binary file, a
notebook, duplicates, a roster) on a LocalCluster of 2 worker processes, one of which is
killed while it grades; every report must be complete and byte for byte the local batch's.
Then the pieces: the task folder's trip to a worker, the host check, the errors.
"""
import csv
import io
import json
import os
import signal
import sys
import time

import pytest

import distributed                                   # a test dependency (pip install -e ".[test]")
from batch_helpers import ALICE, reports, write                              # noqa: E402
from grader import __version__, cli                                         # noqa: E402
from grader.batch import dask_run, progress                                 # noqa: E402
from test_batch_class import build_class                                    # noqa: E402


def run_class(tmp_path, out, *extra):
    return cli.main(["run", str(tmp_path / "class"), "--out", str(out), "--roster", str(tmp_path / "roster.csv"),
                     *extra])


def gradebook_without_seconds(out):
    rows = list(csv.DictReader(io.StringIO((out / "grades.csv").read_text(encoding="utf-8"))))
    for row in rows:
        row.pop("seconds")
    return rows


def records(out):
    return {p.stem: json.loads(p.read_text()) for p in sorted((out / ".grader").glob("*.json"))}


@pytest.fixture
def cluster():
    import dask
    with dask.config.set({"distributed.scheduler.allowed-failures": 2}):
        local = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                         dashboard_address=None, silence_logs=40)
    client = distributed.Client(local)
    yield client
    client.close()
    local.close()


def kill_a_busy_worker_after_the_first_result(monkeypatch, client):
    """Once the first submission is finished, SIGKILL a Dask worker process that is grading
    one -> {"key": the task it was running, "pid": its pid} (filled in then)."""
    killed = {}
    real = progress.Progress.finished

    def finished(self, record):
        real(self, record)
        if killed:
            return
        for _ in range(200):                           # a worker busy with a submission
            busy = {w: keys for w, keys in client.processing().items()
                    if any(str(k).startswith("grade-") for k in keys)}
            if busy:
                break
            time.sleep(0.05)
        address, keys = sorted(busy.items())[0]
        pid = client.run(os.getpid, workers=[address])[address]
        killed.update(key=next(str(k) for k in keys if str(k).startswith("grade-")), pid=pid)
        os.kill(pid, signal.SIGKILL)
    monkeypatch.setattr(progress.Progress, "finished", finished)
    return killed


def test_a_class_on_two_dask_workers_one_killed_gets_the_local_batchs_reports(
        tmp_path, cluster, monkeypatch, capsys):
    build_class(tmp_path)
    local, remote = tmp_path / "local", tmp_path / "dask"
    assert run_class(tmp_path, local, "-j", "2") == 0
    capsys.readouterr()

    killed = kill_a_busy_worker_after_the_first_result(monkeypatch, cluster)
    address = cluster.scheduler.address
    assert run_class(tmp_path, remote, "--dask", address) == 0
    err = capsys.readouterr().err
    assert killed, "no Dask worker was killed"
    assert "grader: Dask: 2 workers (2 threads) on 1 host" in err
    assert "left out" not in err

    # the killed worker's submission was graded again elsewhere (or by its restarted self)
    pids = set(cluster.run(os.getpid).values())
    assert killed["pid"] not in pids and len(pids) == 2         # the nanny restarted it
    victim = killed["key"][len("grade-"):].rsplit("-", 2)[0]
    # (as it was locally: the victim may be the class's empty file, which is "ungraded")
    assert victim in records(remote)
    assert records(remote)[victim]["status"] == records(local)[victim]["status"] != "grader_error"

    # every report complete and identical to the local batch's, byte for byte
    ours, theirs = reports(remote), reports(local)
    assert len(ours) == 18 and ours == theirs
    for name in theirs:
        for extra in ("report.txt", "report.html"):
            assert (remote / name / extra).read_bytes() == (local / name / extra).read_bytes()
    dask_records, local_records = records(remote), records(local)
    assert dask_records.keys() == local_records.keys()
    for student, record in dask_records.items():
        mine = local_records[student]
        assert record["report"] == mine["report"], student
        assert (record["sha256"], record["task_digest"], record["file"], record["status"]) == \
            (mine["sha256"], mine["task_digest"], mine["file"], mine["status"])
    assert json.loads(ours["hang"])["score"] == 92             # the hang cost softmax only
    assert json.loads(ours["rroe"])["submission"].endswith("mlp.ipynb")
    assert json.loads(ours["23456"])["status"] == "ungraded"    # the empty file
    assert gradebook_without_seconds(remote) == gradebook_without_seconds(local)
    slow = ("slowest",)
    assert {k: v for k, v in json.loads((remote / "summary.json").read_text()).items() if k not in slow} == \
        {k: v for k, v in json.loads((local / "summary.json").read_text()).items() if k not in slow}

    # resumable: nothing changed, nothing is graded again (the cluster is not even used)
    before = {p: p.stat().st_mtime_ns for p in (remote / ".grader").glob("*.json")}
    assert run_class(tmp_path, remote, "--dask", "tcp://127.0.0.1:9") == 0
    assert f"({len(before)} already graded and unchanged, kept;" in capsys.readouterr().err
    assert {p: p.stat().st_mtime_ns for p in (remote / ".grader").glob("*.json")} == before


def test_local_n_starts_its_own_cluster(tmp_path, capsys):
    write(tmp_path / "class" / "alice.py", ALICE)
    write(tmp_path / "class" / "empty.py", "")
    out = tmp_path / "out"
    assert cli.main(["run", str(tmp_path / "class"), "--out", str(out), "--dask", "local:1"]) == 0
    err = capsys.readouterr().err
    assert "grader: Dask: 1 worker (1 thread) on 1 host" in err
    assert json.loads((out / "alice" / "report.json").read_text())["score"] == 100
    empty = json.loads((out / "empty" / "report.json").read_text())
    assert empty["status"] == "ungraded" and empty["submission"] == str(tmp_path / "class" / "empty.py")
    assert empty["notes"] == [f"{tmp_path / 'class' / 'empty.py'} is empty: there is nothing to grade"]


def test_without_the_extra_a_one_line_error_names_it(tmp_path, monkeypatch, capsys):
    write(tmp_path / "class" / "alice.py", ALICE)
    monkeypatch.setitem(sys.modules, "distributed", None)          # import distributed fails
    assert cli.main(["run", str(tmp_path / "class"), "--out", str(tmp_path / "out"), "--dask", "local:2"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("grader: error: --dask needs dask.distributed")
    assert 'pip install "grader[dask]"' in err
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("argv, message", [
    (["--dask", "local:0"], "--dask local:0: give local:N"),
    (["--dask", "local:two"], "--dask local:two: give local:N"),
    (["--dask", "local:2", "-j", "2"], "-j and --dask: give one"),
])
def test_bad_dask_options(tmp_path, capsys, argv, message):
    write(tmp_path / "class" / "alice.py", ALICE)
    assert cli.main(["run", str(tmp_path / "class"), "--out", str(tmp_path / "out"), *argv]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith(f"grader: error: {message}")


def test_dask_grades_a_class_so_it_needs_out(tmp_path, capsys):
    path = write(tmp_path / "alice.py", ALICE)
    assert cli.main(["run", str(path), "--dask", "local:1"]) == 2
    assert "--dask grades a class: give --out DIR" in capsys.readouterr().err


def test_an_unreachable_scheduler_is_one_line(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(dask_run, "CONNECT_SECONDS", 2)
    write(tmp_path / "class" / "alice.py", ALICE)
    assert cli.main(["run", str(tmp_path / "class"), "--out", str(tmp_path / "out"),
                     "--dask", "tcp://127.0.0.1:9"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--dask tcp://127.0.0.1:9: cannot reach the Dask scheduler" in err


def test_the_task_folder_travels_as_a_tar_and_is_loaded_once_per_worker(task, monkeypatch):
    monkeypatch.setattr(dask_run, "_TASKS", {})
    archive = dask_run.task_archive(task)
    assert archive == dask_run.task_archive(task)               # deterministic
    there = dask_run.worker_task(task.digest, archive)
    assert there.digest == task.digest and there.name == task.name
    assert there.directory != task.directory and there.directory.name == task.directory.name
    assert dask_run.worker_task(task.digest, b"not even read") is there      # cached by digest
    with pytest.raises(ValueError, match="arrived as"):
        dask_run.worker_task("0" * 64, archive)


def test_a_tampered_archive_is_refused(tmp_path, monkeypatch):
    import tarfile
    monkeypatch.setattr(dask_run, "_TASKS", {})
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        info = tarfile.TarInfo("mlp/../../escape.txt")
        info.size = 1
        tar.addfile(info, io.BytesIO(b"x"))
    with pytest.raises(ValueError, match="something other than one folder"):
        dask_run.worker_task("1" * 64, buffer.getvalue())


class FakeClient:
    """client.run(host_check) answers of a cluster, for check_hosts."""

    def __init__(self, infos):
        self.infos = infos

    def run(self, function, on_error="raise"):
        assert function is dask_run.host_check and on_error == "return"
        return self.infos

    def nthreads(self):
        return {address: 4 if address.endswith(":3") else 1 for address in self.infos}


def info(sandbox=None, version=__version__, host="h"):
    return {"host": host, "version": version, "python": "3", "sandbox": sandbox, "pid": 1}


def test_a_host_without_the_sandbox_is_reported_once_and_left_out():
    lines = []
    client = FakeClient({"tcp://10.0.0.1:1": info(host="good"), "tcp://10.0.0.1:2": info(host="good"),
                         "tcp://10.0.0.2:1": info("no unshare command", host="bare"),
                         "tcp://10.0.0.2:2": info("no unshare command", host="bare"),
                         "tcp://10.0.0.2:3": info("no unshare command", host="bare"),
                         "tcp://10.0.0.3:1": info(version="0.0.1", host="old"),
                         "tcp://10.0.0.4:1": RuntimeError("No module named 'grader'")})
    good, workers, bad = dask_run.check_hosts(client, "tcp://s:8786", lines.append)
    assert good == {"10.0.0.1"} and workers == 2 and bad == {"10.0.0.2", "10.0.0.3", "10.0.0.4"}
    assert lines == [
        "grader: Dask host bare (10.0.0.2) (3 workers) is left out: the sandbox is unavailable there "
        "(no unshare command): student code would run unconfined",
        f"grader: Dask host old (10.0.0.3) (1 worker) is left out: it has grader 0.0.1, this is grader "
        f"{__version__} (install the same wheel on every host)",
        "grader: Dask host 10.0.0.4 (1 worker) is left out: it could not be checked (RuntimeError: "
        "No module named 'grader')",
        "grader: Dask: 2 workers (2 threads) on 1 host"]


def test_workers_with_several_threads_are_told_once():
    lines = []
    client = FakeClient({"tcp://10.0.0.1:1": info(), "tcp://10.0.0.1:3": info()})
    assert dask_run.check_hosts(client, "tcp://s:8786", lines.append) == ({"10.0.0.1"}, 2, set())
    assert lines[0] == "grader: Dask: 2 workers (5 threads) on 1 host"
    assert lines[1].startswith("grader: Dask workers with several threads (4) grade one submission at a time")
    assert len(lines) == 2


def test_no_host_with_the_sandbox_is_one_error():
    client = FakeClient({"tcp://10.0.0.2:1": info("unshare failed: Operation not permitted", host="bare")})
    with pytest.raises(dask_run.DaskError, match=r"^--dask tcp://s:8786: no Dask worker can grade here: "
                                                 r"bare \(10.0.0.2\): the sandbox is unavailable"):
        dask_run.check_hosts(client, "tcp://s:8786", lambda line: None)


def test_a_worker_without_the_sandbox_refuses_to_grade(monkeypatch, task):
    from grader.worker import sandbox
    monkeypatch.setattr(sandbox, "command_prefix", lambda: (None, "no unshare command"))
    answer = dask_run.grade_remote(b"", task.digest, "alice.py", ALICE.encode(), [], {}, "alice.py")
    assert set(answer) == {"refused", "host", "address"} and "no unshare command" in answer["refused"]


def test_a_cluster_without_the_sandbox_says_so_once_and_grades_nothing(tmp_path, monkeypatch, capsys):
    for name in ("a", "b", "c"):
        write(tmp_path / "class" / f"{name}.py", ALICE)
    monkeypatch.setenv("PATH", str(tmp_path / "nothing"))          # the workers find no unshare
    out = tmp_path / "out"
    assert cli.main(["run", str(tmp_path / "class"), "--out", str(out), "--dask", "local:2"]) == 2
    err = capsys.readouterr().err.splitlines()
    left_out = [line for line in err if "left out" in line]
    assert len(left_out) == 1 and "(2 workers) is left out: the sandbox is unavailable there" in left_out[0]
    assert "no unshare command" in left_out[0]
    assert err[-1].startswith("grader: error: --dask local:2: no Dask worker can grade here: ")
    assert not list(out.glob("*/report.json"))


def test_the_report_names_the_orchestrators_path(task, tmp_path, monkeypatch):
    """grade_remote grades a copy; what it sends back is about the original path."""
    monkeypatch.setattr(dask_run, "_TASKS", {task.digest: task})
    shown = str(tmp_path / "class" / "Jane Doe" / "mlp.py")
    answer = dask_run.grade_remote(None, task.digest, "mlp.py", b"", ["a batch note"], {}, shown)
    assert answer["status"] == "ungraded" and answer["report"]["submission"] == shown
    assert answer["report"]["notes"] == [f"{shown} is empty: there is nothing to grade", "a batch note"]
    student = json.loads(answer["files"]["report.json"])
    assert student["view"] == "student" and student["submission"] == shown
    assert shown in answer["files"]["report.txt"] and "grader-sub-" not in json.dumps(answer)
    json.dumps(answer)                                          # plain data only
