"""One RDF term in oxigraph's form and in rdflib's: the conversions every layer of the package shares."""

from __future__ import annotations

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
QUOTED_TRIPLE = "a quoted triple (RDF-star) is not part of the publication's model: state it as a cas:Fact"


def to_rdflib(term):
    """An oxigraph term as rdflib's (simple literals stay plain, as RDF 1.1 reads them)."""
    if isinstance(term, ox.Triple):
        raise ValueError(QUOTED_TRIPLE)
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if term.language:
        return Literal(term.value, lang=term.language)
    if term.datatype.value == XSD_STRING:  # RDF 1.1 simple literal: keep rdflib's plain form
        return Literal(term.value)
    # As written: rdflib's normalising would turn "1943-09-03Z"^^xsd:date into "1943-09-03", which no fmt could undo.
    return Literal(term.value, datatype=URIRef(term.datatype.value), normalize=False)


def to_oxigraph(term):
    """An rdflib term as oxigraph's."""
    if isinstance(term, URIRef):
        return ox.NamedNode(term)
    if isinstance(term, BNode):
        return ox.BlankNode(term)
    if term.language:
        return ox.Literal(term, language=term.language)
    return ox.Literal(term, datatype=ox.NamedNode(term.datatype) if term.datatype else None)


class Terms(dict):
    """oxigraph term -> rdflib term, each distinct term converted once and then shared by every triple
    that uses it: one Python object per occurrence cost about 40% of a loaded graph's memory."""

    def __missing__(self, term):
        self[term] = converted = to_rdflib(term)
        return converted


class OxigraphTerms(dict):
    """rdflib term -> oxigraph term, each distinct term converted once (a layer repeats its subjects and predicates).
    rdflib's equality takes "x"@EN for "x"@en, but both convert to "x"@en."""

    def __missing__(self, term):
        self[term] = converted = to_oxigraph(term)
        return converted


_PROBE = ox.NamedNode("urn:x-cassibile:probe")


def stored_forms(terms: list) -> list:
    """What a pyoxigraph store makes of each term (oxigraph's) on insert: read back from a scratch store."""
    probe = ox.Store()
    probe.bulk_extend(ox.Quad(ox.NamedNode(f"{_PROBE.value}:{i}"), _PROBE, term) for i, term in enumerate(terms))
    forms = [None] * len(terms)
    for quad in probe:
        forms[int(quad.subject.value.rsplit(":", 1)[1])] = quad.object
    return forms
