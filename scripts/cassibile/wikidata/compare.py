"""`cassibile wikidata compare`: our truthy statements about linked items, against Wikidata's.

For every item we link (owl:sameAs wd:Q…), the report lists what we hold that Wikidata lacks (the
QuickStatements candidates, with their line), values that disagree, values we cannot compare
because they name an entity without a QID, labels missing on either side (en, it, de, pt), and
linked QIDs that the endpoint does not know at all.

Two values agree when they are the same item or amount, or when one date lies within the other
(Wikidata's "1943" agrees with our "1943-09-03", our "1943-10" with its "1943-10-13"). A
property that holds one value (cas:SingleValuedProperty: dates, counts) disagrees when Wikidata
has values and none agrees; any other property is simply missing a value Wikidata does not have.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field

from rdflib import Graph
from rdflib.namespace import RDF

from cassibile.namespaces import CAS, LANGUAGES
from cassibile.wikidata.quickstatements import Unwritable, statement_line, value_text
from cassibile.wikidata.statements import Alignment, Item, Quantity, Statement, Text, Time, Value
from cassibile.wikidata.view import item_labels
from cassibile.wikidata.wdqs import Client


@dataclass
class Report:
    endpoint: str
    items: int = 0
    compared: int = 0
    agreeing: int = 0
    missing_in_wikidata: list[dict] = field(default_factory=list)
    disagreements: list[dict] = field(default_factory=list)
    unlinked_values: list[dict] = field(default_factory=list)
    labels_missing_in_wikidata: list[dict] = field(default_factory=list)
    labels_missing_here: list[dict] = field(default_factory=list)
    items_not_found: list[str] = field(default_factory=list)

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2, ensure_ascii=False) + "\n"


def agrees(ours: Value, theirs: Value) -> bool:
    """Same item, amount or text; or one date within the other."""
    if isinstance(ours, Time) and isinstance(theirs, Time):
        (a, b), (c, d) = ours.bounds(), theirs.bounds()
        return (a <= c and d <= b) or (c <= a and b <= d)
    if isinstance(ours, Item) and isinstance(theirs, Item):
        return ours.qid == theirs.qid
    if isinstance(ours, Quantity) and isinstance(theirs, Quantity):
        return ours.amount == theirs.amount
    if isinstance(ours, Text) and isinstance(theirs, Text):
        return ours.text == theirs.text and (ours.language == theirs.language or not (ours.language and theirs.language))
    return False


def shown(value: Value) -> str:
    """A value in QuickStatements notation (our IRI for an entity without a QID)."""
    try:
        return value_text(value)
    except Unwritable:
        return str(value.iri) if isinstance(value, Item) else repr(value)


def compare(data: Graph, ontology: Graph, alignment: Alignment, found: list[Statement], client: Client) -> Report:
    """Compare the truthy statements `found` about linked items with what `client`'s endpoint holds."""
    ours = sorted((s for s in found if s.truthy and s.subject.qid), key=lambda s: (s.subject.qid, s.pid, str(s.fact)))
    items = sorted(set(alignment.qids.values()))
    theirs = client.statements(items, sorted({s.pid for s in ours})) if items else {}
    labels = client.labels(items) if items else {}
    report = Report(client.endpoint, items=len(items))
    known = {qid for qid, _ in theirs} | set(labels)
    report.items_not_found = [qid for qid in items if qid not in known]
    single_valued = set(ontology.subjects(RDF.type, CAS.SingleValuedProperty))
    for statement in ours:
        if statement.subject.qid not in report.items_not_found:
            values = theirs.get((statement.subject.qid, statement.pid), [])
            _compare_one(report, statement, values, statement.property in single_valued, alignment.verified)
    for entity, qid in sorted(alignment.qids.items(), key=lambda pair: (pair[1], str(pair[0]))):
        if qid not in report.items_not_found:
            _compare_labels(report, qid, item_labels(data, entity), labels.get(qid, {}))
    return report


def _compare_one(report: Report, statement: Statement, values: list[Value], single: bool, verified: frozenset[str]) -> None:
    row = {"item": statement.subject.qid, "property": statement.pid, "value": shown(statement.value), "fact": str(statement.fact)}
    if isinstance(statement.value, Item) and not statement.value.qid:
        report.unlinked_values.append(row)
        return
    report.compared += 1
    if any(agrees(statement.value, value) for value in values):
        report.agreeing += 1
    elif values and single:
        report.disagreements.append({**row, "wikidata": sorted(shown(v) for v in values)})
    else:
        report.missing_in_wikidata.append({**row, "quickstatements": statement_line(statement, verified, [])})


def _compare_labels(report: Report, qid: str, ours: dict[str, list[str]], theirs: dict[str, list[str]]) -> None:
    for language in LANGUAGES:
        if ours.get(language) and not theirs.get(language):
            report.labels_missing_in_wikidata.append({"item": qid, "language": language, "label": ours[language][0]})
        elif theirs.get(language) and not ours.get(language):
            report.labels_missing_here.append({"item": qid, "language": language, "label": theirs[language][0]})


def render_table(report: Report) -> str:
    """The report as readable sections, one row per finding."""
    lines = [f"Compared with {report.endpoint}: {report.items} linked item(s), {report.compared} statement(s), "
             f"{report.agreeing} agreeing."]
    sections = (
        ("Missing in Wikidata (QuickStatements candidates)", report.missing_in_wikidata, ("item", "property", "value")),
        ("Disagreements", report.disagreements, ("item", "property", "value", "wikidata")),
        ("Not comparable: the value has no QID", report.unlinked_values, ("item", "property", "value")),
        ("Labels missing in Wikidata", report.labels_missing_in_wikidata, ("item", "language", "label")),
        ("Labels missing here", report.labels_missing_here, ("item", "language", "label")),
    )
    for title, rows, columns in sections:
        lines += ["", f"{title}: {len(rows)}"]
        lines += ["  " + "  ".join(_cell(row[c]) for c in columns) for row in rows]
    lines += ["", f"Linked QIDs the endpoint does not know: {len(report.items_not_found)}"]
    lines += [f"  {qid}" for qid in report.items_not_found]
    return "\n".join(lines) + "\n"


def _cell(value) -> str:
    return ", ".join(value) if isinstance(value, list) else str(value)
