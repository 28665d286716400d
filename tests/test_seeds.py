"""Seed CSV files: header-driven, every bad row reported by line, good rows kept."""

from __future__ import annotations

import pytest

from clinicscout.seeds import SeedFileError, read_seeds
from tests.conftest import run_cli


def write(tmp_path, text, name="seeds.csv", encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def test_good_rows_load_with_their_details(tmp_path):
    path = write(tmp_path, "name,website,city\nLumen Dermatology,lumen-derm.example,Austin\n")
    seeds, errors = read_seeds(path)
    assert errors == []
    assert seeds[0].website == "https://lumen-derm.example/"
    assert seeds[0].details == {"name": "Lumen Dermatology", "city": "Austin"}


def test_bad_rows_are_reported_by_line_and_good_rows_still_load(tmp_path):
    path = write(tmp_path, "\ufeffWebsite,Name\r\n"
                 "https://a.example,A\r\n"
                 "ftp://b.example,B\r\n"
                 ",C\r\n"
                 "https://a.example,A again\r\n"
                 "https://d.example,D,extra\r\n"
                 "https://e.example,E\r\n")
    seeds, errors = read_seeds(path)
    assert [s.website for s in seeds] == ["https://a.example/", "https://e.example/"]
    assert [e.split(":")[0] for e in errors] == ["line 3", "line 4", "line 5", "line 6"]
    assert "duplicate" in errors[2]


def test_a_file_without_a_website_column_is_refused(tmp_path):
    with pytest.raises(SeedFileError, match="no 'website' column"):
        read_seeds(write(tmp_path, "name,url\nA,https://a.example\n"))


def test_the_crawl_command_names_the_bad_seed_file(tmp_path):
    path = write(tmp_path, "name\nA\n")
    result = run_cli("crawl", "--seeds", str(path), "--db", str(tmp_path / "x.db"), check=False)
    assert result.returncode == 2
    assert "no 'website' column" in result.stderr
