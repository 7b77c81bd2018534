"""The Wikidata view (`dist/wikidata.ttl`): the truthy facts as the Wikidata Query Service holds them.

`wd:Q… wdt:P… wd:Q…` for every truthy statement (our own IRI where an entity has no QID), values
as WDQS writes them (dates as `"1943-09-03T00:00:00Z"^^xsd:dateTime` at their precision's first
day, numbers as `"+1400"^^xsd:decimal`), `rdfs:label` with one label per language (further
labels as `skos:altLabel`), `schema:description`, and `wdt:P31` from each asserted class's
`skos:closeMatch`. So a query written for WDQS about these items runs unchanged on the file.
"""

from __future__ import annotations

from collections import defaultdict

from rdflib import Graph, Literal
from rdflib.namespace import RDF, RDFS, SKOS

from cassibile.export import entities
from cassibile.load import new_graph
from cassibile.namespaces import CAS, SCHEMA, WD, WDT
from cassibile.wikidata.statements import Alignment, Item, Statement

INSTANCE_OF = "P31"


def wikidata_view(data: Graph, found: list[Statement], alignment: Alignment) -> Graph:
    """The view of the truthy statements `found` in `data` (the asserted graph)."""
    view = new_graph()
    for statement in found:
        if statement.truthy:
            value = statement.value.term() if isinstance(statement.value, Item) else statement.value.wdqs()
            view.add((statement.subject.term(), WDT[statement.pid], value))
    for entity in entities(data):
        add_entity_terms(view, data, alignment.item(entity), alignment)
    return view


def item_labels(data: Graph, entity) -> dict[str, list[str]]:
    """Language -> the entity's labels in it (rdfs:label from sources, cas:editorialLabel otherwise), sorted."""
    labels = defaultdict(list)
    for label in sorted(set(data.objects(entity, RDFS.label)) | set(data.objects(entity, CAS.editorialLabel))):
        if isinstance(label, Literal) and label.language:
            labels[label.language].append(str(label))
    return dict(labels)


def add_entity_terms(view: Graph, data: Graph, item: Item, alignment: Alignment) -> None:
    """Labels, description and instance-of classes of one entity, in WDQS form."""
    subject = item.term()
    for language, (first, *others) in item_labels(data, item.iri).items():
        view.add((subject, RDFS.label, Literal(first, lang=language)))
        for other in others:
            view.add((subject, SKOS.altLabel, Literal(other, lang=language)))
    for description in data.objects(item.iri, SCHEMA.description):
        view.add((subject, SCHEMA.description, description))
    if INSTANCE_OF in alignment.verified:
        for cls in data.objects(item.iri, RDF.type):
            if cls in alignment.class_qids:
                view.add((subject, WDT[INSTANCE_OF], WD[alignment.class_qids[cls]]))
