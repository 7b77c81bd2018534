"""`cassibile query` on the command line: listing, formats, languages, and bad or hostile input."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET

import pyoxigraph as ox
import pytest
from conftest import ROOT, run_cli

from cassibile.sparql import query as q

SPARQL_RESULTS = "{http://www.w3.org/2005/sparql-results#}"
SIGNING = "https://w3id.org/cassibile/id/signing-of-the-armistice-of-cassibile"


@pytest.fixture(scope="module")
def data(built) -> str:
    return str(built / "cassibile.nq")


def query_cli(data: str, *args: str):
    return run_cli("query", *args, "--data", data)


def test_list_shows_every_published_query_with_its_summary():
    result = run_cli("query", "--list", check=True)
    for item in q.bundled_queries(ROOT / "queries").values():
        if item.is_published:
            assert f"{item.name} " in result.stdout and item.summary in result.stdout
        else:
            assert item.name not in result.stdout  # violation checks serve the build, not the reader


def test_json_output_is_w3c_sparql_results_json(data):
    result = query_cli(data, "timeline", "--format", "json")
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["head"]["vars"][:3] == ["event", "label", "date"]
    signing = [b for b in document["results"]["bindings"] if b["event"]["value"] == SIGNING]
    assert signing and signing[0]["event"]["type"] == "uri"
    assert signing[0]["date"] == {"type": "literal", "value": "1943-09-03", "datatype": "http://www.w3.org/2001/XMLSchema#date"}


def test_xml_output_is_w3c_sparql_results_xml(data):
    result = query_cli(data, "timeline", "--format", "xml")
    assert result.returncode == 0, result.stderr
    root = ET.fromstring(result.stdout)
    assert root.tag == f"{SPARQL_RESULTS}sparql"
    assert [v.get("name") for v in root.find(f"{SPARQL_RESULTS}head")][:3] == ["event", "label", "date"]
    uris = {u.text for u in root.iter(f"{SPARQL_RESULTS}uri")}
    assert SIGNING in uris


def test_all_formats_carry_the_same_rows(data):
    outputs = {fmt: query_cli(data, "events-between", "--format", fmt) for fmt in q.FORMATS}
    assert all(r.returncode == 0 for r in outputs.values()), {f: r.stderr for f, r in outputs.items()}
    from_json = list(ox.parse_query_results(outputs["json"].stdout, format=ox.QueryResultsFormat.JSON))
    from_xml = list(ox.parse_query_results(outputs["xml"].stdout, format=ox.QueryResultsFormat.XML))
    from_tsv = list(ox.parse_query_results(outputs["tsv"].stdout, format=ox.QueryResultsFormat.TSV))
    assert [list(s) for s in from_json] == [list(s) for s in from_xml] == [list(s) for s in from_tsv]
    table = csv.reader(io.StringIO(outputs["csv"].stdout))
    assert next(table) == ["event", "label", "start", "end"]
    assert [row[0] for row in table] == [s["event"].value for s in from_json]
    assert f"({len(from_json)} rows)" in outputs["table"].stdout
    assert "id:signing-of-the-armistice-of-cassibile" in outputs["table"].stdout  # IRIs shortened for reading


def test_lang_picks_labels_with_english_fallback(data):
    english = json.loads(query_cli(data, "timeline", "--format", "json").stdout)["results"]["bindings"]
    italian = json.loads(query_cli(data, "timeline", "--lang", "it", "--format", "json").stdout)["results"]["bindings"]
    assert sorted(b["event"]["value"] for b in italian) == sorted(b["event"]["value"] for b in english)
    assert {b["label"]["xml:lang"] for b in english} == {"en"}
    assert {b["label"]["xml:lang"] for b in italian} <= {"it", "en"} and any(b["label"]["xml:lang"] == "it" for b in italian)


def test_lang_is_ignored_by_a_query_without_labels(data):
    result = query_cli(data, "statistics", "--lang", "de")
    assert result.returncode == 0, result.stderr


def test_syntax_error_in_a_query_file_gives_line_and_column(data, tmp_path):
    broken = tmp_path / "broken.rq"
    broken.write_text("PREFIX cas: <https://w3id.org/cassibile/ontology#>\nSELECT ?event\nWHERE {\n  ?event a cas:Event .\n  FILTER (?event = )\n}\n", encoding="utf-8")
    result = query_cli(data, str(broken))
    assert result.returncode == 1
    assert f"{broken}:" in result.stderr and "SPARQL syntax error" in result.stderr
    assert f"{broken}:5:" in result.stderr, result.stderr
    assert "\n      FILTER (?event = )\n" in result.stderr and "^" in result.stderr


def test_undeclared_prefix_is_located_on_its_line(data, tmp_path):
    broken = tmp_path / "prefix.rq"
    broken.write_text("SELECT ?x\nWHERE {\n  ?x nope:thing ?y .\n}\n", encoding="utf-8")
    result = query_cli(data, str(broken))
    assert result.returncode == 1
    assert f"{broken}:3:" in result.stderr and "undeclared prefix" in result.stderr, result.stderr


@pytest.mark.parametrize("typo, suggestion", [("timelime", "timeline"), ("disagreement", "disagreements"), ("fleets", "fleet")])
def test_unknown_query_name_suggests_the_closest(typo, suggestion, data):
    result = query_cli(data, typo)
    assert result.returncode == 2
    assert f"unknown query {typo!r}" in result.stderr and suggestion in result.stderr.split("did you mean", 1)[1]


def test_missing_parameter_is_named(data, tmp_path):
    needs = tmp_path / "needs-place.rq"
    needs.write_text(
        "#+ summary: events at a place\n#+ params:\n#+   - place: iri  the place\n"
        "PREFIX cas: <https://w3id.org/cassibile/ontology#>\nSELECT ?event WHERE { ?event cas:location ?place }\n",
        encoding="utf-8",
    )
    result = query_cli(data, str(needs))
    assert result.returncode == 2
    assert "needs parameter place (iri" in result.stderr and "--param place=" in result.stderr


@pytest.mark.parametrize("query, param, expected", [
    ("events-between", "from=September", "parameter from: expected a date YYYY, YYYY-MM or YYYY-MM-DD"),
    ("events-between", "to=1943-02-30", "parameter to: expected a date"),
    ("wikidata-item", "qid=200085", "parameter qid: expected a Wikidata item ID"),
    ("events-at-place", "place=not an iri", "parameter place: expected an absolute IRI"),
    ("timeline", "lang=en_GB!", "parameter lang: expected a language tag"),
])
def test_wrong_parameter_type_says_what_was_expected(query, param, expected, data):
    result = query_cli(data, query, "--param", param)
    assert result.returncode == 2
    assert expected in result.stderr


def test_unknown_parameter_lists_the_real_ones(data):
    result = query_cli(data, "events-between", "--param", "colour=red")
    assert result.returncode == 2
    assert "has no parameter colour" in result.stderr and "from, to, lang" in result.stderr


@pytest.mark.parametrize("query, param", [
    ("timeline", 'lang=en" } ; DROP ALL #'),
    ("events-at-place", "place=<http://x> } UNION { ?s ?p ?o"),
    ("events-at-place", "place=id:cassibile> } UNION { ?s ?p ?o"),
    ("wikidata-item", "qid=Q1 } UNION { ?s ?p ?o }"),
    ("events-between", 'from=1943" ) } #'),
])
def test_hostile_parameter_values_are_rejected(query, param, data):
    result = query_cli(data, query, "--param", param)
    assert result.returncode == 2, result.stdout
    assert "expected" in result.stderr and not result.stdout


def test_hostile_text_in_a_string_parameter_stays_inert(data, tmp_path):
    """A string is bound as one escaped literal: it can only fail to match, never add a pattern."""
    search = tmp_path / "label-search.rq"
    search.write_text(
        "#+ summary: entities with exactly this English label\n#+ params:\n#+   - name: string  the label\n"
        "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
        "SELECT ?entity WHERE { ?entity rdfs:label ?label . FILTER (LANG(?label) = \"en\" && STR(?label) = ?name) }\n",
        encoding="utf-8",
    )
    found = query_cli(data, str(search), "--param", "name=Armistice of Cassibile", "--format", "tsv")
    assert found.stdout.splitlines()[1:] == ["<https://w3id.org/cassibile/id/armistice-of-cassibile>"]
    for hostile in ['x" ) } UNION { ?entity ?p ?o } #', "x' ) } UNION { ?entity ?p ?o } #", 'x"""\n} UNION { ?entity ?p ?o }', "\\\") }"]:
        result = query_cli(data, str(search), "--param", f"name={hostile}", "--format", "tsv")
        assert result.returncode == 0, result.stderr
        assert result.stdout.splitlines() == ["?entity"], hostile


def test_binding_writes_the_value_as_one_escaped_term():
    bound = q.bind("SELECT ?s WHERE { ?s ?p ?name }", {"name": q.parse_parameter(q.Parameter("name", "string"), 'a" } UNION { ?s ?p ?o } #')})
    assert bound == 'SELECT ?s WHERE { VALUES (?name) { ("a\\" } UNION { ?s ?p ?o } #") } ?s ?p ?name }'


def test_missing_built_graph_is_a_usage_error(tmp_path):
    result = run_cli("query", "timeline", "--data", str(tmp_path / "nothing.nq"))
    assert result.returncode == 2
    assert "run `cassibile build` first" in result.stderr


def test_unknown_format_is_a_usage_error(data):
    result = query_cli(data, "timeline", "--format", "yaml")
    assert result.returncode == 2
    assert "invalid choice: 'yaml'" in result.stderr


def test_a_repeated_param_is_a_usage_error(data):
    """Regression (issue 12): the second value silently replaced the first."""
    result = query_cli(data, "events-between", "--param", "from=1943-09", "--param", "from=1943-10")
    assert result.returncode == 2
    assert "--param from is given twice" in result.stderr and not result.stdout


@pytest.mark.parametrize("tag, expected", [("it-IT", "it"), ("IT-it", "it"), ("pt-BR", "pt"), ("de-CH-1996", "de"), ("fr-FR", "en")])
def test_a_regional_language_falls_back_to_its_language_then_english(data, tag, expected):
    """Regression (issue 12): `--lang it-IT` matched no label and gave English everywhere."""
    result = query_cli(data, "timeline", "--lang", tag, "--format", "json")
    assert result.returncode == 0, result.stderr
    languages = {b["label"]["xml:lang"] for b in json.loads(result.stdout)["results"]["bindings"]}
    assert expected in languages and languages <= {expected, "en"}


def test_a_query_file_that_is_not_utf8_is_a_one_line_error(data, tmp_path):
    """Regression (issue 12): a Latin-1 query file ended in a UnicodeDecodeError traceback."""
    latin = tmp_path / "latin.rq"
    latin.write_bytes("# città\nSELECT * WHERE { ?s ?p ?o }\n".encode("latin-1"))
    result = query_cli(data, str(latin))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr and len(result.stderr.splitlines()) == 1
    assert f"{latin}:1:" in result.stderr and "not UTF-8" in result.stderr


@pytest.mark.parametrize("update", [
    "INSERT DATA { <urn:a> <urn:b> <urn:c> }",
    "PREFIX x: <urn:x#>\n# a comment with SELECT in it\nDELETE WHERE { ?s x:p ?o }",
    "DROP ALL",
    "LOAD <http://example.org/data.ttl>",
    "WITH <urn:g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
])
def test_an_update_in_a_query_file_says_updates_are_not_run(data, tmp_path, update):
    """Regression (issue 12): an update was reported as a syntax error ("expected CONSTRUCT")."""
    path = tmp_path / "update.rq"
    path.write_text(update + "\n", encoding="utf-8")
    result = query_cli(data, str(path))
    assert result.returncode == 2
    assert "is a SPARQL update" in result.stderr and "never runs updates" in result.stderr
    assert "expected" not in result.stderr
