"""Validation: SHACL shapes, the `*-violation.rq` queries and the verified-QID list, as one report people can act on.

Shapes hold the rules SHACL Core expresses well (cardinalities, classes, datatypes, languages);
rules that compare nodes with each other (a quote against its source's text, ranks of competing
facts) are `queries/*-violation.rq`. Everything runs on the union of the layers in the build's
pyoxigraph store (`Checker`, `store.LayerStore.union`): the shapes compiled to SPARQL
(`cassibile.pipeline.shacl_sparql`; pyshacl, the reference, validates what that cannot translate),
the violation queries, and `label-not-in-source`, decided in Python in one pass over each language's
texts because its query tests every label against every text. Whether a QID is verified is read from `graph/wikidata/entities.tsv`, which no
query can see.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass, replace
from functools import partial
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from cassibile.errors import DataError, Location, read_utf8
from cassibile.namespaces import CAS, ID, SH, prefixed
from cassibile.pipeline import shacl_sparql
from cassibile.pipeline.load import Dataset, new_graph
from cassibile.pipeline.store import LayerStore, LayerUnion, StoreView
from cassibile.processes import beside
from cassibile.project import Project
from cassibile.sparql.query import run_local, store_from_graph
from cassibile.terms import to_rdflib

QID_IRI = re.compile(r"^http://www\.wikidata\.org/entity/(Q[1-9][0-9]*)$")
WIKIDATA_VERIFIED = "wikidata-verified"
PLAIN_FACT = "plain-fact"
LABEL_NOT_IN_SOURCE = "label-not-in-source-violation.rq"
SPARQL_VIOLATION = "SPARQL violation query"

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


class Checker:
    """Validates the union of some layers of a store (no rdflib union of the layers, no copy).

    The build hands it the store the loader filled and the layers there to check (ontology, asserted),
    adds the derived and source-text layers, asks for the violations, adds the inferred layer and asks
    again; shapes and queries are read once. Without a store it checks the layers added to a new one
    (`add`, each into its default graph unless named).
    """

    def __init__(self, project: Project, dataset: Dataset, layers: LayerStore | None = None, checked: Iterable[str] = ()):
        check_shape_references(dataset)
        self.project, self.dataset = project, dataset
        self.layers = layers if layers is not None else LayerStore()
        self.checked: list[str | None] = list(checked)  # the graphs whose union is validated
        self.shapes = shacl_sparql.compile_shapes(dataset.shapes)
        self.queries = [(path, read_utf8(path)) for path in sorted(project.query_dir.glob("*-violation.rq"))]

    def add(self, layer: Graph | Iterable[tuple] | Iterable[ox.Triple], name: str | None = None) -> None:
        """Add a layer, rdflib's triples (a graph, or the reasoner's) or oxigraph's (as `ox.parse` yields), to the
        store's graph `name` (an IRI; None: the default graph), and that graph to those validated."""
        self.layers.add(name, layer)
        self.include(name)

    def include(self, name: str | None) -> None:
        """Validate the store's graph `name` too (a layer the build added to the store itself)."""
        if name not in self.checked:
            self.checked.append(name)

    def violations(self, jobs: int = 1) -> list[Violation]:
        """Every violation of the publication's rules in the layers added so far, annotated with labels and locations;
        with `jobs` > 1 the shapes are checked in a forked process while this one runs the rest."""
        with self.layers.union(self.checked) as data:
            with beside(partial(self._shape_violations, data), jobs, "checking the shapes") as shape_violations:
                found = _query_violations(data, self.queries)
                found += wikidata_violations(data, self.project.graph_dir / "wikidata" / "entities.tsv")
                found += plain_fact_violations(self.dataset)
                found = shape_violations() + found
            return annotate(found, self.dataset, StoreView(data))

    def shape_violations(self) -> list[Violation]:
        """The results of the shapes that are violations, as people read them."""
        with self.layers.union(self.checked) as data:
            return self._shape_violations(data)

    def shape_findings(self) -> list[shacl_sparql.Finding]:
        """Every result of the shapes: the compiled shapes on the store, plus pyshacl for the shapes (or data) they
        leave to it."""
        with self.layers.union(self.checked) as data:
            return self._shape_findings(data)

    def _shape_violations(self, data: LayerUnion) -> list[Violation]:
        shown = [_shape_violation(self.dataset.shapes, f) for f in shacl_sparql.conforming_filter(self._shape_findings(data))]
        return with_clashing_values(shown, data)

    def _shape_findings(self, data: LayerUnion) -> list[shacl_sparql.Finding]:
        found, undecided = shacl_sparql.run(self.shapes, data)
        if self.shapes.fallback or undecided:
            from pyshacl.errors import ReportableRuntimeError

            try:
                found += shacl_sparql.fallback_findings(self.shapes, undecided, data)
            except ReportableRuntimeError as error:  # pyshacl cannot load a shape: find which one, and where
                raise unusable_shape(self.dataset, error) from None
            except TypeError as error:  # pyshacl cannot order two values it compares (sh:lessThan a date and a number)
                shapes = sorted({_short(_named_shape(self.dataset.shapes, s)) for s in set(self.shapes.fallback) | undecided})
                raise DataError(f"pyshacl cannot validate the data against {', '.join(shapes)}: {error}") from None
        return found


_UNIQUE_LANG = str(SH.UniqueLangConstraintComponent)


def with_clashing_values(found: list[Violation], store: ox.Store | LayerUnion) -> list[Violation]:
    """SHACL reports two values in one language (sh:uniqueLang) without the values: give each language that
    clashes its own violation, with the values, so that people see which labels compete."""
    result = []
    for v in found:
        if v.component != _UNIQUE_LANG or v.value or not v.path.startswith("http"):
            result.append(v)
            continue
        path = "|".join(f"<{iri}>" for iri in v.path.split("|"))
        rows = store.query(f'SELECT DISTINCT ?value WHERE {{ <{v.focus}> {path} ?value FILTER (LANG(?value) != "") }}')
        by_language = defaultdict(list)
        for row in rows:
            by_language[row["value"].language.lower()].append(str(row["value"]))
        clashes = [values for _, values in sorted(by_language.items()) if len(values) > 1]
        result += [replace(v, value=", ".join(sorted(values))) for values in clashes] or [v]
    return result


def violations(project: Project, dataset: Dataset, graph: Graph) -> list[Violation]:
    """Every violation of the publication's rules in `graph` (one layer holding everything), annotated."""
    checker = Checker(project, dataset)
    checker.add(graph)
    return checker.violations()


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
        for p in sorted(properties) for s, o in dataset.asserted.subject_objects(p)
        if str(s).startswith(str(ID))
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
    """pyshacl on an rdflib graph: the reference the compiled shapes are tested against (and the plain pipeline's engine)."""
    return [_shape_violation(shapes, f) for f in shacl_sparql.conforming_filter(shacl_sparql.pyshacl_findings(data, shapes))]


def _shape_violation(shapes: Graph, finding: shacl_sparql.Finding) -> Violation:
    return Violation(rule=str(_named_shape(shapes, finding.shape)), message=str(finding.message) or "constraint violated",
                     focus=str(finding.focus), path=finding.path, value="" if finding.value is None else str(finding.value),
                     component=finding.component, severity=finding.severity.rsplit("#", 1)[-1])


def query_violations(source: Graph | ox.Store | LayerUnion, query_files: list[Path]) -> list[Violation]:
    """Every row of a `*-violation.rq` query is a violation: ?focus, and optionally ?message, ?value, ?path.

    `label-not-in-source-violation.rq` states its rule but is not run: `label_not_in_source_violations`
    decides the same rule in linear time.
    """
    store = store_from_graph(source) if isinstance(source, Graph) else source
    return _query_violations(store, [(path, read_utf8(path)) for path in query_files])


def _query_violations(store: ox.Store | LayerUnion, queries: list[tuple[Path, str]]) -> list[Violation]:
    found = []
    for path, text in queries:
        if path.name == LABEL_NOT_IN_SOURCE:
            found += label_not_in_source_violations(store)
            continue
        result = run_local(store, text, location=path)
        for row in result.rows:
            cell = dict(zip(result.variables, row))
            found.append(Violation(
                rule=f"queries/{path.name}", message=str(cell.get("message") or path.stem),
                focus=str(cell.get("focus") or ""), path=str(cell.get("path") or ""),
                value=str(cell.get("value") or ""), component=SPARQL_VIOLATION,
            ))
    return found


# --- label-not-in-source, in linear time -------------------------------------------------------------

_LABELS = f"""SELECT ?focus ?value WHERE {{
  ?focus <{RDFS.label}> ?value .
  FILTER (isIRI(?focus) && STRSTARTS(STR(?focus), "{ID}"))
  MINUS {{ ?focus <{CAS.editorialLabel}> ?value }}
}}"""
_TEXTS = f"SELECT DISTINCT ?text WHERE {{ ?source a <{CAS.Source}> ; <{CAS.fullText}> ?text . FILTER (isLITERAL(?text)) }}"
_TRIE_LIMIT = 300  # longer labels are looked up one by one (they would nest the regex too deeply)


def label_not_in_source_violations(source: Graph | ox.Store | LayerUnion) -> list[Violation]:
    """The rule of queries/label-not-in-source-violation.rq: an entity's rdfs:label (not also its cas:editorialLabel)
    must occur in the cas:fullText of some cas:Source in the label's language.

    The query tests every label against every text (quadratic: 28 s at 100k triples); here each
    language's texts are scanned once for all its labels. Takes the layers of the build's store or an rdflib graph.
    """
    if not isinstance(source, Graph):
        labels = [(row["focus"].value, to_rdflib(row["value"])) for row in source.query(_LABELS)]
        texts = [to_rdflib(row["text"]) for row in source.query(_TEXTS)]
    else:
        labels = [(str(s), o) for s, o in source.subject_objects(RDFS.label)
                  if isinstance(s, URIRef) and str(s).startswith(str(ID)) and (s, CAS.editorialLabel, o) not in source]
        texts = {t for s in set(source.subjects(RDF.type, CAS.Source)) for t in source.objects(s, CAS.fullText)
                 if isinstance(t, Literal)}
    by_language, wanted = defaultdict(list), defaultdict(set)
    for text in texts:
        by_language[text.language or ""].append(str(text))
    for _, value in labels:
        if isinstance(value, Literal):
            wanted[value.language or ""].add(str(value))
    used = {language: occurring(words, by_language[language]) for language, words in wanted.items()}
    found = []
    for focus, value in labels:
        if isinstance(value, Literal) and str(value) in used[value.language or ""]:
            continue
        message = (f"No source in @{value.language or ''} uses this name: make it a cas:editorialLabel, or quote the name "
                   "as a source writes it.") if isinstance(value, Literal) else Path(LABEL_NOT_IN_SOURCE).stem
        found.append(Violation(rule=f"queries/{LABEL_NOT_IN_SOURCE}", message=message, focus=focus, path=str(RDFS.label),
                               value=str(value), component=SPARQL_VIOLATION))
    return found


def occurring(words: set[str], texts: list[str]) -> set[str]:
    """The words that occur (as substrings, like SPARQL CONTAINS) in at least one of the texts.

    One regex pass per text: a trie of the words, tried at every position, finds the longest word
    starting there; every word that starts there is a prefix of it.
    """
    if not texts:
        return set()
    short = {w for w in words if 0 < len(w) <= _TRIE_LIMIT}
    found = {w for w in words - short if any(w in text for text in texts)}
    if short:
        matcher = re.compile("(?=(" + _trie_pattern(short) + "))")
        longest = {m.group(1) for text in texts for m in matcher.finditer(text)}
        found |= {m[:k] for m in longest for k in range(1, len(m) + 1) if m[:k] in short}
    return found


def _trie_pattern(words: set[str]) -> str:
    """A regex matching the longest of `words` that starts at a position (greedy, one branch per next character)."""
    trie: dict = {}
    for word in words:
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def pattern(node: dict) -> str:
        branches = [re.escape(char) + pattern(child) for char, child in sorted(node.items()) if char]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return "(?:" + body + ")?" if "" in node else body

    return pattern(trie)


# --- Wikidata links --------------------------------------------------------------------------------

def wikidata_violations(source: Graph | ox.Store | LayerUnion, entities_tsv: Path) -> list[Violation]:
    """owl:sameAs to a QID that graph/wikidata/entities.tsv does not list as verified (the store's layers or an rdflib graph)."""
    status = verified_qids(entities_tsv)
    if isinstance(source, Graph):
        links = [(str(s), str(o)) for s, o in source.subject_objects(OWL.sameAs)]
    else:
        links = [(q.subject.value, q.object.value) for q in source.quads_for_pattern(None, ox.NamedNode(OWL.sameAs), None)]
    found = []
    for entity, target in sorted(links):
        match = QID_IRI.match(target)
        if not entity.startswith(str(ID)) or not match or status.get(match.group(1)) == "verified":
            continue
        listed = status.get(match.group(1))
        found.append(Violation(
            rule=WIKIDATA_VERIFIED, focus=entity, path=str(OWL.sameAs), value=target, component=WIKIDATA_VERIFIED,
            message=f"{match.group(1)} is not a verified QID in graph/wikidata/entities.tsv "
                    f"({'its status is ' + listed if listed else 'it is not listed'}); only verified QIDs may be linked.",
        ))
    return found


def verified_qids(entities_tsv: Path) -> dict[str, str]:
    """QID -> status, from the tab-separated list of candidate Wikidata items."""
    if not entities_tsv.is_file():
        raise DataError(f"{entities_tsv} is missing: the Wikidata links cannot be checked")
    rows = csv.DictReader(io.StringIO(read_utf8(entities_tsv), newline=""), delimiter="\t")
    if not {"qid", "status"} <= set(rows.fieldnames or ()):
        raise DataError("its header must name the columns qid and status (tab-separated)", Location(entities_tsv, 1))
    return {row["qid"]: row["status"] for row in rows}


# --- labels and locations for people ---------------------------------------------------------------

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
    return prefixed(iri) if str(iri).startswith("http") else str(iri)


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
