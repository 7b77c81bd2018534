"""The RDF behind each page: what the data siblings of a page (`.ttl`, `.jsonld`, `.nt`) hold, and writing them.

Every page that describes an IRI — an entity, a source, a fact, a claim, the dataset — has the same
siblings, written by `write_data` from one list of formats (`DATA_FORMATS`), so that `cassibile
serve` can answer the extensionless IRI path with any of them.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph, URIRef

from cassibile.errors import UsageError
from cassibile.namespaces import CAS
from cassibile.pipeline.load import new_graph
from cassibile.publish.export import CONTEXT_URL, compacted_jsonld, compactor, serialize_statements, statements
from cassibile.publish.outputs import GENERATED
from cassibile.publish.publication import SOURCE_SUMMARY, Publication, triples_of
from cassibile.publish.site.view import SiteGraph
from cassibile.publish.site.writer import FileWriter
from cassibile.terms import OxigraphTerms

# The data siblings of every page that describes an IRI, written from its triples by oxigraph:
# (format name, file suffix, media type, the name people know it by).
DATA_FORMATS = (
    ("ttl", ".ttl", "text/turtle", "Turtle"),
    ("nt", ".nt", "application/n-triples", "N-Triples"),
    ("xml", ".rdf", "application/rdf+xml", "RDF/XML"),
)
JSONLD = ("jsonld", ".jsonld", "application/ld+json", "JSON-LD")
SIBLINGS = (DATA_FORMATS[0], JSONLD, *DATA_FORMATS[1:])  # as the pages list them


def write_data(writer: FileWriter, base: Path, triples: list[ox.Triple], jsonld: bytes) -> None:
    """A page's data siblings beside `base`.html: the same triples in each of DATA_FORMATS, and JSON-LD.
    (The suffix is added to the IRI's last segment, which may itself contain a dot.)"""
    for fmt, suffix, _, _ in DATA_FORMATS:
        writer.write(f"{base}{suffix}", serialize_statements(triples, fmt, header=GENERATED if fmt == "ttl" else None))
    writer.write(f"{base}{JSONLD[1]}", jsonld)


class Descriptions:
    """Every page's triples, read from the publication's index (`cassibile.publish.publication`).

    An entity's page holds what its framed JSON-LD document holds (`Publication.document`), a fact's
    page what `Publication.fact_document` says. Each term is converted to oxigraph's once, for every page, and
    the JSON-LD context's compactor is found once.
    """

    def __init__(self, site: SiteGraph, index: Publication, context: dict):
        self.site, self.index, self.context = site, index, context
        self._terms = OxigraphTerms()
        self._compactor = compactor(context)

    def entity(self, entity: URIRef) -> list[ox.Triple]:
        """Its own triples; each fact about it or naming it, with the fact's time spans and claims and
        each claim's source (type, title, language); then the types and labels of every other entity
        these name."""
        return self._statements(triples_of(self.index.document(entity)))

    def fact(self, fact: URIRef) -> list[ox.Triple]:
        """The fact's triples, its time spans and claims, each claim's source, and the entities it names."""
        return self._statements(triples_of(self.index.fact_document(fact)))

    def claim(self, claim: URIRef) -> list[ox.Triple]:
        """The claim's triples, its source's summary, and each fact that rests on it (its own triples)."""
        about = self.index.about.get(claim, {})
        part = {claim: about}
        for source in about.get(CAS.source, ()):
            part.setdefault(source, self.index.summary(source, SOURCE_SUMMARY))
        for fact in self.site.claims[claim].facts if claim in self.site.claims else ():
            part.setdefault(fact.iri, self.index.about.get(fact.iri, {}))
        return self._statements(triples_of(part))

    def _statements(self, part) -> list[ox.Triple]:
        """The triples, given once each, as oxigraph's, sorted: what `export.statements` gives for a graph of them."""
        part = list(part)
        terms = self._terms
        converted = [ox.Triple(terms[s], terms[p], terms[o]) for s, p, o in part]
        if any(isinstance(t.subject, ox.BlankNode) or isinstance(t.object, ox.BlankNode) for t in converted):
            return statements(_graph(part))  # blank nodes relabelled from the content, as the dumps have them
        converted.sort(key=str)
        return converted

    def jsonld(self, triples: list[ox.Triple]) -> bytes:
        """The triples as JSON-LD compacted with the published context, which it refers to by URL, as the
        entity documents do."""
        return compacted_jsonld(triples, self._compactor, CONTEXT_URL)

    def source(self, source: URIRef) -> list[ox.Triple]:
        """The source's description and every claim that quotes it (asserted triples only)."""
        data = self.site.data
        part = list(data.triples((source, None, None)))
        for claim in self.site.claims_from(source):
            part += data.triples((claim.iri, None, None))
        return self._statements(set(part))


def _graph(triples: list) -> Graph:
    """Triples as a graph to serialise, in rdflib's SimpleMemory store: it keeps no named graphs, which a page
    does not need, and fills several times faster than the default store."""
    graph = Graph(store="SimpleMemory")
    graph.addN((s, p, o, graph) for s, p, o in triples)
    return graph


def read_built(path: Path) -> Graph:
    """A graph the build wrote beside the site (Turtle), e.g. the VoID description."""
    if not path.is_file():
        raise UsageError(f"{path} is missing; run `cassibile build` first")
    graph = new_graph()
    graph.parse(path, format="turtle")
    return graph
