"""Parse Turtle strictly, with file, line and column in every error, and remember where nodes are defined."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, XSD

from cassibile.errors import DataError, Location, UsageError
from cassibile.namespaces import CAS, PREFIXES
from cassibile.project import Project

_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_PREFIX_LINE = re.compile(r"^\s*@?prefix\s+([\w.-]*):\s*<([^>]*)>", re.IGNORECASE)
_SUBJECT_LINE = re.compile(r"^(<[^>\s]*>|[A-Za-z][\w.-]*:[^\s;,]*)(?:\s|$)")  # canonical files put the subject alone on its line


def to_rdflib(term):
    """An oxigraph term as rdflib's (simple literals stay plain, as RDF 1.1 reads them)."""
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if term.language:
        return Literal(term.value, lang=term.language)
    if term.datatype.value == _XSD_STRING:  # RDF 1.1 simple literal: keep rdflib's plain form
        return Literal(term.value)
    return Literal(term.value, datatype=URIRef(term.datatype.value))


def to_oxigraph(term):
    """An rdflib term as oxigraph's."""
    if isinstance(term, URIRef):
        return ox.NamedNode(term)
    if isinstance(term, BNode):
        return ox.BlankNode(term)
    if term.language:
        return ox.Literal(term, language=term.language)
    return ox.Literal(term, datatype=ox.NamedNode(term.datatype) if term.datatype else None)


class Terms(dict):
    """oxigraph term -> rdflib term, each distinct term converted once and then shared by every triple
    that uses it: one Python object per occurrence cost about 40% of a loaded graph's memory."""

    def __missing__(self, term):
        self[term] = converted = to_rdflib(term)
        return converted


def parse_turtle(path: Path, into: Graph | None = None, terms: Terms | None = None) -> Graph:
    """Parse one Turtle file into an rdflib graph (`into`, or a new one); syntax errors and ill-typed
    literals become DataError with a position. After an error `into` is incomplete: discard it."""
    if not path.is_file():
        raise UsageError(f"{path}: no such file")
    graph = into if into is not None else Graph()
    terms = Terms() if terms is None else terms
    try:
        for triple in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE, base_iri=path.resolve().as_uri()):
            seen = triple.object in terms  # a literal is checked when it is first converted
            subject, obj = terms[triple.subject], terms[triple.object]
            if not seen and isinstance(obj, Literal) and _ill_typed(obj):
                raise _ill_typed_error(path, subject, obj)
            graph.add((subject, terms[triple.predicate], obj))
    except SyntaxError as error:
        message = str(error.msg).split(": ", 1)[-1]
        raise DataError(f"malformed Turtle: {message}", Location(path, error.lineno, error.offset)) from None
    return graph


# rdflib checks the lexical form of xsd:date and xsd:dateTime, but not of xsd:gYear and xsd:gYearMonth.
_GREGORIAN = {
    XSD.gYear: re.compile(r"^-?[0-9]{4,}(Z|[+-][0-9]{2}:[0-9]{2})?$"),
    XSD.gYearMonth: re.compile(r"^-?[0-9]{4,}-(0[1-9]|1[0-2])(Z|[+-][0-9]{2}:[0-9]{2})?$"),
}


def _ill_typed(literal: Literal) -> bool:
    pattern = _GREGORIAN.get(literal.datatype)
    return bool(literal.ill_typed) or (pattern is not None and not pattern.match(str(literal)))


def _ill_typed_error(path: Path, subject, obj: Literal) -> DataError:
    return DataError(
        f'ill-typed literal "{obj}" is not a valid {new_graph().namespace_manager.normalizeUri(obj.datatype)}',
        Location(path, _line_of(path, f'"{obj}"')),
        node=str(subject),
    )


def _line_of(path: Path, needle: str) -> int | None:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if needle in line:
            return number
    return None


def subject_lines(path: Path) -> dict[URIRef, int]:
    """Map each subject that starts a line of a Turtle file to that line (for error reports)."""
    prefixes: dict[str, str] = {}
    found: dict[URIRef, int] = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if m := _PREFIX_LINE.match(line):
            prefixes[m.group(1)] = m.group(2)
        elif m := _SUBJECT_LINE.match(line):
            token = m.group(1)
            if token.startswith("<"):
                found.setdefault(URIRef(token[1:-1]), number)
            else:
                prefix, _, local = token.partition(":")
                if prefix in prefixes:
                    found.setdefault(URIRef(prefixes[prefix] + local), number)
    return found


@dataclass
class Dataset:
    """Everything the build reads: ontology, hand-written graph, shapes, and the source texts."""

    ontology: Graph
    data: Graph
    shapes: Graph
    source_texts: dict[URIRef, str] = field(default_factory=dict)
    defined_at: dict[URIRef, Location] = field(default_factory=dict)

    def location(self, node) -> Location | None:
        return self.defined_at.get(node)


def new_graph() -> Graph:
    graph = Graph()
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace, replace=True)
    return graph


def load_files(files: list[Path], index: dict[URIRef, Location] | None = None, terms: Terms | None = None) -> Graph:
    graph, terms = new_graph(), Terms() if terms is None else terms
    for path in files:
        parse_turtle(path, graph, terms)
        if index is not None:
            for node, line in subject_lines(path).items():
                index.setdefault(node, Location(path, line))
    return graph


def load_project(project: Project) -> Dataset:
    index: dict[URIRef, Location] = {}
    terms = Terms()  # shared: the ontology's terms are the graph's and the shapes' too
    ontology = load_files(project.ontology_files, index, terms)
    data = load_files(project.graph_files, index, terms)
    shapes = load_files(project.shape_files, index, terms)
    dataset = Dataset(ontology, data, shapes, defined_at=index)
    dataset.source_texts = read_source_texts(project, dataset)
    return dataset


def read_source_texts(project: Project, dataset: Dataset) -> dict[URIRef, str]:
    """Read each source's text, refusing a file whose bytes no longer match its recorded sha256."""
    texts = {}
    for source in sorted(dataset.data.subjects(RDF.type, CAS.Source)):
        where = dataset.location(source)
        relative, digest = dataset.data.value(source, CAS.textFile), dataset.data.value(source, CAS.sha256)
        if relative is None or digest is None:
            raise DataError("source lacks cas:textFile or cas:sha256", where, str(source))
        path = project.graph_dir / str(relative)
        if not path.is_file():
            raise DataError(f"source text {path} is missing", where, str(source))
        raw = path.read_bytes()
        if hashlib.sha256(raw).hexdigest() != str(digest):
            raise DataError(f"{path.name} does not match its recorded sha256 {digest}", where, str(source))
        texts[source] = raw.decode("utf-8")
    return texts


def source_language(dataset: Dataset, source: URIRef) -> str | None:
    language = dataset.data.value(source, DCTERMS.language)
    return str(language) if language is not None else None
