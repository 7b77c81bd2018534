"""Our facts as Wikibase statements: the one mapping that the Wikidata view, QuickStatements, the
Wikibase JSON documents and compare share.

A fact becomes a statement when its predicate is aligned in the ontology (`rdfs:subPropertyOf
wdt:P…`) with a property verified in `graph/wikidata/properties.tsv`. Items are the entities'
`owl:sameAs wd:Q…`; an entity without one keeps its own IRI (the view uses it, QuickStatements
cannot). Each claim that supports the fact becomes one reference: the source's IRI (P854) and
title (P1476), the claim's verbatim quote (P1683) and the source's language item (P407). The
fact's own rank is the statement's rank, and `truthy` marks what WDQS types `wikibase:BestRank`:
the statements of the best non-deprecated rank for their subject and property. The build and the
`wikidata` commands read the ontology and the graph from their layers in the build's store
(`LayerStore.view`).

Dates keep their precision; a `cas:TimeSpan` becomes the smallest year, month or day that
contains both its bounds, so no day is ever invented:

>>> import datetime as dt
>>> Time.enclosing(dt.date(1943, 9, 3), dt.date(1943, 9, 30))
Time(year=1943, month=9, day=0, precision=10)
>>> Time.enclosing(dt.date(1944, 1, 1), dt.date(1944, 3, 31)).timestamp()
'+1944-00-00T00:00:00Z'
>>> Time.enclosing(dt.date(1943, 9, 1), dt.date(1944, 5, 31)) is None  # spans two years: not expressible
True
>>> Quantity(Decimal("1400")).amount_text()
'+1400'
"""

from __future__ import annotations

import calendar
import csv
import datetime as dt
import io
import re
import uuid
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path
from typing import ClassVar

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS, XSD

from cassibile.errors import DataError, Location, UsageError
from cassibile.namespaces import CAS, ID, PREFIXES, SCHEMA, WD, WDT, WIKIBASE
from cassibile.pipeline import derive
from cassibile.pipeline.store import StoreView

DAY, MONTH, YEAR = 11, 10, 9
# Wikibase's own constants (DataValues TimeValue::CALENDAR_GREGORIAN, RdfVocabulary::ONE_ENTITY).
GREGORIAN = "http://www.wikidata.org/entity/Q1985727"
INSTANCE_OF = "P31"
REFERENCE_URL, TITLE, QUOTATION, LANGUAGE = "P854", "P1476", "P1683", "P407"
RANK_NAMES = {WIKIBASE.PreferredRank: "preferred", WIKIBASE.NormalRank: "normal", WIKIBASE.DeprecatedRank: "deprecated"}
# Wikidata's string limits (wmf-config InitialiseSettings.php, wmgWikibaseStringLimits for wikidatawiki),
# measured in characters, and Wikibase's rule for every string (ValidatorBuilders::getCommonStringValidators).
STRING_LIMIT = 1500
_ILLEGAL_TEXT = re.compile(r"^\s|[\t\n\x0b\f\r\x85\u2028\u2029]|\s$")
# A layer as the mapping reads it: the build's store (`LayerStore.view`), or an rdflib graph (the reconciliation
# service reads built files so, and tests).
Layer = StoreView | Graph
NUMERIC = {XSD.integer, XSD.decimal, XSD.nonNegativeInteger, XSD.positiveInteger}
# rdflib looks namespace attributes up on every access; the loop over every fact uses these.
_PREDICATE, _SUBJECT, _OBJECT, _RANK, _SUPPORTED_BY, _SOURCE, _QUOTE = (
    RDF.predicate, RDF.subject, RDF.object, CAS.rank, CAS.supportedBy, CAS.source, CAS.quote)


# --- values -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Item:
    iri: URIRef
    qid: str | None
    datatype: ClassVar[str] = "wikibase-item"

    def term(self) -> URIRef:
        """The item as WDQS names it, or our own IRI where it has no QID."""
        return WD[self.qid] if self.qid else self.iri


@dataclass(frozen=True)
class Time:
    """A Wikibase time value: month and day are 0 below their precision, as Wikibase writes them."""

    year: int
    month: int
    day: int
    precision: int
    datatype: ClassVar[str] = "time"

    @classmethod
    def enclosing(cls, earliest: dt.date, latest: dt.date) -> "Time | None":
        """The most precise day, month or year that holds both bounds; None if they lie in different years."""
        if earliest == latest:
            return cls(earliest.year, earliest.month, earliest.day, DAY)
        if (earliest.year, earliest.month) == (latest.year, latest.month):
            return cls(earliest.year, earliest.month, 0, MONTH)
        if earliest.year == latest.year:
            return cls(earliest.year, 0, 0, YEAR)
        return None

    def bounds(self) -> tuple[dt.date, dt.date]:
        if self.precision >= DAY:
            day = dt.date(self.year, self.month, self.day)
            return day, day
        if self.precision == MONTH:
            last = calendar.monthrange(self.year, self.month)[1]
            return dt.date(self.year, self.month, 1), dt.date(self.year, self.month, last)
        years = 10 ** (YEAR - self.precision)  # a year; Wikidata's decades, centuries… below precision 9
        first = max(1, self.year - self.year % years)
        return dt.date(first, 1, 1), dt.date(min(9999, first + years - 1), 12, 31)

    def timestamp(self) -> str:
        """The `time` of Wikibase JSON and QuickStatements: signed, month and day 00 below their precision."""
        return f"+{self.year:04d}-{self.month:02d}-{self.day:02d}T00:00:00Z"

    def date_time(self) -> str:
        """As WDQS writes a time (Wikibase's DateTimeValueCleaner): an unknown month or day becomes 01."""
        return f"{self.year:04d}-{self.month or 1:02d}-{self.day or 1:02d}T00:00:00Z"


@dataclass(frozen=True)
class Quantity:
    """An amount without bounds or unit: Wikibase's unbounded quantity, unit "1"."""

    amount: Decimal
    datatype: ClassVar[str] = "quantity"

    def amount_text(self) -> str:
        """The amount as Wikibase writes it: always signed."""
        return f"{self.amount:+f}"


@dataclass(frozen=True)
class Text:
    text: str
    language: str | None

    @property
    def datatype(self) -> str:
        return "monolingualtext" if self.language else "string"


@dataclass(frozen=True)
class Url:
    url: str
    datatype: ClassVar[str] = "url"


Value = Item | Time | Quantity | Text | Url


def refusal(value: Value) -> str | None:
    """Why Wikidata would refuse the value (None if it would take it).

    >>> refusal(Text(" padded", "en"))
    'Wikibase refuses a text that begins or ends with a space, or holds a tab or a line break'
    >>> refusal(Text("x" * 1501, "en"))
    "1501 characters, over Wikidata's limit of 1500 for monolingualtext values"
    """
    if isinstance(value, Item):
        return None if value.qid else f"the item {value.iri} has no QID"
    text = value.text if isinstance(value, Text) else value.url if isinstance(value, Url) else None
    if text is None:
        return None
    if not text:
        return "an empty text"
    if len(text) > STRING_LIMIT:
        return f"{len(text)} characters, over Wikidata's limit of {STRING_LIMIT} for {value.datatype} values"
    if _ILLEGAL_TEXT.search(text):
        return "Wikibase refuses a text that begins or ends with a space, or holds a tab or a line break"
    return None


# --- statements ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Reference:
    """One claim of ours as a Wikibase reference: its snaks, in the order they are written."""

    claim: URIRef
    source: URIRef
    snaks: tuple[tuple[str, Value], ...]


@dataclass(frozen=True)
class Statement:
    fact: URIRef  # the fact it states; for a class statement (property rdf:type) the statement's own IRI
    subject: Item
    property: URIRef
    pid: str
    value: Value
    rank: URIRef
    truthy: bool = False  # wikibase:BestRank: of the best non-deprecated rank for its subject and PID
    qualifiers: tuple[tuple[str, Value], ...] = ()
    references: tuple[Reference, ...] = ()
    remarks: tuple[tuple[str, str], ...] = ()  # (label, text) of the fact's own literal notes: its rank rationale
    objection: str | None = None  # what Wikidata's constraints would flag (graph/wikidata/constraints.tsv)

    @property
    def is_class(self) -> bool:
        """A `wdt:P31` statement made from the `skos:closeMatch` of an asserted class, not from a fact."""
        return self.property == RDF.type

    @property
    def rank_name(self) -> str:
        return RANK_NAMES[self.rank]

    def guid(self) -> str | None:
        """A statement id Wikibase accepts for the subject (`Q…$UUID`), the same for every build."""
        if not self.subject.qid:
            return None
        return f"{self.subject.qid}${str(uuid.uuid5(uuid.NAMESPACE_URL, str(self.fact))).upper()}"


@dataclass(frozen=True, order=True)
class Note:
    """Something that could not travel to Wikidata, or not whole, and why."""

    node: URIRef  # the fact (or entity) concerned
    part: str  # "statement", "value", "qualifier P580", "reference P1683", "rank"…
    reason: str


def notes_tsv(notes) -> bytes:
    """What was left out, one row per note, sorted and without repeats."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter="\t", lineterminator="\n")
    writer.writerow(("node", "part", "reason"))
    writer.writerows((str(n.node), n.part, n.reason) for n in sorted(set(notes)))
    return out.getvalue().encode("utf-8")


# --- what the ontology and graph/wikidata/ say ---------------------------------------------------

@dataclass(frozen=True)
class Rule:
    """One row of constraints.tsv: statements of `pid` (None: any) from `subject_class` to
    `value_class`, whose fact has `qualifier`, are held back (None matches anything)."""

    pid: str | None
    subject_class: URIRef | None
    value_class: URIRef | None
    qualifier: URIRef | None
    reason: str


@dataclass(frozen=True)
class Tables:
    """graph/wikidata/: verified PIDs (with their labels) and QIDs, the language items, the review rules."""

    properties: dict[str, str]  # verified PID -> English label
    qids: frozenset[str] = frozenset()
    languages: dict[str, str] = field(default_factory=dict)  # language code -> verified QID
    rules: tuple[Rule, ...] = ()

    @classmethod
    def read(cls, directory: Path) -> "Tables":
        properties = directory / "properties.tsv"
        if not properties.is_file():
            raise UsageError(f"{properties}: no such file (the verified Wikidata properties)")
        verified = {row["pid"]: row["label"] for _, row in _rows(properties) if row.get("status") == "verified"}
        qids = frozenset(row["qid"] for _, row in _rows(directory / "entities.tsv") if row.get("status") == "verified")
        languages = {}
        for line, row in _rows(directory / "languages.tsv"):
            if row["qid"] not in qids:
                raise DataError(f"{row['qid']} is not verified in entities.tsv", Location(directory / "languages.tsv", line))
            languages[row["language"]] = row["qid"]
        rules = tuple(_rule(row, Location(directory / "constraints.tsv", line)) for line, row in _rows(directory / "constraints.tsv"))
        return cls(verified, qids, languages, rules)


def _rows(path: Path):
    """(line, row) of a tab-separated table with a header; nothing if the file does not exist."""
    if not path.is_file():
        return
    with open(path, encoding="utf-8", newline="") as table:
        reader = csv.DictReader(table, delimiter="\t")
        for row in reader:
            yield reader.line_num, row


def _rule(row: dict, where: Location) -> Rule:
    def term(column: str) -> URIRef | None:
        text = (row.get(column) or "").strip()
        prefix, _, name = text.partition(":")
        if text == "*":
            return None
        if prefix not in PREFIXES or not name:
            raise DataError(f"{column} {text!r}: write a term as cas:Name, or * for any", where)
        return URIRef(PREFIXES[prefix] + name)

    pid = (row.get("property") or "").strip()
    if not (pid == "*" or re.fullmatch(r"P[1-9][0-9]*", pid)) or not (row.get("reason") or "").strip():
        raise DataError("a rule needs a property (P…, or * for any) and a reason", where)
    return Rule(None if pid == "*" else pid, term("subject_class"), term("value_class"), term("qualifier"), row["reason"].strip())


@dataclass
class Alignment:
    """What the ontology, the graph and graph/wikidata/ say about Wikidata."""

    pids: dict[URIRef, str]  # ontology property -> verified PID
    unverified: dict[URIRef, str]  # aligned to a PID that properties.tsv does not verify
    qids: dict[URIRef, str]  # entity -> QID (owl:sameAs wd:Q…)
    class_qids: dict[URIRef, str] = field(default_factory=dict)  # class -> QID (skos:closeMatch)
    tables: Tables = field(default_factory=lambda: Tables({}))
    fact_notes: dict[URIRef, str] = field(default_factory=dict)  # properties of facts themselves -> English label
    superclasses: dict[URIRef, frozenset] = field(default_factory=dict)

    @classmethod
    def read(cls, ontology: Layer, data: Layer, tables: Tables) -> "Alignment":
        aligned = {p: local(o, WDT) for p, o in ontology.subject_objects(RDFS.subPropertyOf) if local(o, WDT)}
        about_facts = set(ontology.subjects(RDFS.domain, CAS.Fact)) | {CAS.rank, CAS.supportedBy}
        return cls(
            pids={p: pid for p, pid in aligned.items() if pid in tables.properties},
            unverified={p: pid for p, pid in aligned.items() if pid not in tables.properties},
            qids=_first_by_subject(data, OWL.sameAs),
            class_qids=_first_by_subject(ontology, SKOS.closeMatch),
            tables=tables,
            fact_notes={p: _english_label(ontology, p) for p in about_facts},
            superclasses={c: frozenset(ontology.transitive_objects(c, RDFS.subClassOf)) for c in set(ontology.subjects(RDFS.subClassOf))},
        )

    @property
    def verified(self) -> frozenset[str]:
        """Every verified PID, for qualifiers and references too."""
        return frozenset(self.tables.properties)

    def item(self, node: URIRef) -> Item:
        return Item(node, self.qids.get(node))


def local(node, namespace) -> str | None:
    """The local name of `node` in `namespace` ("Q5" for wd:Q5), or None if it is not in it."""
    text = str(node)
    return text[len(str(namespace)):] if isinstance(node, URIRef) and text.startswith(str(namespace)) else None


def _first_by_subject(graph: Layer, predicate: URIRef) -> dict[URIRef, str]:
    """Subject -> QID of the first (sorted) wd: object, so that the choice never depends on parse order."""
    found: dict[URIRef, str] = {}
    for subject, obj in sorted(graph.subject_objects(predicate)):
        if (qid := local(obj, WD)) and subject not in found:
            found[subject] = qid
    return found


def _english_label(graph: Layer, node: URIRef) -> str:
    labels = sorted(str(label) for label in graph.objects(node, RDFS.label) if getattr(label, "language", None) == "en")
    return labels[0] if labels else str(node).rsplit("#", 1)[-1]


# --- reading the entities and the facts ------------------------------------------------------------

@dataclass(frozen=True)
class Terms:
    """An entity's labels and descriptions, language by language, sorted: the first label of a
    language is its label, the others its aliases; Wikibase has one description per language."""

    labels: dict[str, list[str]]
    descriptions: dict[str, str]


def item_labels(data: Layer, entity) -> dict[str, list[str]]:
    """Language -> the entity's labels in it (rdfs:label from sources, cas:editorialLabel otherwise), sorted."""
    labels: dict[str, set[str]] = {}
    for predicate in (RDFS.label, CAS.editorialLabel):
        for label in data.objects(entity, predicate):
            if isinstance(label, Literal) and label.language:
                labels.setdefault(label.language, set()).add(str(label))
    return {language: sorted(labels[language]) for language in sorted(labels)}


def entity_terms(data: Layer, entities: list[URIRef]) -> dict[URIRef, Terms]:
    """The terms of every entity, read once for the view and the Wikibase JSON."""
    found = {}
    for entity in entities:
        descriptions: dict[str, list[str]] = {}
        for description in data.objects(entity, SCHEMA.description):
            if isinstance(description, Literal) and description.language:
                descriptions.setdefault(description.language, []).append(str(description))
        found[entity] = Terms(item_labels(data, entity), {language: min(texts) for language, texts in sorted(descriptions.items())})
    return found



def statements(data: Layer, alignment: Alignment) -> tuple[list[Statement], list[Note]]:
    """Every fact whose predicate has a verified Wikidata property, and every class with a close match,
    as statements with their best rank marked; and what could not become a statement, or not whole.
    Each fact, claim and source is read from the graph once."""
    found, notes = [], []
    references = _References(data, alignment)
    review = _Review(data, alignment)
    for fact in derive.facts(data):
        parts = properties_of(data, fact)
        predicate = _first(parts, _PREDICATE)
        if predicate not in alignment.pids:
            notes.append(Note(fact, "statement", _no_property(predicate, alignment)))
            continue
        value, loss = wikidata_value(data, _first(parts, _OBJECT), alignment)
        if loss:
            notes.append(Note(fact, "value", loss))
        if value is None:
            continue
        statement = Statement(
            fact=fact, subject=alignment.item(_first(parts, _SUBJECT)), property=predicate, pid=alignment.pids[predicate],
            value=value, rank=_first(parts, _RANK) or WIKIBASE.NormalRank,
            qualifiers=_qualifiers(data, fact, parts, alignment, notes),
            references=references.of(parts.get(_SUPPORTED_BY, ())), remarks=_remarks(parts, alignment),
        )
        found.append(replace(statement, objection=review.objection(statement, parts)))
    found += class_statements(data, alignment)
    return with_best_rank(found), notes


def _no_property(predicate: URIRef, alignment: Alignment) -> str:
    if predicate in alignment.unverified:
        return f"{alignment.unverified[predicate]} is not verified in properties.tsv"
    if predicate == RDF.type:
        return "a class: classes reach Wikidata only as P31 through skos:closeMatch, a judgement that is not sent"
    name = f"cas:{str(predicate)[len(str(CAS)):]}" if str(predicate).startswith(str(CAS)) else str(predicate)
    return f"{name} has no Wikidata property (no rdfs:subPropertyOf wdt:P… in the ontology)"


def properties_of(data: Layer, node) -> dict[URIRef, list]:
    """Predicate -> objects of one node, in one lookup, objects sorted."""
    found: dict[URIRef, list] = {}
    for predicate, obj in data.predicate_objects(node):
        found.setdefault(predicate, []).append(obj)
    for objects in found.values():
        objects.sort(key=lambda o: (type(o).__name__, str(o), getattr(o, "language", None) or "", str(getattr(o, "datatype", None) or "")))
    return found


def _first(parts: dict, predicate: URIRef):
    values = parts.get(predicate)
    return values[0] if values else None


def wikidata_value(data: Layer, node, alignment: Alignment) -> tuple[Value | None, str | None]:
    """A fact's object as a Wikidata value, and what of it is lost on the way (None, reason: nothing fits)."""
    bounds = derive.temporal_bounds(data, node)
    if bounds is not None:
        time = Time.enclosing(*bounds)
        if time is None:
            return None, f"the span {bounds[0]} to {bounds[1]} crosses a year: no Wikibase time holds it without inventing a day"
        return time, _time_loss(node, time, bounds)
    if isinstance(node, Literal):
        if node.datatype in NUMERIC:
            return Quantity(Decimal(str(node))), None
        if node.datatype in (None, XSD.string) or node.language:
            return Text(str(node), node.language), None
        return None, f"Wikidata has no datatype for {node.n3()}"
    return alignment.item(node), None


def _time_loss(node, time: Time, bounds: tuple[dt.date, dt.date]) -> str | None:
    if isinstance(node, Literal) and node.datatype == XSD.dateTime and str(node)[11:19] not in ("", "00:00:00"):
        return f"the time of day ({str(node)[11:16]}) is not carried: Wikibase times stop at the day"
    if not isinstance(node, Literal) and time.bounds() != bounds:
        return f"the span {bounds[0]} to {bounds[1]} is carried as {time.timestamp()} at precision {time.precision}, the smallest that holds it"
    return None


def _qualifiers(data: Layer, fact: URIRef, parts: dict, alignment: Alignment, notes: list[Note]) -> tuple:
    """The fact's own properties about the world (not those of the fact itself, rdfs:domain cas:Fact)."""
    kept = []
    for prop in sorted(parts):
        if not str(prop).startswith(str(CAS)) or prop in alignment.fact_notes:
            continue
        if prop not in alignment.pids:
            notes.append(Note(fact, f"qualifier cas:{str(prop)[len(str(CAS)):]}", "no verified Wikidata property"))
            continue
        for obj in parts[prop]:
            value, loss = wikidata_value(data, obj, alignment)
            if loss:
                notes.append(Note(fact, f"qualifier {alignment.pids[prop]}", loss))
            if value is not None:
                kept.append((alignment.pids[prop], value))
    return tuple(kept)


def _remarks(parts: dict, alignment: Alignment) -> tuple[tuple[str, str], ...]:
    """The literal notes the fact makes about itself (its rank rationale), labelled by the ontology."""
    return tuple(sorted((alignment.fact_notes[p], str(o)) for p, objects in parts.items() if p in alignment.fact_notes
                        for o in objects if isinstance(o, Literal)))


class _References:
    """One reference per claim, each claim and source read once however many facts cite them."""

    def __init__(self, data: Layer, alignment: Alignment):
        self.data, self.alignment = data, alignment
        self.claims: dict[URIRef, Reference | None] = {}
        self.sources: dict[URIRef, dict] = {}

    def of(self, claims) -> tuple[Reference, ...]:
        """The references of these claims, in their order; two claims that say the same are one."""
        unique: dict[tuple, Reference] = {}
        for claim in claims:
            if (reference := self.claim(claim)) is not None:
                unique.setdefault(reference.snaks, reference)
        return tuple(unique.values())

    def claim(self, claim: URIRef) -> Reference | None:
        if claim not in self.claims:
            parts = properties_of(self.data, claim)
            source = _first(parts, _SOURCE)
            self.claims[claim] = None if source is None else Reference(claim, source, self._snaks(source, _first(parts, _QUOTE)))
        return self.claims[claim]

    def _snaks(self, source: URIRef, quote: Literal | None) -> tuple[tuple[str, Value], ...]:
        if source not in self.sources:
            self.sources[source] = properties_of(self.data, source)
        parts = self.sources[source]
        verified, language = self.alignment.verified, _first(parts, DCTERMS.language)
        language = str(language) if language is not None else None
        title = _first(parts, DCTERMS.title)
        snaks = [(REFERENCE_URL, Url(str(source)))]
        if title is not None:
            snaks.append((TITLE, Text(str(title), title.language or language)))
        if quote is not None:
            snaks.append((QUOTATION, Text(str(quote), quote.language or language)))
        if (qid := self.alignment.tables.languages.get(language)) is not None:
            snaks.append((LANGUAGE, Item(WD[qid], qid)))
        return tuple((pid, value) for pid, value in snaks if pid in verified)


class _Review:
    """The rules of constraints.tsv, checked against the classes of subject and value (with superclasses)."""

    def __init__(self, data: Layer, alignment: Alignment):
        self.data, self.alignment = data, alignment
        self.rules: dict[str | None, list[Rule]] = {}
        for rule in alignment.tables.rules:
            self.rules.setdefault(rule.pid, []).append(rule)

    def objection(self, statement: Statement, parts: dict) -> str | None:
        """The reason of the first rule the statement (with its fact's `parts`) falls under."""
        value = statement.value.iri if isinstance(statement.value, Item) else None
        for rule in self.rules.get(statement.pid, []) + self.rules.get(None, []):
            if ((rule.qualifier is None or rule.qualifier in parts) and self._is(statement.subject.iri, rule.subject_class)
                    and (rule.value_class is None or self._is(value, rule.value_class))):
                return rule.reason
        return None

    def _is(self, node, cls: URIRef | None) -> bool:
        if cls is None:
            return True
        return node is not None and any(c == cls or cls in self.alignment.superclasses.get(c, ()) for c in self.data.objects(node, RDF.type))


def class_statements(data: Layer, alignment: Alignment) -> list[Statement]:
    """`P31` for each class asserted of an entity (not its superclasses) that has a close match, normal
    rank and no reference: an editorial judgement, made so that queries written for WDQS find the item."""
    if INSTANCE_OF not in alignment.verified:
        return []
    found = {}
    for entity, cls in data.subject_objects(RDF.type):
        if cls in alignment.class_qids and isinstance(entity, URIRef) and str(entity).startswith(str(ID)):
            qid = alignment.class_qids[cls]
            node = URIRef(f"{entity}#{INSTANCE_OF}-{qid}")
            found[node] = Statement(node, alignment.item(entity), RDF.type, INSTANCE_OF, Item(cls, qid), WIKIBASE.NormalRank)
    return [found[node] for node in sorted(found)]


def with_best_rank(found: list[Statement]) -> list[Statement]:
    """Mark `truthy` as Wikibase's getBestStatements does: per subject and PID, the preferred statements
    if there are any, otherwise the normal ones; deprecated statements never."""
    best: dict[tuple, int] = {}
    order = {WIKIBASE.PreferredRank: 0, WIKIBASE.NormalRank: 1}
    for statement in found:
        if statement.rank in order:
            key = (statement.subject.term(), statement.pid)
            best[key] = min(best.get(key, 1), order[statement.rank])
    return [replace(s, truthy=s.rank in order and order[s.rank] == best[(s.subject.term(), s.pid)]) for s in found]
