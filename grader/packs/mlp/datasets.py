"""Datasets the grader feeds to submissions: IDX files, the MNIST subset, XOR.

IDX is the file format MNIST is distributed in. Everything is big-endian:

    bytes 0-1   two zero bytes
    byte  2     dtype code (see ``IDX_DTYPES``; 0x08 = uint8 for MNIST)
    byte  3     number of dimensions, d
    then        d sizes, one big-endian uint32 each
    then        the data, C order, prod(sizes) items of the dtype

A file whose name ends in ``.gz`` is gzip-compressed; any other name is read
raw. ``write_idx`` writes gzip deterministically (no name, mtime 0), so the
same array always gives the same bytes with the same zlib.

This module imports nothing from the rest of ``grader``.
"""
import gzip
import os
import struct
import zlib

import numpy as np

# dtype code byte -> big-endian numpy dtype of the stored items
IDX_DTYPES = {
    0x08: np.dtype(">u1"),
    0x09: np.dtype(">i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}
UINT8_CODE = 0x08

# The four standard MNIST file names, by the key load_mnist returns them under.
MNIST_FILES = {
    "train_images": "train-images-idx3-ubyte.gz",
    "train_labels": "train-labels-idx1-ubyte.gz",
    "test_images": "t10k-images-idx3-ubyte.gz",
    "test_labels": "t10k-labels-idx1-ubyte.gz",
}
MNIST_IMAGE_SHAPE = (28, 28)

# One-line error messages; {name} is the file's base name.
ERR_TOO_SHORT = "{name}: file too short for an IDX header ({found} bytes)"
ERR_BAD_MAGIC = ("{name}: bad IDX magic {magic}: expected two zero bytes, "
                 "a dtype code and a dimension count")
ERR_BAD_DTYPE = "{name}: unknown IDX dtype code 0x{code:02X}"
ERR_SHORT_HEADER = ("{name}: header declares {ndim} dimensions "
                    "but the file ends after {found} bytes")
ERR_DATA_LENGTH = "{name}: expected {expected} bytes of data, found {found}"
ERR_BAD_GZIP = "{name}: corrupt or truncated gzip data ({reason})"
ERR_WRITE_DTYPE = "write_idx: only uint8 arrays can be written, got {dtype}"
ERR_WRITE_SHAPE = "write_idx: cannot store shape {shape} in an IDX header"
ERR_MISSING = "MNIST file {name} not found in {directory}"
ERR_MNIST_SHAPE = "{name}: expected shape {expected}, found {found}"
ERR_MNIST_DTYPE = "{name}: expected uint8 data, found {found}"
ERR_COUNT_MISMATCH = "{images} has {n_images} images but {labels} has {n_labels} labels"


def _read_bytes(path):
    """Whole (decompressed, if the name ends in .gz) content of `path`, as bytes."""
    name = os.path.basename(os.fspath(path))
    if not name.endswith(".gz"):
        with open(path, "rb") as f:
            return f.read()
    with open(path, "rb") as raw:                 # FileNotFoundError passes through
        try:
            with gzip.GzipFile(fileobj=raw, mode="rb") as f:
                return f.read()
        except (gzip.BadGzipFile, EOFError, zlib.error) as exc:
            reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise ValueError(ERR_BAD_GZIP.format(name=name, reason=reason)) from None


def read_idx(path):
    """Read the IDX file at `path` (gzip if it ends in .gz) into a numpy array.

    Returns a writable, native-byte-order array of shape (d1, ..., dk) as
    declared in the header, e.g. of shape (N, 28, 28) uint8 for MNIST images
    and of shape (N,) uint8 for labels.
    Raises ValueError (one line, starting with the file's name) on a bad
    magic, an unknown dtype code, a truncated header, or data whose length
    differs from what the dimensions require; FileNotFoundError if absent.
    """
    name = os.path.basename(os.fspath(path))
    data = _read_bytes(path)
    if len(data) < 4:
        raise ValueError(ERR_TOO_SHORT.format(name=name, found=len(data)))
    zero0, zero1, code, ndim = data[:4]
    if zero0 != 0 or zero1 != 0:
        raise ValueError(ERR_BAD_MAGIC.format(name=name, magic="0x" + data[:4].hex()))
    if code not in IDX_DTYPES:
        raise ValueError(ERR_BAD_DTYPE.format(name=name, code=code))
    header_len = 4 + 4 * ndim
    if len(data) < header_len:
        raise ValueError(ERR_SHORT_HEADER.format(name=name, ndim=ndim, found=len(data)))
    shape = struct.unpack(f">{ndim}I", data[4:header_len])
    dtype = IDX_DTYPES[code]
    expected = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    found = len(data) - header_len
    if found != expected:
        raise ValueError(ERR_DATA_LENGTH.format(name=name, expected=expected, found=found))
    array = np.frombuffer(data, dtype=dtype, offset=header_len).reshape(shape)
    return array.astype(dtype.newbyteorder("="))      # copy: writable, native order


def idx_bytes(array):
    """The uncompressed IDX encoding (header + data) of a uint8 array, as bytes."""
    array = np.asarray(array)
    if array.dtype != np.uint8:
        raise TypeError(ERR_WRITE_DTYPE.format(dtype=array.dtype))
    if array.ndim > 255 or any(n > 0xFFFFFFFF for n in array.shape):
        raise ValueError(ERR_WRITE_SHAPE.format(shape=array.shape))
    header = struct.pack(">BBBB", 0, 0, UINT8_CODE, array.ndim)
    header += struct.pack(f">{array.ndim}I", *array.shape)
    return header + np.ascontiguousarray(array).tobytes()


def write_idx(path, array):
    """Write the uint8 `array` (any shape) to `path` as IDX; gzip if it ends in .gz.

    Output is deterministic: the gzip header has no file name and mtime 0, and
    level 9 is used, so the same array always yields the same bytes.
    Raises TypeError for a dtype other than uint8.
    """
    payload = idx_bytes(array)
    with open(path, "wb") as raw:
        if os.fspath(path).endswith(".gz"):
            with gzip.GzipFile(filename="", mode="wb", fileobj=raw,
                               mtime=0, compresslevel=9) as f:
                f.write(payload)
        else:
            raw.write(payload)


def _check_mnist_pair(images_key, labels_key, arrays):
    """Validate one images/labels pair: shapes (N, 28, 28) and (N,) with equal N."""
    images, labels = arrays[images_key], arrays[labels_key]
    images_name, labels_name = MNIST_FILES[images_key], MNIST_FILES[labels_key]
    if images.ndim != 3 or images.shape[1:] != MNIST_IMAGE_SHAPE:
        raise ValueError(ERR_MNIST_SHAPE.format(
            name=images_name, expected="(N, 28, 28)", found=images.shape))
    if labels.ndim != 1:
        raise ValueError(ERR_MNIST_SHAPE.format(
            name=labels_name, expected="(N,)", found=labels.shape))
    if len(images) != len(labels):
        raise ValueError(ERR_COUNT_MISMATCH.format(
            images=images_name, n_images=len(images),
            labels=labels_name, n_labels=len(labels)))


def load_mnist(directory):
    """Load the four standard MNIST files from `directory`.

    Returns a dict with
        "train_images"  uint8 of shape (N, 28, 28),   "train_labels" uint8 of shape (N,),
        "test_images"   uint8 of shape (M, 28, 28),   "test_labels"  uint8 of shape (M,).
    Pixels are grey levels 0..255, labels the digits 0..9.
    Raises FileNotFoundError (one line) if a file is missing and ValueError if
    a file is malformed or an images file and its labels file disagree in count.
    """
    directory = os.fspath(directory)
    for name in MNIST_FILES.values():
        if not os.path.isfile(os.path.join(directory, name)):
            raise FileNotFoundError(ERR_MISSING.format(name=name, directory=directory))
    arrays = {key: read_idx(os.path.join(directory, name))
              for key, name in MNIST_FILES.items()}
    for key in arrays:
        if arrays[key].dtype != np.uint8:
            raise ValueError(ERR_MNIST_DTYPE.format(
                name=MNIST_FILES[key], found=arrays[key].dtype))
    _check_mnist_pair("train_images", "train_labels", arrays)
    _check_mnist_pair("test_images", "test_labels", arrays)
    return arrays


def xor():
    """The XOR problem: X float64 of shape (4, 2), y int64 of shape (4,).

    X = [[0, 0], [0, 1], [1, 0], [1, 1]] and y = [0, 1, 1, 0] (y = x1 XOR x2).
    """
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float64)
    y = np.array([0, 1, 1, 0], dtype=np.int64)
    return X, y
