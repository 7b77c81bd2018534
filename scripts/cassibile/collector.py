"""How a build's processes manage their memory: when Python's cyclic garbage collector works (paused where no
garbage can be cyclic, and never walking, again and again, what lives until the build ends), and when the
memory freed goes back to the system.

A full collection walks every tracked object. At 100k triples the loaded graphs and the built
layers are millions of objects, a full pass over them took 1.5–2.5 s, and the build's own
allocations set off a dozen such passes (14 s of 136 s of CPU, all of it finding nothing). With
the loaded graphs frozen (`gc.freeze`), the passes still walked what the build made after them:
at 100k the index four times (0.3 s of its 1.6 s) and each process writing pages eight times
(1.4 s of its 10 s); at 1M the data files 22 times (10 s of 110 s). They found nothing either:
writing the pages at 100k leaves 30 objects of cyclic garbage.

The C allocator keeps what a process frees for its own later use, unless it lies at the top of its heap:
after the data files, whose texts are freed among objects that live on, the build's process held 183 MiB
more than before them at 100k, of which `give_back_memory` handed back 130 MiB in 11 ms.
"""

from __future__ import annotations

import ctypes
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
def young_only():
    """Only young objects are collected in the block: no full collection, which would walk whatever lives long.

    Garbage cycles among short-lived objects (a page's, a file's) are found while they are young; a cycle that
    lives through two young collections before it becomes garbage waits for a collection after the block.
    CPython 3.14's incremental collector has no third threshold: there the block changes nothing.
    """
    young, middle, old = gc.get_threshold()
    gc.set_threshold(young, middle, 1 << 30)  # the number of middle collections that would set off a full one
    try:
        yield
    finally:
        gc.set_threshold(young, middle, old)


def give_back_memory() -> None:
    """Hand the memory the C allocator holds free back to the system (glibc's `malloc_trim`; other C libraries
    have none, and keep it)."""
    trim = getattr(ctypes.CDLL(None), "malloc_trim", None)  # the process's own symbols, its C library's among them
    if trim is not None:
        trim(0)
