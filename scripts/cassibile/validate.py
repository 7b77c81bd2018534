"""Validation: SHACL shapes (pyshacl), the `*-violation.rq` queries and the verified-QID list, as one report people can act on.

Shapes hold the rules SHACL Core expresses well (cardinalities, classes, datatypes, languages);
rules that compare nodes with each other (a quote against its source's text, ranks of competing
facts) are `queries/*-violation.rq`, run on oxigraph, because pyshacl re-parses a SHACL-SPARQL
constraint for every focus node (about 20 ms each). Whether a QID is verified is read from
`graph/wikidata/entities.tsv`, which no query can see.
"""

from __future__ import annotations

import csv
import json
import re
from collections import defaultdict
from dataclasses import asdict, dataclass
from pathlib import Path

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS

from cassibile.errors import DataError
from cassibile.load import Dataset, new_graph
from cassibile.namespaces import CAS, ID, SH
from cassibile.project import Project

QID_IRI = re.compile(r"^http://www\.wikidata\.org/entity/(Q[1-9][0-9]*)$")
WIKIDATA_VERIFIED = "wikidata-verified"
PLAIN_FACT = "plain-fact"

# Shape predicates whose objects are properties, and those whose objects are classes.
_PROPERTY_REFERENCES = (SH.path, SH.targetSubjectsOf, SH.targetObjectsOf, SH.equals, SH.disjoint, SH.lessThan, SH.lessThanOrEquals)
_CLASS_REFERENCES = (SH.targetClass, SH["class"])
_PROPERTY_KINDS = (OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty, RDF.Property)


@dataclass(frozen=True, order=True)
class Violation:
    rule: str  # the shape, query or check that found it
    message: str
    focus: str
    path: str = ""
    value: str = ""
    component: str = ""
    severity: str = "Violation"
    label: str = ""
    defined_in: str = ""


def violations(project: Project, dataset: Dataset, graph: Graph) -> list[Violation]:
    """Every violation of the publication's rules in `graph`, annotated with labels and locations."""
    check_shape_references(dataset)
    from pyshacl.errors import ReportableRuntimeError

    try:
        found = shacl_violations(graph, dataset.shapes)
    except ReportableRuntimeError as error:  # pyshacl cannot load a shape: find which one, and where
        raise unusable_shape(dataset, error) from None
    found += query_violations(graph, sorted(project.query_dir.glob("*-violation.rq")))
    found += wikidata_violations(graph, project.graph_dir / "wikidata" / "entities.tsv")
    found += plain_fact_violations(dataset)
    return annotate(found, dataset, graph)


def plain_fact_violations(dataset: Dataset) -> list[Violation]:
    """Triples about an entity that use an ontology property, written by hand instead of as a cas:Fact.

    Only the hand-written graph can tell: in the validated graph the build has added the same
    triples, derived from facts (the truthy graph) or inferred.
    """
    properties = {p for kind in _PROPERTY_KINDS for p in dataset.ontology.subjects(RDF.type, kind)} - {CAS.editorialLabel}
    return [
        Violation(rule=PLAIN_FACT, focus=str(s), path=str(p), value=str(o), component=PLAIN_FACT,
                  message="A statement about an entity written as a plain triple: write it as a cas:Fact "
                          "(rdf:subject, rdf:predicate, rdf:object, cas:rank) supported by a claim; the build derives the triple.")
        for s, p, o in sorted(dataset.data)
        if p in properties and str(s).startswith(str(ID))
    ]


def check_shape_references(dataset: Dataset) -> None:
    """A shape naming a cas: property or class the ontology does not declare would silently check nothing."""
    declared = {
        **{p: "property" for kind in _PROPERTY_KINDS for p in dataset.ontology.subjects(RDF.type, kind)},
        **{c: "class" for c in dataset.ontology.subjects(RDF.type, OWL.Class)},
    }
    for predicate, kind in [(p, "property") for p in _PROPERTY_REFERENCES] + [(p, "class") for p in _CLASS_REFERENCES]:
        for shape, target in sorted(dataset.shapes.subject_objects(predicate)):
            for term in sorted(_iris_in(dataset.shapes, target)):
                if str(term).startswith(str(CAS)) and declared.get(term) != kind:
                    named = _named_shape(dataset.shapes, shape)
                    raise DataError(
                        f"shape {_short(named)} refers to {_short(term)} through {_short(predicate)}, "
                        f"but the ontology declares no such {kind}",
                        dataset.location(named), str(named),
                    )


def unusable_shape(dataset: Dataset, error: Exception) -> DataError:
    """pyshacl's load errors do not say which shape is at fault; SHACL's own shapes (meta-SHACL) do."""
    from pyshacl.entrypoints import meta_validate

    reason = str(getattr(error, "message", error)).strip().splitlines()[0]
    _, report, _ = meta_validate(dataset.shapes, inference="none")
    result = next(iter(sorted(report.subjects(RDF.type, SH.ValidationResult))), None)
    if result is None:
        return DataError(f"the shapes cannot be used: {reason}")
    shape = _named_shape(dataset.shapes, report.value(result, SH.focusNode))
    path, value = report.value(result, SH.resultPath), report.value(result, SH.value)
    return DataError(f"malformed shape {_short(shape)}: {_short(path)} {value!s} is not allowed ({reason})",
                     dataset.location(shape), str(shape))


def _iris_in(graph: Graph, node) -> set[URIRef]:
    """The IRIs in a path expression: the node itself, or those inside its lists and path blank nodes."""
    if isinstance(node, URIRef):
        return {node}
    found = set()
    for _, obj in graph.predicate_objects(node):
        found |= _iris_in(graph, obj) if obj != RDF.nil else set()
    return found


def _named_shape(shapes: Graph, node):
    """The named shape that (directly or through nested blank nodes) holds `node`."""
    seen = set()
    while isinstance(node, BNode) and node not in seen:
        seen.add(node)
        owner = next(iter(sorted(shapes.subjects(None, node))), None)
        if owner is None:
            break
        node = owner
    return node


def shacl_violations(data: Graph, shapes: Graph) -> list[Violation]:
    """Run pyshacl (no inference: the build adds the OWL RL closure itself and validates again)."""
    import pyshacl

    conforms, report, _ = pyshacl.validate(data, shacl_graph=shapes, inference="none", allow_warnings=True)
    if conforms:
        return []
    found = []
    for result in report.subjects(RDF.type, SH.ValidationResult):
        def get(predicate):
            value = report.value(result, predicate)
            return "" if value is None else str(value)

        found.append(Violation(
            rule=str(_named_shape(shapes, report.value(result, SH.sourceShape))),
            message=get(SH.resultMessage) or "constraint violated",
            focus=get(SH.focusNode), path=_path_text(report, report.value(result, SH.resultPath)),
            value=get(SH.value), component=get(SH.sourceConstraintComponent),
            severity=get(SH.resultSeverity).rsplit("#", 1)[-1],
        ))
    return found


def _path_text(graph: Graph, path) -> str:
    """A SHACL path as SPARQL property-path text (blank-node ids are not stable, so never print them)."""
    if path is None:
        return ""
    if isinstance(path, URIRef):
        return str(path)
    if (alternatives := graph.value(path, SH.alternativePath)) is not None:
        return "|".join(_path_text(graph, p) for p in Collection(graph, alternatives))
    if (inverse := graph.value(path, SH.inversePath)) is not None:
        return "^" + _path_text(graph, inverse)
    if graph.value(path, RDF.first) is not None:
        return "/".join(_path_text(graph, p) for p in Collection(graph, path))
    return "(complex path)"


def query_violations(graph: Graph, query_files: list[Path]) -> list[Violation]:
    """Every row of a `*-violation.rq` query is a violation: ?focus, and optionally ?message, ?value, ?path."""
    from cassibile.query import run_local, store_from_graph

    store = store_from_graph(graph)
    found = []
    for path in query_files:
        result = run_local(store, path.read_text(encoding="utf-8"), location=path)
        for row in result.rows:
            cell = dict(zip(result.variables, row))
            found.append(Violation(
                rule=f"queries/{path.name}", message=str(cell.get("message") or path.stem),
                focus=str(cell.get("focus") or ""), path=str(cell.get("path") or ""),
                value=str(cell.get("value") or ""), component="SPARQL violation query",
            ))
    return found


def wikidata_violations(graph: Graph, entities_tsv: Path) -> list[Violation]:
    """owl:sameAs to a QID that graph/wikidata/entities.tsv does not list as verified."""
    status = verified_qids(entities_tsv)
    found = []
    for entity, target in sorted(graph.subject_objects(OWL.sameAs)):
        match = QID_IRI.match(str(target))
        if not str(entity).startswith(str(ID)) or not match or status.get(match.group(1)) == "verified":
            continue
        listed = status.get(match.group(1))
        found.append(Violation(
            rule=WIKIDATA_VERIFIED, focus=str(entity), path=str(OWL.sameAs), value=str(target), component=WIKIDATA_VERIFIED,
            message=f"{match.group(1)} is not a verified QID in graph/wikidata/entities.tsv "
                    f"({'its status is ' + listed if listed else 'it is not listed'}); only verified QIDs may be linked.",
        ))
    return found


def verified_qids(entities_tsv: Path) -> dict[str, str]:
    """QID -> status, from the tab-separated list of candidate Wikidata items."""
    if not entities_tsv.is_file():
        raise DataError(f"{entities_tsv} is missing: the Wikidata links cannot be checked")
    with entities_tsv.open(encoding="utf-8", newline="") as handle:
        return {row["qid"]: row["status"] for row in csv.DictReader(handle, delimiter="\t")}


def annotate(violations: list[Violation], dataset: Dataset, graph: Graph) -> list[Violation]:
    """Add the focus node's English label and the file and line where it is written."""
    annotated = []
    for v in violations:
        focus = URIRef(v.focus) if v.focus.startswith(("http", "urn", "file")) else None
        label = _readable_name(graph, focus) if focus else ""
        where = dataset.location(focus) if focus else None
        annotated.append(Violation(**{**asdict(v), "label": label, "defined_in": str(where or "")}))
    return sorted(set(annotated))


def english_label(graph: Graph, node) -> str:
    """The node's English label if it has one, else any label, else ''."""
    labels = list(graph.objects(node, RDFS.label)) + list(graph.objects(node, CAS.editorialLabel))
    for label in sorted(labels, key=lambda l: (getattr(l, "language", None) != "en", str(l))):
        return str(label)
    return ""


def _readable_name(graph: Graph, node) -> str:
    """An entity's label; for a fact, what it is about; for a claim, its source."""
    if label := english_label(graph, node):
        return label
    if (node, RDF.type, CAS.Fact) in graph:
        about = graph.value(node, RDF.subject)
        return f"fact: {english_label(graph, about) or _short(about)} {_short(graph.value(node, RDF.predicate))}"
    if (node, RDF.type, CAS.Claim) in graph:
        return f"claim quoting {_short(graph.value(node, CAS.source))}"
    return ""


def describe(dataset: Dataset, graph: Graph, node) -> str:
    """A node as people find it: label, IRI, and the file and line where it is defined."""
    label = english_label(graph, node)
    where = dataset.location(node)
    return (f'"{label}" ' if label else "") + f"<{node}>" + (f" ({where})" if where else "")


def _short(iri) -> str:
    return new_graph().namespace_manager.normalizeUri(URIRef(str(iri))) if str(iri).startswith("http") else str(iri)


def report_text(violations: list[Violation]) -> str:
    """The report for people: violations grouped by rule and message, counted, each entity located."""
    if not violations:
        return "Validation: the graph conforms (0 violations)."
    groups: dict[tuple[str, str], list[Violation]] = defaultdict(list)
    shown = set()
    for v in violations:  # one line per entity and value, even where two constraints of a rule fire
        if (key := (v.rule, v.message, v.focus, v.path, v.value)) not in shown:
            shown.add(key)
            groups[(v.rule, v.message)].append(v)
    lines = [f"Validation: {len(shown)} violation(s) of {len(groups)} rule(s)."]
    for (rule, message), items in sorted(groups.items()):
        lines += ["", f"{message}  [{len(items)}]  rule: {_short(rule)}"]
        for v in items:
            lines.append(f"  - {v.label} <{v.focus}>" if v.label else f"  - <{v.focus}>")
            if v.path:
                lines.append(f"      path: {'|'.join(_short(p) for p in v.path.split('|'))}")
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
                graph.add((result, predicate, URIRef(text) if text.startswith("http") and "|" not in text else Literal(text)))
        if v.value:
            graph.add((result, SH.value, Literal(v.value)))
    return graph.serialize(format="longturtle")
