"""OWL RL reasoning: both engines infer the same, the inferred layer is about the publication's
own things, and an inconsistent graph stops with a message that names the entity."""

from __future__ import annotations

import gc
from collections import defaultdict

import pyoxigraph as ox
import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, XSD
from test_shapes import PROJECT, WORLD, fixture_dataset

from cassibile.build import REASONED, reasoning_input
from cassibile.errors import DataError
from cassibile.namespaces import BASE, CAS, GRAPH, ID, OA, SEM, WD, WDT
from cassibile.pipeline import derive, reason
from cassibile.pipeline.load import load_project
from cassibile.pipeline.validate import violations
from cassibile.project import Project
from cassibile.synthetic import write_project

WORLD_PREFIXES = "".join(line + "\n" for line in WORLD.read_text(encoding="utf-8").splitlines() if line.startswith("PREFIX"))


def closed_input(dataset) -> Graph:
    """Exactly what the build reasons over (ontology, asserted and derived, facts reduced to their type)."""
    derive.derive(dataset)
    return reasoning_input(dataset.layers)


def world_with(turtle: str) -> Graph:
    graph = Graph()  # the build's input is a list of triples indexed for reasoning's lookups: copy it to add to it
    graph += closed_input(fixture_dataset(WORLD))
    graph.parse(data=WORLD_PREFIXES + turtle, format="turtle")
    return graph


def test_engines_infer_the_same_on_the_real_graph():
    """The reason the rules in the store (oxigraph) and `reasonable` may stand in for owlrl, many times slower."""
    comparison = reason.compare_engines(closed_input(load_project(Project.find(PROJECT.root))))
    assert comparison["inferred"] > 0
    assert comparison["same"], {engine: (sorted(a)[:5], sorted(b)[:5]) for engine, (a, b) in comparison["differences"].items()}


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
    "two subjects of an inverse-functional property": (
        'cas:testKey a owl:DatatypeProperty, owl:InverseFunctionalProperty . '
        'id:cassibile cas:testKey "K" . id:pietro-badoglio cas:testKey "K" .',
        "<https://w3id.org/cassibile/id/cassibile>, <https://w3id.org/cassibile/id/pietro-badoglio> "
        "share the value 'K' of the inverse-functional property cas:testKey",
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


def test_reasonable_gets_disjointness_under_a_stand_in_name_without_changing_the_closure(monkeypatch):
    """reasonable's own cax-dw pairs every member of a class with every member of its disjoint class
    (9 of 11 s at 100k triples) and adds no triple; renamed, the axioms still reach the closure."""
    graph = closed_input(fixture_dataset(WORLD))
    assert reason._can_rename_disjointness(graph) and (CAS.Person, OWL.disjointWith, CAS.Place) in graph
    renamed, _ = reason.closure_reasonable(graph)
    monkeypatch.setattr(reason, "_can_rename_disjointness", lambda graph: False)
    assert reason.closure_reasonable(graph)[0] == renamed


def test_disjointness_keeps_its_name_where_the_graph_describes_the_property():
    """A statement about owl:disjointWith itself feeds rules (here prp-spo1), which must see the real name."""
    graph = world_with("cas:testApart a owl:ObjectProperty . owl:disjointWith rdfs:subPropertyOf cas:testApart .")
    assert not reason._can_rename_disjointness(graph)
    assert (CAS.Person, CAS.testApart, CAS.Place) in reason.closure_reasonable(graph)[0]


@pytest.mark.parametrize("turtle", ["<{}> a owl:ObjectProperty .", "id:cassibile <{}> id:test-signing .",
                                    "id:cassibile rdfs:seeAlso <{}> ."])
def test_disjointness_keeps_its_name_where_the_graph_uses_the_stand_in(turtle):
    """Mapping the stand-in back must not turn a term of the graph into owl:disjointWith."""
    assert not reason._can_rename_disjointness(world_with(turtle.format(reason._DISJOINT_STAND_IN)))


@pytest.mark.parametrize("case", sorted(INCONSISTENT))
def test_checks_on_the_uncopied_closure_find_what_they_found_on_a_copy(case):
    """`Closure` reads the input and the added triples where they are; the checks find the same problems
    as on one graph holding both (which the error message sorts)."""
    graph = world_with(INCONSISTENT[case][0])
    added, _ = reason.closure_reasonable(graph)
    copy = Graph()
    copy += graph
    for triple in added:
        copy.add(triple)
    found = reason.inconsistencies(reason.Closure(graph, added))
    assert found and sorted(found) == sorted(reason.inconsistencies(copy))


@pytest.mark.parametrize("indexed", [False, True], ids=["rdflib input", "Triples input"])
def test_closure_answers_each_lookup_from_the_input_and_the_added_triples(indexed):
    a, b, c, d, p, kind = (URIRef(f"urn:x:{name}") for name in ("a", "b", "c", "d", "p", "Kind"))
    graph = Graph()
    graph.add((a, RDF.type, kind))
    graph.add((a, p, b))
    closure = reason.Closure(reason.Triples(graph) if indexed else graph, {(c, RDF.type, kind), (a, p, d), (c, p, Literal("x"))})
    assert sorted(closure.subjects(RDF.type, kind)) == [a, c]
    assert sorted(closure.subjects(p)) == [a, a, c]
    assert sorted(closure.objects(a, p)) == [b, d]
    assert sorted(closure.objects(None, p)) == [b, d, Literal("x")]
    assert sorted(closure.subject_objects(p)) == [(a, b), (a, d), (c, Literal("x"))]
    assert list(closure.objects(b, p)) == [] and list(closure.subjects(RDF.type, p)) == []


def test_triples_answer_membership_as_a_graph_does():
    """`in` on the build's input, with and without wildcards, as `_can_rename_disjointness` and owlrl ask it."""
    graph = closed_input(fixture_dataset(WORLD))
    copy = Graph()
    copy += graph
    nodes = sorted({t for triple in copy for t in triple})[::7]
    patterns = [(s, p, o) for s, p, o in sorted(copy)[::5]] + [(OWL.disjointWith, None, None), (None, None, OWL.disjointWith)]
    patterns += [(n, None, None) for n in nodes] + [(None, None, n) for n in nodes] + [(None, n, None) for n in nodes]
    patterns += [(s, p, None) for s, p, _ in sorted(copy)[::11]] + [(None, p, o) for _, p, o in sorted(copy)[::11]]
    patterns += [(o, p, s) for s, p, o in sorted(copy)[::13]]  # mostly absent
    assert len(graph) == len(copy) and sorted(graph) == sorted(copy)
    assert [pattern in graph for pattern in patterns] == [pattern in copy for pattern in patterns]
    assert any(pattern in graph for pattern in patterns) and not all(pattern in graph for pattern in patterns)


def test_added_triples_hold_the_graphs_own_iri_objects():
    """One object per IRI: the inferred layer keeps no copies of the graph's IRIs (a third of its memory)."""
    graph = closed_input(fixture_dataset(WORLD))
    own = defaultdict(set)  # an IRI's objects in the graph (it may hold more than one)
    for triple in graph:
        for term in triple:
            own[str(term)].add(id(term))
    added, _ = reason.closure_reasonable(graph)
    shared = [id(term) in own[str(term)] for triple in added for term in triple
              if isinstance(term, URIRef) and str(term) in own]
    assert shared and all(shared)


def test_published_triples_are_added_in_the_order_of_the_triples_themselves():
    """`_published_order` only compares faster: the result graph is filled in the same order as before."""
    graph = closed_input(fixture_dataset(WORLD))
    triples = list(reason.published(graph, reason.closure_reasonable(graph)[0]))
    assert any(isinstance(o, Literal) for _, _, o in triples)
    assert sorted(triples, key=reason._published_order) == sorted(triples)


@pytest.mark.parametrize("enabled", [True, False])
def test_reasoning_leaves_the_garbage_collector_as_it_found_it(enabled):
    """Reasoning pauses the collector; an inconsistent graph must not leave it off (or turn it on)."""
    graph = world_with("id:test-signing a owl:Nothing .")
    (gc.enable if enabled else gc.disable)()
    try:
        with pytest.raises(DataError):
            reason.inferred(graph)
        assert gc.isenabled() == enabled
    finally:
        gc.enable()


def test_the_reasoning_input_is_the_layers_with_fact_nodes_reduced_to_their_type():
    """Read from the build's store: exactly the union of the layers, less what fact nodes say besides their type."""
    dataset = load_project(Project.find(PROJECT.root))
    derived = derive.derived(dataset)
    read = reasoning_input(dataset.layers)
    facts = set(dataset.data.subjects(RDF.type, CAS.Fact))
    expected = {t for layer in (dataset.ontology, derived, dataset.data) for t in layer if t[0] not in facts or t[1] == RDF.type}
    assert set(read) == expected and len(read) == len(expected)
    # Every literal as the layer wrote it, though the store keeps the derived text offsets as xsd:integer.
    assert {o.datatype for _, p, o in read if p == OA.start} == {XSD.nonNegativeInteger}
    fact = sorted(facts)[0]
    assert [(p, o) for s, p, o in read if s == fact] == [(RDF.type, CAS.Fact)]
    assert (fact, RDF.subject, dataset.data.value(fact, RDF.subject)) not in read


# The rules in the build's store (`rules`, the oxigraph engine) against reasonable, on the build's own path: the layers
# of a store, reduced to the reasoning input while the rules run, and left as they were.
TERMS = """
cas:testNear a owl:ObjectProperty, owl:SymmetricProperty .
cas:testWithin a owl:ObjectProperty, owl:TransitiveProperty ; rdfs:domain cas:Place ; owl:inverseOf cas:testAround .
cas:testTwin owl:equivalentProperty cas:testNear .
cas:TestHamlet owl:equivalentClass cas:TestVillage ; rdfs:subClassOf cas:Place .
"""
RICH = TERMS + """
id:test-a a cas:TestHamlet ; cas:testWithin id:test-b ; cas:testNear id:test-c .
id:test-b cas:testWithin id:test-c .
id:test-d cas:testTwin wd:Q1012526 .
"""


def by_the_rules(notes: list[str]) -> bool:
    """Did the rules in the store reason (a note for each round), not reasonable (a note saying why)?"""
    return bool(notes) and all(note.startswith("OWL RL rules, round ") for note in notes)


def store_inferences(tmp_path, turtle: str, engine: str, notes: list | None = None) -> set:
    """What the build's reasoning step infers from the fixture world and `turtle`; asserts that it leaves the store as it found it."""
    path = tmp_path / "extra.ttl"
    path.write_text(WORLD_PREFIXES + turtle, encoding="utf-8")
    dataset = fixture_dataset(path)
    derive.derive(dataset)
    before, graphs = sorted(map(str, dataset.layers.store)), set(dataset.layers.store.named_graphs())
    count = reason.store_inferences(dataset.layers, [GRAPH[name] for name in REASONED], GRAPH["inferred"], engine,
                                    note=(notes if notes is not None else []).append)
    found = set(dataset.layers.as_written(GRAPH["inferred"]))
    assert set(dataset.layers.store.named_graphs()) == graphs | {ox.NamedNode(GRAPH["inferred"])}  # no working graph left
    dataset.layers.drop(GRAPH["inferred"])
    assert sorted(map(str, dataset.layers.store)) == before  # only the inferred layer was added
    assert count == len(found)
    return found


@pytest.mark.parametrize("turtle", ["", RICH], ids=["world", "world with every rule"])
def test_the_rules_in_the_store_infer_what_reasonable_infers(tmp_path, turtle):
    notes = []
    found = store_inferences(tmp_path, turtle, "oxigraph", notes)
    assert by_the_rules(notes)
    assert found == store_inferences(tmp_path, turtle, "reasonable") and found


@pytest.mark.parametrize("engine", ["oxigraph", "reasonable"])
def test_reasoning_in_a_store_thrown_away_after_infers_the_same(tmp_path, engine):
    """The build reasons in a process of its own (`LayerStore.add_apart`), whose store is thrown away after: what fact
    nodes say besides their type is deleted there, not moved aside and put back, and the same layer is inferred."""
    expected = store_inferences(tmp_path, RICH, engine)
    path = tmp_path / "extra.ttl"  # as `store_inferences` wrote it
    dataset = fixture_dataset(path)
    derive.derive(dataset)
    reason.store_inferences(dataset.layers, [GRAPH[name] for name in REASONED], GRAPH["inferred"], engine, thrown_away=True)
    assert set(dataset.layers.as_written(GRAPH["inferred"])) == expected and expected
    assert not list(dataset.layers.store.quads_for_pattern(None, ox.NamedNode(RDF.subject), None))


def test_every_rule_fires_on_the_rich_world(tmp_path):
    found = store_inferences(tmp_path, RICH, "oxigraph")
    a, b, c, d, cassibile = ID["test-a"], ID["test-b"], ID["test-c"], ID["test-d"], ID["cassibile"]
    expected = [
        (a, RDF.type, CAS.TestVillage), (a, RDF.type, CAS.Place),  # cax-eqc1, cax-sco
        (a, CAS.testWithin, c), (c, CAS.testAround, a),  # prp-trp, prp-inv1
        (c, CAS.testNear, a),  # prp-symp
        (d, CAS.testTwin, cassibile), (d, CAS.testNear, cassibile), (cassibile, CAS.testNear, d),  # eq-rep-o, prp-eqp1
    ]
    assert [triple in found for triple in expected] == [True] * len(expected)


def test_the_rules_do_not_copy_an_entitys_statements_onto_its_wikidata_item():
    """eq-rep-s and eq-rep-o copy an item's own statements onto the entity it is owl:sameAs, not the entity's onto the
    item: publishing would drop them (the published layer is the same: the tests above compare it with reasonable's)."""
    graph = world_with(RICH + "wd:Q1012526 cas:testWithin id:test-b .")
    item, cassibile, b, c = URIRef(WD["Q1012526"]), URIRef(ID["cassibile"]), URIRef(ID["test-b"]), URIRef(ID["test-c"])
    assert (cassibile, OWL.sameAs, item) in graph
    copies = {(item, p, o) for _, p, o in graph.triples((cassibile, None, None)) if p != OWL.sameAs}
    copies |= {(s, p, item) for s, p, _ in graph.triples((None, None, cassibile)) if p != OWL.sameAs}
    assert len(copies) > 3 and copies <= reason.closure_reasonable(graph)[0]  # OWL RL's closure holds them
    closure = reason.closure_oxigraph(graph)[0]
    assert not copies & closure
    # The item's statements reach the entity, and what follows from them (prp-trp); the entity's reach what points to the item.
    assert {(cassibile, CAS.testWithin, b), (cassibile, CAS.testWithin, c), (URIRef(ID["test-d"]), CAS.testTwin, cassibile)} <= closure


UNSUPPORTED = {
    "a restriction": ("cas:TestKin owl:onProperty cas:participant ; owl:someValuesFrom cas:Person .", "uses the property (or properties) owl:onProperty, owl:someValuesFrom"),
    "a built-in class": ("id:cassibile a owl:Restriction .", "uses the class (or classes) owl:Restriction"),
    "a class of the publication's own": ("id:test-kind a owl:Class .", "of id:test-kind, which is built in"),
    "a class axiom on a built-in class": ("cas:TestOdd rdfs:subClassOf owl:Class .", "points a class axiom at owl:Class"),
    "a property axiom on a built-in property": ("cas:testOdd rdfs:subPropertyOf owl:sameAs .", "points a property axiom at owl:sameAs"),
    "two classes the same": ("cas:TestKin owl:sameAs cas:Person .", "says owl:sameAs of"),
    "the rules would infer about the schema": (  # prp-fp makes the classes the same (a clash), eq-rep-s copies their axioms
        "cas:testKind a owl:ObjectProperty, owl:FunctionalProperty . id:test-signing cas:testKind cas:TestKin, cas:TestKen . "
        "cas:TestKin rdfs:subClassOf cas:Agent .", "the rules inferred a statement about the schema"),
}


@pytest.mark.parametrize("case", sorted(UNSUPPORTED))
def test_an_input_the_rules_do_not_cover_goes_to_reasonable_with_a_note(tmp_path, case):
    turtle, why = UNSUPPORTED[case]
    notes = []

    def outcome(engine: str, notes: list | None = None) -> set | str:
        try:
            return store_inferences(tmp_path, turtle, engine, notes)
        except DataError as error:
            return str(error)

    found = outcome("oxigraph", notes)
    handed = [note for note in notes if note.endswith("reasoning with reasonable instead")]
    assert len(handed) == 1 and why in handed[0], notes
    assert found == outcome("reasonable") and found


def test_a_literal_the_store_rewrites_is_inferred_as_written():
    """The rules copy terms: "5"^^xsd:int, which a store keeps as "5"^^xsd:integer, comes back as the input wrote it."""
    graph = world_with('cas:testCount rdfs:subPropertyOf cas:testNumber . id:cassibile cas:testCount "5"^^xsd:int .')
    added, _ = reason.closure_oxigraph(graph)
    assert (ID["cassibile"], CAS.testNumber, Literal("5", datatype=XSD.int)) in added
    assert reason.published(graph, added) == reason.published(graph, reason.closure_reasonable(graph)[0])


def test_a_literal_written_two_ways_that_the_store_makes_one_goes_to_reasonable():
    """To OWL RL "5"^^xsd:int and "5"^^xsd:integer are two terms; the store holds one."""
    graph = world_with('cas:testCount rdfs:subPropertyOf cas:testNumber . id:cassibile cas:testCount "5"^^xsd:int . '
                       'id:test-signing cas:testCount "5"^^xsd:integer .')
    added, _ = reason.closure_oxigraph(graph)
    assert {(ID["cassibile"], CAS.testNumber, Literal("5", datatype=XSD.int)),
            (ID["test-signing"], CAS.testNumber, Literal("5", datatype=XSD.integer))} <= added
    assert added == reason.closure_reasonable(graph)[0]


def build_reasoning(project: Project, engine: str, notes: list) -> set:
    """The build's reasoning step on a project, as `build.assemble` takes it."""
    dataset = load_project(project)
    derive.derive(dataset)
    reason.store_inferences(dataset.layers, [GRAPH[name] for name in REASONED], GRAPH["inferred"], engine, note=notes.append)
    return set(dataset.layers.as_written(GRAPH["inferred"]))


@pytest.mark.parametrize("synthetic", [False, True], ids=["real graph", "synthetic project"])
def test_the_build_reasons_with_the_rules_in_the_store_and_infers_what_reasonable_infers(synthetic, tmp_path):
    """The default engine covers the real graph and a synthetic one (every kind of fact the generator writes) without
    handing them to reasonable, and publishes exactly what reasonable does."""
    project = Project.find(PROJECT.root)
    if synthetic:
        write_project(tmp_path / "synthetic", 2_000, seed=11, template=PROJECT.root)
        project = Project(tmp_path / "synthetic")
    notes = []
    ours = build_reasoning(project, "oxigraph", notes)
    assert by_the_rules(notes) and len(ours) > 1000
    assert ours == build_reasoning(project, "reasonable", [])


def published_by_the_letter(graph, added: set) -> set:
    """The publication rule restated in Python, term by term, to check `reason._PUBLISH` (SPARQL) against."""
    def ours(node) -> bool:
        return isinstance(node, URIRef) and str(node).startswith(BASE) and not str(node).startswith(str(CAS))

    aliases = {o for s, o in graph.subject_objects(OWL.sameAs) if ours(s) and not ours(o)}
    trivial = {OWL.Thing, RDFS.Resource, OWL.NamedIndividual, RDF.Property}
    reflexive = {OWL.sameAs, OWL.equivalentClass, OWL.equivalentProperty, RDFS.subClassOf, RDFS.subPropertyOf}
    return {(s, p, o) for s, p, o in added
            if ours(s) and not isinstance(o, BNode) and not str(o).startswith(str(WD))
            and not (p in reflexive and s == o) and not (p == RDF.type and o in trivial) and o not in aliases}


def test_what_is_published_follows_the_rule_term_by_term():
    """On owlrl's whole closure of the fixture world (ontology terms, Wikidata copies, trivial and reflexive triples), plus
    triples made to test each clause: blank nodes, a literal that reads like a QID, an alias, the ontology IRI."""
    graph = world_with('id:test-alias-holder owl:sameAs <http://example.org/alias> .')
    added, _ = reason.closure_owlrl(graph)
    probes = {(ID["cassibile"], CAS.testLink, BNode("b")), (ID["cassibile"], CAS.testCode, Literal(str(WD["Q1"]))),
              (ID["cassibile"], CAS.testLink, URIRef("http://example.org/alias")), (BNode("c"), RDF.type, CAS.Place),
              (URIRef(str(CAS)), RDF.type, CAS.Place), (ID["cassibile"], RDFS.subClassOf, ID["cassibile"]),
              (ID["cassibile"], RDF.type, OWL.Thing), (ID["cassibile"], CAS.testLink, ID["test-signing"])}
    added |= probes
    expected = published_by_the_letter(graph, added)
    assert reason.published(graph, added) == expected
    assert len(expected) > 50 and len(added - expected) > 500
    assert {(ID["cassibile"], CAS.testLink, ID["test-signing"]), (ID["cassibile"], CAS.testCode, Literal(str(WD["Q1"])))} & expected == {
        (ID["cassibile"], CAS.testLink, ID["test-signing"])}
