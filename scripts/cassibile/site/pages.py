"""Render every page of the site with Jinja2 (autoescaped) from a SiteGraph."""

from __future__ import annotations

from collections import defaultdict

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup, escape
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS

from cassibile.load import source_language
from cassibile.namespaces import BASE, CAS, DCAT, ONTOLOGY, VOID, WD, WDT
from cassibile.site.highlight import Piece, cut
from cassibile.site.timeline import Row
from cassibile.site.view import CATEGORIES, LANGUAGE_NAMES, OTHER_CATEGORY, SiteGraph, Value, local_name

# Relations the ontology documentation lists for a term, in this order, with their headings.
TERM_RELATIONS = (
    (RDF.type, "Kind"),
    (RDFS.subClassOf, "Subclass of"),
    (RDFS.subPropertyOf, "Subproperty of"),
    (OWL.inverseOf, "Inverse of"),
    (RDFS.domain, "Domain"),
    (RDFS.range, "Range"),
    (OWL.disjointWith, "Disjoint with"),
    (SKOS.closeMatch, "Close match"),
    (SKOS.exactMatch, "Exact match"),
)
TERM_KINDS = (("classes", "Classes"), ("properties", "Properties"), ("individuals", "Named individuals"))
PROPERTY_TYPES = (OWL.ObjectProperty, OWL.DatatypeProperty, RDF.Property)


def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("cassibile.site", "templates"),
        autoescape=select_autoescape(default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,  # the templates do not change while the site is written: no stat of each per page
    )
    env.globals.update(language_names=LANGUAGE_NAMES)
    return env


class Renderer:
    """One method per kind of page; each returns the page's HTML text."""

    def __init__(self, site: SiteGraph):
        self.site, self.env = site, environment()
        self._source_titles: dict[URIRef, Value] = {}

    def _render(self, template: str, root: str, **context) -> str:
        return self.env.get_template(template).render(root=root, **context)

    def source_title(self, source: URIRef) -> Value:
        """A source's title, linked to its page; looked up once, as every quotation on every page cites one."""
        if source not in self._source_titles:
            self._source_titles[source] = self._read_source_title(source)
        return self._source_titles[source]

    def _read_source_title(self, source: URIRef) -> Value:
        title = self.site.data.value(source, DCTERMS.title)
        return Value(str(title) if title else local_name(source), path=f"source/{local_name(source)}.html",
                     lang=title.language if isinstance(title, Literal) else None)

    # --- entity pages -------------------------------------------------------------------------

    def entity(self, entity: URIRef) -> str:
        site = self.site
        classes = [site.value(t) for t in sorted(site.data.objects(entity, RDF.type))]
        return self._render(
            "entity.html", "../",
            entity=entity, slug=local_name(entity), title=site.label(entity), classes=classes,
            description=site.description(entity), labels=site.labels(entity), wikidata=site.wikidata(entity),
            groups=site.fact_groups(entity), mentions=site.mentions(entity),
            comments=sorted(str(c) for c in site.data.objects(entity, RDFS.comment)),
            claims=site.claims, source_title=self.source_title,
        )

    # --- source pages -------------------------------------------------------------------------

    def source(self, source: URIRef) -> str:
        site = self.site
        claims = site.claims_from(source)
        text = site.texts[source]
        pieces = cut(text, {c.anchor: str(c.quote) for c in claims})
        order = [key for piece in pieces for key in piece.starts]
        numbers = {key: index for index, key in enumerate(order, 1)}
        by_anchor = {c.anchor: c for c in claims}
        meta = [(label, [site.value(v) for v in sorted(site.data.objects(source, p))]) for p, label in (
            (DCTERMS.language, "Language"), (CAS.kindOfText, "Kind of text"), (DCTERMS.publisher, "Publisher"),
            (DCTERMS.license, "Licence"), (CAS.attribution, "Attribution"), (CAS.originalFileName, "Original file"),
            (CAS.sha256, "SHA-256"), (RDFS.comment, "Note"),
        )]
        return self._render(
            "source.html", "../",
            source=source, slug=local_name(source), title=self.source_title(source), meta=meta,
            lang=source_language(site.built.dataset, source) or "und",
            text_html=highlighted(pieces, numbers), claims=[by_anchor[k] for k in order], numbers=numbers,
        )

    # --- index, timeline, ontology, dataset -----------------------------------------------------

    def index(self) -> str:
        site = self.site
        sections: dict[tuple[str, str], list] = defaultdict(list)
        first_dates = {}
        for fact in site.date_facts():
            if fact.rank_name != "deprecated":
                first_dates[fact.subject] = min(first_dates.get(fact.subject, fact.earliest), fact.earliest)
        for entity in site.entities:
            sections[site.category(entity)].append((site.value(entity), site.description(entity), first_dates.get(entity)))
        for key, items in sections.items():
            if key[0] == "events":
                items.sort(key=lambda i: (i[2] is None, i[2] or 0, i[0].text.lower()))
            else:
                items.sort(key=lambda i: (i[0].text.lower(), i[0].path))
        order = [key for key, _, _ in CATEGORIES] + [OTHER_CATEGORY[0]]
        ordered = sorted(sections.items(), key=lambda kv: order.index(kv[0][0]))
        sources = [(self.source_title(s), source_language(site.built.dataset, s), len(site.claims_from(s))) for s in site.sources]
        return self._render("index.html", "", sections=ordered, sources=sources, facts=len(site.facts), claims=len(site.claims))

    def timeline(self, rows: list[Row], svg: str) -> str:
        return self._render("timeline.html", "", rows=rows, svg=Markup(svg))

    def ontology(self) -> str:
        graph = self.site.ontology
        terms = {key: [] for key, _ in TERM_KINDS}
        for term in sorted({s for s in graph.subjects() if isinstance(s, URIRef) and str(s).startswith(str(CAS))}):
            kinds = set(graph.objects(term, RDF.type))
            key = "classes" if OWL.Class in kinds else "properties" if kinds & set(PROPERTY_TYPES) else "individuals"
            terms[key].append(self._term(term))
        header = [(label, [self.site.value(v) for v in sorted(graph.objects(URIRef(ONTOLOGY), p))]) for p, label in (
            (DCTERMS.description, "Description"), (RDFS.comment, "Note"), (OWL.versionInfo, "Version"),
            (OWL.versionIRI, "Version IRI"), (DCTERMS.creator, "Creator"), (DCTERMS.created, "Created"),
            (DCTERMS.modified, "Modified"), (DCTERMS.license, "Licence"), (SKOS.changeNote, "Changes"),
        )]
        titles = sorted((t.language, str(t)) for t in graph.objects(URIRef(ONTOLOGY), DCTERMS.title))
        return self._render("ontology.html", "", kinds=TERM_KINDS, terms=terms, header=header, titles=titles, iri=str(ONTOLOGY))

    def _term(self, term: URIRef) -> dict:
        graph, site = self.site.ontology, self.site
        relations, wikidata = [], []
        for predicate, heading in TERM_RELATIONS:
            values = sorted(graph.objects(term, predicate))
            local = [v for v in values if not str(v).startswith((str(WD), str(WDT)))]
            wikidata += [(heading, site.value(v)) for v in values if v not in local]
            if local:
                relations.append((heading, [site.value(v) for v in local]))
        return {
            "anchor": local_name(term), "iri": str(term), "label": site.label(term), "labels": site.labels(term),
            "definition": site.definition(term), "comments": sorted(str(c) for c in graph.objects(term, RDFS.comment)),
            "relations": relations, "wikidata": wikidata, "deprecated": (term, OWL.deprecated, Literal(True)) in graph,
        }

    def dataset(self, void: Graph) -> str:
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
        classes = sorted(((self.site.value(void.value(p, VOID["class"])), int(void.value(p, VOID.entities)))
                          for p in void.objects(dataset, VOID.classPartition)), key=lambda c: c[0].text.lower())
        return self._render(
            "dataset.html", "", iri=str(dataset), **header,
            sources=[self.source_title(s) for s in sorted(void.objects(dataset, DCTERMS.source))],
            examples=[self.site.value(e) for e in sorted(void.objects(dataset, VOID.exampleResource))],
            vocabularies=sorted(str(v) for v in void.objects(dataset, VOID.vocabulary)),
            downloads=downloads, subsets=subsets, classes=classes,
        )

def highlighted(pieces: list[Piece], numbers: dict[str, int]) -> Markup:
    """The source text as HTML: quoted pieces in <mark>, an anchor where each quote starts, its number where it ends."""
    parts = []
    for piece in pieces:
        parts += [f'<span class="anchor" id="{escape(key)}"></span>' for key in piece.starts]
        if piece.covered_by:
            classes = " ".join(f"q-{numbers[key]}" for key in piece.covered_by)
            depth = min(len(piece.covered_by), 3)
            parts.append(f'<mark class="q depth-{depth} {classes}">{escape(piece.text)}</mark>')
        else:
            parts.append(str(escape(piece.text)))
        parts += [
            f'<sup class="note-ref"><a href="#note-{escape(key)}" title="passage {numbers[key]}: the facts it supports">'
            f"{numbers[key]}</a></sup>"
            for key in piece.ends
        ]
    return Markup("".join(parts))
