"""When Python's cyclic garbage collector works during a build: paused where no garbage can be cyclic,
and kept from walking, again and again, the graphs that live until the build ends.

A full collection walks every tracked object. At 100k triples the loaded graphs and the built
layers are millions of objects, a full pass over them took 1.5–2.5 s, and the build's own
allocations set off a dozen such passes (14 s of 136 s of CPU, all of it finding nothing).
Writing the outputs at 1M set off 22 full passes in the data files alone (10 s of 110 s), over
what the writers hold, and at 100k 8 in each process writing pages (1.4 s of its 10 s): they
found nothing either.
"""

from __future__ import annotations

import gc
from contextlib import contextmanager


@contextmanager
def paused():
    """No collection at all in the block; then the collector on or off as it was."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@contextmanager
def sparing_what_exists():
    """Every object alive when the block starts is left out of collections until it ends (`gc.freeze`).

    Only for objects that live through the block: a cycle among them that becomes garbage meanwhile
    is collected after the block, not in it. Leaving the block gives every frozen object back,
    an outer block's too; that costs time, never correctness.
    """
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


@contextmanager
def young_only():
    """Only young objects are collected in the block: no full collection, which would walk whatever lives long.

    Garbage cycles among short-lived objects (a page's, a file's) are found while they are young; a cycle that
    lives through two young collections before it becomes garbage waits for a collection after the block.
    """
    young, middle, old = gc.get_threshold()
    gc.set_threshold(young, middle, 1 << 30)  # the number of middle collections that would set off a full one
    try:
        yield
    finally:
        gc.set_threshold(young, middle, old)
