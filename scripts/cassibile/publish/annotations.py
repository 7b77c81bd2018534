"""`dist/annotations.jsonld`: every claim as a W3C Web Annotation, in the model's standard JSON-LD form.

An `AnnotationCollection` with one embedded `AnnotationPage` holds an `Annotation` per claim that
has a derived target (`derive.annotation_targets`): its id is the claim's IRI, its bodies are the
facts the claim supports, and its target is the claim's source with both selectors, exactly as the
derived layer states them. The file names the W3C context by its URL, as the model asks, and is
written as plain JSON: nothing is fetched to write it.
"""

from __future__ import annotations

from collections import defaultdict

import orjson
from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS, RDF

from cassibile.namespaces import BASE, CAS, OA

ANNOTATION_CONTEXT = "http://www.w3.org/ns/anno.jsonld"
COLLECTION = BASE + "annotations.jsonld"  # where dist/annotations.jsonld is published
MOTIVATION = "describing"  # the facts (bodies) describe, in the graph's terms, what the passage (target) states


def annotation_collection(asserted: Graph, derived: Graph) -> bytes:
    """The collection, claims in IRI order; one pass over the claims (see the module's docstring)."""
    supports: dict[URIRef, list[str]] = defaultdict(list)
    for fact, claim in asserted.subject_objects(CAS.supportedBy):
        supports[claim].append(str(fact))
    items = [annotation(claim, target, sorted(supports[claim]), asserted, derived)
             for claim, target in sorted(derived.subject_objects(OA.hasTarget))]
    collection = {
        "@context": ANNOTATION_CONTEXT,
        "id": COLLECTION,
        "type": "AnnotationCollection",
        "label": "The claims of the Cassibile publication: each a verbatim passage of a source, and the facts it supports",
        "total": len(items),
        "first": {"id": COLLECTION + "#page-1", "type": "AnnotationPage", "partOf": COLLECTION, "startIndex": 0, "items": items},
    }
    return orjson.dumps(collection, option=orjson.OPT_INDENT_2) + b"\n"


def annotation(claim: URIRef, target: URIRef, facts: list[str], asserted: Graph, derived: Graph) -> dict:
    """One claim as an Annotation: the facts it supports as bodies, its derived target."""
    selectors = {derived.value(selector, RDF.type): selector for selector in derived.objects(target, OA.hasSelector)}
    by_quote, by_position = selectors[OA.TextQuoteSelector], selectors[OA.TextPositionSelector]
    source = derived.value(target, OA.hasSource)
    described = {"id": str(source), "type": "Text", "format": "text/plain"}
    if (language := asserted.value(source, DCTERMS.language)) is not None:
        described["language"] = str(language)
    found = {
        "id": str(claim),
        "type": "Annotation",
        "motivation": MOTIVATION,
        "body": facts,
        "target": {
            "id": str(target),
            "type": "SpecificResource",
            "source": described,
            "selector": [
                {"id": str(by_quote), "type": "TextQuoteSelector",
                 **{key: str(derived.value(by_quote, OA[key])) for key in ("exact", "prefix", "suffix")}},
                {"id": str(by_position), "type": "TextPositionSelector",
                 **{key: int(derived.value(by_position, OA[key])) for key in ("start", "end")}},
            ],
        },
    }
    if not facts:  # a body is optional; an empty list would say nothing
        del found["body"]
    return found
