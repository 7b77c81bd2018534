"""`cassibile validate` on the real graph and on copies broken on purpose: reports people can act
on (label, IRI, message, value, file and line; grouped and counted), formats for machines, exit
codes, and clear errors for bad shapes and bad data."""

from __future__ import annotations

import json
import re
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF

from cassibile.namespaces import SH
from cassibile.validate import Violation, report_text
from conftest import run_cli

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


def test_removed_passage_is_caught_on_its_claim(project_copy):
    facts = project_copy / "graph" / "facts" / "armistice.ttl"
    lines = facts.read_text(encoding="utf-8").splitlines()
    number = next(i for i, line in enumerate(lines) if line.strip().startswith("cas:quote"))
    claim = next(line for line in reversed(lines[:number]) if line.startswith("claim:"))
    del lines[number]
    facts.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run_cli("validate", cwd=project_copy)
    assert result.returncode == 1
    assert "A claim has exactly one non-empty, language-tagged cas:quote.  [1]  rule: shapes:S02-claim-quotes-its-source" in result.stdout
    assert f"<https://w3id.org/cassibile/claim/{claim.removeprefix('claim:')}>" in result.stdout


def test_inconsistent_type_and_shared_qid_stop_with_the_entities_named(project_copy):
    people, core = project_copy / "graph" / "entities" / "people.ttl", project_copy / "graph" / "entities" / "core.ttl"
    person = re.search(r"^(id:[\w-]+)\n    a cas:Person ;", people.read_text(encoding="utf-8"), re.M).group(1)
    append(people, f"\n{person}\n    a cas:Place ;\n.\n")
    qid = re.search(r"owl:sameAs (wd:Q\d+)", core.read_text(encoding="utf-8")).group(1)
    twin_line = append(core, f"\nid:test-twin\n    a cas:Event ;\n    owl:sameAs {qid} ;\n.\n")
    result = run_cli("validate", cwd=project_copy)
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
