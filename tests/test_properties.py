"""Properties that hold for any input: extraction and scoring never raise, evidence is exact,
and scoring is deterministic. Example counts stay modest to keep the suite quick."""

from __future__ import annotations

import string
from urllib.parse import urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crawler.extract import extract
from scoring import assess
from scoring.pages import Page, url_path

# Phrases the rules look for, so that generated pages do meet criteria and quotes get checked.
PHRASES = [
    "We offer microneedling.", "Microneedling with numbing cream applied first.", "All needles are sterile.",
    "Our board-certified dermatologist performs it.", "A hyaluronic serum is applied after microneedling.",
    "Avoid sun for a week after your session.", "Side effects include redness for two days.",
    "Microneedling costs $300 per session.", "Not suitable during pregnancy.", "Call (512) 555-0100.",
    "123 Main St, Austin, TX 78701", "Results guaranteed, permanent and painless!", "Is it painful?",
    "We do not use numbing cream.", "Some clinics reuse needles.", "Licensed aestheticians since 2009.",
]
TAGS = ["p", "div", "span", "h1", "h2", "li", "ul", "a", "script", "style", "title", "body", "head", "html",
        "table", "td", "br", "b", "noscript", "template", "svg", "iframe", "button", "!--", "?xml"]
ATTRIBUTES = ['', ' href="/about"', ' href="javascript:alert(1)"', ' hidden', ' style="display:none"',
              ' onclick="alert(1)"', ' href="tel:+15125550100"', ' type="application/ld+json"', ' itemscope']

text_pieces = st.one_of(
    st.sampled_from(PHRASES),
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=30),
    st.text(alphabet=string.printable, max_size=30),
)
markup_pieces = st.one_of(
    text_pieces,
    st.builds(lambda t, a: f"<{t}{a}>", st.sampled_from(TAGS), st.sampled_from(ATTRIBUTES)),
    st.builds(lambda t: f"</{t}>", st.sampled_from(TAGS)),
    st.sampled_from(['{"@type": "MedicalClinic", "name": "X", "telephone": "+1 512 555 0100"}', "{", "]]>", "&amp;",
                     "&#0;", "&#x110000;", "\x00", "\ufeff", "\r\n"]),
)
html_documents = st.lists(markup_pieces, max_size=60).map("".join)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(
        st.sampled_from(["@type", "name", "telephone", "address", "streetAddress", "addressLocality", "geo",
                         "latitude", "@graph", "sameAs", "x"]), children, max_size=5),
    max_leaves=20,
)
pages = st.lists(
    st.builds(
        Page,
        url=st.sampled_from(["https://c.example/", "https://c.example/microneedling", "https://c.example/about",
                             "https://c.example/blog/post", "https://c.example/faq"]),
        title=text_pieces,
        text=st.lists(text_pieces, max_size=12).map("\n".join),
        structured=st.lists(json_values.filter(lambda v: isinstance(v, dict)), max_size=2).map(tuple),
        tel_links=st.lists(st.sampled_from(["+15125550100", "512-555", "", "tel"]), max_size=2).map(tuple),
    ),
    min_size=1, max_size=4, unique_by=lambda page: page.url,
)

quick = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@quick
@given(st.binary(max_size=2000), st.sampled_from(["", "text/html", "text/html; charset=utf-16",
                                                   "text/html; charset=bogus", "text/html; charset=cp775"]))
def test_extraction_never_raises_on_arbitrary_bytes(body, content_type):
    page = extract(body, "https://c.example/", content_type)
    assert isinstance(page.text, str)


@quick
@given(html_documents)
def test_extraction_never_raises_on_arbitrary_markup_and_never_keeps_script(document):
    page = extract(document.encode("utf-8", "surrogatepass"), "https://c.example/", "text/html; charset=utf-8")
    assert "alert(1)" not in " ".join(link for link, _ in page.links)


@quick
@given(pages)
def test_scoring_never_raises_and_every_met_quote_is_in_its_page_text(clinic_pages):
    assessment = assess(clinic_pages)
    assert 0 <= assessment.score <= 100
    texts = {page.url: page.text for page in clinic_pages}
    for verdict in assessment.verdicts:
        if verdict.met and verdict.quote is not None and verdict.criterion != "contact_info":
            assert verdict.quote in texts[verdict.page_url], verdict


@quick
@given(pages)
def test_scoring_the_same_pages_twice_in_any_order_gives_the_same_result(clinic_pages):
    first = assess(clinic_pages)
    assert assess(clinic_pages) == first
    assert assess(list(reversed(clinic_pages))) == first


URL_PIECES = ["https://", "http://", "HTTPS://", "mailto:", "//", "a.example", "[::1]", "[", "]", ":8080",
              "u:p@", "/", "/About-Us", "/micro needling", "\t", " ", "\x00", "?", "q=1", "#", "frag",
              "é", "%C3%A9", ";x", ".."]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(URL_PIECES), max_size=8).map("".join))
def test_a_page_path_is_what_urlsplit_reads(url):
    try:
        expected = urlsplit(url).path.lower()
    except ValueError:
        with pytest.raises(ValueError):
            url_path(url)
        return
    assert url_path(url) == expected
