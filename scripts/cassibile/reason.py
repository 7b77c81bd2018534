"""OWL RL reasoning: the closure of ontology + graph, kept apart from what was asserted.

Two engines compute the same OWL 2 RL closure: owlrl (pure Python, the reference) and
reasonable (Rust). `compare_engines` shows whether they agree on a graph; the build uses
owlrl unless told otherwise.
"""

from __future__ import annotations

from rdflib import BNode, Graph, Literal
from rdflib.namespace import OWL, RDF, RDFS

from cassibile.errors import DataError
from cassibile.load import new_graph

ENGINES = ("owlrl", "reasonable")

# Triples every OWL RL closure adds about everything, or about the RDF, RDFS, OWL and XSD
# vocabularies themselves: they say nothing about this publication.
_TRIVIAL_OBJECTS = {OWL.Thing, RDFS.Resource, OWL.NamedIndividual, RDF.Property}
_VOCABULARIES = (str(RDF), str(RDFS), str(OWL), "http://www.w3.org/2001/XMLSchema#")


def _informative(triple) -> bool:
    subject, predicate, obj = triple
    if isinstance(subject, (Literal, BNode)) or isinstance(obj, BNode) or str(subject).startswith(_VOCABULARIES):
        return False
    if predicate in (OWL.sameAs, OWL.equivalentClass, OWL.equivalentProperty, RDFS.subClassOf, RDFS.subPropertyOf) and subject == obj:
        return False
    if predicate == RDFS.subClassOf and obj == OWL.Thing:
        return False
    return not (predicate == RDF.type and obj in _TRIVIAL_OBJECTS)


def closure_owlrl(graph: Graph) -> tuple[set, list[str]]:
    import owlrl

    work = Graph()
    work += graph
    engine = owlrl.OWLRL_Semantics(work, False, False, rdfs=False)
    engine.closure()
    added = {t for t in work if t not in graph and not _is_error_note(work, t)}
    return added, sorted(engine.error_messages)


def _is_error_note(graph: Graph, triple) -> bool:
    return isinstance(triple[0], BNode) and "agent-ont#" in str(triple[1]) + str(triple[2])


def closure_reasonable(graph: Graph) -> tuple[set, list[str]]:
    import reasonable

    reasoner = reasonable.PyReasoner()
    reasoner.from_graph(graph)
    added = {t for t in reasoner.reason() if t not in graph}
    errors = sorted(f"{s} is a member of owl:Nothing" for s, p, o in added if p == RDF.type and o == OWL.Nothing)
    return added, errors


def inferred(graph: Graph, engine: str = "owlrl") -> Graph:
    """The informative triples the OWL RL closure adds to `graph`; inconsistencies stop the build."""
    closure = {"owlrl": closure_owlrl, "reasonable": closure_reasonable}[engine]
    added, errors = closure(graph)
    errors += _disjointness_violations(graph, added)
    if errors:
        listing = "\n  ".join(sorted(set(errors)))
        raise DataError(f"the graph is inconsistent under OWL RL ({len(set(errors))} problem(s)):\n  {listing}")
    result = new_graph()
    for triple in sorted(filter(_informative, added)):
        result.add(triple)
    return result


def _disjointness_violations(graph: Graph, added: set) -> list[str]:
    """Members of two disjoint classes or of owl:Nothing, reported by name (owlrl's own notes are terse)."""
    full = Graph()
    full += graph
    for triple in added:
        full.add(triple)
    problems = [f"{s} is a member of owl:Nothing" for s in full.subjects(RDF.type, OWL.Nothing)]
    for a, b in full.subject_objects(OWL.disjointWith):
        for member in set(full.subjects(RDF.type, a)) & set(full.subjects(RDF.type, b)):
            problems.append(f"{member} is both a {a} and a {b}, which are disjoint")
    return problems


def compare_engines(graph: Graph) -> dict[str, object]:
    """Run both engines on the same input and report whether their informative closures agree."""
    results = {}
    for engine in ENGINES:
        added, errors = {"owlrl": closure_owlrl, "reasonable": closure_reasonable}[engine](graph)
        results[engine] = {t for t in added if _informative(t)}, errors
    only_owlrl = results["owlrl"][0] - results["reasonable"][0]
    only_reasonable = results["reasonable"][0] - results["owlrl"][0]
    return {"same": not only_owlrl and not only_reasonable, "only_owlrl": only_owlrl, "only_reasonable": only_reasonable}
