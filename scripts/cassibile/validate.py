"""Validation: SHACL shapes (pyshacl) and the `*-violation.rq` queries, as one report people can act on."""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import asdict, dataclass
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS

from cassibile.load import Dataset, new_graph
from cassibile.namespaces import CAS, SH


@dataclass(frozen=True, order=True)
class Violation:
    rule: str  # the shape or query that found it
    message: str
    focus: str
    path: str = ""
    value: str = ""
    component: str = ""
    severity: str = "Violation"
    label: str = ""
    defined_in: str = ""


def shacl_violations(data: Graph, shapes: Graph, ontology: Graph | None = None) -> list[Violation]:
    import pyshacl

    conforms, report, _ = pyshacl.validate(
        data, shacl_graph=shapes, ont_graph=ontology, inference="none", advanced=True, allow_warnings=True
    )
    if conforms:
        return []
    found = []
    for result in report.subjects(RDF.type, SH.ValidationResult):
        def get(predicate):
            value = report.value(result, predicate)
            return "" if value is None else str(value)

        found.append(Violation(
            rule=get(SH.sourceShape), message=get(SH.resultMessage) or "constraint violated",
            focus=get(SH.focusNode), path=get(SH.resultPath), value=get(SH.value),
            component=get(SH.sourceConstraintComponent), severity=get(SH.resultSeverity).rsplit("#", 1)[-1],
        ))
    return found


def query_violations(graph: Graph, query_files: list[Path]) -> list[Violation]:
    """Every row of a `*-violation.rq` query is a violation: ?focus, and optionally ?message, ?value, ?path."""
    from cassibile.query import run_local

    found = []
    for path in query_files:
        result = run_local(graph, path.read_text(encoding="utf-8"))
        for row in result.rows:
            cell = dict(zip(result.variables, row))
            found.append(Violation(
                rule=f"queries/{path.name}", message=str(cell.get("message") or path.stem),
                focus=str(cell.get("focus") or ""), path=str(cell.get("path") or ""),
                value=str(cell.get("value") or ""), component="SPARQL violation query",
            ))
    return found


def annotate(violations: list[Violation], dataset: Dataset, graph: Graph) -> list[Violation]:
    """Add the focus node's English label and the file and line where it is written."""
    annotated = []
    for v in violations:
        focus = URIRef(v.focus) if v.focus.startswith(("http", "urn", "file")) else None
        label = _english_label(graph, focus) if focus else ""
        where = dataset.location(focus) if focus else None
        annotated.append(Violation(**{**asdict(v), "label": label, "defined_in": str(where or "")}))
    return sorted(set(annotated))


def _english_label(graph: Graph, node) -> str:
    labels = list(graph.objects(node, RDFS.label)) + list(graph.objects(node, CAS.editorialLabel))
    for label in sorted(labels, key=lambda l: (getattr(l, "language", None) != "en", str(l))):
        return str(label)
    return ""


def report_text(violations: list[Violation]) -> str:
    if not violations:
        return "Validation: the graph conforms (0 violations)."
    groups: dict[tuple[str, str], list[Violation]] = defaultdict(list)
    for v in violations:
        groups[(v.rule, v.message)].append(v)
    lines = [f"Validation: {len(violations)} violation(s) of {len(groups)} rule(s)."]
    for (rule, message), items in sorted(groups.items()):
        lines.append("")
        lines.append(f"{message}  [{len(items)}]  rule: {rule}")
        for v in items:
            who = f"{v.label} <{v.focus}>" if v.label else f"<{v.focus}>"
            lines.append(f"  - {who}")
            if v.path:
                lines.append(f"      path: {v.path}")
            if v.value:
                lines.append(f"      value: {v.value[:200]}")
            if v.defined_in:
                lines.append(f"      defined at: {v.defined_in}")
    return "\n".join(lines)


def report_json(violations: list[Violation]) -> str:
    return json.dumps({"conforms": not violations, "violations": [asdict(v) for v in violations]}, indent=2, sort_keys=True)


def report_turtle(violations: list[Violation]) -> str:
    """A SHACL validation report (sh:ValidationReport) in Turtle, with stable result IRIs."""
    graph = new_graph()  # results get IRIs rather than blank nodes, for byte-stable output
    report = URIRef("https://w3id.org/cassibile/validation-report")
    graph.add((report, RDF.type, SH.ValidationReport))
    graph.add((report, SH.conforms, Literal(not violations)))
    for number, v in enumerate(violations, 1):
        result = URIRef(f"{report}#result-{number}")
        graph.add((report, SH.result, result))
        graph.add((result, RDF.type, SH.ValidationResult))
        graph.add((result, SH.focusNode, URIRef(v.focus) if v.focus else Literal("")))
        graph.add((result, SH.resultMessage, Literal(v.message, lang="en")))
        graph.add((result, SH.resultSeverity, SH[v.severity]))
        for predicate, text in ((SH.resultPath, v.path), (SH.sourceShape, v.rule), (SH.sourceConstraintComponent, v.component)):
            if text:
                graph.add((result, predicate, URIRef(text) if text.startswith("http") else Literal(text)))
        if v.value:
            graph.add((result, SH.value, Literal(v.value)))
    return graph.serialize(format="longturtle")
