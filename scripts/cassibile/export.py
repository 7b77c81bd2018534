"""Deterministic serialisation: the same graph always gives the same bytes.

Graph formats (Turtle, N-Triples, JSON-LD with the published context, RDF/XML), dataset formats
(TriG, N-Quads) whose named graphs keep every layer apart and each source's claims in a graph of
their own, and framed per-entity JSON-LD documents.
"""

from __future__ import annotations

import json
from pathlib import Path

from rdflib import Dataset as RDFDataset
from rdflib import BNode, Graph, URIRef, plugin
from rdflib.compare import to_canonical_graph
from rdflib.namespace import DCTERMS, RDF, RDFS
from rdflib.plugins.serializers.longturtle import LongTurtleSerializer
from rdflib.serializer import Serializer

from cassibile.errors import DataError, UsageError
from cassibile.namespaces import BASE, CAS, GRAPH, ID, PREFIXES, SOURCE
from cassibile.project import Project

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
CONTEXT_URL = BASE + "context.jsonld"  # where dist/context.jsonld is published
ASSERTED = GRAPH["asserted"]


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


def context_file(root: Path | None = None) -> Path:
    """The hand-written JSON-LD context of the project at `root` (default: the project here)."""
    return (root or Project.find().root) / "ontology" / "context.jsonld"


def published_context(root: Path | None = None) -> dict:
    """The term definitions of ontology/context.jsonld (its "@context" object)."""
    path = context_file(root)
    if not path.is_file():
        raise UsageError(f"{path}: no such file (the published JSON-LD context)")
    try:
        return json.loads(path.read_text(encoding="utf-8"))["@context"]
    except (ValueError, KeyError) as error:
        raise DataError(f"{path}: not a JSON-LD context document ({error})") from None


def serialize_graph(graph: Graph, fmt: str, header: str | None = None, context: dict | None = None) -> bytes:
    """One graph in one format; JSON-LD is compacted with `context` (default: the published one)."""
    if fmt not in GRAPH_FORMATS:
        raise UsageError(f"unknown format {fmt!r}; choose one of {', '.join(GRAPH_FORMATS + DATASET_FORMATS)}")
    if fmt == "nt":
        return _sorted_lines(graph.serialize(format="nt"))
    if fmt == "jsonld":
        return _jsonld(graph, context if context is not None else published_context())
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


def _jsonld(graph: Graph, context: dict) -> bytes:
    """Compacted with the published context, carried inline so that the file stands alone."""
    data = json.loads(_canonical_order(graph).serialize(format="json-ld", context=context, auto_compact=True))
    return _json_bytes(data)


def _json_bytes(data) -> bytes:
    return (json.dumps(_sort_json(data), indent=2, ensure_ascii=False) + "\n").encode("utf-8")


_FIRST_KEYS = {"@context": 0, "id": 1, "@id": 1, "type": 2, "@type": 2}


def _sort_json(value):
    """Sort JSON-LD arrays (RDF values are unordered sets unless @list) and keys, recursively;
    keys alphabetically after "@context", "id" and "type", which lead as in Linked Art."""
    if isinstance(value, dict):
        keys = sorted(value, key=lambda k: (_FIRST_KEYS.get(k, 3), k))
        return {k: (value[k] if k == "@list" else _sort_json(value[k])) for k in keys}
    if isinstance(value, list):
        items = [_sort_json(v) for v in value]
        return sorted(items, key=lambda v: json.dumps(v, sort_keys=True, ensure_ascii=False))
    return value


def claims_graph(source: URIRef) -> URIRef:
    """The named graph of one source's claims, e.g. <https://w3id.org/cassibile/graph/claims/en-article>."""
    return GRAPH["claims/" + str(source)[len(str(SOURCE)):]]


def publication_graphs(graphs: dict[URIRef, Graph]) -> dict[URIRef, Graph]:
    """The named graphs as published: the asserted graph's claims, and the description of the source
    they quote, move into one graph per source; everything else stays in its layer."""
    asserted = graphs.get(ASSERTED)
    if asserted is None:
        return graphs
    split = {name: graph for name, graph in graphs.items() if name != ASSERTED}
    split[ASSERTED] = Graph()
    owner = {claim: asserted.value(claim, CAS.source) for claim in asserted.subjects(RDF.type, CAS.Claim)}
    owner.update({source: source for source in asserted.subjects(RDF.type, CAS.Source)})
    for triple in asserted:
        source = owner.get(triple[0])
        name = claims_graph(source) if isinstance(source, URIRef) and str(source).startswith(str(SOURCE)) else ASSERTED
        split.setdefault(name, Graph()).add(triple)
    return split


def serialize_dataset(graphs: dict[URIRef, Graph], fmt: str) -> bytes:
    """Named graphs (split as `publication_graphs` says) as TriG (each graph in canonical Turtle)
    or N-Quads (sorted lines)."""
    if fmt not in DATASET_FORMATS:
        raise UsageError(f"unknown dataset format {fmt!r}; choose one of {', '.join(DATASET_FORMATS)}")
    graphs = publication_graphs(graphs)
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


# --- per-entity documents ---------------------------------------------------------------------

SOURCE_SUMMARY = (RDF.type, DCTERMS.title, DCTERMS.language)
MENTION_SUMMARY = (RDF.type, RDFS.label, CAS.editorialLabel)


def entity_subgraph(graph: Graph, entity: URIRef, roles=(RDF.subject, RDF.object)) -> Graph:
    """What an entity's document holds: its own triples; every fact it is the subject or the value of
    (`roles`), with qualifiers, time spans and claims, and each claim's source (type, title,
    language); and the types and labels of the other entities all these mention."""
    part = Graph()
    part += graph.triples((entity, None, None))
    for fact in sorted({f for role in roles for f in graph.subjects(role, entity)}):
        part += graph.triples((fact, None, None))
        for node in graph.objects(fact, None):
            if (node, RDF.type, CAS.TimeSpan) in graph:
                part += graph.triples((node, None, None))
        for claim in graph.objects(fact, CAS.supportedBy):
            part += graph.triples((claim, None, None))
            _copy(graph, part, graph.value(claim, CAS.source), SOURCE_SUMMARY)
    for mention in {o for o in part.objects() if isinstance(o, URIRef) and str(o).startswith(str(ID))} - {entity}:
        _copy(graph, part, mention, MENTION_SUMMARY)
    return part


def _copy(graph: Graph, part: Graph, node, predicates) -> None:
    for predicate in predicates:
        part += graph.triples((node, predicate, None))


def _framed(part: Graph, entity: URIRef, reverse_term: str, context: dict) -> dict:
    from pyld import jsonld  # here, not at the top: it takes 0.2 s to import and only the build frames

    nquads = _sorted_lines(part.serialize(format="nt")).decode("utf-8")
    expanded = jsonld.from_rdf(nquads, {"format": "application/n-quads"})
    frame = {"@context": context, "id": str(entity), reverse_term: {}}
    return jsonld.frame(expanded, frame, {"embed": "@always"})


def entity_document(graph: Graph, entity: URIRef, context: dict) -> bytes:
    """The entity's subgraph framed as one JSON-LD tree: the entity at the top, the facts about it
    under "facts", those naming it as their value under "factsAsValue", with claims, sources and
    mentioned entities embedded; it refers to the published context by URL, as Linked Art does.

    The two kinds of facts are framed apart and joined: pyld 3.3 fails on a reverse frame over
    rdf:object when some object is a literal (it reads "@id" from a value object)."""
    document = _framed(entity_subgraph(graph, entity, (RDF.subject,)), entity, "facts", context)
    incoming = _framed(entity_subgraph(graph, entity, (RDF.object,)), entity, "factsAsValue", context)
    if incoming.get("factsAsValue"):
        document["factsAsValue"] = incoming["factsAsValue"]
    document["@context"] = CONTEXT_URL
    return _json_bytes(document)


def entity_slug(entity: URIRef) -> str:
    slug = str(entity)[len(str(ID)):]
    if not slug or "/" in slug or slug.startswith("."):
        raise DataError(f"entity IRI {entity} does not end in a plain slug; cannot name its document")
    return slug


def entities(graph: Graph) -> list[URIRef]:
    """The things the publication describes: typed nodes under the id/ namespace."""
    return sorted({s for s in graph.subjects(RDF.type, None) if isinstance(s, URIRef) and str(s).startswith(str(ID))})


def entity_documents(graph: Graph, context: dict) -> dict[str, bytes]:
    """`<slug>.jsonld` -> document, for every entity."""
    return {f"{entity_slug(e)}.jsonld": entity_document(graph, e, context) for e in entities(graph)}
