"""The RDF behind each page: what the data siblings of a page (`.ttl`, `.jsonld`, `.nt`) hold, and writing them.

Every page that describes an IRI — an entity, a source, a fact, a claim, the dataset — has the same
siblings, written by `write_data` from one list of formats (`DATA_FORMATS`), so that `cassibile
serve` can answer the extensionless IRI path with any of them.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Graph, URIRef
from rdflib.namespace import RDF

from cassibile.build import GENERATED
from cassibile.errors import UsageError
from cassibile.export import CONTEXT_URL, MENTION_SUMMARY, SOURCE_SUMMARY, jsonld_bytes, serialize_statements, statements
from cassibile.load import new_graph, to_oxigraph
from cassibile.namespaces import CAS, ID
from cassibile.site.view import SiteGraph

FACT_ROLES = frozenset({RDF.subject, RDF.object})
CLAIM_SOURCE = frozenset({CAS.source})
SOURCE_PARTS, MENTION_PARTS = frozenset(SOURCE_SUMMARY), frozenset(MENTION_SUMMARY)
# The data siblings of every page that describes an IRI, written from its triples by oxigraph:
# (format name, file suffix, media type, the name people know it by).
DATA_FORMATS = (
    ("ttl", ".ttl", "text/turtle", "Turtle"),
    ("nt", ".nt", "application/n-triples", "N-Triples"),
    ("xml", ".rdf", "application/rdf+xml", "RDF/XML"),
)
JSONLD = ("jsonld", ".jsonld", "application/ld+json", "JSON-LD")
SIBLINGS = (DATA_FORMATS[0], JSONLD, *DATA_FORMATS[1:])  # as the pages list them


def write_data(base: Path, triples: list[ox.Triple], jsonld: bytes) -> None:
    """A page's data siblings beside `base`.html: the same triples in each of DATA_FORMATS, and JSON-LD.
    (The suffix is added to the IRI's last segment, which may itself contain a dot.)"""
    for fmt, suffix, _, _ in DATA_FORMATS:
        Path(f"{base}{suffix}").write_bytes(serialize_statements(triples, fmt, header=GENERATED if fmt == "ttl" else None))
    Path(f"{base}{JSONLD[1]}").write_bytes(jsonld)


class Descriptions:
    """Every page's triples, read from one index of the build's graphs.

    An entity's description holds the triples of `export.entity_subgraph` of the hand-written graph
    with its derived triples: the same as the entity's framed JSON-LD document (tests/test_site.py
    checks that they agree). Asking rdflib for each node of each description, over a union copied
    for the purpose, took most of the site's time on a large build; one pass over the two graphs
    indexes the triples by subject and the facts by the entity they are about or name, and then a
    description is a few dict lookups. Each term is converted to oxigraph's once, for every page.
    """

    def __init__(self, site: SiteGraph, context: dict):
        self.site, self.context = site, context
        self.about: dict = {}  # subject -> its triples in the asserted and derived graphs
        self.facts: dict = {}  # entity -> the facts whose rdf:subject or rdf:object it is
        self.time_spans: set = set()
        self._terms: dict = {}  # rdflib term -> oxigraph term
        for graph in (site.data, site.derived):
            for triple in graph:
                self.about.setdefault(triple[0], []).append(triple)
                if triple[1] in FACT_ROLES:
                    self.facts.setdefault(triple[2], set()).add(triple[0])
                elif triple[1] == RDF.type and triple[2] == CAS.TimeSpan:
                    self.time_spans.add(triple[0])

    def entity(self, entity: URIRef) -> list[ox.Triple]:
        """Its own triples; each fact about it or naming it, with the fact's time spans and claims and
        each claim's source (type, title, language); then the types and labels of every other entity
        these name."""
        part = list(self.about.get(entity, ()))
        for fact in self.facts.get(entity, ()):
            part += self._fact(fact)
        return self._statements(part + self._mentions(part, entity))

    def fact(self, fact: URIRef) -> list[ox.Triple]:
        """The fact's triples, its time spans and claims, each claim's source, and the entities it names."""
        part = self._fact(fact)
        return self._statements(part + self._mentions(part, None))

    def claim(self, claim: URIRef) -> list[ox.Triple]:
        """The claim's triples, its source's summary, and each fact that rests on it (its own triples)."""
        part = list(self.about.get(claim, ()))
        for _, _, source in self._summary(claim, CLAIM_SOURCE):
            part += self._summary(source, SOURCE_PARTS)
        for fact in self.site.claims[claim].facts if claim in self.site.claims else ():
            part += self.about.get(fact.iri, ())
        return self._statements(part)

    def _fact(self, fact) -> list:
        """A fact's triples, its time spans' and its claims', and the summary of each claim's source."""
        found = list(self.about.get(fact, ()))
        for _, predicate, node in self.about.get(fact, ()):
            if node in self.time_spans:
                found += self.about[node]
            if predicate == CAS.supportedBy:
                found += self.about.get(node, ())
                for _, _, source in self._summary(node, CLAIM_SOURCE):
                    found += self._summary(source, SOURCE_PARTS)
        return found

    def _mentions(self, part: list, entity) -> list:
        """The types and labels of the entities these triples name (but `entity`)."""
        named = {o for _, _, o in part if isinstance(o, URIRef) and o.startswith(ID)} - {entity}
        return [triple for mention in named for triple in self._summary(mention, MENTION_PARTS)]

    def _summary(self, node, predicates) -> list:
        return [triple for triple in self.about.get(node, ()) if triple[1] in predicates]

    def _statements(self, part: list) -> list[ox.Triple]:
        """The triples once each, as oxigraph's, sorted: what `export.statements` gives for a graph of them."""
        found = set(part)
        if any(isinstance(term, BNode) for triple in found for term in triple):
            return statements(_graph(found))  # blank nodes relabelled from the content, as the dumps have them
        terms, converted = self._terms, []
        for s, p, o in found:
            for term in (s, p, o):
                if term not in terms:
                    terms[term] = to_oxigraph(term)
            converted.append(ox.Triple(terms[s], terms[p], terms[o]))
        converted.sort(key=str)
        return converted

    def jsonld(self, triples: list[ox.Triple]) -> bytes:
        """The triples as JSON-LD compacted with the published context, which it refers to by URL, as the
        entity documents do."""
        return jsonld_bytes(triples, self.context, reference=CONTEXT_URL)

    def source(self, source: URIRef) -> list[ox.Triple]:
        """The source's description and every claim that quotes it (asserted triples only)."""
        data = self.site.data
        part = list(data.triples((source, None, None)))
        for claim in self.site.claims_from(source):
            part += data.triples((claim.iri, None, None))
        return self._statements(part)


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
