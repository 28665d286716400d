"""The database: the one module that knows the schema and performs every write.

Tables (names are a contract other tools read):
  clinics   one row per clinic site, with identity, score and rank
  pages     the pages a crawl fetched, with the visible text the scorer read
  criteria  the criteria table, with weights
  verdicts  one row per clinic and criterion, with the evidence of a met verdict

A site is written in one transaction, so a clinic never has half its verdicts. Ids are stable:
a clinic is keyed by its website, a page by its URL, so crawling twice leaves the same rows.
"""

from __future__ import annotations

import itertools
import json
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlite_utils

from scoring import CRITERIA, Assessment, Page

SCHEMA_VERSION = 1

_CLINIC_COLUMNS = {
    "id": int, "name": str, "website": str, "score": int, "rank": int,
    "offers_microneedling": int, "criteria_met": int, "red_flags": int,
    "phone": str, "street_address": str, "city": str, "region": str, "postcode": str,
    "country": str, "latitude": float, "longitude": float,
    "source": str, "source_id": str, "pages_crawled": int, "last_crawled": str,
    "crawl_status": str, "crawl_error": str,
}
_PAGE_COLUMNS = {
    "id": int, "clinic_id": int, "url": str, "title": str, "text": str,
    "fetched_at": str, "status": int, "structured": str, "tel_links": str,
}
_VERDICT_COLUMNS = {
    "clinic_id": int, "criterion": str, "met": int, "page_url": str, "quote": str, "rule": str,
}
_CRITERION_COLUMNS = {
    "id": str, "name": str, "group": str, "weight": int, "scope": str, "description": str,
}
_SEED_IDENTITY = ("phone", "city", "region", "postcode", "country", "latitude", "longitude")


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


def _check_columns(row: dict[str, Any], columns: Iterable[str], table: str) -> None:
    unknown = set(row) - set(columns) - {"clinic_id"}
    if unknown:
        raise StorageError(f"{table} has no column {', '.join(sorted(unknown))}")


class Storage:
    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.db = sqlite_utils.Database(self.path)
            self.db.execute("PRAGMA busy_timeout = 10000")
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
            db["clinics"].create(_CLINIC_COLUMNS, pk="id", not_null={"website"}, if_not_exists=True)
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
            db["criteria"].upsert_all(
                [
                    {"id": c.id, "name": c.name, "group": c.group, "weight": c.weight,
                     "scope": c.scope, "description": c.description}
                    for c in CRITERIA
                ],
                pk="id",
            )
            db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

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
    ) -> int:
        """Store one crawled site: clinic, pages and verdicts together, or nothing at all.

        A site that yielded no page keeps its previous pages and verdicts, marked failed.
        """
        now = datetime.now(UTC).isoformat(timespec="seconds")
        try:
            with self.db.atomic():
                clinic_id = self._clinic_id(website, seed)
                if not pages or assessment is None:
                    self.db["clinics"].update(clinic_id, {
                        "last_crawled": now, "crawl_status": "failed",
                        "crawl_error": _error_summary(errors) or "no page could be fetched",
                    })
                    return clinic_id
                self._replace_pages(clinic_id, pages)
                self._write_assessment(clinic_id, assessment, seed)
                self.db["clinics"].update(clinic_id, {
                    "pages_crawled": len(pages), "last_crawled": now,
                    "crawl_status": "ok" if not errors else "partial",
                    "crawl_error": _error_summary(errors),
                })
        except sqlite3.Error as error:
            raise StorageError(f"could not save {website} to {self.path}: {error}") from None
        return clinic_id

    def _replace_pages(self, clinic_id: int, pages: list[dict[str, Any]]) -> None:
        urls = [page["url"] for page in pages]
        for page in pages:
            self.db.execute(
                """
                INSERT INTO pages (clinic_id, url, title, text, fetched_at, status, structured, tel_links)
                VALUES (:clinic_id, :url, :title, :text, :fetched_at, :status, :structured, :tel_links)
                ON CONFLICT(url) DO UPDATE SET
                    clinic_id = excluded.clinic_id, title = excluded.title, text = excluded.text,
                    fetched_at = excluded.fetched_at, status = excluded.status,
                    structured = excluded.structured, tel_links = excluded.tel_links
                """,
                {
                    "clinic_id": clinic_id, "url": page["url"], "title": page["title"],
                    "text": page["text"], "fetched_at": page["fetched_at"], "status": page["status"],
                    "structured": json.dumps(page["structured"], ensure_ascii=False, default=str),
                    "tel_links": json.dumps(page["tel_links"]),
                },
            )
        placeholders = ",".join("?" * len(urls))
        self.db.execute(
            f"DELETE FROM pages WHERE clinic_id = ? AND url NOT IN ({placeholders})",
            [clinic_id, *urls],
        )

    def save_assessment(self, clinic_id: int, assessment: Assessment) -> None:
        """Rescoring: replace a clinic's verdicts, score and identity."""
        try:
            with self.db.atomic():
                self._write_assessment(clinic_id, assessment, {})
        except sqlite3.Error as error:
            raise StorageError(f"could not save the scores of clinic {clinic_id} to {self.path}: {error}") from None

    def _write_assessment(self, clinic_id: int, assessment: Assessment, seed: dict[str, Any]) -> None:
        self.db.execute("DELETE FROM verdicts WHERE clinic_id = ?", [clinic_id])
        self.db["verdicts"].insert_all(
            {
                "clinic_id": clinic_id, "criterion": v.criterion, "met": int(v.met),
                "page_url": v.page_url, "quote": v.quote, "rule": v.rule,
            }
            for v in assessment.verdicts
        )
        identity = assessment.identity
        found = {k: v for k, v in identity.as_columns().items() if v is not None}
        current = self.db["clinics"].get(clinic_id)
        update: dict[str, Any] = {
            "score": assessment.score,
            "offers_microneedling": int(assessment.offers_microneedling),
            "criteria_met": assessment.criteria_met,
            "red_flags": sum(1 for v in assessment.verdicts if v.met and v.criterion == "unrealistic_claims"),
            # The seed's name (what the operator or the open data calls the clinic) wins over ours.
            "name": seed.get("name") or current.get("name") or identity.name,
        }
        update.update(found)
        self.db["clinics"].update(clinic_id, update)

    def bulk_insert(self, records: Iterable[ClinicRecord], batch_size: int = 5000) -> int:
        """Insert many new clinics that were assessed elsewhere (a benchmark directory, an
        import), each with its pages and verdicts, one transaction per batch; then rank all.

        Faster than ``save_site`` per clinic because it skips the per-row upserts; websites must
        be new (a duplicate raises StorageError and rolls back its batch). Returns the count.
        """
        clinic_columns = [c for c in _CLINIC_COLUMNS if c != "id"]
        page_columns = [c for c in _PAGE_COLUMNS if c != "id"]
        insert_clinic = _insert_sql("clinics", clinic_columns)
        insert_page = _insert_sql("pages", page_columns)
        insert_verdict = _insert_sql("verdicts", list(_VERDICT_COLUMNS))
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
                        cursor.execute(insert_clinic, [record.clinic.get(c) for c in clinic_columns])
                        clinic_id = cursor.lastrowid
                        for page in record.pages:
                            _check_columns(page, page_columns, "pages")
                            pages.append(tuple({**page, "clinic_id": clinic_id}.get(c) for c in page_columns))
                        for verdict in record.verdicts:
                            _check_columns(verdict, _VERDICT_COLUMNS, "verdicts")
                            verdicts.append(tuple({**verdict, "clinic_id": clinic_id}.get(c) for c in _VERDICT_COLUMNS))
                    cursor.executemany(insert_page, pages)
                    cursor.executemany(insert_verdict, verdicts)
                inserted += len(chunk)
        except sqlite3.Error as error:
            raise StorageError(f"bulk insert into {self.path} failed after {inserted} clinics: {error}") from None
        self.update_ranks()
        return inserted

    def update_ranks(self) -> None:
        """Rank clinics by score; those that do not offer microneedling come after all that do."""
        try:
            self._update_ranks()
        except sqlite3.Error as error:
            raise StorageError(f"could not rank the clinics in {self.path}: {error}") from None

    def _update_ranks(self) -> None:
        with self.db.atomic():
            self.db.execute(
                """
                UPDATE clinics SET rank = (
                    SELECT ranked.position FROM (
                        SELECT id, RANK() OVER (
                            ORDER BY offers_microneedling DESC, score DESC
                        ) AS position
                        FROM clinics WHERE score IS NOT NULL
                    ) AS ranked WHERE ranked.id = clinics.id
                )
                """
            )

    # -- reads ---------------------------------------------------------------------------------

    def clinics_with_pages(self) -> Iterator[StoredClinic]:
        """Every clinic with stored pages, for rescoring without the network."""
        clinic_rows = self.db.execute(
            "SELECT id, website FROM clinics WHERE id IN (SELECT clinic_id FROM pages) ORDER BY id"
        ).fetchall()
        for clinic_id, website in clinic_rows:
            pages = [
                Page(url, title or "", text or "", tuple(json.loads(structured or "[]")),
                     tuple(json.loads(tel_links or "[]")))
                for url, title, text, structured, tel_links in self.db.execute(
                    "SELECT url, title, text, structured, tel_links FROM pages WHERE clinic_id = ?"
                    " ORDER BY url",
                    [clinic_id],
                )
            ]
            yield StoredClinic(clinic_id, website, pages)

    def websites(self) -> list[tuple[str, dict[str, Any]]]:
        """Known clinics with a website, with the details a seed carries, for ``crawl`` with no URL."""
        rows = self.db.execute("SELECT website, name FROM clinics ORDER BY id").fetchall()
        return [(website, {"name": name} if name else {}) for website, name in rows]

    def counts(self) -> dict[str, int]:
        return {t: self.db[t].count for t in ("clinics", "pages", "verdicts")}
