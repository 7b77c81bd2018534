"""Deterministic serialisation: the same graph always gives the same bytes.

Graph formats (Turtle, N-Triples, JSON-LD with the published context, RDF/XML), dataset formats
(TriG, N-Quads) whose named graphs keep every layer apart and each source's claims in a graph of
their own, and framed per-entity JSON-LD documents.
"""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox

from rdflib import BNode, Graph, Literal, URIRef, plugin
from rdflib.compare import to_canonical_graph
from rdflib.namespace import DCTERMS, RDF, RDFS, XSD
from rdflib.plugins.serializers.longturtle import LongTurtleSerializer
from rdflib.serializer import Serializer

from cassibile.errors import DataError, UsageError
from cassibile.load import to_oxigraph
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

# What oxigraph writes, per format; it writes fast and, fed sorted statements, the same bytes every time.
_OX_FORMATS = {
    "ttl": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES, "xml": ox.RdfFormat.RDF_XML,
    "trig": ox.RdfFormat.TRIG, "nq": ox.RdfFormat.N_QUADS,
}
_PREFIXES = {prefix: str(namespace) for prefix, namespace in sorted(PREFIXES.items())}


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
    if fmt == "jsonld":
        return _jsonld(graph, context if context is not None else published_context())
    statements = [ox.Triple(*map(to_oxigraph, triple)) for triple in _labelled(graph)]
    return _comment(header) + _ox_serialize(statements, fmt)


def canonical_turtle(graph: Graph) -> bytes:
    """The form of the hand-edited Turtle files (`cassibile fmt`): rdflib's longturtle, in sorted order."""
    return _bound(_canonical_order(graph)).serialize(format="cassibile-turtle").encode("utf-8")


def _comment(header: str | None) -> bytes:
    return "".join(f"# {line}\n" for line in (header or "").splitlines()).encode("utf-8")


def _ox_serialize(statements: list, fmt: str) -> bytes:
    """Sorted statements through oxigraph's writer. Line formats come out sorted; Turtle and TriG
    get their prefixes in alphabetical order (oxigraph writes them in hash order)."""
    statements.sort(key=str)
    data = ox.serialize(statements, format=_OX_FORMATS[fmt], prefixes=_PREFIXES if fmt in ("ttl", "trig", "xml") else None)
    if fmt not in ("ttl", "trig"):
        return data
    lines = data.decode("utf-8").split("\n")
    body = 0
    while body < len(lines) and lines[body].startswith("@prefix "):
        body += 1
    return ("\n".join(sorted(lines[:body]) + [""] + lines[body:])).encode("utf-8")


def _labelled(graph: Graph):
    """The graph's triples, blank nodes (only shapes and the ontology's lists have them) relabelled from its content."""
    if any(isinstance(term, BNode) for triple in graph for term in triple):
        return to_canonical_graph(graph)
    return graph


def _canonical_order(graph: Graph) -> Graph:
    """A copy whose triples were inserted in sorted order, so serialisers walk them the same way every time.

    Blank nodes (only the shapes have them) first get labels computed from the graph's content.
    """
    ordered = Graph()
    for triple in sorted(_labelled(graph)):
        ordered.add(triple)
    return _bound(ordered)


def _jsonld(graph: Graph, context: dict) -> bytes:
    """Compacted with the published context, carried inline so that the file stands alone.
    No sorted copy is needed: `_sort_json` orders every array and key of the result."""
    data = json.loads(_bound(_labelled(graph)).serialize(format="json-ld", context=context, auto_compact=True))
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


def serialize_dataset(graphs: dict[URIRef, Graph], fmt: str, split: bool = True) -> bytes:
    """Named graphs (split as `publication_graphs` says, unless `split` is False because they already
    are) as TriG or N-Quads, in sorted order."""
    if fmt not in DATASET_FORMATS:
        raise UsageError(f"unknown dataset format {fmt!r}; choose one of {', '.join(DATASET_FORMATS)}")
    graphs = publication_graphs(graphs) if split else graphs
    statements = [ox.Quad(*map(to_oxigraph, triple), ox.NamedNode(name)) for name, graph in graphs.items() for triple in _labelled(graph)]
    return _ox_serialize(statements, fmt)


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


def entity_document(graph: Graph, entity: URIRef, context: dict) -> bytes:
    """One entity's framed document (see `entity_documents`)."""
    return _document(_compacted([_tree(_Index(graph), entity)], context)[0])


def _document(compacted: dict) -> bytes:
    """It refers to the published context by URL, as Linked Art does."""
    return _json_bytes({**compacted, "@context": CONTEXT_URL})


class _Index:
    """The graph's triples by subject, and facts by their subject and value: one pass, then every lookup is a dict hit."""

    def __init__(self, graph: Graph):
        about: dict = {}  # subject -> {(predicate, object): None}: ordered, and a triple in two layers counts once
        self.facts: dict = {RDF.subject: {}, RDF.object: {}}
        for s, p, o in graph:
            about.setdefault(s, {})[p, o] = None
            if p in self.facts:
                self.facts[p].setdefault(o, set()).add(s)
        self.about = {subject: list(pairs) for subject, pairs in about.items()}

    def values(self, node, predicates) -> list:
        return [(p, o) for p, o in self.about.get(node, ()) if p in predicates]

    def is_time_span(self, node) -> bool:
        return (RDF.type, CAS.TimeSpan) in self.about.get(node, ())


def _part(index: _Index, entity: URIRef) -> dict:
    """`entity_subgraph` read from the index, as subject -> [(predicate, object)]."""
    part = {entity: list(index.about.get(entity, ()))}
    for fact in {f for role in index.facts for f in index.facts[role].get(entity, ())}:
        part[fact] = list(index.about.get(fact, ()))
        for predicate, node in part[fact]:
            if index.is_time_span(node):
                part[node] = list(index.about[node])
            if predicate == CAS.supportedBy:
                part[node] = list(index.about.get(node, ()))
                for _, source in index.values(node, {CAS.source}):
                    part[source] = index.values(source, SOURCE_SUMMARY)
    mentioned = {o for pairs in list(part.values()) for _, o in pairs if isinstance(o, URIRef) and o.startswith(ID)}
    for mention in mentioned - {entity}:
        part[mention] = index.values(mention, MENTION_SUMMARY)
    return part


def _tree(index: _Index, entity: URIRef) -> dict:
    """The entity's part as one expanded JSON-LD tree: every node it holds embedded wherever it is named
    (except inside itself), the facts attached in reverse, as a frame with "@embed": "@always" gives."""
    part = _part(index, entity)
    tree = _node(part, entity, frozenset())
    reverse = {}
    for role in index.facts:
        facts = sorted(set(index.facts[role].get(entity, ())))
        if facts:
            reverse[str(role)] = [_node(part, fact, frozenset({entity})) for fact in facts]
    if reverse:
        tree["@reverse"] = reverse
    return tree


def _node(part: dict, node, path: frozenset) -> dict:
    result: dict = {"@id": str(node)}
    for predicate, obj in part.get(node, ()):
        if predicate == RDF.type:
            result.setdefault("@type", []).append(str(obj))
        elif isinstance(obj, Literal):
            result.setdefault(str(predicate), []).append(_literal(obj))
        elif obj in part and obj not in path and obj != node:
            result.setdefault(str(predicate), []).append(_node(part, obj, path | {node}))
        else:
            result.setdefault(str(predicate), []).append({"@id": str(obj)})
    return result


def _literal(literal: Literal) -> dict:
    if literal.language:
        return {"@value": str(literal), "@language": literal.language}
    if literal.datatype is not None and literal.datatype != XSD.string:
        return {"@value": str(literal), "@type": str(literal.datatype)}
    return {"@value": str(literal)}


def _compacted(trees: list[dict], context: dict) -> list[dict]:
    from cassibile.compaction import Compactor

    compactor = Compactor(context)
    return [compactor.compact(tree) for tree in trees]


def entity_slug(entity: URIRef) -> str:
    slug = str(entity)[len(str(ID)):]
    if not slug or "/" in slug or slug.startswith("."):
        raise DataError(f"entity IRI {entity} does not end in a plain slug; cannot name its document")
    return slug


def entities(graph: Graph) -> list[URIRef]:
    """The things the publication describes: typed nodes under the id/ namespace."""
    return sorted({s for s in graph.subjects(RDF.type, None) if isinstance(s, URIRef) and str(s).startswith(str(ID))})


def entity_documents(graph: Graph, context: dict, batch: int = 200) -> dict[str, bytes]:
    """`<slug>.jsonld` -> document, for every entity: its subgraph (`entity_subgraph`) framed as one
    JSON-LD tree, the entity at the top, the facts about it under "facts", those naming it as their
    value under "factsAsValue", with claims, sources and mentioned entities embedded.

    The trees are built from one index of the graph and compacted `batch` at a time: framing each
    entity with pyld took 30 ms; this takes about 1 ms (benchmarks/README.md)."""
    index, found = _Index(graph), entities(graph)
    documents = {}
    for start in range(0, len(found), batch):
        chunk = found[start:start + batch]
        for entity, compacted in zip(chunk, _compacted([_tree(index, e) for e in chunk], context)):
            documents[f"{entity_slug(entity)}.jsonld"] = _document(compacted)
    return documents
