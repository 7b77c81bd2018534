"""`cassibile serve`: the site and the data on 127.0.0.1 (or `--host`), one command, stopped by Ctrl-C.

- `/id/<slug>` (and `/source/<name>`, `/fact/<slug>`, `/claim/<slug>`, `/ontology`, `/dataset`): content negotiation between
  text/html, text/turtle, application/ld+json (also for application/json), application/n-triples
  and application/rdf+xml — 303 See Other to the matching document, with `Vary: Accept` and
  `Link: <…>; rel="describedby"`; 406 for anything else.
  `ontology/1.1.0` (a version IRI) negotiates too: only an existing file is served as a file.
- every other path: the file from `dist/site/`, or a data dump from `dist/` (`/cassibile.nq`), with a
  strong ETag (a hash of the bytes sent, so identical builds keep their tags), `Cache-Control` and
  `Last-Modified`; `If-None-Match` (or `If-Modified-Since`) gets 304. Text and RDF are sent
  gzip-compressed to clients that accept gzip (`Vary: Accept-Encoding`, an ETag of their own):
  compressed on the first request for each version of a file and kept in memory, within a budget.
- HTTP/1.1: connections are kept alive (every answer has its length) until idle for 15 s; at most
  100 at once, the next ones get 503 at once. HEAD has the headers of GET and no body.
- `/sparql`: a read-only SPARQL 1.1 endpoint (queries only), and `/sparql/` the site's query page.
  Queries go to an `oxigraph serve-read-only` process over a store loaded beforehand with
  `dist/cassibile.nq`, started and stopped with this one. Each query has a time limit: oxigraph
  cancels most queries at the limit itself, and one it cannot stop is stopped with its process,
  which is started again. Either way the client gets HTTP 503 naming the limit. Answers are held
  whole before they are sent (a query cancelled halfway must become an error, not a cut 200), so
  one larger than 64 MiB gets HTTP 507.
- `/reconcile`: the W3C Reconciliation Service API (0.2) for OpenRefine and other clients, answered by
  `cassibile.serve.reconciliation` from the built data (GET, or a form POST of `queries=…` or `extend=…`).
- every response allows any origin (CORS), so that scripts elsewhere can read the data.
- nothing is ever written: updates get 403, other methods 405; malformed requests get a 4xx.

>>> negotiate("text/turtle;q=0.9, application/ld+json", OFFERS)
'application/ld+json'
>>> negotiate("text/*", OFFERS), negotiate("", OFFERS), negotiate("application/json", OFFERS)
('text/html', 'text/html', 'application/ld+json')
>>> negotiate("text/turtle;q=2, text/html;q=0.5", OFFERS)  # an impossible quality counts as none
'text/html'
"""

from __future__ import annotations

import email.utils
import gzip
import hashlib
import http.client
import ipaddress
import json
import os
import re
import signal
import socket
import sys
import threading
import time
import urllib.parse
from collections import OrderedDict
from functools import lru_cache, partial
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pyoxigraph as ox

from cassibile.errors import UsageError
from cassibile.serve import reconciliation
from cassibile.serve.sparql_server import OxigraphServer
from cassibile.sparql.query import update_operation

# Media type -> file suffix, in the order the server prefers them when the client has no preference.
OFFERS = {
    "text/html": ".html",
    "text/turtle": ".ttl",
    "application/ld+json": ".jsonld",
    "application/n-triples": ".nt",
    "application/rdf+xml": ".rdf",
}
# Media types that stand for an offer: JSON-LD is JSON, and clients that ask for JSON can read it.
ALIASES = {"application/ld+json": ("application/json",)}
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
# Media types worth compressing besides text/*, +xml and +json: never images, fonts or archives, already compressed.
COMPRESSIBLE = {"application/json", "application/javascript", "application/n-triples", "application/n-quads",
                "application/trig", "application/xml"}
SPARQL_PATH = "/sparql"  # its query page, /sparql/, is the site's sparql/index.html
RECONCILE_PATH = "/reconcile"
_HOST = re.compile(r"^(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::[0-9]{1,5})?$")  # a Host header safe to echo in URLs
DEFAULT_QUERY_TIMEOUT = 30  # seconds

MAX_PATH = 1024  # characters in a decoded path; no file of the site comes near it
MAX_SEGMENT = 255  # characters in one path segment: the longest file name Linux allows
MAX_QUERY_BYTES = 1 << 20  # a query in a POST body; in a URL, the request line's 64 KiB bound it
MAX_RESULT_BYTES = 64 << 20  # answers are held whole, to turn one cancelled halfway into an error
MAX_AGE = 300  # seconds caches may reuse a page, a dump or a redirect unasked: they change with each build
KEEP_ALIVE = 15  # seconds an open connection may wait for its next request before it is closed
MAX_CONNECTIONS = 100  # open at once (each holds a thread); the next get 503 at once
MAX_GZIP_SOURCE = 64 << 20  # bytes: larger files are sent as they are
GZIP_CACHE_BYTES = 128 << 20  # compressed bodies kept in memory
DEFAULT_HOST = "127.0.0.1"
GRACE = 2.0  # seconds oxigraph gets past the limit to cancel a query itself, before its process is killed
# What oxigraph 0.5 writes (after the results begun, or as the whole body) when --timeout-s cancels a query.
CANCELLED = b"The SPARQL operation has been cancelled"
QUERY_FORM = "application/x-www-form-urlencoded"
READ_ONLY = "This server is read-only: it answers queries (GET, HEAD, POST /sparql) and never changes the data."
_QUALITY = re.compile(r"^(0(\.[0-9]{0,3})?|1(\.0{0,3})?)$")  # RFC 9110, 12.4.2
_BAD_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def weighted(header: str) -> list[tuple[str, float]]:
    """(value, quality) pairs of an Accept or Accept-Encoding header, values in lower case; a malformed quality counts as 0."""
    pairs = []
    for item in header.split(","):
        value, *params = [part.strip() for part in item.split(";")]
        quality = 1.0
        for param in params:
            name, _, number = param.partition("=")
            if name.strip().lower() == "q":
                quality = float(number) if _QUALITY.match(number.strip()) else 0.0
        pairs.append((value.lower(), quality))
    return pairs


def parse_accept(header: str) -> list[tuple[str, float]]:
    """(media range, quality) pairs of an Accept header; a malformed range counts not at all."""
    return [(media, quality) for media, quality in weighted(header) if media.count("/") == 1]


def _quality(offer: str, ranges: list[tuple[str, float]]) -> float:
    """The quality the client gives an offer: from its most specific matching range (RFC 9110, 12.5.1)."""
    kind = offer.split("/")[0]
    for candidate in (offer, *ALIASES.get(offer, ()), f"{kind}/*", "*/*"):
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


def accepts_gzip(header: str | None) -> bool:
    """Whether an Accept-Encoding header accepts gzip: by name (or x-gzip), else by *, with a quality above 0.

    >>> accepts_gzip("gzip, deflate, br"), accepts_gzip("br;q=1.0, *;q=0.5"), accepts_gzip(None)
    (True, True, False)
    >>> accepts_gzip("gzip;q=0, *"), accepts_gzip("identity"), accepts_gzip("GZIP;q=0.001")
    (False, False, True)
    """
    qualities = dict(weighted(header or ""))
    return qualities.get("gzip", qualities.get("x-gzip", qualities.get("*", 0.0))) > 0


def compressible(content_type: str) -> bool:
    """Text and RDF in any syntax; not images, fonts or archives, which are compressed already."""
    media = content_type.split(";")[0].strip().lower()
    return media.startswith("text/") or media.endswith(("+xml", "+json")) or media in COMPRESSIBLE


def matches(if_none_match: str, etag: str) -> bool:
    """Whether an If-None-Match header names this ETag (weak comparison, RFC 9110, 13.1.2) or is *."""
    tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
    return "*" in tags or etag in tags


def strong_etag(data: bytes) -> str:
    return f'"{hashlib.sha256(data).hexdigest()[:32]}"'


@lru_cache(maxsize=1 << 14)
def file_etag(path: str, size: int, mtime_ns: int) -> str:
    """A file's strong ETag, hashed once per version (path, size, modification time): the same bytes, the same tag."""
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        while chunk := file.read(1 << 20):
            digest.update(chunk)
    return f'"{digest.hexdigest()[:32]}"'


class GzipCache:
    """gzip-compressed files, by version, with their ETags: each compressed once (deterministically, mtime 0),
    the least recently used dropped beyond a byte budget."""

    def __init__(self, budget: int = GZIP_CACHE_BYTES):
        self.budget, self.used, self.entries, self.lock = budget, 0, OrderedDict(), threading.Lock()

    def get(self, path: str, stat: os.stat_result) -> tuple[str, bytes] | None:
        """(ETag, body), or None when the file is too large or compression would not make it smaller."""
        if stat.st_size > MAX_GZIP_SOURCE:
            return None
        key = (path, stat.st_size, stat.st_mtime_ns)
        with self.lock:
            if key in self.entries:
                self.entries.move_to_end(key)
                return self.entries[key]
        data = Path(path).read_bytes()
        packed = gzip.compress(data, compresslevel=6, mtime=0)
        changed = len(data) != stat.st_size  # rewritten since: this version is gone, send the file as it is
        entry = (strong_etag(packed), packed) if len(packed) < len(data) and not changed else None
        with self.lock:
            if key not in self.entries:
                self.entries[key] = entry
                self.used += len(packed) if entry else 0
            while self.used > self.budget:
                _, dropped = self.entries.popitem(last=False)
                self.used -= len(dropped[1]) if dropped else 0
        return entry


class RequestRefused(Exception):
    """A request answered with an error status and a one-line reason."""

    def __init__(self, status: HTTPStatus, reason: str, headers: dict[str, str] | None = None):
        super().__init__(reason)
        self.status, self.reason, self.headers = status, reason, headers or {}


def checked_path(target: str) -> str:
    """The decoded path of a request target, or RequestRefused: bad percent-encoding, not UTF-8,
    a NUL or other control character, a `..` segment (400), or too long to name a file (414).

    >>> checked_path("/id/armistice-of-cassibile?x=1")
    '/id/armistice-of-cassibile'
    >>> checked_path("/id/%2e%2e/%2e%2e/etc/passwd")
    Traceback (most recent call last):
    ...
    cassibile.serve.server.RequestRefused: the path climbs out of the site (a .. segment)
    """
    if not target.startswith("/") or target.startswith("//"):
        raise RequestRefused(HTTPStatus.BAD_REQUEST, "the request target must be a path starting with a single /")
    raw = urllib.parse.urlsplit(target).path
    if _BAD_PERCENT.search(raw):
        raise RequestRefused(HTTPStatus.BAD_REQUEST, "the path has a % not followed by two hexadecimal digits")
    try:
        path = urllib.parse.unquote(raw, errors="strict")
    except UnicodeDecodeError:
        raise RequestRefused(HTTPStatus.BAD_REQUEST, "the path is not percent-encoded UTF-8") from None
    if _CONTROL.search(path):
        raise RequestRefused(HTTPStatus.BAD_REQUEST, "the path holds a NUL or another control character")
    segments = path.split("/")
    if ".." in segments:
        raise RequestRefused(HTTPStatus.BAD_REQUEST, "the path climbs out of the site (a .. segment)")
    if len(path) > MAX_PATH or max(map(len, segments)) > MAX_SEGMENT:
        raise RequestRefused(HTTPStatus.REQUEST_URI_TOO_LONG,
                             f"the path is longer than {MAX_PATH} characters or has a segment longer than {MAX_SEGMENT}")
    return path


def refuse_updates(parameters: dict[str, list[str]]) -> None:
    """RequestRefused (403) for an update, however it is sent: as update=…, or as the query itself."""
    if "update" in parameters or any(update_operation(text) for text in parameters.get("query", ())):
        raise RequestRefused(HTTPStatus.FORBIDDEN, READ_ONLY)


class PublicationHandler(SimpleHTTPRequestHandler):
    """Static files from the site, data dumps from dist/, negotiation on IRIs, SPARQL through oxigraph."""

    server: "PublicationServer"
    extensions_map = {**SimpleHTTPRequestHandler.extensions_map, **CONTENT_TYPES}
    protocol_version = "HTTP/1.1"  # connections kept alive: so every answer says its length
    default_request_version = "HTTP/1.0"  # errors to malformed request lines get a status line, never a bare body
    timeout = 60  # seconds a client may take to send its request, or to take each part of an answer
    error_content_type = "text/plain; charset=utf-8"
    error_message_format = "%(code)d %(message)s: %(explain)s\n"
    path_checked = ""
    body_read = False

    # --- every request ----------------------------------------------------------------------------

    def handle(self) -> None:
        """Requests one after the other on the connection, while the client keeps it and sends the next in time."""
        self.close_connection = False
        while not self.close_connection and self._next_request_arrives():
            self.handle_one_request()

    def _next_request_arrives(self) -> bool:
        """Whether the client sends (the start of) a request within KEEP_ALIVE seconds; if not, the connection closes quietly."""
        self.connection.settimeout(KEEP_ALIVE)
        try:
            return bool(self.rfile.peek(1))
        except OSError:  # idle too long, or gone
            return False
        finally:
            self.connection.settimeout(self.timeout)

    def handle_one_request(self) -> None:
        """The standard handling, with a 500 (and one line in the log) instead of a traceback and a dropped connection."""
        self.status_sent = self.body_read = False
        try:
            super().handle_one_request()
        except (ConnectionError, TimeoutError):  # the client left, or took too long: nothing to answer
            self.close_connection = True
        except Exception as error:  # a bug: still an answer, and one line saying what
            self.log_error("cannot answer %r: %s: %s", self.requestline, type(error).__name__, error)
            self.close_connection = True
            if not self.status_sent:
                self._refuse(RequestRefused(HTTPStatus.INTERNAL_SERVER_ERROR, "the server failed to answer this request"))

    def parse_request(self) -> bool:
        """The standard parsing, then the path checks of the methods served (any other gets 405)."""
        if not super().parse_request():
            return False
        if self.command not in ("GET", "HEAD", "POST", "OPTIONS"):
            return True
        try:
            self.path_checked = checked_path(self.path)
        except RequestRefused as refusal:
            self._refuse(refusal)
            return False
        return True

    def send_error(self, code, message=None, explain=None) -> None:
        """The standard error answers, as plain text; an HTTP version this server does not speak is a bad request."""
        if code == HTTPStatus.HTTP_VERSION_NOT_SUPPORTED:
            code, message = HTTPStatus.BAD_REQUEST, f"{message}: this server speaks HTTP/1.0 and HTTP/1.1"
        super().send_error(code, message, explain)

    def send_response(self, code, message=None) -> None:
        self.status_sent = True
        super().send_response(code, message)

    def __getattr__(self, name: str):
        """Any method but GET, HEAD, POST and OPTIONS (PUT, DELETE, PATCH, …): 405, this server changes nothing."""
        if name.startswith("do_"):
            return self._method_not_allowed
        raise AttributeError(name)

    def _body_unread(self) -> bool:
        """Whether the request came with a body that was not read: then the connection cannot carry another request."""
        length = (self.headers.get("Content-Length") or "0").strip()
        return not self.body_read and (length != "0" or "Transfer-Encoding" in self.headers)

    def _method_not_allowed(self) -> None:
        self._refuse(RequestRefused(HTTPStatus.METHOD_NOT_ALLOWED, READ_ONLY, {"Allow": "GET, HEAD, POST, OPTIONS"}))

    # --- routing --------------------------------------------------------------------------------

    def do_GET(self) -> None:
        self._route(send_body=True)

    def do_HEAD(self) -> None:
        self._route(send_body=False)

    def do_POST(self) -> None:
        if self.path_checked == RECONCILE_PATH:
            return self._reconcile(self._form_body, send_body=True)
        try:
            if self.path_checked != SPARQL_PATH:
                raise RequestRefused(HTTPStatus.METHOD_NOT_ALLOWED, READ_ONLY, {"Allow": "GET, HEAD, OPTIONS"})
            body = self._query_body()
        except RequestRefused as refusal:
            return self._refuse(refusal)
        self._proxy("/query", body=body)

    def do_OPTIONS(self) -> None:
        """CORS preflight: any origin may read and query."""
        self._send(HTTPStatus.NO_CONTENT, {"Access-Control-Allow-Methods": "GET, HEAD, POST, OPTIONS",
                                           "Access-Control-Allow-Headers": "Accept, Content-Type"})

    def _route(self, send_body: bool) -> None:
        path, query = self.path_checked, urllib.parse.urlsplit(self.path).query
        if path == SPARQL_PATH and ("query=" in query or "update=" in query):
            try:
                refuse_updates(urllib.parse.parse_qs(query))
            except RequestRefused as refusal:
                return self._refuse(refusal, send_body)
            self._proxy("/query?" + query, send_body=send_body)
        elif path == SPARQL_PATH:
            self._send(HTTPStatus.SEE_OTHER, {"Location": SPARQL_PATH + "/", "Cache-Control": f"max-age={MAX_AGE}"})
        elif path == RECONCILE_PATH or path.startswith(RECONCILE_PATH + "/"):
            self._reconcile(lambda: query, send_body)
        elif variants := self._variants(path):
            self._negotiate(variants, send_body)
        else:
            self._file(send_body)

    def end_headers(self) -> None:
        self.send_header("Access-Control-Allow-Origin", "*")
        self.send_header("Access-Control-Expose-Headers", "Link, Location, Vary, ETag")
        if not self.close_connection and self._body_unread():
            self.send_header("Connection", "close")  # which also closes it
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

    def _file(self, send_body: bool) -> None:
        """The file at the request's path (a folder's index.html; no listings): gzip-compressed if the client takes it
        and it is text or RDF, with a strong ETag and cache headers; 304 when the client's copy is current."""
        name, url_path = self.translate_path(self.path), urllib.parse.urlsplit(self.path).path
        if os.path.isdir(name):
            if not url_path.endswith("/"):
                return self._send(HTTPStatus.MOVED_PERMANENTLY, {"Location": url_path + "/", "Cache-Control": f"max-age={MAX_AGE}"})
            name = os.path.join(name, "index.html")
        try:
            file = open(name, "rb")
        except OSError:  # missing, a folder without index.html, or a name the system refuses
            return self._refuse(RequestRefused(HTTPStatus.NOT_FOUND, "nothing is published at this path"), send_body)
        with file:
            stat = os.fstat(file.fileno())
            content_type = self.guess_type(name)
            packed = None
            caching = {"Cache-Control": f"max-age={MAX_AGE}", "Last-Modified": self.date_time_string(stat.st_mtime)}
            if compressible(content_type):
                caching["Vary"] = "Accept-Encoding"
                if accepts_gzip(self.headers.get("Accept-Encoding")):
                    packed = self.server.gzipped.get(name, stat)
            caching["ETag"] = packed[0] if packed else file_etag(name, stat.st_size, stat.st_mtime_ns)
            if self._client_has(caching["ETag"], stat.st_mtime):
                return self._send(HTTPStatus.NOT_MODIFIED, caching)
            content = {"Content-Type": content_type}
            if packed:
                return self._send(HTTPStatus.OK, {**caching, **content, "Content-Encoding": "gzip"}, packed[1], send_body)
            self._send(HTTPStatus.OK, {**caching, **content, "Content-Length": str(stat.st_size)}, send_body=False)
            if send_body and self.connection.sendfile(file, 0, stat.st_size) < stat.st_size:
                self.close_connection = True  # the file shrank meanwhile: the client must see the answer end

    def _client_has(self, etag: str, mtime: float) -> bool:
        """Whether the client's copy is current: If-None-Match names the ETag, or (without it) If-Modified-Since is not older."""
        if (tags := self.headers.get("If-None-Match")) is not None:
            return matches(tags, etag)
        try:
            since = email.utils.parsedate_to_datetime(self.headers.get("If-Modified-Since") or "")
        except (TypeError, ValueError):
            return False
        return since.tzinfo is not None and int(mtime) <= since.timestamp()

    # --- content negotiation --------------------------------------------------------------------

    def _variants(self, path: str) -> dict[str, str]:
        """The documents describing an extensionless path: media type -> URL path, for those that exist."""
        if path.endswith("/") or os.path.isfile(self.translate_path(path)):  # a dot alone does not make a file: ontology/1.1.0
            return {}
        found = {}
        for media, suffix in OFFERS.items():
            if os.path.isfile(self.translate_path(path + suffix)):  # False for a name too long to exist, too
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
            self._send(HTTPStatus.SEE_OTHER, {**headers, "Location": variants[chosen], "Cache-Control": f"max-age={MAX_AGE}"})

    def _send(self, status: int, headers: dict[str, str], body: bytes = b"", send_body: bool = True) -> None:
        """An answer with its length (so that the connection can carry the next request), except where none is allowed."""
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        if "Content-Length" not in headers and status not in (HTTPStatus.NO_CONTENT, HTTPStatus.NOT_MODIFIED):
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if send_body:
            self.wfile.write(body)

    def _refuse(self, refusal: RequestRefused, send_body: bool = True) -> None:
        """An error status with its reason as plain text (and the standard log line)."""
        self.log_error("%d %s: %s", refusal.status, self.requestline[:200], refusal.reason)
        self._send(refusal.status, {**refusal.headers, "Content-Type": "text/plain; charset=utf-8"},
                   f"{refusal.status} {refusal.status.phrase}: {refusal.reason}\n".encode(), send_body and self.command != "HEAD")

    # --- reconciliation -------------------------------------------------------------------------

    def _reconcile(self, read_form, send_body: bool) -> None:
        """The reconciliation service's answer to the form in the query string or the POST body; errors in JSON."""
        try:
            parameters = urllib.parse.parse_qs(read_form(), max_num_fields=20, errors="strict")
        except RequestRefused as refusal:
            return self._send_json_error(refusal.status, refusal.reason, send_body)
        except ValueError as error:  # too many fields, or not UTF-8
            return self._send_json_error(HTTPStatus.BAD_REQUEST, f"malformed form: {error}", send_body)
        host = self.headers.get("Host", "")
        site = f"http://{host}/" if _HOST.match(host) else self.server.url
        status, content_type, body = reconciliation.answer(self.server.dist, self.path_checked.removeprefix(RECONCILE_PATH),
                                                           parameters, site + RECONCILE_PATH.lstrip("/"), site)
        self._send(status, {"Content-Type": content_type}, body, send_body)

    def _send_json_error(self, status: HTTPStatus, reason: str, send_body: bool) -> None:
        self.log_error("%d %s: %s", status, self.requestline[:200], reason)
        self._send(status, {"Content-Type": "application/json"}, json.dumps({"status": status.value, "error": reason}).encode(), send_body)

    def _form_body(self) -> str:
        """A POSTed form (application/x-www-form-urlencoded), read once its size is known to be acceptable."""
        length = self.headers.get("Content-Length", "")
        if not length.strip().isdigit():
            self.close_connection = True  # a body of unknown length cannot be skipped
            raise RequestRefused(HTTPStatus.LENGTH_REQUIRED, "a POST to /reconcile needs a Content-Length")
        if int(length) > MAX_QUERY_BYTES:
            self.close_connection = True  # the body is not read
            raise RequestRefused(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, f"a form may take at most {MAX_QUERY_BYTES} bytes")
        body = self.rfile.read(int(length))
        if (self.headers.get("Content-Type") or "").split(";")[0].strip().lower() != QUERY_FORM:
            raise RequestRefused(HTTPStatus.UNSUPPORTED_MEDIA_TYPE, f"POST to /reconcile a form ({QUERY_FORM}) with queries=… or extend=…")
        return body.decode("utf-8")

    # --- SPARQL ---------------------------------------------------------------------------------

    def _query_body(self) -> bytes:
        """A POSTed query, read once its size and kind are known to be acceptable."""
        length = self.headers.get("Content-Length")
        if length is None:
            raise RequestRefused(HTTPStatus.LENGTH_REQUIRED, "a POST to /sparql needs a Content-Length")
        if not length.strip().isdigit():
            raise RequestRefused(HTTPStatus.BAD_REQUEST, f"Content-Length {length[:40]!r} is not a number of bytes")
        if int(length) > MAX_QUERY_BYTES:  # the body is not read, and the connection is closed
            raise RequestRefused(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, f"a query may take at most {MAX_QUERY_BYTES} bytes")
        body = self.rfile.read(int(length))
        self.body_read = True
        kind = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        text = body.decode("utf-8", "replace")
        if kind == "application/sparql-update" or ox.RdfFormat.from_media_type(kind) is not None:
            raise RequestRefused(HTTPStatus.FORBIDDEN, READ_ONLY)  # an update, or data for the Graph Store
        if kind == QUERY_FORM:
            refuse_updates(urllib.parse.parse_qs(text))
        elif kind == "application/sparql-query":
            refuse_updates({"query": [text]})
        else:
            raise RequestRefused(HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
                                 f"POST a query as application/sparql-query or as a form ({QUERY_FORM}) with query=…. {READ_ONLY}")
        return body

    def _proxy(self, target: str, body: bytes | None = None, send_body: bool = True) -> None:
        """Relay the answer of the oxigraph server (status, type and body), or an error that says what went wrong."""
        sparql, limit = self.server.sparql, self.server.query_timeout
        headers = {name: self.headers[name] for name in ("Accept", "Content-Type") if self.headers.get(name)}
        generation = sparql.generation
        try:
            status, content_type, payload = exchange(sparql.base_url, target, body, headers, time.monotonic() + limit + GRACE)
        except TimeoutError:  # oxigraph could not cancel it: the process goes, and the work with it
            sparql.restart(generation)
            return self._over_limit(limit, send_body)
        except ResultTooLarge:
            return self._refuse(RequestRefused(HTTPStatus.INSUFFICIENT_STORAGE,
                                               f"the answer is larger than {MAX_RESULT_BYTES >> 20} MiB; add a LIMIT"), send_body)
        except (OSError, http.client.HTTPException) as error:
            if not sparql.running:  # it died (killed, out of memory): start it again for the next query
                sparql.restart(generation)
            return self._refuse(RequestRefused(HTTPStatus.BAD_GATEWAY, f"the SPARQL server did not answer ({error}); try again"),
                                send_body)
        if payload.endswith(CANCELLED):  # oxigraph's --timeout-s stopped it, possibly halfway through the results
            return self._over_limit(limit, send_body)
        headers = {"Cache-Control": "no-store"}  # computed for this request; the data changes with each publication
        self._send(status, {**headers, "Content-Type": content_type} if content_type else headers, payload, send_body)

    def _over_limit(self, limit: int, send_body: bool) -> None:
        self._refuse(RequestRefused(HTTPStatus.SERVICE_UNAVAILABLE, f"the query exceeded the {limit} s limit of this "
                                    "endpoint and was stopped; narrow its patterns or add a LIMIT"), send_body)


class ResultTooLarge(Exception):
    pass


def exchange(base_url: str, target: str, body: bytes | None, headers: dict[str, str], deadline: float,
             max_bytes: int = MAX_RESULT_BYTES) -> tuple[int, str | None, bytes]:
    """One request to the oxigraph server, answered in full by `deadline` (TimeoutError otherwise; socket
    timeouts alone bound each read, not the whole answer): status, content type and body."""
    where = urllib.parse.urlsplit(base_url)

    def remaining() -> float:
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError(f"no complete answer from {base_url} in time")
        return left

    connection = http.client.HTTPConnection(where.hostname, where.port, timeout=remaining())
    try:
        connection.request("POST" if body is not None else "GET", target, body=body, headers=headers)
        sock = connection.sock  # the response reads through it, even once the connection lets go of it
        sock.settimeout(remaining())
        response = connection.getresponse()
        payload = bytearray()
        while True:
            sock.settimeout(remaining())
            chunk = response.read1(1 << 16)
            if not chunk:
                return response.status, response.headers.get("Content-Type"), bytes(payload)
            payload += chunk
            if len(payload) > max_bytes:
                raise ResultTooLarge()
    finally:
        connection.close()


# The whole answer to a connection over the limit: sent before any request is read, then the connection closes.
_BUSY = b"503 Service Unavailable: too many connections at once; try again in a few seconds\n"
BUSY = (b"HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: %d\r\n"
        b"Retry-After: 5\r\nConnection: close\r\n\r\n%s" % (len(_BUSY), _BUSY))


class PublicationServer(ThreadingHTTPServer):
    daemon_threads = True
    # The kernel's queue of connections not yet accepted (socketserver's default is 5): beyond it, a connection
    # the client already sees as open waits for the server to retransmit, so later ones could overtake it.
    request_queue_size = 2 * MAX_CONNECTIONS

    def __init__(self, host: str, port: int, dist: Path, sparql: OxigraphServer, query_timeout: int = DEFAULT_QUERY_TIMEOUT):
        self.dist, self.sparql, self.query_timeout = dist, sparql, query_timeout
        self.gzipped, self.slots = GzipCache(), threading.BoundedSemaphore(MAX_CONNECTIONS)
        self.address_family = socket.AF_INET6 if ":" in host else socket.AF_INET
        super().__init__((host, port), partial(PublicationHandler, directory=str(dist / "site")))

    def process_request(self, request, client_address) -> None:
        """A thread for the connection, or, with MAX_CONNECTIONS open already, 503 at once."""
        if not self.slots.acquire(blocking=False):
            try:
                request.sendall(BUSY)
            except OSError:
                pass
            return self.shutdown_request(request)
        try:
            super().process_request(request, client_address)
        except BaseException:
            self.slots.release()
            raise

    def process_request_thread(self, request, client_address) -> None:
        """The standard thread, which frees its place before it closes the connection: a client that sees it closed
        can connect again."""
        try:
            self.finish_request(request, client_address)
        except Exception:
            self.handle_error(request, client_address)
        finally:
            self.slots.release()
            self.shutdown_request(request)

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{f'[{host}]' if ':' in host else host}:{port}/"


def exposure(address: str) -> str | None:
    """What to say on standard error when the server listens elsewhere than the default 127.0.0.1.

    >>> exposure("127.0.0.1") is None, exposure("::1")
    (True, 'listening on ::1, a loopback address: only this machine can reach it')
    >>> exposure("0.0.0.0")  # doctest: +ELLIPSIS
    'listening on 0.0.0.0, so other machines can reach it...'
    """
    if address == DEFAULT_HOST:
        return None
    if ipaddress.ip_address(address).is_loopback:
        return f"listening on {address}, a loopback address: only this machine can reach it"
    return (f"listening on {address}, so other machines can reach it: pages, dumps and queries, read-only, each query "
            "bounded in time; to publish, put a web server in front (docs/publishing.md)")


def serve(dist: Path, port: int = 8000, query_timeout: int = DEFAULT_QUERY_TIMEOUT, host: str = DEFAULT_HOST) -> None:
    """Serve `dist` until Ctrl-C (or SIGTERM); the SPARQL server is stopped on the way out."""
    if not (dist / "site" / "index.html").is_file() or not (dist / "cassibile.nq").is_file():
        raise UsageError(f"no built site in {dist}; run `cassibile build` first")
    # Ctrl-C stops everything even when started from a shell that ignores SIGINT for background jobs,
    # and SIGTERM stops it the same way.
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, signal.default_int_handler)
    with OxigraphServer(files=[dist / "cassibile.nq"], read_only=True, timeout=query_timeout) as sparql:
        try:
            server = PublicationServer(host, port, dist, sparql, query_timeout)
        except OSError as error:
            raise UsageError(f"cannot listen on {host} port {port}: {error.strerror}; choose another --host or --port") from None
        with server:
            if note := exposure(server.server_address[0]):
                print(f"cassibile serve: {note}", file=sys.stderr, flush=True)
            print(f"Serving {dist} at {server.url}  (SPARQL endpoint {server.url}sparql, query page {server.url}sparql/; "
                  f"queries stop after {query_timeout} s)", flush=True)
            print("Press Ctrl-C to stop.", flush=True)
            try:
                server.serve_forever()
            except KeyboardInterrupt:
                print("Stopped.", file=sys.stderr, flush=True)
