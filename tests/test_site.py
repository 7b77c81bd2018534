"""The static site, read as a historian and a link checker would: every page, link, quote and date.

Expectations come from the built graph (dist/*.nt), never from the page generator itself; exact
expected output belongs with the small fixtures at the end.
"""

from __future__ import annotations

import filecmp
import shutil
import xml.etree.ElementTree as ET
from collections import defaultdict
from functools import cached_property, lru_cache
from pathlib import Path
from urllib.parse import urldefrag, urlsplit

import lxml.html
import pytest
from conftest import run_cli
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from cassibile.build import reasoning_input
from cassibile.errors import DataError
from cassibile.namespaces import CAS, CLAIM, FACT, GRAPH, ID, LANGUAGES, WIKIBASE
from cassibile.namespaces import PREFIXES as NAMESPACES
from cassibile.pipeline import derive, reason
from cassibile.pipeline.load import Dataset
from cassibile.pipeline.store import LayerStore
from cassibile.publish.outputs import Built
from cassibile.publish.site.highlight import cut, paragraphs, sentences

SVG = "{http://www.w3.org/2000/svg}"
FOLDERS = {"en": "", "it": "it/", "de": "de/", "pt": "pt/"}  # where each language's pages live in the site


# --- reading pages ------------------------------------------------------------------------------

class Element:
    """An element of a page: its tag, attributes and text (without the passage numbers in a source's text,
    the elements with the class `note-ref`), and the elements it is inside."""

    __slots__ = ("node", "tag", "attrs")

    def __init__(self, node):
        self.node, self.tag, self.attrs = node, node.tag, dict(node.attrib)

    @property
    def text(self) -> str:
        return _text(self.node)

    @property
    def classes(self) -> set[str]:
        return set((self.attrs.get("class") or "").split())

    def inside(self, tag: str | None = None, id: str | None = None, cls: str | None = None) -> bool:
        return any((tag is None or a.tag == tag) and (id is None or a.get("id") == id)
                   and (cls is None or cls in (a.get("class") or "").split()) for a in self.node.iterancestors())


def _text(node) -> str:
    parts = [node.text or ""]
    for child in node:
        if not isinstance(child.tag, str):  # a comment
            parts.append(child.tail or "")
            continue
        if "note-ref" not in (child.get("class") or "").split():
            parts.append(_text(child))
        parts.append(child.tail or "")
    return "".join(parts)


class Page:
    """Every element of an HTML page, read with lxml (libxml2's HTML parser)."""

    def __init__(self, data: bytes):
        root = lxml.html.document_fromstring(data, parser=lxml.html.HTMLParser(encoding="utf-8"))
        self.elements = [Element(node) for node in root.iter() if isinstance(node.tag, str)]

    @cached_property
    def ids(self) -> set[str]:
        return {e.attrs["id"] for e in self.elements if "id" in e.attrs}

    def links(self) -> list[Element]:
        return self._links

    @cached_property
    def _links(self) -> list[Element]:
        return [e for e in self.elements if e.tag == "a" and "href" in e.attrs]

    def hrefs_inside(self, id: str) -> set[str]:
        """The targets of the links inside the element with this id."""
        return self._hrefs_by_ancestor.get(id, set())

    @cached_property
    def _hrefs_by_ancestor(self) -> dict[str, set[str]]:
        found = defaultdict(set)
        for link in self._links:
            for ancestor in link.node.iterancestors():
                if ancestor.get("id"):
                    found[ancestor.get("id")].add(link.attrs["href"])
        return found

    def find(self, tag: str | None = None, **attrs) -> list[Element]:
        return [e for e in self.elements if (tag is None or e.tag == tag) and all(e.attrs.get(k) == v for k, v in attrs.items())]


@lru_cache(maxsize=256)
def page(path: Path) -> Page:
    return Page(path.read_bytes())


@lru_cache(maxsize=None)
def anchors(path: Path) -> frozenset[str]:
    """The ids of a page's elements, the places a link's fragment can point to."""
    return frozenset(page(path).ids)


@lru_cache(maxsize=None)
def layer(built: Path, name: str) -> Graph:
    return Graph().parse(built / f"{name}.nt", format="nt")


def slug(iri) -> str:
    return str(iri).rsplit("/", 1)[-1]


def entities(built: Path) -> list[URIRef]:
    data = layer(built, "asserted")
    return sorted({s for s in data.subjects(RDF.type, None) if str(s).startswith(str(ID))})


def facts(built: Path) -> list[URIRef]:
    return sorted(layer(built, "asserted").subjects(RDF.type, CAS.Fact))


def claims(built: Path) -> list[URIRef]:
    return sorted(layer(built, "asserted").subjects(RDF.type, CAS.Claim))


def in_language(site: Path, lang: str, path: str) -> Path:
    """A page of the site in one language: the English one at `path`, the others under their folder."""
    return site / FOLDERS[lang] / path


# --- the site's files ---------------------------------------------------------------------------

def test_every_entity_has_a_page_and_data_siblings_at_the_path_of_its_iri(built):
    site = built / "site"
    things = entities(built)
    assert len(things) >= 50
    for entity in things:
        base = site / "id" / slug(entity)
        assert f"<code>{entity}</code>" in base.with_suffix(".html").read_text(encoding="utf-8")
        described = Graph().parse(base.with_suffix(".ttl"), format="turtle")
        assert (entity, RDF.type, None) in described, entity
        assert set(Graph().parse(base.with_suffix(".nt"), format="nt")) == set(described), entity
        assert set(Graph().parse(base.with_suffix(".rdf"), format="xml")) == set(described), entity
        assert base.with_suffix(".jsonld").read_bytes() == (built / "id" / f"{slug(entity)}.jsonld").read_bytes()


def test_entity_pages_list_every_fact_about_something_else_that_names_them(built):
    """"Named in facts about": each fact on another subject whose value or a qualifier is this entity, in every language."""
    data, site = layer(built, "asserted"), built / "site"
    expected = defaultdict(set)
    for fact in facts(built):
        subject = data.value(fact, RDF.subject)
        for predicate, value in data.predicate_objects(fact):
            if predicate != RDF.subject and str(value).startswith(str(ID)) and value != subject:
                expected[value].add(f"../id/{slug(subject)}.html#{slug(fact)}")
    assert sum(map(len, expected.values())) >= 50
    for lang in LANGUAGES:
        for entity in entities(built):
            html = page(in_language(site, lang, f"id/{slug(entity)}.html"))
            listed = {e.attrs["href"] for e in html.links() if e.inside("ul", cls="mentions") and "#" in e.attrs["href"]}
            assert listed == expected[entity], (lang, entity)


def test_every_source_has_a_page_its_text_and_data_siblings(built, root):
    data = layer(built, "asserted")
    sources = sorted(data.subjects(RDF.type, CAS.Source))
    assert len(sources) == 4
    for source in sources:
        base = built / "site" / "source" / slug(source)
        text_file = root / "graph" / str(data.value(source, CAS.textFile))
        assert base.with_suffix(".txt").read_bytes() == text_file.read_bytes()
        described = Graph().parse(base.with_suffix(".ttl"), format="turtle")
        claims = set(data.subjects(CAS.source, source))
        assert claims and claims <= set(described.subjects(CAS.source, source))
        assert base.with_suffix(".jsonld").stat().st_size > 0 and base.with_suffix(".nt").stat().st_size > 0


def published(built: Path, target: Path) -> Path | None:
    """The file a link reaches once published: a file of the site, or a top-level file of dist/, which is published
    beside the pages (docs/publishing.md; `cassibile serve` does the same). Nothing above the site's folder is published."""
    site = (built / "site").resolve()
    if not target.is_relative_to(site):
        return None
    if target.is_file():
        return target
    beside = built / target.name
    return beside if target.parent == site and beside.is_file() else None


def test_every_internal_link_and_anchor_resolves_and_nothing_comes_from_elsewhere(built):
    site = built / "site"
    pages = sorted(site.rglob("*.html"))
    assert len(pages) > len(entities(built))
    broken, external = [], []
    for path in pages:
        html = page(path)
        for element in html.elements:
            for attr in ("src", "href", "action"):
                target = element.attrs.get(attr)
                if target is None:
                    continue
                scheme = urlsplit(target).scheme
                is_resource = element.tag in ("script", "img", "link") and element.attrs.get("rel") != "alternate"
                if scheme and scheme != "data" and is_resource:
                    external.append(f"{path.relative_to(site)}: {target}")
                if scheme:
                    continue
                address, fragment = urldefrag(target)
                file = published(built, (path.parent / address).resolve()) if address else path
                if not file or (fragment and file.suffix == ".html" and fragment not in anchors(file)):
                    broken.append(f"{path.relative_to(site)} -> {target}")
    assert not external, external[:10]
    assert not broken, broken[:10]
    assert "url(http" not in (site / "static" / "site.css").read_text(encoding="utf-8")


def test_every_fact_links_to_its_quotes_and_every_quote_back_to_its_facts(built):
    """A historian's round trip, in every language: fact -> its passage, once on its entity's page -> that
    passage marked in its source -> the fact again; and the fact's own page -> the passage in its source."""
    data, site = layer(built, "asserted"), built / "site"
    for lang in LANGUAGES:
        for fact in facts(built):
            subject = data.value(fact, RDF.subject)
            entity_page = page(in_language(site, lang, f"id/{slug(subject)}.html"))
            in_fact = entity_page.hrefs_inside(slug(fact))
            from_own_page = {e.attrs["href"] for e in page(in_language(site, lang, f"fact/{slug(fact)}.html")).links()}
            for claim in data.objects(fact, CAS.supportedBy):
                source = data.value(claim, CAS.source)
                assert f"#passage-{slug(claim)}" in in_fact, (lang, fact, claim)
                passage = entity_page.hrefs_inside(f"passage-{slug(claim)}")
                assert f"../source/{slug(source)}.html#{slug(claim)}" in passage, (lang, fact, claim)
                assert f"#{slug(fact)}" in passage, (lang, fact, claim)
                assert f"../source/{slug(source)}.html#{slug(claim)}" in from_own_page, (lang, fact, claim)
                source_page = page(in_language(site, lang, f"source/{slug(source)}.html"))
                assert slug(claim) in source_page.ids
                back = source_page.hrefs_inside(f"note-{slug(claim)}")
                assert f"../id/{slug(subject)}.html#{slug(fact)}" in back, (lang, claim, fact)


def test_entity_pages_show_each_quote_once_with_the_facts_it_supports(built):
    """A passage cited by several facts on a page is quoted there once, listing those facts."""
    data, site = layer(built, "asserted"), built / "site"
    cited = defaultdict(lambda: defaultdict(set))  # entity -> claim -> facts about the entity citing it
    for fact in facts(built):
        for claim in data.objects(fact, CAS.supportedBy):
            cited[data.value(fact, RDF.subject)][claim].add(slug(fact))
    armistice = cited[ID["armistice-of-cassibile"]]
    assert max(len(f) for f in armistice.values()) >= 5  # the page that quoted one passage eight times
    for lang in LANGUAGES:
        for entity, by_claim in cited.items():
            html = page(in_language(site, lang, f"id/{slug(entity)}.html"))
            quotes = [e for e in html.elements if e.tag == "blockquote"]
            assert sorted(e.text for e in quotes) == sorted(f"“{data.value(c, CAS.quote)}”" for c in by_claim), (lang, entity)
            for claim, supported in by_claim.items():
                listed = {e.attrs["href"][1:] for e in html.links() if e.inside("li", id=f"passage-{slug(claim)}")
                          and e.inside("p", cls="supports")}
                assert listed == supported, (lang, entity, claim)


def test_every_fact_shows_its_rank_and_the_reasons_the_editors_gave(built):
    """On its entity's page and its own page, in every language: the rank, and the rationale where there is one."""
    data, site = layer(built, "asserted"), built / "site"
    names = {"en": ("preferred rank", "normal rank", "deprecated rank"), "it": ("rango preferito", "rango normale", "rango deprecato"),
             "de": ("bevorzugter Rang", "normaler Rang", "missbilligter Rang"),
             "pt": ("classificação preferida", "classificação normal", "classificação obsoleta")}
    ranks = (WIKIBASE.PreferredRank, WIKIBASE.NormalRank, WIKIBASE.DeprecatedRank)
    seen = set()
    for lang in LANGUAGES:
        for fact in facts(built):
            rank = data.value(fact, CAS.rank) or WIKIBASE.NormalRank
            seen.add(rank)
            rationale = data.value(fact, CAS.rankRationale)
            for path in (f"id/{slug(data.value(fact, RDF.subject))}.html", f"fact/{slug(fact)}.html"):
                [article] = [e for e in page(in_language(site, lang, path)).elements if e.tag == "article" and e.attrs.get("id") == slug(fact)]
                shown = [e.text for e in page(in_language(site, lang, path)).elements
                         if e.inside("article", id=slug(fact)) and "rank" in e.classes]
                assert shown == [names[lang][ranks.index(rank)]], (lang, path, fact)
                assert rationale is None or str(rationale) in article.text, (lang, path, fact)
    assert seen == set(ranks)


def test_source_pages_show_the_whole_text_byte_for_byte_in_sentences_with_every_quote_marked(built):
    """The text, reassembled from the page without the passage markers, is the source's, byte for byte; it is
    shown a sentence to a block (the longest under 600 characters, where the English article is one line of
    14,311), each paragraph of the source (a line) a block of its own; every passage is marked where it stands."""
    data, site = layer(built, "asserted"), built / "site"
    for lang in LANGUAGES:
        for source in sorted(data.subjects(RDF.type, CAS.Source)):
            html = page(in_language(site, lang, f"source/{slug(source)}.html"))
            text = (site / "source" / f"{slug(source)}.txt").read_bytes()
            [text_block] = [e for e in html.elements if "source-text" in e.classes]
            assert text_block.text.encode("utf-8") == text, (lang, source)
            assert text_block.attrs["lang"] == str(data.value(source, URIRef("http://purl.org/dc/terms/language")))
            blocks = [e for e in html.elements if "sentence" in e.classes]
            assert "".join(e.text for e in blocks).encode("utf-8") == text
            assert max(len(e.text) for e in blocks) < 600 and len(blocks) >= text.count(b".") // 3, (lang, source)
            lines = [e for e in html.elements if "paragraph" in e.classes]
            assert [e.text for e in lines] == text.decode("utf-8").splitlines(keepends=True), (lang, source)
            highlighted = defaultdict(str)
            for mark in (e for e in html.elements if e.tag == "mark" and e.inside("div", cls="source-text")):
                for cls in mark.classes:
                    if cls.startswith("q-"):
                        highlighted[cls] += mark.text
            quoted = sorted(data.subjects(CAS.source, source))
            numbers = {e.attrs["id"][len("note-"):]: e.attrs["value"] for e in html.find("li") if e.attrs.get("id", "").startswith("note-")}
            assert set(numbers) == {slug(c) for c in quoted}
            markers = {e.attrs["href"][len("#note-"):] for e in html.links() if e.inside("span", cls="note-ref")}
            assert markers == set(numbers), (lang, source)
            for claim in quoted:
                assert highlighted[f"q-{numbers[slug(claim)]}"] == str(data.value(claim, CAS.quote)), claim


def test_disagreements_are_shown_side_by_side_with_ranks_and_rationales(built):
    data, site = layer(built, "asserted"), built / "site"
    groups = defaultdict(list)
    for fact in facts(built):
        groups[(data.value(fact, RDF.subject), data.value(fact, RDF.predicate))].append(fact)
    disputed = {key: group for key, group in groups.items()
                if any(data.value(f, CAS.rank) == WIKIBASE.DeprecatedRank for f in group)}
    assert (ID["session-of-the-grand-council-of-fascism-july-1943"], CAS.pointInTime) in disputed
    for (subject, _), group in disputed.items():
        html = page(site / "id" / f"{slug(subject)}.html")
        side_by_side = [e for e in html.elements if e.tag == "article" and e.inside("section", cls="disagreement")]
        shown = {e.attrs["id"]: e.text for e in side_by_side}
        for fact in group:
            assert slug(fact) in shown, fact
            rank = str(data.value(fact, CAS.rank)).rsplit("#", 1)[-1].replace("Rank", "").lower()
            assert f"{rank} rank" in shown[slug(fact)]
            rationale = data.value(fact, CAS.rankRationale)
            if rationale is not None:
                assert str(rationale) in shown[slug(fact)]


def test_entity_pages_give_labels_in_four_languages_and_the_wikidata_link(built):
    data, site = layer(built, "asserted"), built / "site"
    for lang in LANGUAGES:
        for entity in entities(built):
            html = page(in_language(site, lang, f"id/{slug(entity)}.html"))
            assert html.find("html")[0].attrs["lang"] == lang
            shown = {(e.attrs["lang"], e.text.strip()) for e in html.elements if "lang" in e.attrs}
            labels = [l for p in (RDFS.label, CAS.editorialLabel) for l in data.objects(entity, p)]
            assert {l.language for l in labels} >= {"en", "it", "de", "pt"}, entity
            for label in labels:
                assert (label.language, str(label)) in shown, (entity, label)
            [title] = [e.text for e in html.find("h1")]
            assert title == next(str(l) for l in labels if l.language == lang), (lang, entity)
            hrefs = {e.attrs["href"] for e in html.links()}
            for qid in data.objects(entity, OWL.sameAs):
                assert f"https://www.wikidata.org/wiki/{slug(qid)}" in hrefs


def test_index_lists_people_organisations_places_and_events(built):
    types = layer(built, "asserted") + layer(built, "inferred")
    html = page(built / "site" / "index.html")
    sections = defaultdict(set)
    for link in html.links():
        for ancestor in link.node.iterancestors("section"):
            sections[ancestor.get("id")].add(link.attrs["href"])
    listed = set().union(*sections.values())
    for entity in entities(built):
        assert f"id/{slug(entity)}.html" in listed, entity
    for section, cls in (("people", CAS.Person), ("events", CAS.Event), ("places", CAS.Settlement)):
        members = {f"id/{slug(e)}.html" for e in types.subjects(RDF.type, cls) if str(e).startswith(str(ID))}
        assert members and members <= sections[section], section
    assert {f"source/{slug(s)}.html" for s in types.subjects(RDF.type, CAS.Source)} == sections["sources"]


def test_timeline_draws_every_dated_fact_with_its_precision_rank_and_conflicts(built):
    derived, data = layer(built, "derived"), layer(built, "asserted")
    svg = ET.parse(built / "site" / "timeline.svg").getroot()
    marks = {}
    for link in svg.iter(f"{SVG}a"):
        shapes = [child for child in link if child.tag in (f"{SVG}circle", f"{SVG}rect")]
        if shapes:
            marks[link.attrib["href"].split("#", 1)[1]] = shapes[0]
    dated = sorted(derived.subjects(CAS.earliestDate, None))
    assert len(dated) >= 20
    for fact in dated:
        mark = marks[slug(fact)]
        one_day = derived.value(fact, CAS.earliestDate) == derived.value(fact, CAS.latestDate)
        assert mark.tag == (f"{SVG}circle" if one_day else f"{SVG}rect"), fact
        deprecated = data.value(fact, CAS.rank) == WIKIBASE.DeprecatedRank
        assert ("tl-deprecated" in mark.attrib["class"]) == deprecated, fact
    council = [f for f in dated if data.value(f, RDF.subject) == ID["session-of-the-grand-council-of-fascism-july-1943"]]
    assert len(council) >= 2 and all("tl-disputed" in marks[slug(f)].attrib["class"] for f in council)
    signed = marks["armistice-of-cassibile--pointInTime--1943-09-03"]
    announced = marks["armistice-of-cassibile--publicationDate--1943-09-08"]
    assert float(signed.attrib["cx"]) < float(announced.attrib["cx"])
    assert svg.find(f"{SVG}title").text and svg.find(f"{SVG}desc").text  # accessible name and description
    html = (built / "site" / "timeline.html").read_text(encoding="utf-8")
    assert 'aria-labelledby="timeline-title timeline-desc"' in html


def test_ontology_page_documents_every_term_with_labels_and_wikidata_mappings(built):
    ontology = layer(built, "ontology")
    html = page(built / "site" / "ontology.html")
    terms = sorted({s for s in ontology.subjects() if isinstance(s, URIRef) and str(s).startswith(str(CAS))})
    assert len(terms) > 50
    for term in terms:
        local = str(term).rsplit("#", 1)[1]
        inside = [e for e in html.elements if e.inside("section", id=local)]
        assert inside, term
        shown = {(e.attrs["lang"], e.text) for e in inside if "lang" in e.attrs}
        for label in ontology.objects(term, RDFS.label):
            assert (label.language, str(label)) in shown, (term, label)
        hrefs = {e.attrs["href"] for e in inside if e.tag == "a" and "href" in e.attrs}
        for parent in ontology.objects(term, RDFS.subPropertyOf):
            if str(parent).startswith("http://www.wikidata.org/prop/direct/"):
                assert f"https://www.wikidata.org/wiki/Property:{slug(parent)}" in hrefs, term


def test_dataset_page_lists_every_dump_of_the_void_description(built):
    void = Graph().parse(built / "void.ttl", format="turtle")
    dumps = {str(u).rsplit("/", 1)[1] for u in void.objects(None, URIRef("http://rdfs.org/ns/void#dataDump"))}
    assert {"cassibile.nq", "cassibile.trig"} <= dumps
    hrefs = {e.attrs["href"] for e in page(built / "site" / "dataset.html").links()}
    for name in dumps:
        assert name in hrefs and (built / name).is_file(), name  # beside the page once published, under any path


@pytest.mark.parametrize("jobs", ["1", "3"])
def test_site_is_written_again_byte_for_byte_from_the_build(built, tmp_path, jobs):
    """Determinism of the pages: `cassibile site` in a fresh process rewrites dist/site identically, from one process
    or shared out among three."""
    copy = tmp_path / "dist"
    shutil.copytree(built, copy)
    result = run_cli("site", "--dist", str(copy), "--jobs", jobs, check=True)
    assert "wrote" in result.stderr
    before = sorted(p.relative_to(built / "site") for p in (built / "site").rglob("*") if p.is_file())
    after = sorted(p.relative_to(copy / "site") for p in (copy / "site").rglob("*") if p.is_file())
    assert before == after
    _, mismatch, errors = filecmp.cmpfiles(built / "site", copy / "site", [str(p) for p in before], shallow=False)
    assert not mismatch and not errors, (mismatch[:5], errors[:5])


def test_site_command_without_a_build_is_a_usage_error(tmp_path):
    result = run_cli("site", "--dist", str(tmp_path))
    assert result.returncode == 2
    assert "run `cassibile build` first" in result.stderr


def test_site_command_names_a_missing_entity_document(built, tmp_path):
    """`cassibile site` reuses each entity's framed document from dist/id/, which only the build writes."""
    copy = tmp_path / "dist"
    shutil.copytree(built, copy)
    (copy / "id" / "armistice-of-cassibile.jsonld").unlink()
    result = run_cli("site", "--dist", str(copy))
    assert result.returncode == 2
    assert f"{copy / 'id' / 'armistice-of-cassibile.jsonld'} is missing; run `cassibile build` first" in result.stderr


def test_an_entity_the_site_has_no_page_for_still_gets_its_framed_document(built, tmp_path, monkeypatch):
    """The build frames each entity's document (dist/id/) as it writes the entity's page; an entity typed only in the
    derived layer (a fact stating rdf:type) would have a document and no page: it is framed all the same."""
    from cassibile import build
    from cassibile.project import Project
    from cassibile.publish.publication import entities
    from cassibile.publish.site.view import SiteGraph

    unpaged = ID["armistice-of-cassibile"]
    monkeypatch.setattr(SiteGraph, "entities", property(lambda site: [e for e in entities(site.data) if e != unpaged]))
    out = tmp_path / "dist"
    build.build(Project.find(), out, quiet=True, jobs=2)
    assert not (out / "site" / "id" / "armistice-of-cassibile.html").exists()
    assert sorted(p.name for p in (out / "id").iterdir()) == sorted(p.name for p in (built / "id").iterdir())
    assert (out / "id" / "armistice-of-cassibile.jsonld").read_bytes() == (built / "id" / "armistice-of-cassibile.jsonld").read_bytes()


def page_kinds(built: Path) -> dict[str, str]:
    """One page of each kind, by its path relative to a language's folder."""
    data = layer(built, "asserted")
    fact = next(f for f in facts(built) if data.value(f, CAS.rankRationale) is not None)
    return {
        "index": "index.html", "entity": "id/armistice-of-cassibile.html", "source": "source/en-article.html",
        "fact": f"fact/{slug(fact)}.html", "claim": f"claim/{slug(claims(built)[0])}.html", "timeline": "timeline.html",
        "ontology": "ontology.html", "dataset": "dataset.html", "search": "search.html", "queries": "sparql/index.html",
    }


def test_every_page_is_in_four_languages_and_names_its_language_and_its_translations(built):
    """<html lang>, a hreflang alternate for each language and x-default (English), and a switch to the same page."""
    site = built / "site"
    english = sorted(p.relative_to(site).as_posix() for p in site.glob("**/*.html") if p.parts[len(site.parts)] not in ("it", "de", "pt"))
    assert len(english) > len(entities(built)) + len(facts(built)) + len(claims(built))
    for path in english:
        for lang in LANGUAGES:
            file = in_language(site, lang, path)
            html = page(file)
            assert html.find("html")[0].attrs["lang"] == lang, file
            alternates = {e.attrs["hreflang"]: e.attrs["href"] for e in html.find("link", rel="alternate") if "hreflang" in e.attrs}
            assert set(alternates) == set(LANGUAGES) | {"x-default"}, file
            for other, href in alternates.items():
                target = (file.parent / href).resolve()
                assert target == in_language(site, "en" if other == "x-default" else other, path).resolve(), (file, other)
            switch = [e for e in html.links() if e.inside("nav", cls="languages")]
            assert [e.attrs["hreflang"] for e in switch] == list(LANGUAGES), file
            assert [e.attrs["hreflang"] for e in switch if e.attrs.get("aria-current") == "page"] == [lang], file
            assert {(file.parent / e.attrs["href"]).resolve() for e in switch} == {in_language(site, l, path).resolve() for l in LANGUAGES}


def test_message_catalogues_translate_every_message_with_the_same_placeholders(root):
    """Each language's catalogue has every message of the English one, none empty, with the same {placeholders}."""
    import json
    import string

    folder = root / "scripts" / "cassibile" / "publish" / "site" / "messages"

    def flat(node, path=""):
        if isinstance(node, dict):
            for key, value in node.items():
                yield from flat(value, f"{path}{key}.")
        elif isinstance(node, list):
            yield path, tuple(node)
        else:
            yield path, node

    catalogues = {lang: dict(flat(json.loads((folder / f"{lang}.json").read_text(encoding="utf-8")))) for lang in LANGUAGES}
    english = catalogues["en"]
    assert len(english) > 150
    for lang, messages in catalogues.items():
        assert set(messages) - {"date.first_day."} == set(english), lang
        for key, text in messages.items():
            assert text, (lang, key)
            if isinstance(text, str) and key in english:
                names = {name for _, name, _, _ in string.Formatter().parse(text) if name}
                assert names == {name for _, name, _, _ in string.Formatter().parse(english[key]) if name}, (lang, key)
        assert len(messages["date.months."]) == len(messages["date.short_months."]) == 12, lang
    assert catalogues["it"]["nav.index."] == "Indice" and catalogues["de"]["rank.deprecated."] == "missbilligter Rang"


def test_pages_show_labels_in_their_language_and_mark_english_fallbacks(built):
    """An Italian page shows the Italian label; a description there only in English is tagged lang="en" and marked."""
    data, site = layer(built, "asserted"), built / "site"
    armistice = ID["armistice-of-cassibile"]
    description = str(data.value(armistice, URIRef("http://schema.org/description")))
    for lang in ("it", "de", "pt"):
        html = page(in_language(site, lang, "index.html"))
        link = [e for e in html.links() if e.attrs["href"] == "id/armistice-of-cassibile.html"][0]
        label = next(str(l) for p in (RDFS.label, CAS.editorialLabel) for l in data.objects(armistice, p) if l.language == lang)
        assert link.text == label and "lang" not in link.attrs, lang
        entity_page = page(in_language(site, lang, "id/armistice-of-cassibile.html"))
        [text] = [e for e in entity_page.elements if e.tag == "span" and e.inside("p", cls="description")]
        assert text.attrs["lang"] == "en" and text.text == description, lang
        [marker] = [e for e in entity_page.elements if "fallback" in e.classes and e.inside("p", cls="description")]
        assert marker.text == "EN" and marker.attrs["title"], lang
    english = page(site / "id" / "armistice-of-cassibile.html")
    assert not [e for e in english.elements if "fallback" in e.classes]


def test_a_sources_own_words_show_in_their_language_and_are_no_fallback(built):
    """Regression: a fact's value in a Portuguese source's own words ("rendição incondicional") was marked on
    the pages of the other languages as a missing translation. It is tagged lang="pt" there, and never marked."""
    wording = Literal("rendição incondicional", lang="pt")
    assert (None, RDF.object, wording) in layer(built, "asserted")
    for lang in ("en", "it", "de"):
        html = page(in_language(built / "site", lang, "id/armistice-of-cassibile.html"))
        shown = [e for e in html.elements if e.text == str(wording) and e.inside("span", cls="value")]
        assert shown and all(e.attrs.get("lang") == "pt" for e in shown), lang
        assert not [e for e in html.elements if "fallback" in e.classes and e.inside("p", cls="statement")], lang


def test_fact_and_claim_iris_have_pages_and_data_siblings_at_their_paths(built):
    """fact/<slug> and claim/<slug>: a page in each language, and Turtle, N-Triples and JSON-LD of the same triples."""
    import json

    data, site = layer(built, "asserted"), built / "site"
    context = json.loads((built / "context.jsonld").read_text(encoding="utf-8"))
    for iri in facts(built) + claims(built):
        assert str(iri).startswith((str(FACT), str(CLAIM))), iri
        kind = "fact" if str(iri).startswith(str(FACT)) else "claim"
        base = site / kind / slug(iri)
        for lang in LANGUAGES:
            assert f"<code>{iri}</code>" in in_language(site, lang, f"{kind}/{slug(iri)}.html").read_text(encoding="utf-8")
        described = Graph().parse(base.with_suffix(".ttl"), format="turtle")
        assert set(data.triples((iri, None, None))) <= set(described), iri
        assert set(Graph().parse(base.with_suffix(".nt"), format="nt")) == set(described), iri
        document = json.loads(base.with_suffix(".jsonld").read_bytes())
        assert document["@context"] == "https://w3id.org/cassibile/context.jsonld"
        document["@context"] = context["@context"]  # the published context, offline
        assert set(Graph().parse(data=json.dumps(document), format="json-ld")) == set(described), iri
        if kind == "fact":
            for claim in data.objects(iri, CAS.supportedBy):
                assert (claim, CAS.quote, data.value(claim, CAS.quote)) in described
        else:
            for fact in data.subjects(CAS.supportedBy, iri):
                assert (fact, RDF.subject, data.value(fact, RDF.subject)) in described


def test_search_index_holds_every_entity_by_its_labels_in_four_languages(built):
    """search-index.js defines the documents the search and query pages read: each entity with a label per language."""
    import json

    data = layer(built, "asserted")
    script = (built / "site" / "search-index.js").read_text(encoding="utf-8")
    prefix = "window.cassibileIndex = "
    [line] = [l for l in script.splitlines() if l.startswith(prefix)]
    documents = {d["i"]: d for d in json.loads(line[len(prefix):].rstrip(";"))}
    for entity in entities(built):
        labels = {l.language: str(l) for p in (RDFS.label, CAS.editorialLabel) for l in data.objects(entity, p)}
        assert documents[str(entity)]["l"] == labels, entity
    for source in data.subjects(RDF.type, CAS.Source):
        assert documents[str(source)]["k"] == "sources"
    assert documents[str(CAS.pointInTime)]["l"]["de"] == "Zeitpunkt"
    for page_path in ("search.html", "sparql/index.html"):
        scripts = [e.attrs["src"] for e in page(built / "site" / page_path).find("script") if "src" in e.attrs]
        assert "../search-index.js" in scripts or "search-index.js" in scripts


def test_query_page_offers_every_published_query_with_its_parameters_as_typed_fields(built, root):
    """Every query but *-violation.rq and construct-*.rq, with its summary and a field per declared parameter."""
    import json

    from cassibile.publish.site.queries import PLACEHOLDER
    from cassibile.sparql.query import bind, bundled_queries

    published = {name: q for name, q in bundled_queries(root / "queries").items() if q.is_published}
    assert "timeline" in published and not any(name.endswith("-violation") for name in published)
    for lang in LANGUAGES:
        html = page(in_language(built / "site", lang, "sparql/index.html"))
        sections = {e.attrs["id"] for e in html.find("section") if "query" in e.classes} - {"own-query"}
        assert sections == set(published), lang
        [settings] = [e for e in html.find("script") if e.attrs.get("id") == "settings"]
        queries = json.loads(settings.text)["queries"]
        for name, query in published.items():
            [heading] = [e.text for e in html.find("h2") if e.attrs.get("id") == f"{name}-h"]
            assert query.summary in heading
            for parameter in query.parameters:
                [field] = [e for e in html.elements if e.attrs.get("id") == f"{name}--{parameter.name}"]
                if parameter.type == "language":
                    assert field.tag == "select"
                    selected = [e.attrs["value"] for e in html.elements if e.tag == "option" and e.inside("select", id=field.attrs["id"]) and "selected" in e.attrs]
                    assert selected == [lang], (lang, name)
                else:
                    assert field.tag == "input" and field.attrs["value"] == (parameter.default or ""), (name, parameter.name)
                if parameter.type in ("qid", "date"):
                    assert field.attrs["pattern"], (name, parameter.name)
            placeholders = {p.name: URIRef(PLACEHOLDER + p.name) for p in query.parameters}
            assert queries[name]["template"] == bind(query.text, placeholders), name


# --- small fixtures with exact expectations -----------------------------------------------------

def test_crossing_nested_and_touching_quotes_are_cut_into_exact_pieces():
    text = "Am 3. September landeten sie. Italien kapitulierte. Ende."
    quotes = {
        "landing": "Am 3. September landeten sie.",
        "date": "3. September",  # nested in "landing"
        "crossing": "sie. Italien",  # starts inside "landing", ends after it
        "surrender": "Italien kapitulierte.",  # touches "crossing" and overlaps it
    }
    pieces = [(p.text, p.covered_by, p.starts, p.ends) for p in cut(text, quotes)]
    assert pieces == [
        ("Am ", ("landing",), ("landing",), ()),
        ("3. September", ("landing", "date"), ("date",), ("date",)),
        (" landeten ", ("landing",), (), ()),
        ("sie.", ("landing", "crossing"), ("crossing",), ("landing",)),
        (" ", ("crossing",), (), ()),
        ("Italien", ("crossing", "surrender"), ("surrender",), ("crossing",)),
        (" kapitulierte.", ("surrender",), (), ("surrender",)),
        (" Ende.", (), (), ()),
    ]
    assert "".join(p[0] for p in pieces) == text


def test_a_text_is_cut_into_paragraphs_and_sentences_and_a_quote_across_two_sentences_into_both():
    text = "Am 8. September gab Gen. Eisenhower es bekannt. Italien kapitulierte.\nDie U.S. Army landete."
    layout = paragraphs(text, {"across": "bekannt. Italien"})
    assert [["".join(p.text for p in sentence) for sentence in paragraph] for paragraph in layout] == [
        ["Am 8. September gab Gen. Eisenhower es bekannt. ", "Italien kapitulierte.\n"], ["Die U.S. Army landete."]]
    pieces = [(p.text, p.covered_by, p.starts, p.ends) for paragraph in layout for sentence in paragraph for p in sentence]
    assert pieces == [
        ("Am 8. September gab Gen. Eisenhower es ", (), (), ()),
        ("bekannt. ", ("across",), ("across",), ()),
        ("Italien", ("across",), (), ("across",)),
        (" kapitulierte.\n", (), (), ()),
        ("Die U.S. Army landete.", (), (), ()),
    ]
    assert "".join(p[0] for p in pieces) == text
    assert sentences("") == [(0, 0)] and sentences("Ende") == [(0, 4)]


def test_a_quote_missing_from_its_source_is_a_data_error_naming_it():
    with pytest.raises(DataError, match="claim-x.*does not occur verbatim"):
        cut("Castellano signed.", {"claim-x": "Eisenhower signed."})


def built_of(data: Graph, ontology: Graph | None = None) -> Built:
    """A build of `data` and `ontology` as the site reads one: both in a store, with the layers the build derives and
    infers from them (the writers read those from the store)."""
    ontology = Graph() if ontology is None else ontology
    layers = LayerStore.of({GRAPH["ontology"]: ontology, GRAPH["asserted"]: data})
    dataset = Dataset(ontology, data, Graph(), layers=layers)
    derive.derive(dataset)
    layers.add(GRAPH["inferred"], reason.inferences(reasoning_input(layers)))
    return Built(dataset, [])


# The publication's prefixes, for the Turtle fixtures below.
PREFIXES = "".join(f"PREFIX {prefix}: <{namespace}>\n" for prefix, namespace in NAMESPACES.items())

PRECISE_AND_INFERRED = PREFIXES + """
id:rome a <urn:x-test:Capital> ; rdfs:label "Rome"@en , "Roma"@it .
fact:rome--pointInTime--1943-09 a cas:Fact ;
    rdf:subject id:rome ; rdf:predicate cas:pointInTime ; rdf:object "1943-09"^^xsd:gYearMonth .
"""
PRECISE_AND_INFERRED_ONTOLOGY = PREFIXES + """
<urn:x-test:Capital> rdfs:subClassOf cas:Place .
cas:pointInTime rdfs:label "point in time"@en , "momento"@it .
cas:MonthPrecision rdfs:label "month"@en , "mese"@it .
"""


def test_a_facts_derived_precision_and_an_entitys_inferred_types_reach_the_pages():
    """The site reads a fact's cas:datePrecision from the publication's index of the derived layer and an entity's
    inferred types from the build's store: a place known as such only through the closure is listed and searched as a
    place, and a month-precise fact says so on its page and in the timeline, in each language."""
    from cassibile.publish.site.pages import Renderer
    from cassibile.publish.site.search import documents
    from cassibile.publish.site.timeline import rows
    from cassibile.publish.site.view import SiteGraph

    ontology = Graph().parse(data=PRECISE_AND_INFERRED_ONTOLOGY, format="turtle")
    site = SiteGraph(built_of(Graph().parse(data=PRECISE_AND_INFERRED, format="turtle"), ontology))
    rome = ID["rome"]
    assert CAS.Place in site.types(rome) and URIRef("urn:x-test:Capital") in site.types(rome)
    assert site.category(rome) == "places"
    assert [d["k"] for d in documents(site) if d["i"] == str(rome)] == ["places"]
    [fact] = site.facts.values()
    assert fact.precision == CAS.MonthPrecision
    render = Renderer(site)
    pages = dict(render.fact(fact))
    assert '<span class="precision">known to the month</span>' in pages["en"]
    assert '<span class="precision">precisione: mese</span>' in pages["it"]
    timeline = Page(dict(render.timeline({lang: rows(site, site.displays[lang]) for lang in LANGUAGES}))["it"].encode())
    assert [e.text for e in timeline.elements if e.tag == "td" and e.attrs.get("data-label") == "Precisione"] == ["mese"]


class Files(dict):
    """A stand-in for the site's FileWriter that keeps what it is given: path -> bytes."""

    def write(self, path, data) -> None:
        self[str(path)] = data.encode("utf-8") if isinstance(data, str) else data


def _data_siblings(descriptions, blocks) -> dict[str, bytes]:
    """What `write_data` writes of a page's blocks, by suffix (with its JSON-LD referring to the published context)."""
    from cassibile.publish.site.describe import write_data

    files = Files()
    write_data(files, Path("page"), blocks, descriptions.jsonld(blocks))
    return {path.removeprefix("page"): data for path, data in files.items()}


def _written_whole(triples, context) -> dict[str, bytes]:
    """What the build writes of a graph of sorted `triples` (oxigraph's) in the siblings' formats, as a page refers to
    the published context: each file at once, from all the triples."""
    from cassibile.publish.export import CONTEXT_URL, compacted_jsonld, compactor, serialize_statements
    from cassibile.publish.outputs import GENERATED
    from cassibile.publish.site.describe import DATA_FORMATS

    written = {suffix: serialize_statements(triples, fmt, header=GENERATED if fmt == "ttl" else None)
               for fmt, suffix, _, _ in DATA_FORMATS}
    return {**written, ".jsonld": compacted_jsonld(triples, compactor(context), CONTEXT_URL)}


def test_each_pages_data_joined_from_shared_blocks_is_the_bytes_of_its_triples_written_whole(built, root):
    """A page's data siblings are joined from blocks, one per subject, each made once and shared by every page that
    holds it (describe.Block): for every entity, fact and claim page, byte for byte what the page's triples give
    written at once."""
    import pyoxigraph as ox

    from cassibile.project import Project
    from cassibile.publish.publication import SOURCE_SUMMARY, triples_of
    from cassibile.publish.site import built_from_dist, published_context_of
    from cassibile.publish.site.describe import Descriptions
    from cassibile.publish.site.view import SiteGraph
    from cassibile.terms import to_oxigraph

    build = built_from_dist(Project(root), built)
    site, index, context = SiteGraph(build), build.publication, published_context_of(built)
    data = Descriptions(site, index, context)
    pages = [(data.entity(e), index.document(e)) for e in site.entities]
    pages += [(data.fact(f), index.fact_document(f)) for f in site.facts]
    for claim in site.claims.values():
        part = {claim.iri: index.about[claim.iri], claim.source: index.summary(claim.source, SOURCE_SUMMARY)}
        part.update((fact.iri, index.about[fact.iri]) for fact in claim.facts)
        pages.append((data.claim(claim.iri), part))
    holders = defaultdict(int)
    for blocks, part in pages:
        whole = sorted((ox.Triple(*map(to_oxigraph, triple)) for triple in triples_of(part)), key=str)
        assert _data_siblings(data, blocks) == _written_whole(whole, context)
        for block in blocks:
            holders[id(block)] += 1
    assert len(holders) < sum(holders.values()) / 3  # the pages share their blocks: a fact's is on 4 pages or more


def test_the_site_is_shared_out_as_each_page_once_each_entity_followed_by_its_facts_and_their_claims(built, root):
    """`SiteFiles.tasks` lists every page once. Each entity's page is followed by those of the facts it is the subject
    of and of their claims, which show the same facts and claims: the process that takes them side by side (`Runs`)
    makes their blocks and fragments once, where pages of one kind after another had both processes make most."""
    from functools import partial
    from itertools import takewhile

    from cassibile.project import Project
    from cassibile.publish.site import SiteFiles, built_from_dist
    from cassibile.publish.site.view import SiteGraph

    site = SiteGraph(built_from_dist(Project(root), built))
    tasks = SiteFiles(site, None, None, [], built / "site", None).tasks()
    pages = [(getattr(task.func, "__name__", "document"), getattr(task.args[0], "iri", task.args[0]))
             for task in tasks if isinstance(task, partial)]
    assert len(pages) == len(set(pages))
    assert set(pages) == ({("entity", e) for e in site.entities} | {("source", s) for s in site.sources}
                          | {("fact", f.iri) for f in site.facts.values() if f.page}
                          | {("claim", c.iri) for c in site.claims.values() if c.page}
                          | {("document", e) for e in site.index.entities if e not in site.entities})
    grouped, current, facts_since = [], None, set()
    for kind, iri in takewhile(lambda page: page[0] in ("entity", "fact", "claim"), pages):
        if kind == "entity":
            current, facts_since = iri, set()
        elif kind == "fact":
            assert site.facts[iri].subject == current, iri
            facts_since.add(iri)
        else:
            assert {fact.iri for fact in site.claims[iri].facts} & facts_since, iri
        grouped.append(iri)
    paged_facts = [f.iri for f in site.facts.values() if f.page and f.subject in site.entities]
    assert set(paged_facts) <= set(grouped) and len(paged_facts) > len(site.entities)
    assert {c.iri for c in site.claims.values() if c.page and {f.iri for f in c.facts} & set(paged_facts)} <= set(grouped)


A_SPAN_WITHOUT_A_NAME = PREFIXES + """
id:rome a cas:Place ; rdfs:label "Rome"@en .
fact:rome--pointInTime--september-1943 a cas:Fact ; rdf:subject id:rome ; rdf:predicate cas:pointInTime ;
    rdf:object [ a cas:TimeSpan ; cas:earliest "1943-09-01"^^xsd:date ; cas:latest "1943-09-30"^^xsd:date ] .
"""


def test_a_page_that_holds_a_blank_node_labels_it_from_the_pages_content():
    """A page whose triples name a blank node (a time span without an IRI) has them as the dumps have a graph's: its
    blank nodes labelled by RDFC-1.0 from the whole page, whichever pages the build wrote before it."""
    from cassibile.publish.export import statements
    from cassibile.publish.publication import triples_of
    from cassibile.publish.site.describe import Descriptions
    from cassibile.publish.site.view import SiteGraph

    context = {"@vocab": str(CAS), "id": "@id", "type": "@type", "cas": str(CAS)}
    build = built_of(Graph().parse(data=A_SPAN_WITHOUT_A_NAME, format="turtle"))
    site, index = SiteGraph(build), build.publication
    data = Descriptions(site, index, context)
    [fact] = site.facts
    for blocks, part in ((data.entity(ID.rome), index.document(ID.rome)), (data.fact(fact), index.fact_document(fact))):
        siblings = _data_siblings(data, blocks)
        page = Graph()
        for triple in triples_of(part):
            page.add(triple)
        assert siblings == _written_whole(statements(page), context)
        assert b"_:c14n0 <https://w3id.org/cassibile/ontology#earliest>" in siblings[".nt"]


OUTSIDE_KNOWLEDGE = PREFIXES + """
id:session rdfs:label "Session"@en , "Seduta"@it .
cas:pointInTime rdfs:label "point in time"@en , "momento"@it .
fact:session--pointInTime--1943-07-24 a cas:Fact ;
    rdf:subject id:session ; rdf:predicate cas:pointInTime ; rdf:object "1943-07-24"^^xsd:date ;
    cas:rank wikibase:DeprecatedRank ;
    cas:rankRationale "The session began on the 24th and the vote came after midnight."@en ;
    cas:outsideKnowledge "The session's minutes, which none of the four texts quotes."@en .
"""


def test_a_rationale_shows_the_knowledge_from_outside_the_texts_it_rests_on():
    """cas:outsideKnowledge on a fact is shown with the rank and its rationale; on an Italian page, in English, marked."""
    from cassibile.publish.site.pages import Fragments, ValueHtml
    from cassibile.publish.site.view import SiteGraph

    data = Graph().parse(data=OUTSIDE_KNOWLEDGE, format="turtle")
    built = built_of(data, ontology=data)
    site = SiteGraph(built)
    [fact] = site.facts.values()
    shown = {}
    for lang in ("en", "it"):
        display = site.displays[lang]
        shown[lang] = Page(f"<html><body>{Fragments(display, ValueHtml(display.words, '../')).statement(fact)}</body></html>".encode())
    [outside] = [e for e in shown["en"].elements if "outside" in e.classes]
    assert outside.text == "Knowledge from outside the texts: The session's minutes, which none of the four texts quotes."
    assert [e.text for e in shown["en"].elements if "rank" in e.classes] == ["deprecated rank"]
    assert "The session began on the 24th" in [e for e in shown["en"].elements if "rationale" in e.classes][0].text
    [outside] = [e for e in shown["it"].elements if "outside" in e.classes]
    assert outside.text.startswith("Conoscenze esterne ai testi: The session's minutes")
    assert [e.attrs["lang"] for e in shown["it"].elements if e.inside("p", cls="outside") and e.tag == "span"] == ["en"]
    assert [e.text for e in shown["it"].elements if e.inside("p", cls="outside") and "fallback" in e.classes] == ["EN"]
    assert [e.text for e in shown["it"].elements if "rank" in e.classes] == ["rango deprecato"]
    assert [e.text for e in shown["it"].elements if e.inside("p", cls="statement") and e.tag == "a"][0] == "momento"


def test_the_search_index_holds_labels_in_each_language_and_alternative_names():
    """An entity's document: a label per language (a source's before an editorial one), the others, and skos:altLabel."""
    from cassibile.publish.site.search import documents
    from cassibile.publish.site.view import SiteGraph

    data = Graph().parse(data="""
        PREFIX cas: <https://w3id.org/cassibile/ontology#>
        PREFIX id: <https://w3id.org/cassibile/id/>
        PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
        PREFIX schema: <http://schema.org/>
        PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
        id:badoglio a cas:Person ; rdfs:label "Pietro Badoglio"@en , "Pietro Badoglio"@de ;
            cas:editorialLabel "Pietro Badoglio"@it , "Pietro Badoglio"@pt , "Maresciallo Badoglio"@de ;
            skos:altLabel "Marshal Badoglio"@en , "Duca di Addis Abeba"@it ;
            schema:description "Italian marshal"@en .
        """, format="turtle")
    built = built_of(data)
    [document] = documents(SiteGraph(built))
    assert document == {
        "i": "https://w3id.org/cassibile/id/badoglio", "k": "people",
        "l": {"en": "Pietro Badoglio", "it": "Pietro Badoglio", "de": "Pietro Badoglio", "pt": "Pietro Badoglio"},
        "a": [["de", "Maresciallo Badoglio"], ["en", "Marshal Badoglio"], ["it", "Duca di Addis Abeba"]],
        "d": {"en": "Italian marshal"},
    }



AWKWARD_TEXTS = PREFIXES + """
id:firm rdfs:label "Smith & \\"Sons\\" <Ltd>"@en ; schema:description "Makers of \\"<i>tools</i>\\" & more"@en ;
    rdfs:comment "Renamed <em>twice</em> & \\"often\\""@en .
cas:pointInTime rdfs:label "point in time"@en .
source:notes a cas:Source ; dct:title "Notes & \\"drafts\\" <1943>"@en ; dct:language "en" ;
    rdfs:comment "Kept <u>here</u> & \\"there\\""@en .
claim:notes--founded a cas:Claim ; cas:source source:notes ; cas:quote "He wrote: \\"<b>founded</b> & signed\\"."@en .
fact:firm--pointInTime--1943-09-03 a cas:Fact ;
    rdf:subject id:firm ; rdf:predicate cas:pointInTime ; rdf:object "1943-09-03"^^xsd:date ;
    cas:supportedBy claim:notes--founded .
"""
AWKWARD_SOURCE_TEXT = 'Notes.\nHe wrote: "<b>founded</b> & signed".\n'
# The awkward texts as the pages show them, escaped as Jinja's autoescape escaped them.
FIRM, NOTES = "Smith &amp; &#34;Sons&#34; &lt;Ltd&gt;", "Notes &amp; &#34;drafts&#34; &lt;1943&gt;"
QUOTE = "“He wrote: &#34;&lt;b&gt;founded&lt;/b&gt; &amp; signed&#34;.”"
AWKWARD_RAW = ('"Sons"', "<Ltd>", '"drafts"', "<1943>", "<b>founded", "& signed")  # never in a page as written


def _awkward_site():
    """The site of AWKWARD_TEXTS, and its renderer."""
    from cassibile.publish.site.pages import Renderer
    from cassibile.publish.site.view import SiteGraph

    data = Graph().parse(data=AWKWARD_TEXTS, format="turtle")
    built = built_of(data, ontology=data)
    built.dataset.source_texts = {URIRef("https://w3id.org/cassibile/source/notes"): AWKWARD_SOURCE_TEXT}
    site = SiteGraph(built)
    return site, Renderer(site)


def _shown_as_text(html: str, tag: str) -> list[str]:
    """The text of every element `tag` of a page, as a browser shows it (no markup from the data inside)."""
    shown = Page(html.encode())
    assert not [e for e in shown.elements if e.tag in ("ltd", "1943", "b", "i", "em", "u")]
    return [e.text for e in shown.elements if e.tag == tag]


def test_fact_and_claim_pages_escape_every_text_from_the_data():
    """A label, a source's title and a quotation with <, & and " show as written, escaped as Jinja's autoescape
    escaped them (&lt; &amp; &#34;) wherever the fact's and the claim's pages show them, and never as markup."""
    site, render = _awkward_site()
    [fact], [claim] = site.facts.values(), site.claims.values()
    fact_page, claim_page = dict(render.fact(fact))["en"], dict(render.claim(claim))["it"]
    for line in (f"<title>{FIRM} — point in time — 3 September 1943 · Armistice of Cassibile</title>",
                 f'<h1><a href="../id/firm.html">{FIRM}</a> — point in time — 3 September 1943</h1>',
                 f'<a href="../id/firm.html#firm--pointInTime--1943-09-03">All the facts about {FIRM}</a>',
                 f"<p>{QUOTE}</p>", f'<a href="../source/notes.html">{NOTES}</a>'):
        assert line in fact_page
    for line in (f"<title>Passo da {NOTES} · Armistizio di Cassibile</title>",
                 f'<h1>Un passo da <a href="../source/notes.html" lang="en">{NOTES}</a></h1>',
                 f"<p>{QUOTE}</p>", f'<a href="../id/firm.html" lang="en">{FIRM}</a>'):
        assert line in claim_page
    for html in (fact_page, claim_page):
        assert not any(raw in html for raw in AWKWARD_RAW)
        [title] = _shown_as_text(html, "title")
        assert 'Smith & "Sons" <Ltd>' in title or 'Notes & "drafts" <1943>' in title
        assert _shown_as_text(html, "blockquote") == ['“He wrote: "<b>founded</b> & signed".”']


def test_entity_and_source_pages_escape_every_text_from_the_data():
    """A label, a description, a note, a source's title, what the data says of a source and a quotation (in the
    source's text too) with <, & and " show as written on the entity's and the source's pages, escaped as
    Jinja's autoescape escaped them, and never as markup."""
    site, render = _awkward_site()
    entity_page = dict(render.entity(ID.firm))["en"]
    [source] = site.sources
    source_page = dict(render.source(source))["it"]
    for line in (f"<title>{FIRM} · Armistice of Cassibile</title>", f"<h1>{FIRM}</h1>",
                 '<p class="description">Makers of &#34;&lt;i&gt;tools&lt;/i&gt;&#34; &amp; more</p>',
                 '<p class="note">Renamed &lt;em&gt;twice&lt;/em&gt; &amp; &#34;often&#34;</p>',
                 f'<td lang="en">{FIRM}</td>', f"<p>{QUOTE}</p>", f'<a href="../source/notes.html">{NOTES}</a>',
                 f'<a class="ref" href="#passage-notes--founded">[1]</a> {NOTES} · '):
        assert line in entity_page
    for line in (f"<title>{NOTES} · Armistizio di Cassibile</title>", f'<h1 lang="en">{NOTES}</h1>',
                 '<dd><span lang="en">Kept &lt;u&gt;here&lt;/u&gt; &amp; &#34;there&#34;</span></dd>',
                 '<mark class="q q-1">He wrote: &#34;&lt;b&gt;founded&lt;/b&gt; &amp; signed&#34;.</mark>',
                 f"<p>{QUOTE}</p>", f'<a href="../id/firm.html" lang="en">{FIRM}</a>'):
        assert line in source_page
    for html in (entity_page, source_page):
        assert not any(raw in html for raw in (*AWKWARD_RAW, "<i>tools", "<em>twice", "<u>here", '"often"', '"there"'))
        [title] = _shown_as_text(html, "title")
        assert 'Smith & "Sons" <Ltd>' in title or 'Notes & "drafts" <1943>' in title
        assert _shown_as_text(html, "blockquote") == ['“He wrote: "<b>founded</b> & signed".”']
    assert _shown_as_text(source_page, "mark") == ['He wrote: "<b>founded</b> & signed".']


AWKWARD_TERMS = PREFIXES + """
cas:Firm a owl:Class ; rdfs:label "firm <&> \\"co\\""@en , "ditta <&>"@it ; skos:definition "A <b>firm</b> & \\"co\\"."@en ;
    rdfs:comment "Not <i>a</i> person."@en ; rdfs:subClassOf cas:Agent ; owl:deprecated true .
"""


def test_the_ontology_page_escapes_every_text_from_the_ontology():
    """A term's label, definition and note with <, & and " show as written on the ontology page, in each of its
    places, escaped as Jinja's autoescape escaped them (&lt; &amp; &#34;), and never as markup."""
    from cassibile.publish.site.pages import Renderer
    from cassibile.publish.site.view import SiteGraph

    ontology = Graph().parse(data=AWKWARD_TERMS, format="turtle")
    pages = dict(Renderer(SiteGraph(built_of(Graph(), ontology))).ontology())
    for line in ('<h3 id="Firm-h"><code>cas:Firm</code> firm &lt;&amp;&gt; &#34;co&#34; <span class="rank rank-deprecated">',
                 '<p class="definition">A &lt;b&gt;firm&lt;/b&gt; &amp; &#34;co&#34;.</p><p class="note">Not &lt;i&gt;a&lt;/i&gt; person.</p>',
                 '<li><abbr title="English">en</abbr> <span lang="en">firm &lt;&amp;&gt; &#34;co&#34;</span></li>'
                 '<li><abbr title="Italian">it</abbr> <span lang="it">ditta &lt;&amp;&gt;</span></li>',
                 '<p class="term-list"><a href="#Firm">Firm</a></p>'):
        assert line in pages["en"]
    assert '<h3 id="Firm-h"><code>cas:Firm</code> ditta &lt;&amp;&gt; <span class="rank rank-deprecated">' in pages["it"]
    for html in pages.values():
        assert "<b>firm" not in html and "<i>a</i>" not in html and '"co"' not in html


def test_a_terms_html_is_made_once_for_each_value_and_way_of_showing_it():
    """A linked term's HTML is kept and given again, but never for another Value: the same label linked and not,
    in another language or to another page, each is its own."""
    from cassibile.publish.site.i18n import Words
    from cassibile.publish.site.pages import ValueHtml
    from cassibile.publish.site.view import Value

    value = ValueHtml(Words("it"), "../")
    firm = Value('Smith & "Sons"', path="id/firm.html", lang="it")
    assert value(firm) is value(Value('Smith & "Sons"', path="id/firm.html", lang="it"))
    assert [str(value(v, link)) for v, link in (
        (firm, True), (firm, False), (Value('Smith & "Sons"', path="id/firm.html", lang="en", fallback=True), True),
        (Value('Smith & "Sons"', path="id/firm-2.html", lang="it"), True), (Value('Smith & "Sons"', lang="it"), True),
    )] == [
        '<a href="../id/firm.html">Smith &amp; &#34;Sons&#34;</a>', "Smith &amp; &#34;Sons&#34;",
        '<a href="../id/firm.html" lang="en">Smith &amp; &#34;Sons&#34;</a> '
        '<small class="fallback" title="testo non disponibile in italiano; qui in inglese">EN</small>',
        '<a href="../id/firm-2.html">Smith &amp; &#34;Sons&#34;</a>', "Smith &amp; &#34;Sons&#34;",
    ]
