"""Hostile websites: the crawl finishes, does bounded work, and records what it skipped and why.

One real crawl (the ``clinicscout crawl`` command) of every case in tests/hostile_server.py, each
its own site on 127.0.0.1. The crawl runs with short timeouts and a 15-page budget, and with the
private-address refusal on except for 127.0.0.1 itself, so redirects elsewhere are refused.
"""

from __future__ import annotations

import sqlite3
from urllib.parse import urlsplit

import pytest
import sqlite_utils

from clinicscout.web import make_datasette
from tests.conftest import run_cli
from tests.hostile_server import HostileSites

BUDGET = 15
TIMEOUT = 1.5
# robots.txt and sitemap.xml come on top of the page budget.
SITE_OVERHEAD = 2


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    db = tmp_path_factory.mktemp("hostile") / "hostile.db"
    with HostileSites() as sites:
        result = run_cli(
            "crawl", *sites.urls.values(), "--db", str(db), "--delay", "0", "--max-pages", str(BUDGET),
            "-s", f"DOWNLOAD_TIMEOUT={TIMEOUT}", "-s", "CLINICSCOUT_ALLOWED_NETWORKS=127.0.0.1/32",
            check=False, timeout=120,
        )
    return _Crawl(sites, db, result)


class _Crawl:
    def __init__(self, sites: HostileSites, db, result) -> None:
        self.sites, self.db, self.result = sites, db, result

    def clinic(self, case: str) -> dict:
        return next(sqlite_utils.Database(self.db).query(
            "select * from clinics where website = ?", [self.sites.urls[case]]))

    def pages(self, case: str) -> dict[str, str]:
        """Stored pages of a case: path (and query) → text."""
        rows = sqlite_utils.Database(self.db).query(
            "select url, text from pages where url like ?", [self.sites.urls[case] + "%"])
        return {_target(row["url"]): row["text"] for row in rows}

    def requested(self, case: str) -> list[str]:
        return self.sites.paths[case]

    def errors(self, case: str) -> str:
        return self.clinic(case)["crawl_error"] or ""


def _target(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + ("?" + parts.query if parts.query else "")


def test_the_crawl_finishes_and_every_site_has_a_record(hostile):
    assert f"Crawled {len(hostile.sites.urls)} sites" in hostile.result.stdout, hostile.result.stderr
    clinics = list(sqlite_utils.Database(hostile.db).query("select website, crawl_status from clinics"))
    assert len(clinics) == len(hostile.sites.urls)
    assert all(c["crawl_status"] in ("ok", "partial", "failed") for c in clinics)
    assert sqlite3.connect(hostile.db).execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_no_site_gets_more_requests_than_its_budget_allows(hostile):
    for case in hostile.sites.urls:
        # Retries (one per failed request) are the only requests beyond budget and overhead.
        assert hostile.sites.requests[case] <= 2 * (BUDGET + SITE_OVERHEAD), case


@pytest.mark.parametrize("case, trap_path", [
    ("calendar-trap", "/calendar/"), ("paging-trap", "/offers"), ("query-variants", "/treatments"),
])
def test_link_traps_get_a_handful_of_urls_not_the_whole_budget(hostile, case, trap_path):
    trapped = [p for p in hostile.requested(case) if p.startswith(trap_path)]
    assert 1 <= len(trapped) <= 9  # the first URL of the pattern plus eight variants at most
    assert len(hostile.pages(case)) < BUDGET
    assert hostile.clinic(case)["crawl_status"] == "ok"


def test_session_ids_and_tracking_parameters_do_not_multiply_a_page(hostile):
    assert sorted(hostile.pages("session-ids")) == ["/", "/about", "/contact"]
    assert not [p for p in hostile.requested("session-ids") if "sess" in p.lower() or "utm_" in p]


def test_pages_above_the_size_cap_are_refused_and_the_rest_kept(hostile):
    assert sorted(hostile.pages("too-big")) == ["/", "/fine"]
    errors = hostile.errors("too-big")
    assert "larger than download max size" in errors  # declared 60 MB: refused on the header
    # Undeclared length: cut at the cap, or by the timeout when the machine is busy.
    assert ("/big-chunked: the page is larger than the download size cap" in errors
            or f"/big-chunked took longer than {TIMEOUT} seconds" in errors)


def test_a_gzip_body_inflating_past_the_cap_is_refused(hostile):
    assert sorted(hostile.pages("gzip-bomb")) == ["/", "/fine"]
    assert "exceeded DOWNLOAD_MAXSIZE" in hostile.errors("gzip-bomb")
    assert "during decompression" in hostile.errors("gzip-bomb")


def test_a_trickling_page_times_out_after_one_retry(hostile):
    assert sorted(hostile.pages("slow")) == ["/", "/fine"]
    assert hostile.requested("slow").count("/trickle") == 2
    assert f"/trickle took longer than {TIMEOUT} seconds" in hostile.errors("slow")


def test_a_server_that_never_answers_fails_the_site_with_the_reason(hostile):
    clinic = hostile.clinic("dead")
    assert clinic["crawl_status"] == "failed"
    assert "took longer than" in clinic["crawl_error"]
    assert hostile.sites.requests["dead"] <= 6  # robots.txt, / and sitemap.xml, each retried once


def test_connection_resets_are_recorded_and_the_site_kept(hostile):
    assert sorted(hostile.pages("resets")) == ["/", "/fine"]
    errors = hostile.errors("resets")
    assert "/reset: the connection was lost" in errors
    assert "/half: the connection closed before the whole page arrived" in errors


def test_redirect_loops_and_long_chains_stop_at_the_redirect_limit(hostile):
    requested = hostile.requested("redirects")
    errors = hostile.errors("redirects")
    assert requested.count("/self") <= 6
    assert "/self: max redirections reached" in errors
    assert "max redirections reached" in errors.split("/loop-")[1]
    assert "/chain/7" not in requested
    assert "/landed" in hostile.pages("redirects")  # a short chain is followed


def test_redirects_to_another_origin_or_a_private_address_are_refused(hostile):
    errors = hostile.errors("redirects")
    assert "outside" in errors  # another site on 127.0.0.1
    for target in ("169.254.169.254 is a non-public address (link-local (cloud metadata endpoint))",
                   "10.0.0.1 is a non-public address (private network)",
                   "::1 is a non-public address (loopback)",
                   "127.0.0.2 is a non-public address (loopback)",
                   "::ffff:7f00:1 is a non-public address (loopback, embedded"):
        assert target in errors, target
    assert sorted(hostile.pages("redirects")) == ["/", "/landed"]


def test_error_statuses_are_each_recorded(hostile):
    errors = hostile.errors("statuses")
    for status in (403, 404, 410, 429, 500, 503):
        assert f"/{status}: HTTP {status}" in errors
    assert list(hostile.pages("statuses")) == ["/"]
    requested = hostile.requested("statuses")
    assert requested.count("/404") == 1 and requested.count("/503") == 2  # only 429/5xx are retried


def test_robots_txt_disallowing_everything_means_no_page_is_fetched(hostile):
    assert hostile.requested("robots-disallow-all") == ["/robots.txt"]
    assert "Forbidden by robots.txt" in hostile.errors("robots-disallow-all")


def test_a_redirected_robots_txt_is_followed_and_obeyed(hostile):
    assert sorted(hostile.pages("robots-redirect")) == ["/", "/public"]
    assert "/private/secret" not in hostile.requested("robots-redirect")
    assert "/private/secret: Forbidden by robots.txt" in hostile.errors("robots-redirect")


def test_a_robots_txt_answering_500_disallows_everything(hostile):
    # RFC 9309: an unreachable robots.txt means complete disallow.
    assert set(hostile.requested("robots-500")) == {"/robots.txt"}
    assert hostile.clinic("robots-500")["crawl_status"] == "failed"
    assert "Forbidden by robots.txt" in hostile.errors("robots-500")


def test_binary_bodies_served_as_html_are_skipped_and_html_served_as_octet_stream_is_read(hostile):
    errors = hostile.errors("not-html")
    assert "/pdf: not HTML (PDF served as text/html" in errors
    assert "/png: not HTML (PNG image served as text/html" in errors
    assert "/binary: not HTML (binary data served as text/html" in errors
    pages = hostile.pages("not-html")
    assert sorted(pages) == ["/", "/octet"]
    assert "aftercare instructions" in pages["/octet"]


def test_charsets_are_decoded_as_a_browser_would(hostile):
    pages = hostile.pages("charsets")
    assert "Betäubungscreme" in pages["/latin1-undeclared"]  # undeclared: windows-1252
    assert "Bet\ufffdubungscreme" in pages["/wrong-declared"]  # declared UTF-8 wins, bad bytes marked
    assert "Microneedling \ufffd" in pages["/invalid-bytes"] and "sterile" in pages["/invalid-bytes"]
    assert "\ufeff" not in pages["/bom"]  # the byte order mark is read as the encoding, never as text
    assert "byte order mark" in pages["/bom"]
    assert "UTF-16 für alle" in pages["/utf16"]


def test_pathological_html_still_yields_its_text(hostile):
    pages = hostile.pages("pathological")
    assert "After the nesting: numbing cream is applied first." in pages["/deep"]
    assert "Microneedling uses a sterile pen." in pages["/unclosed"]
    assert "Microneedling sessions take forty minutes." in pages["/big-script"]
    assert "xxxx" not in pages["/big-script"]
    assert "without a body tag" in pages["/no-body"]
    for path in ("/bad-jsonld", "/huge-jsonld", "/deep-jsonld"):
        assert "Microneedling with" in pages[path]
    assert hostile.clinic("pathological")["crawl_status"] == "ok"


def test_script_event_handlers_and_javascript_urls_never_become_text_or_links(hostile):
    text = hostile.pages("inert")["/"]
    assert "<script>alert('quote')</script>" in text  # text the page shows, kept as text
    assert "alert('inline')" not in text and "onclick" not in text and "onerror" not in text
    assert not [p for p in hostile.requested("inert") if "alert" in p or "javascript" in p.lower()]


def test_file_data_and_ftp_urls_are_never_fetched_by_link_or_by_redirect(hostile):
    assert list(hostile.pages("other-schemes")) == ["/"]
    requested = hostile.requested("other-schemes")
    assert sorted(set(requested) - {"/robots.txt", "/sitemap.xml", "/"}) == ["/to-data", "/to-file", "/to-ftp"]
    texts = sqlite_utils.Database(hostile.db).query("select text from pages")
    assert not [row for row in texts if "root:x:0:0" in row["text"]]
    errors = hostile.errors("other-schemes")
    assert "/to-file: HTTP 302 redirect to file:///etc/passwd not followed" in errors
    assert "/to-ftp: HTTP 302 redirect to ftp://" in errors


async def test_hostile_text_stays_inert_all_the_way_to_datasette(hostile):
    clinic = hostile.clinic("inert")
    assert clinic["name"].startswith("<img src=x onerror=")  # stored as the site gave it, as text
    ds = make_datasette(hostile.db)
    await ds.invoke_startup()
    for path in (f"/clinics/clinics/{clinic['id']}", "/clinics/clinics", "/clinics/pages", "/clinics/verdicts"):
        html = (await ds.client.get(path)).text
        assert "<script>alert(" not in html, path
        assert "<img src=x onerror" not in html, path
        assert 'href="javascript:' not in html.lower(), path
    clinic_page = (await ds.client.get(f"/clinics/clinics/{clinic['id']}")).text
    assert "&lt;img src=x onerror=" in clinic_page
    assert "&lt;script&gt;alert(" in clinic_page  # the anesthesia quote, escaped
