"""Measure `grader run` end to end: process start to report, several runs, the median.

    python scripts/benchmark.py [SUBMISSION ...] [--runs 7]

Each run is a fresh `grader run SUBMISSION --format json` process, as a user would
start it. Prints per-submission median, min and max wall time, and the score, so the
figures in the README can be re-measured on any machine.
"""
import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def measure(submission, runs):
    times, score = [], None
    for _ in range(runs):
        start = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "grader", "run", str(submission), "--format", "json"],
                              capture_output=True, text=True, cwd=ROOT)
        times.append(time.perf_counter() - start)
        if done.returncode != 0:
            raise SystemExit(f"{submission}: grader exited {done.returncode}: {done.stderr.strip()}")
        doc = json.loads(done.stdout)
        score = f"{doc['score']}/{doc['max_score']}"
    return times, score


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("submissions", nargs="*", default=["submissions/alice.py"])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args(argv)
    print(f"{'submission':<28} {'median':>8} {'min':>8} {'max':>8}  score   ({args.runs} runs, python {sys.version.split()[0]})")
    for name in args.submissions:
        times, score = measure(ROOT / name, args.runs)
        print(f"{name:<28} {statistics.median(times):>7.2f}s {min(times):>7.2f}s {max(times):>7.2f}s  {score}")


if __name__ == "__main__":
    main()
