"""Crashes, Ctrl-C, a full disk, a read-only database: nothing half-written, nothing lost.

Each site is written in one transaction. Killing the crawl at any moment leaves a consistent
database, and running the same command again ends with the database an uninterrupted crawl
makes.
"""

from __future__ import annotations

import contextlib
import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from scoring import CRITERIA
from tests.conftest import ROOT, limit_file_size, run_cli

KILL_POINTS = 4


def crawl_command(sample_sites, db: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "clinicscout", "crawl", *sample_sites.urls.values(), "--db", str(db),
            "--allow-private", "--delay", "0", *extra]


def start(command: list[str], **kwargs) -> subprocess.Popen:
    return subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONWARNINGS": "ignore"}, **kwargs)


def assert_consistent(db: Path) -> int:
    """The database invariants; returns how many clinics are completely saved."""
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    tables = {name for (name,) in conn.execute("select name from sqlite_master where type = 'table'")}
    if not tables:
        # Killed after the file was created but before the schema's first (atomic) commit:
        # an empty database, with nothing half-created in it.
        conn.close()
        return 0
    assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    assert conn.execute("select count(*) from pages where clinic_id not in (select id from clinics)").fetchone()[0] == 0
    assert conn.execute("select count(*) from verdicts where clinic_id not in (select id from clinics)").fetchone()[0] == 0
    saved = 0
    for clinic_id, score, pages, verdicts in conn.execute("""
        select c.id, c.score, (select count(*) from pages p where p.clinic_id = c.id),
               (select count(*) from verdicts v where v.clinic_id = c.id) from clinics c
    """):
        # A clinic has all its verdicts, its score and its pages, or none of them.
        assert verdicts in (0, len(CRITERIA)), (clinic_id, verdicts)
        assert (verdicts > 0) == (score is not None) == (pages > 0), (clinic_id, score, pages, verdicts)
        saved += verdicts > 0
    conn.close()
    return saved


def snapshot(db: Path) -> dict[str, list[tuple]]:
    """Everything a crawl decides, without the timestamps and the row ids of pages."""
    conn = sqlite3.connect(db)
    clinics = [row[:-1] + (tuple(sorted((row[-1] or "").split("; "))),) for row in conn.execute("""
        select id, website, name, score, rank, offers_microneedling, criteria_met, red_flags, phone,
               street_address, city, postcode, pages_crawled, crawl_status, crawl_error
        from clinics order by website""")]
    pages = conn.execute("""select c.website, p.url, p.title, p.text, p.status, p.structured, p.tel_links
        from pages p join clinics c on c.id = p.clinic_id order by p.url""").fetchall()
    verdicts = conn.execute("""select c.website, v.criterion, v.met, v.page_url, v.quote, v.rule
        from verdicts v join clinics c on c.id = v.clinic_id order by 1, 2""").fetchall()
    conn.close()
    return {"clinics": clinics, "pages": pages, "verdicts": verdicts}


@pytest.fixture(scope="module")
def reference(sample_sites, tmp_path_factory):
    """An uninterrupted crawl, and how long it took."""
    db = tmp_path_factory.mktemp("reference") / "reference.db"
    started = time.monotonic()
    subprocess.run(crawl_command(sample_sites, db), cwd=ROOT, check=True, capture_output=True)
    return db, time.monotonic() - started


def test_a_crawl_killed_at_random_moments_and_run_again_equals_an_uninterrupted_one(
        sample_sites, reference, tmp_path):
    reference_db, seconds = reference
    rng = random.Random(20240607)
    moments = sorted(rng.uniform(0.3, 0.95) * seconds for _ in range(KILL_POINTS))
    outcomes: dict[float, tuple[int, dict]] = {}
    failures: list[str] = []

    def kill_and_rerun(moment: float) -> None:
        try:
            _kill_and_rerun(moment)
        except Exception as error:  # a thread's failure must fail the test, not vanish
            failures.append(f"killed at {moment:.2f}s: {error!r}")

    def _kill_and_rerun(moment: float) -> None:
        db = tmp_path / f"killed-{moment:.2f}.db"
        crawl = start(crawl_command(sample_sites, db))
        time.sleep(moment)
        crawl.send_signal(signal.SIGKILL)
        crawl.communicate()
        saved_when_killed = assert_consistent(db) if db.exists() else 0
        rerun = subprocess.run(crawl_command(sample_sites, db), cwd=ROOT, capture_output=True, text=True)
        assert rerun.returncode == 0, rerun.stderr[-3000:]
        outcomes[moment] = (saved_when_killed, snapshot(db))

    # The kill points are independent databases: run them side by side to keep the suite quick.
    threads = [threading.Thread(target=kill_and_rerun, args=(m,)) for m in moments]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert failures == []
    assert len(outcomes) == KILL_POINTS
    expected = snapshot(reference_db)
    for moment, (saved_when_killed, rerun) in outcomes.items():
        assert rerun == expected, f"killed at {moment:.2f}s with {saved_when_killed} clinics saved"
    assert_consistent(reference_db)


def test_ctrl_c_stops_cleanly_and_says_what_was_saved(sample_sites, tmp_path):
    db = tmp_path / "interrupted.db"
    # A polite delay makes the crawl long enough to interrupt in the middle.
    crawl = start(crawl_command(sample_sites, db, "--delay", "0.2", "-s", "AUTOTHROTTLE_ENABLED=False"))
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        time.sleep(0.2)
        if db.exists() and _saved(db) >= 1:
            break
    crawl.send_signal(signal.SIGINT)
    stdout, stderr = crawl.communicate(timeout=60)
    assert crawl.returncode == 130, stderr
    saved = assert_consistent(db)
    assert 1 <= saved < len(sample_sites.urls)
    assert f"Interrupted: the {saved} sites above are saved completely" in stderr
    assert "Run the same command again" in stderr


def _saved(db: Path) -> int:
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
            return conn.execute("select count(*) from clinics where score is not null").fetchone()[0]
    except sqlite3.Error:
        return 0


def test_a_full_disk_stops_the_crawl_with_a_clear_error_and_nothing_half_written(sample_sites, tmp_path):
    db = tmp_path / "full.db"
    first_two = list(sample_sites.urls.values())[:2]
    run_cli("crawl", *first_two, "--db", str(db), "--allow-private", "--delay", "0")
    # Room for the seeds and a few sites more: the disk fills in the middle of the next crawl.
    # The crawl's writes go to the write-ahead log, which starts empty; the database file also
    # holds reference data (the ZIP code centres), so its size says nothing about the room.
    room = 1024 * 1024
    crawl = start(crawl_command(sample_sites, db), preexec_fn=limit_file_size(room))
    stdout, stderr = crawl.communicate(timeout=120)
    assert crawl.returncode == 1, stdout + stderr
    assert "database or disk is full" in stderr or "disk I/O error" in stderr, stderr
    assert "The crawl stopped." in stderr and "nothing is half-written" in stderr
    assert "Traceback" not in stderr
    saved = assert_consistent(db)
    assert 2 <= saved < len(sample_sites.urls)


@contextlib.contextmanager
def read_only(path: Path):
    """Makes ``path`` read-only, even for root (who ignores file modes): immutable, via chattr."""
    if os.geteuid() == 0:
        if subprocess.run(["chattr", "+i", str(path)], capture_output=True).returncode != 0:
            pytest.skip("running as root on a file system without chattr +i")
        try:
            yield
        finally:
            subprocess.run(["chattr", "-i", str(path)], check=True)
    else:
        path.chmod(0o444)
        try:
            yield
        finally:
            path.chmod(0o644)


def test_a_read_only_database_is_refused_with_a_clear_error(crawled_db, tmp_path):
    db = tmp_path / "clinics.db"
    db.write_bytes(crawled_db.read_bytes())
    before = db.read_bytes()
    with read_only(db):
        for command in (["crawl", "http://127.0.0.1:9/", "--allow-private"], ["score"]):
            result = run_cli(*command, "--db", str(db), check=False)
            assert result.returncode == 1, result.stderr
            assert f"cannot use database {db}" in result.stderr
            assert "readonly database" in result.stderr
            assert "Traceback" not in result.stderr
    assert db.read_bytes() == before
