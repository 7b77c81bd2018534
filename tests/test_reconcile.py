"""`cassibile wikidata reconcile`: scored candidates from a real SPARQL server, never a link written
by itself; `--accept` applies confirmed links as a change to review."""

from __future__ import annotations

import csv
import hashlib
import json
from pathlib import Path

import pytest
from conftest import run_cli
from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDFS

from cassibile.namespaces import WD
from cassibile.pipeline.load import load_project, parse_turtle
from cassibile.project import Project
from cassibile.publish.export import entities
from cassibile.publish.wikidata.reconcile import reconcile
from cassibile.publish.wikidata.statements import Alignment, Tables, statements
from cassibile.publish.wikidata.wdqs import Client

FIXTURES = Path(__file__).parent / "fixtures" / "wikidata"
GRAPH = Path(__file__).parent / "golden" / "quickstatements" / "graph.ttl"
ID = "https://w3id.org/cassibile/id/"


def test_candidates_are_scored_by_labels_class_and_dates(sparql_server, root):
    """Scores worked out by hand from the formula in reconcile.py's docstring."""
    server = sparql_server(FIXTURES / "wikidata.ttl")
    graph = parse_turtle(GRAPH)
    alignment = Alignment.read(graph, graph, Tables.read(root / "graph" / "wikidata"))
    found, _ = statements(graph, alignment)
    proposals = reconcile(graph, graph, alignment, found, Client(server.query_url, timeout=10, batch_size=2))
    got = {p.entity: [(c.qid, c.score, c.matched, c.classes, c.dates) for c in p.candidates] for p in proposals}
    assert got == {
        # alias in English (0.75), no class to compare (0.5), date agrees (1): 0.45 + 0.1 + 0.2
        ID + "announcement-of-the-armistice": [
            ("Q999022", 0.75, ["en alias"], [], ["P585 +1943-09-08T00:00:00Z/11 vs +1943-09-08T00:00:00Z/11: agrees"]),
            # label (1), no class (0.5), date differs (0): 0.6 + 0.1 + 0
            ("Q999023", 0.7, ["en label"], [], ["P585 +1943-09-08T00:00:00Z/11 vs +1918-11-11T00:00:00Z/11: differs"]),
        ],
        # both labels (1), human = cas:Person's closeMatch (1), no dates (0.5): 0.6 + 0.2 + 0.1
        ID + "giuseppe-castellano": [
            ("Q999020", 0.9, ["en label", "it label"], ["Q5"], []),
            # one of two labels (0.5): 0.3 + 0.2 + 0.1
            ("Q999021", 0.6, ["en label"], ["Q5"], []),
        ],
    }
    assert [p.label for p in proposals] == ["Announcement of the armistice", "Giuseppe Castellano"]
    assert proposals[1].candidates[0].description == "Italian general (1893–1977)"


def tree_digest(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            digest.update(str(path.relative_to(folder)).encode() + path.read_bytes())
    return digest.hexdigest()


def test_reconciling_the_real_graph_proposes_and_writes_nothing(sparql_server, project_copy):
    server = sparql_server(FIXTURES / "wikidata.ttl")
    before = tree_digest(project_copy / "graph")
    result = run_cli("wikidata", "reconcile", "--endpoint", server.query_url, "--format", "json", cwd=project_copy)
    assert result.returncode == 0, result.stderr
    assert tree_digest(project_copy / "graph") == before
    data = load_project(Project(project_copy)).data
    unlinked = {str(e) for e in entities(data) if (e, OWL.sameAs, None) not in data}
    proposals = json.loads(result.stdout)
    assert {p["entity"] for p in proposals} == unlinked
    fixture_items = {str(s).rsplit("/", 1)[-1] for s in Graph().parse(FIXTURES / "wikidata.ttl").subjects(RDFS.label, None)}
    for proposal in proposals:
        scores = [c["score"] for c in proposal["candidates"]]
        assert scores == sorted(scores, reverse=True) and all(0 <= s <= 1 for s in scores)
        assert {c["qid"] for c in proposal["candidates"]} <= fixture_items
    tsv = run_cli("wikidata", "reconcile", "--endpoint", server.query_url, "--format", "tsv", cwd=project_copy, check=True)
    assert tsv.stdout.splitlines()[0].split("\t")[:3] == ["entity", "qid", "score"]


def write_confirmed(path: Path, rows: list[tuple[str, str]]) -> Path:
    path.write_text("entity\tqid\n" + "".join(f"{e}\t{q}\n" for e, q in rows), encoding="utf-8")
    return path


@pytest.fixture
def two_unlinked(project_copy) -> tuple[URIRef, URIRef]:
    data = load_project(Project(project_copy)).data
    unlinked = [e for e in entities(data) if (e, OWL.sameAs, None) not in data]
    return unlinked[0], unlinked[1]


def test_accept_links_confirmed_entities_as_a_change_to_review(project_copy, two_unlinked, tmp_path):
    table = project_copy / "graph" / "wikidata" / "entities.tsv"
    unverified = "Q999030"  # a QID someone noted but could not verify; the person reviewing now confirms it
    table.write_text(table.read_text(encoding="utf-8") + f"{unverified}\tSomething\tagent\tunverified\tone weak hint\t\n", encoding="utf-8")
    rows_before = table.read_text(encoding="utf-8").splitlines()
    first, second = two_unlinked
    confirmed = write_confirmed(tmp_path / "confirmed.tsv", [(str(first), "Q999020"), (str(second), unverified)])
    result = run_cli("wikidata", "reconcile", "--accept", str(confirmed), cwd=project_copy)
    assert result.returncode == 0, result.stderr
    links = project_copy / "graph" / "entities" / "reconciled-links.ttl"
    assert set(parse_turtle(links)) == {(first, OWL.sameAs, WD.Q999020), (second, OWL.sameAs, WD[unverified])}
    assert run_cli("fmt", "--check", str(links), cwd=project_copy).returncode == 0
    assert f"{first} owl:sameAs wd:Q999020" in result.stdout
    rows_after = table.read_text(encoding="utf-8").splitlines()
    status = {r["qid"]: r["status"] for r in csv.DictReader(rows_after, delimiter="\t")}
    assert status["Q999020"] == "verified" and status[unverified] == "verified"
    changed = [i for i, (a, b) in enumerate(zip(rows_before, rows_after)) if a != b]
    assert len(changed) == 1 and rows_after[changed[0]].startswith(unverified + "\t")
    assert len(rows_after) == len(rows_before) + 1
    # The graph now carries the links, and accepting the same file again changes nothing.
    assert (first, OWL.sameAs, WD.Q999020) in load_project(Project(project_copy)).data
    again = run_cli("wikidata", "reconcile", "--accept", str(confirmed), cwd=project_copy)
    assert again.returncode == 1 and "already linked to Q999020" in again.stderr
    assert table.read_text(encoding="utf-8").splitlines() == rows_after


@pytest.mark.parametrize("rows, message", [
    ([("{first}", "X12")], "'X12' is not a QID"),
    ([(ID + "no-such-thing", "Q999020")], "no such entity in the graph"),
    ([("{first}", "Q999020"), ("{second}", "Q999020")], "confirmed twice"),
    ([("{first}", "Q200085")], "Q200085 already names another entity"),
])
def test_accept_refuses_a_wrong_file_and_changes_nothing(project_copy, two_unlinked, tmp_path, rows, message):
    first, second = two_unlinked
    rows = [(e.format(first=first, second=second), q) for e, q in rows]
    confirmed = write_confirmed(tmp_path / "confirmed.tsv", rows)
    before = tree_digest(project_copy / "graph")
    result = run_cli("wikidata", "reconcile", "--accept", str(confirmed), cwd=project_copy)
    assert result.returncode == 1 and message in result.stderr
    assert f"{confirmed}:" in result.stderr  # the file and line at fault
    assert tree_digest(project_copy / "graph") == before
