"""Wire format between the grader and its worker: JSON plus raw numeric arrays.

This file is loaded by the worker by path, so it imports nothing from ``grader``.

A frame is: an 8-byte header ``!II`` (JSON length, number of arrays), the JSON text,
then for each array an 8-byte ``!Q`` length and its raw bytes (C order). Inside the
JSON, values are plain JSON except for tagged objects:

    {"__array__": i, "dtype": "<f8", "shape": [2, 3]}   the i-th raw array
    {"__tuple__": [...]}, {"__dict__": [[key, value], ...]}
    {"__rng__": seed}                                   request only: a numpy Generator
    {"__probe__": name, "args": [...]}                  request only: a worker probe function
    {"__shared__": [offset, dtype, shape]}              request only: an array in shared memory
    {"__iter__": [...]}                                 result only: what a generator yielded
    {"__unsupported__": "what it was"}                 result only: not plain data

Nothing is ever pickled: the decoder only rebuilds numbers, strings, lists, tuples,
dicts and plain ``np.ndarray`` of boolean, integer, float or complex dtype.
"""
import json
import os
import re
import select
import struct
import time

import numpy as np

HEADER = struct.Struct("!II")
ARRAY_LEN = struct.Struct("!Q")
MAX_FRAME_BYTES = 1 << 30          # 1 GiB: a larger answer is refused, not read
MAX_JSON_BYTES = 16 << 20
_DTYPE_RE = re.compile(r"^[<>|=]?[biufc][0-9]{1,2}$")


class ProtocolError(Exception):
    """A frame that is not valid plain data."""


def encode(value):
    """value -> bytes of one frame."""
    arrays = []
    doc = _to_json(value, arrays)
    text = json.dumps(doc, allow_nan=True).encode("utf-8")
    parts = [HEADER.pack(len(text), len(arrays)), text]
    for arr in arrays:
        raw = arr.tobytes(order="C")
        parts += [ARRAY_LEN.pack(len(raw)), raw]
    return b"".join(parts)


def _to_json(value, arrays):
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, (int, float)) and type(value) in (int, float):
        return value
    if isinstance(value, np.ndarray) or isinstance(value, np.generic):
        arr = np.asarray(value)
        if arr.dtype.kind not in "biufc":
            return {"__unsupported__": f"a numpy array of dtype {arr.dtype}"}
        shape = list(arr.shape)                 # ascontiguousarray makes 0-d arrays 1-d
        arr = np.ascontiguousarray(arr).view(np.ndarray)
        arrays.append(arr)
        tag = {"__array__": len(arrays) - 1, "dtype": arr.dtype.str, "shape": shape}
        if isinstance(value, np.generic):
            tag["scalar"] = True
        return tag
    if isinstance(value, Yielded):
        return {"__iter__": [_to_json(v, arrays) for v in value]}
    if type(value) is list:
        return [_to_json(v, arrays) for v in value]
    if type(value) is tuple:
        return {"__tuple__": [_to_json(v, arrays) for v in value]}
    if type(value) is dict:
        return {"__dict__": [[_to_json(k, arrays), _to_json(v, arrays)] for k, v in value.items()]}
    if isinstance(value, Tagged):
        return value.doc(lambda v: _to_json(v, arrays))
    return {"__unsupported__": f"an object of type {type(value).__name__}"}


class Tagged:
    """A value the worker rebuilds on its side (a Generator, a probe function)."""

    def __init__(self, tag, payload, args=()):
        self.tag, self.payload, self.args = tag, payload, list(args)

    def doc(self, convert):
        doc = {self.tag: self.payload}
        if self.args:
            doc["args"] = [convert(a) for a in self.args]
        return doc


def rng(seed):
    """A numpy Generator seeded with ``seed``, built inside the worker."""
    return Tagged("__rng__", int(seed))


def probe(name, *args):
    """A worker probe function (see the worker's PROBES) built with ``args``."""
    return Tagged("__probe__", name, args)


def decode(text, raw_arrays, rebuild=None):
    """JSON text and raw arrays -> value. ``rebuild(tag, payload, args)`` builds tags."""
    try:
        return _from_json(json.loads(text), raw_arrays, rebuild)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ProtocolError(f"invalid JSON: {exc}") from None
    except RecursionError:
        raise ProtocolError("an answer nested too deeply") from None


def _from_json(doc, raw, rebuild):
    if isinstance(doc, list):
        return [_from_json(d, raw, rebuild) for d in doc]
    if not isinstance(doc, dict):
        return doc
    if "__array__" in doc:
        return _array(doc, raw)
    if "__tuple__" in doc:
        return tuple(_from_json(d, raw, rebuild) for d in doc["__tuple__"])
    if "__dict__" in doc:
        return {_from_json(k, raw, rebuild): _from_json(v, raw, rebuild) for k, v in doc["__dict__"]}
    if "__iter__" in doc:
        return Yielded(_from_json(d, raw, rebuild) for d in doc["__iter__"])
    if "__unsupported__" in doc:
        return Unsupported(str(doc["__unsupported__"]))
    for tag in ("__rng__", "__probe__", "__shared__"):
        if tag in doc and rebuild is not None:
            args = [_from_json(a, raw, rebuild) for a in doc.get("args", [])]
            return rebuild(tag, doc[tag], args)
    raise ProtocolError(f"unknown tagged object with keys {sorted(doc)[:5]}")


def _array(doc, raw):
    dtype, shape, index = doc.get("dtype"), doc.get("shape"), doc.get("__array__")
    if not isinstance(dtype, str) or not _DTYPE_RE.match(dtype):
        raise ProtocolError(f"refused array dtype {dtype!r}")
    if not (isinstance(index, int) and 0 <= index < len(raw)):
        raise ProtocolError("array index out of range")
    if not (isinstance(shape, list) and all(isinstance(n, int) and n >= 0 for n in shape)):
        raise ProtocolError(f"bad array shape {shape!r}")
    arr = np.frombuffer(raw[index], dtype=np.dtype(dtype))
    if arr.size != int(np.prod(shape, dtype=np.int64)):
        raise ProtocolError("array data does not match its shape")
    arr = arr.reshape(tuple(shape)).copy()   # a writable, plain np.ndarray we own
    return arr.reshape(()).item() if doc.get("scalar") and arr.size == 1 else arr


class Yielded(list):
    """The items a generator produced (so a check can tell a generator from a list)."""


class Unsupported:
    """A value that could not cross the boundary as plain data."""

    def __init__(self, what):
        self.what = what

    def __repr__(self):
        return f"<{self.what}>"


# ------------------------------------------------------------------ pipe I/O
class Timeout(Exception):
    """The deadline passed before a frame was fully read or written."""


class Closed(Exception):
    """The other side closed its end of the pipe."""


def _wait(fd, deadline, for_write):
    """Block until ``fd`` is ready, or raise Timeout once ``deadline`` has passed."""
    if deadline is None:
        return
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise Timeout()
    ready = select.select([], [fd], [], remaining) if for_write else select.select([fd], [], [], remaining)
    if not any(ready):
        raise Timeout()


def write_frame(fd, value, deadline=None):
    """Encode ``value`` and write the whole frame to ``fd`` before ``deadline``."""
    data = memoryview(encode(value))
    while data:
        _wait(fd, deadline, for_write=True)
        try:
            n = os.write(fd, data[:1 << 20])
        except BlockingIOError:
            continue
        except BrokenPipeError:
            raise Closed() from None
        data = data[n:]


def _read_exact(fd, n, deadline):
    chunks, remaining = [], n
    while remaining:
        _wait(fd, deadline, for_write=False)
        try:
            chunk = os.read(fd, min(remaining, 1 << 20))
        except BlockingIOError:
            continue
        if not chunk:
            raise Closed()
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


def read_frame(fd, deadline=None, rebuild=None, max_bytes=MAX_FRAME_BYTES):
    """Read one frame from ``fd`` -> value; Timeout, Closed or ProtocolError otherwise."""
    json_len, n_arrays = HEADER.unpack(_read_exact(fd, HEADER.size, deadline))
    if json_len > MAX_JSON_BYTES:
        raise ProtocolError(f"answer header too large ({json_len} bytes)")
    text = _read_exact(fd, json_len, deadline)
    arrays, total = [], json_len
    for _ in range(n_arrays):
        (n,) = ARRAY_LEN.unpack(_read_exact(fd, ARRAY_LEN.size, deadline))
        total += n
        if total > max_bytes:
            raise ProtocolError(f"answer larger than {max_bytes >> 20} MiB")
        arrays.append(_read_exact(fd, n, deadline))
    return decode(text, arrays, rebuild)
