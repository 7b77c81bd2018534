"""OWL RL reasoning: both engines infer the same, the inferred layer is about the publication's
own things, and an inconsistent graph stops with a message that names the entity."""

from __future__ import annotations

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF

from cassibile import derive, reason
from cassibile.build import reasoning_input
from cassibile.errors import DataError
from cassibile.load import load_project
from cassibile.namespaces import CAS, ID, SEM, WD, WDT
from cassibile.project import Project
from cassibile.validate import violations
from test_shapes import PROJECT, WORLD, fixture_dataset

WORLD_PREFIXES = "".join(line + "\n" for line in WORLD.read_text(encoding="utf-8").splitlines() if line.startswith("PREFIX"))


def closed_input(dataset) -> Graph:
    """Exactly what the build reasons over (ontology, asserted and derived, facts reduced to their type)."""
    return reasoning_input({"ontology": dataset.ontology, "asserted": dataset.data, "derived": derive.derived(dataset)})


def world_with(turtle: str) -> Graph:
    graph = closed_input(fixture_dataset(WORLD))
    graph.parse(data=WORLD_PREFIXES + turtle, format="turtle")
    return graph


def test_engines_infer_the_same_on_the_real_graph():
    """The reason `reasonable` (about 30 times faster) may be the default engine."""
    comparison = reason.compare_engines(closed_input(load_project(Project.find(PROJECT.root))))
    assert comparison["inferred"] > 0
    assert comparison["same"], (sorted(comparison["only_owlrl"])[:10], sorted(comparison["only_reasonable"])[:10])


def test_engines_infer_the_same_on_the_fixture_world():
    comparison = reason.compare_engines(closed_input(fixture_dataset(WORLD)))
    assert comparison["same"] and comparison["inferred"] > 0


@pytest.mark.parametrize("engine", reason.ENGINES)
def test_inferred_layer_holds_new_triples_about_the_publications_things(engine):
    graph = closed_input(fixture_dataset(WORLD))
    inferred = reason.inferred(graph, engine)
    badoglio, signing = ID["pietro-badoglio"], ID["test-signing"]
    assert (badoglio, RDF.type, CAS.Agent) in inferred  # cas:Person is a sub-class of cas:Agent
    assert (signing, WDT.P710, badoglio) in inferred  # cas:participant is a sub-property of wdt:P710
    assert (signing, SEM.hasActor, badoglio) in inferred
    assert not set(inferred) & set(graph)
    for s, p, o in inferred:
        assert not str(s).startswith((str(CAS), str(WD))) and not str(o).startswith(str(WD)), (s, p, o)


def test_world_still_conforms_after_reasoning():
    dataset = fixture_dataset(WORLD)
    validated = dataset.ontology + dataset.data + derive.derived(dataset)
    assert violations(PROJECT, dataset, validated + reason.inferred(closed_input(dataset))) == []


INCONSISTENT = {
    "a person who is also a place": (
        "id:pietro-badoglio a cas:Place .",
        "<https://w3id.org/cassibile/id/pietro-badoglio> is both a cas:Person and a cas:Place, which are disjoint",
    ),
    "a signatory that is a place (rdfs:range)": (
        "id:test-signing cas:signatory id:cassibile .",
        "<https://w3id.org/cassibile/id/cassibile> is both a cas:Person and a cas:Place, which are disjoint",
    ),
    "a member of owl:Nothing": (
        "id:test-signing a owl:Nothing .",
        "<https://w3id.org/cassibile/id/test-signing> is a member of owl:Nothing",
    ),
    "two values of a functional datatype property": (
        'cas:testCode a owl:DatatypeProperty, owl:FunctionalProperty . id:cassibile cas:testCode "A", "B" .',
        "<https://w3id.org/cassibile/id/cassibile> has 2 values for the functional property cas:testCode",
    ),
    "two values of a functional object property": (
        "cas:testLeader a owl:ObjectProperty, owl:FunctionalProperty . id:test-signing cas:testLeader id:pietro-badoglio, id:test-other .",
        "<https://w3id.org/cassibile/id/pietro-badoglio> and <https://w3id.org/cassibile/id/test-other> are inferred to be the same thing",
    ),
    "two entities with one QID": (
        "id:test-marshal a cas:Person ; owl:sameAs wd:Q200085 .",
        "<https://w3id.org/cassibile/id/pietro-badoglio> and <https://w3id.org/cassibile/id/test-marshal> are inferred to be the same thing",
    ),
}


@pytest.mark.parametrize("engine", reason.ENGINES)
@pytest.mark.parametrize("case", sorted(INCONSISTENT))
def test_inconsistency_stops_with_a_message_naming_the_entity(case, engine):
    turtle, sentence = INCONSISTENT[case]
    with pytest.raises(DataError) as caught:
        reason.inferred(world_with(turtle), engine, describe=lambda node: f"<{node}>")
    assert "inconsistent under OWL RL" in str(caught.value)
    assert sentence in str(caught.value)


def test_consistent_functional_property_passes():
    """A functional property with one value (asserted twice through sameAs) is no clash."""
    graph = world_with('cas:testCode a owl:DatatypeProperty, owl:FunctionalProperty . id:cassibile cas:testCode "A" .')
    assert (URIRef(ID["cassibile"]), OWL.sameAs, URIRef(WD["Q1012526"])) in graph
    reason.inferred(graph)
