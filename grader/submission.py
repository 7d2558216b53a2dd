"""Read a submission and decide which of its top-level statements may run.

Grading runs what a student *defined*, not what their script *does*. The rule (``RUN_RULE``,
quoted in the README):

    Imports, def and class statements, and assignments run (also inside a try block that
    holds nothing else); all other top-level code (calls, loops, if and with blocks) is
    skipped. An assignment is skipped too if its right-hand side reads a name that no
    statement run before it defines, calls a function or method defined in your file
    (calling a class of yours that defines no methods, such as a plain dataclass or
    NamedTuple, is fine), or calls an I/O function (open, print, input, np.load, np.save,
    np.loadtxt, np.genfromtxt, np.fromfile, pd.read_*, plt.*, os.*, ...).

So ``Params = Dict[str, np.ndarray]``, ``Array = npt.NDArray[np.float64]``, ``T =
TypeVar("T")``, ``EPS = np.finfo(float).eps``, ``CLASSES = np.arange(10)``, ``relu6 =
partial(np.clip, a_min=0, a_max=6)`` and ``DEFAULT = Config()`` (a dataclass) run, while
``data = np.load("mnist.npz")``, ``X = data["x"]``, ``params = train(X, y)``, ``df =
pd.read_csv(...)``, ``print(...)`` and ``if __name__ == "__main__":`` do not. Details:

- "calls" means a call written in the expression; the body of a lambda runs only when
  it is called, so it counts for nothing (``ACTS = {"relu": lambda z: np.maximum(z, 0)}``
  runs). A function, method or lambda of the file passed along without being called
  (``partial(softmax, axis=1)``, ``sigmoid = MLP.sigmoid``) is fine, and so are names
  bound inside the expression itself (comprehension variables).
- A value built from a function, lambda or class with methods of the file counts as
  the file's own too (``ACTS["relu"](z)`` calls one). A class of the file may be called
  only when neither it nor any class of the file it derives from has methods (or
  lambdas) in its body and its body, bases and decorators use none of the file's own
  functions: then calling it runs no code of the file.
- I/O functions are the builtins in ``IO_BUILTINS``, anything from a module in
  ``IO_MODULES`` (through any import alias), and any function or method whose name is in
  ``IO_NAMES`` or starts with one of ``IO_PREFIXES`` (``.read_csv``, ``.tofile``,
  ``.savefig``...). The rule is about telling definitions from script code, not about
  security: what runs still runs in the sandboxed worker, under its load time budget,
  so a slow-but-allowed call is bounded.
- Without ``from __future__ import annotations`` the annotation of an annotated
  assignment is evaluated, so it counts as part of the right-hand side.

Parsing happens here, in the grader; compiling and executing happen only in the worker
(``worker/compiling.py``). Notebooks (``.ipynb``) are turned into the same kind of source
first (``notebook.py``), and every place is then named by cell and line. Any source up to
``MAX_BYTES`` loads: a block that Python's parser cannot handle (a syntax error, or code
nested so deeply that the parser raises RecursionError or MemoryError) is left out with a
one-line note and the rest is graded.
"""
import ast
import builtins
import re
from dataclasses import dataclass, field
from pathlib import Path

from .errors import SubmissionError
from .notebook import read_notebook

MAX_BYTES = 5 * 2**20
MAX_QUOTE = 200          # characters of student text quoted in a note
MAX_DESCRIBED = 60       # characters of a skipped statement quoted in its note
MAX_LISTED = 8           # places listed in one note
MAX_CLASSES = 3          # classes named in the class-only note

RUN_RULE = (
    "Imports, def and class statements, and assignments run (also inside a try block that "
    "holds nothing else); all other top-level code (calls, loops, if and with blocks) is skipped. "
    "An assignment is skipped too if its right-hand side reads a name that no statement run "
    "before it defines, calls a function or method defined in your file (calling a class of "
    "yours that defines no methods, such as a plain dataclass or NamedTuple, is fine), or calls "
    "an I/O function (open, print, input, np.load, np.save, np.loadtxt, np.genfromtxt, "
    "np.fromfile, pd.read_*, plt.*, os.*, ...)."
)

NOT_FOUND = "{path}: no such file"
IS_DIRECTORY = "{path} is a directory; give one submission file"
TOO_LARGE = "{path} is {size:.1f} MB; submissions over {limit:.0f} MB are not graded"
NOT_TEXT = "{path} is not a text file (it contains NUL bytes)"
NOT_UTF8 = "{path} is not UTF-8 text (byte {byte}: {reason}); undecodable bytes were replaced"
UNREADABLE = "{path} could not be read: {detail}"
EMPTY = "{path} is empty: there is nothing to grade"
SYNTAX_ERROR = "line {line}: syntax error ({msg}); lines {start}-{end} were left out"
TOO_COMPLEX = "{where}: Python's parser cannot handle this code ({reason}); {lines} left out"
NOT_PARSED = "{path}: Python's parser cannot handle this file ({reason}); nothing of it was graded"
SKIPPED = "{where}: not run (top-level code): {what}"
REDEFINED = "{name} is defined more than once ({wheres}); the last definition is graded"
RUN_TOPLEVEL = "top-level code was run too (--run-toplevel)"
CLASS_ONLY = ("{names} {verb} defined only as {methods} of class {where}; the grader calls "
              "module-level functions: define them at module level (e.g. `{example}` for a "
              "staticmethod, or move them out of the class)")

# What ast.parse raises on source it cannot handle: a syntax error, code nested too
# deeply (RecursionError, or MemoryError from the parser's own stack), null bytes (ValueError).
PARSE_ERRORS = (SyntaxError, RecursionError, MemoryError, ValueError)

IO_BUILTINS = frozenset({"open", "print", "input", "exec", "eval", "compile", "breakpoint", "exit",
                         "quit", "help", "__import__"})
IO_MODULES = frozenset({
    "os", "sys", "io", "subprocess", "shutil", "pathlib", "glob", "tempfile", "socket", "urllib",
    "http", "requests", "pickle", "shelve", "joblib", "gzip", "bz2", "lzma", "zipfile", "tarfile",
    "csv", "sqlite3", "matplotlib", "seaborn", "plotly", "IPython", "PIL", "cv2", "imageio", "h5py",
    "webbrowser", "multiprocessing", "threading", "signal", "ctypes", "tqdm"})
IO_NAMES = frozenset({
    "open", "load", "save", "savez", "savez_compressed", "savetxt", "loadtxt", "genfromtxt",
    "fromfile", "fromregex", "tofile", "dump", "memmap", "DataSource", "loadmat", "savemat",
    "imread", "imsave", "imwrite", "savefig", "show", "plot", "imshow", "display", "read", "write",
    "read_text", "read_bytes", "write_text", "write_bytes", "urlopen", "urlretrieve", "system",
    "popen", "sleep", "to_csv", "to_pickle", "to_json", "to_excel", "to_parquet", "to_hdf",
    "to_sql", "to_html"})
IO_PREFIXES = ("read_", "load_", "fetch_", "save_")

_BUILTINS = frozenset(dir(builtins))
_DEFINITIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef) + (
    (ast.TypeAlias,) if hasattr(ast, "TypeAlias") else ())
_TRY = (ast.Try,) + ((ast.TryStar,) if hasattr(ast, "TryStar") else ())
_NOT_AT_TOP_LEVEL = (ast.Await, ast.Yield, ast.YieldFrom)


@dataclass
class Submission:
    path: Path
    source: str
    statements: list                 # indices into ast.parse(source).body to run
    notes: list = field(default_factory=list)
    defined: dict = field(default_factory=dict)        # name -> line of its last definition
    skipped_names: dict = field(default_factory=dict)  # name -> line of skipped code setting it
    cells: list = None               # notebooks: line -> (cell, line in cell), see notebook.py
    methods: dict = field(default_factory=dict)        # method name -> (class name, line of the class)
    bound: set = field(default_factory=set)            # every name the statements that run bind

    @property
    def filename(self):
        return self.path.name

    def where(self, line, end=None):
        """A place in the student's terms: "line 5", "lines 5-9", "cell 3, line 2"."""
        if not isinstance(line, int) or line < 1:
            return "your file"
        if self.cells is not None:
            from .notebook import NotebookSource, where
            return where(NotebookSource(self.source, self.cells, []), line, end)
        return f"lines {line}-{end}" if end and end != line else f"line {line}"

    def where_many(self, lines):
        shown = list(lines)[:MAX_LISTED]
        more = f", ... ({len(lines)} in all)" if len(lines) > MAX_LISTED else ""
        if self.cells is None:
            return "lines " + ", ".join(map(str, shown)) + more
        return "; ".join(self.where(line) for line in shown) + more


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
        check_path(path)
        read_source(path)                   # the same size and binary checks
        nb = read_notebook(path)
        source, notes, cells = nb.source, list(nb.notes), nb.cells
    else:
        source, notes = read_source(path)
    if not source.strip():
        notes.append(EMPTY.format(path=path))
    tree, source, broken = _parse(source, path, blocks=cells is None)
    notes += broken
    sub = Submission(path=path, source=source, statements=[], notes=notes, cells=cells)
    scope = Scope(future_annotations=_future_annotations(tree))
    lines_of, functions, skipped = {}, set(), []
    for index, node in enumerate(tree.body):
        if run_toplevel or runs_at_grading(node, scope):
            sub.statements.append(index)
            scope.add(node)
            for name in _defined_names(node):
                lines_of.setdefault(name, []).append(node.lineno)
                sub.defined[name] = node.lineno
                if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                    functions.add(name)
            if isinstance(node, ast.ClassDef):
                for method in node.body:
                    if isinstance(method, (ast.FunctionDef, ast.AsyncFunctionDef)):
                        sub.methods[method.name] = (node.name, node.lineno)
        else:
            skipped.append(node)
            for name in _assigned_names(node):
                sub.skipped_names.setdefault(name, node.lineno)
                scope.skipped.add(name)
    sub.bound = set(scope.known)
    lines = _lines(source)
    sub.notes += [_skip_note(sub, run, lines) for run in _runs(sub, tree.body, skipped)]
    if run_toplevel:
        sub.notes.append(RUN_TOPLEVEL)
    for name, places in lines_of.items():
        if len(places) > 1 and name in functions:      # a function or class; not rng = ... twice
            sub.notes.append(REDEFINED.format(name=_clip(name), wheres=sub.where_many(places)))
    return sub


def class_only_note(sub, wanted):
    """One line for task functions found only as methods of a class, or None.

    ``wanted`` are the task's function names. When at least one of them is not bound at
    module level but is a method of a class, the note names the class (and its place)
    and says what to add.
    """
    at_module_level = set(sub.defined) | set(sub.bound)
    wanted = sorted(wanted) if isinstance(wanted, (set, frozenset)) else list(wanted)
    found = [name for name in wanted if name not in at_module_level and name in sub.methods]
    if not found:
        return None
    by_class = {}
    for name in found:
        by_class.setdefault(sub.methods[name], []).append(name)
    groups = list(by_class.items())
    (cls, line), names = groups[0]
    where = f"{_clip(cls, 80)} ({sub.where(line)})" + "".join(
        f"; {_names(more)} of class {_clip(other, 80)} ({sub.where(at)})"
        for (other, at), more in groups[1:MAX_CLASSES])
    if len(groups) > MAX_CLASSES:
        where += f"; and methods of {len(groups) - MAX_CLASSES} more classes"
    example = _clip(f"{names[0]} = {cls}.{names[0]}", 120)
    several = len(names) > 1
    return _clip(CLASS_ONLY.format(names=_names(names), verb="are" if several else "is",
                                   methods="methods" if several else "a method",
                                   where=where, example=example), limit=1000)


# --------------------------------------------------------------- the policy
class Scope:
    """What the statements chosen to run so far define: the memory of the rule.

    ``known``: names they bind; ``own``: those bound to the file's own functions, lambdas
    and classes with methods, or to values built from them (calling one runs the file's
    code); ``imports``: local name -> the dotted name it was imported as; ``skipped``:
    names set by skipped code; ``star``: a ``from m import *`` ran (any name not set by
    skipped code may then exist).
    """

    def __init__(self, future_annotations=False):
        self.future_annotations = future_annotations
        self.known, self.own, self.skipped = set(), set(), set()
        self.imports = {}
        self.star = False

    def copy(self):
        other = Scope(self.future_annotations)
        other.known, other.own, other.skipped = set(self.known), set(self.own), set(self.skipped)
        other.imports, other.star = dict(self.imports), self.star
        return other

    def add(self, node):
        """Record what a statement that runs binds."""
        if isinstance(node, ast.Import):
            for alias in node.names:
                local = alias.asname or alias.name.partition(".")[0]
                self._bind(local, own=False)
                self.imports[local] = alias.name if alias.asname else local
        elif isinstance(node, ast.ImportFrom):
            module = "." * (node.level or 0) + (node.module or "")
            for alias in node.names:
                if alias.name == "*":
                    self.star = True
                    continue
                local = alias.asname or alias.name
                self._bind(local, own=False)
                self.imports[local] = f"{module}.{alias.name}"
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            self._bind(node.name, own=True)
        elif isinstance(node, ast.ClassDef):
            self._bind(node.name, own=not self.plain_class(node))
        elif isinstance(node, _DEFINITIONS):                    # type X = ... (3.12)
            self._bind(node.name.id, own=False)
        elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            if getattr(node, "value", None) is None:
                return                                          # x: int binds nothing
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            tainted = self.uses_own([node.value])
            if isinstance(node, ast.AugAssign):
                tainted = tainted or self.uses_own([node.target])
            for target in targets:
                for sub in _walk([target]):
                    if isinstance(sub, ast.Name) and isinstance(sub.ctx, ast.Store):
                        self._bind(sub.id, own=tainted)
                    elif isinstance(sub, (ast.Subscript, ast.Attribute)) and tainted:
                        base = _root_name(sub)
                        if base:
                            self.own.add(base)               # ACTS["relu"] = relu
        elif isinstance(node, _TRY):
            for block in _try_blocks(node):
                for statement in block:
                    self.add(statement)
            for handler in node.handlers:
                if handler.name:
                    self._bind(handler.name, own=False)

    def _bind(self, name, own):
        self.known.add(name)
        (self.own.add if own else self.own.discard)(name)

    def is_known(self, name):
        if name in self.known:
            return True
        if name in self.skipped:
            return False
        return name in _BUILTINS or self.star

    def uses_own(self, roots):
        """Whether these expressions use (read or call) the file's own code."""
        return any(isinstance(n, ast.Lambda) or (isinstance(n, ast.Name) and n.id in self.own)
                   for n in _walk(roots, into_lambdas=True))

    def plain_class(self, node):
        """A class whose call runs none of the file's code (see the module docstring)."""
        if any(isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
               for n in _walk(node.body, into_lambdas=True)):
            return False
        return not self.uses_own(node.bases + node.keywords + node.decorator_list + node.body)

    def is_io(self, func):
        """Whether a call of ``func`` (the called expression) is an I/O function's."""
        last = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else None
        attrs, node = [], func
        while isinstance(node, ast.Attribute):
            attrs.append(node.attr)
            node = node.value
        root = _root_name(func)
        origin = self.imports.get(root)
        if origin is None and root in _BUILTINS and root not in self.known:
            origin = "builtins." + root
        dotted = ".".join([origin] + attrs[::-1]) if origin and isinstance(node, ast.Name) else ""
        if (origin or "").lstrip(".").partition(".")[0] in IO_MODULES:
            return True
        if dotted.startswith("builtins.") and dotted[len("builtins."):] in IO_BUILTINS:
            return True
        names = {last, dotted.rpartition(".")[2] if dotted else None} - {None}
        return any(n in IO_NAMES or n.startswith(IO_PREFIXES) for n in names)


def runs_at_grading(node, scope=None):
    """True for a top-level statement that only defines things, under ``RUN_RULE``.

    ``scope`` is what the statements chosen so far define (a ``Scope``, updated by the
    caller with ``scope.add(node)`` when this says True); None: an empty one.
    """
    scope = Scope() if scope is None else scope
    if isinstance(node, (ast.Import, ast.ImportFrom) + _DEFINITIONS):
        return True
    if isinstance(node, ast.Assign):
        return _runs_expr(node.targets + [node.value], scope)
    if isinstance(node, ast.AnnAssign):
        parts = [node.target] + ([node.value] if node.value is not None else [])
        if not scope.future_annotations:
            parts.append(node.annotation)
        return _runs_expr(parts, scope)
    if isinstance(node, ast.AugAssign):
        target = node.target
        if isinstance(target, ast.Name) and not scope.is_known(target.id):
            return False
        return _runs_expr([target, node.value], scope)
    if isinstance(node, _TRY):             # try: import fast_lib / except ImportError: ...
        trial = scope.copy()
        for handler in node.handlers:
            if handler.type is not None and not _runs_expr([handler.type], trial):
                return False
        for block in _try_blocks(node):
            for statement in block:
                if isinstance(statement, ast.Pass):
                    continue
                if not runs_at_grading(statement, trial):
                    return False
                trial.add(statement)
        return True
    if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
        return True                        # a docstring
    return False


def _runs_expr(roots, scope):
    """Whether expressions (an assignment's parts) obey the rule: every name they read
    is known, and nothing they call is the file's own code or an I/O function."""
    nodes = list(_walk(roots))
    local = set()                          # comprehension variables, := targets
    for n in nodes:
        if isinstance(n, ast.comprehension):
            local.update(t.id for t in _walk([n.target]) if isinstance(t, ast.Name))
        elif isinstance(n, ast.NamedExpr) and isinstance(n.target, ast.Name):
            local.add(n.target.id)
    for n in nodes:
        if isinstance(n, _NOT_AT_TOP_LEVEL):
            return False
        if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load):
            if n.id not in local and not scope.is_known(n.id):
                return False
        elif isinstance(n, ast.Call):
            if scope.uses_own([n.func]) or scope.is_io(n.func):
                return False
    return True


def _walk(roots, into_lambdas=False):
    """Every node under ``roots``, without recursion (trees may be thousands deep); the
    body of a lambda is left out unless ``into_lambdas`` (it runs only when called)."""
    stack = [r for r in roots if isinstance(r, ast.AST)]
    while stack:
        node = stack.pop()
        yield node
        for name, value in ast.iter_fields(node):
            if name == "body" and isinstance(node, ast.Lambda) and not into_lambdas:
                continue
            if isinstance(value, ast.AST):
                stack.append(value)
            elif isinstance(value, list):
                stack.extend(v for v in value if isinstance(v, ast.AST))


def _root_name(expr):
    """``np`` of ``np.random.default_rng(0).normal``: the name a chain starts from."""
    while True:
        if isinstance(expr, (ast.Attribute, ast.Subscript)):
            expr = expr.value
        elif isinstance(expr, ast.Call):
            expr = expr.func
        elif isinstance(expr, ast.Name):
            return expr.id
        else:
            return None


def _try_blocks(node):
    return [node.body, node.orelse, node.finalbody] + [h.body for h in node.handlers]


def _future_annotations(tree):
    return any(isinstance(n, ast.ImportFrom) and n.module == "__future__" and not n.level
               and any(a.name == "annotations" for a in n.names) for n in tree.body)


def _defined_names(node):
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return [node.name]
    if isinstance(node, ast.Assign):
        return [t.id for t in node.targets if isinstance(t, ast.Name)]
    if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value is not None:
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


# ------------------------------------------------------------------ notes
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


def _skip_note(sub, run, lines):
    first, last = run[0], run[-1]
    what = 'the if __name__ == "__main__": block' if _is_main_block(first) else _describe(first, lines)
    if len(run) > 1:
        what += f" (and {len(run) - 1} more statement{'s' if len(run) > 2 else ''})"
    return SKIPPED.format(where=sub.where(first.lineno, last.end_lineno), what=what)


def _is_main_guard(test):
    return (isinstance(test, ast.Compare) and isinstance(test.left, ast.Name)
            and test.left.id == "__name__")


def _describe(node, lines=()):
    """The first line of a statement, clipped; never raises (ast.unparse can, on deep
    trees: then the statement's first source line is quoted instead)."""
    try:
        text = ast.unparse(node).splitlines()[0]
    except Exception:
        try:
            text = lines[node.lineno - 1].strip()
        except Exception:
            text = type(node).__name__
    return text if len(text) <= MAX_DESCRIBED else text[:MAX_DESCRIBED - 3] + "..."


def _clip(text, limit=MAX_QUOTE):
    """One line of at most ``limit`` characters."""
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[:limit - 3] + "..."


def _names(names, shown=5):
    """"a, b, c" or "a, b, c, d, e and 4 more", each name clipped."""
    quoted = [_clip(n, 60) for n in names]
    if len(quoted) <= shown:
        return ", ".join(quoted)
    return ", ".join(quoted[:shown]) + f" and {len(quoted) - shown} more"


# ------------------------------------------------------------------ parsing
def _lines(source):
    """The source's lines as Python counts them (\\n, \\r\\n, \\r), without their ends."""
    return re.split(r"\r\n|\r|\n", source)


def _reason(exc):
    """One line on why ast.parse gave up."""
    if isinstance(exc, (RecursionError, MemoryError)):
        return f"{type(exc).__name__}: it is nested too deeply"
    message = str(exc).strip()
    return _clip(f"{type(exc).__name__}: {message}" if message else type(exc).__name__, 120)


def _parse(source, path, blocks=True):
    """source -> (tree, the source graded, notes). Never raises but SubmissionError.

    Blocks that cannot be parsed are blanked (``blocks``: top-level blocks of a .py;
    notebooks have already left out their cells that do not parse); when even that
    fails, the whole file is blanked with a note.
    """
    try:
        return ast.parse(source, path.name), source, []
    except PARSE_ERRORS as exc:
        reason = exc
    notes = []
    if blocks:
        source, notes = _drop_broken_blocks(source)
        try:
            return ast.parse(source, path.name), source, notes
        except SyntaxError as exc:          # blocks parse alone but not together: give up cleanly
            raise SubmissionError(f"line {exc.lineno}: syntax error ({_clip(exc.msg, 120)})") from None
        except PARSE_ERRORS as exc:
            reason = exc
    blank = "\n" * (len(_lines(source)) - 1)
    return ast.parse(blank), blank, notes + [NOT_PARSED.format(path=path, reason=_reason(reason))]


def _drop_broken_blocks(source):
    """Blank out top-level blocks that do not parse so the rest can still be graded.

    A block starts at a line with no indentation (not a comment, decorator follow-up or
    continuation). Blanking keeps every other line's number unchanged.
    """
    lines = re.split(r"(?<=\n)|(?<=\r)(?!\n)", source)
    if lines and lines[-1] == "":
        lines.pop()
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
            continue
        except SyntaxError as exc:
            line = start + (exc.lineno or 1)
            notes.append(SYNTAX_ERROR.format(line=line, msg=_clip(exc.msg, 120), start=start + 1, end=end))
        except PARSE_ERRORS as exc:
            span = f"line {start + 1} was" if end == start + 1 else f"lines {start + 1}-{end} were"
            notes.append(TOO_COMPLEX.format(where=f"line {start + 1}", reason=_reason(exc), lines=span))
        for i in range(start, end):
            lines[i] = "\n"
    return "".join(lines), notes
