"""``from grader import check; check()``: a student's self-check from a notebook or script.

It grades the functions defined in the caller's namespace with the task's public checks
and prints the report inline. The student's code still runs in a worker process under
the task's time limits, so a loop that never ends cannot hang the kernel; hidden checks
are neither run nor shown.

The source graded is rebuilt from the namespace: the source of each function and class
the caller defined (``inspect.getsource``, which Jupyter supports), its module imports
and its simple constants.
"""
import ast
import inspect
import sys
import tempfile
import textwrap
import types
from pathlib import Path

from .grade import grade_submission, select
from .report.text import render_text
from .submission import load
from .task import load_task

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


def check(function=None, task="mlp", namespace=None, file=None):
    """Grade the task's functions defined here with the public checks; print the report.

    ``check()`` grades every function of the task; ``check("softmax")`` only one.
    Returns the Report (its score is ``report.score`` out of ``report.max_score``).
    """
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
        report = grade_submission(sub, select(the_task, public_only=True,
                                              only=[function] if function else None))
    report.view = "check"
    report.submission = "your code"
    print(render_text(report), end="", file=file or sys.stdout)
    return report
