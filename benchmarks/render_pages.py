"""Time rendering the site's entity, source, fact and claim pages alone, in four languages, from a finished build.

Reads the build in the project's `dist/` (as `cassibile site` does), renders every page of each kind once
(in the order the site step does, each kind after the previous), which works out what is shown on many
pages, then renders them `--runs` times more, and prints the CPU time (`time.process_time`) of the first
rendering, which the site step pays, and the best of the others, what is left when everything shared is
known: no file is written, so neither the kernel nor the writer process counts, and on a shared machine
the best of a few runs varies far less than the site step's.

    cd /path/to/project && /path/to/.venv/bin/python /path/to/benchmarks/render_pages.py --runs 5
"""

from __future__ import annotations

import argparse
import time

from cassibile.namespaces import LANGUAGES
from cassibile.project import Project
from cassibile.publish.site import built_from_dist
from cassibile.publish.site.pages import Renderer
from cassibile.publish.site.view import SiteGraph


def kinds(site: SiteGraph, render: Renderer) -> dict:
    """Each kind of page: what renders all of its pages, and how many pages that is."""
    facts = [fact for fact in site.facts.values() if fact.page]
    claims = [claim for claim in site.claims.values() if claim.page]
    return {
        "entity": (lambda: [html for entity in site.entities for _, html in render.entity(entity)], len(site.entities)),
        "source": (lambda: [html for source in site.sources for _, html in render.source(source)], len(site.sources)),
        "fact": (lambda: [html for fact in facts for _, html in render.fact(fact)], len(facts)),
        "claim": (lambda: [html for claim in claims for _, html in render.claim(claim)], len(claims)),
    }


def times(pages, runs: int) -> tuple[float, float]:
    """The first rendering's CPU time (every view, label and fragment that many pages share is worked out then)
    and the best of `runs` more."""
    start = time.process_time()
    pages()
    first, best = time.process_time() - start, float("inf")
    for _ in range(runs):
        start = time.process_time()
        pages()
        best = min(best, time.process_time() - start)
    return first, best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="timed renderings of each kind (default 5)")
    args = parser.parse_args()
    project = Project.find()
    site = SiteGraph(built_from_dist(project, project.root / "dist"))
    render = Renderer(site)
    for kind, (pages, count) in kinds(site, render).items():
        (first, best), count = times(pages, args.runs), count * len(LANGUAGES)
        print(f"{kind} pages: {count:,}, first {first:.3f} s CPU, then best of {args.runs} {best:.3f} s: "
              f"{first / count * 1e6:.0f} and {best / count * 1e6:.0f} µs a page")


if __name__ == "__main__":
    main()
