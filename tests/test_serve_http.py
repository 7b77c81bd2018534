"""`cassibile serve` as a web server: HTTP/1.1 keep-alive, ETag and 304, gzip, HEAD, cache headers, --host, bounds."""

from __future__ import annotations

import gzip
import http.client
import socket
import urllib.parse
from contextlib import closing

import pytest
from conftest import start_serve
from rdflib import Graph, URIRef
from rdflib.namespace import OWL
from test_serve import fetch, stop

from cassibile.serve.server import KEEP_ALIVE, MAX_CONNECTIONS, compressible

ENTITY = "/id/armistice-of-cassibile"


def connect(base: str):
    """A connection for several requests, closed on leaving the `with` block."""
    where = urllib.parse.urlsplit(base)
    return closing(http.client.HTTPConnection(where.hostname, where.port, timeout=30))


def ask(connection: http.client.HTTPConnection, method: str, path: str, headers: dict | None = None, body: bytes | None = None):
    """One request on a connection that may be reused: (status, headers with lower-case names, body)."""
    connection.request(method, path, body=body, headers=headers or {})
    response = connection.getresponse()
    return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()


def test_one_connection_carries_every_kind_of_answer(served):
    """HTTP/1.1 keep-alive: every answer, errors and redirects too, says its length, so the connection stays open."""
    with connect(served) as connection:
        query = urllib.parse.urlencode({"query": "ASK { ?s ?p ?o }"})
        requests = [
            ("GET", ENTITY, {"Accept": "text/turtle"}, None, 303),
            ("GET", ENTITY + ".ttl", {}, None, 200),
            ("GET", "/index.html", {"Accept-Encoding": "gzip"}, None, 200),
            ("HEAD", "/cassibile.nq", {}, None, 200),
            ("GET", ENTITY, {"Accept": "image/png"}, None, 406),
            ("GET", "/id/no-such-thing", {}, None, 404),
            ("GET", "/it", {}, None, 301),
            ("GET", "/sparql", {}, None, 303),
            ("GET", "/sparql?" + query, {"Accept": "application/sparql-results+json"}, None, 200),
            ("GET", "/sparql?" + urllib.parse.urlencode({"query": "SELECT nonsense"}), {}, None, 400),
            ("POST", "/sparql", {"Content-Type": "application/sparql-update"}, b"DROP ALL", 403),
            ("POST", "/sparql", {"Content-Type": "application/sparql-query", "Accept": "application/sparql-results+json"},
             b"ASK { ?s ?p ?o }", 200),
            ("OPTIONS", "/sparql", {}, None, 204),
            ("DELETE", "/index.html", {}, None, 405),
            ("GET", "/index.html", {}, None, 200),
        ]
        ask(connection, "GET", "/index.html")
        kept = connection.sock
        for method, path, headers, body, expected in requests:
            status, answer_headers, _ = ask(connection, method, path, headers, body)
            assert status == expected, (method, path)
            assert answer_headers.get("connection") != "close", (method, path)
            assert connection.sock is kept, f"{method} {path} closed the connection"


def test_pipelined_requests_get_their_answers_in_order(served):
    where = urllib.parse.urlsplit(served)
    with socket.create_connection((where.hostname, where.port), timeout=30) as raw:
        raw.sendall(b"HEAD /index.html HTTP/1.1\r\nHost: x\r\n\r\n"
                    b"GET /id/armistice-of-cassibile HTTP/1.1\r\nHost: x\r\nAccept: text/turtle\r\nConnection: close\r\n\r\n")
        answer = b""
        while chunk := raw.recv(1 << 16):
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 200 OK\r\n")
    assert b"\r\n\r\nHTTP/1.1 303 See Other\r\n" in answer and b"Location: /id/armistice-of-cassibile.ttl" in answer


def test_a_request_body_left_unread_closes_the_connection(served):
    """A refused POST's body is never read: left on the connection, it would be read as the next request."""
    with connect(served) as connection:
        status, headers, _ = ask(connection, "POST", "/index.html", {"Content-Type": "text/plain"}, b"GET /smuggled HTTP/1.1\r\n\r\n")
        assert status == 405 and headers["connection"] == "close"


@pytest.mark.parametrize("path", ["/index.html", ENTITY + ".ttl", "/cassibile.nq", "/static/site.css"])
def test_if_none_match_with_the_etag_gets_304_without_a_body(served, path):
    with connect(served) as connection:
        status, headers, body = ask(connection, "GET", path)
        assert status == 200 and headers["cache-control"] == "max-age=300"
        etag = headers["etag"]
        assert etag.startswith('"') and etag.endswith('"') and not etag.startswith("W/")  # strong: byte for byte
        for tags in (etag, f'"other", {etag}', "W/" + etag, "*"):
            status, revalidated, body = ask(connection, "GET", path, {"If-None-Match": tags})
            assert (status, body) == (304, b""), tags
            assert revalidated["etag"] == etag and revalidated["cache-control"] == "max-age=300"
            assert "content-length" not in revalidated and "content-type" not in revalidated
        status, _, body = ask(connection, "GET", path, {"If-None-Match": '"not-this-one"'})
        assert status == 200 and body
        status, _, body = ask(connection, "GET", path, {"If-Modified-Since": headers["last-modified"]})
        assert (status, body) == (304, b"")


def test_the_etag_is_the_same_for_the_same_bytes_and_differs_per_file(served, built):
    """A hash of the bytes, not of the file's date: two identical builds keep every cache valid."""
    tags = {path: fetch(served, path, "HEAD")[1]["etag"] for path in ("/index.html", "/it/index.html", ENTITY + ".ttl")}
    assert len(set(tags.values())) == 3
    assert fetch(served, "/index.html", "HEAD")[1]["etag"] == tags["/index.html"]


@pytest.mark.parametrize(("path", "file"), [
    ("/index.html", "site/index.html"),
    (ENTITY + ".ttl", "site/id/armistice-of-cassibile.ttl"),
    (ENTITY + ".jsonld", "site/id/armistice-of-cassibile.jsonld"),
    ("/cassibile.nq", "cassibile.nq"),
    ("/cassibile.trig", "cassibile.trig"),
])
def test_text_and_rdf_are_sent_gzipped_to_clients_that_accept_it(served, built, path, file):
    with connect(served) as connection:
        status, plain, body = ask(connection, "GET", path)
        assert status == 200 and "content-encoding" not in plain and body == (built / file).read_bytes()
        status, headers, packed = ask(connection, "GET", path, {"Accept-Encoding": "br;q=1.0, gzip;q=0.8, *;q=0.1"})
        assert status == 200 and headers["content-encoding"] == "gzip"
        assert gzip.decompress(packed) == (built / file).read_bytes()
        assert int(headers["content-length"]) == len(packed) < len(body)
        assert headers["vary"] == plain["vary"] == "Accept-Encoding"
        assert headers["content-type"] == plain["content-type"]
        assert headers["etag"] != plain["etag"]  # another representation, another tag
        assert ask(connection, "GET", path, {"Accept-Encoding": "gzip", "If-None-Match": headers["etag"]})[0] == 304
        assert ask(connection, "GET", path, {"Accept-Encoding": "identity", "If-None-Match": headers["etag"]})[0] == 200
        for refused in ("identity", "gzip;q=0, deflate", "*;q=0"):
            assert "content-encoding" not in ask(connection, "HEAD", path, {"Accept-Encoding": refused})[1], refused


def test_the_n_quads_dump_is_served_compressed(served, built):
    """The whole dataset in one file: the dump the issue names."""
    status, headers, packed = fetch(served, "/cassibile.nq", headers={"Accept-Encoding": "gzip, deflate"})
    size = (built / "cassibile.nq").stat().st_size
    assert status == 200 and headers["content-encoding"] == "gzip" and headers["content-type"] == "application/n-quads"
    assert gzip.decompress(packed) == (built / "cassibile.nq").read_bytes()
    print(f"cassibile.nq: {size} bytes, {len(packed)} gzip-compressed ({len(packed) / size:.1%})")
    assert len(packed) < size / 4


@pytest.mark.parametrize(("content_type", "expected"), [
    ("text/html; charset=utf-8", True), ("application/n-quads", True), ("application/ld+json", True),
    ("application/rdf+xml", True), ("image/svg+xml", True), ("text/javascript", True),
    ("image/png", False), ("image/jpeg", False), ("font/woff2", False), ("application/gzip", False),
    ("application/zip", False), ("application/octet-stream", False),
])
def test_only_uncompressed_kinds_of_file_are_compressed(content_type, expected):
    assert compressible(content_type) is expected


@pytest.mark.parametrize(("path", "headers"), [
    ("/index.html", {}),
    ("/index.html", {"Accept-Encoding": "gzip"}),
    ("/cassibile.nq", {"Accept-Encoding": "gzip"}),
    (ENTITY, {"Accept": "text/turtle"}),
    (ENTITY, {"Accept": "image/png"}),
    ("/id/no-such-thing", {}),
    ("/sparql?" + urllib.parse.urlencode({"query": "ASK { ?s ?p ?o }"}), {"Accept": "application/sparql-results+json"}),
])
def test_head_has_the_headers_of_get_and_no_body(served, path, headers):
    with connect(served) as connection:
        got = ask(connection, "GET", path, headers)
        head = ask(connection, "HEAD", path, headers)
        assert head[2] == b"" and head[0] == got[0]
        assert int(head[1]["content-length"]) == len(got[2])
        assert {k: v for k, v in head[1].items() if k != "date"} == {k: v for k, v in got[1].items() if k != "date"}


def test_cache_headers_per_kind_of_answer(served):
    with connect(served) as connection:
        _, redirect, _ = ask(connection, "GET", ENTITY, {"Accept": "text/html"})
        assert redirect["cache-control"] == "max-age=300" and redirect["vary"] == "Accept"  # a cache keeps one per Accept
        assert 'rel="describedby"' in redirect["link"]
        query = urllib.parse.urlencode({"query": "ASK { ?s ?p ?o }"})
        _, answer, _ = ask(connection, "GET", "/sparql?" + query, {"Accept": "application/sparql-results+json"})
        assert answer["cache-control"] == "no-store"
        assert "ETag" in ask(connection, "OPTIONS", "/sparql")[1]["access-control-expose-headers"]


def test_the_ontology_version_iri_negotiates_like_other_iris(served, built):
    """Regression: a dot in the last segment (ontology/1.1.0) was taken for a file name, and the IRI was 404."""
    version = Graph().parse(built / "ontology.ttl").value(URIRef("https://w3id.org/cassibile/ontology"), OWL.versionIRI)
    assert isinstance(version, URIRef)
    path = "/" + str(version).removeprefix("https://w3id.org/cassibile/")
    with connect(served) as connection:
        for accept, suffix in (("text/turtle", ".ttl"), ("application/ld+json", ".jsonld"), ("text/html, */*;q=0.8", ".ttl")):
            status, headers, _ = ask(connection, "GET", path, {"Accept": accept})
            assert (status, headers["location"]) == (303, path + suffix), accept
            status, _, body = ask(connection, "GET", headers["location"])
            assert status == 200 and body == (built / "site" / (path.lstrip("/") + suffix)).read_bytes()
        assert ask(connection, "GET", path + ".ttl")[0] == 200  # the file itself is a file


# --- where it listens, and how many ----------------------------------------------------------------

def listening_address(port: int) -> str:
    """The IPv4 address a local TCP port listens on, from /proc/net/tcp."""
    with open("/proc/net/tcp", encoding="utf-8") as table:
        for line in table.readlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, listening_port = local.split(":")
            if state == "0A" and int(listening_port, 16) == port:
                return socket.inet_ntoa(bytes.fromhex(address)[::-1])
    raise AssertionError(f"nothing listens on port {port}")


def test_it_listens_on_127_0_0_1_by_default(built, tmp_path):
    process, url = start_serve(built, tmp_path / "stderr.log")
    try:
        assert url.startswith("http://127.0.0.1:")
        assert listening_address(urllib.parse.urlsplit(url).port) == "127.0.0.1"
    finally:
        stop(process)
    assert "listening on" not in (tmp_path / "stderr.log").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def elsewhere(built, tmp_path_factory):
    """`cassibile serve --host 127.0.0.2`: another address, still on this machine (process, base URL, stderr log)."""
    log = tmp_path_factory.mktemp("host") / "stderr.log"
    process, url = start_serve(built, log, "--host", "127.0.0.2")
    yield process, url, log
    stop(process)


def test_another_host_is_used_when_asked_and_said_on_stderr(elsewhere):
    _, url, log = elsewhere
    port = urllib.parse.urlsplit(url).port
    assert url.startswith("http://127.0.0.2:") and listening_address(port) == "127.0.0.2"
    assert fetch(url, "/index.html")[0] == 200
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=5)
    assert "listening on 127.0.0.2, a loopback address" in log.read_text(encoding="utf-8")


def test_connections_are_bounded_in_number_and_idle_time(elsewhere):
    """Each open connection holds a thread: past MAX_CONNECTIONS the next gets 503 at once, and one that stays
    idle for KEEP_ALIVE seconds is closed by the server, which frees its place."""
    _, url, _ = elsewhere
    where = urllib.parse.urlsplit(url)
    idle = [socket.create_connection((where.hostname, where.port), timeout=KEEP_ALIVE + 30) for _ in range(MAX_CONNECTIONS)]
    try:
        with socket.create_connection((where.hostname, where.port), timeout=30) as extra:
            answer = b""
            while chunk := extra.recv(1 << 16):
                answer += chunk
        assert answer.startswith(b"HTTP/1.1 503 ") and b"Retry-After: 5" in answer and b"too many connections" in answer
        for connection in idle:
            assert connection.recv(1) == b""  # closed by the server, with nothing sent
    finally:
        for connection in idle:
            connection.close()
    assert fetch(url, "/index.html")[0] == 200
