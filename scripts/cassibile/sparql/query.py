"""SPARQL queries: bundled files with their headers, typed parameters bound safely, W3C result formats.

Queries run on the embedded store (pyoxigraph) by default; `cassibile.sparql.remote` runs the same text on
a SPARQL 1.1 endpoint. Both return a `QueryResult` held as W3C SPARQL JSON results, so a query's
output is the same wherever it ran.
"""

from __future__ import annotations

import calendar
import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import XSD

from cassibile.errors import DataError, Location, UsageError, read_utf8
from cassibile.namespaces import LANGUAGES, PREFIXES
from cassibile.terms import to_oxigraph, to_rdflib

FORMATS = ("table", "csv", "tsv", "json", "xml")
_W3C_FORMATS = {
    "json": ox.QueryResultsFormat.JSON,
    "xml": ox.QueryResultsFormat.XML,
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
}


# --- query files ------------------------------------------------------------------------------

@dataclass
class Parameter:
    name: str
    type: str  # one of PARAMETER_TYPES
    default: str | None = None
    description: str = ""


@dataclass
class QueryFile:
    path: Path
    summary: str = ""
    description: str = ""
    tags: list[str] = field(default_factory=list)
    parameters: list[Parameter] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.path.stem

    @property
    def text(self) -> str:
        return read_utf8(self.path)

    @property
    def is_published(self) -> bool:
        """Published queries answer questions; `*-violation.rq` and `construct-*.rq` serve the build."""
        return not (self.name.endswith("-violation") or self.name.startswith("construct-"))


_HEADER = re.compile(r"^#\+\s*(\w+):\s*(.*)$")
_PARAM = re.compile(r"^#\+\s+-\s+(\w+)\s*:\s*(\w+)(?:\s*=\s*(\S+))?\s*(.*)$")


def read_query_file(path: Path) -> QueryFile:
    """Read a query and its grlc-style header (`#+ summary:`, `#+ tags:`, `#+ params:` list)."""
    query = QueryFile(path)
    for line in read_utf8(path).splitlines():
        if not line.startswith("#"):
            break
        if m := _PARAM.match(line):
            query.parameters.append(Parameter(m.group(1), m.group(2).lower(), m.group(3), m.group(4).strip()))
        elif m := _HEADER.match(line):
            key, value = m.group(1).lower(), m.group(2).strip()
            if key == "summary":
                query.summary = value
            elif key == "description":
                query.description = value
            elif key == "tags":
                query.tags = [t.strip() for t in value.split(",") if t.strip()]
    return query


def bundled_queries(query_dir: Path) -> dict[str, QueryFile]:
    return {p.stem: read_query_file(p) for p in sorted(query_dir.glob("*.rq"))}


def resolve_query(name_or_path: str, query_dir: Path) -> QueryFile:
    """A bundled query by name, or a query file by path; unknown names get the closest suggestions."""
    path = Path(name_or_path)
    if path.suffix == ".rq":
        if not path.is_file():
            raise UsageError(f"{path}: no such query file")
        return read_query_file(path)
    bundled = bundled_queries(query_dir)
    if name_or_path in bundled:
        return bundled[name_or_path]
    close = difflib.get_close_matches(name_or_path, list(bundled), n=3, cutoff=0.5)
    hint = f"; did you mean {', '.join(close)}?" if close else "; `cassibile query --list` shows them"
    raise UsageError(f"unknown query {name_or_path!r}{hint}")


# --- parameters -------------------------------------------------------------------------------

PARAMETER_TYPES = {
    "iri": "an absolute IRI such as https://w3id.org/cassibile/id/cassibile, or a prefixed name such as id:cassibile",
    "qid": "a Wikidata item ID such as Q200085",
    "date": "a date YYYY, YYYY-MM or YYYY-MM-DD",
    "language": "a language tag such as en, it, de or pt",
    "string": "text",
    "integer": "a whole number",
}
_QID = re.compile(r"Q[1-9][0-9]*")
_DATE = re.compile(r"(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?")
_LANGUAGE = re.compile(r"[a-zA-Z]{1,8}(-[a-zA-Z0-9]{1,8})*")


def parse_parameter(parameter: Parameter, raw: str):
    """Turn a user's text into an RDF term of the parameter's declared type, or refuse it.

    A date keeps the precision it is given in, as the graph's dates do:

    >>> parse_parameter(Parameter("from", "date"), "1943-09").n3()
    '"1943-09"^^<http://www.w3.org/2001/XMLSchema#gYearMonth>'
    >>> parse_parameter(Parameter("place", "iri"), "id:cassibile")
    rdflib.term.URIRef('https://w3id.org/cassibile/id/cassibile')
    """
    if parameter.type not in PARAMETER_TYPES:
        raise DataError(f"parameter {parameter.name} has unknown type {parameter.type!r}; use one of {', '.join(PARAMETER_TYPES)}")
    parse = {"iri": _iri, "qid": _qid, "date": _date, "language": _language, "string": Literal, "integer": _integer}
    term = parse[parameter.type](raw.strip() if parameter.type != "string" else raw)
    if term is None:
        raise UsageError(f"parameter {parameter.name}: expected {PARAMETER_TYPES[parameter.type]}, got {raw!r}")
    return term


def _iri(raw: str) -> URIRef | None:
    prefix, _, local = raw.partition(":")
    if prefix in PREFIXES and not local.startswith("//"):
        raw = str(PREFIXES[prefix]) + local
    try:
        ox.NamedNode(raw)  # oxigraph's IRI parser: no spaces, brackets, quotes or braces get through
    except ValueError:
        return None
    return URIRef(raw) if ":" in raw else None


def _qid(raw: str) -> URIRef | None:
    return URIRef(str(PREFIXES["wd"]) + raw) if _QID.fullmatch(raw) else None


def _date(raw: str) -> Literal | None:
    m = _DATE.fullmatch(raw)
    if not m:
        return None
    year, month, day = (int(g) if g else None for g in m.groups())
    if month is not None and not 1 <= month <= 12:
        return None
    if day is not None and not 1 <= day <= calendar.monthrange(year, month)[1]:
        return None
    datatype = XSD.date if day else XSD.gYearMonth if month else XSD.gYear
    return Literal(raw, datatype=datatype)


def _language(raw: str) -> Literal | None:
    """A language tag; a regional one the publication has no labels in (it-IT) falls back to its language (it).
    The queries fall back to English themselves.

    >>> [str(_language(tag)) for tag in ("IT-it", "pt-BR", "fr-FR", "en")]
    ['it', 'pt', 'fr-fr', 'en']
    """
    if not _LANGUAGE.fullmatch(raw):
        return None
    tag = raw.lower()
    language = tag.split("-")[0]
    return Literal(language if tag not in LANGUAGES and language in LANGUAGES else tag)


def _integer(raw: str) -> Literal | None:
    return Literal(int(raw)) if re.fullmatch(r"-?\d+", raw) else None


def bindings_for(query: QueryFile, given: dict[str, str]) -> dict[str, object]:
    """Typed values for every declared parameter: given ones, else defaults; a missing one is named."""
    declared = {p.name: p for p in query.parameters}
    unknown = sorted(set(given) - set(declared))
    if unknown:
        names = ", ".join(declared) or "none"
        raise UsageError(f"query {query.name} has no parameter {', '.join(unknown)} (its parameters: {names})")
    values = {}
    for name, parameter in declared.items():
        raw = given.get(name, parameter.default)
        if raw is None:
            raise UsageError(
                f"query {query.name} needs parameter {name} ({parameter.type}: {PARAMETER_TYPES.get(parameter.type, '?')}): "
                f"--param {name}=…"
            )
        values[name] = parse_parameter(parameter, raw)
    return values


_WHERE = re.compile(r"\bWHERE\s*\{", re.IGNORECASE)
_SERVICE = re.compile(r"\bSERVICE\s+(?:SILENT\s+)?[^\s{]*\s*\{", re.IGNORECASE)


def bind(text: str, values: dict[str, object]) -> str:
    """Bind parameters with a VALUES block at the start of the outermost WHERE group.

    The same block opens every SERVICE group too, because a federating engine sends that group
    to the remote service on its own. Values are RDF terms written by oxigraph's serialiser
    (escaped), never the user's raw text, so a parameter cannot change the query's structure.

    >>> from rdflib import Literal
    >>> print(bind("SELECT ?x WHERE { ?x ?p ?lang }", {"lang": Literal('en" } ; DROP ALL #')}))
    SELECT ?x WHERE { VALUES (?lang) { ("en\\" } ; DROP ALL #") } ?x ?p ?lang }
    """
    if not values:
        return text
    code = _blank_comments_and_strings(text)
    where = _WHERE.search(code)
    if where is None:
        raise DataError("the query has parameters but no WHERE { … } group to bind them in")
    names = sorted(values)
    block = f" VALUES ({' '.join('?' + n for n in names)}) {{ ({' '.join(str(to_oxigraph(values[n])) for n in names)}) }}"
    openings = [where.end()] + [m.end() for m in _SERVICE.finditer(code)]
    for offset in sorted(set(openings), reverse=True):
        text = text[:offset] + block + text[offset:]
    return text


_UPDATE = re.compile(r"(?<![\w:?$])(INSERT|DELETE|LOAD|CLEAR|CREATE|DROP|COPY|MOVE|ADD|WITH)(?![\w:])", re.IGNORECASE)
_TOKENS = re.compile(r'(?P<comment>#[^\n]*)|"""[\s\S]*?"""|\'\'\'[\s\S]*?\'\'\'|"(?:\\.|[^"\\\n])*"|\'(?:\\.|[^\'\\\n])*\'|<[^\s<>]*>')
_FORM = re.compile(r"\b(SELECT|ASK|CONSTRUCT|DESCRIBE)\b", re.IGNORECASE)


def _blank_comments_and_strings(text: str) -> str:
    """The query text with comments, strings and IRIs blanked out (same length), to find keywords safely."""
    return _TOKENS.sub(lambda m: " " * len(m.group(0)), text)


def without_comments(text: str) -> str:
    """The query without its comments (strings and IRIs that contain # are kept)."""
    return _TOKENS.sub(lambda m: "" if m.group("comment") else m.group(0), text)


def query_form(text: str) -> str | None:
    """SELECT, ASK, CONSTRUCT or DESCRIBE: the first such keyword outside comments, strings and IRIs.

    >>> query_form('# ADD a comment\\nPREFIX x: <http://x/#ASK>\\nselect * { ?s ?p "CONSTRUCT" }')
    'SELECT'
    """
    m = _FORM.search(_blank_comments_and_strings(text))
    return m.group(1).upper() if m else None


def update_operation(text: str) -> str | None:
    """The keyword a SPARQL update starts with (outside comments, strings and IRIs), or None for a query.

    >>> update_operation("PREFIX add: <urn:x#SELECT>\\n# SELECT\\ndelete WHERE { ?s add:p ?o }")
    'DELETE'
    >>> update_operation("SELECT ?insert WHERE { ?insert ?p ?o }") is None
    True
    """
    code = _blank_comments_and_strings(text)
    update, form = _UPDATE.search(code), _FORM.search(code)
    if update and (form is None or update.start() < form.start()):
        return update.group(1).upper()
    return None


# --- results ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class QueryResult:
    """A SELECT or ASK answer, held as W3C SPARQL JSON results.

    The embedded store and a remote endpoint both end up here, through oxigraph's own results
    parser and serialiser, so the same query prints the same bytes wherever it ran.
    """

    json: bytes

    @classmethod
    def from_answer(cls, answer) -> "QueryResult":
        if isinstance(answer, (ox.QuerySolutions, ox.QueryBoolean)):
            return cls(answer.serialize(format=ox.QueryResultsFormat.JSON))
        raise UsageError("only SELECT and ASK queries produce results tables; CONSTRUCT and DESCRIBE belong in construct-*.rq files")

    def _parsed(self):
        return ox.parse_query_results(self.json, format=ox.QueryResultsFormat.JSON)

    @property
    def boolean(self) -> bool | None:
        parsed = self._parsed()
        return bool(parsed) if isinstance(parsed, ox.QueryBoolean) else None

    @property
    def variables(self) -> list[str]:
        parsed = self._parsed()
        return [] if isinstance(parsed, ox.QueryBoolean) else [v.value for v in parsed.variables]

    @property
    def rows(self) -> list[list[object]]:
        """Rows of rdflib terms, None where a variable is unbound."""
        parsed = self._parsed()
        if isinstance(parsed, ox.QueryBoolean):
            return []
        names = [v.value for v in parsed.variables]
        return [[None if s[n] is None else to_rdflib(s[n]) for n in names] for s in parsed]

    def serialize(self, fmt: str) -> str:
        """The answer in one of FORMATS: a readable table, or a W3C SPARQL results format."""
        if fmt not in FORMATS:
            raise UsageError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
        if fmt == "table":
            return _table(self)
        if self.boolean is not None and fmt in ("csv", "tsv"):  # the W3C CSV/TSV formats have no booleans
            return "true\n" if self.boolean else "false\n"
        text = self._parsed().serialize(format=_W3C_FORMATS[fmt]).decode("utf-8")
        return text if text.endswith("\n") else text + "\n"


_CELL_WIDTH = 60


def _table(result: QueryResult) -> str:
    """Aligned columns, IRIs shortened with the project's prefixes; long cells cut except the last."""
    if result.boolean is not None:
        return "true\n" if result.boolean else "false\n"
    header = result.variables
    cells = [[_display(t) for t in row] for row in result.rows]
    last = len(header) - 1
    cells = [[c if i == last or len(c) <= _CELL_WIDTH else c[: _CELL_WIDTH - 1] + "…" for i, c in enumerate(r)] for r in cells]
    widths = [max([len(h)] + [len(r[i]) for r in cells]) for i, h in enumerate(header)]

    def line(values):
        return "  ".join(v.ljust(w) for v, w in zip(values, widths)).rstrip()

    out = [line(header), line(["-" * w for w in widths])] + [line(r) for r in cells]
    out.append(f"({len(cells)} row{'' if len(cells) == 1 else 's'})")
    return "\n".join(out) + "\n"


_PREFIXES_LONGEST_FIRST = sorted(((p, str(ns)) for p, ns in PREFIXES.items()), key=lambda item: -len(item[1]))


def _display(term) -> str:
    """A term as people read it: prefixed IRIs, literal values without quotes or datatypes."""
    if term is None:
        return ""
    if isinstance(term, URIRef):
        for prefix, namespace in _PREFIXES_LONGEST_FIRST:
            if term.startswith(namespace) and len(term) > len(namespace):
                return f"{prefix}:{term[len(namespace):]}"
    return str(term)


# --- running on the embedded store ------------------------------------------------------------

def store_from_graph(graph: Graph) -> ox.Store:
    store = ox.Store()
    store.bulk_extend(ox.Quad(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o)) for s, p, o in graph)
    return store


def store_from_file(path: Path) -> ox.Store:
    """Load a built dataset (N-Quads or TriG): its named graphs are queried as one default graph."""
    store = ox.Store()
    store.bulk_load(path=str(path), format=ox.RdfFormat.from_extension(path.suffix.lstrip(".")))
    return store


def check_syntax(text: str, location: Path | None = None) -> None:
    """Parse a query without running it; a syntax error names the file, line and column. Updates are refused."""
    if operation := update_operation(text):
        raise UsageError(f"{location or 'the query'} is a SPARQL update ({operation}): "
                         "`cassibile query` runs SELECT and ASK queries and never runs updates")
    try:
        ox.Store().query(text)  # evaluation is lazy: nothing runs until results are read
    except SyntaxError as error:
        raise query_syntax_error(error, text, location) from None


def run_local(source, text: str, values: dict[str, object] | None = None, location: Path | None = None) -> QueryResult:
    """Run a SELECT or ASK query on a pyoxigraph store or an rdflib graph (default graph = union), or on a view of
    some of a store's graphs that has its own default graph (the validator's union of layers: `query(text)`)."""
    store = store_from_graph(source) if isinstance(source, Graph) else source
    options = {"use_default_graph_as_union": True} if isinstance(store, ox.Store) else {}
    try:
        answer = store.query(bind(text, values or {}), **options)
    except SyntaxError:  # parsed again, unbound, so that the position is the one in the user's text
        check_syntax(text, location)
        raise
    try:
        return QueryResult.from_answer(answer)
    except (OSError, RuntimeError) as error:  # e.g. a SERVICE that cannot be reached
        raise DataError(f"the query failed while running: {error}", Location(location) if location else None) from None


_POSITION = re.compile(r"error at (\d+):(\d+):\s*")


def query_syntax_error(error: SyntaxError, text: str, location: Path | None) -> DataError:
    """oxigraph's message, with the offending line and a caret under the column."""
    message = str(error)
    m = _POSITION.search(message)
    if not m:
        return DataError(f"SPARQL syntax error: {message}", Location(location or Path("<query>")))
    line, column = int(m.group(1)), int(m.group(2))
    lines = text.splitlines()
    if _at_end(line, column, lines):  # oxigraph gave up at the end: rdflib's parser points nearer the fault
        line, column = _rdflib_position(text) or (line, column)
    detail = " ".join(message[m.end():].split())
    if "Prefix not found" in detail:
        detail = "undeclared prefix (add a PREFIX line for it)"
    elif len(detail) > 160:  # oxigraph lists every token it would accept; the start is what helps
        detail = detail[:159] + "…"
    excerpt = f"\n    {lines[line - 1]}\n    {' ' * (column - 1)}^" if 0 < line <= len(lines) else ""
    return DataError(f"SPARQL syntax error: {detail}{excerpt}", Location(location or Path("<query>"), line, column))


def _at_end(line: int, column: int, lines: list[str]) -> bool:
    return line > len(lines) or (line == len(lines) and column > len(lines[-1]))


def _rdflib_position(text: str) -> tuple[int, int] | None:
    from pyparsing import ParseException
    from rdflib.plugins.sparql.parser import parseQuery

    try:
        parseQuery(text)
    except ParseException as error:
        return error.lineno, error.col
    return None
