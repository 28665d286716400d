"""Distributed crawls on two real Scrapyd workers, and feed ingestion."""

from __future__ import annotations

import json
import os
import shlex
import signal
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from clinicscout.distributed import partition
from clinicscout.seeds import Seed
from tests.conftest import ROOT, copy_database, db_snapshot, free_port, query, run_cli

LOCAL = ("--allow-private", "--delay", "0")
SCRAPYD = Path(sys.executable).parent / "scrapyd"
SCRAPYD_CONF = """[scrapyd]
bind_address = 127.0.0.1
http_port = {port}
eggs_dir = eggs
logs_dir = logs
items_dir = items
dbs_dir = dbs
poll_interval = 0.2
"""


def scrapyd_api(worker: str, endpoint: str) -> dict:
    with urllib.request.urlopen(f"{worker}/{endpoint}", timeout=10) as response:
        return json.load(response)


def start_scrapyd(home: Path) -> tuple[str, subprocess.Popen]:
    """A real Scrapyd daemon on 127.0.0.1 serving from ``home``, in a process group of its own
    (with the Scrapy processes of its jobs), once it answers."""
    home.mkdir(parents=True, exist_ok=True)
    port = free_port()
    (home / "scrapyd.conf").write_text(SCRAPYD_CONF.format(port=port))
    log = (home / "scrapyd.out").open("w")
    daemon = subprocess.Popen([str(SCRAPYD)], cwd=home, stdout=log, stderr=subprocess.STDOUT,
                              start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            assert scrapyd_api(url, "daemonstatus.json")["status"] == "ok"
            return url, daemon
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


@pytest.fixture(scope="module")
def scrapyd_workers(tmp_path_factory):
    """Two real Scrapyd daemons on 127.0.0.1, each in its own directory."""
    started = [start_scrapyd(tmp_path_factory.mktemp(f"scrapyd{number}")) for number in (1, 2)]
    yield [url for url, _ in started]
    for _, daemon in started:
        daemon.terminate()
        daemon.wait(timeout=20)


@pytest.fixture(scope="module")
def distributed_db(sample_sites, scrapyd_workers, tmp_path_factory) -> Path:
    db = tmp_path_factory.mktemp("distributed") / "clinics.db"
    first, second = scrapyd_workers
    run_cli("crawl", *sample_sites.urls.values(), "--db", str(db), *LOCAL,
            "--scrapyd", first, "--scrapyd", second)
    return db


@pytest.fixture(scope="module")
def single_machine_db(sample_sites, tmp_path_factory) -> Path:
    db = tmp_path_factory.mktemp("single") / "clinics.db"
    run_cli("crawl", *sample_sites.urls.values(), "--db", str(db), *LOCAL)
    return db


def test_clinics_are_split_by_domain_and_balanced():
    seeds = [Seed(url) for url in (
        "https://www.alpha-clinic.com/", "https://alpha-clinic.com/", "https://shop.alpha-clinic.com/",
        "https://beta-spa.com/", "https://gamma.co.uk/", "https://www.gamma.co.uk/",
        "http://127.0.0.1:8001/", "http://127.0.0.1:8002/",
    )]
    shares = partition(seeds, 3)
    assert sorted(s.website for share in shares for s in share) == sorted(s.website for s in seeds)
    worker_of = {s.website: number for number, share in enumerate(shares) for s in share}
    # One registered domain, one worker; another port of one address is another site.
    assert len({worker_of[u] for u in ("https://www.alpha-clinic.com/", "https://alpha-clinic.com/",
                                      "https://shop.alpha-clinic.com/")}) == 1
    assert worker_of["https://gamma.co.uk/"] == worker_of["https://www.gamma.co.uk/"]
    assert sorted(len(share) for share in shares) == [2, 3, 3]
    two_ports = [Seed("http://127.0.0.1:8001/"), Seed("http://127.0.0.1:8002/")]
    assert partition(two_ports, 2) == [[two_ports[0]], [two_ports[1]]]


def test_a_crawl_on_two_scrapyd_workers_equals_a_single_machine_crawl(
    distributed_db, single_machine_db, scrapyd_workers, sample_sites
):
    sites = len(sample_sites.urls)
    assert db_snapshot(distributed_db) == db_snapshot(single_machine_db)
    crawl = query(distributed_db, "select * from crawls")[0]
    assert (crawl["mode"], crawl["status"], crawl["sites"], crawl["sites_rescored"]) == \
        ("scrapyd", "finished", sites, sites)
    jobs = query(distributed_db, "select * from scrapyd_jobs")
    assert {job["worker"] for job in jobs} == set(scrapyd_workers)
    assert {job["state"] for job in jobs} == {"finished"}
    websites = [site["website"] for job in jobs for site in json.loads(job["sites"])]
    assert len(websites) == len(set(websites)) == sites, "a clinic runs in exactly one job"
    # Each worker really ran its job, and says so.
    for worker in scrapyd_workers:
        finished = scrapyd_api(worker, "listjobs.json?project=clinicscout")["finished"]
        assert {job["id"] for job in jobs if job["worker"] == worker} <= {job["id"] for job in finished}


def test_feeds_of_the_jobs_ingest_idempotently(distributed_db, single_machine_db, tmp_path,
                                                sample_sites):
    n = len(sample_sites.urls)
    feeds = sorted((distributed_db.parent / "clinics.db.feeds" / "crawl-1").glob("*.jl"))
    assert len(feeds) == 2
    db = tmp_path / "ingested.db"
    first = run_cli("ingest", *map(str, feeds), "--db", str(db))
    assert f"Ingested {n} sites from 2 feeds ({n} rescored, 0 unchanged, 0 failed)" in first.stdout
    assert db_snapshot(db) == db_snapshot(single_machine_db)
    again = run_cli("ingest", *map(str, feeds), "--db", str(db))
    assert f"Ingested {n} sites from 2 feeds (0 rescored, {n} unchanged, 0 failed)" in again.stdout
    assert db_snapshot(db) == db_snapshot(single_machine_db)


def test_a_bad_feed_line_is_named_and_the_sites_before_it_are_kept(distributed_db, tmp_path):
    feed = sorted((distributed_db.parent / "clinics.db.feeds" / "crawl-1").glob("*.jl"))[0]
    lines = feed.read_text(encoding="utf-8").splitlines()
    broken = tmp_path / "broken.jl"
    broken.write_text(lines[0] + "\n" + '{"pages": []}\n' + lines[1] + "\n", encoding="utf-8")
    db = tmp_path / "partial.db"
    result = run_cli("ingest", str(broken), "--db", str(db), check=False)
    assert result.returncode == 1
    assert f"{broken}, line 2: not a crawled site (no start_url)" in result.stderr
    assert "the 1 sites before it are loaded" in result.stderr
    assert query(db, "select count(*) as n from clinics where score is not null")[0]["n"] == 1
    assert query(db, "select status from crawls")[0]["status"] == "failed"


def test_a_recrawl_through_scrapyd_is_incremental_too(sample_sites, scrapyd_workers, tmp_path,
                                                       distributed_db):
    db = tmp_path / "again.db"
    copy_database(distributed_db, db)
    first, second = scrapyd_workers
    result = run_cli("crawl", "--db", str(db), *LOCAL, "--scrapyd", first, "--scrapyd", second)
    n = len(sample_sites.urls)
    assert f"{n} sites on 2 Scrapyd workers, 2 jobs (0 rescored, {n} unchanged, 0 failed), " \
           "0 pages fetched" in result.stdout
    first_crawl, recrawl = query(db, "select pages_fetched, pages_unchanged from crawls order by id")
    assert recrawl["pages_unchanged"] == first_crawl["pages_fetched"]
    assert db_snapshot(db) == db_snapshot(distributed_db)


def test_a_failed_job_is_reported_and_can_be_retried_alone(
    sample_sites, gated_site, scrapyd_workers, tmp_path
):
    db = tmp_path / "retry.db"
    gated_url, gate = gated_site
    first, second = scrapyd_workers
    crawl = subprocess.Popen(
        [sys.executable, "-m", "clinicscout", "crawl", sample_sites.urls["lumen-dermatology"],
         gated_url, "--db", str(db), *LOCAL, "--scrapyd", first, "--scrapyd", second],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    # The job of the gated clinic hangs on its first request: kill its Scrapy process.
    victim = None
    deadline = time.monotonic() + 60
    while victim is None and time.monotonic() < deadline:
        for worker in scrapyd_workers:
            for job in scrapyd_api(worker, "listjobs.json")["running"]:
                if _websites_of_job(db, job["id"]) == [gated_url]:
                    victim = job
        time.sleep(0.2)
    assert victim is not None, "the gated job never ran"
    os.kill(victim["pid"], signal.SIGKILL)
    out, err = crawl.communicate(timeout=120)
    assert crawl.returncode == 1
    assert f"job {victim['id']} on " in err and "failed: 1 of 1 clinics missing from the feed" in err
    assert out.startswith("Crawled 1 sites on 2 Scrapyd workers, 2 jobs (1 rescored, 0 unchanged, 0 failed)")
    assert out.endswith("(crawl 1 partial)\n")
    assert query(db, "select status from crawls")[0]["status"] == "partial"
    retry_line = next(line for line in err.splitlines() if "retry it alone:" in line)
    retry = shlex.split(retry_line.split("retry it alone:", 1)[1])
    assert retry[:2] == ["clinicscout", "crawl"] and "--retry-job" in retry

    gate.set()
    result = run_cli(*retry[1:])
    assert "Crawled 1 sites on 1 Scrapyd worker, 1 job (1 rescored" in result.stdout
    assert "(crawl 2 finished)" in result.stdout
    clinic = query(db, "select score, crawl_id from clinics where website = ?", [gated_url])[0]
    assert clinic["crawl_id"] == 2 and clinic["score"] is not None


def test_a_worker_that_dies_mid_crawl_fails_its_jobs_and_loses_nothing(sample_sites, gated_site, tmp_path):
    db = tmp_path / "dead-worker.db"
    lumen = sample_sites.urls["lumen-dermatology"]
    run_cli("crawl", lumen, "--db", str(db), *LOCAL)
    before = query(db, "select score, rank, crawl_id from clinics where website = ?", [lumen])
    gated_url, _ = gated_site
    worker, daemon = start_scrapyd(tmp_path / "scrapyd")
    crawl = subprocess.Popen(
        [sys.executable, "-m", "clinicscout", "crawl", lumen, gated_url, "--db", str(db), *LOCAL,
         "--scrapyd", worker, "--worker-timeout", "2"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        # The job hangs on the gated clinic: the machine it runs on goes down (daemon and job).
        deadline = time.monotonic() + 60
        while not scrapyd_api(worker, "listjobs.json")["running"]:
            assert time.monotonic() < deadline, "the job never ran"
            time.sleep(0.2)
    finally:
        os.killpg(daemon.pid, signal.SIGKILL)
        daemon.wait(timeout=20)
    out, err = crawl.communicate(timeout=120)
    assert crawl.returncode == 1
    assert "worker unreachable for 2s" in err
    assert "(crawl 2 partial)" in out
    # The job's row says what happened, for `--retry-job` once the worker is back.
    [job] = query(db, "select state, error, worker from scrapyd_jobs")
    assert job["state"] == "failed" and job["error"].startswith("worker unreachable for 2s")
    assert job["worker"] == worker
    # Nothing the dead worker had crawled was ingested: the clinic keeps its last good data.
    assert query(db, "select score, rank, crawl_id from clinics where website = ?", [lumen]) == before
    # The clinic it never reached is known, not scored, so not listed; a retry is offered.
    gated = query(db, "select score, last_crawled from clinics where website = ?", [gated_url])
    assert gated == [{"score": None, "last_crawled": None}]
    assert "(2 clinics)" in err and "--retry-job" in err


def _websites_of_job(db: Path, job_id: str) -> list[str]:
    try:
        rows = query(db, "select sites from scrapyd_jobs where id = ?", [job_id])
    except sqlite3.OperationalError:
        return []  # the crawl has not created its tables yet
    return [site["website"] for row in rows for site in json.loads(row["sites"])]
