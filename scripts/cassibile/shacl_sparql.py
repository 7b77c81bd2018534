"""SHACL Core shapes compiled to SPARQL SELECT queries on the build's pyoxigraph store, with pyshacl's results.

pyshacl walks rdflib graphs one focus node at a time (12 s at 100k triples); here oxigraph does the
joins, a few queries per shape. pyshacl stays the reference and the fallback: a targeted shape that
uses anything this module does not translate exactly (sh:closed, sh:equals, SPARQL-based constraints,
sh:node, whose results pyshacl reports along with the nested shape's own, property shapes nested in
property shapes, a reporting shape without exactly one sh:message, a malformed parameter, ...) is
validated by pyshacl instead (`Compiled.fallback` says why), never skipped.

Two tests have no exact SPARQL equivalent, so Python decides them as pyshacl does, on the distinct
values they apply to: sh:pattern (Python's `re`, not the store's regex dialect) and the lexical form
of a literal of the right sh:datatype (rdflib's ill-typed literals). The query then receives the few
values that fail in a VALUES table.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS, XSD

from cassibile.load import new_graph, to_oxigraph, to_rdflib
from cassibile.namespaces import SH

VIOLATION = str(SH.Violation)
TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.target)
# Shape predicates that never change a result.
_IGNORED = {RDF.type, RDFS.comment, RDFS.label, RDFS.seeAlso, SH.name, SH.description, SH.order, SH.group, SH.defaultValue}
# Constraints on the value nodes themselves: allowed on node shapes, property shapes and nested shapes.
_VALUE_PARAMETERS = {SH.datatype, SH["class"], SH.nodeKind, SH["in"], SH.languageIn, SH.pattern, SH.flags, SH.minLength,
                     SH.maxLength, SH.hasValue, SH["not"], SH["and"], SH["or"], SH.xone}
# Constraints that only property shapes have.
_PROPERTY_PARAMETERS = {SH.minCount, SH.maxCount, SH.uniqueLang, SH.lessThan, SH.lessThanOrEquals, SH.qualifiedValueShape,
                        SH.qualifiedMinCount, SH.qualifiedMaxCount, SH.qualifiedValueShapesDisjoint}
_NODE_KINDS = {
    SH.IRI: "isIRI(?value)", SH.BlankNode: "isBLANK(?value)", SH.Literal: "isLITERAL(?value)",
    SH.BlankNodeOrIRI: "(isBLANK(?value) || isIRI(?value))", SH.BlankNodeOrLiteral: "(isBLANK(?value) || isLITERAL(?value))",
    SH.IRIOrLiteral: "(isIRI(?value) || isLITERAL(?value))",
}
# The Python type rdflib gives a well-typed literal of these datatypes (pyshacl's DatatypeConstraintComponent).
_PYTHON_TYPES = {XSD.integer: int, XSD.float: float, XSD.decimal: Decimal, XSD.boolean: bool, XSD.date: dt.date,
                 XSD.time: dt.time, XSD.dateTime: dt.datetime}


def _instances(variable: str, cls: str) -> str:
    """?variable rdf:type/rdfs:subClassOf* cls, with the classes found first (oxigraph is faster this way round)."""
    return f"{{ SELECT ?class WHERE {{ ?class <{RDFS.subClassOf}>* {cls} }} }} ?{variable} <{RDF.type}> ?class ."


class Unsupported(Exception):
    """A shape this module cannot translate exactly: pyshacl validates it instead."""


class Undecided(Exception):
    """Data on which a compiled shape cannot reproduce pyshacl (e.g. sh:lessThan on a blank node): pyshacl runs it."""


@dataclass(frozen=True)
class Finding:
    """One validation result as pyshacl reports it (sh:sourceShape, focusNode, resultPath, value, ...)."""

    shape: object  # the sh:sourceShape node in the shapes graph
    focus: str
    path: str
    value: str
    component: str
    message: str
    severity: str  # an IRI, e.g. sh:Violation


@dataclass
class _Decided:
    """A test on one value that Python decides; ?{var} is bound (by a VALUES table) for the values that fail it."""

    var: str
    fails: Callable[[object], bool]  # called with a pyoxigraph term


@dataclass
class _Count:
    """Fails where the number of distinct value nodes conforming to `condition` is below `minimum` or above `maximum`."""

    component: str
    condition: str  # a SPARQL expression on ?value, "true" for every value node
    minimum: int | None = None
    maximum: int | None = None


@dataclass
class _Check:
    """The constraints of one shape (a node shape on its focus nodes, or a property shape on its path)."""

    shape: object
    context: str  # a SPARQL SELECT of the distinct ?focus nodes
    path: str | None  # the SPARQL property path; None for a node shape (the value node is the focus node)
    path_text: str
    message: str = ""
    severity: str = VIOLATION
    per_value: list[tuple[str, str]] = field(default_factory=list)  # (component, SPARQL: ?value conforms)
    counts: list[_Count] = field(default_factory=list)
    unique_lang: bool = False
    has_values: list[str] = field(default_factory=list)  # SPARQL terms
    pairs: list[tuple[str, str, bool]] = field(default_factory=list)  # (component, predicate, strict)
    classes: dict[str, str] = field(default_factory=dict)  # class (SPARQL term) -> variable bound for its instances
    decided: list[_Decided] = field(default_factory=list)

    def reports(self) -> bool:
        return bool(self.per_value or self.counts or self.unique_lang or self.has_values or self.pairs)


@dataclass
class Compiled:
    """The targeted shapes as SPARQL checks, and those left to pyshacl with the reason."""

    shapes: Graph
    checks: dict[object, list[_Check]]  # top-level shape -> the checks it compiles to
    fallback: dict[object, str]  # top-level shape -> why pyshacl validates it


def compile_shapes(shapes: Graph) -> Compiled:
    """Compile every shape with explicit targets; any other shape stays with pyshacl."""
    compiled, fallback = {}, {}
    for shape in sorted(set().union(*(set(shapes.subjects(p)) for p in TARGETS)), key=str):
        try:
            compiled[shape] = _Compiler(shapes).top_level(shape)
        except Unsupported as reason:
            fallback[shape] = str(reason)
    for shape in sorted(_implicit_class_shapes(shapes), key=str):
        compiled.pop(shape, None)
        fallback[shape] = "is also a class (implicit class target)"
    return Compiled(shapes, compiled, fallback)


def _implicit_class_shapes(shapes: Graph) -> set:
    """Shapes that are also classes: pyshacl targets their instances too (implicit class targets)."""
    classes = {RDFS.Class} | set(shapes.subjects(RDFS.subClassOf, RDFS.Class))
    kinds = set(shapes.subjects(RDF.type, SH.NodeShape)) | set(shapes.subjects(RDF.type, SH.PropertyShape))
    return {s for s in kinds if classes & set(shapes.objects(s, RDF.type))}


class _Compiler:
    """Translates one top-level shape; raises Unsupported for anything it cannot translate exactly."""

    def __init__(self, shapes: Graph):
        self.shapes, self.counter = shapes, 0

    def top_level(self, shape) -> list[_Check]:
        """A targeted shape's checks: its own constraints, and those of each member of its sh:property."""
        context = self.targets(shape)
        checks = [self.owner(shape, context, nested=False)]
        for member in sorted(self.shapes.objects(shape, SH.property), key=str):
            if self.one(member, SH.path) is None:
                raise Unsupported(f"sh:property {member} has no sh:path")
            checks.append(self.owner(member, context, nested=True))
        return [c for c in checks if c.reports()]

    def targets(self, shape) -> str:
        """A SELECT of the distinct focus nodes of the shape's explicit targets."""
        patterns = {SH.targetClass: lambda t: _instances("focus", t), SH.targetSubjectsOf: lambda t: f"?focus {t} [] .",
                    SH.targetObjectsOf: lambda t: f"[] {t} ?focus .", SH.targetNode: lambda t: f"VALUES ?focus {{ {t} }}"}
        parts = []
        for predicate, pattern in patterns.items():
            for target in sorted(self.shapes.objects(shape, predicate), key=str):
                if predicate != SH.targetNode and not isinstance(target, URIRef):
                    raise Unsupported(f"{predicate} {target} is not an IRI")
                parts.append("{ " + pattern(_term(target)) + " }")
        if set(self.shapes.objects(shape, SH.target)):
            raise Unsupported("sh:target (SPARQL-based target)")
        return "SELECT DISTINCT ?focus WHERE { " + " UNION ".join(parts) + " }"

    def owner(self, shape, context: str, nested: bool) -> _Check:
        """The checks of a shape that reports its own results (a targeted shape or a member of its sh:property)."""
        path_node = self.one(shape, SH.path)
        allowed = _IGNORED | _VALUE_PARAMETERS | {SH.message, SH.severity, SH.path} | set(TARGETS)
        if path_node is not None:
            allowed |= _PROPERTY_PARAMETERS
        if path_node is None and not nested:
            allowed.add(SH.property)  # its members are compiled by top_level
        self.check_predicates(shape, allowed)
        check = _Check(shape, context, None if path_node is None else self.path(path_node),
                       "" if path_node is None else path_text(self.shapes, path_node))
        check.severity = str(self.one(shape, SH.severity, URIRef) or SH.Violation)
        self.value_constraints(shape, check)
        if path_node is not None:
            self.property_constraints(shape, check)
        if check.reports():
            messages = list(self.shapes.objects(shape, SH.message))
            if len(messages) != 1 or not isinstance(messages[0], Literal):
                raise Unsupported(f"{shape} needs exactly one sh:message (pyshacl would generate one)")
            check.message = str(messages[0])
        return check

    def check_predicates(self, shape, allowed: set) -> None:
        unknown = set(self.shapes.predicates(shape)) - allowed
        if unknown:
            raise Unsupported(f"{shape} uses {', '.join(sorted(map(str, unknown)))}")
        kinds = set(self.shapes.objects(shape, RDF.type)) - {SH.NodeShape, SH.PropertyShape}
        if kinds:
            raise Unsupported(f"{shape} is also a {', '.join(sorted(map(str, kinds)))}")

    def value_constraints(self, shape, check: _Check) -> None:
        """Constraints on each value node (one result per failing value node), and sh:hasValue (one per focus node)."""
        for component, expression in self.value_tests(shape, check, stack=(shape,)):
            check.per_value.append((component, expression))
        values = sorted(self.shapes.objects(shape, SH.hasValue), key=str)
        check.has_values = [_term(v) for v in values]

    def value_tests(self, shape, check: _Check, stack: tuple) -> list[tuple[str, str]]:
        """(component, SPARQL expression true where ?value meets it) for each value constraint of `shape`."""
        s, tests = self.shapes, []
        if (datatype := self.one(shape, SH.datatype, URIRef)) is not None:
            tests.append((SH.DatatypeConstraintComponent, self.datatype(datatype, check)))
        if classes := sorted(s.objects(shape, SH["class"]), key=str):
            tests.append((SH.ClassConstraintComponent, _all(self.instance_of(c, check) for c in classes)))
        if (kind := self.one(shape, SH.nodeKind)) is not None:
            if kind not in _NODE_KINDS:
                raise Unsupported(f"sh:nodeKind {kind}")
            tests.append((SH.NodeKindConstraintComponent, _NODE_KINDS[kind]))
        if (members := self.one(shape, SH["in"])) is not None:
            tests.append((SH.InConstraintComponent, _any(f"sameTerm(?value, {_term(m)})" for m in self.items(members))))
        if (languages := self.one(shape, SH.languageIn)) is not None:
            tests.append((SH.LanguageInConstraintComponent, self.language_in(self.items(languages))))
        if patterns := sorted(s.objects(shape, SH.pattern), key=str):
            tests.append((SH.PatternConstraintComponent, self.pattern(shape, patterns, check)))
        for parameter, component, operator in ((SH.minLength, SH.MinLengthConstraintComponent, ">="),
                                               (SH.maxLength, SH.MaxLengthConstraintComponent, "<=")):
            if (length := self.one(shape, parameter, Literal)) is not None:
                if not isinstance(length.value, int) or isinstance(length.value, bool) or length.value < 0:
                    raise Unsupported(f"{parameter} {length}")
                test = "true" if parameter == SH.minLength and length.value == 0 else \
                    f"(!isBLANK(?value) && STRLEN(STR(?value)) {operator} {length.value})"
                tests.append((component, test))
        for other in sorted(s.objects(shape, SH["not"]), key=str):
            tests.append((SH.NotConstraintComponent, f"!({self.conforms(other, check, stack)})"))
        for parameter, component in ((SH["and"], SH.AndConstraintComponent), (SH["or"], SH.OrConstraintComponent),
                                     (SH.xone, SH.XoneConstraintComponent)):
            for members in sorted(s.objects(shape, parameter), key=str):
                listed = self.items(members)
                if not listed or len(set(listed)) < len(listed):  # pyshacl refuses an empty list, and reads it as a set
                    raise Unsupported(f"{parameter} list empty or with repeated shapes")
                each = [self.conforms(m, check, stack) for m in listed]
                if parameter == SH["and"]:
                    tests.append((component, _all(each)))
                elif parameter == SH["or"]:
                    tests.append((component, _any(each)))
                else:
                    tests.append((component, "(" + " + ".join(f"IF({e}, 1, 0)" for e in each) + ") = 1"))
        return [(str(component), test) for component, test in tests]

    def conforms(self, shape, check: _Check, stack: tuple) -> str:
        """SPARQL expression: ?value conforms to a nested shape (one without paths or property shapes)."""
        if shape in stack or isinstance(shape, Literal):
            raise Unsupported(f"nested shape {shape} is recursive or a literal")
        self.check_predicates(shape, _IGNORED | _VALUE_PARAMETERS | {SH.message} | set(TARGETS))
        tests = self.value_tests(shape, check, stack + (shape,))
        tests += [("", f"sameTerm(?value, {_term(v)})") for v in sorted(self.shapes.objects(shape, SH.hasValue), key=str)]
        return _all(test for _, test in tests)

    def property_constraints(self, shape, check: _Check) -> None:
        """Counts, unique languages and comparisons with another property: the constraints on a path's values together."""
        for parameter, component, bound in ((SH.minCount, SH.MinCountConstraintComponent, "minimum"),
                                            (SH.maxCount, SH.MaxCountConstraintComponent, "maximum")):
            if (count := self.one(shape, parameter, Literal)) is not None:
                if count.datatype != XSD.integer or not isinstance(count.value, int) or count.value < 0:
                    raise Unsupported(f"{parameter} {count}")
                if not (parameter == SH.minCount and count.value == 0):
                    check.counts.append(_Count(str(component), "true", **{bound: count.value}))
        if (unique := self.one(shape, SH.uniqueLang, Literal)) is not None:
            if not isinstance(unique.value, bool):
                raise Unsupported(f"sh:uniqueLang {unique}")
            check.unique_lang = unique.value
        for parameter, component, strict in ((SH.lessThan, SH.LessThanConstraintComponent, True),
                                             (SH.lessThanOrEquals, SH.LessThanOrEqualsConstraintComponent, False)):
            for other in sorted(self.shapes.objects(shape, parameter), key=str):
                if not isinstance(other, URIRef):
                    raise Unsupported(f"{parameter} {other}")
                check.pairs.append((str(component), _term(other), strict))
        self.qualified(shape, check)

    def qualified(self, shape, check: _Check) -> None:
        """sh:qualifiedValueShape with one nested shape, without sh:qualifiedValueShapesDisjoint (siblings)."""
        value_shape = self.one(shape, SH.qualifiedValueShape)
        bounds = {p: self.one(shape, p, Literal) for p in (SH.qualifiedMinCount, SH.qualifiedMaxCount)}
        if value_shape is None:
            if any(v is not None for v in bounds.values()) or self.one(shape, SH.qualifiedValueShapesDisjoint) is not None:
                raise Unsupported("sh:qualifiedMinCount or sh:qualifiedMaxCount without sh:qualifiedValueShape")
            return
        if self.one(shape, SH.qualifiedValueShapesDisjoint) not in (None, Literal(False)):
            raise Unsupported("sh:qualifiedValueShapesDisjoint")
        given = [v for v in bounds.values() if v is not None]
        if not given or not all(isinstance(v.value, int) for v in given):
            raise Unsupported("sh:qualifiedMinCount or sh:qualifiedMaxCount missing or not an integer")
        condition = self.conforms(value_shape, check, (shape,))
        if (low := bounds[SH.qualifiedMinCount]) is not None:
            check.counts.append(_Count(str(SH.QualifiedMinCountConstraintComponent), condition, minimum=low.value))
        if (high := bounds[SH.qualifiedMaxCount]) is not None:
            check.counts.append(_Count(str(SH.QualifiedMaxCountConstraintComponent), condition, maximum=high.value))

    def datatype(self, datatype: URIRef, check: _Check) -> str:
        """pyshacl's sh:datatype: rdf:langString is any tagged literal, rdfs:Literal any literal, and a literal of
        another datatype must also be well-typed for rdflib (decided in Python)."""
        if datatype == RDF.langString:
            return '(isLITERAL(?value) && LANG(?value) != "")'
        if datatype == RDFS.Literal:
            return "isLITERAL(?value)"
        if datatype == RDFS.Datatype:
            raise Unsupported("sh:datatype rdfs:Datatype")
        test = f"(isLITERAL(?value) && DATATYPE(?value) = {_term(datatype)})"
        if datatype == XSD.string:
            return test
        ill_typed = self.decided(check, lambda term: _is_literal_of(term, datatype)
                                 and not _well_typed(to_rdflib(term), datatype))
        return f"({test} && !BOUND(?{ill_typed}))"

    def pattern(self, shape, patterns: list, check: _Check) -> str:
        """pyshacl's sh:pattern: Python's re.search on the IRI or lexical form, with sh:flags i and m only."""
        flags = list(self.shapes.objects(shape, SH.flags))
        if len(flags) > 1 or not all(isinstance(p, Literal) for p in patterns + flags):
            raise Unsupported("sh:pattern or sh:flags")
        options = 0
        if flags:
            text = str(flags[0].value).lower()
            options = (re.I if "i" in text else 0) | (re.M if "m" in text else 0)
        try:
            matchers = [re.compile(str(p), options) for p in patterns]
        except re.error as error:
            raise Unsupported(f"sh:pattern: {error}") from None
        failing = self.decided(check, lambda term: not isinstance(term, ox.BlankNode)
                               and not all(m.search(term.value) for m in matchers))
        return f"(!isBLANK(?value) && !BOUND(?{failing}))"

    def language_in(self, languages: list) -> str:
        """pyshacl's sh:languageIn: the tag, or the part before its first hyphen, is in the list (case-insensitive)."""
        if not all(isinstance(lang, Literal) and isinstance(lang.value, str) for lang in languages):
            raise Unsupported("sh:languageIn members must be strings")
        wanted = sorted({str(lang.value).lower() for lang in languages})
        tagged = '(isLITERAL(?value) && LANG(?value) != ""'
        if "*" in wanted:
            return tagged + ")"
        listed = ", ".join(_term(Literal(lang)) for lang in wanted)
        return (f"{tagged} && (LCASE(LANG(?value)) IN ({listed}) || "
                f'LCASE(STRBEFORE(CONCAT(LANG(?value), "-"), "-")) IN ({listed})))')

    def instance_of(self, cls, check: _Check) -> str:
        """pyshacl's sh:class (rdf:type/rdfs:subClassOf*), as a join with the class's instances: an EXISTS per value is slower."""
        term = _term(cls)
        if term not in check.classes:
            self.counter += 1
            check.classes[term] = f"instance{self.counter}"
        return f"BOUND(?{check.classes[term]})"

    def decided(self, check: _Check, fails: Callable[[object], bool]) -> str:
        self.counter += 1
        var = f"failing{self.counter}"
        check.decided.append(_Decided(var, fails))
        return var

    def path(self, node) -> str:
        """A SHACL path as a SPARQL property path."""
        if isinstance(node, URIRef):
            return _term(node)
        if not isinstance(node, BNode):
            raise Unsupported(f"path {node}")
        if self.one(node, RDF.first) is not None:
            steps = self.items(node)
            if len(steps) < 2:
                raise Unsupported("sequence path with fewer than two steps")
            return "(" + "/".join(self.path(step) for step in steps) + ")"
        predicates = set(self.shapes.predicates(node))
        operators = {SH.inversePath: "^({})", SH.zeroOrMorePath: "({})*", SH.oneOrMorePath: "({})+", SH.zeroOrOnePath: "({})?"}
        if len(predicates) != 1:
            raise Unsupported(f"path node with {len(predicates)} predicates")
        (predicate,) = predicates
        inner = self.one(node, predicate)
        if predicate == SH.alternativePath:
            choices = self.items(inner)
            if len(choices) < 2:
                raise Unsupported("alternative path with fewer than two choices")
            return "(" + "|".join(self.path(choice) for choice in choices) + ")"
        if predicate not in operators:
            raise Unsupported(f"path {predicate}")
        return operators[predicate].format(self.path(inner))

    def one(self, node, predicate, kind: type | None = None):
        """The single value of `predicate` (None if it has none); more than one, or one of the wrong kind, is unsupported."""
        values = list(self.shapes.objects(node, predicate))
        if len(values) > 1 or (values and kind is not None and not isinstance(values[0], kind)):
            raise Unsupported(f"{node} {predicate}: {', '.join(map(str, values))}")
        return values[0] if values else None

    def items(self, node) -> list:
        """The members of a well-formed RDF list."""
        found, seen = [], set()
        while node != RDF.nil:
            if node in seen or set(self.shapes.predicates(node)) != {RDF.first, RDF.rest}:
                raise Unsupported("malformed RDF list")
            seen.add(node)
            found.append(self.one(node, RDF.first))
            node = self.one(node, RDF.rest)
        return found


def _term(node) -> str:
    """An IRI or literal of the shapes graph in SPARQL syntax (N-Triples is valid SPARQL)."""
    if isinstance(node, BNode):
        raise Unsupported(f"blank node {node} where a SPARQL term is needed")
    try:
        return str(to_oxigraph(node))
    except ValueError as error:
        raise Unsupported(f"{node}: {error}") from None


def _all(expressions: Iterable[str]) -> str:
    listed = list(expressions)
    return "(" + " && ".join(listed) + ")" if listed else "true"


def _any(expressions: Iterable[str]) -> str:
    listed = list(expressions)
    return "(" + " || ".join(listed) + ")" if listed else "false"


def _is_literal_of(term, datatype: URIRef) -> bool:
    return isinstance(term, ox.Literal) and term.datatype.value == str(datatype)


def _well_typed(literal: Literal, datatype: URIRef) -> bool:
    """pyshacl's DatatypeConstraintComponent on a literal of that datatype: not ill-typed, and parsed to the right type."""
    if getattr(literal, "ill_typed", None) is True:
        return False
    expected = _PYTHON_TYPES.get(datatype)
    return expected is None or isinstance(literal.value, expected)


def path_text(graph: Graph, path) -> str:
    """A SHACL path as SPARQL property-path text (blank-node ids are not stable, so never print them)."""
    if path is None:
        return ""
    if isinstance(path, URIRef):
        return str(path)
    if (alternatives := graph.value(path, SH.alternativePath)) is not None:
        return "|".join(path_text(graph, p) for p in _rdf_list(graph, alternatives))
    if (inverse := graph.value(path, SH.inversePath)) is not None:
        return "^" + path_text(graph, inverse)
    if graph.value(path, RDF.first) is not None:
        return "/".join(path_text(graph, p) for p in _rdf_list(graph, path))
    return "(complex path)"


def _rdf_list(graph: Graph, node) -> list:
    return list(Collection(graph, node))


# --- running the checks ----------------------------------------------------------------------------

def run(compiled: Compiled, store: ox.Store) -> tuple[list[Finding], set]:
    """The findings of every compiled shape on the store, and the shapes whose data only pyshacl can decide."""
    found, undecided = [], set()
    for shape, checks in compiled.checks.items():
        try:
            found += [finding for check in checks for finding in _run_check(check, store)]
        except Undecided:
            undecided.add(shape)
    return found, undecided


def _run_check(check: _Check, store: ox.Store) -> list[Finding]:
    joins = _joins(check, store)
    found = _per_value(check, store, joins) + _counts(check, store, joins)
    found += _unique_languages(check, store) + _missing_values(check, store) + _pairs(check, store)
    return found


def _finding(check: _Check, focus, component: str, value=None) -> Finding:
    return Finding(check.shape, focus.value, check.path_text, "" if value is None else value.value, component,
                   check.message, check.severity)


def _values(check: _Check) -> str:
    """The pattern binding each ?focus to its distinct value nodes (itself, for a node shape)."""
    if check.path is None:
        return f"{{ {check.context} }} BIND (?focus AS ?value)"
    return f"{{ SELECT DISTINCT ?focus ?value WHERE {{ {{ {check.context} }} ?focus {check.path} ?value }} }}"


def _joins(check: _Check, store: ox.Store) -> str:
    """Left joins on ?value that bind the variables the tests read: one per class (its instances), and one per decided
    test with values that fail it (Python's verdict on the distinct values, in a VALUES table)."""
    joins = [f"OPTIONAL {{ SELECT DISTINCT ?value (true AS ?{var}) WHERE {{ {_instances('value', cls)} }} }}"
             for cls, var in check.classes.items()]
    if check.decided:
        query = f"SELECT DISTINCT ?value WHERE {{ {_values(check)} FILTER (!isBLANK(?value)) }}"
        candidates = [row["value"] for row in store.query(query)]
        for test in check.decided:
            if failing := [term for term in candidates if test.fails(term)]:
                joins.append(f"OPTIONAL {{ VALUES (?value ?{test.var}) {{ {' '.join(f'({term} true)' for term in failing)} }} }}")
    return " ".join(joins)


def _per_value(check: _Check, store: ox.Store, joins: str) -> list[Finding]:
    if not check.per_value:
        return []
    binds = " ".join(f"BIND (COALESCE(!({test}), true) AS ?fails{i})" for i, (_, test) in enumerate(check.per_value))
    any_fails = " || ".join(f"?fails{i}" for i in range(len(check.per_value)))
    query = f"SELECT * WHERE {{ {_values(check)} {joins} {binds} FILTER ({any_fails}) }}"
    found = []
    for row in store.query(query):
        for i, (component, _) in enumerate(check.per_value):
            if row[f"fails{i}"].value == "true":
                found.append(_finding(check, row["focus"], component, row["value"]))
    return found


def _counts(check: _Check, store: ox.Store, joins: str) -> list[Finding]:
    """Value nodes counted per focus node (a focus node without values has no group: its counts are 0)."""
    if not check.counts:
        return []
    binds = " ".join(f"BIND (IF(COALESCE({c.condition}, false), ?value, ?none) AS ?counted{i})"
                     for i, c in enumerate(check.counts))
    aggregates = " ".join(f"(COUNT(?counted{i}) AS ?n{i})" for i in range(len(check.counts)))
    tests = " || ".join(f"COALESCE(?n{i}, 0) < {c.minimum}" if c.minimum is not None else f"COALESCE(?n{i}, 0) > {c.maximum}"
                        for i, c in enumerate(check.counts))
    if joins:  # the joins need ?value bound: count in a subquery, joined to the focus nodes
        query = (f"SELECT * WHERE {{ {{ {check.context} }} OPTIONAL {{ SELECT ?focus {aggregates} "
                 f"WHERE {{ {_values(check)} {joins} {binds} }} GROUP BY ?focus }} FILTER ({tests}) }}")
    else:  # faster: one left join; a path other than an IRI may reach a value twice, hence DISTINCT
        distinct = "" if check.path.startswith("<") else "DISTINCT "
        aggregates = " ".join(f"(COUNT({distinct}?counted{i}) AS ?n{i})" for i in range(len(check.counts)))
        query = (f"SELECT * WHERE {{ {{ SELECT ?focus {aggregates} WHERE {{ {{ {check.context} }} "
                 f"OPTIONAL {{ ?focus {check.path} ?value }} {binds} }} GROUP BY ?focus }} FILTER ({tests}) }}")
    found = []
    for row in store.query(query):
        for i, c in enumerate(check.counts):
            n = 0 if row[f"n{i}"] is None else int(row[f"n{i}"].value)
            if (c.minimum is not None and n < c.minimum) or (c.maximum is not None and n > c.maximum):
                found.append(_finding(check, row["focus"], c.component))
    return found


def _unique_languages(check: _Check, store: ox.Store) -> list[Finding]:
    """pyshacl reports each language tag (lower-cased) that two value nodes share once per focus node, without a value."""
    if not check.unique_lang:
        return []
    query = (f"SELECT ?focus ?language WHERE {{ {_values(check)} FILTER (isLITERAL(?value) && LANG(?value) != \"\") "
             f"BIND (LCASE(LANG(?value)) AS ?language) }} GROUP BY ?focus ?language HAVING (COUNT(DISTINCT ?value) > 1)")
    return [_finding(check, row["focus"], str(SH.UniqueLangConstraintComponent)) for row in store.query(query)]


def _missing_values(check: _Check, store: ox.Store) -> list[Finding]:
    if not check.has_values:
        return []
    if check.path is None:
        missing = _any(f"!sameTerm(?focus, {v})" for v in check.has_values)
    else:
        missing = _any(f"NOT EXISTS {{ ?focus {check.path} {v} }}" for v in check.has_values)
    query = f"SELECT ?focus WHERE {{ {{ {check.context} }} FILTER ({missing}) }}"
    return [_finding(check, row["focus"], str(SH.HasValueConstraintComponent)) for row in store.query(query)]


def _pairs(check: _Check, store: ox.Store) -> list[Finding]:
    """sh:lessThan(OrEquals): the store settles day-precision xsd:date pairs; Python compares the rest as pyshacl does."""
    found = []
    for component, predicate, strict in check.pairs:
        operator = "<" if strict else "<="
        settled = (f'(isLITERAL(?value) && isLITERAL(?other) && DATATYPE(?value) = {_term(XSD.date)} '
                   f'&& DATATYPE(?other) = {_term(XSD.date)} && STRLEN(STR(?value)) = 10 && STRLEN(STR(?other)) = 10 '
                   f'&& !STRSTARTS(STR(?value), "-") && !STRSTARTS(STR(?other), "-") '
                   f'&& COALESCE(?value {operator} ?other, false))')
        query = (f"SELECT DISTINCT ?focus ?value ?other WHERE {{ {_values(check)} OPTIONAL {{ ?focus {predicate} ?other }} "
                 f"FILTER (isBLANK(?value) || (BOUND(?other) && !{settled})) }}")
        for row in store.query(query):
            other = row["other"]
            if isinstance(row["value"], ox.BlankNode) or isinstance(other, ox.BlankNode):
                raise Undecided(f"{component} on a blank node")
            if other is not None and _pair_fails(to_rdflib(row["value"]), to_rdflib(other), strict):
                found.append(_finding(check, row["focus"], component, row["value"]))
    return found


def _pair_fails(value, other, strict: bool) -> bool:
    """pyshacl's comparison: IRIs and string literals as Python strings, other literals as rdflib Literals."""
    def comparable(node):
        if isinstance(node, URIRef):
            return str(node), True
        if isinstance(node, Literal) and isinstance(node.value, str):
            return node.value, True
        return node, False

    (left, left_is_text), (right, right_is_text) = comparable(value), comparable(other)
    if left_is_text != right_is_text:
        return True
    try:
        return not (left < right if strict else left <= right)
    except TypeError:
        raise Undecided("values pyshacl cannot compare") from None


# --- the reference: pyshacl --------------------------------------------------------------------------

def pyshacl_findings(data: Graph, shapes: Graph) -> list[Finding]:
    """Every result pyshacl reports (no inference: the build adds the OWL RL closure itself), conforming or not."""
    import pyshacl

    _, report, _ = pyshacl.validate(data, shacl_graph=shapes, inference="none", allow_warnings=True)
    found = []
    for result in report.subjects(RDF.type, SH.ValidationResult):
        def get(predicate):
            value = report.value(result, predicate)
            return "" if value is None else str(value)

        found.append(Finding(report.value(result, SH.sourceShape), get(SH.focusNode),
                             path_text(report, report.value(result, SH.resultPath)), get(SH.value),
                             get(SH.sourceConstraintComponent), get(SH.resultMessage), get(SH.resultSeverity)))
    return found


def fallback_findings(compiled: Compiled, undecided: set, store: ox.Store) -> list[Finding]:
    """pyshacl's results for the shapes not compiled (or undecided on this data), on an rdflib copy of the store."""
    left = set(compiled.fallback) | undecided
    if not left:
        return []
    shapes = Graph()
    for prefix, namespace in compiled.shapes.namespaces():  # pyshacl's own messages print paths with them
        shapes.bind(prefix, namespace, override=True, replace=True)
    for triple in compiled.shapes:
        if not (triple[0] in compiled.checks and triple[0] not in undecided and triple[1] in TARGETS):
            shapes.add(triple)
    data = new_graph()  # the project's prefixes, for pyshacl's messages where a shape has none
    for quad in store:
        data.add((to_rdflib(quad.subject), to_rdflib(quad.predicate), to_rdflib(quad.object)))
    return pyshacl_findings(data, shapes)


def conforming_filter(findings: list[Finding]) -> list[Finding]:
    """pyshacl with allow_warnings conforms when every result is a warning or an info; validate then reports nothing."""
    if all(f.severity in (str(SH.Warning), str(SH.Info)) for f in findings):
        return []
    return findings
