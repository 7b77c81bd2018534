"""Writing the site's files from a process of their own, while the next pages are rendered.

Most of the time of writing ten thousand small files goes to the kernel creating them. A writer thread
would wait for Python's lock after each of its system calls, since rendering holds it; so the files go
down a pipe to a small process that writes them on another core: this file, run by itself with only
the standard library. The pipe holds up to `PIPE` bytes, so that the pages go on rendering while the
writer works through them.

Processes forked from the one that opened the writer share it (`cassibile.processes`): each sends
whole files only, gathered up to `BUFFERED` bytes, under a lock, so that their files never interleave.
One writer for all: two writers creating files in the same folders wait for each other in the kernel
(ext4 here: twice the system time, no gain).

The first file the writer cannot write stops it, and no file after it is written: a later `write`, or
at the latest the end of the `with` block, raises an error naming it. A file whose bytes did not all
arrive (the site's process died) is not written at all.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import signal
import struct
import subprocess
import sys
from pathlib import Path
from typing import BinaryIO, TextIO

HEADER = struct.Struct("<II")  # the length of a file's path, then of its bytes
PIPE = 1 << 20  # bytes on their way to the writer, at most: Linux's default limit for a pipe
BUFFERED = 1 << 16  # bytes of whole files gathered before they go down the pipe


class FileWriter:
    """`with FileWriter() as files: files.write(path, text_or_bytes)`: every file is written when the block ends.

    A process forked inside the block may write too; it calls `flush` when done, and the block ends after it."""

    def __enter__(self) -> FileWriter:
        self._process = subprocess.Popen([sys.executable, "-I", "-S", __file__], stdin=subprocess.PIPE,
                                         stdout=subprocess.PIPE, bufsize=0)
        self._owner = os.getpid()
        from cassibile.processes import ProcessLock  # here, not above: see `_failure`

        self._lock = ProcessLock()  # held while a process's files go down the pipe
        self._pending: list[bytes] = []
        self._size = 0
        self._said: str | None = None  # why the writer stopped, once read
        with contextlib.suppress(OSError):  # refused over a user's quota of pipe memory: a smaller pipe only costs speed
            fcntl.fcntl(self._process.stdin.fileno(), fcntl.F_SETPIPE_SZ, PIPE)
        return self

    def write(self, path: Path | str, data: str | bytes) -> None:
        """Write `data` (text as UTF-8) to `path`, whose folder exists."""
        name = os.fsencode(path)
        content = data.encode("utf-8") if isinstance(data, str) else data
        self._pending += (HEADER.pack(len(name), len(content)) + name, content)
        self._size += len(name) + len(content)
        if self._size >= BUFFERED:
            self.flush()

    def flush(self) -> None:
        """Send the files gathered so far, whole, to the writer."""
        data, self._pending, self._size = memoryview(b"".join(self._pending)), [], 0
        try:
            with self._lock:
                while data:
                    data = data[os.write(self._process.stdin.fileno(), data):]
        except BrokenPipeError:
            if os.getpid() != self._owner:
                raise  # a forked process: the one that opened the writer reads why it stopped, and says it
            raise self._failure() from None

    def __exit__(self, kind, error, trace) -> None:
        with contextlib.closing(self._lock):  # closed, whatever happens
            writer_failed = isinstance(error, BrokenPipeError) or (kind is not None and self._process.poll() not in (None, 0))
            if kind is None:
                self.flush()
            elif not writer_failed:
                self._process.kill()  # the site failed before its last file: write no more
            with contextlib.suppress(BrokenPipeError):
                self._process.stdin.close()
            with self._process.stdout:
                if self._process.wait() != 0 and (kind is None or writer_failed):
                    raise self._failure() from error  # the writer's failure explains whatever the pages met after it

    def _failure(self):
        from cassibile.errors import UsageError  # here, not above: the writer's process runs this file without the package

        if self._said is None:  # read once: the error may be raised again as the `with` block ends
            self._process.wait()
            self._said = self._process.stdout.read().decode("utf-8", "replace")
        return UsageError(self._said or f"the process writing the site's files stopped (exit status {self._process.returncode})")


def write_files(stream: BinaryIO, report: TextIO) -> int:
    """The writer's side: write each file read from `stream`; at the first that fails, say which to `report`, and stop."""
    while header := stream.read(HEADER.size):
        length, size = HEADER.unpack(header)
        path = os.fsdecode(stream.read(length))
        content = stream.read(size)
        if len(content) != size:
            return 1  # the site's process died while sending this file
        try:
            _write_file(path, content)
        except OSError as error:
            report.write(f"cannot write {path}: {error.strerror}")
            return 1
    return 0


def _write_file(path: str, content: bytes) -> None:
    """What `open(path, "wb").write(content)` does, without its buffered file object and the `fstat` behind it:
    about 4 µs less a file (a 100k-triple project's site has 163,000)."""
    file = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o666)
    try:
        view = memoryview(content)
        while view:
            view = view[os.write(file, view):]
    finally:
        os.close(file)


if __name__ == "__main__":
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # on Ctrl-C the site's process stops this one
    sys.exit(write_files(sys.stdin.buffer, sys.stdout))
