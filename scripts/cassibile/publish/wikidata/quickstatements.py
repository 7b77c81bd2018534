"""QuickStatements (V1 commands) for the statements Wikidata can take; see docs/quickstatements.md.

One line per statement and reference: `Q…<TAB>P…<TAB>value`, the qualifiers `P…<TAB>value`, then
one reference `S854 <TAB> "IRI" <TAB> S1476 <TAB> title <TAB> S1683 <TAB> quote <TAB> S407 <TAB> Q…`.
A statement with three references is three lines: QuickStatements adds the statement once and
each line's reference to it, where `!S` blocks on one line end up merged into one reference.
QuickStatements cannot set a rank, so only the statements of the best rank are sent (a preferred
one with its rank and rationale in the edit summary); deprecated and outranked statements are
written as comment lines with their rationale, which QuickStatements skips.

>>> from cassibile.publish.wikidata.statements import Item, Time
>>> value_text(Time(1943, 9, 0, 10))
'+1943-09-00T00:00:00Z/10'
>>> value_text(Text('the "order of the day"', "en"))
'en:"the "order of the day""'
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from cassibile.publish.wikidata.statements import Item, Note, Quantity, Statement, Text, Time, Url, Value, refusal

# QuickStatements reads a line's `/* … */` as its edit summary (the first `/*` opens it) and splits
# columns on tabs; a value holding either cannot be written. A `"` inside a text is safe: its value
# pattern takes everything between the first and the last quote.
_UNSAFE = re.compile(r"/\*|\*/")
_PARTICULARS = re.compile(r"https?://\S+|\d{4}-\d\d-\d\d|\+\d{4}-\S+|\(\d\d:\d\d\)")


class Unwritable(Exception):
    """A value that QuickStatements cannot express."""


@dataclass
class Batch:
    lines: list[str]
    notes: list[Note]


def value_text(value: Value) -> str:
    if reason := refusal(value):
        raise Unwritable(reason)
    if isinstance(value, Item):
        return value.qid
    if isinstance(value, Time):
        return f"{value.timestamp()}/{value.precision}"
    if isinstance(value, Quantity):
        return f"{value.amount:f}"
    text = value.url if isinstance(value, Url) else value.text
    if _UNSAFE.search(text):
        raise Unwritable("the text holds /* or */, which QuickStatements reads as an edit summary")
    return f'{value.language}:"{text}"' if isinstance(value, Text) and value.language else f'"{text}"'


def shown(statement: Statement) -> str:
    """The statement in QuickStatements notation, with our IRI where an item has no QID."""
    return " ".join((statement.subject.qid or str(statement.subject.iri), statement.pid, _shown(statement.value)))


def _shown(value: Value) -> str:
    try:
        return value_text(value)
    except Unwritable:
        return str(value.iri) if isinstance(value, Item) else repr(value)


def statement_lines(statement: Statement, notes: list[Note]) -> list[str]:
    """The statement's lines, one per reference; a qualifier or a reference value that cannot be
    written is left out of them and noted. Raises Unwritable if the statement itself cannot be."""
    if not statement.subject.qid:
        raise Unwritable(f"subject {statement.subject.iri} has no QID")
    cells = [statement.subject.qid, statement.pid, value_text(statement.value)]
    cells += _pairs(statement.fact, "qualifier", "", statement.qualifiers, notes)
    summary = _summary(statement)
    blocks = [_pairs(reference.claim, "reference", "S", reference.snaks, notes) for reference in statement.references]
    return ["\t".join(cells + block) + summary for block in (blocks or [[]])]


def _pairs(node, role: str, mark: str, pairs, notes: list[Note]) -> list[str]:
    cells = []
    for pid, value in pairs:
        try:
            cells += [mark + pid[1:] if mark else pid, value_text(value)]
        except Unwritable as reason:
            notes.append(Note(node, f"{role} {pid}", str(reason)))
    return cells


def _summary(statement: Statement) -> str:
    """An edit summary carrying the rank and its rationale, which QuickStatements cannot set."""
    if statement.rank_name == "normal" and not statement.remarks:
        return ""
    return f" /* {statement.rank_name} rank in cassibile; {_remark_text(statement)} */"


def _remark_text(statement: Statement) -> str:
    text = "; ".join(f"{label}: {note}" for label, note in statement.remarks) or "no rationale given"
    return _comment_safe(text)


def _comment_safe(text: str) -> str:
    """One line, with no `/*` or `*/` to end the comment early."""
    return _UNSAFE.sub("/ *", " ".join(text.split()))


def comment_line(statement: Statement, why: str) -> str:
    """A line QuickStatements skips (nothing but a comment): what is not sent, and the rationale."""
    return f"/* {_comment_safe(f'{why}: {shown(statement)} ({statement.fact})')}; {_remark_text(statement)} */"


def quickstatements(found: list[Statement]) -> Batch:
    """Lines for the best-ranked statements Wikidata can take (sorted), then comment lines for the
    deprecated and outranked ones; and a note for everything not sent, or not whole."""
    lines, comments, notes = set(), set(), []
    for statement in found:
        sent, comment = offer(statement, notes)
        lines.update(sent)
        comments.update([comment] if comment else [])
    return Batch(sorted(lines) + sorted(comments), notes)


def offer(statement: Statement, notes: list[Note]) -> tuple[list[str], str | None]:
    """The lines QuickStatements gets for one statement, or a comment line saying why it gets none."""
    if reason := _held_back(statement):
        notes.append(Note(statement.fact, "statement", reason))
        return [], None
    if not statement.truthy:
        why = ("deprecated in cassibile, not sent" if statement.rank_name == "deprecated"
               else "outranked in cassibile by a preferred statement, not sent")
        notes.append(Note(statement.fact, "rank", f"{why}: QuickStatements cannot set a rank (the Wikibase JSON carries it)"))
        return [], comment_line(statement, why)
    try:
        lines = statement_lines(statement, notes)
    except Unwritable as reason:
        notes.append(Note(statement.fact, "statement", str(reason)))
        return [], None
    if statement.rank_name == "preferred":
        notes.append(Note(statement.fact, "rank", "QuickStatements cannot set a rank: sent at normal rank, "
                          "with the preferred rank and its rationale in the edit summary"))
    return lines, None


def kinds_of(notes: list[Note]) -> list[tuple[int, str, str]]:
    """(count, part, reason) for each kind of note, its particulars (IRIs, dates, times) left out.

    >>> kinds_of([Note("f", "value", "the time of day (14:00) is not carried"), Note("g", "value", "the time of day (02:30) is not carried")])
    [(2, 'value', 'the time of day … is not carried')]
    """
    counts = Counter((note.part.split()[0], _PARTICULARS.sub("…", note.reason)) for note in notes)
    return [(count, part, reason) for (part, reason), count in sorted(counts.items())]


def _held_back(statement: Statement) -> str | None:
    """Why a statement is not offered at all: a class judgement, no QID, or a constraint it would break."""
    if statement.is_class:
        return f"{statement.pid} from skos:closeMatch is an editorial judgement on a class, not sent"
    if not statement.subject.qid:
        return f"subject {statement.subject.iri} has no QID"
    return statement.objection
