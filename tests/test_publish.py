"""`cassibile publish` loads the built dataset into a real SPARQL store, named graphs kept."""

import json
import urllib.parse
import urllib.request

from conftest import run_cli


def count(server, query):
    url = server.query_url + "?" + urllib.parse.urlencode({"query": query})
    request = urllib.request.Request(url, headers={"Accept": "application/sparql-results+json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return {b["g"]["value"]: int(b["n"]["value"]) for b in json.load(response)["results"]["bindings"]}


PER_GRAPH = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"


def expected_counts(nquads):
    counts = {}
    for line in nquads.read_text(encoding="utf-8").splitlines():
        graph = line.rstrip(" .").rsplit(" ", 1)[-1].strip("<>")
        counts[graph] = counts.get(graph, 0) + 1
    return counts


def test_publish_puts_every_named_graph_and_is_idempotent(sparql_server, built):
    server = sparql_server(read_only=False)  # a store to publish into
    for _ in range(2):  # a second publish replaces, never duplicates
        result = run_cli("publish", "--endpoint", server.store_url, "--data", str(built / "cassibile.nq"))
        assert result.returncode == 0, result.stderr
    assert count(server, PER_GRAPH) == expected_counts(built / "cassibile.nq")
    assert "https://w3id.org/cassibile/graph/asserted" in result.stdout + result.stderr


def test_publish_to_an_unreachable_store_is_a_clear_network_error(built):
    result = run_cli("publish", "--endpoint", "http://127.0.0.1:9/store", "--data", str(built / "cassibile.nq"))
    assert result.returncode == 3
    assert "cannot reach http://127.0.0.1:9/store" in result.stderr


def test_publish_rejects_a_non_http_endpoint_and_a_missing_dataset(tmp_path, built):
    assert run_cli("publish", "--endpoint", "ftp://x/store", "--data", str(built / "cassibile.nq")).returncode == 2
    missing = run_cli("publish", "--endpoint", "http://127.0.0.1:9/store", "--data", str(tmp_path / "none.nq"))
    assert missing.returncode == 2 and "run `cassibile build` first" in missing.stderr
