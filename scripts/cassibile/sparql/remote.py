"""Run a query on a remote SPARQL 1.1 endpoint through SPARQLWrapper, with the embedded store's output.

The endpoint's answer is parsed by oxigraph into the same `QueryResult` that `run_local` returns,
so `cassibile query NAME --endpoint URL` prints what `cassibile query NAME` prints. The timeout
bounds the whole call (connecting, every read, and any waiting), not each socket read. Endpoints
that are busy (HTTP 429) are waited for as their `Retry-After` header asks, a bounded number of
times; every other failure becomes an `EndpointError` that says what went wrong and where.
"""

from __future__ import annotations

import ast
import email.utils
import math
import socket
import threading
import time
import urllib.error
import urllib.parse
from datetime import datetime, timezone

import pyoxigraph as ox
from SPARQLWrapper import JSON, POST, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import (
    EndPointInternalError,
    EndPointNotFound,
    QueryBadFormed,
    SPARQLWrapperException,
    Unauthorized,
    URITooLong,
)

from cassibile import __version__
from cassibile.errors import NetworkError, UsageError
from cassibile.sparql.query import QueryResult, query_form, without_comments

USER_AGENT = f"cassibile/{__version__} (+https://w3id.org/cassibile)"
RETRIES = 3  # further attempts after an HTTP 429
_LOSSLESS_FORMATS = (ox.QueryResultsFormat.JSON, ox.QueryResultsFormat.XML, ox.QueryResultsFormat.TSV)
_STATUS = {QueryBadFormed: 400, Unauthorized: 401, EndPointNotFound: 404, URITooLong: 414, EndPointInternalError: 500}


class EndpointError(NetworkError):
    """The endpoint could not be reached, refused the query, timed out, or answered with something unreadable."""


def run_remote(endpoint: str, text: str, timeout: float = 60.0, retries: int = RETRIES) -> QueryResult:
    """Run a SELECT or ASK query (parameters already bound) on `endpoint` and parse its answer, within `timeout` seconds."""
    _check_url(endpoint)
    deadline = time.monotonic() + timeout
    attempt = 0
    while True:
        try:
            body, content_type = _request(endpoint, text, deadline, timeout)
            return _parse(body, content_type, endpoint)
        except urllib.error.HTTPError as error:
            with error:  # closes the connection it holds
                _wait_if_busy(error, endpoint, deadline, timeout, attempt, retries)
        attempt += 1


def _wait_if_busy(error: urllib.error.HTTPError, endpoint: str, deadline: float, timeout: float, attempt: int, retries: int) -> None:
    """Sleep as an HTTP 429 asks, when an attempt and the time for it are left; raise for any other status."""
    if error.code != 429:
        raise EndpointError(f"{endpoint} answered HTTP {error.code} {error.reason}{_excerpt(error.read())}")
    if attempt == retries:
        raise EndpointError(f"{endpoint} is still busy (HTTP 429) after {retries + 1} attempts; try again later")
    wait = retry_after_seconds(error.headers.get("Retry-After"), default=2.0**attempt)
    if time.monotonic() + wait > deadline:
        raise EndpointError(f"{endpoint} is busy (HTTP 429) and asks to retry after {wait:.0f} s, "
                            f"longer than the timeout ({timeout:g} s) allows")
    time.sleep(wait)


def _check_url(endpoint: str) -> None:
    parts = urllib.parse.urlsplit(endpoint)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise UsageError(f"--endpoint needs an http:// or https:// URL, got {endpoint!r}")


def _request(endpoint: str, text: str, deadline: float, timeout: float) -> tuple[bytes, str]:
    """POST the query, asking for W3C JSON results; returns the body and its content type by `deadline`.

    Socket timeouts bound each read, and a server sending a byte now and then never triggers them:
    the exchange runs in a worker thread that the caller stops waiting for at the deadline (and whose
    connection it then shuts, if the answer has begun).
    """
    form = query_form(text)
    if form not in ("SELECT", "ASK"):
        raise UsageError("only SELECT and ASK queries can run on an endpoint")
    wrapper = SPARQLWrapper(endpoint, agent=USER_AGENT)
    wrapper.setMethod(POST)
    wrapper.setOnlyConneg(True)  # content negotiation only: no non-standard format=json parameter
    wrapper.setReturnFormat(JSON)
    wrapper.setTimeout(max(1, math.ceil(deadline - time.monotonic())))
    wrapper.setQuery(without_comments(text))
    wrapper.queryType = form  # SPARQLWrapper guesses the form from the text; we know it
    outcome: dict = {}

    def exchange() -> None:
        try:
            outcome["response"] = response = wrapper.query().response
            outcome["answer"] = response.read(), response.headers.get("Content-Type", "")
        except BaseException as error:  # handed to the caller's thread
            outcome["error"] = error

    worker = threading.Thread(target=exchange, name=f"cassibile query to {endpoint}", daemon=True)
    worker.start()
    worker.join(max(0.0, deadline - time.monotonic()))
    if worker.is_alive():
        _hang_up(outcome.get("response"))
        raise EndpointError(f"{endpoint} did not answer within {timeout:g} s")
    if "error" in outcome:
        raise _endpoint_error(outcome.pop("error"), endpoint, timeout)  # popped: no cycle through this frame
    return outcome["answer"]


def _hang_up(response) -> None:
    """End a response that is still being read in another thread (its read returns at once)."""
    if response is None:
        return
    try:
        with socket.socket(fileno=socket.dup(response.fileno())) as connection:
            connection.shutdown(socket.SHUT_RDWR)
    except (OSError, ValueError):  # already closed
        pass


def _endpoint_error(error: BaseException, endpoint: str, timeout: float) -> BaseException:
    """The exception to raise for what went wrong in the exchange (HTTP errors go back to run_remote as they are)."""
    if isinstance(error, SPARQLWrapperException):
        detail = _excerpt(_response_of(error))
        return EndpointError(f"{endpoint} answered HTTP {_STATUS.get(type(error), '?')} ({type(error).__name__}){detail}")
    if isinstance(error, urllib.error.HTTPError):  # 429 and statuses SPARQLWrapper does not name: run_remote decides
        return error
    if isinstance(error, urllib.error.URLError) and isinstance(error.reason, TimeoutError) or isinstance(error, TimeoutError):
        return EndpointError(f"{endpoint} did not answer within {timeout:g} s")
    if isinstance(error, urllib.error.URLError):
        return EndpointError(f"cannot reach {endpoint}: {error.reason}")
    if isinstance(error, OSError):
        return EndpointError(f"cannot reach {endpoint}: {error}")
    return error


def _parse(body: bytes, content_type: str, endpoint: str) -> QueryResult:
    """Parse W3C JSON, XML or TSV results with oxigraph; anything else is a malformed response."""
    media_type = content_type.split(";")[0].strip()
    fmt = ox.QueryResultsFormat.from_media_type(media_type) if media_type else ox.QueryResultsFormat.JSON
    if fmt not in _LOSSLESS_FORMATS:
        raise EndpointError(f"malformed response from {endpoint}: expected SPARQL results, got {media_type!r}{_excerpt(body)}")
    try:
        return QueryResult.from_answer(ox.parse_query_results(body, format=fmt))
    except SyntaxError as error:
        raise EndpointError(f"malformed response from {endpoint} ({media_type or 'no content type'}): {error}") from None


def retry_after_seconds(header: str | None, default: float, now: datetime | None = None) -> float:
    """Seconds to wait, from a Retry-After header in either of its forms (RFC 9110, section 10.2.3).

    >>> retry_after_seconds("3", default=1.0)
    3.0
    >>> retry_after_seconds("Sun, 22 Nov 2026 10:00:05 GMT", 1.0, now=datetime(2026, 11, 22, 10, 0, 0, tzinfo=timezone.utc))
    5.0
    >>> retry_after_seconds(None, default=2.0)
    2.0
    """
    if header is None:
        return default
    header = header.strip()
    if header.isdigit():
        return float(header)
    try:
        when = email.utils.parsedate_to_datetime(header)
    except (TypeError, ValueError):
        return default
    return max(0.0, (when - (now or datetime.now(timezone.utc))).total_seconds())


def _response_of(error: SPARQLWrapperException) -> bytes:
    """The response body that SPARQLWrapper folds into its message as a bytes literal."""
    _, found, literal = str(error).partition("Response:\n")
    try:
        return ast.literal_eval(literal) if found else b""
    except (ValueError, SyntaxError):
        return literal.encode()


def _excerpt(body: bytes, limit: int = 300) -> str:
    text = " ".join(body.decode("utf-8", errors="replace").split())
    if not text:
        return ""
    return ": " + (text if len(text) <= limit else text[: limit - 1] + "…")
