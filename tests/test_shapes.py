"""The publication's rules, proven on fixtures: every valid fixture conforms, every invalid one
fails with exactly the violations it announces.

Each fixture is read together with `tests/shapes/valid/world.ttl`, a small world that satisfies
every rule, so a fixture only adds the triples that break (or exercise) one rule. An invalid
fixture's first line says why it must fail; its `# expect: RULE FOCUS PATH COMPONENT` lines list
the exact violations (prefixed names as in `cassibile.namespaces`, `-` for no path, and `sparql`
for a `*-violation.rq` query).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pyshacl
import pytest
from rdflib import Graph

from cassibile.namespaces import CAS, GRAPH
from cassibile.pipeline import derive
from cassibile.pipeline.load import Dataset, load_files, new_graph
from cassibile.pipeline.store import LayerStore
from cassibile.pipeline.validate import violations
from cassibile.project import Project

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "shapes"
WORLD = FIXTURES / "valid" / "world.ttl"
PROJECT = Project(ROOT)
NAMES = new_graph().namespace_manager


def _fixtures(kind: str) -> list[Path]:
    return sorted((FIXTURES / kind).glob("*.ttl"))


@cache
def _ontology_and_shapes() -> tuple[Graph, Graph]:
    return load_files(PROJECT.ontology_files), load_files(PROJECT.shape_files)


def fixture_dataset(path: Path) -> Dataset:
    """The real ontology and shapes, with world.ttl and the fixture as the data, also in a store as the loader fills
    it; the sources' texts are the cas:fullText the fixtures give them (a build reads them from files)."""
    ontology, shapes = _ontology_and_shapes()
    layers = LayerStore.of({GRAPH["ontology"]: ontology})
    data = load_files(sorted({WORLD, path}), layers=layers, name=GRAPH["asserted"])
    return Dataset(ontology, data, shapes, source_texts={s: str(t) for s, t in data.subject_objects(CAS.fullText)}, layers=layers)


def check_fixture(path: Path) -> set[tuple[str, str, str, str]]:
    """(rule, focus, path, component) of every violation in world + fixture, before reasoning."""
    dataset = fixture_dataset(path)
    graph = dataset.ontology + dataset.data + derive.derived(dataset)
    return {(v.rule, v.focus, v.path, v.component) for v in violations(PROJECT, dataset, graph)}


def expected(path: Path) -> set[tuple[str, str, str, str]]:
    found = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("# expect: "):
            rule, focus, prop, component = line.removeprefix("# expect: ").split()
            found.add((
                rule if "/" in rule or ":" not in rule else _iri(rule),
                _iri(focus),
                "" if prop == "-" else "|".join(_iri(p) for p in prop.split("|")),
                "SPARQL violation query" if component == "sparql" else _iri(component) if ":" in component else component,
            ))
    return found


def _iri(curie: str) -> str:
    return str(NAMES.expand_curie(curie))


def test_fixture_folders_are_not_empty():
    assert len(_fixtures("valid")) >= 3
    assert len(_fixtures("invalid")) >= 25


@pytest.mark.parametrize("path", _fixtures("valid"), ids=lambda p: p.stem)
def test_valid_fixture_conforms(path):
    assert check_fixture(path) == set()


@pytest.mark.parametrize("path", _fixtures("invalid"), ids=lambda p: p.stem)
def test_invalid_fixture_fails_for_its_stated_reason(path):
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("# ") and len(lines[0]) > 20, f"{path.name}: the first line must say why it fails"
    wanted = expected(path)
    assert wanted, f"{path.name} lists no '# expect:' line"
    assert check_fixture(path) == wanted


def test_every_shape_and_violation_query_is_exercised_by_an_invalid_fixture():
    shapes = load_files(PROJECT.shape_files)
    named = {str(s) for s in shapes.subjects() if str(s).startswith("https://w3id.org/cassibile/shapes#")}
    rules = named | {f"queries/{q.name}" for q in PROJECT.query_dir.glob("*-violation.rq")} | {"wikidata-verified", "plain-fact"}
    covered = {rule for path in _fixtures("invalid") for rule, *_ in expected(path)}
    # S10 only gathers the entity rules S11 and S12 under one target; it has no constraint of its own.
    assert rules - covered == {"https://w3id.org/cassibile/shapes#S10-entity-is-named"}


def test_shapes_pass_meta_shacl():
    shapes = load_files(PROJECT.shape_files)
    conforms, _, text = pyshacl.validate(Graph(), shacl_graph=shapes, meta_shacl=True)
    assert conforms, text


def test_every_constraint_has_a_message_and_every_shape_a_rationale():
    from rdflib.namespace import RDF, RDFS

    from cassibile.namespaces import SH

    shapes = load_files(PROJECT.shape_files)
    for shape in set(shapes.subjects(RDF.type, SH.NodeShape)) | set(shapes.subjects(RDF.type, SH.PropertyShape)):
        assert shapes.value(shape, RDFS.comment), f"{shape} has no rdfs:comment rationale"
        constrained = [shape] + [p for p in shapes.objects(shape, SH.property)]
        for node in constrained:
            own = {p for p in shapes.predicates(node) if p not in (RDF.type, RDFS.comment, SH.property, SH.targetClass,
                                                               SH.targetSubjectsOf, SH.path, SH.message)}
            if own:
                assert shapes.value(node, SH.message), f"a constraint of {shape} has no sh:message"


def test_docs_list_every_rule():
    shapes = load_files(PROJECT.shape_files)
    text = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    rules = {NAMES.normalizeUri(s) for s in shapes.subjects() if str(s).startswith("https://w3id.org/cassibile/shapes#")}
    rules |= {f"queries/{q.name}" for q in PROJECT.query_dir.glob("*-violation.rq")} | {"wikidata-verified", "plain-fact"}
    assert {rule for rule in rules if f"`{rule}`" not in text} == set()
