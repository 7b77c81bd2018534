"""Memory of the reasoning step, part by part: the resident memory (current, not peak) after loading, deriving, and
each part of the default engine's step (the rules in the store); with `--reasonable`, after reading the reasoner's
input from the store, handing it to `reasonable`, its `reason()`, and after each is freed.

The build's peak memory at 1M triples is set here (its progress lines: 2.0 GiB after derive, 7.1 GiB after
reasoning, no later step higher), and this shows which part holds it. Run in a project's folder:

    cd /path/to/project && /path/to/.venv/bin/python /path/to/benchmarks/reason_memory.py [--reasonable]
"""

from __future__ import annotations

import gc
import os
import sys
import time

import pyoxigraph as ox
import reasonable

from cassibile.build import REASONED, reasoning_input
from cassibile.namespaces import GRAPH
from cassibile.pipeline import derive, reason, rules
from cassibile.pipeline.load import load_project
from cassibile.project import Project

PAGE = os.sysconf("SC_PAGE_SIZE")


def resident() -> int:
    """This process's resident memory now, in MiB (/proc/self/statm: pages)."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * PAGE >> 20


def main() -> None:
    started = time.perf_counter()

    def say(what: str) -> None:
        print(f"{time.perf_counter() - started:7.1f} s {resident():6d} MiB  {what}", flush=True)

    say("started")
    dataset = load_project(Project.find())
    say("loaded")
    derive.derive(dataset)
    say("derived")
    if "--reasonable" in sys.argv:
        with_reasonable(dataset, say)
    else:
        with_rules_in_the_store(dataset, say)


def with_rules_in_the_store(dataset, say) -> None:
    """The default engine's parts: the rules run in the build's store, and only the candidates come back to Python."""
    layers, graphs = dataset.layers, [GRAPH[name] for name in REASONED]
    with rules.facts_reduced_to_their_type(layers.store, [ox.NamedNode(g) for g in graphs]), layers.union(graphs) as union:
        say("facts set aside: the reasoning input is the layers' union")
        rules.refuse_unsupported(union)
        rounds = rules.Rounds(layers.store, union.graphs)
        rounds.run()
        say(f"{len(rounds.rounds)} rounds of rules run: {sum(1 for _ in rounds.added())} triples added, in the store")
        reason.publish(layers, union.graphs, rounds.rounds, ox.NamedNode(GRAPH["inferred"]))
        say(f"{layers.size(GRAPH['inferred'])} of them published, into the inferred layer")
        rounds.close()
        layers.drop(GRAPH["inferred"])
        say("the rounds' graphs and the inferred layer dropped (a store keeps the memory of what it removes)")
    added = reason.store_inferences(layers, graphs, GRAPH["inferred"])
    say(f"the build's whole step (reason.store_inferences): {added} triples published")


def with_reasonable(dataset, say) -> None:
    graph = reasoning_input(dataset.layers)
    say(f"the reasoner's input read from the store: {len(graph)} triples")
    reasoner = reasonable.PyReasoner()
    reasoner.from_graph(list(graph))
    say("handed to reasonable (from_graph)")
    closure = reasoner.reason()
    say(f"reason(): {len(closure)} triples returned, the input included")
    del reasoner
    gc.collect()
    say("the reasoner freed")
    del closure
    gc.collect()
    say("the closure freed")
    added = reason.inferences(graph, "reasonable")
    say(f"the build's whole step (reason.inferences): {len(added)} triples published")


if __name__ == "__main__":
    main()
