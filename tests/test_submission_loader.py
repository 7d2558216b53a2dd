"""What runs at grading time: definitions yes, a student's script no."""
import ast

import pytest

from grader import submission
from grader.submission import SubmissionError, load


def write(tmp_path, text, name="s.py"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def ran(sub):
    """The first line of each statement that will run."""
    body = ast.parse(sub.source).body
    return [body[i].lineno for i in sub.statements]


def test_definitions_run_and_script_code_is_skipped(tmp_path):
    sub = load(write(tmp_path, "\n".join([
        "import numpy as np",                       # 1 runs
        "from math import pi",                      # 2 runs
        "LR = 0.1",                                 # 3 runs: a constant
        "SIZES = [784, 64, 10]",                    # 4 runs
        "act = lambda z: z",                        # 5 runs: a lambda is a definition
        "data = np.load('mnist.npz')",              # 6 skipped: a call
        "def f(x):",                                # 7 runs
        "    return x",
        "class Net:",                               # 9 runs
        "    pass",
        "print('training')",                        # 11 skipped
        "for epoch in range(10):",                  # 12 skipped
        "    f(epoch)",
        "if __name__ == '__main__':",               # 14 skipped
        "    f(1)",
        "try:",                                     # 16 runs: imports only
        "    import scipy",
        "except ImportError:",
        "    scipy = None",
    ])))
    assert ran(sub) == [1, 2, 3, 4, 5, 7, 9, 16]
    notes = "\n".join(sub.notes)
    assert "line 6: not run (top-level code): data = np.load('mnist.npz')" in notes
    # consecutive script statements make one note
    assert "lines 11-13: not run (top-level code): print('training') (and 1 more statement)" in notes
    assert 'lines 14-15: not run (top-level code): the if __name__ == "__main__": block' in notes


def test_later_definition_wins_and_is_noted(tmp_path):
    sub = load(write(tmp_path, "def f(x):\n    return 1\n\ndef f(x):\n    return 2\n"))
    assert sub.defined["f"] == 4
    assert "f is defined more than once (lines 1, 4); the last definition is graded" in sub.notes


def test_a_block_with_a_syntax_error_is_dropped_and_the_rest_kept(tmp_path):
    sub = load(write(tmp_path, "def good(x):\n    return x\n\ndef bad(x:\n    return 1\n\ndef also_good(y):\n    return y\n"))
    assert set(sub.defined) == {"good", "also_good"}
    assert sub.defined["also_good"] == 7                      # line numbers kept
    assert any(n.startswith("line 4: syntax error") and "lines 4-6 were left out" in n for n in sub.notes)


def test_a_binary_file_raises_one_line(tmp_path):
    path = tmp_path / "s.py"
    path.write_bytes(b"\x00\x01")
    with pytest.raises(SubmissionError) as info:
        load(path)
    assert str(info.value) == f"{path} is not a text file (it contains NUL bytes)"


def test_text_that_is_not_utf8_is_still_graded(tmp_path):
    path = tmp_path / "s.py"
    path.write_bytes(b"# caf\xe9 au lait\ndef f(x):\n    return x\n")
    sub = load(path)
    assert sub.defined == {"f": 2}
    assert f"{path} is not UTF-8 text (byte 5: invalid continuation byte); undecodable bytes were replaced" in sub.notes


def test_missing_directory_and_huge_files(tmp_path, monkeypatch):
    with pytest.raises(SubmissionError, match="no such file"):
        load(tmp_path / "nope.py")
    with pytest.raises(SubmissionError, match="is a directory"):
        load(tmp_path)
    monkeypatch.setattr(submission, "MAX_BYTES", 10)
    with pytest.raises(SubmissionError, match="submissions over"):
        load(write(tmp_path, "x = 1\n" * 10))


def test_empty_file_defines_nothing(tmp_path):
    sub = load(write(tmp_path, ""))
    assert sub.statements == [] and sub.defined == {}


def test_constants_that_read_skipped_data_are_skipped_too(tmp_path):
    sub = load(write(tmp_path, "\n".join([
        "import numpy as np",                      # 1 runs
        "data = np.load('x.npz')",                 # 2 skipped: a call
        "y_train = data['y']",                     # 3 skipped: indexes data
        "X = data",                                # 4 skipped: data never exists
        "DTYPE = np.float64",                      # 5 runs: np is imported
        "def relu(z):",                            # 6 runs
        "    return z",
        "relu_prime = relu",                       # 8 runs: relu is defined
        "ACTS = {'relu': relu, 'n': len}",         # 9 runs: a builtin is known too
        "early = later",                           # 10 skipped: later is not defined yet
        "later = 1",                               # 11 runs
    ])))
    assert ran(sub) == [1, 5, 6, 8, 9, 11]
    assert sub.skipped_names["y_train"] == 3


def test_lambdas_inside_a_literal_are_definitions_but_calls_around_them_are_not(tmp_path):
    sub = load(write(tmp_path, "\n".join([
        "import numpy as np",                                              # 1 runs
        "DERIV = {'relu': lambda z: (z > 0) * 1.0, 'tanh': lambda z: 1 - np.tanh(z) ** 2}",  # 2 runs
        "PAIRS = [(np.tanh, lambda z: 1 - np.tanh(z) ** 2)]",              # 3 runs
        "BAD = {'relu': lambda z: z, 'w': np.load('w.npy')}",              # 4 skipped: a call
        "ALSO_BAD = {'f': lambda z: z, 'g': undefined_name}",              # 5 skipped: unknown
    ])))
    assert ran(sub) == [1, 2, 3]


def test_assignments_run_unless_they_call_own_code_or_io_or_read_unknown_names(tmp_path):
    sub = load(write(tmp_path, "\n".join([
        "import numpy as np",                          # 1 runs
        "from functools import partial",               # 2 runs
        "EPS = np.finfo(float).eps",                   # 3 runs: numpy's own code
        "rng = np.random.default_rng(0)",              # 4 runs
        "W0 = rng.normal(size=(2, 2))",                # 5 runs: rng is known
        "def train(X):",                               # 6 runs
        "    return X",
        "step = partial(train, 1)",                    # 8 runs: train is passed, not called
        "params = train(W0)",                          # 9 skipped: calls the file's own function
        "stepped = step()",                            # 10 skipped: step is built from train
        "W = np.loadtxt('w.txt')",                     # 11 skipped: I/O
        "V = W.T",                                     # 12 skipped: W was never set
        "rng = np.random.default_rng(1)",              # 13 runs: not noted as a redefinition
    ])))
    assert ran(sub) == [1, 2, 3, 4, 5, 6, 8, 13]
    assert not any("more than once" in n for n in sub.notes)
    assert "lines 9-12: not run (top-level code): params = train(W0) (and 3 more statements)" in sub.notes


def test_class_only_solution_gets_a_note_naming_the_class(task):
    from conftest import CASES
    wanted = [f.name for f in task.functions]
    sub = load(CASES / "class_only.py")
    assert sub.methods["sigmoid"] == ("MLP", 7) and "sigmoid" not in sub.defined
    note = submission.class_only_note(sub, wanted)
    assert note == ("sigmoid, sigmoid_grad, tanh, tanh_grad, relu and 14 more are defined only as methods "
                    "of class MLP (line 7); the grader calls module-level functions: define them at module "
                    "level (e.g. `sigmoid = MLP.sigmoid` for a staticmethod, or move them out of the class)")
    from conftest import SUBMISSIONS
    assert submission.class_only_note(load(SUBMISSIONS / "alice.py"), wanted) is None


def test_class_only_note_names_only_what_is_missing_at_module_level(tmp_path):
    sub = load(write(tmp_path, "\n".join([
        "import numpy as np",
        "class MLP:",
        "    @staticmethod",
        "    def sigmoid(z):",
        "        return 1 / (1 + np.exp(-z))",
        "    @staticmethod",
        "    def relu(z):",
        "        return np.maximum(z, 0)",
        "sigmoid = MLP.sigmoid",                      # 9: runs, so sigmoid is at module level
        "class Loss:",
        "    def softmax(self, z):",
        "        return z",
    ])))
    assert "sigmoid" in sub.defined
    note = submission.class_only_note(sub, ["sigmoid", "relu", "softmax", "tanh"])
    assert note == ("relu is defined only as a method of class MLP (line 2); softmax of class Loss (line 10); "
                    "the grader calls module-level functions: define them at module level "
                    "(e.g. `relu = MLP.relu` for a staticmethod, or move them out of the class)")
    assert submission.class_only_note(sub, ["sigmoid", "tanh"]) is None


def test_a_name_defined_many_times_lists_a_few_places(tmp_path):
    sub = load(write(tmp_path, "def f(x):\n    return x\n" * 20))
    note = next(n for n in sub.notes if "more than once" in n)
    assert note == ("f is defined more than once (lines 1, 3, 5, 7, 9, 11, 13, 15, ... (20 in all)); "
                    "the last definition is graded")
