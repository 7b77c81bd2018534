"""`cassibile serve`: the site and the data on 127.0.0.1, one command, stopped by Ctrl-C.

- `/id/<slug>` (and `/source/<name>`, `/ontology`, `/dataset`): content negotiation between
  text/html, text/turtle, application/ld+json and application/n-triples — 303 See Other to the
  matching document, with `Vary: Accept` and `Link: <…>; rel="describedby"`; 406 for anything else.
- every other path: the file from `dist/site/`, or a data dump from `dist/` (`/cassibile.nq`).
- `/sparql`: a read-only SPARQL 1.1 endpoint (queries only, passed on to an `oxigraph` server loaded
  with `dist/cassibile.nq` and started and stopped with this one); `/sparql/` is the site's query page.
- every response allows any origin (CORS), so that scripts elsewhere can read the data.

>>> negotiate("text/turtle;q=0.9, application/ld+json", OFFERS)
'application/ld+json'
>>> negotiate("text/*", OFFERS), negotiate("", OFFERS), negotiate("application/json", OFFERS)
('text/html', 'text/html', None)
"""

from __future__ import annotations

import os
import posixpath
import signal
import sys
import urllib.error
import urllib.parse
import urllib.request
from functools import partial
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from cassibile.errors import UsageError
from cassibile.sparql_server import OxigraphServer

# Media type -> file suffix, in the order the server prefers them when the client has no preference.
OFFERS = {
    "text/html": ".html",
    "text/turtle": ".ttl",
    "application/ld+json": ".jsonld",
    "application/n-triples": ".nt",
}
CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".ttl": "text/turtle; charset=utf-8",
    ".jsonld": "application/ld+json",
    ".nt": "application/n-triples",
    ".nq": "application/n-quads",
    ".trig": "application/trig",
    ".rdf": "application/rdf+xml",
    ".txt": "text/plain; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
}
SPARQL_PATH = "/sparql"  # its query page, /sparql/, is the site's sparql/index.html


def parse_accept(header: str) -> list[tuple[str, float]]:
    """(media range, quality) pairs of an Accept header; malformed qualities count as 0."""
    ranges = []
    for item in header.split(","):
        media, *params = [part.strip() for part in item.split(";")]
        if not media:
            continue
        quality = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        ranges.append((media.lower(), quality))
    return ranges


def _quality(offer: str, ranges: list[tuple[str, float]]) -> float:
    """The quality the client gives an offer: from its most specific matching range (RFC 9110, 12.5.1)."""
    kind = offer.split("/")[0]
    for candidate in (offer, f"{kind}/*", "*/*"):
        for media, quality in ranges:
            if media == candidate:
                return quality
    return 0.0


def negotiate(header: str | None, offers) -> str | None:
    """The offer the client likes best (the server's order breaks ties); None when it accepts none."""
    if not header or not header.strip():
        return next(iter(offers))
    ranges = parse_accept(header)
    best = max(offers, key=lambda offer: _quality(offer, ranges))
    return best if _quality(best, ranges) > 0 else None


class PublicationHandler(SimpleHTTPRequestHandler):
    """Static files from the site, data dumps from dist/, negotiation on IRIs, SPARQL through oxigraph."""

    server: "PublicationServer"
    extensions_map = {**SimpleHTTPRequestHandler.extensions_map, **CONTENT_TYPES}

    # --- routing --------------------------------------------------------------------------------

    def do_GET(self) -> None:
        self._route(send_body=True)

    def do_HEAD(self) -> None:
        self._route(send_body=False)

    def do_POST(self) -> None:
        if self._path() == SPARQL_PATH:
            length = int(self.headers.get("Content-Length") or 0)
            self._proxy("/query", body=self.rfile.read(length))
        else:
            self.send_error(HTTPStatus.METHOD_NOT_ALLOWED)

    def do_OPTIONS(self) -> None:
        """CORS preflight: any origin may read and query."""
        self._send(HTTPStatus.NO_CONTENT, {"Access-Control-Allow-Methods": "GET, HEAD, POST, OPTIONS",
                                           "Access-Control-Allow-Headers": "Accept, Content-Type"})

    def _path(self) -> str:
        return urllib.parse.unquote(urllib.parse.urlsplit(self.path).path)

    def _route(self, send_body: bool) -> None:
        path = self._path()
        query = urllib.parse.urlsplit(self.path).query
        if path == SPARQL_PATH and "query=" in query:
            self._proxy("/query?" + query, send_body=send_body)
        elif path == SPARQL_PATH:
            self._send(HTTPStatus.SEE_OTHER, {"Location": SPARQL_PATH + "/"})
        elif variants := self._variants(path):
            self._negotiate(variants, send_body)
        elif send_body:
            super().do_GET()
        else:
            super().do_HEAD()

    def end_headers(self) -> None:
        self.send_header("Access-Control-Allow-Origin", "*")
        self.send_header("Access-Control-Expose-Headers", "Link, Location, Vary")
        super().end_headers()

    # --- files ----------------------------------------------------------------------------------

    def translate_path(self, path: str) -> str:
        """A site file, else a top-level file of dist/ (the data dumps the pages link to)."""
        in_site = super().translate_path(path)
        if os.path.exists(in_site):
            return in_site
        name = urllib.parse.unquote(urllib.parse.urlsplit(path).path).lstrip("/")
        if name and "/" not in name and (self.server.dist / name).is_file():
            return str(self.server.dist / name)
        return in_site

    def list_directory(self, path):
        """No folder listings: a folder without index.html is simply not there."""
        self.send_error(HTTPStatus.NOT_FOUND)
        return None

    # --- content negotiation --------------------------------------------------------------------

    def _variants(self, path: str) -> dict[str, str]:
        """The documents describing an extensionless path: media type -> URL path, for those that exist."""
        if path.endswith("/") or "." in posixpath.basename(path):
            return {}
        found = {}
        for media, suffix in OFFERS.items():
            if Path(self.translate_path(path + suffix)).is_file():
                found[media] = path + suffix
        return found

    def _negotiate(self, variants: dict[str, str], send_body: bool) -> None:
        """303 See Other to the variant the client accepts best, or 406; both list every variant in Link."""
        chosen = negotiate(self.headers.get("Accept"), variants)
        headers = {"Vary": "Accept",
                   "Link": ", ".join(f'<{url}>; rel="describedby"; type="{media}"' for media, url in variants.items())}
        if chosen is None:
            body = ("Not acceptable. This resource is available as: " + ", ".join(variants) + "\n").encode()
            self._send(HTTPStatus.NOT_ACCEPTABLE, {**headers, "Content-Type": "text/plain; charset=utf-8"}, body, send_body)
        else:
            self._send(HTTPStatus.SEE_OTHER, {**headers, "Location": variants[chosen]})

    def _send(self, status: int, headers: dict[str, str], body: bytes = b"", send_body: bool = True) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if send_body:
            self.wfile.write(body)

    # --- SPARQL ---------------------------------------------------------------------------------

    def _proxy(self, target: str, body: bytes | None = None, send_body: bool = True) -> None:
        """Forward to the oxigraph server and relay its answer (status, type and body)."""
        headers = {name: self.headers[name] for name in ("Accept", "Content-Type") if self.headers.get(name)}
        request = urllib.request.Request(self.server.sparql_url + target, data=body, headers=headers,
                                         method="POST" if body is not None else "GET")
        try:
            with urllib.request.urlopen(request, timeout=120) as response:
                status, content_type, payload = response.status, response.headers.get("Content-Type"), response.read()
        except urllib.error.HTTPError as error:
            status, content_type, payload = error.code, error.headers.get("Content-Type"), error.read()
        self._send(status, {"Content-Type": content_type} if content_type else {}, payload, send_body)


class PublicationServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, port: int, dist: Path, sparql_url: str):
        self.dist, self.sparql_url = dist, sparql_url
        super().__init__(("127.0.0.1", port), partial(PublicationHandler, directory=str(dist / "site")))

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/"


def serve(dist: Path, port: int = 8000) -> None:
    """Serve `dist` until Ctrl-C (or SIGTERM); the SPARQL server is stopped on the way out."""
    if not (dist / "site" / "index.html").is_file() or not (dist / "cassibile.nq").is_file():
        raise UsageError(f"no built site in {dist}; run `cassibile build` first")
    # Ctrl-C stops everything even when started from a shell that ignores SIGINT for background jobs,
    # and SIGTERM stops it the same way.
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, signal.default_int_handler)
    with OxigraphServer(files=[dist / "cassibile.nq"]) as sparql:
        try:
            server = PublicationServer(port, dist, sparql.base_url)
        except OSError as error:
            raise UsageError(f"cannot listen on 127.0.0.1:{port}: {error.strerror}; choose another --port") from None
        with server:
            print(f"Serving {dist} at {server.url}  (SPARQL endpoint {server.url}sparql, query page {server.url}sparql/)",
                  flush=True)
            print("Press Ctrl-C to stop.", flush=True)
            try:
                server.serve_forever()
            except KeyboardInterrupt:
                print("Stopped.", file=sys.stderr, flush=True)
