"""Crawl history, incremental recrawls, stale and inactive sites, one crawl at a time."""

from __future__ import annotations

import json
import os
import pty
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from clinicscout.sites import ServedSites
from clinicscout.storage import Storage
from clinicscout.web import make_datasette
from tests.conftest import ROOT, SAMPLE_SITES, copy_database, db_snapshot, query, run_cli

LOCAL = ("--allow-private", "--delay", "0")
NUMBING = ("<p>A topical numbing cream is applied for 20 minutes before your microneedling "
           "session begins.</p>\n")


def add_numbing_sentence(sites: Path) -> None:
    """harbor-medspa starts saying it numbs: one page of one site changes, a second later."""
    page = sites / "harbor-medspa" / "services" / "microneedling.html"
    html = page.read_text(encoding="utf-8")
    marker = "<p>Each treatment uses a new sterile needle cartridge"
    page.write_text(html.replace(marker, NUMBING + marker), encoding="utf-8")
    later = time.time() + 2  # Last-Modified has one-second resolution
    os.utime(page, (later, later))


@pytest.fixture
def site_copies(tmp_path) -> Path:
    copies = tmp_path / "sites"
    shutil.copytree(SAMPLE_SITES, copies)  # keeps modification times: Last-Modified is stable
    return copies


def test_a_recrawl_refetches_only_changed_pages_and_rescores_only_that_clinic(site_copies, tmp_path):
    db = tmp_path / "weekly.db"
    with ServedSites(site_copies) as sites:
        run_cli("crawl", *sites.urls.values(), "--db", str(db), *LOCAL)
        first = query(db, "select * from crawls")[0]
        add_numbing_sentence(site_copies)
        result = run_cli("crawl", "--db", str(db), *LOCAL)  # no URL: recrawl the database
        fresh_db = tmp_path / "fresh.db"
        run_cli("crawl", *sites.urls.values(), "--db", str(fresh_db), *LOCAL)
        harbor = sites.urls["harbor-medspa"]
        n = len(sites.urls)

    second = query(db, "select * from crawls where id = 2")[0]
    assert second["status"] == "finished" and second["finished"]
    assert (second["sites"], second["sites_rescored"], second["sites_unchanged"]) == (n, 1, n - 1)
    assert second["pages_fetched"] == 1, "only the edited page is downloaded again"
    assert second["pages_unchanged"] == first["pages_fetched"] - 1
    assert json.loads(second["stats"])["downloader/response_status_count/304"] == second["pages_unchanged"]
    assert f"Crawled {n} sites (1 rescored, {n - 1} unchanged, 0 failed)" in result.stdout
    assert "(crawl 2 finished)" in result.stdout

    # Rows remember the crawl that wrote them: only Harbor's page and verdicts are new.
    new_pages = query(db, "select url from pages where crawl_id = 2")
    assert [p["url"] for p in new_pages] == [harbor + "services/microneedling.html"]
    rewritten = query(db, "select distinct c.website from verdicts v join clinics c"
                          " on c.id = v.clinic_id where v.crawl_id = 2")
    assert [r["website"] for r in rewritten] == [harbor]
    numbing = query(db, "select v.met, v.quote from verdicts v join clinics c on c.id = v.clinic_id"
                        " where c.website = ? and v.criterion = 'anesthesia'", [harbor])[0]
    assert numbing["met"] == 1 and "numbing cream" in numbing["quote"]

    # What changed since the last crawl: Harbor gained a criterion and points, nobody else moved.
    changes = query(db, "select * from changes_since_last_crawl")
    assert len(changes) == 1
    change = changes[0]
    assert change["website"] == harbor and (change["previous_crawl_id"], change["crawl_id"]) == (1, 2)
    assert json.loads(change["criteria_gained"]) == ["anesthesia"]
    assert json.loads(change["criteria_lost"]) == []
    assert change["score_delta"] == change["score"] - change["previous_score"] > 0
    history = query(db, "select crawl_id, count(*) as clinics, count(rank) as ranked"
                        " from score_history group by crawl_id")
    assert history == [{"crawl_id": 1, "clinics": n, "ranked": n},
                       {"crawl_id": 2, "clinics": n, "ranked": n}]

    # Incremental gives what a crawl from scratch gives.
    assert db_snapshot(db) == db_snapshot(fresh_db)


def test_a_site_that_fails_keeps_its_data_marked_stale_then_inactive(sample_sites, tmp_path):
    db = tmp_path / "failing.db"
    steady = sample_sites.urls["lumen-dermatology"]
    with ServedSites(SAMPLE_SITES, slugs=["glow-day-spa"]) as flaky:
        gone = flaky.urls["glow-day-spa"]
        run_cli("crawl", steady, gone, "--db", str(db), *LOCAL)
    before = db_snapshot(db)
    # The server is gone: connection refused on every request, twice.
    for _ in range(2):
        run_cli("crawl", "--db", str(db), "--inactive-after", "2", *LOCAL)
        clinic = query(db, "select * from clinics where website = ?", [gone])[0]
        assert clinic["crawl_status"] == "failed" and clinic["stale"] == 1
        assert "Connection refused" in clinic["crawl_error"]
    assert clinic["failed_crawls"] == 2 and clinic["inactive"] == 1
    after = db_snapshot(db)
    kept = {table: [row for row in rows if row[0] == gone] for table, rows in after.items()}
    assert kept["pages"] == [row for row in before["pages"] if row[0] == gone]
    assert kept["verdicts"] == [row for row in before["verdicts"] if row[0] == gone]
    steady_row = query(db, "select * from clinics where website = ?", [steady])[0]
    assert (steady_row["stale"], steady_row["inactive"], steady_row["crawl_status"]) == (0, 0, "ok")
    # Its score history goes on, unchanged, so the changes view shows nothing for it.
    scores = query(db, "select h.score from score_history h join clinics c on c.id = h.clinic_id"
                       " where c.website = ? order by h.crawl_id", [gone])
    assert len(scores) == 3 and len({s["score"] for s in scores}) == 1
    assert query(db, "select * from changes_since_last_crawl") == []


def crawl_in_background(urls, db: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "clinicscout", "crawl", *urls, "--db", str(db), *LOCAL],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


def wait_for_clinics(db: Path, crawl: subprocess.Popen, count: int) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and crawl.poll() is None:
        try:
            if query(db, "select count(*) as n from clinics where crawl_id is not null")[0]["n"] >= count:
                return
        except sqlite3.OperationalError:
            pass  # the crawl has not created its tables yet
        time.sleep(0.05)
    raise AssertionError(f"the crawl did not store {count} clinics")


async def test_a_crawl_killed_midway_leaves_a_consistent_db_that_the_next_run_completes(
    sample_sites, gated_site, tmp_path
):
    db = tmp_path / "killed.db"
    gated_url, gate = gated_site
    crawl = crawl_in_background([*sample_sites.urls.values(), gated_url], db)
    n = len(sample_sites.urls)
    try:
        wait_for_clinics(db, crawl, n)  # every site but the gated one
        # A second crawl on the same database refuses to start, and says why.
        second = run_cli("crawl", "--db", str(db), *LOCAL, check=False)
        assert second.returncode == 1
        assert f"another crawl is already running on {db} (pid {crawl.pid}" in second.stderr
        # Datasette serves the database while the crawl writes to it.
        datasette = make_datasette(db)
        await datasette.invoke_startup()
        response = await datasette.client.get("/clinics/clinics.json?_shape=array")
        assert response.status_code == 200 and len(response.json()) == n + 1
    finally:
        crawl.send_signal(signal.SIGKILL)
        crawl.wait()
    assert sqlite3.connect(db).execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert query(db, "select status, finished from crawls") == [{"status": "running", "finished": None}]
    unfinished = query(db, "select website, pages_crawled from clinics where crawl_id is null")
    assert unfinished == [{"website": gated_url, "pages_crawled": None}]

    # The lock died with the process; the next run closes the dead crawl and completes the work.
    gate.set()
    run_cli("crawl", "--db", str(db), *LOCAL)
    crawls = query(db, "select id, status, finished is not null as ended from crawls")
    assert crawls == [{"id": 1, "status": "interrupted", "ended": 0},
                      {"id": 2, "status": "finished", "ended": 1}]
    second_crawl = query(db, "select sites_rescored, sites_unchanged from crawls where id = 2")[0]
    assert second_crawl == {"sites_rescored": 1, "sites_unchanged": n}
    clean = tmp_path / "clean.db"
    run_cli("crawl", *sample_sites.urls.values(), gated_url, "--db", str(clean), *LOCAL)
    assert db_snapshot(db) == db_snapshot(clean)


def test_ctrl_c_stops_a_crawl_cleanly_and_records_it_interrupted(sample_sites, gated_site, tmp_path):
    db = tmp_path / "stopped.db"
    gated_url, gate = gated_site
    crawl = crawl_in_background([sample_sites.urls["lumen-dermatology"], gated_url], db)
    wait_for_clinics(db, crawl, 1)
    crawl.send_signal(signal.SIGINT)
    time.sleep(0.5)
    gate.set()  # Scrapy lets the requests in flight finish, and starts no new one
    out, _ = crawl.communicate(timeout=60)
    assert crawl.returncode == 130
    assert out.startswith("Crawled 1 sites") and "(crawl 1 interrupted)" in out
    row = query(db, "select status, finished from crawls")[0]
    assert row["status"] == "interrupted" and row["finished"]
    assert sqlite3.connect(db).execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_progress_shows_on_a_terminal_and_not_in_cron(sample_sites, tmp_path):
    urls = [sample_sites.urls[s] for s in ("lumen-dermatology", "glow-day-spa")]
    quiet = run_cli("crawl", *urls, "--db", str(tmp_path / "cron.db"), *LOCAL, "--quiet")
    assert quiet.stderr == "" and len(quiet.stdout.splitlines()) == 1
    assert quiet.stdout.startswith("Crawled 2 sites (2 rescored")
    assert quiet.stdout.endswith("(crawl 1 finished)\n")

    controller, terminal = pty.openpty()
    crawl = subprocess.Popen(
        [sys.executable, "-m", "clinicscout", "crawl", *urls, "--db", str(tmp_path / "tty.db"), *LOCAL],
        cwd=ROOT, stdin=terminal, stdout=terminal, stderr=terminal,
    )
    os.close(terminal)
    seen = b""
    while True:
        try:
            chunk = os.read(controller, 4096)
        except OSError:  # the terminal closed: the crawl has ended
            break
        if not chunk:
            break
        seen += chunk
    crawl.wait()
    os.close(controller)
    screen = seen.decode(errors="replace")
    assert "[1/2 clinics]" in screen and "[2/2 clinics]" in screen
    assert "Crawled 2 sites" in screen


def test_a_database_from_before_crawl_history_is_upgraded_in_place(crawled_db, tmp_path):
    old = tmp_path / "old.db"
    copy_database(crawled_db, old)
    with sqlite3.connect(old) as connection:
        connection.execute("drop view changes_since_last_crawl")
        connection.execute("drop table score_history")
        connection.execute("drop table crawls")
        for table, column in (("pages", "etag"), ("pages", "crawl_id"), ("clinics", "stale"),
                              ("verdicts", "crawl_id")):
            connection.execute(f"alter table {table} drop column {column}")
        connection.execute("pragma user_version = 1")
    before = db_snapshot(old)
    Storage(old).close()
    assert db_snapshot(old) == before
    columns = {row["name"] for row in query(old, "pragma table_info(pages)")}
    assert {"etag", "crawl_id", "last_modified"} <= columns
    assert query(old, "select * from changes_since_last_crawl") == []


async def test_datasette_shows_what_changed_since_the_last_crawl(crawled_db, sample_sites):
    datasette = make_datasette(crawled_db)
    await datasette.invoke_startup()
    response = await datasette.client.get("/clinics/changes_since_last_crawl.json?_shape=array")
    assert response.status_code == 200
    rows = response.json()
    # After a first crawl every clinic is new: no previous score, every met criterion gained.
    assert len(rows) == len(sample_sites.urls)
    assert all(row["previous_crawl_id"] is None and row["score_delta"] is None for row in rows)
    best = max(rows, key=lambda row: row["score"])
    assert "sterile_equipment" in json.loads(best["criteria_gained"])
    page = await datasette.client.get("/clinics/changes_since_last_crawl")
    assert "since the crawl before" in page.text
