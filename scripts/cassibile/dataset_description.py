"""The dataset description (`dist/void.ttl`): VoID and DCAT in one graph.

Title, description, licence, publisher, version, dates, the four sources with their licence and
attribution, one distribution per dump file (download URL, media type, size), triple counts per
named graph, entity counts per class, example resources, the vocabularies used and, when the
data is served, the SPARQL endpoint. Every value comes from the data or the package metadata,
never from the clock, so that two builds write the same bytes.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, OWL, RDF, XSD, split_uri

from cassibile import __version__
from cassibile.export import FORMATS, entities
from cassibile.load import new_graph
from cassibile.namespaces import BASE, CAS, DCAT, ID, ONTOLOGY, VOID

DATASET = URIRef(BASE + "dataset")
PUBLISHER = URIRef(BASE + "dataset#publisher")
LICENSE = URIRef("https://creativecommons.org/licenses/by-sa/4.0/")
IANA = "http://www.iana.org/assignments/media-types/"
LANGUAGES = "http://id.loc.gov/vocabulary/iso639-1/"
TITLE = "The Armistice of Cassibile as linked data"
DESCRIPTION = (
    "The Armistice of Cassibile (signed 3 September 1943, made public 8 September 1943) and the events "
    "around it, as facts that each quote, verbatim, one of four source texts; with Wikidata-style ranks "
    "where sources disagree, a best-rank (truthy) graph, an OWL RL closure and a Wikidata view."
)
EXAMPLES = 3
SOURCE_DETAILS = (DCTERMS.title, DCTERMS.license, DCTERMS.language, CAS.attribution)


def describe(
    named_graphs: dict[URIRef, Collection[tuple]],
    dumps: dict[str, int],
    download_base: str = BASE,
    sparql_endpoint: str | None = None,
) -> Graph:
    """VoID + DCAT for the dataset held in `named_graphs` (as published), whose dump files are
    `dumps` (file name -> size in bytes), downloadable under `download_base`."""
    everything, predicates = _summary(named_graphs)
    void = new_graph()
    void.bind("foaf", FOAF)
    _header(void, everything)
    _sources(void, everything)
    _distributions(void, dumps, download_base)
    _counts(void, named_graphs, everything, predicates)
    _vocabularies(void, everything, predicates)
    if sparql_endpoint:
        endpoint = URIRef(sparql_endpoint)
        void.add((DATASET, VOID.sparqlEndpoint, endpoint))
        service = URIRef(BASE + "dataset#sparql")
        void.add((service, RDF.type, DCAT.DataService))
        void.add((service, DCAT.endpointURL, endpoint))
        void.add((service, DCAT.servesDataset, DATASET))
    return void


def _summary(named_graphs: dict[URIRef, Collection[tuple]]) -> tuple[Graph, set]:
    """In one pass over the data: the triples the description reads (types, facts' subjects, the
    ontology's and the sources' details), and every predicate used."""
    kept = {RDF.type, RDF.subject, DCTERMS.creator, DCTERMS.created, DCTERMS.modified, *SOURCE_DETAILS}
    everything, predicates = Graph(), set()
    for triples in named_graphs.values():
        for triple in triples:
            predicates.add(triple[1])
            if triple[1] in kept:
                everything.add(triple)
    return everything, predicates


def _header(void: Graph, everything: Graph) -> None:
    ontology = URIRef(str(ONTOLOGY))
    for triple in (
        (DATASET, RDF.type, VOID.Dataset),
        (DATASET, RDF.type, DCAT.Dataset),
        (DATASET, DCTERMS.title, Literal(TITLE, lang="en")),
        (DATASET, DCTERMS.description, Literal(DESCRIPTION, lang="en")),
        (DATASET, DCTERMS.license, LICENSE),
        (DATASET, DCTERMS.publisher, PUBLISHER),
        (DATASET, DCAT.version, Literal(__version__)),
        (DATASET, OWL.versionInfo, Literal(__version__)),
        (DATASET, VOID.uriSpace, Literal(str(ID))),
        (DATASET, DCTERMS.conformsTo, ontology),
        (PUBLISHER, RDF.type, FOAF.Organization),
    ):
        void.add(triple)
    for name in everything.objects(ontology, DCTERMS.creator):
        void.add((PUBLISHER, FOAF.name, name))
    # Dates from the ontology's header, not the clock: the build must be reproducible.
    for predicate in (DCTERMS.created, DCTERMS.modified):
        for date in everything.objects(ontology, predicate):
            void.add((DATASET, predicate, date))
    for language in ("en", "it", "de", "pt"):
        void.add((DATASET, DCTERMS.language, URIRef(LANGUAGES + language)))


def _sources(void: Graph, everything: Graph) -> None:
    """Each quoted source, with its own licence and attribution, as the licence requires."""
    for source in sorted(everything.subjects(RDF.type, CAS.Source)):
        void.add((DATASET, DCTERMS.source, source))
        for predicate in SOURCE_DETAILS:
            for value in everything.objects(source, predicate):
                void.add((source, predicate, value))


def _distributions(void: Graph, dumps: dict[str, int], download_base: str) -> None:
    media_types = dict(FORMATS.values())
    for name, size in sorted(dumps.items()):
        extension = name.rsplit(".", 1)[-1]
        url = URIRef(download_base + name)
        distribution = URIRef(f"{DATASET}#dump-{name}")
        void.add((DATASET, VOID.dataDump, url))
        void.add((DATASET, DCAT.distribution, distribution))
        void.add((distribution, RDF.type, DCAT.Distribution))
        void.add((distribution, DCAT.downloadURL, url))
        void.add((distribution, DCAT.byteSize, Literal(size, datatype=XSD.nonNegativeInteger)))
        void.add((distribution, DCTERMS.title, Literal(name)))
        if extension in media_types:
            void.add((distribution, DCAT.mediaType, URIRef(IANA + media_types[extension])))


def _counts(void: Graph, named_graphs: dict[URIRef, Collection[tuple]], everything: Graph, predicates: set) -> None:
    things = entities(everything)
    void.add((DATASET, VOID.triples, Literal(sum(len(g) for g in named_graphs.values()))))
    void.add((DATASET, VOID.entities, Literal(len(things))))
    void.add((DATASET, VOID.properties, Literal(len(predicates))))
    for name, graph in sorted(named_graphs.items()):
        subset = URIRef(f"{DATASET}#graph-{str(name).rsplit('/graph/', 1)[-1]}")
        void.add((DATASET, VOID.subset, subset))
        void.add((subset, RDF.type, VOID.Dataset))
        void.add((subset, DCTERMS.identifier, name))
        void.add((subset, VOID.triples, Literal(len(graph))))
    # Our own classes only: the closure also types every entity with the classes they align with.
    by_class = Counter(c for t in things for c in everything.objects(t, RDF.type) if str(c).startswith(str(CAS)))
    by_class.update({CAS.Fact: len(set(everything.subjects(RDF.type, CAS.Fact))),
                     CAS.Claim: len(set(everything.subjects(RDF.type, CAS.Claim)))})
    for cls, count in sorted(by_class.items()):
        partition = URIRef(f"{DATASET}#class-{split_uri(cls)[1]}")
        void.add((DATASET, VOID.classPartition, partition))
        void.add((partition, VOID["class"], cls))
        void.add((partition, VOID.entities, Literal(count)))
    facts_about = Counter(everything.value(f, RDF.subject) for f in everything.subjects(RDF.type, CAS.Fact))
    best = sorted((thing for thing in things), key=lambda t: (-facts_about[t], str(t)))[:EXAMPLES]
    for example in best:
        void.add((DATASET, VOID.exampleResource, example))


def _vocabularies(void: Graph, everything: Graph, predicates: set) -> None:
    """The namespaces of every property and class the data uses (not our own instance namespaces)."""
    terms = predicates | {c for c in everything.objects(None, RDF.type) if isinstance(c, URIRef)}
    namespaces = set()
    for term in terms:
        try:
            namespaces.add(split_uri(term)[0])
        except ValueError:  # an IRI with no local part to split off
            continue
    for namespace in sorted(namespaces):
        if not namespace.startswith(BASE) or namespace == str(CAS):
            void.add((DATASET, VOID.vocabulary, URIRef(namespace)))
