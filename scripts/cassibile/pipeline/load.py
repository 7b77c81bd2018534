"""Parse Turtle strictly, with file, line and column in every error, and remember where nodes are defined.

Each file is parsed once, by oxigraph: `load_project` puts its triples as parsed into the build's store, the
ontology and the graph each in its named graph (`store.LayerStore`), which every later step reads. The ontology and
the shapes, the rules, are rdflib graphs too; graph/, the data, is not (`Dataset.data` copies it on request).

Besides what Turtle itself forbids, files refuse what the publication cannot publish: quoted triples
(RDF-star), ill-typed literals, literals that a store or rdflib would publish otherwise than written
(docs/literals.md), a byte-order mark; and graph/ holds statements only about this publication's things
(`namespaces.THINGS`), each declared in one file, with no blank nodes, and every IRI of the publication
it uses declared (given a class) in ontology/ or graph/.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Callable
from functools import cached_property
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, XSD

from cassibile.collector import paused
from cassibile.errors import DataError, DataErrors, Location, UsageError, read_utf8
from cassibile.namespaces import BASE, CAS, GRAPH, THINGS, new_graph, prefixed
from cassibile.pipeline.store import LayerStore, StoreView
from cassibile.project import Project
from cassibile.terms import QUOTED_TRIPLE, XSD_STRING, Terms, stored_forms, to_oxigraph

_PREFIX_LINE = re.compile(r"^\s*@?prefix\s+([\w.-]*):\s*<([^>]*)>", re.IGNORECASE)
_SUBJECT_LINE = re.compile(r"^(<[^>\s]*>|[A-Za-z][\w.-]*:[^\s;,]*)(?:\s|$)")  # canonical files put the subject alone on its line
_BOM = b"\xef\xbb\xbf"
_RDF_TYPE = ox.NamedNode(str(RDF.type))
BLANK_NODE = f"a blank node ([ … ], ( … ) or _:name) in graph/: give the node an IRI under {BASE}, so that it can be cited and linked"
# rdflib logs a traceback for every ill-typed literal it is given; `parse_turtle` reports each itself, in one line.
logging.getLogger("rdflib.term").addFilter(lambda record: not record.getMessage().startswith("Failed to convert Literal lexical form"))


def parse_turtle(path: Path, into: Graph | None = None, terms: Terms | None = None,
                 refuse: Callable[[object, ox.NamedNode, object], str | None] | None = None, as_written: bool = True) -> Graph:
    """Parse one Turtle file into an rdflib graph (`into`, or a new one), checked as `read_turtle` checks it."""
    graph = into if into is not None else Graph()
    terms = Terms() if terms is None else terms
    _add(graph, read_turtle(path, terms, refuse, as_written), terms)
    return graph


def read_turtle(path: Path, terms: Terms | None = None, refuse: Callable[[object, ox.NamedNode, object], str | None] | None = None,
                as_written: bool = True) -> list[ox.Triple]:
    """Parse one Turtle file into oxigraph's triples, each of its terms also converted to rdflib's once (`terms`: the
    loader's checks and the readers of the store share them). Syntax errors, quoted triples, ill-typed literals,
    literals that would not be published as written (unless `as_written` is false: `fmt`, and readers of built
    files), and triples that `refuse` gives a reason against become DataError with a position."""
    if not path.is_file():
        raise UsageError(f"{path}: no such file")
    with path.open("rb") as start:
        if start.read(3) == _BOM:
            raise DataError("the file starts with a byte-order mark (U+FEFF): save it as UTF-8 without one", Location(path, 1, 1))
    terms = Terms() if terms is None else terms
    triples, fresh = [], []  # fresh: the literals first read in this file; each distinct literal is checked once
    try:
        for triple in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE, base_iri=path.resolve().as_uri()):
            s, p, o = triple.subject, triple.predicate, triple.object  # each read makes a new Python object: once
            if refuse is not None and (reason := refuse(s, p, o)):
                raise _located(path, reason, triple)
            seen = o in terms  # a literal is checked when it is first converted
            try:
                terms[s], terms[p]  # each converted once: `undeclared` looks at the distinct terms read
                obj = terms[o]
            except ValueError as error:
                raise _located(path, str(error), triple) from None
            if not seen and isinstance(obj, Literal):
                if problem := _unpublishable(obj):
                    raise _located(path, problem, triple)
                fresh.append(o)
            triples.append(triple)
    except SyntaxError as error:
        message = str(error.msg).split(": ", 1)[-1]
        raise DataError(f"malformed Turtle: {message}", Location(path, error.lineno, error.offset)) from None
    if as_written and (problems := _rewritten(path, fresh, terms)):
        raise problems
    return triples


def _add(graph: Graph, triples: list[ox.Triple], terms: Terms) -> None:
    """oxigraph's triples into an rdflib graph, as the terms `read_turtle` converted."""
    graph.addN((terms[t.subject], terms[t.predicate], terms[t.object], graph) for t in triples)


def _rewritten(path: Path, literals: list[ox.Literal], terms: Terms) -> DataErrors | None:
    """Each literal that would be published otherwise than the file writes it, at its first statement: a store
    canonicalises it on insert ("5"^^xsd:int becomes "5"^^xsd:integer), or rdflib, which still reads the terms,
    rewrites it (xsd:token spaces). The store and rdflib decide, in one batch; no rewriting is listed here."""
    published = {}
    for literal, stored in zip(literals, stored_forms(literals)):
        read = terms[literal]
        if stored != literal:
            published[literal] = (stored, "a pyoxigraph store's form")
        elif str(read) != literal.value:
            published[literal] = (to_oxigraph(read), "the form rdflib reads")
    if not published:
        return None
    errors = []
    for triple in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE, base_iri=path.resolve().as_uri()):
        if len(errors) == DataErrors.LIMIT or not published:
            break
        if (found := published.pop(triple.object, None)) is not None:
            form, whose = found
            errors.append(_located(path, f"the literal {_turtle(triple.object)} would be published as {_turtle(form)} "
                                         f"({whose}): run `cassibile fmt` to write it so", triple))
    return DataErrors(errors, more=f"{len(published)} more literals" if published else "")


def _turtle(literal: ox.Literal) -> str:
    """A literal as Turtle writes it with the project's prefixes, such as "5"^^xsd:int (not through rdflib, which
    would rewrite some)."""
    lexical = str(ox.Literal(literal.value))
    if literal.language:
        return f"{lexical}@{literal.language}"
    return lexical if literal.datatype.value == XSD_STRING else f"{lexical}^^{prefixed(literal.datatype.value)}"


def _located(path: Path, reason: str, triple: ox.Triple) -> DataError:
    """A DataError at the line of `triple` (the first of the file like it: blank nodes, which a new parse
    names anew, match any blank node), naming its subject."""
    def shape(t: ox.Triple) -> tuple:
        return tuple(None if isinstance(term, ox.BlankNode) else term for term in (t.subject, t.predicate, t.object))

    wanted = shape(triple)
    node = triple.subject.value if isinstance(triple.subject, ox.NamedNode) else None
    return DataError(reason, Location(path, line_of_first(path, lambda t: shape(t) == wanted)), node)


def line_of_first(path: Path, offends: Callable[[ox.Triple], bool]) -> int | None:
    """The line on which the first triple that `offends` is complete (oxigraph gives triples no position):
    the fewest lines from the file's start whose parse yields it, found by doubling then halving."""
    lines = path.read_bytes().splitlines(keepends=True)
    base = path.resolve().as_uri()

    def within(count: int) -> bool:
        try:
            return any(offends(t) for t in ox.parse(b"".join(lines[:count]), format=ox.RdfFormat.TURTLE, base_iri=base))
        except SyntaxError:  # the lines end inside a statement: the triples before it were seen
            return False

    count = 1
    while not within(count):
        if count >= len(lines):
            return None
        count = min(2 * count, len(lines))
    low, high = count // 2, count  # not within `low` lines (or none), within `high`
    while high - low > 1:
        middle = (low + high) // 2
        low, high = (low, middle) if within(middle) else (middle, high)
    return high


# rdflib checks the lexical form of xsd:date and xsd:dateTime, but not of xsd:gYear and xsd:gYearMonth.
_GREGORIAN = {
    XSD.gYear: re.compile(r"^-?[0-9]{4,}(Z|[+-][0-9]{2}:[0-9]{2})?$"),
    XSD.gYearMonth: re.compile(r"^-?[0-9]{4,}-(0[1-9]|1[0-2])(Z|[+-][0-9]{2}:[0-9]{2})?$"),
}


# Characters XML 1.0 cannot hold: RDF/XML and the site's pages could not carry the literal.
_NOT_IN_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def _unpublishable(literal: Literal) -> str | None:
    """Why a literal cannot be published (ill-typed, or holding a character XML cannot), or None."""
    pattern = _GREGORIAN.get(literal.datatype)
    if literal.ill_typed or (pattern is not None and not pattern.match(str(literal))):
        return f'ill-typed literal "{literal}" is not a valid {prefixed(literal.datatype)}'
    if found := _NOT_IN_XML.search(literal):
        return f"the literal holds the control character U+{ord(found.group()):04X}, which RDF/XML and HTML cannot carry"
    return None


class GraphRules:
    """What a file in graph/ may state, checked triple by triple as it is read (a file of foreign statements
    is refused at its first one, not after minutes of loading): statements about this publication's things
    only, every node named by an IRI (no blank nodes), and each thing declared (given a class) in one file,
    so that two things given one name are caught. Other files may add to a thing (reconciled links do)."""

    def __init__(self):
        self.declared_in: dict[ox.NamedNode, Path] = {}
        self.path: Path | None = None
        self.last_subject = None  # Turtle states a subject's triples together: each subject is checked once in a row

    def reading(self, path: Path) -> "GraphRules":
        self.path, self.last_subject = path, None
        return self

    def __call__(self, subject, predicate: ox.NamedNode, obj) -> str | None:
        """Why graph/ may not hold the triple (subject, predicate, obj), or None."""
        if isinstance(obj, ox.Triple):  # RDF 1.2 reads << s p o >> as a blank node that rdf:reifies it
            return QUOTED_TRIPLE
        if isinstance(obj, ox.BlankNode):
            return BLANK_NODE
        if subject != self.last_subject:
            if isinstance(subject, ox.BlankNode):
                return BLANK_NODE
            if not isinstance(subject, ox.NamedNode) or not subject.value.startswith(THINGS):
                return (f"a statement about something that is not this publication's: graph/ describes only things under "
                        f"{', '.join(THINGS)} (vocabulary belongs in ontology/)")
            self.last_subject = subject
        if predicate == _RDF_TYPE and (first := self.declared_in.setdefault(subject, self.path)) != self.path:
            line = line_of_first(first, lambda t: t.subject == subject and t.predicate == _RDF_TYPE)
            return (f"given a class in two files, here and in {Location(first, line)}: declare each thing in one file "
                    "(two things with one name?)")
        return None


def undeclared(ontology: Graph, data: StoreView, terms: Terms, rules: GraphRules, index: dict[URIRef, Location]) -> DataErrors | None:
    """Every use in graph/ of an IRI of the publication that no file declares (gives a class with rdf:type,
    or retires with owl:deprecated true: graph/retired.ttl keeps withdrawn IRIs resolving): a misspelt name, a thing never described, a property or class the ontology lacks. Each is reported once,
    at the statement's subject, where the fault is, instead of as a cascade of rules broken by the missing thing.
    The IRIs to look at are the distinct terms read (`terms`), far fewer than the triples."""
    declared = set(ontology.subjects(RDF.type, None)) | set(data.subjects(RDF.type, None)) | retired(data)
    ours = {term for term in terms.values() if isinstance(term, URIRef) and term.startswith(BASE)} - declared
    missing = sorted(t for t in ours if (t, None, None) in data or (None, t, None) in data or (None, None, t) in data)
    found = []
    for done, term in enumerate(missing):
        if len(found) >= DataErrors.LIMIT:
            return DataErrors(sorted(found, key=_position), more=f"{len(missing) - done} more IRIs declared nowhere")
        name = prefixed(term)
        if (term, None, None) in data:
            found.append(DataError(f"{name} has no class: say what it is (a cas:… class, with rdf:type)",
                                   index.get(term) or _first_use(rules, term), str(term)))
        for s, p, _ in sorted(data.triples((None, term, None))):
            found.append(DataError(f"{name} is declared nowhere: the ontology has no such property", index.get(s) or _first_use(rules, s), str(s)))
        for s, p, _ in sorted(data.triples((None, None, term))):
            found.append(DataError(f"its {prefixed(p)} {name} is declared nowhere: no file in ontology/ or graph/ gives it a class "
                                   "(a misspelt name, or a thing not yet described)", index.get(s) or _first_use(rules, s), str(s)))
    return DataErrors(sorted(found, key=_position)) if found else None


def retired(data: Graph) -> set[URIRef]:
    """The publication's withdrawn nodes: they say only that they are deprecated, why, and what replaced them."""
    return set(data.subjects(OWL.deprecated, Literal(True)))


def _position(error: DataError) -> tuple:
    where = error.location
    return (str(where.file), where.line or 0, error.node or "", error.message) if where else ("", 0, error.node or "", error.message)


def _first_use(rules: GraphRules, subject: URIRef) -> Location | None:
    path = rules.declared_in.get(ox.NamedNode(subject))
    return Location(path, line_of_first(path, lambda t: t.subject == ox.NamedNode(subject))) if path else None


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


class Dataset:
    """Everything the build reads: the ontology, the hand-written graph and the shapes, and the source texts. The
    ontology and the graph live in the build's store (`layers`, named graphs GRAPH["ontology"] and GRAPH["asserted"]),
    which the build reads (`asserted`); the ontology and the shapes are rdflib graphs too, for the readers of rules."""

    def __init__(self, ontology: Graph, data: Graph | None = None, shapes: Graph | None = None,
                 source_texts: dict[URIRef, str] | None = None, defined_at: dict[URIRef, Location] | None = None,
                 layers: LayerStore | None = None):
        self.ontology, self._data, self.shapes = ontology, data, shapes if shapes is not None else Graph()
        self.source_texts = source_texts if source_texts is not None else {}
        self.defined_at = defined_at if defined_at is not None else {}
        self.layers = layers if layers is not None else LayerStore()

    @cached_property
    def asserted(self) -> StoreView:
        """The hand-written graph as the build reads it: rdflib's look-ups, answered from the store's asserted layer."""
        return self.layers.view(GRAPH["asserted"])

    @property
    def data(self) -> Graph:
        """The hand-written graph as an rdflib Graph (as given, or copied from the store when first asked for), for
        callers that need one: the build itself reads `asserted`."""
        if self._data is None:
            self._data = self.layers.graph(GRAPH["asserted"])
        return self._data

    def location(self, node) -> Location | None:
        return self.defined_at.get(node)


def load_files(files: list[Path], index: dict[URIRef, Location] | None = None, terms: Terms | None = None,
               rules: GraphRules | None = None, layers: LayerStore | None = None, name: str | None = None) -> Graph:
    """The files' triples in one rdflib graph, and in the graph `name` of `layers` if given, from one parse."""
    graph, terms = new_graph(), Terms() if terms is None else terms
    for triples in _read_files(files, index, terms, rules):
        _add(graph, triples, terms)
        if layers is not None:
            layers.add(name, triples, as_stored=True)
    return graph


def load_layer(files: list[Path], layers: LayerStore, name: str, index: dict[URIRef, Location], terms: Terms,
               rules: GraphRules) -> None:
    """The files' triples into the graph `name` of `layers` only: the build reads graph/ from its store."""
    for triples in _read_files(files, index, terms, rules):
        layers.add(name, triples, as_stored=True)


def _read_files(files: list[Path], index: dict[URIRef, Location] | None, terms: Terms, rules: GraphRules | None):
    """Each file's triples (`read_turtle`: every literal as a store keeps it), noting where each subject is defined."""
    for path in files:
        yield read_turtle(path, terms, rules.reading(path) if rules else None)
        if index is not None:
            for node, line in subject_lines(path).items():
                index.setdefault(node, Location(path, line))


# Loading makes the graphs, which live on, and little garbage: each collection only walked what it had
# made so far (at 100k triples 13 full passes, 1.8 s of 9 s of CPU).
@paused()
def load_project(project: Project) -> Dataset:
    index: dict[URIRef, Location] = {}
    layers = LayerStore()
    terms = layers.terms  # shared: the ontology's terms are the graph's and the shapes', and those the store gives back
    ontology = load_files(project.ontology_files, index, terms, layers=layers, name=GRAPH["ontology"])
    rules = GraphRules()
    load_layer(project.graph_files, layers, GRAPH["asserted"], index, terms, rules)
    dataset = Dataset(ontology, defined_at=index, layers=layers)
    if problems := undeclared(ontology, dataset.asserted, terms, rules, index):
        raise problems
    dataset.shapes = load_files(project.shape_files, index, terms)  # the rules, not a layer of the data: rdflib alone reads them
    dataset.source_texts = read_source_texts(project, dataset)
    return dataset


def read_source_texts(project: Project, dataset: Dataset) -> dict[URIRef, str]:
    """Read each source's text, refusing a file whose bytes no longer match its recorded sha256."""
    texts = {}
    asserted = dataset.asserted
    for source in sorted(asserted.subjects(RDF.type, CAS.Source)):
        where = dataset.location(source)
        relative, digest = asserted.value(source, CAS.textFile), asserted.value(source, CAS.sha256)
        if relative is None or digest is None:
            raise DataError("source lacks cas:textFile or cas:sha256", where, str(source))
        path = project.graph_dir / str(relative)
        if not path.resolve().is_relative_to(project.graph_dir.resolve()):  # the build publishes the text whole
            raise DataError(f"cas:textFile {str(relative)!r} is outside graph/: a source's text is a file in graph/sources/",
                            where, str(source))
        if not path.is_file():
            raise DataError(f"source text {path} is missing", where, str(source))
        raw = path.read_bytes()
        if hashlib.sha256(raw).hexdigest() != str(digest):
            raise DataError(f"{path.name} does not match its recorded sha256 {digest}", where, str(source))
        texts[source] = read_utf8(path)
    return texts


def source_language(dataset: Dataset, source: URIRef) -> str | None:
    language = dataset.asserted.value(source, DCTERMS.language)
    return str(language) if language is not None else None
