"""The build keeps the garbage collector from walking what lives to its end, and gives it all back."""

from __future__ import annotations

import gc
import weakref

import pytest

from cassibile import collector
from cassibile.build import assemble, write_outputs
from cassibile.project import Project
from conftest import ROOT


class Node:
    pass


def a_cycle() -> weakref.ref:
    node = Node()
    node.itself = node
    return weakref.ref(node)


def test_a_cycle_alive_when_the_block_starts_is_collected_after_it_not_in_it():
    node = Node()
    node.itself = node
    alive = weakref.ref(node)
    with collector.sparing_what_exists():
        del node
        gc.collect()
        assert alive() is not None  # frozen: the full collection left it alone
        made_inside = a_cycle()
        gc.collect()
        assert made_inside() is None  # what the block makes is collected as usual
    gc.collect()
    assert alive() is None


def test_leaving_the_block_by_an_error_unfreezes_too():
    with pytest.raises(RuntimeError):
        with collector.sparing_what_exists():
            assert gc.get_freeze_count() > 0
            raise RuntimeError
    assert gc.get_freeze_count() == 0


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


def test_young_only_sets_off_no_full_collection_but_collects_young_cycles():
    assert gc.isenabled()
    assert full_collections_while(many_long_lived_objects) > 0  # what the block keeps from happening
    thresholds = gc.get_threshold()
    with collector.young_only():
        assert full_collections_while(many_long_lived_objects) == 0
        cycles = [a_cycle() for _ in range(10_000)]  # garbage at once: young collections find them
        assert sum(cycle() is None for cycle in cycles) > 9_000
    assert gc.get_threshold() == thresholds


def test_leaving_young_only_by_an_error_restores_the_thresholds():
    thresholds = gc.get_threshold()
    with pytest.raises(RuntimeError):
        with collector.young_only():
            assert gc.get_threshold() != thresholds
            raise RuntimeError
    assert gc.get_threshold() == thresholds


def test_a_build_leaves_nothing_frozen(tmp_path):
    """Tests and servers build many times in one process: frozen graphs would never be collected."""
    built = assemble(Project(ROOT))
    assert gc.get_freeze_count() == 0
    (tmp_path / "out").mkdir()
    thresholds = gc.get_threshold()
    write_outputs(built, tmp_path / "out", Project(ROOT))
    assert gc.get_freeze_count() == 0
    assert gc.get_threshold() == thresholds


def test_writing_the_outputs_sets_off_no_full_collection(tmp_path):
    """What the build made and what the writers hold live on: a full collection would walk them all, for nothing."""
    built = assemble(Project(ROOT))
    (tmp_path / "out").mkdir()
    assert full_collections_while(lambda: write_outputs(built, tmp_path / "out", Project(ROOT))) == 0
