"""The static site, in English, Italian, German and Portuguese: a page per entity, source, fact and claim,
the timeline, the index, search, the bundled queries, the ontology and the dataset.

`write_site(built, dist / "site", project)` writes it beside the build's data files, which it links to
and reuses: each entity's framed JSON-LD document (`dist/id/<slug>.jsonld`) and the dataset's VoID
description (`dist/void.ttl`). Every IRI we mint under `https://w3id.org/cassibile/` — `id/<slug>`,
`source/<name>`, `fact/<slug>`, `claim/<slug>` — maps to the English page `<path>.html` with `.ttl`,
`.jsonld`, `.nt` and `.rdf` siblings, so that the same relative links work from `file://` and from `cassibile
serve`, which negotiates `/id/<slug>` to one of them. The pages in the other languages mirror the
English ones under a folder per language (`it/id/<slug>.html`) and link to the same data siblings.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterable
from importlib.resources import files
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph, URIRef
from rdflib.namespace import OWL

from cassibile.errors import UsageError
from cassibile.namespaces import BASE, GRAPH, LANGUAGES
from cassibile.pipeline.load import Dataset, read_source_texts
from cassibile.pipeline.store import LayerStore
from cassibile.project import Project
from cassibile.publish.export import statements
from cassibile.publish.outputs import LAYERS, Built, replace_folder
from cassibile.publish.site import describe
from cassibile.publish.site.describe import write_data
from cassibile.publish.site.i18n import prefix
from cassibile.publish.site.pages import Renderer
from cassibile.publish.site.queries import OWN_QUERY, input_attributes, query_forms
from cassibile.publish.site.search import documents, index_script
from cassibile.publish.site.timeline import rows, timeline_svg
from cassibile.publish.site.view import SiteGraph, local_name
from cassibile.publish.site.writer import FileWriter

FOLDERS = ("id", "source", "fact", "claim", "sparql")


def write_site(built: Built, out: Path, project: Project) -> None:
    """Write the whole site into `out` (created; must not exist yet), beside the build's files in `out.parent`."""
    site = SiteGraph(built)
    render = Renderer(site)
    data = describe.Descriptions(site, built.publication, published_context_of(out.parent))
    queries = query_forms(project.query_dir)
    out.mkdir(parents=True)
    for lang in LANGUAGES:
        for folder in FOLDERS:
            (out / prefix(lang) / folder).mkdir(parents=True)
    shutil.copytree(files("cassibile.publish.site") / "static", out / "static")
    with FileWriter() as writer:
        _write_files(writer, site, render, data, queries, out)
    write_versioned_ontology(built.dataset.ontology, out.parent, out)


def _write_files(writer: FileWriter, site: SiteGraph, render: Renderer, data: describe.Descriptions, queries: list, out: Path) -> None:
    """Every page of the site and every data file beside a page, handed to `writer`."""
    for entity in site.entities:
        slug = local_name(entity)
        write_data(writer, out / "id" / slug, data.entity(entity), _framed_document(out, slug))
        _write_pages(writer, out, f"id/{slug}.html", render.entity(entity))
    for source in site.sources:
        slug = local_name(source)
        blocks = data.source(source)
        write_data(writer, out / "source" / slug, blocks, data.jsonld(blocks, data.context))
        writer.write(out / "source" / f"{slug}.txt", site.texts[source])
        _write_pages(writer, out, f"source/{slug}.html", render.source(source))
    for fact in site.facts.values():
        if fact.page:
            blocks = data.fact(fact.iri)
            write_data(writer, out / "fact" / local_name(fact.iri), blocks, data.jsonld(blocks))
            _write_pages(writer, out, fact.page, render.fact(fact))
    for claim in site.claims.values():
        if claim.page:
            blocks = data.claim(claim.iri)
            write_data(writer, out / "claim" / local_name(claim.iri), blocks, data.jsonld(blocks))
            _write_pages(writer, out, claim.page, render.claim(claim))
    timeline_rows = {lang: rows(site, site.displays[lang]) for lang in LANGUAGES}
    writer.write(out / "timeline.svg", timeline_svg(timeline_rows["en"], site.displays["en"]) + "\n")
    _write_pages(writer, out, "timeline.html", render.timeline(timeline_rows))
    _write_pages(writer, out, "index.html", render.index())
    writer.write(out / "search-index.js", index_script(documents(site)))
    _write_pages(writer, out, "search.html", render.search())
    _write_pages(writer, out, "sparql/index.html", render.sparql(queries, input_attributes, OWN_QUERY))
    _write_pages(writer, out, "ontology.html", render.ontology())
    void = describe.read_built(out.parent / "void.ttl")
    blocks = data.of(statements(void))
    write_data(writer, out / "dataset", blocks, data.jsonld(blocks, data.context))
    _write_pages(writer, out, "dataset.html", render.dataset(void))


def _write_pages(writer: FileWriter, out: Path, page: str, rendered: Iterable[tuple[str, str]]) -> None:
    """A page in each language: the English one at `page`, the others under their language's folder."""
    for lang, html in rendered:
        writer.write(f"{out}/{prefix(lang)}{page}", html)  # joined as text: pathlib's joins took 2% of the site step


def _framed_document(out: Path, slug: str) -> bytes:
    path = out.parent / "id" / f"{slug}.jsonld"
    if not path.is_file():
        raise UsageError(f"{path} is missing; run `cassibile build` first")
    return path.read_bytes()


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


def rebuild_site(project: Project, dist: Path) -> None:
    """`cassibile site`: write `dist/site` again from the build in `dist`, replacing the old one at once."""
    staging = dist / ".site.new"
    shutil.rmtree(staging, ignore_errors=True)
    try:
        write_site(built_from_dist(project, dist), staging, project)
        replace_folder(staging, dist / "site")
    finally:
        shutil.rmtree(staging, ignore_errors=True)
