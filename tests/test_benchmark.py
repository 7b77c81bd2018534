"""The benchmark's bound on rdflib's engine (benchmarks/run.py): the tests never run the benchmark, but they run
the rule that stops a query on rdflib after --query-limit seconds, for the straightforward validation's queries."""

from __future__ import annotations

import importlib.util
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from rdflib import Graph, URIRef

ROOT = Path(__file__).resolve().parents[1]
EX = "http://example.org/"
# Every four triples of 40: 2.5 million rows, minutes on rdflib, so the one-second limit always stops it.
SLOW = "SELECT ?focus WHERE { ?focus ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
QUICK = f"SELECT ?focus ?path WHERE {{ ?focus ?path <{EX}broken> }}"


@pytest.fixture
def run():
    """benchmarks/run.py as a module; the alarm handler its `Steps` install is put back afterwards."""
    spec = importlib.util.spec_from_file_location("benchmark_run", ROOT / "benchmarks" / "run.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    handler = signal.getsignal(signal.SIGALRM)
    yield module
    signal.alarm(0)
    signal.signal(signal.SIGALRM, handler)


def world() -> Graph:
    graph = Graph()
    for n in range(39):
        graph.add((URIRef(f"{EX}s{n}"), URIRef(f"{EX}p"), URIRef(f"{EX}o{n}")))
    graph.add((URIRef(f"{EX}thing"), URIRef(f"{EX}state"), URIRef(f"{EX}broken")))
    return graph


def violation_queries(folder: Path) -> list[Path]:
    folder.mkdir()
    for name, text in (("quick-violation.rq", QUICK), ("slow-violation.rq", SLOW)):
        (folder / name).write_text(text, encoding="utf-8")
    return sorted(folder.glob("*-violation.rq"))


def test_a_violation_query_past_the_query_limit_is_stopped_and_the_comparison_says_incomplete(run, tmp_path):
    steps = run.Steps(600)
    found, unfinished = run._plain_validation(steps, "validate", world(), Graph(), violation_queries(tmp_path / "queries"), 1)
    assert unfinished == ["validate: queries/slow-violation.rq"]
    assert run.seconds(steps.records["validate: queries/slow-violation.rq"]) == "> 1.000 s"
    assert run.seconds(steps.records["validate: violation queries (rdflib SPARQL)"]).startswith("> ")
    assert "seconds" in steps.records["validate: queries/quick-violation.rq"]
    assert found == {(f"{EX}thing", f"{EX}state", "")}  # what the finished query found is kept

    (tmp_path / "ours-violations.json").write_text(json.dumps([[f"{EX}thing", f"{EX}state", ""]]), encoding="utf-8")
    run._write_violations(tmp_path / "plain-violations.json", found)
    plain = {"steps": steps.records, "order": list(steps.records), "info": {"unfinished validation": unfinished}}
    assert run.compare(tmp_path, plain)[0].startswith("- validation results: INCOMPLETE, not compared")
    assert run.compare(tmp_path, {**plain, "info": {}})[0].endswith("— identical")


def test_a_query_rdflib_cannot_run_is_reported_as_failed(run):
    steps = run.Steps(600)
    assert steps.rdflib_query("query broken", 1, world(), "SELECT ?x WHERE { ?x ?p") is None
    assert run.seconds(steps.records["query broken"]) == "fails (ParseException)"


# A process that starts a child in its session; each fills 150 MiB of its own memory, then waits to be stopped.
TWO_PROCESSES = """
import os, time
filled, done = os.pipe()
child = os.fork()
block = bytearray(150 << 20)
block[::4096] = b"x" * len(block[::4096])  # touched: resident, and not shared with the other process
if child:
    os.read(filled, 1)
    print("ready", flush=True)
else:
    os.write(done, b"1")
time.sleep(60)
"""


def test_the_memory_of_every_process_of_a_session_is_summed(run):
    process = subprocess.Popen([sys.executable, "-c", TWO_PROCESSES], stdout=subprocess.PIPE, text=True, start_new_session=True)
    try:
        memory = run.TreeMemory(process.pid)
        assert process.stdout.readline() == "ready\n"
        time.sleep(3 * memory.SAMPLE)
        assert len(run._session_processes(process.pid)) == 2
        assert memory.stop() > 2 * 150  # MiB: the parent's block and the child's, each its own
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()


def test_a_validation_run_beside_other_steps_is_shown_as_waited_for_and_given_no_ratio(run, capsys):
    recorder = run.PhaseRecorder(run.Steps(60))
    for message in ("reasoning (OWL RL, oxigraph), validating meanwhile in another process", "inferred 5 triples",
                    "validated without the inferred triples: 0 violation(s)", "indexing the publication: …",
                    "validating with the inferred triples (in another process since the step after reasoning)",
                    "validated with the inferred triples: 0 violation(s) in all"):
        recorder.step(message)
    records = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    steps = {r["step"]: r for r in records if "step" in r}
    assert list(steps) == ["reason", "validate (without the closure)", "index the publication", "validate (with the closure)"]
    assert steps["validate (with the closure)"]["waited"] is True and "waited" not in steps["index the publication"]
    waited = steps["validate (without the closure)"]
    assert waited["waited"] is True
    assert "waited for" in run.seconds(waited)
    assert run.ratio({"seconds": 100.0}, waited) == "—"
    assert run.ratio({"seconds": 100.0}, {"seconds": 2.0}) == "50.0×"


def test_the_rounds_of_reasoning_are_parts_of_the_reasoning_step(run, capsys):
    recorder = run.PhaseRecorder(run.Steps(60))
    for message in ("reasoning (OWL RL, oxigraph)", "OWL RL rules, round 1: 5 new triples",
                    "OWL RL rules, round 2: 1 new triples", "inferred 6 triples"):
        recorder.step(message)
    recorder.finish()
    records = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    steps = [(r["step"], r.get("part_of")) for r in records if "step" in r]
    assert steps == [("OWL RL rules, round 1: 5 new triples", "reason"), ("OWL RL rules, round 2: 1 new triples", "reason"),
                     ("reason", None), ("validate (without the closure)", None)]
    result = {"order": [name for name, _ in steps], "steps": {r["step"]: r for r in records if "step" in r}}
    assert run._display_order(result) == ["reason", "OWL RL rules, round 1: 5 new triples",
                                          "OWL RL rules, round 2: 1 new triples", "validate (without the closure)"]


def test_work_timed_apart_inside_a_timed_call_is_not_that_calls_time(run, capsys):
    def inner():
        time.sleep(0.2)

    timed_inner = run._timed(inner, lambda *_: "inner")
    apart = run._timed_apart(lambda: timed_inner())
    outer = run._timed(lambda: (apart(), time.sleep(0.1)), lambda *_: "outer")
    outer()
    seconds = {r["step"]: r["seconds"] for r in map(json.loads, capsys.readouterr().out.splitlines())}
    assert seconds["inner"] >= 0.2  # timed on its own, although inside "outer"
    assert 0.1 <= seconds["outer"] < 0.2  # its own sleep, without the work done apart


def test_a_writer_a_timed_generator_calls_is_the_generators_time(run, capsys):
    """`wikidata.build_outputs` yields its files and writes the view's Turtle while it makes the first: one step."""
    inner = run._timed(lambda: time.sleep(0.05), lambda *_: "inner")

    def outputs():
        inner()
        yield "file"

    assert list(run._timed(outputs, lambda *_: "outputs")()) == ["file"]
    seconds = {r["step"]: r["seconds"] for r in map(json.loads, capsys.readouterr().out.splitlines())}
    assert list(seconds) == ["outputs"] and seconds["outputs"] >= 0.05


def test_a_label_timed_twice_is_listed_once_with_both_times(run):
    result = {"steps": {}, "order": []}
    for record in ({"step": "export (other graph).ttl", "seconds": 0.5}, {"step": "export void.ttl", "seconds": 1.0},
                   {"step": "export (other graph).ttl", "seconds": 0.25}):
        run._add_step(result, record)
    assert result["order"] == ["export (other graph).ttl", "export void.ttl"]
    assert result["steps"]["export (other graph).ttl"]["seconds"] == 0.75
