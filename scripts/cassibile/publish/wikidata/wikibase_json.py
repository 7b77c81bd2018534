"""Wikibase JSON (`dist/wikibase/<slug>.json`): each entity in the JSON of `Special:EntityData` and
`wbeditentity` (Wikibase docs/topics/json.md), the route by which ranks and deprecated statements
reach Wikidata through bots and tools.

An entity with a QID carries its `id`, and each of its statements a statement id that Wikibase
accepts for that item (`Q…$UUID`, the same in every build: sending a document twice replaces the
statements it sent before instead of adding them again). An entity without a QID is a new-item
payload: no `id`, no statement ids. Statements keep their rank, qualifiers and one reference per
claim; what Wikidata cannot take is left out and listed (`left-out.tsv`), never dropped silently.

>>> from cassibile.publish.wikidata.statements import Time
>>> datavalue(Time(1943, 9, 0, 10))["value"]["time"]
'+1943-09-00T00:00:00Z'
"""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from typing import Iterator

import orjson
from rdflib import URIRef

from cassibile.publish.wikidata.statements import (
    GREGORIAN,
    INSTANCE_OF,
    Alignment,
    Item,
    Note,
    Quantity,
    Statement,
    Terms,
    Text,
    Time,
    Url,
    Value,
    refusal,
)

LABEL_LIMIT = 250  # Wikidata's 'multilang' string limit for labels, descriptions and aliases
_REASONS = {"preferred": "P7452 (reason for preferred rank)", "deprecated": "P2241 (reason for deprecated rank)"}


@lru_cache(maxsize=None)
def datavalue(value: Value) -> dict:
    """A value's `datavalue`; an item must have a QID."""
    if isinstance(value, Item):
        return {"value": {"entity-type": "item", "numeric-id": int(value.qid[1:]), "id": value.qid}, "type": "wikibase-entityid"}
    if isinstance(value, Time):
        time = {"time": value.timestamp(), "timezone": 0, "before": 0, "after": 0, "precision": value.precision, "calendarmodel": GREGORIAN}
        return {"value": time, "type": "time"}
    if isinstance(value, Quantity):
        return {"value": {"amount": value.amount_text(), "unit": "1"}, "type": "quantity"}
    if isinstance(value, Text) and value.language:
        return {"value": {"text": value.text, "language": value.language}, "type": "monolingualtext"}
    return {"value": value.url if isinstance(value, Url) else value.text, "type": "string"}


def snak(pid: str, value: Value) -> dict:
    return {"snaktype": "value", "property": pid, "datatype": value.datatype, "datavalue": datavalue(value)}


def content_hash(content, algorithm: str) -> str:
    """A stable name for a value or a reference, as Wikibase names them by their content: the hash of
    its JSON with sorted keys (md5 for values, sha1 for references; the digits are not Wikidata's,
    which hashes PHP serialisations)."""
    return hashlib.new(algorithm, json.dumps(content, sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()


@lru_cache(maxsize=None)
def reference_hash(snaks: tuple) -> str:
    """The `hash` of a reference made of these (PID, value) snaks; the view's `wdref:` node is named by it."""
    return content_hash([[pid, datavalue(value)] for pid, value in snaks], "sha1")


def documents(found: list[Statement], alignment: Alignment, terms: dict[URIRef, Terms], notes: list[Note]) -> Iterator[tuple[URIRef, dict]]:
    """(entity, its document) for every entity of `terms`, one at a time; what is left out of them is
    added to `notes`."""
    by_subject: dict[URIRef, list[Statement]] = {}
    for statement in found:
        by_subject.setdefault(statement.subject.iri, []).append(statement)
    for entity, entity_terms in terms.items():
        claims: dict[str, list] = {}
        for statement in sorted(by_subject.get(entity, ()), key=lambda s: (int(s.pid[1:]), str(s.fact))):
            if (claim := _claim(statement, notes)) is not None:
                claims.setdefault(statement.pid, []).append(claim)
        yield entity, _document(alignment.item(entity), entity_terms, claims, notes)


def document_bytes(document: dict) -> bytes:
    return orjson.dumps(document, option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE)


def _document(item: Item, terms: Terms, claims: dict, notes: list[Note]) -> dict:
    document: dict = {"id": item.qid} if item.qid else {}
    document["type"] = "item"
    labels, aliases = {}, {}
    for language, texts in terms.labels.items():
        kept = [text for text in texts if _term_fits(item.iri, f"label ({language})", text, notes)]
        if kept:
            labels[language] = {"language": language, "value": kept[0]}
            if kept[1:]:
                aliases[language] = [{"language": language, "value": text} for text in kept[1:]]
    descriptions = {language: {"language": language, "value": text} for language, text in terms.descriptions.items()
                    if _term_fits(item.iri, f"description ({language})", text, notes)}
    document.update(labels=labels, descriptions=descriptions, aliases=aliases, claims=claims)
    return document


def _term_fits(entity: URIRef, part: str, text: str, notes: list[Note]) -> bool:
    if len(text) <= LABEL_LIMIT:
        return True
    notes.append(Note(entity, part, f"{len(text)} characters, over Wikidata's {LABEL_LIMIT} for labels, descriptions and aliases"))
    return False


def _claim(statement: Statement, notes: list[Note]) -> dict | None:
    """The statement's claim, or None (and a note) if Wikidata would not take it."""
    if statement.is_class:
        notes.append(Note(statement.fact, "statement", f"{INSTANCE_OF} from skos:closeMatch is an editorial judgement on a class, not sent"))
        return None
    reason = statement.objection or refusal(statement.value)
    if reason:
        notes.append(Note(statement.fact, "statement", reason))
        return None
    claim: dict = {"id": statement.guid()} if statement.subject.qid else {}
    claim.update(mainsnak=snak(statement.pid, statement.value), type="statement", rank=statement.rank_name)
    qualifiers = _snaks(statement.fact, "qualifier", statement.qualifiers, notes)
    if qualifiers:
        claim["qualifiers"] = qualifiers
        claim["qualifiers-order"] = list(qualifiers)
    references = []
    for reference in statement.references:
        if snaks := _snaks(reference.claim, "reference", reference.snaks, notes):
            kept = tuple((pid, value) for pid, value in reference.snaks if not refusal(value))
            references.append({"hash": reference_hash(kept), "snaks": snaks, "snaks-order": list(snaks)})
    if references:
        claim["references"] = references
    if statement.remarks and statement.rank_name in _REASONS:
        text = "; ".join(f"{label}: {note}" for label, note in statement.remarks)
        notes.append(Note(statement.fact, "rank", f"{_REASONS[statement.rank_name]} takes an item, and the rationale is free text: {text}"))
    return claim


def _snaks(node: URIRef, role: str, pairs, notes: list[Note]) -> dict[str, list]:
    """Snaks grouped by property in first-seen order; a value Wikidata would refuse is left out and noted."""
    grouped: dict[str, list] = {}
    for pid, value in pairs:
        if reason := refusal(value):
            notes.append(Note(node, f"{role} {pid}", reason))
        else:
            grouped.setdefault(pid, []).append(snak(pid, value))
    return grouped
