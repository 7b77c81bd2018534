"""`cassibile serve` over real HTTP: content negotiation, 406, Link, CORS, data dumps, SPARQL, Ctrl-C."""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import time
import urllib.parse

import pytest
from conftest import run_cli, start_serve
from rdflib import Graph, Literal
from rdflib.namespace import RDF, XSD
from SPARQLWrapper import JSON, SPARQLWrapper

from cassibile.namespaces import CAS, ID
from cassibile.serve.server import OFFERS, negotiate

ARMISTICE = ID["armistice-of-cassibile"]
ENTITY_PATH = "/id/armistice-of-cassibile"


def fetch(base: str, path: str, method: str = "GET", headers: dict | None = None, body: bytes | None = None):
    """One request, redirects not followed: (status, headers with lower-case names, body)."""
    where = urllib.parse.urlsplit(base)
    connection = http.client.HTTPConnection(where.hostname, where.port, timeout=30)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


@pytest.mark.parametrize(("accept", "expected"), [
    (None, "text/html"),
    ("*/*", "text/html"),
    ("text/*", "text/html"),
    ("text/turtle", "text/turtle"),
    ("application/ld+json", "application/ld+json"),
    ("application/n-triples", "application/n-triples"),
    ("text/html;q=0.5, text/turtle;q=0.9", "text/turtle"),
    ("text/turtle;q=0.2, */*;q=0.1", "text/turtle"),
    ("application/*, text/html;q=0.1", "application/ld+json"),
    ("application/json", "application/ld+json"),  # what clients asking for JSON can read
    ("application/rdf+xml", "application/rdf+xml"),
    ("application/json;q=0.5, text/turtle", "text/turtle"),
    ("text/turtle;q=0, image/png", None),
])
def test_negotiation_picks_the_best_accepted_offer(accept, expected):
    assert negotiate(accept, OFFERS) == expected


@pytest.mark.parametrize(("accept", "suffix"), [(media, suffix) for media, suffix in OFFERS.items()])
def test_entity_iri_redirects_to_the_document_in_the_accepted_format(served, accept, suffix):
    status, headers, _ = fetch(served, ENTITY_PATH, headers={"Accept": accept})
    assert status == 303
    assert headers["location"] == ENTITY_PATH + suffix
    assert headers["vary"] == "Accept"
    status, headers, body = fetch(served, headers["location"])
    assert status == 200
    assert headers["content-type"].split(";")[0] == accept
    assert headers["access-control-allow-origin"] == "*"
    if suffix in (".ttl", ".nt"):
        graph = Graph().parse(data=body.decode("utf-8"), format="turtle" if suffix == ".ttl" else "nt")
        assert (ARMISTICE, RDF.type, CAS.Armistice) in graph
        assert (ARMISTICE, CAS.pointInTime, Literal("1943-09-03", datatype=XSD.date)) in graph
    elif suffix == ".jsonld":
        assert json.loads(body)["id"] == str(ARMISTICE)
    elif suffix == ".rdf":
        assert (ARMISTICE, RDF.type, CAS.Armistice) in Graph().parse(data=body, format="xml")
    else:
        assert b'<html lang="en">' in body and b"<h1>Armistice of Cassibile</h1>" in body


def test_redirect_has_describedby_links_to_every_format_and_cors(served):
    status, headers, _ = fetch(served, ENTITY_PATH, method="HEAD", headers={"Accept": "text/turtle"})
    assert status == 303
    links = {part.split(";")[0].strip(" <>") for part in headers["link"].split(",")}
    assert links == {ENTITY_PATH + suffix for suffix in OFFERS.values()}
    assert headers["link"].count('rel="describedby"') == len(OFFERS)
    assert headers["access-control-allow-origin"] == "*"
    assert "Link" in headers["access-control-expose-headers"]


@pytest.mark.parametrize("accept", ["application/xml", "image/png", "text/plain", "text/turtle;q=0", "text/turtle;q=abc", ";;;,,"])
def test_unacceptable_type_is_406_and_says_what_is_available(served, accept):
    status, headers, body = fetch(served, ENTITY_PATH, headers={"Accept": accept})
    assert status == 406
    assert 'rel="describedby"' in headers["link"]
    assert all(media in body.decode() for media in OFFERS)


def test_sources_ontology_and_dataset_iris_negotiate_too(served):
    for path in ("/source/en-article", "/ontology", "/dataset"):
        status, headers, _ = fetch(served, path, headers={"Accept": "text/turtle"})
        assert status == 303, path
        status, response_headers, body = fetch(served, headers["location"])
        assert status == 200 and response_headers["content-type"].startswith("text/turtle"), path
        assert len(Graph().parse(data=body.decode("utf-8"), format="turtle")) > 0, path


def test_data_dumps_beside_the_site_are_served_with_their_media_types(served, built):
    for name, media in (("cassibile.nq", "application/n-quads"), ("cassibile.trig", "application/trig"), ("asserted.ttl", "text/turtle")):
        status, headers, body = fetch(served, "/" + name)
        assert status == 200, name
        assert headers["content-type"].split(";")[0] == media
        assert headers["access-control-allow-origin"] == "*"
        assert body == (built / name).read_bytes()


def test_cors_preflight_is_answered(served):
    status, headers, _ = fetch(served, "/sparql", method="OPTIONS",
                               headers={"Origin": "http://example.org", "Access-Control-Request-Method": "POST"})
    assert status == 204
    assert headers["access-control-allow-origin"] == "*"
    assert "POST" in headers["access-control-allow-methods"]


def test_missing_things_are_404_without_listings_or_escapes(served):
    assert fetch(served, "/id/no-such-thing")[0] == 404
    assert fetch(served, "/id/")[0] == 404  # no folder listing
    assert fetch(served, "/../../../etc/passwd")[0] == 400  # refused outright: see the hostile requests below
    assert fetch(served, "/site/index.html")[0] == 404  # dist/ is reached only for its top-level files


def test_sparql_endpoint_answers_queries_on_the_built_graph(served):
    endpoint = SPARQLWrapper(served + "sparql")
    endpoint.setReturnFormat(JSON)
    endpoint.setQuery(f"""
        PREFIX cas: <{CAS}>
        ASK {{ <{ARMISTICE}> cas:pointInTime ?signed ; cas:publicationDate ?public .
              FILTER(?signed = "1943-09-03"^^<{XSD.date}> && ?signed < ?public) }}""")
    assert endpoint.query().convert()["boolean"] is True
    endpoint.setMethod("POST")
    endpoint.setQuery(f"SELECT (COUNT(?p) AS ?n) WHERE {{ ?p a <{CAS.Person}> }}")
    count = int(endpoint.query().convert()["results"]["bindings"][0]["n"]["value"])
    assert count >= 10


def test_sparql_endpoint_is_read_only(served):
    update = urllib.parse.urlencode({"update": "INSERT DATA { <urn:x> <urn:y> <urn:z> }"}).encode()
    status, _, body = fetch(served, "/sparql", method="POST", body=update,
                            headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 403 and b"read-only" in body
    query = urllib.parse.urlencode({"query": "ASK { <urn:x> <urn:y> <urn:z> }"})
    status, _, body = fetch(served, "/sparql?" + query, headers={"Accept": "application/sparql-results+json"})
    assert status == 200 and json.loads(body)["boolean"] is False


def test_query_page_is_the_sites_query_page_in_each_language(served, built):
    """/sparql/ is the site's generated sparql/index.html (no outside script), and so is each language's."""
    assert fetch(served, "/sparql")[1]["location"] == "/sparql/"
    for prefix in ("", "/it", "/de", "/pt"):
        status, headers, body = fetch(served, f"{prefix}/sparql/")
        assert status == 200 and headers["content-type"].startswith("text/html"), prefix
        assert body == (built / "site" / prefix.lstrip("/") / "sparql" / "index.html").read_bytes(), prefix
    status, headers, body = fetch(served, "/static/sparql.js")
    assert status == 200 and "javascript" in headers["content-type"] and b"CassibileQueries" in body


@pytest.mark.parametrize("kind", ["fact", "claim"])
def test_fact_and_claim_iris_negotiate_like_entities(served, built, kind):
    """/fact/<slug> and /claim/<slug>: 303 to the page or to the data, as the client accepts."""
    data = Graph().parse(built / "asserted.nt", format="nt")
    iri = next(iter(sorted(data.subjects(RDF.type, CAS.Fact if kind == "fact" else CAS.Claim))))
    path = "/" + str(iri).removeprefix("https://w3id.org/cassibile/")
    assert path.startswith(f"/{kind}/")
    for media, suffix in OFFERS.items():
        status, headers, _ = fetch(served, path, headers={"Accept": media})
        assert (status, headers["location"], headers["vary"]) == (303, path + suffix, "Accept"), media
        status, response_headers, body = fetch(served, headers["location"])
        assert status == 200 and response_headers["content-type"].split(";")[0] == media, media
        if suffix == ".ttl":
            assert (iri, RDF.type, None) in Graph().parse(data=body.decode("utf-8"), format="turtle")
        if suffix == ".html":
            assert f"<code>{iri}</code>".encode() in body


def _children(pid: int) -> list[int]:
    with open(f"/proc/{pid}/task/{pid}/children", encoding="utf-8") as f:
        return [int(p) for p in f.read().split()]


def test_ctrl_c_stops_the_server_and_the_sparql_server(built, tmp_path):
    process, url = start_serve(built, tmp_path / "stderr.log")
    oxigraph = _children(process.pid)
    assert oxigraph, "the SPARQL server runs as a child of `cassibile serve`"
    assert fetch(url, "/index.html")[0] == 200
    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=30) == 0
    process.stdout.close()
    for pid in oxigraph:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)
    with pytest.raises(OSError):
        fetch(url, "/index.html")


def test_serve_without_a_build_is_a_usage_error(tmp_path):
    result = run_cli("serve", "--port", "0", "--dist", str(tmp_path / "nothing"))
    assert result.returncode == 2
    assert "run `cassibile build` first" in result.stderr



def test_accept_json_gets_json_ld_and_rdf_xml_gets_rdf_xml(served):
    """Regression (issue 12): both were 406, though the build writes both."""
    for accept, suffix, media in (("application/json", ".jsonld", "application/ld+json"), ("application/rdf+xml", ".rdf", "application/rdf+xml")):
        status, headers, _ = fetch(served, ENTITY_PATH, headers={"Accept": accept})
        assert (status, headers["location"]) == (303, ENTITY_PATH + suffix)
        status, headers, body = fetch(served, headers["location"])
        assert status == 200 and headers["content-type"] == media
    assert (ARMISTICE, RDF.type, CAS.Armistice) in Graph().parse(data=body, format="xml")


# --- hostile requests ------------------------------------------------------------------------------

def raw_request(base: str, request: bytes) -> bytes:
    """Send bytes as they are (no client library would send these) and read the whole answer."""
    where = urllib.parse.urlsplit(base)
    with socket.create_connection((where.hostname, where.port), timeout=30) as connection:
        connection.sendall(request)
        answer = b""
        while chunk := connection.recv(1 << 16):
            answer += chunk
    return answer


HOSTILE = {
    "NUL in a path": (b"GET /id/%00 HTTP/1.0\r\n\r\n", 400),
    "NUL before a suffix": (b"GET /index.html%00.txt HTTP/1.0\r\n\r\n", 400),
    "NUL in the SPARQL path": (b"GET /sparql%00?query=ASK%7B%7D HTTP/1.0\r\n\r\n", 400),
    "a control character": (b"GET /id/a%0Ab HTTP/1.0\r\n\r\n", 400),
    "a segment too long for a file name": (b"GET /" + b"a" * 300 + b" HTTP/1.0\r\n\r\n", 414),
    "an entity slug too long": (b"GET /id/" + b"a" * 300 + b" HTTP/1.0\r\nAccept: text/turtle\r\n\r\n", 414),
    "a path of 5000 characters": (b"GET /" + b"a/" * 2500 + b" HTTP/1.0\r\n\r\n", 414),
    "a request line over 64 KiB": (b"GET /" + b"a" * 70000 + b" HTTP/1.0\r\n\r\n", 414),
    "bad percent-encoding": (b"GET /id/%zz%4 HTTP/1.0\r\n\r\n", 400),
    "percent-encoded bytes that are not UTF-8": (b"GET /id/%ff%fe HTTP/1.0\r\n\r\n", 400),
    "traversal": (b"GET /../../../etc/passwd HTTP/1.0\r\n\r\n", 400),
    "encoded traversal": (b"GET /%2e%2e/%2e%2e/etc/passwd HTTP/1.0\r\n\r\n", 400),
    "encoded slashes in a traversal": (b"GET /id/..%2f..%2f..%2fetc%2fpasswd HTTP/1.0\r\n\r\n", 400),
    "traversal in an absolute URI": (b"GET http://evil/../../etc/passwd HTTP/1.0\r\n\r\n", 400),
    "a protocol-relative path": (b"GET //evil.example/id HTTP/1.0\r\n\r\n", 404),  # the standard library makes it /evil.example/id
    "an absolute URI": (b"GET http://127.0.0.1/index.html HTTP/1.0\r\n\r\n", 400),
    "malformed Accept": (b"GET /id/armistice-of-cassibile HTTP/1.0\r\nAccept: ;;;,,q=abc;\xff\r\n\r\n", 406),
    "an impossible quality": (b"GET /id/armistice-of-cassibile HTTP/1.0\r\nAccept: text/turtle;q=nan\r\n\r\n", 406),
    "an unknown method": (b"FOO / HTTP/1.0\r\n\r\n", 405),
    "TRACE": (b"TRACE / HTTP/1.0\r\n\r\n", 405),
    "CONNECT": (b"CONNECT 127.0.0.1:22 HTTP/1.0\r\n\r\n", 405),
    "PUT a page": (b"PUT /index.html HTTP/1.0\r\nContent-Length: 1\r\n\r\nx", 405),
    "DELETE a page": (b"DELETE /index.html HTTP/1.0\r\n\r\n", 405),
    "POST a page": (b"POST /index.html HTTP/1.0\r\nContent-Length: 1\r\n\r\nx", 405),
    "a query length that is not a number": (b"POST /sparql HTTP/1.0\r\nContent-Length: abc\r\n\r\n", 400),
    "a negative query length": (b"POST /sparql HTTP/1.0\r\nContent-Length: -5\r\n\r\n", 400),
    "a 100 GB query": (b"POST /sparql HTTP/1.0\r\nContent-Length: 99999999999\r\n\r\n", 413),
    "a POST without a length": (b"POST /sparql HTTP/1.0\r\nContent-Type: application/sparql-query\r\n\r\n", 411),
    "a malformed request line": (b"\x00\x01\x02garbage\r\n\r\n", 400),
    "an unknown HTTP version": (b"GET / HTTP/9.9\r\n\r\n", 400),
    "HTTP/2 in clear text": (b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 400),
    "a header line over 64 KiB": (b"GET / HTTP/1.0\r\nX: " + b"y" * 70000 + b"\r\n\r\n", 431),
    "too many headers": (b"GET / HTTP/1.0\r\n" + b"X: y\r\n" * 200 + b"\r\n", 431),
    "a query that is not SPARQL": (b"GET /sparql?query=%ff%00 HTTP/1.0\r\n\r\n", 400),
}


@pytest.mark.parametrize("request_bytes, status", HOSTILE.values(), ids=HOSTILE.keys())
def test_a_bad_request_gets_a_4xx_with_a_status_line_never_a_dropped_connection(served_with_log, request_bytes, status):
    """Regression (issue 12): %00 was a ValueError and a dropped connection, a long name an OSError."""
    url, log = served_with_log
    answer = raw_request(url, request_bytes)
    assert answer.startswith(b"HTTP/1.") and int(answer.split()[1]) == status, answer[:200]
    assert "Traceback" not in log.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def served_with_log(built, tmp_path_factory):
    """A server of its own, whose log the test reads."""
    log = tmp_path_factory.mktemp("serve-log") / "stderr.log"
    process, url = start_serve(built, log)
    yield url, log
    stop(process)


def stop(process) -> None:
    process.send_signal(signal.SIGINT)
    process.wait(timeout=30)
    process.stdout.close()


# --- read-only on every port -------------------------------------------------------------------------

def process_tree(pid: int) -> list[int]:
    """The process and all its descendants (threads and processes come and go as this reads: those gone are skipped)."""
    found = [pid]
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except FileNotFoundError:
        return found
    for task in tasks:
        try:
            with open(f"/proc/{pid}/task/{task}/children", encoding="utf-8") as f:
                children = f.read().split()
        except FileNotFoundError:
            continue
        for child in children:
            found += process_tree(int(child))
    return found


def listening_ports(pids: list[int]) -> set[int]:
    """The TCP ports (IPv4 and IPv6) on which any of these processes listens: their socket inodes in /proc/net/tcp*."""
    inodes = set()
    for pid in pids:
        for fd in os.listdir(f"/proc/{pid}/fd") if os.path.isdir(f"/proc/{pid}/fd") else ():
            try:
                target = os.readlink(f"/proc/{pid}/fd/{fd}")
            except FileNotFoundError:
                continue
            if target.startswith("socket:["):
                inodes.add(target[8:-1])
    ports = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(table, encoding="utf-8") as f:
            for line in f.readlines()[1:]:
                fields = line.split()
                if fields[3] == "0A" and fields[9] in inodes:  # 0A: LISTEN
                    ports.add(int(fields[1].rsplit(":", 1)[1], 16))
    return ports


INJECTED = "<urn:cassibile:injected> <urn:cassibile:by> <urn:cassibile:attacker>"
WRITES = [
    ("POST", "{path}", {"Content-Type": "application/sparql-update"}, f"INSERT DATA {{ {INJECTED} }}"),
    ("POST", "{path}", {"Content-Type": "application/x-www-form-urlencoded"}, urllib.parse.urlencode({"update": f"INSERT DATA {{ {INJECTED} }}"})),
    ("POST", "{path}", {"Content-Type": "application/x-www-form-urlencoded"}, urllib.parse.urlencode({"update": "DROP ALL"})),
    ("GET", "{path}?" + urllib.parse.urlencode({"update": "DROP ALL"}), {}, None),
    ("GET", "{path}?" + urllib.parse.urlencode({"query": "DROP ALL"}), {}, None),  # an update sent as a query
    ("POST", "{path}", {"Content-Type": "application/sparql-query"}, f"INSERT DATA {{ {INJECTED} }}"),
    ("POST", "{path}", {"Content-Type": "application/x-www-form-urlencoded"}, urllib.parse.urlencode({"query": "CLEAR DEFAULT"})),
    ("PUT", "{path}?default", {"Content-Type": "application/n-triples"}, f"{INJECTED} ."),
    ("POST", "{path}?default", {"Content-Type": "application/n-triples"}, f"{INJECTED} ."),
    ("POST", "{path}", {"Content-Type": "application/n-triples"}, f"{INJECTED} ."),
    ("PUT", "{path}?graph=urn:cassibile:g", {"Content-Type": "text/turtle"}, f"{INJECTED} ."),
    ("DELETE", "{path}?graph=https://w3id.org/cassibile/graph/asserted", {}, None),
    ("DELETE", "{path}?default", {}, None),
]


def count_triples(base: str) -> int:
    query = urllib.parse.urlencode({"query": "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"})
    status, _, body = fetch(base, "/sparql?" + query, headers={"Accept": "application/sparql-results+json"})
    assert status == 200, body
    return int(json.loads(body)["results"]["bindings"][0]["n"]["value"])


def test_no_port_of_the_serve_process_tree_accepts_a_write(built, tmp_path):
    """Regression (issue 12): the oxigraph server behind the proxy was read-write on its own 127.0.0.1 port."""
    process, url = start_serve(built, tmp_path / "stderr.log")
    try:
        before = count_triples(url)
        ports = listening_ports(process_tree(process.pid))
        assert len(ports) >= 2, ports  # the site and the SPARQL server behind it
        proxy = urllib.parse.urlsplit(url).port
        for port in sorted(ports):
            base = f"http://127.0.0.1:{port}"
            for method, target, headers, body in WRITES:
                for path in ("/sparql", "/update", "/store", "/query", "/"):
                    if method == "GET" and path not in ("/sparql", "/update"):
                        continue  # a GET elsewhere reads a page or the store, whatever its parameters
                    status, _, answer = fetch(base, target.format(path=path), method, headers, body and body.encode())
                    assert 400 <= status < 500, (port, method, path, status, answer[:200])
                    says_why = path == "/sparql" if port == proxy else (path, method) in (("/update", "POST"), ("/store", "POST"),
                                                                                          ("/store", "PUT"), ("/store", "DELETE"))
                    if says_why:  # the endpoints that exist explain the refusal
                        assert b"read-only" in answer, (port, method, path, answer[:200])
        injected = urllib.parse.urlencode({"query": f"ASK {{ GRAPH ?g {{ {INJECTED} }} }}"})
        for port in sorted(ports):
            status, _, body = fetch(f"http://127.0.0.1:{port}", "/sparql?" + injected, headers={"Accept": "application/sparql-results+json"})
            assert status in (200, 404)
        assert json.loads(fetch(url, "/sparql?" + injected, headers={"Accept": "application/sparql-results+json"})[2])["boolean"] is False
        assert count_triples(url) == before
    finally:
        stop(process)


# --- bounded queries -----------------------------------------------------------------------------------

LIMIT = 2  # seconds: `serve --query-timeout` of the server below
RUNAWAY = {  # on ~30k triples each would run for minutes, or for ever
    "a count over three copies of the graph": "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }",
    "every pair of subjects, streamed": "SELECT DISTINCT ?a ?d WHERE { ?a ?b ?c . ?d ?e ?f }",
    "every pair of triples, sorted": "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?f ?a",
    "a property path over every pair": "ASK { ?a (<urn:p>|!<urn:p>)* ?b . ?b ?p ?c . ?d ?e ?f . FILTER(?c = ?f && ?a = 1) }",
}


@pytest.fixture(scope="module")
def limited(built, tmp_path_factory):
    """`cassibile serve --query-timeout 2`: (process, base URL)."""
    process, url = start_serve(built, tmp_path_factory.mktemp("limited") / "stderr.log", "--query-timeout", str(LIMIT))
    yield process, url
    stop(process)


def cpu_seconds(pid: int) -> float:
    """User and system time of a process and its descendants (those alive now)."""
    total = 0
    for each in process_tree(pid):
        try:
            with open(f"/proc/{each}/stat", encoding="utf-8") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except FileNotFoundError:  # ended meanwhile
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of proc(5))
    return total / os.sysconf("SC_CLK_TCK")


def settles(pid: int, within: float) -> float:
    """Seconds until the process tree is idle (under 0.2 s of CPU in a 1 s window); fails after `within` seconds."""
    started = time.monotonic()
    while time.monotonic() - started < within:
        before = cpu_seconds(pid)
        time.sleep(1)
        if cpu_seconds(pid) - before < 0.2:
            return time.monotonic() - started
    raise AssertionError(f"the serve process tree still works {within} s later")


def post_query(base: str, query: str):
    return fetch(base, "/sparql", "POST", {"Content-Type": "application/sparql-query", "Accept": "application/sparql-results+json"},
                 query.encode())


@pytest.mark.parametrize("query", RUNAWAY.values(), ids=RUNAWAY.keys())
def test_a_runaway_query_gets_503_naming_the_limit_and_its_work_stops(limited, query):
    """Regression (issue 12): a cross product kept a core busy for over five minutes; the proxy dropped it at 120 s."""
    process, url = limited
    status, headers, body = post_query(url, query)
    assert status == 503, body[:300]
    assert f"exceeded the {LIMIT} s limit" in body.decode() and headers["content-type"].startswith("text/plain")
    settles(process.pid, within=30)  # minutes, without the limit
    status, _, body = post_query(url, "ASK { ?s a ?class }")
    assert status == 200 and json.loads(body)["boolean"] is True  # and the endpoint still answers


def test_runaway_queries_of_clients_that_hang_up_stop_too(limited):
    """Two runaway queries (both cores, once) from clients that leave at once: their work ends at the limit."""
    process, url = limited
    where = urllib.parse.urlsplit(url)
    for query in (RUNAWAY["a count over three copies of the graph"], RUNAWAY["every pair of triples, sorted"]):
        body = query.encode()
        with socket.create_connection((where.hostname, where.port)) as connection:
            connection.sendall(b"POST /sparql HTTP/1.0\r\nContent-Type: application/sparql-query\r\n"
                               b"Content-Length: %d\r\n\r\n%s" % (len(body), body))
            time.sleep(0.5)
    time.sleep(LIMIT)
    settles(process.pid, within=30)
    status, _, body = post_query(url, "ASK { ?s a ?class }")
    assert status == 200 and json.loads(body)["boolean"] is True


def test_an_answer_too_large_to_hold_is_refused_naming_the_bound(served):
    """Answers are held whole (to turn a query cancelled halfway into an error), so their size is bounded too."""
    started = time.monotonic()
    status, _, body = post_query(served, "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f }")  # gigabytes, at tens of MB a second
    assert status == 507 and b"larger than 64 MiB; add a LIMIT" in body
    assert time.monotonic() - started < 30  # the size, not the 30 s limit, stopped it
