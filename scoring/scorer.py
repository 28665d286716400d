"""Pages in, verdicts with evidence and a 0–100 score out.

The scorer interprets the table in ``criteria.py``: for each criterion it looks for a sentence
that matches one of its rules, is in scope (about microneedling, or site-wide), is a statement
(not a question, not denied, not hearsay) and passes the criterion's extra conditions. The
first such sentence, in a fixed page order, is the evidence.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property

from scoring.criteria import (
    CARE,
    CRITERIA,
    HEARSAY,
    MICRONEEDLING,
    NEGATION,
    OTHER_TREATMENTS,
    SITE_WIDE,
    TREATMENT,
    Criterion,
)
from scoring.identity import Identity, extract_identity
from scoring.pages import Page
from scoring.practitioners import Practitioner, extract_practitioners
from scoring.text import SentenceIndex


@dataclass(frozen=True)
class _Pattern:
    """A pattern, with a faster twin for lower-cased text when it is case-insensitive.

    Python's re runs IGNORECASE patterns without its literal-prefix search, several times
    slower. On text lower-cased beforehand (when that keeps every offset), a case-sensitive
    twin finds the same matches at the same offsets, as long as the pattern spells every
    letter in lower case (escapes such as \\S aside).
    """

    exact: re.Pattern[str]
    lowered: re.Pattern[str] | None

    @classmethod
    def of(cls, pattern: re.Pattern[str]) -> _Pattern:
        literals = re.sub(r"\\.", "", pattern.pattern)
        if not pattern.flags & re.IGNORECASE or literals != literals.lower():
            return cls(pattern, None)
        return cls(pattern, re.compile(pattern.pattern, pattern.flags & ~re.IGNORECASE))


_MICRONEEDLING = re.compile(MICRONEEDLING, re.IGNORECASE)
_OTHER = re.compile(OTHER_TREATMENTS, re.IGNORECASE)
_SITE_WIDE = re.compile(SITE_WIDE, re.IGNORECASE)
_NEGATION = re.compile(NEGATION, re.IGNORECASE)
_HEARSAY = re.compile(HEARSAY, re.IGNORECASE)
_THIRD_PARTY_PATH = re.compile(r"/(?:blog|news|articles?|posts?|journal|press|stories)(?:/|$|\.)")
_NEGATION_WINDOW = 40  # characters before a match in which a negation denies it

_RULES = {c.id: [(rule.name, _Pattern.of(rule.compile())) for rule in c.rules] for c in CRITERIA}
_TOPIC_PATTERNS = {p: _Pattern.of(p) for p in (_MICRONEEDLING, _OTHER, _SITE_WIDE, _HEARSAY)}
_REQUIRES = {c.id: re.compile(c.requires, re.IGNORECASE) for c in CRITERIA if c.requires}
_UNLESS = {c.id: re.compile(c.unless, re.IGNORECASE) for c in CRITERIA if c.unless}

MICRONEEDLING_TOPIC, OTHER_TOPIC, GENERAL_TOPIC = "microneedling", "other", None


@dataclass(frozen=True)
class Verdict:
    criterion: str
    met: bool
    page_url: str | None = None
    quote: str | None = None
    rule: str | None = None


@dataclass(frozen=True)
class Assessment:
    verdicts: tuple[Verdict, ...]
    score: int
    identity: Identity
    # Who the site names (a fact stored beside the verdicts; it never changes them).
    practitioners: tuple[Practitioner, ...] = ()

    @property
    def by_criterion(self) -> dict[str, Verdict]:
        return {v.criterion: v for v in self.verdicts}

    @property
    def offers_microneedling(self) -> bool:
        return self.by_criterion["offers_microneedling"].met

    @property
    def criteria_met(self) -> int:
        """Positive criteria met (red flags excluded), as shown in "14/17"."""
        return sum(1 for v in self.verdicts if v.met and _WEIGHTS[v.criterion] >= 0)


_WEIGHTS = {c.id: c.weight for c in CRITERIA}
POSITIVE_CRITERIA = sum(1 for c in CRITERIA if c.weight >= 0)


class _Reading:
    """One page prepared for rule matching: sentences, their topics and disqualifiers."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.index = SentenceIndex(page.text)
        self.third_party = bool(_THIRD_PARTY_PATH.search(page.path))
        lowered = page.text.lower()
        self.lowered = lowered if len(lowered) == len(page.text) else None

    def finditer(self, pattern: _Pattern) -> Iterator[re.Match[str]]:
        if pattern.lowered is not None and self.lowered is not None:
            return pattern.lowered.finditer(self.lowered)
        return pattern.exact.finditer(self.page.text)

    def _sentences_matching(self, pattern: re.Pattern[str]) -> set[int]:
        found = set()
        for match in self.finditer(_TOPIC_PATTERNS[pattern]):
            position = self.index.at(match.start())
            if position is not None:
                found.add(position)
        return found

    @cached_property
    def page_topic(self) -> str | None:
        label = f"{self.page.path} {self.page.title}".replace("-", " ").replace("_", " ")
        if _MICRONEEDLING.search(label):
            return MICRONEEDLING_TOPIC
        if _OTHER.search(label):
            return OTHER_TOPIC
        return GENERAL_TOPIC

    @cached_property
    def topics(self) -> list[str | None]:
        """Each sentence's topic: its own words, else its section heading's, else the page's."""
        about_mn = self._sentences_matching(_MICRONEEDLING)
        about_other = self._sentences_matching(_OTHER)
        topics: list[str | None] = []
        section: str | None = None
        for position, sentence in enumerate(self.index.sentences):
            own = (
                MICRONEEDLING_TOPIC if position in about_mn
                else OTHER_TOPIC if position in about_other
                else None
            )
            if sentence.is_heading and own:
                section = own
            topics.append(own or section or self.page_topic)
        return topics

    @cached_property
    def site_wide(self) -> set[int]:
        return self._sentences_matching(_SITE_WIDE)

    @cached_property
    def hearsay(self) -> set[int]:
        return self._sentences_matching(_HEARSAY)

    def in_scope(self, position: int, scope: str) -> bool:
        if scope == TREATMENT:
            return self.topics[position] == MICRONEEDLING_TOPIC or position in self.site_wide
        if scope == CARE:
            return self.topics[position] != OTHER_TOPIC or position in self.site_wide
        return True

    def is_statement(self, position: int, match: re.Match[str], negatable: bool) -> bool:
        sentence = self.index.sentences[position]
        text = self.page.text
        if text[sentence.start: sentence.end].rstrip().endswith("?"):
            return False
        if position in self.hearsay:
            return False
        if negatable:
            window = text[max(sentence.start, match.start() - _NEGATION_WINDOW): match.start()]
            if _NEGATION.search(window):
                return False
        return True


def assess(pages: Iterable[Page]) -> Assessment:
    """Score one clinic from its pages. Deterministic: page order does not matter."""
    readings = [_Reading(p) for p in sorted(pages, key=lambda p: p.url)]
    # Evidence is preferred from the clinic's own microneedling pages, then the rest.
    readings.sort(key=lambda r: (r.page_topic != MICRONEEDLING_TOPIC, r.third_party))
    identity = extract_identity(r.page for r in readings)
    verdicts = tuple(
        _contact_verdict(identity) if c.id == "contact_info" else _judge(c, readings)
        for c in CRITERIA
    )
    return Assessment(verdicts=verdicts, score=_score(verdicts), identity=identity,
                      practitioners=extract_practitioners(r.page for r in readings))


def _judge(criterion: Criterion, readings: list[_Reading]) -> Verdict:
    rules = _RULES[criterion.id]
    requires = _REQUIRES.get(criterion.id)
    unless = _UNLESS.get(criterion.id)
    for reading in readings:
        if reading.third_party:
            continue
        hits: dict[int, list[str]] = {}
        for rule_name, pattern in rules:
            for match in reading.finditer(pattern):
                position = reading.index.at(match.start())
                if position is None or rule_name in hits.get(position, ()):
                    continue
                if not reading.in_scope(position, criterion.scope):
                    continue
                if not reading.is_statement(position, match, criterion.negatable):
                    continue
                sentence = reading.index.sentence_text(position)
                if requires and not requires.search(sentence):
                    continue
                if unless and unless.search(sentence):
                    continue
                hits.setdefault(position, []).append(rule_name)
                if criterion.min_distinct_rules == 1:
                    return Verdict(criterion.id, True, reading.page.url, sentence, rule_name)
                break
        if criterion.min_distinct_rules > 1:
            distinct = {name for names in hits.values() for name in names}
            if len(distinct) >= criterion.min_distinct_rules:
                best = max(sorted(hits), key=lambda p: len(hits[p]))
                return Verdict(
                    criterion.id, True, reading.page.url, reading.index.sentence_text(best),
                    " + ".join(sorted(distinct)),
                )
    return Verdict(criterion.id, False)


def _contact_verdict(identity: Identity) -> Verdict:
    if not (identity.street_address and identity.phone):
        return Verdict("contact_info", False)
    evidence = identity.address_evidence or identity.phone_evidence
    rule = "schema.org address and phone" if identity.source == "schema.org" else "address and phone in text"
    if evidence is None:
        return Verdict("contact_info", True, None, None, rule)
    return Verdict("contact_info", True, evidence.page_url, evidence.quote, rule)


def _score(verdicts: tuple[Verdict, ...]) -> int:
    """Weighted share of the positive criteria met, minus the red-flag penalty, 0–100."""
    positive = sum(w for w in _WEIGHTS.values() if w > 0)
    earned = sum(_WEIGHTS[v.criterion] for v in verdicts if v.met and _WEIGHTS[v.criterion] > 0)
    penalty = sum(-_WEIGHTS[v.criterion] for v in verdicts if v.met and _WEIGHTS[v.criterion] < 0)
    return max(0, min(100, round(100 * earned / positive) - penalty))
