"""Where the project's files are: the layout of design.md, found from the working directory."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from cassibile.errors import UsageError


@dataclass(frozen=True)
class Project:
    root: Path

    @classmethod
    def find(cls, start: Path | None = None) -> "Project":
        """The nearest folder at or above `start` (or $CASSIBILE_ROOT) that holds ontology/ and graph/."""
        if os.environ.get("CASSIBILE_ROOT"):
            return cls(Path(os.environ["CASSIBILE_ROOT"]).resolve())
        here = (start or Path.cwd()).resolve()
        for folder in (here, *here.parents):
            if (folder / "ontology").is_dir() and (folder / "graph").is_dir():
                return cls(folder)
        raise UsageError(f"no cassibile project (ontology/ and graph/) at or above {here}")

    @property
    def ontology_files(self) -> list[Path]:
        return sorted((self.root / "ontology").glob("*.ttl"))

    @property
    def graph_dir(self) -> Path:
        return self.root / "graph"

    @property
    def graph_files(self) -> list[Path]:
        return sorted(self.graph_dir.rglob("*.ttl"))

    @property
    def shape_files(self) -> list[Path]:
        return sorted((self.root / "shapes").glob("*.ttl"))

    @property
    def query_dir(self) -> Path:
        return self.root / "queries"

    @property
    def dist(self) -> Path:
        return self.root / "dist"

    @property
    def hand_written_turtle(self) -> list[Path]:
        """Every Turtle file people edit: what `fmt` keeps canonical."""
        return self.ontology_files + self.graph_files + self.shape_files
