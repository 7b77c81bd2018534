"""Work in real forked processes (`cassibile.processes`): each item taken once, a child's value or error raised here,
a child stopped with its cleanup run, and the files of all of them sent whole to one writer."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from cassibile.errors import DataError, UsageError
from cassibile.processes import Forked, Runs, Share, beside, in_processes
from cassibile.publish.site.writer import BUFFERED, FileWriter


def test_each_item_is_done_once_by_one_of_the_processes(tmp_path):
    items = [f"item-{n}" for n in range(23)]
    with Runs(len(items), 3) as runs:

        def work(share: Share) -> None:
            for item in runs.taken_by(share):
                (tmp_path / items[item]).write_text(f"{share.index} {os.getpid()}")
                time.sleep(0.01)  # so that no process takes them all before the others start

        in_processes(work, 3, "writing the site")
    done = {path.name: path.read_text().split() for path in tmp_path.iterdir()}
    assert sorted(done) == sorted(items)
    assert {index for index, _ in done.values()} == {"0", "1", "2"}
    assert len({pid for _, pid in done.values()}) == 3  # three processes, this one among them
    assert str(os.getpid()) in {pid for _, pid in done.values()}


def test_each_process_takes_its_own_run_first_then_helps_with_the_longest_run_left():
    with Runs(10, 2) as runs:
        first, second = Share(0), Share(1)
        taken = [next(runs.taken_by(second)) for _ in range(5)]  # its run: 5 … 9, from the front
        assert taken == [5, 6, 7, 8, 9]
        assert next(runs.taken_by(first)) == 0
        assert [next(runs.taken_by(second)) for _ in range(2)] == [4, 3]  # from the back of the other's run
        assert list(runs.taken_by(first)) == [1, 2]
        assert list(runs.taken_by(second)) == []


def test_a_process_that_starts_late_finds_its_run_taken_by_the_others(tmp_path):
    with Runs(40, 2) as runs:

        def work(share: Share) -> None:
            if share.index == 0:  # as the build's process, which writes the data files first
                while len(list(tmp_path.iterdir())) < 30:
                    time.sleep(0.01)
            for item in runs.taken_by(share):
                (tmp_path / f"{item:02}").write_text(str(share.index))

        in_processes(work, 2, "writing the site")
    done = {path.name: path.read_text() for path in tmp_path.iterdir()}
    assert sorted(done) == [f"{item:02}" for item in range(40)]
    assert list(done.values()).count("1") >= 30  # its own 20 and at least 10 of the other's


def test_a_childs_error_is_raised_here_with_its_message_and_nothing_here_is_unwound_in_the_child(tmp_path):
    def work(share: Share) -> None:
        if share.index == 1:
            raise DataError("graph/x.ttl:3: no quote")

    with pytest.raises(DataError, match="no quote"):
        try:
            in_processes(work, 2, "writing the site")
        finally:  # the build's cleanup (its staging folder removed): run in this process only
            (tmp_path / f"cleaned-by-{os.getpid()}").touch()
    assert [p.name for p in tmp_path.iterdir()] == [f"cleaned-by-{os.getpid()}"]


def test_an_unexpected_error_in_a_child_keeps_its_traceback(tmp_path):
    def work(share: Share) -> None:
        if share.index == 1:
            {}["missing"]

    with pytest.raises(KeyError) as raised:
        in_processes(work, 2, "writing the site")
    assert "Traceback" in raised.value.__notes__[0] and "{}[\"missing\"]" in raised.value.__notes__[0]


def test_a_child_that_dies_without_a_word_is_an_error_naming_its_exit():
    def work(share: Share) -> None:
        if share.index == 1:
            os.kill(os.getpid(), signal.SIGKILL)

    with pytest.raises(UsageError, match=r"a process writing the site stopped \(exit status -9\)"):
        in_processes(work, 2, "writing the site")


def test_an_error_here_stops_the_children_and_their_cleanup_runs(tmp_path):
    def work(share: Share) -> None:
        if share.index == 0:
            while len(list(tmp_path.glob("started-*"))) < 2:  # both children are at work
                time.sleep(0.01)
            raise KeyError("here")
        try:
            (tmp_path / f"started-{share.index}").touch()  # inside: once it is seen, the cleanup is sure to run
            time.sleep(60)
        finally:
            (tmp_path / f"stopped-{share.index}").touch()

    started = time.monotonic()
    with pytest.raises(KeyError, match="here"):
        in_processes(work, 3, "writing the site")
    assert time.monotonic() - started < 30
    assert sorted(p.name for p in tmp_path.glob("stopped-*")) == ["stopped-1", "stopped-2"]


def test_processes_sharing_a_writer_send_whole_files_that_never_interleave(tmp_path):
    # Files of many sizes, some larger than what a process gathers before it sends, from three processes.
    sizes = [1, 100, BUFFERED - 1, BUFFERED, 3 * BUFFERED + 7, 5000] * 20
    contents = {f"f{n}.txt": bytes([65 + n % 26]) * size for n, size in enumerate(sizes)}
    names = sorted(contents)
    with FileWriter() as writer, Runs(len(names), 3) as runs:

        def work(share: Share) -> None:
            for name in runs.taken_by(share):
                writer.write(tmp_path / names[name], contents[names[name]])
            writer.flush()

        in_processes(work, 3, "writing the site")
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == contents


def test_a_file_the_shared_writer_cannot_write_is_named_whichever_process_sent_it(tmp_path):
    names = [f"f{n}.html" for n in range(40)]
    with pytest.raises(UsageError, match=r"cannot write .*missing/f7\.html: No such file or directory"):
        with FileWriter() as writer, Runs(len(names), 2) as runs:

            def work(share: Share) -> None:
                for name in (names[item] for item in runs.taken_by(share)):
                    writer.write(tmp_path / ("missing" if name == "f7.html" else "") / name, name)
                    writer.flush()

            in_processes(work, 2, "writing the site")
    assert "f7.html" not in {p.name for p in tmp_path.iterdir()}


def test_a_process_that_dies_while_it_sends_files_does_not_stop_the_others(tmp_path):
    def waited_too_long(_signum, _frame):
        raise TimeoutError("flush waited for a lock the dead process kept")

    previous = signal.signal(signal.SIGALRM, waited_too_long)
    signal.alarm(30)
    try:
        _send_after_a_process_died_holding_the_lock(tmp_path)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def _send_after_a_process_died_holding_the_lock(tmp_path):
    with pytest.raises(UsageError, match=r"exit status -9"):
        with FileWriter() as writer:

            def work(share: Share) -> None:
                if share.index == 1:
                    with writer._lock:  # as `flush` takes it; then killed before it lets go
                        os.kill(os.getpid(), signal.SIGKILL)
                time.sleep(0.5)
                writer.write(tmp_path / "a.html", "a")
                writer.flush()  # would wait for ever on a lock the dead process kept

            in_processes(work, 2, "writing the site")


def test_a_forked_function_sees_what_this_process_made_and_returns_its_value_here():
    made = {"violations": ["a", "b"]}
    forked = Forked(lambda: (os.getpid(), made["violations"] + ["c"]), "validating")
    pid, value = forked.result()
    assert pid != os.getpid() and value == ["a", "b", "c"]


def test_a_forked_functions_error_is_raised_here_and_its_death_named():
    def fails():
        raise DataError("graph/x.ttl:3: inconsistent")

    with pytest.raises(DataError, match="inconsistent"):
        Forked(fails, "validating").result()
    with pytest.raises(UsageError, match=r"a process validating the layers stopped \(exit status -9\)"):
        Forked(lambda: os.kill(os.getpid(), signal.SIGKILL), "validating the layers").result()


def waits_a_minute(folder: Path) -> Callable[[], None]:
    """A function that says it has started (folder/started), sleeps, and says it was cleaned up (folder/stopped)."""
    def waits() -> None:
        try:
            (folder / "started").touch()  # inside: once it is seen, the cleanup is sure to run
            time.sleep(60)
        finally:
            (folder / "stopped").touch()
    return waits


def wait_until_started(folder: Path) -> None:
    while not (folder / "started").exists():
        time.sleep(0.01)


def test_a_forked_function_stopped_at_once_runs_its_cleanup(tmp_path):
    forked = Forked(waits_a_minute(tmp_path), "validating")
    wait_until_started(tmp_path)
    started = time.monotonic()
    forked.stop()
    assert time.monotonic() - started < 30 and (tmp_path / "stopped").exists()


@pytest.mark.parametrize("jobs", [1, 2])
def test_beside_runs_the_function_here_with_one_job_and_in_a_forked_process_with_more(jobs):
    with beside(os.getpid, jobs, "asking") as result:
        assert (result() == os.getpid()) == (jobs == 1)


def test_a_block_that_fails_beside_a_forked_function_stops_it(tmp_path):
    started = time.monotonic()
    with pytest.raises(KeyError):
        with beside(waits_a_minute(tmp_path), 2, "waiting"):
            wait_until_started(tmp_path)
            raise KeyError("here")
    assert time.monotonic() - started < 30 and (tmp_path / "stopped").exists()


def test_a_forked_function_may_fork_in_turn_and_stopping_it_stops_its_own_child(tmp_path):
    """The build validates the closure in a forked process which checks the shapes in one more."""

    def asks_its_child() -> tuple[int, int]:
        with beside(os.getpid, 2, "asking") as result:
            return os.getpid(), result()

    child, grandchild = Forked(asks_its_child, "asking").result()
    assert len({os.getpid(), child, grandchild}) == 3

    def waits_beside_its_child() -> None:
        with beside(waits_a_minute(tmp_path), 2, "waiting"):
            time.sleep(60)

    forked = Forked(waits_beside_its_child, "waiting")
    wait_until_started(tmp_path)
    started = time.monotonic()
    forked.stop()
    assert time.monotonic() - started < 30 and (tmp_path / "stopped").exists()
