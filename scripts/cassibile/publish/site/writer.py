"""Writing the site's files from a process of their own, while the next pages are rendered.

Most of the time of writing ten thousand small files goes to the kernel creating them. A writer thread
would wait for Python's lock after each of its system calls, since rendering holds it; so the files go
down a pipe to a small process that writes them on another core: this file, run by itself with only
the standard library. The pipe holds up to `PIPE` bytes, so that the pages go on rendering while the
writer works through them (a bigger buffer on our side, flushed in one call, would wait for it each time).

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
BUFFERED = 1 << 16  # bytes gathered before they go down the pipe


class FileWriter:
    """`with FileWriter() as files: files.write(path, text_or_bytes)`: every file is written when the block ends."""

    def __enter__(self) -> FileWriter:
        self._process = subprocess.Popen([sys.executable, "-I", "-S", __file__], stdin=subprocess.PIPE,
                                         stdout=subprocess.PIPE, bufsize=BUFFERED)
        with contextlib.suppress(OSError):  # refused over a user's quota of pipe memory: a smaller pipe only costs speed
            fcntl.fcntl(self._process.stdin.fileno(), fcntl.F_SETPIPE_SZ, PIPE)
        return self

    def write(self, path: Path | str, data: str | bytes) -> None:
        """Write `data` (text as UTF-8) to `path`, whose folder exists."""
        name = os.fsencode(path)
        content = data.encode("utf-8") if isinstance(data, str) else data
        try:
            self._process.stdin.write(HEADER.pack(len(name), len(content)) + name)
            self._process.stdin.write(content)
        except BrokenPipeError:
            raise self._failure() from None

    def __exit__(self, kind, error, trace) -> None:
        if kind is not None:  # the site failed before its last file: write no more
            self._process.kill()
        try:
            self._process.stdin.close()
        except BrokenPipeError:
            pass
        with self._process.stdout:
            if self._process.wait() != 0 and kind is None:
                raise self._failure()

    def _failure(self):
        from cassibile.errors import UsageError  # here, not above: the writer's process runs this file without the package

        self._process.wait()
        said = self._process.stdout.read().decode("utf-8", "replace")
        return UsageError(said or f"the process writing the site's files stopped (exit status {self._process.returncode})")


def write_files(stream: BinaryIO, report: TextIO) -> int:
    """The writer's side: write each file read from `stream`; at the first that fails, say which to `report`, and stop."""
    while header := stream.read(HEADER.size):
        length, size = HEADER.unpack(header)
        path = os.fsdecode(stream.read(length))
        content = stream.read(size)
        if len(content) != size:
            return 1  # the site's process died while sending this file
        try:
            with open(path, "wb") as file:
                file.write(content)
        except OSError as error:
            report.write(f"cannot write {path}: {error.strerror}")
            return 1
    return 0


if __name__ == "__main__":
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # on Ctrl-C the site's process stops this one
    sys.exit(write_files(sys.stdin.buffer, sys.stdout))
