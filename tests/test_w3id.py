"""The w3id.org rules (w3id/cassibile/.htaccess) in a real Apache httpd, as w3id.org runs them.

A throw-away Apache 2.4 (Debian's `apache2`) listens on 127.0.0.1: `/cassibile/` holds the rules
with `AllowOverride All`, as a folder of the w3id.org repository does, and `/site/cassibile/`
stands for the host the build is published on (the site with the files of dist/ beside it). The
rules' two addresses are set to these, exactly as docs/publishing.md says to, and every kind of
IRI is requested with every media type; each redirect is followed to the document it names.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.parse
from pathlib import Path

import pytest
from conftest import ROOT
from rdflib import Graph, URIRef

from cassibile.serve import server as serve
from cassibile.serve.sparql_server import OxigraphServer

RULES = ROOT / "w3id" / "cassibile" / ".htaccess"
INSTALL = "DEBIAN_FRONTEND=noninteractive apt-get install -y apache2"
MODULES = Path("/usr/lib/apache2/modules")
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"
# The ontology's version, whose IRI (ontology/<version>) the build publishes as well.
VERSION = str(Graph().parse(ROOT / "ontology" / "cassibile.ttl").value(URIRef("https://w3id.org/cassibile/ontology"),
                                                                     URIRef("http://www.w3.org/2002/07/owl#versionInfo")))
SUFFIX_TYPES = {".html": "text/html", ".ttl": "text/turtle", ".jsonld": "application/ld+json",
                ".nt": "application/n-triples", ".rdf": "application/rdf+xml"}
CONFIG = """\
ServerRoot "{root}"
Listen 127.0.0.1:{port}
ServerName 127.0.0.1
PidFile "{root}/httpd.pid"
ErrorLog "{root}/error.log"
LogLevel warn
{user}
LoadModule mpm_event_module {modules}/mod_mpm_event.so
LoadModule authz_core_module {modules}/mod_authz_core.so
LoadModule dir_module {modules}/mod_dir.so
LoadModule mime_module {modules}/mod_mime.so
LoadModule alias_module {modules}/mod_alias.so
LoadModule headers_module {modules}/mod_headers.so
LoadModule rewrite_module {modules}/mod_rewrite.so
TypesConfig /etc/mime.types
AddType text/turtle .ttl
AddType application/n-triples .nt
AddType application/n-quads .nq
AddType application/trig .trig
AddType application/ld+json .jsonld
AddType application/rdf+xml .rdf
DocumentRoot "{root}/www"
DirectoryIndex index.html
<Directory "/">
    AllowOverride None
    Require all denied
</Directory>
<Directory "{root}/www">
    Options None
    AllowOverride None
    Require all granted
</Directory>
<Directory "{root}/www/cassibile">
    AllowOverride All
</Directory>
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def with_addresses(rules: str, site: str, sparql: str) -> str:
    """The rules with their two addresses changed, as docs/publishing.md tells a maintainer to."""
    rules, sites = re.subn(r"E=CASSIBILE_SITE:[^\]]+", f"E=CASSIBILE_SITE:{site}", rules)
    rules, endpoints = re.subn(r"E=CASSIBILE_SPARQL:[^\]]+", f"E=CASSIBILE_SPARQL:{sparql}", rules)
    assert sites == endpoints == 1, "the rules must name each address exactly once"
    return rules


def published_copy(built: Path, target: Path) -> None:
    """What docs/publishing.md publishes: dist/site/ with the files of dist/ beside it."""
    shutil.copytree(built / "site", target)
    for path in built.iterdir():
        if path.is_file():
            shutil.copyfile(path, target / path.name)


@pytest.fixture(scope="module")
def w3id(built):
    """A real Apache httpd on 127.0.0.1 running the rules; yields its base URL and the site's."""
    binary = shutil.which("apache2") or shutil.which("apache2", path="/usr/sbin")
    if binary is None or not (MODULES / "mod_rewrite.so").is_file():  # a failure, not a skip: CI installs it
        pytest.fail(f"Apache httpd is missing: install Debian's with `{INSTALL}`", pytrace=False)
    root = Path(tempfile.mkdtemp(prefix="cassibile-w3id-"))  # readable by the unprivileged worker
    root.chmod(0o755)
    port = free_port()
    base, site = f"http://127.0.0.1:{port}/cassibile/", f"http://127.0.0.1:{port}/site/cassibile/"
    sparql = OxigraphServer(files=[built / "cassibile.nq"]).start()
    try:
        published_copy(built, root / "www" / "site" / "cassibile")
        (root / "www" / "cassibile").mkdir()
        (root / "www" / "cassibile" / ".htaccess").write_text(
            with_addresses(RULES.read_text(encoding="utf-8"), site, sparql.query_url), encoding="utf-8")
        user = "User nobody\nGroup nogroup" if os.geteuid() == 0 else ""
        (root / "httpd.conf").write_text(CONFIG.format(root=root, port=port, modules=MODULES, user=user))
        process = subprocess.Popen([binary, "-f", str(root / "httpd.conf"), "-DFOREGROUND"],
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        try:
            deadline = time.monotonic() + 30
            while True:
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    break
                except OSError:
                    if process.poll() is not None or time.monotonic() > deadline:
                        log = (root / "error.log").read_text() if (root / "error.log").exists() else ""
                        pytest.fail(f"apache2 did not start: {process.stdout.read() if process.poll() is not None else ''}{log}")
                    time.sleep(0.1)
            yield base, site
        finally:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=30)
            process.stdout.close()
    finally:
        sparql.stop()
        shutil.rmtree(root, ignore_errors=True)


def get(url: str, accept: str | None = None, method: str = "GET") -> http.client.HTTPResponse:
    """One request, redirects not followed."""
    parts = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    connection.request(method, parts.path + (f"?{parts.query}" if parts.query else ""),
                       headers={"Accept": accept} if accept is not None else {})
    response = connection.getresponse()
    response.body = response.read()
    connection.close()
    return response


def redirect(w3id, path: str, accept: str | None) -> tuple[int, str]:
    base, site = w3id
    response = get(base + path, accept)
    location = response.getheader("Location") or ""
    return response.status, location.removeprefix(site)


# --- every kind of IRI, every media type -----------------------------------------------------------

def first_in(built: Path, folder: str) -> str:
    pages = sorted((built / "site" / folder).glob("*.html"))
    return f"{folder}/{pages[0].stem}" if pages else f"{folder}/none-built"


@pytest.fixture(scope="module")
def iris(built) -> dict[str, str]:
    return {"id": "id/armistice-of-cassibile", "source": "source/en-article", "ontology": "ontology",
            "dataset": "dataset", "fact": first_in(built, "fact"), "claim": first_in(built, "claim")}


@pytest.mark.parametrize("kind", ["id", "source", "ontology", "dataset", "fact", "claim"])
@pytest.mark.parametrize("media", list(SUFFIX_TYPES.values()) + ["application/json"])
def test_iri_redirects_to_the_document_of_the_asked_type(w3id, iris, built, kind, media):
    path = iris[kind]
    status, location = redirect(w3id, path, media)
    suffix = ".jsonld" if media == "application/json" else next(s for s, t in SUFFIX_TYPES.items() if t == media)
    assert (status, location) == (303, path + suffix)
    if not any((folder / location).is_file() for folder in (built / "site", built)):
        pytest.xfail(f"the build writes no {location} yet (other work adds it); the redirect is right")
    document = get(w3id[1] + location)
    assert document.status == 200
    assert document.getheader("Content-Type").split(";")[0] == SUFFIX_TYPES[suffix]
    if suffix == ".jsonld":  # an entity's context is the w3id address, which cannot be fetched here
        assert "@context" in json.loads(document.body) and f'"https://w3id.org/cassibile/{path}"'.encode() in document.body
    elif suffix != ".html":
        graph = Graph().parse(data=document.body, format={".ttl": "turtle", ".nt": "nt", ".rdf": "xml"}[suffix])
        assert (URIRef("https://w3id.org/cassibile/" + path), None, None) in graph


@pytest.mark.parametrize("path", ["shapes", f"ontology/{VERSION}"])
@pytest.mark.parametrize("suffix", [".ttl", ".jsonld", ".nt", ".rdf"])
def test_shapes_and_versioned_ontology_negotiate_their_data(w3id, path, suffix):
    status, location = redirect(w3id, path, SUFFIX_TYPES[suffix])
    assert (status, location) == (303, path + suffix)
    document = get(w3id[1] + location)
    assert document.status == 200 and document.getheader("Content-Type").split(";")[0] == SUFFIX_TYPES[suffix]


def test_shapes_have_no_page_so_a_browser_gets_turtle_and_a_strict_html_client_406(w3id):
    assert redirect(w3id, "shapes", BROWSER) == (303, "shapes.ttl")
    assert redirect(w3id, "shapes", "text/html")[0] == 406


@pytest.mark.parametrize("name", ["context.jsonld", "cassibile.nq", "cassibile.trig", "asserted.ttl", "void.ttl", "shapes.ttl",
                                  "id/armistice-of-cassibile.ttl", f"ontology/{VERSION}.ttl"])
def test_files_redirect_to_the_same_name_whatever_the_client_accepts(w3id, built, name):
    assert redirect(w3id, name, "text/html") == (302, name)
    document = get(w3id[1] + name)
    assert document.status == 200
    assert document.body == (built / name if (built / name).is_file() else built / "site" / name).read_bytes()


def test_the_json_ld_context_is_readable_from_any_origin(w3id):
    for response in (get(w3id[0] + "context.jsonld", "application/ld+json"), get(w3id[0] + "id/armistice-of-cassibile", "text/turtle")):
        assert response.getheader("Access-Control-Allow-Origin") == "*"


def test_root_goes_to_the_site(w3id):
    assert redirect(w3id, "", None) == (302, "")
    assert get(w3id[1]).status == 200


def test_sparql_endpoint_keeps_the_query_and_the_method(w3id):
    query = urllib.parse.urlencode({"query": "ASK { ?s a <https://w3id.org/cassibile/ontology#Person> }"})
    response = get(w3id[0] + "sparql?" + query, "application/sparql-results+json")
    assert response.status == 307
    assert response.getheader("Location").endswith("/query?" + query)
    answer = get(response.getheader("Location"), "application/sparql-results+json")
    assert answer.status == 200 and b'"boolean":true' in answer.body.replace(b" ", b"")


# --- negotiation as `cassibile serve` does it ------------------------------------------------------

ACCEPT_HEADERS = {  # Accept header -> the suffix the rules choose for an entity
    BROWSER: ".html",
    "": ".html",
    "*/*": ".html",
    "text/*": ".html",
    "text/turtle": ".ttl",
    "text/turtle;q=0.9, application/ld+json": ".jsonld",
    "application/ld+json;q=0.5, text/turtle;q=0.9": ".ttl",
    "application/rdf+xml, text/rdf+xml, text/xml;q=0.1, application/xhtml+xml;q=0.1, text/html;q=0.1": ".rdf",
    "application/rdf+xml, text/n3, text/turtle, application/n-triples, application/ld+json": ".ttl",  # rdflib's default
    "text/turtle, application/x-turtle, */*;q=0.1": ".ttl",
    "application/ld+json, application/json;q=0.9, */*;q=0.1": ".jsonld",
    "application/n-triples": ".nt",
    "application/rdf+xml": ".rdf",
    "text/html;q=0, text/turtle": ".ttl",
    "application/*": ".jsonld",
    "TEXT/TURTLE": ".ttl",
}
# Where the rules and `cassibile serve` differ, deliberately: application/json (the rules give JSON-LD;
# the issue asks for it) and, for types named with different q values below 1, the rules keep the
# server's order where serve compares the values.
DIFFERS_FROM_SERVE = {"application/ld+json;q=0.5, text/turtle;q=0.9"}


@pytest.mark.parametrize("accept, suffix", ACCEPT_HEADERS.items(), ids=lambda v: repr(v)[:40])
def test_accept_headers_of_real_clients(w3id, accept, suffix):
    assert redirect(w3id, "id/armistice-of-cassibile", accept) == (303, "id/armistice-of-cassibile" + suffix)


@pytest.mark.parametrize("accept, suffix", [(a, s) for a, s in ACCEPT_HEADERS.items()  # what serve offers today
                                             if s in serve.OFFERS.values() and a not in DIFFERS_FROM_SERVE
                                             and not any(t not in serve.OFFERS and t in a for t in SUFFIX_TYPES.values())],
                         ids=lambda v: repr(v)[:40])
def test_rules_agree_with_serve(accept, suffix):
    assert serve.OFFERS.get(serve.negotiate(accept, serve.OFFERS)) == suffix


@pytest.mark.parametrize("accept", ["image/png", "application/xml", "text/turtle;q=0"])
def test_unacceptable_types_get_406_with_vary(w3id, accept):
    response = get(w3id[0] + "id/armistice-of-cassibile", accept)
    assert response.status == 406
    assert response.getheader("Vary") == "Accept"


def test_negotiated_redirects_vary_on_accept_and_files_do_not(w3id):
    assert get(w3id[0] + "id/armistice-of-cassibile", "text/turtle").getheader("Vary") == "Accept"
    assert get(w3id[0] + "cassibile.nq", "text/turtle").getheader("Vary") is None
