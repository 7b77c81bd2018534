"""A real SPARQL 1.1 server on 127.0.0.1: the `oxigraph` binary, started and always stopped by us.

Used by `cassibile serve` and by the tests that run queries, Wikidata comparisons and
publishing against an actual endpoint instead of a mock. It is read-only unless asked otherwise
(`oxigraph serve-read-only` over a location loaded beforehand: SPARQL UPDATE and Graph Store
writes get HTTP 403), and with a timeout oxigraph cancels a query that runs longer.
"""

from __future__ import annotations

import collections
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
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


def _drain(stream, log: collections.deque) -> None:
    """Read a process's output to its end, keeping the last lines."""
    with stream:
        log.extend(stream)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class OxigraphServer:
    """`with OxigraphServer(files=[...]) as server:` serves the files at `server.query_url`.

    Files are loaded before the server starts (`oxigraph load`); named graphs in N-Quads or TriG
    are kept, and queries see their union as the default graph. `read_only=False` accepts updates
    and Graph Store writes (for publishing into it); `timeout` is oxigraph's `--timeout-s`, whole seconds.
    """

    def __init__(self, files: list[Path] = (), port: int | None = None, location: Path | None = None, cors: bool = False,
                 read_only: bool = True, timeout: int | None = None):
        self.files, self.port, self.cors, self.read_only, self.timeout = list(files), port or free_port(), cors, read_only, timeout
        self._own_location = location is None
        self.location = location or Path(tempfile.mkdtemp(prefix="cassibile-oxigraph-"))
        self.process: subprocess.Popen | None = None
        self.generation = 0  # counts the processes started, so that concurrent callers restart a stuck one once
        self._restarting = threading.Lock()
        self._log: collections.deque[str] = collections.deque(maxlen=20)

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
        self._launch(binary, timeout)
        return self

    def _launch(self, binary: str, timeout: float) -> None:
        command = [binary, "serve-read-only" if self.read_only else "serve", "--location", str(self.location),
                   "--bind", f"127.0.0.1:{self.port}", "--union-default-graph"]
        command += (["--cors"] if self.cors else []) + (["--timeout-s", str(self.timeout)] if self.timeout else [])
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, errors="replace")
        self.generation += 1
        self._log = log = collections.deque(maxlen=20)
        # oxigraph logs every failed query on stderr: drained for ever, or a full pipe would stop the server
        drain = threading.Thread(target=_drain, args=(self.process.stderr, log), daemon=True)
        drain.start()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                drain.join(timeout=5)
                raise RuntimeError(f"oxigraph exited early: {''.join(log)}")
            try:
                with urllib.request.urlopen(f"{self.query_url}?query=ASK%7B%7D", timeout=1):
                    return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"oxigraph did not answer on {self.base_url} within {timeout} s")

    def restart(self, generation: int) -> None:
        """Kill the process (and any query it is stuck in) and start another on a new port, over the same data;
        nothing happens if that process (`generation`) was already replaced by another caller."""
        with self._restarting:
            if generation != self.generation:
                return
            self._end(self.process, kill=True)
            self.port = free_port()
            self._launch(oxigraph_binary(), 20.0)

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self) -> None:
        self._end(self.process)
        self.process = None
        if self._own_location:
            shutil.rmtree(self.location, ignore_errors=True)

    @staticmethod
    def _end(process: subprocess.Popen | None, kill: bool = False) -> None:
        if process and process.poll() is None:
            process.kill() if kill else process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def __enter__(self) -> "OxigraphServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
