"""Shared fixtures: the sample clinic sites served on 127.0.0.1 and a real crawl of them."""

from __future__ import annotations

import json
import os
import resource
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from functools import partial
from http.server import ThreadingHTTPServer
from pathlib import Path

import pytest

from bench.directory import synthetic_clinics
from clinicscout.sites import ServedSites, StaticSiteHandler
from clinicscout.storage import Storage

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_SITES = ROOT / "data" / "sample_sites"
SHARED = ROOT.parent / "shared"


@pytest.fixture(scope="session", autouse=True)
def prefilter_cache(tmp_path_factory):
    """The tests' compiled prefilter databases (one per set of patterns, tests make a few) stay
    out of the user's cache, in this session's and its subprocesses'."""
    previous = os.environ.get("XDG_CACHE_HOME")
    os.environ["XDG_CACHE_HOME"] = str(tmp_path_factory.mktemp("cache"))
    yield
    if previous is None:
        del os.environ["XDG_CACHE_HOME"]
    else:
        os.environ["XDG_CACHE_HOME"] = previous


def run_cli(*args: str, check: bool = True, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """Runs ``clinicscout`` in a real subprocess, as a user would."""
    result = subprocess.run(
        [sys.executable, "-m", "clinicscout", *args],
        capture_output=True, text=True, timeout=timeout, cwd=ROOT,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )
    if check and result.returncode != 0:
        raise AssertionError(f"clinicscout {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result


def query(db: Path, sql: str, params=()) -> list[dict]:
    """Rows of a query, as dicts; the connection closes, so a crawl writing the file is not held up."""
    with closing(sqlite3.connect(db)) as connection:
        connection.row_factory = sqlite3.Row
        return [dict(row) for row in connection.execute(sql, params)]


def copy_database(source: Path, target: Path) -> Path:
    """A private copy of a (WAL) database, for tests that change it; copying bytes could miss the WAL."""
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    return target


def synthetic_directory(tmp_path_factory, clinics: int) -> Path:
    """A database of ``clinics`` synthetic clinics (the benchmark's), ranked and analysed."""
    path = tmp_path_factory.mktemp("directory") / "clinics.db"
    storage = Storage(path)
    storage.bulk_insert(synthetic_clinics(clinics, seed=3))
    storage.close()
    return path


def limit_file_size(limit: int) -> Callable[[], None]:
    """A disk that fills up: writes past ``limit`` bytes fail with EFBIG, as on a full disk."""
    def apply() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return apply


def free_port() -> int:
    """A loopback port nobody listens on, for a server a test starts."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def clinicscout_serving(db: Path) -> Iterator[str]:
    """A real ``clinicscout serve`` process over ``db`` on a free loopback port: its base URL."""
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "clinicscout", "serve", "--db", str(db), "--port", str(port)],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(base + "/", timeout=2):
                break
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                server.kill()
                raise AssertionError(f"clinicscout serve did not start:\n{server.stdout.read()}") from None
            time.sleep(0.2)
    try:
        yield base
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.fixture(scope="session")
def expected() -> dict:
    return json.loads((SAMPLE_SITES / "expected.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def sample_sites():
    with ServedSites(SAMPLE_SITES) as sites:
        yield sites


class GatedSiteHandler(StaticSiteHandler):
    """Serves a sample site, but holds every request until the test opens the gate."""

    gate: threading.Event

    def do_GET(self) -> None:
        self.gate.wait(timeout=30)
        super().do_GET()


@pytest.fixture
def gated_site():
    """A sample clinic whose server answers only once ``gate.set()``: a crawl that is midway."""
    gate = threading.Event()
    handler = type("Handler", (GatedSiteHandler,), {"gate": gate})
    # The clinic without microneedling: ranked last, it moves no other clinic's rank.
    server = ThreadingHTTPServer(
        ("127.0.0.1", 0), partial(handler, directory=str(SAMPLE_SITES / "laser-hair-only"))
    )
    server.daemon_threads = True
    server.handle_error = lambda request, address: None  # a killed crawl drops its connections
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/", gate
    gate.set()
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def crawled_db(sample_sites, tmp_path_factory) -> Path:
    """A database made by one real crawl of every sample site."""
    db = tmp_path_factory.mktemp("crawl") / "clinics.db"
    run_cli("crawl", *sample_sites.urls.values(), "--db", str(db), "--allow-private", "--delay", "0")
    return db


@pytest.fixture(scope="session")
def site_of(sample_sites):
    """Maps a clinic website (origin) back to the sample site's slug."""
    by_origin = {url.rstrip("/"): slug for slug, url in sample_sites.urls.items()}
    return lambda website: by_origin[website.rstrip("/")]


def db_snapshot(db_path: Path) -> dict[str, list[tuple]]:
    """What a crawl leaves in the database, without timestamps, row ids or crawl ids."""
    queries = {
        "clinics": "select website, name, score, rank, offers_microneedling, criteria_met,"
                   " red_flags, phone, city, pages_crawled, crawl_status from clinics",
        "pages": "select c.website, p.url, p.title, p.text, p.status, p.structured, p.tel_links"
                 " from pages p join clinics c on c.id = p.clinic_id",
        "verdicts": "select c.website, v.criterion, v.met, v.page_url, v.quote, v.rule"
                    " from verdicts v join clinics c on c.id = v.clinic_id",
    }
    with sqlite3.connect(db_path) as connection:
        return {table: sorted(connection.execute(sql).fetchall(), key=repr)
                for table, sql in queries.items()}
