"""Shared fixtures: the sample clinic sites served on 127.0.0.1 and a real crawl of them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from clinicscout.sites import ServedSites

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_SITES = ROOT / "data" / "sample_sites"
SHARED = ROOT.parent / "shared"


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


@pytest.fixture(scope="session")
def expected() -> dict:
    return json.loads((SAMPLE_SITES / "expected.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def sample_sites():
    with ServedSites(SAMPLE_SITES) as sites:
        yield sites


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
