"""The Wikidata view answers queries written for the Wikidata Query Service, unchanged.

The queries below are written as one writes them for query.wikidata.org (wd:/wdt: prefixes,
rdfs:label with a language filter) and run with pyoxigraph on dist/wikidata.ttl. A small
hand-written graph pins the exact conversion of every kind of value.
"""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS, XSD

from cassibile.export import serialize_graph
from cassibile.load import parse_turtle
from cassibile.namespaces import SCHEMA, WD, WDT
from cassibile.wikidata.statements import Alignment, read_verified_pids, statements
from cassibile.wikidata.view import wikidata_view

FIXTURE = Path(__file__).parent / "golden" / "quickstatements" / "graph.ttl"
WDQS_PREFIXES = """PREFIX wd: <http://www.wikidata.org/entity/>
PREFIX wdt: <http://www.wikidata.org/prop/direct/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
"""

# Written by hand from the fixture: what WDQS would hold for it.
EXPECTED_FIXTURE_VIEW = """
PREFIX id: <https://w3id.org/cassibile/id/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX schema: <http://schema.org/>
PREFIX wd: <http://www.wikidata.org/entity/>
PREFIX wdt: <http://www.wikidata.org/prop/direct/>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>

wd:Q999001 rdfs:label "Armistice of Cassibile"@en, "Armistizio di Cassibile"@it,
        "Waffenstillstand von Cassibile"@de, "Armistício de Cassibile"@pt ;
    schema:description "armistice signed on 3 September 1943"@en ;
    wdt:P31 wd:Q107706 ;
    wdt:P1891 id:giuseppe-castellano ;
    wdt:P710 wd:Q9916 ;
    wdt:P585 "1943-09-03T00:00:00Z"^^xsd:dateTime ;
    wdt:P276 wd:Q1012526 ;
    wdt:P577 "1943-09-08T00:00:00Z"^^xsd:dateTime .
id:giuseppe-castellano rdfs:label "Giuseppe Castellano"@en, "Giuseppe Castellano"@it ;
    wdt:P31 wd:Q5 ; wdt:P1344 wd:Q999001 .
wd:Q200085 rdfs:label "Pietro Badoglio"@en, "Pietro Badoglio"@it ; wdt:P31 wd:Q5 ; wdt:P39 wd:Q999002 .
wd:Q9916 rdfs:label "Dwight D. Eisenhower"@en ; wdt:P31 wd:Q5 .
wd:Q23559 rdfs:label "Benito Mussolini"@en ; wdt:P31 wd:Q5 .
wd:Q1012526 rdfs:label "Cassibile"@en .
wd:Q999002 rdfs:label "Prime Minister of Italy"@en .
wd:Q999003 rdfs:label "Sinking of the battleship Roma"@en ; wdt:P31 wd:Q1656682 ;
    wdt:P1120 "+1400"^^xsd:decimal .
wd:Q999004 rdfs:label "Italian declaration of war on Germany"@en ; wdt:P31 wd:Q1656682 ;
    wdt:P585 "1943-10-01T00:00:00Z"^^xsd:dateTime .
wd:Q999005 rdfs:label "Italian campaign"@en ; wdt:P31 wd:Q1656682 ;
    wdt:P580 "1943-01-01T00:00:00Z"^^xsd:dateTime .
wd:Q999006 rdfs:label "German occupation of Italy"@en ; wdt:P31 wd:Q1656682 ;
    wdt:P580 "1943-09-01T00:00:00Z"^^xsd:dateTime .
wd:Q999007 rdfs:label "Signing of the Armistice of Cassibile"@en ; wdt:P31 wd:Q1656682 ;
    wdt:P580 "1943-09-03T00:00:00Z"^^xsd:dateTime .
wd:Q999008 rdfs:label "Operation Giant II"@en ; wdt:P31 wd:Q1656682 ;
    wdt:P585 "1943-09-08T00:00:00Z"^^xsd:dateTime .
id:announcement-of-the-armistice rdfs:label "Announcement of the armistice"@en ;
    wdt:P585 "1943-09-08T00:00:00Z"^^xsd:dateTime .
"""


def test_fixture_view_is_exactly_what_wdqs_would_hold(root):
    graph = parse_turtle(FIXTURE)
    alignment = Alignment.read(graph, graph, read_verified_pids(root / "graph" / "wikidata" / "properties.tsv"))
    found, _ = statements(graph, alignment)
    got = triples(serialize_graph(wikidata_view(graph, found, alignment), "ttl"))
    expected = triples(EXPECTED_FIXTURE_VIEW.encode())
    assert got == expected, sorted(got ^ expected)


def triples(turtle: bytes) -> set[tuple]:
    """Triples as oxigraph reads them, lexical forms kept ("…Z"), except that decimals compare by
    value: Turtle's short form of "+1400"^^xsd:decimal is +1400.0."""
    def term(t):
        if isinstance(t, ox.Literal) and t.datatype.value == str(XSD.decimal):
            return ("decimal", Decimal(t.value))
        return str(t)

    return {tuple(term(t) for t in (q.subject, q.predicate, q.object)) for q in ox.parse(turtle, format=ox.RdfFormat.TURTLE)}


@pytest.fixture(scope="module")
def store(built) -> ox.Store:
    store = ox.Store()
    store.bulk_load(path=str(built / "wikidata.ttl"), format=ox.RdfFormat.TURTLE)
    return store


def select(store: ox.Store, query: str) -> list[dict[str, str]]:
    solutions = store.query(WDQS_PREFIXES + query)
    names = [v.value for v in solutions.variables]
    return [{n: s[n].value for n in names if s[n] is not None} for s in solutions]


def test_italian_label_of_a_linked_person(store):
    rows = select(store, 'SELECT ?label WHERE { wd:Q200085 rdfs:label ?label . FILTER(LANG(?label) = "it") }')
    assert rows == [{"label": "Pietro Badoglio"}]


def test_humans_with_italian_labels_include_badoglio_and_eisenhower(store):
    rows = select(store, """SELECT ?person ?label WHERE {
        ?person wdt:P31 wd:Q5 ; rdfs:label ?label . FILTER(LANG(?label) = "it") }""")
    found = {row["person"] for row in rows}
    assert {str(WD.Q200085), str(WD.Q9916)} <= found
    assert all(row["label"] for row in rows)


def test_the_armistice_was_signed_on_3_september_before_it_was_made_public(store):
    rows = select(store, """SELECT ?signed ?public WHERE {
        ?armistice rdfs:label ?name ; wdt:P585 ?signed ; wdt:P577 ?public .
        FILTER(LANG(?name) = "it" && STR(?name) = "Armistizio di Cassibile")
        FILTER(?signed < ?public) }""")
    assert rows == [{"signed": "1943-09-03T00:00:00Z", "public": "1943-09-08T00:00:00Z"}]


def test_the_signatories_are_people(store):
    rows = select(store, """SELECT ?signatory WHERE {
        ?armistice rdfs:label "Armistice of Cassibile"@en ; wdt:P1891 ?signatory .
        ?signatory wdt:P31 wd:Q5 }""")
    assert len(rows) >= 2


@pytest.fixture(scope="module")
def view(built) -> Graph:
    return Graph().parse(built / "wikidata.ttl", format="turtle")


def test_view_uses_only_wdqs_terms_and_verified_properties(view, root):
    verified = read_verified_pids(root / "graph" / "wikidata" / "properties.tsv")
    allowed = {RDFS.label, SKOS.altLabel, SCHEMA.description} | {WDT[p] for p in verified}
    assert set(view.predicates()) <= allowed, sorted(set(view.predicates()) - allowed)
    assert {RDFS.label, WDT.P31} <= set(view.predicates())


def test_view_literals_are_written_as_wdqs_writes_them(built):
    for triple in ox.parse(path=str(built / "wikidata.ttl"), format=ox.RdfFormat.TURTLE):
        value = triple.object
        if isinstance(value, ox.Literal) and triple.predicate.value.startswith(str(WDT)):
            if value.datatype.value == str(XSD.dateTime):
                assert re.fullmatch(r"\d{4}-\d\d-\d\dT00:00:00Z", value.value), triple
            elif value.datatype.value == str(XSD.decimal):  # Turtle's short form of "+1400" is +1400.0
                assert re.fullmatch(r"[+-]\d+(\.\d+)?", value.value), triple
            else:
                assert value.datatype.value in (str(XSD.string), str(RDF.langString)), triple


def test_linked_entities_appear_only_under_their_qid_with_one_label_per_language(view, built):
    asserted = Graph().parse(built / "asserted.nt", format="nt")
    linked = set(asserted.subjects(OWL.sameAs, None))
    assert linked, "nothing is linked"
    used = {t for triple in view for t in triple if isinstance(t, URIRef)}
    assert not linked & used, sorted(linked & used)[:5]
    for subject in set(view.subjects()):
        languages = [label.language for label in view.objects(subject, RDFS.label)]
        assert len(languages) == len(set(languages)), subject


def test_every_item_statement_in_the_view_is_entailed_by_the_ontology(view, built):
    """OWL RL infers wdt: triples from the truthy graph through `rdfs:subPropertyOf wdt:P…` on its own;
    every item-valued statement of the view, read back to our IRIs, must be among them."""
    asserted = Graph().parse(built / "asserted.nt", format="nt")
    inferred = Graph().parse(built / "inferred.nt", format="nt")
    ours = {o: s for s, o in asserted.subject_objects(OWL.sameAs) if str(o).startswith(str(WD))}
    statements = [(s, p, o) for s, p, o in view if str(p).startswith(str(WDT)) and p != WDT.P31 and isinstance(o, URIRef)]
    assert statements
    unentailed = [t for t in statements if (ours.get(t[0], t[0]), t[1], ours.get(t[2], t[2])) not in inferred]
    assert not unentailed, unentailed[:10]


def test_every_truthy_fact_with_a_verified_wikidata_property_is_in_the_view(view, built, root):
    """Read straight from the dumps: the truthy triples (derived.nt) of every property the ontology
    (ontology.nt) aligns with a verified PID."""
    verified = read_verified_pids(root / "graph" / "wikidata" / "properties.tsv")
    ontology = Graph().parse(built / "ontology.nt", format="nt")
    aligned = {p: w for p, w in ontology.subject_objects(RDFS.subPropertyOf) if str(w)[len(str(WDT)):] in verified}
    qid = {s: o for s, o in Graph().parse(built / "asserted.nt", format="nt").subject_objects(OWL.sameAs)}
    truthy = [(s, p) for s, p, _ in Graph().parse(built / "derived.nt", format="nt") if p in aligned]
    assert truthy
    missing = sorted({(qid.get(s, s), aligned[p]) for s, p in truthy} - set(view.subject_predicates()))
    assert not missing, missing[:10]
