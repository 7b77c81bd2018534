"""The RDF behind each page: what the `.ttl`, `.jsonld` and `.nt` siblings of a page hold."""

from __future__ import annotations

from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.namespace import RDF

from cassibile.errors import UsageError
from cassibile.export import MENTION_SUMMARY, SOURCE_SUMMARY
from cassibile.load import new_graph
from cassibile.namespaces import CAS, ID
from cassibile.site.view import SiteGraph

FACT_ROLES = frozenset({RDF.subject, RDF.object})
CLAIM_SOURCE = frozenset({CAS.source})
SOURCE_PARTS, MENTION_PARTS = frozenset(SOURCE_SUMMARY), frozenset(MENTION_SUMMARY)


class Descriptions:
    """Every page's triples, read from one index of the build's graphs.

    An entity's description holds the triples of `export.entity_subgraph` of the hand-written graph
    with its derived triples: the same as the entity's framed JSON-LD document (tests/test_site.py
    checks that they agree). Asking rdflib for each node of each description, over a union copied
    for the purpose, took most of the site's time on a large build; one pass over the two graphs
    indexes the triples by subject and the facts by the entity they are about or name, and then a
    description is a few dict lookups.
    """

    def __init__(self, site: SiteGraph):
        self.site = site
        self.about: dict = {}  # subject -> its triples in the asserted and derived graphs
        self.facts: dict = {}  # entity -> the facts whose rdf:subject or rdf:object it is
        self.time_spans: set = set()
        for graph in (site.data, site.derived):
            for triple in graph:
                self.about.setdefault(triple[0], []).append(triple)
                if triple[1] in FACT_ROLES:
                    self.facts.setdefault(triple[2], set()).add(triple[0])
                elif triple[1] == RDF.type and triple[2] == CAS.TimeSpan:
                    self.time_spans.add(triple[0])

    def entity(self, entity: URIRef) -> Graph:
        """Its own triples; each fact about it or naming it, with the fact's time spans and claims and
        each claim's source (type, title, language); then the types and labels of every other entity
        these name."""
        part = list(self.about.get(entity, ()))
        for fact in self.facts.get(entity, ()):
            part += self._fact(fact)
        named = {o for _, _, o in part if isinstance(o, URIRef) and o.startswith(ID)} - {entity}
        for mention in named:
            part += self._summary(mention, MENTION_PARTS)
        return _graph(part)

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

    def _summary(self, node, predicates) -> list:
        return [triple for triple in self.about.get(node, ()) if triple[1] in predicates]

    def source(self, source: URIRef) -> Graph:
        """The source's description and every claim that quotes it (asserted triples only)."""
        data = self.site.data
        part = list(data.triples((source, None, None)))
        for claim in self.site.claims_from(source):
            part += data.triples((claim.iri, None, None))
        return _graph(part)


def _graph(triples: list) -> Graph:
    """A page's triples as a graph to serialise, in rdflib's SimpleMemory store: it keeps no named graphs,
    which a page does not need, and fills several times faster than the default store, over thousands of pages."""
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
