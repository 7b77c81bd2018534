"""The publication's index: what an entity's document and a fact's page hold, and the framed JSON-LD
document meaning exactly that (read back by pyld, an independent processor)."""

from __future__ import annotations

import json

import pytest
from pyld import jsonld
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS, RDF, RDFS, SKOS, XSD

from cassibile.namespaces import CAS, CLAIM, FACT, GRAPH, ID, INTERVAL, OA, SCHEMA, SOURCE
from cassibile.pipeline import derive
from cassibile.pipeline.load import Dataset
from cassibile.pipeline.store import LayerStore
from cassibile.publish.export import CONTEXT_URL, EntityFramer, entity_document_name, published_context
from cassibile.publish.outputs import Built
from cassibile.publish.publication import Publication, triples_of

BEDELL_SMITH, CASTELLANO, ARMISTICE = ID["bedell-smith"], ID["castellano"], ID["armistice"]
SIGNED, SIGNED_ON = FACT["armistice--signatory--castellano"], FACT["armistice--pointInTime--1943"]
QUOTE, RETIRED, ARTICLE, SPAN = CLAIM["article--signed"], CLAIM["article--old"], SOURCE["article"], INTERVAL["1943-09"]


@pytest.fixture
def graph() -> Graph:
    graph = Graph()
    for triple in [
        (ARMISTICE, RDF.type, CAS.Event), (ARMISTICE, RDFS.label, Literal("Armistice", lang="en")),
        (ARMISTICE, SCHEMA.description, Literal("An armistice.", lang="en")),
        (CASTELLANO, RDF.type, CAS.Person), (CASTELLANO, RDFS.label, Literal("Castellano", lang="it")),
        (CASTELLANO, SKOS.altLabel, Literal("Giuseppe Castellano", lang="it")),
        (BEDELL_SMITH, RDF.type, CAS.Person), (BEDELL_SMITH, CAS.editorialLabel, Literal("Bedell Smith", lang="en")),
        (SIGNED, RDF.type, CAS.Fact), (SIGNED, RDF.subject, ARMISTICE), (SIGNED, RDF.predicate, CAS.signatory),
        (SIGNED, RDF.object, CASTELLANO), (SIGNED, CAS.onBehalfOf, BEDELL_SMITH), (SIGNED, CAS.supportedBy, QUOTE),
        (SIGNED, CAS.consistentWith, SIGNED_ON),
        (SIGNED_ON, RDF.type, CAS.Fact), (SIGNED_ON, RDF.subject, CASTELLANO), (SIGNED_ON, RDF.object, SPAN),
        (SPAN, RDF.type, CAS.TimeSpan), (SPAN, CAS.earliest, Literal("1943-09-01", datatype=XSD.date)),
        (QUOTE, RDF.type, CAS.Claim), (QUOTE, CAS.source, ARTICLE), (QUOTE, CAS.quote, Literal("signed", lang="en")),
        (QUOTE, DCTERMS.replaces, RETIRED), (RETIRED, RDF.type, CAS.Claim), (RETIRED, CAS.quote, Literal("old", lang="en")),
        (ARTICLE, RDF.type, CAS.Source), (ARTICLE, DCTERMS.title, Literal("Article", lang="en")),
        (ARTICLE, DCTERMS.language, Literal("en")), (ARTICLE, DCTERMS.publisher, Literal("A publisher")),
    ]:
        graph.add(triple)
    return graph


def described(graph: Graph, *nodes, leaving=()) -> set:
    """All of the nodes' triples in `graph`, but those with a predicate in `leaving`."""
    return {t for node in nodes for t in graph.triples((node, None, None)) if t[1] not in leaving}


def test_an_entity_document_holds_its_facts_their_claims_and_summaries_of_what_they_name(graph):
    """All of the entity, of the fact naming it and of the claim that fact rests on; a source's and another
    entity's summary; not the claim the claim merely names, nor the fact the fact merely names."""
    found = set(triples_of(Publication(graph).document(CASTELLANO)))
    expected = described(graph, CASTELLANO, SIGNED, SIGNED_ON, QUOTE, SPAN)
    expected |= described(graph, ARTICLE, leaving={DCTERMS.publisher})
    expected |= described(graph, ARMISTICE, leaving={SCHEMA.description}) | described(graph, BEDELL_SMITH)
    assert found == expected


def test_a_document_describes_a_fact_named_only_by_another_fact_only_on_its_own_page(graph):
    index = Publication(graph)
    assert not described(graph, SIGNED_ON) & set(triples_of(index.document(ARMISTICE)))
    assert described(graph, SIGNED_ON, SPAN) <= set(triples_of(index.fact_document(SIGNED_ON)))


def test_a_triple_in_two_layers_is_indexed_once(graph):
    derived = Graph()
    derived.add((CASTELLANO, RDF.type, CAS.Person))
    derived.add((CASTELLANO, CAS.datePrecision, CAS.Day))
    found = list(triples_of(Publication(graph, derived).document(CASTELLANO)))
    assert len(found) == len(set(found)) and (CASTELLANO, CAS.datePrecision, CAS.Day) in found


def test_the_index_keeps_each_predicates_objects_as_a_tuple_in_the_order_first_seen(graph):
    """A tuple, not a dict: most hold one object, and a one-key dict takes five times a tuple's memory (what the index
    holds is shared by the processes that write the site)."""
    derived = Graph()
    derived.add((CASTELLANO, RDFS.label, Literal("Castellano", lang="it")))  # in both layers: once
    derived.add((CASTELLANO, RDFS.label, Literal("Castellano", lang="en")))
    index = Publication(graph, derived)
    assert all(type(objects) is tuple for properties in index.about.values() for objects in properties.values())
    assert index.about[CASTELLANO][RDFS.label] == (Literal("Castellano", lang="it"), Literal("Castellano", lang="en"))


def test_each_framed_document_means_exactly_what_the_index_says_it_holds(graph, root):
    context = published_context(root)
    index = Publication(graph)

    def load(url, options=None):
        assert url == CONTEXT_URL, f"unexpected remote document {url}"
        return {"contextUrl": None, "documentUrl": url, "document": {"@context": context}}

    framer = EntityFramer(index, context)
    documents = {entity_document_name(entity): framer.document(entity) for entity in index.entities}
    assert sorted(documents) == ["armistice.jsonld", "bedell-smith.jsonld", "castellano.jsonld"]
    for entity in index.entities:
        document = json.loads(documents[str(entity).rsplit("/", 1)[-1] + ".jsonld"])
        read = Graph().parse(data=jsonld.to_rdf(document, {"format": "application/n-quads", "documentLoader": load}), format="nquads")
        expected = Graph()
        for triple in triples_of(index.document(entity)):
            expected.add(triple)
        assert isomorphic(read, expected), entity


def test_the_builds_index_reads_the_store_and_gives_every_literal_as_written(graph):
    """`Built.publication` indexes the asserted and derived layers of the build's store, which keeps some literals
    otherwise than written: the text offsets the build derives, typed xsd:nonNegativeInteger as the Web Annotation
    model types them, come back from the store as xsd:integer. The index holds each literal as its layer wrote it: those
    offsets, a quote with its spaces and language tag, a plain string and the precision the build derived."""
    spaced = Literal("  signed  at noon ", lang="en")
    graph.set((QUOTE, CAS.quote, spaced))
    graph.add((ARTICLE, RDFS.comment, Literal("a  plain  string ")))
    graph.add((SPAN, CAS.latest, Literal("1943-09", datatype=XSD.gYearMonth)))
    layers = LayerStore.of({GRAPH["ontology"]: Graph(), GRAPH["asserted"]: graph})
    dataset = Dataset(Graph(), graph, Graph(), source_texts={ARTICLE: "He  signed  at noon , and left."}, layers=layers)
    derive.derive(dataset)
    index = Built(dataset, []).publication

    def written(node, predicate) -> set:  # each literal with all that tells literals apart
        return {(str(o), o.datatype, o.language) for o in index.about[node][predicate]}

    assert written(QUOTE, CAS.quote) == {("  signed  at noon ", None, "en")}
    assert written(ARTICLE, RDFS.comment) == {("a  plain  string ", None, None)}
    position = URIRef(f"{QUOTE}#position")
    assert written(position, OA.start) == {("2", XSD.nonNegativeInteger, None)}
    assert written(position, OA.end) == {("20", XSD.nonNegativeInteger, None)}
    assert written(SIGNED_ON, CAS.latestDate) == {("1943-09-30", XSD.date, None)}
    assert index.value(SIGNED_ON, CAS.datePrecision) == CAS.DayPrecision  # that of the span's earliest bound
    assert index.entities == Publication(graph).entities
