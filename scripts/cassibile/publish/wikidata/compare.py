"""`cassibile wikidata compare`: our statements about linked items, one by one, against Wikidata's.

For every statement of ours, of any rank, about an item we link (owl:sameAs wd:Q…), the report
asks the endpoint for every statement of that item and property (value, rank, references) and
gives one status:

- `same value, referenced`: a Wikidata statement agrees and has at least one reference;
- `same value`: a Wikidata statement agrees but has no reference (where its value is exactly ours,
  our lines would add our reference to it);
- `different value`: the property holds one value (cas:SingleValuedProperty: dates, counts),
  Wikidata has some and none agrees;
- `absent`: nothing in Wikidata agrees (the QuickStatements lines that would add it are given);
- `not comparable`: our value names an entity without a QID.

Two values agree when they are the same item, amount or text, or when one date lies within the
other (Wikidata's "1943" agrees with our "1943-09-03", our "1943-10" with its "1943-10-13"). Each
row shows our rank and Wikidata's statements, so a value one side deprecates stands out. Labels
missing on either side (en, it, de, pt) and linked QIDs the endpoint does not know are listed too.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field

from rdflib.namespace import RDF

from cassibile.namespaces import CAS, LANGUAGES
from cassibile.publish.wikidata.quickstatements import Unwritable, offer, value_text
from cassibile.publish.wikidata.statements import (
    Alignment,
    Item,
    Layer,
    Quantity,
    Statement,
    Text,
    Time,
    Url,
    Value,
    item_labels,
)
from cassibile.publish.wikidata.wdqs import Client, Found

STATUSES = ("same value, referenced", "same value", "different value", "absent", "not comparable")


@dataclass
class Report:
    endpoint: str
    items: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    statements: list[dict] = field(default_factory=list)
    labels_missing_in_wikidata: list[dict] = field(default_factory=list)
    labels_missing_here: list[dict] = field(default_factory=list)
    items_not_found: list[str] = field(default_factory=list)

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2, ensure_ascii=False) + "\n"


def agrees(ours: Value, theirs: Value) -> bool:
    """Same item, amount, text or URL; or one date within the other."""
    if isinstance(ours, Time) and isinstance(theirs, Time):
        (a, b), (c, d) = ours.bounds(), theirs.bounds()
        return (a <= c and d <= b) or (c <= a and b <= d)
    if isinstance(ours, Item) and isinstance(theirs, Item):
        return ours.qid == theirs.qid
    if isinstance(ours, Quantity) and isinstance(theirs, Quantity):
        return ours.amount == theirs.amount
    if isinstance(ours, Text) and isinstance(theirs, Text):
        return ours.text == theirs.text and (ours.language == theirs.language or not (ours.language and theirs.language))
    return isinstance(ours, Url) and isinstance(theirs, Url) and ours.url == theirs.url


def shown(value: Value) -> str:
    """A value in QuickStatements notation (our IRI for an entity without a QID)."""
    try:
        return value_text(value)
    except Unwritable:
        return str(value.iri) if isinstance(value, Item) else repr(value)


def compare(data: Layer, ontology: Layer, alignment: Alignment, found: list[Statement], client: Client) -> Report:
    """Compare our statements about linked items (`found`) with every statement `client`'s endpoint holds."""
    ours = sorted((s for s in found if s.subject.qid and not s.is_class), key=lambda s: (s.subject.qid, int(s.pid[1:]), str(s.fact)))
    items = sorted(set(alignment.qids.values()))
    theirs = client.full_statements(items, sorted({s.pid for s in ours})) if items and ours else {}
    labels = client.labels(items) if items else {}
    report = Report(client.endpoint, items=len(items))
    known = {qid for qid, _ in theirs} | set(labels)
    report.items_not_found = [qid for qid in items if qid not in known]
    single_valued = set(ontology.subjects(RDF.type, CAS.SingleValuedProperty))
    for statement in ours:
        if statement.subject.qid not in report.items_not_found:
            values = theirs.get((statement.subject.qid, statement.pid), [])
            report.statements.append(_row(statement, values, statement.property in single_valued))
    report.counts = {status: sum(row["status"] == status for row in report.statements) for status in STATUSES}
    for entity, qid in sorted(alignment.qids.items(), key=lambda pair: (pair[1], str(pair[0]))):
        if qid not in report.items_not_found:
            _compare_labels(report, qid, item_labels(data, entity), labels.get(qid, {}))
    return report


def status(statement: Statement, values: list[Found], single: bool) -> str:
    if isinstance(statement.value, Item) and not statement.value.qid:
        return "not comparable"
    agreeing = [found for found in values if agrees(statement.value, found.value)]
    if agreeing:
        return "same value, referenced" if any(found.references for found in agreeing) else "same value"
    return "different value" if values and single else "absent"


def _row(statement: Statement, values: list[Found], single: bool) -> dict:
    verdict = status(statement, values, single)
    # QuickStatements adds a reference to a statement of exactly the same value, and a new statement
    # otherwise: lines are offered where the value is absent, or present unreferenced and identical.
    identical = any(found.value == statement.value for found in values)
    lines, _ = offer(statement, []) if verdict == "absent" or (verdict == "same value" and identical) else ([], None)
    return {
        "item": statement.subject.qid, "property": statement.pid, "value": shown(statement.value),
        "rank": statement.rank_name, "fact": str(statement.fact), "status": verdict,
        "wikidata": [{"value": shown(f.value), "rank": f.rank, "references": f.references} for f in values],
        "quickstatements": sorted(lines),
    }


def _compare_labels(report: Report, qid: str, ours: dict[str, list[str]], theirs: dict[str, list[str]]) -> None:
    for language in LANGUAGES:
        if ours.get(language) and not theirs.get(language):
            report.labels_missing_in_wikidata.append({"item": qid, "language": language, "label": ours[language][0]})
        elif theirs.get(language) and not ours.get(language):
            report.labels_missing_here.append({"item": qid, "language": language, "label": theirs[language][0]})


def render_table(report: Report) -> str:
    """The report as readable sections, one row per finding."""
    lines = [f"Compared with {report.endpoint}: {report.items} linked item(s), {len(report.statements)} statement(s): "
             + ", ".join(f"{count} {name}" for name, count in report.counts.items()) + "."]
    for name in STATUSES:
        rows = [row for row in report.statements if row["status"] == name]
        lines += ["", f"{name[0].upper()}{name[1:]}: {len(rows)}"]
        lines += [f"  {row['item']}  {row['property']}  {row['value']}  ({row['rank']})" + _theirs(row) for row in rows]
    for title, rows in (("Labels missing in Wikidata", report.labels_missing_in_wikidata), ("Labels missing here", report.labels_missing_here)):
        lines += ["", f"{title}: {len(rows)}"]
        lines += [f"  {row['item']}  {row['language']}  {row['label']}" for row in rows]
    lines += ["", f"Linked QIDs the endpoint does not know: {len(report.items_not_found)}"]
    lines += [f"  {qid}" for qid in report.items_not_found]
    return "\n".join(lines) + "\n"


def _theirs(row: dict) -> str:
    if not row["wikidata"]:
        return ""
    return "  Wikidata: " + ", ".join(f"{w['value']} ({w['rank']}, {w['references']} ref.)" for w in row["wikidata"])
