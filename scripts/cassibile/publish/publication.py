"""The publication's index: each entity with its facts, their claims, sources and time spans, and the one rule for what an entity's document holds.

Built once from the hand-written and derived layers in the build's store (`Built.publication`) and read by every
writer that describes an entity or a fact: the framed JSON-LD documents (`export.entity_documents`)
and the site's pages and their data siblings (`site.describe`). One pass over the layers indexes the
triples by subject and the facts by the entities they name; then a document is a few dict lookups.

>>> from rdflib import Literal
>>> graph = Graph()
>>> for triple in [(ID.a, RDF.type, CAS.Person), (ID.a, RDFS.label, Literal("A")), (ID.a, CAS.note, Literal("n")),
...                (FACT.f, RDF.subject, ID.b), (FACT.f, RDF.object, ID.a)]:
...     _ = graph.add(triple)
>>> index = Publication(graph)
>>> index.entities, index.facts_naming(ID.a, RDF.object)
([rdflib.term.URIRef('https://w3id.org/cassibile/id/a')], [rdflib.term.URIRef('https://w3id.org/cassibile/fact/f')])
>>> sorted(index.embedded(ID.a, RDF.object))  # what the documents of others hold of it: its type and labels
[rdflib.term.URIRef('http://www.w3.org/1999/02/22-rdf-syntax-ns#type'), rdflib.term.URIRef('http://www.w3.org/2000/01/rdf-schema#label')]
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import cached_property

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS

from cassibile.namespaces import CAS, FACT, ID, SOURCE

# What a document holds of a source one of its claims quotes, and of an entity it names.
SOURCE_SUMMARY = (RDF.type, DCTERMS.title, DCTERMS.language)
MENTION_SUMMARY = (RDF.type, RDFS.label, CAS.editorialLabel)
# The roles in which a fact names an entity: the entity's document holds the fact.
FACT_ROLES = (RDF.subject, RDF.object)
# rdflib namespace attributes are looked up on every access: the loops below use these instead.
_TYPE, _SUPPORTED_BY, _TIME_SPAN = RDF.type, CAS.supportedBy, CAS.TimeSpan

Properties = dict  # predicate -> a tuple of its objects: a node's triples, each once, in the order first seen
Part = dict  # node -> the Properties of it that a document holds


def is_entity(node) -> bool:
    """Whether a node is one of the things the publication describes (once typed): an IRI under id/."""
    return isinstance(node, URIRef) and node.startswith(ID)


def is_entity_filter(variable: str) -> str:
    """`is_entity` as a SPARQL expression on `variable`, for the writers that count in the store."""
    return f'isIRI({variable}) && STRSTARTS(STR({variable}), "{ID}")'


def entities(graph: Graph) -> list[URIRef]:
    """The things the publication describes: typed nodes under the id/ namespace."""
    return sorted({s for s in graph.subjects(_TYPE, None) if is_entity(s)})


class Publication:
    """The layers' triples by subject, and the facts by the entities they name, from one pass over the layers (rdflib's
    triples: graphs, or a layer of the build's store read as written, `LayerStore.as_written`)."""

    def __init__(self, *layers: Iterable[tuple]):
        self.about: dict = {}  # subject -> Properties; a triple in two layers counts once
        self.facts: dict = {role: {} for role in FACT_ROLES}  # role -> entity -> the facts naming it so
        for layer in layers:
            for s, p, o in layer:
                self.about.setdefault(s, {}).setdefault(p, {})[o] = None
                if p in self.facts:
                    self.facts[p].setdefault(o, set()).add(s)
        # Each predicate's objects as a tuple: most hold one, and a tuple takes a fifth of a one-key dict's memory
        # (the index of 100k triples: 26 MiB instead of 61, measured; of 1M, about 350 MB less, shared by the processes
        # that write the site).
        for properties in self.about.values():
            for predicate, objects in properties.items():
                properties[predicate] = tuple(objects)

    @cached_property
    def entities(self) -> list[URIRef]:
        """As `entities` gives for the layers: typed nodes under id/, sorted."""
        return sorted(node for node, properties in self.about.items() if _TYPE in properties and is_entity(node))

    def facts_naming(self, entity, role) -> list:
        """The facts whose `role` (rdf:subject or rdf:object) is `entity`, sorted."""
        return sorted(self.facts[role].get(entity, ()))

    def value(self, node, predicate):
        """One object of `node` and `predicate` (the first indexed), or None: as rdflib's `Graph.value`."""
        return next(iter(self.about.get(node, {}).get(predicate, ())), None)

    def summary(self, node, predicates) -> Properties:
        properties = self.about.get(node, {})
        return {p: properties[p] for p in predicates if p in properties}

    def embedded(self, node, predicate) -> Properties | None:
        """What a document holds of a node that one of its triples names by `predicate`, wherever it stands:
        the type and labels of an entity, the type, title and language of a source, all of a claim a fact
        rests on (`cas:supportedBy`) or of a time span; None for anything else (a class, another fact, an
        IRI of someone else's), which the document names and does not describe."""
        if isinstance(node, Literal):
            return None
        text = str(node)
        if text.startswith(ID):
            return self.summary(node, MENTION_SUMMARY)
        if text.startswith(SOURCE):
            return self.summary(node, SOURCE_SUMMARY)
        properties = self.about.get(node, {})
        if predicate == _SUPPORTED_BY or _TIME_SPAN in properties.get(_TYPE, ()):
            return properties
        return None

    def document(self, entity) -> Part:
        """What an entity's document holds: all of the entity and of every fact it is the subject or the
        value of, and what `embedded` says of every node these name, and of every node those name, …"""
        roots = [entity, *sorted({fact for role in FACT_ROLES for fact in self.facts[role].get(entity, ())})]
        return self._closure({node: self.about.get(node, {}) for node in roots})

    def fact_document(self, fact) -> Part:
        """What a fact's own page holds: all of the fact, and what `embedded` says of every node it names, …"""
        return self._closure({fact: self.about.get(fact, {})})

    def _closure(self, part: Part) -> Part:
        pending = list(part.items())
        while pending:
            _, properties = pending.pop()
            for predicate, objects in properties.items():
                for node in objects:
                    if node not in part and (found := self.embedded(node, predicate)) is not None:
                        part[node] = found
                        pending.append((node, found))
        return part


def triples_of(part: Part) -> Iterator[tuple]:
    """A document's triples, each once."""
    for node, properties in part.items():
        for predicate, objects in properties.items():
            for obj in objects:
                yield node, predicate, obj
