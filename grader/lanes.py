"""Jobs run on several lanes at once, each job once its dependencies are done.

The engine judges a submission's checks with it (engine.py): a lane is a thread with a
worker of its own, and a check's dependencies are the earlier checks whose outcomes it
reads. A lane takes the first job, in order, that is free to run, so with one lane the
jobs run in order, and with more each job still starts only after everything it reads
is final: the outcomes are the same whatever the number of lanes.

A long job near the end of the order (training a network on MNIST waits for every
helper's checks) may also run early, on a guess of what its dependencies will find (the
common case: nothing wrong). Once they are done, the guess is checked: if it holds, the
early result is the job's, exactly what running it then would give; if not, it is thrown
away and the job runs as usual. Only the lanes after the first speculate, the longest
job first when told which (a short one first would leave the long one to end late,
with the other lanes idle).

    lanes = Lanes(deps, run, starts)   # deps[i]: indices before i; run(lane, i) -> value
    lanes.result(i, backstop=70)       # waits; a job's exception is raised here
    lanes.close()
"""
import threading
import time
from dataclasses import dataclass
from typing import Callable


class Overdue(Exception):
    """A job ran longer than its backstop (or no lane was free to run it in time)."""


@dataclass(frozen=True)
class Speculation:
    """How jobs may run early (see the module's docstring)."""
    jobs: tuple                         # the indices that may, in the order to try them
    run: Callable                       # (lane, index) -> a token: the result, kept aside
    holds: Callable                     # (index) -> whether the guess held (dependencies done)
    commit: Callable                    # (index, token) -> the job's value (the guess held)


RUNNING = object()                      # a speculation's token while it runs


class Lanes:
    def __init__(self, deps, run, starts, speculation=None):
        """``deps``: for each job, the indices of the jobs it waits for (all smaller);
        ``run(lane, index)`` does one job; ``starts``: one callable per lane, called in
        the lane's thread before it takes a job, returning whether the lane can work (a
        lane whose worker could not start takes none; the others do its share);
        ``speculation``: a Speculation, or None."""
        for i, before in enumerate(deps):
            assert all(0 <= j < i for j in before), f"job {i} waits for a later job: {sorted(before)}"
        self.deps, self.run = [frozenset(d) for d in deps], run
        if speculation is not None:
            assert isinstance(speculation.jobs, (list, tuple)), \
                f"Speculation.jobs needs an order, not {type(speculation.jobs).__name__}"
        self.speculation = speculation
        self.early = {}                 # index -> RUNNING | ("value", token) | ("raised", exc)
        self.done = {}                  # index -> ("value", v) | ("raised", exc)
        self.taken = set()              # run (or being run) as usual, or settled from early
        self.started = {}               # index -> time.monotonic() when its run began
        self.busy = {}                  # lane -> the index it works on
        self.closed = False
        self.working = len(starts)      # lanes started or starting (not given up)
        self.cond = threading.Condition()
        self.threads = [threading.Thread(target=self._lane, args=(k, start), daemon=True,
                                         name=f"grader-lane-{k}") for k, start in enumerate(starts)]
        for thread in self.threads:
            thread.start()

    # ------------------------------------------------------------ choosing
    def _ready(self, i):
        return i not in self.taken and self.deps[i] <= self.done.keys()

    def _next(self):
        """(what, index) for the first job free to run, in order: ("run", i) to run it,
        ("early", i) to settle it from its early result; or None. Called with the lock."""
        for i in range(len(self.deps)):
            if not self._ready(i):
                continue
            early = self.early.get(i)
            if early is None:
                return "run", i
            if early is RUNNING:
                if self.speculation.holds(i):
                    continue            # its early run will do: the lane running it settles it
                return "run", i         # the guess failed: run it now, whatever the early run does
            if early[0] == "value" and self.speculation.holds(i):
                return "early", i
            return "run", i
        return None

    def _next_early(self):
        """The first job that may run early and has not, nor has run; or None."""
        if self.speculation is None:
            return None
        for i in self.speculation.jobs:
            if i not in self.early and i not in self.taken:
                return i
        return None

    def _pick(self, lane):
        """What ``lane`` does next, or None when it waits. Called with the lock."""
        early = self._next_early() if lane != 0 else None
        if early is not None:
            return "speculate", early
        found = self._next()
        if found is None and lane == 0:
            early = self._next_early()
            return ("speculate", early) if early is not None else None
        return found

    # ------------------------------------------------------------ working
    def _lane(self, lane, start):
        try:
            ready = start()
        except Exception:
            ready = False
        if not ready:
            with self.cond:
                self.working -= 1
                self.cond.notify_all()
            return
        while True:
            with self.cond:
                while True:
                    if self.closed or len(self.done) == len(self.deps):
                        return
                    picked = self._pick(lane)
                    if picked is not None:
                        break
                    self.cond.wait()
                what, index = picked
                if what == "speculate":
                    self.early[index] = RUNNING
                else:
                    self.taken.add(index)
                if what != "early":
                    self.started[index], self.busy[lane] = time.monotonic(), index
            if what == "speculate":
                self._speculate(lane, index)
            elif what == "early":
                self._settle_early(index)
            else:
                self._run(lane, index)

    def _run(self, lane, index):
        try:
            outcome = ("value", self.run(lane, index))
        except BaseException as exc:          # raised again by result(), in the caller's thread
            outcome = ("raised", exc)
        with self.cond:
            self.busy.pop(lane, None)
        self.settle(index, outcome)

    def _speculate(self, lane, index):
        try:
            early = ("value", self.speculation.run(lane, index))
        except BaseException as exc:
            early = ("raised", exc)
        with self.cond:
            self.busy.pop(lane, None)
            self.early[index] = early
            settle = self._ready(index) and early[0] == "value" and self.speculation.holds(index)
            if settle:
                self.taken.add(index)
            self.cond.notify_all()
        if settle:
            self._settle_early(index)

    def _settle_early(self, index):
        try:
            outcome = ("value", self.speculation.commit(index, self.early[index][1]))
        except BaseException as exc:
            outcome = ("raised", exc)
        self.settle(index, outcome)

    def settle(self, index, outcome):
        """Job ``index`` is done with ``outcome`` (the first settlement stands)."""
        with self.cond:
            self.done.setdefault(index, outcome)
            self.taken.add(index)
            self.cond.notify_all()

    # ------------------------------------------------------------ waiting
    def result(self, index, backstop=None):
        """Job ``index``'s value, once done (its exception, raised). ``backstop``: seconds
        after which a job still running is given up (Overdue), as is a job no lane can
        take because every lane is stuck past it. When no lane can work, the jobs are
        run here, in order, so that a grading never waits for nothing."""
        while True:
            with self.cond:
                while index not in self.done and self.working > 0:
                    if backstop is not None and self._overdue(index, backstop):
                        raise Overdue(f"job {index} did not finish within {backstop:g} s")
                    self.cond.wait(None if backstop is None else min(1.0, backstop))
                if index in self.done:
                    kind, value = self.done[index]
                    if kind == "raised":
                        raise value
                    return value
                job = next(i for i in range(len(self.deps)) if self._ready(i))
                self.taken.add(job)
            try:
                outcome = ("value", self.run(None, job))
            except BaseException as exc:
                outcome = ("raised", exc)
            self.settle(job, outcome)

    def _overdue(self, index, backstop):
        now = time.monotonic()
        if index in self.started:               # its run (or early run) began then
            return now - self.started[index] > backstop
        return bool(self.busy) and len(self.busy) == self.working and all(
            now - self.started[i] > backstop for i in self.busy.values())

    def close(self, seconds=1.0):
        """Stop taking jobs; wait up to ``seconds`` for lanes still in one."""
        with self.cond:
            self.closed = True
            self.cond.notify_all()
        for thread in self.threads:
            thread.join(seconds)
