"""The site's four languages: one message catalogue per language (`messages/<lang>.json`), dates and numbers in words.

English pages live at the paths of the IRIs they describe; the others mirror them under a folder
named after the language (`it/id/<slug>.html`), so that one relative link works in every language.

>>> Words("de").date(Literal("1943-09-03", datatype=XSD.date))
'3. September 1943'
>>> Words("it").date(Literal("1943-09-01T14:00:00", datatype=XSD.dateTime))
'1º settembre 1943, ore 14:00'
>>> Words("pt").date(Literal("1943-09", datatype=XSD.gYearMonth)), Words("en").number(10873)
('setembro de 1943', '10,873')
>>> Words("it")("fact.precision", precision="giorno")
'precisione: giorno'
"""

from __future__ import annotations

import datetime as dt
import json
from functools import lru_cache
from importlib.resources import files

from rdflib import Literal
from rdflib.namespace import XSD

DEFAULT_LANGUAGE = "en"
DATE_TYPES = (XSD.date, XSD.dateTime, XSD.gYearMonth, XSD.gYear)


def prefix(lang: str) -> str:
    """The folder of a language's pages, relative to the site's root ("" for English)."""
    return "" if lang == DEFAULT_LANGUAGE else f"{lang}/"


@lru_cache(maxsize=None)
def catalogue(lang: str) -> dict:
    """A language's messages, read once from the package."""
    return json.loads((files("cassibile.publish.site") / "messages" / f"{lang}.json").read_text(encoding="utf-8"))


class Words:
    """A language's interface strings, and dates and numbers written the way that language writes them."""

    def __init__(self, lang: str):
        self.lang = lang
        self.messages = catalogue(lang)
        self.dates = self.messages["date"]
        self._flat = dict(_flatten(self.messages))

    def __call__(self, key: str, **values) -> str:
        """The message `key` (a dotted path into the catalogue), with `values` put in its {placeholders}."""
        text = self._flat[key]
        return text.format(**values) if values else text

    @property
    def name(self) -> str:
        return self.messages["language"]

    def day(self, day: dt.date) -> str:
        number = self.dates.get("first_day", "1") if day.day == 1 else str(day.day)
        return self.dates["day"].format(day=number, month=self.dates["months"][day.month - 1], year=day.year)

    def month(self, year: int, month: int) -> str:
        return self.dates["month"].format(month=self.dates["months"][month - 1], year=year)

    def short_day(self, day: dt.date) -> str:
        """A day with the month abbreviated, for lists of dates."""
        return self.dates["short_day"].format(day=day.day, month=self.dates["short_months"][day.month - 1], year=day.year)

    def date(self, value: Literal) -> str:
        """A date literal in words, at exactly the precision its datatype carries."""
        text = str(value)
        if value.datatype == XSD.gYear:
            return text[:4]
        if value.datatype == XSD.gYearMonth:
            return self.month(int(text[:4]), int(text[5:7]))
        words = self.day(dt.date.fromisoformat(text[:10]))
        return self.dates["time"].format(day=words, time=text[11:16]) if value.datatype == XSD.dateTime else words

    def number(self, value: int) -> str:
        return f"{value:,}".replace(",", self.messages["thousands"])

    def interval(self, earliest: Literal, latest: Literal) -> str:
        key = "interval.days" if earliest.datatype == latest.datatype == XSD.date else "interval.other"
        return self(key, earliest=self.date(earliest), latest=self.date(latest))

    def script_settings(self) -> dict:
        """What the scripts of the search and query pages need to write dates, numbers and messages as the pages do."""
        return {"lang": self.lang, "date": self.dates, "thousands": self.messages["thousands"],
                "fallback": self.messages["fallback"], "messages": {**self.messages["script"], "languages": self.messages["languages"]}}


def _flatten(messages: dict, path: str = ""):
    """(dotted key, message) for every message of a catalogue."""
    for key, value in messages.items():
        if isinstance(value, dict):
            yield from _flatten(value, f"{path}{key}.")
        elif isinstance(value, str):
            yield f"{path}{key}", value
