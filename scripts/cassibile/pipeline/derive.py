"""Derived layers, produced by the build and never typed: the truthy graph, date precision and bounds,
and each claim's W3C Web Annotation target.

>>> from rdflib import Literal
>>> from rdflib.namespace import XSD
>>> day_bounds(Literal("1943-09", datatype=XSD.gYearMonth))
(datetime.date(1943, 9, 1), datetime.date(1943, 9, 30))
>>> day_bounds(Literal("1944", datatype=XSD.gYear))[1]
datetime.date(1944, 12, 31)
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, XSD

from cassibile.namespaces import CAS, OA, WIKIBASE
from cassibile.pipeline.load import Dataset, new_graph

RANK_ORDER = {WIKIBASE.PreferredRank: 0, WIKIBASE.NormalRank: 1, WIKIBASE.DeprecatedRank: 2}

PRECISION = {
    XSD.gYear: CAS.YearPrecision,
    XSD.gYearMonth: CAS.MonthPrecision,
    XSD.date: CAS.DayPrecision,
    XSD.dateTime: CAS.MinutePrecision,
}


def facts(graph: Graph) -> list[URIRef]:
    return sorted(graph.subjects(RDF.type, CAS.Fact))


def truthy(data: Graph, into: Graph | None = None) -> Graph:
    """Best-ranked facts as plain triples (added to `into`, or a new graph), as Wikidata derives wdt:
    triples from its statements.

    For each subject and predicate, the preferred facts if there are any, otherwise the normal ones;
    deprecated facts never enter.
    """
    groups: dict[tuple, list[tuple[int, object]]] = defaultdict(list)
    for fact in facts(data):
        rank = RANK_ORDER.get(data.value(fact, CAS.rank), 1)
        key = (data.value(fact, RDF.subject), data.value(fact, RDF.predicate))
        if not all(isinstance(term, URIRef) for term in key):
            continue  # no triple can be stated about a literal, or with one as predicate (rule S03 reports the fact)
        groups[key].append((rank, data.value(fact, RDF.object)))
    graph = new_graph() if into is None else into
    for (subject, predicate), ranked in groups.items():
        best = min(rank for rank, _ in ranked)
        if best == RANK_ORDER[WIKIBASE.DeprecatedRank]:
            continue
        for rank, obj in ranked:
            if rank == best:
                graph.add((subject, predicate, obj))
    return graph


def day_bounds(value: Literal) -> tuple[dt.date, dt.date] | None:
    """The first and last day a date literal of any precision can mean."""
    text = str(value)
    if value.datatype == XSD.gYear:
        year = int(text[:4])
        return dt.date(year, 1, 1), dt.date(year, 12, 31)
    if value.datatype == XSD.gYearMonth:
        year, month = int(text[:4]), int(text[5:7])
        return dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1])
    if value.datatype in (XSD.date, XSD.dateTime):
        day = dt.date.fromisoformat(text[:10])
        return day, day
    return None


def temporal_bounds(data: Graph, obj) -> tuple[dt.date, dt.date] | None:
    """Bounds of a fact's object: a date literal, or a cas:TimeSpan with earliest and latest bounds."""
    if isinstance(obj, Literal):
        return day_bounds(obj)
    if (obj, RDF.type, CAS.TimeSpan) in data:
        earliest, latest = data.value(obj, CAS.earliest), data.value(obj, CAS.latest)
        if earliest is None or latest is None:
            return None
        low, high = day_bounds(earliest), day_bounds(latest)
        if low and high:
            return low[0], high[1]
    return None


def date_annotations(data: Graph, into: Graph | None = None) -> Graph:
    """For every fact whose object is a date or a time span: its precision and its day bounds (added to `into`, or a new graph)."""
    graph = new_graph() if into is None else into
    for fact in facts(data):
        obj = data.value(fact, RDF.object)
        bounds = temporal_bounds(data, obj)
        if bounds is None:
            continue
        graph.add((fact, CAS.earliestDate, Literal(bounds[0].isoformat(), datatype=XSD.date)))
        graph.add((fact, CAS.latestDate, Literal(bounds[1].isoformat(), datatype=XSD.date)))
        datatype = obj.datatype if isinstance(obj, Literal) else data.value(obj, CAS.earliest).datatype
        if datatype in PRECISION:
            graph.add((fact, CAS.datePrecision, PRECISION[datatype]))
    return graph


def source_text_graph(dataset: Dataset) -> Graph:
    """The full text of each source as a literal, so that shapes can check every quote against it."""
    graph = new_graph()
    for source, text in dataset.source_texts.items():
        language = dataset.data.value(source, URIRef("http://purl.org/dc/terms/language"))
        graph.add((source, CAS.fullText, Literal(text, lang=str(language) if language else None)))
    return graph


CONTEXT = 32  # code points of text kept on either side of a quote (oa:prefix, oa:suffix)
MAX_CONTEXT = 128  # a repeated quote that this much context cannot tell apart is ambiguous


@dataclass(frozen=True)
class Anchor:
    """Where a quote sits in its source's text, as the Web Annotation selectors say it: `start` and
    `end` count Unicode code points from the start of the text (a Python string's indices)."""

    start: int
    end: int
    prefix: str
    suffix: str


def anchor(text: str, quote: str) -> Anchor | None:
    """The first place `quote` occurs in `text`, with the context on either side (CONTEXT code points,
    doubled up to MAX_CONTEXT) that no other place of the quote shares; None if the quote is not in
    the text, or occurs more than once with the same MAX_CONTEXT code points around it.

    >>> anchor("He signed at noon. She signed at night.", "signed at")
    Anchor(start=3, end=12, prefix='He ', suffix=' noon. She signed at night.')
    >>> anchor("Evviva! " * 40, "Evviva!") is None  # the same words, the same surroundings: which one?
    True
    """
    places = _occurrences(text, quote)
    if not places:
        return None
    start, end = places[0], places[0] + len(quote)
    width = CONTEXT
    while True:
        prefix, suffix = text[max(0, start - width):start], text[end:end + width]
        if not any(_matches(text, place, len(quote), prefix, suffix) for place in places[1:]):
            return Anchor(start, end, prefix, suffix)
        if width >= MAX_CONTEXT:
            return None
        width *= 2


def _occurrences(text: str, quote: str) -> list[int]:
    """Every offset at which `quote` starts in `text`, overlapping ones included."""
    places, at = [], text.find(quote) if quote else -1
    while at != -1:
        places.append(at)
        at = text.find(quote, at + 1)
    return places


def _matches(text: str, place: int, length: int, prefix: str, suffix: str) -> bool:
    """Whether the quote at `place` has `prefix` just before it and `suffix` just after it."""
    return place >= len(prefix) and text.startswith(prefix, place - len(prefix)) and text.startswith(suffix, place + length)


def annotation_targets(dataset: Dataset, into: Graph | None = None) -> Graph:
    """Each claim as a W3C Web Annotation target, so that any annotation client can find its passage:
    <claim#target>, an oa:SpecificResource whose oa:hasSource is the claim's source, with two
    selectors of the same passage, <claim#quote> (oa:TextQuoteSelector: oa:exact, oa:prefix,
    oa:suffix) and <claim#position> (oa:TextPositionSelector: oa:start, oa:end in code points).

    A claim whose quote `anchor` cannot place gets none; `quote-anchor-violation.rq` reports it.
    One pass over the claims, each placed in its own source's text; added to `into`, or a new graph.
    """
    graph, data = new_graph() if into is None else into, dataset.data
    for claim in data.subjects(RDF.type, CAS.Claim):
        source, quote = data.value(claim, CAS.source), data.value(claim, CAS.quote)
        text = dataset.source_texts.get(source)
        found = anchor(text, str(quote)) if text is not None and quote is not None else None
        if found is None:
            continue
        target, by_quote, by_position = (URIRef(f"{claim}#{part}") for part in ("target", "quote", "position"))
        for triple in (
            (claim, OA.hasTarget, target),
            (target, RDF.type, OA.SpecificResource),
            (target, OA.hasSource, source),
            (target, OA.hasSelector, by_quote),
            (target, OA.hasSelector, by_position),
            (by_quote, RDF.type, OA.TextQuoteSelector),
            (by_quote, OA.exact, Literal(str(quote))),
            (by_quote, OA.prefix, Literal(found.prefix)),
            (by_quote, OA.suffix, Literal(found.suffix)),
            (by_position, RDF.type, OA.TextPositionSelector),
            (by_position, OA.start, Literal(found.start, datatype=XSD.nonNegativeInteger)),
            (by_position, OA.end, Literal(found.end, datatype=XSD.nonNegativeInteger)),
        ):
            graph.add(triple)
    return graph


def derived(dataset: Dataset) -> Graph:
    """All derived triples that validation and export need alongside the hand-written graph, in one
    graph (a union of three copied every triple once more)."""
    graph = truthy(dataset.data)
    date_annotations(dataset.data, into=graph)
    return annotation_targets(dataset, into=graph)
