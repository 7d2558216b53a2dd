"""Turn a Jupyter notebook into Python source the grader treats like a .py file.

The code cells are concatenated, one blank line between cells, and every line of the
result maps back to (cell number, line in cell) so that notes and tracebacks can say
"cell 7, line 3". Cell numbers count ALL cells (markdown and raw too), as a student
scrolling through the notebook would. IPython syntax is removed without moving any
line: a line magic or shell command (``%matplotlib inline``, ``!pip install numpy``,
``files = !ls``) becomes ``pass`` at its indentation (a blank line at the top level),
its ``\\`` continuation lines become blank, and so does the first line of a
``%%time``/``%%timeit``/``%%capture`` cell; a cell in any other cell magic
(``%%bash``, ``%%writefile``, ...), with a syntax error or with code nested too deeply
for Python's parser (RecursionError, MemoryError) is left out (its lines blanked). Each
of these leaves a one-line note. Nothing here runs the student's code.
"""
import ast
import json
import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path

from .errors import SubmissionError

PYTHON_CELL_MAGICS = ("time", "timeit", "capture")
MAX_SHOWN = 3          # magics quoted in one note
MAX_QUOTE = 40         # characters of each quoted magic

NOT_UTF8 = "{name} is not UTF-8 text: {detail}"
UNREADABLE = "{name} could not be read: {detail}"
NOT_A_NOTEBOOK = "{name} is not a valid notebook: {detail}"
NO_CODE = "{name} has no code cells"
MAGICS_REMOVED = "cell {cell}, {lines}: IPython magics and shell commands removed ({what})"
NOT_PYTHON = "cell {cell}: not Python (%%{magic} cell), left out"
SYNTAX_ERROR = "cell {cell}, line {line}: syntax error ({msg}); the cell was left out"
TOO_COMPLEX = "cell {cell}: Python's parser cannot handle this cell ({reason}); the cell was left out"
MAX_MESSAGE = 120      # characters of a parser message quoted

# IPython's own rule for `files = !ls` / `x = %timeit -o f()`: plain names as targets.
_MAGIC = re.compile(r"^(\s*)(?:[\w.]+(?:\s*,\s*[\w.]+)*\s*=\s*)?[%!]")


@dataclass
class NotebookSource:
    source: str     # the code cells concatenated, one blank line between cells
    cells: list     # per line of source (index = line - 1): (cell_number, line_in_cell) or None
    notes: list = field(default_factory=list)   # one-line notes, in cell order


def read_notebook(path):
    """path -> NotebookSource; SubmissionError with a one-line reason if it is no notebook."""
    path = Path(path)
    nb = _load(path)
    code = [(number, cell["source"]) for number, cell in enumerate(nb["cells"], 1)
            if cell["cell_type"] == "code" and cell["source"].strip()]
    if not code:
        raise SubmissionError(NO_CODE.format(name=path))
    lines, cells, notes = [], [], []
    for number, text in code:
        if lines:
            lines.append("")
            cells.append(None)
        cell_lines, note = _cell_to_python(number, _split_lines(text))
        lines += cell_lines
        cells += [(number, i) for i in range(1, len(cell_lines) + 1)]
        notes += note
    return NotebookSource(_parse_as_a_whole(lines, cells, notes), cells, notes)


def where(nb, line, end_line=None):
    """A line (or range) of nb.source as the student sees it: "cell 7, line 3" etc."""
    start = _place(nb, line, step=1)
    end = _place(nb, end_line if end_line is not None else line, step=-1)
    if start is None or end is None:
        return f"line {line}" if end_line in (None, line) else f"lines {line}-{end_line}"
    if end <= start:
        return f"cell {start[0]}, line {start[1]}"
    if start[0] == end[0]:
        return f"cell {start[0]}, lines {start[1]}-{end[1]}"
    return f"cell {start[0]}, line {start[1]} to cell {end[0]}, line {end[1]}"


# ------------------------------------------------------------------ reading
def _load(path):
    """The notebook as nbformat v4, checked for the little this module relies on."""
    import nbformat     # here, not at the top: 40 ms that grading a .py file does without
    try:
        with open(path, encoding="utf-8-sig") as f, warnings.catch_warnings():
            warnings.simplefilter("ignore")     # e.g. MissingIDFieldWarning: not the student's problem
            nb = nbformat.read(f, as_version=4, capture_validation_error={})
    except UnicodeDecodeError as exc:
        raise SubmissionError(NOT_UTF8.format(name=path, detail=f"byte {exc.start}: {exc.reason}")) from None
    except OSError as exc:
        raise SubmissionError(UNREADABLE.format(name=path, detail=exc.strerror or exc)) from None
    except Exception as exc:            # nbformat raises many kinds for many kinds of bad input
        raise SubmissionError(NOT_A_NOTEBOOK.format(name=path, detail=_reason(exc))) from None
    problem = _structure_problem(nb)
    if problem:
        raise SubmissionError(NOT_A_NOTEBOOK.format(name=path, detail=problem))
    return nb


def _reason(exc):
    """One line on why nbformat refused the file; JSON errors say where."""
    cause = exc.__cause__
    if isinstance(cause, json.JSONDecodeError):
        return f"{cause.msg}: line {cause.lineno} column {cause.colno}"
    text = str(exc).strip().splitlines()
    return text[0][:120] if text else type(exc).__name__


def _structure_problem(nb):
    """Jupyter opens notebooks that fail strict validation, so check only what is used."""
    cells = nb.get("cells") if isinstance(nb, dict) else None
    if not isinstance(cells, list):
        return "it has no list of cells"
    for number, cell in enumerate(cells, 1):
        if not isinstance(cell, dict) or not isinstance(cell.get("cell_type"), str):
            return f"cell {number} has no cell type"
        if not isinstance(cell.get("source"), str):
            return f"cell {number} has no source text"
    return None


def _split_lines(text):
    """Lines as Python counts them (\\n, \\r\\n, \\r; not str.splitlines' extra breaks)."""
    lines = re.split(r"\r\n|\r|\n", text)
    return lines[:-1] if len(lines) > 1 and lines[-1] == "" else lines


# -------------------------------------------------------------- one cell
def _cell_to_python(number, lines):
    """A cell's lines -> (the same number of lines of Python, notes)."""
    first = next(i for i, line in enumerate(lines) if line.strip())
    removed = []
    if lines[first].lstrip().startswith("%%"):
        magic = lines[first].lstrip()[2:].split(maxsplit=1)
        magic = magic[0] if magic else ""
        if magic not in PYTHON_CELL_MAGICS:
            return [""] * len(lines), [NOT_PYTHON.format(cell=number, magic=magic)]
        removed.append((first + 1, lines[first].strip()))
        lines = lines[:first] + [""] + lines[first + 1:]
    if not _parses(lines):          # a cell that already parses has no magics to remove
        lines, more = _remove_line_magics(lines)
        removed += more
    error = _syntax_error(lines)
    if isinstance(error, SyntaxError):
        line = min(max(error.lineno or 1, 1), len(lines))
        return [""] * len(lines), [SYNTAX_ERROR.format(cell=number, line=line, msg=_clip(error.msg))]
    if error is not None:
        return [""] * len(lines), [TOO_COMPLEX.format(cell=number, reason=_nested_reason(error))]
    return lines, [_magics_note(number, removed)] if removed else []


def _remove_line_magics(lines):
    """Each %/! line -> pass at its indentation (blank at top level); continuations -> blank."""
    lines, removed, continued = list(lines), [], False
    for i, line in enumerate(lines):
        if continued:
            lines[i] = ""
        else:
            match = _MAGIC.match(line)
            if not match:
                continue
            indent = match.group(1)
            lines[i] = indent + "pass" if indent else ""
            removed.append((i + 1, line.strip().rstrip("\\").rstrip()))
        continued = line.rstrip().endswith("\\")
    return lines, removed


def _magics_note(number, removed):
    numbers = [str(n) for n, _ in removed]
    where_ = ("line " if len(numbers) == 1 else "lines ") + ", ".join(numbers)
    quoted = [text if len(text) <= MAX_QUOTE else text[:MAX_QUOTE - 3] + "..." for _, text in removed]
    what = ", ".join(quoted[:MAX_SHOWN]) + (", ..." if len(quoted) > MAX_SHOWN else "")
    return MAGICS_REMOVED.format(cell=number, lines=where_, what=what)


def _syntax_error(lines):
    """Why these lines do not parse as a module (a SyntaxError, or the RecursionError or
    MemoryError of code nested too deeply), or None."""
    try:
        ast.parse("\n".join(lines))
    except SyntaxError as exc:      # also null bytes, in Python 3.11 and later
        return exc
    except ValueError as exc:       # null bytes, Python 3.10
        return SyntaxError(str(exc))
    except (RecursionError, MemoryError) as exc:
        return exc
    return None


def _nested_reason(exc):
    return f"{type(exc).__name__}: it is nested too deeply"


def _clip(text, limit=MAX_MESSAGE):
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[:limit - 3] + "..."


def _parses(lines):
    return _syntax_error(lines) is None


# ------------------------------------------------------------ the whole
def _parse_as_a_whole(lines, cells, notes):
    """Join the lines; if cells that parse alone do not parse together, drop the culprit."""
    for _ in range(len(lines)):
        error = _syntax_error(lines)
        if not isinstance(error, SyntaxError):  # parses, or no line to blame: submission.load copes
            break
        index = min(max((error.lineno or 1) - 1, 0), len(lines) - 1)
        place = cells[index] or next((c for c in reversed(cells[:index]) if c), None)
        if place is None:
            break
        for i, mapped in enumerate(cells):
            if mapped and mapped[0] == place[0]:
                lines[i] = ""
        notes.append(SYNTAX_ERROR.format(cell=place[0], line=place[1], msg=_clip(error.msg)))
    return "\n".join(lines) + "\n"


def _place(nb, line, step):
    """(cell, line in cell) of a source line; a separator line moves by step to the nearest."""
    index = line - 1
    while 0 <= index < len(nb.cells):
        if nb.cells[index] is not None:
            return nb.cells[index]
        index += step
    return None
