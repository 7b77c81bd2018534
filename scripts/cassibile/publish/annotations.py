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
from rdflib.namespace import DCTERMS, RDF

from cassibile.namespaces import BASE, CAS, GRAPH, OA
from cassibile.pipeline.store import LayerStore

ANNOTATION_CONTEXT = "http://www.w3.org/ns/anno.jsonld"
COLLECTION = BASE + "annotations.jsonld"  # where dist/annotations.jsonld is published
MOTIVATION = "describing"  # the facts (bodies) describe, in the graph's terms, what the passage (target) states
# Each claim's target and selectors as the derived layer states them, with the language of the source it quotes.
_TARGETS = f"""SELECT ?claim ?target ?source ?language ?quote ?exact ?prefix ?suffix ?position ?start ?end WHERE {{
  GRAPH <{GRAPH["derived"]}> {{
    ?claim <{OA.hasTarget}> ?target .
    ?target <{OA.hasSource}> ?source ; <{OA.hasSelector}> ?quote, ?position .
    ?quote <{RDF.type}> <{OA.TextQuoteSelector}> ; <{OA.exact}> ?exact ; <{OA.prefix}> ?prefix ; <{OA.suffix}> ?suffix .
    ?position <{RDF.type}> <{OA.TextPositionSelector}> ; <{OA.start}> ?start ; <{OA.end}> ?end .
  }}
  OPTIONAL {{ GRAPH <{GRAPH["asserted"]}> {{ ?source <{DCTERMS.language}> ?language }} }}
}}"""
_SUPPORTS = f"SELECT ?fact ?claim WHERE {{ GRAPH <{GRAPH['asserted']}> {{ ?fact <{CAS.supportedBy}> ?claim }} }}"


def annotation_collection(layers: LayerStore) -> bytes:
    """The collection, claims in IRI order, read from the build's store with two queries (see the module's docstring)."""
    supports: dict[str, list[str]] = defaultdict(list)
    for row in layers.store.query(_SUPPORTS):
        supports[row["claim"].value].append(row["fact"].value)
    rows = sorted(layers.store.query(_TARGETS), key=lambda row: (row["claim"].value, row["target"].value))
    items = [annotation(row, sorted(supports[row["claim"].value])) for row in rows]
    collection = {
        "@context": ANNOTATION_CONTEXT,
        "id": COLLECTION,
        "type": "AnnotationCollection",
        "label": "The claims of the Cassibile publication: each a verbatim passage of a source, and the facts it supports",
        "total": len(items),
        "first": {"id": COLLECTION + "#page-1", "type": "AnnotationPage", "partOf": COLLECTION, "startIndex": 0, "items": items},
    }
    return orjson.dumps(collection, option=orjson.OPT_INDENT_2) + b"\n"


def annotation(row, facts: list[str]) -> dict:
    """One claim (a row of `_TARGETS`) as an Annotation: the facts it supports as bodies, its derived target."""
    described = {"id": row["source"].value, "type": "Text", "format": "text/plain"}
    if row["language"] is not None:
        described["language"] = row["language"].value
    found = {
        "id": row["claim"].value,
        "type": "Annotation",
        "motivation": MOTIVATION,
        "body": facts,
        "target": {
            "id": row["target"].value,
            "type": "SpecificResource",
            "source": described,
            "selector": [
                {"id": row["quote"].value, "type": "TextQuoteSelector", **{key: row[key].value for key in ("exact", "prefix", "suffix")}},
                {"id": row["position"].value, "type": "TextPositionSelector", **{key: int(row[key].value) for key in ("start", "end")}},
            ],
        },
    }
    if not facts:  # a body is optional; an empty list would say nothing
        del found["body"]
    return found
