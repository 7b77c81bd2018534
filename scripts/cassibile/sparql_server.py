"""A real SPARQL 1.1 server on 127.0.0.1: the `oxigraph` binary, started and always stopped by us.

Used by `cassibile serve` and by the tests that run queries, Wikidata comparisons and
publishing against an actual endpoint instead of a mock.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

from cassibile.errors import UsageError


def oxigraph_binary() -> str:
    """The `oxigraph` command installed beside this Python (the PyPI package ships it)."""
    beside = Path(sys.executable).with_name("oxigraph")
    found = str(beside) if beside.exists() else shutil.which("oxigraph")
    if not found:
        raise UsageError("the oxigraph server is not installed (pip install oxigraph)")
    return found


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class OxigraphServer:
    """`with OxigraphServer(files=[...]) as server:` serves the files at `server.query_url`.

    Files are loaded before the server starts (`oxigraph load`); named graphs in N-Quads or TriG
    are kept, and queries see their union as the default graph.
    """

    def __init__(self, files: list[Path] = (), port: int | None = None, location: Path | None = None, cors: bool = False):
        self.files, self.port, self.cors = list(files), port or free_port(), cors
        self._own_location = location is None
        self.location = location or Path(tempfile.mkdtemp(prefix="cassibile-oxigraph-"))
        self.process: subprocess.Popen | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def query_url(self) -> str:
        return f"{self.base_url}/query"

    @property
    def update_url(self) -> str:
        return f"{self.base_url}/update"

    @property
    def store_url(self) -> str:
        return f"{self.base_url}/store"

    def start(self, timeout: float = 20.0) -> "OxigraphServer":
        binary = oxigraph_binary()
        for path in self.files:
            subprocess.run([binary, "load", "--location", str(self.location), "--file", str(path)],
                           check=True, capture_output=True)
        command = [binary, "serve", "--location", str(self.location), "--bind", f"127.0.0.1:{self.port}",
                   "--union-default-graph"] + (["--cors"] if self.cors else [])
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"oxigraph exited early: {self.process.stderr.read().decode(errors='replace')}")
            try:
                with urllib.request.urlopen(f"{self.query_url}?query=ASK%7B%7D", timeout=1):
                    return self
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"oxigraph did not answer on {self.base_url} within {timeout} s")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.process and self.process.stderr:
            self.process.stderr.close()
        self.process = None
        if self._own_location:
            shutil.rmtree(self.location, ignore_errors=True)

    def __enter__(self) -> "OxigraphServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
