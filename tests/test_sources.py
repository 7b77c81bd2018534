"""The four source texts are the project's data: kept byte for byte and described in RDF."""

import hashlib

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS, RDF

from cassibile.namespaces import CAS

# Digests of the texts as received (../shared/seeds), written here independently of sources.ttl.
RECEIVED = {
    "000_b7066fee32f52192.txt": "1def3a7f28eac8ace7d810e00c1b9b0a15ace1000c0aa6bd6753d402ee06506d",
    "001_932d71598c4eaa9f.txt": "0db4b68a3afb324a7f239c19e1b75f1cb528252bdf1e669e0a0df2e665907eb5",
    "002_7962cc167d441af5.txt": "8fc0c35260a2b5936580973e6fa52aa7579fa37fd0f68428ab39088605430baa",
    "003_a95a3987d4c42f19.txt": "35f67a4b2bdc55cd5a35ef528cc5f676a70159f6e0187efd90e51ab596509496",
}
LANGUAGES = {"000_b7066fee32f52192.txt": "en", "001_932d71598c4eaa9f.txt": "en",
             "002_7962cc167d441af5.txt": "pt", "003_a95a3987d4c42f19.txt": "de"}


@pytest.fixture(scope="module")
def sources(root):
    return Graph().parse(root / "graph" / "sources.ttl")


def test_the_four_texts_are_byte_identical_to_what_was_received(root):
    files = sorted(p.name for p in (root / "graph" / "sources").glob("*.txt"))
    assert files == sorted(RECEIVED)
    for name, digest in RECEIVED.items():
        assert hashlib.sha256((root / "graph" / "sources" / name).read_bytes()).hexdigest() == digest, name


def test_each_text_is_described_with_title_language_kind_digest_licence_attribution(sources):
    described = {str(sources.value(s, CAS.originalFileName)): s for s in sources.subjects(RDF.type, CAS.Source)}
    assert sorted(described) == sorted(RECEIVED)
    for name, source in described.items():
        assert str(sources.value(source, CAS.sha256)) == RECEIVED[name]
        assert str(sources.value(source, DCTERMS.language)) == LANGUAGES[name]
        assert str(sources.value(source, CAS.textFile)) == f"sources/{name}"
        assert sources.value(source, DCTERMS.title) is not None
        assert sources.value(source, CAS.kindOfText) is not None
        assert sources.value(source, DCTERMS.license) == URIRef("https://creativecommons.org/licenses/by-sa/4.0/")
        assert "CC BY-SA" in str(sources.value(source, CAS.attribution))
        # The files name no publisher: the data says so rather than guessing.
        assert str(sources.value(source, DCTERMS.publisher)) == "unknown"


def test_a_changed_source_text_stops_the_build(project_copy):
    from cassibile.errors import DataError
    from cassibile.pipeline.load import load_project
    from cassibile.project import Project

    text = project_copy / "graph" / "sources" / "001_932d71598c4eaa9f.txt"
    text.write_bytes(text.read_bytes().replace(b"five days later", b"six days later"))
    with pytest.raises(DataError, match="does not match its recorded sha256"):
        load_project(Project(project_copy))
