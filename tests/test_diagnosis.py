"""Diagnosis: every catalog bug is named exactly on its mutant, never on right code.

The mutants (tests/mutants.py) and the valid variants (tests/variants/) are graded once
per session, two at a time. For each mutant the diagnosis ids must be exactly its own
(plus bugs it genuinely causes, declared per mutant); it must lose points in its bug's
function and nowhere else, except end-to-end checks its bug necessarily breaks (or may
break, declared with the reason). Each valid variant must score 100 with no diagnosis,
even when every detector is forced to run.
"""
import pytest

from conftest import ROOT, forced_diagnosis
from grader.diagnosis import declaration, detector
from grader.packs import load_pack
from grader.report import render_text
from grader.result import CheckResult, FunctionResult, Report
from mutants import MUTANTS, M, grade_all, render_table

VARIANTS = sorted((ROOT / "tests" / "variants").glob("*.py"))


@pytest.fixture(scope="session")
def mutant_reports(tmp_path_factory):
    return grade_all(MUTANTS, tmp_path_factory.mktemp("mutants"))


@pytest.fixture(scope="session")
def variant_reports(tmp_path_factory):
    from mutants import Mutant
    copies = [Mutant(path.stem, file=str(path.relative_to(ROOT))) for path in VARIANTS]
    return grade_all(copies, tmp_path_factory.mktemp("variants"))


def lost(report, end_to_end):
    """{check id: function} of the checks that lost points."""
    return {c["id"]: f["name"] for f in report["functions"] for c in f["checks"]
            if c["status"] != "passed" and c["max_points"] and c["end_to_end"] == end_to_end}


# ------------------------------------------------------------------ catalog
def test_every_catalog_bug_has_a_mutant_named_after_it(task):
    assert {m.id for m in MUTANTS} == set(task.bugs)
    assert {m.key for m in MUTANTS} >= set(task.bugs)      # the one docs/bugs.md reports
    assert len({m.key for m in MUTANTS}) == len(MUTANTS)


def test_the_detectors_the_task_names_declare_exactly_the_catalog(task):
    pack = load_pack(task.pack)
    named = list(task.detectors) + [f.detector for f in task.functions if f.detector]
    declared = [bug for name in named for bug in declaration(pack.detectors[name]).bugs]
    assert set(declared) == set(task.bugs)
    assert len(named) == len(set(named)) == 16


# ------------------------------------------------------------------ mutants
@pytest.mark.parametrize("mutant", MUTANTS, ids=[m.key for m in MUTANTS])
def test_mutant_is_diagnosed_exactly(mutant, mutant_reports, task):
    report = mutant_reports[mutant.key]
    ids = {d["id"] for d in report["diagnoses"]}
    assert ids == {mutant.id} | mutant.also, report["diagnoses"]
    bug = task.bugs[mutant.id]
    own = next(d for d in report["diagnoses"] if d["id"] == mutant.id)
    home = set(mutant.functions or (bug.function,))
    assert own["function"] in home
    assert own["title"] == bug.title and own["hint"] == bug.hint and own["evidence"]


@pytest.mark.parametrize("mutant", MUTANTS, ids=[m.key for m in MUTANTS])
def test_mutant_loses_points_only_where_its_bug_is(mutant, mutant_reports, task):
    report = mutant_reports[mutant.key]
    home = set(mutant.functions or (task.bugs[mutant.id].function,))
    where = set(lost(report, end_to_end=False).values())
    assert where == home or (home == {"train"} and not where), (where, home)
    e2e = set(lost(report, end_to_end=True))
    # An end-to-end check of a function that declares the buggy one among its helpers runs
    # with a correct stand-in for it (one bug costs its own points): it cannot break.
    covered = {c.id for f in task.functions if home & set(f.helpers) for c in f.checks}
    breaks, may_break = mutant.breaks - covered, mutant.may_break - covered
    assert breaks <= e2e <= breaks | may_break, (e2e, mutant.why)
    assert report["score"] < 100


# ----------------------------------------------------------------- variants
def test_there_are_at_least_eight_valid_variants():
    assert len(VARIANTS) >= 8


@pytest.mark.parametrize("path", VARIANTS, ids=[p.stem for p in VARIANTS])
def test_valid_variant_gets_full_marks_and_no_diagnosis(path, variant_reports):
    report = variant_reports[path.stem]
    assert report["score"] == 100, lost(report, False) | lost(report, True)
    not_passed = [c["id"] for f in report["functions"] for c in f["checks"] if c["status"] != "passed"]
    assert not_passed == []             # the zero-point gradient check too (float32 variants)
    assert report["diagnoses"] == []


@pytest.mark.parametrize("path", VARIANTS + [ROOT / "submissions" / "alice.py"],
                         ids=[p.stem for p in VARIANTS] + ["alice"])
def test_no_detector_fires_on_right_code_even_when_forced(path, task):
    diagnoses, notes = forced_diagnosis(path, task)
    assert diagnoses == []
    assert notes == []


# ------------------------------------------------------------------- report
def test_report_shows_title_evidence_explanation_and_hint_under_the_function(mutant_reports, task):
    report = mutant_reports["softmax-wrong-axis"]
    bug = task.bugs["softmax-wrong-axis"]
    rebuilt = Report(task="mlp", submission="bob.py", functions=[
        FunctionResult(f["name"], f["max_score"], [
            CheckResult(c["id"], f["name"], c["description"], c["status"], c["message"],
                        max_points=c["max_points"]) for c in f["checks"]])
        for f in report["functions"]], diagnoses=report["diagnoses"])
    text = render_text(rebuilt)
    section = text[text.index("\nsoftmax "):text.index("\none_hot ")]
    flat = " ".join(section.split())
    for part in (bug.title, bug.explanation, bug.hint, "columns of softmax(z) sum to 1"):
        assert " ".join(part.split()) in flat
    rebuilt.view = "check"                      # the self-check's "What to fix first" names it too
    todo = " ".join(render_text(rebuilt).split("What to fix first:")[1].split())
    assert "1. softmax: " in todo and f"(likely bug: {bug.title})" in todo


def test_student_view_hides_diagnoses_only_hidden_checks_led_to():
    diagnosis = {"id": "softmax-global-max", "function": "softmax", "title": "t", "explanation": "e",
                 "hint": "h", "evidence": "v", "hidden": True}
    report = Report(task="mlp", submission="s.py", functions=[], diagnoses=[diagnosis])
    assert report.to_dict()["diagnoses"][0]["id"] == "softmax-global-max"
    report.view = "student"
    assert report.to_dict()["diagnoses"] == []
    assert "softmax-global-max" not in render_text(report)


def test_docs_table_is_generated_from_the_catalog_and_the_mutants(mutant_reports, task):
    table = render_table(task.bugs, mutant_reports)
    assert (ROOT / "docs" / "bugs.md").read_text(encoding="utf-8") == table, (
        "docs/bugs.md is out of date: run python scripts/bug_table.py")
    assert table.count("\n| `") == len(task.bugs)


# ------------------------------------------------ a train that calls no helper
INLINE_TRAIN = '''
def train(X, y, layer_sizes, activation="relu", lr=0.1, epochs=5, batch_size=32, seed=0):
    rng = np.random.default_rng(seed)
    Ws, bs = [], []
    for fan_in, fan_out in zip(layer_sizes[:-1], layer_sizes[1:]):
        Ws.append(rng.normal(0.0, np.sqrt(1.0 / fan_in), size=(fan_in, fan_out)))
        bs.append(np.zeros(fan_out))
    f = {"relu": lambda z: np.maximum(z, 0), "tanh": np.tanh,
         "sigmoid": lambda z: 1 / (1 + np.exp(-z))}[activation]
    df = {"relu": lambda a: (a > 0) * 1.0, "tanh": lambda a: 1 - a * a,
          "sigmoid": lambda a: a * (1 - a)}[activation]
    n = X.shape[0]
    for _ in range(epochs):
        order = ORDER
        for s in range(0, n, batch_size):
            idx = order[s:s + batch_size]
            acts = [X[idx]]
            for W, b in zip(Ws[:-1], bs[:-1]):
                acts.append(f(acts[-1] @ W + b))
            z = acts[-1] @ Ws[-1] + bs[-1]
            d = np.exp(z - z.max(axis=1, keepdims=True))
            d /= d.sum(axis=1, keepdims=True)
            d[np.arange(len(idx)), y[idx]] -= 1
            d /= len(idx)
            for l in range(len(Ws) - 1, -1, -1):
                gW, gb = acts[l].T @ d, d.sum(axis=0)
                if l:
                    d = (d @ Ws[l].T) * df(acts[l])
                Ws[l] -= lr * gW
                bs[l] -= lr * gb
    return {f"{k}{l + 1}": v for l in range(len(Ws)) for k, v in (("W", Ws[l]), ("b", bs[l]))}
'''


def _with_inline_train(order):
    import ast
    from mutants import ALICE
    text = ALICE.read_text(encoding="utf-8")
    node = next(n for n in ast.parse(text).body if getattr(n, "name", "") == "train")
    lines = text.splitlines(keepends=True)
    return "".join(lines[:node.lineno - 1]) + INLINE_TRAIN.replace("ORDER", order).lstrip("\\n") + \
        "".join(lines[node.end_lineno:])


@pytest.mark.parametrize("order, expected", [("rng.permutation(n)", set()), ("np.arange(n)", {"no-shuffle"})],
                         ids=["shuffled", "unshuffled"])
def test_train_that_calls_no_helper_is_judged_from_behaviour_and_says_so(tmp_path, task, order, expected):
    from grader.packs.mlp.diagnosis.train_loop import NOT_OBSERVED
    from grader.grade import grade
    path = tmp_path / "inline.py"
    path.write_text(_with_inline_train(order), encoding="utf-8")
    report = grade(path, task)
    assert NOT_OBSERVED in report.notes
    assert report.score == 100          # MNIST is not sorted by class: order alone does not break it
    assert {d["id"] for d in report.diagnoses} == expected
    assert all("judged from behaviour" in d["evidence"] for d in report.diagnoses)


# ------------------------------------------------------------ catalog file
GOOD_ENTRY = {"id": "softmax-wrong-axis", "function": "softmax", "title": "t", "explanation": "e",
              "hint": "h", "origin": "o", "detected": "d"}


@pytest.mark.parametrize("change, message", [
    ({"function": "sofmax"}, "bugs[0].function: 'sofmax' is not a function of the task"),
    ({"title": ""}, "bugs[0].title: expected a non-empty string"),
    ({"id": "Softmax_Axis"}, "bugs[0].id: ids are lower-case words joined by '-'"),
    ({"colour": "red"}, "bugs[0]: unknown field 'colour'"),
])
def test_catalog_mistakes_are_reported_with_their_place(tmp_path, change, message):
    import yaml
    from grader.diagnosis import CatalogError, load_catalog
    path = tmp_path / "bugs.yaml"
    path.write_text(yaml.safe_dump({"bugs": [{**GOOD_ENTRY, **change}]}), encoding="utf-8")
    with pytest.raises(CatalogError) as error:
        load_catalog(path, ["softmax"])
    assert f"{path}: {message}" in str(error.value)


def test_duplicate_catalog_ids_are_refused(tmp_path):
    import yaml
    from grader.diagnosis import CatalogError, load_catalog
    path = tmp_path / "bugs.yaml"
    path.write_text(yaml.safe_dump({"bugs": [GOOD_ENTRY, GOOD_ENTRY]}), encoding="utf-8")
    with pytest.raises(CatalogError, match=r"bugs\[1\]\.id: duplicate id 'softmax-wrong-axis'"):
        load_catalog(path, ["softmax"])


def test_a_detector_that_breaks_costs_no_points_and_says_so(monkeypatch, task):
    from grader.grade import DIAGNOSIS_FAILED, grade

    @detector(bugs=("softmax-wrong-axis",))
    def broken(probe):
        raise ZeroDivisionError("a bug in a detector")
    monkeypatch.setitem(load_pack(task.pack).detectors, "softmax", broken)
    report = grade(ROOT / "submissions" / "bob.py", task)
    assert report.score == 92
    assert DIAGNOSIS_FAILED.format(detail="ZeroDivisionError: a bug in a detector") in report.notes


def test_a_function_that_hung_in_a_check_is_not_probed_again(task):
    from conftest import quick
    from grader.diagnosis.probe import PROBE_SECONDS
    from grader.grade import grade
    report = grade(ROOT / "tests" / "adversarial" / "sleep_forever.py", quick(task))
    hung = [n for n in report.notes if "timed out" in n]
    assert hung and all(f"after {PROBE_SECONDS:g} s" not in n for n in hung), hung


# --------------------------------------------- bugs the catalog does not know
UNKNOWN = [
    # softmax normalised with an extra 1 in the denominator (a "+1 for stability" mix-up)
    M("unknown-softmax", ("    return e / e.sum(axis=1, keepdims=True)", "    return e / (e.sum(axis=1, keepdims=True) + 1)")),
    # only the first layer's weight gradient doubled: no constant factor over all keys
    M("unknown-backward", ('        grads["W" + str(i)] = A_prev.T @ dZ',
                           '        grads["W" + str(i)] = A_prev.T @ dZ * (2.0 if i == 1 else 1.0)')),
    # weight decay folded into the step
    M("unknown-sgd", ("        params[k] -= lr * grads[k]", "        params[k] -= lr * grads[k] + 1e-3 * params[k]")),
    # batches one row too large: still a shuffled partition, the sizes are wrong
    M("unknown-minibatches", ("        batch = idx[start:start + batch_size]", "        batch = idx[start:start + batch_size + 1]"),
      ("    for start in range(0, n, batch_size):", "    for start in range(0, n, batch_size + 1):")),
    # cross-entropy of the most probable class instead of the true one
    M("unknown-cross-entropy", ("    p_correct = probs[np.arange(n), y]", "    p_correct = probs.max(axis=1)")),
]


@pytest.fixture(scope="session")
def unknown_reports(tmp_path_factory):
    return grade_all(UNKNOWN, tmp_path_factory.mktemp("unknown"))


@pytest.mark.parametrize("mutant", UNKNOWN, ids=[m.key for m in UNKNOWN])
def test_a_bug_the_catalog_does_not_know_is_reported_by_the_checks_and_named_by_nothing(mutant, unknown_reports):
    report = unknown_reports[mutant.key]
    assert report["score"] < 100                 # the checks see it and say what they saw
    assert report["diagnoses"] == []             # but no catalog entry fits: none is named


@pytest.mark.parametrize("key", ["no-shuffle", "training-stops-early", "grad-wrong-scale"])
def test_the_same_submission_gets_the_same_diagnosis_every_time(key, mutant_reports, tmp_path):
    again = grade_all([m for m in MUTANTS if m.key == key], tmp_path, jobs=1)[key]
    assert again["diagnoses"] == mutant_reports[key]["diagnoses"]
    assert again["score"] == mutant_reports[key]["score"]
