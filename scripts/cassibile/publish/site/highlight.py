"""A source's full text in paragraphs and sentences, cut into pieces so that every quoted passage can be marked where it stands.

Quotes may overlap or even cross (one passage starts inside another and ends after it), so the
text is cut at every quote's start and end; each piece knows which quotes cover it, and the
pieces where a quote begins or ends carry its anchor. The text is also cut where a sentence or a
paragraph (a line) begins, so that a page can show it one sentence at a time; the pieces, in order,
are still the text itself, byte for byte.

>>> pieces = cut("Castellano signed. Bedell Smith signed.", {"a": "Castellano signed.", "b": "signed. Bedell"})
>>> [(p.text, p.covered_by, p.starts, p.ends) for p in pieces]
[('Castellano ', ('a',), ('a',), ()), ('signed.', ('a', 'b'), ('b',), ('a',)), (' Bedell', ('b',), (), ('b',)), (' Smith signed.', (), (), ())]
>>> text = "Gen. D. Eisenhower sprach am 8. September. Italien gab auf.\\nDie U.S. Army landete. Ende"
>>> [text[start:end] for start, end in sentences(text)]
['Gen. D. Eisenhower sprach am 8. September. ', 'Italien gab auf.\\n', 'Die U.S. Army landete. ', 'Ende']
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from cassibile.errors import DataError

# A sentence ends at . ! ? or … (and any closing quotes or brackets), before white space and a capital
# letter, a digit or an opening quote; a line always ends one.
_END = re.compile(r"(\S*?)[.!?…][\"'”’»)\]]*(\s+)(?=[\"'“„‘«(\[]?[^\W_a-zß])|\n")
# Words whose full stop does not end a sentence: titles, and numbers of one or two digits (German
# ordinals: "am 8. September"); single letters (initials) and words with a full stop inside ("U.S.") too.
_ABBREVIATIONS = frozenset({"Gen", "Lt", "Col", "Maj", "Adm", "Capt", "Sgt", "Dr", "Mr", "Mrs", "St", "Prof", "Gov",
                            "gen", "Nr", "Sr", "Jr", "Sra", "Dra"})


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


def sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence, the white space after a sentence included in it: together, the whole text."""
    starts = [0]
    for match in _END.finditer(text):
        word = match.group(1) or ""
        if match.group(0) != "\n" and (len(word) == 1 or "." in word or word in _ABBREVIATIONS
                                       or (word.isdigit() and len(word) <= 2)):
            continue
        if match.end() < len(text):
            starts.append(match.end())
    return list(zip(starts, starts[1:] + [len(text)]))


def cut(text: str, quotes: dict[str, str], breaks: tuple[int, ...] = ()) -> list[Piece]:
    """The text as consecutive pieces whose concatenation is the text itself, cut at every quote's bounds
    and at each offset in `breaks`."""
    where = spans(text, quotes)
    order = sorted(where, key=lambda k: (where[k][0], -where[k][1], k))
    bounds = sorted({0, len(text)} | {i for span in where.values() for i in span} | set(breaks))
    pieces = []
    for start, end in zip(bounds, bounds[1:]):
        covering = tuple(k for k in order if where[k][0] <= start and end <= where[k][1])
        pieces.append(Piece(
            text[start:end], covering,
            starts=tuple(k for k in covering if where[k][0] == start),
            ends=tuple(k for k in covering if where[k][1] == end),
        ))
    return pieces


def paragraphs(text: str, quotes: dict[str, str]) -> list[list[list[Piece]]]:
    """The text as paragraphs (its lines) of sentences of pieces; joined in order, the pieces are the text."""
    bounds = sentences(text)
    pieces = iter(cut(text, quotes, tuple(start for start, _ in bounds)))
    found: list[list[list[Piece]]] = [[]]
    for start, end in bounds:
        sentence, length = [], 0
        while length < end - start:
            piece = next(pieces)
            sentence.append(piece)
            length += len(piece.text)
        found[-1].append(sentence)
        if text[end - 1:end] == "\n" and end < len(text):
            found.append([])
    return found
