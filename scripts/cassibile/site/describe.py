"""The RDF behind each page: what the `.ttl`, `.jsonld` and `.nt` siblings of a page hold."""

from __future__ import annotations

from pathlib import Path

from rdflib import Graph, URIRef

from cassibile.errors import UsageError
from cassibile.export import entity_subgraph
from cassibile.load import new_graph
from cassibile.site.view import SiteGraph


def entity_description(site: SiteGraph, entity: URIRef) -> Graph:
    """The same triples as the entity's framed JSON-LD document (`export.entity_subgraph`)."""
    graph = new_graph()
    graph += entity_subgraph(site.described, entity)
    return graph


def source_description(site: SiteGraph, source: URIRef) -> Graph:
    """The source's description and every claim that quotes it."""
    graph = new_graph()
    graph += site.data.triples((source, None, None))
    for claim in site.claims_from(source):
        graph += site.data.triples((claim.iri, None, None))
    return graph


def read_built(path: Path) -> Graph:
    """A graph the build wrote beside the site (Turtle), e.g. the VoID description."""
    if not path.is_file():
        raise UsageError(f"{path} is missing; run `cassibile build` first")
    graph = new_graph()
    graph.parse(path, format="turtle")
    return graph
