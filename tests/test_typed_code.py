"""Typed code loads as in plain Python, script code is still skipped, and any source loads.

The path a submission takes is reproduced here without a worker process:
``grader.submission.load`` chooses the statements, ``compile_plan`` (worker/compiling.py,
loaded by path as the worker loads it) compiles them, and each code object is executed
in a real module's namespace registered in ``sys.modules``, as the worker does. What that
gives is compared with running the same file with plain Python.
"""
import ast
import builtins
import importlib.util
import re
import runpy
import sys
import textwrap
import types

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from conftest import ROOT
from grader import submission
from grader.submission import RUN_RULE, load

_spec = importlib.util.spec_from_file_location("_test_gw_compiling", ROOT / "grader" / "worker" / "compiling.py")
compiling = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(compiling)
compile_plan = compiling.compile_plan

MODULE = "typed_submission"


def write(tmp_path, text, name="s.py"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def notebook(tmp_path, *sources, name="nb.ipynb"):
    path = tmp_path / name
    nbformat.write(new_notebook(cells=[new_markdown_cell("# HW3")] + [new_code_cell(s) for s in sources]), path)
    return path


def as_graded(sub):
    """The submission loaded as the worker loads it -> (namespace, failures)."""
    plan = compile_plan(sub.source, sub.filename, sub.statements)
    assert [entry["index"] for entry in plan] == sub.statements
    module = types.ModuleType(MODULE)
    module.__file__ = sub.filename
    sys.modules[MODULE] = module
    ns = module.__dict__
    ns["__builtins__"] = builtins
    failures = []
    try:
        for entry in plan:
            if "error" in entry:
                failures.append((entry["line"], entry["error"]["type"], entry["error"]["message"]))
                continue
            try:
                exec(entry["code"], ns)
            except Exception as exc:
                failures.append((entry["line"], type(exc).__name__, str(exc)))
    finally:
        del sys.modules[MODULE]
    return ns, failures


def as_plain(path):
    """The file run by plain Python (as a module, not as __main__)."""
    return runpy.run_path(str(path), run_name=MODULE)


def ran_lines(sub):
    body = ast.parse(sub.source).body
    return [body[i].lineno for i in sub.statements]


def noted_as_skipped(sub, line):
    """Whether a "not run" note covers this line ("line 3: ..." or "lines 2-4: ...")."""
    for note in sub.notes:
        match = re.match(r"lines? (\d+)(?:-(\d+))?: not run \(top-level code\)", note)
        if match and int(match.group(1)) <= line <= int(match.group(2) or match.group(1)):
            return True
    return False


def one_line(notes):
    return all(isinstance(n, str) and "\n" not in n and "\r" not in n and len(n) < 600 for n in notes)


# ------------------------------------------------------------- the rule
def test_the_rule_is_stated_in_the_module_docstring():
    said = " ".join(submission.__doc__.split())
    assert " ".join(RUN_RULE.split()) in said
    assert "np.load" in RUN_RULE and "calls a function or method defined in your file" in RUN_RULE


# Each file uses one typed form in a function `f`; every statement of it must run, and
# f() must give what it gives under plain Python.
TYPED = {
    "dict-alias": """
        from typing import Dict
        import numpy as np
        Params = Dict[str, np.ndarray]
        def f(p: Params = None) -> Params:
            return {"W1": np.ones(2)}
    """,
    "ndarray-alias": """
        import numpy as np
        Array = np.ndarray
        def f(x: Array = None) -> Array:
            return np.zeros(2)
    """,
    "npt-alias": """
        import numpy as np
        import numpy.typing as npt
        Array = npt.NDArray[np.float64]
        Labels = npt.NDArray[np.int64]
        def f(x: Array = None, y: Labels = None) -> Array:
            return np.zeros(3)
    """,
    "tuple-shape": """
        from typing import Optional, Union
        Shape = tuple[int, ...]
        Maybe = Optional[Union[int, float]]
        def f(s: Shape = (1, 2), m: Maybe = None) -> Shape:
            return s
    """,
    "typevar": """
        from typing import Sequence, TypeVar
        T = TypeVar("T")
        Number = TypeVar("Number", int, float)
        def first(xs: Sequence[T]) -> T:
            return xs[0]
        def f() -> int:
            return first([3, 4])
    """,
    "namedtuple": """
        import collections
        from typing import NamedTuple
        class Pair(NamedTuple):
            a: int
            b: float = 0.5
        Point = NamedTuple("Point", [("x", float), ("y", float)])
        Old = collections.namedtuple("Old", "u v")
        ORIGIN = Point(0.0, 0.0)
        def f(p: Pair = Pair(1)) -> tuple:
            return tuple(p), tuple(ORIGIN), tuple(Old(1, 2))
    """,
    "typeddict": """
        from typing import TypedDict
        import numpy as np
        class Cache(TypedDict, total=False):
            A0: np.ndarray
            Z1: np.ndarray
        Grads = TypedDict("Grads", {"W1": np.ndarray})
        def f(c: Cache = None) -> Cache:
            return Cache(A0=1)
    """,
    "enum": """
        from enum import Enum, auto
        class Act(str, Enum):
            RELU = "relu"
            TANH = "tanh"
        class Kind(Enum):
            A = auto()
        Color = Enum("Color", "RED GREEN")
        DEFAULT_ACT = Act.RELU
        def f(a: Act = DEFAULT_ACT) -> tuple:
            return Act("tanh").name, Color.RED.value, a.value, Kind.A.value
    """,
    "dataclass-string-annotations": """
        from dataclasses import dataclass, field
        @dataclass(frozen=True)
        class Config:
            lr: "float" = 0.1
            epochs: "int" = 5
            sizes: "list" = field(default_factory=list)
        DEFAULT = Config()
        def f(cfg: "Config" = DEFAULT) -> tuple:
            return cfg.lr, cfg.epochs, Config(lr=0.5).lr
    """,
    "dataclass-future-annotations": """
        from __future__ import annotations
        from dataclasses import dataclass
        from typing import ClassVar
        @dataclass
        class Config:
            lr: float = 0.1
            hidden: list[int] | None = None
            registry: ClassVar[dict[str, int]] = {}
        DEFAULT = Config(lr=0.2)
        def f(cfg: Config = DEFAULT) -> float:
            return cfg.lr
    """,
    "future-annotations-undefined-names": """
        from __future__ import annotations
        LIMIT: NotDefinedAnywhere = 2
        def f(x: Undefined = None) -> AlsoUndefined:
            return LIMIT
    """,
    "lru-cache": """
        import functools
        from functools import lru_cache
        @functools.lru_cache(maxsize=None)
        def keys(i: int) -> tuple:
            return ("W" + str(i), "b" + str(i))
        @lru_cache
        def square(n: int) -> int:
            return n * n
        def f():
            return keys(1), keys(1) is keys(1), square(4)
    """,
    "partial": """
        import functools
        from functools import partial
        import numpy as np
        relu6 = partial(np.clip, a_min=0.0, a_max=6.0)
        row_sum = partial(np.sum, axis=1, keepdims=True)
        def softmax(z, axis=-1):
            e = np.exp(z - z.max(axis=axis, keepdims=True))
            return e / e.sum(axis=axis, keepdims=True)
        softmax_rows = functools.partial(softmax, axis=1)
        def f():
            return relu6(np.array([-1.0, 7.0])), row_sum(np.ones((2, 3))), softmax_rows(np.zeros((1, 2)))
    """,
    "wraps": """
        from functools import wraps
        import numpy as np
        def as_float64(func):
            @wraps(func)
            def wrapper(z):
                return func(np.asarray(z, dtype=np.float64))
            return wrapper
        @as_float64
        def relu(z):
            return np.maximum(z, 0.0)
        def f():
            return relu.__name__, relu([-1, 2])
    """,
    "numpy-constants": """
        import numpy as np
        EPS = np.finfo(float).eps
        TINY = np.finfo(np.float64).tiny
        CLASSES = np.arange(10)
        EYE = np.eye(3)
        HALF = CLASSES.sum() / 2
        GRID = np.linspace(-1, 1, 5)
        def f():
            return EPS, TINY, CLASSES, EYE[1], HALF, GRID
    """,
    "final": """
        from typing import Final
        import typing
        X: Final = 3
        Y: typing.Final[int] = 4
        LR: float = 0.1
        def f():
            return X + Y + LR
    """,
    "dunder-all": """
        __all__ = ["f", "g"]
        __version__ = "1.0"
        def f():
            return sorted(__all__), __version__
        def g():
            return 2
    """,
    "comprehensions": """
        SQUARES = [i * i for i in range(4)]
        LOOKUP = {k: v for k, v in zip("ab", (1, 2))}
        NAMES = sorted({name.upper() for name in ("relu", "tanh")})
        def f():
            return SQUARES, LOOKUP, NAMES
    """,
    "staticmethod-alias": """
        import numpy as np
        class MLP:
            @staticmethod
            def sigmoid(z):
                return 1.0 / (1.0 + np.exp(-z))
        sigmoid = MLP.sigmoid
        def f():
            return sigmoid(0.0)
    """,
    "generator-rng": """
        import numpy as np
        rng = np.random.default_rng(0)
        W0 = rng.normal(size=(2, 2))
        def f():
            return W0
    """,
}


@pytest.mark.parametrize("form", list(TYPED))
def test_typed_form_runs_and_loads_as_in_plain_python(form, tmp_path):
    path = write(tmp_path, TYPED[form])
    sub = load(path)
    body = ast.parse(sub.source).body
    assert sub.statements == list(range(len(body))), [n for n in sub.notes]   # nothing skipped
    assert not [n for n in sub.notes if "not run" in n]
    ns, failures = as_graded(sub)
    assert failures == []
    plain = as_plain(path)
    assert repr(ns["f"]()) == repr(plain["f"]())
    assert repr(getattr(ns["f"], "__annotations__", {})) == repr(getattr(plain["f"], "__annotations__", {}))
    public = {k for k, v in plain.items() if not k.startswith("__") and not isinstance(v, types.ModuleType)}
    assert public <= set(ns)


def test_without_future_annotations_an_undefined_annotation_fails_as_in_plain_python(tmp_path):
    path = write(tmp_path, """
        def f(x: Undefined = None):
            return 1
        def g():
            return 2
    """)
    with pytest.raises(NameError):
        as_plain(path)
    ns, failures = as_graded(load(path))
    assert [(line, kind) for line, kind, _ in failures] == [(1, "NameError")]
    assert "f" not in ns and ns["g"]() == 2


# Script code: the statement on the marked line must be skipped (with a note), the
# function g still defined.
SCRIPT = {
    "np-load": ("import numpy as np", "data = np.load('mnist.npz')"),
    "reads-skipped-data": ("import numpy as np\ndata = np.load('mnist.npz')", "X = data['x']"),
    "calls-own-function": ("def train(X, y):\n    return {}", "params = train(1, 2)"),
    "calls-own-lambda": ("act = lambda z: z", "A = act(1)"),
    "calls-own-through-a-dict": ("def relu(z):\n    return z\nACTS = {'relu': relu}", "A = ACTS['relu'](1.0)"),
    "calls-own-through-partial": ("from functools import partial\ndef h(a, b):\n    return a", "r = partial(h, 1)(2)"),
    "calls-a-lambda-inline": ("", "x = (lambda: 1)()"),
    "calls-own-method": ("class MLP:\n    @staticmethod\n    def fit(X):\n        return X", "w = MLP.fit(1)"),
    "instantiates-class-with-methods": ("class Net:\n    def __init__(self):\n        self.w = 1", "net = Net()"),
    "instantiates-subclass": ("class Base:\n    def __init__(self):\n        pass\nclass Net(Base):\n    pass",
                              "net = Net()"),
    "dataclass-with-own-factory": ("from dataclasses import dataclass, field\ndef make():\n    return []\n"
                                   "@dataclass\nclass C:\n    xs: list = field(default_factory=make)", "c = C()"),
    "print": ("", "print('training')"),
    "print-assigned": ("", "x = print('training')"),
    "plt-plot": ("import matplotlib.pyplot as plt", "plt.plot([1, 2])"),
    "plt-assigned": ("import matplotlib.pyplot as plt", "fig, ax = plt.subplots()"),
    "open": ("", "f = open('data.txt')"),
    "open-read": ("", "text = open('data.txt').read()"),
    "input": ("", "name = input()"),
    "loop": ("", "for i in range(3):\n    pass"),
    "while": ("", "while False:\n    pass"),
    "with": ("", "with open('x.txt') as fh:\n    text = fh.read()"),
    "main-guard": ("", "if __name__ == '__main__':\n    x = 1"),
    "pandas": ("import pandas as pd", "df = pd.read_csv('train.csv')"),
    "np-loadtxt": ("import numpy as np", "W = np.loadtxt('w.txt')"),
    "np-genfromtxt": ("import numpy as np", "W = np.genfromtxt('w.csv', delimiter=',')"),
    "np-fromfile": ("import numpy as np", "W = np.fromfile('w.bin')"),
    "np-save": ("import numpy as np", "ok = np.save('w.npy', np.zeros(2))"),
    "np-savez": ("import numpy as np", "ok = np.savez('w.npz', a=np.zeros(2))"),
    "from-import-alias": ("from numpy import load as ld", "d = ld('x.npz')"),
    "os": ("import os", "files = os.listdir('.')"),
    "pathlib": ("from pathlib import Path", "text = Path('notes.txt').read_text()"),
    "eval": ("", "x = eval('1 + 1')"),
    "tofile": ("import numpy as np\nA = np.zeros(3)", "n = A.tofile('a.bin')"),
    "sklearn-fetch": ("from sklearn.datasets import fetch_openml", "mnist = fetch_openml('mnist_784')"),
    "reads-a-later-name": ("", "early = later\nlater = 1"),
    "call-statement": ("import numpy as np", "np.random.seed(0)"),
    "augmented-unknown": ("", "total += 1"),
}


@pytest.mark.parametrize("form", list(SCRIPT))
def test_script_code_is_still_skipped(form, tmp_path):
    before, statement = SCRIPT[form]
    head = (before + "\n") if before else ""
    text = head + statement + "\n\ndef g():\n    return 2\n"
    path = tmp_path / "s.py"
    path.write_text(text, encoding="utf-8")
    sub = load(path)
    line = head.count("\n") + 1
    assert line not in ran_lines(sub)
    assert noted_as_skipped(sub, line), sub.notes
    assert "g" in sub.defined
    ns, failures = as_graded(sub)
    assert [f for f in failures if f[1] != "ModuleNotFoundError"] == [] and ns["g"]() == 2


def test_every_statement_of_the_typed_variant_runs_but_its_script_code():
    sub = load(ROOT / "tests" / "variants" / "v10_typed.py")
    notes = [n for n in sub.notes if "not run" in n]
    assert len(notes) == 2 and "print('typed MLP loaded')" in notes[0] and "__main__" in notes[1]
    ns, failures = as_graded(sub)
    assert failures == []
    import numpy as np
    probs = ns["softmax"](np.array([[1.0, 2.0, 3.0]]))
    assert abs(probs.sum() - 1) < 1e-12 and ns["relu"]([-1, 2]).tolist() == [0.0, 2.0]
    assert ns["DEFAULTS"].lr == 0.1 and ns["_keys"](2).W == "W2"


# ------------------------------------------------------------ compile_plan
def test_compile_plan_honours_future_annotations(tmp_path):
    source = textwrap.dedent('''
        """Module docstring."""
        from __future__ import annotations
        import numpy as np
        WEIGHTS: Params = {}
        def forward(params: Params, X: Array) -> tuple[Array, Cache]:
            return X, {}
        class Net:
            layers: LayerList
    ''').lstrip()
    tree = ast.parse(source)
    plan = compile_plan(source, "s.py", list(range(len(tree.body))))
    assert all("code" in e for e in plan)
    ns = {"__name__": "x", "__builtins__": builtins}
    for e in plan:
        exec(e["code"], ns)
    assert ns["forward"].__annotations__ == {"params": "Params", "X": "Array", "return": "tuple[Array, Cache]"}
    assert ns["__annotations__"] == {"WEIGHTS": "Params"} and ns["Net"].__annotations__ == {"layers": "LayerList"}
    # without the future import the same definitions fail, as in plain Python
    plain = source.replace("from __future__ import annotations", "")
    plan = compile_plan(plain, "s.py", list(range(len(ast.parse(plain).body))))
    ns = {"__name__": "x", "__builtins__": builtins}
    raised = []
    for e in plan:
        try:
            exec(e["code"], ns)
        except NameError as exc:
            raised.append(str(exc))
    assert raised == ["name 'Params' is not defined"] * 2 + ["name 'LayerList' is not defined"]


def test_compile_plan_entries_lines_and_tracebacks():
    source = ('x = 1; y = "é" * 2; z = y + "ü"\n\n'
              '@staticmethod\n@property\ndef f(a):\n    return 1 / 0\n\nreturn 5\nw = 3\n')
    plan = compile_plan(source, "s.py", [0, 1, 2, 3, 4, 5])
    assert [(e["index"], e["line"], e["end_line"]) for e in plan] == [
        (0, 1, 1), (1, 1, 1), (2, 1, 1), (3, 5, 6), (4, 8, 8), (5, 9, 9)]
    assert plan[4]["error"] == {"type": "SyntaxError", "message": "'return' outside function"}
    ns = {"__builtins__": builtins}
    for e in plan:
        if "code" in e:
            exec(e["code"], ns)
    assert (ns["x"], ns["y"], ns["z"], ns["w"]) == (1, "éé", "ééü", 3)
    assert isinstance(ns["f"], staticmethod)
    with pytest.raises(ZeroDivisionError) as info:
        ns["f"].__func__.fget(None)
    assert info.traceback[-1].lineno + 1 == 6           # the student's own line number


def test_compile_plan_compiles_what_python_compiles_even_when_its_tree_is_deep():
    source = "TOTAL = " + " + ".join(["1"] * 1500) + "\n"
    plan = compile_plan(source, "s.py", [0])
    ns = {}
    exec(plan[0]["code"], ns)
    assert ns["TOTAL"] == 1500


@pytest.mark.parametrize("source, kind", [
    ("x = " + "-" * 100_000 + "1\n", ("MemoryError", "RecursionError")),
    ("x = " + "+".join(["1"] * 1_000_000) + "\n", ("RecursionError", "MemoryError")),
    ("def f(:\n    pass\n", ("SyntaxError",)),
    ("x = 1\0\n", ("SyntaxError", "ValueError")),
], ids=["minuses", "sum-1M", "syntax-error", "null-byte"])
def test_compile_plan_never_raises_on_a_source_it_cannot_parse(source, kind):
    plan = compile_plan(source, "s.py", [0, 3])
    assert [e["index"] for e in plan] == [0, 3]
    assert all(e["error"]["type"] in kind and "code" not in e and e["line"] is None for e in plan)
    assert all(isinstance(e["error"]["message"], str) and "\n" not in e["error"]["message"] for e in plan)


def test_compile_plan_never_raises_on_bad_input():
    assert compile_plan("x = 1\n", "s.py", [5])[0]["error"]["type"] == "IndexError"
    assert compile_plan(None, "s.py", [0])[0]["error"]["type"] == "TypeError"
    assert compile_plan("x = 1\n", "s.py", []) == []


def test_compiling_imports_only_the_standard_library():
    tree = ast.parse((ROOT / "grader" / "worker" / "compiling.py").read_text(encoding="utf-8"))
    imported = {a.name.partition(".")[0] for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    imported |= {n.module.partition(".")[0] for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    assert imported and imported <= set(sys.stdlib_module_names)


# ------------------------------------------------------------- robustness
SIGMOID = "import numpy as np\n\ndef sigmoid(z):\n    return 1 / (1 + np.exp(-z))\n"
RELU = "def relu(z):\n    return np.maximum(z, 0)\n"
PRINT_1500 = "print(" + "+".join(["1"] * 1500) + ")\n"
MINUSES = "x = " + "-" * 100_000 + "1\n"
SUM_1M = "def huge():\n    return " + "+".join(["1"] * 1_000_000) + "\n"


def test_a_print_ast_unparse_cannot_quote_is_skipped_with_a_note(tmp_path):
    path = tmp_path / "s.py"
    path.write_text(SIGMOID + "\n" + PRINT_1500 + "\n" + RELU, encoding="utf-8")
    sub = load(path)
    assert set(sub.defined) == {"sigmoid", "relu"}
    assert [n for n in sub.notes if n.startswith("line 6: not run (top-level code): print(1+1+1+1+")] == sub.notes
    assert one_line(sub.notes)
    ns, failures = as_graded(sub)
    assert failures == [] and {"sigmoid", "relu"} <= set(ns)


@pytest.mark.parametrize("bad, kinds", [(MINUSES, ("MemoryError", "RecursionError")),
                                        (SUM_1M, ("RecursionError", "MemoryError"))],
                         ids=["minuses", "sum-1M"])
def test_code_too_deep_to_parse_is_left_out_with_a_note_and_the_rest_graded(bad, kinds, tmp_path):
    path = tmp_path / "s.py"
    path.write_text(SIGMOID + "\n" + bad + "\n" + RELU, encoding="utf-8")
    sub = load(path)
    assert set(sub.defined) == {"sigmoid", "relu"} and sub.defined["relu"] == 7 + bad.count("\n")
    note = next(n for n in sub.notes if "parser" in n)
    assert note.startswith("line 6: Python's parser cannot handle this code (")
    assert any(k in note for k in kinds) and note.endswith("left out")
    assert one_line(sub.notes)
    ns, failures = as_graded(sub)
    assert failures == [] and {"sigmoid", "relu"} <= set(ns)


def test_a_file_that_cannot_be_parsed_at_all_is_a_note_not_a_crash(tmp_path, monkeypatch):
    monkeypatch.setattr(submission, "_drop_broken_blocks", lambda source: (source, []))
    path = tmp_path / "s.py"
    path.write_text(SIGMOID + MINUSES, encoding="utf-8")
    sub = load(path)
    assert sub.statements == [] and sub.defined == {}
    assert sub.notes[-1].startswith(f"{path}: Python's parser cannot handle this file (")
    assert ast.parse(sub.source).body == [] and sub.source.count("\n") == (SIGMOID + MINUSES).count("\n")


def test_deep_code_in_notebook_cells_costs_only_its_cell(tmp_path):
    path = notebook(tmp_path, SIGMOID, PRINT_1500, MINUSES, SUM_1M, RELU)
    sub = load(path)
    assert set(sub.defined) == {"sigmoid", "relu"}
    notes = sub.notes
    assert any(n.startswith("cell 3, line 1: not run (top-level code): print(1+1+") for n in notes)
    assert any(n.startswith("cell 4: Python's parser cannot handle this cell (") for n in notes)
    assert any(n.startswith("cell 5: Python's parser cannot handle this cell (") for n in notes)
    assert one_line(notes)
    ns, failures = as_graded(sub)
    assert failures == [] and {"sigmoid", "relu"} <= set(ns)


def test_describe_never_raises():
    deep = ast.parse(PRINT_1500).body[0]
    assert submission._describe(deep, PRINT_1500.splitlines()).startswith("print(1+1+")
    assert submission._describe(deep) == "Expr"
    assert len(submission._describe(deep, PRINT_1500.splitlines())) <= 60


def test_long_student_text_in_notes_is_clipped(tmp_path):
    name = "f" * 10_000
    path = tmp_path / "s.py"
    path.write_text(f"def {name}():\n    return 1\n\ndef {name}():\n    return 2\n" + "x = 1\n" * 3, encoding="utf-8")
    sub = load(path)
    assert len(sub.notes) == 1 and len(sub.notes[0]) < 400 and one_line(sub.notes)
