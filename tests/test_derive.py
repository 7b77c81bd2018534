"""The derived layer, computed on the build's store: truthy triples by rank, date precision and bounds, and each claim's
Web Annotation target, added to the store's derived graph with its literals as derived."""

from __future__ import annotations

from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import XSD

from cassibile.namespaces import CAS, FACT, GRAPH, ID, OA, PREFIXES
from cassibile.pipeline import derive
from cassibile.pipeline.load import Dataset, load_files
from cassibile.pipeline.store import LayerStore

HEADER = "".join(f"PREFIX {prefix}: <{namespace}>\n" for prefix, namespace in PREFIXES.items())


def dataset_of(tmp_path: Path, turtle: str, texts: dict | None = None) -> Dataset:
    """A dataset whose asserted layer is `turtle`, loaded into a store as the loader does."""
    path = tmp_path / "graph.ttl"
    path.write_text(HEADER + turtle, encoding="utf-8")
    layers = LayerStore()
    data = load_files([path], layers=layers, name=GRAPH["asserted"])
    return Dataset(Graph(), data, Graph(), source_texts=texts or {}, layers=layers)


def fact(name: str, subject: str, predicate: str, obj: str, rank: str | None = None) -> str:
    ranked = f" ; cas:rank wikibase:{rank}" if rank else ""
    return f"fact:{name} a cas:Fact ; rdf:subject {subject} ; rdf:predicate {predicate} ; rdf:object {obj}{ranked} .\n"


def test_truthy_triples_are_the_best_ranked_facts_of_each_subject_and_predicate(tmp_path):
    turtle = (
        fact("a1", "id:a", "cas:p", "id:x", "PreferredRank") + fact("a2", "id:a", "cas:p", "id:y", "NormalRank")
        + fact("a3", "id:a", "cas:p", "id:z")  # unranked: normal, outranked by the preferred fact
        + fact("b1", "id:b", "cas:p", "id:x", "NormalRank") + fact("b2", "id:b", "cas:p", "id:y")
        + fact("b3", "id:b", "cas:p", "id:z", "DeprecatedRank")
        + fact("c1", "id:c", "cas:p", "id:x", "DeprecatedRank")  # only deprecated: nothing
        + fact("d1", "id:d", "cas:p", '"1943"^^xsd:gYear', "PreferredRank") + fact("d2", "id:d", "cas:q", "id:y", "NormalRank")
        + fact("e1", '"not a subject"', "cas:p", "id:x")  # no triple about a literal
    )
    derived = derive.derived(dataset_of(tmp_path, turtle))
    truthy = {(s, p, o) for s, p, o in derived if p in (CAS.p, CAS.q)}
    assert truthy == {(ID.a, CAS.p, ID.x), (ID.b, CAS.p, ID.x), (ID.b, CAS.p, ID.y),
                      (ID.d, CAS.p, Literal("1943", datatype=XSD.gYear)), (ID.d, CAS.q, ID.y)}


def test_dates_get_their_precision_and_the_days_they_can_mean(tmp_path):
    turtle = (
        fact("year", "id:a", "cas:p", '"1944"^^xsd:gYear') + fact("month", "id:a", "cas:p", '"1944-02"^^xsd:gYearMonth')
        + fact("day", "id:a", "cas:p", '"1943-09-03"^^xsd:date') + fact("word", "id:a", "cas:p", '"September"@en')
        + fact("span", "id:a", "cas:p", "interval:s")
        + 'interval:s a cas:TimeSpan ; cas:earliest "1943-09"^^xsd:gYearMonth ; cas:latest "1943-10-02"^^xsd:date .\n'
    )
    derived = derive.derived(dataset_of(tmp_path, turtle))

    def dated(name: str):
        node = FACT[name]
        return tuple(derived.value(node, CAS[p]) for p in ("datePrecision", "earliestDate", "latestDate"))

    day = XSD.date
    assert dated("year") == (CAS.YearPrecision, Literal("1944-01-01", datatype=day), Literal("1944-12-31", datatype=day))
    assert dated("month") == (CAS.MonthPrecision, Literal("1944-02-01", datatype=day), Literal("1944-02-29", datatype=day))
    assert dated("day") == (CAS.DayPrecision, Literal("1943-09-03", datatype=day), Literal("1943-09-03", datatype=day))
    assert dated("span") == (CAS.MonthPrecision, Literal("1943-09-01", datatype=day), Literal("1943-10-02", datatype=day))
    assert dated("word") == (None, None, None)


def test_claim_targets_are_added_to_the_store_with_their_offsets_as_derived(tmp_path):
    text = "The armistice was signed at Cassibile on 3 September 1943."
    turtle = ('source:s a cas:Source .\n'
              'claim:c a cas:Claim ; cas:source source:s ; cas:quote "signed at Cassibile" .\n'
              'claim:absent a cas:Claim ; cas:source source:s ; cas:quote "not in the text" .\n')
    dataset = dataset_of(tmp_path, turtle, {URIRef("https://w3id.org/cassibile/source/s"): text})
    derived = derive.derived(dataset)
    position = URIRef("https://w3id.org/cassibile/claim/c#position")
    start = text.index("signed at Cassibile")
    assert derived.value(position, OA.start) == Literal(str(start), datatype=XSD.nonNegativeInteger)
    assert derived.value(position, OA.end) == Literal(str(start + 19), datatype=XSD.nonNegativeInteger)
    assert not list(derived.objects(URIRef("https://w3id.org/cassibile/claim/absent"), OA.hasTarget))
    # The store keeps "18"^^xsd:nonNegativeInteger as an xsd:integer; the layer's files get it back as derived.
    written = {t.object for t in dataset.layers.triples(GRAPH["derived"]) if t.predicate.value == str(OA.start)}
    assert [(o.value, o.datatype.value) for o in written] == [(str(start), str(XSD.nonNegativeInteger))]
