"""`cassibile wikidata compare` against a real SPARQL server holding a fixture in Wikidata's full RDF form.

tests/fixtures/wikidata/wikidata.ttl differs from tests/golden/quickstatements/graph.ttl in known
ways (listed at its top); the report must find exactly those.
"""

from __future__ import annotations

import http.server
import json
import threading
import time
import urllib.request
from pathlib import Path

import pytest
from conftest import run_cli
from rdflib import Graph
from rdflib.namespace import OWL, RDFS

from cassibile.pipeline.load import load_project, parse_turtle
from cassibile.project import Project
from cassibile.publish.wikidata.compare import compare, render_table
from cassibile.publish.wikidata.statements import Alignment, Tables, statements
from cassibile.publish.wikidata.wdqs import Client

FIXTURES = Path(__file__).parent / "fixtures" / "wikidata"
GRAPH = Path(__file__).parent / "golden" / "quickstatements" / "graph.ttl"
FACT = "https://w3id.org/cassibile/fact/"


def ref(source: str, language: str, title: str, quote: str, qid: str) -> str:
    return (f'S854\t"https://w3id.org/cassibile/source/{source}"\tS1476\t{language}:"{title}"\t'
            f'S1683\t{language}:"{quote}"\tS407\t{qid}')


EN_SIGNED = ref("en-article", "en", "Armistice of Cassibile (English encyclopedic article)",
                "The armistice was signed on 3 September 1943 at Cassibile.", "Q1860")
EN_LATER = ref("en-article", "en", "Armistice of Cassibile (English encyclopedic article)",
               "Later in the month, in October, Italy declared war; the campaign had begun in 1943.", "Q1860")
DE_ANNOUNCED = ref("de-history", "de", "3. September 1943: Montgomery landet in Kalabrien", "Am 8. September wurde er bekanntgegeben.", "Q188")


def row(item, prop, value, rank, fact, status, wikidata=(), quickstatements=()):
    return {"item": item, "property": prop, "value": value, "rank": rank, "fact": FACT + fact, "status": status,
            "wikidata": [{"value": v, "rank": r, "references": n} for v, r, n in wikidata], "quickstatements": list(quickstatements)}


# Worked out by hand from the two fixtures (see the list of differences at the top of wikidata.ttl).
EXPECTED = {
    "items": 13,
    "counts": {"same value, referenced": 3, "same value": 3, "different value": 2, "absent": 5, "not comparable": 1},
    "statements": [
        # held back from QuickStatements by constraints.tsv (P131 to a region): no line to offer
        row("Q1012526", "P131", "Q999009", "normal", "cassibile--locatedIn--sicily", "absent", [("Q999011", "normal", 0)]),
        row("Q200085", "P39", "Q999002", "normal", "pietro-badoglio--positionHeld--prime-minister-of-italy", "same value, referenced",
            [("Q999002", "normal", 1)]),
        row("Q999001", "P276", "Q1012526", "normal", "armistice-of-cassibile--location--cassibile", "absent", [],
            ["Q999001\tP276\tQ1012526\t" + EN_SIGNED]),
        row("Q999001", "P577", "+1943-09-08T00:00:00Z/11", "preferred", "armistice-of-cassibile--publicationDate--1943-09-08",
            "different value", [("+1943-09-09T00:00:00Z/11", "normal", 0)]),
        # the value Wikidata holds at normal rank is the one we deprecate: no line, it is not sent
        row("Q999001", "P577", "+1943-09-09T00:00:00Z/11", "deprecated", "armistice-of-cassibile--publicationDate--1943-09-09",
            "same value", [("+1943-09-09T00:00:00Z/11", "normal", 0)]),
        row("Q999001", "P585", "+1943-09-03T00:00:00Z/11", "normal", "armistice-of-cassibile--pointInTime--1943-09-03",
            "same value, referenced", [("+1943-09-03T00:00:00Z/11", "normal", 1)]),
        row("Q999001", "P710", "Q9916", "normal", "armistice-of-cassibile--participant--dwight-d-eisenhower", "absent",
            [("Q200085", "normal", 0)], ["Q999001\tP710\tQ9916\t" + EN_SIGNED]),
        row("Q999001", "P1891", "https://w3id.org/cassibile/id/giuseppe-castellano", "normal",
            "armistice-of-cassibile--signatory--giuseppe-castellano", "not comparable", [("Q999010", "normal", 0)]),
        row("Q999003", "P1120", "1400", "normal", "sinking-of-the-battleship-roma--numberOfDeaths--1400", "different value",
            [("1393", "normal", 0)]),
        row("Q999003", "P1339", "622", "normal", "sinking-of-the-battleship-roma--numberOfInjured--622", "absent", [],
            ["Q999003\tP1339\t622\t" + ref("en-article", "en", "Armistice of Cassibile (English encyclopedic article)",
                                              "Of the survivors, 622 were wounded.", "Q1860")]),
        # our month holds both of Wikidata's days, the deprecated one too; neither is referenced, and a
        # line would add a second, less precise statement: none is offered
        row("Q999004", "P585", "+1943-10-00T00:00:00Z/10", "normal", "italian-declaration-of-war-on-germany--pointInTime--1943-10",
            "same value", [("+1943-10-12T00:00:00Z/11", "deprecated", 0), ("+1943-10-13T00:00:00Z/11", "normal", 0)]),
        # exactly our value, unreferenced: the line would add our reference to it
        row("Q999005", "P580", "+1943-00-00T00:00:00Z/9", "normal", "italian-campaign--startTime--1943", "same value",
            [("+1943-00-00T00:00:00Z/9", "normal", 0)], ["Q999005\tP580\t+1943-00-00T00:00:00Z/9\t" + EN_LATER]),
        row("Q999006", "P580", "+1943-09-00T00:00:00Z/10", "normal", "german-occupation-of-italy--startTime--1943-09-08--1943-09-30",
            "absent", [], ["Q999006\tP580\t+1943-09-00T00:00:00Z/10\t" + DE_ANNOUNCED]),
        row("Q999007", "P580", "+1943-09-03T00:00:00Z/11", "normal", "signing-of-the-armistice-of-cassibile--startTime--1943-09-03T14-00",
            "same value, referenced", [("+1943-09-03T00:00:00Z/11", "normal", 1)]),
    ],
    "labels_missing_in_wikidata": [
        {"item": "Q999001", "language": "de", "label": "Waffenstillstand von Cassibile"},
        {"item": "Q999001", "language": "pt", "label": "Armistício de Cassibile"},
    ],
    "labels_missing_here": [
        {"item": "Q1012526", "language": "it", "label": "Cassibile"},
        {"item": "Q200085", "language": "de", "label": "Pietro Badoglio"},
    ],
    "items_not_found": ["Q999008"],
}


def fixture_report(endpoint: str, batch_size: int):
    graph = parse_turtle(GRAPH)
    alignment = Alignment.read(graph, graph, Tables.read(Path(__file__).parents[1] / "graph" / "wikidata"))
    found, _ = statements(graph, alignment)
    return compare(graph, graph, alignment, found, Client(endpoint, timeout=10, batch_size=batch_size))


@pytest.mark.parametrize("batch_size", [2, 50])
def test_the_report_finds_exactly_the_known_differences(sparql_server, batch_size):
    server = sparql_server(FIXTURES / "wikidata.ttl")
    report = json.loads(fixture_report(server.query_url, batch_size).to_json())
    assert report.pop("endpoint") == server.query_url
    assert report == EXPECTED


def test_the_table_shows_every_status(sparql_server):
    server = sparql_server(FIXTURES / "wikidata.ttl")
    table = render_table(fixture_report(server.query_url, 50))
    assert table.startswith(f"Compared with {server.query_url}: 13 linked item(s), 14 statement(s): 3 same value, referenced, "
                            "3 same value, 2 different value, 5 absent, 1 not comparable.")
    assert "\nDifferent value: 2\n  Q999001  P577  +1943-09-08T00:00:00Z/11  (preferred)  Wikidata: +1943-09-09T00:00:00Z/11 (normal, 0 ref.)" in table
    assert "\nSame value, referenced: 3\n  Q200085  P39  Q999002  (normal)  Wikidata: Q999002 (normal, 1 ref.)" in table
    assert "Linked QIDs the endpoint does not know: 1\n  Q999008" in table


class BusyOnce(http.server.BaseHTTPRequestHandler):
    """A real HTTP front for the SPARQL server: answers the first request 429 (Retry-After: 1), then
    forwards each request, recording its User-Agent and query."""

    target = ""
    seen: list[tuple[str, bytes]] = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).seen.append((self.headers["User-Agent"], body))
        if len(type(self).seen) == 1:
            self.send_response(429)
            self.send_header("Retry-After", "1")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        request = urllib.request.Request(self.target, data=body, headers={
            "Content-Type": self.headers["Content-Type"], "Accept": self.headers["Accept"]})
        with urllib.request.urlopen(request, timeout=10) as answer:
            data, content_type = answer.read(), answer.headers["Content-Type"]
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


def test_batches_carry_a_user_agent_and_a_busy_endpoint_is_waited_for(sparql_server):
    server = sparql_server(FIXTURES / "wikidata.ttl")
    BusyOnce.target, BusyOnce.seen = server.query_url, []
    front = http.server.ThreadingHTTPServer(("127.0.0.1", 0), BusyOnce)
    thread = threading.Thread(target=front.serve_forever, daemon=True)
    thread.start()
    try:
        started = time.monotonic()
        report = json.loads(fixture_report(f"http://127.0.0.1:{front.server_port}/sparql", batch_size=5).to_json())
        waited = time.monotonic() - started
    finally:
        front.shutdown()
        front.server_close()
    report.pop("endpoint")
    assert report == EXPECTED
    assert waited >= 1.0, "Retry-After was not honoured"
    # 13 items in batches of 5: 3 statement queries and 3 label queries, plus the one refused.
    assert len(BusyOnce.seen) == 7
    assert all(agent.startswith("cassibile/") for agent, _ in BusyOnce.seen)
    assert all(b"VALUES" in body for _, body in BusyOnce.seen)


def test_the_command_compares_the_real_graph(sparql_server, root):
    server = sparql_server(FIXTURES / "wikidata.ttl")
    result = run_cli("wikidata", "compare", "--endpoint", server.query_url, "--format", "json", "--batch-size", "20")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    data = load_project(Project(root)).data
    linked = {str(o).rsplit("/", 1)[-1] for o in data.objects(None, OWL.sameAs)}
    known = {str(s).rsplit("/", 1)[-1] for s in Graph().parse(FIXTURES / "wikidata.ttl").subjects(RDFS.label, None)}
    assert report["items"] == len(linked)
    assert set(report["items_not_found"]) == linked - known
    # Badoglio is linked and labelled in all four languages here; the fixture has no Portuguese label.
    assert {"item": "Q200085", "language": "pt", "label": "Pietro Badoglio"} in report["labels_missing_in_wikidata"]
    table = run_cli("wikidata", "compare", "--endpoint", server.query_url, check=True).stdout
    assert table.startswith(f"Compared with {server.query_url}: {len(linked)} linked item(s)")


def test_an_unreachable_endpoint_is_a_clear_error_and_a_bad_url_a_usage_error():
    result = run_cli("wikidata", "compare", "--endpoint", "http://127.0.0.1:9/sparql", "--timeout", "5")
    assert result.returncode == 3 and "cannot reach http://127.0.0.1:9/sparql" in result.stderr  # not a data error
    assert run_cli("wikidata", "compare", "--endpoint", "ftp://example.org/sparql").returncode == 2
    assert run_cli("wikidata", "compare", "--batch-size", "0").returncode == 2
