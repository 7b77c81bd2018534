"""The build keeps the garbage collector from walking what lives to its end, leaves it as it was, and hands freed memory
back to the system."""

from __future__ import annotations

import gc
import subprocess
import sys
import weakref

import pytest

from cassibile import collector
from cassibile.build import assemble, write_outputs
from cassibile.project import Project
from conftest import ROOT


GENERATIONAL = pytest.mark.skipif(sys.version_info >= (3, 14), reason="CPython 3.14's incremental collector has no "
                                  "third threshold, which young_only sets (it changes nothing there)")


class Node:
    pass


def a_cycle() -> weakref.ref:
    node = Node()
    node.itself = node
    return weakref.ref(node)


def full_collections_while(work) -> int:
    """How many full collections the collector set off by itself while `work()` ran."""
    full = []

    def seen(phase, info):
        if phase == "start" and info["generation"] == 2:
            full.append(info)

    gc.callbacks.append(seen)
    try:
        work()
    finally:
        gc.callbacks.remove(seen)
    return len(full)


def many_long_lived_objects():
    kept = [[index] for index in range(1_000_000)]  # each a tracked container that outlives young collections
    assert len(kept) == 1_000_000


@GENERATIONAL
def test_young_only_sets_off_no_full_collection_but_collects_young_cycles():
    assert gc.isenabled()
    assert full_collections_while(many_long_lived_objects) > 0  # what the block keeps from happening
    thresholds = gc.get_threshold()
    with collector.young_only():
        assert full_collections_while(many_long_lived_objects) == 0
        cycles = [a_cycle() for _ in range(10_000)]  # garbage at once: young collections find them
        assert sum(cycle() is None for cycle in cycles) > 9_000
    assert gc.get_threshold() == thresholds


@GENERATIONAL
def test_leaving_young_only_by_an_error_restores_the_thresholds():
    thresholds = gc.get_threshold()
    with pytest.raises(RuntimeError):
        with collector.young_only():
            assert gc.get_threshold() != thresholds
            raise RuntimeError
    assert gc.get_threshold() == thresholds


@pytest.fixture
def eager_collector():
    """Thresholds low enough that the real graph's build would set off full collections of itself."""
    thresholds = gc.get_threshold()
    gc.collect()  # none is due from the tests before
    gc.set_threshold(100, 2, 2)
    yield
    gc.set_threshold(*thresholds)


@GENERATIONAL
def test_a_build_sets_off_no_full_collection_and_leaves_the_collector_as_it_was(tmp_path, eager_collector):
    """What the build made and what the writers hold live on: a full collection would walk them all, for nothing.
    Tests and servers build many times in one process: afterwards, collections are as they were."""
    thresholds = gc.get_threshold()
    built = []
    assert full_collections_while(lambda: built.append(assemble(Project(ROOT)))) == 0
    assert gc.get_threshold() == thresholds
    (tmp_path / "out").mkdir()
    assert full_collections_while(lambda: write_outputs(built[0], tmp_path / "out", Project(ROOT))) == 0
    assert gc.get_threshold() == thresholds
    assert gc.get_freeze_count() == 0


GIVE_BACK = """
from cassibile import collector

def rss():  # MiB
    return int(open("/proc/self/status").read().split("VmRSS:")[1].split()[0]) // 1024

start = rss()
texts = [b"x" * 60_000 for _ in range(3_000)]  # 180 MB from the C allocator's heap, below its mmap threshold
pin = b"y" * 60_000  # lives on above them, as the build's objects do: the heap's top cannot be trimmed
del texts
freed = rss()
collector.give_back_memory()
print(start, freed, rss())
"""


def test_give_back_memory_hands_what_was_freed_back_to_the_system():  # in a new process: a heap of its own
    result = subprocess.run([sys.executable, "-c", GIVE_BACK], capture_output=True, text=True, check=True)
    start, freed, given_back = map(int, result.stdout.split())
    assert freed - start > 150  # freed, but still the process's: what the build's data files leave behind
    assert freed - given_back > 150
