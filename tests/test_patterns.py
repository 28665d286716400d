"""Cues only decide which lines a rule's regular expression reads: they never change a result."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from scoring.criteria import CRITERIA, HEARSAY, MICRONEEDLING, NEGATION, OTHER_TREATMENTS, SITE_WIDE
from scoring.pages import Page
from scoring.patterns import LEXICON, Pattern, branch_cues, cues, openings
from scoring.site import SiteText

PATTERNS = [Pattern(p) for p in (MICRONEEDLING, OTHER_TREATMENTS, SITE_WIDE, HEARSAY, NEGATION)] + [
    rule.compile() for c in CRITERIA for rule in c.rules]
WORDS = [
    "micro-needling", "SkinPen", "numbing", "anaesthetic", "serum", "PRP", "sterile", "single-use",
    "redness", "Dr.", "Jane Doe, NP", "MD", "since", "2014", "$", "300", "minutes", "every",
    "4", "weeks", "apart", "FDA-cleared", "guaranteed", "results", "we", "don’t", "treat",
    "pregnant", "FAAD", "FACS", "fa", "numbed", "skin-pen", "İstanbul", "Straße", "ſkin", "·", "\u212a", "of", "the", "a", ",", ".",
    # Cues that start a word, within words and after signs: "est", "time", "screen", "numb".
    "interest", "Est.", "1999", "(est.", "one-time-use", "sometimes", "sunscreen", "screened", "_numb", "re-numbing",
]


def test_a_pattern_gives_the_literal_words_every_match_must_contain():
    # Written r"\bmicro": after \b, the cue starts a word.
    assert cues(r"\bmicro[\s\-]?needl\w*", re.IGNORECASE) == (frozenset({r"\bmicro"}), frozenset({"needl"}))
    assert cues(r"\bserums?\b|\bmasks?\b", re.IGNORECASE) == (frozenset({r"\bserum", r"\bmask"}),)
    assert cues(r"\d+\s*%") is None


def test_an_alternation_gives_the_words_its_branches_share():
    # "apart", "every" and "once" are each one branch's; every match holds a "week" or a "month".
    interval = cues(r"\b\d+\s+(?:weeks?|months?)\s+apart|\bevery\s+\d+\s+(?:weeks|months)|\bonce\s+a\s+month",
                    re.IGNORECASE)
    assert frozenset({"week", "month"}) in interval


def test_each_branch_of_an_alternation_gives_its_own_words():
    # A line worth reading holds "apart" and "week", or "months" and "every": "weeks" and
    # "months" alone are not enough.
    assert branch_cues(r"\b(?:\d+\s*weeks?\s+apart|every\s+\d+\s+months)", re.IGNORECASE) == (
        (frozenset({"apart"}), frozenset({"week"})), (frozenset({"months"}), frozenset({r"\bevery"})))
    # A branch without a literal word can match on any line.
    assert branch_cues(r"weeks?|\d+", re.IGNORECASE) is None
    # A rule read at its opening words keeps the words its branches share.
    assert branch_cues(r"\bserums?\b|\bmasks?\b", re.IGNORECASE) is not None
    assert len(Pattern(r"\bserums?\b|\bmasks?\b").lookups) == 1


def test_a_literal_run_goes_on_through_its_few_spellings():
    # Python's parser reads F(?:AAD|ACS) as FA(?:AD|CS): the cues are whole spellings, not "fa".
    assert cues(r"\bF(?:AAD|ACS|AAFPRS)\b", re.IGNORECASE) == (frozenset({r"\bfaad", r"\bfacs", r"\bfaafprs"}),)
    assert cues(r"skin-?pen", re.IGNORECASE) == (frozenset({"skinpen", "skin-pen"}),)
    # \b and lookarounds consume nothing; a spelling that holds another adds no line.
    assert cues(r"\bnumb(?:ing|ed|s)?\b(?!ness)", re.IGNORECASE) == (frozenset({r"\bnumb"}),)
    # One class of rare symbols stays a cue, though each is one character.
    assert cues(r"[$£€]\s?\d+") == (frozenset({"$", "£", "€"}),)


def test_a_cue_after_a_word_boundary_is_looked_for_only_where_a_word_starts():
    founded = Pattern(r"\b(?:est\.?|established)\s+\d{4}")
    assert founded.cues == (frozenset({r"\best"}),)
    # "est" inside "interest" cannot be where \b(?:est…) matches; after a sign it can.
    assert r"\best" not in LEXICON.cues_in("interest")
    assert r"\best" in LEXICON.cues_in("(est.")
    assert r"\best" in LEXICON.cues_in("pre-established")
    # Where the text read may start words elsewhere (a sentence read alone), the letters count
    # anywhere.
    assert founded.anywhere_cues == (frozenset({"est"}),)
    # A literal backslash is no cue's, so it never reads as the mark.
    assert cues(r"\\board") == (frozenset({"board"}),)


def test_a_pattern_gives_the_strings_every_match_starts_with():
    assert openings(r"\b(?:serums?|masks?)\b", re.IGNORECASE) == frozenset({"serum", "mask"})
    assert openings(r"\ban(?:a)?esthe\w*|\bnumb(?:ing|ed)?\b", re.IGNORECASE) == frozenset(
        {"anesthe", "anaesthe", "numb"})
    # A match that may start with any digit, or at a line's start, has no openings.
    assert openings(r"\b\d+\s*(?:minutes?|hours?)") is None
    assert openings(r"(?:^|[.!]\s+)since\s+\d{4}", re.IGNORECASE) is None


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
        # Searched alone, each line tells the same (on its casefolded letters, when it can).
        assert [pattern.search(text) for text in site.lines] == [
            pattern.regex.search(text) is not None for text in site.lines], pattern


def test_a_rule_anchored_at_the_start_of_a_line_matches_on_any_line_of_the_site():
    # Found by the property test above: "^since 2014" on the second line of a site.
    assert_finding_equals_scanning(["micro-needling", "since 2014"])
