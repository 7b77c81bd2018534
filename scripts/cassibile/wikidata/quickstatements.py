"""QuickStatements (V1 command syntax) for the truthy statements Wikidata can take; see docs/quickstatements.md.

One line per statement: `Q…<TAB>P…<TAB>value`, then qualifier pairs `P…<TAB>value`, then one
reference block per source, the first opened by `S…`, each further one by `!S…`. Values: items
`Q…`, times `+1943-09-03T00:00:00Z/11` (month `/10`, year `/9`), quantities `1400`, strings
`"…"`, monolingual text `en:"…"`.

>>> from cassibile.wikidata.statements import Item, Time
>>> value_text(Time(1943, 9, 0, 10))
'+1943-09-00T00:00:00Z/10'
>>> value_text(Item(None, "Q200085"))
'Q200085'
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from cassibile.namespaces import WIKIBASE
from cassibile.wikidata.statements import Item, Note, Quantity, Reference, Statement, Text, Time, Value

REFERENCE_URL, TITLE = "P854", "P1476"
DEPRECATED_MODES = ("skip", "mark")
# QuickStatements splits on TAB and on "|", reads "||" as a new command and "/* … */" as an edit
# summary, and has no escape for '"': a text holding any of these cannot be written safely.
_UNSAFE_TEXT = re.compile(r'["|\t\n\r]|/\*|\*/')


class Unwritable(Exception):
    """A value that QuickStatements cannot express."""


@dataclass
class Batch:
    lines: list[str]
    notes: list[Note]


def value_text(value: Value) -> str:
    if isinstance(value, Item):
        if not value.qid:
            raise Unwritable(f"{value.iri} has no QID")
        return value.qid
    if isinstance(value, Time):
        return value.quickstatements()
    if isinstance(value, Quantity):
        return f"{value.amount:f}"
    if _UNSAFE_TEXT.search(value.text):
        raise Unwritable(f"text {value.text[:40]!r}… holds a character QuickStatements cannot carry")
    return f'{value.language}:"{value.text}"' if value.language else f'"{value.text}"'


def reference_blocks(references: tuple[Reference, ...], verified: frozenset[str]) -> list[str]:
    """Each source as its own block: S854 its IRI, S1476 its title (both only if verified)."""
    blocks = []
    for reference in references:
        parts = []
        if REFERENCE_URL in verified:
            parts += ["S" + REFERENCE_URL[1:], value_text(Text(str(reference.source), None))]
        if TITLE in verified and reference.title is not None:
            parts += ["S" + TITLE[1:], value_text(Text(str(reference.title), reference.title.language))]
        if parts:
            blocks.append(parts)
    for block in blocks[1:]:
        block[0] = "!" + block[0]
    return ["\t".join(block) for block in blocks]


def statement_line(statement: Statement, verified: frozenset[str], notes: list[Note]) -> str:
    """The statement's line; a qualifier QuickStatements cannot write is left out and noted."""
    if not statement.subject.qid:
        raise Unwritable(f"subject {statement.subject.iri} has no QID")
    cells = [statement.subject.qid, statement.pid, value_text(statement.value)]
    for pid, value in statement.qualifiers:
        try:
            cells += [pid, value_text(value)]
        except Unwritable as reason:
            notes.append(Note(statement.fact, f"qualifier {pid} left out: {reason}"))
    line = "\t".join(cells + reference_blocks(statement.references, verified))
    if statement.rank == WIKIBASE.DeprecatedRank:
        line += f" /* deprecated in cassibile ({statement.fact}): set this statement's rank to deprecated */"
    return line


def quickstatements(found: list[Statement], verified: frozenset[str], deprecated: str = "skip") -> Batch:
    """The batch for the truthy statements (and, with deprecated="mark", the deprecated ones), sorted."""
    if deprecated not in DEPRECATED_MODES:
        raise ValueError(f"deprecated must be one of {DEPRECATED_MODES}")
    lines, notes = set(), []
    for statement in found:
        is_deprecated = statement.rank == WIKIBASE.DeprecatedRank
        if not statement.truthy and not (is_deprecated and deprecated == "mark"):
            continue
        try:
            lines.add(statement_line(statement, verified, notes))
        except Unwritable as reason:
            notes.append(Note(statement.fact, str(reason)))
    return Batch(sorted(lines), notes)
