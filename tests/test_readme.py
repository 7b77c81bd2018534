"""The README's two commands: labelled on its first screen, the test one run unchanged by CI, and
`scripts/run-tests` installing what the tests need on a bare Debian machine.

The script is run for real, in a copy of the repository's layout, with stand-ins on PATH for the
commands that would change this machine (dpkg-query, apt-get, sudo, id) or install Python packages:
each records how it was called.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess

import pytest
from conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")
SCRIPT = ROOT / "scripts" / "run-tests"
BLOCK = re.compile(r"^\*\*(?P<label>[^*]+)\*\*[^\n]*(?:\n(?!```)[^\n]+)*:\n\n```sh\n(?P<command>[^\n]+)\n```", re.M)


def test_the_first_screen_is_one_sentence_then_two_labelled_set_up_blocks():
    intro, _, rest = README.partition("\n\n**")
    assert intro.startswith("# cassibile\n\n") and intro.count(".") <= 3  # the sentence (its dates have no dots)
    blocks = list(BLOCK.finditer(README))
    assert [b["label"] for b in blocks[:2]] == ["Set up and build", "Set up and test"]
    assert blocks[0]["command"] == "python3 -m venv .venv && .venv/bin/pip install -q -e . && .venv/bin/cassibile build"
    assert blocks[1]["command"] == "scripts/run-tests"
    assert README.index("```") > README.index("**Set up and build**")  # no other command before them


def test_ci_runs_the_readmes_test_command_unchanged():
    """Regression (issue 12): only .ci/run installed the browser; the README's command failed on a fresh machine."""
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").strip().splitlines()
    assert ci[-1] == list(BLOCK.finditer(README))[1]["command"]
    assert not any("apt-get" in line for line in ci)  # one place installs packages: the script
    assert os.access(SCRIPT, os.X_OK) and os.access(ROOT / ".ci" / "run", os.X_OK)


STAND_INS = {
    # the packages named in $INSTALLED are installed
    "dpkg-query": 'for p in $INSTALLED; do [[ "$p" == "${@: -1}" ]] && { echo -n "install ok installed"; exit 0; }; done; exit 1',
    "apt-get": 'echo "apt-get $*" >> "$LOG"',
    "sudo": 'echo "sudo" >> "$LOG"; exec "$@"',
    "id": 'echo "${USER_ID:-0}"',
    "python3": 'if [[ $1 == -c ]]; then exit "${NO_VENV:-0}"; fi\n'
               'echo "python3 $*" >> "$LOG"; mkdir -p .venv/bin\n'
               'printf \'#!/bin/bash\\necho "pip $*" >> "$LOG"\\n\' > .venv/bin/pip\n'
               'printf \'#!/bin/bash\\necho "python $*" >> "$LOG"\\n\' > .venv/bin/python\n'
               'chmod +x .venv/bin/pip .venv/bin/python',
}


@pytest.fixture
def run_script(tmp_path):
    """Run a copy of scripts/run-tests with the stand-ins; returns (result, calls)."""
    (tmp_path / "repo" / "scripts").mkdir(parents=True)
    script = tmp_path / "repo" / "scripts" / "run-tests"
    shutil.copy2(SCRIPT, script)
    tools = tmp_path / "bin"
    tools.mkdir()
    for name, body in STAND_INS.items():
        (tools / name).write_text(f"#!/bin/bash\n{body}\n", encoding="utf-8")
        (tools / name).chmod(0o755)
    for name in ("grep", "env", "dirname", "mkdir", "chmod"):  # the real ones; no real sudo or apt-get within reach
        (tools / name).symlink_to(shutil.which(name))
    log = tmp_path / "calls.log"

    def run(*args: str, **environment: str):
        env = {"PATH": str(tools), "LOG": str(log), "HOME": str(tmp_path), **environment}
        result = subprocess.run(["/bin/bash", str(script), *args], env=env, capture_output=True, text=True, timeout=60)
        return result, log.read_text(encoding="utf-8").splitlines() if log.exists() else []

    return run


# The packages the script lists (only chromium and chromium-driver are named below, to test the logic).
PACKAGES = re.search(r"^DEBIAN_PACKAGES=\((.*)\)$", SCRIPT.read_text(encoding="utf-8"), re.M).group(1).split()
ALL_BUT_THE_DRIVER = " ".join(package for package in PACKAGES if package != "chromium-driver")


def test_as_root_on_a_bare_machine_it_installs_the_missing_packages_then_runs_pytest(run_script):
    result, calls = run_script("-k", "serve", INSTALLED="chromium", NO_VENV="1")
    assert result.returncode == 0, result.stderr
    assert calls == [
        "apt-get update -qq",
        "apt-get install -y -qq " + " ".join(p for p in PACKAGES if p != "chromium") + " python3-venv",
        "python3 -m venv .venv",
        "pip install -q -e .[test]",
        "python -m pytest -k serve",
    ]


def test_with_everything_installed_it_installs_nothing(run_script):
    result, calls = run_script(INSTALLED=" ".join(PACKAGES))
    assert result.returncode == 0, result.stderr
    assert calls == ["python3 -m venv .venv", "pip install -q -e .[test]", "python -m pytest"]


def test_a_user_with_sudo_is_asked_through_sudo(run_script):
    result, calls = run_script(INSTALLED="", USER_ID="1000")
    assert result.returncode == 0, result.stderr
    assert calls[:4] == ["sudo", "apt-get update -qq", "sudo", "apt-get install -y -qq " + " ".join(PACKAGES)]
    assert "with sudo apt-get" in result.stderr


def test_a_user_without_sudo_is_told_what_to_install_and_nothing_runs(run_script, tmp_path):
    os.remove(tmp_path / "bin" / "sudo")
    result, calls = run_script(INSTALLED=ALL_BUT_THE_DRIVER, USER_ID="1000")
    assert result.returncode == 1 and calls == []
    assert result.stderr == ("run-tests: the tests need the Debian packages chromium-driver; ask an administrator to run "
                             "'apt-get install chromium-driver' as root, or run this script as root\n")
