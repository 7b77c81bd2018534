"""SPARQL on the embedded store (pyoxigraph): bundled queries, safe parameters, result formats."""

from __future__ import annotations

import csv
import difflib
import io
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef

from cassibile.errors import DataError, Location, UsageError
from cassibile.load import _to_rdflib
from cassibile.namespaces import PREFIXES

FORMATS = ("table", "csv", "tsv", "json", "xml")


@dataclass
class QueryResult:
    variables: list[str]
    rows: list[list[object]]  # rdflib terms, None where unbound
    boolean: bool | None = None  # for ASK


@dataclass
class Parameter:
    name: str
    type: str  # iri, qid, date, language, string, integer
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
        return self.path.read_text(encoding="utf-8")


_HEADER = re.compile(r"^#\+\s*(\w+):\s*(.*)$")
_PARAM = re.compile(r"^#\+\s+-\s+(\w+)\s*:\s*(\w+)(?:\s*=\s*(\S+))?\s*(.*)$")


def read_query_file(path: Path) -> QueryFile:
    """Read a query and its grlc-style header (`#+ summary:`, `#+ tags:`, `#+ params:` list)."""
    query = QueryFile(path)
    for line in path.read_text(encoding="utf-8").splitlines():
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
    if path.suffix == ".rq" and path.is_file():
        return read_query_file(path)
    bundled = bundled_queries(query_dir)
    if name_or_path in bundled:
        return bundled[name_or_path]
    close = difflib.get_close_matches(name_or_path, list(bundled), n=3, cutoff=0.4)
    hint = f"; did you mean {', '.join(close)}?" if close else "; `cassibile query --list` shows them"
    raise UsageError(f"unknown query {name_or_path!r}{hint}")


# --- parameters -----------------------------------------------------------------------------

_IRI_SAFE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]*$")
_QID = re.compile(r"^Q[1-9][0-9]*$")
_DATE = re.compile(r"^-?\d{4}(-\d{2}(-\d{2})?)?$")
_LANGUAGE = re.compile(r"^[a-zA-Z]{1,8}(-[a-zA-Z0-9]{1,8})*$")


def parse_parameter(parameter: Parameter, raw: str):
    """Turn a user's text into an RDF term of the parameter's declared type, or refuse it."""
    expected = {
        "iri": "an absolute IRI such as https://w3id.org/cassibile/id/cassibile, or a prefixed name such as id:cassibile",
        "qid": "a Wikidata item ID such as Q200085",
        "date": "a date YYYY, YYYY-MM or YYYY-MM-DD",
        "language": "a language tag such as en, it, de or pt",
        "string": "text",
        "integer": "a whole number",
    }
    if parameter.type not in expected:
        raise DataError(f"parameter {parameter.name} has unknown type {parameter.type!r}")
    def refuse():
        return UsageError(f"parameter {parameter.name}: expected {expected[parameter.type]}, got {raw!r}")
    if parameter.type == "iri":
        prefix, _, local = raw.partition(":")
        if prefix in PREFIXES and not raw.startswith(("http:", "https:")):
            raw = str(PREFIXES[prefix]) + local
        if not _IRI_SAFE.match(raw):
            raise refuse()
        return URIRef(raw)
    if parameter.type == "qid":
        if not _QID.match(raw):
            raise refuse()
        return URIRef(str(PREFIXES["wd"]) + raw)
    if parameter.type == "date":
        if not _DATE.match(raw):
            raise refuse()
        padded = raw + "-01" * (2 - raw.count("-")) if not raw.startswith("-") else raw
        return Literal(padded, datatype=URIRef("http://www.w3.org/2001/XMLSchema#date"))
    if parameter.type == "language":
        if not _LANGUAGE.match(raw):
            raise refuse()
        return Literal(raw.lower())
    if parameter.type == "integer":
        if not re.fullmatch(r"-?\d+", raw):
            raise refuse()
        return Literal(int(raw))
    return Literal(raw)


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
            raise UsageError(f"query {query.name} needs parameter {name} ({parameter.type}): --param {name}=…")
        values[name] = parse_parameter(parameter, raw)
    return values


_WHERE = re.compile(r"\bWHERE\s*\{", re.IGNORECASE)


def bind(text: str, values: dict[str, object]) -> str:
    """Bind parameters with a VALUES block at the start of the outermost WHERE group.

    Values are RDF terms serialised by rdflib (escaped), never the user's raw text, so a
    parameter cannot change the query's structure.

    >>> from rdflib import Literal
    >>> bind("SELECT ?x WHERE { ?x ?p ?lang }", {"lang": Literal('en" } ; DROP ALL #')})
    'SELECT ?x WHERE { VALUES (?lang) { ("en\\\\" } ; DROP ALL #") }\\n ?x ?p ?lang }'
    """
    if not values:
        return text
    match = _WHERE.search(_blank_comments_and_strings(text))
    if match is None:
        raise DataError("the query has parameters but no WHERE { … } group to bind them in")
    names = sorted(values)
    block = f" VALUES ({' '.join('?' + n for n in names)}) {{ ({' '.join(values[n].n3() for n in names)}) }}\n"
    return text[: match.end()] + block + text[match.end():]


def _blank_comments_and_strings(text: str) -> str:
    """The query text with comments, strings and IRIs blanked out (same length), to find keywords safely."""
    pattern = re.compile(r'#[^\n]*|"""[\s\S]*?"""|\'\'\'[\s\S]*?\'\'\'|"(?:\\.|[^"\\\n])*"|\'(?:\\.|[^\'\\\n])*\'|<[^\s<>]*>')
    return pattern.sub(lambda m: " " * len(m.group(0)), text)


# --- running ----------------------------------------------------------------------------------

def _to_ox(term):
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if term.language:
        return ox.Literal(str(term), language=term.language)
    if term.datatype:
        return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
    return ox.Literal(str(term))


def store_from_graph(graph: Graph) -> ox.Store:
    store = ox.Store()
    store.bulk_extend(ox.Quad(_to_ox(s), _to_ox(p), _to_ox(o)) for s, p, o in graph)
    return store


def store_from_file(path: Path) -> ox.Store:
    """Load a built dataset (N-Quads or TriG): its named graphs are queried as one default graph."""
    store = ox.Store()
    store.bulk_load(path=str(path), format=ox.RdfFormat.from_extension(path.suffix.lstrip(".")))
    return store


def run_local(source, text: str, values: dict[str, object] | None = None, location: Path | None = None) -> QueryResult:
    """Run a SELECT or ASK query on an rdflib graph or a pyoxigraph store (default graph = union)."""
    store = source if isinstance(source, ox.Store) else store_from_graph(source)
    try:
        answer = store.query(bind(text, values or {}), use_default_graph_as_union=True)
    except SyntaxError as error:
        raise query_syntax_error(error, location) from None
    if isinstance(answer, ox.QueryBoolean):
        return QueryResult([], [], bool(answer))
    if isinstance(answer, ox.QuerySolutions):
        variables = [v.value for v in answer.variables]
        rows = [[None if s[v] is None else _to_rdflib(s[v]) for v in variables] for s in answer]
        return QueryResult(variables, rows)
    raise UsageError("only SELECT and ASK queries produce tables; use a construct-*.rq file in the build for CONSTRUCT")


def query_syntax_error(error: SyntaxError, location: Path | None) -> DataError:
    text = str(error)
    m = re.search(r"line (\d+) column (\d+)", text) or re.search(r"(\d+):(\d+)", text)
    line, column = (int(m.group(1)), int(m.group(2))) if m else (None, None)
    return DataError(f"SPARQL syntax error: {text}", Location(location or Path("<query>"), line, column))


# --- output -----------------------------------------------------------------------------------

def _cell(term) -> str:
    if term is None:
        return ""
    if isinstance(term, URIRef):
        return str(term)
    return str(term)


def render(result: QueryResult, fmt: str) -> str:
    if fmt not in FORMATS:
        raise UsageError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    if result.boolean is not None and fmt in ("table", "csv", "tsv"):
        return "true\n" if result.boolean else "false\n"
    return {"table": _table, "csv": _csv, "tsv": _tsv, "json": _json, "xml": _xml}[fmt](result)


def _table(result: QueryResult) -> str:
    cells = [[_cell(t) for t in row] for row in result.rows]
    widths = [max([len(v)] + [len(r[i]) for r in cells]) for i, v in enumerate(result.variables)]
    widths = [min(w, 80) for w in widths]
    def line(values):
        return "  ".join(v[:80].ljust(w) for v, w in zip(values, widths)).rstrip()
    out = [line(result.variables), line(["-" * w for w in widths])]
    out += [line(r) for r in cells]
    out.append(f"({len(cells)} row{'s' if len(cells) != 1 else ''})")
    return "\n".join(out) + "\n"


def _csv(result: QueryResult) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(result.variables)
    writer.writerows([[_cell(t) for t in row] for row in result.rows])
    return buffer.getvalue()


def _tsv(result: QueryResult) -> str:
    """SPARQL 1.1 TSV: terms in Turtle syntax."""
    lines = ["\t".join("?" + v for v in result.variables)]
    lines += ["\t".join("" if t is None else t.n3() for t in row) for row in result.rows]
    return "\n".join(lines) + "\n"


def _json_term(term) -> dict:
    if isinstance(term, URIRef):
        return {"type": "uri", "value": str(term)}
    if isinstance(term, BNode):
        return {"type": "bnode", "value": str(term)}
    out = {"type": "literal", "value": str(term)}
    if term.language:
        out["xml:lang"] = term.language
    elif term.datatype:
        out["datatype"] = str(term.datatype)
    return out


def _json(result: QueryResult) -> str:
    if result.boolean is not None:
        return json.dumps({"head": {}, "boolean": result.boolean}, indent=2) + "\n"
    bindings = [{v: _json_term(t) for v, t in zip(result.variables, row) if t is not None} for row in result.rows]
    return json.dumps({"head": {"vars": result.variables}, "results": {"bindings": bindings}}, indent=2, ensure_ascii=False) + "\n"


def _xml(result: QueryResult) -> str:
    out = ['<?xml version="1.0"?>', '<sparql xmlns="http://www.w3.org/2005/sparql-results#">', "  <head>"]
    out += [f"    <variable name={quoteattr(v)}/>" for v in result.variables]
    out.append("  </head>")
    if result.boolean is not None:
        out.append(f"  <boolean>{'true' if result.boolean else 'false'}</boolean>")
    else:
        out.append("  <results>")
        for row in result.rows:
            out.append("    <result>")
            for v, t in zip(result.variables, row):
                if t is None:
                    continue
                if isinstance(t, URIRef):
                    inner = f"<uri>{escape(str(t))}</uri>"
                elif isinstance(t, BNode):
                    inner = f"<bnode>{escape(str(t))}</bnode>"
                elif t.language:
                    inner = f"<literal xml:lang={quoteattr(t.language)}>{escape(str(t))}</literal>"
                elif t.datatype:
                    inner = f"<literal datatype={quoteattr(str(t.datatype))}>{escape(str(t))}</literal>"
                else:
                    inner = f"<literal>{escape(str(t))}</literal>"
                out.append(f"      <binding name={quoteattr(v)}>{inner}</binding>")
            out.append("    </result>")
        out.append("  </results>")
    out.append("</sparql>")
    return "\n".join(out) + "\n"
