"""Shared fixtures: the real project, a scratch copy of it, and one build of it per session."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PROJECT_PARTS = ("ontology", "graph", "shapes", "queries")


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


def run_cli(*args: str, cwd: Path = ROOT, check: bool = False) -> subprocess.CompletedProcess:
    """Run the real `cassibile` command line in a subprocess."""
    env = {k: v for k, v in os.environ.items() if k != "CASSIBILE_ROOT"}
    result = subprocess.run(
        [sys.executable, "-m", "cassibile", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=600
    )
    if check and result.returncode != 0:
        raise AssertionError(f"cassibile {' '.join(args)} exited {result.returncode}:\n{result.stderr}")
    return result


def stored(graph):
    """`graph` as the Wikidata tools read a layer of the build's store: in a named graph of a new one (`LayerStore.view`)."""
    from cassibile.namespaces import GRAPH
    from cassibile.pipeline.store import LayerStore

    return LayerStore.of({GRAPH["asserted"]: graph}).view(GRAPH["asserted"])


@pytest.fixture
def project_copy(tmp_path: Path) -> Path:
    """A scratch copy of the project's data, to break on purpose."""
    for part in PROJECT_PARTS:
        shutil.copytree(ROOT / part, tmp_path / part)
    return tmp_path


@pytest.fixture(scope="session")
def built(tmp_path_factory) -> Path:
    """One real build of the project, into a temporary dist/ folder."""
    out = tmp_path_factory.mktemp("built") / "dist"
    run_cli("build", "--quiet", "--out", str(out), check=True)
    return out


@pytest.fixture
def sparql_server():
    """Start a real oxigraph SPARQL server on 127.0.0.1 loaded with the given files; always stopped."""
    from cassibile.serve.sparql_server import OxigraphServer

    started = []

    def start(*files: Path, **options) -> OxigraphServer:
        server = OxigraphServer(files=list(files), **options).start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


def start_serve(dist: Path, log: Path, *options: str) -> tuple[subprocess.Popen, str]:
    """Run the real `cassibile serve --port 0` on a built folder; returns the process and its base URL."""
    env = {k: v for k, v in os.environ.items() if k != "CASSIBILE_ROOT"}
    with open(log, "w", encoding="utf-8") as stderr:
        process = subprocess.Popen([sys.executable, "-m", "cassibile", "serve", "--port", "0", "--dist", str(dist), *options],
                                   cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=stderr, text=True)
    first = process.stdout.readline()  # "Serving DIST at URL ..." once the server listens; "" if it died
    if " at http://" not in first:
        process.kill()
        raise AssertionError(f"cassibile serve did not start:\n{first}{log.read_text(encoding='utf-8')}")
    return process, first.split(" at ", 1)[1].split()[0]


@pytest.fixture(scope="session")
def served(built, tmp_path_factory) -> str:
    """`cassibile serve` on the built fixture: the base URL of a real server on 127.0.0.1, stopped with Ctrl-C."""
    process, url = start_serve(built, tmp_path_factory.mktemp("serve") / "stderr.log")
    yield url
    process.send_signal(signal.SIGINT)
    process.wait(timeout=30)
    process.stdout.close()
