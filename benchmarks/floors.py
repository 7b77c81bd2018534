"""What a build's output costs this machine before any of it is computed: the floors under issue 15's 1M targets.

Given a built dist/ (of the 1M synthetic project, say):

- *files*: every folder and file of it created again under a new folder, with the same names and sizes but zero
  bytes, nothing rendered: by one process, then by two (each taking whole folders, balanced by their files). What
  the kernel takes to create the files is a floor of any build that writes them.
- *store*: its dataset (cassibile.nq) loaded into an in-memory pyoxigraph store, and into one on disk: the time,
  the memory the store holds (RSS), and the time to read every quad back.

    .venv/bin/python benchmarks/floors.py /path/to/dist --scratch /path/on/the/same/disk

The scratch folder must not exist; the copies are left in it (deleting 1.6M files keeps ext4 busy for minutes, which
would slow whatever runs next: delete it when nothing is measured).
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
import traceback
from pathlib import Path


def listing(dist: Path) -> tuple[list[str], list[tuple[str, int]]]:
    """Every folder and every file (with its size) under `dist`, as paths relative to it, folders before their files."""
    folders, files = [], []
    for root, dirs, names in os.walk(dist):
        relative = os.path.relpath(root, dist)
        folders += [os.path.normpath(os.path.join(relative, name)) for name in sorted(dirs)]
        files += [(os.path.normpath(os.path.join(relative, name)), os.lstat(os.path.join(root, name)).st_size)
                  for name in sorted(names)]
    return folders, files


def by_folders(files: list[tuple[str, int]], shares: int) -> list[list[tuple[str, int]]]:
    """The files in `shares` lists of whole folders, the largest folders first to the list with fewest files: two
    processes creating files in one folder wait for each other in the kernel."""
    folders: dict[str, list] = {}
    for path, size in files:
        folders.setdefault(os.path.dirname(path), []).append((path, size))
    lists: list[list] = [[] for _ in range(shares)]
    for group in sorted(folders.values(), key=len, reverse=True):
        min(lists, key=len).extend(group)
    return lists


def create(root: Path, files: list[tuple[str, int]], zeros: memoryview) -> None:
    """Each file under `root`, `size` zero bytes, as the site's writer writes a file (`publish.site.writer`; paths
    as strings: a Path for each costs 4 µs, 6 s of 1.6M files)."""
    folder = f"{root}{os.sep}"
    for path, size in files:
        handle = os.open(folder + path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o666)
        view = zeros[:size]
        while view:
            view = view[os.write(handle, view):]
        os.close(handle)


def files_floor(folders: list[str], files: list[tuple[str, int]], scratch: Path, processes: int) -> None:
    root = scratch / f"files-{processes}"
    root.mkdir(parents=True)
    for folder in folders:
        (root / folder).mkdir()
    zeros = memoryview(bytes(max((size for _, size in files), default=0)))
    before, started = resource.getrusage(resource.RUSAGE_CHILDREN), time.perf_counter()
    children = [in_child(create, root, share, zeros) for share in by_folders(files, processes)]
    for child in children:
        os.waitpid(child, 0)
    wall, used = time.perf_counter() - started, resource.getrusage(resource.RUSAGE_CHILDREN)
    print(f"files, {processes} process{'es' if processes > 1 else ''}: {len(files):,} files "
          f"({sum(size for _, size in files) / 1e9:.2f} GB) in {len(folders)} folders: wall {wall:.1f} s, "
          f"CPU user {used.ru_utime - before.ru_utime:.1f} s, system {used.ru_stime - before.ru_stime:.1f} s", flush=True)


def in_child(function, *arguments) -> int:
    """`function(*arguments)` in a forked process; its pid."""
    child = os.fork()
    if child == 0:
        status = 0
        try:
            function(*arguments)
        except BaseException:
            traceback.print_exc()
            status = 1
        os._exit(status)  # never back into the parent's code
    return child


def rss() -> float:
    """This process's resident memory, MiB."""
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS:")) / 1024


def store_floor(dataset: Path, folder: Path | None) -> None:
    """The dataset loaded into a store in memory, or on disk in `folder`, and read back."""
    import pyoxigraph as ox

    before, started = rss(), time.perf_counter()
    store = ox.Store(str(folder)) if folder else ox.Store()
    store.bulk_load(path=str(dataset), format=ox.RdfFormat.N_QUADS)
    loaded, held = time.perf_counter() - started, rss() - before
    started = time.perf_counter()
    quads = sum(1 for _ in store.quads_for_pattern(None, None, None, None))
    read = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 - before
    print(f"store {'on disk' if folder else 'in memory'}: {quads:,} quads loaded in {loaded:.1f} s, read back in "
          f"{read:.1f} s; RSS {held:,.0f} MiB after loading, {peak:,.0f} MiB at the peak", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dist", type=Path, help="a built dist/ folder")
    parser.add_argument("--scratch", type=Path, required=True, help="a new folder, on the disk builds write to")
    options = parser.parse_args()
    if not (options.dist / "cassibile.nq").is_file():
        sys.exit(f"{options.dist} is no built dist/ folder: it has no cassibile.nq")
    if options.scratch.exists():
        sys.exit(f"{options.scratch} exists; give a new folder")
    folders, files = listing(options.dist)  # once: 1.6M files take seconds to list
    for processes in (1, 2):
        files_floor(folders, files, options.scratch, processes)
    for folder in (None, options.scratch / "store"):  # each store in a process of its own: its memory alone
        os.waitpid(in_child(store_floor, options.dist / "cassibile.nq", folder), 0)


if __name__ == "__main__":
    main()
