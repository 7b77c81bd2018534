"""The Wikidata view holds the publication as the Wikidata Query Service holds an item.

A hand-written fixture pins the exact triples of statements, ranks, qualifiers, references, value
nodes and property descriptions; the real build is checked for the rules WDQS follows (best rank
and truthy triples, one reference per claim quoting its source verbatim, only WDQS vocabulary).
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pyoxigraph as ox
import pytest
from conftest import stored
from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS

from cassibile.namespaces import CAS, WD, WDT
from cassibile.pipeline.load import load_project, parse_turtle
from cassibile.project import Project
from cassibile.publish.export import entities
from cassibile.publish.wikidata import mapping
from cassibile.publish.wikidata.statements import Alignment, Tables, entity_terms, statements
from cassibile.publish.wikidata.view import wikidata_view

FIXTURE = Path(__file__).parent / "golden" / "quickstatements" / "graph.ttl"
GREGORIAN = "http://www.wikidata.org/entity/Q1985727"
PREFIXES = """PREFIX wd: <http://www.wikidata.org/entity/>
PREFIX wdt: <http://www.wikidata.org/prop/direct/>
PREFIX wdtn: <http://www.wikidata.org/prop/direct-normalized/>
PREFIX p: <http://www.wikidata.org/prop/>
PREFIX ps: <http://www.wikidata.org/prop/statement/>
PREFIX psv: <http://www.wikidata.org/prop/statement/value/>
PREFIX pq: <http://www.wikidata.org/prop/qualifier/>
PREFIX pqv: <http://www.wikidata.org/prop/qualifier/value/>
PREFIX pr: <http://www.wikidata.org/prop/reference/>
PREFIX prv: <http://www.wikidata.org/prop/reference/value/>
PREFIX wdno: <http://www.wikidata.org/prop/novalue/>
PREFIX wdv: <http://www.wikidata.org/value/>
PREFIX wdref: <http://www.wikidata.org/reference/>
PREFIX wikibase: <http://wikiba.se/ontology#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX schema: <http://schema.org/>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
PREFIX fact: <https://w3id.org/cassibile/fact/>
PREFIX id: <https://w3id.org/cassibile/id/>
PREFIX source: <https://w3id.org/cassibile/source/>
"""


# Value and reference nodes are named by the md5 (values) or sha1 (references) of their Wikibase
# JSON, keys sorted (docs/wikidata.md); the JSON below is written out by hand.
def node_name(content, algorithm: str) -> str:
    return hashlib.new(algorithm, json.dumps(content, sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()


def time_node(time: str, precision: int) -> str:
    value = {"time": time, "timezone": 0, "before": 0, "after": 0, "precision": precision, "calendarmodel": GREGORIAN}
    return "wdv:" + node_name({"value": value, "type": "time"}, "md5")


def reference_node(source: str, language: str, title: str, quote: str, qid: str) -> str:
    snaks = [
        ["P854", {"value": f"https://w3id.org/cassibile/source/{source}", "type": "string"}],
        ["P1476", {"value": {"text": title, "language": language}, "type": "monolingualtext"}],
        ["P1683", {"value": {"text": quote, "language": language}, "type": "monolingualtext"}],
        ["P407", {"value": {"entity-type": "item", "numeric-id": int(qid[1:]), "id": qid}, "type": "wikibase-entityid"}],
    ]
    return "wdref:" + node_name(snaks, "sha1")


EN = ("en-article", "en", "Armistice of Cassibile (English encyclopedic article)")
DE = ("de-history", "de", "3. September 1943: Montgomery landet in Kalabrien")
DE_ANNOUNCED = reference_node(*DE, "Am 8. September wurde er bekanntgegeben.", "Q188")
EN_WRONG_DAY = reference_node(*EN, "It was made public on 9 September.", "Q1860")
EN_BADOGLIO = reference_node(*EN, 'Badoglio succeeded Mussolini as "Prime Minister" on 25 July 1943.', "Q1860")
EN_ROMA = reference_node(*EN, "The Roma sank with the loss of nearly 1,400 men.", "Q1860")
EN_SIGNED_AGAIN = reference_node(*EN, "Castellano signed on 3 September.", "Q1860")
EN_CASSIBILE = reference_node(*EN, "Cassibile, a small town in Sicily.", "Q1860")
ROMA_AMOUNT = "wdv:" + node_name({"value": {"amount": "+1400", "unit": "1"}, "type": "quantity"}, "md5")

# What WDQS would hold for these statements of the fixture, written by hand.
EXPECTED = {  # name: (subject, the predicates of the subject to compare, the triples)
    # a disagreement: only the preferred date is truthy; the deprecated one stays, with its reference
    "armistice-of-cassibile--publicationDate": ("wd:Q999001", ("p:P577", "wdt:P577"), f"""
wd:Q999001 p:P577 fact:armistice-of-cassibile--publicationDate--1943-09-08, fact:armistice-of-cassibile--publicationDate--1943-09-09 ;
    wdt:P577 "1943-09-08T00:00:00Z"^^xsd:dateTime .
fact:armistice-of-cassibile--publicationDate--1943-09-08 a wikibase:BestRank ; wikibase:rank wikibase:PreferredRank ;
    ps:P577 "1943-09-08T00:00:00Z"^^xsd:dateTime ; psv:P577 {time_node("+1943-09-08T00:00:00Z", 11)} ;
    prov:wasDerivedFrom {DE_ANNOUNCED} .
{time_node("+1943-09-08T00:00:00Z", 11)} a wikibase:TimeValue ; wikibase:timeValue "1943-09-08T00:00:00Z"^^xsd:dateTime ;
    wikibase:timePrecision 11 ; wikibase:timeTimezone 0 ; wikibase:timeCalendarModel wd:Q1985727 .
{DE_ANNOUNCED} pr:P854 source:de-history ; pr:P1476 "3. September 1943: Montgomery landet in Kalabrien"@de ;
    pr:P1683 "Am 8. September wurde er bekanntgegeben."@de ; pr:P407 wd:Q188 .
fact:armistice-of-cassibile--publicationDate--1943-09-09 wikibase:rank wikibase:DeprecatedRank ;
    ps:P577 "1943-09-09T00:00:00Z"^^xsd:dateTime ; psv:P577 {time_node("+1943-09-09T00:00:00Z", 11)} ;
    prov:wasDerivedFrom {EN_WRONG_DAY} .
{time_node("+1943-09-09T00:00:00Z", 11)} a wikibase:TimeValue ; wikibase:timeValue "1943-09-09T00:00:00Z"^^xsd:dateTime ;
    wikibase:timePrecision 11 ; wikibase:timeTimezone 0 ; wikibase:timeCalendarModel wd:Q1985727 .
{EN_WRONG_DAY} pr:P854 source:en-article ; pr:P1476 "Armistice of Cassibile (English encyclopedic article)"@en ;
    pr:P1683 "It was made public on 9 September."@en ; pr:P407 wd:Q1860 .
"""),
    # qualifiers, one with a full time value; cas:role has no Wikidata property
    "pietro-badoglio--positionHeld": ("wd:Q200085", ("p:P39", "wdt:P39"), f"""
wd:Q200085 p:P39 fact:pietro-badoglio--positionHeld--prime-minister-of-italy ; wdt:P39 wd:Q999002 .
fact:pietro-badoglio--positionHeld--prime-minister-of-italy a wikibase:BestRank ; wikibase:rank wikibase:NormalRank ;
    ps:P39 wd:Q999002 ; pq:P1365 wd:Q23559 ; pq:P580 "1943-07-25T00:00:00Z"^^xsd:dateTime ;
    pqv:P580 {time_node("+1943-07-25T00:00:00Z", 11)} ; prov:wasDerivedFrom {EN_BADOGLIO} .
{time_node("+1943-07-25T00:00:00Z", 11)} a wikibase:TimeValue ; wikibase:timeValue "1943-07-25T00:00:00Z"^^xsd:dateTime ;
    wikibase:timePrecision 11 ; wikibase:timeTimezone 0 ; wikibase:timeCalendarModel wd:Q1985727 .
{EN_BADOGLIO} pr:P854 source:en-article ; pr:P1476 "Armistice of Cassibile (English encyclopedic article)"@en ;
    pr:P1683 "Badoglio succeeded Mussolini as \\"Prime Minister\\" on 25 July 1943."@en ; pr:P407 wd:Q1860 .
"""),
    # a quantity: unbounded, unit "1" (wd:Q199)
    "sinking-of-the-battleship-roma--numberOfDeaths": ("wd:Q999003", ("p:P1120", "wdt:P1120"), f"""
wd:Q999003 p:P1120 fact:sinking-of-the-battleship-roma--numberOfDeaths--1400 ; wdt:P1120 "+1400"^^xsd:decimal .
fact:sinking-of-the-battleship-roma--numberOfDeaths--1400 a wikibase:BestRank ; wikibase:rank wikibase:NormalRank ;
    ps:P1120 "+1400"^^xsd:decimal ; psv:P1120 {ROMA_AMOUNT} ; prov:wasDerivedFrom {EN_ROMA} .
{ROMA_AMOUNT} a wikibase:QuantityValue ; wikibase:quantityAmount "+1400"^^xsd:decimal ; wikibase:quantityUnit wd:Q199 .
{EN_ROMA} pr:P854 source:en-article ; pr:P1476 "Armistice of Cassibile (English encyclopedic article)"@en ;
    pr:P1683 "The Roma sank with the loss of nearly 1,400 men."@en ; pr:P407 wd:Q1860 .
"""),
    # a subject without a QID keeps our IRI; so does a class statement's node
    "giuseppe-castellano": ("id:giuseppe-castellano", ("p:P1344", "wdt:P1344", "p:P31", "wdt:P31", "rdfs:label"), f"""
id:giuseppe-castellano p:P1344 fact:giuseppe-castellano--participantIn--armistice-of-cassibile ; wdt:P1344 wd:Q999001 ;
    p:P31 <https://w3id.org/cassibile/id/giuseppe-castellano#P31-Q5> ; wdt:P31 wd:Q5 ;
    rdfs:label "Giuseppe Castellano"@en, "Giuseppe Castellano"@it .
fact:giuseppe-castellano--participantIn--armistice-of-cassibile a wikibase:BestRank ; wikibase:rank wikibase:NormalRank ;
    ps:P1344 wd:Q999001 ; prov:wasDerivedFrom {EN_SIGNED_AGAIN} .
<https://w3id.org/cassibile/id/giuseppe-castellano#P31-Q5> a wikibase:BestRank ; wikibase:rank wikibase:NormalRank ; ps:P31 wd:Q5 .
{EN_SIGNED_AGAIN} pr:P854 source:en-article ; pr:P1476 "Armistice of Cassibile (English encyclopedic article)"@en ;
    pr:P1683 "Castellano signed on 3 September."@en ; pr:P407 wd:Q1860 .
"""),
    # what Wikidata's constraints would flag is not sent, but it is in the view: nothing is dropped
    "cassibile--locatedIn": ("wd:Q1012526", ("p:P131", "wdt:P131"), f"""
wd:Q1012526 p:P131 fact:cassibile--locatedIn--sicily ; wdt:P131 wd:Q999009 .
fact:cassibile--locatedIn--sicily a wikibase:BestRank ; wikibase:rank wikibase:NormalRank ;
    ps:P131 wd:Q999009 ; prov:wasDerivedFrom {EN_CASSIBILE} .
{EN_CASSIBILE} pr:P854 source:en-article ; pr:P1476 "Armistice of Cassibile (English encyclopedic article)"@en ;
    pr:P1683 "Cassibile, a small town in Sicily."@en ; pr:P407 wd:Q1860 .
"""),
}

EXPECTED_P580 = """
wd:P580 a wikibase:Property ; rdfs:label "start time"@en ; wikibase:propertyType wikibase:Time ;
    wikibase:directClaim wdt:P580 ; wikibase:claim p:P580 ; wikibase:statementProperty ps:P580 ;
    wikibase:statementValue psv:P580 ; wikibase:qualifier pq:P580 ; wikibase:qualifierValue pqv:P580 ;
    wikibase:reference pr:P580 ; wikibase:referenceValue prv:P580 ; wikibase:novalue wdno:P580 .
p:P580 a owl:ObjectProperty . psv:P580 a owl:ObjectProperty . pqv:P580 a owl:ObjectProperty . prv:P580 a owl:ObjectProperty .
wdt:P580 a owl:DatatypeProperty . ps:P580 a owl:DatatypeProperty . pq:P580 a owl:DatatypeProperty . pr:P580 a owl:DatatypeProperty .
"""


def turtle_triples(text: str) -> set[tuple[str, str, str]]:
    return {(str(t.subject), str(t.predicate), str(t.object)) for t in ox.parse(text.encode(), format=ox.RdfFormat.TURTLE)}


@pytest.fixture(scope="module")
def fixture_view(root) -> list[ox.Triple]:
    graph = stored(parse_turtle(FIXTURE))
    alignment = Alignment.read(graph, graph, Tables.read(root / "graph" / "wikidata"))
    found, _ = statements(graph, alignment)
    return wikidata_view(graph, found, alignment)


def test_the_wikidata_tools_read_the_store_as_the_loader_parsed_the_graph(root):
    """Statements, what they leave out and the entities' terms are the same read from the build's store (the loader's
    named graphs) as from the rdflib graphs it parses the same files into."""
    dataset = load_project(Project(root))
    mapped = mapping(dataset.layers, root / "graph" / "wikidata")
    alignment = Alignment.read(dataset.ontology, dataset.data, Tables.read(root / "graph" / "wikidata"))
    assert mapped.alignment == alignment and len(alignment.pids) > 10 and len(alignment.superclasses) > 10
    assert (mapped.statements, mapped.notes) == statements(dataset.data, alignment)
    assert len(mapped.statements) > 100 and mapped.notes
    assert entity_terms(mapped.asserted, entities(mapped.asserted)) == entity_terms(dataset.data, entities(dataset.data))


FOLLOWED = ("http://www.wikidata.org/prop/P", "http://www.wikidata.org/prop/statement/value/", "http://www.wikidata.org/prop/qualifier/value/",
            "http://www.wikidata.org/prop/reference/value/", "http://www.w3.org/ns/prov#wasDerivedFrom")


def expand(name: str) -> str:
    prefix, _, local = name.partition(":")
    return re.search(rf"PREFIX {prefix}: <([^>]*)>", PREFIXES).group(1) + local


def around(view: list[ox.Triple], subject: str, predicates: set[str]) -> set[tuple[str, str, str]]:
    """The subject's triples with these predicates, and those of the statement, value and reference
    nodes they lead to: what WDQS holds for those statements."""
    by_subject: dict[str, list[ox.Triple]] = {}
    for t in view:
        by_subject.setdefault(t.subject.value, []).append(t)
    found = {t for t in by_subject[subject] if t.predicate.value in predicates}
    todo = [t for t in found]
    while todo:
        t = todo.pop()
        if t.predicate.value.startswith(FOLLOWED):
            for further in by_subject.get(t.object.value, ()):
                if further not in found:
                    found.add(further)
                    todo.append(further)
    return {(str(t.subject), str(t.predicate), str(t.object)) for t in found}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_fixture_statements_are_exactly_what_wdqs_would_hold(fixture_view, name):
    subject, predicates, turtle = EXPECTED[name]
    expected = turtle_triples(PREFIXES + turtle)
    got = around(fixture_view, expand(subject), {expand(p) for p in predicates})
    assert got == expected, (sorted(got - expected), sorted(expected - got))


def test_fixture_property_is_described_as_wdqs_describes_it(fixture_view):
    expected = turtle_triples(PREFIXES + EXPECTED_P580)
    entity = "<http://www.wikidata.org/entity/P580>"
    roles = {o for s, p, o in expected if s == entity}
    got = {(str(t.subject), str(t.predicate), str(t.object)) for t in fixture_view if str(t.subject) in roles | {entity}}
    assert got == expected, (sorted(got - expected), sorted(expected - got))


def test_fixture_labels_and_description_of_a_linked_item(fixture_view):
    got = {(str(t.predicate), str(t.object)) for t in fixture_view if str(t.subject) == "<http://www.wikidata.org/entity/Q999001>"
           and t.predicate.value in (str(RDFS.label), "http://schema.org/description")}
    assert got == {
        ("<http://www.w3.org/2000/01/rdf-schema#label>", '"Armistice of Cassibile"@en'),
        ("<http://www.w3.org/2000/01/rdf-schema#label>", '"Armistizio di Cassibile"@it'),
        ("<http://www.w3.org/2000/01/rdf-schema#label>", '"Waffenstillstand von Cassibile"@de'),
        ("<http://www.w3.org/2000/01/rdf-schema#label>", '"Armistício de Cassibile"@pt'),
        ("<http://schema.org/description>", '"armistice signed on 3 September 1943"@en'),
    }


def test_two_claims_of_one_source_are_two_references_and_a_shared_claim_one_node(fixture_view):
    derived = {}
    for t in fixture_view:
        if t.predicate.value == "http://www.w3.org/ns/prov#wasDerivedFrom":
            derived.setdefault(t.subject.value.rsplit("/", 1)[-1], set()).add(t.object.value)
    # three claims, two of them from the English article: three references
    assert len(derived["armistice-of-cassibile--pointInTime--1943-09-03"]) == 3
    # the same claim supports two facts: the same reference node (Wikibase names references by content)
    assert derived["armistice-of-cassibile--participant--dwight-d-eisenhower"] == derived["armistice-of-cassibile--location--cassibile"]


def test_what_wdqs_does_not_store_is_not_written(fixture_view):
    """wikidata-query-rdf's Munger drops these types and the duplicate label predicates."""
    objects = {t.object.value for t in fixture_view if t.predicate == ox.NamedNode(str(RDF.type))}
    assert not objects & {"http://wikiba.se/ontology#Item", "http://wikiba.se/ontology#Statement", "http://wikiba.se/ontology#Reference"}
    predicates = {t.predicate.value for t in fixture_view}
    assert not predicates & {"http://schema.org/name", "http://www.w3.org/2004/02/skos/core#prefLabel"}


# --- the real build ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def store(built) -> ox.Store:
    store = ox.Store()
    store.bulk_load(path=str(built / "wikidata.ttl"), format=ox.RdfFormat.TURTLE)
    return store


def select(store: ox.Store, query: str) -> list[dict[str, str]]:
    solutions = store.query(PREFIXES + query)
    names = [v.value for v in solutions.variables]
    return [{n: s[n].value for n in names if s[n] is not None} for s in solutions]


def test_best_rank_and_truthy_triples_are_exactly_those_wdqs_derives(store):
    """Per item and property: the preferred statements if any, else the normal ones, never the
    deprecated; those are typed wikibase:BestRank, and their simple values are the wdt: triples."""
    best = select(store, """SELECT ?statement WHERE {
        ?item ?p ?statement . ?property wikibase:claim ?p ; wikibase:statementProperty ?ps .
        ?statement wikibase:rank ?rank .
        FILTER(?rank != wikibase:DeprecatedRank)
        FILTER NOT EXISTS { ?item ?p ?other . ?other wikibase:rank wikibase:PreferredRank . FILTER(?rank = wikibase:NormalRank) }
    }""")
    typed = select(store, "SELECT ?statement WHERE { ?statement a wikibase:BestRank }")
    assert best and sorted(r["statement"] for r in best) == sorted(r["statement"] for r in typed)
    truthy = select(store, "SELECT ?item ?wdt ?value WHERE { ?property wikibase:directClaim ?wdt . ?item ?wdt ?value }")
    from_best = select(store, """SELECT DISTINCT ?item ?wdt ?value WHERE {
        ?property wikibase:claim ?p ; wikibase:statementProperty ?ps ; wikibase:directClaim ?wdt .
        ?item ?p ?statement . ?statement a wikibase:BestRank ; ?ps ?value }""")
    key = lambda r: (r["item"], r["wdt"], r["value"])  # noqa: E731
    assert sorted(map(key, truthy)) == sorted(map(key, from_best))


def test_every_fact_with_a_verified_property_is_a_statement_with_its_own_rank(store, built, root):
    """Read from the dumps: each fact whose predicate the ontology aligns with a verified PID."""
    verified = Tables.read(root / "graph" / "wikidata").properties
    ontology = Graph().parse(built / "ontology.nt", format="nt")
    aligned = {p for p, w in ontology.subject_objects(RDFS.subPropertyOf) if str(w)[len(str(WDT)):] in verified}
    asserted = Graph().parse(built / "asserted.nt", format="nt")
    facts = {str(f): str(asserted.value(f, CAS.rank)) for f in asserted.subjects(RDF.type, CAS.Fact) if asserted.value(f, RDF.predicate) in aligned}
    ranks = {r["statement"]: r["rank"] for r in select(store, "SELECT ?statement ?rank WHERE { ?statement wikibase:rank ?rank }")}
    assert facts and {f: ranks.get(f) for f in facts} == facts


def test_every_reference_quotes_its_source_verbatim_in_its_language(store, root):
    data = load_project(Project(root)).data
    sources = list(data.subjects(RDF.type, CAS.Source))
    texts = {str(s): (root / "graph" / str(data.value(s, CAS.textFile))).read_text(encoding="utf-8") for s in sources}
    languages = {str(s): str(data.value(s, DCTERMS.language)) for s in sources}
    items = {code: str(WD[qid]) for code, qid in Tables.read(root / "graph" / "wikidata").languages.items()}
    rows = select(store, """SELECT ?reference ?source ?quote ?language WHERE {
        ?statement prov:wasDerivedFrom ?reference .
        ?reference pr:P854 ?source ; pr:P1683 ?quote ; pr:P407 ?language }""")
    assert rows
    for row in rows:
        assert row["quote"] in texts[row["source"]], (row["source"], row["quote"][:60])
        assert row["language"] == items[languages[row["source"]]]
    tags = {(r["source"], r["tag"]) for r in select(store, """SELECT DISTINCT ?source (LANG(?quote) AS ?tag) WHERE {
        ?reference pr:P854 ?source ; pr:P1683 ?quote }""")}
    assert tags == {(s, languages[s]) for s, _ in tags}


def test_every_fact_statement_has_one_reference_per_claim(store, built):
    asserted = Graph().parse(built / "asserted.nt", format="nt")
    counts = {r["statement"]: int(r["n"]) for r in select(store, """SELECT ?statement (COUNT(?reference) AS ?n) WHERE {
        ?item ?p ?statement . ?property wikibase:claim ?p . FILTER(?p != p:P31)
        OPTIONAL { ?statement prov:wasDerivedFrom ?reference } } GROUP BY ?statement""")}
    assert counts
    for statement, n in counts.items():
        claims = {(asserted.value(c, CAS.source), asserted.value(c, CAS.quote)) for c in asserted.objects(URIRef(statement), CAS.supportedBy)}
        assert n == len(claims) > 0, statement


def test_view_uses_only_wdqs_vocabulary_and_verified_properties(store, root):
    verified = Tables.read(root / "graph" / "wikidata").properties
    predicates = {r["p"] for r in select(store, "SELECT DISTINCT ?p WHERE { ?s ?p ?o }")}
    roles = re.compile(r"http://www\.wikidata\.org/prop/(?:direct/|direct-normalized/|statement/|statement/value/|qualifier/|"
                       r"qualifier/value/|reference/|reference/value/)?(P\d+)")
    for predicate in predicates:
        if match := roles.fullmatch(predicate):
            assert match.group(1) in verified, predicate
        else:
            assert predicate.startswith("http://wikiba.se/ontology#") or predicate in {
                str(RDF.type), str(RDFS.label), "http://www.w3.org/2004/02/skos/core#altLabel", "http://schema.org/description",
                "http://www.w3.org/ns/prov#wasDerivedFrom"}, predicate


def test_view_literals_are_written_as_wdqs_writes_them(built):
    for triple in ox.parse(path=str(built / "wikidata.ttl"), format=ox.RdfFormat.TURTLE):
        value = triple.object
        if isinstance(value, ox.Literal) and triple.predicate.value.startswith("http://www.wikidata.org/prop/direct/"):
            if value.datatype.value == "http://www.w3.org/2001/XMLSchema#dateTime":
                assert re.fullmatch(r"\d{4}-\d\d-\d\dT00:00:00Z", value.value), triple
            elif value.datatype.value == "http://www.w3.org/2001/XMLSchema#decimal":
                assert re.fullmatch(r"[+-]\d+(\.\d+)?", value.value), triple
            else:
                assert value.datatype.value in ("http://www.w3.org/2001/XMLSchema#string", str(RDF.langString)), triple


def test_linked_entities_appear_only_under_their_qid_with_one_label_per_language(built):
    view = Graph().parse(built / "wikidata.ttl", format="turtle")
    asserted = Graph().parse(built / "asserted.nt", format="nt")
    linked = set(asserted.subjects(OWL.sameAs, None))
    assert linked, "nothing is linked"
    used = {t for triple in view for t in (triple[0], triple[2]) if isinstance(t, URIRef)}
    assert not linked & used, sorted(linked & used)[:5]
    for subject in set(view.subjects(RDFS.label)):
        languages = [label.language for label in view.objects(subject, RDFS.label)]
        assert len(languages) == len(set(languages)), subject


def test_every_item_statement_in_the_view_is_entailed_by_the_ontology(built):
    """OWL RL infers wdt: triples from the truthy graph through `rdfs:subPropertyOf wdt:P…` on its own;
    every truthy item-valued statement of the view, read back to our IRIs, must be among them."""
    view = Graph().parse(built / "wikidata.ttl", format="turtle")
    asserted = Graph().parse(built / "asserted.nt", format="nt")
    inferred = Graph().parse(built / "inferred.nt", format="nt")
    ours = {o: s for s, o in asserted.subject_objects(OWL.sameAs) if str(o).startswith(str(WD))}
    truthy = [(s, p, o) for s, p, o in view if str(p).startswith(str(WDT)) and p != WDT.P31 and isinstance(o, URIRef)]
    assert truthy
    unentailed = [t for t in truthy if (ours.get(t[0], t[0]), t[1], ours.get(t[2], t[2])) not in inferred]
    assert not unentailed, unentailed[:10]


def test_the_view_bytes_start_with_the_generated_header(built):
    first = (built / "wikidata.ttl").read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("# Generated by `cassibile build`") and "do not edit" in first
