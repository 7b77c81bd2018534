"""The `cassibile` command line. Exit codes: 0 ok, 1 data or validation errors, 2 usage errors, 3 an endpoint
that could not be reached or failed (`query --endpoint`, `publish`, `wikidata compare` and `reconcile`)."""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
from pathlib import Path

from cassibile import __version__
from cassibile.errors import CassibileError, UsageError
from cassibile.pipeline import REASONERS
from cassibile.project import Project


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # argparse exits 2 on usage errors; keep its message to one line
        self.exit(2, f"{self.prog}: error: {message}\n")


def _seconds(text: str) -> float:
    """A positive, finite number of seconds (argparse type)."""
    try:
        seconds = float(text)
    except ValueError:
        seconds = math.nan
    if not (math.isfinite(seconds) and seconds > 0):
        raise argparse.ArgumentTypeError(f"expected a positive number of seconds, got {text!r}")
    return seconds


def _positive_whole(unit: str):
    """An argparse type: a positive whole number of `unit`."""
    def positive_whole(text: str) -> int:
        if not text.isdigit() or int(text) < 1:
            raise argparse.ArgumentTypeError(f"expected a positive whole number of {unit}, got {text!r}")
        return int(text)
    return positive_whole


def _port(text: str) -> int:
    """A TCP port, 0 to 65535 (argparse type)."""
    if not text.isdigit() or int(text) > 65535:
        raise argparse.ArgumentTypeError(f"expected a port from 0 to 65535, got {text!r}")
    return int(text)


def default_jobs() -> int:
    """How many processes work at once unless `--jobs` says: the cores this process may use."""
    return len(os.sched_getaffinity(0))


def _add_jobs(parser: argparse.ArgumentParser, work: str) -> None:
    cores = default_jobs()
    parser.add_argument("-j", "--jobs", type=_positive_whole("processes"), default=cores, metavar="N",
                        help=f"{work} (default: the cores this process may use, here {cores}); each process copies much of "
                             "the build's memory as it reads it: --jobs 1 needs the least")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="cassibile", description="Build, validate, query and export the Cassibile linked-data publication.",
                     epilog="Exit codes: 0 ok, 1 data or validation errors, 2 usage errors, 3 an endpoint that could not be "
                            "reached or failed. `cassibile COMMAND --help` explains a command.")
    parser.add_argument("--version", action="version", version=f"cassibile {__version__}", help="print the version and exit")
    sub = parser.add_subparsers(title="commands", dest="command", metavar="COMMAND", parser_class=_Parser)

    p = sub.add_parser("build", help="validate, reason and write every output into dist/ (atomically)")
    p.add_argument("--out", type=Path, help="output folder (default: dist/ in the project)")
    p.add_argument("--reasoner", choices=REASONERS, default=REASONERS[0],
                   help=f"OWL RL engine (default: {REASONERS[0]}, rules in the build's store; tests/test_reasoning.py "
                        "shows all three infer the same)")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress messages")
    _add_jobs(p, "work in N processes at once: with N > 1 one validates while reasoning runs, then two validate the "
                 "closure while this one prepares the writing, and the site's pages are written from N processes, one "
                 "of which writes the data files first")

    p = sub.add_parser("validate", help="check the graph against the shapes and violation queries")
    p.add_argument("--format", choices=("text", "turtle", "json"), default="text", help="report format")
    p.add_argument("--reasoner", choices=REASONERS, default=REASONERS[0], help=f"OWL RL engine (default: {REASONERS[0]})")
    p.add_argument("-q", "--quiet", action="store_true",
                   help="no progress messages (shown on standard error when the Turtle to check exceeds 4 MiB)")
    _add_jobs(p, "with N > 1, validate in another process while reasoning runs, and check the shapes in one while "
                 "another runs the violation queries")

    p = sub.add_parser("query", help="run a bundled query (by name) or a .rq file on the built graph or an endpoint")
    p.add_argument("query", nargs="?", help="bundled query name or path to a .rq file")
    p.add_argument("--list", action="store_true", help="list the bundled queries with their summaries and parameters")
    p.add_argument("--param", action="append", default=[], metavar="NAME=VALUE", help="bind a declared parameter (repeatable)")
    p.add_argument("--lang", help="label language, falling back to English; same as --param lang=…")
    p.add_argument("--format", choices=("table", "csv", "tsv", "json", "xml"), default="table",
                   help="table (default), or a W3C SPARQL results format: csv, tsv, json, xml")
    p.add_argument("--endpoint", metavar="URL", help="run on this SPARQL 1.1 endpoint instead of the embedded store")
    p.add_argument("--data", type=Path, help="built dataset to query (default: dist/cassibile.nq)")
    p.add_argument("--timeout", type=_seconds, default=60.0,
                   help="seconds the whole request to an --endpoint may take, from connecting to the last byte (default 60)")

    p = sub.add_parser("export", help="write one serialisation of the built graph")
    p.add_argument("--format", required=True, help="ttl, nt, jsonld, xml, trig or nq")
    p.add_argument("--graph", default="all", choices=("all", "ontology", "asserted", "derived", "inferred"),
                   help="which layer: all (default), the ontology, the asserted (hand-written) graph, "
                        "the derived (truthy) triples, or the inferred (OWL RL) triples")
    p.add_argument("-o", "--output", type=Path, help="file to write (default: standard output)")

    p = sub.add_parser("stats", help="counts: triples, entities by class, facts, claims per source, links")
    p.add_argument("--format", choices=("table", "json"), default="table", help="a readable table (default) or JSON")

    p = sub.add_parser("publish", help="load the built dataset into a SPARQL store (Graph Store HTTP Protocol)")
    p.add_argument("--endpoint", required=True, help="the store's Graph Store Protocol URL, e.g. http://127.0.0.1:7878/store")
    p.add_argument("--data", type=Path, help="built dataset (default: dist/cassibile.nq)")
    p.add_argument("--timeout", type=_seconds, default=120.0, help="seconds per upload (default 120)")

    p = sub.add_parser("synthetic", help="write a synthetic project of about N triples (for benchmarks; not real data)")
    p.add_argument("out", type=Path, help="new or empty folder to write the project into")
    p.add_argument("--triples", type=int, default=10_000, help="about how many graph triples (default 10000)")
    p.add_argument("--seed", type=int, default=1, help="random seed: the same seed gives the same bytes (default 1)")

    p = sub.add_parser("site", help="write dist/site/ (the pages) again from the build in dist/")
    p.add_argument("--dist", type=Path, help="built folder (default: dist/ in the project)")
    _add_jobs(p, "write the site's pages from N processes at once")

    p = sub.add_parser("serve", help="serve the site, the data (content negotiation) and a SPARQL endpoint on 127.0.0.1")
    p.add_argument("--host", help="address to listen on (default 127.0.0.1, this machine only; 0.0.0.0 or :: for every interface)")
    p.add_argument("--port", type=_port, default=8000, help="port (default 8000; 0 picks a free one)")
    p.add_argument("--dist", type=Path, help="built folder to serve (default: dist/ in the project)")
    p.add_argument("--query-timeout", type=_positive_whole("seconds"), metavar="SECONDS",
                   help="time limit of each SPARQL query, after which it is stopped and answered with HTTP 503 (default 30)")

    p = sub.add_parser("fmt", help="rewrite hand-edited Turtle into canonical form")
    p.add_argument("--check", action="store_true", help="change nothing; exit 1 if a file is not canonical")
    p.add_argument("files", nargs="*", type=Path, help="files (default: ontology/, graph/, shapes/)")

    p = sub.add_parser("wikidata", help="carry the facts to Wikidata: query the view, QuickStatements, compare, reconcile")
    wikidata = p.add_subparsers(title="commands", dest="wikidata_command", metavar="COMMAND", parser_class=_Parser)
    w = wikidata.add_parser("query", help="run a query written for the Wikidata Query Service, unchanged, on the Wikidata view")
    w.add_argument("query", help="a .rq file, or - for standard input")
    w.add_argument("--format", choices=("table", "csv", "tsv", "json", "xml"), default="table",
                   help="table (default), or a W3C SPARQL results format: csv, tsv, json, xml")
    w.add_argument("--lang", default="en", help="the language of [AUTO_LANGUAGE] in the label service (default en)")
    w.add_argument("--endpoint", metavar="URL", help="send the same text to this WDQS-like endpoint instead")
    w.add_argument("--data", type=Path, help="Wikidata view to query (default: dist/wikidata.ttl)")
    w.add_argument("--timeout", type=float, default=60.0, help="seconds to wait for an endpoint (default 60)")
    w = wikidata.add_parser("quickstatements", help="QuickStatements (V1 syntax): one line per statement and reference")
    w.add_argument("--explain", action="store_true", help="list everything left out, and why, on standard error")
    w.add_argument("--report", type=Path, metavar="FILE", help="also write what was left out, as TSV, to FILE")
    w.add_argument("-o", "--output", type=Path, help="file to write (default: standard output)")
    for name, text in (("compare", "compare the linked items' statements and labels with Wikidata's, statement by statement"),
                       ("reconcile", "propose QIDs for unlinked entities (never links by itself), or --accept confirmed ones")):
        w = wikidata.add_parser(name, help=text)
        w.add_argument("--endpoint", metavar="URL", help="SPARQL endpoint (default: https://query.wikidata.org/sparql)")
        w.add_argument("--format", choices=("table", "json") + (("tsv",) if name == "reconcile" else ()), default="table",
                       help="a readable table (default), JSON" + (", or TSV to review and --accept" if name == "reconcile" else ""))
        w.add_argument("--batch-size", type=int, default=50, help="items or labels per query (default 50)")
        w.add_argument("--timeout", type=_seconds, default=60.0, help="seconds each query to the endpoint may take (default 60)")
        w.add_argument("-o", "--output", type=Path, help="file to write (default: standard output)")
    w.add_argument("--limit", type=int, default=5, help="candidates per entity (default 5)")
    w.add_argument("--accept", type=Path, metavar="FILE",
                   help="apply the links confirmed in FILE (the tsv output, wrong rows deleted); see docs/wikidata.md")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command is None or (args.command == "wikidata" and args.wikidata_command is None):
        chosen = parser if args.command is None else _subparser(parser, "wikidata")
        chosen.print_help()  # a command was expected: show them all
        return 2
    try:
        return COMMANDS[args.command](args) or 0
    except CassibileError as error:
        print(f"cassibile {args.command}: {error}", file=sys.stderr)
        return error.exit_code
    except BrokenPipeError:
        return 0


def _subparser(parser: argparse.ArgumentParser, name: str) -> argparse.ArgumentParser:
    commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return commands.choices[name]


def _build(args) -> int:
    from cassibile.build import build

    build(Project.find(), args.out, args.reasoner, args.quiet, args.jobs)
    return 0


def _validate(args) -> int:
    from cassibile.build import LARGE_INPUT, Progress, assemble
    from cassibile.pipeline.validate import report_json, report_text, report_turtle

    project = Project.find()
    small = sum(path.stat().st_size for path in project.hand_written_turtle) <= LARGE_INPUT
    built = assemble(project, args.reasoner, Progress(quiet=args.quiet or small), args.jobs)
    render = {"text": report_text, "turtle": report_turtle, "json": report_json}[args.format]
    print(render(built.violations).rstrip("\n"))
    return 1 if built.violations else 0


def _query(args) -> int:
    from cassibile.sparql import query as q

    project = Project.find()
    if args.list:
        for name, item in q.bundled_queries(project.query_dir).items():
            if item.is_published:
                params = f"  [{', '.join(p.name for p in item.parameters)}]" if item.parameters else ""
                print(f"{name:<22} {item.summary}{params}")
        return 0
    if not args.query:
        raise UsageError("name a query (`cassibile query --list` shows them) or give a .rq file")
    item = q.resolve_query(args.query, project.query_dir)
    given = _params(args.param)
    if args.lang:
        if given.setdefault("lang", args.lang) != args.lang:
            raise UsageError(f"--lang {args.lang} contradicts --param lang={given['lang']}")
        if "lang" not in {p.name for p in item.parameters}:
            given.pop("lang")  # a query without labels ignores --lang
    values = q.bindings_for(item, given)
    q.check_syntax(item.text, item.path)
    if args.endpoint:
        from cassibile.sparql.remote import run_remote

        result = run_remote(args.endpoint, q.bind(item.text, values), timeout=args.timeout)
    else:
        data = args.data or project.dist / "cassibile.nq"
        if not data.is_file():
            raise UsageError(f"no built graph at {data}; run `cassibile build` first")
        result = q.run_local(q.store_from_file(data), item.text, values, location=item.path)
    sys.stdout.write(result.serialize(args.format))
    return 0


def _params(texts: list[str]) -> dict[str, str]:
    """NAME=VALUE pairs; a name given twice is refused (which of the two did the user mean?)."""
    given: dict[str, str] = {}
    for text in texts:
        name, sep, value = text.partition("=")
        name = name.strip()
        if not sep or not name:
            raise UsageError(f"--param takes NAME=VALUE, got {text!r}")
        if name in given:
            raise UsageError(f"--param {name} is given twice ({given[name]!r} and {value!r}); give it once")
        given[name] = value
    return given


def _export(args) -> int:
    from cassibile.build import assemble
    from cassibile.namespaces import GRAPH
    from cassibile.publish.export import DATASET_FORMATS, FORMATS, serialize_dataset, serialize_triples
    from cassibile.publish.outputs import LAYERS

    if args.format not in FORMATS:
        raise UsageError(f"unknown format {args.format!r}; choose one of {', '.join(FORMATS)}")
    if args.format in DATASET_FORMATS and args.graph != "all":
        raise UsageError(f"{args.format} holds named graphs: use it with --graph all")
    built = assemble(Project.find())
    names = [GRAPH[name] for name in (LAYERS if args.graph == "all" else (args.graph,))]
    if args.format in DATASET_FORMATS:
        data = serialize_dataset(built.layers, names, args.format)
    else:
        data = serialize_triples(built.layers.triples(*names), args.format)
    _write(args.output, data)
    return 0


def _stats(args) -> int:
    from cassibile.build import assemble
    from cassibile.namespaces import GRAPH
    from cassibile.publish.outputs import LAYERS
    from cassibile.stats import render_stats, statistics

    built = assemble(Project.find())
    stats = statistics(built.dataset.asserted, {name: built.layers.size(GRAPH[name]) for name in LAYERS})
    print(json.dumps(stats, indent=2) if args.format == "json" else render_stats(stats), end="" if args.format == "table" else "\n")
    return 0


def _publish(args) -> int:
    from cassibile.sparql.graph_store import publish

    data = args.data or Project.find().dist / "cassibile.nq"
    sent = publish(data, args.endpoint, args.timeout, report=lambda line: print(line, file=sys.stderr))
    print(f"published {sum(sent.values())} triples in {len(sent)} named graphs to {args.endpoint}")
    return 0


def _fmt(args) -> int:
    from cassibile.fmt import non_canonical, rewrite

    files = args.files or Project.find().hand_written_turtle
    missing = [f for f in files if not f.is_file()]
    if missing:
        raise UsageError(f"{missing[0]}: no such file")
    if args.check:
        bad = non_canonical(files)
        for path in bad:
            print(f"not canonical: {path} (run `cassibile fmt`)", file=sys.stderr)
        return 1 if bad else 0
    for path in rewrite(files):
        print(f"reformatted {path}", file=sys.stderr)
    return 0


def _synthetic(args) -> int:
    from cassibile.synthetic import write_project

    counts = write_project(args.out, args.triples, args.seed, template=Project.find().root)
    print(f"wrote {args.out}: {counts['triples']} graph triples in {counts['chapters']} chapters")
    return 0


def _site(args) -> int:
    from cassibile.publish.site import rebuild_site

    project = Project.find()
    dist = (args.dist or project.dist).resolve()
    rebuild_site(project, dist, args.jobs)
    print(f"wrote {dist / 'site'}", file=sys.stderr)
    return 0


def _wikidata(args) -> int:
    return {"query": _wikidata_query, "quickstatements": _wikidata_quickstatements, "compare": _wikidata_compare,
            "reconcile": _wikidata_reconcile}[args.wikidata_command](args)


def _wikidata_query(args) -> int:
    from cassibile.publish.wikidata import wdqs_query

    if args.timeout <= 0:
        raise UsageError(f"--timeout must be a positive number of seconds, got {args.timeout:g}")
    if args.query == "-":
        text, location = sys.stdin.read(), None
    elif Path(args.query).is_file():
        text, location = Path(args.query).read_text(encoding="utf-8"), Path(args.query)
    else:
        raise UsageError(f"{args.query}: no such query file")
    if args.endpoint:
        from cassibile.sparql.remote import run_remote

        result = run_remote(args.endpoint, text, timeout=args.timeout)
    else:
        store = wdqs_query.load_view(args.data or Project.find().dist / "wikidata.ttl")
        result = wdqs_query.run_on_view(store, text, args.lang, location)
    sys.stdout.write(result.serialize(args.format))
    return 0


def _wikidata_quickstatements(args) -> int:
    from cassibile.publish.wikidata import load
    from cassibile.publish.wikidata.quickstatements import kinds_of, quickstatements
    from cassibile.publish.wikidata.statements import notes_tsv

    loaded = load(Project.find())
    batch = quickstatements(loaded.statements)
    notes = sorted(set(loaded.notes + batch.notes))
    _write(args.output, "".join(line + "\n" for line in batch.lines).encode("utf-8"))
    if args.report:
        args.report.write_bytes(notes_tsv(notes))
    sent = sum(not line.startswith("/*") for line in batch.lines)
    print(f"{sent} line(s) to send, {len(batch.lines) - sent} comment line(s); {len(notes)} thing(s) left out, or not whole:",
          file=sys.stderr)
    for note in notes if args.explain else ():
        print(f"  {note.node}  {note.part}: {note.reason}", file=sys.stderr)
    if not args.explain:
        for count, part, reason in kinds_of(notes):
            print(f"  {count:4}  {part}: {reason}", file=sys.stderr)
        print("  (--explain lists each one; --report FILE writes them as TSV)", file=sys.stderr)
    return 0


def _wikidata_client(args):
    from cassibile.publish.wikidata.wdqs import DEFAULT_ENDPOINT, Client

    if args.batch_size < 1:
        raise UsageError(f"--batch-size must be a positive number, got {args.batch_size}")
    return Client(args.endpoint or DEFAULT_ENDPOINT, args.timeout, args.batch_size)


def _wikidata_compare(args) -> int:
    from cassibile.publish.wikidata import load
    from cassibile.publish.wikidata.compare import compare, render_table

    client = _wikidata_client(args)
    loaded = load(Project.find())
    report = compare(loaded.asserted, loaded.ontology, loaded.alignment, loaded.statements, client)
    _write(args.output, (report.to_json() if args.format == "json" else render_table(report)).encode("utf-8"))
    return 0


def _wikidata_reconcile(args) -> int:
    from cassibile.publish.wikidata import load
    from cassibile.publish.wikidata.reconcile import accept, reconcile, render

    project = Project.find()
    loaded = load(project)
    if args.accept:
        for change in accept(project.graph_dir, loaded.asserted, loaded.ontology, loaded.alignment, args.accept):
            print(change)
        print("review these changes (git diff) before committing", file=sys.stderr)
        return 0
    if args.limit < 1:
        raise UsageError(f"--limit must be a positive number, got {args.limit}")
    client = _wikidata_client(args)
    proposals = reconcile(loaded.asserted, loaded.ontology, loaded.alignment, loaded.statements, client, args.limit)
    _write(args.output, render(proposals, args.format).encode("utf-8"))
    return 0


def _write(output: Path | None, data: bytes) -> None:
    """The command's output, into the -o file or onto standard output."""
    if output is None:
        sys.stdout.buffer.write(data)
        return
    try:
        output.write_bytes(data)
    except OSError as error:
        raise UsageError(f"cannot write {output}: {error.strerror}") from None


def _serve(args) -> int:
    from cassibile.serve.server import serve

    limit = {"query_timeout": args.query_timeout} if args.query_timeout else {}
    host = {"host": args.host} if args.host else {}
    serve((args.dist or Project.find().dist).resolve(), args.port, **host, **limit)
    return 0


COMMANDS = {
    "build": _build,
    "validate": _validate,
    "query": _query,
    "export": _export,
    "stats": _stats,
    "fmt": _fmt,
    "publish": _publish,
    "synthetic": _synthetic,
    "site": _site,
    "serve": _serve,
    "wikidata": _wikidata,
}
