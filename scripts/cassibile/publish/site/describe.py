"""The RDF behind each page: what the data siblings of a page (`.ttl`, `.jsonld`, `.nt`, `.rdf`) hold, and writing them.

Every page that describes an IRI — an entity, a source, a fact, a claim, the dataset — has the same
siblings, written by `write_data` from one list of formats (`DATA_FORMATS`), so that `cassibile
serve` can answer the extensionless IRI path with any of them.

A page's triples come in blocks, one per subject (`Block`). A fact, its claims, the labels of an entity recur on the
pages of everything that names them: each subject's block is converted, written in every format and compacted as
JSON-LD once, and a page joins its blocks' (`export.serialize_blocks`, `export.jsonld_document`).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Graph, URIRef

from cassibile.errors import UsageError
from cassibile.namespaces import CAS
from cassibile.pipeline.load import new_graph
from cassibile.publish.export import (
    CONTEXT_URL,
    compactor,
    jsonld_document,
    node_texts,
    serialize_blocks,
    statement_lines,
    statements,
)
from cassibile.publish.outputs import GENERATED
from cassibile.publish.publication import SOURCE_SUMMARY, Part, Publication, triples_of
from cassibile.publish.site.view import SiteGraph
from cassibile.publish.site.writer import FileWriter
from cassibile.terms import OxigraphTerms

# The data siblings of every page that describes an IRI, written from its triples by oxigraph:
# (format name, file suffix, media type, the name people know it by).
DATA_FORMATS = (
    ("ttl", ".ttl", "text/turtle", "Turtle"),
    ("nt", ".nt", "application/n-triples", "N-Triples"),
    ("xml", ".rdf", "application/rdf+xml", "RDF/XML"),
)
JSONLD = ("jsonld", ".jsonld", "application/ld+json", "JSON-LD")
SIBLINGS = (DATA_FORMATS[0], JSONLD, *DATA_FORMATS[1:])  # as the pages list them


class Block:
    """Sorted triples of a page (oxigraph's) that hold all it says of their subjects, as each format writes them
    (`export.statement_lines`) and, made when first asked for, as the text of their compacted JSON-LD node objects
    (`export.node_texts`). Only what is written is kept, as text: the site keeps a block of every subject it
    describes."""

    __slots__ = ("lines", "_triples", "_compactor", "_nodes")

    def __init__(self, triples: list[ox.Triple], compactor):
        self.lines = statement_lines(triples, [fmt for fmt, _, _, _ in DATA_FORMATS])
        self._triples, self._compactor = triples, compactor
        self._nodes: list[dict] | None = None

    def nodes(self) -> list[tuple[str, bytes]]:
        if self._nodes is None:
            self._nodes, self._triples = node_texts(self._triples, self._compactor), None
        return self._nodes


def write_data(writer: FileWriter, base: Path, blocks: list[Block], jsonld: bytes) -> None:
    """A page's data siblings beside `base`.html: its blocks' triples in each of DATA_FORMATS, and JSON-LD.
    (The suffix is added to the IRI's last segment, which may itself contain a dot.)"""
    for fmt, suffix, _, _ in DATA_FORMATS:
        lines = [block.lines[fmt] for block in blocks]
        writer.write(f"{base}{suffix}", serialize_blocks(lines, fmt, header=GENERATED if fmt == "ttl" else None))
    writer.write(f"{base}{JSONLD[1]}", jsonld)


class Descriptions:
    """Every page's triples, read from the publication's index (`cassibile.publish.publication`), as blocks.

    An entity's page holds what its framed JSON-LD document holds (`Publication.document`), a fact's
    page what `Publication.fact_document` says. The block of a subject's triples that the index gives is
    made once, for every page that holds them; each term is converted to oxigraph's once, and the JSON-LD
    context's compactor is found once.
    """

    def __init__(self, site: SiteGraph, index: Publication, context: dict):
        self.site, self.index, self.context = site, index, context
        self._terms = OxigraphTerms()
        self._compactor = compactor(context)
        self._blocks: dict[tuple, tuple[tuple, Block]] = {}  # (node, its predicates) -> (their object sets, block)

    def entity(self, entity: URIRef) -> list[Block]:
        """Its own triples; each fact about it or naming it, with the fact's time spans and claims and
        each claim's source (type, title, language); then the types and labels of every other entity
        these name."""
        return self._described(self.index.document(entity))

    def fact(self, fact: URIRef) -> list[Block]:
        """The fact's triples, its time spans and claims, each claim's source, and the entities it names."""
        return self._described(self.index.fact_document(fact))

    def claim(self, claim: URIRef) -> list[Block]:
        """The claim's triples, its source's summary, and each fact that rests on it (its own triples)."""
        about = self.index.about.get(claim, {})
        part = {claim: about}
        for source in about.get(CAS.source, ()):
            part.setdefault(source, self.index.summary(source, SOURCE_SUMMARY))
        for fact in self.site.claims[claim].facts if claim in self.site.claims else ():
            part.setdefault(fact.iri, self.index.about.get(fact.iri, {}))
        return self._described(part)

    def source(self, source: URIRef) -> list[Block]:
        """The source's description and every claim that quotes it (asserted triples only)."""
        data = self.site.data
        part = list(data.triples((source, None, None)))
        for claim in self.site.claims_from(source):
            part += data.triples((claim.iri, None, None))
        return self._one_block(set(part))

    def of(self, triples: list[ox.Triple]) -> list[Block]:
        """Sorted triples (`export.statements`) as one block."""
        return [Block(triples, self._compactor)] if triples else []

    def jsonld(self, blocks: list[Block], context: dict | str = CONTEXT_URL) -> bytes:
        """The blocks' triples as JSON-LD compacted with the published context, which it refers to by URL, as the
        entity documents do (or carries inline: `context`)."""
        return jsonld_document([node for block in blocks for node in block.nodes()], context)

    def _described(self, part: Part) -> list[Block]:
        """A page's blocks, one per subject, in the order of their triples: each subject's from the first page
        that held it, unless blank nodes need labels from the whole page's content."""
        blocks = [self._subject_block(node, properties) for node, properties in part.items() if properties]
        if None in blocks:
            return self._one_block(triples_of(part))
        return sorted(blocks, key=_subject_order)

    def _subject_block(self, node, properties: dict) -> Block | None:
        """The block of what `properties` (from the index: predicate -> its objects) says of `node`; None if it
        names a blank node."""
        key, sets = (node, *properties), tuple(properties.values())
        kept = self._blocks.get(key)
        if kept is None or any(a is not b for a, b in zip(kept[0], sets)):  # the same objects, not merely equal ones
            if isinstance(node, BNode) or any(isinstance(o, BNode) for objects in sets for o in objects):
                return None
            terms, subject = self._terms, self._terms[node]
            triples = sorted((ox.Triple(subject, terms[p], terms[o]) for p, objects in properties.items() for o in objects), key=str)
            kept = self._blocks[key] = (sets, Block(triples, self._compactor))
        return kept[1]

    def _one_block(self, part: Iterable[tuple]) -> list[Block]:
        """The triples (rdflib's, each once) as one block, sorted: what `export.statements` gives for a graph of them,
        blank nodes relabelled from the content, as the dumps have them."""
        part, terms = list(part), self._terms
        converted = [ox.Triple(terms[s], terms[p], terms[o]) for s, p, o in part]
        if any(isinstance(t.subject, ox.BlankNode) or isinstance(t.object, ox.BlankNode) for t in converted):
            return self.of(statements(_graph(part)))
        converted.sort(key=str)
        return self.of(converted)


def _subject_order(block: Block) -> bytes:
    """A key that sorts a page's blocks, one per subject, as the page's triples sort (as text: `export.statements`):
    every N-Triples line starts with its subject and a space, which sorts before anything that can go on a
    subject's name, so the triples of two subjects never interleave."""
    return block.lines["nt"]


def _graph(triples: list) -> Graph:
    """Triples as a graph to serialise, in rdflib's SimpleMemory store: it keeps no named graphs, which a page
    does not need, and fills several times faster than the default store."""
    graph = Graph(store="SimpleMemory")
    graph.addN((s, p, o, graph) for s, p, o in triples)
    return graph


def read_built(path: Path) -> Graph:
    """A graph the build wrote beside the site (Turtle), e.g. the VoID description."""
    if not path.is_file():
        raise UsageError(f"{path} is missing; run `cassibile build` first")
    graph = new_graph()
    graph.parse(path, format="turtle")
    return graph
