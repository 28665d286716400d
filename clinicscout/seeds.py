"""Seed lists: the clinics to crawl, from a CSV file or from URLs given on the command line.

The CSV is header-driven: ``website`` is required; ``name``, ``phone``, ``address``, ``city``,
``region``, ``postcode``, ``country``, ``latitude`` and ``longitude`` are optional. A bad row is
reported with its line number and the good rows still load.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from crawler.scope import InvalidWebsite, normalise_website

OPTIONAL_COLUMNS = (
    "name", "phone", "address", "city", "region", "postcode", "country", "latitude", "longitude",
)


class SeedFileError(ValueError):
    """The seed file cannot be used at all (missing, unreadable, no website column)."""


@dataclass(frozen=True)
class Seed:
    website: str
    details: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_url(cls, url: str) -> Seed:
        return cls(normalise_website(url))

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> Seed:
        return cls(record["website"], record.get("details", {}))

    def as_record(self) -> dict[str, Any]:
        """The seed as JSON data: a Scrapyd job's ``sites`` argument and row hold these."""
        return {"website": self.website, "details": self.details}


def read_seeds(path: str | Path) -> tuple[list[Seed], list[str]]:
    """Seeds of a CSV file and one message per rejected row (``line N: why``)."""
    path = Path(path)
    errors: list[str] = []
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            rows = _rows(csv.reader(handle), errors)
    except OSError as error:
        raise SeedFileError(f"cannot read {path}: {error.strerror or error}") from None
    except UnicodeDecodeError as error:
        raise SeedFileError(f"{path} is not UTF-8 text: {error.reason} at byte {error.start}") from None
    if not rows:
        raise SeedFileError(f"{path} is empty: expected a header row with a 'website' column")
    header = [column.strip().lower() for column in rows[0][1]]
    if "website" not in header:
        raise SeedFileError(
            f"{path}: no 'website' column in the header (found: {', '.join(header) or 'nothing'})"
        )
    seeds: list[Seed] = []
    seen: set[str] = set()
    for line_number, row in rows[1:]:
        if not any(cell.strip() for cell in row):
            continue
        if len(row) > len(header):
            errors.append(f"line {line_number}: {len(row)} fields, the header has {len(header)}")
            continue
        record = {column: (row[i].strip() if i < len(row) else "") for i, column in enumerate(header)}
        try:
            website = normalise_website(record["website"])
        except InvalidWebsite as error:
            errors.append(f"line {line_number}: {error}")
            continue
        if website in seen:
            errors.append(f"line {line_number}: duplicate of an earlier row ({website})")
            continue
        seen.add(website)
        details = {k: record[k] for k in OPTIONAL_COLUMNS if record.get(k)}
        seeds.append(Seed(website, details))
    return seeds, errors


def _rows(reader: Any, errors: list[str]) -> list[tuple[int, list[str]]]:
    """(line number, fields) of each CSV record; a record the csv module rejects is reported.

    Line numbers are where a record starts, so they stay right when a quoted field spans lines.
    """
    rows: list[tuple[int, list[str]]] = []
    while True:
        start = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            return rows
        except csv.Error as error:  # a field over the size limit, a stray quote in strict mode
            errors.append(f"line {start}: {error}")
            continue
        rows.append((start, row))
