"""`cassibile build`: load, derive, validate, reason, validate again, write dist/ atomically."""

from __future__ import annotations

import fcntl
import os
import resource
import secrets
import shutil
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox

from cassibile import collector
from cassibile.errors import DataError
from cassibile.namespaces import BASE, GRAPH
from cassibile.pipeline import derive, reason, rules
from cassibile.pipeline.load import Dataset, load_project
from cassibile.pipeline.store import LayerStore
from cassibile.pipeline.validate import Checker, Violation, describe, report_text, report_turtle
from cassibile.processes import beside
from cassibile.project import Project
from cassibile.publish.export import serialize_graph
from cassibile.publish.outputs import GENERATED, LAYERS, Built, replace_folder

if TYPE_CHECKING:
    from cassibile.publish.site.view import SiteGraph

SOURCE_TEXTS = "urn:x-cassibile:source-texts"  # the store's graph of the source texts while validation reads them
LARGE_INPUT = 4 << 20  # bytes of Turtle beyond which `validate` shows its progress too (it takes seconds, then minutes)


class Progress:
    """Each step on stderr with the time since the start and the peak memory so far (large builds need both)."""

    def __init__(self, quiet: bool = False):
        self.quiet, self.started = quiet, time.perf_counter()

    def step(self, message: str) -> None:
        if not self.quiet:
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
            print(f"[{time.perf_counter() - self.started:7.2f}s {peak:6.0f} MiB] {message}", file=sys.stderr, flush=True)


def assemble(project: Project, reasoner: str = reason.DEFAULT_ENGINE, progress: Progress | None = None, jobs: int = 1) -> Built:
    """Everything `build` computes, in memory; raises DataError on malformed input or inconsistency. With `jobs` > 1
    the layers are validated in another process while reasoning runs, and the closure's shapes in another process
    while this one runs the rest of the checks."""
    with reasoned(project, reasoner, progress, jobs) as unvalidated:
        return unvalidated.validated(jobs)


def assemble_for_writing(project: Project, reasoner: str = reason.DEFAULT_ENGINE, progress: Progress | None = None,
                         jobs: int = 1) -> tuple[Built, SiteGraph]:
    """`assemble`, and what the writers read worked out (`prepare_outputs`) while the closure is validated: in
    other processes where `jobs` > 1 (`Reasoned.validated_beside`)."""
    with reasoned(project, reasoner, progress, jobs) as unvalidated, unvalidated.validated_beside(jobs) as validated:
        site = prepare_outputs(unvalidated.built, unvalidated.progress)
        return validated(), site


@contextmanager
def reasoned(project: Project, reasoner: str, progress: Progress | None, jobs: int) -> Iterator[Reasoned]:
    """The layers loaded, derived, reasoned over and validated without the inferred layer, for the block to finish
    validating (`Reasoned`); the collector walks only young objects until the block ends."""
    progress = progress or Progress(quiet=True)
    progress.step("loading ontology, graph and shapes")
    dataset = load_project(project)
    progress.step(f"loaded {len(dataset.ontology)} ontology, {dataset.layers.size(GRAPH['asserted'])} graph, {len(dataset.shapes)} shape triples")
    with collector.young_only():  # the loaded graphs, and what the build makes of them, live until it ends
        yield _reasoned(project, dataset, reasoner, progress, jobs)


def _reasoned(project: Project, dataset: Dataset, reasoner: str, progress: Progress, jobs: int) -> Reasoned:
    layers = dataset.layers  # the store the loader parsed ontology/ and graph/ into; each layer is added once
    derive.derive(dataset)
    progress.step(f"derived {layers.size(GRAPH['derived'])} triples (truthy graph, date precision and bounds)")
    checker = Checker(project, dataset, layers, [GRAPH[name] for name in REASONED])
    checker.add(derive.source_text_graph(dataset), SOURCE_TEXTS)  # what the quotes are checked against
    progress.step(f"reasoning (OWL RL, {reasoner})" + (", validating meanwhile in another process" if jobs > 1 else ""))
    # The layers as written and derived (the inferred layer is not there yet), from a process that sees the store as
    # it is now while another reasons.
    with beside(partial(checker.violations, 1), jobs, "validating the layers") as violations_found:
        try:  # in a process of its own, which hands back the inferred layer: its scratch work never enters the store
            layers.add_apart(GRAPH["inferred"], partial(
                reason.store_inferences, layers, [GRAPH[name] for name in REASONED], GRAPH["inferred"], reasoner,
                describe=lambda view: partial(describe, dataset, view), note=progress.step, thrown_away=True), "reasoning")
        except DataError as error:  # an inconsistency stops the build; show what validation finds as well
            violations = violations_found()
            raise DataError(f"{error}\n\n{report_text(violations)}" if violations else str(error)) from None
        progress.step(f"inferred {layers.size(GRAPH['inferred'])} triples")
        violations = violations_found()
    progress.step(f"validated without the inferred triples: {len(violations)} violation(s)")
    checker.include(GRAPH["inferred"])  # some rules hold only of the closure: a class a shape requires may be inferred
    return Reasoned(Built(dataset, violations), checker, progress)


@dataclass
class Reasoned:
    """A build reasoned over and validated without its inferred layer: validating it with that layer finishes it."""

    built: Built  # its violations so far: those found without the inferred layer
    checker: Checker  # the checker of the layers with the inferred one
    progress: Progress

    def validated(self, jobs: int) -> Built:
        """The build, with what the closure's validation finds too (its shapes checked in a forked process where
        `jobs` > 1)."""
        self.progress.step("validating with the inferred triples")
        return self._finished(self.checker.violations(jobs))

    @contextmanager
    def validated_beside(self, jobs: int) -> Iterator[Callable[[], Built]]:
        """`with unvalidated.validated_beside(jobs) as validated:` where `jobs` > 1 the closure's validation runs in a
        process forked now, which forks one more for the shapes (`Checker.violations`), while the block goes on, and
        `validated()` waits for it; otherwise `validated()` runs it. At 100k triples the three processes took 4.5 s
        where validating (3.2 s in two) and then preparing took 6.3 s (benchmarks/README.md)."""
        with beside(partial(self.checker.violations, jobs), jobs, "validating with the inferred triples") as found:

            def validated() -> Built:
                self.progress.step("validating with the inferred triples" + (" (in another process since the step "
                                   "after reasoning)" if jobs > 1 else ""))
                return self._finished(found())

            yield validated

    def _finished(self, violations: list[Violation]) -> Built:
        self.built.violations = sorted(set(self.built.violations) | set(violations))
        self.progress.step(f"validated with the inferred triples: {len(self.built.violations)} violation(s) in all")
        self.built.layers.drop(SOURCE_TEXTS)  # the writers publish the layers, not the texts
        return self.built


REASONED = ("ontology", "asserted", "derived")  # the layers OWL RL reasons over, and validation checks first


@collector.paused()  # the input and its index live until reasoning ends, and making them leaves little garbage
def reasoning_input(layers: LayerStore) -> reason.Triples:
    """What OWL RL reasons over (`rules.facts_reduced_to_their_type`), read from the build's store, its literals as written."""
    graphs = [ox.NamedNode(GRAPH[name]) for name in REASONED]
    with rules.facts_reduced_to_their_type(layers.store, graphs), layers.union([GRAPH[name] for name in REASONED]) as union:
        return reason.Triples(union.written_triples())


def prepare_outputs(built: Built, progress: Progress) -> SiteGraph:
    """What the writers read, worked out before any file is written: the publication's index (`Built.publication`)
    and the answers every kind of the site's pages asks for (`SiteGraph.prepare`), which the processes that write the
    site then share."""
    from cassibile.publish.site.view import SiteGraph  # importing the site's modules is the site's time too

    progress.step("indexing the publication: each entity with its facts, claims, sources and labels")
    built.publication  # a cached property: read by the entity documents and the site
    progress.step("working out what the site's pages share: facts, claims, sources, labels")
    site = SiteGraph(built)
    site.prepare()
    return site


def write_outputs(built: Built, out: Path, project: Project, progress: Progress | None = None, jobs: int = 1,
                  site: SiteGraph | None = None) -> None:
    """Write every build output into `out` (a fresh folder): each layer in four formats, the dataset
    with its named graphs, the published JSON-LD context and one framed document per entity
    (id/<slug>.jsonld), the claims as W3C Web Annotations, the Wikidata view and QuickStatements, VoID,
    and the validation report; the site from `jobs` processes, this one writing the data files meanwhile.
    `site` is what `prepare_outputs` worked out (done here if not given)."""
    progress = progress or Progress(quiet=True)
    with collector.young_only():  # what the build made lives until the last file is written, a writer's until its file is
        _write_outputs(built, out, project, progress, jobs, site or prepare_outputs(built, progress))


def _write_outputs(built: Built, out: Path, project: Project, progress: Progress, jobs: int, site: SiteGraph) -> None:
    from cassibile.publish.export import context_file, published_context

    context = published_context(project.root)
    (out / "context.jsonld").write_bytes(context_file(project.root).read_bytes())
    (out / "id").mkdir()
    progress.step(f"writing the site and each entity's JSON-LD document ({jobs} process{'es' if jobs > 1 else ''}) and, "
                  "in this process first, the data files")
    from cassibile.publish.site import framed_documents, write_site

    write_site(built, out / "site", project, jobs, alongside=partial(write_data_files, built, out, project, context, progress),
               entity_documents=framed_documents(built.publication, context, out / "id"), site=site)


def write_data_files(built: Built, out: Path, project: Project, context: dict, progress: Progress) -> None:
    """The layers in every format, the dataset as TriG and N-Quads, its description, the shapes, the Web
    Annotations, the Wikidata view and the validation report."""
    from cassibile.publish import wikidata
    from cassibile.publish.annotations import annotation_collection
    from cassibile.publish.dataset_description import describe as describe_dataset
    from cassibile.publish.export import DatasetFiles, claims_owner, statements

    progress.step("writing each layer in five formats, and the dataset as TriG and N-Quads")
    owner = claims_owner(built.layers.store)
    with DatasetFiles(out / "cassibile.trig", out / "cassibile.nq") as dataset:
        for name in LAYERS:  # each layer read from the store and sorted once, for all its files
            header = GENERATED + f"\nGraph: {GRAPH[name]}" + (" (with the claims graphs of cassibile.trig)" if name == "asserted" else "")
            written = write_graph_files(out / name, built.layers.triples(GRAPH[name]), context, header)
            dataset.add_written(GRAPH[name], written, owner if name == "asserted" else {})
            del written
    progress.step("writing the dataset description (VoID, DCAT)")
    names = [f"{name}.{extension}" for name in LAYERS for extension in GRAPH_FILES] + ["cassibile.trig", "cassibile.nq"]
    dumps = {name: out / name for name in sorted(names)}
    void = describe_dataset(built.layers, dumps, owner=owner)
    (out / "void.ttl").write_bytes(serialize_graph(void, "ttl", header=GENERATED))
    # The shapes, so that their IRI resolves (w3id/cassibile/.htaccess); not a part of the dataset.
    write_graph_files(out / "shapes", statements(built.dataset.shapes), context, GENERATED + f"\nShapes graph: {BASE}shapes")
    progress.step("writing the claims as W3C Web Annotations")
    (out / "annotations.jsonld").write_bytes(annotation_collection(built.layers))
    progress.step("writing the Wikidata view, QuickStatements and Wikibase JSON")
    for file_name, data in wikidata.build_outputs(built.layers, project.graph_dir / "wikidata"):
        (out / file_name).parent.mkdir(exist_ok=True)
        (out / file_name).write_bytes(data)
    (out / "validation-report.ttl").write_text(report_turtle(built.violations), encoding="utf-8")
    (out / "validation-report.txt").write_text(report_text(built.violations) + "\n", encoding="utf-8")
    collector.give_back_memory()  # what the files' texts took: held free below objects that live on, otherwise
    progress.step("the data files written; the site's pages go on")


GRAPH_FILES = ("ttl", "nt", "rdf", "jsonld")  # the extensions of the files `write_graph_files` writes


def write_graph_files(base: Path, triples: list, context: dict, header: str) -> dict[str, bytes]:
    """One graph as Turtle, N-Triples, RDF/XML and JSON-LD: `base` with each extension. Returns each of the first
    three formats' statements alone (`export.serialize_with_statements`)."""
    from cassibile.publish.export import jsonld_bytes, serialize_with_statements

    written = {}
    for fmt, extension in (("ttl", "ttl"), ("nt", "nt"), ("xml", "rdf")):
        data, written[fmt] = serialize_with_statements(triples, fmt, header if fmt == "ttl" else None)
        base.with_name(f"{base.name}.{extension}").write_bytes(data)
    base.with_name(f"{base.name}.jsonld").write_bytes(jsonld_bytes(triples, context))
    return written


def build(project: Project, out: Path | None = None, reasoner: str = reason.DEFAULT_ENGINE, quiet: bool = False,
          jobs: int = 1) -> Built:
    """Build into `out` atomically: on any failure the previous folder stays exactly as it was. The work is done in
    `jobs` processes at once where it can be (`assemble_for_writing`, `write_outputs`). Every file and folder of `out` is created,
    none copied, so each has the modes the umask gives (dist/ is read by web servers running as other users)."""
    progress = Progress(quiet)
    out = (out or project.dist).resolve()
    built, site = assemble_for_writing(project, reasoner, progress, jobs)
    if built.violations:
        raise DataError(f"validation failed; {out} was left untouched\n\n{report_text(built.violations)}")
    out.parent.mkdir(parents=True, exist_ok=True)
    with staging_folder(out) as staging:
        write_outputs(built, staging, project, progress, jobs, site)
        with _locked(out.parent):  # one build at a time swaps its folder in
            replace_folder(staging, out)
    progress.step(f"wrote {out}")
    return built


@contextmanager
def staging_folder(out: Path):
    """A new empty folder beside `out`, `.{out.name}.<random>`, locked (flock) while the build writes it and
    removed afterwards if it is still there. Staging folders nobody holds a lock on were left by builds that
    were killed, and are removed first; a concurrent build's folder is locked, and left alone."""
    with _locked(out.parent):  # no other build removes ours between its creation and its lock
        for folder in out.parent.glob(f".{out.name}.*"):
            remove_if_abandoned(folder)
        while True:
            staging = out.with_name(f".{out.name}.{secrets.token_hex(6)}")
            try:
                staging.mkdir()
                break
            except FileExistsError:
                continue
        holder = _lock(staging)
    try:
        yield staging
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        os.close(holder)


def remove_if_abandoned(folder: Path) -> None:
    """Remove a staging folder unless a live build holds its lock (locks die with their process, even a killed one)."""
    if folder.is_symlink() or not folder.is_dir():
        return
    try:
        holder = _lock(folder, blocking=False)
    except BlockingIOError:
        return
    try:
        shutil.rmtree(folder, ignore_errors=True)
    finally:
        os.close(holder)


def _lock(folder: Path, blocking: bool = True) -> int:
    """An open descriptor holding an exclusive flock on `folder`; BlockingIOError if not `blocking` and it is taken."""
    holder = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        fcntl.flock(holder, fcntl.LOCK_EX | (0 if blocking else fcntl.LOCK_NB))
    except BaseException:
        os.close(holder)
        raise
    return holder


@contextmanager
def _locked(folder: Path):
    holder = _lock(folder)
    try:
        yield
    finally:
        os.close(holder)

