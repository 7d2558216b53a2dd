"""Run a task's checks as pytest tests against one student's worker.

pytest is the engine: the task file is collected like the YAML example in pytest's
docs (a File collector yielding one Item per check), pytest-timeout (signal method: it fails
the one check, where the thread method would end the grader) is the backstop for a
check that hangs in the grader itself, and a small plugin turns each test report
into a CheckResult. The grader's own process never runs student code: checks reach it
only through the worker.
"""
import os
import re
import threading
import time
import warnings
from dataclasses import dataclass, field

import pytest

from .checks import Context, Failed
from .checks.base import OutOfTime
from .evidence import NotRecorded, unrecorded
from .inputs import reference_of
from .lanes import Lanes, Overdue, Speculation
from .result import ERROR, FAILED, PASSED, CheckResult
from .safetext import clip
from .worker import CallError, WorkerError, sandbox

MISSING = "{name} is not defined in your file"
NOT_DEFINED = "{name} could not be defined: {where}: {type}: {message}"
NEEDS_GLOBAL = ("{name} is set by top-level code ({where}), which is not run when grading: "
                "compute it inside the function or pass it in as an argument")
NOT_IMPLEMENTED = "{name} is not implemented yet (it raises NotImplementedError)"
GRADER_ERROR = "grader error, not your fault: {detail}"
NOT_CALLED_AGAIN = "not graded: {name} hung or crashed in an earlier check ({how}), so it is not called again"
OUT_OF_TIME = ("not graded: the time budget for grading the whole file ({seconds:g} s) ran out "
               "before this check")
BUDGET_NOTE = ("grading stopped after the time budget of {seconds:g} s for the whole file: "
               "{n} check{s} could not run (your code is unusually slow)")
STAND_IN_NOTE = "graded with a correct {helper}, because yours {why}"
WHY_STAND_IN = {"missing": "is missing", "failed": "fails its own checks",
                "dead": "hung or crashed in its own checks"}
# a student kit (kit.py) holds the reference's answers, not its code: what it cannot answer
# is graded after submission, never counted as the student's failure
PENDING = "pending"
PENDING_HELPER = ("graded after submission, not here: your {helpers} {fails} its own checks, and "
                  "this kit holds no correct {helpers} for what your {func} passes it (the grader "
                  "has one); fix {helpers} to check {func} here")
PENDING_VALUES = ("graded after submission, not here: it needs a correct {name} on values only your "
                  "code makes, and this kit holds none (your own {name} would answer once it passes "
                  "its checks)")
OWN_NOTE = "scored with your own {name}, which passes its checks (this kit holds no reference {name})"
BACKSTOP_SECONDS = 30       # added to the longest worker limit of a check
UNUSED_PYTEST_PLUGINS = ("unraisableexception", "threadexception", "logging", "faulthandler",
                         "junitxml", "doctest", "pastebin", "legacypath")


def describe_call_error(error, sub):
    """A CallError -> one or two lines naming the student's own code (None: not written yet)."""
    if error.exc_type == "NotImplementedError":
        return None
    text = f"{clip(error.exc_type, 100)}: {clip(error.message)}" if error.kind == "exception" else error.message
    if error.frames:
        last = error.frames[-1]
        text += f" ({sub.where(last['line'])}, in {clip(last['function'], 100)}: {clip(last['code'])})"
    missing = re.match(r"name '(\w+)' is not defined", error.message)
    if error.exc_type == "NameError" and missing and missing.group(1) in sub.skipped_names:
        name = missing.group(1)
        text += ". " + NEEDS_GLOBAL.format(name=name, where=sub.where(sub.skipped_names[name]))
    return text


def backstop_seconds(task, spec):
    """How long a check may take in the grader before it is given up as the grader's error."""
    return (spec.timeout or task.limits.call_seconds) * 4 + BACKSTOP_SECONDS


class CheckItem(pytest.Item):
    def __init__(self, *, spec, function, grading, **kwargs):
        super().__init__(**kwargs)
        self.spec, self.function, self.grading = spec, function, grading
        if grading.workers == 1:    # several: the lanes keep the backstop (a thread has no alarm)
            self.add_marker(pytest.mark.timeout(backstop_seconds(grading.task, spec)))

    def runtest(self):
        self.grading.record(self, *self.grading.outcome_in_order(self.spec, self.function))

    def reportinfo(self):
        return self.path, None, self.spec.id


class TaskFile(pytest.File):
    def collect(self):
        """Public checks first, in the task's order, then the hidden ones: nothing a
        hidden check showed the submission can reach a public check's message."""
        grading = self.config._grading
        for spec, function in grading.order:
            yield CheckItem.from_parent(self, name=spec.id, spec=spec, function=function, grading=grading)


def check_order(task):
    """[(check, function)]: public checks first, in the task's order, then the hidden ones."""
    return [(spec, function) for hidden in (False, True) for function in task.functions
            for spec in function.checks if spec.hidden == hidden]


def scope(task, spec, function):
    """The functions whose earlier checks a check's outcome reads: its own function (did it
    hang?), its helpers (a stand-in?) and the task functions its parameters name."""
    names = {f.name for f in task.every_function or task.functions}
    found = {function.name, *function.helpers}

    def walk(value):
        if isinstance(value, str) and value in names:
            found.add(value)
        elif isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, (list, tuple)):
            for item in value:
                walk(item)
    walk(spec.params)
    return found


def dependencies(task, order):
    """For each check of ``order``, the indices of the earlier checks it reads (see scope):
    the checks that must be judged before it, whatever the number of workers."""
    deps = []
    for i, (spec, function) in enumerate(order):
        names = scope(task, spec, function)
        deps.append({j for j, (_, f) in enumerate(order[:i]) if f.name in names})
    return deps


@dataclass
class Ledger:
    """What judging a check writes down besides its outcome. The Grading keeps its own
    (the same fields); a speculative judging (lanes.py) writes into one of these, merged
    once its guess held, and otherwise thrown away."""
    facts: dict = field(default_factory=dict)       # check id -> what it observed (plain data)
    printed: dict = field(default_factory=dict)     # check id -> what the student's code printed
    deaths: dict = field(default_factory=dict)      # function -> (check index, how it hung or crashed)
    events: dict = field(default_factory=dict)      # check id -> the worker's notes made during it
    out_of_time: int = 0                            # checks not run for lack of budget


class Grading:
    """The pytest plugin for one grading run; collects results as tests report."""

    def __init__(self, task, worker, sub, force_stand_ins=(), twins=None):
        self.task, self.main_worker, self.sub = task, worker, sub
        # building a kit: these helpers are stand-ins in every check (not end to end), so
        # that the kit records what a correct helper answers a correct caller (kit.py)
        self.force_stand_ins = frozenset(force_stand_ins)
        self.results, self.facts = {}, {}
        self.order = check_order(task)
        self.index = {spec.id: i for i, (spec, _) in enumerate(self.order)}
        self.scopes = [scope(task, spec, f) for spec, f in self.order]
        # twins: more workers of the submission (Twins), to judge checks at once, each in a
        # lane of its own thread and worker (lanes.py)
        self.twins = twins
        self.workers = 1 + (len(twins.workers) if twins else 0)
        self.lanes = None
        self._lane = threading.local()  # .worker: the lane's own
        self._lock = threading.Lock()
        self.judged = {}            # check id -> judge()'s outcome (a kit may judge ahead)
        self._judging = set()       # check ids being judged (a helper's helper is not judged twice)
        self.printed = {}           # check id -> what the student's code printed (failed checks)
        self.deaths = {}            # function -> (index of the check, how it hung or crashed)
        self.out_of_time = 0        # checks not run for lack of budget
        self.events = {}            # check id -> the worker's notes made during it
        self.base_events = list(worker.events)
        self.started = time.monotonic()

    @property
    def _book(self):
        """Where judging writes down facts, deaths and notes: this lane's speculation's
        Ledger, or the Grading itself."""
        return getattr(self._lane, "stage", None) or self

    @property
    def worker(self):
        """The worker of the lane this runs in (the submission's first worker outside lanes)."""
        return getattr(self._lane, "worker", None) or self.main_worker

    @property
    def dead(self):
        """{function: how it hung or crashed}: never called again."""
        return {name: how for name, (_, how) in self.deaths.items()}

    def dead_before(self, index):
        """What a check at ``index`` knows has died: its scope's, in checks before it."""
        names = self.scopes[index]
        return {name: how for name, (i, how) in self.deaths.items() if i < index and name in names}

    def remaining(self):
        return self.task.limits.budget_seconds - (time.monotonic() - self.started)

    # ------------------------------------------------------------ pytest hooks
    def pytest_configure(self, config):
        config._grading = self

    def pytest_collect_file(self, file_path, parent):
        if file_path == self.task.path:
            return TaskFile.from_parent(parent, path=file_path)

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(self, item, call):
        outcome = yield
        report = outcome.get_result()
        if report.when == "call" and isinstance(item, CheckItem) and item.spec.id not in self.results:
            detail = str(call.excinfo.value).splitlines()[0] if call.excinfo else report.outcome
            self.results[item.spec.id] = self._result(item.spec, item.function, ERROR,
                                                      GRADER_ERROR.format(detail=detail), grader_error=True)

    # ------------------------------------------------------------- stand-ins
    def stand_ins_for(self, function, before=None):
        """{helper: why} for the helpers of ``function`` that a correct stand-in replaces:
        missing, hung, or failing one of their own checks (facts seen here): in the checks
        before index ``before``, or in all of them."""
        defined, why = self.main_worker.start()["functions"], {}
        dead = self.dead if before is None else self.dead_before(before)
        failed = {f.name for i, (spec, f) in enumerate(self.order[:before])
                  if spec.id in self.judged and self.judged[spec.id][0] != PASSED and not spec.end_to_end}
        for helper in function.helpers:
            if helper in self.force_stand_ins:
                why[helper] = "failed"
            elif helper not in defined:
                why[helper] = "missing"
            elif helper in dead:
                why[helper] = "dead"
            elif helper in failed:
                why[helper] = "failed"
        return why

    def stand_in_functions(self, name):
        """{helper: the reference's function} for ``name``'s helpers that need a stand-in."""
        # any function of the task, graded in this run or not (grader check --only softmax
        # still probes forward, whose softmax may have hung)
        function = next((f for f in self.task.every_function or self.task.functions if f.name == name), None)
        if function is None:
            return {}
        return self._reference_functions(self.stand_ins_for(function))

    def _reference_functions(self, helpers, quiet=False):
        """{helper: the reference's}; ``quiet``: a kit being built records none of their
        answers (an end-to-end check asks them along one run: evidence.unrecorded)."""
        reference = reference_of(self.task)
        found = {h: getattr(reference, h) for h in helpers if hasattr(reference, h)}
        return {h: unrecorded(f) for h, f in found.items()} if quiet else found

    # ---------------------------------------------------------------- judging
    def known(self, spec, function):
        """(dead, why): what a check is judged with, from the checks before it: the
        functions of its scope that hung or crashed, and the stand-ins of its helpers."""
        index = self.index[spec.id]
        why = self.stand_ins_for(function, index) if not (self.force_stand_ins and spec.end_to_end) else {}
        return self.dead_before(index), why

    def guess(self, spec, function):
        """What a speculative judging assumes of the checks before it: nothing hung, no
        helper failed (a missing helper is known from the start)."""
        defined = self.main_worker.start()["functions"]
        return {}, {h: "missing" for h in function.helpers if h not in defined}

    def guess_holds(self, index):
        """Whether check ``index``'s earlier checks (all judged) found what guess() said."""
        spec, function = self.order[index]
        return self.known(spec, function) == self.guess(spec, function)

    def speculate(self, lane, index):
        """Judge check ``index`` now, on guess(), its writing kept aside -> the token."""
        spec, function = self.order[index]
        self._lane.stage = Ledger()
        try:
            outcome = self.judge(spec, function)
        finally:
            stage, self._lane.stage = self._lane.stage, None
        return stage, outcome

    def commit(self, index, token):
        """The guess held: the speculative judging is check ``index``'s -> its outcome."""
        (stage, outcome), spec = token, self.order[index][0]
        self.facts.update(stage.facts)
        self.printed.update(stage.printed)
        self.deaths.update(stage.deaths)
        self.events.update(stage.events)
        with self._lock:
            self.out_of_time += stage.out_of_time
        self.judged[spec.id] = outcome
        return outcome

    def judge(self, spec, function):
        """Run one check -> (status, message, help, grader_error)."""
        load = self.main_worker.start()
        if function.name not in load["functions"]:
            failure = next((f for f in load["failures"] if self._defines(f, function.name)), None)
            if failure:
                err = failure["error"]
                return FAILED, NOT_DEFINED.format(name=function.name, where=self.sub.where(failure["line"]),
                                                  type=err["type"], message=err["message"]), "", False
            return FAILED, MISSING.format(name=function.name), "", False
        speculating = getattr(self._lane, "stage", None) is not None
        dead, why = self.guess(spec, function) if speculating else self.known(spec, function)
        if function.name in dead:
            return ERROR, NOT_CALLED_AGAIN.format(name=function.name, how=dead[function.name]), "", False
        if self.remaining() <= 0:
            self.count_out_of_time()
            return ERROR, OUT_OF_TIME.format(seconds=self.task.limits.budget_seconds), "", False
        if self.task.evidence:
            self._judge_helpers(function)
            dead, why = self.known(spec, function)
        stand_ins = self._reference_functions(why, quiet=spec.end_to_end)
        status, message, help, grader_error, used = self._run(spec, function, stand_ins, dead)
        retry = status in (FAILED, ERROR) or (status == PENDING and not any(
            why.get(h) in ("dead", "missing") for h in used))     # a kit: own helpers that can run
        if retry and used and not grader_error:
            # A pair of the student's own functions may be right together where the helper
            # alone is not (e.g. a sigmoid_grad written for the activation, called so): that
            # is worth the caller's points; the helper's own checks still fail.
            # A passing check says nothing more: its helper's own failing checks already
            # name the helper's mistake, and a note here would only read as a doubt.
            again = self._run(spec, function, {}, dead)
            if again[0] == PASSED:
                return PASSED, again[1], "", False
        if status == PENDING:
            return status, message, "", False
        if used:
            notes = [STAND_IN_NOTE.format(helper=h, why=WHY_STAND_IN[why[h]]) for h in sorted(used)]
            message = "; ".join(filter(None, [message] + notes)) if status == PASSED else \
                "; ".join(filter(None, [message, "(" + "; ".join(notes) + ")"]))
        return status, message, help, grader_error

    def count_out_of_time(self):
        with self._lock:
            self._book.out_of_time += 1

    def _run(self, spec, function, stand_ins, dead):
        """One run of the check in a fresh session -> (status, message, help,
        grader_error, {stand-in helper: calls}); the worker's notes made meanwhile are
        kept with the check (so that they read in the checks' order, see run_checks)."""
        worker, book = self.worker, self._book
        seen = len(worker.events)
        try:
            return self._run_in(worker, book, spec, function, stand_ins, dead)
        finally:
            book.events.setdefault(spec.id, []).extend(worker.events[seen:])

    def _run_in(self, worker, book, spec, function, stand_ins, dead):
        used, index = {}, self.index[spec.id]
        try:
            session = worker.session(stand_ins, what=spec.id)
        except WorkerError as error:
            return ERROR, GRADER_ERROR.format(detail=str(error)), "", True, used
        except CallError as error:
            text = describe_call_error(error, self.sub) or error.message
            return ERROR, text, "", False, used
        try:
            ctx = Context(self.task, function, spec, session, fresh=lambda: worker.session(),
                          remaining=self.remaining, dead=dead,
                          verified=self.verified if self.task.evidence else None)
            try:
                note = self.task.kinds[spec.kind](ctx)
                book.facts[spec.id] = dict(ctx.facts)
                own = [OWN_NOTE.format(name=name) for name in sorted(ctx.own)]
                return PASSED, "; ".join(filter(None, [note] + own)), "", False, session.stand_in_calls
            except Failed as failure:
                if session.unanswered:
                    return (*self._pending(function, session), "", False, session.stand_in_calls)
                book.facts[spec.id] = {**ctx.facts, **failure.facts}
                book.printed[spec.id] = session.printed()
                return FAILED, failure.rationale, failure.help or spec.help, False, session.stand_in_calls
            except NotRecorded as missing:
                if session.unanswered:
                    return (*self._pending(function, session), "", False, session.stand_in_calls)
                return PENDING, PENDING_VALUES.format(name=missing.name.rpartition(":")[2]), "", False, \
                    session.stand_in_calls
            except OutOfTime:
                self.count_out_of_time()
                return ERROR, OUT_OF_TIME.format(seconds=self.task.limits.budget_seconds), "", False, {}
            except CallError as error:
                if session.unanswered and error.kind == "exception":
                    return (*self._pending(function, session), "", False, session.stand_in_calls)
                book.facts[spec.id] = {"call_error": error.kind}
                book.printed[spec.id] = session.printed()
                if error.kind in ("timeout", "crash") and error.func == function.name:
                    book.deaths[function.name] = (index, "it did not finish in time" if error.kind == "timeout"
                                                  else "its process ended")
                if error.kind in ("missing", "dead"):
                    return FAILED if error.kind == "missing" else ERROR, error.message, "", False, used
                text = describe_call_error(error, self.sub)
                if text is None:
                    return ERROR, NOT_IMPLEMENTED.format(name=function.name), "", False, used
                return ERROR, text, spec.help, False, session.stand_in_calls
            except WorkerError as error:
                return ERROR, GRADER_ERROR.format(detail=str(error)), "", True, used
            except Exception as exc:    # e.g. a SpecError: the grader's own problem, never the student's
                return ERROR, GRADER_ERROR.format(detail=f"{type(exc).__name__}: {exc}"), "", True, used
        finally:
            session.close()

    def _pending(self, function, session):
        """(PENDING, message) for a check whose stand-in the kit could not answer."""
        helpers = sorted(session.unanswered)
        return PENDING, PENDING_HELPER.format(helpers=" and ".join(helpers), func=function.name,
                                              fails="fail" if len(helpers) > 1 else "fails")

    def outcome(self, spec, function):
        """judge()'s outcome for one check, judged once (a kit judges helpers early). A
        judging that raised (the grader's own error) reads as an error to later checks."""
        if spec.id not in self.judged:
            self._judging.add(spec.id)
            try:
                self.judged[spec.id] = self.judge(spec, function)
            except BaseException as exc:
                self.judged[spec.id] = (ERROR, GRADER_ERROR.format(detail=type(exc).__name__), "", True)
                raise
            finally:
                self._judging.discard(spec.id)
        return self.judged[spec.id]

    def outcome_in_order(self, spec, function):
        """The outcome of the check pytest runs now: judged here, or by a lane."""
        if self.lanes is None:
            return self.outcome(spec, function)
        index = self.index[spec.id]
        try:
            return self.lanes.result(index, backstop=backstop_seconds(self.task, spec))
        except Overdue:
            outcome = (ERROR, GRADER_ERROR.format(detail="the check did not finish in the grader"), "", True)
            self.judged.setdefault(spec.id, outcome)
            self.lanes.settle(index, ("value", outcome))     # its dependents go on
            return outcome

    # ------------------------------------------------------------------ lanes
    def start_lanes(self):
        """Judge the checks on ``workers`` lanes from now on: the first with the
        submission's worker, each other with a twin of it."""
        expected = self.main_worker.start()["functions"]

        def start(lane):
            def go():
                if lane == 0:
                    self._lane.worker = self.main_worker
                    return True
                twin = self.twins.ready(lane - 1)
                self._lane.worker = twin
                # a twin that did not start, or loads differently (definitions that vary
                # from run to run), takes no check: the other lanes do its share
                return twin is not None and twin.load_info is not None and \
                    twin.load_info["functions"] == expected
            return go

        def run(lane, index):
            spec, function = self.order[index]
            return self.outcome(spec, function)

        # the end-to-end checks are the long ones, and wait for most others: run early,
        # the longest (by its time limit) first
        early = tuple(sorted((i for i, (spec, _) in enumerate(self.order) if spec.end_to_end),
                             key=lambda i: -backstop_seconds(self.task, self.order[i][0])))
        speculation = Speculation(jobs=early, run=self.speculate, holds=self.guess_holds, commit=self.commit)
        self.lanes = Lanes(dependencies(self.task, self.order), run, [start(k) for k in range(self.workers)],
                           speculation)

    def stop_lanes(self):
        if self.lanes is not None:
            self.lanes.close()

    def settle_events(self):
        """The worker's notes: those made before the checks, then each check's, in the
        checks' order, whichever lane's worker made them."""
        ordered = [e for spec, _ in self.order for e in self.events.get(spec.id, ())]
        self.main_worker.events[:] = self.base_events + ordered

    def _judge_helpers(self, function):
        """A kit judges the checks of ``function``'s helpers before its own (their
        outcomes are the same whenever judged: a stand-in decision reads ``results``, which
        fill in the task's order), so that ``verified`` can answer during its checks."""
        specs = {f.name: f for f in self.task.functions}
        for name in function.helpers:
            for spec in specs[name].checks if name in specs else ():
                if spec.id not in self._judging:
                    self.outcome(spec, specs[name])

    def verified(self, name):
        """Whether the student's own ``name`` passed every one of its checks (already
        judged) and needs no stand-in (a kit only, see Context.reference)."""
        function = next((f for f in self.task.functions if f.name == name), None)
        if function is None or not function.checks:
            return False
        if any(self.judged.get(spec.id, (None,))[0] != PASSED for spec in function.checks):
            return False
        return not self.stand_ins_for(function)

    def _defines(self, failure, name):
        """Whether a failed top-level statement is the one that would have defined ``name``."""
        return self.sub.defined.get(name) == failure["line"]

    def record(self, item, status, message, help, grader_error):
        self.results[item.spec.id] = self._result(item.spec, item.function, status, message,
                                                  help, grader_error)
        if status == PENDING:
            pytest.skip(message)
        if status != PASSED:
            pytest.fail(message, pytrace=False)

    def _result(self, spec, function, status, message, help="", grader_error=False):
        pending = status == PENDING
        status = ERROR if pending else status
        return CheckResult(id=spec.id, function=function.name, description=spec.description,
                           status=status, pending=pending, message=message, help=help if status != PASSED else "",
                           points=spec.points if status == PASSED else 0, max_points=spec.points,
                           hidden=spec.hidden, end_to_end=spec.end_to_end, grader_error=grader_error,
                           output=self.printed.get(spec.id, "") if status != PASSED else "",
                           facts=self.facts.get(spec.id, {}))


class Twins:
    """``n`` more workers of the submission ``worker`` grades, started at once in the
    background (while the first loads), for the checks' lanes; ``close()`` ends them."""

    def __init__(self, worker, n):
        self.workers = [worker.twin() for _ in range(n)]
        self.threads = [threading.Thread(target=self._start, args=(w,), daemon=True,
                                         name=f"grader-twin-{k}") for k, w in enumerate(self.workers)]
        for thread in self.threads:
            thread.start()

    @staticmethod
    def _start(worker):
        try:
            worker.start()
        except (WorkerError, CallError):    # its lane takes no check (Grading.start_lanes)
            pass

    def ready(self, k):
        """The ``k``-th twin once its start is over (started or not)."""
        self.threads[k].join()
        return self.workers[k]

    def close(self):
        for k, worker in enumerate(self.workers):
            self.threads[k].join()
            worker.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def lanes_for(task, workers, force_stand_ins=()):
    """How many workers judge a submission's checks at once: ``workers``, but one for a
    kit, which judges helpers ahead and records answers in order (kit.py), and one where
    the sandbox is unavailable: without its walls, two sessions at once could share files."""
    if workers <= 1 or task.evidence or force_stand_ins or sandbox.command_prefix()[0] is None:
        return 1
    return int(workers)


def run_checks(task, worker, sub, force_stand_ins=(), twins=None):
    """Run every check of ``task`` on the loaded submission ``sub`` -> the Grading
    (``results``: {check id: CheckResult}; ``dead``; ``out_of_time``). ``twins``: more
    workers of it (Twins), to judge checks at once: the same outcomes with any number."""
    grading = Grading(task, worker, sub, force_stand_ins, twins)
    args = [str(task.path), "-c", os.devnull, "--rootdir", str(task.directory),
            "--noconftest", "-p", "no:cacheprovider", "-p", "no:terminal", "-p", "no:stepwise",
            "-p", "pytest_timeout", "-o", "timeout_method=signal"]
    # pytest's own plugins that a grading has no use for: unraisableexception and
    # threadexception end each session with five gc.collect() calls (0.1-0.15 s, a tenth
    # of grading alice.py); the rest report on logs, faults and files no check writes.
    for plugin in UNUSED_PYTEST_PLUGINS:
        args += ["-p", f"no:{plugin}"]
    # Only the plugins named here take part: a grade must not depend on which other
    # pytest plugins happen to be installed.
    autoload = os.environ.get("PYTEST_DISABLE_PLUGIN_AUTOLOAD")
    os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    try:
        # a warning from the reference on a student's values is not news to anyone, and
        # in a lane's thread pytest would not catch it
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if grading.workers > 1:
                grading.start_lanes()
            pytest.main(args, plugins=[grading])
    finally:
        grading.stop_lanes()
        grading.settle_events()
        if autoload is None:
            del os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"]
        else:
            os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = autoload
    return grading


def budget_note(task, grading):
    """The report's note when the time budget cut the grading short, else None."""
    n = grading.out_of_time
    return BUDGET_NOTE.format(seconds=task.limits.budget_seconds, n=n, s="s" if n != 1 else "") if n else None
