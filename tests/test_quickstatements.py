"""QuickStatements: golden lines written by hand for a fixture, and every real line read against the
syntax of docs/quickstatements.md (QuickStatements' V1 commands)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from rdflib import Graph
from rdflib.namespace import OWL

from cassibile.load import parse_turtle
from cassibile.namespaces import ID
from cassibile.wikidata.quickstatements import Unwritable, quickstatements, value_text
from cassibile.wikidata.statements import Alignment, Text, read_verified_pids, statements
from conftest import run_cli

GOLDEN = Path(__file__).parent / "golden" / "quickstatements"

# The grammar of docs/quickstatements.md, written out independently of the code under test.
ITEM = r"Q[1-9][0-9]*"
PROPERTY = r"P[1-9][0-9]*"
TIME = r"\+\d{4}-(?:\d\d-\d\dT00:00:00Z/11|\d\d-00T00:00:00Z/10|00-00T00:00:00Z/9)"
QUANTITY = r"[+-]?\d+(?:\.\d+)?"
STRING = r'"[^"\t|]*"'
MONOLINGUAL = r"[a-z]+(?:-[a-z]+)*:" + STRING
VALUE = re.compile(f"(?:{ITEM}|{TIME}|{QUANTITY}|{STRING}|{MONOLINGUAL})")
COMMENT = re.compile(r"^(.*?) /\* ([^|]*?) \*/$")


def check_line(line: str) -> list[str]:
    """What is wrong with one line (nothing if it follows the documented syntax)."""
    match = COMMENT.match(line)
    cells = (match.group(1) if match else line).split("\t")
    errors = []
    if len(cells) < 3 or len(cells) % 2 == 0:
        return [f"{len(cells)} cells: expected item, property, value, then pairs"]
    if not re.fullmatch(ITEM, cells[0]) or not re.fullmatch(PROPERTY, cells[1]) or not VALUE.fullmatch(cells[2]):
        errors.append(f"bad statement {cells[:3]}")
    in_references = False
    for key, value in zip(cells[3::2], cells[4::2]):
        if re.fullmatch(PROPERTY, key):
            if in_references:
                errors.append(f"qualifier {key} after a reference")
        elif re.fullmatch(r"!?S[1-9][0-9]*", key):
            if key.startswith("!") and not in_references:
                errors.append(f"reference {key}: the first block opens with S, each further one with !S")
            in_references = True
        else:
            errors.append(f"{key!r} is neither a qualifier nor a reference property")
        if not VALUE.fullmatch(value):
            errors.append(f"{key}: bad value {value!r}")
    return errors


def test_the_syntax_check_itself_refuses_bad_lines():
    good = 'Q1\tP585\t+1943-09-00T00:00:00Z/10\tP580\tQ2\tS854\t"https://x"\tS1476\ten:"T"\t!S854\t"https://y"'
    assert check_line(good) == []
    for bad in ("Q1\tP31", "Q1\tP585\t+1943-09-03T00:00:00Z/10", 'Q1\tP31\tQ5\t!S854\t"u"',
                'Q1\tP31\tQ5\tS854\t"u"\tP580\tQ2', 'Q1\tP31\t"a"b"', "Q1\tP31\tQ5\tX1\tQ2"):
        assert check_line(bad), bad


@pytest.fixture(scope="module")
def fixture(root):
    graph = parse_turtle(GOLDEN / "graph.ttl")
    return graph, read_verified_pids(root / "graph" / "wikidata" / "properties.tsv")


def batch(graph, verified, deprecated="skip"):
    alignment = Alignment.read(graph, graph, verified)
    found, notes = statements(graph, alignment)
    result = quickstatements(found, alignment.verified, deprecated)
    return result.lines, notes + result.notes


@pytest.mark.parametrize("mode, expected", [("skip", "expected.txt"), ("mark", "expected-deprecated-marked.txt")])
def test_golden_lines(fixture, mode, expected):
    lines, _ = batch(*fixture, deprecated=mode)
    assert lines == (GOLDEN / expected).read_text(encoding="utf-8").splitlines()
    assert all(check_line(line) == [] for line in lines)


def test_what_is_left_out_is_said(fixture):
    _, notes = batch(*fixture)
    reasons = {(str(n.node).rsplit("/", 1)[-1], n.reason) for n in notes}
    assert ("armistice-of-cassibile--motto--peace", "P1451 is not verified in properties.tsv") in reasons
    assert ("pietro-badoglio--positionHeld--prime-minister-of-italy", "qualifier cas:role has no Wikidata form") in reasons
    assert ("armistice-of-cassibile--signatory--giuseppe-castellano", f"{ID['giuseppe-castellano']} has no QID") in reasons
    assert ("giuseppe-castellano--participantIn--armistice-of-cassibile", f"subject {ID['giuseppe-castellano']} has no QID") in reasons


def test_a_qualifier_naming_an_unlinked_entity_is_left_out_not_the_statement(fixture):
    original, verified = fixture
    graph = Graph()
    graph += original
    graph.remove((ID["benito-mussolini"], OWL.sameAs, None))
    lines, notes = batch(graph, verified)
    badoglio = [line for line in lines if line.startswith("Q200085\tP39\t")]
    assert badoglio == ['Q200085\tP39\tQ999002\tP580\t+1943-07-25T00:00:00Z/11\tS854\t"https://w3id.org/cassibile/source/en-article"'
                        '\tS1476\ten:"Armistice of Cassibile (English encyclopedic article)"']
    assert any(n.reason.startswith("qualifier P1365 left out") for n in notes)


def test_text_that_quickstatements_cannot_carry_is_refused():
    assert value_text(Text("Regno d'Italia", "it")) == "it:\"Regno d'Italia\""
    for text in ('say "hi"', "a|b", "tab\there", "/* comment */"):
        with pytest.raises(Unwritable):
            value_text(Text(text, "en"))


def test_every_real_line_follows_the_syntax(built):
    lines = (built / "quickstatements.txt").read_text(encoding="utf-8").splitlines()
    assert lines, "no statement to carry to Wikidata"
    wrong = {line: errors for line in lines if (errors := check_line(line))}
    assert not wrong, wrong
    assert len(lines) == len(set(lines)) and lines == sorted(lines)
    assert all("S854\t\"https://w3id.org/cassibile/source/" in line for line in lines), "a statement without a reference"


def test_the_command_writes_what_the_build_wrote_and_marks_deprecated_facts(built):
    skipped = run_cli("wikidata", "quickstatements", check=True)
    assert skipped.stdout == (built / "quickstatements.txt").read_text(encoding="utf-8")
    assert "left out" in skipped.stderr
    marked = run_cli("wikidata", "quickstatements", "--deprecated", "mark", "--explain", check=True)
    extra = set(marked.stdout.splitlines()) - set(skipped.stdout.splitlines())
    assert set(skipped.stdout.splitlines()) <= set(marked.stdout.splitlines())
    assert all("/* deprecated in cassibile (https://w3id.org/cassibile/fact/" in line and not check_line(line) for line in extra)
    assert "has no QID" in marked.stderr  # --explain lists what was left out, and why


def test_an_unknown_mode_is_a_usage_error():
    result = run_cli("wikidata", "quickstatements", "--deprecated", "keep")
    assert result.returncode == 2


def test_every_wikidata_subcommand_has_help():
    for command in ("quickstatements", "compare", "reconcile"):
        result = run_cli("wikidata", command, "--help")
        assert result.returncode == 0 and f"usage: cassibile wikidata {command}" in result.stdout
    assert run_cli("wikidata").returncode == 2  # a subcommand is required
