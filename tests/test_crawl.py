"""A real crawl of the sample sites, checked against the oracle in data/sample_sites/expected.json."""

from __future__ import annotations

import sqlite3
from urllib.parse import urlsplit

import pytest

from scoring import CRITERIA
from tests.conftest import query, run_cli

CRITERION_IDS = [c.id for c in CRITERIA]


def test_every_sample_site_becomes_one_clinic(crawled_db, sample_sites):
    clinics = query(crawled_db, "select website from clinics")
    assert sorted(c["website"].rstrip("/") for c in clinics) == sorted(
        u.rstrip("/") for u in sample_sites.urls.values()
    )


def test_every_clinic_has_a_verdict_for_every_criterion(crawled_db):
    clinics = query(crawled_db, "select id from clinics")
    assert clinics
    for clinic in clinics:
        criteria = [v["criterion"] for v in query(
            crawled_db, "select criterion from verdicts where clinic_id = ?", [clinic["id"]])]
        assert sorted(criteria) == sorted(CRITERION_IDS)


def test_verdicts_match_the_oracle(crawled_db, expected, site_of):
    verdicts = query(crawled_db, """
        select c.website, v.criterion, v.met, v.quote from verdicts v join clinics c on c.id = v.clinic_id
    """)
    assert len(verdicts) == len(expected) * len(CRITERION_IDS), "every site of the oracle was judged"
    misses = []
    for verdict in verdicts:
        slug = site_of(verdict["website"])
        want = expected[slug]["criteria"][verdict["criterion"]]["met"]
        if bool(verdict["met"]) != want:
            misses.append(f"{slug}.{verdict['criterion']}: expected {want}, got {bool(verdict['met'])}"
                          f" ({verdict['quote']!r})")
    assert misses == [], "\n".join(misses)


def test_every_met_quote_is_a_sentence_of_its_page_text(crawled_db):
    evidence = query(crawled_db, """
        select v.criterion, v.quote, v.rule, p.text from verdicts v
        left join pages p on p.url = v.page_url
        where v.met = 1
    """)
    assert evidence
    for row in evidence:
        assert row["text"] is not None, f"{row['criterion']}: evidence page was not stored"
        assert row["quote"] in row["text"], row


def test_an_address_given_only_in_json_ld_is_evidenced_by_the_visible_sentence_naming_its_street(
    crawled_db, expected, site_of
):
    checked = 0
    for clinic in query(crawled_db, "select id, website from clinics"):
        want = expected[site_of(clinic["website"])]["criteria"]["contact_info"]
        if want.get("source") != "json-ld":
            continue
        checked += 1
        got = query(crawled_db, "select * from verdicts where clinic_id = ? and criterion = ?",
                    [clinic["id"], "contact_info"])[0]
        assert (got["met"], got["quote"], got["rule"]) == (1, want["quote"], "schema.org address and phone")
    assert checked, "the oracle names a clinic whose address is only in JSON-LD"


IDENTITY_FIELDS = ("name", "phone", "street_address", "city", "region", "postcode", "country")


def test_identity_matches_the_oracle(crawled_db, expected, site_of):
    clinics = query(crawled_db, "select * from clinics")
    assert len(clinics) == len(expected)
    misses = []
    for clinic in clinics:
        slug = site_of(clinic["website"])
        want = expected[slug]["identity"]
        misses.extend(
            f"{slug}.{field}: expected {want[field]!r}, got {clinic[field]!r}"
            for field in IDENTITY_FIELDS
            if want.get(field) is not None and clinic[field] != want[field]
        )
    assert misses == [], "\n".join(misses)


def test_clinics_that_do_not_offer_microneedling_rank_last(crawled_db):
    ranked = query(crawled_db, "select rank, offers_microneedling, score from clinics order by rank")
    offering = [r for r in ranked if r["offers_microneedling"]]
    not_offering = [r for r in ranked if not r["offers_microneedling"]]
    assert not_offering, "the sample sites include clinics without microneedling"
    assert max(r["rank"] for r in offering) < min(r["rank"] for r in not_offering)
    scores = [r["score"] for r in offering]
    assert scores == sorted(scores, reverse=True)


def test_robots_txt_is_obeyed(crawled_db, sample_sites):
    origin = sample_sites.urls["robots-private-clinic"].rstrip("/")
    urls = [r["url"] for r in query(crawled_db, "select url from pages where url like ?", [origin + "%"])]
    assert urls
    assert not [u for u in urls if urlsplit(u).path.startswith("/members/")]


def test_a_non_utf8_page_is_decoded_with_its_declared_charset(crawled_db, sample_sites):
    origin = sample_sites.urls["vieja-charset-clinic"].rstrip("/")
    texts = [r["text"] for r in query(crawled_db, "select text from pages where url like ?", [origin + "%"])]
    joined = "\n".join(texts)
    assert "é" in joined or "ñ" in joined
    assert "\ufffd" not in joined


def test_crawling_twice_leaves_the_same_rows(sample_sites, tmp_path):
    db = tmp_path / "twice.db"
    urls = [sample_sites.urls[s] for s in ("lumen-dermatology", "clean-url-clinic")]
    snapshot = "select {} from {} order by 1, 2"
    run_cli("crawl", *urls, "--db", str(db), "--allow-private", "--delay", "0")
    first = {t: query(db, snapshot.format(c, t)) for t, c in (
        ("clinics", "id, website, score, rank, name"), ("pages", "id, url, text"),
        ("verdicts", "clinic_id, criterion, met, quote"))}
    run_cli("crawl", *urls, "--db", str(db), "--allow-private", "--delay", "0")
    second = {t: query(db, snapshot.format(c, t)) for t, c in (
        ("clinics", "id, website, score, rank, name"), ("pages", "id, url, text"),
        ("verdicts", "clinic_id, criterion, met, quote"))}
    assert first == second
    assert sqlite3.connect(db).execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_loopback_sites_are_refused_without_allow_private(sample_sites, tmp_path):
    db = tmp_path / "refused.db"
    result = run_cli("crawl", sample_sites.urls["lumen-dermatology"], "--db", str(db),
                     "--delay", "0", check=False)
    assert result.returncode == 1
    assert "--allow-private" in result.stderr
    assert query(db, "select count(*) as n from pages")[0]["n"] == 0
    clinic = query(db, "select crawl_status, crawl_error from clinics")[0]
    assert clinic["crawl_status"] == "failed"
    assert "non-public address" in clinic["crawl_error"]


@pytest.mark.parametrize("bad_url", ["ftp://clinic.example/", "not a url at all", "http://"])
def test_crawl_rejects_urls_that_cannot_be_websites(bad_url, tmp_path):
    result = run_cli("crawl", bad_url, "--db", str(tmp_path / "x.db"), check=False)
    assert result.returncode == 2
    assert "Invalid value for URL" in result.stderr


def test_pages_listed_only_in_the_sitemap_are_crawled(crawled_db, sample_sites):
    page = sample_sites.urls["harbor-medspa"] + "gift-certificates.html"
    assert query(crawled_db, "select title from pages where url = ?", [page])
