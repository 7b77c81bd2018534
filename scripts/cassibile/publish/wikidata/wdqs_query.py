"""`cassibile wikidata query`: a query written for the Wikidata Query Service, run unchanged on the view.

Three things make WDQS differ from a plain SPARQL 1.1 engine, and each is handled here:

- the prefixes WDQS declares for every query (`vocabulary.WDQS_PREFIXES`) are given to the parser;
- `SERVICE wikibase:label { bd:serviceParam wikibase:language "…" }` is replaced, before the query
  runs, by one `BIND` per label it resolves, calling a function that does what WDQS's label service
  does (wikidata-query-rdf's LabelService and EmptyLabelServiceOptimizer): the label in the first
  language of the fallback list that has one, several values of one language (aliases) joined by
  ", ", and for `rdfs:label` the entity's ID (`Q42`, or its IRI) when no language has one. The
  labels wanted are the patterns in the service's body (`?x rdfs:label ?xl`), or else every
  variable the enclosing SELECT projects whose name ends in `AltLabel`, `Label` or `Description`
  (of the variable before the suffix). `[AUTO_LANGUAGE]` is the language asked for (`--lang`), as
  the WDQS user interface substitutes it. A label the query binds itself is left as it is (WDQS
  never overwrites a bound variable). The BINDs go at the end of the service's group, where every
  pattern of the group has bound the entities (WDQS places the service after them too), followed by
  the group's own BINDs that use a label; so `ORDER BY ?xLabel`, filters and BINDs on labels work as
  on WDQS;
- query hints (`hint:Query hint:optimizer "None"`) are dropped, and the other WDQS services
  (`wikibase:around`, `wikibase:mwapi`, `bd:sample`…) are refused with a clear error.

The text is read with a small tokenizer that knows SPARQL's strings, IRIs, comments and brackets,
so nothing inside a string or comment is ever taken for a keyword.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pyoxigraph as ox

from cassibile.errors import DataError, Location, UsageError
from cassibile.publish.wikidata.vocabulary import ENTITY, WDQS_PREFIXES
from cassibile.sparql.query import QueryResult, query_syntax_error

LABEL_SERVICE = WDQS_PREFIXES["wikibase"] + "label"
LANGUAGE_PARAM = WDQS_PREFIXES["wikibase"] + "language"
SERVICE_PARAM = WDQS_PREFIXES["bd"] + "serviceParam"
HINTS = WDQS_PREFIXES["hint"]
# WDQS's own services, which only WDQS can run (wikidata-query-rdf, Blazegraph).
OTHER_SERVICES = tuple(WDQS_PREFIXES[p] + name for p, name in (
    ("wikibase", "around"), ("wikibase", "box"), ("wikibase", "mwapi"), ("bd", "sample"), ("bd", "slice"), ("gas", "service")))
RESOLVER = ox.NamedNode("urn:x-cassibile:wdqs-label")
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
SUFFIXES = (("AltLabel", "http://www.w3.org/2004/02/skos/core#altLabel"), ("Label", RDFS_LABEL),
            ("Description", "http://schema.org/description"))

_TOKEN = re.compile(r"""
    (?P<space>\s+) | (?P<comment>\#[^\n]*)
  | (?P<string>\"\"\"[\s\S]*?\"\"\"|'''[\s\S]*?'''|"(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])*')
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<var>[?$][\w\u00B7]+)
  | (?P<name>(?:[A-Za-z\u00C0-\uFFFF][\w\-.\u00B7]*)?:(?:[\w:%\\\u00B7\u00C0-\uFFFF][\w\-.:%\\\u00B7\u00C0-\uFFFF]*)?|[A-Za-z_][\w\-]*)
  | (?P<other>.)
""", re.VERBOSE)


@dataclass(frozen=True)
class Token:
    kind: str
    text: str
    start: int
    end: int

    def keyword(self, *words: str) -> bool:
        return self.kind == "name" and self.text.upper() in words


def tokens(text: str) -> list[Token]:
    """The query's tokens, without spaces and comments; a prefixed name never takes a statement's final '.'."""
    found = []
    for match in _TOKEN.finditer(text):
        kind, value = match.lastgroup, match.group()
        if kind in ("space", "comment"):
            continue
        if kind == "name" and value.endswith(".") and ":" in value:
            stripped = value.rstrip(".")
            found.append(Token(kind, stripped, match.start(), match.start() + len(stripped)))
            found += [Token("other", ".", i, i + 1) for i in range(match.start() + len(stripped), match.end())]
            continue
        found.append(Token(kind, value, match.start(), match.end()))
    return found


@dataclass
class Group:
    open: int  # token index of "{"
    close: int = -1
    parent: "Group | None" = None
    projection: list[str] | None = None  # the plain variables a SELECT whose WHERE group this is projects
    binds: list[int] = field(default_factory=list)  # token indexes of the group's own BIND keywords


@dataclass
class LabelService:
    start: int  # token index of SERVICE
    open: int
    close: int
    group: Group


def prefixes_of(found: list[Token]) -> dict[str, str]:
    """WDQS's prefixes, with the query's own PREFIX lines taking precedence."""
    declared = dict(WDQS_PREFIXES)
    for i, token in enumerate(found[:-2]):
        if token.keyword("PREFIX") and found[i + 1].kind == "name" and found[i + 2].kind == "iri":
            declared[found[i + 1].text[:-1]] = found[i + 2].text[1:-1]
    return declared


def iri_of(token: Token, declared: dict[str, str]) -> str | None:
    if token.kind == "iri":
        return token.text[1:-1]
    if token.kind == "name" and ":" in token.text:
        prefix, _, name = token.text.partition(":")
        return declared[prefix] + name if prefix in declared else None
    return None


def rewrite(text: str, language: str = "en") -> str:
    """The query as a SPARQL 1.1 engine runs it: label services replaced, hints dropped."""
    found = tokens(text)
    declared = prefixes_of(found)
    edits: list[tuple[int, int, str]] = []  # (start, end, replacement) in the text
    moved: set[int] = set()
    for service in _label_services(found, declared):
        resolutions = _resolutions(found, service, declared)
        languages = _languages(found, service, declared, language)
        binds = [_bind(subject, label, target, languages) for subject, label, target in resolutions
                 if not _bound_in(found, service, target)]
        after = [i for i in _binds_using(found, service.group, {target for _, _, target in resolutions}) if i not in moved]
        moved.update(after)
        edits.append((found[service.start].start, found[service.close].end, "{}"))
        edits += [(found[i].start, found[_matching(found, i + 1)].end, "{}") for i in after]
        texts = binds + [text[found[i].start:found[_matching(found, i + 1)].end] for i in after]
        end = found[service.group.close].start
        edits.append((end, end, "".join(" " + t for t in texts) + " "))
    edits += [(found[i].start, found[i + 2].end, "{}") for i in _hints(found, declared)]
    for start, end, replacement in sorted(edits, reverse=True):
        text = text[:start] + replacement + text[end:]
    return text


def _label_services(found: list[Token], declared: dict[str, str]) -> list[LabelService]:
    """The label services, each with its enclosing group (whose projection and BINDs are known)."""
    services, stack = [], []
    projection, depth, service_at = None, 0, None
    for i, token in enumerate(found):
        if token.keyword("SELECT"):
            projection, depth = [], 0
        elif projection is not None and token.text in ("(", ")"):
            depth += 1 if token.text == "(" else -1
        elif projection is not None and depth == 0 and (token.kind == "var" or token.text == "*"):
            projection += [token.text[1:]] if token.kind == "var" else []
        if token.keyword("SERVICE"):
            service_at = i if _is_label_service(found, i, declared) else None
        if token.text == "{":
            group = Group(i, parent=stack[-1] if stack else None, projection=projection)
            if service_at is not None and stack:
                services.append(LabelService(service_at, i, -1, stack[-1]))
            projection, service_at = None, None
            stack.append(group)
        elif token.text == "}" and stack:
            group = stack.pop()
            group.close = i
            for service in services:
                if service.open == group.open:
                    service.close = i
        elif token.keyword("BIND") and stack:
            stack[-1].binds.append(i)
    return services


def _is_label_service(found: list[Token], i: int, declared: dict[str, str]) -> bool:
    """Whether the SERVICE at `i` is the label service; refuses WDQS's other services."""
    j = i + 2 if found[i + 1].keyword("SILENT") else i + 1
    iri = iri_of(found[j], declared) or ""
    if iri.startswith(OTHER_SERVICES):
        raise DataError(f"SERVICE <{iri}> is a service of the Wikidata Query Service itself, which only WDQS can run "
                        "(use --endpoint to send the query there)")
    return iri.startswith(LABEL_SERVICE)


def _triples(found: list[Token], service: LabelService) -> list[tuple[Token, Token, Token]]:
    """The service body's triples (subject, predicate, object), `;` and `,` lists expanded."""
    body = found[service.open + 1:service.close]
    triples, subject, predicate, expect = [], None, None, "subject"
    for token in body:
        if token.text == ".":
            expect = "subject"
        elif token.text == ";":
            expect = "predicate"
        elif token.text == ",":
            expect = "object"
        elif expect == "subject":
            subject, expect = token, "predicate"
        elif expect == "predicate":
            predicate, expect = token, "object"
        elif expect == "object":
            triples.append((subject, predicate, token))
            expect = None
        # otherwise: a literal's language tag or datatype (`"en"@en`, `^^xsd:string`), nothing to read
    return triples


def _languages(found: list[Token], service: LabelService, declared: dict[str, str], language: str) -> str:
    """The fallback list, in order, `[AUTO_LANGUAGE]` replaced by `language`."""
    wanted = []
    for subject, predicate, obj in _triples(found, service):
        if iri_of(subject, declared) == SERVICE_PARAM and iri_of(predicate, declared) == LANGUAGE_PARAM and obj.kind == "string":
            for part in obj.text.strip("\"'").split(","):
                part = part.strip().replace("[AUTO_LANGUAGE]", language).lower()
                if part and part not in wanted:
                    wanted.append(part)
    if not wanted:
        raise DataError("You must provide the label service a list of languages (bd:serviceParam wikibase:language \"…\")")
    return ",".join(wanted)


def _resolutions(found: list[Token], service: LabelService, declared: dict[str, str]) -> list[tuple[str, str, str]]:
    """(subject as SPARQL, label property IRI, target variable) for each label to resolve: the
    service's own patterns, or else the projected variables named …Label, …AltLabel, …Description."""
    explicit = []
    for subject, predicate, obj in _triples(found, service):
        if iri_of(subject, declared) == SERVICE_PARAM:
            continue
        label = iri_of(predicate, declared)
        if label is None or obj.kind != "var":
            raise DataError(f"the label service takes patterns ?entity <label property> ?variable, not {obj.text!r}")
        explicit.append((_term(subject, declared), label, obj.text[1:]))
    if explicit:
        return explicit
    resolutions = []
    for name in _projection(service.group) or ():
        suffix, iri = next(((s, iri) for s, iri in SUFFIXES if name.endswith(s) and len(name) > len(s)), (None, None))
        if suffix:
            resolutions.append(("?" + name[: -len(suffix)], iri, name))
    return resolutions


def _term(token: Token, declared: dict[str, str]) -> str:
    if token.kind == "var":
        return "?" + token.text[1:]
    iri = iri_of(token, declared)
    if iri is None:
        raise DataError(f"the label service cannot resolve {token.text!r}")
    return f"<{iri}>"


def _projection(group: Group | None) -> list[str] | None:
    while group is not None:
        if group.projection is not None:
            return group.projection
        group = group.parent
    return None


def _bound_in(found: list[Token], service: LabelService, variable: str) -> bool:
    """Whether the query binds `variable` itself in the service's group (outside FILTERs and BIND
    expressions): WDQS never overwrites a bound variable, and SPARQL forbids binding it twice."""
    group, skip_until = service.group, -1
    for i in range(group.open + 1, group.close):
        token = found[i]
        if service.start <= i <= service.close or i <= skip_until:
            continue
        if token.keyword("FILTER"):
            skip_until = _end_of_filter(found, i)
        elif token.keyword("BIND"):
            skip_until = _end_of_bind_expression(found, i)
        elif token.kind == "var" and token.text[1:] == variable:
            return True
    return False


def _matching(found: list[Token], i: int) -> int:
    """Index of the bracket that closes the one at `i`."""
    opening = found[i].text
    closing = {"(": ")", "{": "}"}[opening]
    depth = 0
    for j in range(i, len(found)):
        depth += (found[j].text == opening) - (found[j].text == closing)
        if depth == 0:
            return j
    return len(found) - 1


def _end_of_filter(found: list[Token], i: int) -> int:
    j = i + 1
    while j < len(found) and found[j].text not in ("(", "{"):
        j += 1
    return _matching(found, j) if j < len(found) else j


def _end_of_bind_expression(found: list[Token], i: int) -> int:
    """The token before BIND's `AS`."""
    close = _matching(found, i + 1)
    for j in range(close, i, -1):
        if found[j].keyword("AS"):
            return j
    return close


def _binds_using(found: list[Token], group: Group, targets: set[str]) -> list[int]:
    """The group's BINDs that use a label, or the result of such a BIND: they move after the labels."""
    used, moving = set(targets), []
    for i in group.binds:
        close = _matching(found, i + 1)
        names = {t.text[1:] for t in found[i:close] if t.kind == "var"}
        if names & used:
            moving.append(i)
            used |= names
    return moving


def _bind(subject: str, label: str, target: str, languages: str) -> str:
    return f'BIND(<{RESOLVER.value}>({subject}, <{label}>, "{languages}") AS ?{target})'


def _hints(found: list[Token], declared: dict[str, str]) -> list[int]:
    """Indexes of the subjects of query-hint triples (`hint:Query hint:optimizer "None"`)."""
    def hint(token: Token) -> bool:
        return (iri_of(token, declared) or "").startswith(HINTS)

    return [i for i in range(len(found) - 2) if hint(found[i]) and hint(found[i + 1])]


# --- running ----------------------------------------------------------------------------------

class LabelResolver:
    """The label service's lookups on one store: labels indexed once per label property."""

    def __init__(self, store: ox.Store):
        self.store = store
        self.index: dict[str, dict] = {}

    def __call__(self, subject, label, languages):
        by_language = self._labels(label.value).get(subject, {})
        for language in _split(languages.value):
            if found := by_language.get(language):
                return found[0] if len(found) == 1 else ox.Literal(", ".join(sorted(f.value for f in found)), language=language)
        if label.value != RDFS_LABEL:
            return None
        text = subject.value
        return ox.Literal(text[len(ENTITY):] if isinstance(subject, ox.NamedNode) and text.startswith(ENTITY) else text)

    def _labels(self, label: str) -> dict:
        if label not in self.index:
            found: dict = {}
            for quad in self.store.quads_for_pattern(None, ox.NamedNode(label), None):
                if isinstance(quad.object, ox.Literal) and quad.object.language:
                    found.setdefault(quad.subject, {}).setdefault(quad.object.language.lower(), []).append(quad.object)
            self.index[label] = found
        return self.index[label]


@lru_cache(maxsize=64)
def _split(languages: str) -> tuple[str, ...]:
    return tuple(languages.split(","))


def check_syntax(text: str, location: Path | None = None) -> None:
    """Parse the query as WDQS would (its prefixes declared) without running it."""
    try:
        ox.Store().query(text, prefixes=WDQS_PREFIXES)
    except SyntaxError as error:
        raise query_syntax_error(error, text, location) from None


def run_on_view(store: ox.Store, text: str, language: str = "en", location: Path | None = None) -> QueryResult:
    """Run a WDQS query on the view in `store`."""
    check_syntax(text, location)
    prepared = rewrite(text, language)
    try:
        answer = store.query(prepared, prefixes=WDQS_PREFIXES, custom_functions={RESOLVER: LabelResolver(store)})
    except SyntaxError as error:  # the rewriting's fault, not the user's: say so
        raise DataError(f"the label service could not be rewritten for this query ({error})", Location(location) if location else None) from None
    try:
        return QueryResult.from_answer(answer)
    except (OSError, RuntimeError) as error:
        raise DataError(f"the query failed while running: {error}", Location(location) if location else None) from None


def load_view(path: Path) -> ox.Store:
    if not path.is_file():
        raise UsageError(f"no Wikidata view at {path}; run `cassibile build` first")
    store = ox.Store()
    store.bulk_load(path=str(path), format=ox.RdfFormat.TURTLE)
    return store
