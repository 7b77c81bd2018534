"""Derived layers, produced by the build and never typed: the truthy graph, date precision and bounds,
and each claim's W3C Web Annotation target, read from the asserted layer of the build's store and added to it.

>>> day_bounds("1943-09", XSD.gYearMonth)
(datetime.date(1943, 9, 1), datetime.date(1943, 9, 30))
>>> day_bounds("1944", XSD.gYear)[1]
datetime.date(1944, 12, 31)
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, XSD

from cassibile.collector import paused
from cassibile.namespaces import CAS, GRAPH, OA, WIKIBASE
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


@paused()  # its millions of short-lived objects form no cycles: at 1M collections walked them for 8 of its 30 s
def derive(dataset: Dataset) -> None:
    """Add the derived layer to the build's store (graph GRAPH["derived"]), read from its asserted layer: the truthy
    triples (`_TRUTHY`), each dated fact's precision and day bounds (`date_annotations`) and each claim's Web
    Annotation target (`annotation_targets`)."""
    layers, asserted = dataset.layers, ox.NamedNode(GRAPH["asserted"])
    # The truthy triples copy objects of the asserted layer, which the store keeps as written (the loader's policy);
    # a claim's target, but for its offsets, is IRIs and simple literals, which a store keeps as written too. Only the
    # rest is compared with what the store makes of it (at 100k triples derive took 1.5 s comparing all, 1.1 s now).
    targets, offsets = annotation_targets(dataset, asserted)
    layers.add(GRAPH["derived"], layers.store.query(_TRUTHY, default_graph=asserted), as_stored=True)
    layers.add(GRAPH["derived"], targets, as_stored=True)
    layers.add(GRAPH["derived"], [*date_annotations(layers.store, asserted), *offsets])


def derived(dataset: Dataset) -> Graph:
    """The dataset's derived layer (`derive`) as an rdflib graph, its literals as derived."""
    derive(dataset)
    return dataset.layers.graph(GRAPH["derived"])


# Wikidata's truthy triples (wdt:): for each subject and predicate, the facts of the best rank present, as plain
# triples. A fact without a rank (or with another) is normal; a deprecated one never enters, nor a normal one where a
# preferred one is (?outranked: looked up once per subject and predicate, not once per fact, 8 times faster).
# Subject and predicate must be IRIs: no triple can be stated about a literal, or with one (rule S03 reports the fact).
_TRUTHY = f"""CONSTRUCT {{ ?s ?p ?o }} WHERE {{
  ?fact a <{CAS.Fact}> ; <{RDF.subject}> ?s ; <{RDF.predicate}> ?p ; <{RDF.object}> ?o .
  FILTER (isIRI(?s) && isIRI(?p))
  OPTIONAL {{ ?fact <{CAS.rank}> ?rank }}
  FILTER (!BOUND(?rank) || ?rank != <{WIKIBASE.DeprecatedRank}>)
  OPTIONAL {{ SELECT DISTINCT ?s ?p (true AS ?outranked) WHERE {{
    ?preferred a <{CAS.Fact}> ; <{CAS.rank}> <{WIKIBASE.PreferredRank}> ; <{RDF.subject}> ?s ; <{RDF.predicate}> ?p
  }} }}
  FILTER (!BOUND(?outranked) || ?rank = <{WIKIBASE.PreferredRank}>)
}}"""


_YEAR, _YEAR_MONTH, _DATE, _DATE_TIME = (str(datatype) for datatype in (XSD.gYear, XSD.gYearMonth, XSD.date, XSD.dateTime))


def day_bounds(lexical: str, datatype: str) -> tuple[dt.date, dt.date] | None:
    """The first and last day a date literal of any precision (its lexical form and datatype IRI) can mean."""
    datatype = str(datatype)
    if datatype == _YEAR:
        year = int(lexical[:4])
        return dt.date(year, 1, 1), dt.date(year, 12, 31)
    if datatype == _YEAR_MONTH:
        year, month = int(lexical[:4]), int(lexical[5:7])
        return dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1])
    if datatype in (_DATE, _DATE_TIME):
        day = dt.date.fromisoformat(lexical[:10])
        return day, day
    return None


def temporal_bounds(data: Graph, obj) -> tuple[dt.date, dt.date] | None:
    """Bounds of a fact's object: a date literal, or a cas:TimeSpan with earliest and latest bounds."""
    if isinstance(obj, Literal):
        return day_bounds(str(obj), obj.datatype)
    if (obj, RDF.type, CAS.TimeSpan) in data:
        earliest, latest = data.value(obj, CAS.earliest), data.value(obj, CAS.latest)
        if not isinstance(earliest, Literal) or not isinstance(latest, Literal):
            return None
        low, high = day_bounds(str(earliest), earliest.datatype), day_bounds(str(latest), latest.datatype)
        if low and high:
            return low[0], high[1]
    return None


# Each fact's object as its first and last date: a literal (day_bounds decides whether it is a date), or the earliest
# and latest bounds of a cas:TimeSpan.
_DATES = f"""SELECT ?fact ?first ?last WHERE {{
  ?fact a <{CAS.Fact}> ; <{RDF.object}> ?object .
  OPTIONAL {{ ?object a <{CAS.TimeSpan}> ; <{CAS.earliest}> ?earliest ; <{CAS.latest}> ?latest }}
  BIND (COALESCE(?earliest, ?object) AS ?first)
  BIND (COALESCE(?latest, ?object) AS ?last)
  FILTER (isLiteral(?first) && isLiteral(?last))
}}"""
_XSD_DATE = ox.NamedNode(XSD.date)


def date_annotations(store: ox.Store, asserted: ox.NamedNode) -> Iterator[ox.Triple]:
    """For every fact of the graph `asserted` whose object is a date or a time span: its precision (that of the date,
    or of the span's earliest bound) and its day bounds."""
    earliest, latest, precision = (ox.NamedNode(CAS[name]) for name in ("earliestDate", "latestDate", "datePrecision"))
    for row in store.query(_DATES, default_graph=asserted):
        first, last = row["first"], row["last"]
        low, high = day_bounds(first.value, first.datatype.value), day_bounds(last.value, last.datatype.value)
        if low is None or high is None:
            continue
        yield ox.Triple(row["fact"], earliest, ox.Literal(low[0].isoformat(), datatype=_XSD_DATE))
        yield ox.Triple(row["fact"], latest, ox.Literal(high[1].isoformat(), datatype=_XSD_DATE))
        yield ox.Triple(row["fact"], precision, ox.NamedNode(PRECISION[URIRef(first.datatype.value)]))


def source_text_graph(dataset: Dataset) -> Graph:
    """The full text of each source as a literal, so that shapes can check every quote against it."""
    graph = new_graph()
    for source, text in dataset.source_texts.items():
        language = dataset.asserted.value(source, URIRef("http://purl.org/dc/terms/language"))
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


# Each claim with its source and quote, which `anchor` places in the source's text.
_CLAIMS = f"""SELECT ?claim ?source ?quote WHERE {{
  ?claim a <{CAS.Claim}> ; <{CAS.source}> ?source ; <{CAS.quote}> ?quote . FILTER (isIRI(?source) && isLiteral(?quote))
}}"""


def annotation_targets(dataset: Dataset, asserted: ox.NamedNode) -> tuple[list[ox.Triple], list[ox.Triple]]:
    """Each claim of the graph `asserted` as a W3C Web Annotation target, so that any annotation client can find its
    passage: <claim#target>, an oa:SpecificResource whose oa:hasSource is the claim's source, with two selectors of the
    same passage, <claim#quote> (oa:TextQuoteSelector: oa:exact, oa:prefix, oa:suffix) and <claim#position>
    (oa:TextPositionSelector: oa:start, oa:end in code points, typed xsd:nonNegativeInteger as the model does).

    A claim whose quote `anchor` cannot place gets none; `quote-anchor-violation.rq` reports it.
    One pass over the claims, each placed in its own source's text. Returns the triples with IRIs and simple literals,
    then those with the offsets.
    """
    a, oa = ox.NamedNode(RDF.type), {name: ox.NamedNode(OA[name]) for name in _OA_TERMS}
    targets, offsets = [], []
    for row in dataset.layers.store.query(_CLAIMS, default_graph=asserted):
        claim, source, quote = row["claim"], row["source"], row["quote"].value
        text = dataset.source_texts.get(URIRef(source.value))
        found = anchor(text, quote) if text is not None else None
        if found is None:
            continue
        target, by_quote, by_position = (ox.NamedNode(f"{claim.value}#{part}") for part in ("target", "quote", "position"))
        targets += (
            ox.Triple(claim, oa["hasTarget"], target),
            ox.Triple(target, a, oa["SpecificResource"]),
            ox.Triple(target, oa["hasSource"], source),
            ox.Triple(target, oa["hasSelector"], by_quote),
            ox.Triple(target, oa["hasSelector"], by_position),
            ox.Triple(by_quote, a, oa["TextQuoteSelector"]),
            ox.Triple(by_quote, oa["exact"], ox.Literal(quote)),
            ox.Triple(by_quote, oa["prefix"], ox.Literal(found.prefix)),
            ox.Triple(by_quote, oa["suffix"], ox.Literal(found.suffix)),
            ox.Triple(by_position, a, oa["TextPositionSelector"]),
        )
        offsets += (
            ox.Triple(by_position, oa["start"], ox.Literal(str(found.start), datatype=_NON_NEGATIVE)),
            ox.Triple(by_position, oa["end"], ox.Literal(str(found.end), datatype=_NON_NEGATIVE)),
        )
    return targets, offsets


_OA_TERMS = ("hasTarget", "SpecificResource", "hasSource", "hasSelector", "TextQuoteSelector", "exact", "prefix", "suffix",
             "TextPositionSelector", "start", "end")
_NON_NEGATIVE = ox.NamedNode(XSD.nonNegativeInteger)
