"""The dataset description (`dist/void.ttl`): VoID and DCAT-AP 3.0.1 in one graph.

VoID: triple counts per named graph, entity counts per class, example resources, the vocabularies
used, the dumps and the SPARQL endpoint. DCAT-AP 3.0.1: a catalogue with the dataset and the SPARQL
service; the dataset with its mandatory and recommended properties (title, description, contact
point, distributions, spatial and temporal coverage, keywords, publisher, themes), release and
modification dates, version, languages and the four sources; one distribution per dump (access and
download URL, EU file type, IANA media type, size, SHA-256 checksum, licence). Every value comes from
the data, the ontology's header, the package metadata or the constants below, never from the clock,
so that two builds write the same bytes. tests/shapes/dcat-ap/ checks the result against DCAT-AP.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, FOAF, OWL, RDF, RDFS, XSD, split_uri

from cassibile import __version__
from cassibile.namespaces import BASE, CAS, DCAT, GRAPH, ID, ONTOLOGY, VOID, WD
from cassibile.pipeline.load import new_graph
from cassibile.pipeline.store import LayerStore
from cassibile.publish.export import FORMATS, claims_owner
from cassibile.publish.publication import is_entity_filter
from cassibile.terms import to_rdflib

DATASET = URIRef(BASE + "dataset")
CATALOG = URIRef(BASE + "dataset#catalog")
PUBLISHER = URIRef(BASE + "dataset#publisher")
CONTACT = URIRef(BASE + "dataset#contact")
SERVICE = URIRef(BASE + "dataset#sparql")
TEMPORAL = URIRef(BASE + "dataset#temporal")
SPARQL_ENDPOINT = BASE + "sparql"  # the public address; w3id/cassibile/.htaccess sends it to the real endpoint
SHAPES = URIRef(BASE + "shapes")
LICENSE = URIRef("https://creativecommons.org/licenses/by-sa/4.0/")
# Its entry in the EU licence authority table, which DCAT-AP 3 (section Legal information) recommends.
EU_LICENSE = URIRef("http://publications.europa.eu/resource/authority/licence/CC_BYSA_4_0")
# Placeholder contact, marked by the reserved `.invalid` domain (RFC 6761): the maintainers replace
# it before the dataset is published (docs/publishing.md).
CONTACT_NAME = "The cassibile editors"
CONTACT_EMAIL = URIRef("mailto:editors@cassibile.invalid")
IANA = "http://www.iana.org/assignments/media-types/"
EU = "http://publications.europa.eu/resource/authority/"
EU_LANGUAGES = {"en": "ENG", "it": "ITA", "de": "DEU", "pt": "POR"}
# The EU file-type authority table, by file extension (DCAT-AP 3: dct:format MUST use it).
FILE_TYPES = {"ttl": "RDF_TURTLE", "nt": "RDF_N_TRIPLES", "jsonld": "JSON_LD", "rdf": "RDF_XML",
              "trig": "RDF_TRIG", "nq": "RDF_N_QUADS"}
# The EU data themes (DCAT-AP 3: at least one): an armistice between states, and history.
THEMES = (URIRef(EU + "data-theme/INTR"), URIRef(EU + "data-theme/EDUC"))
THEME_TAXONOMY = URIRef(EU + "data-theme")
STABLE = URIRef(EU + "planned-availability/STABLE")  # w3id addresses are meant to last
PUBLIC = URIRef(EU + "access-right/PUBLIC")
SPARQL_PROTOCOL = URIRef("https://www.w3.org/TR/sparql11-protocol/")
# The entities whose labels (in the four languages, from the graph) are the dataset's keywords.
KEYWORD_ENTITIES = (ID["armistice-of-cassibile"], ID["world-war-ii"], ID["italian-campaign"])
LAYERS = {
    "ontology": "The Cassibile ontology",
    "asserted": "The hand-written graph: entities, facts and the claims they rest on",
    "derived": "The derived graph: best-ranked (truthy) triples and date bounds",
    "inferred": "The OWL RL closure of the other graphs",
    "cassibile": "The whole dataset, each layer and each source's claims in a named graph of its own",
}
DCATAP = Namespace("http://data.europa.eu/r5r/")
SPDX = Namespace("http://spdx.org/rdf/terms#")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
TITLE = "The Armistice of Cassibile as linked data"
DESCRIPTION = (
    "The Armistice of Cassibile (signed 3 September 1943, made public 8 September 1943) and the events "
    "around it, as facts that each quote, verbatim, one of four source texts; with Wikidata-style ranks "
    "where sources disagree, a best-rank (truthy) graph, an OWL RL closure and a Wikidata view."
)
EXAMPLES = 3
SOURCE_DETAILS = (DCTERMS.title, DCTERMS.license, DCTERMS.language, CAS.attribution)


def describe(
    layers: LayerStore,
    dumps: dict[str, Path],
    download_base: str = BASE,
    sparql_endpoint: str = SPARQL_ENDPOINT,
    owner: dict[ox.NamedNode, str] | None = None,
) -> Graph:
    """VoID + DCAT-AP for the dataset whose layers `layers` holds, whose dump files are `dumps` (file name ->
    path), downloadable under `download_base` and queried at `sparql_endpoint`. Counts and lists come from
    SPARQL on the store, single values from look-ups of its quads. `owner` is `export.claims_owner` of the store,
    if the caller has it already."""
    void = new_graph()
    for prefix, namespace in (("foaf", FOAF), ("vcard", VCARD), ("spdx", SPDX), ("dcatap", DCATAP)):
        void.bind(prefix, namespace)
    _header(void, layers)
    _agents(void)
    _coverage(void, layers)
    _sources(void, layers)
    _distributions(void, dumps, download_base)
    _service(void, URIRef(sparql_endpoint))
    _catalog(void)
    predicates = {row["p"].value for row in layers.store.query(_PREDICATES)}  # a scan of every quad: once
    _counts(void, layers.store, predicates, claims_owner(layers.store) if owner is None else owner)
    _vocabularies(void, layers.store, predicates)
    return void


def _subjects(layers: LayerStore, predicate, obj) -> set:
    """The subjects of `predicate` and the IRI `obj` in any layer, as rdflib terms."""
    return {to_rdflib(q.subject) for q in layers.store.quads_for_pattern(None, ox.NamedNode(predicate), ox.NamedNode(obj))}


def _header(void: Graph, layers: LayerStore) -> None:
    ontology = URIRef(str(ONTOLOGY))
    for triple in (
        (DATASET, RDF.type, VOID.Dataset),
        (DATASET, RDF.type, DCAT.Dataset),
        (DATASET, DCTERMS.title, Literal(TITLE, lang="en")),
        (DATASET, DCTERMS.description, Literal(DESCRIPTION, lang="en")),
        (DATASET, DCTERMS.license, LICENSE),
        (DATASET, DCTERMS.publisher, PUBLISHER),
        (DATASET, DCAT.contactPoint, CONTACT),
        (DATASET, DCAT.landingPage, URIRef(BASE)),
        (DATASET, DCAT.version, Literal(__version__)),
        (DATASET, OWL.versionInfo, Literal(__version__)),
        (DATASET, DCTERMS.accessRights, PUBLIC),
        (DATASET, VOID.uriSpace, Literal(str(ID))),
        (DATASET, DCTERMS.conformsTo, ontology),
        (DATASET, DCTERMS.conformsTo, SHAPES),
        (LICENSE, RDF.type, DCTERMS.LicenseDocument),
        (LICENSE, OWL.sameAs, EU_LICENSE),
    ):
        void.add(triple)
    for theme in THEMES:
        void.add((DATASET, DCAT.theme, theme))
    for entity in KEYWORD_ENTITIES:
        for label in sorted(layers.objects(entity, RDFS.label) | layers.objects(entity, CAS.editorialLabel)):
            void.add((DATASET, DCAT.keyword, label))
    # Dates from the ontology's header, not the clock: the build must be reproducible. The first
    # version's creation is the dataset's release.
    for predicate in (DCTERMS.created, DCTERMS.modified):
        for date in layers.objects(ontology, predicate):
            void.add((DATASET, predicate, date))
    for date in layers.objects(ontology, DCTERMS.created):
        void.add((DATASET, DCTERMS.issued, date))
    for language in EU_LANGUAGES.values():
        void.add((DATASET, DCTERMS.language, URIRef(EU + "language/" + language)))


def _agents(void: Graph) -> None:
    """The publisher (a foaf:Agent) and the contact point (a vCard)."""
    for triple in (
        (PUBLISHER, RDF.type, FOAF.Agent),
        (PUBLISHER, RDF.type, FOAF.Organization),
        (PUBLISHER, FOAF.name, Literal(CONTACT_NAME)),
        (CONTACT, RDF.type, VCARD.Kind),
        (CONTACT, RDF.type, VCARD.Organization),
        (CONTACT, VCARD.fn, Literal(CONTACT_NAME)),
        (CONTACT, VCARD.hasEmail, CONTACT_EMAIL),
    ):
        void.add(triple)


def _coverage(void: Graph, layers: LayerStore) -> None:
    """When and where: the earliest and latest day any dated fact allows, and the places where the
    events happened (their Wikidata items where linked, else our own IRIs)."""
    earliest, latest = layers.objects(None, CAS.earliestDate), layers.objects(None, CAS.latestDate)
    if earliest and latest:
        void.add((DATASET, DCTERMS.temporal, TEMPORAL))
        void.add((TEMPORAL, RDF.type, DCTERMS.PeriodOfTime))
        void.add((TEMPORAL, DCAT.startDate, min(earliest, key=lambda date: (str(date), date.n3()))))
        void.add((TEMPORAL, DCAT.endDate, max(latest, key=lambda date: (str(date), date.n3()))))
    for place in layers.objects(None, CAS.location):
        if not isinstance(place, URIRef) or not place.startswith(ID):
            continue  # OWL RL also states each location on its Wikidata IRI
        items = [item for item in layers.objects(place, OWL.sameAs) if str(item).startswith(str(WD))]
        for location in items or [place]:
            void.add((DATASET, DCTERMS.spatial, location))
            void.add((location, RDF.type, DCTERMS.Location))


def _sources(void: Graph, layers: LayerStore) -> None:
    """Each quoted source, with its own licence and attribution, as the licence requires."""
    for source in sorted(_subjects(layers, RDF.type, CAS.Source)):
        void.add((DATASET, DCTERMS.source, source))
        for predicate in SOURCE_DETAILS:
            for value in layers.objects(source, predicate):
                void.add((source, predicate, value))


def _distributions(void: Graph, dumps: dict[str, Path], download_base: str) -> None:
    media_types = dict(FORMATS.values())
    for name, path in sorted(dumps.items()):
        stem, extension = name.rsplit(".", 1)
        url = URIRef(download_base + name)
        distribution = URIRef(f"{DATASET}#dump-{name}")
        checksum = URIRef(f"{DATASET}#sha256-{name}")
        content = path.read_bytes()
        for triple in (
            (DATASET, VOID.dataDump, url),
            (DATASET, DCAT.distribution, distribution),
            (distribution, RDF.type, DCAT.Distribution),
            (distribution, DCAT.accessURL, url),
            (distribution, DCAT.downloadURL, url),
            (distribution, DCAT.byteSize, Literal(len(content), datatype=XSD.nonNegativeInteger)),
            (distribution, DCTERMS.title, Literal(name)),
            (distribution, DCTERMS.license, LICENSE),
            (distribution, DCATAP.availability, STABLE),
            (distribution, SPDX.checksum, checksum),
            (checksum, RDF.type, SPDX.Checksum),
            (checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256),
            (checksum, SPDX.checksumValue, Literal(hashlib.sha256(content).hexdigest(), datatype=XSD.hexBinary)),
        ):
            void.add(triple)
        if stem in LAYERS:
            void.add((distribution, DCTERMS.description, Literal(LAYERS[stem], lang="en")))
        if extension in media_types:
            void.add((distribution, DCAT.mediaType, URIRef(IANA + media_types[extension])))
        if extension in FILE_TYPES:
            void.add((distribution, DCTERMS["format"], URIRef(EU + "file-type/" + FILE_TYPES[extension])))


def _service(void: Graph, endpoint: URIRef) -> None:
    """The SPARQL endpoint, as VoID names it and as a DCAT data service serving the dataset."""
    for triple in (
        (DATASET, VOID.sparqlEndpoint, endpoint),
        (SERVICE, RDF.type, DCAT.DataService),
        (SERVICE, DCTERMS.title, Literal("SPARQL endpoint of " + TITLE[0].lower() + TITLE[1:], lang="en")),
        (SERVICE, DCAT.endpointURL, endpoint),
        (SERVICE, DCAT.servesDataset, DATASET),
        (SERVICE, DCTERMS.conformsTo, SPARQL_PROTOCOL),
        (SERVICE, DCAT.contactPoint, CONTACT),
        (SERVICE, DCTERMS.publisher, PUBLISHER),
        (SERVICE, DCTERMS.license, LICENSE),
        (SERVICE, DCTERMS.accessRights, PUBLIC),
    ):
        void.add(triple)
    for theme in THEMES:
        void.add((SERVICE, DCAT.theme, theme))
    for keyword in void.objects(DATASET, DCAT.keyword):
        void.add((SERVICE, DCAT.keyword, keyword))


def _catalog(void: Graph) -> None:
    """The catalogue a harvester starts from: this dataset and its SPARQL service."""
    for triple in (
        (CATALOG, RDF.type, DCAT.Catalog),
        (CATALOG, DCTERMS.title, Literal(TITLE, lang="en")),
        (CATALOG, DCTERMS.description, Literal("The catalogue of " + TITLE[0].lower() + TITLE[1:] + ": the dataset and its SPARQL endpoint.", lang="en")),
        (CATALOG, DCTERMS.publisher, PUBLISHER),
        (CATALOG, DCAT.dataset, DATASET),
        (CATALOG, DCAT.service, SERVICE),
        (CATALOG, FOAF.homepage, URIRef(BASE)),
        (CATALOG, DCTERMS.license, LICENSE),
        (CATALOG, DCAT.themeTaxonomy, THEME_TAXONOMY),
    ):
        void.add(triple)
    for predicate in (DCTERMS.issued, DCTERMS.modified, DCTERMS.language, DCTERMS.spatial):
        for value in void.objects(DATASET, predicate):
            void.add((CATALOG, predicate, value))


_IS_ENTITY = is_entity_filter("?thing")
_ENTITIES = f"SELECT DISTINCT ?thing WHERE {{ GRAPH ?g {{ ?thing a ?class }} FILTER ({_IS_ENTITY}) }}"
# Our own classes only: the closure also types every entity with the classes they align with.
_ENTITIES_BY_CLASS = f"""SELECT ?class (COUNT(DISTINCT ?thing) AS ?n) WHERE {{
  GRAPH ?g {{ ?thing a ?class }} FILTER ({_IS_ENTITY} && STRSTARTS(STR(?class), "{CAS}"))
}} GROUP BY ?class"""
_FACTS_AND_CLAIMS = f"""SELECT ?class (COUNT(DISTINCT ?node) AS ?n) WHERE {{
  VALUES ?class {{ <{CAS.Fact}> <{CAS.Claim}> }} GRAPH ?g {{ ?node a ?class }}
}} GROUP BY ?class"""
_FACTS_ABOUT = f"""SELECT ?thing (COUNT(DISTINCT ?fact) AS ?n) WHERE {{
  GRAPH ?g {{ ?fact a <{CAS.Fact}> }} GRAPH ?h {{ ?fact <{RDF.subject}> ?thing }}
}} GROUP BY ?thing"""
_GRAPH_SIZES = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
_PREDICATES = "SELECT DISTINCT ?p WHERE { GRAPH ?g { ?s ?p ?o } }"
_CLASSES = f"SELECT DISTINCT ?class WHERE {{ GRAPH ?g {{ ?s <{RDF.type}> ?class }} FILTER isIRI(?class) }}"


def _counts(void: Graph, store: ox.Store, predicates: set[str], owner: dict[ox.NamedNode, str]) -> None:
    things = sorted(row["thing"].value for row in store.query(_ENTITIES))
    sizes = _published_sizes(store, owner)
    void.add((DATASET, VOID.triples, Literal(sum(sizes.values()))))
    void.add((DATASET, VOID.entities, Literal(len(things))))
    void.add((DATASET, VOID.properties, Literal(len(predicates))))
    for name, size in sorted(sizes.items()):
        subset = URIRef(f"{DATASET}#graph-{name.rsplit('/graph/', 1)[-1]}")
        void.add((DATASET, VOID.subset, subset))
        void.add((subset, RDF.type, VOID.Dataset))
        void.add((subset, DCTERMS.identifier, URIRef(name)))
        void.add((subset, VOID.triples, Literal(size)))
    by_class = Counter({CAS.Fact: 0, CAS.Claim: 0})  # Facts and claims are counted though they are not entities
    for query in (_ENTITIES_BY_CLASS, _FACTS_AND_CLAIMS):
        by_class.update({URIRef(row["class"].value): int(row["n"].value) for row in store.query(query)})
    for cls, count in sorted(by_class.items()):
        partition = URIRef(f"{DATASET}#class-{split_uri(cls)[1]}")
        void.add((DATASET, VOID.classPartition, partition))
        void.add((partition, VOID["class"], cls))
        void.add((partition, VOID.entities, Literal(count)))
    facts_about = {row["thing"].value: int(row["n"].value) for row in store.query(_FACTS_ABOUT)}
    for example in sorted(things, key=lambda t: (-facts_about.get(t, 0), t))[:EXAMPLES]:
        void.add((DATASET, VOID.exampleResource, URIRef(example)))


def _published_sizes(store: ox.Store, owner: dict[ox.NamedNode, str]) -> dict[str, int]:
    """Named graph (IRI) -> its number of triples, as the dataset files publish them: the claims, and the
    description of the source they quote, moved from the asserted graph into their source's graph (`owner`)."""
    sizes = Counter({row["g"].value: int(row["n"].value) for row in store.query(_GRAPH_SIZES)})
    asserted = ox.NamedNode(GRAPH["asserted"])
    for node, graph in owner.items():
        moved = sum(1 for _ in store.quads_for_pattern(node, None, None, asserted))
        sizes[graph] += moved
        sizes[asserted.value] -= moved
    return dict(sizes)


def _vocabularies(void: Graph, store: ox.Store, predicates: set[str]) -> None:
    """The namespaces of every property (`predicates`) and class the data uses (not our own instance namespaces)."""
    terms = predicates | {row["class"].value for row in store.query(_CLASSES)}
    namespaces = set()
    for term in terms:
        try:
            namespaces.add(split_uri(URIRef(term))[0])
        except ValueError:  # an IRI with no local part to split off
            continue
    for namespace in sorted(namespaces):
        if not namespace.startswith(BASE) or namespace == str(CAS):
            void.add((DATASET, VOID.vocabulary, URIRef(namespace)))
