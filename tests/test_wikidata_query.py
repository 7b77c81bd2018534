"""`cassibile wikidata query`: queries written for the Wikidata Query Service run unchanged.

First the label service and the rest of what WDQS adds to SPARQL, on a small view written by hand;
then the queries of tests/golden/wdqs/ on the built view, with results worked out by hand from the
graph; then `--endpoint`, which sends the very same text to a real server.
"""

from __future__ import annotations

import http.server
import json
import subprocess
import sys
import threading
import urllib.error
import urllib.parse
import urllib.request
from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox
import pytest
from conftest import run_cli

from cassibile.errors import DataError
from cassibile.publish.wikidata.wdqs_query import rewrite, run_on_view, tokens
from cassibile.sparql.query import without_comments

QUERIES = Path(__file__).parent / "golden" / "wdqs"
WD = "http://www.wikidata.org/entity/"
WIKIBASE = "http://wikiba.se/ontology#"
SOURCE = "https://w3id.org/cassibile/source/"

SMALL_VIEW = """
PREFIX wd: <http://www.wikidata.org/entity/>
PREFIX wdt: <http://www.wikidata.org/prop/direct/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX schema: <http://schema.org/>
wd:Q1 rdfs:label "Rome"@en, "Roma"@it ; skos:altLabel "Urbs"@en, "Eternal City"@en ;
    schema:description "capital of Italy"@en ; wdt:P31 wd:Q515 .
wd:Q2 rdfs:label "Milano"@it ; wdt:P31 wd:Q515 .
wd:Q3 wdt:P31 wd:Q515 .
<https://w3id.org/cassibile/id/x> wdt:P31 wd:Q515 .
"""


@pytest.fixture(scope="module")
def small() -> ox.Store:
    store = ox.Store()
    store.load(SMALL_VIEW.encode(), format=ox.RdfFormat.TURTLE)
    return store


def rows(result) -> list[dict[str, str]]:
    """Rows as {variable: value} (IRIs in full, literals by their text, @language appended)."""
    data = json.loads(result.serialize("json")) if not isinstance(result, str) else json.loads(result)
    def text(term):
        return term["value"] + (f"@{term['xml:lang']}" if "xml:lang" in term else "")
    return [{name: text(term) for name, term in binding.items()} for binding in data["results"]["bindings"]]


def select(store, query: str, language: str = "en") -> list[dict[str, str]]:
    return rows(run_on_view(store, query, language))


CITIES = "?item wdt:P31 wd:Q515 ."


def test_labels_follow_the_fallback_list_and_fall_back_to_the_id(small):
    found = select(small, f"""SELECT ?item ?itemLabel WHERE {{ {CITIES}
        SERVICE wikibase:label {{ bd:serviceParam wikibase:language "en". }} }} ORDER BY ?item""")
    assert found == [
        {"item": WD + "Q1", "itemLabel": "Rome@en"},
        {"item": WD + "Q2", "itemLabel": "Q2"},  # no English label: the ID, as a plain string
        {"item": WD + "Q3", "itemLabel": "Q3"},
        {"item": "https://w3id.org/cassibile/id/x", "itemLabel": "https://w3id.org/cassibile/id/x"},  # not a Wikidata item: its IRI
    ]
    found = select(small, f"""SELECT ?item ?itemLabel WHERE {{ {CITIES}
        SERVICE wikibase:label {{ bd:serviceParam wikibase:language "[AUTO_LANGUAGE]" , "en" . }} }} ORDER BY ?item""", "it")
    assert [r["itemLabel"] for r in found] == ["Roma@it", "Milano@it", "Q3", "https://w3id.org/cassibile/id/x"]


def test_aliases_are_joined_and_descriptions_never_fall_back(small):
    found = select(small, f"""SELECT ?item ?itemAltLabel ?itemDescription WHERE {{ {CITIES}
        SERVICE wikibase:label {{ bd:serviceParam wikibase:language "fr,en". }} }} ORDER BY ?item""")
    assert found[0] == {"item": WD + "Q1", "itemAltLabel": "Eternal City, Urbs@en", "itemDescription": "capital of Italy@en"}
    assert found[1:] == [{"item": WD + "Q2"}, {"item": WD + "Q3"}, {"item": "https://w3id.org/cassibile/id/x"}]


def test_labels_can_be_ordered_filtered_and_used_in_binds_wherever_the_service_stands(small):
    query = f"""SELECT ?item ?itemLabel ?loud WHERE {{
        BIND(UCASE(?itemLabel) AS ?loud)
        SERVICE wikibase:label {{ bd:serviceParam wikibase:language "it,en". }}
        {CITIES}
        FILTER(STRSTARTS(?itemLabel, "M") || STRSTARTS(?itemLabel, "R"))
    }} ORDER BY DESC(?itemLabel)"""
    assert select(small, query) == [
        {"item": WD + "Q1", "itemLabel": "Roma@it", "loud": "ROMA@it"},
        {"item": WD + "Q2", "itemLabel": "Milano@it", "loud": "MILANO@it"},
    ]


def test_explicit_patterns_in_the_service_replace_the_automatic_ones(small):
    found = select(small, f"""SELECT ?item ?itemLabel ?name ?about WHERE {{ {CITIES}
        SERVICE wikibase:label {{ bd:serviceParam wikibase:language "it,en" .
            ?item rdfs:label ?name ; schema:description ?about . }} }} ORDER BY ?item LIMIT 1""")
    assert found == [{"item": WD + "Q1", "name": "Roma@it", "about": "capital of Italy@en"}]


def test_a_label_the_query_binds_itself_is_not_overwritten(small):
    found = select(small, f"""SELECT ?item ?itemLabel WHERE {{ {CITIES}
        ?item rdfs:label ?itemLabel . FILTER(LANG(?itemLabel) = "en")
        SERVICE wikibase:label {{ bd:serviceParam wikibase:language "it". }} }}""")
    assert found == [{"item": WD + "Q1", "itemLabel": "Rome@en"}]


def test_a_subquery_resolves_what_it_projects_and_select_star_nothing(small):
    found = select(small, f"""SELECT ?itemLabel WHERE {{
        {{ SELECT ?item ?itemLabel WHERE {{ {CITIES} SERVICE wikibase:label {{ bd:serviceParam wikibase:language "en". }} }} }}
        FILTER(?item = wd:Q1) }}""")
    assert found == [{"itemLabel": "Rome@en"}]
    star = run_on_view(small, f"""SELECT * WHERE {{ {CITIES} SERVICE wikibase:label {{ bd:serviceParam wikibase:language "en". }} }}""")
    assert star.variables == ["item"]


def test_strings_comments_and_iris_that_look_like_the_service_are_left_alone():
    query = '''# SERVICE wikibase:label { bd:serviceParam wikibase:language "en" }
SELECT ?x WHERE { ?x <http://example.org/SERVICE> "SERVICE wikibase:label { }" . }'''
    assert rewrite(query) == query
    assert [t.kind for t in tokens('?x wdt:P31 wd:Q5.')] == ["var", "name", "name", "other"]


def test_query_hints_are_dropped(small):
    found = select(small, f"""SELECT ?item WHERE {{ hint:Query hint:optimizer "None" . {CITIES}
        hint:Prior hint:runFirst true . }} ORDER BY ?item LIMIT 1""")
    assert found == [{"item": WD + "Q1"}]


@pytest.mark.parametrize("query, message", [
    ("SELECT ?x WHERE { ?x ?p ?o SERVICE wikibase:label { } }", "You must provide the label service a list of languages"),
    ("SELECT ?x WHERE { SERVICE wikibase:around { ?x wdt:P625 ?c } }", "SERVICE <http://wikiba.se/ontology#around> is a service of the Wikidata Query Service"),
    ("SELECT ?x WHERE { SERVICE bd:sample { ?x ?p ?o } }", "is a service of the Wikidata Query Service itself"),
])
def test_what_only_wdqs_can_run_is_refused_clearly(small, query, message):
    with pytest.raises(DataError, match=message.replace("(", r"\(").replace(")", r"\)")):
        run_on_view(small, query)


# --- the collection, on the built view ---------------------------------------------------------------

def run(built, name: str, *options: str) -> list[dict[str, str]]:
    result = run_cli("wikidata", "query", str(QUERIES / f"{name}.rq"), "--data", str(built / "wikidata.ttl"), "--format", "json", *options)
    assert result.returncode == 0, result.stderr
    return rows(result.stdout)


def test_ranks_and_precision_of_the_release_dates(built):
    # graph/facts/announcement-and-aftermath.ttl: 12 September 1943 (a day, preferred) and the span
    # 3–30 September 1943 (so the month, normal); only the preferred date is the best rank.
    assert run(built, "release-dates-with-rank-and-precision") == [
        {"date": "1943-09-01T00:00:00Z", "precision": "10", "rank": WIKIBASE + "NormalRank", "best": "false"},
        {"date": "1943-09-12T00:00:00Z", "precision": "11", "rank": WIKIBASE + "PreferredRank", "best": "true"},
    ]


# graph/facts/sicily-and-landings.ttl: fact:allied-occupation-of-the-main-cities-of-sicily--location--messina
# and --palermo are normal, --taranto deprecated (Taranto is on the mainland); graph/entities/places.ttl
# gives Messina wd:Q13666, Palermo wd:Q2656, Taranto wd:Q13498. With no preferred place, only the
# deprecated rank keeps Taranto out of the truthy places.
DEPRECATED_PLACE = [{"truthy": WD + "Q13666", "deprecated": WD + "Q13498"}, {"truthy": WD + "Q2656", "deprecated": WD + "Q13498"}]


def test_the_deprecated_place_is_a_statement_but_not_truthy(built):
    assert run(built, "truthy-and-deprecated-places-of-the-occupation-of-sicily") == DEPRECATED_PLACE


def test_qualifiers_and_every_quote_of_mussolinis_office(built):
    # fact benito-mussolini--positionHeld--prime-minister-of-the-kingdom-of-italy (fall-of-mussolini.ttl):
    # ended 25 July 1943 (a day), replaced by Badoglio (wd:Q200085), two claims whose quotes are
    # claim:de-history--forced-to-resign-25-july and claim:en-article--grand-council-held; sorted by source.
    # (Mussolini's other offices have no end; Badoglio's office has no start, as the texts disagree on it.)
    common = {"office": WD + "Q25160174", "end": "1943-07-25T00:00:00Z", "endPrecision": "11", "successor": WD + "Q200085"}
    quotes = [
        ("de-history", "Am frühen Morgen des 25. Juli wurde er vom faschistischen Großen Rat zum Rücktritt gezwungen und noch "
                       "am selben Tag verhaftet.@de"),
        ("en-article", 'Following the Council, held on 23 July 1943, where the "order of the day" was adopted by majority vote, '
                       "Mussolini was summoned to meet the King and dismissed as Prime Minister.@en"),
    ]
    assert run(built, "mussolini-office-with-qualifiers-and-quotes") == [{**common, "source": SOURCE + s, "quote": q} for s, q in quotes]


def test_labels_in_the_users_language_with_english_descriptions(built):
    # Italian labels: editorial "Benito Mussolini"/"Pietro Badoglio", "dittatore", "capo del Partito
    # Nazionale Fascista", "Presidente del Consiglio dei ministri del Regno d'Italia"; descriptions
    # exist only in English, so they fall back to it. "P" sorts before "c" and "d".
    mussolini = {"person": WD + "Q23559", "personLabel": "Benito Mussolini@it",
                 "personDescription": "Italian Fascist dictator and Prime Minister of Italy until July 1943, later head of the Italian Social Republic@en"}
    badoglio = {"person": WD + "Q200085", "personLabel": "Pietro Badoglio@it",
                "personDescription": "Italian marshal, Prime Minister of Italy from July 1943@en"}
    prime_minister = {"office": WD + "Q25160174", "officeLabel": "Presidente del Consiglio dei ministri del Regno d'Italia@it"}
    assert run(built, "offices-in-the-users-language", "--lang", "it") == [
        {**mussolini, **prime_minister},
        {**mussolini, "office": "https://w3id.org/cassibile/id/leader-of-the-national-fascist-party", "officeLabel": "capo del Partito Nazionale Fascista@it"},
        {**mussolini, "office": "https://w3id.org/cassibile/id/dictator-of-italy", "officeLabel": "dittatore@it"},
        {**badoglio, **prime_minister},
    ]


def test_items_without_a_label_show_their_id(built):
    # the sources are in English, German and Portuguese (graph/sources.ttl; languages.tsv gives the
    # items); the view has no label for language items
    assert run(built, "languages-of-the-sources") == [
        {"language": WD + "Q1860", "languageLabel": "Q1860"},
        {"language": WD + "Q188", "languageLabel": "Q188"},
        {"language": WD + "Q5146", "languageLabel": "Q5146"},
    ]


def test_dates_known_to_the_month(built):
    # cas:pointInTime objects that are xsd:gYearMonth, or spans within one month (graph/facts/*.ttl);
    # "best" is false where the same event also has a preferred day (25 July, 8 and 12 September).
    # The spans over several months (Monte Cassino, the removal of royalist figures) are years.
    expected = [
        ("appointment of Pietro Badoglio as Prime Minister", "1943-07-01", "false"),
        ("fall of the Fascist regime in Italy", "1943-07-01", "true"),
        ("Allied–Italian naval agreement of September 1943", "1943-09-01", "true"),  # 21–30 September
        ("Badoglio's request for a deferral of the armistice", "1943-09-01", "true"),  # 7–8 September
        ("announcement of the Armistice of Cassibile", "1943-09-01", "false"),  # the editorial label
        ("establishment of the Italian Social Republic", "1943-09-01", "true"),  # 3–30 September
        ("freeing of Benito Mussolini", "1943-09-01", "false"),  # 3–30 September
        ("Italian declaration of war on Germany", "1943-10-01", "true"),
        ("Liberation of Rome", "1944-06-01", "true"),
    ]
    assert run(built, "dates-known-to-the-month") == [
        {"eventLabel": label + "@en", "month": month + "T00:00:00Z", "best": best} for label, month, best in expected]


def test_statements_counted_by_property(built):
    # pietro-badoglio (graph/facts/fall-of-mussolini.ttl): two military ranks (P410), one group of
    # ambassadors (cas:memberOf, P463), one office (P39), and P31 human from cas:Person;
    # his cas:describedAs fact (negotiations.ttl) has no Wikidata property
    assert run(built, "statements-of-badoglio-by-property") == [
        {"property": WD + "P31", "propertyLabel": "instance of@en", "statements": "1"},
        {"property": WD + "P463", "propertyLabel": "member of@en", "statements": "1"},
        {"property": WD + "P410", "propertyLabel": "military rank@en", "statements": "2"},
        {"property": WD + "P39", "propertyLabel": "position held@en", "statements": "1"},
    ]


def test_a_count_is_an_unbounded_quantity_of_unit_one(built):
    # fact sinking-of-the-battleship-roma--numberOfDeaths--1400 (fleet.ttl), the only number of deaths
    # (the store reads "+1400"^^xsd:decimal as the number it is, and writes it back as 1400)
    found = run(built, "number-of-deaths-with-unit")
    assert [(r["eventLabel"], Decimal(r["amount"]), r["unit"]) for r in found] == [("sinking of the battleship Roma@en", 1400, WD + "Q199")]


def test_every_collected_query_is_tested():
    source = Path(__file__).read_text(encoding="utf-8")
    untested = [p.stem for p in sorted(QUERIES.glob("*.rq")) if f'run(built, "{p.stem}"' not in source]
    assert QUERIES.glob("*.rq") and not untested, untested


# --- the command ---------------------------------------------------------------------------------

def test_the_command_reads_standard_input_and_prints_a_table(built):
    query = (QUERIES / "truthy-and-deprecated-places-of-the-occupation-of-sicily.rq").read_text(encoding="utf-8")
    piped = subprocess.run([sys.executable, "-m", "cassibile", "wikidata", "query", "-", "--data", str(built / "wikidata.ttl")],
                           input=query, capture_output=True, text=True, cwd=Path(__file__).parents[1], timeout=120)
    assert piped.returncode == 0, piped.stderr
    assert [line.split() for line in piped.stdout.splitlines()[2:4]] == [["wd:Q13666", "wd:Q13498"], ["wd:Q2656", "wd:Q13498"]]
    assert piped.stdout.endswith("(2 rows)\n")


@pytest.mark.parametrize("args, code, message", [
    (["no-such.rq"], 2, "no-such.rq: no such query file"),
    (["--data", "no-such.ttl"], 2, "no Wikidata view at no-such.ttl"),
])
def test_usage_errors(args, code, message, tmp_path):
    query = tmp_path / "q.rq"
    query.write_text("SELECT * WHERE { ?s ?p ?o }", encoding="utf-8")
    result = run_cli("wikidata", "query", *(args if args[0] == "no-such.rq" else [str(query), *args]))
    assert result.returncode == code and message in result.stderr


def test_a_syntax_error_names_the_file_line_and_column(built, tmp_path):
    query = tmp_path / "broken.rq"
    query.write_text("SELECT ?x WHERE {\n  ?x wdt:P31 wd:Q5 .\n  ?x undeclared:thing ?y .\n}\n", encoding="utf-8")
    result = run_cli("wikidata", "query", str(query), "--data", str(built / "wikidata.ttl"))
    assert result.returncode == 1
    assert f"{query}:3:" in result.stderr and "undeclared prefix" in result.stderr


class Recording(http.server.BaseHTTPRequestHandler):
    """A real HTTP front for the SPARQL server that records each query it forwards."""

    target = ""
    seen: list[tuple[str, str]] = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).seen.append((self.headers["User-Agent"], urllib.parse.parse_qs(body.decode())["query"][0]))
        request = urllib.request.Request(self.target, data=body, headers={"Content-Type": self.headers["Content-Type"], "Accept": self.headers["Accept"]})
        try:
            with urllib.request.urlopen(request, timeout=10) as answer:
                status, data, kind = 200, answer.read(), answer.headers["Content-Type"]
        except urllib.error.HTTPError as error:
            status, data, kind = error.code, error.read(), "text/plain"
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


DECLARED = """PREFIX wd: <http://www.wikidata.org/entity/>
PREFIX wdt: <http://www.wikidata.org/prop/direct/>
PREFIX p: <http://www.wikidata.org/prop/>
PREFIX ps: <http://www.wikidata.org/prop/statement/>
PREFIX wikibase: <http://wikiba.se/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
# Where the Allies occupied Sicily's cities, every prefix declared: any SPARQL server can answer.
SELECT ?truthy ?deprecated WHERE {
  ?occupation rdfs:label "Allied occupation of the main cities of Sicily"@en ; wdt:P276 ?truthy ; p:P276 ?statement .
  ?statement wikibase:rank wikibase:DeprecatedRank ; ps:P276 ?deprecated .
}
ORDER BY ?truthy
"""


def test_endpoint_gets_the_same_text(sparql_server, built, tmp_path):
    """--endpoint sends the query as written (no prefixes added, the label service untouched) through
    the project's client (cassibile.sparql.remote: User-Agent, timeout, HTTP 429)."""
    server = sparql_server(built / "wikidata.ttl")
    Recording.target, Recording.seen = server.query_url, []
    front = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Recording)
    threading.Thread(target=front.serve_forever, daemon=True).start()
    declared, labelled = tmp_path / "declared.rq", QUERIES / "languages-of-the-sources.rq"
    declared.write_text(DECLARED, encoding="utf-8")
    url = f"http://127.0.0.1:{front.server_port}/sparql"
    try:
        remote = run_cli("wikidata", "query", str(declared), "--endpoint", url, "--format", "json")
        assert remote.returncode == 0, remote.stderr
        assert rows(remote.stdout) == DEPRECATED_PLACE
        refused = run_cli("wikidata", "query", str(labelled), "--endpoint", url)  # oxigraph has no label service
        assert refused.returncode != 0 and url in refused.stderr
    finally:
        front.shutdown()
        front.server_close()
    agents, texts = zip(*Recording.seen)
    assert all(agent.startswith("cassibile/") for agent in agents)
    assert list(texts) == [without_comments(DECLARED), without_comments(labelled.read_text(encoding="utf-8"))]
