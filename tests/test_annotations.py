"""Claims as W3C Web Annotation targets (issue 14): the build places each quote in its source's text,
the passage can be found again from the selectors alone, `dist/annotations.jsonld` has the shape the
Web Annotation model gives a collection, and a quote that cannot be placed is a validation error."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from conftest import ROOT, run_cli
from rdflib import Graph, URIRef
from rdflib.namespace import RDF

from cassibile.namespaces import CAS, OA
from cassibile.pipeline.derive import CONTEXT, MAX_CONTEXT, Anchor, anchor

ANNOTATION_CONTEXT = "http://www.w3.org/ns/anno.jsonld"
# The motivations the Web Annotation vocabulary defines (https://www.w3.org/TR/annotation-vocab/#motivation-and-purpose).
MOTIVATIONS = {"assessing", "bookmarking", "classifying", "commenting", "describing", "editing", "highlighting",
               "identifying", "linking", "moderating", "questioning", "replying", "tagging"}


# --- placing a quote --------------------------------------------------------------------------

def test_a_unique_quote_gets_a_few_dozen_characters_of_context():
    text = "x" * 100 + "The armistice was signed." + "y" * 100
    assert anchor(text, "The armistice was signed.") == Anchor(100, 125, "x" * CONTEXT, "y" * CONTEXT)


def test_context_is_cut_by_the_ends_of_the_text():
    assert anchor("Signed. Sealed.", "Signed.") == Anchor(0, 7, "", " Sealed.")
    assert anchor("Signed. Sealed.", "Sealed.") == Anchor(8, 15, "Signed. ", "")


def test_a_repeated_quote_is_placed_at_its_first_occurrence_with_context_that_tells_it_apart():
    quote, same = "it was signed", "-" * 40  # both places have the same 40 characters on either side
    text = "1" + same + quote + same + "2" + same + quote + same + "3"
    found = anchor(text, quote)
    assert (found.start, found.end) == (41, 41 + len(quote))
    assert found.prefix == "1" + same and len(found.suffix) == 2 * CONTEXT  # 32 were not enough, 64 are
    assert text.count(found.prefix + quote + found.suffix) == 1


def test_offsets_count_unicode_code_points_not_utf16_units_or_bytes():
    text = "𝔄𝔯𝔪𝔦𝔰𝔱𝔦𝔷𝔦𝔬 — firmato a Cassibile."  # letters outside the Basic Multilingual Plane
    found = anchor(text, "firmato")
    assert (found.start, found.end) == (13, 20)
    assert text[found.start:found.end] == "firmato"


def test_a_quote_that_is_absent_or_repeated_in_the_same_surroundings_cannot_be_placed():
    chant = "Evviva il re! " * 30
    assert anchor(chant, "Evviva il re!") is None
    assert anchor("Signed in Cassibile.", "Signed in Rome.") is None
    assert anchor("Signed.", "") is None
    assert MAX_CONTEXT >= 4 * CONTEXT


# --- the build's targets and dist/annotations.jsonld ----------------------------------------

@pytest.fixture(scope="module")
def asserted(built) -> Graph:
    graph = Graph()
    graph.parse(built / "asserted.nt")
    return graph


@pytest.fixture(scope="module")
def derived(built) -> Graph:
    graph = Graph()
    graph.parse(built / "derived.nt")
    return graph


@pytest.fixture(scope="module")
def collection(built) -> dict:
    return json.loads((built / "annotations.jsonld").read_text(encoding="utf-8"))


def source_texts(asserted: Graph) -> dict[str, str]:
    """Each source's text, read from its file (graph/sources/), as a client would fetch it."""
    return {str(source): (ROOT / "graph" / str(relative)).read_text(encoding="utf-8")
            for source, relative in asserted.subject_objects(CAS.textFile)}


def test_every_claim_has_a_target_with_deterministic_iris_in_the_derived_layer(asserted, derived):
    claims = set(asserted.subjects(RDF.type, CAS.Claim))
    assert claims and set(derived.subjects(OA.hasTarget, None)) == claims
    for claim in claims:
        target = derived.value(claim, OA.hasTarget)
        assert target == URIRef(f"{claim}#target")
        assert (target, RDF.type, OA.SpecificResource) in derived
        assert derived.value(target, OA.hasSource) == asserted.value(claim, CAS.source)
        assert set(derived.objects(target, OA.hasSelector)) == {URIRef(f"{claim}#quote"), URIRef(f"{claim}#position")}
        assert (URIRef(f"{claim}#quote"), RDF.type, OA.TextQuoteSelector) in derived
        assert (URIRef(f"{claim}#position"), RDF.type, OA.TextPositionSelector) in derived


def test_every_passage_is_found_again_from_each_selector_alone(collection, asserted):
    """What an annotation client does: the position selector cuts the passage out of the text; the
    quote selector finds it by its words and their surroundings, in exactly one place; both agree."""
    texts, quotes = source_texts(asserted), {str(c): str(q) for c, q in asserted.subject_objects(CAS.quote)}
    items = collection["first"]["items"]
    assert len(items) == len(quotes)
    for item in items:
        text = texts[item["target"]["source"]["id"]]
        by_quote, by_position = (next(s for s in item["target"]["selector"] if s["type"] == kind)
                                 for kind in ("TextQuoteSelector", "TextPositionSelector"))
        passage = text[by_position["start"]:by_position["end"]]
        assert passage == quotes[item["id"]], item["id"]
        whole = by_quote["prefix"] + by_quote["exact"] + by_quote["suffix"]
        places = [i for i in range(len(text)) if text.startswith(whole, i)]
        assert len(places) == 1, f"{item['id']}: the quote selector fits {len(places)} places"
        assert places[0] + len(by_quote["prefix"]) == by_position["start"], item["id"]
        assert 0 < len(by_quote["prefix"]) + len(by_quote["suffix"]) and len(by_quote["prefix"]) <= MAX_CONTEXT >= len(by_quote["suffix"])


def test_the_annotation_file_states_what_the_derived_layer_states(collection, derived):
    def selectors_in_file(item):
        found = {s["type"]: s for s in item["target"]["selector"]}
        return (item["id"], item["target"]["source"]["id"], found["TextQuoteSelector"]["exact"], found["TextQuoteSelector"]["prefix"],
                found["TextQuoteSelector"]["suffix"], found["TextPositionSelector"]["start"], found["TextPositionSelector"]["end"])

    def selectors_in_graph(claim):
        target = derived.value(claim, OA.hasTarget)
        quote, position = URIRef(f"{claim}#quote"), URIRef(f"{claim}#position")
        return (str(claim), str(derived.value(target, OA.hasSource)), *(str(derived.value(quote, OA[k])) for k in ("exact", "prefix", "suffix")),
                *(int(derived.value(position, OA[k])) for k in ("start", "end")))

    assert sorted(map(selectors_in_file, collection["first"]["items"])) == sorted(map(selectors_in_graph, derived.subjects(OA.hasTarget, None)))


def test_the_annotation_file_has_the_shape_of_a_web_annotation_collection(collection, asserted):
    """Required keys and types of the Web Annotation Data Model (§5 Collections, §3 Annotations,
    §4.2 Selectors); the context is named by its URL, as the model requires, not copied or fetched."""
    assert collection["@context"] == ANNOTATION_CONTEXT
    assert collection["type"] == "AnnotationCollection" and collection["id"].startswith("https://")
    page = collection["first"]
    assert page["type"] == "AnnotationPage" and page["partOf"] == collection["id"] and page["startIndex"] == 0
    assert collection["total"] == len(page["items"]) > 0
    assert [item["id"] for item in page["items"]] == sorted(item["id"] for item in page["items"])
    facts = {str(f) for f in asserted.subjects(RDF.type, CAS.Fact)}
    sources = {str(s) for s in asserted.subjects(RDF.type, CAS.Source)}
    for item in page["items"]:
        assert {"id", "type", "target"} <= set(item) <= {"id", "type", "motivation", "body", "target"}, item["id"]
        assert item["type"] == "Annotation" and item["motivation"] in MOTIVATIONS
        assert item["body"] and set(item["body"]) <= facts
        assert all((URIRef(fact), CAS.supportedBy, URIRef(item["id"])) in asserted for fact in item["body"])
        target = item["target"]
        assert set(target) == {"id", "type", "source", "selector"} and target["type"] == "SpecificResource"
        assert target["source"]["id"] in sources and target["source"]["type"] == "Text" and target["source"]["format"] == "text/plain"
        kinds = sorted(selector["type"] for selector in target["selector"])
        assert kinds == ["TextPositionSelector", "TextQuoteSelector"], item["id"]
        for selector in target["selector"]:
            if selector["type"] == "TextQuoteSelector":
                assert set(selector) == {"id", "type", "exact", "prefix", "suffix"}
                assert all(isinstance(selector[key], str) for key in ("exact", "prefix", "suffix")) and selector["exact"]
            else:
                assert set(selector) == {"id", "type", "start", "end"}
                assert all(isinstance(selector[key], int) for key in ("start", "end")) and 0 <= selector["start"] < selector["end"]


# --- a quote that cannot be placed ------------------------------------------------------------

CHANT = "Evviva il re! " * 20
CHANT_SOURCE = """
source:test-chant
    a cas:Source ;
    dct:language "it" ;
    dct:license <https://creativecommons.org/licenses/by-sa/4.0/> ;
    dct:title "Un coro"@it ;
    cas:attribution "Written for the tests."@en ;
    cas:originalFileName "test-chant.txt" ;
    cas:sha256 "{sha256}" ;
    cas:textFile "sources/test-chant.txt" ;
.
"""
CHANT_CLAIM = """
claim:test-chant--evviva
    a cas:Claim ;
    cas:quote "Evviva il re!"@it ;
    cas:source source:test-chant ;
.
"""


def test_a_quote_the_selectors_cannot_place_is_a_validation_error_with_file_line_and_node(project_copy):
    graph = project_copy / "graph"
    (graph / "sources" / "test-chant.txt").write_text(CHANT, encoding="utf-8")
    with (graph / "sources.ttl").open("a", encoding="utf-8") as sources:
        sources.write(CHANT_SOURCE.format(sha256=hashlib.sha256(CHANT.encode("utf-8")).hexdigest()))
    facts = graph / "facts" / "armistice.ttl"
    before = facts.read_text(encoding="utf-8")
    facts.write_text(before + CHANT_CLAIM, encoding="utf-8")
    line = before.count("\n") + 2
    result = run_cli("validate", cwd=project_copy)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "The quote occurs more than once in its source, with the same 128 characters of text on either side" in result.stdout
    assert "rule: queries/quote-anchor-violation.rq" in result.stdout
    assert "<https://w3id.org/cassibile/claim/test-chant--evviva>" in result.stdout
    assert f"defined at: {facts}:{line}" in result.stdout
