"""`cassibile fmt`: rewrite hand-edited Turtle into the canonical form (rdflib's longturtle, sorted)."""

from __future__ import annotations

from pathlib import Path

from cassibile.export import canonical_turtle
from cassibile.load import parse_turtle


def canonical(path: Path) -> bytes:
    return canonical_turtle(parse_turtle(path))


def non_canonical(paths: list[Path]) -> list[Path]:
    return [p for p in paths if p.read_bytes() != canonical(p)]


def rewrite(paths: list[Path]) -> list[Path]:
    """Rewrite files that are not canonical; returns those that changed."""
    changed = []
    for path in paths:
        text = canonical(path)
        if path.read_bytes() != text:
            path.write_bytes(text)
            changed.append(path)
    return changed
