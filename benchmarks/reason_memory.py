"""Memory of the reasoning step, part by part: the resident memory (current, not peak) after loading, deriving,
reading the reasoner's input from the store, handing it to `reasonable`, its `reason()`, and after each is freed.

The build's peak memory at 1M triples is set here (its progress lines: 2.0 GiB after derive, 7.1 GiB after
reasoning, no later step higher), and this shows which part holds it. Run in a project's folder:

    cd /path/to/project && /path/to/.venv/bin/python /path/to/benchmarks/reason_memory.py
"""

from __future__ import annotations

import gc
import os
import time

import reasonable

from cassibile.build import reasoning_input
from cassibile.pipeline import derive, reason
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
    added = reason.inferences(graph)
    say(f"the build's whole step (reason.inferences): {len(added)} triples published")


if __name__ == "__main__":
    main()
