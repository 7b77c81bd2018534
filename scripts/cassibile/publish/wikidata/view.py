"""The Wikidata view (`dist/wikidata.ttl`): the publication as the Wikidata Query Service holds an item.

The triples are those of Wikibase's RDF dump format (Wikibase's FullStatementRdfBuilder,
TruthyStatementRdfBuilder, TimeRdfBuilder, QuantityRdfBuilder, PropertySpecificComponentsRdfBuilder)
as the WDQS munger keeps them (wikidata-query-rdf's Munger drops `a wikibase:Item`,
`a wikibase:Statement`, `a wikibase:Reference`, `schema:name` and `skos:prefLabel`):

- each statement: `item p:P node`, `node ps:P value`, `node wikibase:rank …`, full values of times
  and quantities (`psv:P`/`pqv:P`/`prv:P` → a `wdv:` node), qualifiers (`pq:P`), one reference per
  claim (`prov:wasDerivedFrom` → a `wdref:` node with `pr:P…`); the node is the fact's own IRI;
- `wikibase:BestRank` and the truthy `item wdt:P value` for the statements of the best
  non-deprecated rank of their subject and property;
- each property used, as WDQS describes it (`wikibase:propertyType`, `directClaim`, `claim`, …);
- labels (`rdfs:label`, one per language; further ones `skos:altLabel`) and `schema:description`.

Value and reference nodes are named, as in Wikibase, by a hash of their content (md5 for values,
sha1 for references, of their Wikibase JSON: `wikibase_json.content_hash`). Items without a QID keep
our IRI. The triples are built in one pass over the statements and the entities.
"""

from __future__ import annotations

from collections import defaultdict

import pyoxigraph as ox
from rdflib import URIRef
from rdflib.namespace import RDFS, SKOS

from cassibile.errors import DataError
from cassibile.namespaces import SCHEMA
from cassibile.publish.export import entities
from cassibile.publish.wikidata.statements import (
    Alignment,
    Item,
    Layer,
    Quantity,
    Statement,
    Terms,
    Time,
    Url,
    Value,
    entity_terms,
)
from cassibile.publish.wikidata.vocabulary import ENTITY, PROPERTY_TYPES, ROLES, WDQS_PREFIXES, WIKIBASE
from cassibile.publish.wikidata.wikibase_json import content_hash, datavalue, reference_hash

XSD = "http://www.w3.org/2001/XMLSchema#"
ONE = ENTITY + "Q199"  # the unit "1" (Wikibase RdfVocabulary::ONE_ENTITY)
_DATE_TIME, _DECIMAL, _INTEGER = (ox.NamedNode(XSD + name) for name in ("dateTime", "decimal", "integer"))
_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
_LABEL, _ALT_LABEL, _DESCRIPTION = ox.NamedNode(str(RDFS.label)), ox.NamedNode(str(SKOS.altLabel)), ox.NamedNode(str(SCHEMA.description))
_DERIVED_FROM = ox.NamedNode("http://www.w3.org/ns/prov#wasDerivedFrom")
_OWL = "http://www.w3.org/2002/07/owl#"


def _wikibase(name: str) -> ox.NamedNode:
    return ox.NamedNode(WIKIBASE + name)


def wikidata_view(data: Layer, found: list[Statement], alignment: Alignment, terms: dict[URIRef, Terms] | None = None) -> list[ox.Triple]:
    """The view of the statements `found` in `data` (the asserted graph), and of the entities' `terms`
    (read from `data` if not given), as sorted triples."""
    terms = entity_terms(data, entities(data)) if terms is None else terms
    writer = _Writer(alignment)
    for statement in found:
        writer.statement(statement)
    for entity, item_terms in terms.items():
        writer.terms(alignment.item(entity), item_terms)
    writer.properties()
    return sorted(writer.triples, key=str)


def simple_value(value: Value) -> ox.NamedNode | ox.Literal:
    """The value as `ps:`, `pq:`, `pr:` and `wdt:` give it."""
    if isinstance(value, Item):
        return ox.NamedNode(str(value.term()))
    if isinstance(value, Time):
        return ox.Literal(value.date_time(), datatype=_DATE_TIME)
    if isinstance(value, Quantity):
        return ox.Literal(value.amount_text(), datatype=_DECIMAL)
    if isinstance(value, Url):
        return ox.NamedNode(value.url)
    return ox.Literal(value.text, language=value.language) if value.language else ox.Literal(value.text)


class _Writer:
    def __init__(self, alignment: Alignment):
        self.alignment = alignment
        self.triples: set[ox.Triple] = set()
        self.datatypes: dict[str, dict[str, URIRef]] = defaultdict(dict)  # PID -> datatype -> a node that uses it
        self.roles: dict[tuple[str, str], ox.NamedNode] = {}

    def add(self, subject, predicate, obj) -> None:
        self.triples.add(ox.Triple(subject, predicate, obj))

    def role(self, prefix: str, pid: str) -> ox.NamedNode:
        if (prefix, pid) not in self.roles:
            self.roles[prefix, pid] = ox.NamedNode(ROLES[prefix] + pid)
        return self.roles[prefix, pid]

    def statement(self, statement: Statement) -> None:
        subject, node, pid = ox.NamedNode(str(statement.subject.term())), ox.NamedNode(str(statement.fact)), statement.pid
        value = simple_value(statement.value)
        self.add(subject, self.role("p", pid), node)
        self.add(node, _wikibase("rank"), ox.NamedNode(str(statement.rank)))
        if statement.truthy:
            self.add(node, _TYPE, _wikibase("BestRank"))
            self.add(subject, self.role("wdt", pid), value)
        self.snak(node, "ps", "psv", pid, statement.value, statement.fact)
        for qualifier, qualifier_value in statement.qualifiers:
            self.snak(node, "pq", "pqv", qualifier, qualifier_value, statement.fact)
        for reference in statement.references:
            reference_node = ox.NamedNode(WDQS_PREFIXES["wdref"] + reference_hash(reference.snaks))
            self.add(node, _DERIVED_FROM, reference_node)
            for snak_pid, snak_value in reference.snaks:
                self.snak(reference_node, "pr", "prv", snak_pid, snak_value, reference.claim)

    def snak(self, node, simple: str, full: str, pid: str, value: Value, where: URIRef) -> None:
        """`node simple:P value`, and for a time or a quantity `node full:P` its value node."""
        self.datatypes[pid].setdefault(value.datatype, where)
        self.add(node, self.role(simple, pid), simple_value(value))
        if isinstance(value, (Time, Quantity)):
            value_node = ox.NamedNode(WDQS_PREFIXES["wdv"] + content_hash(datavalue(value), "md5"))
            self.add(node, self.role(full, pid), value_node)
            self.value_node(value_node, value)

    def value_node(self, node: ox.NamedNode, value: Time | Quantity) -> None:
        if isinstance(value, Time):
            self.add(node, _TYPE, _wikibase("TimeValue"))
            self.add(node, _wikibase("timeValue"), simple_value(value))
            self.add(node, _wikibase("timePrecision"), ox.Literal(str(value.precision), datatype=_INTEGER))
            self.add(node, _wikibase("timeTimezone"), ox.Literal("0", datatype=_INTEGER))
            self.add(node, _wikibase("timeCalendarModel"), ox.NamedNode(ENTITY + "Q1985727"))
        else:
            self.add(node, _TYPE, _wikibase("QuantityValue"))
            self.add(node, _wikibase("quantityAmount"), simple_value(value))
            self.add(node, _wikibase("quantityUnit"), ox.NamedNode(ONE))

    def terms(self, item: Item, terms: Terms) -> None:
        """Labels, aliases and descriptions of one entity, in WDQS form."""
        subject = ox.NamedNode(str(item.term()))
        for language, (first, *others) in terms.labels.items():
            self.add(subject, _LABEL, ox.Literal(first, language=language))
            for other in others:
                self.add(subject, _ALT_LABEL, ox.Literal(other, language=language))
        for language, description in terms.descriptions.items():
            self.add(subject, _DESCRIPTION, ox.Literal(description, language=language))

    def properties(self) -> None:
        """Each property used, as WDQS describes it; one datatype per property, or the data is at fault."""
        for pid, datatypes in self.datatypes.items():
            if len(datatypes) > 1:
                uses = ", ".join(f"{datatype} ({node})" for datatype, node in sorted(datatypes.items()))
                raise DataError(f"{pid} is given values of more than one Wikibase datatype: {uses}")
            datatype = next(iter(datatypes))
            entity = ox.NamedNode(ENTITY + pid)
            self.add(entity, _TYPE, _wikibase("Property"))
            self.add(entity, _wikibase("propertyType"), _wikibase(PROPERTY_TYPES[datatype]))
            if label := self.alignment.tables.properties.get(pid):
                self.add(entity, _LABEL, ox.Literal(label, language="en"))
            links = {"directClaim": "wdt", "claim": "p", "statementProperty": "ps", "statementValue": "psv", "qualifier": "pq",
                     "qualifierValue": "pqv", "reference": "pr", "referenceValue": "prv", "novalue": "wdno"}
            if datatype == "quantity":  # normalised forms (Wikibase: quantities and external ids)
                links.update(directClaimNormalized="wdtn", statementValueNormalized="psn", qualifierValueNormalized="pqn",
                             referenceValueNormalized="prn")
            for link, prefix in links.items():
                self.add(entity, _wikibase(link), self.role(prefix, pid))
            kind = ox.NamedNode(_OWL + ("ObjectProperty" if datatype in ("wikibase-item", "url") else "DatatypeProperty"))
            for prefix in ("wdt", "ps", "pq", "pr"):
                self.add(self.role(prefix, pid), _TYPE, kind)
            for prefix in ("p", "psv", "pqv", "prv") + (("psn", "pqn", "prn") if datatype == "quantity" else ()):
                self.add(self.role(prefix, pid), _TYPE, ox.NamedNode(_OWL + "ObjectProperty"))
            if datatype == "quantity":
                self.add(self.role("wdtn", pid), _TYPE, ox.NamedNode(_OWL + "DatatypeProperty"))
