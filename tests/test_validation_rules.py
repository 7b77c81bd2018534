"""The linear forms of the rules that were quadratic, the violation queries rewritten for rdflib's engine, and the
incremental `Checker`: each gives exactly what its reference gives (the rule's query, the previous formulation, on
oxigraph and on rdflib, one validation of the whole union)."""

from __future__ import annotations

import random
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS
from rdflib.plugins.sparql import prepareQuery
from test_shapes import PROJECT, ROOT, WORLD, _fixtures, expected, fixture_dataset

from cassibile.build import reasoning_input
from cassibile.namespaces import CAS, FACT, GRAPH, ID, OA, SHAPES, SOURCE, WIKIBASE
from cassibile.pipeline import derive, reason
from cassibile.pipeline.load import load_project
from cassibile.pipeline.store import LayerStore, StoreView
from cassibile.pipeline.validate import (
    LABEL_NOT_IN_SOURCE,
    Checker,
    annotate,
    label_not_in_source_violations,
    occurring,
    violations,
)
from cassibile.sparql.query import run_local, store_from_graph
from cassibile.terms import to_oxigraph

LABEL_QUERY = PROJECT.query_dir / LABEL_NOT_IN_SOURCE


def by_query(store: ox.Store) -> list[tuple]:
    """The rule as its query states it (quadratic, fine on small graphs)."""
    result = run_local(store, LABEL_QUERY.read_text(encoding="utf-8"))
    rows = [dict(zip(result.variables, row)) for row in result.rows]
    return sorted((str(r["focus"]), str(r["path"]), str(r["value"]), str(r.get("message") or LABEL_QUERY.stem)) for r in rows)


def by_python(source) -> list[tuple]:
    return sorted((v.focus, v.path, v.value, v.message) for v in label_not_in_source_violations(source))


@pytest.mark.parametrize("path", _fixtures("valid") + _fixtures("invalid"), ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_label_rule_in_python_equals_its_query_on_every_fixture(path):
    dataset = fixture_dataset(path)
    graph = dataset.ontology + dataset.data + derive.derived(dataset)
    store = store_from_graph(graph)
    assert by_python(store) == by_query(store) == by_python(graph)


def test_label_rule_in_python_equals_its_query_on_the_project():
    dataset = load_project(PROJECT)
    graph = dataset.ontology + dataset.data + derive.source_text_graph(dataset)
    store = store_from_graph(graph)
    assert by_python(store) == by_query(store) == by_python(graph)


def random_labels(seed: int) -> Graph:
    """Labels and texts over a tiny alphabet, so that labels overlap, nest and share prefixes in the texts."""
    rng = random.Random(seed)
    graph = Graph()
    word = lambda: "".join(rng.choice("ab.*(") for _ in range(rng.randint(0, 5)))  # noqa: E731 (regex characters too)
    for n in range(6):
        language = rng.choice(["en", "it", None])
        source = SOURCE[f"s{n}"]
        graph.add((source, RDF.type, CAS.Source))
        graph.add((source, CAS.fullText, Literal(" ".join(word() for _ in range(8)), lang=language)))
    for n in range(60):
        entity, label = ID[f"e{n}"], Literal(word(), lang=rng.choice(["en", "it", "de", None]))
        graph.add((entity, RDFS.label, label))
        if rng.random() < 0.2:
            graph.add((entity, CAS.editorialLabel, label))
    graph.add((ID["long"], RDFS.label, Literal("ab" * 200, lang="en")))  # longer than the trie takes
    graph.add((ID["iri"], RDFS.label, URIRef("http://example.org/not-a-literal")))
    graph.add((URIRef("http://example.org/outside-id"), RDFS.label, Literal("zzz", lang="en")))
    return graph


@pytest.mark.parametrize("seed", range(8))
def test_label_rule_in_python_equals_its_query_on_random_labels(seed):
    graph = random_labels(seed)
    store = store_from_graph(graph)
    found = by_python(store)
    assert found == by_query(store) == by_python(graph)
    assert found  # some labels are in no text


def test_occurring_finds_nested_overlapping_and_repeated_words():
    texts = ["Roma Nord and Romagna", "x"]
    words = {"Roma", "Roma Nord", "Nord", "magna", "oma", "Romagna", "Milano", "", "a" * 400, "d a"}
    assert occurring(words, texts) == {"Roma", "Roma Nord", "Nord", "magna", "oma", "Romagna", "", "d a"}
    assert occurring(words, []) == set()


# The formulation the single-valued queries had (a FILTER EXISTS per fact: quadratic), as their reference.
FORMER = {
    "single-valued-preferred-violation.rq": """
SELECT ?focus ?path (GROUP_CONCAT(STR(?fact); separator=" ") AS ?value) WHERE {
  ?path a cas:SingleValuedProperty .
  ?fact a cas:Fact ; rdf:subject ?focus ; rdf:predicate ?path ; rdf:object ?object ; cas:rank wikibase:PreferredRank .
  FILTER EXISTS {
    ?other a cas:Fact ; rdf:subject ?focus ; rdf:predicate ?path ; rdf:object ?otherObject ; cas:rank wikibase:PreferredRank .
    FILTER (!sameTerm(?otherObject, ?object))
  }
} GROUP BY ?focus ?path""",
    "single-valued-unranked-violation.rq": """
SELECT ?focus ?path (GROUP_CONCAT(STR(?fact); separator=" ") AS ?value) WHERE {
  ?path a cas:SingleValuedProperty .
  ?fact a cas:Fact ; rdf:subject ?focus ; rdf:predicate ?path ; rdf:object ?object ; cas:rank wikibase:NormalRank .
  FILTER EXISTS {
    ?other a cas:Fact ; rdf:subject ?focus ; rdf:predicate ?path ; rdf:object ?otherObject ; cas:rank wikibase:NormalRank .
    FILTER (!sameTerm(?otherObject, ?object))
  }
  FILTER NOT EXISTS { ?preferred a cas:Fact ; rdf:subject ?focus ; rdf:predicate ?path ; cas:rank wikibase:PreferredRank . }
} GROUP BY ?focus ?path""",
}
PREFIXES = "PREFIX cas: <https://w3id.org/cassibile/ontology#> PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> " \
           "PREFIX wikibase: <http://wikiba.se/ontology#>\n"


def random_facts(seed: int) -> ox.Store:
    """Facts on few subjects and values, with every rank and sometimes two objects or none."""
    rng, graph = random.Random(seed), Graph()
    for prop in ("pointInTime", "inception"):
        graph.add((CAS[prop], RDF.type, CAS.SingleValuedProperty))
    for n in range(400):
        fact = FACT[f"f{n}"]
        graph.add((fact, RDF.type, CAS.Fact))
        graph.add((fact, RDF.subject, ID[f"s{rng.randrange(60)}"]))
        graph.add((fact, RDF.predicate, CAS[rng.choice(["pointInTime", "inception", "participant"])]))
        graph.add((fact, CAS.rank, WIKIBASE[rng.choice(["PreferredRank", "NormalRank", "NormalRank", "DeprecatedRank"])]))
        for _ in range(rng.choice([0, 1, 1, 1, 2])):
            graph.add((fact, RDF.object, Literal(rng.randrange(3))))
    return store_from_graph(graph)


@pytest.mark.parametrize("name", sorted(FORMER))
@pytest.mark.parametrize("seed", range(4))
def test_single_valued_queries_equal_their_former_formulation(name, seed):
    store = random_facts(seed)
    grouped = run_local(store, (PROJECT.query_dir / name).read_text(encoding="utf-8")).rows
    former = run_local(store, PREFIXES + FORMER[name]).rows
    assert grouped
    for row in grouped:  # the competing facts are listed in order, so that the report is the same on any engine
        assert str(row[2]).split() == sorted(str(row[2]).split())
    assert sorted((str(f), str(p), sorted(str(v).split())) for f, p, v, _ in grouped) == \
        sorted((str(f), str(p), sorted(str(v).split())) for f, p, v in former)


def invalid_fixture_layers(name: str):
    dataset = fixture_dataset(next(p for p in _fixtures("invalid") if p.stem == name))
    return dataset, [dataset.ontology, dataset.data, derive.derived(dataset)]


@pytest.mark.parametrize("name", ["label-not-in-source", "qualifier-of-wrong-kind", "two-preferred-dates", "unverified-qid"])
def test_checker_fed_layer_by_layer_equals_one_validation_of_the_union(name):
    dataset, layers = invalid_fixture_layers(name)
    checker = Checker(PROJECT, dataset)
    checker.add(layers[0])
    checker.add(layers[1])
    partial = checker.violations()
    checker.add(layers[2])
    union = layers[0] + layers[1] + layers[2]
    assert checker.violations() == violations(PROJECT, dataset, union) != []
    assert partial == violations(PROJECT, dataset, layers[0] + layers[1])


def test_checking_the_shapes_in_a_forked_process_finds_what_one_process_finds():
    rules = set()
    for path in _fixtures("invalid"):
        dataset = fixture_dataset(path)
        checker = Checker(PROJECT, dataset)
        for layer in (dataset.ontology, dataset.data, derive.derived(dataset)):
            checker.add(layer)
        alone = checker.violations()
        assert checker.violations(jobs=2) == alone != [], path.stem
        rules |= {"shape" if v.rule.startswith(str(SHAPES)) else v.rule.split("/")[0] for v in alone}
    assert {"queries", "shape"} <= rules  # both halves of the work, in the fixtures' violations


def test_checker_on_layers_in_named_graphs_equals_one_validation_of_the_union():
    """As the build runs it: each layer in its named graph of one store, the asserted one twice (under another name
    too), so that every asserted triple is in two graphs of the union. The report lists each competing fact once
    (the queries' GROUP_CONCAT would list it twice on oxigraph's union of the graphs), and both graphs keep it."""
    dataset, layers = invalid_fixture_layers("two-preferred-dates")
    names = [GRAPH["ontology"], GRAPH["asserted"], GRAPH["derived"], "urn:x-test:asserted-again"]
    store = LayerStore()
    checker = Checker(PROJECT, dataset, store)
    for name, layer in zip(names, layers + [layers[1]]):
        checker.add(layer, name)
    assert checker.violations() == violations(PROJECT, dataset, layers[0] + layers[1] + layers[2]) != []
    assert store.triples(names[1]) == store.triples(names[3]) and len(store.triples(names[1])) == len(layers[1])


def test_checker_takes_oxigraph_triples_as_a_layer():
    dataset, layers = invalid_fixture_layers("fact-without-claim")
    checker = Checker(PROJECT, dataset)
    for layer in layers:
        checker.add(ox.Triple(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o)) for s, p, o in layer)
    assert checker.violations() == violations(PROJECT, dataset, layers[0] + layers[1] + layers[2]) != []


@pytest.mark.parametrize("path", _fixtures("invalid"), ids=lambda p: p.stem)
def test_annotations_from_the_store_equal_those_from_an_rdflib_graph(path):
    dataset = fixture_dataset(path)
    graph = dataset.ontology + dataset.data + derive.derived(dataset)
    found = violations(PROJECT, dataset, graph)
    bare = [v.__class__(v.rule, v.message, v.focus, v.path, v.value, v.component, v.severity) for v in found]
    assert annotate(bare, dataset, StoreView(store_from_graph(graph))) == annotate(bare, dataset, graph) == found


# --- the violation queries rewritten for rdflib's engine -------------------------------------------------------

# Each with the formulation it had before as its reference (tests/fixtures/former-queries/): on rdflib's engine, which
# the straightforward pipeline of benchmarks/run.py uses, those took from 1.4 s to minutes each at 10k triples.
FORMER_QUERIES = sorted((ROOT / "tests" / "fixtures" / "former-queries").glob("*-violation.rq"))
ROW = ("focus", "path", "value", "message")


def rows_on_oxigraph(store: ox.Store, text: str) -> set[tuple[str, ...]]:
    result = run_local(store, text)
    return {tuple(str(dict(zip(result.variables, row)).get(v) or "") for v in ROW) for row in result.rows}


def rows_on_rdflib(graph: Graph, query) -> set[tuple[str, ...]]:
    return {tuple(str(cells.get(v) or "") for v in ROW) for cells in (row.asdict() for row in graph.query(query))}


@pytest.fixture(scope="module")
def rewritten() -> list[tuple[str, str, object, str]]:
    """(name, text, rdflib's prepared query, former text) of each rewritten query."""
    found = []
    for former in FORMER_QUERIES:
        text = (PROJECT.query_dir / former.name).read_text(encoding="utf-8")
        found.append((former.name, text, prepareQuery(text), former.read_text(encoding="utf-8")))
    return found


def rows_of_each(graph: Graph, rewritten) -> dict[str, set[tuple[str, ...]]]:
    """Each rewritten query's rows, once it has given the same rows on oxigraph, on rdflib and as it was written before."""
    store, found = store_from_graph(graph), {}
    for name, text, prepared, former in rewritten:
        found[name] = rows_on_oxigraph(store, text)
        assert found[name] == rows_on_oxigraph(store, former), f"{name}: not the rows it gave before"
        assert rows_on_rdflib(graph, prepared) == found[name], f"{name}: other rows on rdflib"
    return found


def test_every_rewritten_query_has_its_former_formulation():
    assert [p.name for p in FORMER_QUERIES] == [
        "duplicate-claim-violation.rq", "entity-class-violation.rq", "fact-object-violation.rq",
        "missing-label-violation.rq", "quote-anchor-violation.rq", "retired-node-violation.rq"]


def breaks_a_rewritten_query(fixture: Path) -> bool:
    return any(f"queries/{query.name}" == rule for query in FORMER_QUERIES for rule, *_ in expected(fixture))


@pytest.mark.parametrize("path", _fixtures("valid") + [p for p in _fixtures("invalid") if breaks_a_rewritten_query(p)],
                         ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_rewritten_queries_give_their_former_rows_on_both_engines_on_the_fixtures(path, rewritten):
    """Without the inferred triples, rows exactly where the fixture expects a violation of that query; and with
    them, as the build validates a second time (more classes, and owl:sameAs copies)."""
    dataset = fixture_dataset(path)
    graphs = {"ontology": dataset.ontology, "asserted": dataset.data, "derived": derive.derived(dataset)}
    found = rows_of_each(graphs["ontology"] + graphs["asserted"] + graphs["derived"], rewritten)
    expected_rules = {rule for rule, *_ in expected(path)}
    assert {name for name, rows in found.items() if rows} == {name for name in found if f"queries/{name}" in expected_rules}
    rows_of_each(graphs["ontology"] + graphs["asserted"] + graphs["derived"] + reason.inferred(reasoning_input(dataset.layers)), rewritten)


# What the rewritten queries read: changing it breaks their rules in ways no fixture spells out.
READ = {RDF.type, RDFS.label, CAS.quote, CAS.source, RDF.predicate, RDF.object, OA.hasTarget, OA.hasSource,
        OA.hasSelector, OA.exact, OA.prefix, OA.suffix, OA.start, OA.end}


def mutated_world(seed: int) -> Graph:
    """The fixture world, asserted and derived, with six of the triples the queries read deleted (with their
    property's other values), copied, moved, misspelt, retired or written twice at random."""
    dataset = fixture_dataset(WORLD)
    rng = random.Random(seed)
    data = dataset.data + derive.derived(dataset)
    read = {p: sorted(data.triples((None, p, None))) for p in sorted(READ)}  # a property first: few are labels
    for _ in range(6):
        s, p, o = rng.choice(read[rng.choice(sorted(read))])
        action = rng.randrange(6)
        if action == 0:  # the subject loses the property
            data.remove((s, p, None))
        elif action == 1:  # another subject's value
            data.add((s, p, rng.choice(read[p])[2]))
        elif action == 2:  # the value given to another subject
            data.add((rng.choice(read[rng.choice(sorted(read))])[0], p, o))
        elif action == 3:  # a misspelt IRI
            data.add((s, p, URIRef(f"{o}x")) if isinstance(o, URIRef) and rng.random() < 0.5 else (URIRef(f"{s}x"), p, o))
        elif action == 4:
            data.add((s, OWL.deprecated, Literal(True)))
        else:  # the subject written twice, under two IRIs
            for _, q, v in list(data.triples((s, None, None))):
                data.add((URIRef(f"{s}-copy"), q, v))
    return dataset.ontology + data


def test_rewritten_queries_give_their_former_rows_on_both_engines_on_mutated_worlds(rewritten):
    broken = set()
    for seed in range(32):
        broken |= {name for name, rows in rows_of_each(mutated_world(seed), rewritten).items() if rows}
    assert broken == {name for name, *_ in rewritten}  # every rule is broken in some world
