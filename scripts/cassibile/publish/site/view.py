"""What the pages show, read from the build (its hand-written graph and ontology, its index and store): labels, facts with their claims, where each IRI lives.

`SiteGraph` answers once, for every language, what the graph says; `Display` shows it in one
language: labels in that language (English, marked, where it has none), dates in its words.

Every page path is relative to a language's root folder (`id/<slug>.html`, `source/<name>.html`);
pages prefix it with the way back to that root, so the same links work from `file://`, from a
server and in every language.

>>> site_path(ID["walter-bedell-smith"]), site_path(FACT["x--pointInTime--1943"])
('id/walter-bedell-smith.html', 'fact/x--pointInTime--1943.html')
>>> site_path(CAS.pointInTime)
'ontology.html#pointInTime'
>>> external_url(WD.Q200085)
'https://www.wikidata.org/wiki/Q200085'
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS

from cassibile.namespaces import CAS, CLAIM, FACT, GRAPH, ID, INTERVAL, LANGUAGES, ONTOLOGY, SCHEMA, SOURCE, WD, WDT, WIKIBASE, prefixed
from cassibile.pipeline.derive import RANK_ORDER, temporal_bounds
from cassibile.pipeline.store import StoreView
from cassibile.publish.publication import entities
from cassibile.publish.site.i18n import DATE_TYPES, DEFAULT_LANGUAGE, Words

RDF_TYPE = str(RDF.type)
RANK_NAMES = {WIKIBASE.PreferredRank: "preferred", WIKIBASE.NormalRank: "normal", WIKIBASE.DeprecatedRank: "deprecated"}
# What knowledge from outside the four texts a rank's rationale rests on (added to the ontology by the data's editors).
OUTSIDE_KNOWLEDGE = CAS.outsideKnowledge
# The parts of a fact node that the page shows in their own places, not as qualifiers.
FACT_STRUCTURE = {RDF.type, RDF.subject, RDF.predicate, RDF.object, CAS.rank, CAS.rankRationale, CAS.supportedBy,
                  RDFS.comment, OUTSIDE_KNOWLEDGE}
# Index sections, first match wins (a state is both an agent and a place: it is listed with the agents).
CATEGORIES = (("people", CAS.Person), ("organisations", CAS.Agent), ("places", CAS.Place), ("events", CAS.Event))
OTHER_CATEGORY = "other"
# Where the pages of the IRIs we mint live, by namespace (the query page's script reads the same table).
PAGE_PATHS = ((str(ID), "id/{}.html"), (str(SOURCE), "source/{}.html"), (str(FACT), "fact/{}.html"),
              (str(CLAIM), "claim/{}.html"), (str(CAS), "ontology.html#{}"))
# Browsable addresses of someone else's IRIs: Wikidata items and properties get their wiki pages.
EXTERNAL_PAGES = ((str(WD), "https://www.wikidata.org/wiki/{}"), (str(WDT), "https://www.wikidata.org/wiki/Property:{}"))


def local_name(iri: URIRef) -> str:
    """The last segment of an IRI, after '#' or '/'."""
    text = str(iri)
    return text.rsplit("#", 1)[-1] if "#" in text else text.rsplit("/", 1)[-1]


def site_path(iri: URIRef) -> str | None:
    """Where the page for an IRI we mint lives in the site, or None for an IRI of someone else's."""
    text = str(iri)
    if text == str(ONTOLOGY):
        return "ontology.html"
    for namespace, path in PAGE_PATHS:
        if text.startswith(namespace) and len(text) > len(namespace):
            return path.format(text[len(namespace):])
    return None


def external_url(iri: URIRef) -> str:
    text = str(iri)
    for namespace, url in EXTERNAL_PAGES:
        if text.startswith(namespace):
            return url.format(text[len(namespace):])
    return text


@dataclass(frozen=True)
class Value:
    """One thing a page shows: its text, where it links (a site path or an outside URL), the language of
    the text, and whether that language is a fallback for want of a text in the page's language."""

    text: str
    path: str | None = None
    url: str | None = None
    lang: str | None = None
    fallback: bool = False


@dataclass
class FactView:
    """A fact as the pages show it, in no language yet: its terms, rank, qualifiers and the claims it rests on."""

    iri: URIRef
    subject: URIRef
    predicate: URIRef
    object: object
    rank: URIRef
    rationale: Literal | None
    outside_knowledge: list[Literal]
    qualifiers: list[tuple[URIRef, list]]
    claims: list[URIRef]
    notes: list[Literal]
    precision: URIRef | None = None
    earliest: dt.date | None = None
    latest: dt.date | None = None

    @cached_property
    def anchor(self) -> str:
        return local_name(self.iri)

    @cached_property
    def path(self) -> str:
        """The fact where its subject's page shows it."""
        return f"id/{local_name(self.subject)}.html#{self.anchor}"

    @cached_property
    def page(self) -> str | None:
        """The fact's own page, where its IRI dereferences."""
        return site_path(self.iri) if str(self.iri).startswith(str(FACT)) else None

    @cached_property
    def rank_name(self) -> str:
        return RANK_NAMES.get(self.rank, "normal")

    @cached_property
    def rank_order(self) -> int:
        return RANK_ORDER.get(self.rank, 1)


@dataclass
class FactGroup:
    """The facts on one subject and property; a disagreement when sources give rival values or ranks."""

    predicate: URIRef
    facts: list[FactView] = field(default_factory=list)
    disagreement: bool = False


@dataclass
class ClaimView:
    iri: URIRef
    source: URIRef
    quote: Literal
    facts: list[FactView]

    @cached_property
    def anchor(self) -> str:
        return local_name(self.iri)

    @cached_property
    def path(self) -> str:
        """The passage where its source's page shows it."""
        return f"source/{local_name(self.source)}.html#{self.anchor}"

    @cached_property
    def page(self) -> str | None:
        return site_path(self.iri) if str(self.iri).startswith(str(CLAIM)) else None


class SiteGraph:
    """Read-only questions the pages ask of a build: labels, facts, claims, categories.

    The graphs do not change while the site is written, so every answer that many pages ask for
    (a term's labels, the facts by subject, by value and by claim) is worked out once, for all four
    languages: writing the site stays linear in the size of the build.
    """

    def __init__(self, built):
        self.built = built
        self.data: StoreView = built.dataset.asserted
        self.ontology: Graph = built.dataset.ontology
        self.index = built.publication  # the derived layer's precision of each dated fact
        self.inferred = built.layers.view(GRAPH["inferred"])
        self.texts: dict[URIRef, str] = built.dataset.source_texts
        self._labels: dict[URIRef, list[tuple[str, str, bool]]] = {}
        self._groups: dict[URIRef, list[FactGroup]] = {}
        self._source_titles: dict[URIRef, Value] = {}

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
        kinds = ((sorted(graph.objects(term, RDFS.label)), False), (sorted(graph.objects(term, CAS.editorialLabel)), True))
        return [(lang, str(label), editorial) for lang in LANGUAGES for labels, editorial in kinds
                for label in labels if isinstance(label, Literal) and label.language == lang]

    def source_title(self, source: URIRef) -> Value:
        """A source's title, in its own language, linked to its page; read once, as every quotation cites one."""
        if source not in self._source_titles:
            title = self.data.value(source, DCTERMS.title)
            self._source_titles[source] = Value(
                str(title) if title else local_name(source), path=f"source/{local_name(source)}.html",
                lang=title.language if isinstance(title, Literal) else None)
        return self._source_titles[source]

    def alternative_labels(self, term: URIRef) -> list[Literal]:
        return sorted(self.data.objects(term, SKOS.altLabel))

    def description(self, entity: URIRef) -> Literal | None:
        return self.data.value(entity, SCHEMA.description)

    def types(self, entity: URIRef) -> set[URIRef]:
        """Asserted and inferred classes: the OWL RL closure gives every superclass."""
        return set(self.data.objects(entity, RDF.type)) | set(self.inferred.objects(entity, RDF.type))

    def category(self, entity: URIRef) -> str:
        types = self.types(entity)
        return next((key for key, cls in CATEGORIES if cls in types), OTHER_CATEGORY)

    def wikidata(self, entity: URIRef) -> list[URIRef]:
        return sorted(self.data.objects(entity, OWL.sameAs))

    def definition(self, term: URIRef) -> Literal | None:
        return self.ontology.value(term, SKOS.definition)

    # --- facts and claims --------------------------------------------------------------------

    @cached_property
    def facts(self) -> dict[URIRef, FactView]:
        return {fact: self._fact_view(fact) for fact in sorted(self.data.subjects(RDF.type, CAS.Fact))}

    def _fact_view(self, fact: URIRef) -> FactView:
        said: dict[URIRef, list] = {}  # what the fact node says, read in one look-up: predicate -> its objects
        for predicate, value in self.data.predicate_objects(fact):
            said.setdefault(predicate, []).append(value)
        first = {predicate: values[0] for predicate, values in said.items()}.get  # as `value()` gives it
        english = Display.english(self)
        qualifiers = sorted((p for p in said if p not in FACT_STRUCTURE), key=lambda p: (english.label(p).text, str(p)))
        obj = first(RDF.object)
        bounds = temporal_bounds(self.data, obj)
        return FactView(
            iri=fact, subject=first(RDF.subject), predicate=first(RDF.predicate), object=obj,
            rank=first(CAS.rank) or WIKIBASE.NormalRank,
            rationale=first(CAS.rankRationale),
            outside_knowledge=sorted(said.get(OUTSIDE_KNOWLEDGE, ())),
            qualifiers=[(q, sorted(said[q])) for q in qualifiers],
            claims=sorted(said.get(CAS.supportedBy, ())),
            notes=sorted(said.get(RDFS.comment, ())),
            precision=self.index.value(fact, CAS.datePrecision),
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
        """The entity's facts by property, each group marked when it is a disagreement; the facts of a
        group by rank, then date. Grouped once per entity: its pages in four languages and the timeline ask."""
        if entity not in self._groups:
            self._groups[entity] = self._group_facts(entity)
        return self._groups[entity]

    def _group_facts(self, entity: URIRef) -> list[FactGroup]:
        groups: dict[URIRef, FactGroup] = {}
        english = Display.english(self)
        for fact in self._facts_by_subject.get(entity, []):
            groups.setdefault(fact.predicate, FactGroup(fact.predicate)).facts.append(fact)
        for group in groups.values():
            group.facts.sort(key=lambda f: (f.rank_order, f.earliest or dt.date.max, english.value(f.object).text, str(f.iri)))
            group.disagreement = self.disagree(group)
        return list(groups.values())

    def disagree(self, group: FactGroup) -> bool:
        """Rival facts: several values of a single-valued property, or facts the editors ranked apart."""
        if len(group.facts) < 2:
            return False
        single = (group.predicate, RDF.type, CAS.SingleValuedProperty) in self.ontology
        ranked_apart = len({f.rank for f in group.facts}) > 1 or any(f.rationale for f in group.facts)
        return single or ranked_apart

    @cached_property
    def disputed(self) -> set[URIRef]:
        """Every fact in a disagreement."""
        return {f.iri for e in self.entities for g in self.fact_groups(e) if g.disagreement for f in g.facts}

    def mentions(self, entity: URIRef) -> list[FactView]:
        """Facts about other things whose value or qualifiers name this entity."""
        found = {fact.iri: fact for fact in self._facts_by_value.get(entity, [])}
        found.update((fact.iri, fact) for fact in self._facts_by_qualifier.get(entity, []))
        return sorted((fact for fact in found.values() if fact.subject != entity), key=lambda f: (str(f.subject), str(f.iri)))

    @cached_property
    def _facts_by_value(self) -> dict[object, list[FactView]]:
        return self._facts_by(lambda fact: (fact.object,))

    @cached_property
    def _facts_by_qualifier(self) -> dict[object, list[FactView]]:
        return self._facts_by(lambda fact: {v for _, values in fact.qualifiers for v in values if isinstance(v, URIRef)})

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

    def prepare(self) -> None:
        """Work out now what the pages of every kind ask for (each fact and claim, the facts by what they name,
        every entity's groups of facts), so that processes forked after this share the answers."""
        for answer in ("entities", "sources", "claims", "_claims_by_source", "_facts_by_value", "_facts_by_qualifier", "disputed", "displays"):
            getattr(self, answer)  # a cached property: kept once worked out

    @cached_property
    def displays(self) -> dict[str, Display]:
        """One display per language, each remembering how it shows the terms that recur on many pages."""
        return {lang: Display(self, Words(lang)) for lang in LANGUAGES}


class Display:
    """The graph's terms as one language shows them: a label in that language, or in English marked as
    a fallback; dates in that language's words; a link to the term's page."""

    def __init__(self, site: SiteGraph, words: Words):
        self.site, self.words, self.lang = site, words, words.lang
        self._values: dict[URIRef, Value] = {}
        self._properties: dict[URIRef, Value] = {}

    @staticmethod
    def english(site: SiteGraph) -> "Display":
        return site.displays[DEFAULT_LANGUAGE]

    def label(self, term) -> Value:
        """The term's label in this language, else in English (marked as a fallback), else its local name."""
        labels = self.site.labels(term)
        for wanted in (self.lang, DEFAULT_LANGUAGE):
            for language, text, _ in labels:
                if language == wanted:
                    return Value(text, lang=language, fallback=language != self.lang)
        if str(term) == RDF_TYPE:
            return Value(self.words("fact.instance_of"), lang=self.lang)
        return Value(local_name(term).replace("-", " "))

    def text(self, literal: Literal | None) -> Value | None:
        """A descriptive text (a description, a rationale, a note): in its own language, marked as a fallback
        when that is not the page's."""
        if literal is None:
            return None
        lang = literal.language
        return Value(str(literal), lang=lang, fallback=bool(lang) and lang != self.lang)

    def value(self, term) -> Value:
        """How a page shows any object: a linked label, a date in words, a number, a string in its language.

        An IRI's Value is worked out once per language (a Value is immutable): the same entities recur on
        many pages. Literals are not kept: rdflib counts some with different text as equal."""
        if isinstance(term, Literal):
            return self._literal(term)
        if term not in self._values:
            self._values[term] = self._iri(term)
        return self._values[term]

    def _literal(self, term: Literal) -> Value:
        """A value as the data holds it. A string in another language is a source's own words (what it calls a
        thing, what it says a motive was), shown in that language and so tagged, but not as a fallback: no
        translation is missing."""
        if term.datatype in DATE_TYPES:
            return Value(self.words.date(term))
        return Value(str(term), lang=term.language)

    def _iri(self, term) -> Value:
        if str(term).startswith(str(INTERVAL)):
            return Value(self.interval_text(term))
        path = site_path(term)
        if path:
            label = self.label(term)
            return Value(label.text, path=path, lang=label.lang, fallback=label.fallback)
        short = prefixed(term)  # a prefixed name, or <iri> when no prefix fits
        return Value(str(term) if short.startswith("<") else short, url=external_url(term))

    def property(self, predicate: URIRef) -> Value:
        """A property by its label, linked to its documentation (rdf:type reads "instance of"); worked out once per language."""
        if predicate not in self._properties:
            self._properties[predicate] = self._property(predicate)
        return self._properties[predicate]

    def _property(self, predicate: URIRef) -> Value:
        path = site_path(predicate)
        label = self.label(predicate)
        return Value(label.text, path=path, url=None if path else external_url(predicate), lang=label.lang, fallback=label.fallback)

    def interval_text(self, span: URIRef) -> str:
        data = self.site.data
        earliest, latest = data.value(span, CAS.earliest), data.value(span, CAS.latest)
        if earliest is None or latest is None:
            return local_name(span)
        return self.words.interval(earliest, latest)

    def rank(self, fact: FactView) -> str:
        return self.words(f"rank.{fact.rank_name}")

    def precision(self, fact: FactView) -> str | None:
        return self.label(fact.precision).text if fact.precision is not None else None
