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
import time

import pytest

from .checks import Context, Failed
from .checks.base import OutOfTime
from .evidence import NotRecorded, unrecorded
from .inputs import reference_of
from .result import ERROR, FAILED, PASSED, CheckResult
from .safetext import clip
from .worker import CallError, WorkerError

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


class CheckItem(pytest.Item):
    def __init__(self, *, spec, function, grading, **kwargs):
        super().__init__(**kwargs)
        self.spec, self.function, self.grading = spec, function, grading
        seconds = (spec.timeout or grading.task.limits.call_seconds) * 4 + BACKSTOP_SECONDS
        self.add_marker(pytest.mark.timeout(seconds))

    def runtest(self):
        self.grading.record(self, *self.grading.outcome(self.spec, self.function))

    def reportinfo(self):
        return self.path, None, self.spec.id


class TaskFile(pytest.File):
    def collect(self):
        """Public checks first, in the task's order, then the hidden ones: nothing a
        hidden check showed the submission can reach a public check's message."""
        grading = self.config._grading
        for hidden in (False, True):
            for function in grading.task.functions:
                for spec in function.checks:
                    if spec.hidden == hidden:
                        yield CheckItem.from_parent(self, name=spec.id, spec=spec, function=function,
                                                    grading=grading)


class Grading:
    """The pytest plugin for one grading run; collects results as tests report."""

    def __init__(self, task, worker, sub, force_stand_ins=()):
        self.task, self.worker, self.sub = task, worker, sub
        # building a kit: these helpers are stand-ins in every check (not end to end), so
        # that the kit records what a correct helper answers a correct caller (kit.py)
        self.force_stand_ins = frozenset(force_stand_ins)
        self.results, self.facts = {}, {}
        self.judged = {}            # check id -> judge()'s outcome (a kit may judge ahead)
        self._judging = set()       # check ids being judged (a helper's helper is not judged twice)
        self.printed = {}           # check id -> what the student's code printed (failed checks)
        self.dead = {}              # function -> how it hung or crashed (never called again)
        self.out_of_time = 0        # checks not run for lack of budget
        self.started = time.monotonic()

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
    def stand_ins_for(self, function):
        """{helper: why} for the helpers of ``function`` that a correct stand-in replaces:
        missing, hung, or failing one of their own checks so far (facts seen here)."""
        defined, why = self.worker.start()["functions"], {}
        for helper in function.helpers:
            if helper in self.force_stand_ins:
                why[helper] = "failed"
            elif helper not in defined:
                why[helper] = "missing"
            elif helper in self.dead:
                why[helper] = "dead"
            elif any(r.function == helper and r.status != PASSED and not r.end_to_end
                     for r in self.results.values()):
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
    def judge(self, spec, function):
        """Run one check -> (status, message, help, grader_error)."""
        load = self.worker.start()
        if function.name not in load["functions"]:
            failure = next((f for f in load["failures"] if self._defines(f, function.name)), None)
            if failure:
                err = failure["error"]
                return FAILED, NOT_DEFINED.format(name=function.name, where=self.sub.where(failure["line"]),
                                                  type=err["type"], message=err["message"]), "", False
            return FAILED, MISSING.format(name=function.name), "", False
        if function.name in self.dead:
            return ERROR, NOT_CALLED_AGAIN.format(name=function.name, how=self.dead[function.name]), "", False
        if self.remaining() <= 0:
            self.out_of_time += 1
            return ERROR, OUT_OF_TIME.format(seconds=self.task.limits.budget_seconds), "", False
        if self.task.evidence:
            self._judge_helpers(function)
        why = self.stand_ins_for(function) if not (self.force_stand_ins and spec.end_to_end) else {}
        stand_ins = self._reference_functions(why, quiet=spec.end_to_end)
        status, message, help, grader_error, used = self._run(spec, function, stand_ins)
        retry = status in (FAILED, ERROR) or (status == PENDING and not any(
            why.get(h) in ("dead", "missing") for h in used))     # a kit: own helpers that can run
        if retry and used and not grader_error:
            # A pair of the student's own functions may be right together where the helper
            # alone is not (e.g. a sigmoid_grad written for the activation, called so): that
            # is worth the caller's points; the helper's own checks still fail.
            # A passing check says nothing more: its helper's own failing checks already
            # name the helper's mistake, and a note here would only read as a doubt.
            again = self._run(spec, function, {})
            if again[0] == PASSED:
                return PASSED, again[1], "", False
        if status == PENDING:
            return status, message, "", False
        if used:
            notes = [STAND_IN_NOTE.format(helper=h, why=WHY_STAND_IN[why[h]]) for h in sorted(used)]
            message = "; ".join(filter(None, [message] + notes)) if status == PASSED else \
                "; ".join(filter(None, [message, "(" + "; ".join(notes) + ")"]))
        return status, message, help, grader_error

    def _run(self, spec, function, stand_ins):
        """One run of the check in a fresh session -> (status, message, help,
        grader_error, {stand-in helper: calls})."""
        used = {}
        try:
            session = self.worker.session(stand_ins, what=spec.id)
        except WorkerError as error:
            return ERROR, GRADER_ERROR.format(detail=str(error)), "", True, used
        except CallError as error:
            text = describe_call_error(error, self.sub) or error.message
            return ERROR, text, "", False, used
        try:
            ctx = Context(self.task, function, spec, session, fresh=lambda: self.worker.session(),
                          remaining=self.remaining, dead=self.dead,
                          verified=self.verified if self.task.evidence else None)
            try:
                note = self.task.kinds[spec.kind](ctx)
                self.facts[spec.id] = dict(ctx.facts)
                own = [OWN_NOTE.format(name=name) for name in sorted(ctx.own)]
                return PASSED, "; ".join(filter(None, [note] + own)), "", False, session.stand_in_calls
            except Failed as failure:
                if session.unanswered:
                    return (*self._pending(function, session), "", False, session.stand_in_calls)
                self.facts[spec.id] = {**ctx.facts, **failure.facts}
                self.printed[spec.id] = session.printed()
                return FAILED, failure.rationale, failure.help or spec.help, False, session.stand_in_calls
            except NotRecorded as missing:
                if session.unanswered:
                    return (*self._pending(function, session), "", False, session.stand_in_calls)
                return PENDING, PENDING_VALUES.format(name=missing.name.rpartition(":")[2]), "", False, \
                    session.stand_in_calls
            except OutOfTime:
                self.out_of_time += 1
                return ERROR, OUT_OF_TIME.format(seconds=self.task.limits.budget_seconds), "", False, {}
            except CallError as error:
                if session.unanswered and error.kind == "exception":
                    return (*self._pending(function, session), "", False, session.stand_in_calls)
                self.facts[spec.id] = {"call_error": error.kind}
                self.printed[spec.id] = session.printed()
                if error.kind in ("timeout", "crash") and error.func == function.name:
                    self.dead[function.name] = "it did not finish in time" if error.kind == "timeout" \
                        else "its process ended"
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
        """judge()'s outcome for one check, judged once (a kit judges helpers early)."""
        if spec.id not in self.judged:
            self._judging.add(spec.id)
            try:
                self.judged[spec.id] = self.judge(spec, function)
            finally:
                self._judging.discard(spec.id)
        return self.judged[spec.id]

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


def run_checks(task, worker, sub, force_stand_ins=()):
    """Run every check of ``task`` on the loaded submission ``sub`` -> the Grading
    (``results``: {check id: CheckResult}; ``dead``; ``out_of_time``)."""
    grading = Grading(task, worker, sub, force_stand_ins)
    args = [str(task.path), "-c", os.devnull, "--rootdir", str(task.directory),
            "--noconftest", "-p", "no:cacheprovider", "-p", "no:terminal", "-p", "no:stepwise",
            "-p", "pytest_timeout", "-o", "timeout_method=signal"]
    # Only the plugins named here take part: a grade must not depend on which other
    # pytest plugins happen to be installed.
    autoload = os.environ.get("PYTEST_DISABLE_PLUGIN_AUTOLOAD")
    os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    try:
        pytest.main(args, plugins=[grading])
    finally:
        if autoload is None:
            del os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"]
        else:
            os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = autoload
    return grading


def budget_note(task, grading):
    """The report's note when the time budget cut the grading short, else None."""
    n = grading.out_of_time
    return BUDGET_NOTE.format(seconds=task.limits.budget_seconds, n=n, s="s" if n != 1 else "") if n else None
