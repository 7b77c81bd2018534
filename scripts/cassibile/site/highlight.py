"""A source's full text cut into pieces, so that every quoted passage can be highlighted where it stands.

Quotes may overlap or even cross (one passage starts inside another and ends after it), so the
text is cut at every quote's start and end; each piece knows which quotes cover it, and the
pieces where a quote begins or ends carry its anchor and its note marker.

>>> pieces = cut("Castellano signed. Bedell Smith signed.", {"a": "Castellano signed.", "b": "signed. Bedell"})
>>> [(p.text, p.covered_by, p.starts, p.ends) for p in pieces]
[('Castellano ', ('a',), ('a',), ()), ('signed.', ('a', 'b'), ('b',), ('a',)), (' Bedell', ('b',), (), ('b',)), (' Smith signed.', (), (), ())]
"""

from __future__ import annotations

from dataclasses import dataclass

from cassibile.errors import DataError


@dataclass(frozen=True)
class Piece:
    text: str
    covered_by: tuple[str, ...]  # the quotes covering this piece, in order of their start
    starts: tuple[str, ...]  # the quotes that begin with this piece
    ends: tuple[str, ...]  # the quotes that end with this piece


def spans(text: str, quotes: dict[str, str]) -> dict[str, tuple[int, int]]:
    """Where each quote first occurs in the text; a quote that does not occur is a data error."""
    found = {}
    for key, quote in quotes.items():
        start = text.find(quote)
        if start < 0 or not quote:
            raise DataError("quote does not occur verbatim in its source", node=key)
        found[key] = (start, start + len(quote))
    return found


def cut(text: str, quotes: dict[str, str]) -> list[Piece]:
    """The text as consecutive pieces whose concatenation is the text itself."""
    where = spans(text, quotes)
    order = sorted(where, key=lambda k: (where[k][0], -where[k][1], k))
    bounds = sorted({0, len(text)} | {i for span in where.values() for i in span})
    pieces = []
    for start, end in zip(bounds, bounds[1:]):
        covering = tuple(k for k in order if where[k][0] <= start and end <= where[k][1])
        pieces.append(Piece(
            text[start:end], covering,
            starts=tuple(k for k in covering if where[k][0] == start),
            ends=tuple(k for k in covering if where[k][1] == end),
        ))
    return pieces
