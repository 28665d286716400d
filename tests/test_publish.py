"""Published snapshots: the directory served from a copy that crawls never write.

``clinicscout publish SNAPSHOT`` copies the working database in one consistent state and renames
the copy over SNAPSHOT; ``clinicscout serve --db SNAPSHOT`` moves to each new copy at its next
request. Visitors never see a crawl half done, and a search for a common word reads its stored
points even while the next crawl writes the working database.
"""

from __future__ import annotations

import asyncio
import fcntl
import hashlib
import json
import os
import sqlite3
import subprocess
import sys
import urllib.request
from contextlib import closing, suppress
from pathlib import Path

import pytest

from clinicscout.lock import CrawlLock
from clinicscout.storage import SNAPSHOT_APPLICATION_ID, Storage
from clinicscout.web import make_datasette
from tests.conftest import (
    ROOT,
    clinicscout_serving,
    copy_database,
    db_snapshot,
    limit_file_size,
    query,
    run_cli,
)


@pytest.fixture
def working_db(crawled_db, tmp_path) -> Path:
    """A private copy of the sample sites' crawl, the database crawls write."""
    return copy_database(crawled_db, tmp_path / "clinics.db")


def publish(working: Path, snapshot: Path) -> str:
    return run_cli("publish", str(snapshot), "--db", str(working)).stdout


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def write(db: Path, sql: str, params=()) -> None:
    """A change the next crawl makes, committed."""
    with closing(sqlite3.connect(db)) as connection, connection:
        connection.execute(sql, params)


def rename_clinic(db: Path, clinic_id: int, name: str) -> None:
    """What the next crawl writes for a clinic that renamed itself."""
    write(db, "update clinics set name = ? where id = ?", [name, clinic_id])


def is_published_snapshot(db: Path) -> bool:
    return query(db, "pragma application_id")[0]["application_id"] == SNAPSHOT_APPLICATION_ID


def test_a_snapshot_is_the_database_in_one_file_that_serving_never_changes(working_db, tmp_path):
    snapshot = tmp_path / "published.db"
    output = publish(working_db, snapshot)
    clinics = query(working_db, "select count(*) as n from clinics")[0]["n"]
    assert output.startswith(f"Published {clinics} clinics (") and output.rstrip().endswith(f"→ {snapshot}")
    assert db_snapshot(snapshot) == db_snapshot(working_db)
    # A rollback journal, not WAL: no -wal or -shm beside it that its successor would share.
    assert is_published_snapshot(snapshot) and not is_published_snapshot(working_db)
    assert query(snapshot, "pragma journal_mode")[0]["journal_mode"] == "delete"
    assert query(snapshot, "select count(*) as n from sqlite_stat1")[0]["n"] > 0  # planned as analysed
    # Opening it to serve (which brings older databases up to date) leaves its journal alone.
    Storage(snapshot).close()
    assert is_published_snapshot(snapshot)
    assert not Path(f"{snapshot}-wal").exists() and not Path(f"{snapshot}-shm").exists()


def test_a_publish_that_fills_the_disk_leaves_the_served_snapshot_as_it_was(working_db, tmp_path):
    snapshot = tmp_path / "published.db"
    publish(working_db, snapshot)
    served = digest(snapshot)
    rename_clinic(working_db, 1, "Renamed Aesthetics")
    # Room for well under a copy (the ZIP code centres alone take megabytes).
    result = subprocess.run(
        [sys.executable, "-m", "clinicscout", "publish", str(snapshot), "--db", str(working_db)],
        capture_output=True, text=True, cwd=ROOT, timeout=120, preexec_fn=limit_file_size(1024 * 1024))
    assert result.returncode == 1
    assert f"could not publish {working_db} to {snapshot}" in result.stderr
    assert "database or disk is full" in result.stderr or "disk I/O error" in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
    assert digest(snapshot) == served
    assert not Path(f"{snapshot}.publishing").exists()


def test_a_copy_a_killed_publish_left_behind_is_replaced_by_the_next(working_db, tmp_path):
    snapshot = tmp_path / "published.db"
    publish(working_db, snapshot)
    served = digest(snapshot)
    # Killed mid-way, a publish leaves its half-written copy beside the snapshot, never over it.
    Path(f"{snapshot}.publishing").write_bytes(b"SQLite format 3\x00" + b"\x00" * 4000)
    assert digest(snapshot) == served
    rename_clinic(working_db, 1, "Renamed Aesthetics")
    publish(working_db, snapshot)
    assert query(snapshot, "select name from clinics where id = 1")[0]["name"] == "Renamed Aesthetics"
    assert not Path(f"{snapshot}.publishing").exists()


def test_publish_waits_for_no_crawl_and_says_so(working_db, tmp_path):
    snapshot = tmp_path / "published.db"
    with CrawlLock(working_db):
        result = run_cli("publish", str(snapshot), "--db", str(working_db), check=False)
    assert result.returncode == 1
    assert "another crawl is already running" in result.stderr
    assert not snapshot.exists()


def test_a_second_publish_to_the_same_snapshot_stops_while_the_first_writes(working_db, tmp_path):
    snapshot = tmp_path / "published.db"
    publish(working_db, snapshot)
    served = digest(snapshot)
    other_working_db = copy_database(working_db, tmp_path / "other.db")
    # A publish from another database is writing its copy (and holds it).
    with open(f"{snapshot}.publishing", "wb") as being_written:
        fcntl.flock(being_written, fcntl.LOCK_EX)
        being_written.write(b"SQLite format 3\x00")
        being_written.flush()
        result = run_cli("publish", str(snapshot), "--db", str(other_working_db), check=False)
        assert result.returncode == 1
        assert f"another publish is writing {snapshot}.publishing" in result.stderr
        assert Path(f"{snapshot}.publishing").read_bytes() == b"SQLite format 3\x00"
    assert digest(snapshot) == served


@pytest.mark.parametrize(("target", "message"), [
    ("clinics.db", "cannot publish {working} over itself"),
    ("missing/published.db", "could not publish {working} to {target}"),
])
def test_publish_refuses_what_it_cannot_do_with_a_clear_error(working_db, tmp_path, target, message):
    target_path = tmp_path / target
    result = run_cli("publish", str(target_path), "--db", str(working_db), check=False)
    assert result.returncode == 1
    assert message.format(working=working_db, target=target_path) in result.stderr
    assert "Traceback" not in result.stderr


def test_publish_needs_a_database_to_copy(tmp_path):
    result = run_cli("publish", str(tmp_path / "published.db"), "--db", str(tmp_path / "none.db"), check=False)
    assert result.returncode == 2
    assert "does not exist: run 'clinicscout crawl' first" in result.stderr
    assert not (tmp_path / "none.db").exists()


def open_files_of_this_process() -> list[str]:
    found = []
    for fd in os.listdir("/proc/self/fd"):
        with suppress(OSError):  # closed since listed
            found.append(os.readlink(f"/proc/self/fd/{fd}"))
    return found


async def test_datasette_moves_to_a_new_snapshot_at_its_next_request_and_lets_the_old_file_go(
        working_db, tmp_path):
    snapshot = tmp_path / "published.db"
    publish(working_db, snapshot)
    datasette = make_datasette(snapshot)
    datasette.config["plugins"]["published-snapshots"] = {"close_replaced_after_seconds": 0.2}
    await datasette.invoke_startup()

    async def name_of_clinic_1() -> str:
        response = await datasette.client.get("/clinics/clinics/1.json", params={"_shape": "objects"})
        assert response.status_code == 200, response.text
        return response.json()["rows"][0]["name"]

    first_name = await name_of_clinic_1()
    rename_clinic(working_db, 1, "Renamed Aesthetics")
    assert await name_of_clinic_1() == first_name  # the working database is not served
    publish(working_db, snapshot)
    assert await name_of_clinic_1() == "Renamed Aesthetics"
    replaced = f"{snapshot} (deleted)"
    assert replaced in open_files_of_this_process()  # until no request can be reading it
    await asyncio.sleep(0.6)
    assert replaced not in open_files_of_this_process()
    assert await name_of_clinic_1() == "Renamed Aesthetics"


def test_clinicscout_serve_moves_to_each_new_snapshot_without_a_restart(working_db, tmp_path):
    snapshot = tmp_path / "published.db"
    publish(working_db, snapshot)

    def clinic_1(base: str) -> dict:
        with urllib.request.urlopen(f"{base}/clinics/clinics/1.json?_shape=objects", timeout=10) as response:
            return json.load(response)["rows"][0]

    with clinicscout_serving(snapshot) as base:
        assert clinic_1(base)["name"] != "Renamed Aesthetics"
        rename_clinic(working_db, 1, "Renamed Aesthetics")
        publish(working_db, snapshot)
        assert clinic_1(base)["name"] == "Renamed Aesthetics"
        with urllib.request.urlopen(f"{base}/clinics/search.json?q=Renamed&_shape=objects", timeout=10) as response:
            assert [row["name"] for row in json.load(response)["rows"]] == ["Renamed Aesthetics"]
    assert is_published_snapshot(snapshot)
    assert sqlite3.connect(snapshot).execute("pragma journal_mode").fetchone()[0] == "delete"
