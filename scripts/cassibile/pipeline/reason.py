"""OWL RL reasoning: the closure of ontology + graph, kept apart from what was asserted.

Three engines compute the OWL 2 RL closure: owlrl (pure Python, the reference), reasonable (Rust: seconds at 100k
triples where owlrl takes minutes, benchmarks/reasoners.py) and the rules the ontology's vocabulary calls for, run in
the build's store (`rules`: the closure never becomes Python objects). They differ on the ontology's own terms (owlrl
also propagates rdfs:domain and rdfs:range to super-classes; the rules in the store run no schema rule), so the
inferred layer holds what the closure says about the publication's things (`_PUBLISH`), and on that all three agree
(tests/test_reasoning.py); the rules in the store are therefore the default.
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
_TRIVIAL_OBJECTS = (OWL.Thing, RDFS.Resource, OWL.NamedIndividual, RDF.Property)
_REFLEXIVE = (OWL.sameAs, OWL.equivalentClass, OWL.equivalentProperty, RDFS.subClassOf, RDFS.subPropertyOf)
_ONTOLOGY, _WIKIDATA = str(CAS), str(WD)


# What the build publishes of the triples reasoning added (the graphs named ?added; the default graph is the input):
# news about the publication's own things. Left out: triples about ontology terms (the ontology is published as
# written), about Wikidata's items (owl:sameAs would copy every statement onto the QID; the Wikidata view does that
# properly), blank nodes, the trivial triples every closure adds, and any about an external alias: OWL RL copies every
# statement about an entity onto whatever it is owl:sameAs (a Wikidata item, or a malformed target such as a literal
# that validation reports), and those copies would only repeat, under another name, what the graph already says.
# The aliases are taken out with MINUS: oxigraph evaluates a FILTER NOT EXISTS without its index, once per triple
# (at 100k triples 21 s against 0.3 s, and hours at 1M).
_PUBLISH = f"""INSERT {{{{ GRAPH {{into}} {{{{ ?s ?p ?o }}}} }}}} {{using}}WHERE {{{{
  GRAPH ?added {{{{ ?s ?p ?o }}}}
  FILTER ({rules.ours("?s")} && !isBlank(?o) && !{rules.wikidata_item("?o")})
  FILTER (!(?p IN ({", ".join(f"<{p}>" for p in _REFLEXIVE)}) && sameTerm(?s, ?o)))
  FILTER (!(?p = <{RDF.type}> && ?o IN ({", ".join(f"<{c}>" for c in _TRIVIAL_OBJECTS)})))
  MINUS {{{{ ?own <{OWL.sameAs}> ?o FILTER ({rules.ours("?own")} && !{rules.ours("?o")}) }}}}
}}}}"""


def publish(layers: LayerStore, inputs: list, added: list, into: ox.NamedNode) -> None:
    """Add to the graph `into` what the build publishes (`_PUBLISH`) of the triples in the graphs `added`, reasoned
    from the graphs `inputs`, every literal as written."""
    using = "".join(f"USING {g} " for g in inputs) + "".join(f"USING NAMED {g} " for g in added)
    layers.store.update(_PUBLISH.format(into=into, using=using))
    layers.copied(added, into)


# reasonable checks cax-dw by pairing every member of a class with every member of each class it is
# disjoint with, and that check adds no triple (we run our own, `_disjoint_members`): at 100k triples
# it was 9 of the closure's 11 s. Under this stand-in name the axioms go through every other rule
# exactly as before, and come back as owl:disjointWith.
_DISJOINT_STAND_IN = URIRef("urn:x-cassibile:reasoning:disjointWith")


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
            _note_written(union, rounds.rounds)
            return set(LayerUnion(layers, rounds.rounds).written_triples()), []
    except rules.Unsupported:
        return closure_reasonable(graph)


_INPUT, _ADDED, _PUBLISHED = (rules.WORK + name for name in ("input", "added", "published"))  # graphs of a store of its own


@contextmanager
def _closed(layers: LayerStore, union: LayerUnion, progress: Callable[[str], None] = lambda message: None) -> Iterator[rules.Rounds]:
    """The rounds of rules run on `union` in its store, until the block ends."""
    rounds = rules.Rounds(layers.store, union.graphs)
    try:
        rounds.run(progress)
        rounds.refuse_trespass()
        yield rounds
    finally:
        rounds.close()


def _written_forms(union: LayerUnion) -> dict:
    """Each literal of `union` the store rewrote -> its forms as written there (rdflib's)."""
    forms: dict = {}
    for (_, _, stored), written in union.written_forms().items():
        forms.setdefault(stored, set()).update(written)
    return forms


def _one_form(forms: dict, literal) -> set:
    """The rules only copy terms, so a rewritten literal they add was written as it is written wherever the input has
    it; a store term that stands for two forms there (as "5"^^xsd:int and "5"^^xsd:integer do) would be two terms to
    OWL RL, and is not handled here."""
    if len(written := forms.get(literal, ())) != 1:
        raise rules.Unsupported(f"the literal {literal} is written in {len(written)} ways")
    return written


def _note_written(union: LayerUnion, graphs: list) -> None:
    """Note, for the rules' graphs, the written form of each literal the store rewrote (`_one_form`)."""
    layers, forms = union.layers, _written_forms(union)
    for literal in layers.rewritten:
        for graph in graphs:
            for quad in layers.store.quads_for_pattern(None, None, literal, graph):
                layers.written.setdefault(graph, {})[(quad.subject, quad.predicate, literal)] = _one_form(forms, literal)


def store_inferences(layers: LayerStore, graphs: list[str], into: str, engine: str = DEFAULT_ENGINE,
                     describe: Callable[[StoreView], Callable[[object], str]] | None = None,
                     note: Callable[[str], None] = lambda message: None, thrown_away: bool = False) -> int:
    """Add to the store's graph `into` the `inferences` of the union of its `graphs`, less what fact nodes say besides
    their type (the build's reasoning input); how many. The oxigraph engine reasons in the store (`note` hears of each
    round) and nothing of the closure becomes Python objects; the others, or an input the rules do not cover (`note` is
    told why), get the input as rdflib triples. A store `thrown_away` after (the build's, in the process that reasons:
    `LayerStore.add_apart`) does not get back what fact nodes say besides their type."""
    graph_nodes = [ox.NamedNode(g) for g in graphs]
    with rules.facts_reduced_to_their_type(layers.store, graph_nodes, put_back=not thrown_away), layers.union(graphs) as union:
        view = StoreView(union)
        describe_node = describe(view) if describe else _qname
        if engine == "oxigraph":
            try:
                _store_inferences(layers, union, ox.NamedNode(into), describe_node, note)
                return layers.size(into)
            except rules.Unsupported as why:
                note(f"{why}: reasoning with reasonable instead")
                engine = "reasonable"
        layers.add(into, inferences(Triples(union.written_triples()), engine, describe_node))
    return layers.size(into)


def _store_inferences(layers: LayerStore, union: LayerUnion, into: ox.NamedNode, describe: Callable[[object], str],
                      progress: Callable[[str], None]) -> None:
    rules.refuse_unsupported(union)
    with _closed(layers, union, progress) as rounds:
        closed = StoreView(LayerUnion(layers, union.graphs + rounds.rounds))
        _stop_if_inconsistent(inconsistencies(closed, describe))
        _note_written(union, rounds.rounds)
        publish(layers, union.graphs, rounds.rounds, into)


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


def published(graph: Graph | Triples, added: Iterable) -> set:
    """What the build publishes (`_PUBLISH`) of the triples `added` by reasoning on `graph`, as rdflib's."""
    layers, into = LayerStore(), ox.NamedNode(_PUBLISHED)
    layers.add(_INPUT, graph)
    layers.add(_ADDED, (t for t in added if not isinstance(t[0], Literal)))  # owlrl says things of literals: never published
    publish(layers, [ox.NamedNode(_INPUT)], [ox.NamedNode(_ADDED)], into)
    return set(layers.as_written(_PUBLISHED))


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
    """Everything in a closed graph that no world can satisfy, one sentence per problem. A Wikidata item is reported
    through the entity it is owl:sameAs (the rules in the store do not copy the entity's statements onto it)."""
    return (
        [f"{describe(s)} is a member of owl:Nothing" for s in _own(full.subjects(RDF.type, OWL.Nothing))]
        + _disjoint_members(full, describe)
        + _functional_clashes(full, describe)
        + _merged_entities(full, describe)
    )


def _disjoint_members(full: Graph | Closure, describe) -> list[str]:
    problems = []
    members = cache(lambda cls: set(full.subjects(RDF.type, cls)))  # a class is disjoint with several
    for a, b in full.subject_objects(OWL.disjointWith):
        for member in _own(members(a) & members(b)):
            problems.append(f"{describe(member)} is both a {_qname(a)} and a {_qname(b)}, which are disjoint")
    return problems


def _functional_clashes(full: Graph | Closure, describe) -> list[str]:
    """Two values of a functional property (or two subjects of an inverse-functional one)."""
    problems = []
    for prop in sorted(full.subjects(RDF.type, OWL.FunctionalProperty)):
        for subject in _own(full.subjects(prop, None)):
            values = _own(full.objects(subject, prop))
            if len(values) > 1:
                problems.append(f"{describe(subject)} has {len(values)} values for the functional property {_qname(prop)}: {_listing(values)}")
    for prop in sorted(full.subjects(RDF.type, OWL.InverseFunctionalProperty)):
        for value in _own(full.objects(None, prop)):
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
