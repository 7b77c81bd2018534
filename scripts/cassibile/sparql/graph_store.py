"""`cassibile publish`: load the built dataset into any SPARQL 1.1 store through the Graph Store HTTP Protocol.

Each named graph of dist/cassibile.nq is sent with one HTTP PUT to `<store>?graph=<name>`, which
replaces that graph and nothing else, so publishing twice leaves the store as publishing once.
"""

from __future__ import annotations

import urllib.error
import urllib.parse
import urllib.request
from collections import defaultdict
from pathlib import Path

import pyoxigraph as ox

from cassibile import __version__
from cassibile.errors import NetworkError, UsageError

USER_AGENT = f"cassibile/{__version__} (+https://w3id.org/cassibile)"


class PublishError(NetworkError):
    """The store could not be reached, or refused a graph."""


def named_graphs(dataset_file: Path) -> dict[str, bytes]:
    """The dataset's named graphs, each serialised as N-Triples (sorted, so uploads are reproducible)."""
    if not dataset_file.is_file():
        raise UsageError(f"no built dataset at {dataset_file}; run `cassibile build` first")
    grouped: dict[str, list[ox.Triple]] = defaultdict(list)
    for quad in ox.parse(path=str(dataset_file), format=ox.RdfFormat.from_extension(dataset_file.suffix.lstrip("."))):
        if isinstance(quad.graph_name, ox.DefaultGraph):
            raise UsageError(f"{dataset_file} has triples outside named graphs; publish expects the build's N-Quads")
        grouped[quad.graph_name.value].append(ox.Triple(quad.subject, quad.predicate, quad.object))
    return {name: ox.serialize(sorted(triples, key=str), format=ox.RdfFormat.N_TRIPLES) for name, triples in sorted(grouped.items())}


def put_graph(store_url: str, graph: str, body: bytes, timeout: float) -> int:
    url = f"{store_url}{'&' if '?' in store_url else '?'}{urllib.parse.urlencode({'graph': graph})}"
    request = urllib.request.Request(url, data=body, method="PUT", headers={
        "Content-Type": "application/n-triples", "User-Agent": USER_AGENT,
    })
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status
    except urllib.error.HTTPError as error:
        detail = error.read().decode("utf-8", errors="replace")[:300]
        raise PublishError(f"{store_url} refused graph {graph}: HTTP {error.code} {error.reason}: {detail}") from None
    except (urllib.error.URLError, OSError) as error:
        reason = getattr(error, "reason", error)
        raise PublishError(f"cannot reach {store_url}: {reason}") from None


def publish(dataset_file: Path, store_url: str, timeout: float = 120.0, report=print) -> dict[str, int]:
    """Upload every named graph; returns the number of triples sent per graph."""
    if not store_url.startswith(("http://", "https://")):
        raise UsageError(f"--endpoint must be an http(s) Graph Store Protocol URL, got {store_url!r}")
    sent = {}
    graphs = named_graphs(dataset_file)
    for number, (graph, body) in enumerate(graphs.items(), 1):
        triples = body.count(b"\n")
        report(f"[{number}/{len(graphs)}] PUT {graph} ({triples} triples)")
        put_graph(store_url, graph, body, timeout)
        sent[graph] = triples
    return sent
