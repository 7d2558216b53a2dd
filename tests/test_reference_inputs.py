"""Inputs the reference computes (``reference:`` specs) are built once per process and
shared read-only: a class batch builds them before it forks its gradings."""
import dataclasses
import types

import numpy as np
import pytest

from conftest import ROOT
from grader import inputs
from grader.grade import grade
from grader.inputs import REFERENCE_INPUTS, Inputs, prepare
FOUR = {"reference": "preprocess", "args": [{"dataset": "mnist", "part": "test_images", "take": 4}]}


@pytest.fixture(autouse=True)
def empty_memo():
    REFERENCE_INPUTS.clear()
    yield
    REFERENCE_INPUTS.clear()


def counting(monkeypatch, task, name, rows=None):
    """The reference's ``name`` replaced by a wrapper that counts its calls (those whose
    first argument has ``rows`` rows, when given)."""
    module = __import__(task.reference, fromlist=[name])
    original = getattr(module, name)
    calls = []

    def wrapper(*args, **kwargs):
        if rows is None or np.shape(args[0])[0] == rows:
            calls.append(1)
        return original(*args, **kwargs)
    monkeypatch.setattr(module, name, wrapper)
    return calls


def test_a_reference_input_is_computed_once_and_shared_read_only(task, monkeypatch):
    calls = counting(monkeypatch, task, "preprocess")
    first = Inputs(task).value(FOUR)
    second = Inputs(task, {"X": FOUR}).value("$X")
    assert second is first and len(calls) == 1
    assert first.shape == (4, 784) and not first.flags.writeable
    with pytest.raises(ValueError, match="read-only"):
        first[0, 0] = 1.0


def test_another_spec_or_another_reference_function_is_computed_again(task, monkeypatch):
    four = Inputs(task).value(FOUR)
    five = Inputs(task).value({**FOUR, "args": [{**FOUR["args"][0], "take": 5}]})
    assert five.shape == (5, 784) and np.array_equal(five[:4], four)
    calls = counting(monkeypatch, task, "preprocess")        # a patched reference: a new key
    again = Inputs(task).value(FOUR)
    assert calls == [1] and again is not four and np.array_equal(again, four)


def test_a_kits_recorded_answers_are_asked_every_time(task, monkeypatch):
    calls = []
    real = __import__(task.reference, fromlist=["preprocess"])

    def preprocess(images):
        calls.append(1)
        return real.preprocess(images)
    answers = types.SimpleNamespace(preprocess=preprocess)
    monkeypatch.setitem(inputs.OVERRIDES, task.reference, answers)
    Inputs(task).value(FOUR)
    Inputs(task).value(FOUR)
    assert len(calls) == 2            # a recording must see every call (evidence.Recording)


def test_a_kit_tasks_inputs_are_not_kept(task):
    kit = dataclasses.replace(task, evidence="evidence")     # answered from a kit's record
    preprocess = __import__(task.reference, fromlist=["preprocess"]).preprocess
    assert REFERENCE_INPUTS.key(Inputs(task), preprocess, FOUR) is not None
    assert REFERENCE_INPUTS.key(Inputs(kit), preprocess, FOUR) is None


def test_a_grading_after_prepare_builds_no_reference_input_again(task, monkeypatch):
    full = counting(monkeypatch, task, "preprocess", rows=10_000)      # train.mnist's training set
    alice = ROOT / "submissions" / "alice.py"
    assert grade(alice, task).score == 100
    assert len(full) == 1
    REFERENCE_INPUTS.clear()
    prepare(task)
    assert len(full) == 2
    assert grade(alice, task).score == 100
    assert len(full) == 2


def test_each_check_gets_its_own_lists_and_dicts_around_the_shared_arrays(task):
    spec = {"reference": "init_params", "args": [[4, 3, 2], {"rng": 0}]}
    first, second = Inputs(task).value(spec), Inputs(task).value(spec)
    assert first is not second and first["W1"] is second["W1"]
    first["W1"] = np.zeros((4, 3))                # one check replaces a parameter ...
    assert second["W1"].shape == (4, 3) and np.any(second["W1"] != 0)     # ... not the other's
    assert not Inputs(task).value(spec)["W1"].flags.writeable
