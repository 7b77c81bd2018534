"""Derived layers, produced by the build and never typed: the truthy graph, date precision and bounds.

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

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, XSD

from cassibile.load import Dataset, new_graph
from cassibile.namespaces import CAS, WIKIBASE

RANK_ORDER = {WIKIBASE.PreferredRank: 0, WIKIBASE.NormalRank: 1, WIKIBASE.DeprecatedRank: 2}

PRECISION = {
    XSD.gYear: CAS.YearPrecision,
    XSD.gYearMonth: CAS.MonthPrecision,
    XSD.date: CAS.DayPrecision,
    XSD.dateTime: CAS.MinutePrecision,
}


def facts(graph: Graph) -> list[URIRef]:
    return sorted(graph.subjects(RDF.type, CAS.Fact))


def truthy(data: Graph) -> Graph:
    """Best-ranked facts as plain triples, as Wikidata derives wdt: triples from its statements.

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
    graph = new_graph()
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


def date_annotations(data: Graph) -> Graph:
    """For every fact whose object is a date or a time span: its precision and its day bounds."""
    graph = new_graph()
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


def derived(dataset: Dataset) -> Graph:
    """All derived triples that validation and export need alongside the hand-written graph."""
    graph = truthy(dataset.data)
    graph += date_annotations(dataset.data)
    return graph
