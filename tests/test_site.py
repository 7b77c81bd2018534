"""The static site, read as a historian and a link checker would: every page, link, quote and date.

Expectations come from the built graph (dist/*.nt), never from the page generator itself; exact
expected output belongs with the small fixtures at the end.
"""

from __future__ import annotations

import filecmp
import shutil
import xml.etree.ElementTree as ET
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urldefrag, urlsplit

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from cassibile.errors import DataError
from cassibile.export import entity_subgraph
from cassibile.namespaces import CAS, ID, WIKIBASE
from cassibile.site.highlight import cut
from conftest import run_cli

VOID_ELEMENTS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
SERVER_ONLY_LINKS = {"../sparql/"}  # the query page exists only under `cassibile serve`
SVG = "{http://www.w3.org/2000/svg}"


# --- reading pages ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Element:
    tag: str
    attrs: dict
    text: str
    ancestors: tuple  # (tag, id, classes) of every enclosing element, outermost first

    @property
    def classes(self) -> set[str]:
        return set((self.attrs.get("class") or "").split())

    def inside(self, tag: str | None = None, id: str | None = None, cls: str | None = None) -> bool:
        return any((tag is None or t == tag) and (id is None or i == id) and (cls is None or cls in c)
                   for t, i, c in self.ancestors)


class Page(HTMLParser):
    """Every element of an HTML page with its attributes, its text and its ancestors.

    The text of an element with the class `note-ref` (the passage numbers in a source's text) does
    not count towards the text of the elements around it."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.elements: list[Element] = []
        self._open: list[tuple[str, dict, list[str]]] = []
        self.feed(text)
        self.close()

    def _ancestors(self) -> tuple:
        return tuple((t, a.get("id"), set((a.get("class") or "").split())) for t, a, _ in self._open)

    def handle_starttag(self, tag, attrs):
        if tag in VOID_ELEMENTS:
            self.handle_startendtag(tag, attrs)
        else:
            self._open.append((tag, dict(attrs), []))

    def handle_startendtag(self, tag, attrs):
        self.elements.append(Element(tag, dict(attrs), "", self._ancestors()))

    def handle_data(self, data):
        if self._open:
            self._open[-1][2].append(data)

    def handle_endtag(self, tag):
        while self._open:
            open_tag, attrs, parts = self._open.pop()
            text = "".join(parts)
            self.elements.append(Element(open_tag, attrs, text, self._ancestors()))
            if self._open and "note-ref" not in (attrs.get("class") or ""):
                self._open[-1][2].append(text)
            if open_tag == tag:
                return

    @property
    def ids(self) -> set[str]:
        return {e.attrs["id"] for e in self.elements if "id" in e.attrs}

    def links(self) -> list[Element]:
        return [e for e in self.elements if e.tag == "a" and "href" in e.attrs]

    def find(self, tag: str | None = None, **attrs) -> list[Element]:
        return [e for e in self.elements if (tag is None or e.tag == tag) and all(e.attrs.get(k) == v for k, v in attrs.items())]


@lru_cache(maxsize=None)
def page(path: Path) -> Page:
    return Page(path.read_text(encoding="utf-8"))


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


def test_entity_data_siblings_hold_the_triples_of_the_entity_document(built):
    """What `export.entity_subgraph` gives the entity's JSON-LD document: the page's .nt holds the same."""
    described = layer(built, "asserted") + layer(built, "derived")
    for entity in entities(built):
        sibling = Graph().parse(built / "site" / "id" / f"{slug(entity)}.nt", format="nt")
        assert set(sibling) == set(entity_subgraph(described, entity)), entity


def test_entity_pages_list_every_fact_about_something_else_that_names_them(built):
    """"Named in facts about": each fact on another subject whose value or a qualifier is this entity."""
    data, site = layer(built, "asserted"), built / "site"
    expected = defaultdict(set)
    for fact in facts(built):
        subject = data.value(fact, RDF.subject)
        for predicate, value in data.predicate_objects(fact):
            if predicate != RDF.subject and str(value).startswith(str(ID)) and value != subject:
                expected[value].add(f"../id/{slug(subject)}.html#{slug(fact)}")
    assert sum(map(len, expected.values())) >= 50
    for entity in entities(built):
        html = page(site / "id" / f"{slug(entity)}.html")
        listed = {e.attrs["href"] for e in html.links() if e.inside("ul", cls="mentions") and "#" in e.attrs["href"]}
        assert listed == expected[entity], entity


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


def test_every_internal_link_and_anchor_resolves_and_nothing_comes_from_elsewhere(built):
    site = built / "site"
    pages = sorted(site.rglob("*.html"))
    assert len(pages) > len(entities(built))
    broken, external = [], []
    for path in pages:
        html = page(path)
        for element in html.elements:
            for attr in ("src", "href"):
                target = element.attrs.get(attr)
                if target is None:
                    continue
                scheme = urlsplit(target).scheme
                is_resource = element.tag in ("script", "img", "link") and element.attrs.get("rel") != "alternate"
                if scheme and scheme != "data" and is_resource:
                    external.append(f"{path.relative_to(site)}: {target}")
                if scheme or target in SERVER_ONLY_LINKS:
                    continue
                address, fragment = urldefrag(target)
                file = (path.parent / address).resolve() if address else path
                if not file.is_file() or (fragment and file.suffix == ".html" and fragment not in page(file).ids):
                    broken.append(f"{path.relative_to(site)} -> {target}")
    assert not external, external[:10]
    assert not broken, broken[:10]
    assert "url(http" not in (site / "static" / "site.css").read_text(encoding="utf-8")


def test_every_fact_links_to_its_quotes_and_every_quote_back_to_its_facts(built):
    """A historian's round trip: fact -> highlighted passage in its source -> the fact again."""
    data, site = layer(built, "asserted"), built / "site"
    for fact in facts(built):
        subject = data.value(fact, RDF.subject)
        entity_page = site / "id" / f"{slug(subject)}.html"
        in_fact = {e.attrs["href"] for e in page(entity_page).links() if e.inside("article", id=slug(fact))}
        for claim in data.objects(fact, CAS.supportedBy):
            source = data.value(claim, CAS.source)
            assert f"../source/{slug(source)}.html#{slug(claim)}" in in_fact, (fact, claim)
            source_page = page(site / "source" / f"{slug(source)}.html")
            assert slug(claim) in source_page.ids
            back = {e.attrs["href"] for e in source_page.links() if e.inside("li", id=f"note-{slug(claim)}")}
            assert f"../id/{slug(subject)}.html#{slug(fact)}" in back, (claim, fact)


def test_source_pages_show_the_whole_text_with_every_quote_highlighted(built):
    data, site = layer(built, "asserted"), built / "site"
    for source in sorted(data.subjects(RDF.type, CAS.Source)):
        html = page(site / "source" / f"{slug(source)}.html")
        [text_block] = [e for e in html.elements if "source-text" in e.classes]
        assert text_block.text == (site / "source" / f"{slug(source)}.txt").read_text(encoding="utf-8")
        assert text_block.attrs["lang"] == str(data.value(source, URIRef("http://purl.org/dc/terms/language")))
        highlighted = defaultdict(str)
        for mark in (e for e in html.elements if e.tag == "mark" and e.inside("div", cls="source-text")):
            for cls in mark.classes:
                if cls.startswith("q-"):
                    highlighted[cls] += mark.text
        claims = sorted(data.subjects(CAS.source, source))
        numbers = {e.attrs["id"][len("note-"):]: e.attrs["value"] for e in html.find("li") if e.attrs.get("id", "").startswith("note-")}
        assert set(numbers) == {slug(c) for c in claims}
        for claim in claims:
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
    for entity in entities(built):
        html = page(site / "id" / f"{slug(entity)}.html")
        assert html.find("html")[0].attrs["lang"] == "en"
        shown = {(e.attrs["lang"], e.text.strip()) for e in html.elements if "lang" in e.attrs}
        labels = [l for p in (RDFS.label, CAS.editorialLabel) for l in data.objects(entity, p)]
        assert {l.language for l in labels} >= {"en", "it", "de", "pt"}, entity
        for label in labels:
            assert (label.language, str(label)) in shown, (entity, label)
        hrefs = {e.attrs["href"] for e in html.links()}
        for qid in data.objects(entity, OWL.sameAs):
            assert f"https://www.wikidata.org/wiki/{slug(qid)}" in hrefs


def test_index_lists_people_organisations_places_and_events(built):
    types = layer(built, "asserted") + layer(built, "inferred")
    html = page(built / "site" / "index.html")
    sections = defaultdict(set)
    for link in html.links():
        for tag, section_id, _ in link.ancestors:
            if tag == "section":
                sections[section_id].add(link.attrs["href"])
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
        assert f"../{name}" in hrefs and (built / name).is_file(), name


def test_site_is_written_again_byte_for_byte_from_the_build(built, tmp_path):
    """Determinism of the pages: `cassibile site` in a fresh process rewrites dist/site identically."""
    copy = tmp_path / "dist"
    shutil.copytree(built, copy)
    result = run_cli("site", "--dist", str(copy), check=True)
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


def test_a_quote_missing_from_its_source_is_a_data_error_naming_it():
    with pytest.raises(DataError, match="claim-x.*does not occur verbatim"):
        cut("Castellano signed.", {"claim-x": "Eisenhower signed."})

