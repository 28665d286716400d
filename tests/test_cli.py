"""The command line, run as a user runs it."""

from __future__ import annotations

import sqlite_utils

from tests.conftest import copy_database, run_cli


def test_every_command_has_help():
    for command in ("crawl", "ingest", "score", "serve", "check", "demo"):
        result = run_cli(command, "--help")
        assert "Usage: clinicscout " + command in result.stdout
        assert len(result.stdout.splitlines()) > 5


def test_check_explains_one_site_without_a_database(sample_sites):
    result = run_cli("check", sample_sites.urls["lumen-dermatology"], "--allow-private")
    out = result.stdout
    assert "Identity" in out and "Verdicts" in out
    assert "✓ sterile_equipment" in out
    assert "rule:" in out and "quote:" in out
    assert "Score " in out


def test_score_rescores_stored_pages_without_the_network(crawled_db, tmp_path):
    copy = tmp_path / "copy.db"
    source = sqlite_utils.Database(crawled_db)
    before = list(source.query("select id, score, rank from clinics order by id"))
    copy_database(crawled_db, copy)
    sqlite_utils.Database(copy).execute("delete from verdicts")
    sqlite_utils.Database(copy).conn.commit()
    result = run_cli("score", "--db", str(copy))
    assert "Rescored" in result.stdout
    after = list(sqlite_utils.Database(copy).query("select id, score, rank from clinics order by id"))
    assert after == before
    assert sqlite_utils.Database(copy)["verdicts"].count == 18 * len(before)
