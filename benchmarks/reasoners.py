"""Compare the two OWL RL engines, owlrl and reasonable, on the project's own graph.

    .venv/bin/python benchmarks/reasoners.py [--repeat 3] [--project PATH]

Both engines get exactly what the build reasons over (`build.reasoning_input`). The script
prints, per engine, the best and median wall time of the closure, how many triples it adds and
how many of those the build publishes (`reason.published`), then whether the published sets
agree, with a few examples of any difference. The build's default engine is chosen on this
agreement (tests/test_reasoning.py asserts it). Never run by the unit tests.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from cassibile import derive, reason
from cassibile.build import reasoning_input
from cassibile.load import load_project
from cassibile.project import Project


def project_input(project: Project):
    """Exactly what `cassibile build` reasons over."""
    dataset = load_project(project)
    return reasoning_input({"ontology": dataset.ontology, "asserted": dataset.data, "derived": derive.derived(dataset)})


def time_engine(engine: str, graph, repeat: int) -> tuple[list[float], set]:
    """Wall times of `repeat` closures, and the triples the last one added."""
    times, added = [], set()
    for _ in range(repeat):
        started = time.perf_counter()
        added, _ = reason.CLOSURES[engine](graph)
        times.append(time.perf_counter() - started)
    return times, added


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="closures per engine (default 3)")
    parser.add_argument("--project", type=Path, help="project folder (default: found from the working directory)")
    args = parser.parse_args(argv)

    graph = project_input(Project(args.project.resolve()) if args.project else Project.find())
    print(f"input: {len(graph)} triples (what the build reasons over)\n")
    print("| engine | best s | median s | added | published |")
    print("| --- | ---: | ---: | ---: | ---: |")
    published = {}
    for engine in reason.ENGINES:
        times, added = time_engine(engine, graph, args.repeat)
        published[engine] = reason.published(graph, added)
        print(f"| {engine} | {min(times):.2f} | {statistics.median(times):.2f} | {len(added)} | {len(published[engine])} |")

    only_owlrl = published["owlrl"] - published["reasonable"]
    only_reasonable = published["reasonable"] - published["owlrl"]
    print(f"\npublished closures agree: {'yes' if not only_owlrl and not only_reasonable else 'NO'}")
    for name, triples in (("only owlrl", only_owlrl), ("only reasonable", only_reasonable)):
        if triples:
            print(f"{name}: {len(triples)} triple(s), e.g.")
            for triple in sorted(triples)[:5]:
                print("  ", " ".join(term.n3() for term in triple))
    return 0 if not only_owlrl and not only_reasonable else 1


if __name__ == "__main__":
    raise SystemExit(main())
