"""Cues only decide which lines a rule's regular expression reads: they never change a result."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from scoring.criteria import CRITERIA, MICRONEEDLING
from scoring.pages import Page
from scoring.patterns import Pattern, cues
from scoring.site import SiteText

PATTERNS = [Pattern(MICRONEEDLING)] + [rule.compile() for c in CRITERIA for rule in c.rules]
WORDS = [
    "micro-needling", "SkinPen", "numbing", "anaesthetic", "serum", "PRP", "sterile", "single-use",
    "redness", "Dr.", "Jane Doe, NP", "MD", "since", "2014", "$", "300", "minutes", "every",
    "4", "weeks", "apart", "FDA-cleared", "guaranteed", "results", "we", "don’t", "treat",
    "pregnant", "FAAD", "FACS", "fa", "numbed", "skin-pen", "İstanbul", "Straße", "ſkin", "·", "\u212a", "of", "the", "a", ",", ".",
]


def test_a_pattern_gives_the_literal_words_every_match_must_contain():
    assert cues(r"\bmicro[\s\-]?needl\w*", re.IGNORECASE) == (frozenset({"micro"}), frozenset({"needl"}))
    assert cues(r"\bserums?\b|\bmasks?\b", re.IGNORECASE) == (frozenset({"serum", "mask"}),)
    assert cues(r"\d+\s*%") is None


def test_a_literal_run_goes_on_through_its_few_spellings():
    # Python's parser reads F(?:AAD|ACS) as FA(?:AD|CS): the cues are whole spellings, not "fa".
    assert cues(r"\bF(?:AAD|ACS|AAFPRS)\b", re.IGNORECASE) == (frozenset({"faad", "facs", "faafprs"}),)
    assert cues(r"skin-?pen", re.IGNORECASE) == (frozenset({"skinpen", "skin-pen"}),)
    # \b and lookarounds consume nothing; a spelling that holds another adds no line.
    assert cues(r"\bnumb(?:ing|ed|s)?\b(?!ness)", re.IGNORECASE) == (frozenset({"numb"}),)
    # One class of rare symbols stays a cue, though each is one character.
    assert cues(r"[$£€]\s?\d+") == (frozenset({"$", "£", "€"}),)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.lists(st.sampled_from(WORDS), max_size=12).map(" ".join), max_size=8))
def test_finding_with_cues_finds_exactly_what_every_line_scanned_finds(lines):
    assert_finding_equals_scanning(lines)


def assert_finding_equals_scanning(lines):
    site = SiteText([Page("https://clinic.example/", "", "\n".join(lines))])
    for pattern in PATTERNS:
        found = [(line, m.span()) for line, m in site.find(pattern)]
        scanned = [(line, m.span()) for line, text in enumerate(site.lines)
                   for m in pattern.regex.finditer(text)]
        assert found == scanned, pattern


def test_a_rule_anchored_at_the_start_of_a_line_matches_on_any_line_of_the_site():
    # Found by the property test above: "^since 2014" on the second line of a site.
    assert_finding_equals_scanning(["micro-needling", "since 2014"])
