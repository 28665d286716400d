"""deploy/: the systemd units and the crontab line of the weekly crawl, checked for real."""

from __future__ import annotations

import configparser
import shutil
import subprocess
from pathlib import Path

import pytest

from clinicscout.storage import Storage
from tests.conftest import ROOT, db_snapshot

DEPLOY = ROOT / "deploy"
INSTALLED_AT = "/opt/clinicscout"


def unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    parser.optionxform = str
    parser.read(DEPLOY / name)
    return parser


def cron_entry() -> tuple[list[str], str]:
    """The schedule fields and the command of the crontab's one job line."""
    for line in (DEPLOY / "crontab").read_text().splitlines():
        if line.strip() and not line.startswith("#") and "=" not in line.split()[0]:
            fields = line.split(None, 5)
            return fields[:5], fields[5]
    raise AssertionError("deploy/crontab has no job line")


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is missing")
def test_the_systemd_units_verify_against_this_checkout(tmp_path):
    names = ("clinicscout-crawl.service", "clinicscout-crawl.timer", "scrapyd.service")
    for name in names:
        text = (DEPLOY / name).read_text().replace(INSTALLED_AT, str(ROOT))
        (tmp_path / name).write_text(text)
    result = subprocess.run(
        ["systemd-analyze", "verify", *(str(tmp_path / name) for name in names)],
        capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stderr
    calendar = unit("clinicscout-crawl.timer")["Timer"]["OnCalendar"]
    normalized = subprocess.run(["systemd-analyze", "calendar", calendar], capture_output=True, text=True)
    assert "Sun *-*-* 03:00:00" in normalized.stdout


PUBLISHED_AT = "/var/lib/clinicscout/published.db"


def test_cron_and_systemd_run_the_same_weekly_quiet_crawl_then_publish_it():
    service = unit("clinicscout-crawl.service")["Service"]
    schedule, command = cron_entry()
    assert schedule == ["0", "3", "*", "*", "0"]  # Sundays 03:00, as the timer
    assert service["ExecStart"] == f"{INSTALLED_AT}/.venv/bin/clinicscout crawl --quiet"
    # Only after a crawl that succeeded: ExecStartPost, and && in the shell.
    assert service["ExecStartPost"] == f"{INSTALLED_AT}/.venv/bin/clinicscout publish {PUBLISHED_AT}"
    assert command.endswith(f".venv/bin/clinicscout crawl --quiet && .venv/bin/clinicscout publish {PUBLISHED_AT}")
    assert service["Environment"] == "CLINICSCOUT_DB=/var/lib/clinicscout/clinics.db"
    # Exported, so that the publish after the crawl copies the same database.
    assert "export CLINICSCOUT_DB=/var/lib/clinicscout/clinics.db &&" in command


@pytest.fixture
def cron_job(sample_sites, tmp_path) -> tuple[str, str, str]:
    """The crontab's command on a database (one sample clinic to recrawl) and a snapshot in
    ``tmp_path``, and their paths."""
    db, snapshot = str(tmp_path / "clinics.db"), str(tmp_path / "published.db")
    storage = Storage(db)
    storage.add_clinic(sample_sites.urls["glow-day-spa"])
    storage.close()
    _, command = cron_entry()
    command = (command.replace(INSTALLED_AT, str(ROOT)).replace("/var/lib/clinicscout/clinics.db", db)
               .replace(PUBLISHED_AT, snapshot))
    return command, db, snapshot


def run_as_cron(command: str) -> subprocess.CompletedProcess[str]:
    """As cron runs it: a shell, no terminal."""
    return subprocess.run(["/bin/sh", "-c", command], capture_output=True, text=True,
                          stdin=subprocess.DEVNULL, timeout=120)


def test_what_cron_mails_after_a_crawl_that_failed_is_its_summary_line_and_nothing_is_published(cron_job):
    command, _, snapshot = cron_job
    # The sample site is on loopback, which a production crawl refuses: every site failed. The
    # refusal is the one extra line, on stderr.
    result = run_as_cron(command)
    assert result.returncode == 1
    assert result.stdout.count("\n") == 1
    assert result.stdout.startswith("Crawled 1 sites (0 rescored, 0 unchanged, 1 failed)")
    assert "--allow-private" in result.stderr
    assert not Path(snapshot).exists()


def test_what_cron_mails_after_a_crawl_that_saved_sites_is_its_summary_line_and_the_publish_line(cron_job):
    command, db, snapshot = cron_job
    # The one change from the weekly run: the sample site is on loopback, so it is allowed.
    result = run_as_cron(command.replace(" crawl --quiet", " crawl --quiet --allow-private --delay 0"))
    assert result.returncode == 0, result.stderr
    crawled, published = result.stdout.splitlines()
    assert crawled.startswith("Crawled 1 sites (1 rescored, 0 unchanged, 0 failed)")
    assert published.startswith("Published 1 clinics (") and f"from {db} in " in published
    assert published.endswith(f"→ {snapshot}")
    assert db_snapshot(Path(snapshot)) == db_snapshot(Path(db))
