"""No points without evidence: a file of stubs that compute nothing right scores 0.

tests/stubs/ holds one submission per pattern of "looks like an answer, computes
nothing": zeros, ones, a constant, the input handed back, minibatches that repeat the
first batch (the rest zeros). Every one defines all functions of the mlp task with the
template's signatures, so nothing is missing: only the values are wrong. Checks that a
stub passes by its shape alone (same shape, input left unchanged, x restored, rows kept
paired, consistent with the student's own equally empty helper) must not earn points.
The untouched template (every function raises NotImplementedError) scores 0 too.
"""
import ast

import pytest

from conftest import ROOT
from grader.grade import grade

STUBS = ROOT / "tests" / "stubs"
TEMPLATE = ROOT / "tasks" / "mlp" / "template.py"
PATTERNS = ["zeros", "ones", "constant", "identity", "first_batch"]
FILES = {**{name: STUBS / f"{name}.py" for name in PATTERNS}, "template": TEMPLATE}


def signatures(path):
    """{function name: argument names with defaults} of a file's top-level functions."""
    found = {}
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.FunctionDef) and not node.name.startswith("_"):
            args = node.args
            defaults = [None] * (len(args.args) - len(args.defaults)) + \
                [ast.literal_eval(d) for d in args.defaults]
            found[node.name] = [(a.arg, d) for a, d in zip(args.args, defaults)]
    return found


def test_the_stubs_are_all_here():
    assert sorted(p.stem for p in STUBS.glob("*.py")) == sorted(PATTERNS)


@pytest.mark.parametrize("name", PATTERNS)
def test_every_stub_defines_every_function_of_the_task_with_the_templates_signature(task, name):
    template = signatures(TEMPLATE)
    assert sorted(template) == sorted(f.name for f in task.functions)
    assert signatures(FILES[name]) == template


@pytest.mark.parametrize("name", list(FILES))
def test_a_file_of_stubs_that_compute_nothing_right_scores_zero(task, name):
    report = grade(FILES[name], task)
    earned = [f"{c.id} ({c.points} pts): {c.description}"
              for f in report.functions for c in f.checks if c.points]
    assert report.score == 0, f"{name} scored {report.score}/{report.max_score} from:\n" + "\n".join(earned)
    assert report.max_score == 100
    # a true 0: the grader judged every check, none of them failed on an error of its own
    assert [c.id for f in report.functions for c in f.checks if c.grader_error] == []
    assert not any("grader error" in n for n in report.notes), report.notes
