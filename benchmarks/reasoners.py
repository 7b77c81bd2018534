"""Compare the OWL RL engines, owlrl, reasonable and the rules in a store (oxigraph), on the project's own graph.

    .venv/bin/python benchmarks/reasoners.py [--repeat 3] [--project PATH] [--engine NAME]

Every engine gets exactly what the build reasons over (`build.reasoning_input`). The script
prints, per engine, the best and median wall time of the closure and of the consistency checks
run on it (`reason.closure_inconsistencies`, as `reason.inferences` runs them), how
many triples the closure adds and how many of those the build publishes (`reason.published`),
then whether the published sets agree with owlrl's, with a few examples of any difference. The build's
default engine is chosen on this agreement (tests/test_reasoning.py asserts it). `--engine`
times one engine alone (owlrl takes about two minutes a closure at 100k triples). Never run by
the unit tests.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from cassibile.build import reasoning_input
from cassibile.pipeline import derive, reason
from cassibile.pipeline.load import load_project
from cassibile.project import Project


def project_input(project: Project):
    """Exactly what `cassibile build` reasons over."""
    dataset = load_project(project)
    derive.derive(dataset)
    return reasoning_input(dataset.layers)


def time_engine(engine: str, graph, repeat: int) -> tuple[list[float], list[float], set]:
    """Wall times of `repeat` closures and of the checks on each, and the triples the last one added."""
    closures, checks, added = [], [], set()
    for _ in range(repeat):
        started = time.perf_counter()
        added, _ = reason.CLOSURES[engine](graph)
        closures.append(time.perf_counter() - started)
        started = time.perf_counter()
        reason.closure_inconsistencies(graph, added)
        checks.append(time.perf_counter() - started)
    return closures, checks, added


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="closures per engine (default 3)")
    parser.add_argument("--project", type=Path, help="project folder (default: found from the working directory)")
    parser.add_argument("--engine", choices=reason.ENGINES, help="time this engine alone (no agreement check)")
    args = parser.parse_args(argv)

    graph = project_input(Project(args.project.resolve()) if args.project else Project.find())
    print(f"input: {len(graph)} triples (what the build reasons over)\n")
    print("| engine | closure best s | closure median s | checks best s | checks median s | added | published |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    published = {}
    for engine in (args.engine,) if args.engine else reason.ENGINES:
        closures, checks, added = time_engine(engine, graph, args.repeat)
        published[engine] = reason.published(graph, added)
        print(f"| {engine} | {min(closures):.2f} | {statistics.median(closures):.2f} | {min(checks):.2f} | "
              f"{statistics.median(checks):.2f} | {len(added)} | {len(published[engine])} |")
    return 0 if args.engine else agreement(published)


def agreement(published: dict[str, set]) -> int:
    """Print whether every engine publishes what owlrl (the reference) does, with examples if not; 0 if they do."""
    reference, agree = published["owlrl"], True
    for engine, found in published.items():
        for name, triples in ((f"only owlrl, not {engine}", reference - found), (f"only {engine}", found - reference)):
            if triples:
                agree = False
                print(f"{name}: {len(triples)} triple(s), e.g.")
                for triple in sorted(triples)[:5]:
                    print("  ", " ".join(term.n3() for term in triple))
    print(f"\npublished closures agree: {'yes' if agree else 'NO'}")
    return 0 if agree else 1


if __name__ == "__main__":
    raise SystemExit(main())
