"""Benchmark of class grading (grader run DIR --out OUT -j N): wall time, submissions per
second, and peak memory of the orchestrator and of each grading.

    python scripts/benchmark_class.py [--size 200] [--jobs 1 2] [--dask local:2 ...] [--runs 1]

It builds a class of at least ``--size`` submissions in a temporary folder from the example
submissions (submissions/), the correct-but-different variants (tests/variants/), the
catalog's mutants (tests/mutants.py) and a few endless loops (alice.py with one function
that is ``while True: pass``), as many copies as it takes, one student each, then grades it
with each ``-j`` in a fresh process (``--runs`` times, medians; every run with --regrade),
and with each ``--dask`` spec (``local:N``: a LocalCluster of N worker processes, started and
stopped inside the timed run, as ``grader run ... --dask local:N`` does; or a scheduler's
address). ``--jobs`` and ``--dask`` runs alternate, run for run, so both see the same load.

Printed per -j: wall time; submissions per second; seconds per submission at that -j for
those without an endless loop (their own grading times, summed, divided by -j: the
wall-time share of one); peak RSS of the orchestrator (the grader process that forks the
gradings), the largest peak of one grading (the forked grading process) and of one
sandboxed worker process (the student code's side: its zygote or a session). The first two
are ru_maxrss, so a forked grading counts the orchestrator's pages it touched too (with
--dask, "grading" is the Dask worker process, which grades many submissions); the workers'
is their own VmHWM, sampled every 20 ms from /proc while the batch runs (WorkerPeaks; the
sampling costs the batch a little CPU). With ``--dask local:N`` and ``-j N`` both given, the Dask
overhead is printed: wall time of ``--dask local:N`` over ``-j N``, minus 1.
"""
import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

HANGS = ("softmax", "relu_grad", "sigmoid", "one_hot")     # alice.py with this one endless
LOOP = "    while True:\n        pass\n"
SAMPLE_SECONDS = 0.02          # between two samples of the workers' peak memory


def hang(source, function):
    """alice.py with ``function``'s body replaced by an endless loop."""
    start = source.index(f"def {function}(")
    body = source.index("\n", start) + 1
    end = source.find("\n\n\n", body)
    return source[:body] + LOOP + source[end:]


def base_class():
    """-> (once, repeated): [(file name, source, hangs?)] put in the class once (the
    mutants and the endless loops), and the examples and variants, copied until the class
    is full (a class is mostly near-correct work)."""
    import mutants
    alice = (ROOT / "submissions" / "alice.py").read_text()
    repeated = [(p.name, p.read_text(), p.stem == "grace") for p in sorted((ROOT / "submissions").glob("*.py"))]
    repeated += [(p.name, p.read_text(), False) for p in sorted((ROOT / "submissions").glob("*.ipynb"))]
    repeated += [(p.name, p.read_text(), False) for p in sorted((ROOT / "tests" / "variants").glob("*.py"))]
    once = [(f"mutant_{m.key}.py", m.source(), False) for m in mutants.MUTANTS]
    once += [(f"hang_{f}.py", hang(alice, f), True) for f in HANGS]
    return once, repeated


def build(folder, size):
    """The class in ``folder``, a folder per student -> the students whose code hangs."""
    once, repeated = base_class()
    hangs, items = set(), [(f"s00_{Path(n).stem}", n, s, h) for n, s, h in once]
    copy = 0
    while len(items) < size:
        copy += 1
        items += [(f"s{copy:02d}_{Path(n).stem}", n, s, h) for n, s, h in repeated][:size - len(items)]
    for student, name, source, hangs_ in items:
        (folder / student).mkdir()
        (folder / student / ("mlp" + Path(name).suffix)).write_text(source)
        if hangs_:
            hangs.add(student)
    return hangs


class WorkerPeaks(threading.Thread):
    """Samples, every ``SAMPLE_SECONDS``, the own peak RSS (``VmHWM`` in /proc: since its
    exec, or since its fork for a session) of every sandboxed worker process running (their
    command line holds the worker's bootstrap), and keeps the largest. ``RUSAGE_CHILDREN``
    cannot tell it: Linux carries the starting process's peak across fork and exec. A
    session shorter than one sample may be missed; the MNIST training session, the largest,
    lasts far longer."""

    def __init__(self):
        super().__init__(daemon=True)
        self.peak_kb, self.done = 0, threading.Event()

    def run(self):
        while not self.done.wait(SAMPLE_SECONDS):
            for pid in os.listdir("/proc"):
                if pid.isdigit():
                    self.peak_kb = max(self.peak_kb, _worker_hwm_kb(pid))


def _worker_hwm_kb(pid):
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            if b"_boot()" not in f.read():
                return 0
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def child(args):
    """One timed batch, in this fresh process: the orchestrator, started as the ``grader``
    command starts it (grader/start.py)."""
    from grader import start
    how = ["--dask", args.child_dask] if args.child_dask else ["-j", str(args.child_jobs)]
    peaks = WorkerPeaks()
    peaks.start()
    started = time.monotonic()
    code = start.main(["run", args.class_dir, "--out", args.out, *how, "--regrade"])
    wall = time.monotonic() - started
    peaks.done.set()
    print(json.dumps({"code": code, "wall": wall, "worker_mb": peaks.peak_kb / 1024,
                      "orchestrator_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))


def one_run(class_dir, out, jobs, hangs):
    """``jobs``: an int (-j N) or a --dask spec (local:N, or an address)."""
    how = ["--child-dask", jobs] if isinstance(jobs, str) else ["--child-jobs", str(jobs)]
    result = subprocess.run([sys.executable, __file__, "--child", "--class-dir", str(class_dir), "--out", str(out),
                             *how], capture_output=True, text=True, cwd=ROOT)
    if not result.stdout.strip():
        raise SystemExit(f"the run {how} failed: {result.stderr[-2000:]}")
    doc = json.loads(result.stdout.strip().splitlines()[-1])
    if isinstance(jobs, str):
        jobs = int(jobs.partition(":")[2]) if jobs.startswith("local:") else 1
    records = [json.loads(p.read_text()) for p in (out / ".grader").glob("*.json")]
    n = len(records)
    plain = [r["seconds"] for r in records if r["student"] not in hangs]
    doc.update(n=n, per_second=n / doc["wall"], plain_share=sum(plain) / len(plain) / jobs,
               grading_mb=max(r["peak_rss_mb"].get("grader", 0) for r in records),
               statuses={s: sum(r["status"] == s for r in records) for s in {r["status"] for r in records}})
    doc["grading_peak_by"] = max(records, key=lambda r: r["peak_rss_mb"].get("grader", 0))["student"]
    return doc


def label(jobs):
    return f"--dask {jobs}" if isinstance(jobs, str) else f"-j {jobs}"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=200)
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--dask", nargs="*", default=[], metavar="SPEC",
                        help="also grade through --dask SPEC (local:N, or a scheduler's address)")
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--class-dir", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    parser.add_argument("--child-jobs", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--child-dask", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(args)
    temp = Path(tempfile.mkdtemp(prefix="grader-class-bench-"))
    try:
        class_dir = temp / "class"
        class_dir.mkdir()
        hangs = build(class_dir, args.size)
        print(f"class: {len(list(class_dir.iterdir()))} submissions, {len(hangs)} with an endless loop", flush=True)
        results = {}
        for _ in range(args.runs):
            for jobs in [*args.jobs, *args.dask]:
                out = temp / f"out-{jobs}".replace(":", "-").replace("/", "_")
                shutil.rmtree(out, ignore_errors=True)
                doc = one_run(class_dir, out, jobs, hangs)
                print(f"  {label(jobs)}: {json.dumps(doc)}", flush=True)
                results.setdefault(jobs, []).append(doc)
        print()
        print("| how | wall | submissions/s | s per submission (no hang) | orchestrator peak | grading peak "
              "| worker peak | runs |")
        print("|---|---|---|---|---|---|---|---|")
        for jobs, docs in results.items():
            med = {k: statistics.median(d[k] for d in docs) for k in
                   ("wall", "per_second", "plain_share", "orchestrator_mb", "grading_mb", "worker_mb")}
            print(f"| {label(jobs)} | {med['wall']:.0f} s | {med['per_second']:.2f} | {med['plain_share']:.2f} s "
                  f"| {med['orchestrator_mb']:.0f} MB | {med['grading_mb']:.0f} MB | {med['worker_mb']:.0f} MB "
                  f"| {len(docs)} |")
        for spec in args.dask:
            n = spec.partition(":")[2]
            if spec.startswith("local:") and n.isdigit() and int(n) in results:
                walls = [d["wall"] for d in results[spec]], [d["wall"] for d in results[int(n)]]
                overhead = statistics.median(walls[0]) / statistics.median(walls[1]) - 1
                print(f"Dask overhead, --dask {spec} against -j {n}: {100 * overhead:+.1f}% of wall time "
                      f"(medians of {len(walls[0])} and {len(walls[1])} runs: {statistics.median(walls[0]):.1f} s "
                      f"and {statistics.median(walls[1]):.1f} s)")
        if 1 in results and len(results) > 1:
            for jobs in (j for j in results if j != 1 and isinstance(j, int)):
                ratio = statistics.median(d["per_second"] for d in results[jobs]) / \
                    statistics.median(d["per_second"] for d in results[1])
                print(f"throughput -j {jobs} / -j 1: {ratio:.2f}")
    finally:
        shutil.rmtree(temp, ignore_errors=True)


if __name__ == "__main__":
    main()
