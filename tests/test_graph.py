"""The graph's own rules, checked in plain Python, independently of the SHACL shapes.

Truth first: every quote is in its source, every fact has a claim, every QID is verified,
every entity has its four labels. Failures list every offender, not just a count.
"""

import csv
import re
import subprocess
from collections import defaultdict

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS

from cassibile.namespaces import CAS, ID, LANGUAGES, SCHEMA, WIKIBASE
from cassibile.pipeline.load import load_project, parse_turtle
from cassibile.project import Project


@pytest.fixture(scope="module")
def dataset(root):
    return load_project(Project(root))


@pytest.fixture(scope="module")
def verified_qids(root):
    with open(root / "graph" / "wikidata" / "entities.tsv", encoding="utf-8", newline="") as table:
        return {row["qid"] for row in csv.DictReader(table, delimiter="\t") if row["status"] == "verified" and row["qid"]}


def entities(graph):
    return sorted({s for s in graph.subjects(RDF.type, None) if str(s).startswith(str(ID))})


def test_there_is_a_graph_to_check(dataset):
    # Guards every test below against passing vacuously on an empty graph.
    assert len(entities(dataset.data)) >= 15
    assert len(list(dataset.data.subjects(RDF.type, CAS.Fact))) >= 17
    assert len(list(dataset.data.subjects(RDF.type, CAS.Claim))) >= 9


def test_every_quote_occurs_verbatim_in_its_source_in_its_language(dataset):
    wrong = []
    for claim in sorted(dataset.data.subjects(RDF.type, CAS.Claim)):
        source = dataset.data.value(claim, CAS.source)
        quote = dataset.data.value(claim, CAS.quote)
        language = str(dataset.data.value(source, DCTERMS.language))
        if not isinstance(quote, Literal) or not str(quote).strip():
            wrong.append(f"{claim}: no quote")
        elif str(quote) not in dataset.source_texts.get(source, ""):
            wrong.append(f"{claim}: not in {source}: {str(quote)[:80]!r}")
        elif quote.language != language:
            wrong.append(f"{claim}: tagged @{quote.language}, source is @{language}")
    assert not wrong, "\n".join(wrong)


def test_every_fact_rests_on_a_claim_has_a_rank_and_an_ontology_predicate(dataset):
    declared = {p for kind in (OWL.ObjectProperty, OWL.DatatypeProperty, CAS.DateProperty) for p in dataset.ontology.subjects(RDF.type, kind)}
    ranks = {WIKIBASE.PreferredRank, WIKIBASE.NormalRank, WIKIBASE.DeprecatedRank}
    wrong = []
    for fact in sorted(dataset.data.subjects(RDF.type, CAS.Fact)):
        claims = list(dataset.data.objects(fact, CAS.supportedBy))
        if not claims or any((c, RDF.type, CAS.Claim) not in dataset.data for c in claims):
            wrong.append(f"{fact}: no claim, or a claim that is not defined")
        if dataset.data.value(fact, CAS.rank) not in ranks:
            wrong.append(f"{fact}: rank is not a Wikibase rank")
        predicate = dataset.data.value(fact, RDF.predicate)
        if predicate not in declared and predicate != RDF.type:
            wrong.append(f"{fact}: predicate {predicate} is not an ontology property")
        for part in (RDF.subject, RDF.object):
            node = dataset.data.value(fact, part)
            if isinstance(node, URIRef) and str(node).startswith(str(ID)) and (node, RDF.type, None) not in dataset.data:
                wrong.append(f"{fact}: {node} is used but not defined")
    assert not wrong, "\n".join(wrong)


def test_ranked_facts_say_why(dataset):
    unexplained = [
        str(f) for f in dataset.data.subjects(RDF.type, CAS.Fact)
        if dataset.data.value(f, CAS.rank) in (WIKIBASE.PreferredRank, WIKIBASE.DeprecatedRank)
        and dataset.data.value(f, CAS.rankRationale) is None
    ]
    assert not unexplained, "\n".join(sorted(unexplained))


def test_every_qid_is_verified_and_used_once(dataset, verified_qids):
    users = defaultdict(list)
    for entity, target in dataset.data.subject_objects(OWL.sameAs):
        users[str(target)].append(str(entity))
    unverified = sorted(t for t in users if t.rsplit("/", 1)[-1] not in verified_qids)
    assert not unverified, f"QIDs not in the verified list: {unverified}"
    shared = {t: e for t, e in users.items() if len(e) > 1}
    assert not shared, f"QIDs linked from more than one entity: {shared}"


def test_every_entity_has_one_label_per_language_and_an_english_description(dataset):
    wrong = []
    for entity in entities(dataset.data):
        labels = list(dataset.data.objects(entity, RDFS.label)) + list(dataset.data.objects(entity, CAS.editorialLabel))
        for language in LANGUAGES:
            count = sum(1 for label in labels if label.language == language)
            if count != 1:
                wrong.append(f"{entity}: {count} labels in {language}")
        if not any(d.language == "en" for d in dataset.data.objects(entity, SCHEMA.description)):
            wrong.append(f"{entity}: no English description")
    assert not wrong, "\n".join(wrong)


def test_source_labels_are_written_so_in_a_source_of_their_language(dataset):
    texts = defaultdict(str)
    for source, text in dataset.source_texts.items():
        texts[str(dataset.data.value(source, DCTERMS.language))] += text + "\n"
    unattested = [
        f"{entity}: {label!r}@{label.language} (use cas:editorialLabel)"
        for entity in entities(dataset.data)
        for label in dataset.data.objects(entity, RDFS.label)
        if str(label) not in texts[label.language]
    ]
    assert not unattested, "\n".join(unattested)


def test_no_entity_is_defined_in_two_files(root):
    defined_in = defaultdict(list)
    for path in sorted((root / "graph" / "entities").glob("*.ttl")):
        for entity in entities(parse_turtle(path)):
            defined_in[entity].append(path.name)
    twice = {str(e): files for e, files in defined_in.items() if len(files) > 1}
    assert not twice, twice


def _published_subjects(root, ref: str) -> set[URIRef]:
    """Every IRI that is the subject of a triple in the graph files of the git revision `ref`."""
    listing = subprocess.run(["git", "-C", str(root), "ls-tree", "-r", "--name-only", ref, "--", "graph"],
                             capture_output=True, text=True, check=True).stdout.split()
    subjects = set()
    for name in (n for n in listing if n.endswith(".ttl")):
        text = subprocess.run(["git", "-C", str(root), "show", f"{ref}:{name}"], capture_output=True, check=True).stdout
        subjects |= {s for s in Graph().parse(data=text, format="turtle").subjects() if isinstance(s, URIRef)}
    return subjects


def test_no_published_iri_vanishes(root, dataset):
    """IRIs never change and never vanish (design: IRIs): every subject IRI of main's graph is still
    a subject here, live or as a retired node in graph/retired.ttl (queries/retired-node-violation.rq
    checks that form)."""
    found = subprocess.run(["git", "-C", str(root), "rev-parse", "--verify", "--quiet", "main^{commit}"], capture_output=True)
    assert found.returncode == 0, "the published graph is compared with the branch main, which this checkout lacks"
    published = _published_subjects(root, "main")
    assert len(published) > 500  # guards against comparing with an empty or unparsed graph
    present = set(dataset.data.subjects())
    vanished = sorted(str(iri) for iri in published - present)
    assert not vanished, "published IRIs without a live or retired node:\n" + "\n".join(vanished)


def test_retired_nodes_live_in_their_own_file(root, dataset):
    retired_file = parse_turtle(root / "graph" / "retired.ttl")
    in_file = set(retired_file.subjects())
    marked = {s for s in dataset.data.subjects(OWL.deprecated, Literal(True)) if str(s).startswith("https://w3id.org/cassibile/")}
    assert in_file, "graph/retired.ttl holds no retired node"
    assert marked == in_file, f"retired outside graph/retired.ttl: {sorted(marked - in_file)}; not retired in it: {sorted(in_file - marked)}"


def test_coverage_page_names_only_existing_facts(root, dataset):
    """docs/coverage.md maps the texts' statements to facts; every fact it names must exist (and be live)."""
    text = (root / "docs" / "coverage.md").read_text(encoding="utf-8")
    named = set(re.findall(r"`fact:([A-Za-z0-9-]+)`", text))
    assert len(named) > 150  # guards against a page that names nothing
    live = {str(f) for f in dataset.data.subjects(RDF.type, CAS.Fact)}
    missing = sorted(n for n in named if "https://w3id.org/cassibile/fact/" + n not in live)
    assert not missing, f"docs/coverage.md names facts the graph does not have: {missing}"
