"""What every check kind gets and may raise.

A check kind is a function ``kind(ctx) -> str | None``. It passes by returning (the
optional string is a note shown with the pass), fails by raising ``Failed`` with a
*rationale* (what was expected and what came back) and optionally a *help* (the likely
mistake). A ``CallError`` from the student's code (it raised, hung, crashed) makes the
check an *error*; anything else escaping a kind is a grader problem, never the student's.
"""
import ast

from ..evidence import NotRecorded
from ..inputs import Inputs, for_reference, for_worker
from ..worker import CallError
from ..worker.protocol import Unsupported

NOT_CALLED_AGAIN = "{func} was not called again: it hung or crashed in an earlier check"


class Failed(Exception):
    """The student's answer is wrong: ``rationale`` says how, ``help`` what to look at,
    ``facts`` what was observed, as plain data for the diagnosis (never shown as such)."""

    def __init__(self, rationale, help="", facts=None):
        super().__init__(rationale)
        self.rationale, self.help, self.facts = rationale, help, dict(facts or {})


class OutOfTime(Exception):
    """The whole grading's time budget ran out before this check could finish."""


class Context:
    """One check's view of the task, the reference and the student's code.

    ``worker`` is the check's session (a fresh copy of the submission, see
    worker/client.py); ``fresh`` a function giving another fresh session, for calls that
    must not share this check's state; ``remaining`` the seconds left of the budget.
    """

    def __init__(self, task, function, check, worker, fresh=None, remaining=None, dead=(), verified=None):
        self.task, self.function, self.check, self.worker = task, function, check, worker
        self.fresh, self.remaining, self.dead = fresh, remaining, set(dead)
        # in a student kit: verified(name) says whether the student's own ``name`` passed
        # all its checks with its own helpers, so that it may answer a question the kit's
        # recorded answers cannot (see reference); ``own`` the functions that did
        self.verified, self.own = verified, set()
        self.params = check.params
        self.inputs = Inputs.of_check(task, function, check)
        # what the check observed, for the report's figures and the diagnosis, kept
        # whatever its outcome (plain data: lists, numbers, strings)
        self.facts = {}

    # ------------------------------------------------------------ the inputs
    def value(self, spec):
        return self.inputs.value(spec)

    def cases(self):
        """The argument lists to try: ``cases: [[...], ...]`` or one ``args: [...]``."""
        if "cases" in self.params:
            return [self.value(case) for case in self.params["cases"]]
        return [self.value(self.params.get("args", []))]

    def kwargs(self):
        return self.value(self.params.get("kwargs", {}))

    # ------------------------------------------------------------- the calls
    def timeout(self, factor=1):
        """Seconds for one call: the check's (or the task's) limit, within the budget
        -> (seconds, whether the budget cut it short)."""
        seconds = (self.check.timeout or self.task.limits.call_seconds) * factor
        if self.remaining is not None:
            left = self.remaining()
            if left <= 0:
                raise OutOfTime()
            if left < seconds:
                return left, True
        return seconds, False

    def _bounded(self, run, factor=1):
        seconds, cut = self.timeout(factor)
        try:
            return run(seconds)
        except CallError as error:
            if cut and error.kind == "timeout":   # the budget ran out, not the call's own limit
                raise OutOfTime() from None
            raise

    def call(self, func, *args, return_args=False, **kwargs):
        """The student's ``func`` on these inputs, in the worker (CallError if no answer)."""
        self._not_dead(func)
        return self._bounded(lambda seconds: self.worker.call(
            func, *for_worker(list(args)), timeout=seconds, return_args=return_args, **for_worker(kwargs)))

    def harness(self, name, *args, what=None, factor=1, func=""):
        """A worker harness routine (see the pack's harness.py); ``func``: the student's
        function it runs, so that a hang or a crash counts as that function's."""
        if func:
            self._not_dead(func)
        return self._bounded(lambda seconds: self.worker.harness(
            name, *for_worker(list(args)), timeout=seconds, what=what, func=func), factor)

    def _not_dead(self, func):
        """CallError("dead") for a function that hung or crashed in an earlier check."""
        if func in self.dead:
            raise CallError("dead", NOT_CALLED_AGAIN.format(func=func), func=func)

    def reference(self, func, *args, **kwargs):
        """The reference ``func`` on the same inputs, in the grader's process.

        In a student kit the reference is a record of its answers (evidence.py); a question
        it holds no answer to (values only the student's code made) is answered by the
        student's own ``func`` when that passed all its checks with its own helpers, in
        this check's session; otherwise NotRecorded: the check is graded after submission.
        """
        try:
            return self.inputs.reference(func)(*for_reference(list(args)), **for_reference(kwargs))
        except NotRecorded:
            if self.verified is None or not self.verified(func):
                raise
        try:
            value = self.call(func, *args, **kwargs)
        except CallError:
            raise NotRecorded(func, "the student's own function raised") from None
        if isinstance(value, Unsupported):
            raise NotRecorded(func, "the student's own function gave no plain data")
        self.own.add(func)
        return value

    def has(self, func):
        """Whether the student's file defines ``func`` (and it did not hang earlier)."""
        return func in self.worker.start()["functions"] and func not in self.dead

    # --------------------------------------------------------------- wording
    def call_text(self, func, args):
        """``softmax(z)`` style text naming the arguments after the declared signature."""
        names = param_names(self.task, func)
        shown = []
        for i, arg in enumerate(args):
            if isinstance(arg, (str, int, float)) and not isinstance(arg, bool):
                shown.append(repr(arg))
            elif isinstance(arg, list) and len(arg) <= 6 and all(isinstance(a, int) for a in arg):
                shown.append(repr(arg))
            else:
                shown.append(names[i] if i < len(names) else f"arg{i}")
        text = f"{func}({', '.join(shown)})"
        shapes = [f"{names[i] if i < len(names) else f'arg{i}'} of shape {tuple(a.shape)}"
                  for i, a in enumerate(args) if hasattr(a, "shape") and getattr(a, "ndim", 0) > 0]
        return f"{text} with {', '.join(shapes[:2])}" if shapes else text


def param_names(task, func):
    try:
        signature = task.function(func).signature
        tree = ast.parse(f"def {signature}: pass")
        return [a.arg for a in tree.body[0].args.args]
    except (StopIteration, SyntaxError):
        return []


__all__ = ["CallError", "Context", "Failed", "OutOfTime"]
