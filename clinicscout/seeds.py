"""Seed lists: the clinics to crawl, from a CSV file or from URLs given on the command line.

The CSV is header-driven: ``website`` is required; ``name``, ``phone``, ``address``, ``city``,
``region``, ``postcode``, ``country``, ``latitude`` and ``longitude`` are optional. A bad row is
reported with its line number and the good rows still load.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

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


def read_seeds(path: str | Path) -> tuple[list[Seed], list[str]]:
    """Seeds of a CSV file and one message per rejected row (``line N: why``)."""
    path = Path(path)
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            rows = list(csv.reader(handle))
    except OSError as error:
        raise SeedFileError(f"cannot read {path}: {error.strerror or error}") from None
    except UnicodeDecodeError as error:
        raise SeedFileError(f"{path} is not UTF-8 text: {error.reason} at byte {error.start}") from None
    if not rows:
        raise SeedFileError(f"{path} is empty: expected a header row with a 'website' column")
    header = [column.strip().lower() for column in rows[0]]
    if "website" not in header:
        raise SeedFileError(
            f"{path}: no 'website' column in the header (found: {', '.join(header) or 'nothing'})"
        )
    seeds: list[Seed] = []
    errors: list[str] = []
    seen: set[str] = set()
    for line_number, row in enumerate(rows[1:], start=2):
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
