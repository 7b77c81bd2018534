"""OWL RL in the build's store: the rules the ontology's vocabulary calls for, run as SPARQL updates in pyoxigraph.

`reasonable` hands the whole closure back as Python objects and keeps its own copy meanwhile (about 1 KB per closure
triple: 7.1 GiB at 1M triples, the build's peak). Here the closure never leaves the store: each round of rules is one
SPARQL update per rule that reads the last round's new triples (semi-naive evaluation) and writes a named graph of
its own, until a round finds nothing new. Only the published part is kept, in the inferred layer (`reason.publish`).

The rules are those of OWL 2 RL (W3C, tables 4–9) that the vocabulary below can fire: class and property hierarchies,
equivalences, domains and ranges, inverse, symmetric, transitive and (inverse-)functional properties, and owl:sameAs.
The schema rules (scm-*) are not run: what they add is about ontology terms, which is never published, and every
conclusion about the publication's things that they enable, chains of the instance rules reach as well. That holds
while the schema is left alone by the instance rules and uses nothing else; `refuse_unsupported` says where an input leaves
that ground (the build then reasons with `reasonable`), and `Rounds.refuse_trespass` checks the closure for it afterwards.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pyoxigraph as ox
from rdflib.namespace import OWL, RDF, RDFS

from cassibile.namespaces import BASE, CAS, WD, prefixed
from cassibile.pipeline.store import LayerUnion

WORK = "urn:x-cassibile:reasoning:"  # the rounds' named graphs, dropped when reasoning ends
_PREFIXES = f"PREFIX rdf: <{RDF}>\nPREFIX rdfs: <{RDFS}>\nPREFIX owl: <{OWL}>\n"


def ours(variable: str) -> str:
    """A SPARQL test: is the node one of the publication's own (id/, fact/, claim/, source/, interval/)?"""
    return f'(isIRI({variable}) && STRSTARTS(STR({variable}), "{BASE}") && !STRSTARTS(STR({variable}), "{CAS}"))'


def wikidata_item(variable: str) -> str:
    """A SPARQL test: is the node a Wikidata item (wd:Q…)?"""
    return f'STRSTARTS(STR({variable}), "{WD}")'


def _not_onto_item(source: str, copy: str) -> str:
    """eq-rep-s and eq-rep-o do not copy what is said of one of the publication's things onto a Wikidata item it is
    owl:sameAs (the item's own statements are still copied onto it). Publishing drops every triple about or pointing
    to a Wikidata item, and whatever such a copy leads to, the rules reach from the original too, since they treat the
    members of an owl:sameAs class alike: the published triples are the same (tests/test_reasoning.py checks them
    against reasonable's). At 100k triples these copies were half of the rules' time."""
    return f"FILTER (!({ours(source)} && {wikidata_item(copy)}))"


# Each rule: its name, the triple it adds, and its body, where Δ{…} is the atom read from the last round's triples and
# the other atoms read everything known. A rule with two atoms about the data appears once per atom that may be new.
RULES = (
    ("cax-sco", "?x a ?d", "Δ{?x a ?c} ?c rdfs:subClassOf ?d"),
    ("cax-eqc1", "?x a ?d", "Δ{?x a ?c} ?c owl:equivalentClass ?d"),
    ("cax-eqc2", "?x a ?c", "Δ{?x a ?d} ?c owl:equivalentClass ?d"),
    ("prp-dom", "?x a ?c", "Δ{?x ?p ?y} ?p rdfs:domain ?c"),
    ("prp-rng", "?y a ?c", "Δ{?x ?p ?y} ?p rdfs:range ?c"),
    ("prp-spo1", "?x ?q ?y", "Δ{?x ?p ?y} ?p rdfs:subPropertyOf ?q"),
    ("prp-eqp1", "?x ?q ?y", "Δ{?x ?p ?y} ?p owl:equivalentProperty ?q"),
    ("prp-eqp2", "?x ?p ?y", "Δ{?x ?q ?y} ?p owl:equivalentProperty ?q"),
    ("prp-inv1", "?y ?q ?x", "Δ{?x ?p ?y} ?p owl:inverseOf ?q"),
    ("prp-inv2", "?y ?p ?x", "Δ{?x ?q ?y} ?p owl:inverseOf ?q"),
    ("prp-symp", "?y ?p ?x", "Δ{?x ?p ?y} ?p a owl:SymmetricProperty"),
    ("prp-trp", "?x ?p ?z", "Δ{?x ?p ?y} ?p a owl:TransitiveProperty . ?y ?p ?z"),
    ("prp-trp", "?x ?p ?z", "Δ{?y ?p ?z} ?p a owl:TransitiveProperty . ?x ?p ?y"),
    ("prp-fp", "?y1 owl:sameAs ?y2", "Δ{?x ?p ?y1} ?p a owl:FunctionalProperty . ?x ?p ?y2 FILTER (!sameTerm(?y1, ?y2))"),
    ("prp-ifp", "?x1 owl:sameAs ?x2", "Δ{?x1 ?p ?y} ?p a owl:InverseFunctionalProperty . ?x2 ?p ?y FILTER (!sameTerm(?x1, ?x2))"),
    ("eq-sym", "?y owl:sameAs ?x", "Δ{?x owl:sameAs ?y}"),
    ("eq-trans", "?x owl:sameAs ?z", "Δ{?x owl:sameAs ?y} ?y owl:sameAs ?z FILTER (!sameTerm(?x, ?z))"),
    ("eq-trans", "?x owl:sameAs ?z", "Δ{?y owl:sameAs ?z} ?x owl:sameAs ?y FILTER (!sameTerm(?x, ?z))"),
    ("eq-rep-s", "?t ?p ?o", "Δ{?s owl:sameAs ?t} ?s ?p ?o " + _not_onto_item("?s", "?t")),
    ("eq-rep-s", "?t ?p ?o", "Δ{?s ?p ?o} ?s owl:sameAs ?t " + _not_onto_item("?s", "?t")),
    ("eq-rep-o", "?s ?p ?t", "Δ{?o owl:sameAs ?t} ?s ?p ?o " + _not_onto_item("?o", "?t")),
    ("eq-rep-o", "?s ?p ?t", "Δ{?s ?p ?o} ?o owl:sameAs ?t " + _not_onto_item("?o", "?t")),
)

# What the rules read (schema) and what only declares or annotates (inert); any other OWL or RDFS term sends the
# input to `reasonable`.
_SCHEMA = (RDFS.subClassOf, RDFS.subPropertyOf, RDFS.domain, RDFS.range, OWL.inverseOf, OWL.equivalentClass,
           OWL.equivalentProperty, OWL.disjointWith)
_CHARACTERISTICS = (OWL.TransitiveProperty, OWL.SymmetricProperty, OWL.FunctionalProperty, OWL.InverseFunctionalProperty)
_PREDICATES = {*_SCHEMA, RDF.type, OWL.sameAs, RDFS.label, RDFS.comment, RDFS.seeAlso, RDFS.isDefinedBy, OWL.versionInfo,
               OWL.versionIRI, OWL.priorVersion, OWL.deprecated, OWL.imports, OWL.backwardCompatibleWith, OWL.incompatibleWith}
_DECLARATIONS = (OWL.Class, RDFS.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty, RDF.Property,
                 OWL.DeprecatedClass, OWL.DeprecatedProperty)  # of a schema's terms
_TYPES = {*_CHARACTERISTICS, *_DECLARATIONS, OWL.NamedIndividual, OWL.Ontology, OWL.Thing, OWL.Nothing}
# Built-in terms a schema statement may point to without bringing a rule of their own into play.
_INERT_CLASSES = {OWL.Thing, OWL.Nothing, RDFS.Resource, RDFS.Literal, RDF.Property, RDF.Statement}
_INERT_PROPERTIES = {RDFS.label, RDFS.comment, RDFS.seeAlso, RDFS.isDefinedBy}
_BUILT_IN = (str(RDF), str(RDFS), str(OWL))


def _iri(term) -> str:
    return f"<{term}>"


def _values(terms) -> str:
    return " ".join(map(_iri, sorted(terms)))


def _unsupported_queries() -> Iterator[tuple[str, str]]:
    """(SPARQL SELECT of ?term, what it means) for each way an input leaves the ground the rules cover."""
    built_in = " || ".join(f'STRSTARTS(STR(?term), "{ns}")' for ns in _BUILT_IN)
    yield (f"SELECT DISTINCT ?term WHERE {{ ?s ?term ?o FILTER (({built_in}) && ?term NOT IN ({', '.join(map(_iri, sorted(_PREDICATES)))})) }}",
           "uses the property (or properties) {}")
    yield (f"SELECT DISTINCT ?term WHERE {{ ?s a ?term FILTER (({built_in}) && ?term NOT IN ({', '.join(map(_iri, sorted(_TYPES)))})) }}",
           "uses the class (or classes) {}")
    yield (f"SELECT DISTINCT ?term WHERE {{ {{ VALUES ?p {{ {_values(_SCHEMA)} }} ?term ?p ?o }} UNION "
           f"{{ VALUES ?c {{ {_values(_CHARACTERISTICS + _DECLARATIONS)} }} ?term a ?c }} FILTER (!isIRI(?term) || ({built_in}) || {ours('?term')}) }}",
           "says what a class or property is of {}, which is built in, a blank node or one of the publication's things")
    yield (f"SELECT DISTINCT ?term WHERE {{ VALUES ?p {{ {_values((RDFS.subClassOf, OWL.equivalentClass, RDFS.domain, RDFS.range, OWL.disjointWith))} }} "
           f"?s ?p ?term FILTER (!isIRI(?term) || (({built_in}) && ?term NOT IN ({', '.join(map(_iri, sorted(_INERT_CLASSES)))}))) }}",
           "points a class axiom at {}")
    yield (f"SELECT DISTINCT ?term WHERE {{ VALUES ?p {{ {_values((RDFS.subPropertyOf, OWL.equivalentProperty, OWL.inverseOf))} }} "
           f"?s ?p ?term FILTER (!isIRI(?term) || (({built_in}) && ?term NOT IN ({', '.join(map(_iri, sorted(_INERT_PROPERTIES)))}))) }}",
           "points a property axiom at {}")
    yield ("SELECT DISTINCT ?term WHERE { { ?term owl:sameAs ?other } UNION { ?other owl:sameAs ?term } "
           f"FILTER (!isIRI(?term) || ({built_in}) || EXISTS {{ ?x ?term ?y }} || EXISTS {{ VALUES ?p {{ {_values(_SCHEMA)} }} "
           "{ ?term ?p ?z } UNION { ?z ?p ?term } })}",
           "says owl:sameAs of {}, which is not an IRI, is built in, or is a property or class of the schema")


class Unsupported(Exception):
    """The rules here would not compute this closure exactly (the message says why): reason otherwise."""


def refuse_unsupported(union: LayerUnion) -> None:
    """Raise Unsupported where the rules here would not compute the OWL RL closure of `union` exactly."""
    for query, meaning in _unsupported_queries():
        if terms := sorted(prefixed(t.value) if isinstance(t, ox.NamedNode) else str(t) for t in (row["term"] for row in union.query(_PREFIXES + query))):
            raise Unsupported("the graph " + meaning.format(", ".join(terms)))


class Rounds:
    """The closure of some graphs of a store, each round of rules in a named graph of its own (dropped by `close`)."""

    def __init__(self, store: ox.Store, graphs: list):
        self.store, self.graphs, self.rounds = store, graphs, []

    def run(self, progress: Callable[[str], None] = lambda message: None) -> None:
        """Apply the rules until a round adds nothing that is not known already; `progress` hears of each round."""
        delta = self.graphs  # the first round reads the input as new
        while True:
            found = ox.NamedNode(f"{WORK}round-{len(self.rounds) + 1}")
            known = self.graphs + self.rounds
            using = "".join(f"USING {g} " for g in known) + "".join(f"USING NAMED {g} " for g in delta)
            for _, head, body in RULES:
                where = body.replace("Δ{", "GRAPH ?delta {")
                # What a round or input graph already has is not new: left out as it is found, not written and then
                # deleted (at 100k triples the rounds took 3.0 s instead of 5.3 s; the same closure).
                self.store.update(f"{_PREFIXES}INSERT {{ GRAPH {found} {{ {head} }} }} {using}"
                                  f"WHERE {{ {where} FILTER NOT EXISTS {{ {head} }} }}")
            new = int(next(iter(self.store.query(f"SELECT (COUNT(*) AS ?n) FROM {found} WHERE {{ ?s ?p ?o }}")))["n"].value)
            if not new:
                self.store.remove_graph(found)  # a store lists a graph once written to, even when emptied
                return
            self.rounds.append(found)
            delta = [found]
            progress(f"OWL RL rules, round {len(self.rounds)}: {new} new triples")

    def added(self) -> Iterator[ox.Triple]:
        """Every triple the rounds added (each once: a round keeps only what is new)."""
        for graph in self.rounds:
            for quad in self.store.quads_for_pattern(None, None, None, graph):
                yield quad.triple

    def refuse_trespass(self) -> None:
        """Raise Unsupported if the rounds added anything the schema rules would read (`refuse_unsupported` rules that
        out beforehand: this checks it)."""
        kinds = _values((*_CHARACTERISTICS, OWL.Class))  # the types a rule reads (scm-cls: owl:Class)
        schema = _values(_SCHEMA)
        for graph in self.rounds:
            query = (f"{_PREFIXES}ASK {{ GRAPH {graph} {{ {{ VALUES ?p {{ {schema} }} ?s ?p ?o }} UNION {{ VALUES ?o {{ {kinds} }} ?s a ?o }} }} }}")
            if self.store.query(query):
                raise Unsupported("the rules inferred a statement about the schema")

    def close(self) -> None:
        for graph in self.rounds:
            self.store.remove_graph(graph)
        self.rounds = []


_ASIDE = WORK + "aside:"  # + the IRI of the graph a triple was taken from


@contextmanager
def facts_reduced_to_their_type(store: ox.Store, graphs: list, put_back: bool = True) -> Iterator[None]:
    """While the block runs, what fact nodes say besides their type is out of `graphs` (in graphs of its own, from
    which it is `put_back` when the block ends; else deleted, for a store that is thrown away after): the reasoner's
    input is the layers less that (`build._REASONING_INPUT` says why)."""
    using = "".join(f"USING {g} USING NAMED {g} " for g in graphs)
    aside = 'INSERT { GRAPH ?aside { ?s ?p ?o } } ' if put_back else ""
    store.update(f"{_PREFIXES}DELETE {{ GRAPH ?g {{ ?s ?p ?o }} }} {aside}{using}"
                 f"WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER (?p != rdf:type) ?s a <{CAS.Fact}> "
                 f'BIND (IRI(CONCAT("{_ASIDE}", STR(?g))) AS ?aside) }}')
    try:
        yield
    finally:
        if put_back:
            _put_back(store, graphs)


def _put_back(store: ox.Store, graphs: list) -> None:
    """What `facts_reduced_to_their_type` moved aside, back into the graphs it came from."""
    named = "".join(f"USING NAMED <{_ASIDE}{g.value}> " for g in graphs)
    store.update(f"DELETE {{ GRAPH ?aside {{ ?s ?p ?o }} }} INSERT {{ GRAPH ?g {{ ?s ?p ?o }} }} {named}"
                 f'WHERE {{ GRAPH ?aside {{ ?s ?p ?o }} BIND (IRI(STRAFTER(STR(?aside), "{_ASIDE}")) AS ?g) }}')
    for graph in graphs:  # emptied, but still listed: a union of the layers must see them gone
        store.remove_graph(ox.NamedNode(f"{_ASIDE}{graph.value}"))
