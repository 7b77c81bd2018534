"""The ontology in OWL tools: what loads, and the precise reason where a tool refuses it (issue 14).

The ontology is OWL 2 Full by design (its header says why): the build applies the OWL 2 RL/RDF rules
to it as RDF. These tests pin down how OWL 2 DL tools read it, so that a change to the ontology or
to a tool that alters the answer shows up here, and docs/modelling.md can be kept true:

- py-horned-owl reads every term with the kind the ontology declares, and reads the OWL Full
  constructs as exactly the axioms listed below;
- owlready2 refuses a class of properties (a subclass of rdf:Property);
- without the three axioms on rdf:Property and rdf:Statement, owlready2 loads it and HermiT finds it
  consistent; HermiT then refuses the graph's dates and durations (xsd:date, xsd:gYear,
  xsd:gYearMonth and xsd:duration are not in the OWL 2 datatype map), and accepts the truthy graph
  once they are left out.
"""

from __future__ import annotations

import re
from pathlib import Path

import owlready2
import pyhornedowl
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, XSD

from cassibile.namespaces import CAS

ROOT = Path(__file__).resolve().parents[1]
ONTOLOGY = ROOT / "ontology" / "cassibile.ttl"
ONTOLOGY_IRI = URIRef("https://w3id.org/cassibile/ontology")
OWL_FULL_SUBCLASS_AXIOMS = {
    (CAS.DateProperty, RDF.Property),
    (CAS.SingleValuedProperty, RDF.Property),
    (CAS.Fact, RDF.Statement),
}
DATATYPES_OUTSIDE_OWL2 = {XSD.date, XSD.gYear, XSD.gYearMonth, XSD.duration}
# OWL 2 Structural Specification, section 5.5: annotation properties every ontology has undeclared.
BUILT_IN_ANNOTATION_PROPERTIES = {
    RDFS.label, RDFS.comment, RDFS.seeAlso, RDFS.isDefinedBy, OWL.deprecated, OWL.versionInfo,
    OWL.priorVersion, OWL.backwardCompatibleWith, OWL.incompatibleWith,
}


@pytest.fixture(scope="module")
def ontology() -> Graph:
    graph = Graph()
    graph.parse(ONTOLOGY)
    return graph


def declared(graph: Graph, kind: URIRef) -> set[str]:
    return {str(term) for term in graph.subjects(RDF.type, kind) if isinstance(term, URIRef)}


def write_ntriples(graph: Graph, path: Path) -> Path:
    """owlready2 reads N-Triples, RDF/XML and OWL/XML, not Turtle."""
    graph.serialize(path, format="nt", encoding="utf-8")
    return path


def without_owl_full_subclass_axioms(graph: Graph) -> Graph:
    reduced = Graph()
    reduced += graph
    for subclass, superclass in OWL_FULL_SUBCLASS_AXIOMS:
        reduced.remove((subclass, RDFS.subClassOf, superclass))
    return reduced


def load_in_owlready2(*paths: Path):
    """A fresh owlready2 world holding the given N-Triples files; returns the world and the last ontology."""
    world = owlready2.World()
    loaded = [world.get_ontology(path.as_uri()).load() for path in paths]
    return world, loaded[-1]


# --- py-horned-owl ----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def horned(ontology):
    return pyhornedowl.open_ontology(str(ONTOLOGY))


def axioms(horned, kind: str) -> list:
    return [a.component for a in horned.get_axioms() if type(a.component).__name__ == kind]


def test_py_horned_owl_reads_every_term_with_its_declared_kind(horned, ontology):
    assert {str(c) for c in horned.get_classes()} == declared(ontology, OWL.Class)
    assert {str(p) for p in horned.get_object_properties()} == declared(ontology, OWL.ObjectProperty)
    assert {str(p) for p in horned.get_data_properties()} == declared(ontology, OWL.DatatypeProperty)
    assert {str(p) for p in horned.get_annotation_properties()} == declared(ontology, OWL.AnnotationProperty)
    assert str(horned.get_version_iri()) == str(ontology.value(ONTOLOGY_IRI, OWL.versionIRI))


def test_py_horned_owl_reads_definitions_and_matches_as_annotations_not_as_data(horned, ontology):
    """Declared as annotation properties, skos:definition and skos:closeMatch no longer read as property
    assertions; nor does any other annotation, so an annotation property used but not declared shows up."""
    annotation_properties = declared(ontology, OWL.AnnotationProperty)
    assert {"http://www.w3.org/2004/02/skos/core#definition", "http://www.w3.org/2004/02/skos/core#closeMatch"} <= annotation_properties
    properties = declared(ontology, OWL.ObjectProperty) | declared(ontology, OWL.DatatypeProperty)
    misread = [str(a) for kind in ("DataPropertyAssertion", "ObjectPropertyAssertion") for a in axioms(horned, kind)
               if str(a).split("<")[1].split(">")[0] not in properties]
    assert not misread, misread
    annotating = annotation_properties | {str(p) for p in BUILT_IN_ANNOTATION_PROPERTIES}
    used = sum(1 for s, p, o in ontology if str(p) in annotating and s != ONTOLOGY_IRI)
    assert len(axioms(horned, "AnnotationAssertion")) == used


def test_py_horned_owl_reads_the_owl_full_constructs_as_the_header_describes_them(horned):
    """Exactly three subclass axioms use RDF's or OWL's reserved vocabulary as classes; cas:editorialLabel
    reads as a sub-property of rdfs:label; a date property is an individual of cas:DateProperty
    whose kind (undeclared) the parser guesses."""
    reserved = {str(a) for a in axioms(horned, "SubClassOf") if str(RDF) in str(a) or str(OWL) in str(a)}
    assert reserved == {f"SubClassOf(<{sub}> <{sup}>)" for sub, sup in OWL_FULL_SUBCLASS_AXIOMS}
    assert [str(a) for a in axioms(horned, "SubAnnotationPropertyOf")] == [f"SubAnnotationPropertyOf(<{CAS.editorialLabel}> <{RDFS.label}>)"]
    assert f"ClassAssertion(<{CAS.DateProperty}> <{CAS.pointInTime}>)" in {str(a) for a in axioms(horned, "ClassAssertion")}
    assert f"SubObjectPropertyOf(<{CAS.pointInTime}> <http://www.wikidata.org/prop/direct/P585>)" in {
        str(a) for a in axioms(horned, "SubObjectPropertyOf")}


# --- owlready2 and HermiT ---------------------------------------------------------------------

def test_owlready2_refuses_a_class_of_properties(ontology, tmp_path):
    """owlready2 turns OWL classes into Python classes and properties into Python classes of another
    metaclass; a class that is a subclass of rdf:Property (cas:SingleValuedProperty) cannot be both."""
    with pytest.raises(TypeError, match=r"^metaclass conflict: the metaclass of a derived class must be a \(non-strict\) subclass"):
        load_in_owlready2(write_ntriples(ontology, tmp_path / "cassibile.nt"))


def test_without_the_owl_full_subclass_axioms_owlready2_loads_it_and_hermit_finds_it_consistent(ontology, tmp_path):
    world, loaded = load_in_owlready2(write_ntriples(without_owl_full_subclass_axioms(ontology), tmp_path / "reduced.nt"))
    assert {c.iri for c in loaded.classes()} == declared(ontology, OWL.Class)
    with loaded:
        owlready2.sync_reasoner_hermit(world, infer_property_values=False, debug=0)  # raises if inconsistent
    battle = world[str(CAS.Battle)]
    assert world[str(CAS.Event)] in battle.ancestors()
    assert not list(world.inconsistent_classes())


def test_hermit_refuses_the_graphs_dates_and_durations_and_accepts_the_truthy_graph_without_them(ontology, built, tmp_path):
    reduced = write_ntriples(without_owl_full_subclass_axioms(ontology), tmp_path / "reduced.nt")
    truthy = Graph()
    truthy.parse(built / "derived.nt")
    outside = [t for t in truthy if isinstance(t[2], Literal) and t[2].datatype in DATATYPES_OUTSIDE_OWL2]
    assert {t[2].datatype for t in outside} == DATATYPES_OUTSIDE_OWL2, "the checks below would not cover every one"

    world, data = load_in_owlready2(reduced, write_ntriples(truthy, tmp_path / "derived.nt"))
    with pytest.raises(owlready2.OwlReadyJavaError) as refused:
        with data:
            owlready2.sync_reasoner_hermit(world, infer_property_values=False, debug=0)
    message = " ".join(str(refused.value).split())
    assert "org.semanticweb.HermiT.datatypes.UnsupportedDatatypeException" in message
    named = re.search(r"The datatype '([^']+)' is not part of the OWL 2 datatype map", message)
    assert named and URIRef(named.group(1)) in DATATYPES_OUTSIDE_OWL2, message

    for triple in outside:
        truthy.remove(triple)
    world, data = load_in_owlready2(reduced, write_ntriples(truthy, tmp_path / "derived-without-them.nt"))
    with data:
        owlready2.sync_reasoner_hermit(world, infer_property_values=False, debug=0)
