"""Recorded answers (grader/evidence.py): what a student kit carries instead of the
reference's code. A question is answered only when it matches a recorded one (same
structure, floats within round-off, generators in the same state), with the recorded
answer and the generator left where the real call left it; any other question raises
NotRecorded; the record is JSON and an npz, read without pickle."""
import json
import zipfile

import numpy as np
import pytest

from grader import evidence, inputs
from grader.evidence import Answers, NotRecorded, Recording

REFERENCE = "reference.mlp"


@pytest.fixture
def recorded(tmp_path):
    """A record of a few reference calls, saved and read back -> (Answers module, real module, inputs)."""
    recording = Recording()
    z = np.random.default_rng(0).standard_normal((4, 3))
    images = np.random.default_rng(1).integers(0, 256, (20, 28, 28)).astype(np.uint8)
    with recording.wrap_reference(REFERENCE) as r:
        assert inputs.reference_module(REFERENCE) is r
        r.softmax(z)
        r.ACTIVATIONS["relu"][0](z)
        r.init_params([3, 4, 2], np.random.default_rng(5))
        list(r.minibatches(z, np.arange(4), 3, np.random.default_rng(7)))
        r.preprocess(images)
    assert REFERENCE not in inputs.OVERRIDES          # the real module answers again after
    recording.save(tmp_path, made_for={"grader_version": "x"})
    real = inputs.reference_module(REFERENCE)
    return Answers.load(tmp_path).module(REFERENCE), real, {"z": z, "images": images}


def test_a_recorded_question_gets_the_recorded_answer_within_round_off(recorded):
    kit, real, given = recorded
    z = given["z"]
    assert np.array_equal(kit.softmax(z), real.softmax(z))
    assert np.allclose(kit.softmax(z * (1 + 1e-13)), real.softmax(z))


def test_a_question_never_recorded_raises_not_recorded(recorded):
    kit, _, given = recorded
    with pytest.raises(NotRecorded):
        kit.softmax(given["z"] + 1e-3)               # other values
    with pytest.raises(NotRecorded):
        kit.softmax(given["z"][:3])                  # another shape
    with pytest.raises(NotRecorded):
        kit.tanh(given["z"])                         # a function never asked
    with pytest.raises(NotRecorded):
        kit.softmax(lambda x: x)                     # a question that cannot be written down


def test_data_holding_functions_answers_through_the_record(recorded):
    kit, real, given = recorded
    relu, _ = kit.ACTIVATIONS["relu"]
    assert np.array_equal(relu(given["z"]), real.relu(given["z"]))
    assert sorted(kit.ACTIVATIONS) == sorted(real.ACTIVATIONS)


def test_a_generator_argument_ends_where_the_real_call_left_it(recorded):
    kit, real, _ = recorded
    mine, theirs = np.random.default_rng(5), np.random.default_rng(5)
    params = kit.init_params([3, 4, 2], mine)
    expected = real.init_params([3, 4, 2], theirs)
    assert all(np.array_equal(params[k], expected[k]) for k in expected)
    assert mine.bit_generator.state == theirs.bit_generator.state
    with pytest.raises(NotRecorded):                 # the same call from another state
        kit.init_params([3, 4, 2], mine)


def test_what_a_generator_yielded_is_yielded_again(recorded):
    kit, real, given = recorded
    got = kit.minibatches(given["z"], np.arange(4), 3, np.random.default_rng(7))
    assert iter(got) is got                          # an iterator, as the real one is
    expected = list(real.minibatches(given["z"], np.arange(4), 3, np.random.default_rng(7)))
    got = list(got)
    assert len(got) == len(expected) == 2
    assert all(np.array_equal(a, b) for (a, _), (b, _) in zip(got, expected))


def test_a_large_array_is_matched_exactly_and_stored_without_loss(recorded):
    kit, real, given = recorded
    images = given["images"]
    assert np.array_equal(kit.preprocess(images), real.preprocess(images))   # palette-coded, exact
    other = images.copy()
    other[0, 0, 0] ^= 1
    with pytest.raises(NotRecorded):
        kit.preprocess(other)


def test_the_record_is_json_and_an_npz_without_objects(tmp_path, recorded):
    json.loads((tmp_path / evidence.INDEX).read_text())
    with zipfile.ZipFile(tmp_path / evidence.ARRAYS) as npz:
        names = npz.namelist()
    with np.load(tmp_path / evidence.ARRAYS, allow_pickle=False) as stored:
        assert all(stored[name].dtype != object for name in stored.files)
    assert names


def test_a_stale_record_says_why(tmp_path):
    folder = tmp_path / "task"
    folder.mkdir()
    (folder / "task.yaml").write_text("name: t\n")
    from grader import __version__
    recording = Recording()
    recording.save(folder / "answers", made_for={"grader_version": __version__, "evidence": "answers",
                                                 "task": evidence.fingerprint(folder, skip="answers")})
    answers = Answers.load(folder / "answers")
    assert answers.stale(folder) == ""
    (folder / "task.yaml").write_text("name: t\ntotal: 3\n")
    assert "task files changed" in answers.stale(folder)
    recording.save(folder / "answers", made_for={"grader_version": "0.0", "evidence": "answers",
                                                 "task": evidence.fingerprint(folder, skip="answers")})
    assert "recorded by grader 0.0" in Answers.load(folder / "answers").stale(folder)


def test_a_stand_in_during_an_end_to_end_check_is_not_recorded():
    recording = Recording()
    z = np.ones((2, 2))
    with recording.wrap_reference(REFERENCE) as r:
        evidence.unrecorded(r.softmax)(z)
        items = evidence.unrecorded(r.minibatches)(z, np.arange(2), 1, np.random.default_rng(0))
        assert hasattr(items, "__next__")            # still a generator for the stand-in protocol
        list(items)
        r.relu(z)
    assert [name for name, _ in recording.entries] == ["reference.mlp:relu"]
