"""Questions to a Wikidata Query Service (or any endpoint holding Wikidata's RDF form), in batches.

Each query is fixed text; the items, properties or labels it asks about are bound by a VALUES
block of RDF terms that rdflib serialises (never the user's text), one batch at a time, through
`cassibile.sparql.remote.run_remote` (descriptive User-Agent, timeout, HTTP 429 and Retry-After).

>>> from rdflib import Literal
>>> values_block(["label"], [[Literal('say "hi"', lang="en")]])
'VALUES (?label) {\\n    ("say \\\\"hi\\\\""@en)\\n  }'
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Iterable, Sequence

from rdflib import Literal, URIRef
from rdflib.namespace import XSD

from cassibile.namespaces import WD, WDT
from cassibile.publish.wikidata.statements import DAY, MONTH, Item, Quantity, Text, Time, Url, Value, local
from cassibile.publish.wikidata.vocabulary import ROLES, WDQS_PREFIXES
from cassibile.sparql.remote import run_remote

DEFAULT_ENDPOINT = "https://query.wikidata.org/sparql"
P, PS, PSV = ROLES["p"], ROLES["ps"], ROLES["psv"]
PREFIXES = "".join(f"PREFIX {name}: <{WDQS_PREFIXES[name]}>\n" for name in (
    "wd", "wdt", "p", "ps", "psv", "wikibase", "prov", "rdfs", "skos", "schema"))
# The truthy value of each asked property; for times, the precision of the best-ranked statement
# that holds it (wdt: alone does not say whether "1943-01-01" means a day or a year).
STATEMENTS = PREFIXES + """SELECT ?item ?property ?value ?precision WHERE {
  ##VALUES##
  ?item ?property ?value .
  OPTIONAL {
    ?item ?claim ?statement .
    ?statement a wikibase:BestRank ; ?statementValue ?node .
    ?node wikibase:timeValue ?value ; wikibase:timePrecision ?precision .
  }
}"""
# Every statement of the asked properties, with its rank, the precision of a time and how many
# references it has.
FULL_STATEMENTS = PREFIXES + """SELECT ?item ?property ?statement ?value ?rank ?precision (COUNT(DISTINCT ?reference) AS ?references) WHERE {
  ##VALUES##
  ?item ?claim ?statement .
  ?statement ?statementProperty ?value ; wikibase:rank ?rank .
  OPTIONAL { ?statement ?statementValue ?node . ?node wikibase:timePrecision ?precision . }
  OPTIONAL { ?statement prov:wasDerivedFrom ?reference . }
}
GROUP BY ?item ?property ?statement ?value ?rank ?precision"""
LABELS = PREFIXES + """SELECT ?item ?label WHERE {
  ##VALUES##
  ?item rdfs:label ?label .
  FILTER(LANG(?label) IN ("en", "it", "de", "pt"))
}"""
BY_LABEL = PREFIXES + """SELECT ?label ?item ?kind WHERE {
  ##VALUES##
  { ?item rdfs:label ?label . BIND("label" AS ?kind) }
  UNION
  { ?item skos:altLabel ?label . BIND("alias" AS ?kind) }
}"""
DESCRIPTIONS = PREFIXES + """SELECT ?item ?description WHERE {
  ##VALUES##
  ?item schema:description ?description .
  FILTER(LANG(?description) = "en")
}"""
_TIME = re.compile(r"^([+-]?\d{1,16})-(\d\d)-(\d\d)T")


def values_block(variables: Sequence[str], rows: Iterable[Sequence]) -> str:
    """A VALUES block of rdflib terms, each serialised and escaped by rdflib."""
    cells = ("(" + " ".join(term.n3() for term in row) + ")" for row in rows)
    return f"VALUES ({' '.join('?' + v for v in variables)}) {{\n    " + "\n    ".join(cells) + "\n  }"


@dataclass
class Client:
    """One endpoint, asked in batches of `batch_size` bound values."""

    endpoint: str = DEFAULT_ENDPOINT
    timeout: float = 60.0
    batch_size: int = 50

    def rows(self, query: str, variable: str, values: list, fixed: str = "") -> list[dict]:
        """Every row of `query`, with `variable` bound batch by batch after the `fixed` VALUES blocks."""
        found = []
        for start in range(0, len(values), self.batch_size):
            batch = [[v] for v in values[start:start + self.batch_size]]
            text = query.replace("##VALUES##", fixed + values_block([variable], batch), 1)
            result = run_remote(self.endpoint, text, timeout=self.timeout)
            found += [dict(zip(result.variables, row)) for row in result.rows]
        return found

    def statements(self, qids: list[str], pids: list[str]) -> dict[tuple[str, str], list[Value]]:
        """(QID, PID) -> Wikidata's truthy values, for the given items and properties."""
        properties = values_block(["property", "claim", "statementValue"], [[WDT[p], URIRef(P + p), URIRef(PSV + p)] for p in sorted(pids)])
        found: dict[tuple[str, str], list[Value]] = defaultdict(list)
        for row in self.rows(STATEMENTS, "item", [WD[q] for q in sorted(qids)], properties + "\n  "):
            value = wikidata_value(row["value"], row.get("precision"))
            key = (local(row["item"], WD), local(row["property"], WDT))
            if value not in found[key]:
                found[key].append(value)
        return dict(found)

    def full_statements(self, qids: list[str], pids: list[str]) -> dict[tuple[str, str], list["Found"]]:
        """(QID, PID) -> every statement Wikidata holds, of any rank, with its value and references."""
        properties = values_block(["property", "claim", "statementProperty", "statementValue"],
                                  [[WDT[p], URIRef(P + p), URIRef(PS + p), URIRef(PSV + p)] for p in sorted(pids)])
        found: dict[tuple[str, str], list[Found]] = defaultdict(list)
        for row in self.rows(FULL_STATEMENTS, "item", [WD[q] for q in sorted(qids)], properties + "\n  "):
            rank = str(row["rank"]).rsplit("#", 1)[-1].removesuffix("Rank").lower()
            value = Found(wikidata_value(row["value"], row.get("precision")), rank, int(row["references"]))
            found[local(row["item"], WD), local(row["property"], WDT)].append(value)
        return {key: sorted(values, key=repr) for key, values in found.items()}

    def labels(self, qids: list[str]) -> dict[str, dict[str, list[str]]]:
        """QID -> language -> labels (en, it, de, pt)."""
        found: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
        for row in self.rows(LABELS, "item", [WD[q] for q in sorted(qids)]):
            found[local(row["item"], WD)][row["label"].language].append(str(row["label"]))
        return {qid: dict(languages) for qid, languages in found.items()}

    def descriptions(self, qids: list[str]) -> dict[str, str]:
        """QID -> English description."""
        return {local(row["item"], WD): str(row["description"]) for row in self.rows(DESCRIPTIONS, "item", [WD[q] for q in sorted(qids)])}

    def by_label(self, labels: list[Literal]) -> list[tuple[Literal, str, str]]:
        """(label, QID, "label" or "alias") for every item whose label or alias is exactly one of `labels`."""
        rows = self.rows(BY_LABEL, "label", sorted(set(labels)))
        return sorted({(row["label"], local(row["item"], WD), str(row["kind"])) for row in rows if local(row["item"], WD)})


@dataclass(frozen=True)
class Found:
    """One of Wikidata's statements: its value, rank (preferred, normal, deprecated) and number of references."""

    value: Value
    rank: str
    references: int


def wikidata_value(term, precision=None) -> Value:
    """A value as WDQS returns it, in the same form as ours (times with their precision)."""
    if isinstance(term, URIRef):
        qid = local(term, WD)
        return Item(term, qid) if qid else Url(str(term))
    if term.datatype == XSD.dateTime and (m := _TIME.match(str(term))) and int(m.group(1)) > 0:
        year, month, day = int(m.group(1)), int(m.group(2)), int(m.group(3))
        exactness = min(int(precision), DAY) if precision is not None else DAY
        return Time(year, month if exactness >= MONTH else 0, day if exactness >= DAY else 0, exactness)
    if term.datatype == XSD.decimal:
        try:
            return Quantity(Decimal(str(term)))
        except InvalidOperation:
            pass
    return Text(str(term), term.language)
