"""Time (and optionally profile) the site step of `cassibile build`, run in a project's folder.

Builds the project once, as `cassibile build` does, then writes the site again `--runs` times from the
same build into a scratch folder beside it (`dist/.site-step`), and prints each run's wall, user and
system seconds. The system time is the kernel's, mostly creating some 10,000 files: on a shared machine
it varies from run to run far more than the user time, which is what the code controls.
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


def timed_runs(args: argparse.Namespace):
    """A stand-in for `write_site`: write the build's site, then write it again `args.runs` times, timing each."""
    write_site = site.write_site

    def run(built, out, project) -> None:
        write_site(built, out, project)
        scratch = out.parent / ".site-step"
        for number in range(1, args.runs + 1):
            shutil.rmtree(scratch, ignore_errors=True)
            profile = cProfile.Profile() if args.profile and number == args.runs else None
            wall, before = time.perf_counter(), os.times()
            if profile:
                profile.runcall(write_site, built, scratch, project)
                profile.dump_stats(args.profile)
            else:
                write_site(built, scratch, project)
            after = os.times()
            print(f"site step, run {number}: {time.perf_counter() - wall:.2f} s wall, {after.user - before.user:.2f} s user, "
                  f"{after.system - before.system:.2f} s system" + (" (under cProfile)" if profile else ""), file=sys.stderr)
        if args.reference:
            diff = subprocess.run(["diff", "-r", "-q", args.reference, str(scratch)], capture_output=True, text=True)
            print("identical to the reference" if diff.returncode == 0 else f"differs from the reference:\n{diff.stdout}", file=sys.stderr)
        shutil.rmtree(scratch)

    return run


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="how many times to write the site again (default 3)")
    parser.add_argument("--reference", help="a site folder the last run must be byte-identical to")
    parser.add_argument("--profile", help="write a cProfile of the last run to this file")
    return parser.parse_args()


if __name__ == "__main__":
    site.write_site = timed_runs(arguments())
    sys.exit(main(["build"]))
