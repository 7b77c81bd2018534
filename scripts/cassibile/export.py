"""Deterministic serialisation: the same graph always gives the same bytes."""

from __future__ import annotations

import json

from rdflib import Dataset as RDFDataset
from rdflib import BNode, Graph, URIRef, plugin
from rdflib.compare import to_canonical_graph
from rdflib.namespace import RDF, RDFS
from rdflib.plugins.serializers.longturtle import LongTurtleSerializer
from rdflib.serializer import Serializer

from cassibile.errors import UsageError
from cassibile.namespaces import PREFIXES

# format name -> (file extension, media type)
FORMATS = {
    "ttl": ("ttl", "text/turtle"),
    "nt": ("nt", "application/n-triples"),
    "jsonld": ("jsonld", "application/ld+json"),
    "xml": ("rdf", "application/rdf+xml"),
    "trig": ("trig", "application/trig"),
    "nq": ("nq", "application/n-quads"),
}
GRAPH_FORMATS = ("ttl", "nt", "jsonld", "xml")
DATASET_FORMATS = ("trig", "nq")


class CanonicalTurtleSerializer(LongTurtleSerializer):
    """rdflib's diff-friendly longturtle, with a fact's subject, predicate and object listed first."""

    predicateOrder = [RDF.type, RDF.subject, RDF.predicate, RDF.object, RDFS.label]


plugin.register("cassibile-turtle", Serializer, __name__, "CanonicalTurtleSerializer")


def _sorted_lines(text: str) -> bytes:
    lines = sorted({line for line in text.splitlines() if line.strip()})
    return ("\n".join(lines) + "\n").encode("utf-8")


def _bound(graph: Graph) -> Graph:
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace, replace=True)
    return graph


def serialize_graph(graph: Graph, fmt: str, header: str | None = None) -> bytes:
    if fmt not in GRAPH_FORMATS:
        raise UsageError(f"unknown format {fmt!r}; choose one of {', '.join(GRAPH_FORMATS + DATASET_FORMATS)}")
    if fmt == "nt":
        return _sorted_lines(graph.serialize(format="nt"))
    if fmt == "jsonld":
        return _jsonld(graph)
    if fmt == "xml":
        return _rdfxml(graph)
    text = _bound(_canonical_order(graph)).serialize(format="cassibile-turtle")
    if header:
        text = "".join(f"# {line}\n" for line in header.splitlines()) + text
    return text.encode("utf-8")


def _rdfxml(graph: Graph) -> bytes:
    """RDF/XML through oxigraph's serialiser, fed sorted triples (rdflib's varies between runs)."""
    import pyoxigraph as ox

    from cassibile.query import _to_ox

    triples = [ox.Triple(_to_ox(s), _to_ox(p), _to_ox(o)) for s, p, o in sorted(graph)]
    prefixes = {prefix: str(ns) for prefix, ns in sorted(PREFIXES.items())}
    return ox.serialize(triples, format=ox.RdfFormat.RDF_XML, prefixes=prefixes)


def _canonical_order(graph: Graph) -> Graph:
    """A copy whose triples were inserted in sorted order, so serialisers walk them the same way every time.

    Blank nodes (only the shapes have them) first get labels computed from the graph's content.
    """
    if any(isinstance(term, BNode) for triple in graph for term in triple):
        graph = to_canonical_graph(graph)
    ordered = Graph()
    for triple in sorted(graph):
        ordered.add(triple)
    return _bound(ordered)


def _jsonld(graph: Graph) -> bytes:
    context = {prefix: str(ns) for prefix, ns in PREFIXES.items()}
    data = json.loads(_canonical_order(graph).serialize(format="json-ld", context=context, auto_compact=True))
    return (json.dumps(_sort_json(data), indent=2, ensure_ascii=False, sort_keys=True) + "\n").encode("utf-8")


def _sort_json(value):
    """Sort JSON-LD arrays (RDF values are unordered sets unless @list) and keys, recursively."""
    if isinstance(value, dict):
        return {k: (v if k == "@list" else _sort_json(v)) for k, v in value.items()}
    if isinstance(value, list):
        items = [_sort_json(v) for v in value]
        return sorted(items, key=lambda v: json.dumps(v, sort_keys=True, ensure_ascii=False))
    return value


def serialize_dataset(graphs: dict[URIRef, Graph], fmt: str) -> bytes:
    """Named graphs as TriG (each graph in canonical Turtle) or N-Quads (sorted lines)."""
    if fmt not in DATASET_FORMATS:
        raise UsageError(f"unknown dataset format {fmt!r}; choose one of {', '.join(DATASET_FORMATS)}")
    if fmt == "nq":
        dataset = RDFDataset()
        for name in sorted(graphs):
            dataset.graph(name).__iadd__(graphs[name])
        return _sorted_lines(dataset.serialize(format="nquads"))
    return _trig(graphs)


def _trig(graphs: dict[URIRef, Graph]) -> bytes:
    prefix_lines: set[str] = set()
    blocks = []
    for name in sorted(graphs):
        lines = serialize_graph(graphs[name], "ttl").decode("utf-8").splitlines()
        prefix_lines.update(line for line in lines if line.startswith("PREFIX "))
        body = "\n".join(line for line in lines if not line.startswith("PREFIX ")).strip()
        indented = "\n".join("    " + line if line else "" for line in body.splitlines())
        blocks.append(f"<{name}> {{\n{indented}\n}}\n")
    prefixes = "".join(line + "\n" for line in sorted(prefix_lines))
    return (prefixes + "\n" + "\n".join(blocks)).encode("utf-8")
