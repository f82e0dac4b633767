"""Copying between two open files inside the kernel, as ``cp`` does.

``copy_file_range`` first, then ``sendfile``, then a read/write loop through one reusable
buffer per thread, as the kernel and the filesystems allow. The stop check runs between
calls, so a call's size bounds how long a cancel waits.
"""

from __future__ import annotations

import errno
import os
import threading
import time
import typing as t

CHUNK = 8 * 1024 * 1024  # bytes per read where data passes through Python
# Bytes per copy_file_range call. The step doubles (up to KERNEL_STEP_MAX) while a call
# takes under KERNEL_STEP_SECONDS, so a fast disk makes few calls (each return must win the
# GIL back from the API threads) and a slow one still notices a cancel within about that time.
KERNEL_STEP = 64 * 1024 * 1024
KERNEL_STEP_MAX = 1024 * 1024 * 1024
KERNEL_STEP_SECONDS = 0.05

# Not supported between these two files: the next way down may work.
FALLBACK_ERRNOS = {
    getattr(errno, name)
    for name in ("EXDEV", "EINVAL", "ENOSYS", "EOPNOTSUPP", "ENOTSUP", "EBADF", "ETXTBSY")
    if hasattr(errno, name)
}

_buffers = threading.local()


def buffer() -> memoryview:
    """This thread's reusable copy buffer (no allocation per chunk or per file)."""
    buf = getattr(_buffers, "buf", None)
    if buf is None:
        buf = _buffers.buf = memoryview(bytearray(CHUNK))
    return buf


def write_all(fd: int, data: memoryview) -> None:
    while data:
        data = data[os.write(fd, data) :]


def descriptors(reader: t.BinaryIO, writer: t.BinaryIO) -> tuple[int, int] | None:
    """The descriptors of two plain local files (None for other storage)."""
    try:
        return reader.fileno(), writer.fileno()
    except (AttributeError, OSError, ValueError):
        return None


def small_copy(fd_in: int, fd_out: int, check: t.Callable[[], None]) -> int:
    """:func:`kernel_copy` for the many small files of a unit: one ``copy_file_range``
    moves a small file whole and a second finds its end, with nothing around them;
    anything else (an error, more data) goes on the general way from where it stands."""
    try:
        size = os.copy_file_range(fd_in, fd_out, KERNEL_STEP)
    except (AttributeError, OSError):  # no bytes moved: the general way tries every way
        return kernel_copy(fd_in, fd_out, check)
    if not size:
        return 0
    if size < KERNEL_STEP:
        try:
            more: int | None = os.copy_file_range(fd_in, fd_out, KERNEL_STEP)
        except OSError:
            more = None  # raised again, with its meaning, by the general way
        if more == 0:
            return size
        size += more or 0
    return kernel_copy(fd_in, fd_out, check, copied=size)


def kernel_copy(
    fd_in: int,
    fd_out: int,
    check: t.Callable[[], None],
    *,
    progress: t.Callable[[int], None] | None = None,
    copied: int = 0,
) -> int:
    """Copy ``fd_in`` to ``fd_out`` inside the kernel; the bytes copied (counting
    ``copied`` bytes already moved from the same offsets).

    A way down is taken only before any byte moved. ``progress`` is told the running total
    after each step (which then stays small, for a hasher following the copy).
    """
    size = copied
    mode = 0 if hasattr(os, "copy_file_range") else 1
    step = KERNEL_STEP if progress is None else CHUNK * 2
    while True:
        check()
        began = time.monotonic()
        try:
            if mode == 0:
                n = os.copy_file_range(fd_in, fd_out, step)
            elif mode == 1:
                n = os.sendfile(fd_out, fd_in, None, step)
            else:
                buf = buffer()
                n = os.readv(fd_in, [buf])
                write_all(fd_out, buf[:n])
        except OSError as exc:
            # Next way down, but only before any byte moved (the offsets are then still at 0).
            if mode < 2 and size == 0 and exc.errno in FALLBACK_ERRNOS:
                mode += 1
                continue
            raise
        if not n:
            return size
        size += n
        if progress is not None:
            progress(size)
        elif n == step and step < KERNEL_STEP_MAX:
            if time.monotonic() - began < KERNEL_STEP_SECONDS:
                step *= 2
