"""The namespaces the publication mints and reuses (design.md, section IRIs)."""

from functools import cache

from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS, XSD

BASE = "https://w3id.org/cassibile/"
CAS = Namespace(BASE + "ontology#")
ID = Namespace(BASE + "id/")
SOURCE = Namespace(BASE + "source/")
CLAIM = Namespace(BASE + "claim/")
FACT = Namespace(BASE + "fact/")
INTERVAL = Namespace(BASE + "interval/")
SHAPES = Namespace(BASE + "shapes#")
GRAPH = Namespace(BASE + "graph/")
ONTOLOGY = Namespace(BASE + "ontology")
# What graph/ may describe: the things, sources, claims, facts and time spans the publication names.
THINGS = (ID, SOURCE, CLAIM, FACT, INTERVAL)

WD = Namespace("http://www.wikidata.org/entity/")
WDT = Namespace("http://www.wikidata.org/prop/direct/")
WIKIBASE = Namespace("http://wikiba.se/ontology#")
SCHEMA = Namespace("http://schema.org/")
PROV = Namespace("http://www.w3.org/ns/prov#")
SEM = Namespace("http://semanticweb.cs.vu.nl/2009/11/sem/")
CRM = Namespace("http://www.cidoc-crm.org/cidoc-crm/")
VOID = Namespace("http://rdfs.org/ns/void#")
DCAT = Namespace("http://www.w3.org/ns/dcat#")
SH = Namespace("http://www.w3.org/ns/shacl#")
OA = Namespace("http://www.w3.org/ns/oa#")

PREFIXES = {
    "cas": CAS, "id": ID, "source": SOURCE, "claim": CLAIM, "fact": FACT, "interval": INTERVAL,
    "wd": WD, "wdt": WDT, "wikibase": WIKIBASE, "schema": SCHEMA, "prov": PROV, "sem": SEM,
    "crm": CRM, "dct": DCTERMS, "owl": OWL, "rdf": RDF, "rdfs": RDFS, "skos": SKOS, "xsd": XSD,
    "void": VOID, "dcat": DCAT, "sh": SH, "shapes": SHAPES, "oa": OA,
}

LANGUAGES = ("en", "it", "de", "pt")


def new_graph() -> Graph:
    """An empty rdflib graph that writes the publication's prefixes."""
    graph = Graph()
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace, replace=True)
    return graph


def prefixed(iri) -> str:
    """`iri` as a prefixed name with the publication's prefixes (cas:Fact), or <iri> when none fits."""
    return _prefixes().normalizeUri(URIRef(str(iri)))


@cache
def _prefixes():
    return new_graph().namespace_manager
