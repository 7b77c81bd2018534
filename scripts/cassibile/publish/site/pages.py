"""Render every page of the site from a SiteGraph, in each of the four languages: entity, source, fact, claim and
ontology pages in Python, the others with Jinja2 templates (autoescaped), all in the same frame.

What a page shows is worked out once (its facts, claims and their order in no language); each
language then renders it with its own display (labels, dates, interface strings). Every text from the
data is escaped with markupsafe, in Python as the templates' autoescape does. The templates are
compiled once, when the renderer starts.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup, escape
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS

from cassibile.namespaces import BASE, CAS, DCAT, LANGUAGES, ONTOLOGY, PREFIXES, VOID, WD, WDT
from cassibile.pipeline.load import source_language
from cassibile.publish.site.describe import SIBLINGS
from cassibile.publish.site.highlight import Piece, paragraphs
from cassibile.publish.site.i18n import DEFAULT_LANGUAGE, Words, prefix
from cassibile.publish.site.queries import parameter_rules
from cassibile.publish.site.timeline import Row, label_top, legend, timeline_svg
from cassibile.publish.site.view import (
    CATEGORIES,
    EXTERNAL_PAGES,
    OTHER_CATEGORY,
    PAGE_PATHS,
    ClaimView,
    Display,
    FactGroup,
    FactView,
    SiteGraph,
    Value,
    local_name,
)
from cassibile.sparql.query import PARAMETER_TYPES

# Relations the ontology documentation lists for a term, in this order, with the keys of their headings.
TERM_RELATIONS = (
    (RDF.type, "kind"), (RDFS.subClassOf, "subclass_of"), (RDFS.subPropertyOf, "subproperty_of"),
    (OWL.inverseOf, "inverse_of"), (RDFS.domain, "domain"), (RDFS.range, "range"),
    (OWL.disjointWith, "disjoint_with"), (SKOS.closeMatch, "close_match"), (SKOS.exactMatch, "exact_match"),
)
TERM_KINDS = ("classes", "properties", "individuals")
# The ontology's own files, beside the site (suffix, media type, name), as its page lists them.
ONTOLOGY_FILES = ((".ttl", "text/turtle", "Turtle"), (".jsonld", "application/ld+json", "JSON-LD"),
                  (".nt", "application/n-triples", "N-Triples"))
PROPERTY_TYPES = (OWL.ObjectProperty, OWL.DatatypeProperty, RDF.Property)
SOURCE_META = (
    (DCTERMS.language, "language"), (CAS.kindOfText, "kind_of_text"), (DCTERMS.publisher, "publisher"),
    (DCTERMS.license, "licence"), (CAS.attribution, "attribution"), (CAS.originalFileName, "original_file"),
    (CAS.sha256, "sha256"), (RDFS.comment, "note"),
)
ONTOLOGY_HEADER = (
    (DCTERMS.description, "description"), (RDFS.comment, "note"), (OWL.versionInfo, "version"),
    (OWL.versionIRI, "version_iri"), (DCTERMS.creator, "creator"), (DCTERMS.created, "created"),
    (DCTERMS.modified, "modified"), (DCTERMS.license, "licence"), (SKOS.changeNote, "changes"),
)
# Language names in their own language, for the language switch.
ENDONYMS = tuple((lang, Words(lang).name) for lang in LANGUAGES)


def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("cassibile.publish.site", "templates"),
        autoescape=select_autoescape(default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,  # the templates do not change while the site is written: no stat of each per page
    )
    env.globals.update(languages=ENDONYMS, prefix=prefix, siblings=SIBLINGS)
    return env


@dataclass
class EntityContent:
    """What an entity's page shows, read once for its pages in the four languages."""

    iri: URIRef
    page: str  # the page's path, relative to a language's root folder
    data: str  # where its data siblings are, relative to the site's root folder (without their suffixes)
    classes: list[URIRef]
    description: Literal | None
    comments: list[Literal]
    labels: list[tuple[str, str, bool]]
    wikidata: list[URIRef]
    groups: list[FactGroup]
    mentions: list[FactView]


@dataclass
class SourceContent:
    """What a source's page shows, read once for its pages in the four languages: its text cut into paragraphs,
    sentences and pieces, and its claims numbered in the order their passages start in it."""

    iri: URIRef
    page: str
    data: str
    title: Value
    meta: list[tuple[str, list]]  # (key of the heading, the terms the data gives)
    text_lang: str
    layout: list[list[list[Piece]]]
    numbers: dict[str, int]  # a claim's anchor: its passage's number
    claims: list[ClaimView]


class ValueHtml:
    """A Value as HTML in one language, on a page `home` away from the language's root folder: a link to its
    page or outside, its language marked where it is not the page's, and a marker on a fallback text.

    A term's HTML (a Value with a page or an outside address: an entity, a property, a source) is written once
    for each way of showing it, linked or not, and kept: the same terms recur on many pages. The key is the
    Value itself, its plain strings compared exactly, so no two texts ever share an entry; texts of the data
    (literals, descriptions, notes) are written each time, as few of them recur."""

    def __init__(self, words: Words, home: str):
        self.lang, self.home = words.lang, home
        self._markers = {lang: f' <small class="fallback" title="{escape(words("fallback", language=words(f"languages.{lang}")))}">'
                               f"{lang.upper()}</small>" for lang in LANGUAGES}
        self._terms: dict[tuple[Value, bool], Markup] = {}

    def __call__(self, v: Value, link: bool = True) -> Markup:
        if not (v.path or v.url):
            return self._html(v, link)
        key = (v, link)
        html = self._terms.get(key)
        if html is None:
            html = self._terms[key] = self._html(v, link)
        return html

    def _html(self, v: Value, link: bool) -> Markup:
        text = escape(v.text)
        lang = f' lang="{escape(v.lang)}"' if v.lang and v.lang != self.lang else ""
        if link and v.path:
            html = f'<a href="{self.home}{escape(v.path)}"{lang}>{text}</a>'
        elif link and v.url:
            html = f'<a href="{escape(v.url)}" rel="external"{lang}>{text}</a>'
        elif lang:
            html = f"<span{lang}>{text}</span>"
        else:
            html = text
        if v.fallback:
            html += self._markers.get(v.lang, "")
        return Markup(html)


class Fragments:
    """What many pages show the same way, written once per language and depth in Python rather than by a
    template for each page: the frame around every page (head, header, footer) from parts worked out once,
    the links to a page's data, a fact's statement (its entity's page and its own), a quotation and its
    citation (every page that cites it), a fact in one line (claims, sources, mentions); and the entity,
    source, fact and claim pages whole, nearly all of the site's pages and of its time.
    (A template's every call and macro costs more than the string it writes.)"""

    SECTIONS = (("index.html", "nav.index"), ("timeline.html", "nav.timeline"), ("index.html#sources", "nav.sources"),
                ("sparql/index.html", "nav.queries"), ("ontology.html", "nav.ontology"), ("dataset.html", "nav.dataset"))

    def __init__(self, display: Display, value: ValueHtml):
        self.display, self.words, self.value, self.home = display, display.words, value, value.home
        self.lang = display.lang
        self.root = self.home + ("../" if self.lang != DEFAULT_LANGUAGE else "")
        self._statements: dict[URIRef, Markup] = {}
        self._property_values: dict[URIRef, str] = {}
        self._quotes: dict[URIRef, Markup] = {}
        self._cites: dict[URIRef, Markup] = {}
        self._said: dict[str, str] = {}
        self._frame_parts()

    def _frame_parts(self) -> None:
        """The frame around a page's path and title, worked out once: every page of the language and depth has it."""
        home, root = self.home, self.root
        site_name = self.said("site.name")
        self._head_top = (
            "<!DOCTYPE html>\n<!-- Generated by `cassibile build` from ontology/ and graph/ — do not edit; edit the sources "
            f'and rebuild. -->\n<html lang="{self.lang}">\n<head>\n<meta charset="utf-8">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n<title>')
        self._after_title = (f' · {site_name}</title>\n<link rel="icon" href="data:,">\n'
                             f'<link rel="stylesheet" href="{root}static/site.css">\n')
        self._alternates = [f'<link rel="alternate" hreflang="{lang}" href="{root}{prefix(lang)}' for lang in LANGUAGES]
        self._alternates.append(f'<link rel="alternate" hreflang="x-default" href="{root}')
        self._header_top = (
            f'<a class="skip" href="#main">{self.said("nav.skip")}</a>\n<header class="site">\n<div class="bar">\n'
            f'<a class="home" href="{home}index.html">{site_name}</a>\n'
            f'<nav class="languages" aria-label="{self.said("nav.languages")}"><ul>')
        current = ' aria-current="page"'
        self._switch = [(f'<li><a href="{root}{prefix(lang)}',
                         f'" hreflang="{lang}" lang="{lang}"{current if lang == self.lang else ""}>{escape(name)}</a></li>')
                        for lang, name in ENDONYMS]
        sections = "".join(f'<li><a href="{home}{path}">{self.said(key)}</a></li>' for path, key in self.SECTIONS)
        self._header_bottom = (
            f'</ul></nav>\n</div>\n<div class="bar">\n<nav class="sections" aria-label="{self.said("nav.site")}"><ul>{sections}</ul></nav>\n'
            f'<form class="search" role="search" action="{home}search.html">'
            f'<label class="visually-hidden" for="site-search">{self.said("search.label")}</label>'
            f'<input id="site-search" name="q" type="search" autocomplete="off">'
            f'<button type="submit">{self.said("search.button")}</button></form>\n</div>\n</header>')
        self._footer = (
            f'<footer class="site">\n<p>{self.said("footer.sources")} {self.said("footer.licence")} '
            f'<a href="https://creativecommons.org/licenses/by-sa/4.0/" rel="license">CC BY-SA 4.0</a>. '
            f'{self.said("footer.generated")}</p>\n</footer>')

    def said(self, key: str) -> str:
        """The interface string `key` (one without placeholders) as HTML, escaped once per language."""
        if key not in self._said:
            self._said[key] = str(escape(self.words(key)))
        return self._said[key]

    # --- the frame around every page (the templates' base.html calls these too) --------------------------

    def top(self, page: str, title: str, head: str = "") -> Markup:
        """A page at `page` up to its content: its title (escaped here), the page in the other languages, `head`
        (more of the head, as HTML), and the header."""
        return Markup(f"{self._head_top}{escape(title)}{self._after_title}{self._alternates_of(page)}\n{head}</head>\n"
                      f'<body>\n{self._header(page)}\n<main id="main">\n')

    def bottom(self, scripts: str = "") -> Markup:
        """A page after its content: the footer, then `scripts` (as HTML)."""
        return Markup(f"</main>\n{self._footer}\n{scripts}</body>\n</html>\n")

    def _alternates_of(self, page: str) -> str:
        """The page in every language (hreflang), English the default."""
        return "\n".join(f'{link}{page}">' for link in self._alternates)

    def _header(self, page: str) -> str:
        """The skip link, the site's name, the switch to the same page in another language, the sections, the search field."""
        switch = "".join(f"{before}{page}{after}" for before, after in self._switch)
        return f"{self._header_top}{switch}{self._header_bottom}"

    # --- what many pages show ---------------------------------------------------------------------------

    def data_links(self, base: str, text: bool = False) -> Markup:
        """The page's data siblings (and a source's text), as a term of the page's identity list."""
        links = [f'<a href="{base}.txt" type="text/plain">{self.said("source.text_file")}</a>'] if text else []
        links += [f'<a href="{base}{suffix}" type="{media}">{name}</a>' for _, suffix, media, name in SIBLINGS]
        return Markup(f'<dt>{self.said("page.data")}</dt><dd>{" · ".join(links)}</dd>')

    def data_alternates(self, base: str) -> Markup:
        return Markup("\n".join(f'<link rel="alternate" type="{media}" href="{base}{suffix}">' for _, suffix, media, _ in SIBLINGS))

    def values(self, values: list[Value]) -> Markup:
        return Markup(", ".join(str(self.value(v)) for v in values))

    def rank(self, fact: FactView) -> Markup:
        return Markup(f'<span class="rank rank-{fact.rank_name}">{escape(self.display.rank(fact))}</span>')

    def statement(self, fact: FactView) -> Markup:
        """The fact's property, value, precision and rank (always), its qualifiers, and the editors' reasons."""
        if fact.iri not in self._statements:
            self._statements[fact.iri] = self._statement(fact)
        return self._statements[fact.iri]

    def _statement(self, fact: FactView) -> Markup:
        d, w, value = self.display, self.words, self.value
        precision = f' <span class="precision">{escape(w("fact.precision", precision=d.precision(fact)))}</span>' if fact.precision else ""
        parts = [f'<p class="statement"><span class="property">{value(d.property(fact.predicate))}</span> '
                 f'<span class="value">{value(d.value(fact.object))}</span>{precision} {self.rank(fact)}</p>']
        if fact.qualifiers:
            parts.append('<ul class="qualifiers">' + "".join(
                f'<li><span class="property">{value(d.property(q))}</span> {", ".join(value(d.value(v)) for v in vs)}</li>'
                for q, vs in fact.qualifiers) + "</ul>")
        if fact.rationale is not None:
            parts.append(f'<p class="rationale"><strong>{self.said("fact.why_rank")}</strong> {value(d.text(fact.rationale))}</p>')
        parts += [f'<p class="rationale outside"><strong>{self.said("fact.outside_knowledge")}</strong> {value(d.text(known))}</p>'
                  for known in fact.outside_knowledge]
        parts += [f'<p class="note"><strong>{self.said("fact.note")}</strong> {value(d.text(note))}</p>' for note in fact.notes]
        return Markup("\n".join(parts))

    def quote(self, claim: ClaimView) -> Markup:
        """The claim's passage, in its language, citing its place in the source."""
        if claim.iri not in self._quotes:
            self._quotes[claim.iri] = Markup(
                f'<blockquote lang="{escape(claim.quote.language)}" cite="{self.home}{escape(claim.path)}">'
                f"<p>“{escape(claim.quote)}”</p></blockquote>")
        return self._quotes[claim.iri]

    def cite(self, claim: ClaimView) -> Markup:
        """Where a quotation comes from: its source, the passage in its context, and the claim's own page."""
        if claim.iri not in self._cites:
            home = self.home
            own = f' · <a href="{home}{escape(claim.page)}">{self.said("claim.page")}</a>' if claim.page else ""
            self._cites[claim.iri] = Markup(
                f'<p class="cite">— {self.value(self.display.site.source_title(claim.source))} · '
                f'<a href="{home}{escape(claim.path)}">{self.said("claim.in_context")}</a>{own}</p>')
        return self._cites[claim.iri]

    def fact_line(self, fact: FactView, href: str) -> Markup:
        """A fact in one line: its subject (linked to its page) — property: value (linked to `href`), and its
        rank when it is not the normal one."""
        return Markup(f'{self.value(self.display.value(fact.subject))} — <a href="{escape(href)}">'
                      f"{self._property_value(fact)}</a>{self._unusual_rank(fact)}")

    def _property_value(self, fact: FactView) -> str:
        """The fact's property and value, unlinked: in every line that shows it (claims, sources, passages, mentions)."""
        if fact.iri not in self._property_values:
            d, value = self.display, self.value
            self._property_values[fact.iri] = f"{value(d.property(fact.predicate), link=False)}: {value(d.value(fact.object), link=False)}"
        return self._property_values[fact.iri]

    def _unusual_rank(self, fact: FactView) -> str:
        return f" {self.rank(fact)}" if fact.rank_name != "normal" else ""

    def fact_title(self, fact: FactView) -> str:
        """A fact in words, for the title of its own page: subject — property — value."""
        d = self.display
        return f"{d.value(fact.subject).text} — {d.property(fact.predicate).text} — {d.value(fact.object).text}"

    def fact_heading(self, fact: FactView) -> Markup:
        """The heading of a fact's own page: its subject and value linked to their pages."""
        d, value = self.display, self.value
        return Markup(f"{value(d.value(fact.subject))} — {value(d.property(fact.predicate), link=False)} — {value(d.value(fact.object))}")

    # --- an entity's page -----------------------------------------------------------------------

    def entity_page(self, entity: EntityContent) -> str:
        """An entity's page: what it is and its names, its facts (at a glance, then each with its evidence), the
        passages they rest on, and the facts about other things that name it."""
        d = self.display
        title = d.label(entity.iri)
        groups = sorted(((g, d.property(g.predicate)) for g in entity.groups), key=_group_order)
        passages, numbers = _passages(groups, d.site.claims)
        main = (f'<article class="entity">\n{self._entity_header(entity, title)}\n{self._names(entity.labels)}\n'
                f"{self._facts(groups, numbers, title)}\n{self._cited_passages(passages)}\n{self._mentions(entity.mentions)}</article>\n")
        return self._page(entity.page, title.text, entity.data, main)

    def _entity_header(self, entity: EntityContent, title: Value) -> str:
        """Its classes, name, description and notes, and its identity: IRI, Wikidata items, data siblings."""
        d, value = self.display, self.value
        description = d.text(entity.description)
        about = f'<p class="description">{value(description)}</p>' if description else ""
        about += "".join(f'<p class="note">{value(d.text(comment))}</p>' for comment in entity.comments)
        wikidata = f"<dt>Wikidata</dt><dd>{self.values([d.value(q) for q in entity.wikidata])}</dd>" if entity.wikidata else ""
        return (f'<header>\n  <p class="kind">{self.values([d.value(c) for c in entity.classes])}</p>\n  <h1>{value(title)}</h1>\n'
                f'{about}  <dl class="identity">\n    <dt>{self.said("page.iri")}</dt><dd><code>{escape(entity.iri)}</code></dd>\n'
                f"{wikidata}    {self.data_links(self.root + entity.data)}\n  </dl>\n</header>\n")

    def _names(self, labels: list[tuple[str, str, bool]]) -> str:
        """The entity's names: language, name, and whether a source uses it or the editors gave it."""
        origin = {True: self.said("entity.editorial"), False: self.said("entity.from_source")}
        rows = "".join(f'      <tr><th scope="row">{self.said("languages." + code)}</th><td lang="{escape(code)}">{escape(text)}</td>'
                       f"<td>{origin[editorial]}</td></tr>\n" for code, text, editorial in labels)
        return (f'<section aria-labelledby="names">\n  <h2 id="names">{self.said("entity.names")}</h2>\n'
                f'  <table class="labels">\n    <thead><tr><th scope="col">{self.said("entity.language")}</th>'
                f'<th scope="col">{self.said("entity.name")}</th><th scope="col">{self.said("entity.origin")}</th></tr></thead>\n'
                f"    <tbody>\n{rows}    </tbody>\n  </table>\n</section>\n")

    def _facts(self, groups: list[tuple[FactGroup, Value]], numbers: dict[URIRef, int], title: Value) -> str:
        """The entity's facts at a glance, then each group of facts on a property, a disagreement set apart."""
        w = self.words
        if groups:
            rows = "".join(f"{self._glance_row(group, property)}\n" for group, property in groups)
            glance = (f'  <table class="glance">\n    <caption>{self.said("entity.glance")}</caption>\n'
                      f"    <tbody>\n{rows}    </tbody>\n  </table>\n")
        else:
            glance = f'  <p>{escape(w("entity.no_facts", name=title.text))}</p>\n'
        facts = "".join(self._group(group, property, numbers) for group, property in groups)
        return f'<section aria-labelledby="facts">\n  <h2 id="facts">{self.said("entity.facts")}</h2>\n{glance}{facts}</section>\n'

    def _glance_row(self, group: FactGroup, property: Value) -> str:
        """A row of the entity's facts at a glance: the property, and each value linked to its fact below."""
        items = []
        for fact in group.facts:
            deprecated = ' class="deprecated"' if fact.rank_name == "deprecated" else ""
            items.append(f'<li{deprecated}><a href="#{escape(fact.anchor)}">{self.value(self.display.value(fact.object), link=False)}</a>'
                         f"{self._unusual_rank(fact)}</li>")
        disputed, flag = "", ""
        if group.disagreement:
            disputed = ' class="disputed"'
            flag = f' <span class="flag" title="{self.said("fact.sources_disagree")}">≠</span>'
        return (f'      <tr{disputed}>\n        <th scope="row">{self.value(property, link=False)}{flag}</th>\n'
                f'        <td><ul>{"".join(items)}</ul></td>\n      </tr>')

    def _group(self, group: FactGroup, property: Value, numbers: dict[URIRef, int]) -> str:
        """The facts on one property, in a section of their own when their sources disagree."""
        facts = "".join(self._fact_article(fact, numbers) for fact in group.facts)
        if not group.disagreement:
            return facts
        w = self.words
        return (f'  <section class="disagreement" aria-label="{escape(w("fact.disagree_on", property=property.text))}">\n'
                f'    <h3>{self.said("fact.sources_disagree")}: {self.value(property)}</h3>\n'
                f'    <div class="rivals">\n{facts}    </div>\n  </section>\n')

    def _fact_article(self, fact: FactView, numbers: dict[URIRef, int]) -> str:
        """A fact on its subject's page: its statement, the numbers of the passages it cites by source, its own page."""
        home = self.home
        cited = "; ".join(
            "".join(f'<a class="ref" href="#passage-{escape(anchor)}">[{number}]</a> ' for number, anchor in passages)
            + str(self.value(self.display.site.source_title(source), link=False))
            for source, passages in self._by_source(fact, numbers))
        own = f' · <a class="own-page" href="{home}{escape(fact.page)}">{self.said("fact.page")}</a>' if fact.page else ""
        return (f'<article class="fact rank-{fact.rank_name}" id="{escape(fact.anchor)}">\n{self.statement(fact)}\n'
                f'<p class="evidence">{self.said("fact.stated_in")} {cited}{own}</p>\n</article>\n')

    def _by_source(self, fact: FactView, numbers: dict[URIRef, int]) -> list[tuple[URIRef, list[tuple[int, str]]]]:
        """The passages a fact cites, by source: (source, [(passage number, anchor)]), in the order of the numbers."""
        claims = self.display.site.claims
        found: dict[URIRef, list] = {}
        for n, claim in sorted((numbers[c], claims[c]) for c in fact.claims):
            found.setdefault(claim.source, []).append((n, claim.anchor))
        return list(found.items())

    def _cited_passages(self, passages: list[tuple[int, ClaimView, list[FactView]]]) -> str:
        """Each passage the entity's facts cite, numbered (nothing when they cite none)."""
        if not passages:
            return ""
        items = "".join(f"{self._passage(number, claim, facts)}\n" for number, claim, facts in passages)
        return (f'<section aria-labelledby="passages">\n  <h2 id="passages">{self.said("entity.passages")}</h2>\n'
                f'  <p class="how">{self.said("entity.passages_how")}</p>\n  <ol class="passages">\n{items}  </ol>\n</section>\n')

    def _passage(self, number: int, claim: ClaimView, facts: list[FactView]) -> str:
        """A passage the entity's facts cite: its quotation and citation, and the facts of the page it supports."""
        links = "; ".join(f'<a href="#{escape(fact.anchor)}">{self._property_value(fact)}</a>' for fact in facts)
        return (f'    <li id="passage-{escape(claim.anchor)}" value="{number}">\n      {self.quote(claim)}\n      {self.cite(claim)}\n'
                f'      <p class="supports">{self.said("claim.supports_here")} {links}</p>\n    </li>')

    def _mentions(self, mentions: list[FactView]) -> str:
        """The facts about other things that name the entity (nothing when none does)."""
        if not mentions:
            return ""
        items = "".join(f"    <li>{self.fact_line(fact, self.home + fact.path)}</li>\n" for fact in mentions)
        return (f'<section aria-labelledby="mentions">\n  <h2 id="mentions">{self.said("entity.mentions")}</h2>\n'
                f'  <ul class="mentions">\n{items}  </ul>\n</section>\n')

    # --- a source's page --------------------------------------------------------------------------

    def source_page(self, source: SourceContent) -> str:
        """A source's page: what it is, its whole text with the quoted passages marked, and each passage with the
        facts resting on it; a style rule per passage highlights it when a link or its marker points to it."""
        head = f"{self.data_alternates(self.root + source.data)}\n{self._highlights(source.numbers)}"
        main = (f'<article class="source">\n{self._source_header(source)}\n{self._source_text(source)}\n'
                f"{self._source_passages(source)}</article>\n")
        return f"{self.top(source.page, source.title.text, head)}{main}{self.bottom()}"

    @staticmethod
    def _highlights(numbers: dict[str, int]) -> str:
        """A style rule per passage: its marks in the text highlighted while it is the target or its marker is pointed at."""
        rules = "".join(f'body:has([id="{key}"]:target, [id="note-{key}"]:target, .note-ref a[href="#note-{key}"]:is(:hover, :focus)) '
                        f".q-{n} {{ background: var(--target); outline: 2px solid var(--target-edge); }}\n"
                        for key, n in ((escape(key), n) for key, n in numbers.items()))
        return f"<style>\n{rules}</style>\n"

    def _source_header(self, source: SourceContent) -> str:
        """Its title in its own language, and its identity: IRI, what the data says of it, its text and data files."""
        d, title = self.display, source.title
        lang = f' lang="{escape(title.lang)}"' if title.lang and title.lang != self.lang else ""
        meta = "".join(f'<dt>{self.said(f"source.meta.{key}")}</dt><dd>{self.values([d.value(v) for v in terms])}</dd>'
                       for key, terms in source.meta if terms)
        return (f'<header>\n  <p class="kind">{self.said("source.kind")}</p>\n  <h1{lang}>{escape(title.text)}</h1>\n'
                f'  <dl class="identity">\n    <dt>{self.said("page.iri")}</dt><dd><code>{escape(source.iri)}</code></dd>\n'
                f"{meta}    {self.data_links(self.root + source.data, text=True)}\n  </dl>\n</header>\n")

    def _source_text(self, source: SourceContent) -> str:
        """The source's whole text, its quoted passages marked and numbered."""
        text = source_text_html(source.layout, source.numbers, self.words("source.passage"))
        return (f'<section aria-labelledby="text">\n  <h2 id="text">{self.said("source.full_text")}</h2>\n'
                f'  <p class="how">{self.said("source.how")}</p>\n'
                f'  <p class="show-all"><input type="checkbox" id="show-quotes"> <label for="show-quotes">{self.said("source.show_all")}</label></p>\n'
                f'  <div class="source-text" lang="{escape(source.text_lang)}">{text}</div>\n</section>\n')

    def _source_passages(self, source: SourceContent) -> str:
        """Each passage of the source, in the order they start in its text."""
        items = "".join(self._source_passage(claim, source.numbers[claim.anchor]) for claim in source.claims)
        return (f'<section aria-labelledby="passages">\n  <h2 id="passages">{self.said("source.passages")}</h2>\n'
                f'  <ol class="passages">\n{items}  </ol>\n</section>\n')

    def _source_passage(self, claim: ClaimView, number: int) -> str:
        """A passage of the source: the way back to it in the text, its claim's page, its quotation, the facts on it."""
        w, home, anchor = self.words, self.home, escape(claim.anchor)
        own = f' · <a href="{home}{escape(claim.page)}">{self.said("claim.page")}</a>' if claim.page else ""
        facts = ("".join(f"        <li>{self.fact_line(fact, home + fact.path)}</li>\n" for fact in claim.facts)
                 or f'        <li>{self.said("claim.no_facts")}</li>\n')
        return (f'    <li id="note-{anchor}" value="{number}">\n'
                f'      <p><a class="back" href="#{anchor}">{escape(w("source.back", number=number))}</a>{own}</p>\n'
                f'      {self.quote(claim)}\n      <ul class="supports">\n{facts}      </ul>\n    </li>\n')

    # --- fact and claim pages, most of the site's pages ------------------------------------------------

    def fact_page(self, fact: FactView, data: str, disputed: bool) -> str:
        """A fact's own page: its statement, the way to its subject's page, and each passage it rests on; `data` is
        where its data siblings are, relative to the site's root folder (without their suffixes)."""
        w, claims = self.words, self.display.site.claims
        flag = f' · <span class="flag">{self.said("fact.sources_disagree")}</span>' if disputed else ""
        subject = w("fact.on_subject_page", subject=self.display.value(fact.subject).text)
        passages = "".join(f"    <li>\n      {self.quote(claims[c])}\n      {self.cite(claims[c])}\n    </li>\n" for c in fact.claims)
        main = (f'<article class="fact-page">\n<header>\n  <p class="kind">{self.said("fact.kind")}{flag}</p>\n'
                f"  <h1>{self.fact_heading(fact)}</h1>\n{self._identity(fact.iri, data)}</header>\n"
                f'<article class="fact rank-{fact.rank_name}" id="{escape(fact.anchor)}">\n{self.statement(fact)}\n'
                f'<p class="evidence"><a href="{self.home}{escape(fact.path)}">{escape(subject)}</a></p>\n</article>\n\n'
                f'<section aria-labelledby="claims">\n  <h2 id="claims">{self.said("fact.stated_in")}</h2>\n'
                f'  <ul class="evidence">\n{passages}  </ul>\n</section>\n</article>\n')
        return self._page(fact.page, self.fact_title(fact), data, main)

    def claim_page(self, claim: ClaimView, data: str) -> str:
        """A claim's own page: its passage, the way to it in its source, and the facts resting on it."""
        w, home = self.words, self.home
        source = self.display.site.source_title(claim.source)
        facts = ("".join(f"    <li>{self.fact_line(fact, home + (fact.page or fact.path))}</li>\n" for fact in claim.facts)
                 or f'    <li>{self.said("claim.no_facts")}</li>\n')
        main = (f'<article class="claim-page">\n<header>\n  <p class="kind">{self.said("claim.kind")}</p>\n'
                f'  <h1>{self.said("claim.heading")} {self.value(source)}</h1>\n{self._identity(claim.iri, data)}</header>\n'
                f'{self.quote(claim)}\n<p class="cite"><a href="{home}{escape(claim.path)}">{self.said("claim.in_context")}</a></p>\n\n'
                f'<section aria-labelledby="supports">\n  <h2 id="supports">{self.said("claim.supports")}</h2>\n'
                f'  <ul class="supports">\n{facts}  </ul>\n</section>\n</article>\n')
        return self._page(claim.page, w("claim.title", source=source.text), data, main)

    # --- the ontology's page --------------------------------------------------------------------------

    def ontology_page(self, title: Value, titles: list[tuple[str, str]], header: list, terms: dict[str, list[dict]]) -> str:
        """The ontology's documentation: its titles and header (`header`: (heading, values)), its terms by kind
        (`terms`: key of the kind -> what `Renderer._term` says of each), then each term."""
        root, iri = self.root, escape(ONTOLOGY)
        others = "".join(f'<li lang="{escape(code)}">{escape(text)}</li>' for code, text in titles if text != title.text)
        said = "".join(f"<dt>{escape(heading)}</dt><dd>{self.values(values)}</dd>" for heading, values in header if values)
        files = " · ".join(f'<a href="{root}ontology{suffix}" type="{media}">{name}</a>' for suffix, media, name in ONTOLOGY_FILES)
        contents = "".join(
            f'  <h2 class="toc-heading"><a href="#{key}">{self.said(f"ontology.kinds.{key}")}</a> ({len(found)})</h2>\n'
            f'  <p class="term-list">{" · ".join(map(_anchor_link, found))}</p>\n' for key, found in terms.items())
        sections = "".join(
            f'<section aria-labelledby="{key}">\n  <h2 id="{key}">{self.said(f"ontology.kinds.{key}")}</h2>\n'
            f'{"".join(self._term_section(term) for term in found)}</section>\n' for key, found in terms.items())
        main = (f'<header>\n  <p class="kind">{self.said("nav.ontology")}</p>\n  <h1>{self.value(title)}</h1>\n'
                f'  <ul class="titles">{others}</ul>\n  <dl class="identity">\n'
                f'    <dt>{self.said("page.iri")}</dt><dd><code>{iri}</code> ({self.said("ontology.prefix")} <code>cas:</code> = '
                f'<code>{iri}#</code>)</dd>\n{said}    <dt>{self.said("page.data")}</dt>\n    <dd>{files}</dd>\n  </dl>\n</header>\n\n'
                f'<nav aria-label="{self.said("ontology.terms")}" class="toc">\n{contents}</nav>\n\n{sections}')
        head = "".join(f'<link rel="alternate" type="{media}" href="{root}ontology{suffix}">\n' for suffix, media, _ in ONTOLOGY_FILES)
        return f'{self.top("ontology.html", self.words("nav.ontology"), head)}{main}{self.bottom()}'

    def _term_section(self, term: dict) -> str:
        """A term of the ontology: its name, label, definition and notes, then its IRI, labels, relations and Wikidata mappings."""
        value, anchor = self.value, escape(term["anchor"])
        deprecated = f' <span class="rank rank-deprecated">{self.said("ontology.deprecated")}</span>' if term["deprecated"] else ""
        about = f'<p class="definition">{value(term["definition"])}</p>' if term["definition"] else ""
        about += "".join(f'<p class="note">{value(comment)}</p>' for comment in term["comments"])
        facts = "".join(f"<dt>{escape(heading)}</dt><dd>{self.values(values)}</dd>" for heading, values in term["relations"])
        if term["labels"]:
            labels = "".join(f'<li><abbr title="{self.said(f"languages.{code}")}">{escape(code)}</abbr> <span lang="{escape(code)}">'
                             f"{escape(text)}</span></li>" for code, text, _ in term["labels"])
            facts = f'<dt>{self.said("ontology.labels")}</dt><dd><ul class="term-labels">{labels}</ul></dd>{facts}'
        if term["wikidata"]:
            facts += f'<dt>Wikidata</dt><dd>{"; ".join(f"{escape(how)} {value(v)}" for how, v in term["wikidata"])}</dd>'
        return (f'  <section class="term" id="{anchor}" aria-labelledby="{anchor}-h">\n'
                f'    <h3 id="{anchor}-h"><code>cas:{anchor}</code> {value(term["label"])}{deprecated}</h3>\n'
                f'{about}    <dl class="term-facts">\n      <dt>{self.said("page.iri")}</dt><dd><code>{escape(term["iri"])}</code></dd>\n'
                f"{facts}    </dl>\n  </section>\n")

    def _identity(self, iri: URIRef, data: str) -> str:
        """A fact's or claim's IRI and data siblings."""
        return (f'  <dl class="identity">\n    <dt>{self.said("page.iri")}</dt><dd><code>{escape(iri)}</code></dd>\n'
                f"    {self.data_links(self.root + data)}\n  </dl>\n")

    def _page(self, page: str, title: str, data: str, main: str) -> str:
        """A whole page at `page`: the frame, with links to its data siblings in its head, around `main`."""
        return f"{self.top(page, title, self.data_alternates(self.root + data))}{main}{self.bottom()}"


class Renderer:
    """One method per kind of page; each yields (language, HTML text) for the four languages."""

    def __init__(self, site: SiteGraph):
        self.site, self.env = site, environment()  # a template is compiled when first rendered, by the process rendering it
        self._fragment_cache: dict[tuple[str, str], Fragments] = {}

    def render(self, template: str, lang: str, page: str, data: str = "", **context) -> str:
        """A page at `page` (relative to a language's root folder) in `lang`; `data` is where its data siblings are,
        relative to the site's root folder (without their suffixes)."""
        fragments = self._fragments(lang, page)
        return self.env.get_template(f"{template}.html").render(
            lang=lang, page=page, home=fragments.home, root=fragments.root, data=fragments.root + data, w=fragments.words,
            d=fragments.display, f=fragments, value=fragments.value, source_title=self.source_title, **context)

    def _fragments(self, lang: str, page: str) -> Fragments:
        """The fragments of the pages in `lang` as deep as `page` (relative to a language's root folder)."""
        key = (lang, "../" * page.count("/"))
        if key not in self._fragment_cache:
            display = self.site.displays[lang]
            self._fragment_cache[key] = Fragments(display, ValueHtml(display.words, key[1]))
        return self._fragment_cache[key]

    def source_title(self, source: URIRef) -> Value:
        return self.site.source_title(source)

    # --- entities, facts, claims ----------------------------------------------------------------

    def entity(self, entity: URIRef) -> Iterator[tuple[str, str]]:
        site, slug = self.site, local_name(entity)
        content = EntityContent(
            iri=entity, page=f"id/{slug}.html", data=f"id/{slug}", classes=sorted(site.data.objects(entity, RDF.type)),
            description=site.description(entity), comments=sorted(site.data.objects(entity, RDFS.comment)),
            labels=site.labels(entity), wikidata=site.wikidata(entity), groups=site.fact_groups(entity),
            mentions=site.mentions(entity))
        for lang in LANGUAGES:
            yield lang, self._fragments(lang, content.page).entity_page(content)

    def fact(self, fact: FactView) -> Iterator[tuple[str, str]]:
        data = f"fact/{local_name(fact.iri)}"
        disputed = fact.iri in self.site.disputed
        for lang in LANGUAGES:
            yield lang, self._fragments(lang, fact.page).fact_page(fact, data, disputed)

    def claim(self, claim: ClaimView) -> Iterator[tuple[str, str]]:
        data = f"claim/{local_name(claim.iri)}"
        for lang in LANGUAGES:
            yield lang, self._fragments(lang, claim.page).claim_page(claim, data)

    # --- sources ----------------------------------------------------------------------------------

    def source(self, source: URIRef) -> Iterator[tuple[str, str]]:
        site, slug = self.site, local_name(source)
        claims = site.claims_from(source)
        layout = paragraphs(site.texts[source], {c.anchor: str(c.quote) for c in claims})
        order = [key for paragraph in layout for sentence in paragraph for piece in sentence for key in piece.starts]
        by_anchor = {c.anchor: c for c in claims}
        content = SourceContent(
            iri=source, page=f"source/{slug}.html", data=f"source/{slug}", title=self.source_title(source),
            meta=[(key, sorted(site.data.objects(source, p))) for p, key in SOURCE_META],
            text_lang=source_language(site.built.dataset, source) or "und", layout=layout,
            numbers={key: index for index, key in enumerate(order, 1)}, claims=[by_anchor[key] for key in order])
        for lang in LANGUAGES:
            yield lang, self._fragments(lang, content.page).source_page(content)

    # --- index, timeline, search, queries, ontology, dataset --------------------------------------

    def index(self) -> Iterator[tuple[str, str]]:
        site = self.site
        first_dates = {}
        for fact in site.date_facts():
            if fact.rank_name != "deprecated":
                first_dates[fact.subject] = min(first_dates.get(fact.subject, fact.earliest), fact.earliest)
        order = [key for key, _ in CATEGORIES] + [OTHER_CATEGORY]
        members = defaultdict(list)
        for entity in site.entities:
            members[site.category(entity)].append(entity)
        sources = [(self.source_title(s), source_language(site.built.dataset, s), len(site.claims_from(s))) for s in site.sources]
        for lang in LANGUAGES:
            display = site.displays[lang]
            sections = []
            for key in (k for k in order if k in members):
                items = [(display.value(e), display.text(site.description(e)), first_dates.get(e)) for e in members[key]]
                if key == "events":
                    items.sort(key=lambda i: (i[2] is None, i[2] or 0, i[0].text.lower()))
                else:
                    items.sort(key=lambda i: (i[0].text.lower(), i[0].path))
                sections.append((key, items))
            yield lang, self.render("index", lang, "index.html", sections=sections, sources=sources,
                                    facts=len(site.facts), claims=len(site.claims), languages_here=LANGUAGES)

    def timeline(self, rows_in: dict[str, list[Row]]) -> Iterator[tuple[str, str]]:
        for lang in LANGUAGES:
            display = self.site.displays[lang]
            rows = rows_in[lang]
            svg = Markup(timeline_svg(rows, display, with_labels=False))
            yield lang, self.render("timeline", lang, "timeline.html", rows=rows, svg=svg, label_top=label_top(),
                                    legend=legend(display.words))

    def search(self) -> Iterator[tuple[str, str]]:
        for lang in LANGUAGES:
            words = self.site.displays[lang].words
            yield lang, self.render("search", lang, "search.html", settings=script_settings(words, "search.html"))

    def sparql(self, queries: list, input_attributes, own_query: str) -> Iterator[tuple[str, str]]:
        for lang in LANGUAGES:
            words = self.site.displays[lang].words
            settings = {**script_settings(words, "sparql/index.html"), "queries": {q.name: q.script() for q in queries},
                        "rules": parameter_rules(), "types": {t: words(f"sparql.types.{t}") for t in PARAMETER_TYPES}}
            yield lang, self.render("sparql", lang, "sparql/index.html", queries=queries, settings=settings,
                                    input_attributes=input_attributes, own_query=own_query,
                                    english=lambda text: Value(text, lang="en", fallback=lang != "en"))

    def ontology(self) -> Iterator[tuple[str, str]]:
        graph = self.site.ontology
        terms = {key: [] for key in TERM_KINDS}
        for term in sorted({s for s in graph.subjects() if isinstance(s, URIRef) and str(s).startswith(str(CAS))}):
            kinds = set(graph.objects(term, RDF.type))
            key = "classes" if OWL.Class in kinds else "properties" if kinds & set(PROPERTY_TYPES) else "individuals"
            terms[key].append(term)
        header_terms = [(key, sorted(graph.objects(URIRef(ONTOLOGY), p))) for p, key in ONTOLOGY_HEADER]
        titles = sorted((t.language, str(t)) for t in graph.objects(URIRef(ONTOLOGY), DCTERMS.title))
        said = {term: self._term_statements(term) for found in terms.values() for term in found}
        for lang in LANGUAGES:
            display = self.site.displays[lang]
            words = display.words
            title = next((Value(text, lang=code) for code, text in titles if code == lang),
                         next((Value(text, lang=code, fallback=True) for code, text in titles if code == DEFAULT_LANGUAGE),
                              Value("cas")))
            header = [(words(f"ontology.header.{key}"), [display.value(v) for v in vs]) for key, vs in header_terms]
            documented = {key: [self._term(term, said[term], display) for term in found] for key, found in terms.items()}
            yield lang, self._fragments(lang, "ontology.html").ontology_page(title, titles, header, documented)

    def _term_statements(self, term: URIRef) -> dict:
        """What the ontology says of a term, in no language yet: read once for the four pages."""
        graph = self.site.ontology
        return {
            "relations": [(key, sorted(graph.objects(term, predicate))) for predicate, key in TERM_RELATIONS],
            "definition": self.site.definition(term), "comments": sorted(graph.objects(term, RDFS.comment)),
            "deprecated": (term, OWL.deprecated, Literal(True)) in graph,
        }

    def _term(self, term: URIRef, said: dict, display: Display) -> dict:
        words = display.words
        relations, wikidata = [], []
        for key, values in said["relations"]:
            local = [v for v in values if not str(v).startswith((str(WD), str(WDT)))]
            heading = words(f"ontology.relations.{key}")
            wikidata += [(heading, display.value(v)) for v in values if v not in local]
            if local:
                relations.append((heading, [display.value(v) for v in local]))
        return {
            "anchor": local_name(term), "iri": str(term), "label": display.label(term), "labels": self.site.labels(term),
            "definition": display.text(said["definition"]), "comments": [display.text(c) for c in said["comments"]],
            "relations": relations, "wikidata": wikidata, "deprecated": said["deprecated"],
        }

    def dataset(self, void: Graph) -> Iterator[tuple[str, str]]:
        """The dataset page: a reading of the build's VoID/DCAT description."""
        dataset = URIRef(BASE + "dataset")
        header = {name: void.value(dataset, p) for name, p in (
            ("title", DCTERMS.title), ("description", DCTERMS.description), ("license", DCTERMS.license),
            ("version", DCAT.version), ("triples", VOID.triples), ("entities", VOID.entities),
        )}
        downloads = sorted(
            (str(void.value(d, DCTERMS.title)), str(void.value(d, DCAT.mediaType)).rsplit("/media-types/", 1)[-1],
             int(void.value(d, DCAT.byteSize)))
            for d in void.objects(dataset, DCAT.distribution)
        )
        subsets = sorted((str(void.value(s, DCTERMS.identifier)), int(void.value(s, VOID.triples)))
                         for s in void.objects(dataset, VOID.subset))
        class_counts = [(void.value(p, VOID["class"]), int(void.value(p, VOID.entities)))
                        for p in void.objects(dataset, VOID.classPartition)]
        for lang in LANGUAGES:
            display = self.site.displays[lang]
            classes = sorted(((display.value(c), n) for c, n in class_counts), key=lambda c: c[0].text.lower())
            yield lang, self.render(
                "dataset", lang, "dataset.html", iri=str(dataset), data="dataset",
                title=display.text(header["title"]), description=display.text(header["description"]),
                license=header["license"], version=header["version"],
                triples=int(header["triples"] or 0), entities=int(header["entities"] or 0),
                sources=[self.source_title(s) for s in sorted(void.objects(dataset, DCTERMS.source))],
                examples=[display.value(e) for e in sorted(void.objects(dataset, VOID.exampleResource))],
                vocabularies=sorted(str(v) for v in void.objects(dataset, VOID.vocabulary)),
                downloads=downloads, subsets=subsets, classes=classes,
            )


def _anchor_link(term: dict) -> str:
    anchor = escape(term["anchor"])
    return f'<a href="#{anchor}">{anchor}</a>'


def _group_order(item: tuple) -> tuple:
    """Dates first, narrative summaries last, everything else by its property's label in the page's language."""
    group, property = item
    place = 0 if any(f.earliest for f in group.facts) else 2 if group.predicate == CAS.summary else 1
    return place, property.text.lower(), str(group.predicate)


def _passages(groups: list, claims: dict) -> tuple[list, dict]:
    """Each claim behind the page's facts once, numbered in the order the facts cite them, with those facts."""
    numbers: dict[URIRef, int] = {}
    cited: dict[URIRef, list[FactView]] = {}
    for group, _ in groups:
        for fact in group.facts:
            for claim in fact.claims:
                numbers.setdefault(claim, len(numbers) + 1)
                cited.setdefault(claim, []).append(fact)
    return [(numbers[c], claims[c], cited[c]) for c in numbers], numbers


def script_settings(words: Words, page: str) -> dict:
    """What a page's script needs: the language and its words, the ways back to the language's root and to the
    site's, and where the pages of IRIs live (the tables `view.site_path` and `view.external_url` read)."""
    home = "../" * page.count("/")
    return {**words.script_settings(), "home": home, "root": home + ("../" if words.lang != DEFAULT_LANGUAGE else ""),
            "paths": PAGE_PATHS, "external": EXTERNAL_PAGES, "ontology": str(ONTOLOGY),
            "prefixes": {prefix: str(namespace) for prefix, namespace in sorted(PREFIXES.items())}}


def source_text_html(layout: list[list[list[Piece]]], numbers: dict[str, int], passage: str) -> Markup:
    """The source text as HTML, one block per sentence inside one per paragraph: quoted pieces in <mark>,
    an anchor where each quote starts, and in the sentence's margin a numbered marker for each quote
    that starts in it. Without the markers, the text of the HTML is the source's, byte for byte."""
    parts = []
    for paragraph in layout:
        parts.append('<p class="paragraph">')
        for sentence in paragraph:
            starting = [key for piece in sentence for key in piece.starts]
            quoted = any(piece.covered_by for piece in sentence)
            parts.append('<span class="sentence quoted">' if quoted else '<span class="sentence">')
            if starting:
                parts.append('<span class="note-ref">' + "".join(
                    f'<a href="#note-{escape(key)}"><span class="visually-hidden">{escape(passage)} </span>{numbers[key]}</a>'
                    for key in starting) + "</span>")
            for piece in sentence:
                parts += [f'<span class="anchor" id="{escape(key)}"></span>' for key in piece.starts]
                if piece.covered_by:
                    classes = " ".join(f"q-{numbers[key]}" for key in piece.covered_by)
                    parts.append(f'<mark class="q {classes}">{escape(piece.text)}</mark>')
                else:
                    parts.append(str(escape(piece.text)))
            parts.append("</span>")
        parts.append("</p>")
    return Markup("".join(parts))
