"""`cassibile fmt`: rewrite hand-edited Turtle into the canonical form (rdflib's longturtle, sorted), each literal
as a pyoxigraph store keeps it, the form the loader accepts (docs/literals.md)."""

from __future__ import annotations

from pathlib import Path

from rdflib import Graph, Literal

from cassibile.pipeline.load import parse_turtle
from cassibile.publish.export import canonical_turtle
from cassibile.terms import stored_forms, to_oxigraph, to_rdflib


def canonical(path: Path) -> bytes:
    return canonical_turtle(as_stored(parse_turtle(path, as_written=False)))


def as_stored(graph: Graph) -> Graph:
    """The graph with every literal rewritten into the form a store gives it ("5"^^xsd:int into "5"^^xsd:integer)."""
    literals = list({o for o in graph.objects() if isinstance(o, Literal)})
    forms = {literal: to_rdflib(form) for literal, form in zip(literals, stored_forms([to_oxigraph(o) for o in literals]))}
    for s, p, o in [t for t in graph if isinstance(t[2], Literal) and forms[t[2]] != t[2]]:
        graph.remove((s, p, o))
        graph.add((s, p, forms[o]))
    return graph


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
