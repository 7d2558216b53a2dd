"""The wire format carries plain data only, and refuses anything else."""
import json
import os

import numpy as np
import pytest

from grader.worker import protocol
from grader.worker.protocol import ProtocolError, Unsupported, decode, encode


def roundtrip(value):
    r, w = os.pipe()
    try:
        protocol.write_frame(w, value)
        return protocol.read_frame(r)
    finally:
        os.close(r)
        os.close(w)


def test_roundtrip_of_plain_values():
    value = {"W1": np.arange(6.0).reshape(2, 3), "n": 3, "lr": 0.5, "name": "relu",
             "pair": (np.int64(4), [np.float32(1.5), None, True]), 7: np.zeros((0, 4))}
    back = roundtrip(value)
    assert np.array_equal(back["W1"], value["W1"]) and back["W1"].dtype == np.float64
    assert back["pair"] == (4, [1.5, None, True]) and back[7].shape == (0, 4)
    assert back["n"] == 3 and back["name"] == "relu"


def test_decoded_arrays_are_plain_writable_ndarrays():
    class Lying(np.ndarray):
        def __eq__(self, other):
            return True
    back = roundtrip(np.arange(3.0).view(Lying))
    assert type(back) is np.ndarray and back.flags.writeable


def test_non_numeric_results_become_unsupported():
    back = roundtrip([np.array([object()]), object(), np.array(["a"])])
    assert all(isinstance(b, Unsupported) for b in back)
    assert "dtype object" in back[0].what


@pytest.mark.parametrize("dtype", ["O", "|O", "V8", "<U3", "[('a', 'O')]", "S4"])
def test_refuses_dangerous_dtypes(dtype):
    doc = json.dumps({"__array__": 0, "dtype": dtype, "shape": [1]})
    with pytest.raises(ProtocolError, match="refused array dtype"):
        decode(doc, [b"\0" * 8])


def test_refuses_a_shape_that_does_not_match_the_data():
    doc = json.dumps({"__array__": 0, "dtype": "<f8", "shape": [3]})
    with pytest.raises(ProtocolError, match="does not match"):
        decode(doc, [b"\0" * 8])


def test_refuses_an_answer_over_the_size_limit():
    r, w = os.pipe()
    protocol.write_frame(w, np.zeros(1000))
    with pytest.raises(ProtocolError, match="larger than"):
        protocol.read_frame(r, max_bytes=100)
    os.close(r)
    os.close(w)


def test_frame_never_contains_a_pickle():
    data = encode({"a": np.arange(4.0), "b": (1, "x")})
    assert b"\x80\x04" not in data and b"numpy.core" not in data
