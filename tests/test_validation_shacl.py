"""The shapes compiled to SPARQL (`cassibile.shacl_sparql`) report exactly what pyshacl, the reference, reports:
on every shape fixture, on the real project graph (before and after reasoning), on mutated copies of the
fixture world, and on a graph built to hit every supported component's corner cases. A shape the compiler
cannot translate, or data it cannot decide, goes to pyshacl and is never skipped."""

from __future__ import annotations

import random

import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, XSD

from cassibile import derive, reason, shacl_sparql
from cassibile.build import reasoning_input
from cassibile.errors import DataError
from cassibile.load import Dataset, load_project, new_graph
from cassibile.query import store_from_graph
from cassibile.validate import Checker, shacl_violations
from test_shapes import PROJECT, WORLD, _fixtures, fixture_dataset

PREFIXES = """
PREFIX ex: <http://example.org/>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX sh: <http://www.w3.org/ns/shacl#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
"""

# Every component and path the compiler translates, with the parameters that change pyshacl's verdict.
ZOO_SHAPES = PREFIXES + """
ex:ThingShape a sh:NodeShape ;
    sh:targetClass ex:Thing ;
    sh:nodeKind sh:IRI ;
    sh:pattern "^http://example\\\\.org/" ;
    sh:message "a thing is an example IRI" ;
    sh:property
        [ sh:path ex:count ; sh:datatype xsd:integer ; sh:maxCount 1 ; sh:message "count" ] ,
        [ sh:path ex:day ; sh:datatype xsd:date ; sh:lessThanOrEquals ex:end ; sh:message "day" ] ,
        [ sh:path ex:start ; sh:lessThan ex:end ; sh:message "start" ] ,
        [ sh:path ex:flag ; sh:datatype xsd:boolean ; sh:message "flag" ] ,
        [ sh:path ex:amount ; sh:datatype xsd:decimal ; sh:message "amount" ] ,
        [ sh:path ex:year ; sh:datatype xsd:gYear ; sh:message "year" ] ,
        [ sh:path ex:note ; sh:datatype xsd:string ; sh:minLength 2 ; sh:maxLength 5 ; sh:message "note" ] ,
        [ sh:path ex:name ; sh:datatype rdf:langString ; sh:languageIn ( "en" "IT" ) ; sh:uniqueLang true ; sh:message "name" ] ,
        [ sh:path ex:anyName ; sh:languageIn ( "*" ) ; sh:datatype rdfs:Literal ; sh:message "any name" ] ,
        [ sh:path ex:code ; sh:pattern "^ab+c$" ; sh:flags "i" ; sh:message "code" ] ,
        [ sh:path ex:rank ; sh:in ( ex:High ex:Low "medium" 3 ) ; sh:minCount 1 ; sh:message "rank" ] ,
        [ sh:path ex:part ; sh:class ex:Part ; sh:nodeKind sh:BlankNodeOrIRI ; sh:message "part" ] ,
        [ sh:path [ sh:inversePath ex:has ] ; sh:maxCount 1 ; sh:class ex:Owner ; sh:message "owner" ] ,
        [ sh:path ( ex:part ex:weight ) ; sh:datatype xsd:integer ; sh:minCount 1 ; sh:message "part weight" ] ,
        [ sh:path [ sh:alternativePath ( ex:label ex:altLabel ) ] ; sh:uniqueLang true ; sh:maxCount 3 ; sh:message "labels" ] ,
        [ sh:path [ sh:zeroOrMorePath ex:next ] ; sh:nodeKind sh:IRI ; sh:message "chain" ] ,
        [ sh:path [ sh:oneOrMorePath ex:next ] ; sh:maxLength 24 ; sh:message "chain length" ] ,
        [ sh:path [ sh:zeroOrOnePath ex:next ] ; sh:minCount 2 ; sh:message "next or self" ] ,
        [ sh:path ex:tag ; sh:hasValue "core" ; sh:message "tag" ] ,
        [ sh:path ex:value ; sh:or ( [ sh:datatype xsd:integer ] [ sh:class ex:Part ] [ sh:pattern "^x" ] ) ;
          sh:message "value" ] ,
        [ sh:path ex:value ; sh:xone ( [ sh:datatype xsd:integer ] [ sh:minLength 2 ] ) ; sh:message "one of" ] ,
        [ sh:path ex:value ; sh:not [ sh:in ( 13 ) ] ; sh:message "not thirteen" ] ,
        [ sh:path ex:value ; sh:and ( [ sh:nodeKind sh:Literal ] [ sh:not [ sh:pattern "z" ] ] ) ; sh:message "literal, no z" ] ,
        [ sh:path ex:part ; sh:qualifiedValueShape [ sh:class ex:Wheel ] ; sh:qualifiedMinCount 1 ; sh:qualifiedMaxCount 2 ;
          sh:message "wheels" ] ,
        [ sh:path ex:hint ; sh:minCount 1 ; sh:severity sh:Warning ; sh:message "hint" ] .

ex:LabelledShape a sh:NodeShape ;
    sh:targetSubjectsOf ex:label ;
    sh:targetObjectsOf ex:pointsTo ;
    sh:targetNode ex:lonely , "a literal target" ;
    sh:hasValue ex:lonely ;
    sh:message "only ex:lonely" .

ex:DatatypeNodeShape a sh:NodeShape ;
    sh:targetObjectsOf ex:count ;
    sh:datatype xsd:integer ;
    sh:not [ sh:hasValue 7 ] ;
    sh:message "a count, never 7" .

ex:TargetedPropertyShape a sh:PropertyShape ;
    sh:targetClass ex:Part ;
    sh:path ex:weight ;
    sh:maxCount 1 ;
    sh:minCount 1 ;
    sh:message "a part has one weight" .
"""

ZOO_DATA = PREFIXES + """
ex:Gadget rdfs:subClassOf ex:Thing .
ex:Wheel rdfs:subClassOf ex:Part .
ex:SpecialWheel rdfs:subClassOf ex:Wheel .

ex:a a ex:Thing ;
    ex:count 1 , "abc"^^xsd:integer ;
    ex:day "2020-02-30"^^xsd:date , "2020-01-15"^^xsd:date , "2021-01-01"^^xsd:date , "2020-01-15Z"^^xsd:date ;
    ex:end "2020-12-31"^^xsd:date , "2020"^^xsd:gYear ;
    ex:start "2019-05-01"^^xsd:date , "b" , 4 , <http://example.org/z> ;
    ex:flag true , "maybe"^^xsd:boolean , "1"^^xsd:boolean ;
    ex:amount 1.5 , "x"^^xsd:decimal , 2 ;
    ex:year "1943"^^xsd:gYear , "1943-13"^^xsd:gYear ;
    ex:note "ok" , "x" , "far too long" , "fine"@en , "fine"^^xsd:string ;
    ex:name "one"@en , "two"@EN , "uno"@it , "eins"@de , "one-gb"@en-GB , "plain" , 5 ;
    ex:anyName "x"@fr , "y" ;
    ex:code "ABBC" , "abc\\n" , "abcd" , <http://example.org/abc> , _:code ;
    ex:rank ex:High , "medium" , "3"^^xsd:integer , "03"^^xsd:integer , "medium"@en , ex:Unknown ;
    ex:part ex:wheel1 , ex:wheel2 , ex:wheel3 , ex:axle , "a literal part" ;
    ex:label "a"@en , "b"@en-gb ;
    ex:altLabel "a"@en , "c"@EN-GB , "d" ;
    ex:next ex:b ;
    ex:tag "core" ;
    ex:value 12 , 13 , "xy" , "z" , "xyz" , ex:axle , "q" ;
    ex:hint "here" .

ex:b a ex:Gadget ;
    ex:rank ex:Low ;
    ex:next _:loop ;
    ex:tag "other" ;
    ex:start "2019"^^xsd:gYear ;
    ex:end "2019-01-01"^^xsd:date .
_:loop ex:next <http://example.org/a-very-long-name-for-a-node> .

<urn:thing> a ex:Thing ; ex:rank ex:High ; ex:tag "core" ; ex:part _:part .
_:part a ex:SpecialWheel ; ex:weight 3 , 4 .

ex:wheel1 a ex:Wheel ; ex:weight 10 .
ex:wheel2 a ex:SpecialWheel ; ex:weight "heavy" .
ex:wheel3 a ex:Wheel .
ex:axle a ex:Part ; ex:weight 2 .
ex:owner1 a ex:Owner ; ex:has ex:a .
ex:owner2 ex:has ex:a .
ex:lonely ex:label "lonely"@en .
ex:other ex:label "other"@en ; ex:pointsTo ex:lonely , ex:other .
"""


def compiled_and_reference(shapes: Graph, data: Graph) -> tuple[set, set, shacl_sparql.Compiled]:
    compiled = shacl_sparql.compile_shapes(shapes)
    found, undecided = shacl_sparql.run(compiled, store_from_graph(data))
    assert undecided == set()
    return set(found), set(shacl_sparql.pyshacl_findings(data, shapes)), compiled


def as_rows(findings: set) -> set[tuple]:
    return {(str(f.shape), f.focus, f.path, f.value, f.component, f.message, f.severity) for f in findings}


def assert_same(shapes: Graph, data: Graph) -> set:
    mine, reference, compiled = compiled_and_reference(shapes, data)
    assert compiled.fallback == {}
    assert as_rows(mine) == as_rows(reference)
    return mine


def parse(text: str) -> Graph:
    return Graph().parse(data=text, format="turtle")


def test_zoo_hits_every_component_and_both_engines_agree():
    found = assert_same(parse(ZOO_SHAPES), parse(ZOO_DATA))
    components = {f.component.rsplit("#", 1)[-1] for f in found}
    assert components >= {
        "DatatypeConstraintComponent", "ClassConstraintComponent", "NodeKindConstraintComponent", "InConstraintComponent",
        "LanguageInConstraintComponent", "PatternConstraintComponent", "MinLengthConstraintComponent",
        "MaxLengthConstraintComponent", "HasValueConstraintComponent", "NotConstraintComponent", "AndConstraintComponent",
        "OrConstraintComponent", "XoneConstraintComponent", "MinCountConstraintComponent",
        "MaxCountConstraintComponent", "UniqueLangConstraintComponent", "LessThanConstraintComponent",
        "LessThanOrEqualsConstraintComponent", "QualifiedMinCountConstraintComponent", "QualifiedMaxCountConstraintComponent",
    }
    ill_typed = {f.value for f in found if f.component.endswith("DatatypeConstraintComponent")}
    assert {"abc", "2020-02-30", "maybe", "x"} <= ill_typed  # rdflib's ill-typed literals fail sh:datatype
    assert "1943-13" not in ill_typed  # rdflib does not check xsd:gYear, so neither does pyshacl
    assert "abc\n" not in {f.value for f in found if f.component.endswith("PatternConstraintComponent")}  # Python's $


@pytest.mark.parametrize("path", _fixtures("valid") + _fixtures("invalid"), ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_both_engines_agree_on_every_fixture(path):
    dataset = fixture_dataset(path)
    assert_same(dataset.shapes, dataset.ontology + dataset.data + derive.derived(dataset))


def test_both_engines_agree_on_the_project_graph_before_and_after_reasoning():
    dataset = load_project(PROJECT)
    graphs = {"ontology": dataset.ontology, "asserted": dataset.data, "derived": derive.derived(dataset)}
    before = graphs["ontology"] + graphs["asserted"] + graphs["derived"] + derive.source_text_graph(dataset)
    assert_same(dataset.shapes, before)
    assert_same(dataset.shapes, before + reason.inferred(reasoning_input(graphs)))


@pytest.mark.parametrize("seed", range(12))
def test_both_engines_agree_on_mutated_worlds(seed):
    """Delete, copy and re-tag triples of the fixture world at random: the shapes then fail in many ways."""
    dataset = fixture_dataset(WORLD)
    rng = random.Random(seed)
    data = dataset.data + derive.derived(dataset)
    triples = sorted(data)
    for _ in range(8):
        s, p, o = rng.choice(triples)
        action = rng.randrange(4)
        if action == 0:
            data.remove((s, p, o))
        elif action == 1:
            data.add((s, p, rng.choice(triples)[2]))
        elif action == 2 and isinstance(o, Literal) and o.language:
            data.add((s, p, Literal(str(o), lang=rng.choice(["en", "it", "fr", "en-GB"]))))
        else:
            data.add((rng.choice(triples)[0], p, o))
    assert_same(dataset.shapes, dataset.ontology + data)


def test_the_projects_shapes_are_all_compiled():
    assert shacl_sparql.compile_shapes(load_project(PROJECT).shapes).fallback == {}


def checker_for(shapes: Graph, data: Graph) -> Checker:
    checker = Checker(PROJECT, Dataset(Graph(), Graph(), shapes))
    checker.add(data)
    return checker


UNSUPPORTED = PREFIXES + """
ex:EqualShape a sh:NodeShape ;
    sh:targetClass ex:Thing ;
    sh:property [ sh:path ex:a ; sh:equals ex:b ; sh:message "a equals b" ] .

ex:UnnamedMessageShape a sh:NodeShape ;
    sh:targetClass ex:Thing ;
    sh:property [ sh:path ex:a ; sh:maxCount 1 ] .

ex:NodeShape a sh:NodeShape ;  # pyshacl also reports the results of the nested shape, under sh:detail
    sh:targetClass ex:Thing ;
    sh:property [ sh:path ex:a ; sh:node ex:Small ; sh:message "small a" ] .

ex:Small a sh:NodeShape ; sh:maxInclusive 1 .

ex:CompiledShape a sh:NodeShape ;
    sh:targetClass ex:Thing ;
    sh:property [ sh:path ex:b ; sh:minCount 2 ; sh:message "two b" ] .
"""
UNSUPPORTED_DATA = PREFIXES + """
ex:t a ex:Thing ; ex:a 1 , 2 ; ex:b 1 .
"""


def test_a_shape_the_compiler_cannot_translate_is_validated_by_pyshacl():
    shapes, data = parse(UNSUPPORTED), parse(UNSUPPORTED_DATA)
    compiled = shacl_sparql.compile_shapes(shapes)
    assert set(compiled.fallback) == {URIRef(f"http://example.org/{name}")
                                      for name in ("EqualShape", "UnnamedMessageShape", "NodeShape")}
    assert set(compiled.checks) == {URIRef("http://example.org/CompiledShape")}
    found = checker_for(shapes, data).shape_violations()
    as_built = new_graph()  # the build's graphs bind the project's prefixes, which pyshacl's own messages use
    as_built += data
    assert sorted(found) == sorted(shacl_violations(as_built, shapes))
    assert {v.rule.rsplit("/", 1)[-1] for v in found} == {
        "EqualShape", "UnnamedMessageShape", "NodeShape", "Small", "CompiledShape"}


def test_data_the_compiled_shapes_cannot_decide_goes_to_pyshacl():
    """pyshacl refuses to compare a blank node with sh:lessThan; so does the build, with the shape named."""
    shapes = parse(PREFIXES + 'ex:S a sh:NodeShape ; sh:targetClass ex:Thing ;'
                              ' sh:property [ sh:path ex:start ; sh:lessThan ex:end ; sh:message "ordered" ] .')
    data = Graph()
    data.add((URIRef("http://example.org/t"), RDF.type, URIRef("http://example.org/Thing")))
    data.add((URIRef("http://example.org/t"), URIRef("http://example.org/start"), BNode()))
    _, undecided = shacl_sparql.run(shacl_sparql.compile_shapes(shapes), store_from_graph(data))
    assert undecided == {URIRef("http://example.org/S")}
    with pytest.raises(DataError, match="BlankNode"):
        checker_for(shapes, data).shape_violations()


def test_warnings_alone_conform_as_with_pyshacl():
    shapes = parse(PREFIXES + 'ex:S a sh:NodeShape ; sh:targetClass ex:Thing ;'
                              ' sh:property [ sh:path ex:hint ; sh:minCount 1 ; sh:severity sh:Warning ; sh:message "hint" ] .')
    data = Graph()
    data.add((URIRef("http://example.org/t"), RDF.type, URIRef("http://example.org/Thing")))
    mine, reference, _ = compiled_and_reference(shapes, data)
    assert as_rows(mine) == as_rows(reference) and len(mine) == 1
    assert checker_for(shapes, data).shape_violations() == shacl_violations(data, shapes) == []
    data.add((URIRef("http://example.org/t"), URIRef("http://example.org/hint"), Literal(1, datatype=XSD.integer)))
    assert compiled_and_reference(shapes, data)[0] == set()
