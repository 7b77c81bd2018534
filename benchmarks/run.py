"""Benchmark the cassibile pipeline against the straightforward one on synthetic projects.

    .venv/bin/python benchmarks/run.py --sizes 10k,100k [--skip-baseline] [--step-limit 600] [--faults]

For each size it generates a synthetic project (`cassibile synthetic`), then runs, each in its
own process so that peak memory belongs to one pipeline (all its processes' PSS summed, and the largest
process's ru_maxrss):

- ours: `cassibile.build.assemble` and `write_outputs`, exactly as `cassibile build` runs them,
  timed phase by phase through the build's own progress messages and the serialisers it calls;
- queries on our embedded store (`cassibile.sparql.query.run_local`, as `cassibile query` runs them)
  and on raw pyoxigraph (the same query text on a plain `pyoxigraph.Store`);
- the straightforward pipeline: rdflib's default store parsing Turtle, the same derivation code,
  pyshacl with the same shapes plus the violation queries on rdflib's SPARQL engine, owlrl's
  DeductiveClosure, rdflib's serialisers, and rdflib's SPARQL engine for the bundled queries.

It prints one Markdown table per size, with ratios measured in the same run, and checks that
both pipelines find the same violations and publish the same closure. A step that runs past
--step-limit seconds is stopped and reported as "> N s"; the baseline's later steps then use
our inferred graph so that they can still be measured. A query on rdflib's engine, published or
violation query, is stopped after --query-limit seconds in the same way; if a violation query
was, the comparison of violations says it is incomplete. Never run by the unit tests.
"""

from __future__ import annotations

import argparse
import importlib
import inspect
import json
import os
import platform
import queue
import shutil
import signal
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GRACE = 30  # seconds past the limit before a step that ignores SIGALRM (native code) is killed
SIZES = {"k": 1_000, "m": 1_000_000}
PLAIN_FORMATS = {"ttl": "turtle", "nt": "nt", "jsonld": "json-ld", "rdf": "xml", "trig": "trig", "nq": "nquads"}
WRITE = "write dist/ (all outputs)"
PARAMETERS = "benchmark-parameters.json"
# Query parameters bound to synthetic things that exist (the defaults name real ones, e.g. id:cassibile).
PARAMETER_QUERIES = {
    "place": "SELECT ?x WHERE { ?e cas:location ?x . ?x a cas:Settlement } GROUP BY ?x ORDER BY DESC(COUNT(?e)) ?x LIMIT 1",
    "event": "SELECT ?x WHERE { ?x a cas:Battle ; cas:participant ?p } GROUP BY ?x ORDER BY DESC(COUNT(?p)) ?x LIMIT 1",
    "agreement": "SELECT ?x WHERE { ?x a cas:Signing ; cas:participant ?p } GROUP BY ?x ORDER BY DESC(COUNT(?p)) ?x LIMIT 1",
    "source": "SELECT ?x WHERE { ?x a cas:Source ; dct:language \"en\" } ORDER BY ?x LIMIT 1",
    "qid": "SELECT ?x WHERE { ?p a cas:Person ; owl:sameAs ?x } ORDER BY ?x LIMIT 1",
}
PERIOD = {"from": "1943-09-01", "to": "1943-09-30"}
# --faults: an entity, a claim and a fact broken on purpose, so that both pipelines have violations
# to report and the comparison of their results means something.
FAULTS = """# Broken on purpose by benchmarks/run.py --faults: every pipeline must report these.
PREFIX cas: <https://w3id.org/cassibile/ontology#>
PREFIX claim: <https://w3id.org/cassibile/claim/>
PREFIX fact: <https://w3id.org/cassibile/fact/>
PREFIX id: <https://w3id.org/cassibile/id/>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX schema: <http://schema.org/>
PREFIX source: <https://w3id.org/cassibile/source/>
PREFIX wikibase: <http://wikiba.se/ontology#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>

id:broken-person a cas:Person ;
    rdfs:label "Broken Person"@en ;
    schema:description "an entity broken on purpose: English label from no source, no other labels"@en .

claim:en-chronicle-00001--faked a cas:Claim ;
    cas:source source:en-chronicle-00001 ;
    cas:quote "No chronicle contains this sentence."@en .

fact:broken-person--dateOfDeath--1950 a cas:Fact ;
    rdf:subject id:broken-person ;
    rdf:predicate cas:dateOfDeath ;
    rdf:object "1950"^^xsd:gYear ;
    cas:rank wikibase:DeprecatedRank ;
    cas:supportedBy claim:en-chronicle-00001--faked .

fact:broken-person--dateOfDeath--1951 a cas:Fact ;
    rdf:subject id:broken-person ;
    rdf:predicate cas:dateOfDeath ;
    rdf:object "1951"^^xsd:gYear ;
    cas:rank wikibase:NormalRank .
"""


# --- inside a worker: timing steps and reporting them ---------------------------------------------

class StepTimeout(Exception):
    """Raised by SIGALRM inside a step that ran past the limit."""


def emit(**record) -> None:
    """One JSON line on stdout: the parent reads these as the worker goes."""
    print(json.dumps(record), flush=True)


def _alarm(_signum, _frame):
    raise StepTimeout


class Steps:
    """Times named steps; a step past the limit is interrupted (where Python code runs) and reported."""

    def __init__(self, limit: int):
        self.limit, self.timed_out, self.records = limit, False, {}
        signal.signal(signal.SIGALRM, _alarm)

    def record(self, **record) -> None:
        self.records[record["step"]] = record
        emit(**record)

    def combined(self, name: str, parts: list[str], **info) -> None:
        """A step made of parts already timed: their sum, or a lower bound if one was stopped or failed."""
        records = [self.records[p] for p in parts]
        if all("seconds" in r for r in records):
            self.record(step=name, seconds=sum(r["seconds"] for r in records), **info)
        else:
            self.record(step=name, timeout=sum(r.get("timeout", r.get("seconds", 0)) for r in records), **info)

    def total(self, started: float) -> None:
        """The whole run's time; a lower bound ("> N s") if a step was stopped."""
        elapsed = time.perf_counter() - started
        emit(step="build total", **({"timeout": round(elapsed)} if self.timed_out else {"seconds": elapsed}))

    @contextmanager
    def step(self, name: str, limit: int | None = None, **info):
        """Time a step, stopped after `limit` seconds (default: the step limit); `outcome["ok"]` says whether it finished."""
        limit = limit or self.limit
        emit(start=name)
        signal.alarm(limit)
        started = time.perf_counter()
        outcome = {"ok": True}
        try:
            yield outcome
        except StepTimeout:
            outcome["ok"], self.timed_out = False, True
            self.record(step=name, timeout=limit, **info)
            return
        finally:
            signal.alarm(0)
        self.record(step=name, seconds=time.perf_counter() - started, **info)

    def rdflib_query(self, name: str, limit: int, graph, query: str, **info) -> list | None:
        """One query on rdflib's SPARQL engine, timed as a step and stopped after `limit` seconds (a query's limit,
        not a step's): its rows, or None if it was stopped or rdflib failed on it (both reported)."""
        rows = None
        try:
            with self.step(name, limit, **info):
                rows = list(graph.query(query))
        except Exception as error:  # rdflib's engine fails on some queries: report it, go on
            self.record(step=name, error=type(error).__name__, **info)
        return rows


def worker_ours(project: Path, limit: int, reasoner: str | None, jobs: int | None = None) -> None:
    """`cassibile build --jobs N` on the project, phase by phase, and what it would publish."""
    from cassibile import build
    from cassibile.cli import default_jobs
    from cassibile.errors import CassibileError
    from cassibile.namespaces import GRAPH
    from cassibile.pipeline import reason
    from cassibile.project import Project
    from cassibile.publish.outputs import LAYERS

    steps = Steps(limit)
    recorder = PhaseRecorder(steps)
    started = time.perf_counter()
    try:
        built, site = build.assemble_for_writing(Project(project), reasoner or reason.DEFAULT_ENGINE, recorder, jobs or default_jobs())
    except StepTimeout:
        emit(step=recorder.phase, timeout=limit)
        return
    recorder.finish()
    emit(info={"triples": {name: built.layers.size(GRAPH[name]) for name in LAYERS}, "violations": len(built.violations)})
    _write_violations(project / "ours-violations.json", [(v.focus, v.path, v.value) for v in built.violations])
    out = project / "dist"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir()
    try:
        with steps.step(WRITE), instrumented(built):
            build.write_outputs(built, out, Project(project), jobs=jobs or default_jobs(), site=site)
    except CassibileError as error:  # e.g. the site refuses the faked quote that --faults plants
        emit(step=WRITE, error=type(error).__name__)
        emit(step="build total", error="writing failed")
        return
    steps.total(started)


class PhaseRecorder:
    """A `build.Progress` that turns the build's own progress messages into timed phases."""

    PHASES = (  # message that starts a phase -> its name in the table
        ("loading", "parse"), ("loaded", "derive"), ("reasoning", "reason"), ("inferred", "validate (without the closure)"),
        ("indexing", "index the publication"),
        ("working out what the site", "site: the answers every page shares"),
        ("validating with the inferred", "validate (with the closure)"),
    )
    ENDS = ("derived", "validated")  # messages that end a phase and start none
    PARTS = ("OWL RL rules, round",)  # messages of parts of a phase, which goes on (from the process that reasons)

    def __init__(self, steps: Steps):
        self.steps, self.phase, self.started = steps, None, time.perf_counter()
        self.part_started = self.started
        self.waited = set()  # phases that ran in another process beside an earlier one: their time is the wait

    def step(self, message: str) -> None:
        if message.startswith(self.PARTS) and self.phase is not None:
            now = time.perf_counter()
            emit(step=message, seconds=now - self.part_started, part_of=self.phase)
            self.part_started = now
            return
        self.finish()
        if "validating meanwhile" in message:
            self.waited.add("validate (without the closure)")
        if message.startswith("validating with the inferred") and "in another process" in message:
            self.waited.add("validate (with the closure)")  # since the step after reasoning, beside the index and the site's answers
        if message.startswith(self.ENDS):
            return
        self.phase = next((name for prefix, name in self.PHASES if message.startswith(prefix)), message)
        self.started = self.part_started = time.perf_counter()
        emit(start=self.phase, message=message)
        signal.alarm(self.steps.limit)

    def finish(self) -> None:
        signal.alarm(0)
        elapsed = time.perf_counter() - self.started
        if self.phase is not None and (elapsed >= 0.005 or self.phase in dict(self.PHASES).values()):
            emit(step=self.phase, seconds=elapsed, **({"waited": True} if self.phase in self.waited else {}))
        self.phase = None


@contextmanager
def instrumented(built):
    """Time each writer `write_outputs` calls, named by the layer and format it writes.

    The build looks these functions up in their modules when it runs, so wrapping the module
    attributes times the real calls; a writer the build no longer has is simply not itemised.
    """
    names = {id(built.dataset.shapes): "shapes"}  # the one rdflib graph the writers convert (the layers are read from the store)
    converted: dict[int, str] = {}  # id of a list of oxigraph statements -> the layer (or dataset) it holds

    def remember(result, graph, *args, **kwargs):
        converted[id(result)] = names.get(id(graph), "(other graph)")
        return f"convert {converted[id(result)]} to sorted oxigraph triples"

    def described(result, *args, **kwargs):
        names[id(result)] = "void"  # the graph `serialize_graph` then writes
        return "export void.ttl (description)"

    def read(result, layers, name, *args, **kwargs):
        converted[id(result)] = str(name).rsplit("/", 1)[-1]
        return f"read {converted[id(result)]} from the store, sorted"

    def written(_, found, fmt, *args, **kwargs):
        extension = {"xml": "rdf"}.get(fmt, fmt)
        return f"export {converted.get(id(found), '(other graph)')}.{extension}"

    wrapped = [
        ("cassibile.publish.export", "statements", remember),
        ("cassibile.publish.export", "serialize_statements", written),
        ("cassibile.publish.export", "serialize_with_statements", written),
        ("cassibile.publish.export", "jsonld_bytes", lambda _, found, *a, **k: f"export {converted.get(id(found), '(other graph)')}.jsonld"),
        ("cassibile.publish.export:DatasetFiles", "add_written", lambda _, files, name, *a, **k: f"export cassibile.trig and .nq: {str(name).rsplit('/', 1)[-1]}"),
        ("cassibile.build", "serialize_graph", lambda _, g, fmt, *a, **k: f"export {names.get(id(g), '(other graph)')}.{'rdf' if fmt == 'xml' else fmt}"),
        ("cassibile.pipeline.store:LayerStore", "triples", read),
        ("cassibile.publish.wikidata", "build_outputs", lambda *_, **k: "export wikidata view + QuickStatements"),
        ("cassibile.publish.dataset_description", "describe", described),
        ("cassibile.publish.annotations", "annotation_collection", lambda *_, **k: "export annotations.jsonld"),
        ("cassibile.publish.site", "write_site", lambda *_, **k: "export site/ and id/*.jsonld (pages, entity documents; the time beyond the data files above)"),
    ]
    apart = [("cassibile.build", "write_data_files")]  # called inside `write_site`, in its process, while the others render
    originals = []
    for where, attribute, label in wrapped:  # where: "module" or "module:Class"
        module_name, _, class_name = where.partition(":")
        try:
            target = importlib.import_module(module_name)
        except ImportError:
            continue
        target = getattr(target, class_name, None) if class_name else target
        if target is not None and hasattr(target, attribute):
            originals.append((target, attribute, getattr(target, attribute)))
            setattr(target, attribute, _timed(getattr(target, attribute), label))
    for where, attribute in apart:
        target = importlib.import_module(where)
        if hasattr(target, attribute):
            originals.append((target, attribute, getattr(target, attribute)))
            setattr(target, attribute, _timed_apart(getattr(target, attribute)))
    try:
        yield
    finally:
        for module, attribute, original in originals:
            setattr(module, attribute, original)


_TIMING = []  # the timed calls under way: a call inside another (a page's Turtle in the site) is the outer one's time
_APART = [0.0]  # seconds spent so far in calls timed apart (`_timed_apart`)


def _timed(function, label):
    """`label(result, *args, **kwargs)` names the call once it has returned; a generator is timed
    while it is consumed."""
    def timed(*args, **kwargs):
        if _TIMING:
            return function(*args, **kwargs)
        _TIMING.append(label)
        started, apart = time.perf_counter(), _APART[0]
        try:
            result = function(*args, **kwargs)
        finally:
            _TIMING.pop()
        elapsed, name = time.perf_counter() - started - (_APART[0] - apart), label(result, *args, **kwargs)
        if inspect.isgenerator(result):
            return _timed_generator(result, name, elapsed)
        emit(step=name, seconds=elapsed, part_of=WRITE)
        return result
    return timed


def _timed_apart(function):
    """A call made inside a timed one that is not its work (the data files the build writes while the site's other
    processes render pages): the writers it calls are timed on their own, and its time is not the outer call's."""
    def timed(*args, **kwargs):
        outer, _TIMING[:] = _TIMING[:], []
        started = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            _TIMING[:] = outer
            _APART[0] += time.perf_counter() - started
    return timed


def _timed_generator(items, name: str, elapsed: float):
    """The time spent producing each item, not the caller's time between items; a writer it calls meanwhile is its time."""
    while True:
        started = time.perf_counter()
        _TIMING.append(name)
        try:
            item = next(items)
        except StopIteration:
            emit(step=name, seconds=elapsed + time.perf_counter() - started, part_of=WRITE)
            return
        finally:
            _TIMING.pop()
        elapsed += time.perf_counter() - started
        yield item


def _write_violations(path: Path, rows) -> None:
    """(focus, path, value) of each violation; a path expression (a blank node in pyshacl's report,
    "a|b" in ours) is compared as such, not by its spelling."""
    def plain_path(text: str) -> str:
        return text if text.startswith("http") and "|" not in text else ("(path expression)" if text else "")

    found = {(str(focus), plain_path(str(shape_path)), str(value)) for focus, shape_path, value in rows}
    path.write_text(json.dumps(sorted(found)), encoding="utf-8")


def bundled(project: Path) -> list[tuple[str, str, object, dict]]:
    """(name, bound query text, query file, values) for each published query that runs offline.

    The `*-violation.rq` queries need the source texts, which dist/ does not hold: they are timed
    inside validation (the breakdown worker).
    """
    from cassibile.errors import UsageError
    from cassibile.sparql import query as q

    chosen = json.loads((project / PARAMETERS).read_text(encoding="utf-8"))
    found = []
    for name, item in q.bundled_queries(project / "queries").items():
        if not item.is_published or "SERVICE" in item.text.upper():
            continue
        try:
            values = q.bindings_for(item, {p.name: chosen[p.name] for p in item.parameters if p.name in chosen})
        except UsageError:
            continue  # a parameter without a default: nothing to run it with
        found.append((name, q.bind(item.text, values), item, values))
    return found


def worker_queries(project: Path, limit: int, engine: str) -> None:
    """Load dist/cassibile.nq and run every bundled query, on our embedded store or raw pyoxigraph."""
    import pyoxigraph as ox

    from cassibile.sparql import query as q

    steps = Steps(limit)
    data = project / "dist" / "cassibile.nq"
    with steps.step("load cassibile.nq"):
        store = q.store_from_file(data) if engine == "ours" else _raw_store(ox, data)
    for name, text, item, values in bundled(project):
        emit(start=f"query {name}")
        best, rows = None, 0
        for _ in range(3):  # best of three: these take milliseconds, and the machine is shared
            started = time.perf_counter()
            if engine == "ours":  # what `cassibile query` runs; rows are counted outside the timing
                result = q.run_local(store, item.text, values, location=item.path)
                elapsed = time.perf_counter() - started
                rows = len(result.rows)
            else:
                rows = _raw_rows(ox, store, text)
                elapsed = time.perf_counter() - started
            best = elapsed if best is None else min(best, elapsed)
        emit(step=f"query {name}", seconds=best, rows=rows)


def _raw_store(ox, data: Path):
    store = ox.Store()
    store.bulk_load(path=str(data), format=ox.RdfFormat.N_QUADS)
    return store


def _raw_rows(ox, store, text: str) -> int:
    answer = store.query(text, use_default_graph_as_union=True)
    if isinstance(answer, ox.QueryBoolean):
        return 0
    variables = answer.variables
    return len([[solution[v] for v in variables] for solution in answer])


def worker_plain(project: Path, limit: int, query_limit: int) -> None:
    """The straightforward pipeline: rdflib, pyshacl, owlrl and rdflib's serialisers and SPARQL."""
    from rdflib import Dataset as RDFDataset
    from rdflib import Graph
    from rdflib.namespace import RDF

    from cassibile.namespaces import CAS, GRAPH
    from cassibile.pipeline import derive, reason
    from cassibile.pipeline.load import Dataset
    from cassibile.pipeline.store import LayerStore
    from cassibile.project import Project

    steps = Steps(limit)
    layout = Project(project)
    started = time.perf_counter()
    with steps.step("parse"):
        ontology, data, shapes = (_parse_all(Graph, files) for files in (layout.ontology_files, layout.graph_files, layout.shape_files))
    dataset = Dataset(ontology, data, shapes)
    dataset.source_texts = {s: (layout.graph_dir / str(data.value(s, CAS.textFile))).read_text(encoding="utf-8")
                            for s in data.subjects(RDF.type, CAS.Source)}
    dataset.layers = LayerStore.of({GRAPH["asserted"]: data})  # not timed: the project's rules read a store, as the build's
    with steps.step("derive"):
        derived = derive.derived(dataset)
        texts = derive.source_text_graph(dataset)
    violation_queries = sorted((project / "queries").glob("*-violation.rq"))
    before, unfinished = _plain_validation(steps, "validate (without the closure)", ontology + data + derived + texts, shapes,
                                           violation_queries, query_limit)
    inferred, closed = None, _reasoning_input(ontology, data, derived)  # not timed: the build reads its input from its store
    with steps.step("reason") as outcome:
        inferred = _owlrl_published(closed, reason)
    if not outcome["ok"]:  # measure what follows on our closure, which the comparison shows to be the same
        inferred = Graph().parse(project / "dist" / "inferred.nt", format="nt")
        emit(info={"reason": "timed out; later steps use our inferred graph"})
    else:
        (project / "plain-inferred.nt").write_bytes(inferred.serialize(format="nt", encoding="utf-8"))
    after, unfinished_after = _plain_validation(steps, "validate (with the closure)", ontology + data + derived + inferred + texts,
                                                shapes, violation_queries, query_limit)
    _write_violations(project / "plain-violations.json", before | after)
    if unfinished + unfinished_after:
        emit(info={"unfinished validation": unfinished + unfinished_after})
    layers = {"ontology": ontology, "asserted": data, "derived": derived, "inferred": inferred}
    out = project / "plain-dist"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir()
    for name, graph in layers.items():
        for fmt in ("ttl", "nt", "jsonld", "rdf"):
            with steps.step(f"export {name}.{fmt}"):
                (out / f"{name}.{fmt}").write_bytes(graph.serialize(format=PLAIN_FORMATS[fmt], encoding="utf-8"))
    for fmt in ("trig", "nq"):
        with steps.step(f"export cassibile.{fmt}"):
            whole = RDFDataset()
            for name, graph in layers.items():
                whole.graph(GRAPH[name]).__iadd__(graph)
            (out / f"cassibile.{fmt}").write_bytes(whole.serialize(format=PLAIN_FORMATS[fmt], encoding="utf-8"))
    steps.total(started)
    _plain_queries(project, steps, query_limit)


def _parse_all(graph_class, files):
    graph = graph_class()
    for path in files:
        graph.parse(path, format="turtle")
    return graph


def _plain_validation(steps: Steps, label: str, graph, shapes, violation_queries: list[Path],
                      query_limit: int) -> tuple[set[tuple], list[str]]:
    """pyshacl with the project's shapes, then each violation query on rdflib's own SPARQL engine, each a step
    stopped after the query limit, as the published queries are; the (focus, path, value) of every result found,
    and the steps that did not finish (the comparison of violations is then incomplete)."""
    import pyshacl
    from rdflib.namespace import RDF, SH

    found, unfinished = set(), []
    shacl, queries = f"{label}: pyshacl", f"{label}: violation queries (rdflib SPARQL)"
    with steps.step(shacl, part_of=label) as outcome:
        _, report, _ = pyshacl.validate(graph, shacl_graph=shapes, inference="none", allow_warnings=True)
        for result in report.subjects(RDF.type, SH.ValidationResult):
            found.add(tuple(str(report.value(result, p) or "") for p in (SH.focusNode, SH.resultPath, SH.value)))
    unfinished += [] if outcome["ok"] else [shacl]
    rules = {f"{label}: queries/{path.name}": path for path in violation_queries}
    for step, path in rules.items():
        rows = _violation_rows(steps, step, path, graph, query_limit, part_of=queries, rule=path.name)
        if rows is None:
            unfinished.append(step)
        else:
            found.update(tuple(str(row.get(column, "")) for column in ("focus", "path", "value")) for row in rows)
    steps.combined(queries, list(rules), part_of=label)
    steps.combined(label, [shacl, queries])
    return found, unfinished


def _violation_rows(steps: Steps, step: str, path: Path, graph, query_limit: int, **info) -> list[dict] | None:
    """A violation query's rows on rdflib's engine, or None if it was stopped or failed."""
    from cassibile.pipeline import validate

    if path.name == validate.LABEL_NOT_IN_SOURCE:  # its query is quadratic; both pipelines run the rule in Python
        rows = None
        with steps.step(step, query_limit, **info):
            rows = [{"focus": v.focus, "path": v.path, "value": v.value} for v in validate.label_not_in_source_violations(graph)]
        return rows
    rows = steps.rdflib_query(step, query_limit, graph, path.read_text(encoding="utf-8"), **info)
    return None if rows is None else [row.asdict() for row in rows]


def _reasoning_input(ontology, data, derived):
    """What the build gives its reasoner (`build.reasoning_input`: the layers, fact nodes reduced to their type), in
    rdflib, so that both closures start from the same triples."""
    from rdflib import Graph
    from rdflib.namespace import RDF

    from cassibile.namespaces import CAS

    facts = set(data.subjects(RDF.type, CAS.Fact))
    graph = Graph()
    for layer in (ontology, data, derived):
        for triple in layer:
            if triple[0] not in facts or triple[1] == RDF.type:
                graph.add(triple)
    return graph


def _owlrl_published(graph, reason):
    """owlrl's OWL RL closure, as its documentation shows, keeping what the build would publish."""
    import owlrl
    from rdflib import Graph

    work = Graph()
    work += graph
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(work)
    added = {t for t in work if t not in graph}
    kept = reason.published(graph, added) if hasattr(reason, "published") else {t for t in added if reason.is_published(*t)}
    published = Graph()
    for triple in kept:
        published.add(triple)
    return published


def _plain_queries(project: Path, steps: Steps, query_limit: int) -> None:
    from rdflib import Dataset as RDFDataset

    with steps.step("load cassibile.nq"):
        whole = RDFDataset(default_union=True)
        whole.parse(project / "dist" / "cassibile.nq", format="nquads")
    for name, text, _, _ in bundled(project):
        steps.rdflib_query(f"query {name}", query_limit, whole, text)


def worker_breakdown(project: Path, limit: int, reasoner: str | None) -> None:
    """Where our parse, validation and reasoning time goes: each part of them timed on its own."""
    import pyoxigraph as ox

    from cassibile.build import REASONED, SOURCE_TEXTS, reasoning_input
    from cassibile.namespaces import GRAPH
    from cassibile.pipeline import derive, reason, validate
    from cassibile.pipeline.load import load_project
    from cassibile.project import Project

    steps, layout = Steps(limit), Project(project)
    with steps.step("parse: pyoxigraph alone (no rdflib graph)"):
        for path in layout.ontology_files + layout.graph_files + layout.shape_files:
            for _ in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE):
                pass
    with steps.step("parse: load_project (pyoxigraph into the store and into rdflib, checks, line index)"):
        dataset = load_project(layout)
    with steps.step("derive: into the store, from it"):
        derive.derive(dataset)
    texts = derive.source_text_graph(dataset)
    with steps.step("validate: add the source-text layer to the store"):
        checker = validate.Checker(layout, dataset, dataset.layers, [GRAPH[name] for name in REASONED])
        checker.add(texts, SOURCE_TEXTS)
    with steps.step("validate: shapes compiled to SPARQL (all shapes)"):
        checker.shape_violations()
    with steps.step("validate: the layers' union opened and closed (triples two layers hold set aside)"):
        with checker.layers.union(checker.checked):
            pass
    with checker.layers.union(checker.checked) as data:
        for path, _ in checker.queries:
            with steps.step(f"validate: queries/{path.name}" + (" (decided in Python)" if path.name == validate.LABEL_NOT_IN_SOURCE else "")):
                validate.query_violations(data, [path])
        with steps.step("validate: verified QIDs (entities.tsv)"):
            validate.wikidata_violations(data, layout.graph_dir / "wikidata" / "entities.tsv")
    with steps.step("validate: plain triples that should be facts"):
        validate.plain_fact_violations(dataset)
    with steps.step("reason: the input read from the store"):
        asserted = reasoning_input(dataset.layers)
    engine = reasoner or reason.DEFAULT_ENGINE
    with steps.step(f"reason: closure ({engine})"):
        added, _ = reason.CLOSURES[engine](asserted)
    with steps.step("reason: consistency checks on the closure"):
        reason.closure_inconsistencies(asserted, added)


WORKERS = {"ours": worker_ours, "breakdown": worker_breakdown, "queries-ours": worker_queries, "queries-raw": worker_queries,
           "plain": worker_plain}


# --- in the parent: running workers, collecting and printing -------------------------------------

def run_worker(kind: str, project: Path, limit: int, extra: list[str], log: Path) -> dict:
    """Run one worker; kill it if a step outlives the limit; return its steps and peak memory."""
    command = [sys.executable, str(Path(__file__).resolve()), "--worker", kind, "--project", str(project),
               "--step-limit", str(limit), *extra]
    env = {**os.environ, "CASSIBILE_ROOT": str(project), "PYTHONWARNINGS": "ignore"}
    with open(log, "a", encoding="utf-8") as errors:
        process = subprocess.Popen(command, cwd=project, env=env, stdout=subprocess.PIPE, stderr=errors, text=True, start_new_session=True)
        memory = TreeMemory(process.pid)  # the worker leads a session of its own: it and every process it starts
        lines: queue.Queue = queue.Queue()
        threading.Thread(target=_pump, args=(process.stdout, lines), daemon=True).start()
        result = {"steps": {}, "info": {}, "order": []}
        current, deadline = None, time.monotonic() + limit + GRACE
        while True:
            try:
                line = lines.get(timeout=max(0.1, deadline - time.monotonic()))
            except queue.Empty:
                os.killpg(process.pid, signal.SIGKILL)
                result["steps"][current or "(start)"] = {"timeout": limit, "killed": True}
                result["order"].append(current or "(start)")
                break
            if line is None:
                break
            if not line.startswith("{"):  # a library printed something: keep it with the log
                errors.write(line)
                continue
            record = json.loads(line)
            deadline = time.monotonic() + limit + GRACE
            if "start" in record:
                current = record["start"]
            elif "step" in record:
                _add_step(result, record)
                print(f"  [{project.name}] {kind}: {record['step']}: {seconds(record)}", file=sys.stderr, flush=True)
            elif "info" in record:
                result["info"].update(record["info"])
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
    result["peak_mib"] = memory.stop()
    result["largest_mib"] = usage.ru_maxrss / 1024
    result["exit"] = process.returncode
    return result


class TreeMemory:
    """The peak of the memory a session's processes use together (a worker, the site's processes and their file
    writer): the sum of their proportional set sizes (a page shared by n processes counts 1/n in each), read from
    /proc every `SAMPLE` seconds. ru_maxrss, which `os.wait4` gives, is the largest process's alone."""

    SAMPLE = 0.5

    def __init__(self, session: int):
        self.session, self.peak_kib, self._done = session, 0, threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        while not self._done.wait(self.SAMPLE):
            self.peak_kib = max(self.peak_kib, sum(map(_pss_kib, _session_processes(self.session))))

    def stop(self) -> float:
        """The peak in MiB."""
        self._done.set()
        self._thread.join()
        return self.peak_kib / 1024


def _session_processes(session: int) -> list[str]:
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()  # after the command's name
        except (OSError, IndexError):
            continue  # gone meanwhile
        if int(fields[3]) == session:  # state, parent, group, session
            found.append(pid)
    return found


def _pss_kib(pid: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except OSError:
        pass  # gone meanwhile
    return 0


def _add_step(result: dict, record: dict) -> None:
    """A timed step into a worker's result, in the order first met: a label timed more than once (a writer called for
    two graphs it cannot name) is listed once, with the time of all its calls."""
    name, known = record["step"], result["steps"].get(record["step"])
    if known is None:
        result["order"].append(name)
    elif "seconds" in known and "seconds" in record:
        record = {**record, "seconds": known["seconds"] + record["seconds"]}
    result["steps"][name] = record


def _pump(stream, lines: queue.Queue) -> None:
    """Pass a worker's output lines on, then None at its end (so the parent can wait with a timeout)."""
    for line in stream:
        lines.put(line)
    lines.put(None)


def choose_parameters(project: Path) -> dict[str, str]:
    """Values for the queries' parameters that name synthetic things, saved for the query workers."""
    import pyoxigraph as ox

    store = ox.Store()
    store.bulk_load(path=str(project / "dist" / "cassibile.nq"), format=ox.RdfFormat.N_QUADS)
    prefixes = "PREFIX cas: <https://w3id.org/cassibile/ontology#> PREFIX dct: <http://purl.org/dc/terms/> " \
               "PREFIX owl: <http://www.w3.org/2002/07/owl#> "
    chosen = dict(PERIOD)
    for name, text in PARAMETER_QUERIES.items():
        for solution in store.query(prefixes + text, use_default_graph_as_union=True):
            value = solution["x"].value
            chosen[name] = value.rsplit("/", 1)[1] if name == "qid" else value
    (project / PARAMETERS).write_text(json.dumps(chosen, indent=2), encoding="utf-8")
    return chosen


def parse_size(text: str) -> int:
    text = text.strip().lower()
    return int(float(text[:-1]) * SIZES[text[-1]]) if text[-1] in SIZES else int(text)


def generate(size: int, seed: int, work: Path) -> tuple[Path, float, str]:
    project = work / f"synthetic-{size}"
    shutil.rmtree(project, ignore_errors=True)
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "cassibile", "synthetic", str(project), "--triples", str(size), "--seed", str(seed)],
                          cwd=ROOT, capture_output=True, text=True, check=True)
    return project, time.perf_counter() - started, done.stdout.strip()


def seconds(record: dict | None) -> str:
    if record is None:
        return "—"
    if "error" in record:
        return f"fails ({record['error']})"
    if "timeout" in record:
        return f"> {_number(record['timeout'])} s"
    if record.get("waited"):
        return f"{_number(record['seconds'])} (waited for; it ran beside the steps before)"
    return _number(record["seconds"])


def _number(value: float) -> str:
    return f"{value:.3f}" if value < 10 else f"{value:.1f}"


def ratio(slow: dict | None, fast: dict | None) -> str:
    if not slow or not fast or "timeout" in fast or "error" in slow or "error" in fast or fast.get("waited"):
        return "—"
    if "timeout" in slow:
        return f"> {slow['timeout'] / max(fast['seconds'], 1e-6):.0f}×"
    return f"{slow['seconds'] / max(fast['seconds'], 1e-6):.1f}×"


def _display_order(result: dict) -> list[str]:
    """Step names with each part right after the step it belongs to; no totals, loads or queries (violation queries
    have a table of their own)."""
    order = [n for n in result["order"] if n != "build total" and not n.startswith(("query ", "load "))
             and "rule" not in result["steps"][n]]
    parent = {n: result["steps"][n].get("part_of") for n in order}
    shown = []
    for name in [n for n in order if not parent[n]] + [n for n in order if parent[n] and parent[n] not in order]:
        shown += [name] + [n for n in order if parent[n] == name]
    return shown


def build_table(ours: dict, plain: dict | None) -> list[str]:
    lines = ["| step | ours (s) | straightforward (s) | straightforward ÷ ours |", "| --- | ---: | ---: | ---: |"]
    names = _display_order(ours)
    if plain:
        plain["steps"].setdefault(WRITE, _sum([plain["steps"][n] for n in plain["order"] if n.startswith("export ")]))
        for name in _display_order(plain):
            if name not in names:
                owner = plain["steps"][name].get("part_of")
                block = [i for i, n in enumerate(names) if owner and (n == owner or _part_of(ours, plain, n) == owner)]
                names.insert(block[-1] + 1 if block else len(names), name)
    written = [n for n in ours["order"] if ours["steps"][n].get("part_of") == WRITE]
    for name in names:
        mine, theirs = ours["steps"].get(name), (plain or {"steps": {}})["steps"].get(name)
        shown = f"  {name}" if _part_of(ours, plain, name) else name
        lines.append(f"| {shown} | {seconds(mine)} | {seconds(theirs)} | {ratio(theirs, mine)} |")
        whole = ours["steps"].get(WRITE)
        if name == (written or [WRITE])[-1] and whole and "seconds" in whole:  # not stopped, not failed
            rest = whole["seconds"] - sum(ours["steps"][n].get("seconds", 0) for n in written)
            lines.append(f"|   (not itemised: unions, reports, copies) | {rest:.3f} | — | — |")
    total_mine, total_theirs = ours["steps"].get("build total"), (plain or {"steps": {}})["steps"].get("build total")
    lines.append(f"| **full build** | **{seconds(total_mine)}** | **{seconds(total_theirs)}** | **{ratio(total_theirs, total_mine)}** |")
    for row, key in ((f"peak memory, all processes (MiB; PSS summed, every {TreeMemory.SAMPLE} s)", "peak_mib"),
                     ("peak memory, largest process (MiB; ru_maxrss)", "largest_mib")):
        lines.append(f"| {row} | {ours[key]:.0f} | {f'{plain[key]:.0f}' if plain else '—'} | |")
    return lines


def _part_of(ours: dict, plain: dict | None, name: str) -> str | None:
    for result in (ours, plain or {"steps": {}}):
        if name in result["steps"] and result["steps"][name].get("part_of"):
            return result["steps"][name]["part_of"]
    return None


def _sum(records: list[dict]) -> dict | None:
    if not records:
        return None
    if any("timeout" in r for r in records):
        return {"timeout": sum(r.get("timeout", r.get("seconds", 0)) for r in records)}
    return {"seconds": sum(r["seconds"] for r in records)}


def query_table(mine: dict, raw: dict, plain: dict | None) -> list[str]:
    lines = ["| query | rows | ours, embedded (s) | raw pyoxigraph (s) | ours ÷ raw | rdflib (s) | rdflib ÷ ours |",
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for name in mine["order"]:
        ours_step, raw_step = mine["steps"][name], raw["steps"].get(name)
        theirs = (plain or {"steps": {}})["steps"].get(name)
        rows = ours_step.get("rows", "")
        if raw_step and raw_step.get("rows", rows) != rows:
            rows = f"{rows} ≠ raw {raw_step['rows']}"
        lines.append(f"| {name} | {rows} | {seconds(ours_step)} | {seconds(raw_step)} | {ratio(ours_step, raw_step)} | "
                     f"{seconds(theirs)} | {ratio(theirs, ours_step)} |")
    lines.append(f"| peak memory (MiB) | | {mine['peak_mib']:.0f} | {raw['peak_mib']:.0f} | | {'' if plain else '—'} | |")
    return lines


def compare(project: Path, plain: dict | None) -> list[str]:
    """Do both pipelines find the same violations and publish the same closure?"""
    if not plain:
        return []
    notes = []
    mine, theirs = (json.loads((project / f"{who}-violations.json").read_text()) if (project / f"{who}-violations.json").exists() else None
                    for who in ("ours", "plain"))
    unfinished = plain["info"].get("unfinished validation")
    if mine is not None and theirs is not None and unfinished:
        notes.append(f"- validation results: INCOMPLETE, not compared: the straightforward pipeline stopped or failed on "
                     f"{'; '.join(unfinished)} (found so far: ours {len(mine)}, straightforward {len(theirs)} (focus, path, value))")
    elif mine is not None and theirs is not None:
        ours_set, plain_set = {tuple(v) for v in mine}, {tuple(v) for v in theirs}
        notes.append(f"- validation results: ours {len(mine)}, straightforward {len(theirs)} (focus, path, value) — "
                     f"{'identical' if ours_set == plain_set else 'DIFFERENT'}")
        notes += [f"  - only {who}: {' '.join(row)}" for who, rows in (("ours", ours_set - plain_set), ("straightforward", plain_set - ours_set))
                  for row in sorted(rows)[:3]]
    elif plain["steps"]:
        notes.append("- validation results: not compared (a straightforward validation step did not finish)")
    ours_closure, plain_closure = project / "dist" / "inferred.nt", project / "plain-inferred.nt"
    if ours_closure.exists() and plain_closure.exists():
        a, b = (_triple_lines(p) for p in (ours_closure, plain_closure))
        verdict = "identical" if a == b else f"DIFFERENT: {len(a - b)} only ours, {len(b - a)} only owlrl"
        notes.append(f"- published closure: ours {len(a)} triples, straightforward (owlrl) {len(b)} — {verdict}")
    elif "reason" in plain["steps"] and "timeout" in plain["steps"]["reason"]:
        notes.append("- published closure: not compared (owlrl did not finish within the step limit)")
    return notes


def violation_query_table(parts: dict, plain: dict) -> list[str]:
    """Each violation query: on our store (the breakdown, without the closure) and on rdflib's engine in the
    straightforward validation, before and after reasoning."""
    labels = ("validate (without the closure)", "validate (with the closure)")
    rules = list(dict.fromkeys(plain["steps"][n]["rule"] for n in plain["order"] if "rule" in plain["steps"][n]))
    lines = ["| violation query | ours, without the closure (s) | rdflib, without the closure (s) | rdflib, with the closure (s) |",
             "| --- | ---: | ---: | ---: |"]
    for rule in rules:
        ours = next((parts["steps"][n] for n in parts["order"] if n.startswith(f"validate: queries/{rule}")), None)
        lines.append(f"| {rule} | {seconds(ours)} | " + " | ".join(seconds(plain["steps"].get(f"{label}: queries/{rule}")) for label in labels) + " |")
    return lines


def _triple_lines(path: Path) -> set[str]:
    return {line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip() and not line.startswith("#")}


def machine() -> str:
    memory = subprocess.run(["free", "-h"], capture_output=True, text=True).stdout.splitlines()
    total = memory[1].split()[1] if len(memory) > 1 else "?"
    return f"{os.cpu_count()} CPUs (nproc), {total} RAM, Python {platform.python_version()}, {platform.platform()}"


def benchmark(size: int, args) -> list[str]:
    project, generated, summary = generate(size, args.seed, args.work)
    if args.faults:
        (project / "graph" / "facts" / "benchmark-faults.ttl").write_text(FAULTS, encoding="utf-8")
    log = project / "benchmark.log"
    print(f"[{size}] {summary} in {generated:.1f} s", file=sys.stderr, flush=True)
    extra = ["--reasoner", args.reasoner] if args.reasoner else []
    ours = run_worker("ours", project, args.step_limit, [*extra, *(["--jobs", str(args.jobs)] if args.jobs else [])], log)
    print(f"[{size}] ours: {seconds(ours['steps'].get('build total'))}, {ours['peak_mib']:.0f} MiB", file=sys.stderr, flush=True)
    if not (project / "dist" / "cassibile.nq").is_file():
        return [f"## {size:,} triples (target)", "", f"Generator: {summary} in {generated:.1f} s.", "",
                "Our build did not get as far as writing the dataset; the straightforward pipeline was not run:", "",
                *build_table(ours, None), ""]
    chosen = choose_parameters(project)
    parts = run_worker("breakdown", project, args.step_limit, extra, log)
    mine = run_worker("queries-ours", project, args.step_limit, [], log)
    raw = run_worker("queries-raw", project, args.step_limit, [], log)
    plain = None if args.skip_baseline else run_worker("plain", project, args.step_limit, ["--query-limit", str(args.query_limit)], log)
    if plain:
        print(f"[{size}] straightforward: {seconds(plain['steps'].get('build total'))}, {plain['peak_mib']:.0f} MiB", file=sys.stderr, flush=True)
    triples = ours["info"].get("triples", {})
    return [
        f"## {size:,} triples (target)", "",
        f"Graph: {', '.join(f'{n} {c:,}' for n, c in triples.items())} triples; generated in {generated:.1f} s{' (with --faults)' if args.faults else ''}. "
        f"Violations: {ours['info'].get('violations', '?')}.", "",
        *build_table(ours, plain), "", *compare(project, plain), "",
        *([f"Violation queries, each stopped after {args.query_limit} s (--query-limit):", "", *violation_query_table(parts, plain), ""]
          if plain else []),
        f"Queries on dist/cassibile.nq, parameters bound to synthetic things: {json.dumps(chosen, ensure_ascii=False)}", "",
        *query_table(mine, raw, plain), "",
        "Where our parse, validation and reasoning time goes (each part run once more on its own):", "",
        "| part | seconds |", "| --- | ---: |", *(f"| {n} | {seconds(parts['steps'][n])} |" for n in parts["order"]), "",
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10k,100k", help="comma-separated target sizes in triples, e.g. 10k,100k,1m")
    parser.add_argument("--skip-baseline", action="store_true", help="do not run the straightforward pipeline")
    parser.add_argument("--step-limit", type=int, default=600, help="seconds one step may take before it is stopped (default 600)")
    parser.add_argument("--query-limit", type=int, default=60,
                        help="seconds one query on rdflib's engine may take, published or violation query (default 60)")
    parser.add_argument("--reasoner", choices=("owlrl", "reasonable"), help="our build's OWL RL engine (default: the build's default)")
    parser.add_argument("--jobs", type=int,
                        help="processes our build writes the site from, as `cassibile build --jobs` (default: the build's)")
    parser.add_argument("--faults", action="store_true", help="add a few violations on purpose, to compare both pipelines' reports")
    parser.add_argument("--seed", type=int, default=1, help="generator seed (default 1)")
    parser.add_argument("--work", type=Path, default=Path("/tmp/cassibile-benchmarks"), help="where projects are generated")
    parser.add_argument("--worker", choices=sorted(WORKERS), help=argparse.SUPPRESS)
    parser.add_argument("--project", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        return run_as_worker(args)
    args.work.mkdir(parents=True, exist_ok=True)
    print(f"# cassibile benchmark\n\nMachine: {machine()}\n")
    for size in [parse_size(s) for s in args.sizes.split(",")]:
        print("\n".join(benchmark(size, args)), flush=True)
    return 0


def run_as_worker(args) -> int:
    if args.worker == "ours":
        worker_ours(args.project, args.step_limit, args.reasoner, args.jobs)
    elif args.worker == "breakdown":
        worker_breakdown(args.project, args.step_limit, args.reasoner)
    elif args.worker == "plain":
        worker_plain(args.project, args.step_limit, args.query_limit)
    else:
        worker_queries(args.project, args.step_limit, args.worker.split("-")[1])
    return 0


if __name__ == "__main__":
    sys.exit(main())
