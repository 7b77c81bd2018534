"""How much of each step of `cassibile build` is Python's cyclic garbage collector, run in a project's folder.

Builds the project as `cassibile build` does (`assemble`, then `write_outputs` into a scratch folder), with a
`gc.callbacks` hook that adds up the CPU time of every collection, and prints, for each of the build's
progress steps, its CPU time, the part spent collecting, and how many collections of each generation
ran (a generation-2 collection walks every object not frozen). CPU time, not wall time: the figures hold
on a shared machine.

    cd <project> && <repo>/.venv/bin/python <repo>/benchmarks/gc_time.py
"""

from __future__ import annotations

import gc
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

from cassibile.build import Progress, assemble, write_outputs
from cassibile.project import Project


class CollectorClock(Progress):
    """The build's progress steps, each with its CPU time and the collections that ran in it."""

    def __init__(self):
        super().__init__(quiet=True)
        self.current, self.step_started, self.collection_started = "start", time.process_time(), 0.0
        self.cpu, self.collecting, self.collections = defaultdict(float), defaultdict(float), Counter()
        gc.callbacks.append(self.collection)

    def collection(self, phase: str, info: dict) -> None:
        if phase == "start":
            self.collection_started = time.process_time()
        else:
            self.collecting[self.current] += time.process_time() - self.collection_started
            self.collections[self.current, info["generation"]] += 1

    def step(self, message: str) -> None:
        now = time.process_time()
        self.cpu[self.current] += now - self.step_started
        self.current, self.step_started = message, now

    def report(self) -> str:
        lines = [f"CPU {sum(self.cpu.values()):.2f} s, of which collecting {sum(self.collecting.values()):.2f} s",
                 "| from this progress message to the next | CPU (s) | collecting (s) | collections gen 0/1/2 |",
                 "| --- | ---: | ---: | --- |"]
        for step, cpu in self.cpu.items():
            generations = "/".join(str(self.collections[step, generation]) for generation in range(3))
            lines.append(f"| {step[:70]} | {cpu:.2f} | {self.collecting[step]:.2f} | {generations} |")
        return "\n".join(lines)


def main() -> None:
    project, clock = Project.find(), CollectorClock()
    built = assemble(project, progress=clock)
    with tempfile.TemporaryDirectory() as scratch:
        out = Path(scratch) / "dist"
        out.mkdir()
        write_outputs(built, out, project, clock)
        clock.step("end")
    print(clock.report())


if __name__ == "__main__":
    main()
