"""`cassibile wikidata compare` against a real SPARQL server holding a fixture in Wikidata's RDF form.

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
from rdflib import Graph
from rdflib.namespace import OWL, RDFS

from cassibile.load import load_project, parse_turtle
from cassibile.project import Project
from cassibile.wikidata.compare import compare, render_table
from cassibile.wikidata.statements import Alignment, read_verified_pids, statements
from cassibile.wikidata.wdqs import Client
from conftest import run_cli

FIXTURES = Path(__file__).parent / "fixtures" / "wikidata"
GRAPH = Path(__file__).parent / "golden" / "quickstatements" / "graph.ttl"
EN = 'S854\t"https://w3id.org/cassibile/source/en-article"\tS1476\ten:"Armistice of Cassibile (English encyclopedic article)"'
DE = 'S854\t"https://w3id.org/cassibile/source/de-history"\tS1476\tde:"3. September 1943: Montgomery landet in Kalabrien"'
FACT = "https://w3id.org/cassibile/fact/"

EXPECTED = {
    "items": 12,
    "compared": 10,
    "agreeing": 5,
    "missing_in_wikidata": [
        {"item": "Q999001", "property": "P276", "value": "Q1012526", "fact": FACT + "armistice-of-cassibile--location--cassibile",
         "quickstatements": "Q999001\tP276\tQ1012526\t" + EN},
        {"item": "Q999001", "property": "P710", "value": "Q9916", "fact": FACT + "armistice-of-cassibile--participant--dwight-d-eisenhower",
         "quickstatements": "Q999001\tP710\tQ9916\t" + EN},
        {"item": "Q999006", "property": "P580", "value": "+1943-09-00T00:00:00Z/10",
         "fact": FACT + "german-occupation-of-italy--startTime--1943-09-08--1943-09-30",
         "quickstatements": "Q999006\tP580\t+1943-09-00T00:00:00Z/10\t" + DE},
    ],
    "disagreements": [
        {"item": "Q999001", "property": "P577", "value": "+1943-09-08T00:00:00Z/11",
         "fact": FACT + "armistice-of-cassibile--publicationDate--1943-09-08", "wikidata": ["+1943-09-09T00:00:00Z/11"]},
        {"item": "Q999003", "property": "P1120", "value": "1400",
         "fact": FACT + "sinking-of-the-battleship-roma--numberOfDeaths--1400", "wikidata": ["1393"]},
    ],
    "unlinked_values": [
        {"item": "Q999001", "property": "P1891", "value": "https://w3id.org/cassibile/id/giuseppe-castellano",
         "fact": FACT + "armistice-of-cassibile--signatory--giuseppe-castellano"},
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
    alignment = Alignment.read(graph, graph, read_verified_pids(Path(__file__).parents[1] / "graph" / "wikidata" / "properties.tsv"))
    found, _ = statements(graph, alignment)
    return compare(graph, graph, alignment, found, Client(endpoint, timeout=10, batch_size=batch_size))


@pytest.mark.parametrize("batch_size", [2, 50])
def test_the_report_finds_exactly_the_known_differences(sparql_server, batch_size):
    server = sparql_server(FIXTURES / "wikidata.ttl")
    report = json.loads(fixture_report(server.query_url, batch_size).to_json())
    assert report.pop("endpoint") == server.query_url
    assert report == EXPECTED


def test_the_table_shows_every_section(sparql_server):
    server = sparql_server(FIXTURES / "wikidata.ttl")
    table = render_table(fixture_report(server.query_url, 50))
    assert "12 linked item(s), 10 statement(s), 5 agreeing" in table
    assert "Missing in Wikidata (QuickStatements candidates): 3\n  Q999001  P276  Q1012526" in table
    assert "Disagreements: 2\n  Q999001  P577  +1943-09-08T00:00:00Z/11  +1943-09-09T00:00:00Z/11" in table
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
    # 12 items in batches of 5: 3 statement queries and 3 label queries, plus the one refused.
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
