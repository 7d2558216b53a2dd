"""``from grader import check; check()``: a student's self-check from a notebook or script.

It grades the functions defined in the caller's namespace with the task's public checks
and prints the report inline. The student's code still runs in a worker process under
the task's time limits, so a loop that never ends cannot hang the kernel; hidden checks
are neither run nor shown.

The source graded is rebuilt from the namespace: the source of each function and class
the caller defined (``inspect.getsource``, which Jupyter supports), its module imports
and its simple constants.

The report is shown once. ``check()`` returns a SelfCheck: in a script or a terminal it
prints the text report and its repr is one line; under IPython (a notebook, a console) it
displays the report itself (HTML in a notebook, text in a console), and when it is the
last line of a cell the returned object does not show it a second time.
"""
import ast
import inspect
import sys
import tempfile
import textwrap
import types
from pathlib import Path

from .grade import grade_only
from .start import default_workers
from .report.text import fix_first, grouped, render_text
from .result import GRADER_ERROR
from .submission import load
from .task import DEFAULT_TASK, load_task

IGNORED = {"In", "Out", "get_ipython", "exit", "quit", "check"}
NOTHING_FOUND = "check() found no functions of the task {task!r} in this namespace (looked for: {names})"
UNKNOWN_FUNCTION = "{name!r} is not a function of the task {task!r} (its functions: {names})"


def source_from_namespace(ns):
    """The imports, constants, classes and functions of a namespace, as Python source."""
    imports, constants, definitions = [], [], []
    module_name = ns.get("__name__", "__main__")
    for name, value in list(ns.items()):
        defined_here = (inspect.isfunction(value) or inspect.isclass(value)) and \
            getattr(value, "__module__", None) == module_name
        if name in IGNORED or name.startswith("__") or (name.startswith("_") and not defined_here):
            continue                       # IPython's _, _i1, _oh ...; a student's _helper is kept
        if isinstance(value, types.ModuleType):
            if value.__name__.partition(".")[0] != "grader":
                imports.append(f"import {value.__name__} as {name}")
        elif inspect.isfunction(value) or inspect.isclass(value):
            if value.__module__ != module_name:
                if value.__module__.partition(".")[0] not in ("grader", "builtins"):
                    imports.append(f"from {value.__module__} import {value.__qualname__} as {name}")
                continue
            try:
                code = inspect.getsource(value)
            except (OSError, TypeError):
                continue
            definitions.append(_dedent(code))
            if value.__name__ != name and value.__name__ != "<lambda>":
                definitions.append(f"{name} = {value.__name__}")
        elif _is_literal(value):
            constants.append(f"{name} = {value!r}")
    return "\n".join(imports + constants + [""] + definitions) + "\n"


def _dedent(code):
    return textwrap.dedent(code).rstrip() + "\n"


def _is_literal(value):
    if not isinstance(value, (int, float, complex, str, bytes, bool, tuple, list, dict, set, type(None))):
        return False
    text = repr(value)
    if len(text) > 10_000:
        return False
    try:
        ast.literal_eval(text)
        return True
    except (ValueError, SyntaxError):
        return False


class SelfCheck:
    """What ``check()`` returns: the report (``.report``; its attributes read through, so
    ``.score`` out of ``.max_score``), its text (``str()``, ``.text``) and HTML
    (``_repr_html_``), with a one-line repr instead of the dataclass dump."""

    def __init__(self, report):
        self.report = report
        self.text = render_text(report)
        self._shown_in = None           # the IPython execution that displayed it already

    def __getattr__(self, name):
        if name.startswith("__") or name == "report":
            raise AttributeError(name)
        return getattr(self.report, name)

    def __str__(self):
        return self.text

    def __repr__(self):
        report = self.report
        if report.status == GRADER_ERROR:
            return "<self-check: not graded (grader error, not your fault)>"
        parts = [f"{report.score}/{report.max_score} on the public checks"]
        todo = [f.name for f, _ in fix_first(report, limit=len(report.functions))]
        if todo:
            shown = ", ".join(todo[:3]) + (f" and {len(todo) - 3} more" if len(todo) > 3 else "")
            parts.append(f"to fix: {shown}")
        for line, names in grouped(report):
            parts.append(line.split(",")[0])
        return f"<self-check of {report.submission}: {'; '.join(parts)}>"

    def _repr_html_(self):
        """The report page's body (styles scoped to it) for a notebook's output."""
        from .report.html import render_html_fragment
        return render_html_fragment(self.report)

    def _ipython_display_(self):
        shell = _ipython()
        if shell is not None and self._shown_in is not None and self._shown_in == shell.execution_count:
            self._shown_in = None       # check() showed it in this very cell: not twice
            return
        self._display(shell)

    def _display(self, shell):
        """Show the report through IPython: text, and HTML when it can be rendered."""
        from IPython.display import display
        bundle = {"text/plain": self.text}
        try:
            bundle["text/html"] = self._repr_html_()
        except Exception:               # no HTML (e.g. jinja2 missing): the text still shows
            pass
        display(bundle, raw=True)
        self._shown_in = getattr(shell, "execution_count", None)


def _ipython():
    """The running IPython shell (a notebook kernel or a console), or None."""
    module = sys.modules.get("IPython")
    if module is None:
        return None
    try:
        return module.get_ipython()
    except Exception:
        return None


def check(function=None, task=None, namespace=None, file=None):
    """Grade the task's functions defined here with the public checks; show the report.

    ``check()`` grades every function of the task; ``check("softmax")`` only one.
    Returns a SelfCheck (its score is ``.score`` out of ``.max_score``; ``.report`` is
    the Report). The report is printed to ``file`` (standard output by default), or,
    under IPython with no ``file``, displayed once.
    """
    task = DEFAULT_TASK if task is None else task
    the_task = load_task(task)
    names = [f.name for f in the_task.functions]
    if function is not None and function not in names:
        raise ValueError(UNKNOWN_FUNCTION.format(name=function, task=task, names=", ".join(names)))
    if namespace is None:
        namespace = sys._getframe(1).f_globals
    if not any(callable(namespace.get(n)) for n in names):
        raise ValueError(NOTHING_FOUND.format(task=task, names=", ".join(names)))
    source = source_from_namespace(namespace)
    with tempfile.TemporaryDirectory(prefix="grader-check-") as tmp:
        path = Path(tmp) / "your_notebook.py"
        path.write_text(source, encoding="utf-8")
        sub = load(path)
        sub.notes = [n for n in sub.notes if "not run (top-level code)" not in n]
        report = grade_only(sub, the_task, public_only=True, only=[function] if function else None,
                            workers=default_workers())
    report.view = "check"
    report.submission = "your code"
    result = SelfCheck(report)
    shell = _ipython() if file is None else None
    if shell is not None:
        result._display(shell)
    else:
        print(result.text, end="", file=file or sys.stdout)
    return result
