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
