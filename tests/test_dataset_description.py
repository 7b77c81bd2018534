"""The dataset description (`dist/void.ttl`) against DCAT-AP 3.0.1: the SHACL shapes in
tests/dcat-ap/shapes.ttl, written from the specification, accept the real description; every
constraint that requires a value bites when that value is taken away; and each invalid fixture
fails for the reason its first line gives."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pyshacl
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, SH, XSD

from cassibile import __version__
from cassibile.namespaces import CAS, DCAT, VOID, WD
from cassibile.publish.dataset_description import CATALOG, DATASET, SPDX

HERE = Path(__file__).resolve().parent / "dcat-ap"
SHAPES = Graph().parse(HERE / "shapes.ttl")
INVALID = sorted((HERE / "invalid").glob("*.ttl"))


@pytest.fixture(scope="module")
def void(built) -> Graph:
    return Graph().parse(built / "void.ttl")


def violations(data: Graph) -> set[tuple]:
    """(focus node, path, constraint component) of every violation of the DCAT-AP shapes."""
    _, report, _ = pyshacl.validate(data, shacl_graph=SHAPES)
    return {(report.value(r, SH.focusNode), report.value(r, SH.resultPath), report.value(r, SH.sourceConstraintComponent))
            for r in report.subjects(RDF.type, SH.ValidationResult)}


def test_shapes_are_valid_shacl():
    conforms, _, text = pyshacl.validate(Graph(), shacl_graph=SHAPES, meta_shacl=True)
    assert conforms, text


def test_the_built_description_conforms_to_dcat_ap(void):
    assert violations(void) == set()


def required_properties() -> list[tuple]:
    """(class, path, component) for every property shape that requires a value."""
    found = []
    for shape in sorted(SHAPES.subjects(SH.targetClass, None)):
        target = SHAPES.value(shape, SH.targetClass)
        for prop in SHAPES.objects(shape, SH.property):
            path = SHAPES.value(prop, SH.path)
            if SHAPES.value(prop, SH.minCount):
                found.append((target, path, SH.MinCountConstraintComponent))
            elif SHAPES.value(prop, SH.qualifiedMinCount):
                found.append((target, path, SH.QualifiedMinCountConstraintComponent))
            elif SHAPES.value(prop, SH.hasValue):
                found.append((target, path, SH.HasValueConstraintComponent))
    return found


@pytest.mark.parametrize("target, path, component", required_properties(),
                         ids=lambda v: str(v).rsplit("/", 1)[-1].rsplit("#", 1)[-1])
def test_each_required_property_bites_when_taken_away(void, target, path, component):
    focus = sorted(void.subjects(RDF.type, target))[0]
    assert (focus, path, None) in void, f"the description has no {path} on {focus} to take away"
    broken = Graph()
    broken += void
    broken.remove((focus, path, None))
    assert (focus, path, component) in violations(broken)


def test_invalid_fixtures_are_present():
    assert len(INVALID) >= 5


@pytest.mark.parametrize("fixture", INVALID, ids=lambda p: p.stem)
def test_invalid_fixture_fails_for_its_stated_reason(void, fixture):
    """Each fixture replaces the values of one property of one node of the real description."""
    lines = fixture.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("# why: ") and lines[1].startswith("# expect: sh:"), fixture.name
    component = SH[lines[1].removeprefix("# expect: sh:").strip()]
    replacement = Graph().parse(fixture)
    broken = Graph()
    broken += void
    for focus, path in {(s, p) for s, p, _ in replacement}:
        broken.remove((focus, path, None))
    broken += replacement
    (focus, path), = {(s, p) for s, p, _ in replacement}
    assert (focus, path, component) in violations(broken)


# --- what the description says, from the data ---------------------------------------------------

def test_catalogue_lists_the_dataset_and_the_sparql_service(void):
    assert (CATALOG, DCAT.dataset, DATASET) in void
    service = void.value(CATALOG, DCAT.service)
    assert void.value(service, DCAT.endpointURL) == URIRef("https://w3id.org/cassibile/sparql")
    assert void.value(DATASET, VOID.sparqlEndpoint) == URIRef("https://w3id.org/cassibile/sparql")


def test_temporal_coverage_spans_the_earliest_and_latest_dated_fact(void, built):
    derived = Graph().parse(built / "derived.nt")
    period = void.value(DATASET, DCTERMS.temporal)
    assert void.value(period, DCAT.startDate) == min(derived.objects(None, CAS.earliestDate), key=str)
    assert void.value(period, DCAT.endDate) == max(derived.objects(None, CAS.latestDate), key=str)
    assert void.value(period, DCAT.startDate).datatype == XSD.date


def test_spatial_coverage_names_the_places_of_events_by_their_wikidata_items(void):
    places = set(void.objects(DATASET, DCTERMS.spatial))
    assert WD.Q1012526 in places  # Cassibile, where the armistice was signed (graph/wikidata/entities.tsv)
    assert URIRef("https://w3id.org/cassibile/id/cassibile") not in places  # linked: its Wikidata item stands for it


def test_keywords_are_the_labels_of_the_armistice_in_four_languages(void):
    keywords = set(void.objects(DATASET, DCAT.keyword))
    assert {Literal("Armistice of Cassibile", lang="en"), Literal("Armistizio di Cassibile", lang="it"),
            Literal("Waffenstillstand von Cassibile", lang="de"), Literal("Armistício de Cassibile", lang="pt")} <= keywords


def test_every_dump_has_its_real_sha256_and_its_eu_file_type(void, built):
    dumps = list(void.objects(DATASET, DCAT.distribution))
    assert len(dumps) == len(list(void.objects(DATASET, VOID.dataDump)))
    for distribution in dumps:
        name = str(void.value(distribution, DCAT.downloadURL)).rsplit("/", 1)[-1]
        checksum = void.value(distribution, SPDX.checksum)
        assert str(void.value(checksum, SPDX.checksumValue)) == hashlib.sha256((built / name).read_bytes()).hexdigest()
        assert void.value(distribution, DCTERMS["format"]) is not None, name
    assert (URIRef(f"{DATASET}#dump-cassibile.nq"), DCTERMS["format"],
            URIRef("http://publications.europa.eu/resource/authority/file-type/RDF_N_QUADS")) in void


def test_version_and_dates_come_from_the_package_and_the_ontology_header(void, built):
    ontology = Graph().parse(built / "ontology.nt")
    header = URIRef("https://w3id.org/cassibile/ontology")
    assert str(void.value(DATASET, DCAT.version)) == __version__
    assert void.value(DATASET, DCTERMS.issued) == ontology.value(header, DCTERMS.created)
    assert void.value(DATASET, DCTERMS.modified) == ontology.value(header, DCTERMS.modified)
