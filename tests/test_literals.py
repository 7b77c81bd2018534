"""docs/literals.md's table is measured: each literal, read by oxigraph's parser as the loader reads it, becomes in a
pyoxigraph Store and in an rdflib Literal what the table says. And the project's own literals are kept by both."""

from __future__ import annotations

import re
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib.namespace import XSD

from cassibile.load import to_rdflib
from cassibile.project import Project
from cassibile.shacl_sparql import stored_forms

ROOT = Path(__file__).resolve().parents[1]
_TERM = re.compile(r'^"(?P<lexical>[^"]*)"(?:\^\^xsd:(?P<datatype>\w+)|@(?P<language>[\w-]+))?$')


def table_rows() -> list[tuple[str, str, str]]:
    rows = []
    for line in (ROOT / "docs" / "literals.md").read_text(encoding="utf-8").splitlines():
        cells = re.findall(r"`([^`]*)`", line)
        if line.startswith("| `") and len(cells) == 3:
            rows.append((cells[0], cells[1], cells[2] + (" ill-typed" if "ill-typed" in line.split("|")[3] else "")))
    return rows


def parsed(term: str):
    """The term as oxigraph's parser reads it (the loader's first step)."""
    match = _TERM.match(term)
    lexical, datatype, language = match["lexical"], match["datatype"], match["language"]
    text = f'"{lexical}"' + (f"^^<{XSD[datatype]}>" if datatype else f"@{language}" if language else "")
    return next(iter(ox.parse(f"<urn:s> <urn:p> {text} .".encode(), format=ox.RdfFormat.N_TRIPLES))).object


def described(literal) -> tuple:
    """An rdflib Literal as the table writes it."""
    return str(literal), literal.datatype, literal.language


def test_the_table_covers_the_kinds_of_rewriting():
    assert len(table_rows()) >= 30


@pytest.mark.parametrize(("written", "stored", "read"), table_rows(), ids=lambda cell: cell)
def test_what_the_store_and_rdflib_make_of_a_literal(written, stored, read):
    term = parsed(written)
    assert stored_forms([term])[0] == parsed(stored)
    expected = _TERM.match(read.removesuffix(" ill-typed"))
    literal = to_rdflib(term)
    datatype = XSD[expected["datatype"]] if expected["datatype"] else None
    assert described(literal) == (expected["lexical"], datatype, expected["language"])
    assert bool(literal.ill_typed) == read.endswith(" ill-typed")


def test_the_projects_literals_are_kept_as_written_by_the_store_and_by_rdflib():
    """What docs/literals.md proposes to enforce at load holds of the project today."""
    project = Project(ROOT)
    literals = {triple.object for path in project.ontology_files + project.graph_files + project.shape_files
                for triple in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE) if isinstance(triple.object, ox.Literal)}
    literals = sorted(literals, key=str)
    assert len(literals) > 1000
    assert [term for term, form in zip(literals, stored_forms(literals)) if form != term] == []
    assert [term for term in literals if str(to_rdflib(term)) != term.value] == []
