"""OWL RL reasoning: the closure of ontology + graph, kept apart from what was asserted.

Two engines compute the OWL 2 RL closure: owlrl (pure Python, the reference) and reasonable
(Rust, about 20 times faster on this graph: benchmarks/reasoners.py). They differ only on the
ontology's own terms (owlrl also propagates rdfs:domain and rdfs:range to super-classes), so
the inferred layer holds what the closure says about the publication's things, and on that
both agree (tests/test_reasoning.py); reasonable is therefore the default.

>>> is_published(URIRef("https://w3id.org/cassibile/id/cassibile"), RDF.type, URIRef("https://w3id.org/cassibile/ontology#Place"))
True
>>> is_published(URIRef("http://www.wikidata.org/entity/Q1012526"), RDF.type, URIRef("https://w3id.org/cassibile/ontology#Place"))
False
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, XSD

from cassibile.errors import DataError
from cassibile.load import new_graph
from cassibile.namespaces import BASE, CAS, WD

ENGINES = ("owlrl", "reasonable")
DEFAULT_ENGINE = "reasonable"

# Triples every OWL RL closure adds about everything: they say nothing about this publication.
_TRIVIAL_OBJECTS = {OWL.Thing, RDFS.Resource, OWL.NamedIndividual, RDF.Property}
_REFLEXIVE = {OWL.sameAs, OWL.equivalentClass, OWL.equivalentProperty, RDFS.subClassOf, RDFS.subPropertyOf}


def is_published(subject, predicate, obj) -> bool:
    """Is an inferred triple news about the publication's own things (id/, fact/, claim/, source/, interval/)?

    Left out: triples about ontology terms (the ontology is published as written), about
    Wikidata's items (owl:sameAs would copy every statement onto the QID; the Wikidata view
    does that properly), blank nodes, and the trivial triples every closure adds.
    """
    if not isinstance(subject, URIRef) or isinstance(obj, BNode):
        return False
    if not str(subject).startswith(BASE) or str(subject).startswith(str(CAS)) or str(obj).startswith(str(WD)):
        return False
    if predicate in _REFLEXIVE and subject == obj:
        return False
    return not (predicate == RDF.type and obj in _TRIVIAL_OBJECTS)


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


def closure_reasonable(graph: Graph) -> tuple[set, list[str]]:
    """What reasonable adds to `graph` (it reports no inconsistencies of its own)."""
    import reasonable

    reasoner = reasonable.PyReasoner()
    reasoner.from_graph(graph)
    added = {tuple(_plain(term) for term in triple) for triple in reasoner.reason()}
    return {t for t in added if t not in graph}, []


CLOSURES = {"owlrl": closure_owlrl, "reasonable": closure_reasonable}


def inferred(graph: Graph, engine: str = DEFAULT_ENGINE, describe: Callable[[object], str] | None = None) -> Graph:
    """The published inferred triples of `graph`; an inconsistent graph stops here with a DataError.

    `describe` turns a node into words for the message (its label, IRI and file:line).
    """
    added, engine_errors = CLOSURES[engine](graph)
    full = Graph()
    full += graph
    for triple in added:
        full.add(triple)
    problems = sorted(set(engine_errors + inconsistencies(full, describe or _qname)))
    if problems:
        listing = "\n  ".join(problems)
        raise DataError(f"the graph is inconsistent under OWL RL ({len(problems)} problem(s)):\n  {listing}")
    result = new_graph()
    for triple in sorted(published(graph, added)):
        result.add(triple)
    return result


def published(graph: Graph, added: Iterable) -> set:
    """The added triples the build publishes: `is_published`, and not about an external alias.

    OWL RL copies every statement about an entity onto whatever it is owl:sameAs (a Wikidata
    item, or a malformed target such as a literal that validation reports); those copies would
    only repeat, under another name, what the graph already says.
    """
    aliases = {o for s, o in graph.subject_objects(OWL.sameAs) if _is_ours(s) and not _is_ours(o)}
    return {t for t in added if is_published(*t) and t[0] not in aliases and t[2] not in aliases}


def _qname(node) -> str:
    return new_graph().namespace_manager.normalizeUri(node) if isinstance(node, URIRef) else repr(str(node))


def inconsistencies(full: Graph, describe: Callable[[object], str] = _qname) -> list[str]:
    """Everything in a closed graph that no world can satisfy, one sentence per problem."""
    return (
        [f"{describe(s)} is a member of owl:Nothing" for s in full.subjects(RDF.type, OWL.Nothing)]
        + _disjoint_members(full, describe)
        + _functional_clashes(full, describe)
        + _merged_entities(full, describe)
    )


def _disjoint_members(full: Graph, describe) -> list[str]:
    problems = []
    for a, b in full.subject_objects(OWL.disjointWith):
        for member in sorted(set(full.subjects(RDF.type, a)) & set(full.subjects(RDF.type, b))):
            if str(member).startswith(str(WD)):
                continue  # a Wikidata item is reported through the entity it is sameAs
            problems.append(f"{describe(member)} is both a {_qname(a)} and a {_qname(b)}, which are disjoint")
    return problems


def _functional_clashes(full: Graph, describe) -> list[str]:
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


def _merged_entities(full: Graph, describe) -> list[str]:
    """Two of the publication's own IRIs inferred to be one thing: a shared QID or a functional clash."""
    pairs = {tuple(sorted((a, b))) for a, b in full.subject_objects(OWL.sameAs) if a != b and _is_ours(a) and _is_ours(b)}
    return [f"{describe(a)} and {describe(b)} are inferred to be the same thing (owl:sameAs), e.g. through a shared Wikidata QID" for a, b in sorted(pairs)]


def _is_ours(node) -> bool:
    return isinstance(node, URIRef) and str(node).startswith(BASE) and not str(node).startswith(str(CAS))


def _own(nodes: Iterable) -> list:
    """Distinct values, leaving out the Wikidata items that owl:sameAs copies them onto."""
    return sorted({n for n in nodes if not str(n).startswith(str(WD))})


def _listing(nodes: list, describe=_qname) -> str:
    return ", ".join(describe(n) for n in nodes)


def compare_engines(graph: Graph) -> dict[str, object]:
    """Run both engines on the same input: do their published inferred triples agree?"""
    result = {engine: published(graph, CLOSURES[engine](graph)[0]) for engine in ENGINES}
    only_owlrl = result["owlrl"] - result["reasonable"]
    only_reasonable = result["reasonable"] - result["owlrl"]
    return {"same": not only_owlrl and not only_reasonable, "only_owlrl": only_owlrl,
            "only_reasonable": only_reasonable, "inferred": len(result["owlrl"])}
