"""`cassibile serve` over real HTTP: content negotiation, 406, Link, CORS, data dumps, SPARQL, Ctrl-C."""

from __future__ import annotations

import http.client
import json
import os
import signal
import urllib.parse

import pytest
from rdflib import Graph, Literal
from rdflib.namespace import RDF, XSD
from SPARQLWrapper import JSON, SPARQLWrapper

from cassibile.namespaces import CAS, ID
from cassibile.serve import OFFERS, negotiate
from conftest import run_cli, start_serve

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
    ("application/json", None),
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


@pytest.mark.parametrize("accept", ["application/json", "image/png", "text/plain", "text/turtle;q=0"])
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
    assert fetch(served, "/../../../etc/passwd")[0] == 404
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
    status, _, _ = fetch(served, "/sparql", method="POST", body=update,
                         headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert status >= 400
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

