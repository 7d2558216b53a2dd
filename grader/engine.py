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

import pytest

from .checks import KINDS, Context, Failed
from .result import ERROR, FAILED, PASSED, CheckResult
from .worker import CallError

MISSING = "{name} is not defined in your file"
NOT_DEFINED = "{name} could not be defined: {where}: {type}: {message}"
NEEDS_GLOBAL = ("{name} is set by top-level code ({where}), which is not run when grading: "
                "compute it inside the function or pass it in as an argument")
NOT_IMPLEMENTED = "{name} is not implemented yet (it raises NotImplementedError)"
GRADER_ERROR = "grader error, not your fault: {detail}"
BACKSTOP_SECONDS = 30       # added to the longest worker limit of a check


def describe_call_error(error, sub):
    """A CallError -> one or two lines naming the student's own code (None: not written yet)."""
    if error.exc_type == "NotImplementedError":
        return None
    text = f"{error.exc_type}: {error.message}" if error.kind == "exception" else error.message
    if error.frames:
        last = error.frames[-1]
        text += f" ({sub.where(last['line'])}, in {last['function']}: {last['code']})"
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
        self.grading.record(self, *self.grading.judge(self.spec, self.function))

    def reportinfo(self):
        return self.path, None, self.spec.id


class TaskFile(pytest.File):
    def collect(self):
        grading = self.config._grading
        for function in grading.task.functions:
            for spec in function.checks:
                yield CheckItem.from_parent(self, name=spec.id, spec=spec, function=function,
                                            grading=grading)


class Grading:
    """The pytest plugin for one grading run; collects results as tests report."""

    def __init__(self, task, worker, sub):
        self.task, self.worker, self.sub = task, worker, sub
        self.results, self.facts = {}, {}

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
        try:
            note = KINDS[spec.kind](Context(self.task, function, spec, self.worker))
            return PASSED, note or "", "", False
        except Failed as failure:
            self.facts[spec.id] = failure.facts
            return FAILED, failure.rationale, failure.help or spec.help, False
        except CallError as error:
            self.facts[spec.id] = {"call_error": error.kind}
            if error.kind == "missing":
                return FAILED, error.message, "", False
            text = describe_call_error(error, self.sub)
            if text is None:
                return ERROR, NOT_IMPLEMENTED.format(name=function.name), "", False
            return ERROR, text, spec.help, False
        except Exception as exc:    # e.g. a SpecError: the grader's own problem, never the student's
            return ERROR, GRADER_ERROR.format(detail=f"{type(exc).__name__}: {exc}"), "", True

    def _defines(self, failure, name):
        """Whether a failed top-level statement is the one that would have defined ``name``."""
        return self.sub.defined.get(name) == failure["line"]

    def record(self, item, status, message, help, grader_error):
        self.results[item.spec.id] = self._result(item.spec, item.function, status, message,
                                                  help, grader_error)
        if status != PASSED:
            pytest.fail(message, pytrace=False)

    def _result(self, spec, function, status, message, help="", grader_error=False):
        return CheckResult(id=spec.id, function=function.name, description=spec.description,
                           status=status, message=message, help=help if status != PASSED else "",
                           points=spec.points if status == PASSED else 0, max_points=spec.points,
                           hidden=spec.hidden, end_to_end=spec.end_to_end, grader_error=grader_error,
                           facts=self.facts.get(spec.id, {}))


def run_checks(task, worker, sub):
    """Run every check of ``task`` on the loaded submission ``sub`` -> {check id: CheckResult}."""
    grading = Grading(task, worker, sub)
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
    return grading.results
