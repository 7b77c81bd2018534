"""`cassibile validate` on the real graph and on copies broken on purpose: reports people can act
on (label, IRI, message, value, file and line; grouped and counted), formats for machines, exit
codes, and clear errors for bad shapes and bad data."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from conftest import run_cli
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF

from cassibile.namespaces import SH, THINGS
from cassibile.pipeline.validate import Violation, report_text

FAKED_CLAIM = """
claim:en-article--faked
    a cas:Claim ;
    cas:quote "The armistice was signed in Paris."@en ;
    cas:source source:en-article ;
.
"""
UNNAMED_IN_PORTUGUESE = """
id:test-event
    a cas:Event ;
    schema:description "an event invented for the tests"@en ;
    cas:editorialLabel
        "Testereignis"@de ,
        "test event"@en ,
        "evento di prova"@it ;
.
"""


def append(path: Path, text: str) -> int:
    """Append Turtle to a file; returns the line on which the appended subject starts."""
    before = path.read_text(encoding="utf-8")
    path.write_text(before + text, encoding="utf-8")
    return before.count("\n") + 2


def break_copy(project: Path) -> dict[str, str]:
    """A faked quote and an entity without a Portuguese label; returns where each is defined."""
    facts, entities = project / "graph" / "facts" / "armistice.ttl", project / "graph" / "entities" / "core.ttl"
    return {
        "claim": f"{facts}:{append(facts, FAKED_CLAIM)}",
        "entity": f"{entities}:{append(entities, UNNAMED_IN_PORTUGUESE)}",
    }


def test_the_real_graph_conforms():
    result = run_cli("validate")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("Validation: the graph conforms (0 violations).")


def test_text_report_names_entity_message_value_and_location(project_copy):
    where = break_copy(project_copy)
    result = run_cli("validate", cwd=project_copy)
    assert result.returncode == 1
    report = result.stdout
    assert report.startswith("Validation: 2 violation(s) of 2 rule(s).")
    assert "The quote does not occur verbatim in its source's text.  [1]  rule: queries/quote-not-in-source-violation.rq" in report
    assert "  - claim quoting source:en-article <https://w3id.org/cassibile/claim/en-article--faked>" in report
    assert "      value: The armistice was signed in Paris." in report
    assert f"      defined at: {where['claim']}" in report
    assert "The entity has no Portuguese label" in report
    assert "  - test event <https://w3id.org/cassibile/id/test-event>" in report
    assert "      value: pt" in report
    assert f"      defined at: {where['entity']}" in report


def test_json_and_turtle_reports_for_machines(project_copy):
    break_copy(project_copy)
    as_json = run_cli("validate", "--format", "json", cwd=project_copy)
    assert as_json.returncode == 1
    data = json.loads(as_json.stdout)
    assert data["conforms"] is False
    faked = [v for v in data["violations"] if v["focus"] == "https://w3id.org/cassibile/claim/en-article--faked"]
    assert [(v["rule"], v["path"], v["value"]) for v in faked] == [
        ("queries/quote-not-in-source-violation.rq", "https://w3id.org/cassibile/ontology#quote", "The armistice was signed in Paris.")
    ]
    as_turtle = run_cli("validate", "--format", "turtle", cwd=project_copy)
    assert as_turtle.returncode == 1
    report = Graph().parse(data=as_turtle.stdout, format="turtle")
    assert (None, SH.conforms, Literal(False)) in report
    focus_nodes = {report.value(r, SH.focusNode) for r in report.subjects(RDF.type, SH.ValidationResult)}
    assert focus_nodes == {URIRef("https://w3id.org/cassibile/claim/en-article--faked"), URIRef("https://w3id.org/cassibile/id/test-event")}


@pytest.mark.parametrize("jobs", ["1", "2"])  # 2: the first validation in a process forked while reasoning runs
def test_removed_passage_is_caught_on_its_claim(project_copy, jobs):
    facts = project_copy / "graph" / "facts" / "armistice.ttl"
    lines = facts.read_text(encoding="utf-8").splitlines()
    number = next(i for i, line in enumerate(lines) if line.strip().startswith("cas:quote"))
    claim = next(line for line in reversed(lines[:number]) if line.startswith("claim:"))
    del lines[number]
    facts.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run_cli("validate", "--jobs", jobs, cwd=project_copy)
    assert result.returncode == 1
    assert "A claim has exactly one non-empty, language-tagged cas:quote.  [1]  rule: shapes:S02-claim-quotes-its-source" in result.stdout
    assert f"<https://w3id.org/cassibile/claim/{claim.removeprefix('claim:')}>" in result.stdout


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_inconsistent_type_and_shared_qid_stop_with_the_entities_named(project_copy, jobs):
    people, core = project_copy / "graph" / "entities" / "people.ttl", project_copy / "graph" / "entities" / "core.ttl"
    person = re.search(r"^(id:[\w-]+)\n    a cas:Person ;", people.read_text(encoding="utf-8"), re.M).group(1)
    append(people, f"\n{person}\n    a cas:Place ;\n.\n")
    qid = re.search(r"owl:sameAs (wd:Q\d+)", core.read_text(encoding="utf-8")).group(1)
    twin_line = append(core, f"\nid:test-twin\n    a cas:Event ;\n    owl:sameAs {qid} ;\n.\n")
    result = run_cli("validate", "--jobs", jobs, cwd=project_copy)
    assert result.returncode == 1
    assert "the graph is inconsistent under OWL RL" in result.stderr
    slug = person.removeprefix("id:")
    assert re.search(rf'"[^"]+" <https://w3id.org/cassibile/id/{slug}> \({re.escape(str(people))}:\d+\) is both a cas:Person and a cas:Place', result.stderr)
    assert f"<https://w3id.org/cassibile/id/test-twin> ({core}:{twin_line})" in result.stderr
    assert "are inferred to be the same thing (owl:sameAs)" in result.stderr
    assert "rule: queries/shared-qid-violation.rq" in result.stderr  # the first validation is shown too


def test_malformed_shapes_file_names_file_line_and_column(project_copy):
    broken = project_copy / "shapes" / "broken.ttl"
    broken.write_text("PREFIX sh: <http://www.w3.org/ns/shacl#>\n\n<x> a sh:NodeShape ;\n    sh:path [ .\n", encoding="utf-8")
    result = run_cli("validate", cwd=project_copy)
    assert result.returncode == 1
    assert re.search(rf"{re.escape(str(broken))}:4:\d+: malformed Turtle", result.stderr)


def test_shape_on_an_undeclared_property_is_refused(project_copy):
    shapes = project_copy / "shapes" / "provenance.ttl"
    line = append(shapes, "\nshapes:S99-typo\n    a sh:NodeShape ;\n    sh:property [\n        sh:minCount 1 ;\n"
                          "        sh:path cas:qoute ;\n    ] ;\n    sh:targetClass cas:Claim ;\n.\n")
    result = run_cli("validate", cwd=project_copy)
    assert result.returncode == 1
    assert (f"{shapes}:{line}: https://w3id.org/cassibile/shapes#S99-typo: shape shapes:S99-typo refers to cas:qoute "
            "through sh:path, but the ontology declares no such property") in result.stderr


def test_shape_that_shacl_cannot_load_is_named(project_copy):
    shapes = project_copy / "shapes" / "provenance.ttl"
    line = append(shapes, '\nshapes:S99-broken\n    a sh:NodeShape ;\n    sh:property [\n        sh:minCount "one" ;\n'
                          "        sh:path cas:quote ;\n    ] ;\n    sh:targetClass cas:Claim ;\n.\n")
    result = run_cli("validate", cwd=project_copy)
    assert result.returncode == 1
    assert f"{shapes}:{line}: https://w3id.org/cassibile/shapes#S99-broken: malformed shape shapes:S99-broken: sh:minCount one" in result.stderr


def test_unknown_prefix_in_a_shapes_file(project_copy):
    shapes = project_copy / "shapes" / "facts.ttl"
    line = append(shapes, "\nshapes:S99-x\n    a nope:Shape ;\n.\n")
    result = run_cli("validate", cwd=project_copy)
    assert result.returncode == 1
    assert f"{shapes}:{line + 1}:" in result.stderr and "nope: has not been declared" in result.stderr


def test_ill_typed_interval_bound_names_its_node(project_copy):
    facts = project_copy / "graph" / "facts" / "armistice.ttl"
    line = append(facts, '\ninterval:1943-13\n    a cas:TimeSpan ;\n    cas:earliest "1943-13"^^xsd:gYearMonth ;\n'
                         '    cas:latest "1943-12"^^xsd:gYearMonth ;\n.\n')
    if "PREFIX interval:" not in facts.read_text(encoding="utf-8"):
        facts.write_text("PREFIX interval: <https://w3id.org/cassibile/interval/>\n" + facts.read_text(encoding="utf-8"), encoding="utf-8")
        line += 1
    result = run_cli("validate", cwd=project_copy)
    assert result.returncode == 1
    assert f'{facts}:{line + 2}: https://w3id.org/cassibile/interval/1943-13: ill-typed literal "1943-13"' in result.stderr


def test_report_groups_and_counts_by_rule_and_message():
    found = [
        Violation(rule="https://w3id.org/cassibile/shapes#S12-entity-has-an-english-description", message="No description.",
                  focus=f"https://w3id.org/cassibile/id/{slug}", path="http://schema.org/description", label=slug.title(),
                  defined_in=f"graph/entities/core.ttl:{line}")
        for line, slug in ((3, "a"), (9, "b"))
    ] + [Violation(rule="queries/x-violation.rq", message="Bad.", focus="https://w3id.org/cassibile/id/c", value="v")]
    assert report_text(found).splitlines() == [
        "Validation: 3 violation(s) of 2 rule(s).",
        "",
        "No description.  [2]  rule: shapes:S12-entity-has-an-english-description",
        "  - A <https://w3id.org/cassibile/id/a>",
        "      path: schema:description",
        "      defined at: graph/entities/core.ttl:3",
        "  - B <https://w3id.org/cassibile/id/b>",
        "      path: schema:description",
        "      defined at: graph/entities/core.ttl:9",
        "",
        "Bad.  [1]  rule: queries/x-violation.rq",
        "  - <https://w3id.org/cassibile/id/c>",
        "      value: v",
    ]


def test_malformed_language_tag_is_a_syntax_error_with_position(project_copy):
    """Language tags are well-formed by construction: the parser refuses any other (BCP 47)."""
    entities = project_copy / "graph" / "entities" / "core.ttl"
    line = append(entities, '\nid:test-event\n    a cas:Event ;\n    cas:editorialLabel "test event"@en_GB ;\n.\n')
    result = run_cli("validate", cwd=project_copy)
    assert result.returncode == 1
    assert f"{entities}:{line + 2}:" in result.stderr and "malformed Turtle" in result.stderr


# --- what the graph cannot publish (issue 12) ---------------------------------------------------------

FACT = """
fact:test--{name}
    a cas:Fact ;
    rdf:subject {subject} ;
    rdf:predicate {predicate} ;
    rdf:object {object} ;
    cas:rank wikibase:NormalRank ;
    cas:supportedBy claim:en-article--signed-at-cassibile ;
.
"""


def fact(name: str, subject: str = "id:allied-military-camp-at-cassibile", predicate: str = "cas:locatedIn", object: str = "id:cassibile") -> str:
    return FACT.format(name=name, subject=subject, predicate=predicate, object=object)


def test_a_literal_where_an_entity_is_expected_is_refused_and_never_published(project_copy):
    """Regression (issue 12): rdf:object "Cassibile" on cas:locatedIn passed, and the Wikidata view said wdt:P131 "Cassibile"."""
    facts = project_copy / "graph" / "facts" / "armistice.ttl"
    line = append(facts, fact("as-text", object='"Cassibile"'))
    result = run_cli("validate", "--format", "json", cwd=project_copy)
    assert result.returncode == 1
    [found] = json.loads(result.stdout)["violations"]
    assert (found["rule"], found["focus"], found["value"]) == ("queries/fact-object-violation.rq", "https://w3id.org/cassibile/fact/test--as-text", "Cassibile")
    assert found["defined_in"] == f"{facts}:{line}" and found["message"].startswith("A literal where an entity is expected")
    out = project_copy / "dist"
    assert run_cli("build", "--quiet", "--out", str(out), cwd=project_copy).returncode == 1
    assert not out.exists()  # so no Wikidata view holds it


@pytest.mark.parametrize("file, text, line, message", [
    ("graph/facts/armistice.ttl", fact("nowhere", object="id:nowhere-land"), 0,
     "https://w3id.org/cassibile/fact/test--nowhere: its rdf:object id:nowhere-land is declared nowhere"),
    ("graph/facts/armistice.ttl", fact("typo", predicate="cas:locatdIn"), 0,
     "https://w3id.org/cassibile/fact/test--typo: its rdf:predicate cas:locatdIn is declared nowhere"),
    ("graph/facts/armistice.ttl", '\nclaim:test--unknown-source\n    a cas:Claim ;\n    cas:quote "signed"@en ;\n    cas:source source:no-such-source ;\n.\n', 0,
     "https://w3id.org/cassibile/claim/test--unknown-source: its cas:source source:no-such-source is declared nowhere"),
    ("graph/facts/armistice.ttl", fact("no-claim").replace("claim:en-article--signed-at-cassibile", "claim:no-such-claim"), 0,
     "its cas:supportedBy claim:no-such-claim is declared nowhere"),
    ("graph/entities/core.ttl", '\nid:test-thing\n    a cas:Persn ;\n    rdfs:label "T"@en ;\n.\n', 0, "its rdf:type cas:Persn is declared nowhere"),
    ("graph/entities/core.ttl", '\nid:test-thing\n    rdfs:label "Stray"@en ;\n.\n', 0, "id:test-thing has no class"),
    ("graph/facts/armistice.ttl", '\nfact:test--stray\n    rdf:subject id:cassibile ;\n.\n', 0, "fact:test--stray has no class"),
    ("graph/entities/core.ttl", '\nid:test-event\n    a cas:Event ;\n    cas:lable "x"@en ;\n.\n', 0, "cas:lable is declared nowhere: the ontology has no such property"),
    ("graph/entities/core.ttl", '\n<http://example.org/foreign>\n    <http://example.org/p> "junk" ;\n.\n', 1,
     "http://example.org/foreign: a statement about something that is not this publication's"),
    ("graph/entities/core.ttl", '\n<foreign>\n    <http://example.org/p> "junk" ;\n.\n', 1, "a statement about something that is not this publication's"),
    ("graph/entities/core.ttl", '\ncas:Person\n    rdfs:label "Personne"@fr ;\n.\n', 1,
     "https://w3id.org/cassibile/ontology#Person: a statement about something that is not this publication's"),
    ("graph/entities/core.ttl", '\n[]\n    rdfs:label "nameless"@en ;\n.\n', 1, "a blank node ([ … ], ( … ) or _:name) in graph/"),
    ("graph/facts/armistice.ttl", fact("blank", object="[ a cas:Place ]"), 4, "a blank node ([ … ], ( … ) or _:name) in graph/"),
    ("graph/facts/armistice.ttl", "\n<< id:cassibile cas:locatedIn id:sicily >>\n    cas:rank wikibase:NormalRank ;\n.\n", 0,
     "a quoted triple (RDF-star) is not part of the publication's model"),
    ("graph/entities/places.ttl", "\nid:cassibile\n    a cas:Place ;\n.\n", 1,
     "https://w3id.org/cassibile/id/cassibile: given a class in two files, here and in {root}/graph/entities/core.ttl:"),
    ("graph/entities/core.ttl", '\nid:cassibile\n    rdfs:comment "a\\u0000b"@en ;\n.\n', 1,
     "https://w3id.org/cassibile/id/cassibile: the literal holds the control character U+0000"),
    ("graph/facts/armistice.ttl", fact("ill-typed", "id:armistice-of-cassibile", "cas:pointInTime", '"1943-02-30"^^xsd:date'), 4,
     'https://w3id.org/cassibile/fact/test--ill-typed: ill-typed literal "1943-02-30" is not a valid xsd:date'),
])
def test_what_the_graph_cannot_publish_is_one_line_at_its_file_and_line(project_copy, file, text, line, message):
    """Regression (issue 12): foreign subjects passed; an undeclared IRI gave six violations without a location,
    an unknown source seven; an ill-typed literal printed a traceback first."""
    path = project_copy / file
    at = append(path, text) + line
    result = run_cli("validate", cwd=project_copy)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [result.stderr.rstrip("\n")], result.stderr  # one line, no traceback
    assert result.stderr.startswith(f"cassibile validate: {path}:{at}: ")
    assert message.format(root=project_copy) in result.stderr


def test_a_byte_order_mark_is_named(project_copy):
    entities = project_copy / "graph" / "entities" / "core.ttl"
    entities.write_bytes(b"\xef\xbb\xbf" + entities.read_bytes())
    result = run_cli("validate", cwd=project_copy)
    assert result.returncode == 1
    assert result.stderr == f"cassibile validate: {entities}:1:1: the file starts with a byte-order mark (U+FEFF): save it as UTF-8 without one\n"


def test_a_literal_subject_or_predicate_is_a_violation_not_a_crash(project_copy):
    facts = project_copy / "graph" / "facts" / "armistice.ttl"
    append(facts, fact("literal-subject", subject='"the camp"') + fact("literal-predicate", predicate='"locatedIn"'))
    result = run_cli("validate", "--format", "json", cwd=project_copy)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    rules = {(v["focus"].rsplit("/", 1)[-1], v["rule"]) for v in json.loads(result.stdout)["violations"]}
    assert ("test--literal-subject", "https://w3id.org/cassibile/shapes#S03-fact-states-one-triple") in rules
    assert ("test--literal-predicate", "https://w3id.org/cassibile/shapes#S03-fact-states-one-triple") in rules


def test_several_undeclared_things_are_each_named_once(project_copy):
    facts = project_copy / "graph" / "facts" / "armistice.ttl"
    first = append(facts, fact("one", object="id:nowhere-land"))
    second = append(facts, fact("two", subject="id:nowhere-land", object="id:elsewhere"))
    result = run_cli("validate", cwd=project_copy)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "cassibile validate: 3 problems:",
        f"  {facts}:{first}: https://w3id.org/cassibile/fact/test--one: its rdf:object id:nowhere-land is declared nowhere: "
        "no file in ontology/ or graph/ gives it a class (a misspelt name, or a thing not yet described)",
        f"  {facts}:{second}: https://w3id.org/cassibile/fact/test--two: its rdf:object id:elsewhere is declared nowhere: "
        "no file in ontology/ or graph/ gives it a class (a misspelt name, or a thing not yet described)",
        f"  {facts}:{second}: https://w3id.org/cassibile/fact/test--two: its rdf:subject id:nowhere-land is declared nowhere: "
        "no file in ontology/ or graph/ gives it a class (a misspelt name, or a thing not yet described)",
    ]


def test_a_file_of_foreign_statements_is_refused_at_its_first_one_without_reading_on(project_copy):
    """Regression (issue 12): 50 MB of foreign junk was loaded, validated for 75 s and published as a 649 MB dist/.
    The statements are refused as they are read: the syntax error at the file's end is never reached."""
    junk = project_copy / "graph" / "facts" / "junk.ttl"
    with junk.open("w", encoding="utf-8") as f:
        f.write("PREFIX ex: <http://example.org/>\n")
        for n in range(500_000):  # about 50 MB
            f.write(f'ex:thing{n} ex:says "{"junk " * 16}{n}" .\n')
        f.write("this is not Turtle\n")
    assert junk.stat().st_size > 45_000_000
    result = run_cli("validate", cwd=project_copy)
    assert result.returncode == 1
    *progress, error = result.stderr.splitlines()
    assert error == (f"cassibile validate: {junk}:2: http://example.org/thing0: a statement about something that is not this "
                     f"publication's: graph/ describes only things under {', '.join(str(ns) for ns in THINGS)} (vocabulary belongs in ontology/)")
    assert [line for line in progress if not line.startswith("[")] == []  # this much input shows its progress


def test_a_reversed_time_span_is_reported_at_its_own_line(project_copy):
    """Regression (issue 12): it was reported on the fact that used it, through the fact's derived bounds."""
    facts = project_copy / "graph" / "facts" / "armistice.ttl"
    line = append(facts, "\ninterval:1943-09-30--1943-09-03\n    a cas:TimeSpan ;\n    cas:earliest \"1943-09-30\"^^xsd:date ;\n"
                         "    cas:latest \"1943-09-03\"^^xsd:date ;\n.\n"
                  + fact("reversed", "id:allied-military-camp-at-cassibile", "cas:inception", "interval:1943-09-30--1943-09-03"))
    if "PREFIX interval:" not in facts.read_text(encoding="utf-8"):
        facts.write_text("PREFIX interval: <https://w3id.org/cassibile/interval/>\n" + facts.read_text(encoding="utf-8"), encoding="utf-8")
        line += 1
    result = run_cli("validate", "--format", "json", cwd=project_copy)
    assert result.returncode == 1
    [found] = json.loads(result.stdout)["violations"]
    assert (found["rule"], found["focus"], found["defined_in"]) == (
        "queries/time-span-order-violation.rq", "https://w3id.org/cassibile/interval/1943-09-30--1943-09-03", f"{facts}:{line}")
    assert found["value"] == "1943-09-30 (earliest) is after 1943-09-03 (latest)"


def test_two_labels_in_one_language_show_both(project_copy):
    """Regression (issue 12): the report named the entity and the rule, not the labels that compete."""
    entities = project_copy / "graph" / "entities" / "core.ttl"
    text = entities.read_text(encoding="utf-8")
    entities.write_text(text.replace('    rdfs:label "Cassibile"@en ;\n', '    rdfs:label "Cassibile"@en ;\n    cas:editorialLabel "Cassibile village"@en ;\n', 1),
                        encoding="utf-8")
    result = run_cli("validate", cwd=project_copy)
    assert result.returncode == 1
    assert 'value: "Cassibile village"@en, "Cassibile"@en' in result.stdout


def test_validate_shows_progress_on_large_input_only(project_copy):
    """Regression (issue 12): validate ran 75 s on large input without a word."""
    quiet = run_cli("validate", cwd=project_copy)
    assert quiet.returncode == 0 and quiet.stderr == ""
    entities = project_copy / "graph" / "entities" / "core.ttl"
    append(entities, '\nid:cassibile\n    rdfs:comment "' + "a long note " * 400_000 + '"@en ;\n.\n')  # about 5 MB
    result = run_cli("validate", cwd=project_copy)
    steps = [line for line in result.stderr.splitlines() if line.startswith("[")]
    assert len(steps) >= 5 and "loading ontology, graph and shapes" in steps[0] and "MiB]" in steps[0]
    assert not run_cli("validate", "--quiet", cwd=project_copy).stderr


def _source_block(sources: Path, name: str) -> tuple[str, str]:
    """The text file and sha256 recorded for a source, as written in sources.ttl."""
    block = sources.read_text(encoding="utf-8").split(f"source:{name}\n", 1)[1].split("\n.\n", 1)[0]
    return re.search(r'cas:textFile "([^"]+)"', block).group(1), re.search(r'cas:sha256 "([^"]+)"', block).group(1)


def test_a_source_text_outside_graph_is_refused_even_with_its_digest(project_copy, tmp_path):
    """The build publishes a source's text whole: a cas:textFile reaching out of graph/ could publish any file."""
    import hashlib

    secret = tmp_path / "elsewhere" / "secret.txt"
    secret.parent.mkdir()
    secret.write_bytes(b"not for publication\n")
    sources = project_copy / "graph" / "sources.ttl"
    relative, digest = _source_block(sources, "en-article")
    outside = os.path.relpath(secret, project_copy / "graph")
    sources.write_text(sources.read_text(encoding="utf-8").replace(f'"{relative}"', f'"{outside}"').replace(
        digest, hashlib.sha256(secret.read_bytes()).hexdigest()), encoding="utf-8")
    for text_file in (outside, str(secret)):  # relative, and absolute
        sources.write_text(re.sub(r'cas:textFile "[^"]*elsewhere/secret.txt"', f'cas:textFile "{text_file}"', sources.read_text(encoding="utf-8")),
                           encoding="utf-8")
        result = run_cli("validate", cwd=project_copy)
        assert result.returncode == 1
        assert f"https://w3id.org/cassibile/source/en-article: cas:textFile {text_file!r} is outside graph/" in result.stderr


def test_unreadable_side_files_are_one_line_errors(project_copy):
    """A source text, a violation query or the list of verified QIDs that is not UTF-8 or lacks its columns."""
    import hashlib

    sources = project_copy / "graph" / "sources.ttl"
    relative, digest = _source_block(sources, "en-article")
    text = project_copy / "graph" / relative
    text.write_bytes(text.read_bytes() + "città".encode("latin-1"))
    sources.write_text(sources.read_text(encoding="utf-8").replace(digest, hashlib.sha256(text.read_bytes()).hexdigest()), encoding="utf-8")
    result = run_cli("validate", cwd=project_copy)
    assert result.returncode == 1 and len(result.stderr.splitlines()) == 1
    assert f"{text}:" in result.stderr and "not UTF-8 text" in result.stderr
    text.write_bytes(text.read_bytes()[: -len("città".encode("latin-1"))])
    sources.write_text(sources.read_text(encoding="utf-8").replace(hashlib.sha256(text.read_bytes() + "città".encode("latin-1")).hexdigest(), digest),
                       encoding="utf-8")
    query = project_copy / "queries" / "x-violation.rq"
    query.write_bytes("# perché\nSELECT ?focus WHERE { ?focus a <urn:x> }\n".encode("latin-1"))
    result = run_cli("validate", cwd=project_copy)
    assert result.returncode == 1 and result.stderr.startswith(f"cassibile validate: {query}:1:") and len(result.stderr.splitlines()) == 1
    query.unlink()
    entities = project_copy / "graph" / "wikidata" / "entities.tsv"
    entities.write_text("QID,status\nQ1,verified\n", encoding="utf-8")
    result = run_cli("validate", cwd=project_copy)
    assert result.returncode == 1
    assert result.stderr == f"cassibile validate: {entities}:1: its header must name the columns qid and status (tab-separated)\n"
