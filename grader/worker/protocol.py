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
MAX_FRAME_BYTES = 256 << 20        # a larger frame is refused, not read (the largest a check
                                   # sends, MNIST's training images, is 63 MB)
MAX_JSON_BYTES = 16 << 20
MAX_ARRAYS = 100_000               # arrays in one frame
MAX_NODES = 2_000_000              # JSON values in one frame (lists, dicts, numbers, ...)
DTYPE_RE = re.compile(r"^[<>|=]?[biufc][0-9]{1,2}$")
SHARED = "__shared__"              # request tag: an array in the shared arena
RNG = "__rng__"                    # request tag: a numpy Generator built from a seed
RNG_STATE = "__rng_state__"        # both ways: a PCG64 Generator's state (stand-ins)
PROBE = "__probe__"                # request tag: a probe function (probes.py)
_HASHABLE = (str, int, float, bool, type(None))
MAX_INT = 2**64                    # a larger integer is no number a check can compare


class ProtocolError(Exception):
    """A frame that is not valid plain data."""


def encode_parts(value):
    """value -> the buffers of one frame, in order; each array's bytes are a view of the
    (C-contiguous) array itself, not a copy: a 63 MB argument is not held twice more."""
    arrays = []
    doc = _to_json(value, arrays)
    text = json.dumps(doc, allow_nan=True).encode("utf-8")
    parts = [HEADER.pack(len(text), len(arrays)), text]
    for arr in arrays:
        raw = memoryview(arr).cast("B") if arr.size and arr.ndim else arr.tobytes(order="C")
        parts += [ARRAY_LEN.pack(len(raw)), raw]
    return parts


def encode(value):
    """value -> bytes of one frame."""
    return b"".join(encode_parts(value))


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
    if isinstance(value, RngState):
        return {RNG_STATE: value.state}
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
    """JSON text and raw arrays -> value. ``rebuild(tag, payload, args)`` builds tags.

    Strict: every tagged object must have exactly its documented keys and types, each
    raw array may be named by one tag only (so a frame cannot ask for more memory than
    it carries), and at most MAX_NODES values are decoded. Anything else is a
    ProtocolError, never another exception.
    """
    try:
        doc = json.loads(text)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ProtocolError(f"invalid JSON: {_short(exc)}") from None
    except RecursionError:
        raise ProtocolError("an answer nested too deeply") from None
    state = _State(raw_arrays, rebuild)
    try:
        return state.value(doc)
    except RecursionError:
        raise ProtocolError("an answer nested too deeply") from None
    except ProtocolError:
        raise
    except (TypeError, ValueError, KeyError, IndexError, OverflowError, MemoryError) as exc:
        raise ProtocolError(f"malformed answer: {type(exc).__name__}: {_short(exc)}") from None


def _short(exc, limit=200):
    text = str(exc)
    return text if len(text) <= limit else text[:limit] + "..."


class _State:
    def __init__(self, raw, rebuild):
        self.raw, self.rebuild, self.used, self.nodes = raw, rebuild, set(), 0

    def value(self, doc):
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise ProtocolError(f"an answer with more than {MAX_NODES} values")
        if isinstance(doc, list):
            return [self.value(d) for d in doc]
        if type(doc) is int and not -MAX_INT <= doc <= MAX_INT:
            return Unsupported(f"an integer of {len(str(abs(doc)))} digits (too large for any array)")
        if not isinstance(doc, dict):
            return doc                     # str, int, float, bool, None
        if len(doc) == 0:
            raise ProtocolError("an untagged JSON object")
        if "__array__" in doc:
            return self.array(doc)
        if "__tuple__" in doc:
            return tuple(self.value(d) for d in self.items(doc, "__tuple__"))
        if "__dict__" in doc:
            out = {}
            for pair in self.items(doc, "__dict__"):
                if not (isinstance(pair, list) and len(pair) == 2):
                    raise ProtocolError("a dict entry that is not a [key, value] pair")
                key = self.value(pair[0])
                if not (isinstance(key, _HASHABLE) or (isinstance(key, tuple) and _hashable(key))):
                    raise ProtocolError(f"a dict key of type {type(key).__name__}")
                out[key] = self.value(pair[1])
            return out
        if "__iter__" in doc:
            return Yielded(self.value(d) for d in self.items(doc, "__iter__"))
        if "__unsupported__" in doc:
            self.keys(doc, {"__unsupported__"})
            return Unsupported(str(doc["__unsupported__"])[:200])
        if RNG_STATE in doc:
            self.keys(doc, {RNG_STATE})
            return RngState(_rng_state(doc[RNG_STATE]))
        for tag in (RNG, PROBE, SHARED):
            if tag in doc and self.rebuild is not None:
                self.keys(doc, {tag, "args"})
                args = doc.get("args", [])
                if not isinstance(args, list):
                    raise ProtocolError("a tag's args must be a list")
                args = [self.value(a) for a in args]
                return self.rebuild(tag, doc[tag], args)
        raise ProtocolError(f"unknown tagged object with keys {sorted(map(str, doc))[:5]}")

    @staticmethod
    def keys(doc, allowed):
        extra = set(doc) - allowed
        if extra:
            raise ProtocolError(f"unexpected keys {sorted(map(str, extra))[:5]} in a tagged object")

    def items(self, doc, tag):
        self.keys(doc, {tag} | ({"args"} if tag in (RNG, PROBE, SHARED) else set()))
        items = doc[tag]
        if not isinstance(items, list):
            raise ProtocolError(f"{tag} must hold a list, not {type(items).__name__}")
        return items

    def array(self, doc):
        self.keys(doc, {"__array__", "dtype", "shape", "scalar"})
        dtype, shape, index = doc.get("dtype"), doc.get("shape"), doc.get("__array__")
        if not isinstance(dtype, str) or not DTYPE_RE.match(dtype):
            raise ProtocolError(f"refused array dtype {str(dtype)[:40]!r}")
        if not (type(index) is int and 0 <= index < len(self.raw)):
            raise ProtocolError("array index out of range")
        if index in self.used:
            raise ProtocolError("two arrays share the same data")
        self.used.add(index)
        if not (isinstance(shape, list) and len(shape) <= 32
                and all(type(n) is int and n >= 0 for n in shape)):
            raise ProtocolError(f"bad array shape {str(shape)[:80]}")
        dt = np.dtype(dtype)
        count = 1
        for n in shape:
            count *= n
        if count * dt.itemsize != len(self.raw[index]):
            raise ProtocolError("array data does not match its shape")
        arr = np.frombuffer(self.raw[index], dtype=dt).reshape(tuple(shape))
        if not arr.flags.writeable:             # bytes: copied; a bytearray read for it is ours
            arr = arr.copy()
        if doc.get("scalar") is True and arr.size == 1:
            return arr.reshape(()).item()
        return arr


def _hashable(value):
    return all(isinstance(v, _HASHABLE) or (isinstance(v, tuple) and _hashable(v)) for v in value)


def _rng_state(state):
    """A PCG64 bit generator's state as sent: {"state": int, "inc": int, "has_uint32": int,
    "uinteger": int}; anything else is refused."""
    if not (isinstance(state, dict) and set(state) == {"state", "inc", "has_uint32", "uinteger"}
            and all(type(v) is int and 0 <= v < 2**128 for v in state.values())):
        raise ProtocolError("a malformed generator state")
    return state


class RngState:
    """A numpy Generator crossing the boundary by its PCG64 state (for stand-in helpers)."""

    def __init__(self, state):
        self.state = state

    @classmethod
    def of(cls, generator):
        bits = generator.bit_generator.state
        if bits.get("bit_generator") != "PCG64":
            return None
        return cls({"state": bits["state"]["state"], "inc": bits["state"]["inc"],
                    "has_uint32": bits["has_uint32"], "uinteger": bits["uinteger"]})

    def generator(self):
        g = np.random.Generator(np.random.PCG64())
        g.bit_generator.state = self.bit_state()
        return g

    def bit_state(self):
        s = self.state
        return {"bit_generator": "PCG64", "state": {"state": s["state"], "inc": s["inc"]},
                "has_uint32": s["has_uint32"], "uinteger": s["uinteger"]}


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
    for part in encode_parts(value):
        data = memoryview(part)
        while data:
            _wait(fd, deadline, for_write=True)
            try:
                n = os.write(fd, data[:1 << 20])
            except BlockingIOError:
                continue
            except (BrokenPipeError, ConnectionResetError):
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
        except ConnectionResetError:
            raise Closed() from None
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
    if n_arrays > MAX_ARRAYS:
        raise ProtocolError(f"an answer with {n_arrays} arrays (at most {MAX_ARRAYS})")
    text = _read_exact(fd, json_len, deadline)
    arrays, total = [], json_len
    for _ in range(n_arrays):
        (n,) = ARRAY_LEN.unpack(_read_exact(fd, ARRAY_LEN.size, deadline))
        total += n
        if total > max_bytes:
            raise ProtocolError(f"answer larger than {max_bytes >> 20} MiB")
        arrays.append(_read_into(fd, n, deadline))
    return decode(text, arrays, rebuild)


def _read_into(fd, n, deadline):
    """n bytes from ``fd`` into a buffer of their own (read in place, not joined from
    chunks: an array's bytes are held once, and become the array itself)."""
    buffer = bytearray(n)
    view, got = memoryview(buffer), 0
    while got < n:
        _wait(fd, deadline, for_write=False)
        try:
            count = os.readv(fd, [view[got:got + (1 << 20)]])
        except BlockingIOError:
            continue
        except ConnectionResetError:
            raise Closed() from None
        if not count:
            raise Closed()
        got += count
    return buffer


# ------------------------------------------------------------------ schemas
# Every frame that comes from the worker is checked here before the grader reads a key
# of it: the code that wrote it may be the student's. A frame that does not fit is a
# ProtocolError: the student's error for that call, never the grader's.
MAX_TEXT = 2000                    # characters kept of any text the worker sends


def _text(value, what):
    if not isinstance(value, str):
        raise ProtocolError(f"{what} is {type(value).__name__}, not text")
    return value[:MAX_TEXT]


def _int(value, what):
    if type(value) is not int:
        raise ProtocolError(f"{what} is {type(value).__name__}, not a whole number")
    return value


def _exact(doc, keys, what):
    if not isinstance(doc, dict):
        raise ProtocolError(f"{what} is {type(doc).__name__}, not a mapping")
    if set(doc) != set(keys):
        raise ProtocolError(f"{what} has keys {sorted(map(str, doc))[:6]}, expected {sorted(keys)}")
    return doc


def error_info(doc):
    """{"type", "message", "frames": [{"line", "function", "code"}]} -> the same, checked."""
    _exact(doc, ("type", "message", "frames"), "an error")
    frames = doc["frames"]
    if not isinstance(frames, list) or len(frames) > 20:
        raise ProtocolError("an error's frames are not a short list")
    return {"type": _text(doc["type"], "an error's type")[:100],
            "message": _text(doc["message"], "an error's message"),
            "frames": [{"line": _int(_exact(f, ("line", "function", "code"), "a frame")["line"], "a line"),
                        "function": _text(f["function"], "a function name")[:100],
                        "code": _text(f["code"], "a source line")} for f in frames]}


def answer(doc):
    """A call's answer: {"ok": True, "result": value} or {"ok": False, "error": {...}}."""
    if isinstance(doc, dict) and doc.get("ok") is True:
        return _exact(doc, ("ok", "result"), "an answer")
    if isinstance(doc, dict) and doc.get("ok") is False:
        _exact(doc, ("ok", "error"), "an answer")
        return {"ok": False, "error": error_info(doc["error"])}
    raise ProtocolError("a frame that is not an answer")


def load_answer(doc):
    """The session's load report: the names it defines and the statements that failed."""
    _exact(doc, ("ok", "functions", "failures"), "the load answer")
    if doc["ok"] is not True or not isinstance(doc["functions"], list) or len(doc["functions"]) > 10_000:
        raise ProtocolError("a malformed load answer")
    functions = [_text(f, "a function name")[:200] for f in doc["functions"]]
    failures = doc["failures"]
    if not isinstance(failures, list) or len(failures) > 100_000:
        raise ProtocolError("the load failures are not a list")
    return {"functions": functions, "failures": [
        {"line": _int(_exact(f, ("line", "end_line", "error"), "a load failure")["line"], "a line"),
         "end_line": _int(f["end_line"], "a line"), "error": error_info(f["error"])} for f in failures]}


def helper_request(doc):
    """A stand-in's question from inside a call: {"op": "helper", "name", "args", "kwargs"}."""
    _exact(doc, ("op", "name", "args", "kwargs"), "a helper request")
    if not isinstance(doc["args"], list) or not isinstance(doc["kwargs"], dict) \
            or not all(isinstance(k, str) for k in doc["kwargs"]):
        raise ProtocolError("a malformed helper request")
    return doc
