"""The static site: a page per entity and per source, the timeline, the index, the ontology and dataset pages.

`write_site(built, dist / "site")` writes it beside the build's data files, which it links to and
reuses: each entity's framed JSON-LD document (`dist/id/<slug>.jsonld`) and the dataset's VoID
description (`dist/void.ttl`). Every entity IRI `https://w3id.org/cassibile/id/<slug>` maps to
`id/<slug>.html` with `.ttl`, `.jsonld` and `.nt` siblings (sources likewise under `source/`), so
the same relative links work from `file://` and from `cassibile serve`, which negotiates
`/id/<slug>` to one of them.
"""

from __future__ import annotations

import json
import shutil
from importlib.resources import files
from pathlib import Path

from rdflib import Graph

from cassibile.build import GENERATED, Built, replace_folder, write_versioned_ontology
from cassibile.errors import UsageError
from cassibile.export import serialize_graph, serialize_statements, statements
from cassibile.load import Dataset, new_graph, read_source_texts
from cassibile.project import Project
from cassibile.site import describe
from cassibile.site.pages import Renderer
from cassibile.site.timeline import rows, timeline_svg
from cassibile.site.view import SiteGraph, local_name

LAYERS = ("ontology", "asserted", "derived", "inferred")


def write_site(built: Built, out: Path) -> None:
    """Write the whole site into `out` (created; must not exist yet), beside the build's files in `out.parent`."""
    site = SiteGraph(built)
    render, descriptions = Renderer(site), describe.Descriptions(site)
    context = published_context_of(out.parent)
    out.mkdir(parents=True)
    shutil.copytree(files("cassibile.site") / "static", out / "static")
    for entity in site.entities:
        slug = local_name(entity)
        base = out / "id" / slug
        _write_page(base, render.entity(entity), descriptions.entity(entity), context, jsonld=_framed_document(out, slug))
    for source in site.sources:
        base = out / "source" / local_name(source)
        _write_page(base, render.source(source), descriptions.source(source), context)
        base.with_suffix(".txt").write_text(site.texts[source], encoding="utf-8")
    timeline_rows = rows(site)
    svg = timeline_svg(timeline_rows)
    (out / "timeline.svg").write_text(svg + "\n", encoding="utf-8")
    (out / "timeline.html").write_text(render.timeline(timeline_rows, svg), encoding="utf-8")
    (out / "index.html").write_text(render.index(), encoding="utf-8")
    (out / "ontology.html").write_text(render.ontology(), encoding="utf-8")
    void = describe.read_built(out.parent / "void.ttl")
    _write_page(out / "dataset", render.dataset(void), void, context)
    write_versioned_ontology(built.graphs["ontology"], out.parent, out)


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


def _write_page(base: Path, html: str, description: Graph, context: dict, jsonld: bytes | None = None) -> None:
    """An HTML page and its data siblings: Turtle, JSON-LD and N-Triples of the same description."""
    base.parent.mkdir(parents=True, exist_ok=True)
    base.with_suffix(".html").write_text(html, encoding="utf-8")
    triples = statements(description)
    base.with_suffix(".ttl").write_bytes(serialize_statements(triples, "ttl", header=GENERATED))
    base.with_suffix(".nt").write_bytes(serialize_statements(triples, "nt"))
    base.with_suffix(".jsonld").write_bytes(jsonld or serialize_graph(description, "jsonld", context=context))


def built_from_dist(project: Project, dist: Path) -> Built:
    """A finished build read back from its files (each layer's N-Triples) and the project's source texts."""
    graphs = {}
    for name in LAYERS:
        path = dist / f"{name}.nt"
        if not path.is_file():
            raise UsageError(f"no built graph at {path}; run `cassibile build` first")
        graphs[name] = new_graph().parse(path, format="nt")
    dataset = Dataset(graphs["ontology"], graphs["asserted"], new_graph())
    dataset.source_texts = read_source_texts(project, dataset)
    return Built(dataset, graphs, [])


def rebuild_site(project: Project, dist: Path) -> None:
    """`cassibile site`: write `dist/site` again from the build in `dist`, replacing the old one at once."""
    staging = dist / ".site.new"
    shutil.rmtree(staging, ignore_errors=True)
    try:
        write_site(built_from_dist(project, dist), staging)
        replace_folder(staging, dist / "site")
    finally:
        shutil.rmtree(staging, ignore_errors=True)
