"""What the pages show, read from the built graphs: labels, facts with their claims, where each IRI lives.

Every page path is relative to the site's root folder (`id/<slug>.html`, `source/<name>.html`);
templates prefix it with the way back to that root, so the same links work from `file://` and
from a server.

>>> site_path(ID["walter-bedell-smith"])
'id/walter-bedell-smith.html'
>>> site_path(CAS.pointInTime)
'ontology.html#pointInTime'
>>> format_date(Literal("1943-09-03T14:00:00", datatype=XSD.dateTime))
'3 September 1943, 14:00'
>>> format_date(Literal("1943-09", datatype=XSD.gYearMonth))
'September 1943'
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS, XSD

from cassibile.derive import RANK_ORDER, temporal_bounds
from cassibile.export import entities
from cassibile.namespaces import CAS, ID, INTERVAL, LANGUAGES, ONTOLOGY, SCHEMA, SOURCE, WD, WIKIBASE

LANGUAGE_NAMES = {"en": "English", "it": "Italiano", "de": "Deutsch", "pt": "Português"}
RANK_NAMES = {WIKIBASE.PreferredRank: "preferred", WIKIBASE.NormalRank: "normal", WIKIBASE.DeprecatedRank: "deprecated"}
# The parts of a fact node that the page shows in their own places, not as qualifiers.
FACT_STRUCTURE = {RDF.type, RDF.subject, RDF.predicate, RDF.object, CAS.rank, CAS.rankRationale, CAS.supportedBy, RDFS.comment}
# Index sections, first match wins (a state is both an agent and a place: it is listed with the agents).
CATEGORIES = (
    ("people", "People", CAS.Person),
    ("organisations", "Organisations and states", CAS.Agent),
    ("places", "Places", CAS.Place),
    ("events", "Events", CAS.Event),
)
OTHER_CATEGORY = ("other", "Other things")


def local_name(iri: URIRef) -> str:
    """The last segment of an IRI, after '#' or '/'."""
    text = str(iri)
    return text.rsplit("#", 1)[-1] if "#" in text else text.rsplit("/", 1)[-1]


def site_path(iri: URIRef) -> str | None:
    """Where the page for an IRI we mint lives in the site, or None for an IRI of someone else's."""
    text = str(iri)
    if text.startswith(str(ID)):
        return f"id/{local_name(iri)}.html"
    if text.startswith(str(SOURCE)):
        return f"source/{local_name(iri)}.html"
    if text.startswith(str(CAS)):
        return f"ontology.html#{local_name(iri)}"
    if text == str(ONTOLOGY):
        return "ontology.html"
    return None


def external_url(iri: URIRef) -> str:
    """A browsable address for someone else's IRI: Wikidata items and properties get their wiki pages."""
    text = str(iri)
    if text.startswith(str(WD)):
        return f"https://www.wikidata.org/wiki/{local_name(iri)}"
    if text.startswith("http://www.wikidata.org/prop/direct/"):
        return f"https://www.wikidata.org/wiki/Property:{local_name(iri)}"
    return text


def format_date(value: Literal) -> str:
    """A date literal in words, at exactly the precision its datatype carries."""
    text = str(value)
    if value.datatype == XSD.gYear:
        return text[:4]
    if value.datatype == XSD.gYearMonth:
        return dt.date(int(text[:4]), int(text[5:7]), 1).strftime("%B %Y")
    day = dt.date.fromisoformat(text[:10])
    words = f"{day.day} {day.strftime('%B %Y')}"
    return f"{words}, {text[11:16]}" if value.datatype == XSD.dateTime else words


@dataclass(frozen=True)
class Value:
    """One thing a page shows: its text, where it links (a site path or an outside URL) and its language."""

    text: str
    path: str | None = None
    url: str | None = None
    lang: str | None = None


@dataclass
class FactView:
    """A fact as a page shows it: subject, property, value, qualifiers, rank and the claims it rests on."""

    iri: URIRef
    subject: URIRef
    predicate: URIRef
    object: object
    rank: URIRef
    rationale: str | None
    qualifiers: list[tuple[Value, list[Value]]]
    claims: list[URIRef]
    notes: list[str]
    value: Value
    property: Value
    subject_value: Value
    precision: str | None = None
    earliest: dt.date | None = None
    latest: dt.date | None = None

    @property
    def anchor(self) -> str:
        return local_name(self.iri)

    @property
    def path(self) -> str:
        return f"id/{local_name(self.subject)}.html#{self.anchor}"

    @property
    def rank_name(self) -> str:
        return RANK_NAMES.get(self.rank, "normal")

    @property
    def rank_order(self) -> int:
        return RANK_ORDER.get(self.rank, 1)


@dataclass
class FactGroup:
    """The facts on one subject and property; a disagreement when sources give rival values or ranks."""

    property: Value
    predicate: URIRef
    facts: list[FactView] = field(default_factory=list)
    disagreement: bool = False


@dataclass
class ClaimView:
    iri: URIRef
    source: URIRef
    quote: Literal
    facts: list[FactView]

    @property
    def anchor(self) -> str:
        return local_name(self.iri)

    @property
    def path(self) -> str:
        return f"source/{local_name(self.source)}.html#{self.anchor}"


class SiteGraph:
    """Read-only questions the pages ask of a build: labels, facts, claims, categories.

    The graphs do not change while the site is written, so every answer that many pages ask for
    (a term's labels and how it shows, the facts by subject, by value and by claim) is worked out
    once: writing the site stays linear in the size of the build.
    """

    def __init__(self, built):
        self.built = built
        self.data: Graph = built.graphs["asserted"]
        self.ontology: Graph = built.graphs["ontology"]
        self.derived: Graph = built.graphs["derived"]
        self.inferred: Graph = built.graphs["inferred"]
        self.texts: dict[URIRef, str] = built.dataset.source_texts
        self._labels: dict[URIRef, list[tuple[str, str, bool]]] = {}
        self._values: dict[URIRef, Value] = {}
        self._groups: dict[URIRef, list[FactGroup]] = {}

    # --- things and their names -------------------------------------------------------------

    @cached_property
    def entities(self) -> list[URIRef]:
        return entities(self.data)

    @cached_property
    def sources(self) -> list[URIRef]:
        return sorted(self.data.subjects(RDF.type, CAS.Source))

    def labels(self, term: URIRef) -> list[tuple[str, str, bool]]:
        """(language, label, editorial?) in the four languages: names a source uses before editorial ones.

        Read once per term: every link to a term shows its label."""
        if term not in self._labels:
            self._labels[term] = self._read_labels(term)
        return self._labels[term]

    def _read_labels(self, term: URIRef) -> list[tuple[str, str, bool]]:
        graph = self.ontology if str(term).startswith(str(CAS)) else self.data
        found = []
        for lang in LANGUAGES:
            for predicate, editorial in ((RDFS.label, False), (CAS.editorialLabel, True)):
                for label in sorted(graph.objects(term, predicate)):
                    if isinstance(label, Literal) and label.language == lang:
                        found.append((lang, str(label), editorial))
        return found

    def label(self, term, lang: str = "en") -> str:
        if isinstance(term, Literal):
            return str(term)
        for language, text, _ in self.labels(term):
            if language == lang:
                return text
        if term == RDF.type:
            return "instance of"
        return local_name(term).replace("-", " ")

    def value(self, term) -> Value:
        """How a page shows any object: a linked label, a date in words, a number, a string in its language.

        An IRI's Value is worked out once (a Value is immutable): the same entities recur on many pages.
        Literals are not kept: rdflib counts some with different text as equal (language tags in other case)."""
        if isinstance(term, Literal):
            return self._read_value(term)
        if term not in self._values:
            self._values[term] = self._read_value(term)
        return self._values[term]

    def _read_value(self, term) -> Value:
        if isinstance(term, Literal):
            if term.datatype in (XSD.gYear, XSD.gYearMonth, XSD.date, XSD.dateTime):
                return Value(format_date(term))
            return Value(str(term), lang=term.language)
        if str(term).startswith(str(INTERVAL)):
            return Value(self.interval_text(term))
        path = site_path(term)
        if path:
            return Value(self.label(term), path=path, lang="en")
        short = self.data.namespace_manager.normalizeUri(term)  # a prefixed name, or <iri> when no prefix fits
        return Value(str(term) if short.startswith("<") else short, url=external_url(term))

    def property_value(self, predicate: URIRef) -> Value:
        """A property by its English label, linked to its documentation (rdf:type reads "instance of")."""
        path = site_path(predicate)
        return Value(self.label(predicate), path=path, url=None if path else external_url(predicate), lang="en")

    def interval_text(self, span: URIRef) -> str:
        earliest, latest = self.data.value(span, CAS.earliest), self.data.value(span, CAS.latest)
        if earliest is None or latest is None:
            return local_name(span)
        return f"between {format_date(earliest)} and {format_date(latest)}"

    def description(self, entity: URIRef) -> str | None:
        text = self.data.value(entity, SCHEMA.description)
        return str(text) if text is not None else None

    def types(self, entity: URIRef) -> set[URIRef]:
        """Asserted and inferred classes: the OWL RL closure gives every superclass."""
        return set(self.data.objects(entity, RDF.type)) | set(self.inferred.objects(entity, RDF.type))

    def category(self, entity: URIRef) -> tuple[str, str]:
        types = self.types(entity)
        for key, title, cls in CATEGORIES:
            if cls in types:
                return key, title
        return OTHER_CATEGORY

    def wikidata(self, entity: URIRef) -> list[Value]:
        return [Value(local_name(q), url=external_url(q)) for q in sorted(self.data.objects(entity, OWL.sameAs))]

    # --- facts and claims --------------------------------------------------------------------

    @cached_property
    def facts(self) -> dict[URIRef, FactView]:
        return {fact: self._fact_view(fact) for fact in sorted(self.data.subjects(RDF.type, CAS.Fact))}

    def _fact_view(self, fact: URIRef) -> FactView:
        data = self.data
        subject, predicate, obj = data.value(fact, RDF.subject), data.value(fact, RDF.predicate), data.value(fact, RDF.object)
        qualifiers = sorted(
            {p for p in data.predicates(fact) if p not in FACT_STRUCTURE}, key=lambda p: (self.label(p), str(p))
        )
        bounds = temporal_bounds(data, obj)
        precision = self.derived.value(fact, CAS.datePrecision)
        rationale = data.value(fact, CAS.rankRationale)
        return FactView(
            iri=fact, subject=subject, predicate=predicate, object=obj,
            rank=data.value(fact, CAS.rank) or WIKIBASE.NormalRank,
            rationale=str(rationale) if rationale is not None else None,
            qualifiers=[(self.property_value(q), [self.value(v) for v in sorted(data.objects(fact, q))]) for q in qualifiers],
            claims=sorted(data.objects(fact, CAS.supportedBy)),
            notes=sorted(str(n) for n in data.objects(fact, RDFS.comment)),
            value=self.value(obj), property=self.property_value(predicate), subject_value=self.value(subject),
            precision=self.label(precision) if precision is not None else None,
            earliest=bounds[0] if bounds else None, latest=bounds[1] if bounds else None,
        )

    def _facts_by(self, keys) -> dict[object, list[FactView]]:
        """The facts under each of their `keys(fact)`, in the order of `facts`."""
        found: dict[object, list[FactView]] = {}
        for fact in self.facts.values():
            for key in keys(fact):
                found.setdefault(key, []).append(fact)
        return found

    @cached_property
    def _facts_by_subject(self) -> dict[URIRef, list[FactView]]:
        return self._facts_by(lambda fact: (fact.subject,))

    def fact_groups(self, entity: URIRef) -> list[FactGroup]:
        """The entity's facts by property (in label order), each group marked when it is a disagreement.

        Grouped once per entity: its page and the timeline both ask."""
        if entity not in self._groups:
            self._groups[entity] = self._group_facts(entity)
        return self._groups[entity]

    def _group_facts(self, entity: URIRef) -> list[FactGroup]:
        groups: dict[URIRef, FactGroup] = {}
        for fact in self._facts_by_subject.get(entity, []):
            groups.setdefault(fact.predicate, FactGroup(fact.property, fact.predicate)).facts.append(fact)
        for group in groups.values():
            group.facts.sort(key=lambda f: (f.rank_order, f.earliest or dt.date.max, f.value.text, str(f.iri)))
            group.disagreement = self.disagree(group)
        return sorted(groups.values(), key=self._group_order)

    @staticmethod
    def _group_order(group: FactGroup) -> tuple:
        """Dates first, narrative summaries last, everything else by its property's label."""
        place = 0 if any(f.earliest for f in group.facts) else 2 if group.predicate == CAS.summary else 1
        return place, group.property.text.lower(), str(group.predicate)

    def disagree(self, group: FactGroup) -> bool:
        """Rival facts: several values of a single-valued property, or facts the editors ranked apart."""
        if len(group.facts) < 2:
            return False
        single = (group.predicate, RDF.type, CAS.SingleValuedProperty) in self.ontology
        ranked_apart = len({f.rank for f in group.facts}) > 1 or any(f.rationale for f in group.facts)
        return single or ranked_apart

    def mentions(self, entity: URIRef) -> list[FactView]:
        """Facts about other things whose value or qualifiers name this entity."""
        found = {fact.iri: fact for fact in self._facts_by_value.get(entity, [])}
        found.update((fact.iri, fact) for fact in self._facts_by_qualifier_path.get(site_path(entity), []))
        named = [fact for fact in found.values() if fact.subject != entity]
        return sorted(named, key=lambda f: (f.subject_value.text.lower(), f.property.text, str(f.iri)))

    @cached_property
    def _facts_by_value(self) -> dict[object, list[FactView]]:
        return self._facts_by(lambda fact: (fact.object,))

    @cached_property
    def _facts_by_qualifier_path(self) -> dict[str, list[FactView]]:
        """By the page a qualifier links to: how a qualifier names an entity."""
        return self._facts_by(lambda fact: {v.path for _, values in fact.qualifiers for v in values if v.path is not None})

    @cached_property
    def claims(self) -> dict[URIRef, ClaimView]:
        supported: dict[URIRef, list[FactView]] = {}
        for fact in self.facts.values():
            for claim in fact.claims:
                supported.setdefault(claim, []).append(fact)
        return {
            claim: ClaimView(claim, self.data.value(claim, CAS.source), self.data.value(claim, CAS.quote), supported.get(claim, []))
            for claim in sorted(self.data.subjects(RDF.type, CAS.Claim))
        }

    def claims_from(self, source: URIRef) -> list[ClaimView]:
        return self._claims_by_source.get(source, [])

    @cached_property
    def _claims_by_source(self) -> dict[URIRef, list[ClaimView]]:
        """Each source's claims, in the order of `claims`."""
        found: dict[URIRef, list[ClaimView]] = {}
        for claim in self.claims.values():
            found.setdefault(claim.source, []).append(claim)
        return found

    def date_facts(self) -> list[FactView]:
        """Every fact whose value is a date or a time span (the build derived its day bounds)."""
        return [f for f in self.facts.values() if f.earliest is not None]

    def definition(self, term: URIRef) -> str | None:
        text = self.ontology.value(term, SKOS.definition)
        return str(text) if text is not None else None

