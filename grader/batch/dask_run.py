"""A class graded on a Dask cluster: ``grader run PATH... --out DIR --dask ADDRESS`` (a
scheduler, ``tcp://host:8786``) or ``--dask local:N`` (a LocalCluster of N worker processes
on this machine). docs/cluster.md says how to run it on one machine, several, SLURM and
Kubernetes.

The same grading as a local batch (run.py), another way to run it:

- **One Dask task per submission.** It runs ``grade_remote`` in a Dask worker: the grading
  of grading.py (``grade_report``: grader.grade called directly, since Dask workers are
  daemonic processes, which may not start multiprocessing children; the student's code
  runs, as always, in the sandboxed worker, a subprocess) and the student-view files
  (``student_files``), rendered there because the report's figures come from facts that
  the plain report does not carry. The submission's bytes travel with the task (no shared
  filesystem): the Dask worker writes them to a private temporary folder under the file's
  own name, and the paths in the report are the orchestrator's again before anything is
  rendered, so the report is byte for byte a local batch's.
- **The task folder travels once per worker**: a tar of the files ``task_digest`` counts,
  as the result of a Dask task whose key is ``grader-task-<digest>`` (kept by the
  scheduler, so a restarted or new worker gets it again); each worker process extracts it
  once and keeps the loaded Task by digest (``worker_task``), checking that what it
  extracted has that digest. The grader itself (code, packs, reference, MNIST subset) is
  installed on every host, the same version (checked at start).
- **Only plain data comes back**: ``Report.to_dict()`` (the full view, for the record),
  the student-view files as text, the status, the seconds and the peak memory. The
  orchestrator writes them with ``grading.write_result``, the path a local batch writes
  by: the same files, records, resume, grades.csv and summary.
- **Time**: the task's ``budget_seconds`` bounds each grading inside the task and every
  call of the student's code has its own deadline, so a hung student costs its timeouts,
  never a Dask worker. (The engine's backstop for a hang of the grader itself ends the
  Dask worker process, as it would end a grading process: Dask then retries.)
- **Failures**: a task that raises is retried by Dask (``retries=2``); a task whose Dask
  worker dies (out of memory, host lost, killed) is rescheduled by the scheduler, up to its
  ``distributed.scheduler.allowed-failures`` (2 for ``local:N``; the scheduler's own
  setting otherwise, 3 by default), then raises KilledWorker. Either way the submission
  is then recorded as ``grader_error`` (no score, never a 0), with the reason. A report
  with status ``grader_error`` is graded once more, as in a local batch.
- **Hosts**: each worker is asked at start (``client.run(host_check)``) for its grader
  version and whether the sandbox works there (``sandbox.command_prefix``). A host that
  fails is reported once, on one line, and its workers get no submission (tasks are
  restricted to the good hosts); no good host at all is a one-line error. A worker that
  joins later is checked by the task itself: it refuses to grade without the sandbox,
  its host is reported once and the submission goes to the good hosts.
- One grading at a time in a worker process (pytest, the check engine, is not thread-safe):
  workers are meant to run with one thread each (``local:N`` does); a worker with more
  grades one submission at a time anyway, and the start says so once.
- At most ``window`` submissions are in flight (bytes held by the scheduler); the progress
  bar (progress.py) advances as the futures complete (``as_completed``); Ctrl-C cancels
  what is queued and keeps what finished.
"""
import atexit
import hashlib
import io
import logging
import os
import platform
import re
import shutil
import socket
import tarfile
import tempfile
import threading
import time
import uuid
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace

from .. import __version__
from ..result import GRADER_ERROR
from . import grading
from .run import ATTEMPTS, RAISED, WHY_ERROR, finished, interruptible, plan

EXTRA = "grader[dask]"
NO_DASK = f'--dask needs dask.distributed, an optional extra: pip install "{EXTRA}" ({{reason}})'
BAD_LOCAL = "--dask {spec}: give local:N, N the number of worker processes (1 or more)"
NO_SCHEDULER = "--dask {spec}: cannot reach the Dask scheduler: {reason}"
NO_WORKER = "--dask {spec}: no Dask worker joined within {seconds:.0f} s"
NO_GOOD_HOST = "--dask {spec}: no Dask worker can grade here: {reasons}"
HOST_LEFT_OUT = "grader: Dask host {host} ({workers} worker{s}) is left out: {reason}"
WRONG_VERSION = "it has grader {there}, this is grader {here} (install the same wheel on every host)"
NO_SANDBOX = "the sandbox is unavailable there ({reason}): student code would run unconfined"
CANNOT_CHECK = "it could not be checked ({reason})"
FAILED_ON_CLUSTER = ("grader error, not your fault: the grading failed on the Dask cluster, after its "
                     "retries ({detail}); grade it again")
FAILED_HERE = "grader error, not your fault: the grading stopped ({detail}); grade it again"
WORKER_DIED = "its Dask worker died each time it graded it"
CANCELLED = "the Dask scheduler cancelled it"
BAD_PAYLOAD = "the Dask worker sent back no report"
TASK_CHANGED = "the task folder arrived as {got}, not {digest}"
STARTING_CLUSTER = "grader: Dask: {workers} worker{s} ({threads} thread{ts}) on {hosts} host{hs}"
THREADED = ("grader: Dask workers with several threads ({threads}) grade one submission at a time each "
            "(the check engine, pytest, runs once at a time in a process): start them with --nthreads 1 "
            "and as many --nworkers as cores")

RETRIES = 2                 # Dask's retries of a task that raises
ALLOWED_FAILURES = 2        # worker deaths a task may see (the LocalCluster's scheduler)
CONNECT_SECONDS = 30        # to reach a scheduler
WORKER_WAIT_SECONDS = 300   # for a first worker to join (a batch system may take minutes)
WINDOW_PER_WORKER = 4       # submissions in flight per worker process (at least MIN_WINDOW)
MIN_WINDOW = 32
TASK_KEY = "grader-task-{digest}"


class DaskError(Exception):
    """A one-line reason the Dask batch cannot run (exit 2)."""


def distributed_module():
    """The ``distributed`` package, or DaskError naming the extra to install."""
    try:
        import distributed
    except ImportError as exc:
        raise DaskError(NO_DASK.format(reason=f"{type(exc).__name__}: {exc}")) from None
    return distributed


def parse_spec(spec):
    """``local:N`` -> ("local", N); anything else -> ("address", spec)."""
    spec = str(spec).strip()
    if spec.startswith("local:") or spec == "local":
        try:
            n = int(spec.partition(":")[2])
        except ValueError:
            n = 0
        if n < 1:
            raise DaskError(BAD_LOCAL.format(spec=spec))
        return "local", n
    return "address", spec


def validate(spec):
    """Check ``--dask SPEC`` before anything is graded: DaskError for a bad spec or a
    missing extra."""
    parse_spec(spec)
    distributed_module()


@contextmanager
def connect(spec):
    """A Client for ``--dask SPEC``, closed (with its LocalCluster) at the end."""
    distributed = distributed_module()
    import dask
    kind, value = parse_spec(spec)
    if kind == "local":
        with dask.config.set({"distributed.scheduler.allowed-failures": ALLOWED_FAILURES}):
            cluster = distributed.LocalCluster(n_workers=value, threads_per_worker=1, processes=True,
                                               dashboard_address=None, silence_logs=logging.ERROR)
        try:
            with distributed.Client(cluster) as client:
                yield client
        finally:
            cluster.close()
        return
    try:
        client = distributed.Client(value, timeout=CONNECT_SECONDS)
    except (OSError, TimeoutError, ValueError) as exc:
        raise DaskError(NO_SCHEDULER.format(spec=spec, reason=f"{type(exc).__name__}: {exc}")) from None
    with client:
        yield client


# ------------------------------------------------------------------ the worker's side

_TASKS = {}                 # digest -> Task, in this worker process
_ONE_AT_A_TIME = threading.Lock()   # pytest is not thread-safe: one grading per process


def task_files(directory):
    """The task folder's files as ``task_digest`` counts them: [(relative, path)], sorted."""
    directory = Path(directory)
    return sorted((p.relative_to(directory).as_posix(), p) for p in directory.rglob("*")
                  if p.is_file() and not any(part == "__pycache__" or part.startswith(".")
                                             for part in p.relative_to(directory).parts))


def task_archive(task):
    """The task folder as the bytes of a tar, under the folder's own name (deterministic:
    no times, owners or modes of this machine)."""
    buffer = io.BytesIO()
    top = task.directory.name
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for relative, path in task_files(task.directory):
            data = path.read_bytes()
            info = tarfile.TarInfo(f"{top}/{relative}")
            info.size, info.mode, info.mtime = len(data), 0o644, 0
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def _the_archive(data):
    """The Dask task that holds the task folder's tar (its key names the digest)."""
    return data


def worker_task(digest, archive):
    """The Task of ``digest`` in this worker process: extracted from ``archive`` (a private
    temporary folder, removed at exit) and loaded the first time, kept after."""
    task = _TASKS.get(digest)
    if task is not None:
        return task
    from ..task import load_task
    folder = Path(tempfile.mkdtemp(prefix="grader-task-"))
    atexit.register(shutil.rmtree, folder, True)
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        members = tar.getmembers()
        tops = {Path(m.name).parts[0] for m in members}
        if len(tops) != 1 or any(not m.isfile() or m.name.startswith("/") or ".." in Path(m.name).parts
                                 for m in members):
            raise ValueError("the task archive holds something other than one folder's files")
        for member in members:
            target = folder / member.name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(tar.extractfile(member).read())
    task = load_task(str(folder / tops.pop()))
    if task.digest != digest:
        raise ValueError(TASK_CHANGED.format(got=task.digest, digest=digest))
    _TASKS[digest] = task
    return task


def host_check():
    """What this Dask worker can do (run by ``client.run`` on every worker at start)."""
    from ..worker.sandbox import command_prefix
    prefix, reason = command_prefix()
    return {"host": socket.gethostname(), "version": __version__, "python": platform.python_version(),
            "sandbox": None if prefix else (reason or "unknown reason"), "pid": os.getpid()}


def _moved(value, old, new):
    """``value`` with every ``old`` in its text replaced by ``new`` (strings, lists, dicts)."""
    if isinstance(value, str):
        return value.replace(old, new)
    if isinstance(value, list):
        return [_moved(v, old, new) for v in value]
    if isinstance(value, tuple):
        return tuple(_moved(v, old, new) for v in value)
    if isinstance(value, dict):
        return {k: _moved(v, old, new) for k, v in value.items()}
    return value


def relocate(report, old, new):
    """The report of the file graded at ``old`` (the Dask worker's copy) as the report of
    ``new`` (the orchestrator's path): the submission, notes, messages and diagnoses name
    ``new``. Done before rendering, on the raw (unclipped) text, so it is what a local
    grading of ``new`` would have said."""
    report.submission = _moved(report.submission, old, new)
    report.notes = _moved(list(report.notes), old, new)
    for function in report.functions:
        for check in function.checks:
            check.message = _moved(check.message, old, new)
            check.help = _moved(check.help, old, new)
            check.output = _moved(check.output, old, new)
    report.diagnoses = _moved(list(report.diagnoses), old, new)
    return report


def grade_remote(archive, digest, filename, data, notes, options, shown):
    """The Dask task: grade the submission ``data`` (its file was named ``filename``; the
    orchestrator knows it as ``shown``) -> plain data (see the module's docstring); or
    {"refused": reason, "host": ...} on a host where the sandbox does not work."""
    from ..worker.sandbox import command_prefix
    prefix, reason = command_prefix()
    if prefix is None:
        return {"refused": NO_SANDBOX.format(reason=reason), "host": socket.gethostname(),
                "address": _worker_address()}
    with _ONE_AT_A_TIME:
        task = worker_task(digest, archive)
        folder = tempfile.mkdtemp(prefix="grader-sub-")
        try:
            path = Path(folder) / filename
            path.write_bytes(data)
            started = time.monotonic()
            report = grading.grade_report(SimpleNamespace(path=path, notes=list(notes)), task, options)
            seconds = time.monotonic() - started
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        relocate(report, str(path), shown)
        files = grading.student_files(report)
        report.view = "full"
        doc = report.to_dict()
    return {"report": doc, "files": files, "status": doc["status"], "seconds": seconds,
            "rss": grading.peak_rss()}


def _worker_address():
    """The address of the Dask worker running this task (None outside one)."""
    try:
        from distributed import get_worker
        return get_worker().address
    except Exception:
        return None


# ------------------------------------------------------------------ the orchestrator's side

def _host_of(address):
    from distributed.comm import get_address_host
    try:
        return get_address_host(address)
    except Exception:
        return address


def check_hosts(client, spec, say):
    """Every worker's host_check, grouped by host -> (good hosts, their worker processes,
    bad hosts); each bad host said once; DaskError when no host is good."""
    infos = client.run(host_check, on_error="return")
    threads = client.nthreads()
    hosts = {}
    for address, info in infos.items():
        hosts.setdefault(_host_of(address), []).append((address, info))
    good, reasons = set(), []
    for host, workers in sorted(hosts.items()):
        problems = []
        for _, info in workers:
            if not isinstance(info, dict):
                problems.append(CANNOT_CHECK.format(reason=f"{type(info).__name__}: {info}"))
            elif info["version"] != __version__:
                problems.append(WRONG_VERSION.format(there=info["version"], here=__version__))
            elif info["sandbox"]:
                problems.append(NO_SANDBOX.format(reason=info["sandbox"]))
        if problems:
            name = next((i["host"] for _, i in workers if isinstance(i, dict)), host)
            label = host if name == host else f"{name} ({host})"
            reason = "; ".join(dict.fromkeys(problems))
            say(HOST_LEFT_OUT.format(host=label, workers=len(workers), s="" if len(workers) == 1 else "s",
                                     reason=reason))
            reasons.append(f"{label}: {reason}")
        else:
            good.add(host)
    if not good:
        raise DaskError(NO_GOOD_HOST.format(spec=spec, reasons="; ".join(reasons) or "no worker"))
    counts = [threads.get(a, 1) for w in (hosts[h] for h in good) for a, _ in w]
    n, workers = sum(counts), len(counts)
    say(STARTING_CLUSTER.format(workers=workers, s="" if workers == 1 else "s", threads=n,
                                ts="" if n == 1 else "s", hosts=len(good), hs="" if len(good) == 1 else "s"))
    if max(counts) > 1:
        say(THREADED.format(threads=max(counts)))
    return good, workers, set(hosts) - good


def _read(sub):
    """The submission's bytes to send, or None when it is to be graded here instead: a file
    that cannot be read or is too large fails at once, without a worker, as locally."""
    from ..submission import MAX_BYTES
    try:
        path = Path(sub.path)
        if path.stat().st_size > MAX_BYTES:
            return None
        return path.read_bytes()
    except OSError:
        return None


def grade_here(out, job, task, options):
    """A submission graded on this machine (one that is not sent) -> Record; the grader's
    own failure is recorded as a grader error, as locally."""
    try:
        return grading.grade_and_write(out, job.sub, task, options, job.attempts)
    except Exception as exc:
        why = RAISED.format(type=type(exc).__name__, message=exc)[:500]
        return grading.record_failure(out, job.sub, task, options, FAILED_HERE.format(detail=why),
                                      job.seconds, job.attempts)


def _outcome(future, distributed):
    """A done future -> (payload, None) or (None, why it failed)."""
    if future.status == "finished":
        try:
            payload = future.result()
        except Exception as exc:
            return None, RAISED.format(type=type(exc).__name__, message=exc)[:500]
        if isinstance(payload, dict) and ("refused" in payload or
                                          {"report", "files", "seconds"} <= set(payload)):
            return payload, None
        return None, BAD_PAYLOAD
    if future.status == "cancelled":
        return None, CANCELLED
    try:
        exc = future.exception()
    except Exception as error:          # the exception itself could not be brought back
        exc = error
    if isinstance(exc, distributed.KilledWorker):
        return None, WORKER_DIED
    return None, RAISED.format(type=type(exc).__name__, message=exc)[:500]


def _key(sub, attempt):
    safe = re.sub(r"[^A-Za-z0-9_.-]", "_", sub.folder)[:40]
    return f"grade-{safe}-{attempt}-{uuid.uuid4().hex[:8]}"


def run_dask_batch(subs, task, out, spec, options=None, regrade=False, progress=None, on_result=None,
                   say=None):
    """Grade ``subs`` into ``out`` on the Dask cluster of ``spec`` -> BatchResult, as
    run.run_batch (the same records and files); DaskError (one line) when the cluster
    cannot be used. ``say(line)`` reports hosts left out."""
    distributed = distributed_module()
    out = Path(out)
    options = dict(options or {})
    say = say or (lambda line: None)
    result, queue = plan(subs, task, out, options, regrade)
    if not queue:
        if progress:
            progress.start(0, 0, result.kept)
            progress.close()
        return result
    pending = {}
    with interruptible(result, progress):
        with connect(spec) as client:
            try:
                client.wait_for_workers(1, timeout=WORKER_WAIT_SECONDS)
            except (TimeoutError, OSError) as exc:
                raise DaskError(NO_WORKER.format(spec=spec, seconds=WORKER_WAIT_SECONDS)) from exc
            good, workers, bad = check_hosts(client, spec, progress.say if progress else say)
            restrict = sorted(good) if bad else None
            archive = client.submit(_the_archive, task_archive(task), key=TASK_KEY.format(digest=task.digest),
                                    pure=False)
            window = max(MIN_WINDOW, WINDOW_PER_WORKER * workers)
            if progress:
                progress.start(len(queue), workers, result.kept)
            done = distributed.as_completed()

            def submit(job, data):
                job.attempts += 1
                path = Path(job.sub.path)
                future = client.submit(grade_remote, archive, task.digest, path.name, data,
                                       list(job.sub.notes), options, str(path),
                                       key=_key(job.sub, job.attempts), pure=False, retries=RETRIES,
                                       workers=restrict, allow_other_workers=False)
                pending[future] = (job, data, time.monotonic())
                done.add(future)

            def top_up():
                while queue and len(pending) < window:
                    job = queue.popleft()
                    data = _read(job.sub)
                    if data is None:            # unreadable or too large: fails at once, here
                        job.attempts += 1
                        finished(result, grade_here(out, job, task, options), progress, on_result)
                        continue
                    submit(job, data)

            top_up()
            for future in done:
                job, data, started = pending.pop(future)
                job.seconds += time.monotonic() - started
                payload, why = _outcome(future, distributed)
                future.release()
                if payload is not None and "refused" in payload:
                    name = str(payload.get("host", "?"))
                    host = _host_of(payload["address"]) if payload.get("address") else name
                    label = host if name == host else f"{name} ({host})"
                    if host not in bad:
                        bad.add(host)
                        (progress.say if progress else say)(HOST_LEFT_OUT.format(
                            host=label, workers=1, s="", reason=payload["refused"]))
                    good = {h for h in good if h != host}
                    if not good:
                        raise DaskError(NO_GOOD_HOST.format(spec=spec, reasons=f"{label}: {payload['refused']}"))
                    restrict = sorted(good)
                    job.attempts -= 1               # not graded: no attempt spent
                    submit(job, data)
                    continue
                if payload is not None and payload["status"] == GRADER_ERROR and job.attempts < ATTEMPTS:
                    job.why = WHY_ERROR
                    if progress:
                        progress.retry(job.sub.student, job.why)
                    submit(job, data)
                    continue
                if payload is not None:
                    record = grading.write_result(out, job.sub, task, payload["files"], payload["report"],
                                                  hashlib.sha256(data).hexdigest(), options,
                                                  payload["seconds"], job.attempts, payload.get("rss"))
                else:
                    record = grading.record_failure(out, job.sub, task, options,
                                                    FAILED_ON_CLUSTER.format(detail=why), job.seconds,
                                                    job.attempts)
                finished(result, record, progress, on_result)
                top_up()
    return result
