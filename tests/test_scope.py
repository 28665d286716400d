"""What belongs to a clinic's site, and which of its pages are fetched first."""

from __future__ import annotations

import pytest

from crawler.frontier import SiteFrontier, link_priority
from crawler.scope import InvalidWebsite, normalise_website, origin, same_site


def test_a_site_is_its_origin_so_ports_on_one_host_are_different_sites():
    site = origin("http://127.0.0.1:8001/index.html")
    assert site == "http://127.0.0.1:8001"
    assert same_site("http://127.0.0.1:8001/about", site)
    assert not same_site("http://127.0.0.1:8002/about", site)


def test_a_redirect_within_the_registered_domain_stays_in_the_site():
    assert same_site("https://www.lumen-derm.com/team", origin("https://lumen-derm.com/"))
    assert same_site("https://lumen-derm.co.uk/", origin("https://www.lumen-derm.co.uk/"))
    assert same_site("http://lumen-derm.com/", origin("https://lumen-derm.com/"))


def test_other_domains_and_other_clinics_on_a_shared_suffix_are_outside():
    assert not same_site("https://booking-platform.com/lumen", origin("https://lumen-derm.com/"))
    assert not same_site("https://other.github.io/", origin("https://lumen.github.io/"))
    assert not same_site("mailto:hello@lumen-derm.com", origin("https://lumen-derm.com/"))


@pytest.mark.parametrize("raw, website", [
    ("lumen-derm.com", "https://lumen-derm.com/"),
    (" HTTPS://Lumen-Derm.com/Team ", "https://lumen-derm.com/Team"),
    ("http://127.0.0.1:8001", "http://127.0.0.1:8001/"),
])
def test_websites_are_normalised(raw, website):
    assert normalise_website(raw) == website


@pytest.mark.parametrize("raw", ["", "ftp://lumen-derm.com", "http://", "http://host:99999/"])
def test_what_cannot_be_a_website_is_refused(raw):
    with pytest.raises(InvalidWebsite):
        normalise_website(raw)


def test_microneedling_and_care_pages_outrank_the_blog():
    assert link_priority("/treatments/microneedling") > link_priority("/about") > link_priority("/blog/post-1")
    assert link_priority("/x", "Aftercare instructions") > link_priority("/x", "Our story")


def test_the_frontier_spends_its_budget_on_the_best_pages_and_never_twice():
    frontier = SiteFrontier("https://lumen-derm.com", budget=2, max_in_flight=2)
    for url in ("/blog/a", "/microneedling", "/pricing", "/microneedling#top", "https://elsewhere.com/x",
                "/brochure.pdf"):
        frontier.offer("https://lumen-derm.com" + url if url.startswith("/") else url,
                       link_priority(url))
    ready = [url for url, _, _ in frontier.next_urls()]
    assert ready == ["https://lumen-derm.com/microneedling", "https://lumen-derm.com/pricing"]
    frontier.finished_one(fetched_page=True)
    frontier.finished_one(fetched_page=True)
    assert frontier.next_urls() == []
    assert frontier.exhausted
    assert frontier.skipped == 1  # the blog post, over budget


def test_a_sitemap_is_claimed_once_and_holds_a_place_in_flight_until_it_is_read():
    frontier = SiteFrontier("https://lumen-derm.com", budget=40, max_in_flight=1)
    frontier.offer("https://lumen-derm.com/", 100)
    assert frontier.claim("https://lumen-derm.com/sitemap.xml")
    assert not frontier.claim("https://lumen-derm.com/sitemap.xml")
    assert frontier.next_urls() == []  # the one place in flight is the sitemap's
    frontier.finished_one(fetched_page=False)
    assert [url for url, _, _ in frontier.next_urls()] == ["https://lumen-derm.com/"]
