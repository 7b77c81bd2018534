"""Hand-written Turtle stays in canonical form, and `fmt` can put it there."""

from conftest import run_cli


def test_all_hand_written_turtle_is_canonical():
    result = run_cli("fmt", "--check")
    assert result.returncode == 0, result.stderr


def test_fmt_check_fails_on_a_hand_mangled_file_and_fmt_repairs_it(project_copy):
    target = project_copy / "graph" / "sources.ttl"
    target.write_text(target.read_text(encoding="utf-8").replace(" ;\n    ", " ;   "), encoding="utf-8")
    check = run_cli("fmt", "--check", str(target), cwd=project_copy)
    assert check.returncode == 1
    assert f"not canonical: {target}" in check.stderr
    assert run_cli("fmt", str(target), cwd=project_copy).returncode == 0
    assert run_cli("fmt", "--check", str(target), cwd=project_copy).returncode == 0


def test_a_literal_the_store_would_rewrite_is_refused_at_load_and_fmt_writes_it_as_the_store_keeps_it(project_copy):
    fleet = project_copy / "graph" / "facts" / "fleet.ttl"
    original = fleet.read_text(encoding="utf-8")
    assert original.count("    rdf:object 206 ;\n") == 1
    fleet.write_text(original.replace("    rdf:object 206 ;\n", '    rdf:object "0206"^^xsd:integer ;\n'), encoding="utf-8")
    line = original.splitlines().index("    rdf:object 206 ;") + 1
    refused = run_cli("validate", cwd=project_copy)
    assert refused.returncode == 1
    assert refused.stderr == (f"cassibile validate: {fleet}:{line}: https://w3id.org/cassibile/fact/regia-marina--numberOfShips--206: "
                              'the literal "0206"^^xsd:integer would be published as "206"^^xsd:integer '
                              "(a pyoxigraph store's form): run `cassibile fmt` to write it so\n")
    assert run_cli("fmt", "--check", cwd=project_copy).returncode == 1
    assert run_cli("fmt", cwd=project_copy).returncode == 0
    assert fleet.read_text(encoding="utf-8") == original
    assert run_cli("validate", cwd=project_copy).returncode == 0
