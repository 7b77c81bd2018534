"""The process that writes the site's files: what it writes, and how a file it cannot write stops the build."""

from __future__ import annotations

import io

import pytest
from conftest import run_cli
from test_cli import snapshot

from cassibile.errors import UsageError
from cassibile.publish.site.writer import HEADER, FileWriter, write_files


def test_the_writer_writes_text_as_utf8_and_bytes_as_given(tmp_path):
    with FileWriter() as files:
        files.write(tmp_path / "page.html", "Cassìbile — 3 settembre\n")
        files.write(str(tmp_path / "data.nt"), b"\x00\xff raw\r\n")
    assert (tmp_path / "page.html").read_bytes() == "Cassìbile — 3 settembre\n".encode("utf-8")
    assert (tmp_path / "data.nt").read_bytes() == b"\x00\xff raw\r\n"


def test_a_file_the_writer_cannot_write_is_named_and_no_file_after_it_is_written(tmp_path):
    with pytest.raises(UsageError, match=r"cannot write .*missing/b\.html: No such file or directory"):
        with FileWriter() as files:
            files.write(tmp_path / "a.html", "a")
            files.write(tmp_path / "missing" / "b.html", "b")
            files.write(tmp_path / "c.html", "c")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.html"]


def test_an_error_while_the_pages_are_made_is_the_one_raised_and_stops_the_writer(tmp_path):
    with pytest.raises(KeyError, match="no such page"):
        with FileWriter() as files:
            files.write(tmp_path / "a.html", "a")
            raise KeyError("no such page")


def test_a_file_whose_bytes_did_not_all_arrive_is_not_written(tmp_path):
    name = str(tmp_path / "cut.html").encode()
    report = io.StringIO()
    assert write_files(io.BytesIO(HEADER.pack(len(name), 100) + name + b"only part of it"), report) == 1
    assert not (tmp_path / "cut.html").exists()


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_page_that_cannot_be_written_fails_the_build_naming_it_and_leaves_the_previous_dist(project_copy, jobs):
    out = project_copy / "dist"
    run_cli("build", "--quiet", "--out", str(out), cwd=project_copy, check=True)
    before = snapshot(out)
    # A fact IRI whose page's data siblings get a file name longer than the file system allows (255 bytes).
    fact = "fact:allied-military-camp-at-cassibile--locatedIn--cassibile"
    facts = project_copy / "graph" / "facts" / "armistice.ttl"
    text = facts.read_text(encoding="utf-8")
    assert text.count(f"{fact}\n") == 1
    facts.write_text(text.replace(f"{fact}\n", f"{fact}{'-' * 200}\n"), encoding="utf-8")
    result = run_cli("build", "--quiet", "--jobs", jobs, "--out", str(out), cwd=project_copy)
    assert result.returncode == 2, result.stderr
    assert "cannot write" in result.stderr and "cassibile----" in result.stderr and "File name too long" in result.stderr
    assert "Traceback" not in result.stderr
    assert snapshot(out) == before
    assert not [p for p in project_copy.iterdir() if p.name.startswith(".dist.")]
