"""The task file: the mlp task is valid, and mistakes in a task file are located."""
import pytest
import yaml

from grader.checks import all_kinds

KINDS = all_kinds()
from grader.task import TaskError, load_task


def test_mlp_task_declares_the_contract(task):
    names = [f.name for f in task.functions]
    assert names == ["sigmoid", "sigmoid_grad", "tanh", "tanh_grad", "relu", "relu_grad", "softmax",
                     "one_hot", "cross_entropy", "preprocess", "init_params", "forward", "backward",
                     "sgd_step", "minibatches", "train", "predict", "accuracy", "numerical_gradient"]
    assert task.total == 100 == sum(f.points for f in task.functions)
    for f in task.functions:
        assert sum(c.points for c in f.checks) == f.points
        assert all(c.kind in task.kinds and c.description for c in f.checks)


def test_template_has_every_function_with_the_declared_signature(task):
    import ast
    tree = ast.parse((task.directory / "template.py").read_text())
    defs = {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef)}
    for f in task.functions:
        declared = ast.parse(f"def {f.signature}: pass").body[0].args
        assert ast.dump(defs[f.name].args) == ast.dump(declared), f.name
        assert ast.get_docstring(defs[f.name]), f.name


def broken(tmp_path, task, edit):
    doc = yaml.safe_load(task.path.read_text())
    edit(doc)
    path = tmp_path / "task.yaml"
    path.write_text(yaml.safe_dump(doc))
    with pytest.raises(TaskError) as info:
        load_task(path)
    return str(info.value)


def test_points_that_do_not_add_up_are_located(tmp_path, task):
    def edit(doc):
        doc["functions"][6]["checks"][1]["points"] = 5
    message = broken(tmp_path, task, edit)
    assert "functions[6].points: softmax is worth 8 but its checks add up to 12" in message


def test_bad_values_are_located(tmp_path, task):
    def kind(doc):
        doc["functions"][0]["checks"][0]["kind"] = "telepathy"
    assert "functions[0].checks[0].kind: unknown check kind 'telepathy'" in broken(tmp_path, task, kind)

    def points(doc):
        doc["functions"][2]["checks"][1]["points"] = "two"
    assert "functions[2].checks[1].points: expected a whole number >= 0, got 'two'" in broken(tmp_path, task, points)

    def dup(doc):
        doc["functions"][1]["checks"][0]["id"] = "sigmoid.shape"
    assert "duplicate check id 'sigmoid.shape'" in broken(tmp_path, task, dup)

    def limit(doc):
        doc["limits"]["coffee_breaks"] = 3
    assert "limits.coffee_breaks: unknown limit" in broken(tmp_path, task, limit)


def test_unknown_task_lists_the_known_ones():
    with pytest.raises(TaskError, match=r"unknown task 'nope'.*known tasks: dnn_colmajor, mlp"):
        load_task("nope")


def test_invalid_yaml_names_line_and_column(tmp_path):
    path = tmp_path / "task.yaml"
    path.write_text("name: x\nfunctions: [\n")
    with pytest.raises(TaskError, match=r"task.yaml:3:1: not valid YAML"):
        load_task(path)


def test_every_check_kind_is_documented_for_staff():
    from conftest import ROOT
    doc = (ROOT / "docs" / "tasks.md").read_text()
    undocumented = [name for name in KINDS if f"| `{name}` |" not in doc]
    assert undocumented == []
