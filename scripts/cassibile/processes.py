"""Work in processes forked from this one: they see all it has made, without copying or loading it again.

Python runs on one core per process; the build's independent work — the site's pages, validation while
reasoning runs — goes to processes forked from it, not started afresh: they read the build's store,
index and answers already worked out (the pages of memory they leave unchanged stay shared). A child
ends with `os._exit` whatever happens (`multiprocessing`'s fork context), so its error never runs the
parent's cleanup (the build's `finally` that removes its staging folder): it is sent to the parent,
which raises it.
"""

from __future__ import annotations

import fcntl
import multiprocessing
import pickle
import signal
import tempfile
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from typing import TypeVar

from cassibile.errors import CassibileError, UsageError

T = TypeVar("T")


@dataclass(frozen=True)
class Share:
    """Which process this is: number `index` of those at work (0 is the one that forked the others)."""

    index: int = 0


class ProcessLock:
    """`with lock:` one process at a time, among this one and those forked from it after the lock was made.

    A POSIX record lock (`fcntl.lockf`) on an unnamed file: each process holds it for itself and loses it when
    it dies, where a semaphore held by a process killed meanwhile would stop the others for good."""

    def __init__(self):
        self._file = tempfile.TemporaryFile()

    def __enter__(self) -> ProcessLock:
        fcntl.lockf(self._file, fcntl.LOCK_EX)
        return self

    def __exit__(self, *_) -> None:
        fcntl.lockf(self._file, fcntl.LOCK_UN)

    def close(self) -> None:
        self._file.close()


class Runs:
    """`with Runs(count, jobs) as runs:` the items 0 … `count` − 1, shared out while the processes work.

    Each process begins with its own run of items in a row (items side by side, such as an entity's facts, often
    share what they show: made once in one process, not once in each) and takes them from its front; once its run
    is done it takes from the back of the longest run left. So a process that begins late (the build's, which
    writes the data files first) or meets slower items is helped by the others, and every item is taken once."""

    def __init__(self, count: int, jobs: int):
        bounds = [count * run // jobs for run in range(jobs + 1)]
        fork = multiprocessing.get_context("fork")
        self._fronts = fork.RawArray("q", bounds[:-1])  # shared memory, which the forked processes inherit
        self._ends = fork.RawArray("q", bounds[1:])
        self._lock = ProcessLock()

    def __enter__(self) -> Runs:
        return self

    def __exit__(self, *_) -> None:
        self._lock.close()

    def taken_by(self, share: Share) -> Iterator[int]:
        """The items `share`'s process takes, one by one, until none are left."""
        while (item := self._take(share.index)) is not None:
            yield item

    def _take(self, run: int) -> int | None:
        fronts, ends = self._fronts, self._ends
        with self._lock:
            if fronts[run] < ends[run]:
                fronts[run] += 1
                return fronts[run] - 1
            longest = max(range(len(ends)), key=lambda other: ends[other] - fronts[other])
            if fronts[longest] < ends[longest]:
                ends[longest] -= 1
                return ends[longest]
            return None


class Forked:
    """`function()` in a process forked from this one (`doing` says what it does, in an error's message).

    `result()` waits for it and returns what it returned, or raises its error here; `stop()` ends it at once (its
    `finally` blocks run)."""

    def __init__(self, function: Callable[[], object], doing: str):
        fork = multiprocessing.get_context("fork")
        self._receiver, sender = fork.Pipe(duplex=False)
        # Not a daemon, so that it may fork in turn (the build's validation of the closure forks its shapes' check);
        # every Forked is waited for or stopped by the one who started it, and stopping it runs its `finally` blocks.
        self._process = fork.Process(target=_child, args=(function, sender), daemon=False)
        self._process.start()
        sender.close()
        self.doing = doing

    def result(self) -> object:
        with self._receiver:
            try:
                failed, value = self._receiver.recv()
            except EOFError:  # it died without a word (killed)
                failed, value = True, None
        self._process.join()
        if failed:
            raise value or UsageError(f"a process {self.doing} stopped (exit status {self._process.exitcode})")
        return value

    def stop(self) -> None:
        self._process.terminate()
        self._process.join()
        self._receiver.close()


@contextmanager
def beside(function: Callable[[], T], jobs: int, doing: str) -> Iterator[Callable[[], T]]:
    """`with beside(function, jobs, doing) as result:` where `jobs` > 1, `function()` runs in a process forked now
    while the block goes on, and `result()` waits for its value (`Forked`); else `result()` calls it here. A block
    that fails stops the forked process."""
    if jobs <= 1:
        yield function
        return
    forked = Forked(function, doing)
    try:
        yield forked.result
    finally:
        forked.stop()  # at once if the block failed; else it has ended already


def apart(function: Callable[[], T], doing: str) -> T:
    """`function()` in a process forked from this one, waited for: whatever it changes in memory stays in that process,
    and only its value (or its error) comes back."""
    with beside(function, 2, doing) as result:
        return result()


def in_processes(work: Callable[[Share], None], jobs: int, doing: str) -> None:
    """`work(share)` in `jobs` processes at once — this one and `jobs - 1` forked from it — each told which it is
    (`doing` says what they do, in an error's message).

    Returns when all are done. If this process's share fails, the children are stopped (their `finally`
    blocks run) before the error goes on; if a child's fails, its error is raised here once every
    share has ended."""
    if jobs <= 1:
        work(Share())
        return
    children = []
    try:
        for index in range(1, jobs):
            children.append(Forked(partial(work, Share(index)), doing))
        work(Share(0))
    except BaseException:
        for child in children:
            child.stop()
        raise
    errors = []
    for child in children:
        try:
            child.result()
        except BaseException as error:
            errors.append(error)
    if errors:
        raise errors[0]


def _child(function: Callable[[], object], sender) -> None:
    signal.signal(signal.SIGTERM, _stop)
    try:
        sender.send((False, function()))
    except BaseException as error:
        sender.send((True, _portable(error)))


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
