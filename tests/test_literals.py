"""docs/literals.md's table is measured: each literal, read by oxigraph's parser as the loader reads it, becomes in a
pyoxigraph Store, in rdflib's default Literal and in the loader's what the table says. The loader refuses every
literal that the store or the loader would publish otherwise than written, `fmt` writes it as the store keeps it, and
every literal of graph/ reaches dist/ byte for byte."""

from __future__ import annotations

import re
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import XSD

from cassibile.errors import DataError
from cassibile.fmt import canonical
from cassibile.pipeline.load import parse_turtle, stored_forms
from cassibile.project import Project
from cassibile.terms import to_rdflib

ROOT = Path(__file__).resolve().parents[1]
_TERM = re.compile(r'^"(?P<lexical>[^"]*)"(?:\^\^xsd:(?P<datatype>\w+)|@(?P<language>[\w-]+))?$')


def table_rows() -> list[tuple[str, str, str, str]]:
    """(written, stored, rdflib's, the loader's); the last two end in " ill-typed" where the table says so."""
    rows = []
    for line in (ROOT / "docs" / "literals.md").read_text(encoding="utf-8").splitlines():
        cells = [re.findall(r"`([^`]*)`", cell) + ["ill-typed" in cell] for cell in line.split(" | ")]
        if line.startswith("| `") and len(cells) == 4:
            rows.append(tuple(term + (" ill-typed" if ill_typed else "") for term, ill_typed in cells))
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


def rdflib_default(term) -> Literal:
    """rdflib's own Literal for an oxigraph term, normalising as rdflib does by default."""
    if term.language:
        return Literal(term.value, lang=term.language)
    return Literal(term.value, datatype=None if term.datatype.value == str(XSD.string) else URIRef(term.datatype.value))


def matches(literal: Literal, cell: str) -> bool:
    expected = _TERM.match(cell.removesuffix(" ill-typed"))
    datatype = XSD[expected["datatype"]] if expected["datatype"] else None
    return (described(literal) == (expected["lexical"], datatype, expected["language"])
            and bool(literal.ill_typed) == cell.endswith(" ill-typed"))


@pytest.mark.parametrize(("written", "stored", "default", "loader"), table_rows(), ids=lambda cell: cell)
def test_what_the_store_and_rdflib_make_of_a_literal(written, stored, default, loader):
    term = parsed(written)
    assert stored_forms([term])[0] == parsed(stored)
    assert matches(rdflib_default(term), default)
    assert matches(to_rdflib(term), loader)


def one_statement(tmp_path: Path, literal: str) -> Path:
    path = tmp_path / "one.ttl"
    path.write_text(f"@prefix xsd: <{XSD}> .\n\n<urn:x:thing> <urn:x:says> {literal} .\n", encoding="utf-8")
    return path


@pytest.mark.parametrize(("written", "stored", "default", "loader"), table_rows(), ids=lambda cell: cell)
def test_load_refuses_a_literal_published_otherwise_and_fmt_writes_it_as_the_store_keeps_it(tmp_path, written, stored, default, loader):
    path, term = one_statement(tmp_path, written), parsed(written)
    if loader.endswith(" ill-typed"):
        with pytest.raises(DataError, match="ill-typed literal"):
            parse_turtle(path)
    elif parsed(stored) == term and parsed(loader) == term:
        assert parse_turtle(path).value(URIRef("urn:x:thing"), URIRef("urn:x:says")) == to_rdflib(term)
    else:
        with pytest.raises(DataError) as refused:
            parse_turtle(path)
        assert str(refused.value).startswith(f"{path}:3: urn:x:thing: the literal ")
        assert str(refused.value).endswith("run `cassibile fmt` to write it so")
        path.write_bytes(canonical(path))
        fixed = parse_turtle(path).value(URIRef("urn:x:thing"), URIRef("urn:x:says"))
        assert fixed == to_rdflib(stored_forms([parsed(loader)])[0])


def test_the_message_names_the_literal_and_what_the_store_would_make_of_it(tmp_path):
    path = one_statement(tmp_path, '"5"^^xsd:int')
    with pytest.raises(DataError) as refused:
        parse_turtle(path)
    assert str(refused.value) == (f'{path}:3: urn:x:thing: the literal "5"^^xsd:int would be published as "5"^^xsd:integer '
                                  "(a pyoxigraph store's form): run `cassibile fmt` to write it so")
    path = one_statement(tmp_path, '"a  b"^^xsd:token')
    with pytest.raises(DataError, match=r'the literal "a  b"\^\^xsd:token would be published as "a b"\^\^xsd:token '
                                        r"\(the form rdflib reads\)"):
        parse_turtle(path)


def test_the_projects_literals_are_kept_as_written_by_the_store_and_by_rdflib():
    """The policy holds of the project: the loader refuses nothing of it (`cassibile build` would fail otherwise)."""
    project = Project(ROOT)
    literals = {triple.object for path in project.hand_written_turtle
                for triple in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE) if isinstance(triple.object, ox.Literal)}
    literals = sorted(literals, key=str)
    assert len(literals) > 1000
    assert [term for term, form in zip(literals, stored_forms(literals)) if form != term] == []
    assert [term for term in literals if str(to_rdflib(term)) != term.value] == []


def test_every_literal_of_the_graph_reaches_the_n_quads_byte_for_byte(built):
    """Each literal of graph/, read by oxigraph's parser, is in dist/cassibile.nq as the same N-Triples term text."""
    published = (built / "cassibile.nq").read_text(encoding="utf-8")
    literals = {str(triple.object) for path in Project(ROOT).graph_files
                for triple in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE) if isinstance(triple.object, ox.Literal)}
    assert len(literals) > 1000
    assert sorted(term for term in literals if f" {term} <" not in published) == []


def test_the_store_keeps_simple_literals_as_written():
    """`derive` adds a claim's quote, prefix and suffix without comparing them with what the store makes of them (only
    the typed offsets are compared): a store rewrites no simple literal, whatever its characters."""
    texts = ["", " spaced  out ", "line\nbreak\r\n", "tab\tNUL\u0000", "e\u0301 and é", "“quoted” \"twice\"", "0007", "1.50", "true"]
    assert stored_forms([ox.Literal(text) for text in texts]) == [ox.Literal(text) for text in texts]
