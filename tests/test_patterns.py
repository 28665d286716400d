"""The prefilter only decides which lines a rule's regular expression reads: it never changes a
result, whatever the text (ASCII or not) and whatever the pattern (one Hyperscan reads, or not)."""

from __future__ import annotations

import logging
import os
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scoring import identity, practitioners, prefilter
from scoring.criteria import CRITERIA, HEARSAY, MICRONEEDLING, NEGATION, OTHER_TREATMENTS, SITE_WIDE
from scoring.pages import Page
from scoring.patterns import Pattern, registered
from scoring.site import SiteText

PATTERNS = [Pattern(p) for p in (MICRONEEDLING, OTHER_TREATMENTS, SITE_WIDE, HEARSAY, NEGATION)] + [
    rule.compile() for c in CRITERIA for rule in c.rules] + [
    identity._STREET, identity._PHONE_LIKE, identity._CITY_STATE, *practitioners._PATTERNS]
WORDS = [
    "micro-needling", "SkinPen", "numbing", "anaesthetic", "serum", "PRP", "sterile", "single-use",
    "redness", "Dr.", "Jane Doe, NP", "MD", "since", "2014", "$", "300", "minutes", "every",
    "4", "weeks", "apart", "FDA-cleared", "guaranteed", "results", "we", "don’t", "treat",
    "pregnant", "FAAD", "FACS", "numbed", "skin-pen", "of", "the", "a", ",", ".", "?", "Austin,",
    "TX", "Texas", "78701", "120", "Main", "Street", "(512)", "555-0100", "is", "our", "nurse",
    "Est.", "1999", "(est.", "interest", "sometimes", "sunscreen", "_numb", "re-numbing",
    # What Python and Hyperscan read differently: letters, digits and spaces beyond ASCII (and
    # "ſ", "K", "İ", which Python matches with "s", "k" and "i" ignoring case), separators.
    "İstanbul", "Straße", "ſkin", "\u212a", "José", "Müller,", "٣٠", "numb\u00a0cream", "serum\u2009",
    "\x1c", "·", "–", "“", "€",
]


def site_of(lines: list[str]) -> SiteText:
    return SiteText([Page("https://clinic.example/", "", "\n".join(lines))])


def assert_finding_equals_scanning(lines: list[str]) -> None:
    site = site_of(lines)
    for pattern in PATTERNS:
        found = [(line, m.span()) for line, m in site.find(pattern)]
        scanned = [(line, m.span()) for line, text in enumerate(site.lines)
                   for m in pattern.regex.finditer(text)]
        assert found == scanned, pattern
        for line, text in enumerate(site.lines):
            assert site.count(pattern, line) == len(pattern.regex.findall(text)), pattern
            # Searched alone, each line and each sentence tell the same.
            assert pattern.search(text) == (pattern.regex.search(text) is not None), pattern
            for index, sentence in enumerate(site.sentences(line)):
                alone = text[sentence.start:sentence.end]
                assert site.sentence_says(line, index, pattern) == (
                    pattern.regex.search(alone) is not None), (pattern, alone)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.lists(st.sampled_from(WORDS), max_size=12).map(" ".join), max_size=8))
def test_finding_with_the_prefilter_finds_exactly_what_every_line_scanned_finds(lines):
    assert_finding_equals_scanning(lines)


@pytest.mark.parametrize("lines", [
    # "^since 2014" on the second line of a site: each line is read alone.
    ["micro-needling", "since 2014"],
    # A negative lookahead that would see the next line in the site's text ("TX" then a ZIP).
    ["Visit us in Austin, TX", "78701"],
    # Beyond ASCII: a letter that only Python folds to "s"; a no-break space where \s is needed.
    ["Our ſerum after microneedling.", "We apply numbing\u00a0cream before microneedling."],
    # A sentence cut within a word (a run-on line of over 600 characters).
    ["microneedling" * 60],
])
def test_lines_that_once_told_the_prefilter_from_scanning(lines):
    assert_finding_equals_scanning(lines)


def test_the_prefilter_reads_the_site_once_and_reports_only_the_lines_a_pattern_may_match():
    serum = Pattern(r"\bserums?\b")
    site = site_of(["Hyaluronic serum after every session.", "Book online.", "Serums we use"])
    assert [line for line, _ in site.find(serum)] == [0, 2]
    assert site._candidates(serum) == {0, 2}


def test_lines_beyond_ascii_letters_are_read_by_python_for_every_pattern():
    sterile = Pattern(r"\bsterile\b")
    site = site_of(["Agujas estériles.", "Sterile needles.", "Microneedling · from €300 – book now"])
    # Line 0 holds "é" (a letter beyond ASCII): blind to the prefilter. Line 2 holds only signs
    # beyond ASCII, which both engines read alike.
    assert site._candidates(sterile) == {0, 1}
    assert prefilter.blind_characters("Café · – € ’") is not None
    assert prefilter.blind_characters("Microneedling · – € ’") is None


@pytest.mark.parametrize(("source", "lines"), [
    # "{,1}": a repeat in Python, literal text in PCRE.
    (r"\b\d{1,3}\s*min(?:ute)?s{,1}\b", ["Numbing takes 20 minutes", "then 30 min of needling"]),
    # \A: the start of the text in Hyperscan, of each line here.
    (r"\Amicroneedling", ["Facials", "Microneedling with PRP"]),
    # Lookarounds, which Hyperscan does not read, and a lazy repeat.
    (r"(?<!no )\bserums?\b(?! free).*?\.", ["A serum free of parabens.", "Our serum. No serum."]),
])
def test_hyperscan_is_given_each_pattern_as_python_reads_it(source, lines):
    pattern = Pattern(source)
    assert pattern.id is not None
    site = site_of(lines)
    assert site.find(pattern)
    assert [(line, m.span()) for line, m in site.find(pattern)] == [
        (line, m.span()) for line, text in enumerate(site.lines) for m in pattern.regex.finditer(text)]


def test_a_posix_class_is_given_to_hyperscan_as_the_signs_python_reads():
    with pytest.warns(FutureWarning):  # Python reads "[[:" as a set holding "[" and ":"
        pattern = Pattern(r"[[:alpha:]]+ serum")
    site = site_of(["Apply [:a] serum", "Apply a serum"])
    assert pattern.id is not None
    assert [line for line, _ in site.find(pattern)] == [0]


@pytest.mark.parametrize("source", [
    r"ſerum",  # ignoring case, Python matches it with "serum"; Hyperscan does not
    r"\b(?:needles?)?",  # matches the empty string: on every line
    r"\b(\w+) \1\b",  # a back-reference
])
def test_a_pattern_hyperscan_cannot_read_faithfully_is_run_on_every_line(source):
    pattern = Pattern(source)
    assert pattern.id is None
    site = site_of(["Microneedling serum", "needles needles", "Sterile needles"])
    assert site._candidates(pattern) is None
    assert [(line, m.span()) for line, m in site.find(pattern)] == [
        (line, m.span()) for line, text in enumerate(site.lines) for m in pattern.regex.finditer(text)]


def test_a_pattern_hyperscan_refuses_is_run_on_every_line(tmp_path, monkeypatch, caplog):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    refused = Pattern(r"\bsessions?(?:,?\s*\w+){1,100000} apart")  # a bounded repeat too large for it
    site = site_of(["Three sessions, four weeks apart.", "Book a consultation."])
    with caplog.at_level(logging.WARNING, logger="scoring.prefilter"):
        assert [line for line, _ in site.find(refused)] == [0]
    assert refused.id in prefilter.database().unreadable
    assert site._candidates(refused) is None
    assert "cannot read 1 pattern" in caplog.text
    # The other patterns are still prefiltered.
    assert site._candidates(Pattern(r"\bsessions?\b")) == {0}


def test_the_compiled_patterns_are_kept_in_the_cache_directory_and_a_damaged_copy_is_replaced(tmp_path):
    code = ("import scoring, scoring.prefilter as p; from scoring.patterns import registered;"
            " d = p.database(); print(len(registered()), len(d.unreadable))")
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path)}

    def run() -> str:
        return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                              check=True).stdout

    first = run()
    [cached] = (tmp_path / "clinicscout").glob("prefilter-*.hsdb")
    compiled_at = cached.stat().st_mtime_ns
    assert run() == first
    assert cached.stat().st_mtime_ns == compiled_at  # read, not compiled again
    cached.write_bytes(b"[]\nnot a database")
    assert run() == first
    assert cached.read_bytes() != b"[]\nnot a database"


def test_a_pattern_made_after_a_scan_is_found_with_a_database_that_includes_it():
    site = site_of(["Dermaroller aftercare kit included."])
    site.find(Pattern(r"\baftercare\b"))
    made_later = Pattern(r"\bdermaroller\b")
    assert made_later.id == len(registered()) - 1
    assert [line for line, _ in site.find(made_later)] == [0]
