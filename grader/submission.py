"""Read a submission and decide which of its top-level statements may run.

Grading runs what a student *defined*, not what their script *does*: imports,
functions, classes and simple constant assignments run; training loops, prints,
plots, file reads and ``if __name__ == "__main__":`` blocks are skipped, and the
report lists them. Parsing happens here, in the grader; executing happens only in
the worker. Notebooks (``.ipynb``) are turned into the same kind of source first
(``notebook.py``), and every place is then named by cell and line.
"""
import ast
import builtins
from dataclasses import dataclass, field
from pathlib import Path

MAX_BYTES = 5 * 2**20

NOT_FOUND = "{path}: no such file"
IS_DIRECTORY = "{path} is a directory; give one submission file"
TOO_LARGE = "{path} is {size:.1f} MB; submissions over {limit:.0f} MB are not graded"
NOT_TEXT = "{path} is not a text file (it contains NUL bytes)"
NOT_UTF8 = "{path} is not UTF-8 text (byte {byte}: {reason}); undecodable bytes were replaced"
UNREADABLE = "{path} could not be read: {detail}"
EMPTY = "{path} is empty: there is nothing to grade"
SYNTAX_ERROR = "line {line}: syntax error ({msg}); lines {start}-{end} were left out"
SKIPPED = "{where}: not run (top-level code): {what}"
REDEFINED = "{name} is defined more than once ({wheres}); the last definition is graded"
RUN_TOPLEVEL = "top-level code was run too (--run-toplevel)"


class SubmissionError(Exception):
    """The file cannot be graded at all; the message is one line for the user."""


@dataclass
class Submission:
    path: Path
    source: str
    statements: list                 # indices into ast.parse(source).body to run
    notes: list = field(default_factory=list)
    defined: dict = field(default_factory=dict)        # name -> line of its last definition
    skipped_names: dict = field(default_factory=dict)  # name -> line of skipped code setting it
    cells: list = None               # notebooks: line -> (cell, line in cell), see notebook.py

    @property
    def filename(self):
        return self.path.name

    def where(self, line, end=None):
        """A place in the student's terms: "line 5", "lines 5-9", "cell 3, line 2"."""
        if self.cells is not None:
            from .notebook import NotebookSource, where
            return where(NotebookSource(self.source, self.cells, []), line, end)
        return f"lines {line}-{end}" if end and end != line else f"line {line}"

    def where_many(self, lines):
        if self.cells is None:
            return "lines " + ", ".join(map(str, lines))
        return "; ".join(self.where(line) for line in lines)


def check_path(path):
    """SubmissionError for a path that is no file at all (a command-line mistake)."""
    path = Path(path)
    if not path.exists():
        raise SubmissionError(NOT_FOUND.format(path=path))
    if path.is_dir():
        raise SubmissionError(IS_DIRECTORY.format(path=path))


def read_source(path):
    """path -> (text, notes), or SubmissionError with a one-line reason.

    Text that is not UTF-8 is still graded, with the undecodable bytes replaced.
    """
    path = Path(path)
    check_path(path)
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise SubmissionError(TOO_LARGE.format(path=path, size=size / 2**20, limit=MAX_BYTES / 2**20))
        data = path.read_bytes()
    except OSError as exc:
        raise SubmissionError(UNREADABLE.format(path=path, detail=exc.strerror or exc)) from None
    if b"\0" in data:
        raise SubmissionError(NOT_TEXT.format(path=path))
    try:
        return data.decode("utf-8-sig"), []
    except UnicodeDecodeError as exc:
        note = NOT_UTF8.format(path=path, byte=exc.start, reason=exc.reason)
        return data.decode("utf-8-sig", errors="replace"), [note]


def load(path, run_toplevel=False):
    """path -> Submission, with the plan of what runs and notes on what does not.

    With run_toplevel=True every top-level statement runs, in order (the worker's
    ``__name__`` is not ``"__main__"``, so a main guard still does not).
    """
    path = Path(path)
    cells = None
    if path.suffix == ".ipynb":
        from .notebook import read_notebook
        check_path(path)
        read_source(path)                   # the same size and binary checks
        nb = read_notebook(path)
        source, notes, cells = nb.source, list(nb.notes), nb.cells
    else:
        source, notes = read_source(path)
        source, broken = _drop_broken_blocks(source)
        notes += broken
    if not source.strip():
        notes.append(EMPTY.format(path=path))
    tree = ast.parse(source, path.name)
    sub = Submission(path=path, source=source, statements=[], notes=notes, cells=cells)
    lines_of, known, skipped = {}, set(), []
    for index, node in enumerate(tree.body):
        if run_toplevel or runs_at_grading(node, known):
            sub.statements.append(index)
            known.update(_assigned_names(node))
            for name in _defined_names(node):
                lines_of.setdefault(name, []).append(node.lineno)
                sub.defined[name] = node.lineno
        else:
            skipped.append(node)
            for name in _assigned_names(node):
                sub.skipped_names.setdefault(name, node.lineno)
    sub.notes += [_skip_note(sub, run) for run in _runs(sub, tree.body, skipped)]
    if run_toplevel:
        sub.notes.append(RUN_TOPLEVEL)
    for name, lines in lines_of.items():
        if len(lines) > 1:
            sub.notes.append(REDEFINED.format(name=name, wheres=sub.where_many(lines)))
    return sub


# --------------------------------------------------------------- the policy
def runs_at_grading(node, known=None):
    """True for statements that only define things: imports, defs, classes, constants.

    ``known`` are the names defined so far by statements that run (None: do not check);
    a constant assignment runs only if every name it reads is among them.
    """
    if isinstance(node, (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return True
    if isinstance(node, (ast.Assign, ast.AnnAssign)):
        return node.value is not None and _is_constant_expr(node.value, known)
    if isinstance(node, ast.Try):          # try: import fast_lib / except ImportError: ...
        blocks = [node.body, node.orelse, node.finalbody] + [h.body for h in node.handlers]
        return all(runs_at_grading(n, known) or isinstance(n, ast.Pass) for b in blocks for n in b)
    if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
        return True                        # a docstring
    return False


_CONSTANT_NODES = (ast.Constant, ast.Name, ast.Attribute, ast.Tuple, ast.List, ast.Set, ast.Dict,
                   ast.UnaryOp, ast.BinOp, ast.Load, ast.operator, ast.unaryop)
_BUILTINS = set(dir(builtins))


def _is_constant_expr(expr, known=None):
    """Literals, known names, attributes, arithmetic and lambdas: nothing that calls or
    indexes anything (``y = data["y"]`` is script code: ``data`` may never have been loaded)."""
    if isinstance(expr, ast.Lambda):
        return True                        # its body runs only when called
    lambdas = [n for n in ast.walk(expr) if isinstance(n, ast.Lambda)]
    inside = {id(n) for lam in lambdas for n in ast.walk(lam) if n is not lam}
    outside = [n for n in ast.walk(expr) if id(n) not in inside]
    if not all(isinstance(n, _CONSTANT_NODES + (ast.Lambda,)) for n in outside):
        return False                       # e.g. {"relu": lambda z: ...}: lambdas as values
    names = {n.id for n in outside if isinstance(n, ast.Name)}
    return known is None or names <= known | _BUILTINS


def _defined_names(node):
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return [node.name]
    if isinstance(node, ast.Assign):
        return [t.id for t in node.targets if isinstance(t, ast.Name)]
    if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
        return [node.target.id]
    return []


def _assigned_names(node):
    """Names a skipped top-level statement would have set (for "needs global X" hints)."""
    names = []
    for sub in ast.walk(node):
        if isinstance(sub, ast.Name) and isinstance(sub.ctx, ast.Store):
            names.append(sub.id)
        elif isinstance(sub, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.append(sub.name)
        elif isinstance(sub, (ast.Import, ast.ImportFrom)):
            names += [(alias.asname or alias.name).partition(".")[0] for alias in sub.names]
    return names


def _runs(sub, body, skipped):
    """Group skipped statements that follow each other (in one cell) into runs."""
    following = {id(a): b for a, b in zip(body, body[1:])}
    cell = (lambda line: sub.cells[line - 1][0] if sub.cells and sub.cells[line - 1] else None)
    runs = []
    for node in skipped:
        last = runs[-1][-1] if runs else None
        if (last is not None and following.get(id(last)) is node and cell(last.lineno) == cell(node.lineno)
                and not _is_main_block(node) and not _is_main_block(last)):
            runs[-1].append(node)
        else:
            runs.append([node])
    return runs


def _is_main_block(node):
    return isinstance(node, ast.If) and _is_main_guard(node.test)


def _skip_note(sub, run):
    first, last = run[0], run[-1]
    what = 'the if __name__ == "__main__": block' if _is_main_block(first) else _describe(first)
    if len(run) > 1:
        what += f" (and {len(run) - 1} more statement{'s' if len(run) > 2 else ''})"
    return SKIPPED.format(where=sub.where(first.lineno, last.end_lineno), what=what)


def _is_main_guard(test):
    return (isinstance(test, ast.Compare) and isinstance(test.left, ast.Name)
            and test.left.id == "__name__")


def _describe(node):
    text = ast.unparse(node).splitlines()[0]
    return text if len(text) <= 60 else text[:57] + "..."


# ------------------------------------------------------------ broken blocks
def _drop_broken_blocks(source):
    """Blank out top-level blocks with syntax errors so the rest can still be graded.

    A block starts at a line with no indentation (not a comment, decorator follow-up or
    continuation). Blanking keeps every other line's number unchanged.
    """
    try:
        ast.parse(source)
        return source, []
    except SyntaxError:
        pass
    lines = source.splitlines(True)
    starts = [i for i, line in enumerate(lines)
              if line.strip() and not line[0].isspace() and not line.lstrip().startswith("#")
              and not (i > 0 and lines[i - 1].rstrip().endswith(("\\", ",", "(", "[", "{")))]
    starts = [i for i in starts if not (i > 0 and lines[i - 1].lstrip().startswith("@"))] or [0]
    blocks = list(zip(starts, starts[1:] + [len(lines)]))
    if starts[0] > 0:
        blocks.insert(0, (0, starts[0]))
    notes = []
    for start, end in blocks:
        chunk = "".join(lines[start:end])
        try:
            ast.parse(chunk)
        except SyntaxError as exc:
            line = start + (exc.lineno or 1)
            notes.append(SYNTAX_ERROR.format(line=line, msg=exc.msg, start=start + 1, end=end))
            for i in range(start, end):
                lines[i] = "\n"
    result = "".join(lines)
    try:
        ast.parse(result)
    except SyntaxError as exc:          # blocks parse alone but not together: give up cleanly
        raise SubmissionError(f"line {exc.lineno}: syntax error ({exc.msg})") from None
    return result, notes
