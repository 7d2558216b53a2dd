"""Shared memory for the arguments of a call whose effect on them must be seen.

Whether a student's function changes its input arrays in place cannot be taken from
the worker's word: code running in the worker can forge any answer. So the arrays of
such a call are placed in a shared file (a memfd, inherited by the worker), the worker
hands the student views of that memory, and after the call the grader reads the
caller's arrays back from the file itself.

The grader never maps that file: it writes and reads it with pwrite/pread, so a worker
that shrinks or grows it can at worst spoil that call's arguments (a short read is
"replaced with something else"), never fault the grader. Where Linux allows, the memfd
is also sealed against resizing before the worker gets it.
"""
import fcntl
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
            self.fd = os.memfd_create("grader-arena", os.MFD_CLOEXEC | getattr(os, "MFD_ALLOW_SEALING", 0))
        else:                                   # elsewhere an unlinked temporary file
            handle = tempfile.TemporaryFile()
            self.fd = os.dup(handle.fileno())
            handle.close()
        os.ftruncate(self.fd, size)
        seals = getattr(fcntl, "F_SEAL_SHRINK", 0) | getattr(fcntl, "F_SEAL_GROW", 0) | getattr(fcntl, "F_SEAL_SEAL", 0)
        if seals and hasattr(fcntl, "F_ADD_SEALS"):
            try:
                fcntl.fcntl(self.fd, fcntl.F_ADD_SEALS, seals)
            except OSError:
                pass                            # a file system without seals: pread keeps us safe
        self.size = size
        self.top = 0

    def reset(self):
        self.top = 0

    def place(self, array):
        """Copy ``array`` in -> (offset, dtype, shape), the worker's way to find it."""
        array = np.ascontiguousarray(array)
        offset = -(-self.top // ALIGN) * ALIGN
        if offset + array.nbytes > self.size:
            raise ArenaFull(f"arguments larger than the {self.size >> 20} MiB arena")
        os.pwrite(self.fd, array.tobytes(), offset)
        self.top = offset + array.nbytes
        return offset, array.dtype.str, list(array.shape)

    def read(self, offset, dtype, shape):
        """The array at ``offset`` as it is now: a plain copy owned by the grader, or None
        when the file no longer holds it (the worker shrank it)."""
        dtype = np.dtype(dtype)
        count = int(np.prod(shape, dtype=np.int64))
        data = os.pread(self.fd, count * dtype.itemsize, offset) if count else b""
        if len(data) != count * dtype.itemsize:
            return None
        return np.frombuffer(data, dtype=dtype, count=count).reshape(shape).copy()

    def close(self):
        os.close(self.fd)
