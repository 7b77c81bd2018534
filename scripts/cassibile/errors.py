"""Errors that the command line turns into exit codes: 1 for data, 2 for usage."""

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
