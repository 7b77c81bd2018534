"""Our facts as Wikidata statements: the one mapping that the view, QuickStatements and compare share.

A fact becomes a statement when its predicate is aligned in the ontology (`rdfs:subPropertyOf
wdt:P…`) with a property verified in `graph/wikidata/properties.tsv`. Items are the entities'
`owl:sameAs wd:Q…`; an entity without one keeps its own IRI (the view uses it, QuickStatements
cannot). Dates keep their precision; a `cas:TimeSpan` becomes the smallest year, month or day
that contains both its bounds, so no day is ever invented:

>>> import datetime as dt
>>> Time.enclosing(dt.date(1943, 9, 3), dt.date(1943, 9, 30))
Time(year=1943, month=9, day=0, precision=10)
>>> Time.enclosing(dt.date(1944, 1, 1), dt.date(1944, 3, 31)).quickstatements()
'+1944-00-00T00:00:00Z/9'
>>> Time.enclosing(dt.date(1943, 9, 3), dt.date(1943, 9, 3)).wdqs()
rdflib.term.Literal('1943-09-03T00:00:00Z', datatype=rdflib.term.URIRef('http://www.w3.org/2001/XMLSchema#dateTime'))
>>> Time.enclosing(dt.date(1943, 9, 1), dt.date(1944, 5, 31)) is None  # spans two years: not expressible
True
"""

from __future__ import annotations

import calendar
import csv
import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS, XSD

from cassibile import derive
from cassibile.errors import UsageError
from cassibile.namespaces import CAS, WD, WDT, WIKIBASE

DAY, MONTH, YEAR = 11, 10, 9
NOT_QUALIFIERS = {CAS.rank, CAS.supportedBy, CAS.rankRationale}
NUMERIC = {XSD.integer, XSD.decimal, XSD.nonNegativeInteger, XSD.positiveInteger}
# rdflib looks namespace attributes up on every access; the loop over every fact uses these.
_PREDICATE, _SUBJECT, _OBJECT, _RANK, _SUPPORTED_BY, _SOURCE = RDF.predicate, RDF.subject, RDF.object, CAS.rank, CAS.supportedBy, CAS.source


@dataclass(frozen=True)
class Item:
    iri: URIRef
    qid: str | None

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

    def wdqs(self) -> Literal:
        """As the Wikidata Query Service writes a truthy time: unknown month and day become 01."""
        text = f"{self.year:04d}-{self.month or 1:02d}-{self.day or 1:02d}T00:00:00Z"
        return Literal(text, datatype=XSD.dateTime, normalize=False)  # rdflib would write "+00:00" for "Z"

    def quickstatements(self) -> str:
        return f"+{self.year:04d}-{self.month:02d}-{self.day:02d}T00:00:00Z/{self.precision}"


@dataclass(frozen=True)
class Quantity:
    amount: Decimal

    def wdqs(self) -> Literal:
        sign = "+" if self.amount >= 0 else ""
        return Literal(f"{sign}{self.amount:f}", datatype=XSD.decimal, normalize=False)


@dataclass(frozen=True)
class Text:
    text: str
    language: str | None

    def wdqs(self) -> Literal:
        return Literal(self.text, lang=self.language)


Value = Item | Time | Quantity | Text


@dataclass(frozen=True)
class Reference:
    """One reference block: a source of ours (sources have no QIDs, so they are cited by IRI and title)."""

    source: URIRef
    title: Literal | None


@dataclass(frozen=True)
class Statement:
    fact: URIRef
    subject: Item
    property: URIRef
    pid: str
    value: Value
    rank: URIRef
    truthy: bool
    qualifiers: tuple[tuple[str, Value], ...] = ()
    references: tuple[Reference, ...] = ()


@dataclass(frozen=True)
class Note:
    """Something that could not travel to Wikidata, and why."""

    node: URIRef
    reason: str


@dataclass
class Alignment:
    """What the ontology and the verified lists say about Wikidata."""

    pids: dict[URIRef, str]  # ontology property -> verified PID
    unverified: dict[URIRef, str]  # aligned to a PID that properties.tsv does not verify
    qids: dict[URIRef, str]  # entity -> QID (owl:sameAs wd:Q…)
    class_qids: dict[URIRef, str] = field(default_factory=dict)  # class -> QID (skos:closeMatch)
    verified: frozenset[str] = frozenset()  # every verified PID, for qualifiers and references too

    @classmethod
    def read(cls, ontology: Graph, data: Graph, verified: frozenset[str]) -> "Alignment":
        aligned = {p: local(o, WDT) for p, o in ontology.subject_objects(RDFS.subPropertyOf) if local(o, WDT)}
        return cls(
            pids={p: pid for p, pid in aligned.items() if pid in verified},
            unverified={p: pid for p, pid in aligned.items() if pid not in verified},
            qids=_first_by_subject(data, OWL.sameAs),
            class_qids=_first_by_subject(ontology, SKOS.closeMatch),
            verified=verified,
        )

    def item(self, node: URIRef) -> Item:
        return Item(node, self.qids.get(node))


def local(node, namespace) -> str | None:
    """The local name of `node` in `namespace` ("Q5" for wd:Q5), or None if it is not in it."""
    text = str(node)
    return text[len(str(namespace)):] if isinstance(node, URIRef) and text.startswith(str(namespace)) else None


def _first_by_subject(graph: Graph, predicate: URIRef) -> dict[URIRef, str]:
    """Subject -> QID of the first (sorted) wd: object, so that the choice never depends on parse order."""
    found: dict[URIRef, str] = {}
    for subject, obj in sorted(graph.subject_objects(predicate)):
        if (qid := local(obj, WD)) and subject not in found:
            found[subject] = qid
    return found


def read_verified_pids(path: Path) -> frozenset[str]:
    """The PIDs whose row in properties.tsv says `verified`."""
    if not path.is_file():
        raise UsageError(f"{path}: no such file (the verified Wikidata properties)")
    with open(path, encoding="utf-8", newline="") as table:
        return frozenset(row["pid"] for row in csv.DictReader(table, delimiter="\t") if row.get("status") == "verified")


def wikidata_value(data: Graph, node, alignment: Alignment) -> Value | None:
    """A fact's object as a Wikidata value, or None when Wikidata cannot hold it."""
    bounds = derive.temporal_bounds(data, node)
    if bounds is not None:
        return Time.enclosing(*bounds)
    if isinstance(node, Literal):
        if node.datatype in NUMERIC:
            return Quantity(Decimal(str(node)))
        if node.datatype in (None, XSD.string) or node.language:
            return Text(str(node), node.language)
        return None
    return alignment.item(node)


def statements(data: Graph, alignment: Alignment, truthy: Graph | None = None) -> tuple[list[Statement], list[Note]]:
    """Every fact whose predicate has a verified Wikidata property, as a statement; and what was left out.
    `truthy` is the truthy graph of `data` if the caller has derived it already."""
    truthy = derive.truthy(data) if truthy is None else truthy
    found, notes = [], []
    for fact in derive.facts(data):
        predicate = data.value(fact, _PREDICATE)
        if predicate in alignment.unverified:
            notes.append(Note(fact, f"{alignment.unverified[predicate]} is not verified in properties.tsv"))
        if predicate not in alignment.pids:
            continue
        subject, obj = data.value(fact, _SUBJECT), data.value(fact, _OBJECT)
        value = wikidata_value(data, obj, alignment)
        if value is None:
            notes.append(Note(fact, f"Wikidata cannot hold the value {obj.n3(data.namespace_manager)}"))
            continue
        rank = data.value(fact, _RANK) or WIKIBASE.NormalRank
        qualifiers, dropped = _qualifiers(data, fact, alignment)
        notes += dropped
        found.append(Statement(
            fact=fact, subject=alignment.item(subject), property=predicate, pid=alignment.pids[predicate],
            value=value, rank=rank, truthy=rank != WIKIBASE.DeprecatedRank and (subject, predicate, obj) in truthy,
            qualifiers=qualifiers, references=_references(data, fact),
        ))
    return found, notes


def _qualifiers(data: Graph, fact: URIRef, alignment: Alignment) -> tuple[tuple, list[Note]]:
    kept, dropped = [], []
    for prop, obj in sorted(data.predicate_objects(fact), key=lambda pair: (pair[0], pair[1].n3())):
        if not str(prop).startswith(str(CAS)) or prop in NOT_QUALIFIERS:
            continue
        value = wikidata_value(data, obj, alignment) if prop in alignment.pids else None
        if value is None:
            dropped.append(Note(fact, f"qualifier cas:{str(prop)[len(str(CAS)):]} has no Wikidata form"))
        else:
            kept.append((alignment.pids[prop], value))
    return tuple(kept), dropped


def _references(data: Graph, fact: URIRef) -> tuple[Reference, ...]:
    """One reference per source that a supporting claim quotes (two claims of one source are one reference)."""
    sources = {data.value(claim, _SOURCE) for claim in data.objects(fact, _SUPPORTED_BY)} - {None}
    return tuple(Reference(s, data.value(s, DCTERMS.title)) for s in sorted(sources))

