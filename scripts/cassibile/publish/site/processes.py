"""Writing the site from several processes at once, each forked from the build with all it has made, each its share of the pages.

Rendering the pages is Python, which runs on one core per process; the pages do not depend on each
other, so `jobs` processes write `jobs` shares of them. The children are forked, not started afresh:
they read the build's store, index and answers already worked out without copying or loading them
(the pages of memory they leave unchanged stay shared). A child ends with `os._exit` whatever
happens (`multiprocessing`'s fork context), so its error never runs the parent's cleanup (the build's
`finally` that removes its staging folder): it is sent to the parent, which raises it.
"""

from __future__ import annotations

import multiprocessing
import pickle
import signal
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from cassibile.errors import CassibileError, UsageError


@dataclass(frozen=True)
class Share:
    """This process's part of the work: of `count` processes it is number `index`, and takes the `index`-th of
    `count` runs of items in a row (items side by side, such as an entity's facts, often share what they show:
    made once in one process, not once in each)."""

    index: int = 0
    count: int = 1

    def of(self, items: Sequence) -> Sequence:
        size = len(items)
        return items[size * self.index // self.count:size * (self.index + 1) // self.count]


def in_processes(work: Callable[[Share], None], jobs: int) -> None:
    """`work(share)` in `jobs` processes at once — this one and `jobs - 1` forked from it — each with its own share.

    Returns when all are done. If this process's share fails, the children are stopped (their `finally`
    blocks run) before the error goes on; if a child's fails, its error is raised here once every
    share has ended."""
    if jobs <= 1:
        work(Share())
        return
    fork = multiprocessing.get_context("fork")
    children = []
    try:
        for index in range(1, jobs):
            receiver, sender = fork.Pipe(duplex=False)
            child = fork.Process(target=_child, args=(work, Share(index, jobs), sender), daemon=True)
            child.start()
            sender.close()
            children.append((child, receiver))
        work(Share(0, jobs))
    except BaseException:
        for child, _ in children:
            child.terminate()
        for child, receiver in children:
            child.join()
            receiver.close()
        raise
    errors = [_outcome(child, receiver) for child, receiver in children]
    for error in errors:
        if error is not None:
            raise error


def _child(work: Callable[[Share], None], share: Share, sender) -> None:
    signal.signal(signal.SIGTERM, _stop)
    try:
        work(share)
        sender.send(None)
    except BaseException as error:
        sender.send(_portable(error))


def _stop(_signum, _frame):
    raise SystemExit(1)  # so that the child's `finally` blocks run before it ends


def _portable(error: BaseException) -> BaseException:
    """The error to send to the parent: itself if it can be pickled, with the child's traceback as a note unless it
    is one the command line reports by its message alone; else a RuntimeError that tells it."""
    told = "".join(traceback.format_exception(error)).rstrip()
    if not isinstance(error, CassibileError):
        error.add_note(told)
    try:
        pickle.dumps(error)
        return error
    except Exception:
        return RuntimeError(told)


def _outcome(child, receiver) -> BaseException | None:
    """The child's error, or None once it has ended well."""
    with receiver:
        try:
            error = receiver.recv()
        except EOFError:  # it died without a word (killed)
            error = None
    child.join()
    if error is None and child.exitcode != 0:
        return UsageError(f"a process writing the site stopped (exit status {child.exitcode})")
    return error
