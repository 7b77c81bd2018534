"""Errors that the command line turns into exit codes: 1 for data, 2 for usage, 3 for an endpoint that failed."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


class CassibileError(Exception):
    exit_code = 1


@dataclass
class Location:
    file: Path
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        where = str(self.file)
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        return where


def read_utf8(path: Path) -> str:
    """A text file people edit (a query, Turtle), refused with the line of the first byte that is not UTF-8."""
    raw = path.read_bytes()
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        column = error.start - (raw.rfind(b"\n", 0, error.start) + 1) + 1
        raise DataError(f"not UTF-8 text (byte 0x{raw[error.start]:02x}); save the file as UTF-8",
                        Location(path, line, column)) from None


class DataError(CassibileError):
    """Bad input data: names the file, line and node at fault."""

    exit_code = 1

    def __init__(self, message: str, location: Location | None = None, node: str | None = None):
        self.message, self.location, self.node = message, location, node
        parts = [str(location)] if location else []
        if node:
            parts.append(node)
        parts.append(message)
        super().__init__(": ".join(parts))


class UsageError(CassibileError):
    """A missing file, an unknown query or format: the user asked for something that is not there."""

    exit_code = 2


class NetworkError(CassibileError):
    """A SPARQL endpoint or store could not be reached, refused, timed out or answered nonsense: not the data's
    fault, and often worth trying again later (hence its own exit code)."""

    exit_code = 3


class DataErrors(DataError):
    """Several problems found together, one per line, each with its file, line and node."""

    LIMIT = 50  # lines shown; the rest are counted

    def __init__(self, errors: list[DataError], more: str = ""):
        self.errors = errors
        lines = [str(error) for error in errors[: self.LIMIT]]
        counted = not more
        more = more or (f"{len(errors) - self.LIMIT} more" if len(errors) > self.LIMIT else "")
        if len(errors) == 1 and not more:
            text = lines[0]
        else:
            header = f"{len(errors)} problems:" if counted else f"more than {len(errors)} problems:"
            text = "\n".join([header] + ["  " + line for line in lines] + ([f"  … and {more}"] if more else []))
        CassibileError.__init__(self, text)
        self.message, self.location, self.node = text, errors[0].location, errors[0].node
