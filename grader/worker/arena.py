"""Shared memory for the arguments of a call whose effect on them must be seen.

Whether a student's function changes its input arrays in place cannot be taken from
the worker's word: code running in the worker can forge any answer. So the arrays of
such a call are placed in a shared mapping (a memfd, inherited by the worker), the
worker hands the student views of that memory, and after the call the grader reads the
caller's arrays back from the mapping itself.
"""
import mmap
import os
import tempfile

import numpy as np

ALIGN = 64
SIZE = 64 * 2**20


class ArenaFull(Exception):
    """The arrays of one call do not fit in the arena."""


class Arena:
    """The grader's side: place arrays, read them back after the call."""

    def __init__(self, size=SIZE):
        if hasattr(os, "memfd_create"):
            self.fd = os.memfd_create("grader-arena")
        else:                                   # elsewhere an unlinked temporary file
            handle = tempfile.TemporaryFile()
            self.fd = os.dup(handle.fileno())
            handle.close()
        os.ftruncate(self.fd, size)
        self.size = size
        self.map = mmap.mmap(self.fd, size)
        self.top = 0

    def reset(self):
        self.top = 0

    def place(self, array):
        """Copy ``array`` in -> (offset, dtype, shape), the worker's way to find it."""
        array = np.ascontiguousarray(array)
        offset = -(-self.top // ALIGN) * ALIGN
        if offset + array.nbytes > self.size:
            raise ArenaFull(f"arguments larger than the {self.size >> 20} MiB arena")
        self.map[offset:offset + array.nbytes] = array.tobytes()
        self.top = offset + array.nbytes
        return offset, array.dtype.str, list(array.shape)

    def read(self, offset, dtype, shape):
        """The array at ``offset`` as it is now: a plain copy owned by the grader."""
        dtype = np.dtype(dtype)
        count = int(np.prod(shape, dtype=np.int64))
        return np.frombuffer(self.map, dtype=dtype, count=count, offset=offset).reshape(shape).copy()

    def close(self):
        self.map.close()
        os.close(self.fd)

