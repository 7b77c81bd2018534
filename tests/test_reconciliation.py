"""The reconciliation service of `cassibile serve`, over real HTTP, with requests shaped as OpenRefine sends
them: form-encoded `queries=`/`extend=` JSON, by POST and by GET. Every answer is validated against the
JSON Schemas of the Reconciliation Service API 0.2 (tests/reconciliation-schemas/)."""

from __future__ import annotations

import json
import urllib.parse
from html.parser import HTMLParser
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from test_serve import fetch

SCHEMAS = Path(__file__).parent / "reconciliation-schemas"
FORM = {"Content-Type": "application/x-www-form-urlencoded; charset=UTF-8"}
ARMISTICE = "armistice-of-cassibile"
BADOGLIO = "pietro-badoglio"


def _registry() -> Registry:
    """The schemas by file name and by their own $id, so that "type.json" resolves from either."""
    resources = []
    for path in sorted(SCHEMAS.glob("*.json")):
        resource = Resource.opaque(json.loads(path.read_text(encoding="utf-8")))
        resources += [(path.name, resource), (resource.contents["$id"], resource)]
    return Registry().with_resources(resources)


REGISTRY = _registry()


def valid(name: str, document) -> None:
    """Assert that a document is valid against one of the specification's schemas, saying where it is not."""
    schema = json.loads((SCHEMAS / f"{name}.json").read_text(encoding="utf-8"))
    errors = sorted(Draft202012Validator(schema, registry=REGISTRY).iter_errors(document), key=str)
    assert not errors, f"not a valid {name}: " + "; ".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:5])


def test_the_schemas_are_all_there_and_reject_what_they_should():
    assert len(list(SCHEMAS.glob("*.json"))) == 10
    with pytest.raises(AssertionError, match="required property"):
        valid("reconciliation-result-batch", {"q0": {"result": [{"id": "x", "score": 1}]}})  # no name
    with pytest.raises(AssertionError, match="does not match"):
        valid("manifest", {"versions": ["0.2"], "name": "x", "identifierSpace": "x", "schemaSpace": "y", "view": {"url": "no id"}})


def post(base: str, path: str = "/reconcile", **form) -> tuple[int, dict, bytes]:
    body = urllib.parse.urlencode({k: json.dumps(v) for k, v in form.items()}).encode()
    return fetch(base, path, "POST", FORM, body)


def get(base: str, path: str, **parameters) -> tuple[int, dict, bytes]:
    return fetch(base, f"{path}?{urllib.parse.urlencode(parameters)}" if parameters else path)


def reconcile(base: str, queries: dict, method: str = "POST") -> dict:
    """A batch as OpenRefine sends it, checked before it goes and after it comes back."""
    valid("reconciliation-query-batch", queries)
    status, headers, body = post(base, queries=queries) if method == "POST" else get(base, "/reconcile", queries=json.dumps(queries))
    assert status == 200, body
    assert headers["content-type"] == "application/json"
    assert headers["access-control-allow-origin"] == "*"
    results = json.loads(body)
    valid("reconciliation-result-batch", results)
    assert set(results) == set(queries)
    return results


# --- the manifest ---------------------------------------------------------------------------------

def test_manifest_names_the_publication_spaces_and_every_service(served):
    status, headers, body = get(served, "/reconcile")
    assert status == 200 and headers["content-type"] == "application/json"
    manifest = json.loads(body)
    valid("manifest", manifest)
    assert manifest["versions"] == ["0.2"]
    assert manifest["identifierSpace"] == "https://w3id.org/cassibile/id/"
    assert manifest["schemaSpace"] == "https://w3id.org/cassibile/ontology#"
    assert manifest["view"]["url"] == served + "id/{{id}}"
    assert {"Agent", "Event", "Place"} <= {t["id"] for t in manifest["defaultTypes"]}
    for kind in ("entity", "type", "property"):
        assert manifest["suggest"][kind] == {"service_url": served + "reconcile", "service_path": f"/suggest/{kind}"}
    assert manifest["extend"]["propose_properties"]["service_path"] == "/properties"
    # the view template leads to the entity's page
    status, headers, _ = fetch(served, "/" + manifest["view"]["url"].replace("{{id}}", ARMISTICE).split("/", 3)[3])
    assert status == 303 and headers["location"] == f"/id/{ARMISTICE}.html"


# --- reconciliation queries -----------------------------------------------------------------------

NAMES = {
    "en": "Armistice of Cassibile",
    "it": "Armistizio di Cassibile",
    "de": "Waffenstillstand von Cassibile",
    "pt": "Armistício de Cassibile",
}


@pytest.mark.parametrize("method", ["POST", "GET"])
def test_the_armistice_is_matched_by_its_name_in_each_language(served, method):
    results = reconcile(served, {f"q{n}": {"query": name} for n, name in enumerate(NAMES.values())}, method)
    for n, name in enumerate(NAMES.values()):
        first, *others = results[f"q{n}"]["result"]
        assert (first["id"], first["name"], first["score"], first["match"]) == (ARMISTICE, name, 100, True)
        assert {"id": "Armistice", "name": "armistice"} in first["type"]
        assert first["description"].startswith("armistice between the Kingdom of Italy and the Allies")
        assert others and all(c["score"] < 100 and not c["match"] for c in others)
        assert [c["score"] for c in results[f"q{n}"]["result"]] == sorted((c["score"] for c in results[f"q{n}"]["result"]), reverse=True)


def test_case_accents_and_punctuation_do_not_matter_but_a_partial_name_is_no_match(served):
    results = reconcile(served, {"q0": {"query": "  ARMISTICIO de cassibile. "}, "q1": {"query": "Badoglio"},
                                 "q2": {"query": "Pietro Badoglio"}})
    assert results["q0"]["result"][0]["id"] == ARMISTICE and results["q0"]["result"][0]["match"]
    partial = results["q1"]["result"]
    assert BADOGLIO in [c["id"] for c in partial] and not any(c["match"] for c in partial)
    assert all(c["score"] < 100 for c in partial)
    assert results["q2"]["result"][0] | {"features": None} == {
        "id": BADOGLIO, "name": "Pietro Badoglio", "score": 100, "match": True, "features": None,
        "type": [{"id": "Person", "name": "person"}], "description": "Italian marshal, Prime Minister of Italy from July 1943"}


def test_another_name_a_source_uses_is_matched(served):
    """cas:alsoCalled: the Portuguese text's name for the Italian Social Republic."""
    first = reconcile(served, {"q0": {"query": "República de Saló"}})["q0"]["result"][0]
    assert (first["id"], first["name"], first["match"]) == ("italian-social-republic", "República de Saló", True)


def test_an_identifier_is_a_name_too(served):
    results = reconcile(served, {"q0": {"query": BADOGLIO}, "q1": {"query": f"https://w3id.org/cassibile/id/{ARMISTICE}"}})
    assert results["q0"]["result"][0]["id"] == BADOGLIO and results["q0"]["result"][0]["match"]
    assert results["q1"]["result"][0]["id"] == ARMISTICE and results["q1"]["result"][0]["match"]


def test_a_name_that_matches_nothing_has_no_candidates(served):
    assert reconcile(served, {"q0": {"query": "Zyxwv Qqqq"}}) == {"q0": {"result": []}}


def test_a_type_filter_keeps_only_that_type_and_its_subclasses(served):
    results = reconcile(served, {"q0": {"query": "Badoglio", "type": "Person"},
                                 "q1": {"query": "Armistice of Cassibile", "type": "Person"},
                                 "q2": {"query": "Armistice of Cassibile", "type": ["Event"]},  # Armistice is a kind of Event
                                 "q3": {"query": "Armistice of Cassibile", "type": "Person", "type_strict": "should"}})
    assert [c["id"] for c in results["q0"]["result"]] == [BADOGLIO]
    assert all(ARMISTICE != c["id"] for c in results["q1"]["result"])
    assert results["q2"]["result"][0]["id"] == ARMISTICE and results["q2"]["result"][0]["match"]
    kept = results["q3"]["result"][0]  # "should": kept, at half the score, and no match
    assert (kept["id"], kept["score"], kept["match"]) == (ARMISTICE, 50, False)
    assert {"id": "type", "value": False} in kept["features"]


def test_property_filters_on_the_wikidata_item_a_value_and_a_date(served):
    results = reconcile(served, {
        "q0": {"query": "Badoglio", "properties": [{"pid": "owl:sameAs", "v": "Q200085"}]},
        "q1": {"properties": [{"pid": "owl:sameAs", "v": "Q200085"}]},  # no name at all
        "q2": {"query": "Armistice", "properties": [{"pid": "signatory", "v": {"id": "walter-bedell-smith", "name": "W. B. Smith"}}]},
        "q3": {"query": "Armistice of Cassibile", "properties": [{"pid": "pointInTime", "v": "1943-09-03"}]},
        "q4": {"query": "Armistice of Cassibile", "properties": [{"pid": "pointInTime", "v": "1944"}]},
        "q5": {"query": "Armistice", "properties": [{"pid": "https://w3id.org/cassibile/ontology#signatory", "v": "Giuseppe Castellano"}]},
    })
    assert [(c["id"], c["score"], c["match"]) for c in results["q1"]["result"]] == [(BADOGLIO, 100, True)]
    assert results["q0"]["result"][0]["id"] == BADOGLIO
    assert {"id": "properties", "value": 1} in results["q0"]["result"][0]["features"]
    assert results["q2"]["result"][0]["id"] == ARMISTICE  # the only armistice Bedell Smith signed
    assert results["q3"]["result"][0]["id"] == ARMISTICE and results["q3"]["result"][0]["match"]
    wrong_date = next(c for c in results["q4"]["result"] if c["id"] == ARMISTICE)  # a property that disagrees halves the score
    assert (wrong_date["score"], wrong_date["match"]) == (50, False)
    assert results["q5"]["result"][0]["id"] == ARMISTICE


def test_limit_bounds_the_candidates(served):
    results = reconcile(served, {"q0": {"query": "armistice", "limit": 2}, "q1": {"query": "armistice"}})
    assert len(results["q0"]["result"]) == 2
    assert results["q0"]["result"] == results["q1"]["result"][:2]


# --- bad requests -----------------------------------------------------------------------------------

def error_of(response) -> tuple[int, str]:
    status, headers, body = response
    assert headers["content-type"] == "application/json"
    answer = json.loads(body)
    assert answer["status"] == status
    return status, answer["error"]


def test_malformed_json_is_a_400_that_says_so(served):
    body = b"queries=" + urllib.parse.quote(b'{"q0": {"query": "Badoglio"}').encode()
    status, error = error_of(fetch(served, "/reconcile", "POST", FORM, body))
    assert status == 400 and error.startswith("queries is not JSON")
    status, error = error_of(get(served, "/reconcile", extend="[1,"))
    assert status == 400 and error.startswith("extend is not JSON")


def test_too_big_a_batch_is_refused_as_the_specification_says(served):
    status, error = error_of(post(served, queries={f"q{n}": {"query": "x"} for n in range(51)}))
    assert (status, error) == (413, "a batch may hold at most 50 queries; this one holds 51")


@pytest.mark.parametrize(("queries", "says"), [
    ([{"query": "Badoglio"}], "must be a JSON object"),
    ({"q0": {"query": "x" * 501}}, "at most 500 characters"),
    ({"q0": {"query": "Badoglio", "limit": 0}}, "limit must be a whole number from 1 to 100"),
    ({"q0": {"query": "Badoglio", "limit": 1000}}, "limit must be a whole number from 1 to 100"),
    ({"q0": {"query": "Badoglio", "type": "Unicorn"}}, "unknown type 'Unicorn'"),
    ({"q0": {"query": "Badoglio", "properties": [{"pid": "colour", "v": "red"}]}}, "unknown property 'colour'"),
    ({"q0": {"query": "Badoglio", "properties": [{"pid": "owl:sameAs"}]}}, "an object with pid and v"),
    ({"q0": {"query": "  "}}, "needs a query (a name) or properties"),
    ({"q0": {"query": "Badoglio", "nonsense": 1}}, "unknown fields: nonsense"),
])
def test_a_query_outside_the_schema_or_the_bounds_is_a_400(served, queries, says):
    status, error = error_of(post(served, queries=queries))
    assert status == 400 and says in error


def test_a_post_that_is_not_a_form_or_too_large_is_refused_in_json(served):
    status, error = error_of(fetch(served, "/reconcile", "POST", {"Content-Type": "application/json"}, b'{"q0": {}}'))
    assert status == 415 and "form" in error
    status, error = error_of(fetch(served, "/reconcile", "POST", {**FORM, "Content-Length": str(2 << 20)}, b""))
    assert status == 413


def test_the_service_is_read_only(served):
    status, _, _ = fetch(served, "/reconcile", "PUT", FORM, b"queries={}")
    assert status == 405
    status, _, _ = fetch(served, "/reconcile/suggest/entity", "POST", FORM, b"prefix=x")
    assert status == 405


# --- suggest --------------------------------------------------------------------------------------

def suggest(base: str, kind: str, **parameters) -> list[dict]:
    status, _, body = get(base, f"/reconcile/suggest/{kind}", **parameters)
    assert status == 200, body
    answer = json.loads(body)
    valid(f"suggest-{kind.replace('property', 'properties').replace('entity', 'entities').replace('type', 'types')}-response", answer)
    return answer["result"]


def test_suggest_entities_by_a_prefix_in_any_language(served):
    assert suggest(served, "entity", prefix="Waffenstillstand von C")[0]["id"] == ARMISTICE
    found = suggest(served, "entity", prefix="badog")
    assert BADOGLIO in [s["id"] for s in found] and len(found) == 10
    badoglio = next(s for s in found if s["id"] == BADOGLIO)
    assert badoglio["notable"] == [{"id": "Person", "name": "person"}] and badoglio["description"]
    assert suggest(served, "entity", prefix=BADOGLIO)[0]["id"] == BADOGLIO  # an identifier is found too
    more = suggest(served, "entity", prefix="badog", cursor=10)
    assert more and not {s["id"] for s in more} & {s["id"] for s in found}
    assert suggest(served, "entity", prefix="zyxwv") == []


def test_suggest_types_and_properties(served):
    person = suggest(served, "type", prefix="pesso")  # Portuguese
    assert person[0]["id"] == "Person" and person[0]["broader"] == [{"id": "Agent", "name": "agent"}]
    assert [p["id"] for p in suggest(served, "property", prefix="point in")] == ["pointInTime"]
    assert "owl:sameAs" in [p["id"] for p in suggest(served, "property", prefix="wikidata")]


def test_suggest_refuses_an_unknown_kind_and_bad_numbers(served):
    assert error_of(get(served, "/reconcile/suggest/colour", prefix="x"))[0] == 400
    assert error_of(get(served, "/reconcile/suggest/entity", prefix="x", cursor="-1"))[0] == 400
    assert error_of(get(served, "/reconcile/nothing"))[0] == 404


# --- preview --------------------------------------------------------------------------------------

class _Text(HTMLParser):
    def __init__(self):
        super().__init__()
        self.text, self.links = [], []

    def handle_data(self, data):
        self.text.append(data)

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self.links.append(dict(attrs)["href"])


def test_preview_is_a_small_page_with_label_type_and_description(served):
    status, _, body = get(served, "/reconcile")
    url = json.loads(body)["preview"]["url"].replace("{{id}}", urllib.parse.quote("italian-social-republic"))
    status, headers, body = fetch(served, url.removeprefix(served.rstrip("/")))
    assert status == 200 and headers["content-type"] == "text/html; charset=utf-8"
    page = _Text()
    page.feed(body.decode("utf-8"))
    text = " ".join(page.text)
    assert "Italian Social Republic" in text and "puppet state" in text and "República de Saló" in text
    assert page.links == [served + "id/italian-social-republic"]


def test_preview_escapes_and_refuses_an_unknown_id(served):
    status, error = error_of(get(served, "/reconcile/preview", id="<script>alert(1)</script>"))
    assert status == 404 and "<script>" in error  # JSON, not HTML: nothing a browser would run
    status, headers, body = fetch(served, "/reconcile/preview?id=pietro-badoglio", headers={"Host": "evil\"><script>"})
    assert status == 200 and b"<script>" not in body and b"evil" not in body  # a strange Host is not echoed


# --- data extension ----------------------------------------------------------------------------------

def test_properties_are_proposed_for_a_type(served):
    status, _, body = get(served, "/reconcile/properties", type="Person", limit="5")
    assert status == 200
    proposal = json.loads(body)
    valid("data-extension-property-proposal", proposal)
    assert proposal["type"] == "Person" and len(proposal["properties"]) == 5
    assert {"positionHeld", "owl:sameAs"} <= {p["id"] for p in proposal["properties"]}
    assert error_of(get(served, "/reconcile/properties", type="Unicorn"))[0] == 400


@pytest.mark.parametrize("method", ["POST", "GET"])
def test_extend_fetches_the_facts_of_reconciled_entities(served, method):
    query = {"ids": [ARMISTICE, BADOGLIO, "no-such-entity"],
             "properties": [{"id": "pointInTime"}, {"id": "signatory"}, {"id": "owl:sameAs"}, {"id": "positionHeld"}]}
    valid("data-extension-query", query)
    status, _, body = post(served, extend=query) if method == "POST" else get(served, "/reconcile", extend=json.dumps(query))
    assert status == 200, body
    answer = json.loads(body)
    valid("data-extension-response", answer)
    assert [m["id"] for m in answer["meta"]] == ["pointInTime", "signatory", "owl:sameAs", "positionHeld"]
    armistice, badoglio = answer["rows"][ARMISTICE], answer["rows"][BADOGLIO]
    assert armistice["pointInTime"] == [{"date": "1943-09-03T00:00:00Z"}]
    assert armistice["signatory"] == [{"id": "giuseppe-castellano", "name": "Giuseppe Castellano"},
                                      {"id": "walter-bedell-smith", "name": "Walter Bedell Smith"}]
    assert badoglio["owl:sameAs"] == [{"str": "Q200085"}] and badoglio["signatory"] == []
    assert {"id": "prime-minister-of-the-kingdom-of-italy", "name": "Prime Minister of Italy"} in badoglio["positionHeld"]
    assert answer["rows"]["no-such-entity"] == {p["id"]: [] for p in query["properties"]}


def test_extend_gives_a_vague_date_as_an_interval(served):
    answer = json.loads(post(served, extend={"ids": ["italian-social-republic"], "properties": [{"id": "inception"}]})[2])
    valid("data-extension-response", answer)
    assert answer["rows"]["italian-social-republic"]["inception"] == [{"str": "1943-09-03/1943-09-30"}]


def test_extend_refuses_unknown_properties_and_too_many_ids(served):
    status, error = error_of(post(served, extend={"ids": [ARMISTICE], "properties": [{"id": "colour"}]}))
    assert status == 400 and "unknown property 'colour'" in error
    status, _ = error_of(post(served, extend={"ids": ["x"] * 501, "properties": [{"id": "pointInTime"}]}))
    assert status == 413
    status, error = error_of(post(served, queries={"q0": {"query": "x"}}, extend={"ids": [], "properties": []}))
    assert status == 400 and error == "send queries or extend, not both"
