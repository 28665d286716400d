"""Pages in, verdicts with evidence and a 0–100 score out.

The scorer interprets the table in ``criteria.py``: for each criterion it looks for a sentence
that matches one of its rules, is in scope (about microneedling, or site-wide), is a statement
(not a question, not denied, not hearsay) and passes the criterion's extra conditions. The
first such sentence, in a fixed page order, is the evidence.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import NamedTuple

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
from scoring.patterns import Pattern
from scoring.practitioners import Practitioner, site_practitioners
from scoring.site import SiteText

_MICRONEEDLING = Pattern(MICRONEEDLING)
_OTHER = Pattern(OTHER_TREATMENTS)
_SITE_WIDE = Pattern(SITE_WIDE)
_HEARSAY = Pattern(HEARSAY)
_NEGATION = Pattern(NEGATION, scan_sites=False)  # read in the few words before a match
_NEGATION_WINDOW = 40  # characters before a match in which a negation denies it
_SENTENCE_WORDS = 6  # fewer words, or a heading, makes weak evidence
_LIST_ITEMS, _LIST_ITEM_WORDS = 8, 25  # how far back a list's lead-in line is looked for
_CONTENT_TOPIC_MENTIONS = 3  # mentions of microneedling that make a page about it

_RULES = {
    c.id: [(rule.name, rule.compile(), Pattern(rule.also, scan_sites=False) if rule.also else None)
           for rule in c.rules]
    for c in CRITERIA
}
# Conditions read in a sentence and the lines around it.
_REQUIRES = {c.id: Pattern(c.requires, scan_sites=False) for c in CRITERIA if c.requires}
_UNLESS = {c.id: Pattern(c.unless, scan_sites=False) for c in CRITERIA if c.unless}

MICRONEEDLING_TOPIC, OTHER_TOPIC, GENERAL_TOPIC = "microneedling", "other", None
# Evidence comes from the clinic's microneedling pages first, then its other pages, then its
# posts and articles.
_MICRONEEDLING_PAGE, _PAGE, _ARTICLE = 0, 1, 2

SentenceKey = tuple[int, int]  # (line id, sentence index within the line)
_STATED, _QUESTION, _HEARSAY_, _DENIED = "stated", "question", "hearsay", "denied"
# The clinic's own voice denying a practice: "we do not use numbing cream", and headings such
# as "No numbing cream, on purpose".
_DENIAL = Pattern(r"\bwe\s+(?:do\s+not|don['’]t|never|no\s+longer)\s+(?:use|apply|offer|provide"
                  r"|need|require)\b|^no\s+(?:\S+\s+){0,5}\S+$", scan_sites=False)


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
_POSITIVE_WEIGHT = sum(w for w in _WEIGHTS.values() if w > 0)


class _Reading:
    """One site prepared for rule matching: its distinct lines, their topics and disqualifiers."""

    def __init__(self, pages: Iterable[Page]) -> None:
        self.text = SiteText(sorted(pages, key=lambda p: p.url))
        self._own_topics: dict[SentenceKey, str | None] = {}
        self._site_wide: dict[SentenceKey, bool] = {}
        self._hearsay: dict[SentenceKey, bool] = {}
        self.page_topics = [self._page_topic(p.page) for p in self.text.pages]
        self._topic_pages_by_content()
        kinds = [
            _ARTICLE if p.article else _MICRONEEDLING_PAGE if topic == MICRONEEDLING_TOPIC else _PAGE
            for p, topic in zip(self.text.pages, self.page_topics, strict=True)
        ]
        order = sorted(range(len(kinds)), key=lambda i: (kinds[i], self.text.pages[i].page.url))
        self.kind = kinds
        self.rank = {page: position for position, page in enumerate(order)}
        self._heading_topics: dict[int, str | None] = {}
        self._sections: dict[tuple[int, int], str | None] = {}
        self._pages_of: dict[int, list[int]] = {}

    def _sentence_says(self, key: SentenceKey, pattern: Pattern, cache: dict[SentenceKey, bool]) -> bool:
        found = cache.get(key)
        if found is None:
            found = cache[key] = self.text.sentence_says(*key, pattern)
        return found

    @staticmethod
    def _page_topic(page: Page) -> str | None:
        label = f"{page.path} {page.title}".replace("-", " ").replace("_", " ")
        if _MICRONEEDLING.search(label):
            return MICRONEEDLING_TOPIC
        if _OTHER.search(label):
            return OTHER_TOPIC
        return GENERAL_TOPIC

    def _topic_pages_by_content(self) -> None:
        """A page whose own text is mostly about microneedling is a microneedling page, whatever
        its URL ("scar-treatment", "acne-scarring"). Menus and footers do not count."""
        text = self.text
        mn_mentions = Counter(line for line, _ in text.find(_MICRONEEDLING))
        other_mentions: dict[int, int] = {}  # a line's, counted once for all the pages showing it
        for number, page in enumerate(text.pages):
            if self.page_topics[number] is not GENERAL_TOPIC:
                continue
            mn = sum(mn_mentions[line] for line in page.lines
                     if line in mn_mentions and not text.is_boilerplate(line))
            if mn < _CONTENT_TOPIC_MENTIONS:
                continue
            other = 0
            for line in page.lines:
                if not text.is_boilerplate(line):
                    if (count := other_mentions.get(line)) is None:
                        count = other_mentions[line] = text.count(_OTHER, line)
                    other += count
            if mn >= 2 * other:
                self.page_topics[number] = MICRONEEDLING_TOPIC

    def own_topic(self, key: SentenceKey) -> str | None:
        """MICRONEEDLING_TOPIC or OTHER_TOPIC when the sentence names one, else None."""
        if key in self._own_topics:
            return self._own_topics[key]
        topic = None
        if self.text.sentence_says(*key, _MICRONEEDLING):
            topic = MICRONEEDLING_TOPIC
        elif self.text.sentence_says(*key, _OTHER):
            topic = OTHER_TOPIC
        self._own_topics[key] = topic
        return topic

    def site_wide(self, key: SentenceKey) -> bool:
        return self._sentence_says(key, _SITE_WIDE, self._site_wide)

    def hearsay(self, key: SentenceKey) -> bool:
        """Reported speech: this sentence, or an earlier one of its paragraph, reports others."""
        line, index = key
        return any(self._sentence_says((line, i), _HEARSAY, self._hearsay) for i in range(index + 1))

    def heading_topic(self, line: int) -> str | None:
        """The treatment a section heading names. Menus and footers repeated across pages, and
        list items, open no section."""
        if line in self._heading_topics:
            return self._heading_topics[line]
        text = self.text
        topic = None
        if text.is_section_heading(line) and not text.is_boilerplate(line):
            topic = self.own_topic((line, 0))
        self._heading_topics[line] = topic
        return topic

    def section(self, page: int, line: int) -> str | None:
        """The topic of the section a line sits in on a page: that of the last heading above it
        that names a treatment."""
        key = (page, line)
        if key not in self._sections:
            lines = self.text.pages[page].lines
            position = self.text.pages[page].first_position[line] - 1
            while position >= 0 and (topic := self.heading_topic(lines[position])) is None:
                position -= 1
            self._sections[key] = topic if position >= 0 else None
        return self._sections[key]

    def context(self, page: int, key: SentenceKey) -> str:
        """The lines that belong with a sentence on a page: the lead-in of the list it is an item
        of ("…not suitable if you:"), and for a short line (a team card: name, role, credentials)
        the short lines around it."""
        text = self.text
        lines = text.pages[page].lines
        position = text.pages[page].first_position[key[0]]
        around = []
        for earlier in range(position - 1, max(-1, position - _LIST_ITEMS - 1), -1):
            candidate = text.lines[lines[earlier]]
            if candidate.rstrip().endswith(":"):
                around.append(candidate)
                break
            if candidate.count(" ") >= _LIST_ITEM_WORDS:
                break
        if text.is_short(key[0]):
            around.extend(
                text.lines[lines[near]]
                for near in range(max(0, position - 2), min(len(lines), position + 3))
                if near != position and text.is_short(lines[near])
            )
        return "\n".join(around)

    def paragraph_topic(self, key: SentenceKey) -> str | None:
        """The topic a sentence names, else the nearest earlier sentence of its paragraph."""
        line, index = key
        for earlier in range(index, -1, -1):
            topic = self.own_topic((line, earlier))
            if topic:
                return topic
        return None

    def topic(self, page: int, key: SentenceKey) -> str | None:
        """A sentence's topic: its paragraph's, else its section heading's, else its page's."""
        return self.paragraph_topic(key) or self.section(page, key[0]) or self.page_topics[page]

    def pages_of(self, line: int) -> list[int]:
        """The pages showing a line, best evidence first; legal notices and job offers do not count."""
        found = self._pages_of.get(line)
        if found is None:
            found = sorted((p for p in self.text.line_pages[line] if not self.text.pages[p].aside),
                           key=self.rank.__getitem__)
            self._pages_of[line] = found
        return found

    def in_scope(self, page: int, key: SentenceKey, scope: str) -> bool:
        # "Every treatment" on a page about another treatment speaks of that treatment.
        if scope == TREATMENT:
            topic = self.topic(page, key)
            return topic == MICRONEEDLING_TOPIC or (topic != OTHER_TOPIC and self.site_wide(key))
        if scope == CARE:
            return self.topic(page, key) != OTHER_TOPIC
        return True

    def statement(self, key: SentenceKey, match: re.Match[str], negatable: bool) -> str:
        """STATED, or why the sentence does not state the match: a question, hearsay, denied."""
        sentence = self.text.sentences(key[0])[key[1]]
        line = self.text.lines[key[0]]
        if line[sentence.start: sentence.end].endswith("?"):
            return _QUESTION
        if self.hearsay(key):
            return _HEARSAY_
        if negatable:
            window = line[max(sentence.start, match.start() - _NEGATION_WINDOW): match.start()]
            if _NEGATION.search(window):
                return _DENIED
        return _STATED

    def weak(self, key: SentenceKey) -> bool:
        """A bare heading or a fragment: evidence of last resort."""
        sentence = self.text.sentences(key[0])[key[1]]
        words = self.text.lines[key[0]].count(" ", sentence.start, sentence.end) + 1
        return sentence.is_heading or words < _SENTENCE_WORDS


def assess(pages: Iterable[Page]) -> Assessment:
    """Score one clinic from its pages. Deterministic: page order does not matter."""
    reading = _Reading(pages)
    identity = extract_identity(reading.text)
    verdicts = tuple(
        _contact_verdict(identity) if c.id == "contact_info" else _judge(c, reading)
        for c in CRITERIA
    )
    return Assessment(verdicts=verdicts, score=_score(verdicts), identity=identity,
                      practitioners=site_practitioners(reading.text))


class _Candidate(NamedTuple):
    """A sentence a rule of a criterion matches."""

    rule: str
    also: Pattern | None  # the rule's extra condition on the sentence
    key: SentenceKey
    match: re.Match[str]  # the rule's first match in the sentence
    pages: list[int]  # the pages showing its line, best first


def _judge(criterion: Criterion, reading: _Reading) -> Verdict:
    """The criterion's best evidence: a statement in scope on the best page, whole sentences
    before headings; for procedure_described, the page whose sentences match most steps."""
    candidates = _candidates(criterion, reading)
    if criterion.denial_wins and any(_denies(criterion, reading, c) for c in candidates):
        return Verdict(criterion.id, False)  # the clinic's denial outweighs the rest
    if criterion.min_distinct_rules > 1:
        return _steps_verdict(criterion, reading, candidates)
    # Candidates are judged in the order of the best evidence each could give (its rank on the
    # best page showing it), so that once none left can beat the evidence found, the rest are
    # not read. Of evidence as good, the candidate found first (rule order, line order) wins.
    ranked = sorted((_rank(criterion, reading, candidate.pages[0], candidate.key), order, candidate)
                    for order, candidate in enumerate(candidates) if candidate.pages)
    best: tuple[tuple[int, ...], int, int, _Candidate] | None = None
    for least, order, candidate in ranked:
        if best is not None and (least, order) >= best[:2]:
            break
        page = next(_evidence_pages(criterion, reading, candidate), None)
        if page is not None:
            rank = _rank(criterion, reading, page, candidate.key)
            if best is None or (rank, order) < best[:2]:
                best = (rank, order, page, candidate)
    if best is None:
        return Verdict(criterion.id, False)
    _, _, page, candidate = best
    return Verdict(criterion.id, True, reading.text.pages[page].page.url,
                   reading.text.sentence_text(*candidate.key), candidate.rule)


def _candidates(criterion: Criterion, reading: _Reading) -> list[_Candidate]:
    """Every sentence a rule of the criterion matches, once per rule, in rule then line order."""
    text = reading.text
    found: list[_Candidate] = []
    for rule_name, pattern, also in _RULES[criterion.id]:
        seen: set[SentenceKey] = set()
        for line, match in text.find(pattern):
            key = (line, text.sentence_at(line, match.start()))
            if key not in seen:
                seen.add(key)
                found.append(_Candidate(rule_name, also, key, match, reading.pages_of(line)))
    return found


def _denies(criterion: Criterion, reading: _Reading, candidate: _Candidate) -> bool:
    """The clinic's own voice denying the practice, in scope: "we do not use numbing cream"."""
    key, match, pages = candidate.key, candidate.match, candidate.pages
    return (_DENIAL.search(reading.text.sentence_text(*key))
            and reading.statement(key, match, criterion.negatable) == _DENIED
            and any(reading.in_scope(page, key, criterion.scope) for page in pages))


def _evidence_pages(criterion: Criterion, reading: _Reading, candidate: _Candidate) -> Iterator[int]:
    """The pages (best first) on which a candidate is evidence: a statement that meets the
    rule's and the criterion's conditions, in scope there."""
    also, key, match, pages = candidate.also, candidate.key, candidate.match, candidate.pages
    sentence = reading.text.sentence_text(*key)
    requires, unless = _REQUIRES.get(criterion.id), _UNLESS.get(criterion.id)
    if reading.statement(key, match, criterion.negatable) != _STATED or (
        unless and unless.search(sentence)) or (also and not also.search(sentence)):
        return
    for page in pages:
        if not reading.in_scope(page, key, criterion.scope) or (
            reading.kind[page] == _ARTICLE and not criterion.from_articles
        ):
            continue
        # The lines around are read only when a condition needs them, and then once.
        around = None
        if requires and not requires.search(sentence):
            around = reading.context(page, key)
            if not requires.search(around):
                continue
        if unless and unless.search(reading.context(page, key) if around is None else around):
            continue
        yield page


def _rank(criterion: Criterion, reading: _Reading, page: int, key: SentenceKey) -> tuple[int, ...]:
    """How good a sentence on a page is as evidence, lowest best: microneedling pages, then other
    pages, then posts; whole sentences before headings; a sentence that names microneedling
    itself before one that inherits the topic; then the page's and the sentence's order."""
    return (reading.kind[page], reading.weak(key),
            criterion.scope == TREATMENT and reading.own_topic(key) != MICRONEEDLING_TOPIC,
            reading.rank[page], reading.text.pages[page].first_position[key[0]], key[1])


def _steps_verdict(criterion: Criterion, reading: _Reading, candidates: list[_Candidate]) -> Verdict:
    """Met on the best page whose sentences together match enough distinct step rules."""
    steps: dict[int, dict[SentenceKey, set[str]]] = {}
    for candidate in candidates:
        for page in _evidence_pages(criterion, reading, candidate):
            steps.setdefault(page, {}).setdefault(candidate.key, set()).add(candidate.rule)
    text = reading.text
    for page in sorted(steps, key=reading.rank.__getitem__):
        hits = steps[page]
        distinct = set().union(*hits.values())
        if len(distinct) >= criterion.min_distinct_rules:
            position = text.pages[page].first_position
            key = min(hits, key=lambda k: (-len(hits[k]), reading.weak(k), position[k[0]], k[1]))
            return Verdict(criterion.id, True, text.pages[page].page.url, text.sentence_text(*key),
                           " + ".join(sorted(distinct)))
    return Verdict(criterion.id, False)


def _contact_verdict(identity: Identity) -> Verdict:
    if not (identity.street_address and identity.phone):
        return Verdict("contact_info", False)
    evidence = identity.address_evidence
    if evidence is None or evidence.quote is None:
        evidence = identity.phone_evidence or evidence
    rule = "schema.org address and phone" if identity.source == "schema.org" else "address and phone in text"
    if evidence is None:
        return Verdict("contact_info", True, None, None, rule)
    if evidence.quote is None:
        rule += " (not shown in the page's text: nothing to quote)"
    return Verdict("contact_info", True, evidence.page_url, evidence.quote, rule)


def _score(verdicts: tuple[Verdict, ...]) -> int:
    """Weighted share of the positive criteria met, minus the red-flag penalty, 0–100."""
    earned = sum(_WEIGHTS[v.criterion] for v in verdicts if v.met and _WEIGHTS[v.criterion] > 0)
    penalty = sum(-_WEIGHTS[v.criterion] for v in verdicts if v.met and _WEIGHTS[v.criterion] < 0)
    return max(0, min(100, round(100 * earned / _POSITIVE_WEIGHT) - penalty))
