"""The timeline: every dated fact on one time axis, drawn as SVG at build time.

A date known to the day (or minute) is a dot; a month, a year or a vague interval is a bar from
its earliest to its latest day; a deprecated date is hollow and dashed; dates on which sources
disagree are outlined in red and their row is flagged. Months are drawn wider the more dates fall
in them (September 1943 holds most of the story), and a gridline marks the start of each month.

>>> scale = MonthScale([dt.date(1943, 7, 10), dt.date(1943, 9, 3), dt.date(1943, 9, 8)], width=400)
>>> [(m.year, m.month, round(m.width)) for m in scale.months]
[(1943, 7, 133), (1943, 8, 100), (1943, 9, 167)]
>>> round(scale.x(dt.date(1943, 9, 1))), round(scale.x(dt.date(1943, 10, 1)))
(233, 400)
"""

from __future__ import annotations

import calendar
import datetime as dt
import xml.etree.ElementTree as ET
from collections import Counter
from dataclasses import dataclass

from rdflib import URIRef

from cassibile.namespaces import CAS
from cassibile.publish.site.i18n import Words
from cassibile.publish.site.view import Display, FactView, SiteGraph

LABEL_WIDTH, PLOT_WIDTH, MARGIN = 330, 850, 16
ROW_HEIGHT, AXIS_HEIGHT, LEGEND_HEIGHT = 22, 46, 34
CHAR_WIDTH = 6.4  # average width of a 12px sans-serif character, to shorten long labels
SPAN_PREDICATES = (CAS.startTime, CAS.endTime)
DAY_TICKS_FROM = 150  # a month at least this wide also gets ticks on the 10th and the 20th
EMPTY_MONTH_WEIGHT = 3  # a month with no date is as wide as one holding three: quiet years stay readable

STYLE = """
.tl-label { font: 12px sans-serif; fill: #1d2733; }
.tl-label a:hover text, a:focus .tl-label { text-decoration: underline; }
.tl-flag { font: bold 12px sans-serif; fill: #b3261e; }
.tl-axis { font: 11px sans-serif; fill: #4a5563; }
.tl-year { font: bold 12px sans-serif; fill: #1d2733; }
.tl-grid { stroke: #d9dee5; stroke-width: 1; }
.tl-grid-year { stroke: #9aa4b1; stroke-width: 1; }
.tl-row:nth-child(even) rect.tl-band { fill: #f4f6f9; }
.tl-band { fill: transparent; }
.tl-duration { stroke: #7d8b9c; stroke-width: 2; }
.tl-mark { stroke-width: 1.5; }
.tl-preferred { fill: #0b4f8a; stroke: #0b4f8a; }
.tl-normal { fill: #3b82c4; stroke: #1f5f99; }
.tl-deprecated { fill: #ffffff; stroke: #7d8b9c; stroke-dasharray: 3 2; }
.tl-disputed { stroke: #b3261e; stroke-width: 2.5; }
a:hover .tl-mark, a:focus .tl-mark { stroke: #111; stroke-width: 3; }
.tl-legend { font: 12px sans-serif; fill: #1d2733; }
"""


@dataclass(frozen=True)
class Month:
    year: int
    month: int
    x: float
    width: float


class MonthScale:
    """Time to x: each month a linear stretch, wider the more of the given dates fall in it."""

    def __init__(self, dates: list[dt.date], width: float):
        first, last = min(dates), max(dates)
        keys = []
        year, month = first.year, first.month
        while (year, month) <= (last.year, last.month):
            keys.append((year, month))
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        counts = Counter((d.year, d.month) for d in dates)
        weights = [EMPTY_MONTH_WEIGHT + counts[key] for key in keys]
        unit = width / sum(weights)
        self.months, x = [], 0.0
        for (year, month), weight in zip(keys, weights):
            self.months.append(Month(year, month, x, weight * unit))
            x += weight * unit
        self._index = {(m.year, m.month): m for m in self.months}

    def x(self, day: dt.date) -> float:
        """The left edge of a day; the day after the last month maps to the right end."""
        month = self._index.get((day.year, day.month))
        if month is None:  # outside the axis: clamp to the nearer end
            last = self.months[-1]
            return last.x + last.width if (day.year, day.month) > (last.year, last.month) else 0.0
        days = calendar.monthrange(day.year, day.month)[1]
        return month.x + month.width * (day.day - 1) / days

    def end_of(self, day: dt.date) -> float:
        """The right edge of a day."""
        return self.x(day + dt.timedelta(days=1))


@dataclass
class Row:
    """One line of the timeline: an entity's dates of one kind (when it happened, or its start and end)."""

    title: str  # the entity's label, and the kind of date unless it is when the entity happened
    path: str
    facts: list[FactView]
    disputed: set[URIRef]

    @property
    def first(self) -> dt.date:
        kept = [f for f in self.facts if f.rank_name != "deprecated"] or self.facts
        return min(f.earliest for f in kept)


def rows(site: SiteGraph, display: Display) -> list[Row]:
    """Rows in order of their first (non-deprecated) date, titled in the display's language."""
    found: dict[tuple, Row] = {}
    for fact in site.date_facts():
        span = fact.predicate in SPAN_PREDICATES
        key = (fact.subject, "span" if span else fact.predicate)
        if key not in found:
            subject = display.value(fact.subject)
            kind = display.words("timeline.start_and_end") if span else (
                "" if fact.predicate == CAS.pointInTime else display.property(fact.predicate).text)
            found[key] = Row(subject.text + (f" · {kind}" if kind else ""), subject.path, [], set())
        found[key].facts.append(fact)
        if fact.iri in site.disputed:
            found[key].disputed.add(fact.iri)
    return sorted(found.values(), key=lambda r: (r.first, r.title.lower()))


def _shorten(text: str, room: float) -> str:
    limit = int(room / CHAR_WIDTH)
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def legend(words: Words) -> list[tuple[str, str, str]]:
    """(shape, classes, text) of each kind of mark."""
    return [
        ("circle", "tl-mark tl-normal", words("timeline.legend.day")),
        ("rect", "tl-mark tl-normal", words("timeline.legend.span")),
        ("circle", "tl-mark tl-preferred", words("rank.preferred")),
        ("circle", "tl-mark tl-deprecated", words("rank.deprecated")),
        ("circle", "tl-mark tl-normal tl-disputed", words("timeline.legend.disputed")),
    ]


class TimelineDrawing:
    """Builds the SVG element tree for a list of rows; its links are relative to a language's root folder.

    The standalone drawing has a column of row labels and a legend; the timeline page shows both as
    HTML beside the plot (`with_labels=False`), so that the labels stay in view while the plot scrolls.
    The drawing is a group (not an image) with a title and a description: its marks are links, each
    named by its title."""

    def __init__(self, rows: list[Row], display: Display, with_labels: bool = True):
        self.rows, self.display, self.words = rows, display, display.words
        self.with_labels = with_labels
        dates = [d for r in rows for f in r.facts for d in (f.earliest, f.latest)]
        self.scale = MonthScale(dates, PLOT_WIDTH)
        self.plot_x = MARGIN + (LABEL_WIDTH if with_labels else 0)
        self.top = (LEGEND_HEIGHT if with_labels else 0) + AXIS_HEIGHT
        self.height = self.top + ROW_HEIGHT * len(rows) + MARGIN
        self.width = self.plot_x + PLOT_WIDTH + MARGIN

    def svg(self) -> ET.Element:
        svg = ET.Element("svg", {
            "xmlns": "http://www.w3.org/2000/svg", "viewBox": f"0 0 {self.width:.0f} {self.height:.0f}",
            "width": f"{self.width:.0f}", "height": f"{self.height:.0f}", "role": "group",
            "aria-labelledby": "timeline-title timeline-desc", "class": "timeline",
        })
        ET.SubElement(svg, "title", {"id": "timeline-title"}).text = self.words("timeline.svg_title")
        ET.SubElement(svg, "desc", {"id": "timeline-desc"}).text = self.words("timeline.svg_desc", rows=len(self.rows))
        ET.SubElement(svg, "style").text = STYLE
        if self.with_labels:
            self._legend(svg)
        self._axis(svg)
        body = ET.SubElement(svg, "g", {"class": "tl-rows"})
        for index, row in enumerate(self.rows):
            self._row(body, row, self.top + index * ROW_HEIGHT)
        return svg

    def _legend(self, svg: ET.Element) -> None:
        group = ET.SubElement(svg, "g", {"class": "tl-legend", "transform": f"translate({MARGIN},{12})"})
        x = 0
        for shape, css, text in legend(self.words):
            if shape == "circle":
                ET.SubElement(group, "circle", {"cx": f"{x + 6}", "cy": "6", "r": "5", "class": css})
            else:
                ET.SubElement(group, "rect", {"x": f"{x}", "y": "1", "width": "26", "height": "10", "rx": "2", "class": css})
            label = ET.SubElement(group, "text", {"x": f"{x + (32 if shape == 'rect' else 16)}", "y": "10", "class": "tl-legend"})
            label.text = text
            x += 48 + CHAR_WIDTH * len(text)

    def _axis(self, svg: ET.Element) -> None:
        axis = ET.SubElement(svg, "g", {"class": "tl-axis-group"})
        legend_height = LEGEND_HEIGHT if self.with_labels else 0
        year_y, month_y, bottom = legend_height + 14, legend_height + 32, self.height - MARGIN
        names = self.words.dates["short_months"]
        for month in self.scale.months:
            x = self.plot_x + month.x
            new_year = month.month == 1 or month is self.scale.months[0]
            top = year_y - 10 if new_year else month_y - 10  # only a year's line crosses the row of years
            ET.SubElement(axis, "line", {"x1": f"{x:.1f}", "x2": f"{x:.1f}", "y1": f"{top}", "y2": f"{bottom}",
                                         "class": "tl-grid-year" if new_year else "tl-grid"})
            if new_year:
                ET.SubElement(axis, "text", {"x": f"{x + 3:.1f}", "y": f"{year_y}", "class": "tl-year"}).text = str(month.year)
            name = names[month.month - 1]
            if month.width >= 26:
                ET.SubElement(axis, "text", {"x": f"{x + 3:.1f}", "y": f"{month_y}", "class": "tl-axis"}).text = name
            elif month.width >= 9:
                ET.SubElement(axis, "text", {"x": f"{x + 1:.1f}", "y": f"{month_y}", "class": "tl-axis"}).text = name[0]
            if month.width >= DAY_TICKS_FROM:
                self._day_ticks(axis, month, month_y)

    def _day_ticks(self, axis: ET.Element, month: Month, y: int) -> None:
        for day in (10, 20):
            x = self.plot_x + self.scale.x(dt.date(month.year, month.month, day))
            ET.SubElement(axis, "text", {"x": f"{x + 2:.1f}", "y": f"{y}", "class": "tl-axis"}).text = str(day)
            ET.SubElement(axis, "line", {"x1": f"{x:.1f}", "x2": f"{x:.1f}", "y1": f"{y + 4}", "y2": f"{self.height - MARGIN}", "class": "tl-grid"})

    def _row(self, body: ET.Element, row: Row, y: float) -> None:
        group = ET.SubElement(body, "g", {"class": "tl-row"})
        ET.SubElement(group, "rect", {"x": f"{MARGIN if self.with_labels else 0}", "y": f"{y}",
                                      "width": f"{self.width - (2 * MARGIN if self.with_labels else 0)}",
                                      "height": f"{ROW_HEIGHT}", "class": "tl-band"})
        if self.with_labels:
            link = ET.SubElement(group, "a", {"href": row.path})
            text = ET.SubElement(link, "text", {"x": f"{MARGIN + 4}", "y": f"{y + 15}", "class": "tl-label"})
            text.text = _shorten(row.title, LABEL_WIDTH - 24)
            ET.SubElement(text, "title").text = row.title
        if row.disputed:
            x = self.plot_x - 14 if self.with_labels else 2
            flag = ET.SubElement(group, "text", {"x": f"{x}", "y": f"{y + 15}", "class": "tl-flag"})
            flag.text = "≠"
            ET.SubElement(flag, "title").text = self.words("timeline.flag")
        self._duration(group, row, y + ROW_HEIGHT / 2)
        for fact in sorted(row.facts, key=lambda f: -f.rank_order):  # best rank drawn last, on top
            self._mark(group, fact, fact.iri in row.disputed, y + ROW_HEIGHT / 2)

    def _duration(self, group: ET.Element, row: Row, mid: float) -> None:
        """A line from the best-ranked start to the best-ranked end, when both are known."""
        best = {}
        for fact in sorted(row.facts, key=lambda f: (f.rank_order, str(f.iri))):
            best.setdefault(fact.predicate, fact)
        start, end = best.get(CAS.startTime), best.get(CAS.endTime)
        if start and end and start.rank_name != "deprecated" and end.rank_name != "deprecated":
            x1, x2 = self.plot_x + self.scale.x(start.earliest), self.plot_x + self.scale.end_of(end.latest)
            ET.SubElement(group, "line", {"x1": f"{x1:.1f}", "x2": f"{x2:.1f}", "y1": f"{mid}", "y2": f"{mid}", "class": "tl-duration"})

    def _mark(self, group: ET.Element, fact: FactView, disputed: bool, mid: float) -> None:
        css = f"tl-mark tl-{fact.rank_name}" + (" tl-disputed" if disputed else "")
        link = ET.SubElement(group, "a", {"href": fact.path})
        x1 = self.plot_x + self.scale.x(fact.earliest)
        if fact.earliest == fact.latest:
            width = self.scale.end_of(fact.latest) + self.plot_x - x1
            ET.SubElement(link, "circle", {"cx": f"{x1 + width / 2:.1f}", "cy": f"{mid}", "r": "5", "class": css})
        else:
            x2 = self.plot_x + self.scale.end_of(fact.latest)
            ET.SubElement(link, "rect", {"x": f"{x1:.1f}", "y": f"{mid - 5}", "width": f"{max(x2 - x1, 4):.1f}", "height": "10", "rx": "2", "class": css})
        ET.SubElement(link, "title").text = self._mark_title(fact, disputed)

    def _mark_title(self, fact: FactView, disputed: bool) -> str:
        display = self.display
        precision = display.precision(fact)
        return self.words(
            "timeline.mark_disputed" if disputed else "timeline.mark",
            subject=display.value(fact.subject).text, property=display.property(fact.predicate).text,
            date=display.value(fact.object).text + (f" ({self.words('fact.precision', precision=precision)})" if precision else ""),
            rank=display.rank(fact),
        )


def timeline_svg(rows: list[Row], display: Display, with_labels: bool = True) -> str:
    """The timeline as an SVG document's text (the page embeds the plot without its labels and legend)."""
    tree = TimelineDrawing(rows, display, with_labels).svg()
    ET.indent(tree, space=" ")
    return ET.tostring(tree, encoding="unicode")


def label_top(with_labels: bool = False) -> int:
    """How far below the top of the drawing its first row begins."""
    return (LEGEND_HEIGHT if with_labels else 0) + AXIS_HEIGHT
