"""OWL RL reasoning: the closure of ontology + graph, kept apart from what was asserted.

Two engines compute the OWL 2 RL closure: owlrl (pure Python, the reference) and reasonable
(Rust: seconds at 100k triples where owlrl takes minutes, benchmarks/reasoners.py). They differ
only on the ontology's own terms (owlrl also propagates rdfs:domain and rdfs:range to
super-classes), so the inferred layer holds what the closure says about the publication's
things, and on that both agree (tests/test_reasoning.py); reasonable is therefore the default.

>>> is_published(URIRef("https://w3id.org/cassibile/id/cassibile"), RDF.type, URIRef("https://w3id.org/cassibile/ontology#Place"))
True
>>> is_published(URIRef("http://www.wikidata.org/entity/Q1012526"), RDF.type, URIRef("https://w3id.org/cassibile/ontology#Place"))
False
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from functools import cache

import pyoxigraph as ox

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, XSD

from cassibile.collector import paused
from cassibile.errors import DataError
from cassibile.namespaces import BASE, CAS, WD, prefixed
from cassibile.pipeline import REASONERS, rules
from cassibile.pipeline.load import new_graph
from cassibile.pipeline.store import LayerStore, LayerUnion, StoreView

ENGINES = REASONERS
DEFAULT_ENGINE = REASONERS[0]

# Triples every OWL RL closure adds about everything: they say nothing about this publication.
_TRIVIAL_OBJECTS = {OWL.Thing, RDFS.Resource, OWL.NamedIndividual, RDF.Property}
_REFLEXIVE = {OWL.sameAs, OWL.equivalentClass, OWL.equivalentProperty, RDFS.subClassOf, RDFS.subPropertyOf}
# Looked up once: `is_published` runs on every added triple, and rdflib resolves RDF.type in Python.
_TYPE, _ONTOLOGY, _WIKIDATA = RDF.type, str(CAS), str(WD)

# reasonable checks cax-dw by pairing every member of a class with every member of each class it is
# disjoint with, and that check adds no triple (we run our own, `_disjoint_members`): at 100k triples
# it was 9 of the closure's 11 s. Under this stand-in name the axioms go through every other rule
# exactly as before, and come back as owl:disjointWith.
_DISJOINT_STAND_IN = URIRef("urn:x-cassibile:reasoning:disjointWith")


def is_published(subject, predicate, obj) -> bool:
    """Is an inferred triple news about the publication's own things (id/, fact/, claim/, source/, interval/)?

    Left out: triples about ontology terms (the ontology is published as written), about
    Wikidata's items (owl:sameAs would copy every statement onto the QID; the Wikidata view
    does that properly), blank nodes, and the trivial triples every closure adds.
    """
    if not isinstance(subject, URIRef) or isinstance(obj, BNode):
        return False
    if not str(subject).startswith(BASE) or str(subject).startswith(_ONTOLOGY) or str(obj).startswith(_WIKIDATA):
        return False
    if predicate in _REFLEXIVE and subject == obj:
        return False
    return not (predicate == _TYPE and obj in _TRIVIAL_OBJECTS)


def _plain(term):
    """reasonable writes simple literals as "x"^^xsd:string; rdflib (RDF 1.1) keeps them plain."""
    if isinstance(term, Literal) and term.datatype == XSD.string:
        return Literal(str(term))
    return term


def closure_owlrl(graph: Graph) -> tuple[set, list[str]]:
    """What owlrl adds to `graph`, and the inconsistencies it noted."""
    import owlrl

    work = Graph()
    work += graph
    engine = owlrl.OWLRL_Semantics(work, False, False, rdfs=False)
    engine.closure()
    added = {t for t in work if t not in graph and not _is_error_note(t)}
    return added, sorted(engine.error_messages)


def _is_error_note(triple) -> bool:
    """owlrl records its inconsistency messages as triples on blank nodes in its own namespace."""
    return isinstance(triple[0], BNode) and "agent-ont#" in str(triple[1]) + str(triple[2])


# Reasoning makes a few hundred thousand tuples and terms, none of them in a cycle, and each collection they
# set off walked every object of the build: about 40% of the CPU time at 100k. Hence `paused` below.
@paused()
def closure_reasonable(graph: Graph) -> tuple[set, list[str]]:
    """What reasonable adds to `graph` (it reports no inconsistencies of its own).

    It reads a list of the graph's triples (`from_graph`): at 100k triples a dump through
    pyoxigraph for its `load_file` took 1.0 s of CPU against 0.7 s. It answers with the whole
    closure, the input included, so what is known is left out here.
    """
    import reasonable

    triples = list(graph)
    renamed = _can_rename_disjointness(graph)
    reasoner = reasonable.PyReasoner()
    reasoner.from_graph(_renamed_disjointness(triples) if renamed else triples)
    known = set(triples)
    iris = {str(term): term for triple in triples for term in triple if type(term) is URIRef}
    if renamed:
        iris[str(_DISJOINT_STAND_IN)] = OWL.disjointWith
    del triples
    closure = reasoner.reason()  # everything, the input included, as new rdflib terms
    del reasoner  # and its own copy of the closure
    return {t for t in _as_input(closure, iris) if t not in known}, []


def _can_rename_disjointness(graph: Graph) -> bool:
    """Is renaming owl:disjointWith invisible in the closure? Yes unless the graph says something
    about the property itself (its domain, a super-property, an inverse…), which rules would use,
    or uses the stand-in's name."""
    mentions = ((OWL.disjointWith, None, None), (None, None, OWL.disjointWith),
                (_DISJOINT_STAND_IN, None, None), (None, _DISJOINT_STAND_IN, None), (None, None, _DISJOINT_STAND_IN))
    return not any(pattern in graph for pattern in mentions)


def _renamed_disjointness(triples: list) -> list:
    return [(s, _DISJOINT_STAND_IN, o) if p == OWL.disjointWith else (s, p, o) for s, p, o in triples]


def _as_input(closure: list, iris: dict) -> Iterator[tuple]:
    """reasonable's triples in the input's terms: plain literals, and each IRI as one object, the
    graph's own where it has it (`iris`, by string; the stand-in maps back to owl:disjointWith).

    One object per IRI saves the memory of the copies, and compares by identity, in `known` and
    in the indexes of `Closure`, where rdflib's own equality is a Python call.
    """
    for s, p, o in closure:
        yield _iri(s, iris), _iri(p, iris), _plain(_iri(o, iris))


def _iri(term, iris: dict):
    return iris.setdefault(str(term), term) if type(term) is URIRef else term


def closure_oxigraph(graph: Graph) -> tuple[set, list[str]]:
    """What the rules in a store (`rules`) add to `graph`; where they do not cover it, what reasonable adds."""
    layers = LayerStore()
    layers.add(_INPUT, graph)
    union = LayerUnion(layers, [ox.NamedNode(_INPUT)])
    try:
        rules.refuse_unsupported(union)
        with _closed(layers, union) as rounds:
            return set(_added_as_written(layers, union, rounds.added())), []
    except rules.Unsupported:
        return closure_reasonable(graph)


_INPUT = rules.WORK + "input"


@contextmanager
def _closed(layers: LayerStore, union: LayerUnion) -> Iterator[rules.Rounds]:
    """The rounds of rules run on `union` in its store, until the block ends."""
    rounds = rules.Rounds(layers.store, union.graphs)
    try:
        rounds.run()
        rounds.refuse_trespass()
        yield rounds
    finally:
        rounds.close()


def _added_as_written(layers: LayerStore, union: LayerUnion, added: Iterable) -> Iterator[tuple]:
    """The rules' triples as rdflib's, each literal the store rewrote as the input wrote it. The rules only copy terms, so
    a rewritten literal they add was written as it is written wherever the input has it; a store term that stands for
    two forms there (as "5"^^xsd:int and "5"^^xsd:integer do) would be two terms to OWL RL, and is not handled here."""
    forms: dict = {}
    for (_, _, stored), written in union.written_forms().items():
        forms.setdefault(stored, set()).update(written)
    terms, rewritten = layers.terms, layers.rewritten
    for triple in added:
        s, p, o = triple.subject, triple.predicate, triple.object
        if o in rewritten:
            if len(written := forms.get(o, ())) != 1:
                raise rules.Unsupported(f"the literal {o} is written in {len(written)} ways")
            yield terms[s], terms[p], next(iter(written))
        else:
            yield terms[s], terms[p], terms[o]


def store_inferences(layers: LayerStore, graphs: list[str], engine: str = DEFAULT_ENGINE,
                     describe: Callable[[StoreView], Callable[[object], str]] | None = None,
                     note: Callable[[str], None] = lambda message: None) -> set:
    """`inferences` of the union of the store's `graphs`, less what fact nodes say besides their type (the build's
    reasoning input). The oxigraph engine reasons in the store and reads back only the candidates for publication; the
    others, or an input the rules do not cover (`note` is told why), get the input as rdflib triples."""
    with rules.facts_reduced_to_their_type(layers.store, [ox.NamedNode(g) for g in graphs]), layers.union(graphs) as union:
        view = StoreView(union)
        describe_node = describe(view) if describe else _qname
        if engine == "oxigraph":
            try:
                return _store_inferences(layers, union, view, describe_node)
            except rules.Unsupported as why:
                note(f"{why}: reasoning with reasonable instead")
                engine = "reasonable"
        return inferences(Triples(union.written_triples()), engine, describe_node)


def _store_inferences(layers: LayerStore, union: LayerUnion, view: StoreView, describe: Callable[[object], str]) -> set:
    rules.refuse_unsupported(union)
    with _closed(layers, union) as rounds:
        closed = StoreView(LayerUnion(layers, union.graphs + rounds.rounds))
        _stop_if_inconsistent(inconsistencies(closed, describe))
        candidates = set(_added_as_written(layers, union, rounds.published_candidates()))
    with paused():
        return published(view, candidates)


CLOSURES = {"owlrl": closure_owlrl, "reasonable": closure_reasonable, "oxigraph": closure_oxigraph}


def inferred(graph: Graph | Iterable[tuple], engine: str = DEFAULT_ENGINE, describe: Callable[[object], str] | None = None) -> Graph:
    """The published inferred triples of `graph` (`inferences`) as an rdflib graph."""
    found = inferences(graph, engine, describe)
    with paused():
        result = new_graph()
        for triple in sorted(found, key=_published_order):
            result.add(triple)
    return result


def inferences(graph: Graph | Iterable[tuple], engine: str = DEFAULT_ENGINE, describe: Callable[[object], str] | None = None) -> set:
    """The published inferred triples of `graph` (an rdflib graph, or triples: the build reads them from its store, and
    they are indexed as `Triples`), as rdflib's; an inconsistent graph stops here with a DataError. The build adds them
    to its store as they are: an rdflib graph of them cost more than the store.

    `describe` turns a node into words for the message (its label, IRI and file:line).
    """
    if not isinstance(graph, Graph | Triples):
        graph = Triples(graph)
    added, engine_errors = CLOSURES[engine](graph)
    _stop_if_inconsistent(engine_errors + closure_inconsistencies(graph, added, describe or _qname))
    with paused():
        return published(graph, added)


def _stop_if_inconsistent(problems: list[str]) -> None:
    if problems := sorted(set(problems)):
        listing = "\n  ".join(problems)
        raise DataError(f"the graph is inconsistent under OWL RL ({len(problems)} problem(s)):\n  {listing}")


def _published_order(triple: tuple) -> tuple:
    """The order of `sorted` on the triples themselves, compared faster: a published triple's subject
    and predicate are IRIs, which rdflib orders as their strings; objects still compare as terms."""
    return str(triple[0]), str(triple[1]), triple[2]


def published(graph: Graph, added: Iterable) -> set:
    """The added triples the build publishes: `is_published`, and not about an external alias.

    OWL RL copies every statement about an entity onto whatever it is owl:sameAs (a Wikidata
    item, or a malformed target such as a literal that validation reports); those copies would
    only repeat, under another name, what the graph already says.
    """
    aliases = {o for s, o in graph.subject_objects(OWL.sameAs) if _is_ours(s) and not _is_ours(o)}
    return {t for t in added if is_published(*t) and t[0] not in aliases and t[2] not in aliases}


class Triples:
    """Triples read as rdflib's Graph reads them in the few lookups reasoning makes, without a Graph: rdflib spends
    about 1 KB a triple, and filling one took longer than the checks themselves. The lookups name a predicate, so one
    pass indexes the pairs per predicate; an index per predicate and position, or of the nodes (`in` with no
    predicate), is built when first asked for."""

    def __init__(self, triples: Iterable[tuple]):
        self._triples = triples if isinstance(triples, list) else list(triples)
        self._pairs: dict = defaultdict(list)  # predicate -> [(subject, object)]
        for s, p, o in self._triples:
            self._pairs[p].append((s, o))
        self._indexes: dict = {}

    def __iter__(self) -> Iterator[tuple]:
        return iter(self._triples)

    def __len__(self) -> int:
        return len(self._triples)

    def __contains__(self, pattern: tuple) -> bool:
        s, p, o = pattern
        if p is None:  # a node in a position, with any predicate (`_can_rename_disjointness`)
            return (s is None or s in self._nodes(0)) and (o is None or o in self._nodes(1))
        if s is not None:
            return any(o is None or o == found for found in self._other_ends(p, 0, s))
        return bool(self._other_ends(p, 1, o)) if o is not None else p in self._pairs

    def _nodes(self, position: int) -> set:
        if position not in self._indexes:
            self._indexes[position] = {pair[position] for pairs in self._pairs.values() for pair in pairs}
        return self._indexes[position]

    def subject_objects(self, predicate) -> Iterator[tuple]:
        yield from self._pairs.get(predicate, ())

    def subjects(self, predicate, obj=None) -> Iterator:
        yield from (s for s, _ in self._pairs.get(predicate, ())) if obj is None else self._other_ends(predicate, 1, obj)

    def objects(self, subject, predicate) -> Iterator:
        yield from (o for _, o in self._pairs.get(predicate, ())) if subject is None else self._other_ends(predicate, 0, subject)

    def _other_ends(self, predicate, position: int, node) -> list:
        """The other ends of the `predicate` triples with `node` at `position` (0 subject, 1 object)."""
        if (predicate, position) not in self._indexes:
            index = self._indexes[(predicate, position)] = defaultdict(list)
            for pair in self._pairs.get(predicate, ()):
                index[pair[position]].append(pair[1 - position])
        return self._indexes[(predicate, position)].get(node, [])


class Closure:
    """The closed graph, read as the input `graph` (an rdflib Graph or `Triples`) plus the triples reasoning `added`,
    without copying either: the checks' lookups, answered as rdflib's Graph does (so `inconsistencies` takes either)."""

    def __init__(self, graph: Graph | Triples, added: Iterable[tuple]):
        self.parts = (graph, Triples(added))

    def subject_objects(self, predicate) -> Iterator[tuple]:
        for part in self.parts:
            yield from part.subject_objects(predicate)

    def subjects(self, predicate, obj=None) -> Iterator:
        for part in self.parts:
            yield from part.subjects(predicate, obj)

    def objects(self, subject, predicate) -> Iterator:
        for part in self.parts:
            yield from part.objects(subject, predicate)


def _qname(node) -> str:
    return prefixed(node) if isinstance(node, URIRef) else repr(str(node))


@paused()
def closure_inconsistencies(graph: Graph, added: Iterable[tuple], describe: Callable[[object], str] = _qname) -> list[str]:
    """`inconsistencies` of `graph` closed by the triples reasoning `added`, read where they are."""
    return inconsistencies(Closure(graph, added), describe)


def inconsistencies(full: Graph | Closure, describe: Callable[[object], str] = _qname) -> list[str]:
    """Everything in a closed graph that no world can satisfy, one sentence per problem."""
    return (
        [f"{describe(s)} is a member of owl:Nothing" for s in full.subjects(RDF.type, OWL.Nothing)]
        + _disjoint_members(full, describe)
        + _functional_clashes(full, describe)
        + _merged_entities(full, describe)
    )


def _disjoint_members(full: Graph | Closure, describe) -> list[str]:
    problems = []
    members = cache(lambda cls: set(full.subjects(RDF.type, cls)))  # a class is disjoint with several
    for a, b in full.subject_objects(OWL.disjointWith):
        for member in sorted(members(a) & members(b)):
            if str(member).startswith(_WIKIDATA):
                continue  # a Wikidata item is reported through the entity it is sameAs
            problems.append(f"{describe(member)} is both a {_qname(a)} and a {_qname(b)}, which are disjoint")
    return problems


def _functional_clashes(full: Graph | Closure, describe) -> list[str]:
    """Two values of a functional property (or two subjects of an inverse-functional one)."""
    problems = []
    for prop in sorted(full.subjects(RDF.type, OWL.FunctionalProperty)):
        for subject in sorted(set(full.subjects(prop, None))):
            values = _own(full.objects(subject, prop))
            if len(values) > 1:
                problems.append(f"{describe(subject)} has {len(values)} values for the functional property {_qname(prop)}: {_listing(values)}")
    for prop in sorted(full.subjects(RDF.type, OWL.InverseFunctionalProperty)):
        for value in sorted(set(full.objects(None, prop))):
            holders = _own(full.subjects(prop, value))
            if len(holders) > 1:
                problems.append(f"{_listing(holders, describe)} share the value {_qname(value)} of the inverse-functional property {_qname(prop)}")
    return problems


def _merged_entities(full: Graph | Closure, describe) -> list[str]:
    """Two of the publication's own IRIs inferred to be one thing: a shared QID or a functional clash."""
    pairs = {tuple(sorted((a, b))) for a, b in full.subject_objects(OWL.sameAs) if a != b and _is_ours(a) and _is_ours(b)}
    return [f"{describe(a)} and {describe(b)} are inferred to be the same thing (owl:sameAs), e.g. through a shared Wikidata QID" for a, b in sorted(pairs)]


def _is_ours(node) -> bool:
    return isinstance(node, URIRef) and str(node).startswith(BASE) and not str(node).startswith(_ONTOLOGY)


def _own(nodes: Iterable) -> list:
    """Distinct values, leaving out the Wikidata items that owl:sameAs copies them onto."""
    return sorted({n for n in nodes if not str(n).startswith(_WIKIDATA)})


def _listing(nodes: list, describe=_qname) -> str:
    return ", ".join(describe(n) for n in nodes)


def compare_engines(graph: Graph) -> dict[str, object]:
    """Run every engine on the same input: do their published inferred triples agree with owlrl's (the reference)?
    `differences` holds, for each engine that differs, what only owlrl infers and what only that engine does."""
    result = {engine: published(graph, CLOSURES[engine](graph)[0]) for engine in ENGINES}
    reference = result["owlrl"]
    differences = {engine: (reference - found, found - reference) for engine, found in result.items() if found != reference}
    return {"same": not differences, "differences": differences, "inferred": len(reference)}
