"""deploy/: the systemd units and the crontab line of the weekly crawl, checked for real."""

from __future__ import annotations

import configparser
import shlex
import shutil
import subprocess

import pytest

from clinicscout.storage import Storage
from tests.conftest import ROOT

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


def test_cron_and_systemd_run_the_same_weekly_quiet_crawl():
    service = unit("clinicscout-crawl.service")["Service"]
    schedule, command = cron_entry()
    assert schedule == ["0", "3", "*", "*", "0"]  # Sundays 03:00, as the timer
    assert service["ExecStart"] == f"{INSTALLED_AT}/.venv/bin/clinicscout crawl --quiet"
    assert command.endswith(".venv/bin/clinicscout crawl --quiet")
    assert service["Environment"] == "CLINICSCOUT_DB=/var/lib/clinicscout/clinics.db"
    assert "CLINICSCOUT_DB=/var/lib/clinicscout/clinics.db" in command


def test_what_cron_mails_is_one_summary_line(sample_sites, tmp_path):
    db = tmp_path / "clinics.db"
    storage = Storage(db)
    storage.add_clinic(sample_sites.urls["glow-day-spa"])
    storage.close()
    _, command = cron_entry()
    command = command.replace(INSTALLED_AT, str(ROOT)).replace("/var/lib/clinicscout/clinics.db", str(db))
    # As cron runs it: a shell, no terminal. The sample site is on loopback, which a production
    # crawl refuses; the refusal is the one extra line, on stderr.
    result = subprocess.run(["/bin/sh", "-c", command], capture_output=True, text=True,
                            stdin=subprocess.DEVNULL, timeout=120)
    assert result.stdout.count("\n") == 1
    assert result.stdout.startswith("Crawled 1 sites (0 rescored, 0 unchanged, 1 failed)")
    assert shlex.split(command)[-2:] == ["crawl", "--quiet"]
    assert "--allow-private" in result.stderr
