"""The test server is a real oxigraph process: it answers SPARQL over HTTP and is stopped after use."""

import json
import urllib.parse
import urllib.request


def test_server_serves_the_built_dataset_and_stops(sparql_server, built):
    server = sparql_server(built / "cassibile.nq")
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    request = urllib.request.Request(
        server.query_url + "?" + urllib.parse.urlencode({"query": query}),
        headers={"Accept": "application/sparql-results+json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        count = int(json.load(response)["results"]["bindings"][0]["n"]["value"])
    built_lines = len((built / "cassibile.nq").read_text(encoding="utf-8").splitlines())
    assert count == built_lines  # the union default graph sees every named graph
    process = server.process
    server.stop()
    assert process.poll() is not None
