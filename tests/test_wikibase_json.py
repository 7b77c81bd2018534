"""Wikibase JSON (`dist/wikibase/<slug>.json`): exact for a hand-written fixture, and every real
document read back by WikibaseIntegrator, a maintained Wikibase client, into the graph's facts."""

from __future__ import annotations

import calendar
import csv
import io
import json
import re
import uuid
from pathlib import Path

import pytest
from conftest import stored
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, XSD
from wikibaseintegrator import datatypes
from wikibaseintegrator.models import Aliases, Claims, Descriptions, Labels, Qualifiers, References, Snak
from wikibaseintegrator.wbi_enums import WikibaseRank

from cassibile.namespaces import CAS, WD, WDT
from cassibile.pipeline.load import load_project, parse_turtle
from cassibile.project import Project
from cassibile.publish.export import entities
from cassibile.publish.wikidata.statements import Alignment, Tables, entity_terms, statements
from cassibile.publish.wikidata.wikibase_json import documents

FIXTURE = Path(__file__).parent / "golden" / "quickstatements" / "graph.ttl"
FACT = "https://w3id.org/cassibile/fact/"
GREGORIAN = "http://www.wikidata.org/entity/Q1985727"
GUID = re.compile(r"^(Q[1-9]\d*)\$[A-Z\d]{8}-[A-Z\d]{4}-[A-Z\d]{4}-[A-Z\d]{4}-[A-Z\d]{12}$")  # Wikibase's StatementGuidValidator


def item(qid: str) -> dict:
    return {"value": {"entity-type": "item", "numeric-id": int(qid[1:]), "id": qid}, "type": "wikibase-entityid"}


def snak(pid: str, datatype: str, datavalue: dict) -> dict:
    return {"snaktype": "value", "property": pid, "datatype": datatype, "datavalue": datavalue}


def text(value: str, language: str) -> dict:
    return {"value": {"text": value, "language": language}, "type": "monolingualtext"}


def reference(url: str, title: str, quote: str, language: str, qid: str) -> dict:
    snaks = {"P854": [snak("P854", "url", {"value": url, "type": "string"})],
             "P1476": [snak("P1476", "monolingualtext", text(title, language))],
             "P1683": [snak("P1683", "monolingualtext", text(quote, language))],
             "P407": [snak("P407", "wikibase-item", item(qid))]}
    return {"snaks": snaks, "snaks-order": ["P854", "P1476", "P1683", "P407"]}


def guid(qid: str, fact: str) -> str:
    """The statement id the docs promise: the item, then the UUID5 (URL namespace) of the fact's IRI."""
    return f"{qid}${str(uuid.uuid5(uuid.NAMESPACE_URL, FACT + fact)).upper()}"


EN_ARTICLE = ("https://w3id.org/cassibile/source/en-article", "Armistice of Cassibile (English encyclopedic article)")

# Written by hand from the fixture graph (reference hashes are compared apart: they name content).
EXPECTED = {
    "pietro-badoglio": {
        "id": "Q200085",
        "type": "item",
        "labels": {"en": {"language": "en", "value": "Pietro Badoglio"}, "it": {"language": "it", "value": "Pietro Badoglio"}},
        "descriptions": {},
        "aliases": {},
        "claims": {"P39": [{
            "id": guid("Q200085", "pietro-badoglio--positionHeld--prime-minister-of-italy"),
            "mainsnak": snak("P39", "wikibase-item", item("Q999002")),
            "type": "statement",
            "rank": "normal",
            "qualifiers": {  # cas:role has no Wikidata property: left out
                "P1365": [snak("P1365", "wikibase-item", item("Q23559"))],
                "P580": [snak("P580", "time", {"value": {"time": "+1943-07-25T00:00:00Z", "timezone": 0, "before": 0, "after": 0,
                                                          "precision": 11, "calendarmodel": GREGORIAN}, "type": "time"})],
            },
            "qualifiers-order": ["P1365", "P580"],
            "references": [reference(*EN_ARTICLE, 'Badoglio succeeded Mussolini as "Prime Minister" on 25 July 1943.', "en", "Q1860")],
        }]},
    },
    # no QID: a new-item payload, without id and statement ids; its P31 is a judgement, not sent
    "giuseppe-castellano": {
        "type": "item",
        "labels": {"en": {"language": "en", "value": "Giuseppe Castellano"}, "it": {"language": "it", "value": "Giuseppe Castellano"}},
        "descriptions": {},
        "aliases": {},
        "claims": {"P1344": [{
            "mainsnak": snak("P1344", "wikibase-item", item("Q999001")),
            "type": "statement",
            "rank": "normal",
            "references": [reference(*EN_ARTICLE, "Castellano signed on 3 September.", "en", "Q1860")],
        }]},
    },
    "sinking-of-the-battleship-roma": {
        "id": "Q999003",
        "type": "item",
        "labels": {"en": {"language": "en", "value": "Sinking of the battleship Roma"}},
        "descriptions": {},
        "aliases": {},
        # "nearly 1,400" deaths is held back (constraints.tsv: cas:approximation); the injured are not
        "claims": {"P1339": [{
            "id": guid("Q999003", "sinking-of-the-battleship-roma--numberOfInjured--622"),
            "mainsnak": snak("P1339", "quantity", {"value": {"amount": "+622", "unit": "1"}, "type": "quantity"}),
            "type": "statement",
            "rank": "normal",
            "references": [reference(*EN_ARTICLE, "Of the survivors, 622 were wounded.", "en", "Q1860")],
        }]},
    },
}


@pytest.fixture(scope="module")
def fixture_documents(root):
    graph = stored(parse_turtle(FIXTURE))
    alignment = Alignment.read(graph, graph, Tables.read(root / "graph" / "wikidata"))
    found, _ = statements(graph, alignment)
    notes = []
    docs = documents(found, alignment, entity_terms(graph, entities(graph)), notes)
    return {str(entity).rsplit("/", 1)[-1]: doc for entity, doc in docs}, notes


def without_hashes(document: dict) -> dict:
    return json.loads(re.sub(r'"hash": "[0-9a-f]{40}", ', "", json.dumps(document)))


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_fixture_documents_are_exact(fixture_documents, name):
    assert without_hashes(fixture_documents[0][name]) == EXPECTED[name]


def test_ranks_and_deprecated_statements_travel(fixture_documents):
    claims = fixture_documents[0]["armistice-of-cassibile"]["claims"]
    dates = {c["mainsnak"]["datavalue"]["value"]["time"]: c["rank"] for c in claims["P577"]}
    assert dates == {"+1943-09-08T00:00:00Z": "preferred", "+1943-09-09T00:00:00Z": "deprecated"}
    assert [len(c["references"]) for c in claims["P585"]] == [3]  # three claims, two of them from one source
    assert "P1891" not in claims  # the signatory has no QID


def test_what_wikidata_would_refuse_is_left_out_and_said(fixture_documents):
    docs, notes = fixture_documents
    giant = docs["operation-giant-ii"]["claims"]["P585"][0]["references"]
    assert [sorted(r["snaks"]) for r in giant] == [sorted(["P854", "P1476", "P1683", "P407"]), sorted(["P854", "P1476", "P407"])]
    assert "P131" not in docs["cassibile"]["claims"]
    reasons = {(str(n.node).rsplit("/", 1)[-1], n.part) for n in notes}
    assert {("en-article--giant", "reference P1683"), ("cassibile--locatedIn--sicily", "statement"),
            ("armistice-of-cassibile--publicationDate--1943-09-08", "rank"),  # P7452 takes an item, the rationale is text
            ("armistice-of-cassibile--signatory--giuseppe-castellano", "statement"),
            ("sinking-of-the-battleship-roma--numberOfDeaths--1400", "statement")} <= reasons


def test_reference_hashes_name_the_same_content_as_the_views_reference_nodes(fixture_documents, root):
    from cassibile.publish.wikidata.view import wikidata_view

    graph = stored(parse_turtle(FIXTURE))
    alignment = Alignment.read(graph, graph, Tables.read(root / "graph" / "wikidata"))
    found, _ = statements(graph, alignment)
    nodes = {t.object.value.rsplit("/", 1)[-1] for t in wikidata_view(graph, found, alignment)
             if t.predicate.value == "http://www.w3.org/ns/prov#wasDerivedFrom"}
    hashes = {r["hash"] for doc in fixture_documents[0].values() for claims in doc["claims"].values() for c in claims
              for r in c.get("references", ()) if "P1683" in r["snaks"]}
    assert hashes and hashes <= nodes


# --- every real document, read by WikibaseIntegrator ----------------------------------------------

def read_claims(document: dict) -> list[tuple[Snak, Qualifiers, References, WikibaseRank, str | None]]:
    """The document's statements as WikibaseIntegrator reads them: whole (Claims) where they carry
    statement ids, as EntityData does; claim by claim through its own parsers for a new item."""
    if "id" in document:
        return [(c.mainsnak, c.qualifiers, c.references, c.rank, c.id) for c in Claims().from_json(document["claims"])]
    return [(Snak().from_json(c["mainsnak"]), Qualifiers().from_json(c.get("qualifiers", {})),
             References().from_json(c.get("references", [])), WikibaseRank(c["rank"]), None)
            for claims in document["claims"].values() for c in claims]


def rebuilt(mainsnak: Snak) -> dict:
    """The value built again with WikibaseIntegrator's datatypes, which validate it (time format and
    precision, amounts, item ids); its JSON must be the document's."""
    value = mainsnak.datavalue["value"]
    kind = mainsnak.datatype
    if kind == "wikibase-item":
        made = datatypes.Item(value=value["id"], prop_nr=mainsnak.property_number)
    elif kind == "time":
        made = datatypes.Time(time=value["time"], precision=value["precision"], prop_nr=mainsnak.property_number,
                              calendarmodel=value["calendarmodel"])
    elif kind == "quantity":
        made = datatypes.Quantity(amount=value["amount"], prop_nr=mainsnak.property_number)
    elif kind == "monolingualtext":
        made = datatypes.MonolingualText(text=value["text"], language=value["language"], prop_nr=mainsnak.property_number)
    else:
        raise AssertionError(f"unexpected datatype {kind}")
    return {k: v for k, v in made.mainsnak.datavalue["value"].items() if v is not None} if isinstance(value, dict) else made.mainsnak.datavalue["value"]


@pytest.fixture(scope="module")
def real(built, root):
    data = load_project(Project(root)).data
    ontology = Graph().parse(built / "ontology.nt", format="nt")
    verified = Tables.read(root / "graph" / "wikidata").properties
    pids = {p: str(w)[len(str(WDT)):] for p, w in ontology.subject_objects(RDFS.subPropertyOf)
            if str(w).startswith(str(WDT)) and str(w)[len(str(WDT)):] in verified}
    left_out = {row["node"] for row in csv.DictReader(io.StringIO((built / "wikibase" / "left-out.tsv").read_text(encoding="utf-8")), delimiter="\t")
                if row["part"] == "statement"}
    return data, pids, left_out


def expected_value(data: Graph, obj) -> tuple | None:
    """A fact's object as the docs say a Wikibase value is written; None where this test does not say.
    A date keeps its precision; a time span becomes the day, month or year that holds both bounds."""
    if isinstance(obj, Literal) and obj.datatype in (XSD.date, XSD.gYearMonth, XSD.gYear, XSD.dateTime):
        first, last = str(obj)[:10], str(obj)[:10]
    elif (obj, RDF.type, CAS.TimeSpan) in data:
        first, last = str(data.value(obj, CAS.earliest))[:10], str(data.value(obj, CAS.latest))[:10]
        if len(last) < 10:  # a month or a year as the latest bound: its last day
            year, month = int(last[:4]), int(last[5:7]) if len(last) > 4 else 12
            last = f"{year:04d}-{month:02d}-{calendar.monthrange(year, month)[1]:02d}"
    elif isinstance(obj, URIRef) and (qid := data.value(obj, OWL.sameAs)) is not None:
        return ("wikibase-item", str(qid)[len(str(WD)):])
    else:
        return None
    if first == last and len(first) == 10:
        return ("time", f"+{first}T00:00:00Z", 11)
    if first[:7] == last[:7] and len(first) >= 7:
        return ("time", f"+{first[:7]}-00T00:00:00Z", 10)
    if first[:4] == last[:4]:
        return ("time", f"+{first[:4]}-00-00T00:00:00Z", 9)
    return None


def found_value(mainsnak: Snak) -> tuple:
    value = mainsnak.datavalue["value"]
    return ("time", value["time"], value["precision"]) if mainsnak.datatype == "time" else ("wikibase-item", value["id"])


def test_every_document_loads_with_wikibaseintegrator_and_gives_back_the_graphs_facts(built, real, root):
    data, pids, left_out = real
    files = sorted((built / "wikibase").glob("*.json"))
    assert len(files) == len(entities(data))
    got, expected = set(), set()
    for path in files:
        document = json.loads(path.read_text(encoding="utf-8"))
        entity = URIRef("https://w3id.org/cassibile/id/" + path.stem)
        assert document.get("id") == (str(data.value(entity, OWL.sameAs))[len(str(WD)):] if (entity, OWL.sameAs, None) in data else None)
        assert Labels().from_json(document["labels"]).get_json() == document["labels"]
        Descriptions().from_json(document["descriptions"])
        Aliases().from_json(document["aliases"])
        for mainsnak, qualifiers, references, rank, statement_id in read_claims(document):
            value = mainsnak.datavalue["value"]
            assert rebuilt(mainsnak) == value, path.name
            assert len(references) > 0, (path.name, mainsnak.property_number)
            if statement_id:
                assert GUID.fullmatch(statement_id) and GUID.fullmatch(statement_id).group(1) == document["id"]
            if mainsnak.datatype in ("time", "wikibase-item"):
                got.add((path.stem, mainsnak.property_number, found_value(mainsnak), rank.value))
    for fact in data.subjects(RDF.type, CAS.Fact):
        subject, predicate = data.value(fact, RDF.subject), data.value(fact, RDF.predicate)
        value = expected_value(data, data.value(fact, RDF.object))
        if predicate in pids and value is not None and str(fact) not in left_out:
            rank = str(data.value(fact, CAS.rank)).rsplit("#", 1)[-1].removesuffix("Rank").lower()
            expected.add((str(subject).rsplit("/", 1)[-1], pids[predicate], value, rank))
    assert expected and got == expected, (sorted(got - expected)[:5], sorted(expected - got)[:5])


def test_every_quote_in_the_documents_is_verbatim_in_its_source(built, root):
    data = load_project(Project(root)).data
    texts = {str(s): (root / "graph" / str(data.value(s, CAS.textFile))).read_text(encoding="utf-8")
             for s in data.subjects(RDF.type, CAS.Source)}
    languages = {str(s): str(data.value(s, DCTERMS.language)) for s in data.subjects(RDF.type, CAS.Source)}
    quotes = 0
    for path in sorted((built / "wikibase").glob("*.json")):
        for claims in json.loads(path.read_text(encoding="utf-8"))["claims"].values():
            for claim in claims:
                for ref in claim["references"]:
                    url = ref["snaks"]["P854"][0]["datavalue"]["value"]
                    quote = ref["snaks"]["P1683"][0]["datavalue"]["value"]
                    assert quote["text"] in texts[url] and quote["language"] == languages[url], path.name
                    quotes += 1
    assert quotes
