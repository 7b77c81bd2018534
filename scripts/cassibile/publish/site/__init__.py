"""The static site, in English, Italian, German and Portuguese: a page per entity, source, fact and claim,
the timeline, the index, search, the bundled queries, the ontology and the dataset.

`write_site(built, dist / "site", project, jobs)` writes it beside the build's data files, which it links to
and reuses: each entity's framed JSON-LD document (`dist/id/<slug>.jsonld`, which the build frames as it writes
the entity's page: `framed_documents`) and the dataset's VoID description (`dist/void.ttl`). Every IRI we mint
under `https://w3id.org/cassibile/` — `id/<slug>`, `source/<name>`, `fact/<slug>`, `claim/<slug>` — maps to the
English page `<path>.html` with `.ttl`, `.jsonld`, `.nt` and `.rdf` siblings, so that the same relative links work
from `file://` and from `cassibile serve`, which negotiates `/id/<slug>` to one of them. The pages in the other languages mirror the
English ones under a folder per language (`it/id/<slug>.html`) and link to the same data siblings. The pages are
written from `jobs` processes at once (`cassibile.processes`); the files are the same whatever `jobs`.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Iterable
from functools import partial
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF

from cassibile.errors import UsageError
from cassibile.namespaces import BASE, GRAPH, LANGUAGES
from cassibile.pipeline.load import Dataset, read_source_texts
from cassibile.pipeline.store import LayerStore
from cassibile.processes import Runs, Share, in_processes
from cassibile.project import Project
from cassibile.publish.export import EntityFramer, entity_document_name, statements
from cassibile.publish.outputs import LAYERS, Built, replace_folder
from cassibile.publish.publication import Publication
from cassibile.publish.site import describe
from cassibile.publish.site.describe import write_data
from cassibile.publish.site.i18n import prefix
from cassibile.publish.site.pages import Renderer
from cassibile.publish.site.queries import OWN_QUERY, input_attributes, query_forms
from cassibile.publish.site.search import documents, index_script
from cassibile.publish.site.timeline import rows, timeline_svg
from cassibile.publish.site.view import ClaimView, FactView, SiteGraph, local_name
from cassibile.publish.site.writer import FileWriter

FOLDERS = ("id", "source", "fact", "claim", "sparql")


def write_site(built: Built, out: Path, project: Project, jobs: int = 1, alongside: Callable[[], None] | None = None,
               entity_documents: Documents | None = None, site: SiteGraph | None = None) -> None:
    """Write the whole site into `out` (created; must not exist yet), beside the build's files in `out.parent`,
    from `jobs` processes at once. `alongside()`, if given, runs in this process while the others begin on the
    pages (the build writes its data files there); then this process writes the two that read those files (the
    dataset's page reads void.ttl; the ontology's versions copy ontology.*) and takes pages too. Each
    entity's framed document comes from `entity_documents` (the build's: `framed_documents`), by default from
    `out.parent`'s id/ folder, where the build wrote them. `site`: the build's questions to ask of, if it has worked
    out their shared answers already (`cassibile.build.prepare_outputs`)."""
    site = site or SiteGraph(built)
    data = describe.Descriptions(site, built.publication, published_context_of(out.parent))
    entity_documents = entity_documents or built_documents(out.parent / "id")
    pages = SiteFiles(site, Renderer(site), data, query_forms(project.query_dir), out, entity_documents)
    out.mkdir(parents=True)
    for lang in LANGUAGES:
        for folder in FOLDERS:
            (out / prefix(lang) / folder).mkdir(parents=True)
    write_static(files("cassibile.publish.site") / "static", out / "static")
    tasks = pages.tasks()
    site.prepare()  # before the work is shared out (if not done): what every page asks for, once for every process

    with FileWriter() as writer, Runs(len(tasks), jobs) as runs:  # one writer for all the processes (why: `publish.site.writer`)

        def write_share(share: Share) -> None:
            if share.index == 0:
                if alongside is not None:
                    alongside()
                pages.dataset(writer)  # the two that read the data files, as soon as they are there
                write_versioned_ontology(built.dataset.ontology, out.parent, out)
            for task in runs.taken_by(share):
                tasks[task](writer)
            writer.flush()

        in_processes(write_share, jobs, "writing the site")


class SiteFiles:
    """Every page of the site with the data files beside it, as tasks that each write a page (in every language)
    and its files, independent of each other."""

    def __init__(self, site: SiteGraph, render: Renderer, data: describe.Descriptions, queries: list, out: Path,
                 entity_documents: Documents):
        self.site, self.render, self.data, self.queries, self.out = site, render, data, queries, out
        self.entity_documents = entity_documents

    def tasks(self) -> list[Callable[[FileWriter], None]]:
        """The tasks, but for the dataset's page (it reads void.ttl, which the build may still be writing). The pages
        of which there is one come first (the ontology's and the timeline take longest of all on the real graph):
        taken early, not by a process that would finish them alone after the others. Then each entity's page, each
        followed by the pages of the facts it is the subject of and of their claims: pages side by side show the same
        facts and claims, whose blocks and fragments a process makes once for the pages it takes (`Runs`). An entity
        the index documents but the site has no page for (typed in the derived layer only) gets its document."""
        site, paged = self.site, set(self.site.entities)
        facts = {iri: fact for iri, fact in site.facts.items() if fact.page}
        claims = {iri: claim for iri, claim in site.claims.items() if claim.page}
        tasks = [self.ontology, self.timeline, self.index, self.search, self.queries_page]
        for entity in site.entities:
            tasks.append(partial(self.entity, entity))
            for fact in [facts.pop(iri) for iri in site.index.facts_naming(entity, RDF.subject) if iri in facts]:
                tasks.append(partial(self.fact, fact))
                tasks += [partial(self.claim, claims.pop(iri)) for iri in fact.claims if iri in claims]
        return [
            *tasks,
            *(partial(self.entity_documents, entity) for entity in site.index.entities if entity not in paged),
            *(partial(self.source, source) for source in site.sources),
            *(partial(self.fact, fact) for fact in facts.values()),
            *(partial(self.claim, claim) for claim in claims.values()),
        ]

    def entity(self, entity: URIRef, writer: FileWriter) -> None:
        slug = local_name(entity)
        write_data(writer, self.out / "id" / slug, self.data.entity(entity), self.entity_documents(entity, writer))
        _write_pages(writer, self.out, f"id/{slug}.html", self.render.entity(entity))

    def source(self, source: URIRef, writer: FileWriter) -> None:
        slug, data = local_name(source), self.data
        blocks = data.source(source)
        write_data(writer, self.out / "source" / slug, blocks, data.jsonld(blocks, data.context))
        writer.write(self.out / "source" / f"{slug}.txt", self.site.texts[source])
        _write_pages(writer, self.out, f"source/{slug}.html", self.render.source(source))

    def fact(self, fact: FactView, writer: FileWriter) -> None:
        blocks = self.data.fact(fact.iri)
        write_data(writer, self.out / "fact" / local_name(fact.iri), blocks, self.data.jsonld(blocks))
        _write_pages(writer, self.out, fact.page, self.render.fact(fact))

    def claim(self, claim: ClaimView, writer: FileWriter) -> None:
        blocks = self.data.claim(claim.iri)
        write_data(writer, self.out / "claim" / local_name(claim.iri), blocks, self.data.jsonld(blocks))
        _write_pages(writer, self.out, claim.page, self.render.claim(claim))

    def timeline(self, writer: FileWriter) -> None:
        site = self.site
        timeline_rows = {lang: rows(site, site.displays[lang]) for lang in LANGUAGES}
        writer.write(self.out / "timeline.svg", timeline_svg(timeline_rows["en"], site.displays["en"]) + "\n")
        _write_pages(writer, self.out, "timeline.html", self.render.timeline(timeline_rows))

    def index(self, writer: FileWriter) -> None:
        _write_pages(writer, self.out, "index.html", self.render.index())

    def search(self, writer: FileWriter) -> None:
        writer.write(self.out / "search-index.js", index_script(documents(self.site)))
        _write_pages(writer, self.out, "search.html", self.render.search())

    def queries_page(self, writer: FileWriter) -> None:
        _write_pages(writer, self.out, "sparql/index.html", self.render.sparql(self.queries, input_attributes, OWN_QUERY))

    def ontology(self, writer: FileWriter) -> None:
        _write_pages(writer, self.out, "ontology.html", self.render.ontology())

    def dataset(self, writer: FileWriter) -> None:
        void = describe.read_built(self.out.parent / "void.ttl")
        blocks = self.data.of(statements(void))
        write_data(writer, self.out / "dataset", blocks, self.data.jsonld(blocks, self.data.context))
        _write_pages(writer, self.out, "dataset.html", self.render.dataset(void))


def write_static(static: Traversable, out: Path) -> None:
    """The stylesheet and scripts, written rather than copied: a copy would keep the modes of the installed package's
    files, and dist/ has the umask's, as every file the build creates (`cassibile.build.build`)."""
    out.mkdir()
    for item in static.iterdir():
        if item.is_dir():
            write_static(item, out / item.name)
        else:
            (out / item.name).write_bytes(item.read_bytes())


def _write_pages(writer: FileWriter, out: Path, page: str, rendered: Iterable[tuple[str, str]]) -> None:
    """A page in each language: the English one at `page`, the others under their language's folder."""
    for lang, html in rendered:
        writer.write(f"{out}/{prefix(lang)}{page}", html)  # joined as text: pathlib's joins took 2% of the site step


Documents = Callable[[URIRef, FileWriter], bytes]  # an entity's framed JSON-LD document (written by `writer` if need be)


def framed_documents(index: Publication, context: dict, folder: Path) -> Documents:
    """The build's: each entity's document framed (`export.EntityFramer`) as its page is written, and written to
    `folder` (dist/id/) too; each process frames its own pages' documents."""
    framer = EntityFramer(index, context)

    def document(entity: URIRef, writer: FileWriter) -> bytes:
        framed = framer.document(entity)
        writer.write(f"{folder}/{entity_document_name(entity)}", framed)
        return framed

    return document


def built_documents(folder: Path) -> Documents:
    """`cassibile site`'s: each entity's document as the build wrote it in `folder` (dist/id/)."""

    def document(entity: URIRef, writer: FileWriter) -> bytes:
        path = folder / entity_document_name(entity)
        if not path.is_file():
            raise UsageError(f"{path} is missing; run `cassibile build` first")
        return path.read_bytes()

    return document


def published_context_of(dist: Path) -> dict:
    """The JSON-LD context the build published beside the site (dist/context.jsonld)."""
    path = dist / "context.jsonld"
    if not path.is_file():
        raise UsageError(f"{path} is missing; run `cassibile build` first")
    return json.loads(path.read_text(encoding="utf-8"))["@context"]


def write_versioned_ontology(ontology: Graph, out: Path, site: Path) -> None:
    """The ontology's files of `out` again in `site` at the path of its version IRI (ontology/1.1.0.ttl, …),
    where the w3id rules send `https://w3id.org/cassibile/ontology/1.1.0`; keep earlier versions when publishing."""
    version = ontology.value(URIRef(BASE + "ontology"), OWL.versionIRI)
    if version is None or not str(version).startswith(BASE):
        return
    base = site / str(version).removeprefix(BASE)
    base.parent.mkdir(parents=True, exist_ok=True)
    for extension in ("ttl", "nt", "rdf", "jsonld"):
        shutil.copyfile(out / f"ontology.{extension}", base.with_name(f"{base.name}.{extension}"))


def built_from_dist(project: Project, dist: Path) -> Built:
    """A finished build read back from its files (each layer's N-Triples, into a store as the build keeps them) and the
    project's source texts."""
    layers = LayerStore()
    for name in LAYERS:
        path = dist / f"{name}.nt"
        if not path.is_file():
            raise UsageError(f"no built graph at {path}; run `cassibile build` first")
        layers.add(GRAPH[name], ox.parse(path=path, format=ox.RdfFormat.N_TRIPLES))
    dataset = Dataset(layers.graph(GRAPH["ontology"]), layers=layers)
    dataset.source_texts = read_source_texts(project, dataset)
    return Built(dataset, [])


def rebuild_site(project: Project, dist: Path, jobs: int = 1) -> None:
    """`cassibile site`: write `dist/site` again from the build in `dist` (from `jobs` processes), replacing the old
    one at once."""
    staging = dist / ".site.new"
    shutil.rmtree(staging, ignore_errors=True)
    try:
        write_site(built_from_dist(project, dist), staging, project, jobs)
        replace_folder(staging, dist / "site")
    finally:
        shutil.rmtree(staging, ignore_errors=True)
