"""The database: the one module that knows the schema and performs every write.

Tables (names are a contract other tools read):
  clinics   one row per clinic site, with identity, score and rank
  pages     the pages a crawl fetched, with the visible text the scorer read
  criteria  the criteria table, with weights
  verdicts  one row per clinic and criterion, with the evidence of a met verdict
  clinic_sources  the open-data records (seeds, OpenStreetMap, NPPES) each clinic came from
  practitioners   the people each clinic's site names, with credentials and the quote
  npi_providers   NPI registry records seen (area searches and name look-ups)
  npi_matches     each practitioner's best NPI registry match, with a confidence
  crawls    one row per crawl (or feed ingest): when, how it ended, what it fetched
  score_history  one row per clinic and crawl: score, rank and the criteria met then
  changes_since_last_crawl  (view) each clinic's score delta and criteria gained or lost
  scrapyd_jobs  the jobs of distributed crawls: worker, clinics, state, feed

and what the directory (Datasette) reads, derived from those:
  directory         view: the ranked list, scored clinics with one 0/1 column per criterion
                    (clinics carries those columns, so facets and filters need no join)
  clinic_map        view: located clinics, with the popup of their map marker
  zip_codes         US ZIP code centres (from the ``zipcodes`` package), for "near a ZIP"
  pages_fts, clinics_fts  full-text indexes (porter stemming), kept in sync by triggers

A site is written in one transaction, so a clinic never has half its verdicts. Ids are stable:
a clinic is keyed by its website, a page by its URL, so crawling twice leaves the same rows.
Pages, verdicts and clinics carry the id of the crawl that last wrote them.
"""

from __future__ import annotations

import fcntl
import itertools
import json
import os
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import closing, suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlite_utils

from scoring import CRITERIA, Assessment, Page

SCHEMA_VERSION = 3
# The SQLite application id of a published snapshot (ASCII "csPS"); a working database has none.
SNAPSHOT_APPLICATION_ID = 0x63735053

_CLINIC_COLUMNS = {
    "id": int, "name": str, "website": str, "score": int, "rank": int,
    "offers_microneedling": int, "criteria_met": int, "red_flags": int,
    "phone": str, "street_address": str, "city": str, "region": str, "postcode": str,
    "country": str, "latitude": float, "longitude": float,
    "source": str, "source_id": str, "pages_crawled": int, "last_crawled": str,
    "crawl_status": str, "crawl_error": str, "npi_verified": int,
    "crawl_id": int, "stale": int, "failed_crawls": int, "inactive": int,
}
_PAGE_COLUMNS = {
    "id": int, "clinic_id": int, "url": str, "title": str, "text": str,
    "fetched_at": str, "status": int, "structured": str, "tel_links": str,
    "crawl_id": int, "etag": str, "last_modified": str, "links": str,
}
_VERDICT_COLUMNS = {
    "clinic_id": int, "criterion": str, "met": int, "page_url": str, "quote": str, "rule": str,
    "crawl_id": int,
}
_CRITERION_COLUMNS = {
    "id": str, "name": str, "group": str, "weight": int, "scope": str, "description": str,
}
_CLINIC_SOURCE_COLUMNS = {
    "source": str, "source_id": str, "clinic_id": int, "name": str, "website": str,
    "phone": str, "street_address": str, "city": str, "region": str, "postcode": str,
    "country": str, "latitude": float, "longitude": float, "first_seen": str, "last_seen": str,
}
_PRACTITIONER_COLUMNS = {
    "clinic_id": int, "name": str, "credentials": str, "role": str, "page_url": str, "quote": str,
}
_NPI_PROVIDER_COLUMNS = {
    "npi": str, "enumeration_type": str, "name": str, "first_name": str, "last_name": str,
    "credential": str, "taxonomy_code": str, "taxonomy_description": str, "taxonomy_codes": str,
    "license_state": str,
    "status": str, "street_address": str, "city": str, "state": str, "postcode": str,
    "phone": str, "fetched_at": str,
}
_NPI_MATCH_COLUMNS = {
    "clinic_id": int, "practitioner": str, "npi": str, "taxonomy_code": str,
    "taxonomy_description": str, "license_state": str, "status": str, "confidence": float,
    "found": int, "reason": str, "checked_at": str,
}
# At or above this confidence a practitioner counts as found in the NPI registry.
NPI_FOUND_CONFIDENCE = 0.75
_CRAWL_COLUMNS = {
    "id": int, "started": str, "finished": str, "status": str, "mode": str, "sites": int,
    "sites_rescored": int, "sites_unchanged": int, "sites_failed": int,
    "pages_fetched": int, "pages_unchanged": int, "pages_failed": int, "errors": int,
    "stats": str,
}
_HISTORY_COLUMNS = {
    "clinic_id": int, "crawl_id": int, "score": int, "rank": int, "offers_microneedling": int,
    "criteria_met": int, "criteria": str,
}
# Each clinic's latest score against the one before: what a recrawl changed.
_CHANGES_VIEW = """
WITH ordered AS (
    SELECT *, ROW_NUMBER() OVER (PARTITION BY clinic_id ORDER BY crawl_id DESC) AS age
    FROM score_history
),
compared AS (
    SELECT latest.clinic_id, latest.crawl_id, previous.crawl_id AS previous_crawl_id,
           previous.score AS previous_score, latest.score,
           latest.score - previous.score AS score_delta,
           previous.rank AS previous_rank, latest.rank,
           (SELECT json_group_array(now.value) FROM json_each(latest.criteria) AS now
            WHERE now.value NOT IN (SELECT value FROM json_each(previous.criteria)))
               AS criteria_gained,
           (SELECT json_group_array(before.value) FROM json_each(previous.criteria) AS before
            WHERE before.value NOT IN (SELECT value FROM json_each(latest.criteria)))
               AS criteria_lost
    FROM ordered AS latest
    LEFT JOIN ordered AS previous ON previous.clinic_id = latest.clinic_id AND previous.age = 2
    WHERE latest.age = 1
)
SELECT compared.clinic_id, clinics.name, clinics.website, compared.crawl_id,
       compared.previous_crawl_id, compared.previous_score, compared.score, compared.score_delta,
       compared.previous_rank, compared.rank, compared.criteria_gained, compared.criteria_lost
FROM compared JOIN clinics ON clinics.id = compared.clinic_id
WHERE compared.previous_crawl_id IS NULL OR compared.score_delta != 0
   OR compared.criteria_gained != '[]' OR compared.criteria_lost != '[]'
"""
_SCRAPYD_JOB_COLUMNS = {
    "id": str, "crawl_id": int, "worker": str, "state": str, "sites": str, "error": str,
    "log_url": str, "feed": str, "sites_ingested": int,
}
_CRITERION_COLUMNS_OF_CLINICS = [criterion.id for criterion in CRITERIA]
# The ranked list: clinics that have been scored, with one 0/1 column per criterion so that
# every criterion can be a facet or a filter. clinic_id links each row to its clinic page.
_DIRECTORY_VIEW = f"""
SELECT rank, score, name, city, region, criteria_met, red_flags,
       {", ".join(f'"{criterion}"' for criterion in _CRITERION_COLUMNS_OF_CLINICS)},
       latitude, longitude, location_precision, id AS clinic_id
FROM clinics WHERE score IS NOT NULL
"""
# The map: every located clinic, with the popup datasette-cluster-map shows for its marker.
_CLINIC_MAP_VIEW = """
SELECT rank, name, city, region, score, latitude, longitude, location_precision,
       json_object('title', name,
                   'description', 'Score ' || score || '/100, rank ' || rank,
                   'link', '/clinics/clinics/' || clinic_id) AS popup,
       clinic_id
FROM directory WHERE latitude IS NOT NULL AND longitude IS NOT NULL
"""
_SEED_IDENTITY = ("phone", "city", "region", "postcode", "country", "latitude", "longitude")
# The tables a crawl or a rescoring changes, whose statistics the query planner is given after
# each. (zip_codes is analysed once, when it is filled; full-text indexes are not planned from
# statistics. Analysing those too took 6 of the 7 ms of every ANALYZE.)
_ANALYZED_TABLES = ("clinics", "pages", "verdicts", "practitioners", "clinic_sources", "score_history")
# The full-text indexes, and the table and columns each one indexes. A page's clinic is a word
# of its own in the pages' index (``clinic_tag``, "clinic12"): a search asks for one clinic's
# pages that match in one lookup (``… AND clinic_tag : clinic12``), where looking each of its
# pages up took 8 times longer at 18 pages a clinic.
_FTS_INDEXES = {"pages_fts": ("pages", ("title", "text", "clinic_tag")),
                "clinics_fts": ("clinics", ("name", "city"))}
# What schema version 2 stored for searches of common words, with the triggers that counted
# each index's changes: dropped on the way to version 3, as searches no longer read them.
_RETIRED_SEARCH_TABLES = ("search_term_points", "search_common_terms", "search_indexes")


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class StorageError(RuntimeError):
    """The database cannot be opened or written (read-only, disk full, not a database)."""


_MAX_ERRORS_KEPT = 20


def _error_summary(errors: list[str]) -> str | None:
    """A crawl's page errors for ``clinics.crawl_error``: the first 20, and how many more."""
    if not errors:
        return None
    more = len(errors) - _MAX_ERRORS_KEPT
    return "; ".join(errors[:_MAX_ERRORS_KEPT]) + (f"; and {more} more" if more > 0 else "")


@dataclass(frozen=True)
class StoredClinic:
    id: int
    website: str
    pages: list[Page]


@dataclass(frozen=True)
class ClinicRecord:
    """A clinic assessed elsewhere, for ``Storage.bulk_insert``: column → value for the clinic
    row, its pages and its verdicts (ids and clinic ids are assigned on insert)."""

    clinic: dict[str, Any]
    pages: list[dict[str, Any]]
    verdicts: list[dict[str, Any]]


def _insert_sql(table: str, columns: list[str]) -> str:
    names = ", ".join(f'"{c}"' for c in columns)
    return f"INSERT INTO {table} ({names}) VALUES ({', '.join('?' * len(columns))})"


# Plain SQL for what rescoring writes per clinic: sqlite-utils' table helpers read the table's
# schema on every call.
_INSERT_VERDICT = _insert_sql("verdicts", list(_VERDICT_COLUMNS))
_UPSERT_PRACTITIONER = (
    _insert_sql("practitioners", list(_PRACTITIONER_COLUMNS))
    + " ON CONFLICT(clinic_id, name) DO UPDATE SET credentials = excluded.credentials,"
      " role = excluded.role, page_url = excluded.page_url, quote = excluded.quote"
)


@dataclass(frozen=True)
class Publication:
    """A snapshot ``Storage.publish`` wrote: where, how many clinics, its size, how long it took."""

    path: Path
    clinics: int
    size_bytes: int
    seconds: float


def _check_snapshot(path: Path) -> int:
    """Mark a snapshot as one; the number of its clinics, once SQLite finds it sound
    (``quick_check``)."""
    with closing(sqlite3.connect(path)) as snapshot:
        snapshot.execute(f"PRAGMA application_id = {SNAPSHOT_APPLICATION_ID}")
        problems = [row[0] for row in snapshot.execute("PRAGMA quick_check")]
        if problems != ["ok"]:
            raise sqlite3.DatabaseError(f"the copy is damaged: {'; '.join(problems[:3])}")
        return snapshot.execute("SELECT count(*) FROM clinics").fetchone()[0]


def _claim(partial: Path) -> int:
    """The copy being written, opened and locked (``flock``) for this publish: a second publish
    to the same snapshot would write into it, and rename it half-written. The kernel releases
    the lock of a publish that was killed."""
    descriptor = os.open(partial, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(descriptor)
        raise OSError(f"another publish is writing {partial}; wait for it to finish") from None
    return descriptor


def _fsync_directory(path: Path) -> None:
    """Make a rename in ``path`` durable."""
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _check_columns(row: dict[str, Any], columns: Iterable[str], table: str) -> None:
    unknown = set(row) - set(columns) - {"clinic_id"}
    if unknown:
        raise StorageError(f"{table} has no column {', '.join(sorted(unknown))}")


class Storage:
    def __init__(self, path: str | Path) -> None:
        """The database at ``path``, made or brought up to date.

        A working database is put in WAL mode (Datasette reads while a crawl writes); a
        published snapshot (see ``publish``) keeps its rollback journal."""
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.db = sqlite_utils.Database(self.path)
            self.db.execute("PRAGMA busy_timeout = 10000")
            if self.db.execute("PRAGMA application_id").fetchone()[0] != SNAPSHOT_APPLICATION_ID:
                self.db.enable_wal()
            self._ensure_schema()
        except (sqlite3.DatabaseError, OSError) as error:
            raise StorageError(f"cannot use database {self.path}: {error}") from None

    def close(self) -> None:
        self.db.close()

    # -- schema ------------------------------------------------------------------------------

    def _ensure_schema(self) -> None:
        db = self.db
        with db.atomic():
            db["clinics"].create(_CLINIC_COLUMNS, pk="id", if_not_exists=True)
            db["clinics"].create_index(["website"], unique=True, if_not_exists=True)
            db["clinics"].create_index(["score"], if_not_exists=True)
            db["pages"].create(
                _PAGE_COLUMNS, pk="id", foreign_keys=[("clinic_id", "clinics", "id")],
                if_not_exists=True,
            )
            db["pages"].create_index(["url"], unique=True, if_not_exists=True)
            db["pages"].create_index(["clinic_id"], if_not_exists=True)
            db["criteria"].create(_CRITERION_COLUMNS, pk="id", if_not_exists=True)
            db["verdicts"].create(
                _VERDICT_COLUMNS, pk=("clinic_id", "criterion"),
                foreign_keys=[("clinic_id", "clinics", "id"), ("criterion", "criteria", "id")],
                if_not_exists=True,
            )
            db["crawls"].create(_CRAWL_COLUMNS, pk="id", if_not_exists=True)
            db["score_history"].create(
                _HISTORY_COLUMNS, pk=("clinic_id", "crawl_id"),
                foreign_keys=[("clinic_id", "clinics", "id"), ("crawl_id", "crawls", "id")],
                if_not_exists=True,
            )
            db["scrapyd_jobs"].create(
                _SCRAPYD_JOB_COLUMNS, pk="id", foreign_keys=[("crawl_id", "crawls", "id")],
                if_not_exists=True,
            )
            # Databases made before crawl history get the new columns, empty.
            for table, columns in (("clinics", _CLINIC_COLUMNS), ("pages", _PAGE_COLUMNS),
                                   ("verdicts", _VERDICT_COLUMNS)):
                existing = db[table].columns_dict
                for name, kind in columns.items():
                    if name not in existing:
                        db[table].add_column(name, kind)
            if db.execute("PRAGMA user_version").fetchone()[0] < SCHEMA_VERSION:
                db.execute("DROP VIEW IF EXISTS changes_since_last_crawl")
                self._drop_retired_search_points()
            db.execute(f"CREATE VIEW IF NOT EXISTS changes_since_last_crawl AS {_CHANGES_VIEW}")
            db["criteria"].upsert_all(
                [
                    {"id": c.id, "name": c.name, "group": c.group, "weight": c.weight,
                     "scope": c.scope, "description": c.description}
                    for c in CRITERIA
                ],
                pk="id",
            )
            db["clinic_sources"].create(
                _CLINIC_SOURCE_COLUMNS, pk=("source", "source_id"),
                foreign_keys=[("clinic_id", "clinics", "id")], if_not_exists=True,
            )
            db["clinic_sources"].create_index(["clinic_id"], if_not_exists=True)
            db["practitioners"].create(
                _PRACTITIONER_COLUMNS, pk=("clinic_id", "name"),
                foreign_keys=[("clinic_id", "clinics", "id")], if_not_exists=True,
            )
            db["npi_providers"].create(_NPI_PROVIDER_COLUMNS, pk="npi", if_not_exists=True)
            db["npi_providers"].create_index(["last_name", "state"], if_not_exists=True)
            db["npi_matches"].create(
                _NPI_MATCH_COLUMNS, pk=("clinic_id", "practitioner"),
                foreign_keys=[("clinic_id", "clinics", "id")], if_not_exists=True,
            )
            db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        self._migrate_clinics()
        self._ensure_directory_schema()

    def _migrate_clinics(self) -> None:
        """Databases made before discovery: clinics gain ``npi_verified``, and ``website`` may
        be empty (an OpenStreetMap clinic without a website is known but not crawlable)."""
        clinics = self.db["clinics"]
        columns = {c.name: c for c in clinics.columns}
        if "npi_verified" not in columns:
            clinics.add_column("npi_verified", int)
        if columns["website"].notnull:
            clinics.transform(not_null={"website": False})

    # -- writes --------------------------------------------------------------------------------

    def add_clinic(self, website: str, details: dict[str, Any] | None = None) -> int:
        """The id of the clinic with this website, created if new; seed details fill gaps."""
        try:
            with self.db.atomic():
                return self._clinic_id(website, details or {})
        except sqlite3.Error as error:
            raise StorageError(f"could not add {website} to {self.path}: {error}") from None

    def _clinic_id(self, website: str, details: dict[str, Any]) -> int:
        row = self.db.execute("SELECT id FROM clinics WHERE website = ?", [website]).fetchone()
        if row:
            return row[0]
        record = {"website": website, "name": details.get("name")}
        record.update({k: details[k] for k in _SEED_IDENTITY if details.get(k)})
        if details.get("address"):
            record["street_address"] = details["address"]
        for key in ("source", "source_id"):
            if details.get(key):
                record[key] = details[key]
        return self.db["clinics"].insert(record).last_pk

    def save_site(
        self,
        *,
        website: str,
        seed: dict[str, Any],
        pages: list[dict[str, Any]],
        assessment: Assessment | None,
        errors: list[str],
        crawl_id: int | None = None,
        inactive_after: int = 3,
    ) -> int:
        """Store one crawled site: clinic, pages and verdicts together, or nothing at all.

        A site that yielded no page keeps its previous pages and verdicts, marked stale with
        the reason; after ``inactive_after`` failed crawls in a row it is flagged inactive.
        """
        now = _now()
        try:
            with self.db.atomic():
                clinic_id = self._clinic_id(website, seed)
                if not pages or assessment is None:
                    previous = self.db["clinics"].get(clinic_id)
                    failed_crawls = (previous["failed_crawls"] or 0) + 1
                    self.db["clinics"].update(clinic_id, {
                        "last_crawled": now, "crawl_status": "failed", "crawl_id": crawl_id,
                        "crawl_error": _error_summary(errors) or "no page could be fetched",
                        "stale": int(previous["score"] is not None), "failed_crawls": failed_crawls,
                        "inactive": int(failed_crawls >= inactive_after),
                    })
                    self._record_history(clinic_id, crawl_id)
                    return clinic_id
                self._replace_pages(clinic_id, pages, crawl_id)
                self._write_assessment(clinic_id, assessment, seed, crawl_id)
                self._mark_crawled(clinic_id, crawl_id, errors, pages_crawled=len(pages))
        except sqlite3.Error as error:
            raise StorageError(f"could not save {website} to {self.path}: {error}") from None
        return clinic_id

    def save_unchanged_site(
        self, *, website: str, seed: dict[str, Any], validators: dict[str, dict[str, str | None]],
        errors: list[str], crawl_id: int | None,
    ) -> int:
        """A recrawled site whose pages did not change: keep pages and verdicts, note the visit.

        ``validators`` are the pages' latest ETag / Last-Modified, for the next conditional crawl.
        """
        try:
            with self.db.atomic():
                clinic_id = self._clinic_id(website, seed)
                for url, fresh in validators.items():
                    self.db.execute(
                        "UPDATE pages SET etag = coalesce(:etag, etag),"
                        " last_modified = coalesce(:last_modified, last_modified)"
                        " WHERE clinic_id = :clinic_id AND url = :url",
                        {"clinic_id": clinic_id, "url": url, "etag": fresh.get("etag"),
                         "last_modified": fresh.get("last_modified")},
                    )
                self._mark_crawled(clinic_id, crawl_id, errors)
        except sqlite3.Error as error:
            raise StorageError(f"could not save {website} to {self.path}: {error}") from None
        return clinic_id

    def _mark_crawled(
        self, clinic_id: int, crawl_id: int | None, errors: list[str], **columns: Any
    ) -> None:
        """A successful visit: fresh again, active again, and a line of score history."""
        self.db["clinics"].update(clinic_id, {
            "last_crawled": _now(), "crawl_id": crawl_id,
            "crawl_status": "ok" if not errors else "partial",
            "crawl_error": _error_summary(errors),
            "stale": 0, "failed_crawls": 0, "inactive": 0, **columns,
        })
        self._record_history(clinic_id, crawl_id)

    def _record_history(self, clinic_id: int, crawl_id: int | None) -> None:
        """The clinic's score as this crawl leaves it; its rank is filled in when the crawl ends."""
        if crawl_id is None:
            return
        self.db.execute(
            """
            INSERT OR REPLACE INTO score_history
                (clinic_id, crawl_id, score, rank, offers_microneedling, criteria_met, criteria)
            SELECT id, :crawl_id, score, NULL, offers_microneedling, criteria_met,
                   (SELECT json_group_array(criterion) FROM
                       (SELECT criterion FROM verdicts WHERE clinic_id = clinics.id AND met = 1
                        ORDER BY criterion))
            FROM clinics WHERE id = :clinic_id AND score IS NOT NULL
            """,
            {"clinic_id": clinic_id, "crawl_id": crawl_id},
        )

    def _replace_pages(self, clinic_id: int, pages: list[dict[str, Any]], crawl_id: int | None) -> None:
        urls = [page["url"] for page in pages]
        for page in pages:
            self.db.execute(
                """
                INSERT INTO pages (clinic_id, url, title, text, fetched_at, status, structured,
                                   tel_links, crawl_id, etag, last_modified, links)
                VALUES (:clinic_id, :url, :title, :text, :fetched_at, :status, :structured,
                        :tel_links, :crawl_id, :etag, :last_modified, :links)
                ON CONFLICT(url) DO UPDATE SET
                    clinic_id = excluded.clinic_id, title = excluded.title, text = excluded.text,
                    fetched_at = excluded.fetched_at, status = excluded.status,
                    structured = excluded.structured, tel_links = excluded.tel_links,
                    crawl_id = excluded.crawl_id, etag = excluded.etag,
                    last_modified = excluded.last_modified, links = excluded.links
                """,
                {
                    "clinic_id": clinic_id, "url": page["url"], "title": page["title"],
                    "text": page["text"], "fetched_at": page["fetched_at"], "status": page["status"],
                    "structured": json.dumps(page["structured"], ensure_ascii=False, default=str),
                    "tel_links": json.dumps(page["tel_links"]),
                    # A page kept from an earlier crawl keeps the id of the crawl that fetched it.
                    "crawl_id": page.get("crawl_id") or crawl_id,
                    "etag": page.get("etag"), "last_modified": page.get("last_modified"),
                    "links": json.dumps(page.get("links") or [], ensure_ascii=False),
                },
            )
        placeholders = ",".join("?" * len(urls))
        self.db.execute(
            f"DELETE FROM pages WHERE clinic_id = ? AND url NOT IN ({placeholders})",
            [clinic_id, *urls],
        )

    def save_assessments(self, assessments: Iterable[tuple[int, Assessment]]) -> int:
        """Rescoring: replace each clinic's verdicts, score and identity, all in one transaction
        (one commit instead of one per clinic; a failure leaves every previous score in place).
        ``assessments`` may be a generator that reads pages from this database. Returns the count."""
        saved = 0
        try:
            with self.db.atomic():
                for clinic_id, assessment in assessments:
                    crawl_id = self.db.conn.execute(
                        "SELECT crawl_id FROM clinics WHERE id = ?", [clinic_id]).fetchone()
                    if crawl_id is None:
                        raise sqlite3.IntegrityError(f"no clinic with id {clinic_id}")
                    self._write_assessment(clinic_id, assessment, {}, crawl_id[0])
                    saved += 1
        except sqlite3.Error as error:
            raise StorageError(f"could not save the scores of {self.path} (clinic {saved + 1}): {error}; "
                               "no score was changed") from None
        return saved

    def _write_assessment(
        self, clinic_id: int, assessment: Assessment, seed: dict[str, Any], crawl_id: int | None
    ) -> None:
        conn = self.db.conn
        conn.execute("DELETE FROM verdicts WHERE clinic_id = ?", [clinic_id])
        conn.executemany(_INSERT_VERDICT, [
            (clinic_id, v.criterion, int(v.met), v.page_url, v.quote, v.rule, crawl_id)
            for v in assessment.verdicts
        ])
        self._write_practitioners(clinic_id, assessment)
        identity = assessment.identity
        found = {k: v for k, v in identity.as_columns().items() if v is not None}
        if "latitude" in found:
            found["location_precision"] = "exact"
        current = conn.execute("SELECT name FROM clinics WHERE id = ?", [clinic_id]).fetchone()
        if current is None:
            raise sqlite3.IntegrityError(f"no clinic with id {clinic_id}")
        update: dict[str, Any] = {
            "score": assessment.score,
            "offers_microneedling": int(assessment.offers_microneedling),
            "criteria_met": assessment.criteria_met,
            "red_flags": sum(1 for v in assessment.verdicts if v.met and v.criterion == "unrealistic_claims"),
            # The seed's name (what the operator or the open data calls the clinic) wins over ours.
            "name": seed.get("name") or current[0] or identity.name,
            **{v.criterion: int(v.met) for v in assessment.verdicts},
        }
        update.update(found)
        assignments = ", ".join(f'"{column}" = ?' for column in update)
        conn.execute(f"UPDATE clinics SET {assignments} WHERE id = ?", [*update.values(), clinic_id])

    def bulk_insert(self, records: Iterable[ClinicRecord], batch_size: int = 5000) -> int:
        """Insert many new clinics that were assessed elsewhere (a benchmark directory, an
        import), each with its pages and verdicts, one transaction per batch; then rank all.

        Faster than ``save_site`` per clinic because it skips the per-row upserts; websites must
        be new (a duplicate raises StorageError and rolls back its batch). Returns the count.
        """
        clinic_columns = [c for c in _CLINIC_COLUMNS if c != "id"]
        # The directory's criterion columns come from the verdicts, as in _write_assessment.
        criterion_columns = [c for c in _CRITERION_COLUMNS_OF_CLINICS if c not in clinic_columns]
        page_columns = [c for c in _PAGE_COLUMNS if c != "id"]
        insert_clinic = _insert_sql("clinics", clinic_columns + criterion_columns)
        insert_page = _insert_sql("pages", page_columns)
        cursor = self.db.conn.cursor()
        inserted = 0
        batch = iter(records)
        try:
            while chunk := list(itertools.islice(batch, batch_size)):
                with self.db.conn:
                    pages: list[tuple[Any, ...]] = []
                    verdicts: list[tuple[Any, ...]] = []
                    for record in chunk:
                        _check_columns(record.clinic, clinic_columns, "clinics")
                        met = {v["criterion"]: v.get("met") for v in record.verdicts}
                        cursor.execute(insert_clinic, [record.clinic.get(c) for c in clinic_columns]
                                       + [met.get(c) for c in criterion_columns])
                        clinic_id = cursor.lastrowid
                        for page in record.pages:
                            _check_columns(page, page_columns, "pages")
                            pages.append(tuple({**page, "clinic_id": clinic_id}.get(c) for c in page_columns))
                        for verdict in record.verdicts:
                            _check_columns(verdict, _VERDICT_COLUMNS, "verdicts")
                            verdicts.append(tuple({**verdict, "clinic_id": clinic_id}.get(c) for c in _VERDICT_COLUMNS))
                    cursor.executemany(insert_page, pages)
                    cursor.executemany(_INSERT_VERDICT, verdicts)
                inserted += len(chunk)
        except sqlite3.Error as error:
            raise StorageError(f"bulk insert into {self.path} failed after {inserted} clinics: {error}") from None
        self.update_ranks()
        return inserted

    def _write_practitioners(self, clinic_id: int, assessment: Assessment) -> None:
        names = [p.name for p in assessment.practitioners]
        placeholders = ",".join("?" * len(names)) or "NULL"
        for table, column in (("practitioners", "name"), ("npi_matches", "practitioner")):
            self.db.execute(
                f"DELETE FROM {table} WHERE clinic_id = ? AND {column} NOT IN ({placeholders})",
                [clinic_id, *names],
            )
        self.db.conn.executemany(_UPSERT_PRACTITIONER, [
            (clinic_id, p.name, p.credentials_text, p.role, p.page_url, p.quote)
            for p in assessment.practitioners
        ])
        self._count_npi_verified(clinic_id)

    def _count_npi_verified(self, clinic_id: int) -> None:
        """``npi_verified``: named practitioners found in the NPI registry (NULL: never checked)."""
        checked, found = self.db.execute(
            "SELECT count(*), coalesce(sum(found), 0) FROM npi_matches WHERE clinic_id = ?",
            [clinic_id],
        ).fetchone()
        self.db.execute("UPDATE clinics SET npi_verified = ? WHERE id = ?",
                        [found if checked else None, clinic_id])

    def update_ranks(self) -> None:
        """Rank clinics by score; those that do not offer microneedling come after all that do."""
        try:
            with self.db.atomic():
                self._rank()
        except sqlite3.Error as error:
            raise StorageError(f"could not rank the clinics in {self.path}: {error}") from None

    def _rank(self) -> None:
        """Rank every clinic in one pass, then refresh what the directory derives from the
        clinics: map positions, the query planner's statistics and merged full-text indexes."""
        self.db.execute(
            """
            UPDATE clinics SET rank = ranked.position
            FROM (
                SELECT id, RANK() OVER (
                    ORDER BY offers_microneedling DESC, score DESC
                ) AS position
                FROM clinics WHERE score IS NOT NULL
            ) AS ranked
            WHERE ranked.id = clinics.id AND clinics.rank IS NOT ranked.position
            """
        )
        self._locate_clinics()
        for table in _ANALYZED_TABLES:
            self.db.execute(f"ANALYZE {table}")
        # Every write adds its pages to a full-text index as a small segment of its own, which
        # each lookup in the index must then search too: looking pages up one by one ran 5 times
        # faster with 19 segments at 356,000 pages merged into one (which took 0.4 s; 4 s at 2
        # million pages, less than publishing them). With nothing new to merge, this does nothing.
        for index in _FTS_INDEXES:
            self.db.execute(f"INSERT INTO {index} ({index}) VALUES ('optimize')")

    # -- publishing ---------------------------------------------------------------------------

    def publish(self, target: str | Path) -> Publication:
        """Copy the database to ``target`` as one consistent snapshot, for Datasette to serve
        while crawls write here.

        The copy is written beside ``target`` and renamed over it in one step, so a server
        reading ``target`` sees the old snapshot or the new one, never a mix, and a failed or
        killed publish leaves the old one as it was. The copy keeps a rollback journal: a WAL
        file's ``-wal`` and ``-shm`` are found by name, and would be shared between the
        replaced file, still open in a server, and its successor.
        """
        target = Path(target)
        if target.resolve() == self.path.resolve():
            raise StorageError(f"cannot publish {self.path} over itself: name another file")
        partial = target.with_name(target.name + ".publishing")
        started = datetime.now(UTC)
        try:
            claim = _claim(partial)
        except OSError as error:
            raise StorageError(f"could not publish {self.path} to {target}: {error}") from None
        try:
            # Empty what a killed publish left behind: VACUUM INTO writes only into an empty file.
            os.ftruncate(claim, 0)
            self.db.execute("VACUUM INTO ?", [str(partial)])
            clinics = _check_snapshot(partial)
            # VACUUM INTO does not sync what it wrote: sync it, then the rename.
            os.fsync(claim)
            partial.replace(target)
            _fsync_directory(target.parent)
        except (sqlite3.Error, OSError) as error:
            with suppress(OSError):
                partial.unlink(missing_ok=True)
            raise StorageError(f"could not publish {self.path} to {target}: {error}") from None
        finally:
            # Only now: closing a descriptor drops the process's POSIX locks on the file, and
            # no connection to it is open any more.
            os.close(claim)
        seconds = (datetime.now(UTC) - started).total_seconds()
        return Publication(target, clinics, target.stat().st_size, seconds)

    # -- crawls -------------------------------------------------------------------------------

    def begin_crawl(self, mode: str, sites: int) -> int:
        """A new crawl row; crawls left 'running' by a process that died are closed first
        (status 'interrupted', no finish time: nobody saw them end).

        Call it holding the crawl lock (``clinicscout.lock.CrawlLock``): then a crawl still
        marked running cannot be alive.
        """
        try:
            with self.db.atomic():
                for (crawl_id,) in self.db.execute(
                    "SELECT id FROM crawls WHERE status = 'running'"
                ).fetchall():
                    self._close_crawl(crawl_id, "interrupted", {}, ended=None)
                return self.db["crawls"].insert({
                    "started": _now(), "status": "running", "mode": mode, "sites": sites,
                }).last_pk
        except sqlite3.Error as error:
            raise StorageError(f"could not start a crawl in {self.path}: {error}") from None

    def finish_crawl(self, crawl_id: int, status: str, counts: dict[str, Any]) -> None:
        """Close a crawl: rank every clinic and note the ranks in this crawl's score history.

        ``counts`` fills the crawl's columns (pages_fetched, errors, …); ``stats`` may be a dict.
        """
        try:
            with self.db.atomic():
                self._close_crawl(crawl_id, status, counts, ended=_now())
        except sqlite3.Error as error:
            raise StorageError(f"could not close crawl {crawl_id} in {self.path}: {error}") from None

    def _close_crawl(
        self, crawl_id: int, status: str, counts: dict[str, Any], ended: str | None
    ) -> None:
        self._rank()
        self.db.execute(
            "UPDATE score_history SET rank = (SELECT rank FROM clinics WHERE id = clinic_id)"
            " WHERE crawl_id = ?",
            [crawl_id],
        )
        update = {k: v for k, v in counts.items() if k in _CRAWL_COLUMNS}
        if isinstance(update.get("stats"), dict):
            update["stats"] = json.dumps(update["stats"], default=str, sort_keys=True)
        update.update(status=status, finished=ended)
        self.db["crawls"].update(crawl_id, update)

    def save_scrapyd_job(self, job: dict[str, Any]) -> None:
        """A job of a distributed crawl, as it progresses (see clinicscout/distributed.py)."""
        try:
            with self.db.atomic():
                self.db["scrapyd_jobs"].upsert(job, pk="id")
        except sqlite3.Error as error:
            raise StorageError(f"could not record Scrapyd job {job['id']} in {self.path}: {error}") from None

    def scrapyd_job(self, job_id: str) -> dict[str, Any] | None:
        rows = list(self.db.query("SELECT * FROM scrapyd_jobs WHERE id = ?", [job_id]))
        return rows[0] if rows else None

    # -- the directory: derived tables the Datasette pages read ----------------------------------

    def _ensure_directory_schema(self) -> None:
        db = self.db
        with db.atomic():
            columns = db["clinics"].columns_dict
            if "location_precision" not in columns:
                db["clinics"].add_column("location_precision", str)
            new_criteria = [c for c in _CRITERION_COLUMNS_OF_CLINICS if c not in columns]
            for criterion in new_criteria:
                db["clinics"].add_column(criterion, int)
            if new_criteria:
                self._copy_verdicts_to_clinics(new_criteria)
            # The ranked list, its facets and the near-ZIP search stay fast on 100,000 clinics;
            # so do the clinics table's own facets (a third of its page each, unindexed).
            for index in (["rank"], ["latitude", "longitude"], ["offers_microneedling"], ["red_flags"]):
                db["clinics"].create_index(index, if_not_exists=True)
            # A search finds the clinics of up to thousands of matching pages: looked up in
            # this narrow index, 4 times faster than in the wide rows of the pages themselves.
            db["pages"].create_index(["id", "clinic_id"], if_not_exists=True)
            # Computed when read: it takes no space in the pages (only in the index).
            if "clinic_tag" not in {column[1] for column in db.execute("PRAGMA table_xinfo(pages)")}:
                db.execute("ALTER TABLE pages ADD COLUMN clinic_tag TEXT "
                           "GENERATED ALWAYS AS ('clinic' || clinic_id) VIRTUAL")
            self._ensure_facet_indexes()
            self._ensure_listed_indexes()
            # City names compare case-insensitively: sites write "MIAMI BEACH" or "Miami Beach".
            db.execute(
                "CREATE TABLE IF NOT EXISTS zip_codes (zip TEXT PRIMARY KEY, "
                "city TEXT COLLATE NOCASE, state TEXT, latitude REAL, longitude REAL)"
            )
            db["zip_codes"].create_index(["city", "state"], if_not_exists=True)
            db.create_view("directory", _DIRECTORY_VIEW.strip(), replace=True)
            db.create_view("clinic_map", _CLINIC_MAP_VIEW.strip(), replace=True)
        # replace=True leaves a matching index alone and rebuilds one configured differently.
        for table, columns in _FTS_INDEXES.values():
            db[table].enable_fts(list(columns), tokenize="porter", create_triggers=True, replace=True)
        # sqlite-utils reindexes a clinic on any update, and ranking updates every clinic after
        # each crawl, rescoring after each rule change: reindex only when a searched column
        # changes its value. The trigger keeps its name, so enable_fts still sees the index as
        # configured.
        if "IS NOT new.city" not in db.triggers_dict["clinics_au"]:
            with db.atomic():
                db.execute("DROP TRIGGER clinics_au")
                db.execute(
                    """
                    CREATE TRIGGER clinics_au AFTER UPDATE OF name, city ON clinics
                    WHEN old.name IS NOT new.name OR old.city IS NOT new.city BEGIN
                      INSERT INTO clinics_fts (clinics_fts, rowid, name, city)
                        VALUES ('delete', old.rowid, old.name, old.city);
                      INSERT INTO clinics_fts (rowid, name, city) VALUES (new.rowid, new.name, new.city);
                    END
                    """
                )

    def _drop_retired_search_points(self) -> None:
        """Drop what schema version 2 stored for searches of common words (see
        ``_RETIRED_SEARCH_TABLES``), and the triggers that kept it."""
        for table, _ in _FTS_INDEXES.values():
            for event in ("ai", "ad", "au"):
                self.db.execute(f"DROP TRIGGER IF EXISTS {table}_search_changes_{event}")
        for retired in _RETIRED_SEARCH_TABLES:
            self.db.execute(f"DROP TABLE IF EXISTS {retired}")

    def _ensure_facet_indexes(self) -> None:
        """One index per place facet holding every column a directory filter can name.

        A facet by city of a filtered list (``?sterile_equipment=1&_facet=city``) then reads
        only the index, in city order, instead of looking up 100,000 rows of the wide clinics
        table. Rank is left out: it changes for every clinic after each crawl.
        """
        filters = ["score", "red_flags", "criteria_met", *_CRITERION_COLUMNS_OF_CLINICS]
        wanted = {
            "idx_clinics_city_facets": ["city", "region", *filters],
            "idx_clinics_region_facets": ["region", "city", *filters],
        }
        existing = {index.name: index.columns for index in self.db["clinics"].indexes}
        for name, columns in wanted.items():
            if existing.get(name) == columns:
                continue
            if name in existing:  # a criterion was added since: rebuild with it
                self.db.execute(f"DROP INDEX {name}")
            self.db["clinics"].create_index(columns, index_name=name)
        # The narrower indexes they replace.
        for name in ("idx_clinics_city_score", "idx_clinics_region_score"):
            self.db.execute(f"DROP INDEX IF EXISTS {name}")

    def _ensure_listed_indexes(self) -> None:
        """One small index per facet column (place and criterion), over the listed clinics.

        A criterion facet of the list (``?_facet=anesthesia``) counts its values from this
        index alone, in order, where the wide place indexes above would be read whole and
        sorted. A filter (``?anesthesia=1``, ``?city=Austin``) finds its clinics through it in
        table order, so counting them reads the table forwards. Partial on the directory view's
        own condition (SQLite then reads no row to check it), so it holds only listed clinics.

        The state's index holds the rank too: a state holds thousands of clinics, and the list
        filtered by one (``?region=TX``) then reads its first page in rank order rather than
        sorting them all (0.1 ms, not 4–6 ms at 100,000 clinics; counting them costs ~1.5 ms
        more in rank order). It changes for every clinic whose rank does, at each re-rank: at
        100,000 clinics with nearly every rank moving, too little to tell from the noise of a
        1.0–1.5 s re-rank. A city holds a few hundred clinics at most, too few to be worth a
        (city, rank) index, which did add 0.3–0.4 s to that re-rank.
        """
        for column in ["city", *_CRITERION_COLUMNS_OF_CLINICS]:
            self.db.execute(
                f'CREATE INDEX IF NOT EXISTS "idx_clinics_{column}_listed" '
                f'ON clinics ("{column}") WHERE score IS NOT NULL'
            )
        self.db.execute(
            'CREATE INDEX IF NOT EXISTS "idx_clinics_region_rank_listed" '
            'ON clinics ("region", "rank") WHERE score IS NOT NULL'
        )
        self.db.execute('DROP INDEX IF EXISTS "idx_clinics_region_listed"')  # the one it replaces
        # The map's facet by state counts the located clinics only: with the position in the
        # index's condition, they are counted from it alone (7 ms, not 130 ms reading 100,000
        # clinics' rows spread over a file of 2 million pages).
        self.db.execute(
            'CREATE INDEX IF NOT EXISTS "idx_clinics_region_located" ON clinics ("region") '
            "WHERE score IS NOT NULL AND latitude IS NOT NULL AND longitude IS NOT NULL"
        )
        # Search walks the listed clinics in rank order until it has found enough: from this
        # index alone, one step per clinic, without reading the clinic.
        self.db.execute(
            'CREATE INDEX IF NOT EXISTS "idx_clinics_rank_listed" ON clinics ("rank") WHERE score IS NOT NULL'
        )

    def _copy_verdicts_to_clinics(self, criteria: list[str]) -> None:
        """Fill newly added criterion columns of clinics from the verdicts already stored."""
        assignments = ", ".join(
            f'"{c}" = (SELECT met FROM verdicts WHERE clinic_id = clinics.id AND criterion = \'{c}\')'
            for c in criteria
        )
        self.db.execute(f"UPDATE clinics SET {assignments}")

    def _locate_clinics(self) -> None:
        """Place US clinics the website gave no coordinates for at their ZIP (else city) centre.

        ``location_precision`` says which: exact (published by the site or the seed list),
        postcode or city. A position that came from a ZIP follows the ZIP if it changes.
        """
        self._load_zip_codes()
        with self.db.atomic():
            self.db.execute(
                "UPDATE clinics SET location_precision = 'exact' "
                "WHERE latitude IS NOT NULL AND location_precision IS NULL"
            )
            self.db.execute(
                """
                UPDATE clinics SET (latitude, longitude, location_precision) = (
                    SELECT z.latitude, z.longitude, 'postcode' FROM zip_codes AS z
                    WHERE z.zip = substr(clinics.postcode, 1, 5)
                )
                WHERE (latitude IS NULL OR location_precision IN ('postcode', 'city'))
                  AND coalesce(country, 'US') = 'US'
                  AND substr(postcode, 1, 5) IN (SELECT zip FROM zip_codes)
                """
            )
            self.db.execute(
                """
                UPDATE clinics SET (latitude, longitude, location_precision) = (
                    SELECT avg(z.latitude), avg(z.longitude), 'city' FROM zip_codes AS z
                    WHERE z.city = clinics.city AND z.state = clinics.region
                )
                WHERE (latitude IS NULL OR location_precision = 'city')
                  AND coalesce(country, 'US') = 'US'
                  AND EXISTS (SELECT 1 FROM zip_codes AS z
                              WHERE z.city = clinics.city AND z.state = clinics.region)
                """
            )

    def _load_zip_codes(self) -> None:
        """Fill ``zip_codes`` once per database from the ``zipcodes`` package (US ZIP centres)."""
        if self.db["zip_codes"].count:
            return
        import zipcodes  # loads ~43,000 ZIP codes: only when the table is first filled

        with self.db.atomic():
            self.db["zip_codes"].insert_all(
                (
                    {"zip": z["zip_code"], "city": z["city"], "state": z["state"],
                     "latitude": float(z["lat"]), "longitude": float(z["long"])}
                    for z in zipcodes.list_all()
                    if z["lat"] and z["long"]
                ),
                batch_size=2000,
            )
            self.db.execute("ANALYZE zip_codes")

    # -- reads ---------------------------------------------------------------------------------

    def clinics_with_pages(self) -> Iterator[StoredClinic]:
        """Every clinic with stored pages, for rescoring without the network."""
        websites = dict(self.db.execute(
            "SELECT id, website FROM clinics WHERE id IN (SELECT clinic_id FROM pages)"
        ).fetchall())
        # One query for every page, in clinic order (a query per clinic cost as much as reading
        # the pages). It reads only pages, so rescoring may write clinics while it runs.
        rows = self.db.execute(
            "SELECT clinic_id, url, title, text, structured, tel_links FROM pages"
            " ORDER BY clinic_id, url"
        )
        for clinic_id, clinic_rows in itertools.groupby(rows, key=lambda row: row[0]):
            if clinic_id not in websites:
                continue  # a page whose clinic is gone: nothing to score
            pages = [
                Page(url, title or "", text or "", _json_tuple(structured), _json_tuple(tel_links))
                for _, url, title, text, structured, tel_links in clinic_rows
            ]
            yield StoredClinic(clinic_id, websites[clinic_id], pages)

    def stored_pages(self, website: str) -> dict[str, dict[str, Any]]:
        """The stored pages of a clinic by URL, as a crawl hands them over (JSON decoded)."""
        columns = ("url", "title", "text", "fetched_at", "status", "structured", "tel_links",
                   "crawl_id", "etag", "last_modified", "links")
        rows = self.db.execute(
            f"SELECT {', '.join('p.' + c for c in columns)}"
            " FROM pages p JOIN clinics c ON c.id = p.clinic_id WHERE c.website = ?",
            [website],
        )
        pages = {}
        for row in rows:
            page = dict(zip(columns, row, strict=True))
            for key in ("structured", "tel_links", "links"):
                page[key] = json.loads(page[key] or "[]")
            pages[page["url"]] = page
        return pages

    def known_pages(self) -> dict[str, dict[str, dict[str, Any]]]:
        """Every stored page's ETag, Last-Modified and links, by clinic website then page URL.

        What a recrawl needs to ask each page only if it changed, and to follow an unchanged
        page's links without fetching it.
        """
        known: dict[str, dict[str, dict[str, Any]]] = {}
        for website, url, etag, last_modified, links in self.db.execute(
            "SELECT c.website, p.url, p.etag, p.last_modified, p.links FROM pages p"
            " JOIN clinics c ON c.id = p.clinic_id"
            " WHERE p.etag IS NOT NULL OR p.last_modified IS NOT NULL ORDER BY p.id"
        ):
            known.setdefault(website, {})[url] = {
                "etag": etag, "last_modified": last_modified, "links": json.loads(links or "[]"),
            }
        return known

    def websites(self) -> list[tuple[str, dict[str, Any]]]:
        """Known clinics with a website, with the details a seed carries, for ``crawl`` with no URL.

        Least recently crawled first, so that after an interrupted crawl the clinics it did not
        reach come first.
        """
        rows = self.db.execute(
            "SELECT website, name FROM clinics WHERE website IS NOT NULL AND website != ''"
            " ORDER BY last_crawled IS NOT NULL, last_crawled, id"
        ).fetchall()
        return [(website, {"name": name} if name else {}) for website, name in rows]

    def clinics_without_website(self) -> int:
        return self.db.execute(
            "SELECT count(*) FROM clinics WHERE website IS NULL OR website = ''"
        ).fetchone()[0]

    def counts(self) -> dict[str, int]:
        return {t: self.db[t].count for t in ("clinics", "pages", "verdicts")}

    # -- discovery and the NPI registry ---------------------------------------------------------

    def known_for_discovery(self) -> list[dict[str, Any]]:
        """Every clinic with what merging compares: website, phone, address, linked records."""
        records: dict[int, set[tuple[str, str]]] = {}
        for clinic_id, source, source_id in self.db.execute(
            "SELECT clinic_id, source, source_id FROM clinic_sources"
        ):
            records.setdefault(clinic_id, set()).add((source, source_id))
        return [
            {"id": row[0], "website": row[1], "phone": row[2], "street_address": row[3],
             "postcode": row[4], "records": frozenset(records.get(row[0], ()))}
            for row in self.db.execute(
                "SELECT id, website, phone, street_address, postcode FROM clinics ORDER BY id"
            )
        ]

    def save_discovery(
        self, clinics: list[tuple[int | None, dict[str, Any], list[dict[str, Any]]]],
        npi_providers: list[dict[str, Any]],
    ) -> dict[str, int]:
        """Write a whole discovery in one transaction: all of it, or nothing.

        ``clinics`` holds (existing id or None, merged fields, source records). An existing
        clinic only gains what it lacks: discovery never overwrites what a crawl or a seed said.
        """
        now = _now()
        counts = {"added": 0, "updated": 0, "unchanged": 0}
        try:
            with self.db.atomic():
                for clinic_id, fields, records in clinics:
                    first = records[0]
                    if clinic_id is None:
                        row = {**fields, "source": first["source"], "source_id": first["source_id"]}
                        clinic_id = self.db["clinics"].insert(row).last_pk
                        counts["added"] += 1
                    else:
                        # A known clinic keeps its origin; clinic_sources records the new links.
                        current = self.db["clinics"].get(clinic_id)
                        gaps = {k: v for k, v in fields.items() if current.get(k) in (None, "")}
                        if gaps:
                            self.db["clinics"].update(clinic_id, gaps)
                        counts["updated" if gaps else "unchanged"] += 1
                    for record in records:
                        self._link_record(clinic_id, record, now)
                self._upsert_npi_providers(npi_providers, now)
        except sqlite3.Error as error:
            raise StorageError(f"could not save the discovery to {self.path}: {error}") from None
        return counts

    def _link_record(self, clinic_id: int, record: dict[str, Any], now: str) -> None:
        columns = [c for c in _CLINIC_SOURCE_COLUMNS if c not in ("first_seen", "last_seen")]
        values = {c: record.get(c) for c in columns} | {"clinic_id": clinic_id}
        updates = ", ".join(f"{c} = excluded.{c}" for c in columns if c not in ("source", "source_id"))
        self.db.execute(
            f"INSERT INTO clinic_sources ({', '.join(columns)}, first_seen, last_seen) "
            f"VALUES ({', '.join(':' + c for c in columns)}, :now, :now) "
            f"ON CONFLICT(source, source_id) DO UPDATE SET {updates}, last_seen = excluded.last_seen",
            values | {"now": now},
        )

    def _upsert_npi_providers(self, providers: list[dict[str, Any]], now: str) -> None:
        self.db["npi_providers"].upsert_all(
            ({**p, "fetched_at": now} for p in providers), pk="npi",
            columns=_NPI_PROVIDER_COLUMNS,
        )

    def practitioners_to_verify(self) -> list[dict[str, Any]]:
        """Practitioners of every clinic, with the clinic's place (for a state and a match)."""
        return [
            dict(row) for row in self.db.query(
                """
                SELECT p.clinic_id, p.name, p.credentials, p.role,
                       c.country, c.region, c.postcode, c.phone, c.street_address
                FROM practitioners p JOIN clinics c ON c.id = p.clinic_id
                ORDER BY p.clinic_id, p.name
                """
            )
        ]

    def npi_providers_named(self, last_name: str, state: str) -> list[dict[str, Any]]:
        """Stored individual NPI records with this last name (registry spelling) in a state."""
        return [
            dict(row) for row in self.db.query(
                "SELECT * FROM npi_providers WHERE enumeration_type = 'NPI-1' "
                "AND upper(last_name) = upper(?) AND state = ?",
                [last_name, state],
            )
        ]

    def save_npi_matches(
        self, matches: list[dict[str, Any]], providers: list[dict[str, Any]]
    ) -> None:
        """Store every practitioner's match (or no match) and the records looked up, together."""
        now = _now()
        try:
            with self.db.atomic():
                self._upsert_npi_providers(providers, now)
                self.db["npi_matches"].upsert_all(
                    ({**m, "checked_at": now} for m in matches),
                    pk=("clinic_id", "practitioner"), columns=_NPI_MATCH_COLUMNS,
                )
                for clinic_id in sorted({m["clinic_id"] for m in matches}):
                    self._count_npi_verified(clinic_id)
        except sqlite3.Error as error:
            raise StorageError(f"could not save NPI matches to {self.path}: {error}") from None


def _json_tuple(stored: str | None) -> tuple[Any, ...]:
    """A stored JSON list as a tuple; most pages store none, which needs no decoding."""
    return tuple(json.loads(stored)) if stored and stored != "[]" else ()
