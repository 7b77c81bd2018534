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


def test_a_build_leaves_nothing_frozen(tmp_path):
    """Tests and servers build many times in one process: frozen graphs would never be collected."""
    built = assemble(Project(ROOT))
    assert gc.get_freeze_count() == 0
    (tmp_path / "out").mkdir()
    write_outputs(built, tmp_path / "out", Project(ROOT))
    assert gc.get_freeze_count() == 0
