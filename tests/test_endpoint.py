"""`cassibile query --endpoint`: the same rows from a real SPARQL server as from the embedded store,
and clear failures from endpoints that are busy, down, broken or answer nonsense."""

from __future__ import annotations

import json
import socket
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from conftest import ROOT, run_cli
from rdflib import Literal

from cassibile import __version__
from cassibile.sparql import query as q
from cassibile.sparql.remote import RETRIES, USER_AGENT, EndpointError, run_remote

PUBLISHED = [item for item in q.bundled_queries(ROOT / "queries").values() if item.is_published]
WIKIDATA_SERVICE = "https://query.wikidata.org/sparql"
RESULTS = json.dumps({"head": {"vars": ["n"]}, "results": {"bindings": [{"n": {"type": "literal", "value": "7"}}]}}).encode()


def rows(tsv: str, ordered: bool) -> list[str]:
    lines = tsv.splitlines()
    return lines if ordered else [lines[0]] + sorted(lines[1:])


def is_ordered(item: q.QueryFile) -> bool:
    return "ORDER BY" in q.without_comments(item.text)


def runnable(item: q.QueryFile, folder, stand_in_url: str) -> str:
    """The bundled query's name, or for the federated one a copy whose SERVICE is the local stand-in."""
    if WIKIDATA_SERVICE not in item.text:
        return item.name
    copy = folder / item.path.name
    copy.write_text(item.text.replace(WIKIDATA_SERVICE, stand_in_url), encoding="utf-8")
    return str(copy)


def test_every_bundled_query_gives_the_same_rows_on_a_real_sparql_server(built, sparql_server, tmp_path):
    server = sparql_server(built / "cassibile.nq")
    stand_in = sparql_server(ROOT / "tests" / "golden" / "data" / "wikidata-stand-in.ttl")
    answered = {}
    for item in PUBLISHED:
        name = runnable(item, tmp_path, stand_in.query_url)
        local = run_cli("query", name, "--format", "tsv", "--data", str(built / "cassibile.nq"))
        remote = run_cli("query", name, "--format", "tsv", "--endpoint", server.query_url)
        assert local.returncode == 0 and remote.returncode == 0, (item.name, local.stderr, remote.stderr)
        assert rows(remote.stdout, is_ordered(item)) == rows(local.stdout, is_ordered(item)), item.name
        answered[item.name] = len(local.stdout.splitlines()) - 1
    assert set(answered) == {item.name for item in PUBLISHED}
    assert all(answered.values()), answered  # every query answers something on the real graph


def test_labels_in_another_language_are_the_same_on_the_server(built, sparql_server):
    server = sparql_server(built / "cassibile.nq")
    local = run_cli("query", "timeline", "--lang", "it", "--format", "json", "--data", str(built / "cassibile.nq"))
    remote = run_cli("query", "timeline", "--lang", "it", "--format", "json", "--endpoint", server.query_url)
    assert local.returncode == 0 and remote.stdout == local.stdout
    assert '"xml:lang":"it"' in remote.stdout


# --- a scripted HTTP endpoint for the failures oxigraph never produces -----------------------

@dataclass
class Script:
    """The responses a fake endpoint gives, in turn (the last repeats), and the requests it saw."""

    responses: list[tuple[int, dict, bytes]] = field(default_factory=list)
    delay: float = 0.0
    requests: list[dict] = field(default_factory=list)
    url: str = ""


@pytest.fixture
def endpoint():
    script = Script()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            script.requests.append({"headers": dict(self.headers), "body": body.decode()})
            time.sleep(script.delay)
            status, headers, payload = script.responses[min(len(script.requests), len(script.responses)) - 1]
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args):  # keep the test output quiet
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    script.url = f"http://127.0.0.1:{server.server_address[1]}/sparql"
    yield script
    server.shutdown()
    server.server_close()


JSON_OK = (200, {"Content-Type": "application/sparql-results+json"}, RESULTS)


def test_http_429_waits_for_retry_after_then_succeeds(endpoint):
    endpoint.responses = [(429, {"Retry-After": "1"}, b"slow down"), JSON_OK]
    started = time.monotonic()
    result = run_remote(endpoint.url, "SELECT ?n WHERE { ?s ?p ?n }", timeout=10)
    assert time.monotonic() - started >= 1.0
    assert result.rows == [[Literal("7")]]
    assert len(endpoint.requests) == 2


def test_requests_carry_a_descriptive_user_agent_and_post_the_query(endpoint):
    endpoint.responses = [JSON_OK]
    run_remote(endpoint.url, "# a comment\nSELECT ?n WHERE { ?s ?p ?n }", timeout=10)
    request = endpoint.requests[0]
    assert request["headers"]["User-Agent"] == USER_AGENT == f"cassibile/{__version__} (+https://w3id.org/cassibile)"
    assert "application/sparql-results+json" in request["headers"]["Accept"]
    assert urllib.parse.parse_qs(request["body"]) == {"query": ["\nSELECT ?n WHERE { ?s ?p ?n }"]}  # comments left behind


def test_http_429_gives_up_after_bounded_retries(endpoint):
    endpoint.responses = [(429, {"Retry-After": "0"}, b"busy")]
    with pytest.raises(EndpointError, match=rf"still busy \(HTTP 429\) after {RETRIES + 1} attempts"):
        run_remote(endpoint.url, "SELECT * WHERE { ?s ?p ?o }", timeout=10)
    assert len(endpoint.requests) == RETRIES + 1


def test_http_429_asking_for_more_than_the_timeout_fails_at_once(endpoint):
    endpoint.responses = [(429, {"Retry-After": "3600"}, b"come back in an hour")]
    started = time.monotonic()
    with pytest.raises(EndpointError, match="asks to retry after 3600 s, longer than the timeout"):
        run_remote(endpoint.url, "SELECT * WHERE { ?s ?p ?o }", timeout=5)
    assert time.monotonic() - started < 3 and len(endpoint.requests) == 1


@pytest.mark.parametrize("status, body, expected", [
    (503, b"down for maintenance", "answered HTTP 503 Service Unavailable: down for maintenance"),
    (500, b"stack overflow in the engine", "answered HTTP 500 (EndPointInternalError): stack overflow in the engine"),
    (400, b"Parse error on line 1", "answered HTTP 400 (QueryBadFormed): Parse error on line 1"),
])
def test_http_errors_are_reported_with_status_and_body(status, body, expected, endpoint):
    endpoint.responses = [(status, {"Content-Type": "text/plain"}, body)]
    result = run_cli("query", "statistics", "--endpoint", endpoint.url)
    assert result.returncode == 3  # the endpoint's failure, not the data's
    assert expected in result.stderr and endpoint.url in result.stderr


@pytest.mark.parametrize("content_type, body, expected", [
    ("text/html", b"<html><body>Welcome to nginx</body></html>", "expected SPARQL results, got 'text/html'"),
    ("application/sparql-results+json", b'{"head": {"vars": ["n"]}, "results": {"bindings": [', "malformed response"),
    ("application/sparql-results+json", b'{"head": {"vars": ["n"]}, "results": {"bindings": [{"n": {"type": "tomato"}}]}}', "malformed response"),
])
def test_malformed_responses_are_reported(content_type, body, expected, endpoint):
    endpoint.responses = [(200, {"Content-Type": content_type}, body)]
    result = run_cli("query", "statistics", "--endpoint", endpoint.url)
    assert result.returncode == 3
    assert "malformed response from" in result.stderr and expected in result.stderr


def test_unreachable_endpoint_is_reported():
    with socket.socket() as s:  # a port that was free a moment ago: nothing listens there
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    result = run_cli("query", "statistics", "--endpoint", f"http://127.0.0.1:{port}/sparql")
    assert result.returncode == 3
    assert f"cannot reach http://127.0.0.1:{port}/sparql" in result.stderr


def test_slow_endpoint_times_out(endpoint):
    endpoint.responses, endpoint.delay = [JSON_OK], 5.0
    started = time.monotonic()
    with pytest.raises(EndpointError, match="did not answer within 1 s"):
        run_remote(endpoint.url, "SELECT * WHERE { ?s ?p ?o }", timeout=1)
    assert time.monotonic() - started < 4


def test_endpoint_must_be_an_http_url():
    result = run_cli("query", "statistics", "--endpoint", "ftp://example.org/sparql")
    assert result.returncode == 2
    assert "needs an http:// or https:// URL" in result.stderr


class Trickle(BaseHTTPRequestHandler):
    """Answers one byte every 0.5 s, for 30 s: in the body after prompt headers, or already in the status line."""

    protocol_version = "HTTP/1.1"
    in_headers = False

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        head = b"HTTP/1.1 200 OK\r\nContent-Type: application/sparql-results+json\r\nContent-Length: %d\r\n\r\n" % len(RESULTS)
        if not self.in_headers:
            self.wfile.write(head)
            self.wfile.flush()
        try:
            for byte in ((head if self.in_headers else b"") + RESULTS)[:60]:
                self.wfile.write(bytes([byte]))
                self.wfile.flush()
                time.sleep(0.5)
        except OSError:  # the client gave up: what the test wants
            pass

    def log_message(self, *args):
        pass


@pytest.mark.parametrize("in_headers", [False, True], ids=["trickled-body", "trickled-status-line"])
def test_the_timeout_bounds_the_whole_request_not_each_read(in_headers):
    """Regression (issue 12): a server sending a byte every 0.5 s kept a 3 s timeout waiting 20 s."""
    handler = type("Handler", (Trickle,), {"in_headers": in_headers})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/sparql"
        started = time.monotonic()
        result = run_cli("query", "statistics", "--endpoint", url, "--timeout", "2")
        elapsed = time.monotonic() - started
    finally:
        server.shutdown()
        server.server_close()
    assert result.returncode == 3
    assert f"{url} did not answer within 2 s" in result.stderr
    assert elapsed < 15  # the trickle lasts 30 s; the limit (2 s) and the interpreter's start-up are what remain
