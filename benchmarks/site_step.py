"""Time (and optionally profile) the site step of `cassibile build`, run in a project's folder.

Builds the project once, as `cassibile build` does, then writes the site again `--runs` times from the
same build into a scratch folder beside it (`dist/.site-step`), and prints each run's wall, user and
system seconds, those of the processes it starts included (the file writer, the site's forked processes; shown
apart too). The system time is the kernel's, mostly creating some 10,000 files: on a shared machine it varies from run to run far
more than the user time, which is what the code controls. On a file system without a journal (this VM's
ext4), creating files within about 30 seconds of deleting many costs several times more system time:
the kernel skips each recently freed inode, one by one. Each run deletes the previous one's folder first,
as a build replaces the previous `dist/`; `--fresh` keeps them until the end, and waits that long after
the build (which replaced the previous `dist/`) before the first run: files created where nothing was just
deleted.
`--reference DIR` compares the last site written with DIR byte for byte (`diff -r`); `--profile FILE`
writes a cProfile of the last run (read it with `python -m pstats FILE`).

    cd /path/to/project && /path/to/.venv/bin/python /path/to/benchmarks/site_step.py --runs 3 --reference /tmp/site-before
"""

from __future__ import annotations

import argparse
import cProfile
import os
import shutil
import subprocess
import sys
import time

import cassibile.publish.site as site
from cassibile.cli import main

RECENTLY_DELETED = 35  # seconds: ext4 without a journal avoids reusing an inode freed within 30 s (35 s if not yet written)


def timed_runs(args: argparse.Namespace):
    """A stand-in for `write_site`: write the build's site, then write it again `args.runs` times, timing each."""
    write_site = site.write_site

    def run(built, out, project, jobs) -> None:
        write_site(built, out, project, jobs)
        if args.fresh:
            time.sleep(RECENTLY_DELETED)
        for number in range(1, args.runs + 1):
            scratch = out.parent / (f".site-step-{number}" if args.fresh else ".site-step")
            shutil.rmtree(scratch, ignore_errors=True)
            profile = cProfile.Profile() if args.profile and number == args.runs else None
            wall, before = time.perf_counter(), os.times()
            if profile:
                profile.runcall(write_site, built, scratch, project, jobs)
                profile.dump_stats(args.profile)
            else:
                write_site(built, scratch, project, jobs)
            after = os.times()
            others = after.children_user - before.children_user, after.children_system - before.children_system
            print(f"site step, run {number}: {time.perf_counter() - wall:.2f} s wall, "
                  f"{after.user - before.user + others[0]:.2f} s user, {after.system - before.system + others[1]:.2f} s system "
                  f"(of which the other processes, the file writer and the site's forked ones, {others[0]:.2f} s user, "
                  f"{others[1]:.2f} s system)"
                  + (" (under cProfile)" if profile else ""), file=sys.stderr)
        if args.reference:
            diff = subprocess.run(["diff", "-r", "-q", args.reference, str(scratch)], capture_output=True, text=True)
            print("identical to the reference" if diff.returncode == 0 else f"differs from the reference:\n{diff.stdout}", file=sys.stderr)
        for number in range(1, args.runs + 1):
            shutil.rmtree(out.parent / f".site-step-{number}", ignore_errors=True)
        shutil.rmtree(out.parent / ".site-step", ignore_errors=True)

    return run


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="how many times to write the site again (default 3)")
    parser.add_argument("--reference", help="a site folder the last run must be byte-identical to")
    parser.add_argument("--profile", help="write a cProfile of the last run to this file")
    parser.add_argument("--jobs", default=None, help="processes to write the site from (default: the build's default)")
    parser.add_argument("--fresh", action="store_true", help="write each run into a folder of its own, all deleted at the end")
    return parser.parse_args()


if __name__ == "__main__":
    options = arguments()
    site.write_site = timed_runs(options)
    sys.exit(main(["build", *(["--jobs", options.jobs] if options.jobs else [])]))
