"""Every export of a real build read back by other implementations: rdflib, pyoxigraph and pyld.

The source graphs are recomputed here from the project (load, derive, reason) and each file in
dist/ must hold exactly its graph; JSON-LD must mean the same to pyld, an independent processor,
as to rdflib; the dataset description must describe the files that are really there.
"""

from __future__ import annotations

import json
from collections import Counter
from itertools import groupby
from pathlib import Path

import pyoxigraph as ox
import pytest
from pyld import jsonld
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, XSD

from cassibile import __version__
from cassibile.build import assemble, reasoning_input, write_outputs
from cassibile.errors import DataError
from cassibile.namespaces import CAS, DCAT, GRAPH, ID, PREFIXES, SOURCE, VOID
from cassibile.pipeline import reason
from cassibile.pipeline.load import load_files, load_project
from cassibile.project import Project
from cassibile.publish.compaction import Compactor
from cassibile.publish.dataset_description import DATASET, describe
from cassibile.publish.export import (
    CONTEXT_URL, DatasetFiles, EntityFramer, LayerStore, claims_graph, claims_owner, compacted_jsonld, compacted_nodes,
    compactor, entities, entity_document_name, jsonld_document, jsonld_graph, node_texts, published_context,
    serialize_blocks, serialize_statements, serialize_with_statements, statement_lines, statements,
)
from cassibile.publish.publication import Publication

LAYERS = ("ontology", "asserted", "derived", "inferred")
RDFLIB_FORMATS = {"ttl": "turtle", "nt": "nt", "jsonld": "json-ld", "rdf": "xml"}


@pytest.fixture(scope="module")
def assembled(root):
    """What the build computes, again in this process by the build's own code."""
    return assemble(Project(root))


@pytest.fixture(scope="module")
def layers(assembled, root) -> dict[str, Graph]:
    """The four layers as rdflib graphs: the hand-written ones as the loader's parser reads them into rdflib, the derived
    one read back from the build's store, the inferred one as the reasoner gives it for the build's reasoning input."""
    store = assembled.layers
    return {"ontology": assembled.dataset.ontology, "asserted": load_files(Project(root).graph_files), "derived": store.graph(GRAPH["derived"]),
            "inferred": reason.inferred(reasoning_input(store))}


def nquads_graph(nquads: str) -> Graph:
    return Graph().parse(data=nquads, format="nquads")


@pytest.mark.parametrize("layer", LAYERS)
@pytest.mark.parametrize("extension", sorted(RDFLIB_FORMATS))
def test_every_layer_file_parses_back_into_its_graph(built, layers, layer, extension):
    parsed = Graph().parse(built / f"{layer}.{extension}", format=RDFLIB_FORMATS[extension])
    assert len(parsed) == len(layers[layer]) > 0
    assert isomorphic(parsed, layers[layer]), f"{layer}.{extension} differs from the {layer} graph"


@pytest.mark.parametrize("layer", LAYERS)
def test_oxigraph_accepts_turtle_ntriples_and_rdfxml(built, layer):
    counts = {
        ext: len(list(ox.parse(path=str(built / f"{layer}.{ext}"), format=fmt)))
        for ext, fmt in (("ttl", ox.RdfFormat.TURTLE), ("nt", ox.RdfFormat.N_TRIPLES), ("rdf", ox.RdfFormat.RDF_XML))
    }
    assert len(set(counts.values())) == 1 and counts["nt"] > 0, counts


@pytest.mark.parametrize("layer", LAYERS)
def test_pyld_expands_each_jsonld_dump_into_the_same_graph(built, layers, layer):
    document = json.loads((built / f"{layer}.jsonld").read_text(encoding="utf-8"))
    assert jsonld.expand(document), "expansion gave nothing"
    converted = nquads_graph(jsonld.to_rdf(document, {"format": "application/n-quads"}))
    assert isomorphic(converted, layers[layer])


def test_jsonld_uses_the_published_context_readably(built, root):
    context = json.loads((root / "ontology" / "context.jsonld").read_text(encoding="utf-8"))["@context"]
    document = json.loads((built / "asserted.jsonld").read_text(encoding="utf-8"))
    assert document["@context"]["label"] == context["label"] == {"@id": "rdfs:label", "@container": "@language"}
    nodes = {node["id"]: node for node in document["@graph"]}
    armistice = nodes[str(ID["armistice-of-cassibile"])]
    assert armistice["type"] == "Armistice"
    assert armistice["label"]["en"] == "Armistice of Cassibile"
    assert set(armistice["editorialLabel"]) | set(armistice["label"]) >= {"en", "it", "de", "pt"}
    fact = next(n for n in nodes.values() if n.get("type") == "Fact" and n.get("predicate") == "signatory")
    assert fact["rank"] in ("NormalRank", "PreferredRank") and isinstance(fact["supportedBy"], list)
    claim = nodes[fact["supportedBy"][0]]
    assert claim["type"] == "Claim" and claim["source"].startswith(str(SOURCE)) and len(claim["quote"]) == 1


def _expanded(term) -> dict:
    """An RDF term as a JSON-LD value object or node reference."""
    if isinstance(term, Literal):
        kind = {"@language": term.language} if term.language else {"@type": str(term.datatype)} if term.datatype else {}
        return {"@value": str(term), **kind}
    return {"@id": str(term)}


def _pyld_choice(context: dict, document: dict) -> str:
    """The key pyld gives the one property of a node object, or the name it gives its one type."""
    compacted = jsonld.compact({"@id": "urn:x-test:subject", **document}, {"@context": context})
    key = next(key for key in compacted if key not in ("@context", "id"))
    return compacted[key] if key == "type" else key


def test_the_compactor_chooses_each_key_of_the_dumps_as_pyld_does(layers, root):
    """compaction.Compactor implements JSON-LD term selection itself: for each property of the layers with each
    kind of value (a language, a datatype, a node a term names or not), for each type, and for the entity documents'
    reverse properties, pyld (the reference processor) chooses the same key."""
    context = published_context(root)
    compactor = Compactor(context)
    shapes = {}
    for s, p, o in (t for graph in layers.values() for t in graph):
        value = _expanded(o)
        if p == RDF.type:
            shapes[("type", str(o))] = ({"@type": [str(o)]}, compactor.iri(str(o), vocab=True))
        else:
            named = compactor.iri(str(o), vocab=True)  # a term such as "PreferredRank" names some nodes
            shape = (o.language, o.datatype) if isinstance(o, Literal) else named if named in context else None
            shapes[(str(p), shape)] = ({str(p): [value]}, compactor.term(str(p), value))
    for role in (RDF.subject, RDF.object):
        value = {"@id": str(ID["x"])}
        shapes[("reverse", str(role))] = ({"@reverse": {str(role): [value]}}, compactor.term(str(role), value, reverse=True))
    assert len(shapes) > 100
    differ = {key: (ours, _pyld_choice(context, document)) for key, (document, ours) in shapes.items()
              if ours != _pyld_choice(context, document)}
    assert not differ, differ


def test_the_compactor_refuses_what_it_does_not_implement():
    """A default language, a term's own language, an index map or a term without an IRI would change pyld's choices."""
    context = {"@vocab": "http://ex.org/", "ex": "http://ex.org/", "name": {"@id": "ex:name"}}
    assert Compactor(context).term("http://ex.org/name", {"@value": "A", "@language": "en"}) == "name"
    for extra in ({"@language": "en"}, {"title": {"@id": "ex:title", "@language": "en"}},
                  {"byKey": {"@id": "ex:byKey", "@container": "@index"}}, {"nameless": {"@type": "@id"}},
                  {"data": {"@id": "ex:data", "@type": "@json"}}):
        with pytest.raises(ValueError, match="does not implement"):
            Compactor({**context, **extra})
    with pytest.raises(ValueError, match="no reverse term"):
        Compactor(context).term("http://ex.org/name", {"@id": "http://ex.org/a"}, reverse=True)


def test_context_names_every_object_property_so_values_stay_plain_iris(root):
    """A cas: object property without a term would compact to {"id": …} objects; a new one needs a term."""
    context = json.loads((root / "ontology" / "context.jsonld").read_text(encoding="utf-8"))["@context"]
    ontology = load_project(Project(root)).ontology
    coerced = {definition["@id"] for definition in context.values() if isinstance(definition, dict)
               and definition.get("@type") in ("@id", "@vocab") and "@id" in definition}
    missing = sorted(str(p) for p in ontology.subjects(RDF.type, OWL.ObjectProperty)
                     if str(p).startswith(str(CAS)) and f"cas:{str(p)[len(str(CAS)):]}" not in coerced)
    assert not missing, f"add a term with \"@type\": \"@id\" to ontology/context.jsonld for: {missing}"


def test_dist_publishes_the_context_byte_for_byte(built, root):
    assert (built / "context.jsonld").read_bytes() == (root / "ontology" / "context.jsonld").read_bytes()


def test_trig_and_nquads_hold_every_layer_and_each_sources_claims_apart(built, layers):
    union = Graph()
    for graph in layers.values():
        union += graph
    for name, fmt in (("cassibile.trig", "trig"), ("cassibile.nq", "nquads")):
        dataset = Dataset()
        dataset.parse(built / name, format=fmt)
        graphs = {g.identifier: g for g in dataset.graphs() if len(g)}
        expected_names = {GRAPH[layer] for layer in LAYERS} | {claims_graph(s) for s in layers["asserted"].subjects(RDF.type, CAS.Source)}
        assert set(graphs) == expected_names, name
        assert claims_graph(SOURCE["en-article"]) == URIRef("https://w3id.org/cassibile/graph/claims/en-article")
        merged = Graph()
        for graph in graphs.values():
            merged += graph
        assert isomorphic(merged, union), f"{name} does not hold exactly the four layers"
        assert not list(graphs[GRAPH["asserted"]].subjects(RDF.type, CAS.Claim)), "claims left in the asserted graph"
        for source in layers["asserted"].subjects(RDF.type, CAS.Source):
            claims = graphs[claims_graph(source)]
            for subject in set(claims.subjects()):
                assert subject == source or claims.value(subject, CAS.source) == source, f"{subject} in {source}'s graph"


def test_oxigraph_reads_the_datasets_with_the_same_quads(built):
    trig = ox.Dataset(ox.parse(path=str(built / "cassibile.trig"), format=ox.RdfFormat.TRIG))
    nquads = ox.Dataset(ox.parse(path=str(built / "cassibile.nq"), format=ox.RdfFormat.N_QUADS))
    assert len(trig) == len(nquads) > 0
    assert all(quad in nquads for quad in trig)


# --- the build's store: one named graph per layer ------------------------------------------------------

def test_the_build_keeps_each_layer_in_a_named_graph_of_the_validation_store(assembled, layers):
    built = assembled
    assert built.layers is built.dataset.layers  # the store the loader parsed ontology/ and graph/ into
    store = built.layers.store
    assert not list(store.quads_for_pattern(None, None, None, ox.DefaultGraph())), "the union validation read is still there"
    names = {quad.graph_name for quad in store}  # the source texts validation read are gone
    assert names == {ox.NamedNode(GRAPH[layer]) for layer in LAYERS}
    for layer in LAYERS:
        assert len(built.layers.triples(GRAPH[layer])) == built.layers.size(GRAPH[layer]) == len(layers[layer]) > 0, layer


def test_the_build_reads_the_hand_written_graph_from_its_store_alone(root, tmp_path, monkeypatch):
    """The loader parses graph/ into the store only, and no step of the build copies it into rdflib: a caller that
    wants rdflib's Graph of it (`Dataset.data`) gets a copy made when it asks."""
    copied = []
    copy = LayerStore.graph
    monkeypatch.setattr(LayerStore, "graph", lambda layers, name: copied.append(str(name)) or copy(layers, name))
    built = assemble(Project(root))
    (tmp_path / "dist").mkdir()
    write_outputs(built, tmp_path / "dist", Project(root))
    assert (tmp_path / "dist" / "site" / "index.html").is_file() and str(GRAPH["asserted"]) not in copied
    assert len(built.dataset.data) == built.layers.size(GRAPH["asserted"]) and copied.count(str(GRAPH["asserted"])) == 1


def rewritten_world() -> Graph:
    """Literals a store rewrites ("5"^^xsd:int is kept as "5"^^xsd:integer, …), one beside the form it takes, and a blank node."""
    graph = Graph()
    node, blank = ID["x"], BNode("b1")
    graph.add((node, CAS.offset, Literal("7797", datatype=XSD.nonNegativeInteger)))
    graph.add((node, CAS.offset, Literal("5", datatype=XSD.int)))
    graph.add((node, CAS.offset, Literal("5", datatype=XSD.integer)))
    graph.add((node, CAS.share, Literal("1.50", datatype=XSD.decimal)))
    graph.add((node, CAS.part, blank))
    graph.add((blank, RDFS.label, Literal("a part", lang="en")))
    return graph


def test_the_store_gives_back_every_literal_as_the_layer_wrote_it():
    graph = rewritten_world()
    layers = LayerStore.of({GRAPH["derived"]: graph})
    stored = {quad.object for quad in layers.store}
    assert ox.Literal("7797", datatype=ox.NamedNode(XSD.integer)) in stored  # the store's own form
    assert layers.triples(GRAPH["derived"]) == statements(graph)
    assert layers.objects(ID["x"], CAS.share) == {Literal("1.50", datatype=XSD.decimal)}
    assert {str(o.datatype) for o in layers.objects(ID["x"], CAS.offset)} == {str(XSD.nonNegativeInteger), str(XSD.int), str(XSD.integer)}


def test_a_graph_made_apart_comes_back_as_written_and_nothing_else_the_work_did():
    """`LayerStore.add_apart` (the build reasons so): the graph the forked work made is loaded here with every literal as
    written, one the store rewrites for the first time included (the triple of another layer that was written in the
    store's form keeps that form); the work's other changes — a scratch graph, a quad it removed — stay in its process."""
    derived = Graph().add((ID["x"], CAS.offset, Literal("5", datatype=XSD.integer)))  # as the store keeps it
    made = rewritten_world()
    made.remove((ID["x"], CAS.part, BNode("b1")))
    made.remove((BNode("b1"), RDFS.label, Literal("a part", lang="en")))
    made.add((ID["y"], CAS.offset, Literal("5", datatype=XSD.int)))  # first written otherwise here
    layers = LayerStore.of({GRAPH["derived"]: derived})
    scratch = ox.NamedNode("urn:x-test:scratch")

    def work():
        layers.add(GRAPH["inferred"], made)
        layers.store.add(ox.Quad(ox.NamedNode(ID["x"]), ox.NamedNode(RDFS.label), ox.Literal("scratch"), scratch))
        layers.store.remove_graph(ox.NamedNode(GRAPH["derived"]))

    layers.add_apart(GRAPH["inferred"], work, "making")
    assert set(layers.store.named_graphs()) == {ox.NamedNode(GRAPH["derived"]), ox.NamedNode(GRAPH["inferred"])}
    assert layers.triples(GRAPH["inferred"]) == statements(made) and layers.size(GRAPH["inferred"]) == len(made)
    assert layers.triples(GRAPH["derived"]) == statements(derived)


def test_work_apart_that_fails_or_makes_blank_nodes_is_refused_here():
    def inconsistent():
        raise DataError("the graph is inconsistent")

    layers = LayerStore()
    with pytest.raises(DataError, match="inconsistent"):
        layers.add_apart(GRAPH["inferred"], inconsistent, "reasoning")
    with pytest.raises(ValueError, match="reasoning made blank nodes"):
        layers.add_apart(GRAPH["inferred"], lambda: layers.add(GRAPH["inferred"], rewritten_world()), "reasoning")
    assert not list(layers.store)


def test_the_triples_of_several_layers_are_their_union_each_once_as_written():
    """What `export --graph all` writes in a graph format: the layers' union as rdflib makes it, a triple that two
    layers hold given once, every literal as written, the blank node labelled from the whole union's content."""
    graph, other = rewritten_world(), Graph()
    other.add((ID["x"], CAS.share, Literal("1.50", datatype=XSD.decimal)))
    other.add((ID["y"], RDFS.label, Literal("y  z ", lang="it")))
    layers = LayerStore.of({GRAPH["derived"]: graph, GRAPH["inferred"]: other})
    assert layers.triples(GRAPH["derived"], GRAPH["inferred"]) == statements(graph + other)
    assert layers.size(GRAPH["derived"]) == len(graph) and layers.size(GRAPH["inferred"]) == len(other)


def test_a_layers_view_answers_rdflibs_look_ups_with_its_literals_as_written():
    graph = rewritten_world()
    graph.add((ID["x"], RDFS.subClassOf, ID["y"]))
    graph.add((ID["y"], RDFS.subClassOf, ID["z"]))
    elsewhere = Graph()
    elsewhere.add((ID["x"], CAS.share, Literal("2.5", datatype=XSD.decimal)))
    view = LayerStore.of({GRAPH["derived"]: graph, GRAPH["asserted"]: elsewhere}).view(GRAPH["derived"])

    def written(terms) -> set:  # each term with all that tells literals apart
        return {(type(t), str(t), getattr(t, "datatype", None), getattr(t, "language", None)) for t in terms}

    for predicate in (CAS.offset, CAS.share, CAS.part, RDFS.label):
        assert written(view.objects(None, predicate)) == written(graph.objects(None, predicate)), predicate
        assert set(view.subject_objects(predicate)) == set(graph.subject_objects(predicate))
        assert set(view.subjects(predicate)) == set(graph.subjects(predicate))
    assert written(o for _, o in view.predicate_objects(ID["x"])) == written(o for _, o in graph.predicate_objects(ID["x"]))
    assert set(view.triples((None, None, None))) == set(graph)  # the other layer's share is not this one's
    assert view.value(ID["x"], CAS.share) == Literal("1.50", datatype=XSD.decimal)
    assert (ID["x"], CAS.share, Literal("2.5", datatype=XSD.decimal)) not in view and (ID["x"], RDFS.subClassOf, ID["y"]) in view
    assert set(view.transitive_objects(ID["x"], RDFS.subClassOf)) == set(graph.transitive_objects(ID["x"], RDFS.subClassOf))
    assert list(view.objects(Literal("x"), RDFS.label)) == list(view.objects(URIRef("not an IRI"), RDFS.label)) == []


def test_only_the_derived_offsets_are_given_back_and_every_layer_reads_as_its_graph(assembled, layers):
    built = assembled
    assert set(built.layers.written) <= {ox.NamedNode(GRAPH["derived"])}  # the text offsets (docs/literals.md)
    for layer in LAYERS:
        assert built.layers.triples(GRAPH[layer]) == statements(layers[layer]), layer


# --- per-entity documents --------------------------------------------------------------------------

def local_context_loader(built: Path):
    """pyld document loader that serves the published context from dist/ and nothing else."""
    context = json.loads((built / "context.jsonld").read_text(encoding="utf-8"))

    def load(url, options=None):
        assert url == CONTEXT_URL, f"unexpected remote document {url}"
        return {"contextUrl": None, "documentUrl": url, "document": context}

    return load


def test_every_entity_has_a_framed_document_meaning_the_data_of_its_page(built, layers):
    """Each document, read back by pyld, holds nothing the layers do not, all of the entity and of every
    fact it is the subject or value of; and the same triples as its page's data (site/id/<slug>.nt)."""
    graph = layers["asserted"] + layers["derived"]
    documents = sorted((built / "id").glob("*.jsonld"))
    assert {p.stem for p in documents} == {str(e)[len(str(ID)):] for e in entities(graph)}
    loader = local_context_loader(built)
    for path in documents:
        document = json.loads(path.read_text(encoding="utf-8"))
        entity = URIRef(str(ID) + path.stem)
        assert document["@context"] == CONTEXT_URL and document["id"] == str(entity), path.name
        converted = nquads_graph(jsonld.to_rdf(document, {"format": "application/n-quads", "documentLoader": loader}))
        facts = {fact for role in (RDF.subject, RDF.object) for fact in graph.subjects(role, entity)}
        assert set(converted) <= set(graph), path.name
        assert {t for node in {entity} | facts for t in graph.triples((node, None, None))} <= set(converted), path.name
        page_data = Graph().parse(built / "site" / "id" / f"{path.stem}.nt", format="nt")
        assert isomorphic(converted, page_data), path.name


def test_entity_documents_are_compacted_exactly_as_pyld_compacts_them(built):
    """cassibile.publish.compaction reuses pyld's term choices; pyld compacting each document again must change nothing."""
    loader = local_context_loader(built)
    context = json.loads((built / "context.jsonld").read_text(encoding="utf-8"))
    for path in sorted((built / "id").glob("*.jsonld")):
        document = json.loads(path.read_text(encoding="utf-8"))
        expanded = jsonld.expand(document, {"documentLoader": loader})
        again = jsonld.compact(expanded, context)
        again["@context"] = CONTEXT_URL
        assert _sorted(again) == _sorted(document), path.name


def _sorted(value):
    """JSON-LD values are sets: compare them in a canonical order."""
    if isinstance(value, dict):
        return {key: _sorted(item) for key, item in sorted(value.items())}
    if isinstance(value, list):
        return sorted((_sorted(item) for item in value), key=lambda item: json.dumps(item, sort_keys=True))
    return value


def test_the_armistice_document_nests_facts_claims_and_named_entities(built):
    document = json.loads((built / "id" / "armistice-of-cassibile.jsonld").read_text(encoding="utf-8"))
    assert list(document)[:3] == ["@context", "id", "type"]
    signatories = [f for f in document["facts"] if f["predicate"] == "signatory"]
    assert signatories, "the armistice document lists no signatory"
    for fact in signatories:
        assert fact["object"]["type"] == "Person" and fact["object"]["label"]
        assert all(claim["quote"] and claim["source"]["title"] for claim in fact["supportedBy"])
    signing_day = [f for f in document["facts"] if f["predicate"] == "pointInTime"]
    assert {"@value": "1943-09-03", "type": "xsd:date"} in [f["rdf:object"] for f in signing_day]


def test_entity_documents_are_the_same_bytes_in_another_process(built, layers, root):
    """The build ran in a subprocess with its own hash seed: set order must not leak into the files."""
    index = Publication(layers["asserted"], layers["derived"])
    framer = EntityFramer(index, published_context(root))
    again = {entity_document_name(entity): framer.document(entity) for entity in index.entities}
    assert sorted(again) == sorted(p.name for p in (built / "id").iterdir())
    changed = [name for name, data in again.items() if (built / "id" / name).read_bytes() != data]
    assert not changed, changed[:5]


# --- the dataset description -------------------------------------------------------------------------

@pytest.fixture(scope="module")
def void(built) -> Graph:
    return Graph().parse(built / "void.ttl", format="turtle")


def test_void_describes_the_dataset_and_its_sources(void, layers):
    assert (DATASET, RDF.type, VOID.Dataset) in void and (DATASET, RDF.type, DCAT.Dataset) in void
    assert void.value(DATASET, DCTERMS.title) and void.value(DATASET, DCTERMS.description)
    assert void.value(DATASET, DCTERMS.license) == URIRef("https://creativecommons.org/licenses/by-sa/4.0/")
    assert str(void.value(DATASET, DCAT.version)) == __version__
    ontology = URIRef("https://w3id.org/cassibile/ontology")
    assert void.value(DATASET, DCTERMS.created) == layers["ontology"].value(ontology, DCTERMS.created)
    assert void.value(void.value(DATASET, DCTERMS.publisher), RDF.type) is not None
    sources = set(layers["asserted"].subjects(RDF.type, CAS.Source))
    assert set(void.objects(DATASET, DCTERMS.source)) == sources
    for source in sources:
        assert void.value(source, DCTERMS.license) and void.value(source, CAS.attribution), source


def test_void_links_every_dump_with_its_real_size(void, built):
    dumps = set(void.objects(DATASET, VOID.dataDump))
    names = {str(url).rsplit("/", 1)[-1] for url in dumps}
    assert {"cassibile.trig", "cassibile.nq", "asserted.ttl", "asserted.jsonld", "asserted.rdf"} <= names
    for distribution in void.objects(DATASET, DCAT.distribution):
        name = str(void.value(distribution, DCAT.downloadURL)).rsplit("/", 1)[-1]
        assert int(void.value(distribution, DCAT.byteSize)) == (built / name).stat().st_size, name
        assert str(void.value(distribution, DCAT.mediaType)).startswith("http://www.iana.org/assignments/media-types/")


def test_void_counts_match_the_files(void, built, layers):
    quads = (built / "cassibile.nq").read_text(encoding="utf-8").count("\n")
    assert int(void.value(DATASET, VOID.triples)) == quads
    assert int(void.value(DATASET, VOID.entities)) == len(entities(layers["asserted"]))
    examples = set(void.objects(DATASET, VOID.exampleResource))
    assert examples and all((e, RDF.type, None) in layers["asserted"] for e in examples)
    vocabularies = {str(v) for v in void.objects(DATASET, VOID.vocabulary)}
    assert {str(CAS), str(RDFS), str(OWL), "http://www.w3.org/2004/02/skos/core#"} <= vocabularies
    assert void.value(DATASET, VOID.sparqlEndpoint) == URIRef("https://w3id.org/cassibile/sparql")  # the public address


def test_void_counts_each_named_graph_as_the_n_quads_hold_it(void, built):
    quads = Counter(quad.graph_name.value for quad in ox.parse(path=str(built / "cassibile.nq"), format=ox.RdfFormat.N_QUADS))
    counted = {str(void.value(subset, DCTERMS.identifier)): int(void.value(subset, VOID.triples))
               for subset in void.objects(DATASET, VOID.subset)}
    assert counted == dict(quads) and len(counted) > 4


def test_void_names_the_sparql_endpoint_it_is_given(tmp_path):
    graph = Graph()
    graph.add((ID["x"], RDF.type, CAS.Person))
    graph.add((ID["x"], RDFS.label, Literal("x", lang="en")))
    (tmp_path / "cassibile.nq").write_bytes(b"0123456789")
    void = describe(LayerStore.of({GRAPH["asserted"]: graph}), {"cassibile.nq": tmp_path / "cassibile.nq"},
                    sparql_endpoint="http://127.0.0.1:7878/query")
    assert void.value(DATASET, VOID.sparqlEndpoint) == URIRef("http://127.0.0.1:7878/query")
    assert int(void.value(DATASET, VOID.triples)) == 2 and int(void.value(DATASET, VOID.entities)) == 1



def test_blank_nodes_are_labelled_by_rdfc_1_0_whatever_the_parser_called_them(root):
    """The shapes' blank nodes, parsed twice (each parse names them afresh), get the same labels both
    times: those of the W3C canonicalization algorithm (`_:c14nN`)."""
    def parsed() -> Graph:
        graph = Graph()
        for path in sorted((root / "shapes").glob("*.ttl")):
            graph.parse(path)
        return graph

    first, second = parsed(), parsed()
    assert set(first.all_nodes()) != set(second.all_nodes())  # the parser's labels differ…
    assert statements(first) == statements(second)  # …the published ones do not
    labels = {term.value for triple in statements(first) for term in (triple.subject, triple.object) if isinstance(term, ox.BlankNode)}
    assert labels and all(label.startswith("c14n") for label in labels)


# Literals to escape, subjects whose IRIs begin alike, types with and without a prefix, a predicate in no prefix's
# namespace, blank nodes, a literal that quotes an IRI in a namespace nothing else is in.
AWKWARD_STATEMENTS = """
PREFIX cas: <https://w3id.org/cassibile/ontology#>
PREFIX id: <https://w3id.org/cassibile/id/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>

id:a a cas:Person , <http://example.org/Unprefixed> ; rdfs:label "line\\nbreak \\"quoted\\" back\\\\slash <&>"@en ,
    "Città — “città”"@it ; <http://example.org/vocab/p> "1.50"^^xsd:decimal , "7"^^xsd:integer , "x"^^<urn:x:datatype> .
id:a-b a <http://example.org/Unprefixed> ; cas:partOf id:a , [ rdfs:label "anonymous" ] .
id:ab rdfs:comment "plain" , "<http://www.w3.org/ns/dcat#Dataset>" ; cas:pointInTime "1943-09"^^xsd:gYearMonth .
[] rdfs:label "another anonymous" ; cas:partOf id:ab .
"""


@pytest.mark.parametrize("fmt", ("ttl", "nt", "xml"))
def test_a_graph_written_subject_by_subject_is_the_same_bytes_as_written_whole(layers, fmt):
    """The site writes each subject's statements once (`statement_lines`) for all the pages that hold them, and joins
    a page's (`serialize_blocks`): byte for byte what `serialize_statements` writes of the page's statements, for the
    ontology (with blank nodes), the hand-written layer, awkward literals and no statement at all."""
    awkward = Graph().parse(data=AWKWARD_STATEMENTS, format="turtle")
    for graph in (layers["ontology"], layers["asserted"], awkward, Graph()):
        triples = statements(graph)
        blocks = [statement_lines(list(same), [fmt])[fmt] for _, same in groupby(triples, key=lambda t: t.subject)]
        assert serialize_blocks(blocks, fmt, header="generated\nhere") == serialize_statements(triples, fmt, header="generated\nhere")


def test_the_dataset_files_are_what_oxigraphs_writers_write_of_each_graphs_quads(tmp_path, layers):
    """The build writes the dataset's N-Quads and TriG from each layer's N-Triples and Turtle (`DatasetFiles.add_written`):
    byte for byte what oxigraph's writers write of each graph's quads, for the ontology (blank nodes), the hand-written
    layer split into its claims' graphs, awkward literals (a line break, a quoted IRI) sent to two graphs, and nothing."""
    awkward = Graph().parse(data=AWKWARD_STATEMENTS, format="turtle")
    sends = {ox.NamedNode(ID["a-b"]): str(GRAPH["claims/x"]), ox.NamedNode(ID["a"]): str(GRAPH["claims/w"])}
    asserted = LayerStore.of({GRAPH["asserted"]: layers["asserted"]}).store
    prefixes = {prefix: str(namespace) for prefix, namespace in PREFIXES.items()}
    for graph, owner in ((layers["ontology"], {}), (layers["asserted"], claims_owner(asserted)), (awkward, sends), (Graph(), sends)):
        triples, name = statements(graph), str(GRAPH["asserted"])
        with DatasetFiles(tmp_path / "head.trig", tmp_path / "head.nq"):
            pass
        with DatasetFiles(tmp_path / "d.trig", tmp_path / "d.nq") as files:
            files.add_written(name, {fmt: serialize_with_statements(triples, fmt)[1] for fmt in ("nt", "ttl")}, owner)
        graphs = {name: []}
        for triple in triples:
            graphs.setdefault(owner.get(triple.subject, name), []).append(triple)
        quads = [[ox.Quad(*triple, ox.NamedNode(g)) for triple in graphs[g]] for g in [name] + sorted(set(graphs) - {name})]
        assert len(quads) == 1 + len(set(owner.values()) & set(graphs)) and (len(quads) > 1) == bool(owner and triples)
        trig = (tmp_path / "head.trig").read_bytes() + b"".join(
            line for found in quads for line in ox.serialize(found, format=ox.RdfFormat.TRIG, prefixes=prefixes).splitlines(True)
            if not line.startswith(b"@prefix "))
        assert (tmp_path / "d.nq").read_bytes() == b"".join(ox.serialize(found, format=ox.RdfFormat.N_QUADS) for found in quads)
        assert (tmp_path / "d.trig").read_bytes() == trig


def test_no_namespace_of_a_prefix_is_inside_another():
    """`statement_lines` gives oxigraph's writers only the prefixes whose namespaces its triples' N-Triples contain: the
    same bytes as with all of them only while no IRI is in two namespaces, where the writer's choice could depend
    on which prefixes it was given."""
    namespaces = [str(namespace) for namespace in PREFIXES.values()]
    assert [(a, b) for a in namespaces for b in namespaces if a != b and b.startswith(a)] == []


def test_a_jsonld_dump_written_node_by_node_is_the_document_of_all_its_nodes(layers, root):
    """`compacted_jsonld` writes each subject's node as soon as its triples are read (a layer at 1M triples never exists
    as Python's dicts), and `jsonld_document` joins the node texts the site keeps: byte for byte the document
    `jsonld_graph` writes of every node at once, for the ontology (blank nodes), the hand-written layer, awkward
    literals and nothing, with the context inline or by its URL, and with a subject's triples given apart (they are
    joined first)."""
    context = published_context(root)
    compact = compactor(context)
    awkward = Graph().parse(data=AWKWARD_STATEMENTS, format="turtle")
    for graph in (layers["ontology"], layers["asserted"], awkward, Graph()):
        triples = statements(graph)
        for said in (context, CONTEXT_URL):
            whole = jsonld_graph(compacted_nodes(triples, compact), said)
            assert compacted_jsonld(triples, compact, said) == whole
            assert compacted_jsonld(triples[1::2] + triples[::2], compact, said) == whole
            # The site joins node texts it keeps per subject; two nodes with one id sort by their JSON, as before.
            halves = (triples[1::2], triples[::2])
            assert (jsonld_document(node_texts(halves[0], compact) + node_texts(halves[1], compact), said)
                    == jsonld_graph(compacted_nodes(halves[0], compact) + compacted_nodes(halves[1], compact), said))
