"""The benchmark's own parts: the synthetic web, its server, the directory loader, the arithmetic.

No benchmark runs here; these check that what ``make bench`` measures is what it claims.
"""

from __future__ import annotations

import http.client
import json
from collections import deque
from urllib.parse import urlsplit

import lxml.etree
import lxml.html
import pytest
import sqlite_utils

from bench.directory import build_directory, synthetic_clinics, time_requests
from bench.server import SyntheticWebServer
from bench.stats import PoliteCrawl, percentile, projected_hours, rate, ratio
from bench.synthetic import MAX_PAGES, MIN_PAGES, generate_web
from clinicscout.storage import ClinicRecord, Storage, StorageError

ORIGIN = "http://clinic.test"


def internal_links(page: str) -> list[str]:
    root = lxml.html.fromstring(page)
    return [href for href in root.xpath("//a/@href") if href.startswith("/")]


@pytest.fixture(scope="module")
def web():
    return generate_web(12, seed=7)


def test_sites_have_between_ten_and_sixty_pages_and_differ(web):
    assert all(MIN_PAGES <= len(site.pages) <= MAX_PAGES for site in web)
    assert len({len(site.pages) for site in web}) > 3
    assert len({site.slug for site in web}) == len(web)


def test_every_link_leads_to_a_page_and_every_page_is_reachable_from_home(web):
    for site in web:
        reached, queue = {"/"}, deque(["/"])
        while queue:
            for href in internal_links(site.pages[queue.popleft()]):
                path = urlsplit(href).path
                assert path in site.pages, f"{site.slug}: broken link to {href}"
                if path not in reached:
                    reached.add(path)
                    queue.append(path)
        assert reached == set(site.pages), f"{site.slug}: orphan pages {set(site.pages) - reached}"


def test_pages_read_like_a_clinic_site(web):
    for site in web:
        home = lxml.html.fromstring(site.pages["/"])
        assert site.name in home.findtext(".//title")
        assert home.xpath("//nav//a") and home.xpath("//footer//address")
        assert home.xpath("//footer//a[starts-with(@href, 'tel:')]")
    prose = " ".join(page for site in web for page in site.pages.values())
    assert "microneedling" in prose.lower() and "lorem" not in prose.lower()


def test_some_sites_have_sitemaps_json_ld_and_big_scripts_and_some_do_not(web):
    for feature in ("has_sitemap", "has_json_ld", "has_big_script"):
        assert {getattr(site, feature) for site in web} == {True, False}, feature
    for site in web:
        served = site.resources(ORIGIN)
        assert served["/robots.txt"][1].startswith(b"User-agent: *")
        if site.has_sitemap:
            listed = lxml.etree.fromstring(served["/sitemap.xml"][1]).xpath("//*[local-name()='loc']/text()")
            assert sorted(listed) == sorted(f"{ORIGIN}{path}" for path in site.pages)
        if site.has_json_ld:
            home = lxml.html.fromstring(site.pages["/"])
            data = json.loads(home.xpath("//script[@type='application/ld+json']/text()")[0])
            assert data["address"]["postalCode"] and data["telephone"]
        if site.has_big_script:
            assert max(len(page) for page in site.pages.values()) > 20_000


def test_the_same_seed_gives_the_same_web():
    assert [s.pages for s in generate_web(3, seed=1)] == [s.pages for s in generate_web(3, seed=1)]
    assert [s.pages for s in generate_web(3, seed=1)] != [s.pages for s in generate_web(3, seed=2)]


def test_the_server_serves_each_site_on_its_own_port_with_keep_alive():
    site = generate_web(2, seed=3)[1]
    with SyntheticWebServer(2, seed=3) as server:
        parts = urlsplit(server.origins[site.slug])
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=5)
        for path, page in list(site.pages.items())[:3]:
            connection.request("GET", path)
            response = connection.getresponse()
            assert response.status == 200
            assert response.read().decode() == page
        connection.request("GET", "/no-such-page")
        response = connection.getresponse()
        assert response.status == 404 and b"Not found" in response.read()
        assert len(set(server.origins.values())) == 2


def test_percentiles_interpolate_between_ranks():
    assert percentile([5, 1, 4, 2, 3], 50) == 3
    assert percentile([10, 20], 50) == 15
    assert percentile(range(1, 102), 95) == 96
    assert percentile([7], 95) == 7
    assert (percentile([1, 2, 3], 0), percentile([1, 2, 3], 100)) == (1, 3)
    with pytest.raises(ValueError):
        percentile([], 50)
    with pytest.raises(ValueError):
        percentile([1], 101)


def test_rates_and_ratios():
    assert rate(300, 2) == 150
    assert ratio(80, 100) == 0.8
    with pytest.raises(ValueError):
        rate(10, 0)
    with pytest.raises(ValueError):
        ratio(10, 0)


def test_projection_goes_at_the_slower_of_politeness_and_cpu():
    polite = PoliteCrawl(download_delay=1.0, concurrent_requests=16, per_site_concurrency=2,
                         page_budget=40, latency=0.5)
    assert polite.sites_at_once == 8  # each site holds two of the sixteen slots
    assert polite.pages_per_s == 16
    assert PoliteCrawl(1.0, 16, 2, 40, latency=2.0).pages_per_s == 8  # slow sites set the pace
    assert projected_hours(28_800, polite_pages_per_s=8, cpu_pages_per_s=100) == 1
    assert projected_hours(28_800, polite_pages_per_s=8, cpu_pages_per_s=100, nodes=4) == 0.25
    assert projected_hours(28_800, polite_pages_per_s=8, cpu_pages_per_s=4) == 2


def test_bulk_insert_stores_clinics_pages_and_verdicts_and_ranks_them(tmp_path):
    storage = Storage(tmp_path / "directory.db")
    assert storage.bulk_insert(synthetic_clinics(300, seed=1), batch_size=128) == 300
    storage.close()
    db = sqlite_utils.Database(tmp_path / "directory.db")
    assert db["clinics"].count == 300
    # each clinic with its site's pages, as many as a crawl of a clinic's site keeps
    per_clinic = [row[0] for row in db.execute("select count(*) from pages group by clinic_id")]
    assert len(per_clinic) == 300 and min(per_clinic) >= 14 and max(per_clinic) <= 27
    assert sum(per_clinic) == db.execute("select sum(pages_crawled) from clinics").fetchone()[0]
    # every quote is on the page its verdict names
    quoted = db.execute("select quote, text from verdicts left join pages on pages.url = verdicts.page_url"
                        " where met and quote is not null").fetchall()
    assert quoted and all(text and quote in text for quote, text in quoted)
    assert db["verdicts"].count == 300 * db["criteria"].count
    ranked = list(db.query("select offers_microneedling, score, rank from clinics order by rank"))
    assert all(row["rank"] for row in ranked)
    keys = [(-row["offers_microneedling"], -row["score"]) for row in ranked]
    assert keys == sorted(keys)


def test_bulk_insert_refuses_unknown_columns_and_duplicates_and_keeps_earlier_batches(tmp_path):
    storage = Storage(tmp_path / "directory.db")
    good = list(synthetic_clinics(3, seed=2))
    with pytest.raises(StorageError, match="no column colour"):
        storage.bulk_insert([ClinicRecord({"website": "https://a.example", "colour": "red"}, [], [])])
    assert storage.counts()["clinics"] == 0
    storage.bulk_insert(good[:2], batch_size=1)
    with pytest.raises(StorageError, match="after 0 clinics"):
        storage.bulk_insert([good[2], good[0]])  # one batch: the duplicate rolls back both
    assert storage.counts()["clinics"] == 2


def test_every_page_the_directory_bench_times_answers_and_reports_steady_and_cold_times(tmp_path):
    db_path = tmp_path / "directory.db"
    assert build_directory(db_path, clinics=300)["clinics"] == 300
    timings = time_requests(db_path, repeats=5)
    assert "search acne (two thirds of the clinics)" in timings
    for label, timing in timings.items():
        assert timing["available"], (label, timing)
        assert timing["requests"] == 5
        assert 0 < timing["p50_ms"] <= timing["p95_ms"]
        assert timing["cold_ms"] > 0
