"""QuickStatements: golden lines written by hand for a fixture, and every real line read with a
grammar of QuickStatements' V1 commands, its quotes checked against the source texts."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from conftest import run_cli, stored
from rdflib import Graph
from rdflib.namespace import DCTERMS, OWL, RDF

from cassibile.errors import DataError
from cassibile.namespaces import CAS, ID
from cassibile.pipeline.load import load_project, parse_turtle
from cassibile.project import Project
from cassibile.publish.wikidata.quickstatements import Unwritable, quickstatements, value_text
from cassibile.publish.wikidata.statements import Alignment, Tables, Text, Time, statements

GOLDEN = Path(__file__).parent / "golden" / "quickstatements"
FACT = "https://w3id.org/cassibile/fact/"
CLAIM = "https://w3id.org/cassibile/claim/"

# --- a grammar of QuickStatements V1, written from its parser (magnusmanske/quickstatements,
# public_html/quickstatements.php: importDataFromV1 and parseValueV1), not from the code under test.
SUMMARY = re.compile(r"^(.*?) *\/\* *(.*?) *\*\/ *$")  # QuickStatements' own pattern for `/* … */`
ITEM = re.compile(r"Q[1-9][0-9]*")
PROPERTY = re.compile(r"P[1-9][0-9]*")
KEY = re.compile(r"(S|P|!S)([1-9][0-9]*)")
VALUES = (  # in parseValueV1's order: the first that matches decides
    ("item", re.compile(r"Q[1-9][0-9]*")),
    ("string", re.compile(r'"(.*)"')),
    ("monolingualtext", re.compile(r'([a-z_-]+):"(.*)"')),
    ("time", re.compile(r"([+-]?)(\d+)-(\d\d)-(\d\d)T00:00:00Z/(\d+)")),
    ("quantity", re.compile(r"[+-]?\d+(\.\d+)?")),
)


def parse_value(text: str) -> tuple[str, tuple]:
    for kind, pattern in VALUES:
        if match := pattern.fullmatch(text):
            if kind == "time":
                _, year, month, day, precision = match.groups()
                zeros = {"11": month != "00" and day != "00", "10": month != "00" and day == "00", "9": month == day == "00"}
                if not zeros.get(precision):
                    raise ValueError(f"time {text}: month and day do not fit precision {precision}")
            return kind, match.groups() or (text,)
    raise ValueError(f"not a V1 value: {text!r}")


def parse_line(line: str) -> dict | None:
    """One line as QuickStatements reads it: None for a comment-only line (QuickStatements skips it),
    else the statement, its qualifiers, its reference snaks and its edit summary."""
    summary = None
    if match := SUMMARY.match(line):
        line, summary = match.group(1), match.group(2)
    if not line.strip():
        return None
    cells = line.split("\t")
    if len(cells) < 3 or len(cells) % 2 == 0 or not ITEM.fullmatch(cells[0]) or not PROPERTY.fullmatch(cells[1]):
        raise ValueError(f"not item, property, value, then pairs: {cells[:3]}")
    command = {"item": cells[0], "property": cells[1], "value": parse_value(cells[2]), "qualifiers": [], "sources": [], "summary": summary}
    for key, value in zip(cells[3::2], cells[4::2]):
        match = KEY.fullmatch(key)
        if not match:
            raise ValueError(f"{key!r} is neither a qualifier nor a source")
        if match.group(1) == "!S":
            raise ValueError("!S: QuickStatements merges such blocks into one reference")
        if match.group(1) == "P" and command["sources"]:
            raise ValueError(f"qualifier {key} after a source")
        command["sources" if match.group(1) == "S" else "qualifiers"].append(("P" + match.group(2), parse_value(value)))
    return command


def test_the_grammar_itself_refuses_bad_lines():
    good = 'Q1\tP585\t+1943-09-00T00:00:00Z/10\tP580\tQ2\tS854\t"https://x"\tS1476\ten:"T"\tS1683\ten:"a "b" c"\tS407\tQ1860 /* sum */'
    command = parse_line(good)
    assert command["summary"] == "sum" and command["sources"][2] == ("P1683", ("monolingualtext", ("en", 'a "b" c')))
    assert parse_line("/* only a comment */") is None
    for bad in ("Q1\tP31", "Q1\tP585\t+1943-09-03T00:00:00Z/10", 'Q1\tP31\tQ5\t!S854\t"u"', 'Q1\tP31\tQ5\tS854\t"u"\tP580\tQ2',
                "Q1\tP31\tQ5\tX1\tQ2", "Q1\tP31\tsomething", "Q1\tP585\t+1943-00-00T00:00:00Z/11"):
        with pytest.raises(ValueError):
            parse_line(bad)


@pytest.fixture(scope="module")
def fixture(root):
    graph = parse_turtle(GOLDEN / "graph.ttl")
    alignment = Alignment.read(stored(graph), stored(graph), Tables.read(root / "graph" / "wikidata"))
    return graph, alignment


def batch(graph, alignment):
    """The QuickStatements of `graph`, read from a store as the build reads its layers, and what they leave out."""
    found, notes = statements(stored(graph), alignment)
    result = quickstatements(found)
    return result.lines, notes + result.notes


def test_golden_lines(fixture):
    lines, _ = batch(*fixture)
    assert lines == (GOLDEN / "expected.txt").read_text(encoding="utf-8").splitlines()
    assert [parse_line(line) is None for line in lines].count(True) == 1  # the deprecated date, as a comment


def test_what_is_left_out_is_said(fixture):
    _, notes = batch(*fixture)
    reasons = {(str(n.node).rsplit("/", 1)[-1], n.part, n.reason) for n in notes}
    expected = {
        ("armistice-of-cassibile--motto--peace", "statement", "P1451 is not verified in properties.tsv"),
        ("pietro-badoglio--positionHeld--prime-minister-of-italy", "qualifier cas:role", "no verified Wikidata property"),
        ("armistice-of-cassibile--signatory--giuseppe-castellano", "statement", f"the item {ID['giuseppe-castellano']} has no QID"),
        ("giuseppe-castellano--participantIn--armistice-of-cassibile", "statement", f"subject {ID['giuseppe-castellano']} has no QID"),
        ("armistice-of-cassibile--publicationDate--1943-09-09", "rank",
         "deprecated in cassibile, not sent: QuickStatements cannot set a rank (the Wikibase JSON carries it)"),
        ("armistice-of-cassibile--publicationDate--1943-09-08", "rank",
         "QuickStatements cannot set a rank: sent at normal rank, with the preferred rank and its rationale in the edit summary"),
        ("signing-of-the-armistice-of-cassibile--startTime--1943-09-03T14-00", "value",
         "the time of day (14:00) is not carried: Wikibase times stop at the day"),
        ("german-occupation-of-italy--startTime--1943-09-08--1943-09-30", "value",
         "the span 1943-09-08 to 1943-09-30 is carried as +1943-09-00T00:00:00Z at precision 10, the smallest that holds it"),
    }
    assert expected <= reasons, sorted(expected - reasons)
    long_quote = [n for n in notes if str(n.node) == CLAIM + "en-article--giant"]
    # 19 sentences of 83 characters, less the last space
    assert [(n.part, n.reason) for n in long_quote] == [("reference P1683", "1576 characters, over Wikidata's limit of 1500 for monolingualtext values")]
    flagged = [n for n in notes if str(n.node) == FACT + "cassibile--locatedIn--sicily"]
    assert len(flagged) == 1 and flagged[0].reason.startswith("P131 names the most specific administrative territorial entity")


def test_a_qualifier_naming_an_unlinked_entity_is_left_out_not_the_statement(fixture):
    original, _ = fixture
    graph = Graph()
    graph += original
    graph.remove((ID["benito-mussolini"], OWL.sameAs, None))
    alignment = Alignment.read(stored(graph), stored(graph), Tables.read(Path(__file__).parents[1] / "graph" / "wikidata"))
    lines, notes = batch(graph, alignment)
    badoglio = [parse_line(line) for line in lines if line.startswith("Q200085\tP39\t")]
    assert len(badoglio) == 1 and badoglio[0]["qualifiers"] == [("P580", ("time", ("+", "1943", "07", "25", "11")))]
    assert any(n.part == "qualifier P1365" and n.reason == f"the item {ID['benito-mussolini']} has no QID" for n in notes)


def test_text_that_quickstatements_or_wikidata_cannot_carry_is_refused():
    assert value_text(Text("Regno d'Italia", "it")) == "it:\"Regno d'Italia\""
    assert value_text(Text('the "order of the day"', "en")) == 'en:"the "order of the day""'
    for text in ("a /* b", "a */ b", "tab\there", "line\nbreak", " padded", "x" * 1501, ""):
        with pytest.raises(Unwritable):
            value_text(Text(text, "en"))
    assert value_text(Text("x" * 1500, "en")) == 'en:"' + "x" * 1500 + '"'
    assert value_text(Time(1943, 0, 0, 9)) == "+1943-00-00T00:00:00Z/9"


@pytest.fixture(scope="module")
def sources(root) -> dict[str, tuple[str, str]]:
    """Source IRI -> (language, full text), read from graph/sources.ttl and the text files."""
    data = load_project(Project(root)).data
    found = {}
    for source in data.subjects(RDF.type, CAS.Source):
        text = (root / "graph" / str(data.value(source, CAS.textFile))).read_text(encoding="utf-8")
        found[str(source)] = (str(data.value(source, DCTERMS.language)), text)
    return found


def test_every_real_line_follows_the_grammar_and_quotes_its_source(built, sources, root):
    lines = (built / "quickstatements.txt").read_text(encoding="utf-8").splitlines()
    commands = [command for command in map(parse_line, lines) if command is not None]
    assert commands, "no statement to carry to Wikidata"
    assert len(lines) == len(set(lines))
    languages = Tables.read(root / "graph" / "wikidata").languages
    for command in commands:
        snaks = dict(command["sources"])
        assert [pid for pid, _ in command["sources"]] == ["P854", "P1476", "P1683", "P407"], command
        url = snaks["P854"][1][0]
        language, text = sources[url]
        quote_language, quote = snaks["P1683"][1]
        assert quote in text, f"not verbatim in {url}: {quote[:60]}"
        assert quote_language == snaks["P1476"][1][0] == language
        assert snaks["P407"] == ("item", (languages[language],))


def test_cassibile_is_not_sent_as_lying_in_sicily(built):
    """P131 takes the most specific administrative unit: graph/wikidata/constraints.tsv holds back a
    cas:Region (or a peninsula) as the value, and the report says so."""
    lines = (built / "quickstatements.txt").read_text(encoding="utf-8").splitlines()
    assert not [line for line in lines if "\tP131\t" in line]  # every P131 fact of the data names a region or peninsula
    left_out = list(csv.DictReader(io.StringIO((built / "quickstatements-left-out.tsv").read_text(encoding="utf-8")), delimiter="\t"))
    row = next(r for r in left_out if r["node"] == FACT + "cassibile--locatedIn--sicily")
    assert row["part"] == "statement" and "most specific administrative territorial entity" in row["reason"]


def test_the_command_writes_what_the_build_wrote_and_reports_what_it_leaves_out(built, tmp_path):
    report = tmp_path / "left-out.tsv"
    result = run_cli("wikidata", "quickstatements", "--report", str(report), check=True)
    assert result.stdout == (built / "quickstatements.txt").read_text(encoding="utf-8")
    assert report.read_bytes() == (built / "quickstatements-left-out.tsv").read_bytes()
    assert "has no QID" in result.stderr and "--explain lists each one" in result.stderr
    explained = run_cli("wikidata", "quickstatements", "--explain", check=True)
    assert f"{FACT}cassibile--locatedIn--sicily  statement: P131 names" in explained.stderr


def test_the_old_deprecated_option_is_gone():
    """Deprecated facts are always comments now: no mode writes them as lines to send."""
    assert run_cli("wikidata", "quickstatements", "--deprecated", "mark").returncode == 2


def test_every_wikidata_subcommand_has_help():
    for command in ("query", "quickstatements", "compare", "reconcile"):
        result = run_cli("wikidata", command, "--help")
        assert result.returncode == 0 and f"usage: cassibile wikidata {command}" in result.stdout
    assert run_cli("wikidata").returncode == 2  # a subcommand is required


@pytest.mark.parametrize("table, row, message", [
    ("constraints.tsv", "P131\tcas:Region\t*\t*\t", "constraints.tsv:2: a rule needs a property (P…, or * for any) and a reason"),
    ("constraints.tsv", "P131\tRegion\t*\t*\tbecause", "constraints.tsv:2: subject_class 'Region': write a term as cas:Name, or * for any"),
    ("languages.tsv", "it\tQ999999\tItalian", "languages.tsv:2: Q999999 is not verified in entities.tsv"),
])
def test_a_bad_row_in_the_wikidata_tables_names_its_file_and_line(root, tmp_path, table, row, message):
    for name in ("properties.tsv", "entities.tsv", "languages.tsv", "constraints.tsv"):
        (tmp_path / name).write_bytes((root / "graph" / "wikidata" / name).read_bytes())
    header = (tmp_path / table).read_text(encoding="utf-8").splitlines()[0]
    (tmp_path / table).write_text(header + "\n" + row + "\n", encoding="utf-8")
    with pytest.raises(DataError) as error:
        Tables.read(tmp_path)
    assert str(error.value).endswith(message)


def test_a_fact_whose_property_has_no_wikidata_counterpart_is_listed_not_dropped(fixture, built):
    graph, alignment = fixture
    graph = Graph() + graph
    graph.parse(data="""
        PREFIX cas: <https://w3id.org/cassibile/ontology#>
        PREFIX fact: <https://w3id.org/cassibile/fact/>
        PREFIX id: <https://w3id.org/cassibile/id/>
        PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
        PREFIX wikibase: <http://wikiba.se/ontology#>
        fact:armistice-of-cassibile--approvedBy--pietro-badoglio a cas:Fact ;
            rdf:subject id:armistice-of-cassibile ; rdf:predicate cas:approvedBy ; rdf:object id:pietro-badoglio ;
            cas:rank wikibase:NormalRank .""", format="turtle")
    _, notes = batch(graph, Alignment.read(stored(graph), stored(graph), alignment.tables))
    assert ("armistice-of-cassibile--approvedBy--pietro-badoglio", "statement",
            "cas:approvedBy has no Wikidata property (no rdfs:subPropertyOf wdt:P… in the ontology)") in {
        (str(n.node).rsplit("/", 1)[-1], n.part, n.reason) for n in notes}
    left_out = (built / "quickstatements-left-out.tsv").read_text(encoding="utf-8")
    assert "armistice-of-cassibile--approvedBy--pietro-badoglio\tstatement\tcas:approvedBy has no Wikidata property" in left_out
