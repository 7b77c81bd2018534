"""A reconciliation service over the built publication: the W3C Entity Reconciliation Service API, version 0.2.

`cassibile serve` answers it under `/reconcile`, so that OpenRefine (or any other client of the API)
can match a column of names against the publication's entities and fetch their facts:

- `GET /reconcile`: the service manifest;
- `GET /reconcile?queries=…` or a form `POST` with `queries=…`: a batch of queries, each a name in
  any of the four languages (or an entity's identifier), with optional `type`, `type_strict`,
  `limit` and `properties` (`pid` and `v`);
- `GET /reconcile?extend=…` or a form `POST` with `extend=…`: data extension (the truthy values of
  the properties asked for), and `GET /reconcile/properties?type=…` the properties to propose;
- `GET /reconcile/suggest/{entity,type,property}?prefix=…[&cursor=…]`: auto-completion;
- `GET /reconcile/preview?id=…`: a small HTML page on one entity.

Identifiers are short, as the manifest's spaces make them whole: an entity's is its slug (in the
identifier space `https://w3id.org/cassibile/id/`), a type's or a property's is its local name in the
ontology (the schema space `https://w3id.org/cassibile/ontology#`); the one property from outside it,
the Wikidata item an entity is the same as, is `owl:sameAs`. Requests may also give full IRIs.

Scores run from 0 to 100. A name scores by the character trigrams it shares with the query (the Dice
coefficient of the two sets), 100 when the two are equal once case, accents and punctuation are
ignored (`fold`); a property the candidate lacks, or a type it lacks under `type_strict: "should"`,
halves its score. A candidate is a `match` when it alone scores 100.

Every request is bounded: batches, names, limits, identifiers and properties have maximums, and
anything else gets a `BadRequest` (400, or 413 for too large a batch) that says what is wrong.

>>> fold("  Armistício de Cassibile! "), fold("WAFFENSTILLSTAND  von\\tCassibile")
('armisticio de cassibile', 'waffenstillstand von cassibile')
>>> round(similarity(fold("Badoglio"), fold("Pietro Badoglio")), 2), similarity(fold("Badoglio"), fold("badoglio"))
(0.72, 1.0)
"""

from __future__ import annotations

import html
import json
import re
import threading
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS, XSD

from cassibile.namespaces import CAS, ID, INTERVAL, LANGUAGES, SCHEMA, WD
from cassibile.pipeline.load import parse_turtle
from cassibile.publish.export import entities
from cassibile.publish.site.view import local_name
from cassibile.publish.wikidata.statements import item_labels

API_VERSION = "0.2"
SAME_AS = "owl:sameAs"
MAX_BATCH = 50  # queries in a batch (OpenRefine sends 10 at a time)
MAX_NAME = 500  # characters in a query's name or a suggest prefix
DEFAULT_LIMIT, MAX_LIMIT = 10, 100  # candidates per query, suggestions per page, proposed properties
MAX_PROPERTIES = 20  # property conditions in a query, and values in one condition
MAX_EXTEND_IDS, MAX_EXTEND_PROPERTIES = 500, 50
MAX_CURSOR = 10_000
MIN_SIMILARITY = 0.3  # below it a name is not a candidate at all
MISSING_PENALTY = 0.5  # the share of its score a candidate keeps without a property or type asked for
PREVIEW_SIZE = {"width": 400, "height": 200}
# Names besides the labels: what sources call a thing (truthy values) and the editors' alternatives.
OTHER_NAMES = (CAS.alsoCalled, CAS.formerName, SKOS.altLabel)
_NOT_WORD = re.compile(r"[^\w]+|_")


class BadRequest(Exception):
    """A request the service cannot answer as sent; the status is 400 unless said otherwise."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


# --- names ------------------------------------------------------------------------------------

def fold(text: str) -> str:
    """A name as it is compared: lower case, without accents, punctuation or repeated spaces."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(_NOT_WORD.sub(" ", bare.casefold()).split())


def trigrams(folded: str) -> set[str]:
    """The character trigrams of each word, padded so that word starts and ends count."""
    return {f"  {word} "[i:i + 3] for word in folded.split() for i in range(len(word) + 1)}


def similarity(query: str, name: str) -> float:
    """How alike two folded names are: 1 when equal, else the Dice coefficient of their trigrams."""
    return Name.of(name, "").similarity(query, trigrams(query))


# --- the index ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Name:
    text: str
    lang: str
    folded: str
    grams: frozenset[str]

    @staticmethod
    def of(text: str, lang: str) -> "Name":
        folded = fold(text)
        return Name(text, lang, folded, frozenset(trigrams(folded)))

    def similarity(self, folded: str, grams: set[str]) -> float:
        if folded == self.folded:
            return 1.0
        return 2 * len(grams & self.grams) / (len(grams) + len(self.grams)) if grams and self.grams else 0.0


@dataclass
class Term:
    """A type or a property: its identifier, names by language, definition and broader types."""

    id: str
    names: dict[str, str]
    description: str | None = None
    broader: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.names.get("en") or next(iter(self.names.values()), self.id)


@dataclass
class Entity:
    slug: str
    names: list[Name]  # labels in the four languages first, then other names
    description: str | None
    types: list[str]  # asserted classes of the ontology, most specific
    all_types: set[str]  # with every superclass (the OWL RL closure)
    values: dict[str, list]  # property id -> its truthy values (rdflib terms)

    @property
    def label(self) -> str:
        return next((n.text for n in self.names if n.lang == "en"), self.names[0].text if self.names else self.slug)


class Index:
    """The entities, types and properties of a build, read once from its `dist/` folder."""

    def __init__(self, asserted: Graph, derived: Graph, inferred: Graph, ontology: Graph):
        self.types = {local_name(c): self._term(ontology, c) for c in _classes(ontology)}
        self.properties = {local_name(p): self._term(ontology, p) for p in _properties(ontology)}
        self.properties[SAME_AS] = Term(SAME_AS, {"en": "Wikidata item (owl:sameAs)"},
                                        "The Wikidata item that is the same thing as this entity.")
        self.intervals = {s: (asserted.value(s, CAS.earliest), asserted.value(s, CAS.latest))
                          for s in set(asserted.subjects(CAS.earliest, None))}
        self.entities: dict[str, Entity] = {}
        for iri in entities(asserted):
            entity = self._entity(iri, asserted, derived, inferred)
            self.entities[entity.slug] = entity
        self._by_trigram: dict[str, set[str]] = defaultdict(set)
        for entity in self.entities.values():
            for name in entity.names:
                for gram in name.grams:
                    self._by_trigram[gram].add(entity.slug)
        used = Counter(t for e in self.entities.values() for t in e.all_types)
        self.used_types = sorted((t for t in used if t in self.types), key=lambda t: (-used[t], t))
        self.properties_by_type = self._count_properties()

    @classmethod
    def load(cls, dist: Path) -> "Index":
        # Built files, not hand-written ones: the literal policy is the loader's, and derived.ttl keeps xsd:nonNegativeInteger offsets.
        graphs = [parse_turtle(dist / f"{name}.ttl", as_written=False) for name in ("asserted", "derived", "inferred", "ontology")]
        return cls(*graphs)

    def _term(self, ontology: Graph, term: URIRef) -> Term:
        names = {lang: texts[0] for lang, texts in item_labels(ontology, term).items() if lang in LANGUAGES}
        definition = ontology.value(term, SKOS.definition)
        broader = sorted(local_name(c) for c in ontology.objects(term, RDFS.subClassOf) if _in_ontology(c))
        return Term(local_name(term), names, str(definition) if definition is not None else None, broader)

    def _entity(self, iri: URIRef, asserted: Graph, derived: Graph, inferred: Graph) -> Entity:
        labels = item_labels(asserted, iri)
        names = [Name.of(text, lang) for lang in LANGUAGES for text in labels.get(lang, ())]
        for predicate in OTHER_NAMES:
            for other in sorted(set(derived.objects(iri, predicate)) | set(asserted.objects(iri, predicate))):
                if isinstance(other, Literal) and all(other.language != n.lang or str(other) != n.text for n in names):
                    names.append(Name.of(str(other), other.language or ""))
        descriptions = {d.language: str(d) for d in asserted.objects(iri, SCHEMA.description) if isinstance(d, Literal)}
        values: dict[str, list] = defaultdict(list)
        for predicate, value in derived.predicate_objects(iri):
            if _in_ontology(predicate) and local_name(predicate) in self.properties:
                values[local_name(predicate)].append(value)
        values[SAME_AS] = list(asserted.objects(iri, OWL.sameAs))
        asserted_types = {local_name(c) for c in asserted.objects(iri, RDF.type) if _in_ontology(c)}
        closure = asserted_types | {local_name(c) for c in inferred.objects(iri, RDF.type) if _in_ontology(c)}
        return Entity(local_name(iri), names, descriptions.get("en") or next(iter(descriptions.values()), None),
                      sorted(asserted_types), closure, {p: sorted(v, key=_order) for p, v in values.items() if v})

    def _count_properties(self) -> dict[str, list[str]]:
        """Type -> the properties its entities have, the most used first."""
        counts: dict[str, Counter] = defaultdict(Counter)
        for entity in self.entities.values():
            for type_id in entity.all_types:
                counts[type_id].update(list(entity.values))
        return {t: sorted(c, key=lambda p: (-c[p], p)) for t, c in counts.items()}

    def candidates(self, grams: set[str]) -> set[str]:
        """The entities with a name sharing a trigram with the query."""
        return {slug for gram in grams for slug in self._by_trigram.get(gram, ())}

    # --- identifiers ------------------------------------------------------------------------------

    def entity_id(self, text: str) -> str | None:
        """An entity's slug from its slug, its IRI or `id:slug`; None when there is no such entity."""
        slug = text.removeprefix(str(ID)).removeprefix("id:")
        return slug if slug in self.entities else None

    def type_id(self, text: str) -> str:
        found = _short(text)
        if found not in self.types:
            raise BadRequest(f"unknown type {text[:100]!r}: the types are the ontology's classes, such as Person or Event")
        return found

    def property_id(self, text: str) -> str:
        found = SAME_AS if text in (str(OWL.sameAs), SAME_AS) else _short(text)
        if found not in self.properties:
            raise BadRequest(f"unknown property {text[:100]!r}: ask /reconcile/suggest/property for the properties")
        return found

    def type_ref(self, type_id: str) -> dict:
        return {"id": type_id, "name": self.types[type_id].name}


def _in_ontology(term) -> bool:
    return isinstance(term, URIRef) and str(term).startswith(str(CAS))


def _short(text: str) -> str:
    return text.removeprefix(str(CAS)).removeprefix("cas:")


def _classes(ontology: Graph) -> list[URIRef]:
    return sorted(c for c in ontology.subjects(RDF.type, OWL.Class) if _in_ontology(c))


def _properties(ontology: Graph) -> list[URIRef]:
    kinds = (OWL.ObjectProperty, OWL.DatatypeProperty, RDF.Property)
    return sorted({p for kind in kinds for p in ontology.subjects(RDF.type, kind) if _in_ontology(p)})


def _order(term) -> tuple:
    return (type(term).__name__, str(term))


_lock = threading.Lock()


@cache
def _cached_index(dist: Path) -> Index:
    return Index.load(dist)


def index_for(dist: Path) -> Index:
    """The index of a build, made on first use (the server's threads wait for the one that makes it)."""
    with _lock:
        return _cached_index(dist.resolve())


# --- the manifest -------------------------------------------------------------------------------

def manifest(index: Index, service: str, site: str) -> dict:
    """The service manifest; `service` is this endpoint's URL and `site` the base URL of the entity pages."""
    return {
        "versions": [API_VERSION],
        "name": "Armistice of Cassibile (cassibile)",
        "identifierSpace": str(ID),
        "schemaSpace": str(CAS),
        "documentation": "https://w3id.org/cassibile/",
        "batchSize": MAX_BATCH,
        "view": {"url": f"{site}id/{{{{id}}}}"},
        "preview": {"url": f"{service}/preview?id={{{{id}}}}", **PREVIEW_SIZE},
        "defaultTypes": [index.type_ref(t) for t in _top_types(index)],
        "suggest": {kind: {"service_url": service, "service_path": f"/suggest/{kind}"} for kind in ("entity", "type", "property")},
        "extend": {"propose_properties": {"service_url": service, "service_path": "/properties"}},
    }


def _top_types(index: Index) -> list[str]:
    """The types in use that have no broader type in use: agents, events, places and the like."""
    used = set(index.used_types)
    return [t for t in index.used_types if not set(index.types[t].broader) & used]


# --- reconciliation queries ---------------------------------------------------------------------

def reconcile(index: Index, batch) -> dict:
    """A result batch: for each query of the batch (an object of queries by key), its candidates."""
    if not isinstance(batch, dict):
        raise BadRequest("queries must be a JSON object of queries by key, such as {\"q0\": {\"query\": \"Badoglio\"}}")
    if len(batch) > MAX_BATCH:
        raise BadRequest(f"a batch may hold at most {MAX_BATCH} queries; this one holds {len(batch)}", 413)
    return {str(key): {"result": _candidates(index, key, query)} for key, query in batch.items()}


@dataclass
class Query:
    name: str | None
    types: list[str]
    strict: str
    limit: int
    properties: list[tuple[str, list]]


def parse_query(index: Index, key, query) -> Query:
    """A query checked against the schema and this service's bounds."""
    where = f"query {str(key)[:40]!r}"
    if not isinstance(query, dict):
        raise BadRequest(f"{where} must be an object")
    unknown = set(query) - {"query", "type", "type_strict", "limit", "properties"}
    if unknown:
        raise BadRequest(f"{where} has unknown fields: {', '.join(sorted(map(str, unknown)))[:200]}")
    name = query.get("query")
    if name is not None and (not isinstance(name, str) or len(name) > MAX_NAME):
        raise BadRequest(f"{where}: query must be a string of at most {MAX_NAME} characters")
    types = query.get("type", [])
    types = [types] if isinstance(types, str) else types
    if not isinstance(types, list) or not all(isinstance(t, str) for t in types) or len(types) > MAX_PROPERTIES:
        raise BadRequest(f"{where}: type must be a type identifier or a list of at most {MAX_PROPERTIES}")
    strict = query.get("type_strict", "any")
    if strict not in ("any", "should", "all"):
        raise BadRequest(f"{where}: type_strict must be any, should or all")
    limit = query.get("limit", DEFAULT_LIMIT)
    if isinstance(limit, bool) or not isinstance(limit, (int, float)) or limit != int(limit) or not 0 < limit <= MAX_LIMIT:
        raise BadRequest(f"{where}: limit must be a whole number from 1 to {MAX_LIMIT}")
    conditions = query.get("properties", [])
    if not isinstance(conditions, list) or len(conditions) > MAX_PROPERTIES:
        raise BadRequest(f"{where}: properties must be a list of at most {MAX_PROPERTIES} conditions")
    properties = [_condition(index, where, c) for c in conditions]
    if not (name or "").strip() and not properties:
        raise BadRequest(f"{where} needs a query (a name) or properties")
    return Query((name or "").strip() or None, [index.type_id(t) for t in types], strict, int(limit), properties)


def _condition(index: Index, where: str, condition) -> tuple[str, list]:
    if not isinstance(condition, dict) or not isinstance(condition.get("pid"), str) or "v" not in condition:
        raise BadRequest(f"{where}: each property condition is an object with pid and v")
    values = condition["v"] if isinstance(condition["v"], list) else [condition["v"]]
    if not values or len(values) > MAX_PROPERTIES:
        raise BadRequest(f"{where}: a property condition has from 1 to {MAX_PROPERTIES} values")
    for value in values:
        if not isinstance(value, (str, int, float)) and not (isinstance(value, dict) and isinstance(value.get("id"), str)):
            raise BadRequest(f"{where}: a property value is a string, a number, a boolean or an object with an id")
    return index.property_id(condition["pid"]), values


def _candidates(index: Index, key, raw) -> list[dict]:
    query = parse_query(index, key, raw)
    folded = fold(query.name) if query.name else None
    grams = trigrams(folded) if folded else set()
    found = []
    pool = index.entities if folded is None else index.candidates(grams) | {index.entity_id(query.name)} - {None}
    for slug in pool:
        entity = index.entities[slug]
        has_type = _has_types(entity, query)
        if not has_type and query.strict != "should":
            continue
        shown, name_score = _best_name(index, entity, query.name, folded, grams)
        matched = sum(any(_holds(index, entity, pid, v) for v in values) for pid, values in query.properties)
        if name_score < MIN_SIMILARITY or (folded is None and not matched):
            continue
        score = name_score * MISSING_PENALTY ** (len(query.properties) - matched) * (1 if has_type else MISSING_PENALTY)
        features = [{"id": "name", "value": round(name_score, 3)}]
        if query.types:
            features.append({"id": "type", "value": has_type})
        if query.properties:
            features.append({"id": "properties", "value": round(matched / len(query.properties), 3)})
        found.append(_candidate(index, entity, shown, round(100 * score, 1), features))
    found.sort(key=lambda c: (-c["score"], c["name"], c["id"]))
    exact = [c for c in found if c["score"] == 100]
    for candidate in found:
        candidate["match"] = len(exact) == 1 and candidate is exact[0]
    return found[:query.limit]


def _has_types(entity: Entity, query: Query) -> bool:
    if not query.types:
        return True
    test = all if query.strict == "all" else any
    return test(t in entity.all_types for t in query.types)


def _best_name(index: Index, entity: Entity, name: str | None, folded: str | None, grams: set[str]) -> tuple[str, float]:
    """The entity's name nearest the query, and how near (its identifier counts as a name); the first of
    equally near names, labels before other names, English, Italian, German, Portuguese."""
    if folded is None or index.entity_id(name) == entity.slug:
        return entity.label, 1.0
    best = max(entity.names, key=lambda n: n.similarity(folded, grams), default=None)
    return (best.text, best.similarity(folded, grams)) if best else (entity.label, 0.0)


def _candidate(index: Index, entity: Entity, name: str, score: float, features: list[dict]) -> dict:
    found = {"id": entity.slug, "name": name, "score": score, "features": features,
             "type": [index.type_ref(t) for t in entity.types]}
    if entity.description:
        found["description"] = entity.description
    return found


def _holds(index: Index, entity: Entity, pid: str, wanted) -> bool:
    """Whether one of the entity's values of the property is the one wanted."""
    wanted_id = wanted.get("id") if isinstance(wanted, dict) else None
    for value in entity.values.get(pid, ()):
        if pid == SAME_AS:
            qid = str(value).removeprefix(str(WD))
            if str(wanted_id or wanted).removeprefix(str(WD)).removeprefix("wd:").upper() == qid:
                return True
        elif str(value).startswith(str(ID)) and local_name(value) in index.entities:
            if _names_entity(index, wanted_id or wanted, local_name(value), by_name=wanted_id is None):
                return True
        elif isinstance(value, Literal) and wanted_id is None and _literal_equals(value, wanted):
            return True
    return False


def _names_entity(index: Index, wanted, slug: str, by_name: bool) -> bool:
    """Whether a wanted value is the entity: its identifier, or (a plain string) one of its names."""
    if not isinstance(wanted, str):
        return False
    return index.entity_id(wanted) == slug or by_name and fold(wanted) in {n.folded for n in index.entities[slug].names}


def _literal_equals(value: Literal, wanted) -> bool:
    if isinstance(wanted, bool):
        return value.datatype == XSD.boolean and value.toPython() is wanted
    if isinstance(wanted, (int, float)):
        number = value.toPython()
        return isinstance(number, (int, float)) and not isinstance(number, bool) and number == wanted
    text = str(value)
    if value.datatype in (XSD.date, XSD.dateTime, XSD.gYearMonth, XSD.gYear):  # "1943" or "1943-09" fits 1943-09-03
        return text == wanted or text.startswith(wanted + "-") or text.startswith(wanted + "T")
    return fold(text) == fold(wanted)


# --- suggest ------------------------------------------------------------------------------------

def suggest(index: Index, kind: str, prefix: str, cursor: int = 0, limit: int = DEFAULT_LIMIT) -> dict:
    """Entities, types or properties whose name (in any language) or identifier starts with the prefix,
    or has a word that does; exact names first."""
    if len(prefix) > MAX_NAME:
        raise BadRequest(f"prefix may have at most {MAX_NAME} characters")
    if not 0 <= cursor <= MAX_CURSOR or not 0 < limit <= MAX_LIMIT:
        raise BadRequest(f"cursor must be from 0 to {MAX_CURSOR} and limit from 1 to {MAX_LIMIT}")
    wanted = fold(prefix)
    if kind == "entity":
        named = [(e.slug, [(n.text, n.folded) for n in e.names]) for e in index.entities.values()]
    elif kind in ("type", "property"):
        terms = {t: index.types[t] for t in index.used_types} if kind == "type" else index.properties
        named = [(term.id, [(text, fold(text)) for text in term.names.values()]) for term in terms.values()]
    else:
        raise BadRequest(f"no suggest service for {kind[:40]!r}: there are entity, type and property")
    ranked = []
    for identifier, names in named:
        fits = [(rank, len(text), text) for text, folded in names if (rank := _prefix_rank(wanted, folded, identifier == prefix)) is not None]
        if fits:
            ranked.append((*min(fits), identifier))
    ranked.sort()
    return {"result": [_suggestion(index, kind, identifier, text) for _, _, text, identifier in ranked[cursor:cursor + limit]]}


def _prefix_rank(wanted: str, folded: str, is_id: bool) -> int | None:
    if is_id or folded == wanted:
        return 0
    if folded.startswith(wanted):
        return 1
    if f" {wanted}" in f" {folded}":
        return 2
    return None


def _suggestion(index: Index, kind: str, identifier: str, name: str) -> dict:
    if kind == "entity":
        entity = index.entities[identifier]
        found = {"id": identifier, "name": name, "notable": [index.type_ref(t) for t in entity.types]}
        description = entity.description
    else:
        term = (index.types if kind == "type" else index.properties)[identifier]
        found = {"id": identifier, "name": name}
        description = term.description
        if kind == "type" and term.broader:
            found["broader"] = [index.type_ref(t) for t in term.broader]
    if description:
        found["description"] = description
    return found


# --- preview ------------------------------------------------------------------------------------

def preview(index: Index, identifier: str, site: str) -> str:
    """A small HTML page on the entity: its name, types, description and names in other languages."""
    slug = index.entity_id(identifier)
    if slug is None:
        raise BadRequest(f"no entity {identifier[:100]!r}", 404)
    entity = index.entities[slug]
    e = html.escape
    types = ", ".join(index.types[t].name for t in entity.types)
    others = "; ".join(f'<span lang="{e(n.lang)}">{e(n.text)}</span>' for n in entity.names if n.text != entity.label)
    qids = ", ".join(local_name(q) for q in entity.values.get(SAME_AS, ()))
    return "\n".join([
        "<!DOCTYPE html>",
        f'<html lang="en"><head><meta charset="utf-8"><title>{e(entity.label)}</title>',
        "<style>body{font:14px/1.4 sans-serif;margin:.5em}p{margin:.3em 0}.k{color:#555}</style></head><body>",
        f'<p><a href="{e(site)}id/{e(slug)}" target="_blank"><strong>{e(entity.label)}</strong></a>'
        + (f' <span class="k">({e(types)})</span>' if types else "") + "</p>",
        *([f"<p>{e(entity.description)}</p>"] if entity.description else []),
        *([f'<p class="k">Also: {others}</p>'] if others else []),
        *([f'<p class="k">Wikidata: {e(qids)}</p>'] if qids else []),
        "</body></html>",
        "",
    ])


# --- data extension -----------------------------------------------------------------------------

def propose_properties(index: Index, type_text: str, limit: int = DEFAULT_LIMIT) -> dict:
    """The properties the entities of a type have, the most used first."""
    if not 0 < limit <= MAX_LIMIT:
        raise BadRequest(f"limit must be from 1 to {MAX_LIMIT}")
    type_id = index.type_id(type_text)
    found = index.properties_by_type.get(type_id, [])[:limit]
    return {"type": type_id, "limit": limit, "properties": [_property_ref(index, p) for p in found]}


def _property_ref(index: Index, pid: str) -> dict:
    term = index.properties[pid]
    return {"id": pid, "name": term.name, **({"description": term.description} if term.description else {})}


def extend(index: Index, query) -> dict:
    """The values of each property asked for, on each entity asked for (none for an unknown entity)."""
    if not isinstance(query, dict) or not isinstance(query.get("ids"), list) or not isinstance(query.get("properties"), list):
        raise BadRequest("extend must be a JSON object with ids (a list of identifiers) and properties (a list of {\"id\": …})")
    ids, properties = query["ids"], query["properties"]
    if len(ids) > MAX_EXTEND_IDS or len(properties) > MAX_EXTEND_PROPERTIES:
        raise BadRequest(f"extend takes at most {MAX_EXTEND_IDS} ids and {MAX_EXTEND_PROPERTIES} properties", 413)
    if not all(isinstance(i, str) for i in ids) or not all(isinstance(p, dict) and isinstance(p.get("id"), str) for p in properties):
        raise BadRequest("extend's ids are strings and its properties objects with an id")
    pids = [index.property_id(p["id"]) for p in properties]
    rows = {}
    for identifier in ids:
        entity = index.entities.get(index.entity_id(identifier) or "")
        rows[identifier] = {pid: [_extension_value(index, v) for v in entity.values.get(pid, ())] if entity else [] for pid in pids}
    return {"meta": [{"id": pid, "name": index.properties[pid].name} for pid in pids], "rows": rows}


def _extension_value(index: Index, value) -> dict:
    """A value as data extension cells hold it: an entity of ours, a date, a number, or a string."""
    text = str(value)
    if isinstance(value, URIRef):
        if text.startswith(str(ID)) and local_name(value) in index.entities:
            return {"id": local_name(value), "name": index.entities[local_name(value)].label}
        if text.startswith(str(WD)):
            return {"str": local_name(value)}
        if text.startswith(str(INTERVAL)) and value in index.intervals:
            return {"str": "/".join(map(str, index.intervals[value]))}  # an ISO 8601 interval
        known = index.types.get(local_name(value)) if _in_ontology(value) else None
        return {"str": known.name if known else text}
    if value.datatype == XSD.date:
        return {"date": f"{text}T00:00:00Z"}
    number = value.toPython()
    if isinstance(number, int) and not isinstance(number, bool):
        return {"int": number}
    if isinstance(number, float):
        return {"float": number}
    return {"str": text}


# --- the endpoint -------------------------------------------------------------------------------

def answer(dist: Path, subpath: str, parameters: dict[str, list[str]], service: str, site: str) -> tuple[int, str, bytes]:
    """(status, content type, body) for a request to the service: `subpath` follows `/reconcile`,
    `parameters` come from the query string or a form body. Errors are JSON: {"status": …, "error": …}."""
    try:
        index = index_for(dist)
        if subpath == "/preview":
            return 200, "text/html; charset=utf-8", preview(index, _one(parameters, "id"), site).encode("utf-8")
        return 200, "application/json", _json(_route(index, subpath, parameters, service, site))
    except BadRequest as error:
        return error.status, "application/json", _json({"status": error.status, "error": str(error)})


def _route(index: Index, subpath: str, parameters: dict[str, list[str]], service: str, site: str) -> dict:
    if subpath in ("", "/"):
        if "queries" in parameters and "extend" in parameters:
            raise BadRequest("send queries or extend, not both")
        if "queries" in parameters:
            return reconcile(index, _parsed(parameters, "queries"))
        if "extend" in parameters:
            return extend(index, _parsed(parameters, "extend"))
        return manifest(index, service, site)
    if subpath.startswith("/suggest/"):
        return suggest(index, subpath.removeprefix("/suggest/"), _one(parameters, "prefix", ""),
                       _number(parameters, "cursor", 0), _number(parameters, "limit", DEFAULT_LIMIT))
    if subpath == "/properties":
        return propose_properties(index, _one(parameters, "type"), _number(parameters, "limit", DEFAULT_LIMIT))
    raise BadRequest(f"no such part of the reconciliation service: /reconcile{subpath[:100]}", 404)


def _one(parameters: dict[str, list[str]], name: str, default: str | None = None) -> str:
    values = parameters.get(name, [])
    if len(values) > 1:
        raise BadRequest(f"{name} is given {len(values)} times")
    if not values and default is None:
        raise BadRequest(f"the parameter {name} is missing")
    return values[0] if values else default


def _number(parameters: dict[str, list[str]], name: str, default: int) -> int:
    text = _one(parameters, name, str(default))
    if not text.isascii() or not text.isdigit() or len(text) > 6:
        raise BadRequest(f"{name} must be a whole number, not {text[:40]!r}")
    return int(text)


def _parsed(parameters: dict[str, list[str]], name: str):
    text = _one(parameters, name)
    try:
        return json.loads(text)
    except (json.JSONDecodeError, RecursionError) as error:
        raise BadRequest(f"{name} is not JSON: {error}") from None


def _json(value) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
