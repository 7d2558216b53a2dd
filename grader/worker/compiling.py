"""Inside the worker: compile the submission's chosen top-level statements, running none.

Standard library only (the worker imports nothing from the ``grader`` package; this file
is loaded by path). The grader (``grader/submission.py``) has already chosen which
top-level statements run; ``compile_plan`` turns each into a code object the worker
then executes in order, so that one statement that fails costs only itself.

Each statement is compiled from its own source text with the compiler flags of the
module's ``from __future__ import`` statements, so ``from __future__ import annotations``
applies to every statement, as in a plain ``python file.py``, although the statements
are compiled one at a time. Its code objects (and those of the functions, classes and
lambdas inside) are then moved to the statement's own lines, so tracebacks and
``inspect`` name the file's line numbers. Compiling from source rather than from the
parsed tree matters: the compiler accepts expressions nested more deeply than an AST
object can be converted back (``print(1 + 1 + ... + 1)`` with 1,500 terms compiles from
source but raises RecursionError from its tree).
"""
import __future__
import ast
import types

PLAN_ERRORS = Exception           # whatever parsing or compiling raises becomes an entry
NESTED = "the code is nested too deeply for Python to compile"


def compile_plan(source: str, filename: str, indices: list) -> list:
    """Compile the chosen top-level statements of ``source`` -> one dict per index, in order:
    {"index": i, "line": lineno, "end_line": end_lineno, "code": <code object>, "imports": [module
    names it imports, anywhere inside it]} or, when that statement cannot be compiled,
    {"index": i, "line": ..., "end_line": ..., "error": {"type": str, "message": str}}.
    Every statement is compiled with the compiler flags of the module's `from __future__ import` statements
    (so annotations behave as in plain Python), dont_inherit=True. Never raises for any source: a parse
    failure of the whole source (RecursionError, MemoryError, SyntaxError, ValueError) returns one error entry per index."""
    indices = list(indices)
    try:
        tree = ast.parse(source, filename)
        lines = _lines(source)
        flags = future_flags(tree)
    except PLAN_ERRORS as exc:
        error = _error(exc)
        return [{"index": i, "line": None, "end_line": None, "error": dict(error)} for i in indices]
    plan = []
    for i in indices:
        try:
            node = tree.body[i]
        except PLAN_ERRORS as exc:          # not an index of this source: the grader's mistake
            plan.append({"index": i, "line": None, "end_line": None, "error": _error(exc)})
            continue
        entry = {"index": i, "line": getattr(node, "lineno", None), "end_line": getattr(node, "end_lineno", None)}
        try:
            entry["code"] = _compile(node, lines, filename, flags)
            entry["imports"] = _imports(node)
        except PLAN_ERRORS as exc:
            entry["error"] = _error(exc)
        plan.append(entry)
    return plan


def _imports(node):
    """The module names a statement imports, anywhere inside it (``import a.b`` -> "a",
    "a.b"; ``from a.b import c`` -> "a", "a.b"; relative imports left out)."""
    names = []
    for inner in ast.walk(node):
        if isinstance(inner, ast.Import):
            modules = [alias.name for alias in inner.names]
        elif isinstance(inner, ast.ImportFrom) and inner.module and not inner.level:
            modules = [inner.module]
        else:
            continue
        for module in modules:
            parts = module.split(".")
            names += [".".join(parts[:k]) for k in range(1, len(parts) + 1)]
    return list(dict.fromkeys(names))


def future_flags(tree):
    """The compiler flags of a module's top-level ``from __future__ import`` statements
    (an unknown feature adds none: compiling its statement reports it)."""
    flags = 0
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.module == "__future__" and not node.level:
            for alias in node.names:
                feature = getattr(__future__, alias.name, None)
                if isinstance(feature, __future__._Feature):
                    flags |= feature.compiler_flag
    return flags


def _compile(node, lines, filename, flags):
    """One statement -> its code object, compiled from its source text where possible."""
    try:
        code = compile(_segment(node, lines), filename, "exec", flags=flags, dont_inherit=True)
        return _moved(code, _first_line(node) - 1)
    except PLAN_ERRORS as first:
        try:                                # e.g. a segment this module cut wrongly
            module = ast.Module(body=[node], type_ignores=[])
            return compile(module, filename, "exec", flags=flags, dont_inherit=True)
        except PLAN_ERRORS:
            raise first from None


def _moved(code, lines):
    """The code object with every line number ``lines`` further down (nested code too).

    Line tables are relative to ``co_firstlineno``, so moving that moves every line; padding
    the text with blank lines instead would cost time quadratic in the length of the file.
    """
    if not lines:
        return code
    consts = tuple(_moved(c, lines) if isinstance(c, types.CodeType) else c for c in code.co_consts)
    return code.replace(co_firstlineno=code.co_firstlineno + lines, co_consts=consts)


def _first_line(node):
    """A decorated definition starts at its first decorator, not at ``def``."""
    return min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])


def _segment(node, lines):
    """The statement's source text, from its first line to its end column.

    ast gives columns as UTF-8 byte offsets. A statement after ``;`` on a shared line
    starts mid-line; others start at column 0 of their first line (decorators included).
    """
    first, last = _first_line(node), node.end_lineno
    chunk = lines[first - 1:last]
    end = chunk[-1].encode("utf-8")[:node.end_col_offset].decode("utf-8", "replace")
    if first == node.lineno and node.col_offset:
        start = len(lines[first - 1].encode("utf-8")[:node.col_offset].decode("utf-8", "replace"))
    else:
        start = 0
    if len(chunk) == 1:
        return end[start:]
    return "\n".join([chunk[0][start:]] + chunk[1:-1] + [end])


def _lines(source):
    """Lines as Python's tokenizer counts them: \\r\\n, \\r and \\n end a line."""
    return source.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def _error(exc):
    """{"type", "message"}: one line, never raising, whatever the exception."""
    kind = type(exc).__name__
    try:
        if isinstance(exc, SyntaxError):
            message = exc.msg or ""         # the caller names the place
        else:
            message = str(exc)
    except Exception:
        message = ""
    if not message and isinstance(exc, (RecursionError, MemoryError)):
        message = NESTED
    message = " ".join(message.split())
    return {"type": kind[:100], "message": message[:500]}
