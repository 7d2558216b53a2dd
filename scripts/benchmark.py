"""Measure `grader run` end to end: process start to report, several runs, the median.

    python scripts/benchmark.py [SUBMISSION ...] [--runs 7] [--only FUNCTION]
                                [--baseline CHECKOUT] [--jobs N ...]

A SUBMISSION may also be ``hang:F1+F2``: alice.py with F1, F2 looping forever while
ignoring every signal and exception (written to a temporary folder), to time hangs.

Each run is a fresh `grader run SUBMISSION --format json` process, as a user would
start it (`grader check SUBMISSION --only FUNCTION` with --only). Prints per-submission
median, min and max wall time, and the score, so the figures in the README can be
re-measured on any machine. With --baseline (another checkout of grader, e.g. a
`git worktree` of an older commit), every run is made with both, one after the other,
and the ratio of the medians is printed: the two see the same machine load. Each side
runs once more before the timed runs (not counted), and with Python's bytecode cache on
(PYTHONDONTWRITEBYTECODE removed from the environment), as a user's every run after the
first is. With
``--jobs 1 2``, this checkout is timed once per value (``-j N``: one file's checks on N
workers), each a side of its own in the same loop; the baseline, which has no ``-j`` for
one file, with its default.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


ENDLESS = ("    import signal\n    for s in (signal.SIGINT, signal.SIGTERM, signal.SIGALRM):\n"
           "        signal.signal(s, signal.SIG_IGN)\n    while True:\n        try:\n            pass\n"
           "        except BaseException:\n            pass\n")


def hang_case(spec, folder):
    """``hang:softmax+relu`` -> alice.py with those functions looping forever."""
    source = (ROOT / "submissions" / "alice.py").read_text()
    for name in spec.split(":", 1)[1].split("+"):
        start = source.index(f"def {name}(")
        end = source.index("\ndef ", start + 1) + 1
        header = source[start:source.index("\n", start) + 1]
        source = source[:start] + header + ENDLESS + "\n\n" + source[end:]
    path = Path(folder) / (spec.replace(":", "_").replace("+", "_") + ".py")
    path.write_text(source)
    return path


def once(checkout, submission, only, timeout, jobs=None):
    """One grading by the grader in ``checkout`` -> (seconds, "score/max")."""
    command = [sys.executable, "-m", "grader"]
    command += ["check", str(submission), "--only", only] if only else ["run", str(submission)]
    command += ["-j", str(jobs)] if jobs else []
    env = dict(os.environ, PYTHONPATH=str(checkout))
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    start = time.perf_counter()
    done = subprocess.run(command + ["--format", "json"], capture_output=True, text=True,
                          cwd=checkout, env=env, timeout=timeout)
    seconds = time.perf_counter() - start
    if done.returncode not in (0, 4):
        raise SystemExit(f"{submission}: grader in {checkout} exited {done.returncode}: {done.stderr.strip()}")
    doc = json.loads(done.stdout)
    return seconds, f"{doc['score']}/{doc['max_score']}"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("submissions", nargs="*", default=["submissions/alice.py"])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--only", help="time `grader check FILE --only FUNCTION` instead")
    parser.add_argument("--baseline", type=Path, help="another checkout to time side by side")
    parser.add_argument("--timeout", type=float, default=900, help="seconds before a run is given up")
    parser.add_argument("--jobs", type=int, nargs="+", help="time this checkout with each -j N")
    args = parser.parse_args(argv)
    sides = [(f"this -j{j}", ROOT, j) for j in args.jobs] if args.jobs else [("this", ROOT, None)]
    first = sides[0][0]
    sides += [("baseline", args.baseline.resolve(), None)] if args.baseline else []
    print(f"{'submission':<40} {'side':<9} {'median':>8} {'min':>8} {'max':>8}  score"
          f"   ({args.runs} runs, python {sys.version.split()[0]})")
    folder = tempfile.mkdtemp(prefix="grader-benchmark-")
    for name in args.submissions:
        path = hang_case(name, folder) if name.startswith("hang:") else (ROOT / name).resolve()
        times = {side: [] for side, _, _ in sides}
        scores = {}
        for side, checkout, jobs in sides:                  # warm-up: bytecode and file caches
            once(checkout, path, args.only, args.timeout, jobs)
        for _ in range(args.runs):
            for side, checkout, jobs in sides:
                seconds, scores[side] = once(checkout, path, args.only, args.timeout, jobs)
                times[side].append(seconds)
        label = name + (f" --only {args.only}" if args.only else "")
        for side, _, _ in sides:
            t = times[side]
            print(f"{label:<40} {side:<9} {statistics.median(t):>7.2f}s {min(t):>7.2f}s {max(t):>7.2f}s  {scores[side]}")
        if args.baseline:
            for side, _, _ in sides[:-1]:
                ratio = statistics.median(times[side]) / statistics.median(times["baseline"])
                print(f"{label:<40} ratio     {ratio:>7.2f}  ({side} / baseline, medians)")
        elif len(sides) > 1:
            for side, _, _ in sides[1:]:
                ratio = statistics.median(times[side]) / statistics.median(times[first])
                print(f"{label:<40} ratio     {ratio:>7.2f}  ({side} / {first}, medians)")


if __name__ == "__main__":
    main()
