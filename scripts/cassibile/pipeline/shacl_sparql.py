"""SHACL Core shapes compiled to SPARQL SELECT queries on the build's pyoxigraph store, with pyshacl's results.

pyshacl walks rdflib graphs one focus node at a time (12 s at 100k triples); here oxigraph does the
joins, a few queries per shape. pyshacl stays the reference and the fallback, and the compiled part
never answers differently in silence:

- a targeted shape that uses anything this module does not translate exactly (sh:closed, sh:equals,
  SPARQL-based constraints, sh:node, whose results pyshacl reports along with the nested shape's own,
  property shapes nested in property shapes, more than one sh:message, a malformed parameter, a
  literal the store would rewrite, ...) is validated by pyshacl instead (`Compiled.fallback` says why);
- a shape whose checks would read a literal the store rewrote (`store.LayerStore`) is validated by pyshacl,
  on the data as the layers wrote it (`run` returns it as undecided);
- a result of a shape without sh:message gets the message pyshacl gives it, written by pyshacl's own
  constraint component.

Two tests have no exact SPARQL equivalent, so Python decides them as pyshacl does, on the distinct
values they apply to: sh:pattern (Python's `re`, not the store's regex dialect) and the lexical form
of a literal of the right sh:datatype (rdflib's ill-typed literals). The query then receives the few
values that fail in a VALUES table.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from decimal import Decimal

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS, XSD

from cassibile.namespaces import SH
from cassibile.pipeline.load import new_graph
from cassibile.pipeline.store import LayerUnion, kept
from cassibile.terms import stored_forms, to_oxigraph, to_rdflib

VIOLATION = str(SH.Violation)
TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.target)
# Shape predicates that never change a result.
_IGNORED = {RDF.type, RDFS.comment, RDFS.label, RDFS.seeAlso, RDFS.subClassOf, SH.name, SH.description, SH.order,
            SH.group, SH.defaultValue}
# Constraints on the value nodes themselves: allowed on node shapes, property shapes and nested shapes.
_VALUE_PARAMETERS = {SH.datatype, SH["class"], SH.nodeKind, SH["in"], SH.languageIn, SH.pattern, SH.flags, SH.minLength,
                     SH.maxLength, SH.hasValue, SH["not"], SH["and"], SH["or"], SH.xone}
# Parameters whose values pyshacl's own message lists, in an order of its own when there are several.
_LISTED_IN_MESSAGES = (SH["class"], SH.pattern, SH["not"], SH["and"], SH["or"], SH.xone, SH.hasValue, SH.lessThan,
                       SH.lessThanOrEquals)
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
    focus: object  # an rdflib term
    path: str  # `path_text` of sh:resultPath
    value: object  # an rdflib term, or None
    component: str
    message: str  # the rdflib Literal (sh:message's, with its language), or "" if pyshacl gives none
    severity: str  # an IRI, e.g. sh:Violation
    nested: bool = False  # a result pyshacl gives under sh:detail of another (sh:node), not as a result of the report


# --- compiling the shapes ----------------------------------------------------------------------------

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
    nullable: bool = False  # the path may have length zero: the focus node is a value node
    message: Literal | None = None  # None: pyshacl's message for the component
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
    """Compile every shape pyshacl validates on its own (it has targets, or is also a class); pyshacl keeps the rest."""
    compiled, fallback = {}, {}
    implicit = implicit_class_shapes(shapes)
    for shape in sorted({s for p in TARGETS for s in shapes.subjects(p)} | implicit, key=str):
        try:
            compiled[shape] = _Compiler(shapes).top_level(shape, shape in implicit)
        except Unsupported as reason:
            fallback[shape] = str(reason)
    return Compiled(shapes, compiled, fallback)


def _class_kinds(shapes: Graph) -> set:
    """pyshacl's classes of classes: rdfs:Class, owl:Class (a subclass it adds itself) and their direct subclasses."""
    return {RDFS.Class, OWL.Class} | set(shapes.subjects(RDFS.subClassOf, RDFS.Class))


def implicit_class_shapes(shapes: Graph) -> set:
    """The shapes that are also classes: pyshacl (and SHACL) targets their instances (implicit class targets).

    A shape is what pyshacl takes for one: typed sh:NodeShape or sh:PropertyShape, the subject of a
    target, sh:property or sh:node, or the value of a shape-expecting parameter."""
    kinds = _class_kinds(shapes)
    nodes = {s for kind in (SH.NodeShape, SH.PropertyShape) for s in shapes.subjects(RDF.type, kind)}
    nodes |= {s for p in (*TARGETS[:4], SH.property, SH.node) for s in shapes.subjects(p)}
    nodes |= {o for p in (SH.property, SH.node, SH["not"], SH.qualifiedValueShape) for o in shapes.objects(None, p)}
    nodes |= {m for p in (SH["and"], SH["or"], SH.xone) for members in shapes.objects(None, p) for m in shapes.items(members)}
    return {s for s in nodes if kinds & set(shapes.objects(s, RDF.type))}


class _Compiler:
    """Translates one top-level shape; raises Unsupported for anything it cannot translate exactly."""

    def __init__(self, shapes: Graph):
        self.shapes, self.counter, self.class_kinds = shapes, 0, _class_kinds(shapes)

    def top_level(self, shape, implicit: bool) -> list[_Check]:
        """A targeted shape's checks: its own constraints, and those of each member of its sh:property."""
        context = self.targets(shape, implicit)
        checks = [self.owner(shape, context, nested=False)]
        for member in sorted(self.shapes.objects(shape, SH.property), key=str):
            if self.one(member, SH.path) is None:
                raise Unsupported(f"sh:property {member} has no sh:path")
            checks.append(self.owner(member, context, nested=True))
        return [c for c in checks if c.reports()]

    def targets(self, shape, implicit: bool) -> str:
        """A SELECT of the distinct focus nodes of the shape's targets: explicit, and its instances if it is a class."""
        patterns = {SH.targetClass: lambda t: _instances("focus", t), SH.targetSubjectsOf: lambda t: f"?focus {t} [] .",
                    SH.targetObjectsOf: lambda t: f"[] {t} ?focus .", SH.targetNode: lambda t: f"VALUES ?focus {{ {t} }}"}
        parts = []
        for predicate, pattern in patterns.items():
            for target in sorted(self.shapes.objects(shape, predicate), key=str):
                if predicate != SH.targetNode and not isinstance(target, URIRef):
                    raise Unsupported(f"{predicate} {target} is not an IRI")
                parts.append("{ " + pattern(_term(target)) + " }")
        if implicit:
            parts.append("{ " + _instances("focus", _term(shape)) + " }")
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
                       "" if path_node is None else path_text(self.shapes, path_node),
                       path_node is not None and self.nullable(path_node))
        check.severity = str(self.one(shape, SH.severity, URIRef) or SH.Violation)
        self.value_constraints(shape, check)
        if path_node is not None:
            self.property_constraints(shape, check)
        if check.reports():
            messages = list(self.shapes.objects(shape, SH.message))
            if len(messages) > 1 or not all(isinstance(m, Literal) for m in messages):
                raise Unsupported(f"{shape} has more than one sh:message, or one that is not a literal")
            if not messages and any(len(set(self.shapes.objects(shape, p))) > 1 for p in _LISTED_IN_MESSAGES):
                raise Unsupported(f"{shape} has no sh:message, and pyshacl's lists several values in an order of its own")
            check.message = messages[0] if messages else None
        return check

    def check_predicates(self, shape, allowed: set) -> None:
        unknown = set(self.shapes.predicates(shape)) - allowed
        if unknown:
            raise Unsupported(f"{shape} uses {', '.join(sorted(map(str, unknown)))}")
        kinds = set(self.shapes.objects(shape, RDF.type)) - {SH.NodeShape, SH.PropertyShape} - self.class_kinds
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
        for cls in sorted(s.objects(shape, SH["class"]), key=str):  # pyshacl reports each class a value lacks
            tests.append((SH.ClassConstraintComponent, self.instance_of(cls, check)))
        if (kind := self.one(shape, SH.nodeKind)) is not None:
            if kind not in _NODE_KINDS:
                raise Unsupported(f"sh:nodeKind {kind}")
            tests.append((SH.NodeKindConstraintComponent, _NODE_KINDS[kind]))
        if (members := self.one(shape, SH["in"])) is not None:
            tests.append((SH.InConstraintComponent, _any(f"sameTerm(?value, {_term(m)})" for m in self.items(members))))
        if (languages := self.one(shape, SH.languageIn)) is not None:
            tests.append((SH.LanguageInConstraintComponent, self.language_in(self.items(languages))))
        for pattern in sorted(s.objects(shape, SH.pattern), key=str):  # pyshacl reports each pattern a value fails
            tests.append((SH.PatternConstraintComponent, self.pattern(shape, pattern, check)))
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

    def pattern(self, shape, pattern, check: _Check) -> str:
        """pyshacl's sh:pattern: Python's re.search on the IRI or lexical form, with sh:flags i and m only."""
        flags = list(self.shapes.objects(shape, SH.flags))
        if len(flags) > 1 or not all(isinstance(p, Literal) for p in [pattern] + flags):
            raise Unsupported("sh:pattern or sh:flags")
        options = 0
        if flags:
            text = str(flags[0].value).lower()
            options = (re.I if "i" in text else 0) | (re.M if "m" in text else 0)
        try:
            matcher = re.compile(str(pattern), options)
        except re.error as error:
            raise Unsupported(f"sh:pattern: {error}") from None
        failing = self.decided(check, lambda term: not isinstance(term, ox.BlankNode) and not matcher.search(term.value))
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

    def nullable(self, node) -> bool:
        """Whether a (well-formed) path may have length zero."""
        if isinstance(node, URIRef):
            return False
        if self.one(node, RDF.first) is not None:
            return all(self.nullable(step) for step in self.items(node))
        if (choices := self.one(node, SH.alternativePath)) is not None:
            return any(self.nullable(choice) for choice in self.items(choices))
        if self.one(node, SH.zeroOrMorePath) is not None or self.one(node, SH.zeroOrOnePath) is not None:
            return True
        return self.nullable(self.one(node, SH.inversePath) or self.one(node, SH.oneOrMorePath))

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
    """An IRI or literal of the shapes graph in SPARQL syntax (N-Triples is valid SPARQL). The store rewrites a
    query's literals as it rewrites the data's: one it would rewrite cannot be matched as pyshacl matches it."""
    if isinstance(node, BNode):
        raise Unsupported(f"blank node {node} where a SPARQL term is needed")
    try:
        term = to_oxigraph(node)
    except ValueError as error:
        raise Unsupported(f"{node}: {error}") from None
    if isinstance(node, Literal) and not kept(node, stored_forms([term])[0]):
        raise Unsupported(f"the store would rewrite the literal {term}")
    return str(term)


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
    """A SHACL path as SPARQL property-path text, IRIs unabbreviated and without brackets (blank-node ids are not
    stable, so never print them): `a/b`, `a|b`, `^a`, `a*`, `a+`, `a?`, with parentheses around nested operators."""
    if path is None:
        return ""
    return _path_text(graph, path, nested=False)


_UNARY_PATHS = {SH.inversePath: "^{}", SH.zeroOrMorePath: "{}*", SH.oneOrMorePath: "{}+", SH.zeroOrOnePath: "{}?"}


def _path_text(graph: Graph, path, nested: bool) -> str:
    if isinstance(path, URIRef):
        return str(path)
    if (alternatives := graph.value(path, SH.alternativePath)) is not None:
        text = "|".join(_path_text(graph, p, nested=True) for p in _rdf_list(graph, alternatives))
    elif graph.value(path, RDF.first) is not None:
        text = "/".join(_path_text(graph, p, nested=True) for p in _rdf_list(graph, path))
    else:
        operator = next((op for op in _UNARY_PATHS if graph.value(path, op) is not None), None)
        if operator is None:
            return "(complex path)"
        inner = graph.value(path, operator)
        operand = _path_text(graph, inner, nested=True)
        return _UNARY_PATHS[operator].format(operand if isinstance(inner, URIRef) else f"({operand})")
    return f"({text})" if nested else text


def _rdf_list(graph: Graph, node) -> list:
    return list(Collection(graph, node))


# --- running the checks ----------------------------------------------------------------------------

def run(compiled: Compiled, data: LayerUnion) -> tuple[list[Finding], set]:
    """The findings of every compiled shape on the data, and the shapes only pyshacl can decide on it (data it cannot
    compare, or a literal the store rewrote)."""
    found, undecided, messages = [], set(), _DefaultMessages(compiled.shapes, data)
    for shape, checks in compiled.checks.items():
        try:
            if data.rewritten and any(_reads(check, data, data.rewritten) for check in checks):
                raise Undecided(f"{shape} would read a literal the store rewrote")
            found += [messages.complete(finding) for check in checks for finding in _run_check(check, data)]
        except Undecided:
            undecided.add(shape)
    return found, undecided


def _run_check(check: _Check, data: LayerUnion) -> list[Finding]:
    joins = _joins(check, data)
    found = _per_value(check, data, joins) + _counts(check, data, joins)
    found += _unique_languages(check, data) + _missing_values(check, data) + _pairs(check, data)
    return found


def _finding(check: _Check, focus, component: str, value=None) -> Finding:
    """A result; a shape without sh:message leaves the message to `_DefaultMessages`."""
    return Finding(check.shape, to_rdflib(focus), check.path_text, None if value is None else to_rdflib(value), component,
                   check.message, check.severity)


def _reads(check: _Check, data: LayerUnion, terms: set) -> bool:
    """Whether the check would read one of these literals: as a focus node, a value node, or a value it compares with.
    First asked of their datatypes, which most checks never meet: a table of thousands of terms (the derived layer's
    text offsets) made this question cost more than the checks themselves."""
    datatypes = ", ".join(sorted({str(term.datatype) for term in terms}))
    return (_reads_any(check, data, lambda v: f"FILTER (isLiteral({v}) && DATATYPE({v}) IN ({datatypes}))")
            and _reads_any(check, data, lambda v: f"VALUES {v} {{ {' '.join(map(str, terms))} }}"))


def _reads_any(check: _Check, data: LayerUnion, among) -> bool:
    """Whether the check reads a term that `among(variable)` (a SPARQL clause) allows."""
    branches = [f"{{ {{ {check.context} }} {among('?focus')} }}", f"{{ {{ {_values(check)} }} {among('?value')} }}"]
    branches += [f"{{ {{ {check.context} }} ?focus {predicate} ?other {among('?other')} }}" for _, predicate, _ in check.pairs]
    return bool(data.query(f"ASK {{ {' UNION '.join(branches)} }}"))


class _DefaultMessages:
    """The message pyshacl gives a result of a shape without sh:message, written by pyshacl's own constraint
    component, with the namespaces and the data pyshacl would see (`fallback_findings`)."""

    def __init__(self, shapes: Graph, data: LayerUnion):
        self.shapes, self.data = shapes, data
        self.components: dict = {}  # (shape, component IRI) -> pyshacl's constraint component
        self.shapes_graph = self.kinds = self.names = self.described = None

    def complete(self, finding: Finding) -> Finding:
        if finding.message is not None:
            return finding
        component = self.component(finding.shape, finding.component)
        graph = self.graph(BNode in (type(finding.focus), type(finding.value)))
        (message, *_) = component.make_generic_messages(graph, finding.focus, finding.value)
        return replace(finding, message=message)

    def component(self, shape, component: str):
        if self.shapes_graph is None:
            from pyshacl.constraints import CONSTRAINT_PARAMETERS_MAP
            from pyshacl.shapes_graph import ShapesGraph

            self.shapes_graph = ShapesGraph(_copy_of(self.shapes))
            self.shapes_graph.shapes  # reads every shape
            # SHACL names the component of parameter sh:xYz sh:XYzConstraintComponent (sh:qualifiedMinCount's too)
            self.kinds = {str(SH[p[len(SH):][0].upper() + p[len(SH) + 1:] + "ConstraintComponent"]): kind
                          for p, kind in CONSTRAINT_PARAMETERS_MAP.items() if str(p).startswith(str(SH))}
        if (shape, component) not in self.components:
            self.components[(shape, component)] = self.kinds[component](self.shapes_graph.lookup_shape_from_node(shape))
        return self.components[(shape, component)]

    def graph(self, describes_blank_nodes: bool) -> Graph:
        """pyshacl's messages print IRIs with the data graph's prefixes, and a blank node with what the data says of it."""
        if describes_blank_nodes:
            if self.described is None:
                self.described = self.data.as_written()
            return self.described
        if self.names is None:
            self.names = new_graph()
        return self.names


def _values(check: _Check) -> str:
    """The pattern binding each ?focus to its distinct value nodes (itself, for a node shape). A path that may have
    length zero reaches the focus node itself even where the data does not mention it, as in pyshacl; SPARQL's
    zero-length paths only match the graph's subjects and objects."""
    if check.path is None:
        return f"{{ {check.context} }} BIND (?focus AS ?value)"
    itself = f" UNION {{ {{ {check.context} }} BIND (?focus AS ?value) }}" if check.nullable else ""
    return f"{{ SELECT DISTINCT ?focus ?value WHERE {{ {{ {{ {check.context} }} ?focus {check.path} ?value }}{itself} }} }}"


def _joins(check: _Check, data: LayerUnion) -> str:
    """Left joins on ?value that bind the variables the tests read: one per class (its instances), and one per decided
    test with values that fail it (Python's verdict on the distinct values, in a VALUES table)."""
    joins = [f"OPTIONAL {{ SELECT DISTINCT ?value (true AS ?{var}) WHERE {{ {_instances('value', cls)} }} }}"
             for cls, var in check.classes.items()]
    if check.decided:
        query = f"SELECT DISTINCT ?value WHERE {{ {_values(check)} FILTER (!isBLANK(?value)) }}"
        candidates = [row["value"] for row in data.query(query)]
        for test in check.decided:
            if failing := [term for term in candidates if test.fails(term)]:
                joins.append(f"OPTIONAL {{ VALUES (?value ?{test.var}) {{ {' '.join(f'({term} true)' for term in failing)} }} }}")
    return " ".join(joins)


def _per_value(check: _Check, data: LayerUnion, joins: str) -> list[Finding]:
    if not check.per_value:
        return []
    binds = " ".join(f"BIND (COALESCE(!({test}), true) AS ?fails{i})" for i, (_, test) in enumerate(check.per_value))
    any_fails = " || ".join(f"?fails{i}" for i in range(len(check.per_value)))
    query = f"SELECT * WHERE {{ {_values(check)} {joins} {binds} FILTER ({any_fails}) }}"
    found = []
    for row in data.query(query):
        for i, (component, _) in enumerate(check.per_value):
            if row[f"fails{i}"].value == "true":
                found.append(_finding(check, row["focus"], component, row["value"]))
    return found


def _counts(check: _Check, data: LayerUnion, joins: str) -> list[Finding]:
    """Value nodes counted per focus node (a focus node without values has no group: its counts are 0)."""
    if not check.counts:
        return []
    binds = " ".join(f"BIND (IF(COALESCE({c.condition}, false), ?value, ?none) AS ?counted{i})"
                     for i, c in enumerate(check.counts))
    aggregates = " ".join(f"(COUNT(?counted{i}) AS ?n{i})" for i in range(len(check.counts)))
    tests = " || ".join(f"COALESCE(?n{i}, 0) < {c.minimum}" if c.minimum is not None else f"COALESCE(?n{i}, 0) > {c.maximum}"
                        for i, c in enumerate(check.counts))
    if joins or check.nullable:  # count the value nodes in a subquery, joined to the focus nodes
        query = (f"SELECT * WHERE {{ {{ {check.context} }} OPTIONAL {{ SELECT ?focus {aggregates} "
                 f"WHERE {{ {_values(check)} {joins} {binds} }} GROUP BY ?focus }} FILTER ({tests}) }}")
    else:  # faster: one left join; a path other than an IRI may reach a value twice, hence DISTINCT
        distinct = "" if check.path.startswith("<") else "DISTINCT "
        aggregates = " ".join(f"(COUNT({distinct}?counted{i}) AS ?n{i})" for i in range(len(check.counts)))
        query = (f"SELECT * WHERE {{ {{ SELECT ?focus {aggregates} WHERE {{ {{ {check.context} }} "
                 f"OPTIONAL {{ ?focus {check.path} ?value }} {binds} }} GROUP BY ?focus }} FILTER ({tests}) }}")
    found = []
    for row in data.query(query):
        for i, c in enumerate(check.counts):
            n = 0 if row[f"n{i}"] is None else int(row[f"n{i}"].value)
            if (c.minimum is not None and n < c.minimum) or (c.maximum is not None and n > c.maximum):
                found.append(_finding(check, row["focus"], c.component))
    return found


def _unique_languages(check: _Check, data: LayerUnion) -> list[Finding]:
    """pyshacl reports each language tag (lower-cased) that two value nodes share once per focus node, without a value."""
    if not check.unique_lang:
        return []
    query = (f"SELECT ?focus ?language WHERE {{ {_values(check)} FILTER (isLITERAL(?value) && LANG(?value) != \"\") "
             f"BIND (LCASE(LANG(?value)) AS ?language) }} GROUP BY ?focus ?language HAVING (COUNT(DISTINCT ?value) > 1)")
    return [_finding(check, row["focus"], str(SH.UniqueLangConstraintComponent)) for row in data.query(query)]


def _missing_values(check: _Check, data: LayerUnion) -> list[Finding]:
    """One result per focus node and sh:hasValue it lacks, as pyshacl gives them."""
    if not check.has_values:
        return []
    tests = [f"!sameTerm(?focus, {v})" for v in check.has_values]
    if check.path is not None:
        paths = [f"NOT EXISTS {{ ?focus {check.path} {v} }}" for v in check.has_values]
        tests = [f"({itself} && {path})" for itself, path in zip(tests, paths)] if check.nullable else paths
    binds = " ".join(f"BIND ({test} AS ?missing{i})" for i, test in enumerate(tests))
    any_missing = " || ".join(f"?missing{i}" for i in range(len(tests)))
    query = f"SELECT * WHERE {{ {{ {check.context} }} {binds} FILTER ({any_missing}) }}"
    return [_finding(check, row["focus"], str(SH.HasValueConstraintComponent))
            for row in data.query(query) for i in range(len(tests)) if row[f"missing{i}"].value == "true"]


def _pairs(check: _Check, data: LayerUnion) -> list[Finding]:
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
        for row in data.query(query):
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
    top = set(report.objects(None, SH.result))
    found = []
    for result in report.subjects(RDF.type, SH.ValidationResult):
        message = report.value(result, SH.resultMessage)
        found.append(Finding(report.value(result, SH.sourceShape), report.value(result, SH.focusNode),
                             path_text(report, report.value(result, SH.resultPath)), report.value(result, SH.value),
                             str(report.value(result, SH.sourceConstraintComponent)), "" if message is None else message,
                             str(report.value(result, SH.resultSeverity)), nested=result not in top))
    return found


def fallback_findings(compiled: Compiled, undecided: set, data: LayerUnion) -> list[Finding]:
    """pyshacl's results for the shapes not compiled (or undecided on this data), on the data as written."""
    left = set(compiled.fallback) | undecided
    if not left:
        return []
    shapes, kinds = _copy_of(compiled.shapes), _class_kinds(compiled.shapes)
    for shape in compiled.checks.keys() - undecided:  # validated on the store: pyshacl must not target them again
        for predicate, obj in list(shapes.predicate_objects(shape)):
            if predicate in TARGETS or (predicate == RDF.type and obj in kinds):
                shapes.remove((shape, predicate, obj))
    return pyshacl_findings(data.as_written(), shapes)


def _copy_of(shapes: Graph) -> Graph:
    """A copy to give pyshacl, which adds triples to its shapes graph; pyshacl's own messages print with its prefixes."""
    copy = Graph()
    for prefix, namespace in shapes.namespaces():
        copy.bind(prefix, namespace, override=True, replace=True)
    for triple in shapes:
        copy.add(triple)
    return copy


def conforming_filter(findings: list[Finding]) -> list[Finding]:
    """pyshacl with allow_warnings conforms when every result is a warning or an info; validate then reports nothing."""
    if all(f.severity in (str(SH.Warning), str(SH.Info)) for f in findings):
        return []
    return findings
