"""Validated task files (grader/schemas/, grader/checks/registry.py, grader/task.py) and
``grader task check`` (grader/taskcheck.py).

Each broken task is the shipped tasks/mlp folder copied into tmp_path with one edit of
task.yaml's text, and must be refused with exactly one located line.
"""
import shutil
import subprocess
import sys
from dataclasses import fields

import pytest
import yaml
from jsonschema import Draft202012Validator

from conftest import ROOT
from grader.checks import all_kinds, is_evidence
from grader.checks.registry import COMMON_KEYS, declaration
from grader.packs import all_packs, load_pack
from grader.schemas import BUGS_SCHEMA, SCHEMA_DIR, TASK_SCHEMA, load_schema
from grader.task import TaskError, load_task
from grader.worker import WorkerLimits

KINDS = all_kinds()
LOADERS = [name for pack in all_packs() for name in pack.loaders]
DATA_DIR = load_pack("mlp").data            # where the mlp pack ships MNIST

MLP = ROOT / "tasks" / "mlp"
# the shipped task names MNIST relative to the pack's data/ folder, which works from
# anywhere: a copy needs no edit to find it
COPY_PATH = "path: mnist}"

def copy_task(tmp_path, *edits):
    """tasks/mlp copied to tmp_path/mlp, each (old, new) text edit made exactly once."""
    folder = tmp_path / "mlp"
    shutil.copytree(MLP, folder, ignore=shutil.ignore_patterns("__pycache__"))
    path = folder / "task.yaml"
    text = path.read_text(encoding="utf-8")
    for old, new in edits:
        assert text.count(old) == 1, f"the edit must match once: {old!r}"
        text = text.replace(old, new)
    path.write_text(text, encoding="utf-8")
    return path.resolve()


def refused(path):
    with pytest.raises(TaskError) as info:
        load_task(path)
    return str(info.value)


# name: (old text, new text, the message after "<task.yaml>: ")
BROKEN = {
    "a kind's parameter misspelt": (
        "        rtol: 1.0e-6\n", "        rtoll: 1.0e-6\n",
        "functions[18].checks[0].rtoll: unknown parameter of matches_reference (did you mean rtol?)"),
    "prat for part": (
        "        part: shapes\n", "        prat: shapes\n",
        "functions[11].checks[0].prat: unknown parameter of forward_layers (did you mean part?)"),
    "an unknown input spec": (
        "args: [{randn: [4, 3], seed: 12}]", "args: [{gauss: [4, 3], seed: 12}]",
        "functions[6].checks[0].args[0]: unknown input spec 'gauss' (known: array, randn, uniform, "
        "randint, rng, probe, dataset, reference)"),
    "an undefined $binding": (
        "args: [$probs, $y]", "args: [$prob, $y]",
        "functions[8].checks[0].args[0]: $prob is not bound under let: (did you mean $probs?)"),
    "an unknown dataset": (
        "{dataset: mnist, part: test_images, take: 16}", "{dataset: mnst, part: test_images, take: 16}",
        "functions[9].let.images.dataset: unknown dataset 'mnst' (did you mean mnist?)"),
    "a reference function misspelt": (
        "probs: {reference: softmax,", "probs: {reference: sofmax,",
        "functions[8].let.probs.reference: the reference module reference.mlp has no sofmax "
        "(did you mean softmax?)"),
    "threshold: high": (
        "threshold: 0.85", "threshold: high",
        "functions[15].checks[1].threshold: expected a fraction between 0 and 1, got 'high'"),
    "one argument too many": (
        "args: [{randn: [5, 4], seed: 14, scale: 2}]", "args: [{randn: [5, 4], seed: 14, scale: 2}, 1]",
        "functions[6].checks[2].args: softmax(z) takes 1 argument, got 2"),
    "a case short of the kind's arguments": (
        "[$p2, $X, sigmoid]]", "[$p2, $X]]",
        "functions[11].checks[1].cases[1]: forward_layers takes [params, X, activation] in each case, got 2"),
    "no arguments at all": (
        "        args: [{randint: [0, 10], shape: [12], seed: 17}, 10]\n", "",
        "functions[7].checks[1]: one_hot(y, num_classes) takes 2 arguments; give them under args: or cases:"),
    "hiden: true": (
        "        hidden: true\n        args: [{array: [[0.5", "        hiden: true\n        args: [{array: [[0.5",
        "functions[6].checks[4].hiden: unknown key (did you mean hidden?)"),
    "an unknown top-level key": (
        "total: 100\n", "total: 100\ndeadline: friday\n",
        "deadline: unknown key (known: name, title, reference, pack, template, bugs, detectors, total, "
        "limits, datasets, functions, evidence, hidden_checks)"),
    "an unknown limit": (
        "  call_seconds: 10 ", "  call_second: 10 ",
        "limits.call_second: unknown limit (did you mean call_seconds?)"),
    "a dataset path that does not exist": (
        COPY_PATH, "path: no-such-folder}",
        "datasets.mnist.path: no such folder 'no-such-folder', neither in the task folder ({folder}) "
        "nor in the pack's data folder ({data})"),
    "a helper that is not a task function": (
        "    helpers: [sigmoid]\n", "    helpers: [sigmod]\n",
        "functions[1].helpers[0]: 'sigmod' is not another function of the task (did you mean sigmoid?)"),
    "an evidence id that is not a check of the function": (
        "evidence: [minibatches.partition, minibatches.sizes]",
        "evidence: [minibatches.partition, minibatches.size]",
        "functions[14].evidence[1]: 'minibatches.size' is not a check of minibatches "
        "(did you mean minibatches.sizes?)"),
    "an own helper that is not a task function": (
        "own_helpers: [relu_grad,", "own_helpers: [relu_grd,",
        "functions[12].checks[3].own_helpers[0]: 'relu_grd' is not a function of the task "
        "(did you mean relu_grad?)"),
    "a kind misspelt": (
        "kind: rows_sum_to_one", "kind: rows_sum_to_1",
        "functions[6].checks[1].kind: unknown check kind 'rows_sum_to_1' (did you mean rows_sum_to_one?)"),
    "a value outside the allowed ones": (
        "property: reshuffles", "property: reshuffle",
        "functions[14].checks[3].property: unknown property 'reshuffle' (did you mean reshuffles?)"),
    "a spec option misspelt": (
        "{randn: [6, 5], seed: 3, scale: 4}", "{randn: [6, 5], seed: 3, sclae: 4}",
        "functions[0].checks[1].args[0].sclae: unknown key of a randn spec (did you mean scale?)"),
    "a dataset part misspelt": (
        "{dataset: mnist, part: train_labels}", "{dataset: mnist, part: train_label}",
        "functions[15].checks[1].train[1].part: dataset 'mnist' has no part 'train_label' "
        "(did you mean train_labels?)"),
    "a binding defined in terms of itself": (
        "X4: {randn: [8, 4], seed: 27}", "X4: $c1",
        "functions[12].let.X4: $X4 is defined in terms of itself ($X4 -> $c1 -> $X4)"),
    "a number YAML reads as text": (
        "eps: 1.0e-6", "eps: 1e-6",
        "functions[12].checks[4].eps: expected a number > 0, got '1e-6' (YAML reads 1e-6 as text: "
        "write the number with a dot, e.g. 1.0e-6)"),
    "a signature of another function": (
        "signature: tanh(z)", "signature: tahn(z)",
        "functions[2].signature: the signature is of tahn, not of tanh"),
    "a reference module that does not exist": (
        "reference: reference.mlp", "reference: reference.mpl",
        "reference: cannot import reference.mpl: ModuleNotFoundError: No module named 'reference.mpl'"),
    "a pack that does not exist": (
        "pack: mlp ", "pack: mpl ",
        "pack: unknown pack 'mpl' (known: mlp) (did you mean mlp?)"),
    "a detector misspelt": (
        "    detector: softmax\n", "    detector: sofmax\n",
        "functions[6].detector: unknown detector 'sofmax' of pack 'mlp' (did you mean softmax?)"),
    "a detector named twice": (
        "detectors: [mutates_input]", "detectors: [mutates_input, softmax]",
        "functions[6].detector: softmax is named twice (a detector runs once)"),
    "a template that does not exist": (
        "template: template.py", "template: templates.py",
        "template: no such file 'templates.py' in the task folder ({folder})"),
}


@pytest.mark.parametrize("name", list(BROKEN))
def test_a_broken_task_is_refused_with_one_located_line(tmp_path, name):
    old, new, expected = BROKEN[name]
    path = copy_task(tmp_path, (old, new))
    message = refused(path)
    assert message == f"{path}: " + expected.format(folder=path.parent, data=DATA_DIR)
    assert "\n" not in message


def test_the_copied_task_loads_and_finds_its_data_in_the_packs_data_folder(tmp_path):
    task = load_task(copy_task(tmp_path))
    assert task.datasets["mnist"]["path"] == str((DATA_DIR / "mnist").resolve())
    assert [f.name for f in task.functions] == [f.name for f in load_task("mlp").functions]


def test_a_detector_naming_a_bug_the_catalog_lacks_is_refused(tmp_path):
    path = copy_task(tmp_path)
    bugs = path.parent / "bugs.yaml"
    doc = yaml.safe_load(bugs.read_text(encoding="utf-8"))
    doc["bugs"] = [b for b in doc["bugs"] if b["id"] != "tanh-overflow"]
    bugs.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    assert refused(path) == f"{path}: functions[2].detector: tanh can name 'tanh-overflow', which bugs.yaml lacks"


def test_a_catalog_bug_no_detector_names_is_refused_at_its_entry(tmp_path):
    path = copy_task(tmp_path, ("    detector: tanh\n", ""))
    assert refused(path) == (f"{path.parent / 'bugs.yaml'}: bugs[1].id: no detector of the task can "
                             "name 'tanh-overflow': give its function a detector that declares it")


def test_a_packs_kind_in_a_task_without_the_pack_is_an_unknown_kind(tmp_path):
    path = copy_task(tmp_path, ("pack: mlp ", "# pack: mlp "),
                     ("datasets:\n  xor: {loader: xor}\n  mnist: {loader: mnist, path: mnist}", "datasets: {}"))
    assert refused(path) == (f"{path}: functions[10].checks[0].kind: unknown check kind 'init_shapes' "
                             "(known: matches_reference, same_shape, returns_number, unchanged_inputs, "
                             "values_in_range, rows_sum_to_one)")


def test_the_first_mistake_in_the_file_is_reported(tmp_path):
    path = copy_task(tmp_path, BROKEN["a kind's parameter misspelt"][:2], BROKEN["hiden: true"][:2])
    assert refused(path) == f"{path}: {BROKEN['hiden: true'][2]}"


def test_kwargs_must_name_parameters_of_the_signature(tmp_path):
    path = copy_task(tmp_path, ("args: [{randn: [5, 4], seed: 14, scale: 2}]",
                                "args: [{randn: [5, 4], seed: 14, scale: 2}]\n        kwargs: {axsi: 1}"))
    assert refused(path) == f"{path}: functions[6].checks[2].kwargs.axsi: softmax(z) has no parameter 'axsi'"


def test_a_missing_data_file_is_named(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    path = copy_task(tmp_path, (COPY_PATH, f"path: {empty}}}"))
    assert refused(path) == f"{path}: datasets.mnist.path: {empty.resolve()} has no train-images-idx3-ubyte.gz"


def test_old_messages_keep_their_wording(tmp_path):
    path = copy_task(tmp_path, ("        points: 2\n        args: [{randn: [5, 4], seed: 14",
                                "        points: two\n        args: [{randn: [5, 4], seed: 14"))
    assert refused(path) == f"{path}: functions[6].checks[2].points: expected a whole number >= 0, got 'two'"


# ------------------------------------------------------------------ the shipped files
def test_the_shipped_task_validates():
    task = load_task("mlp")
    assert task.template == "template.py" and len(task.functions) == 19 and task.bugs


@pytest.mark.parametrize("name, schema", [("task.yaml", TASK_SCHEMA), ("bugs.yaml", BUGS_SCHEMA)])
def test_the_shipped_files_name_their_schema_for_editors(name, schema):
    first = (MLP / name).read_text(encoding="utf-8").splitlines()[0]
    assert first == f"# yaml-language-server: $schema=../../grader/schemas/{schema}"
    assert (MLP / first.split("=", 1)[1]).resolve() == (SCHEMA_DIR / schema).resolve()


@pytest.mark.parametrize("schema", [TASK_SCHEMA, BUGS_SCHEMA])
def test_the_schemas_are_valid_draft_2020_12(schema):
    doc = load_schema(schema)
    assert doc["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(doc)


def test_the_shipped_task_passes_the_shipped_schema_as_editors_see_it():
    doc = yaml.safe_load((MLP / "task.yaml").read_text(encoding="utf-8"))
    errors = list(Draft202012Validator(load_schema(TASK_SCHEMA)).iter_errors(doc))
    assert [e.message for e in errors] == []


def test_the_schema_knows_what_the_code_knows():
    schema = load_schema(TASK_SCHEMA)["$defs"]
    limits = load_schema(TASK_SCHEMA)["properties"]["limits"]["properties"]
    assert list(limits) == [f.name for f in fields(WorkerLimits)]
    assert list(schema["check"]["properties"]) == list(COMMON_KEYS)
    assert schema["dataset"]["properties"]["loader"]["enum"] == list(LOADERS)
    assert schema["kind"]["enum"] == list(KINDS)


def test_the_kinds_table_and_the_schemas_kinds_are_up_to_date():
    result = subprocess.run([sys.executable, str(ROOT / "scripts" / "kinds_table.py"), "--check"],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_kind_declares_itself():
    for name, func in KINDS.items():
        spec = declaration(func)
        assert spec is not None and spec.name == name and spec.summary, name


def test_evidence_is_what_the_old_table_said(task):
    old = {"matches_reference": True, "same_shape": False, "returns_number": False,
           "unchanged_inputs": False, "values_in_range": False, "rows_sum_to_one": False,
           "init_shapes": False, "init_scale": True, "init_uses_rng": True,
           "forward_layers": lambda params: params.get("part") != "shapes",
           "backward_matches": True, "gradient_check": False, "predict_labels": True,
           "integer_labels": False,
           "minibatch_property": lambda params: params.get("property") == "partition",
           "learns": True}
    assert set(KINDS) == set(old)
    for f in task.functions:
        for c in f.checks:
            rule = old[c.kind]
            assert is_evidence(c, task.kinds) == bool(rule(c.params) if callable(rule) else rule), c.id
    forward = next(c for f in task.functions for c in f.checks if c.kind == "forward_layers")
    for part in ("shapes", "pre_activations", "hidden", "output"):
        check = type(forward)(**{**forward.__dict__, "params": {**forward.params, "part": part}})
        assert is_evidence(check, task.kinds) == (part != "shapes")


def test_a_kind_without_a_declaration_takes_any_keys(tmp_path):
    def telepathy(ctx):
        return None
    path = copy_task(tmp_path, ("kind: rows_sum_to_one", "kind: telepathy\n        vibes: strong"))
    task = load_task(path, kinds={**load_task("mlp").kinds, "telepathy": telepathy})
    assert task.function("softmax").checks[1].params["vibes"] == "strong"


def test_catalog_mistakes_name_their_place(tmp_path):
    folder = tmp_path / "mlp"
    path = copy_task(tmp_path)
    bugs = folder / "bugs.yaml"
    text = bugs.read_text(encoding="utf-8")
    assert text.count("    title: softmax normalises each column") == 1
    bugs.write_text(text.replace("    title: softmax normalises each column", "    titel: softmax normalises"),
                    encoding="utf-8")
    message = refused(path)
    index = [b["id"] for b in yaml.safe_load(text)["bugs"]].index("softmax-wrong-axis")
    assert message == f"{bugs.resolve()}: bugs[{index}]: unknown field 'titel' (did you mean title?)"


# ------------------------------------------------------------------ grader task check
def task_check(*args, cwd=ROOT):
    return subprocess.run([sys.executable, "-m", "grader", "task", "check", *args], capture_output=True,
                          text=True, timeout=600, cwd=cwd)


def test_task_check_passes_the_shipped_task():
    result = task_check("mlp")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("mlp: ready: the task file is valid (19 functions, ")
    assert "scores 100/100 with no diagnosis" in result.stdout and result.stdout.count("\n") == 1


def test_task_check_refuses_an_invalid_task_file_with_exit_2(tmp_path):
    old, new, expected = BROKEN["a kind's parameter misspelt"]
    path = copy_task(tmp_path, (old, new))
    result = task_check(str(path.parent))
    assert result.returncode == 2
    assert result.stderr == f"grader: error: {path}: {expected}\n" and result.stdout == ""


def test_task_check_fails_when_the_reference_cannot_reach_full_marks(tmp_path):
    path = copy_task(tmp_path, ("threshold: 0.85", "threshold: 0.95"))
    result = task_check(str(path))
    assert result.returncode == 1, result.stdout + result.stderr
    line = result.stderr
    assert line.startswith("grader: task check failed: the reference ") and line.count("\n") == 1
    assert "scores 93/100, not 100: train.mnist failed (" in line


COLMAJOR = ROOT / "tasks" / "dnn_colmajor"


def copy_colmajor(tmp_path, swap=None):
    """tasks/dnn_colmajor copied, its catalog's mutants named by absolute path; ``swap``:
    (id, file) gives that id another submission as its mutant."""
    folder = tmp_path / "dnn_colmajor"
    shutil.copytree(COLMAJOR, folder, ignore=shutil.ignore_patterns("__pycache__"))
    bugs = folder / "bugs.yaml"
    text = bugs.read_text(encoding="utf-8").replace("../../submissions/", f"{ROOT}/submissions/")
    if swap:
        doc = yaml.safe_load(text)
        entry = next(b for b in doc["bugs"] if b["id"] == swap[0])
        entry["mutants"] = [str(swap[1])]
        text = yaml.safe_dump(doc, sort_keys=False)
    bugs.write_text(text, encoding="utf-8")
    return folder


def test_task_check_passes_the_column_major_task_and_proves_its_mutants():
    result = task_check("dnn_colmajor")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("dnn_colmajor: ready: the task file is valid (17 functions, ")
    assert result.stdout.rstrip().endswith("; 9 mutants each get exactly their bug's id")


def test_task_check_fails_when_a_mutant_is_not_diagnosed_with_its_id(tmp_path):
    wrong = ROOT / "submissions" / "colmajor" / "db_flat.py"
    folder = copy_colmajor(tmp_path, swap=("colmajor-db-wrong-axis", wrong))
    result = task_check(str(folder))
    assert result.returncode == 1, result.stdout + result.stderr
    assert result.stderr == (f"grader: task check failed: the mutant {wrong} of 'colmajor-db-wrong-axis' "
                             f"is diagnosed with colmajor-db-not-column, not exactly 'colmajor-db-wrong-axis'\n")


def test_a_catalog_mutant_that_does_not_exist_is_refused_with_its_place(tmp_path):
    folder = copy_colmajor(tmp_path, swap=("colmajor-cost-summed", "cost_sumed.py"))
    bugs = (folder / "bugs.yaml").resolve()
    index = [b["id"] for b in yaml.safe_load(bugs.read_text(encoding="utf-8"))["bugs"]].index("colmajor-cost-summed")
    assert refused(folder / "task.yaml") == (f"{bugs}: bugs[{index}].mutants[0]: no such file 'cost_sumed.py' "
                                             f"(relative to {bugs.parent})")
