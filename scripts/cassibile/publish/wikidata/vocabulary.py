"""The names Wikidata's RDF and its Query Service use, in one place.

`WDQS_PREFIXES` are the prefixes query.wikidata.org declares for every query (wikidata-query-rdf's
WikibaseContextListener.addPrefixes and PropertyType, dist/src/script/prefixes.conf, and Blazegraph's
own defaults), so that a query copied from WDQS needs no PREFIX line here either.
"""

from __future__ import annotations

WIKIDATA = "http://www.wikidata.org/"
WIKIBASE = "http://wikiba.se/ontology#"
ENTITY = WIKIDATA + "entity/"
PROP = WIKIDATA + "prop/"

# One predicate namespace per role of a property (Wikibase RdfVocabulary, NSP_*).
ROLES = {
    "wdt": PROP + "direct/",
    "wdtn": PROP + "direct-normalized/",
    "p": PROP,
    "ps": PROP + "statement/",
    "psv": PROP + "statement/value/",
    "psn": PROP + "statement/value-normalized/",
    "pq": PROP + "qualifier/",
    "pqv": PROP + "qualifier/value/",
    "pqn": PROP + "qualifier/value-normalized/",
    "pr": PROP + "reference/",
    "prv": PROP + "reference/value/",
    "prn": PROP + "reference/value-normalized/",
    "wdno": PROP + "novalue/",
}

WDQS_PREFIXES = {
    **ROLES,
    "wd": ENTITY,
    "wdata": WIKIDATA + "wiki/Special:EntityData/",
    "wds": ENTITY + "statement/",
    "wdv": WIKIDATA + "value/",
    "wdref": WIKIDATA + "reference/",
    "wikibase": WIKIBASE,
    "schema": "http://schema.org/",
    "prov": "http://www.w3.org/ns/prov#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "geo": "http://www.opengis.net/ont/geosparql#",
    "geof": "http://www.opengis.net/def/geosparql/function/",
    "mediawiki": "https://www.mediawiki.org/ontology#",
    "mwapi": "https://www.mediawiki.org/ontology#API/",
    "gas": "http://www.bigdata.com/rdf/gas#",
    "ontolex": "http://www.w3.org/ns/lemon/ontolex#",
    "dct": "http://purl.org/dc/terms/",
    "wikibaseqs": "http://wikiba.se/queryService#",
    "wdsubgraph": "https://query.wikidata.org/subgraph/",
    # Blazegraph's defaults (PrefixDeclProcessor)
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "fn": "http://www.w3.org/2005/xpath-functions#",
    "sesame": "http://www.openrdf.org/schema/sesame#",
    "hint": "http://www.bigdata.com/queryHints#",
    "bd": "http://www.bigdata.com/rdf#",
    "bds": "http://www.bigdata.com/rdf/search#",
}

# What each Wikibase datatype is called in RDF (wikibase:propertyType).
PROPERTY_TYPES = {
    "wikibase-item": "WikibaseItem",
    "time": "Time",
    "quantity": "Quantity",
    "monolingualtext": "Monolingualtext",
    "string": "String",
    "url": "Url",
}
