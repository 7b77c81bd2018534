"""The command line on good and bad input: exit codes, messages that locate the fault, atomic builds."""

import argparse
import fcntl
import json
import os
import re
import stat
import subprocess
import sys
import time

import pytest
from conftest import run_cli


def test_help_on_every_subcommand():
    for command in ("build", "validate", "query", "export", "stats", "fmt"):
        result = run_cli(command, "--help")
        assert result.returncode == 0, command
        assert "usage: cassibile " + command in result.stdout


def test_malformed_turtle_names_file_line_and_column(project_copy):
    broken = project_copy / "graph" / "entities" / "core.ttl"
    lines = broken.read_text(encoding="utf-8").splitlines()
    number = next(i for i, line in enumerate(lines) if "rdfs:label" in line)
    lines[number] = lines[number].replace("rdfs:label", "rdfs:label \"unterminated")
    broken.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run_cli("validate", cwd=project_copy)
    assert result.returncode == 1
    assert f"{broken}:{number + 1}:" in result.stderr
    assert "malformed Turtle" in result.stderr


def test_unknown_prefix_is_a_data_error_with_position(project_copy):
    broken = project_copy / "graph" / "facts" / "armistice.ttl"
    broken.write_text(broken.read_text(encoding="utf-8") + "\nnope:x a cas:Fact .\n", encoding="utf-8")
    result = run_cli("build", "--quiet", "--out", str(project_copy / "dist"), cwd=project_copy)
    assert result.returncode == 1
    assert "nope: has not been declared" in result.stderr
    assert str(broken) + ":" in result.stderr


def test_ill_typed_date_is_reported_with_its_node(project_copy):
    facts = project_copy / "graph" / "facts" / "armistice.ttl"
    facts.write_text(facts.read_text(encoding="utf-8").replace('"1943-09-08"^^xsd:date', '"1943-09-31"^^xsd:date'), encoding="utf-8")
    result = run_cli("validate", cwd=project_copy)
    assert result.returncode == 1
    assert 'ill-typed literal "1943-09-31"' in result.stderr
    assert "armistice-of-cassibile--publicationDate" in result.stderr


def test_missing_file_is_a_usage_error(project_copy):
    result = run_cli("fmt", "--check", str(project_copy / "graph" / "no-such.ttl"), cwd=project_copy)
    assert result.returncode == 2
    assert "no-such.ttl: no such file" in result.stderr


def test_unknown_format_and_subcommand_are_usage_errors(project_copy):
    assert run_cli("export", "--format", "docx", cwd=project_copy).returncode == 2
    assert run_cli("frobnicate").returncode == 2


def test_unknown_query_suggests_close_names(project_copy, built):
    result = run_cli("query", "timelime", "--data", str(built / "cassibile.nq"), cwd=project_copy)
    assert result.returncode == 2
    assert "unknown query 'timelime'" in result.stderr


def snapshot(folder):
    """Every file below `folder` (relative path -> bytes)."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_failed_build_leaves_previous_dist_untouched(project_copy):
    out = project_copy / "dist"
    run_cli("build", "--quiet", "--out", str(out), cwd=project_copy, check=True)
    before = snapshot(out)
    # Break the data in a way only validation catches: a quote that is not in its source.
    facts = project_copy / "graph" / "facts" / "armistice.ttl"
    facts.write_text(facts.read_text(encoding="utf-8").replace("It was made public five days later.", "It was made public six days later."), encoding="utf-8")
    result = run_cli("build", "--quiet", "--out", str(out), cwd=project_copy)
    assert result.returncode == 1
    assert "does not occur verbatim" in result.stderr
    assert snapshot(out) == before
    assert not [p for p in project_copy.iterdir() if p.name.startswith(".dist.")]


@pytest.mark.parametrize("jobs", [1, 2])
def test_two_builds_are_byte_identical_with_one_job_or_two(tmp_path, built, jobs):
    """With one job the build prepares its outputs before it validates the closure, with two while another process
    validates it; either way its reasoning runs in a forked process (`LayerStore.add_apart`): what is written is the same."""
    from cassibile import build
    from cassibile.project import Project

    again = tmp_path / "again"
    build.build(Project.find(), again, quiet=True, jobs=jobs)
    first, second = snapshot(built), snapshot(again)
    assert sorted(first) == sorted(second)
    assert [name for name in first if first[name] != second[name]] == []


@pytest.mark.parametrize("jobs", [1, 2])
def test_what_only_the_closures_validation_finds_stops_the_build_before_a_file_is_written(tmp_path, monkeypatch, jobs):
    """With two jobs the closure is validated in a forked process while the build prepares its outputs (the index, the
    site's shared answers): a violation found there still fails the build, and leaves the previous folder as it was."""
    from cassibile import build
    from cassibile.errors import DataError
    from cassibile.namespaces import GRAPH
    from cassibile.pipeline.validate import Checker, Violation
    from cassibile.project import Project

    checks = Checker.violations

    def with_one_of_the_closure(checker, jobs=1):  # as if a shape held only of the inferred triples
        found = checks(checker, jobs)
        if GRAPH["inferred"] in checker.checked:
            found.append(Violation(rule="closure-only", message=f"found by process {os.getpid()}", focus="urn:x:focus"))
        return found

    monkeypatch.setattr(Checker, "violations", with_one_of_the_closure)
    out = tmp_path / "dist"
    out.mkdir()
    (out / "previous.txt").write_text("the previous build")
    with pytest.raises(DataError) as failure:
        build.build(Project.find(), out, quiet=True, jobs=jobs)
    found_by = int(re.search(r"found by process (\d+)", str(failure.value))[1])
    assert (found_by != os.getpid()) == (jobs > 1)
    assert "validation failed" in str(failure.value)
    assert [p.name for p in out.iterdir()] == ["previous.txt"]
    assert [p.name for p in tmp_path.iterdir()] == ["dist"]  # no staging folder was made


def test_build_writes_asserted_and_inferred_apart_in_three_formats(built):
    for graph in ("asserted", "inferred", "derived", "ontology"):
        for ext in ("ttl", "nt", "jsonld"):
            assert (built / f"{graph}.{ext}").stat().st_size > 0
    assert "do not edit" in (built / "inferred.ttl").read_text(encoding="utf-8").splitlines()[0]
    trig = (built / "cassibile.trig").read_text(encoding="utf-8")
    assert "<https://w3id.org/cassibile/graph/inferred> {" in trig
    assert (built / "validation-report.txt").read_text(encoding="utf-8").startswith("Validation: the graph conforms")


def test_stats_counts_facts_claims_and_links():
    result = run_cli("stats", "--format", "json", check=True)
    stats = json.loads(result.stdout)
    assert stats["facts"] >= 17 and stats["claims"] >= 9
    assert stats["wikidata_links"] + stats["unlinked_entities"] == stats["entities"]
    assert set(stats["claims_by_source"]) >= {"source:en-article (en)", "source:pt-history (pt)", "source:de-history (de)"}


def test_export_writes_the_asked_layer_in_the_asked_format(tmp_path, built):
    from rdflib import Graph
    from rdflib.compare import isomorphic

    target = tmp_path / "asserted.nt"
    result = run_cli("export", "--format", "nt", "--graph", "asserted", "-o", str(target))
    assert result.returncode == 0, result.stderr
    assert isomorphic(Graph().parse(target, format="nt"), Graph().parse(built / "asserted.nt", format="nt"))
    assert run_cli("export", "--format", "nq", "--graph", "asserted").returncode == 2


def test_export_writes_the_dataset_with_the_quads_of_the_build(tmp_path, built):
    """`export --format nq` writes the build's store, each layer and each source's claims in their named graphs."""
    import pyoxigraph as ox

    target = tmp_path / "all.nq"
    result = run_cli("export", "--format", "nq", "--graph", "all", "-o", str(target))
    assert result.returncode == 0, result.stderr
    exported = set(ox.parse(path=str(target), format=ox.RdfFormat.N_QUADS))
    assert exported == set(ox.parse(path=str(built / "cassibile.nq"), format=ox.RdfFormat.N_QUADS)) != set()


def _build_in(project, out, umask: int = 0o022) -> subprocess.Popen:
    """`cassibile build` in its own process (with the given umask), as a user or CI would start it."""
    env = {k: v for k, v in os.environ.items() if k != "CASSIBILE_ROOT"}
    return subprocess.Popen([sys.executable, "-m", "cassibile", "build", "--quiet", "--out", str(out)], cwd=project, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, preexec_fn=lambda: os.umask(umask))


def test_a_killed_build_leaves_staging_that_the_next_build_removes_but_not_a_live_ones(project_copy):
    """Regression (issue 12): `.dist.*` folders of killed builds piled up beside dist/ for ever."""
    out = project_copy / "dist"
    killed = _build_in(project_copy, out)
    deadline = time.monotonic() + 300
    while not (staging := [p for p in project_copy.iterdir() if p.name.startswith(".dist.")]) and killed.poll() is None:
        assert time.monotonic() < deadline, "the build never started writing"
        time.sleep(0.05)
    killed.kill()
    killed.communicate()
    assert staging and all(p.exists() for p in staging), "a killed build leaves its staging folder"
    live = project_copy / ".dist.live-build"  # a build still writing holds a lock on its folder
    live.mkdir()
    holder = os.open(live, os.O_RDONLY)
    fcntl.flock(holder, fcntl.LOCK_EX)
    try:
        second = _build_in(project_copy, out)
        _, errors = second.communicate(timeout=600)
        assert second.returncode == 0, errors
        left = sorted(p.name for p in project_copy.iterdir() if p.name.startswith(".dist."))
    finally:
        os.close(holder)
    assert left == [live.name]
    assert (out / "site" / "index.html").is_file()


def test_dist_gets_the_umask_modes_not_a_private_temporary_folders(project_copy):
    """Regression (issue 12): dist/ was created 0700 by mkdtemp, unreadable to a web server running as another user."""
    out = project_copy / "dist"
    build = _build_in(project_copy, out, umask=0o027)
    _, errors = build.communicate(timeout=600)
    assert build.returncode == 0, errors
    modes = {stat.S_IMODE(p.stat().st_mode) for p in [out, *out.rglob("*")] if p.is_dir()}
    assert modes == {0o750}
    modes = {stat.S_IMODE(p.stat().st_mode) for p in out.rglob("*") if p.is_file()}
    assert modes == {0o640}


def test_two_concurrent_builds_both_succeed_and_leave_one_complete_dist(project_copy, built):
    out = project_copy / "dist"
    builds = [_build_in(project_copy, out) for _ in range(2)]
    for process in builds:
        _, errors = process.communicate(timeout=900)
        assert process.returncode == 0, errors
    assert snapshot(out) == snapshot(built)
    assert not [p for p in project_copy.iterdir() if p.name.startswith(".dist.")]


def test_bare_cassibile_prints_its_usage_with_every_subcommand():
    """Regression (issue 12): `cassibile` alone said only that a command is required."""
    result = run_cli()
    assert result.returncode == 2
    for command, summary in (("build", "validate, reason and write"), ("query", "run a bundled query"), ("serve", "serve the site")):
        assert re.search(rf"^\s+{command}\s+{summary}", result.stdout, re.M), command
    wikidata = run_cli("wikidata")
    assert wikidata.returncode == 2 and re.search(r"^\s+compare\s+compare the linked items", wikidata.stdout, re.M)


def _options(parser: argparse.ArgumentParser, path: str = "cassibile"):
    """(command path, option) for every option and positional argument of the parser and its subcommands."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from _options(sub, f"{path} {name}")
        elif not isinstance(action, argparse._HelpAction):
            yield path, action


def test_every_option_has_help_text():
    """Regression (issue 12): `export --graph`, `stats --format` and `wikidata compare --format` had none."""
    from cassibile.cli import _parser

    options = list(_options(_parser()))
    assert len(options) > 40
    assert [f"{path} {'/'.join(a.option_strings) or a.dest}" for path, a in options if not (a.help or "").strip()] == []


@pytest.mark.parametrize("args, message", [
    (("serve", "--port", "70000"), "expected a port from 0 to 65535"),
    (("serve", "--port", "-1"), "expected a port from 0 to 65535"),
    (("query", "timeline", "--timeout", "nan"), "expected a positive number of seconds"),
    (("query", "timeline", "--timeout", "0"), "expected a positive number of seconds"),
    (("wikidata", "compare", "--timeout", "inf"), "expected a positive number of seconds"),
    (("wikidata", "reconcile", "--limit", "0"), "--limit must be a positive number"),
    (("export", "--format", "ttl", "-o", "/"), "cannot write /: Is a directory"),
])
def test_impossible_option_values_are_one_line_usage_errors(args, message):
    result = run_cli(*args)
    assert result.returncode == 2
    assert message in result.stderr and "Traceback" not in result.stderr
