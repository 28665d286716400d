"""The directory in a real headless Chromium, served by a real ``clinicscout serve`` process.

A patient's path: the home page, a search for "numbing", a clinic's page with its checklist and
evidence. And the hostile sample site: its script tags, onerror images and javascript: links
reach the directory as text, and nothing of them runs. Screenshots go to tests/artifacts/.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import sqlite_utils

from tests.conftest import ROOT, clinicscout_serving, copy_database

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]
ARTIFACTS = ROOT / "tests" / "artifacts"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1200, "height": 900}


@pytest.fixture(scope="module")
def served_directory(crawled_db, tmp_path_factory):
    """`clinicscout serve` on a free loopback port, over a copy of the crawled database."""
    db = tmp_path_factory.mktemp("served") / "clinics.db"
    copy_database(crawled_db, db)
    with clinicscout_serving(db) as base:
        yield base, db


@pytest.fixture(scope="module")
def chromium():
    if not CHROMIUM.exists():
        message = ("chromium is missing, so the browser tests cannot run: install it with "
                   "`sudo apt-get install chromium` (or run `make test` as root)")
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def open_page(chromium, served_directory):
    """A new page limited to the served directory, recording any dialog a script opens."""
    base, _ = served_directory
    contexts = []

    def open_page(viewport=DESKTOP):
        context = chromium.new_context(viewport=viewport)
        contexts.append(context)
        page = context.new_page()
        page.dialogs = []
        page.on("dialog", lambda dialog: (page.dialogs.append(dialog.message), dialog.dismiss()))
        # No network beyond loopback: map tiles and anything else outside the server are refused.
        page.route("**/*", lambda route: route.continue_() if route.request.url.startswith(base)
                   else route.abort())
        return page

    yield open_page
    for context in contexts:
        context.close()


def screenshot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def clinic_id_of(db: Path, slug_text: str) -> int:
    return next(sqlite_utils.Database(db).query(
        "select id from clinics where name like ?", [f"%{slug_text}%"]))["id"]


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_a_patient_searches_for_numbing_and_reads_a_clinics_evidence(open_page, served_directory, viewport):
    base, _ = served_directory
    page = open_page(viewport)
    size = "phone" if viewport is PHONE else "desktop"

    page.goto(base + "/")
    assert page.get_by_role("heading", name="Top clinics").is_visible()
    screenshot(page, f"home-{size}")

    page.get_by_label("Search clinics").fill("numbing")
    page.get_by_role("button", name="Search").click()
    page.wait_for_url("**/clinics/search?q=numbing")
    results = page.locator("table.cs-clinics tbody tr")
    assert results.count() > 3
    assert page.locator("table.cs-clinics mark").first.is_visible()
    assert page.locator("table.cs-clinics mark").first.inner_text().lower() == "numbing"
    screenshot(page, f"search-numbing-{size}")

    results.first.locator("a").first.click()
    page.wait_for_url("**/clinics/clinics/*")
    checklist = page.locator("ul.checklist li[data-criterion]")
    assert checklist.count() == 18
    assert page.get_by_role("heading", name="Checklist").is_visible()
    evidence = page.locator("blockquote.evidence").first
    assert evidence.is_visible()
    assert evidence.locator("a").get_attribute("href").startswith("http://127.0.0.1:")
    screenshot(page, f"clinic-{size}")
    assert page.dialogs == []


def test_hostile_page_text_shows_as_text_and_nothing_runs(open_page, served_directory):
    base, db = served_directory
    page = open_page()
    xss_clinic = clinic_id_of(db, "Sawtooth")

    page.goto(f"{base}/clinics/clinics/{xss_clinic}")
    price = page.locator('[data-criterion="pricing"] blockquote.evidence')
    assert "<script>alert(1)</script>" in price.inner_text()
    screenshot(page, "xss-clinic")

    page.goto(base + "/clinics/search?q=nephew")
    snippet = page.locator("table.cs-clinics .snippet").first
    assert "<script>alert(1)</script>" in snippet.inner_text()
    page.goto(base + '/clinics/search?q="five stars"')
    assert "<img src=x onerror=alert(4)>" in page.locator("table.cs-clinics .snippet").first.inner_text()
    screenshot(page, "xss-search")

    for path in ("/", "/clinics/directory", f"/clinics/clinics/{xss_clinic}", "/clinics/search?q=script"):
        page.goto(base + path)
        page.wait_for_load_state("load")
        assert page.locator("a[href^='javascript:' i]").count() == 0, path
        assert page.locator("img[src='x']").count() == 0, path
    assert page.dialogs == [], "a script from a crawled page ran"


def test_the_map_shows_clinics_that_link_to_their_pages(open_page, served_directory):
    base, _ = served_directory
    page = open_page()
    page.goto(base + "/clinics/clinic_map")
    markers = page.locator(".leaflet-marker-icon")
    markers.first.wait_for(state="visible", timeout=15000)
    assert markers.count() >= 1
    screenshot(page, "map")
    page.locator(".leaflet-marker-icon:not(.marker-cluster)").first.click()
    link = page.locator(".leaflet-popup-content a").first
    link.wait_for(state="visible")
    assert link.get_attribute("href").startswith("/clinics/clinics/")
