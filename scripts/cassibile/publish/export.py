"""Deterministic serialisation: the same graph always gives the same bytes.

Graph formats (Turtle, N-Triples, JSON-LD with the published context, RDF/XML), dataset formats
(TriG, N-Quads) whose named graphs keep every layer apart and each source's claims in a graph of
their own, and framed per-entity JSON-LD documents.
"""

from __future__ import annotations

import json
import re
import tempfile
from collections.abc import Iterable, Iterator
from functools import lru_cache
from itertools import groupby
from operator import attrgetter, itemgetter
from pathlib import Path

import orjson
import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef, plugin
from rdflib.compare import to_canonical_graph
from rdflib.namespace import RDF, RDFS, XSD
from rdflib.plugins.serializers.longturtle import LongTurtleSerializer
from rdflib.serializer import Serializer

from cassibile.errors import DataError, UsageError
from cassibile.namespaces import BASE, CAS, GRAPH, ID, PREFIXES, SOURCE
from cassibile.pipeline.store import LayerStore, statements
from cassibile.project import Project
from cassibile.publish.publication import FACT_ROLES, Publication, entities  # noqa: F401  (entities: read from here too)

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

    def label(self, node, position):
        """Decimals and doubles in full ("1.5"^^xsd:double): rdflib's shorthand (1.5e+00, and 1.0 for "1"^^xsd:decimal)
        would read back as another literal than the one written, the form a store keeps (docs/literals.md)."""
        if isinstance(node, Literal) and node.datatype in (XSD.decimal, XSD.double):
            return node.n3(self.store.namespace_manager)
        return super().label(node, position)


plugin.register("cassibile-turtle", Serializer, __name__, "CanonicalTurtleSerializer")

# What oxigraph writes, per format; it writes fast and, fed sorted statements, the same bytes every time.
_OX_FORMATS = {
    "ttl": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES, "xml": ox.RdfFormat.RDF_XML,
    "trig": ox.RdfFormat.TRIG, "nq": ox.RdfFormat.N_QUADS,
}
# rdflib namespace attributes are looked up on every access: the loops below use these instead.
_TYPE, _SOURCE = RDF.type, CAS.source
_OX_TYPE, _OX_SOURCE = ox.NamedNode(RDF.type), ox.NamedNode(CAS.source)
_OX_CLAIM, _OX_SOURCE_CLASS = ox.NamedNode(CAS.Claim), ox.NamedNode(CAS.Source)
_TYPE_IRI, _XSD_STRING, _XSD_STRING_REF = str(RDF.type), str(XSD.string), XSD.string
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
    return serialize_triples(statements(graph), fmt, header, context)


def serialize_triples(triples: list[ox.Triple], fmt: str, header: str | None = None, context: dict | None = None) -> bytes:
    """Sorted triples (`statements`, `LayerStore.triples`) in one format, as `serialize_graph`."""
    if fmt not in GRAPH_FORMATS:
        raise UsageError(f"unknown format {fmt!r}; choose one of {', '.join(GRAPH_FORMATS + DATASET_FORMATS)}")
    if fmt == "jsonld":
        return jsonld_bytes(triples, context if context is not None else published_context())
    return serialize_statements(triples, fmt, header)


def canonical_turtle(graph: Graph) -> bytes:
    """The form of the hand-edited Turtle files (`cassibile fmt`): rdflib's longturtle, in sorted order."""
    return _bound(_canonical_order(graph)).serialize(format="cassibile-turtle").encode("utf-8")


def serialize_statements(found: list, fmt: str, header: str | None = None, prefixes: dict | None = None) -> bytes:
    """Sorted triples (or quads, for TriG and N-Quads) through oxigraph's writer, which keeps their
    order; Turtle and TriG get their prefixes (default: the project's) in alphabetical order
    (oxigraph writes them in hash order)."""
    return _finished(*_framed(_written(found, fmt, prefixes), fmt), fmt, header)


def serialize_with_statements(triples: list[ox.Triple], fmt: str, header: str | None = None) -> tuple[bytes, bytes]:
    """`serialize_statements` of sorted triples, and the statements alone, without Turtle's prefixes or RDF/XML's root
    element (what `statement_lines` gives; `DatasetFiles.add_written` reuses those of N-Triples and Turtle)."""
    head, body, tail = _framed(_written(triples, fmt), fmt)
    return _finished(head, body, tail, fmt, header), body


def _written(found: list, fmt: str, prefixes: dict | None = None) -> bytes:
    prefixes = _PREFIXES if prefixes is None else prefixes
    return ox.serialize(found, format=_OX_FORMATS[fmt], prefixes=prefixes if fmt in ("ttl", "trig", "xml") else None)


# oxigraph's writers put a graph's statements between a head and a tail that depend only on the prefixes, and, fed
# statements sorted, write each subject's on lines of their own, the same in every graph: so what they write of a
# subject's statements can be written once and reused in every graph that holds them (the site's data siblings).
def statement_lines(triples: list[ox.Triple], formats: Iterable[str]) -> dict[str, bytes]:
    """What `serialize_statements` writes of sorted triples (every one of their subjects has) in each of some graph
    formats, without the head and tail around every graph: to be joined by `serialize_blocks`."""
    ntriples = _written(triples, "nt")
    prefixes = _prefixes_in(ntriples)
    return {fmt: ntriples if fmt == "nt" else _framed(_written(triples, fmt, prefixes), fmt)[1] for fmt in formats}


def _prefixes_in(lines: bytes) -> dict[str, str]:
    """The project's prefixes whose namespaces start an IRI of some N-Triples (or, harmlessly, an IRI in a literal).
    Given only these, oxigraph's writers write the statements as with all of them — no namespace is inside another
    (`test_exports`) — and faster: they check each prefix they are given, about half a microsecond each, which is
    most of the time of writing a few statements."""
    return dict(_PREFIX_OF[namespace] for namespace in set(_NAMESPACE_STARTS.findall(lines)))


_PREFIX_OF = {namespace.encode("utf-8"): (prefix, namespace) for prefix, namespace in _PREFIXES.items()}
_NAMESPACE_STARTS = re.compile(b"<(" + b"|".join(map(re.escape, _PREFIX_OF)) + b")")


def serialize_blocks(blocks: list[bytes], fmt: str, header: str | None = None) -> bytes:
    """What `serialize_statements` writes of the triples of `blocks` (`statement_lines`), given in the order of
    their triples, each subject's triples in one block."""
    if not blocks:
        return serialize_statements([], fmt, header)
    head, _, tail = _frame(fmt)
    return _finished(head, b"".join(blocks), tail, fmt, header)


@lru_cache(maxsize=None)
def _frame(fmt: str) -> tuple[bytes, bytes, bytes]:
    """The head and tail `serialize_statements` writes around any graph's statements in a graph format."""
    probe = ox.Triple(ox.NamedNode(BASE + "probe"), ox.NamedNode(RDFS.label), ox.Literal("probe"))
    return _framed(_written([probe], fmt), fmt)


def _framed(data: bytes, fmt: str) -> tuple[bytes, bytes, bytes]:
    """A graph or dataset as oxigraph writes it, as (head, statements, tail): the prefixes of Turtle and TriG, the XML
    declaration and root element around RDF/XML's; nothing around N-Triples' and N-Quads'."""
    if fmt in ("ttl", "trig"):
        end = 0
        while data.startswith(b"@prefix ", end):
            end = data.index(b"\n", end) + 1
        return data[:end], data[end:], b""
    if fmt == "xml":
        start, end = data.index(b"\n", data.index(b"\n") + 1) + 1, data.rindex(b"\n") + 1
        return data[:start], data[start:end], data[end:]
    return b"", data, b""


def _finished(head: bytes, body: bytes, tail: bytes, fmt: str, header: str | None) -> bytes:
    """The file: `header` as comments, then Turtle's and TriG's prefixes sorted (oxigraph writes them in hash order)
    and a blank line."""
    if fmt in ("ttl", "trig"):
        head = b"".join(line + b"\n" for line in sorted(head.split(b"\n")[:-1])) + b"\n"
    return _comment(header) + head + body + tail


def _comment(header: str | None) -> bytes:
    return "".join(f"# {line}\n" for line in (header or "").splitlines()).encode("utf-8")


def _labelled(graph: Graph):
    """The graph's triples, blank nodes relabelled from its content (see `statements`)."""
    if any(isinstance(term, BNode) for triple in graph for term in triple):
        return to_canonical_graph(graph)
    return graph


def _canonical_order(graph: Graph) -> Graph:
    """A copy whose triples were inserted in sorted order, so rdflib's serialisers walk them the same way every time."""
    ordered = Graph()
    for triple in sorted(_labelled(graph)):
        ordered.add(triple)
    return _bound(ordered)


def jsonld_bytes(triples: list[ox.Triple], context: dict, reference: str | None = None) -> bytes:
    """Every subject as one node object, compacted with `context`, which the file carries inline so
    that it stands alone, or refers to by its URL (`reference`)."""
    return compacted_jsonld(triples, compactor(context), reference or context)


def compacted_jsonld(triples: list[ox.Triple], compactor, context: dict | str) -> bytes:
    """As `jsonld_bytes`, with a compactor already found for the context (`compactor`); `context` is what the
    file says its context is: the context itself, or its URL. Each subject's triples (`statements` and
    `LayerStore.triples` give them together) become its node's text at once: a layer of a million triples never
    exists as Python's dicts (they took about 1 GiB at 1M triples)."""
    nodes = node_texts(triples, compactor)
    if _shares_an_id(nodes):  # a subject given apart: join its triples first
        return jsonld_graph(compacted_nodes(triples, compactor), context)
    return jsonld_document(nodes, context)


def node_texts(triples: list[ox.Triple], compactor) -> list[tuple[str, bytes]]:
    """Each run of one subject's triples as its compacted node's id and text, the text as it stands in a document's
    "@graph" (`jsonld_document`)."""
    return [(_node_id(node), _dumped_node(node)) for node in _compacted(_subject_nodes(triples), compactor)]


def jsonld_document(nodes: list[tuple[str, bytes]], context: dict | str) -> bytes:
    """Node texts (`node_texts`) as one JSON-LD document under `context`: byte for byte what `jsonld_graph` writes of
    their nodes (sorted by id, or by their JSON where two share one)."""
    if not nodes or _shares_an_id(nodes):
        return jsonld_graph([orjson.loads(text) for _, text in nodes], context)
    nodes = sorted(nodes, key=itemgetter(0))
    head, tail = _dumped({"@context": _sort_json(context), "@graph": [_NODES]}).split(_NODES_LINE)
    return head + b",\n".join(text for _, text in nodes) + tail


def compacted_nodes(triples: list[ox.Triple], compactor) -> list[dict]:
    """Every subject of the triples as one node object, compacted with `compactor` and sorted (`_sort_json`): the
    same in every document that holds these triples of it, so a writer of many may keep it (the site's pages)."""
    nodes: dict = {}
    for node in _subject_nodes(triples):
        merged = nodes.setdefault(node["@id"], {"@id": node["@id"]})
        for key, values in node.items():
            if key != "@id":
                merged.setdefault(key, []).extend(values)
    return list(_compacted(nodes.values(), compactor))


def _subject_nodes(triples: Iterable[ox.Triple]) -> Iterator[dict]:
    """A node object, not compacted, for each run of triples with one subject."""
    for subject, run in groupby(triples, key=attrgetter("subject")):
        node = {"@id": _json_id(subject)}
        for _, p, o in run:
            if p.value == _TYPE_IRI and not isinstance(o, ox.Literal):
                node.setdefault("@type", []).append(_json_id(o))
            else:
                node.setdefault(p.value, []).append({"@id": _json_id(o)} if not isinstance(o, ox.Literal) else _json_literal(o))
        yield node


def _compacted(nodes: Iterable[dict], compactor) -> Iterator[dict]:
    return (_sort_json(compactor.compact(node)) for node in nodes)


def jsonld_graph(nodes: list[dict], context: dict | str) -> bytes:
    """Node objects from `compacted_nodes` as one JSON-LD document, under `context` (the context, or its URL): what
    `_json_bytes` writes of them."""
    return _dumped({"@context": _sort_json(context), "@graph": _sorted_array(nodes)})


# A node's text inside a document's "@graph" (`compacted_jsonld`): its own text with every line indented twice more,
# where the document's text has a placeholder; the sort of `_sorted_array`, by id.
_NODES = "\u0000nodes"  # no context holds a NUL
_NODES_LINE = b'    "\\u0000nodes"'


def _dumped_node(node: dict) -> bytes:
    return b"    " + orjson.dumps(node, option=orjson.OPT_INDENT_2).replace(b"\n", b"\n    ")


def _shares_an_id(nodes: list[tuple[str, bytes]]) -> bool:
    """Whether two node texts (`node_texts`) have one id."""
    return len({identifier for identifier, _ in nodes}) < len(nodes)


def _node_id(node: dict) -> str:
    return node.get("id", node.get("@id"))


def compactor(context: dict):
    """One compactor per context, so that the terms it chose serve every document. Finding it serialises
    the context: a writer of many documents with one context (the site's pages) keeps it instead."""
    return _compactor(json.dumps(context, sort_keys=True))


@lru_cache(maxsize=4)
def _compactor(context_json: str):
    from cassibile.publish.compaction import Compactor

    return Compactor(json.loads(context_json))


def _json_id(term) -> str:
    return f"_:{term.value}" if isinstance(term, ox.BlankNode) else term.value


def _json_literal(literal: ox.Literal) -> dict:
    if literal.language:
        return {"@value": literal.value, "@language": literal.language}
    if literal.datatype.value != _XSD_STRING:
        return {"@value": literal.value, "@type": literal.datatype.value}
    return {"@value": literal.value}


def _json_bytes(data) -> bytes:
    return _dumped(_sort_json(data))


def _dumped(data) -> bytes:
    return orjson.dumps(data, option=orjson.OPT_INDENT_2) + b"\n"


_FIRST_KEYS = {"@context": 0, "id": 1, "@id": 1, "type": 2, "@type": 2}


class _SortedJson(dict):
    """A JSON object that `_sort_json` has sorted already: what many entity documents embed is sorted once."""


def _sort_json(value):
    """Sort JSON-LD arrays (RDF values are unordered sets unless @list) and keys, recursively;
    keys alphabetically after "@context", "id" and "type", which lead as in Linked Art."""
    if isinstance(value, _SortedJson):
        return value
    if isinstance(value, dict):
        keys = sorted(value, key=lambda k: (_FIRST_KEYS.get(k, 3), k))
        return {k: (value[k] if k == "@list" else _sort_json(value[k])) for k in keys}
    if isinstance(value, list):
        return _sorted_array([_sort_json(v) for v in value])
    return value


def _sorted_array(items: list) -> list:
    """Node objects by their id (cheap, and how people look for them); anything else by its JSON text."""
    ids = [item.get("id", item.get("@id")) if isinstance(item, dict) else None for item in items]
    if None not in ids and len(set(ids)) == len(ids):
        return [item for _, item in sorted(zip(ids, items), key=lambda pair: pair[0])]
    return sorted(items, key=lambda v: orjson.dumps(v, option=orjson.OPT_SORT_KEYS))


def claims_graph(source: URIRef) -> URIRef:
    """The named graph of one source's claims, e.g. <https://w3id.org/cassibile/graph/claims/en-article>."""
    return GRAPH["claims/" + str(source)[len(str(SOURCE)):]]


def claims_owner(store: ox.Store) -> dict[ox.NamedNode, str]:
    """Subject -> the named graph (IRI) its asserted triples are published in, for those that leave the
    asserted graph of `store`: each claim goes to its source's claims graph, and so does the source's description."""
    asserted = ox.NamedNode(ASSERTED)
    claims = {quad.subject for quad in store.quads_for_pattern(None, _OX_TYPE, _OX_CLAIM, asserted)}
    owner = {q.subject: q.object for q in store.quads_for_pattern(None, _OX_SOURCE, None, asserted) if q.subject in claims}
    owner.update({q.subject: q.subject for q in store.quads_for_pattern(None, _OX_TYPE, _OX_SOURCE_CLASS, asserted)})
    return {node: str(claims_graph(URIRef(source.value))) for node, source in owner.items()
            if isinstance(source, ox.NamedNode) and source.value.startswith(SOURCE)}


def serialize_dataset(layers: LayerStore, names: Iterable[str], fmt: str) -> bytes:
    """The named graphs `names` (IRIs) of the store, the asserted one split as `claims_owner` says, as TriG or
    N-Quads, each graph's statements sorted."""
    if fmt not in DATASET_FORMATS:
        raise UsageError(f"unknown dataset format {fmt!r}; choose one of {', '.join(DATASET_FORMATS)}")
    with tempfile.TemporaryDirectory() as folder:
        paths = {f: Path(folder) / f"dataset.{f}" for f in DATASET_FORMATS}
        with DatasetFiles(paths["trig"], paths["nq"]) as dataset:
            owner = claims_owner(layers.store)
            for name in sorted(map(str, names)):
                dataset.add(name, layers.triples(name), owner if name == str(ASSERTED) else {})
        return paths[fmt].read_bytes()


class DatasetFiles:
    """A TriG and an N-Quads file written one named graph at a time, so that the dataset is never held
    in memory whole: graphs in the order they are added, each graph's statements sorted."""

    def __init__(self, trig: Path, nquads: Path):
        self.trig, self.nquads = trig.open("wb"), nquads.open("wb")
        prefixes = sorted(f"@prefix {prefix}: <{namespace}> ." for prefix, namespace in _PREFIXES.items())
        self.trig.write(("\n".join(prefixes) + "\n\n").encode("utf-8"))

    def __enter__(self) -> "DatasetFiles":
        return self

    def __exit__(self, *error) -> None:
        self.trig.close()
        self.nquads.close()

    def add(self, name: str, triples: list[ox.Triple], owner: dict[ox.NamedNode, str]) -> None:
        """A layer's sorted triples, published in the graph `name` (an IRI) except those whose subject `owner`
        sends to another (`claims_owner`)."""
        self.add_written(name, statement_lines(triples, ("nt", "ttl")), owner)

    def add_written(self, name: str, statements: dict[str, bytes], owner: dict[ox.NamedNode, str]) -> None:
        """`add`, from what oxigraph's writers write of the sorted triples in N-Triples and Turtle (`statements`, as
        `serialize_with_statements` gives them): no triple is converted or written again. Fed sorted statements, the
        writers give each subject lines of its own, so a graph's N-Quads are its subjects' N-Triples with the graph's
        name before each line's final dot (a line ends only there: N-Triples escapes a literal's line breaks), and
        its TriG their Turtle, indented once, inside the graph's braces."""
        for graph, (ntriples, turtle) in _owned(name, statements["nt"], statements["ttl"], owner):
            if ntriples:
                self.nquads.write(ntriples.replace(b" .\n", f" <{graph}> .\n".encode("utf-8")))
                self.trig.write(_graph_head(graph) + b"\t" + turtle[:-1].replace(b"\n", b"\n\t") + b"\n}\n")


def _owned(name: str, ntriples: bytes, turtle: bytes, owner: dict[ox.NamedNode, str]) -> list[tuple[str, tuple[bytes, bytes]]]:
    """Each graph's N-Triples and Turtle statements (`DatasetFiles.add_written`): the graph `name` first, then those
    that `owner` sends subjects to, in order; each subject's lines (a run of N-Triples lines, a block of Turtle ones:
    its first line unindented) go where `owner` sends it."""
    if not owner:
        return [(name, (ntriples, turtle))]
    sends = {f"<{node.value}>".encode("utf-8"): graph for node, graph in owner.items()}
    runs = [(subject, b"".join(lines)) for subject, lines in groupby(ntriples.splitlines(keepends=True), key=lambda line: line[:line.index(b" ")])]
    blocks = _TURTLE_BLOCK.findall(turtle)
    if len(runs) != len(blocks):
        raise AssertionError(f"{len(runs)} subjects in N-Triples, {len(blocks)} in Turtle")
    graphs: dict[str, tuple[list, list]] = {name: ([], [])}
    for (subject, lines), block in zip(runs, blocks):
        found = graphs.setdefault(sends.get(subject, name), ([], []))
        found[0].append(lines)
        found[1].append(block)
    return [(graph, (b"".join(graphs[graph][0]), b"".join(graphs[graph][1]))) for graph in [name] + sorted(set(graphs) - {name})]


_TURTLE_BLOCK = re.compile(rb"[^\t\n][^\n]*\n(?:\t[^\n]*\n)*")  # a subject's lines: the first unindented


@lru_cache(maxsize=None)
def _graph_head(graph: str) -> bytes:
    """The line on which oxigraph's TriG writer opens the graph `graph`."""
    probe = ox.Quad(ox.NamedNode(BASE + "probe"), ox.NamedNode(RDFS.label), ox.Literal("probe"), ox.NamedNode(graph))
    written = _framed(ox.serialize([probe], format=ox.RdfFormat.TRIG, prefixes=_PREFIXES), "trig")[1]
    return written[:written.index(b"\n") + 1]


# --- per-entity documents ---------------------------------------------------------------------

def entity_document_name(entity: URIRef) -> str:
    """The file of an entity's framed JSON-LD document in dist/id/ (`EntityFramer.document`), which the build writes
    as it writes the entity's page (`publish.site.framed_documents`) and `cassibile site` reads back."""
    return f"{entity_slug(entity)}.jsonld"


class EntityFramer:
    """An entity's document as a frame with "@embed": "@always" gives: the entity at the top, the facts
    naming it under "@reverse", and, wherever a node names another, what the index embeds of it
    (`Publication.embedded`) nested in place: what the index says its document holds (`Publication.document`).
    Framing each entity with pyld took 30 ms; this takes well under 1 ms (benchmarks/README.md).

    Claims with their source, time spans and the summaries of mentioned entities read the same in
    every document, so each is expanded and compacted once and then reused."""

    def __init__(self, index: Publication, context: dict):
        from cassibile.publish.compaction import Compactor

        self.index, self.compactor = index, Compactor(context)
        self.shared: dict = {}  # node -> its expanded form, where it is the same in every document

    def document(self, entity: URIRef) -> bytes:
        """The entity at the top, the facts about it under "facts", those naming it as their value under
        "factsAsValue"; it refers to the published context by URL, as Linked Art does."""
        about = self.index.about
        tree = self._node(entity, about.get(entity, {}), entity)
        reverse = {}
        for role in FACT_ROLES:
            if named := self.index.facts_naming(entity, role):
                reverse[str(role)] = [self._node(fact, about[fact], entity) for fact in named]
        if reverse:
            tree["@reverse"] = reverse
        return _json_bytes({**self.compactor.compact(tree), "@context": CONTEXT_URL})

    def _node(self, node, properties: dict, entity) -> dict:
        result: dict = {"@id": str(node)}
        for predicate, objects in properties.items():
            if predicate == _TYPE:
                result["@type"] = [str(o) for o in objects]
                continue
            values = result[str(predicate)] = []
            for obj in objects:
                if isinstance(obj, Literal):
                    values.append(_literal(obj))
                elif obj == entity or obj == node or (embedded := self._embedded(obj, predicate)) is None:
                    values.append({"@id": str(obj)})
                else:
                    values.append(embedded)
        return result

    def _embedded(self, node, predicate) -> dict | None:
        """The compacted-once form of what the index embeds of `node` where `predicate` names it, or None.
        Only forms are kept: a node may be embedded by one predicate (a claim by cas:supportedBy) and
        merely named by another."""
        if node in self.shared:
            return self.shared[node]
        properties = self.index.embedded(node, predicate)
        if properties is None:
            return None
        embedded = self.shared[node] = self.compactor.keep(self._node(node, properties, None), _sorted_once)
        return embedded


def _sorted_once(form: dict) -> _SortedJson:
    return _SortedJson(_sort_json(form))


def _literal(literal: Literal) -> dict:
    if literal.language:
        return {"@value": str(literal), "@language": literal.language}
    if literal.datatype is not None and literal.datatype != _XSD_STRING_REF:
        return {"@value": str(literal), "@type": str(literal.datatype)}
    return {"@value": str(literal)}


def entity_slug(entity: URIRef) -> str:
    slug = str(entity)[len(str(ID)):]
    if not slug or "/" in slug or slug.startswith("."):
        raise DataError(f"entity IRI {entity} does not end in a plain slug; cannot name its document")
    return slug
