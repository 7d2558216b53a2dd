"""The core knows no assignment: MLP knowledge lives in grader/packs/mlp/.

The core is grader/ outside grader/packs/. No name of the mlp task's functions (nor
"mlp", "mnist", "xor") appears in its code: not as an identifier, an attribute, a
parameter, nor inside a string literal. Docstrings and comments may use them as
examples ("softmax(z) style text"); code may not, so a second assignment never meets a
hidden ``"forward"``.
"""
import ast
import re

import yaml

from conftest import ROOT

CORE = [p for p in sorted((ROOT / "grader").rglob("*.py")) if "packs" not in p.relative_to(ROOT / "grader").parts]
TASK = yaml.safe_load((ROOT / "tasks" / "mlp" / "task.yaml").read_text(encoding="utf-8"))
MLP_WORDS = sorted({f["name"] for f in TASK["functions"]} | {"mlp", "mnist", "xor"})
WORD = re.compile(r"\b(" + "|".join(MLP_WORDS) + r")\b")
# The only words allowed, each for its reason:
ALLOWED = {
    ("grader/task.py", "mlp"): "DEFAULT_TASK: the name of the shipped task folder --task defaults to",
    ("grader/names.py", "backward"): "a suffix students give derivatives (relu_backward), not a call",
}


def _docstrings(tree):
    """The string constants that are docstrings (of the module, classes, functions)."""
    nodes = [tree] + [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))]
    return {id(n.body[0].value) for n in nodes
            if n.body and isinstance(n.body[0], ast.Expr) and isinstance(n.body[0].value, ast.Constant)
            and isinstance(n.body[0].value.value, str)}


def mlp_words_in_code(path):
    """[(line, word)] of MLP words in the code of ``path`` (docstrings and comments left out)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docs, found = _docstrings(tree), []
    for node in ast.walk(tree):
        texts = []
        if isinstance(node, ast.Name):
            texts = [node.id]
        elif isinstance(node, ast.Attribute):
            texts = [node.attr]
        elif isinstance(node, ast.arg):
            texts = [node.arg]
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            texts = [node.name]
        elif isinstance(node, ast.alias):
            texts = [node.name, node.asname or ""]
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docs:
            texts = [node.value]
        found += [(getattr(node, "lineno", 0), m.group(1)) for text in texts for m in WORD.finditer(text)]
    return found


def test_the_core_is_most_of_the_grader():
    assert len(CORE) >= 30 and (ROOT / "grader" / "packs" / "mlp" / "__init__.py").is_file()


def test_no_mlp_function_name_appears_in_the_cores_code():
    found = {}
    for path in CORE:
        where = path.relative_to(ROOT).as_posix()
        hits = [(line, word) for line, word in mlp_words_in_code(path) if (where, word) not in ALLOWED]
        if hits:
            found[where] = hits
    assert found == {}


def test_each_allowed_word_is_still_there_and_only_once():
    for (where, word) in ALLOWED:
        assert [w for _, w in mlp_words_in_code(ROOT / where)].count(word) == 1, (where, word)


def test_the_check_itself_finds_a_hidden_forward(tmp_path):
    code = tmp_path / "x.py"
    code.write_text('"""forward in a docstring is fine."""\n# and softmax in a comment\n'
                    'def f(ns):\n    return ns["forward"]\n', encoding="utf-8")
    assert mlp_words_in_code(code) == [(4, "forward")]
