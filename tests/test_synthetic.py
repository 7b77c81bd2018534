"""The synthetic project generator: its output is a valid project, deterministic, and as large as asked.

The generator (`cassibile synthetic`) feeds the benchmarks (benchmarks/run.py); these tests check
its output with the real command line and with plain Python, never with its own bookkeeping.
"""

import csv
import hashlib
from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest
from conftest import run_cli
from rdflib import Literal
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, XSD

from cassibile.namespaces import CAS, LANGUAGES, WIKIBASE
from cassibile.pipeline.load import load_project, stored_forms
from cassibile.project import Project
from cassibile.synthetic import EVIDENCE, FIRST_QID, write_project
from cassibile.terms import to_rdflib

SMALL = 3_000


@pytest.fixture(scope="module")
def small(root, tmp_path_factory) -> Path:
    """A small synthetic project written through the real command line."""
    out = tmp_path_factory.mktemp("synthetic") / "project"
    run_cli("synthetic", str(out), "--triples", str(SMALL), "--seed", "7", check=True)
    return out


@pytest.fixture(scope="module")
def dataset(small):
    return load_project(Project(small))


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_the_generated_project_builds_without_a_violation(small, tmp_path):
    result = run_cli("build", "--quiet", "--out", str(tmp_path / "dist"), cwd=small)
    assert result.returncode == 0, result.stderr
    report = (tmp_path / "dist" / "validation-report.txt").read_text(encoding="utf-8")
    assert "0 violations" in report
    assert (tmp_path / "dist" / "inferred.nt").stat().st_size > 0


def test_every_literal_is_written_as_a_store_keeps_it(small):
    """The loader refuses any other literal (docs/literals.md): the generator writes none that `fmt` would rewrite."""
    literals = sorted({triple.object for path in Project(small).graph_files
                       for triple in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE) if isinstance(triple.object, ox.Literal)}, key=str)
    assert {term.datatype.value.rsplit("#", 1)[1] for term in literals} >= {"date", "dateTime", "gYear", "gYearMonth", "langString", "string"}
    assert [term for term, form in zip(literals, stored_forms(literals)) if form != term] == []
    assert [term for term in literals if str(to_rdflib(term)) != term.value] == []


def test_the_project_copies_the_real_ontology_shapes_and_queries(root, small):
    for part in ("ontology", "shapes", "queries"):
        assert _files(small / part) == _files(root / part), part
    assert _files(small / "queries"), "no queries were copied"


def test_the_same_seed_gives_the_same_bytes_and_another_seed_does_not(root, tmp_path):
    first, second, other = (tmp_path / name for name in ("first", "second", "other"))
    write_project(first, 1_500, seed=3, template=root)
    write_project(second, 1_500, seed=3, template=root)
    write_project(other, 1_500, seed=4, template=root)
    assert _files(first / "graph") == _files(second / "graph")
    assert _files(first / "graph").keys() == _files(other / "graph").keys()
    assert _files(first / "graph") != _files(other / "graph")


def test_the_size_follows_the_argument(root, tmp_path, dataset):
    write_project(tmp_path / "larger", 4 * SMALL, seed=7, template=root)
    larger = len(load_project(Project(tmp_path / "larger")).data)
    small_size = len(dataset.data)
    assert SMALL <= small_size <= 1.5 * SMALL
    assert 4 * SMALL <= larger <= 4.5 * SMALL
    assert 3.3 < larger / small_size < 4.7


def test_the_generator_refuses_a_folder_that_is_not_empty(small):
    result = run_cli("synthetic", str(small), "--triples", "100")
    assert result.returncode == 2
    assert "not empty" in result.stderr


def test_sources_are_files_with_their_recorded_sha256(small, dataset):
    sources = sorted(dataset.data.subjects(RDF.type, CAS.Source))
    assert {str(dataset.data.value(s, DCTERMS.language)) for s in sources} == set(LANGUAGES)
    for source in sources:
        data = (small / "graph" / str(dataset.data.value(source, CAS.textFile))).read_bytes()
        assert hashlib.sha256(data).hexdigest() == str(dataset.data.value(source, CAS.sha256))


def test_every_quote_is_a_verbatim_passage_of_its_source_in_its_language(dataset):
    claims = sorted(dataset.data.subjects(RDF.type, CAS.Claim))
    assert len(claims) > 100
    wrong = []
    for claim in claims:
        source, quote = dataset.data.value(claim, CAS.source), dataset.data.value(claim, CAS.quote)
        if str(quote) not in dataset.source_texts[source] or quote.language != str(dataset.data.value(source, DCTERMS.language)):
            wrong.append(f"{claim}: {quote!r}")
    assert not wrong, "\n".join(wrong)


def test_labels_are_source_wordings_or_editorial_one_per_language(dataset):
    texts = {lang: [t for s, t in dataset.source_texts.items() if str(dataset.data.value(s, DCTERMS.language)) == lang] for lang in LANGUAGES}
    entities = sorted(set(dataset.data.subjects(CAS.editorialLabel, None)) | set(dataset.data.subjects(RDFS.label, None)))
    kinds, wrong = Counter(), []
    for entity in entities:
        labels = [(p, o) for p in (RDFS.label, CAS.editorialLabel) for o in dataset.data.objects(entity, p)]
        if sorted(o.language for _, o in labels) != sorted(LANGUAGES):
            wrong.append(f"{entity}: labels in {sorted(o.language for _, o in labels)}")
        for predicate, label in labels:
            used = any(str(label) in text for text in texts[label.language])
            kinds[predicate] += 1
            if used != (predicate == RDFS.label):
                wrong.append(f"{entity}: {predicate.n3()} {label.n3()} but a source of that language {'uses' if used else 'lacks'} it")
    assert not wrong, "\n".join(wrong)
    assert kinds[RDFS.label] > 0 and kinds[CAS.editorialLabel] > 0


def test_qids_are_synthetic_and_listed_as_verified_with_that_evidence(small, dataset):
    with open(small / "graph" / "wikidata" / "entities.tsv", encoding="utf-8", newline="") as table:
        rows = {row["qid"]: row for row in csv.DictReader(table, delimiter="\t")}
    linked = [str(o).rsplit("/", 1)[1] for o in dataset.data.objects(None, OWL.sameAs)]
    assert linked and len(set(linked)) == len(linked)
    for qid in linked:
        assert int(qid[1:]) >= FIRST_QID
        assert rows[qid]["status"] == "verified" and rows[qid]["evidence"] == EVIDENCE


def test_dates_come_in_every_precision_and_as_bounded_intervals(dataset):
    date_predicates = (CAS.pointInTime, CAS.startTime, CAS.endTime, CAS.dateOfDeath)
    objects = [dataset.data.value(f, RDF.object) for f in dataset.data.subjects(RDF.type, CAS.Fact)
               if dataset.data.value(f, RDF.predicate) in date_predicates]
    datatypes = {o.datatype for o in objects if isinstance(o, Literal)}
    assert datatypes == {XSD.gYear, XSD.gYearMonth, XSD.date, XSD.dateTime}
    spans = [o for o in objects if (o, RDF.type, CAS.TimeSpan) in dataset.data]
    assert spans
    for span in spans:
        assert str(dataset.data.value(span, CAS.earliest)) <= str(dataset.data.value(span, CAS.latest))


def test_disagreements_are_ranked_with_a_rationale(dataset):
    data = dataset.data
    by_statement = {}
    for fact in data.subjects(RDF.type, CAS.Fact):
        if data.value(fact, RDF.predicate) in (CAS.pointInTime, CAS.dateOfDeath):
            by_statement.setdefault((data.value(fact, RDF.subject), data.value(fact, RDF.predicate)), []).append(fact)
    disputed = [facts for facts in by_statement.values() if len(facts) > 1]
    assert disputed
    for facts in disputed:
        ranks = sorted(str(data.value(f, CAS.rank)) for f in facts)
        assert ranks.count(str(WIKIBASE.PreferredRank)) == 1, facts
        assert all(data.value(f, CAS.rankRationale) for f in facts), facts
        sources = {data.value(c, CAS.source) for f in facts for c in data.objects(f, CAS.supportedBy)}
        assert len(sources) > 1, facts
