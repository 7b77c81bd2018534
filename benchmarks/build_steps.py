"""The progress time of each step of `cassibile build`, median and fastest of several builds of the project in this folder,
and the peak memory of all of a build's processes together.

Each build runs in its own process, as `cassibile build --out DIR` (DIR: a new temporary folder), and a step's
time is the time between its progress line and the next one. `--compare SCRIPTS` alternates each build with one
of another checkout's package (PYTHONPATH=SCRIPTS, e.g. main's: `git archive main scripts | tar -x -C /tmp/main`,
then `--compare /tmp/main/scripts`), so that both see the same load. `--without-site` leaves the site's pages out
(the data files, written beside them, stay): the steps before them take seconds, the site several more. On a shared machine the
medians carry the other work; the fastest runs are closer to what the code costs. The builds write into a temporary
folder: `TMPDIR=/dev/shm` puts it on tmpfs, where creating files costs the kernel less and varies less.

    cd /path/to/project && /path/to/.venv/bin/python /path/to/benchmarks/build_steps.py --runs 5 --compare /tmp/main/scripts
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

PROGRESS = re.compile(r"\[\s*([\d.]+)s\s+\d+ MiB\] (.*)")


def build(out: Path, without_site: bool) -> None:
    """`cassibile build --out out` in this process, its site left out if asked."""
    from cassibile.cli import main

    if without_site:
        import cassibile.publish.site as site

        site.write_site = lambda *args, alongside=None, **kwargs: alongside and alongside()  # the data files only
    sys.exit(main(["build", "--out", str(out)]))


def steps(out: Path, scripts: str | None, without_site: bool) -> dict[str, float]:
    """One build in a new process: each step's message (numbers left out) -> its seconds, the total, and the peak
    memory of all the build's processes together (`run.TreeMemory`: forked processes share what they do not write)."""
    from run import TreeMemory  # benchmarks/run.py, beside this file

    env = dict(os.environ, **({"PYTHONPATH": scripts} if scripts else {}))
    command = [sys.executable, __file__, "--child", str(out)] + (["--without-site"] if without_site else [])
    process = subprocess.Popen(command, env=env, stderr=subprocess.PIPE, text=True, start_new_session=True)
    memory = TreeMemory(process.pid)
    _, stderr = process.communicate()
    peak = memory.stop()
    if process.returncode != 0:
        raise SystemExit(f"the build failed:\n{stderr}")
    lines = [(float(m[1]), re.sub(r"\b\d+\b", "N", m[2])) for m in PROGRESS.finditer(stderr)]
    times = {message: end - start for (start, message), (end, _) in zip(lines, lines[1:])}
    return times | {"before the site and the data files": next(t for t, m in lines if m.startswith("writing the site")),
                    "in all": lines[-1][0], "peak PSS, all processes (MiB)": peak}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--compare", metavar="SCRIPTS", help="another checkout's scripts/ folder, built in turn")
    parser.add_argument("--without-site", action="store_true")
    parser.add_argument("--child", metavar="OUT", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        build(Path(args.child), args.without_site)
    scratch = Path(tempfile.mkdtemp(prefix="build-steps-"))
    out = scratch / "dist"
    kinds = {"this": None} | ({"compared": args.compare} if args.compare else {})
    runs: dict[str, list] = {kind: [] for kind in kinds}
    try:
        for _ in range(args.runs):
            for kind, scripts in kinds.items():
                runs[kind].append(steps(out, scripts, args.without_site))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    print("| step | " + " | ".join(f"{kind}: median | fastest" for kind in kinds) + " |")
    print("| --- |" + " ---: | ---: |" * len(kinds))
    for step in runs["this"][0]:
        cells = [f"{statistics.median(t):.2f} | {min(t):.2f}" for t in ([r.get(step, 0.0) for r in runs[kind]] for kind in kinds)]
        print(f"| {step} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
