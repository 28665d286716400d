"""A clinic's pages as the scorer reads them: each distinct line of text once.

Navigation, footers and shared blocks repeat on every page of a site. Reading each distinct
line (block) once keeps scoring fast, and knowing on how many pages a line appears is what
tells boilerplate (a menu entry "Microneedling") from content (a heading on one page).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import accumulate, repeat

from scoring.pages import Page
from scoring.patterns import LEXICON, CueLookup, Pattern, plain, within_word
from scoring.text import Sentence, looks_like_heading, split_block

# Pages that are not the clinic speaking about its treatments: legal notices and the like, and
# job offers ("2+ years of experience required" is asked of an applicant, not said of the team).
_ASIDE_PATH = re.compile(
    r"privacy|terms|cookie|accessibility|disclaimer|legal|policy|policies|gdpr|hipaa|notice"
    r"|sitemap|copyright|(?:^|/)(?:careers?|jobs?|vacanc\w*|hiring|recruit\w*|employment"
    r"|join-(?:our|the)-team|work-with-us)(?:/|$|[.\-])",
)
# Posts and articles: the clinic's own, but read after its treatment pages.
_ARTICLE_PATH = re.compile(r"/(?:blog|news|articles?|posts?|journal|press|stories|the-[\w-]+-edit)"
                           r"(?:/|$|\.|-)")


_SECTION_HEADING_WORDS = 8


class _Shifted:
    """A match in the folded site text, with offsets relative to its line."""

    __slots__ = ("_match", "_offset")

    def __init__(self, match: re.Match[str], offset: int) -> None:
        self._match, self._offset = match, offset

    def start(self) -> int:
        return self._match.start() - self._offset

    def end(self) -> int:
        return self._match.end() - self._offset

    def span(self) -> tuple[int, int]:
        return self.start(), self.end()


Match = re.Match[str] | _Shifted


class _Words:
    """The lines holding each cue of the patterns, through the distinct words (runs without
    spaces) of a site's casefolded lines: a site has a few thousand words, and most hold no cue."""

    def __init__(self, lines: list[str]) -> None:
        # A word → the ids of its lines (a line twice if it holds the word twice: sets below
        # drop that, for less work than a set of words per line).
        lines_of: defaultdict[str, list[int]] = defaultdict(list)
        for line_id, line in enumerate(lines):
            for word in line.split():
                lines_of[word].append(line_id)
        holders: defaultdict[str, list[list[int]]] = defaultdict(list)
        cues_in = LEXICON.cues_in
        for word, holding in lines_of.items():
            for cue in cues_in(word):
                holders[cue].append(holding)
        # A cue (a pattern's, casefolded) → ids of the lines holding a word that contains it.
        self.lines_of_cue: dict[str, set[int]] = {
            cue: set().union(*holdings) for cue, holdings in holders.items()}


_NO_LINES: frozenset[int] = frozenset()


@dataclass
class SitePage:
    page: Page
    lines: list[int]  # the page's line ids, in order
    aside: bool  # a legal notice or a job offer: no evidence comes from it
    article: bool
    first_position: dict[int, int] = field(default_factory=dict)  # line id → first position


class SiteText:
    """The distinct lines of a site's pages, with where each appears."""

    def __init__(self, pages: Iterable[Page]) -> None:
        self.line_pages: list[list[int]] = []
        self.pages: list[SitePage] = []
        ids: dict[str, int] = {}  # each distinct line, in the order lines first appear
        line_id = ids.setdefault
        for number, page in enumerate(pages):
            # A line seen first takes the next id. No sentence lives on a blank line.
            lines = [line_id(line, len(ids)) for line in page.text.split("\n")
                     if line and not line.isspace()]
            # Each line's first position on the page: of the reversed pairs, the last one stays.
            first = dict(zip(reversed(lines), range(len(lines) - 1, -1, -1), strict=True))
            self.line_pages.extend([] for _ in range(len(ids) - len(self.line_pages)))
            for line in first:
                self.line_pages[line].append(number)
            self.pages.append(SitePage(page, lines, bool(_ASIDE_PATH.search(page.path)),
                                       bool(_ARTICLE_PATH.search(page.path)), first))
        self.lines: list[str] = list(ids)
        self._starts = list(accumulate((len(line) + 1 for line in self.lines[:-1]), initial=0))
        joined = "\n".join(self.lines)
        folded = joined.casefold()
        self._folded_starts = self._starts
        if len(folded) != len(joined):  # a few letters fold to two ("ß"): lines move
            folded_lines = [line.casefold() for line in self.lines]
            folded = "\n".join(folded_lines)
            self._folded_starts = list(accumulate((len(line) + 1 for line in folded_lines[:-1]),
                                                  initial=0))
        self._folded = folded
        self._joined = joined
        self._folded_lines = folded.split("\n")
        self._word_index: _Words | None = None
        # Every line keeps its offsets when folded: case-insensitive patterns can run as their
        # faster case-sensitive twins on the folded lines.
        self._aligned = self._folded_starts is self._starts
        self._cue_lines: dict[tuple[str, bool], set[int]] = {}
        # Per pattern, read with the cues' word starts or without.
        self._candidate_lines: dict[bool, dict[tuple[str, bool], set[int]]] = {True: {}, False: {}}
        self._sentences: dict[int, list[Sentence]] = {}
        self._offsets: dict[int, list[int]] = {}
        self._headings: dict[int, bool] = {}
        self._found: dict[tuple[str, bool], list[tuple[int, Match]]] = {}

    # -- finding -----------------------------------------------------------------------------

    def _lines_with(self, cue: str, case_sensitive: bool) -> set[int]:
        """Ids of the lines that contain a pattern's cue (casefolded unless case-sensitive; where
        it starts a word of the casefolded line, when marked so)."""
        found = self._cue_lines.get((cue, case_sensitive))
        if found is None:
            if within_word(cue):
                # A line holding the cue holds it casefolded in its casefolded words.
                found = self._words().lines_of_cue.get(cue.casefold(), set())
                if case_sensitive:
                    found = {line for line in found if plain(cue) in self.lines[line]}
            else:
                found = set(self._scan(plain(cue), case_sensitive))
            self._cue_lines[cue, case_sensitive] = found
        return found

    def _words(self) -> _Words:
        if self._word_index is None:
            self._word_index = _Words(self._folded_lines)
        return self._word_index

    def _scan(self, cue: str, case_sensitive: bool) -> list[int]:
        found: list[int] = []
        text, starts = (self._joined, self._starts) if case_sensitive else (
            self._folded, self._folded_starts)
        position = text.find(cue)
        while position >= 0:
            line_id = bisect_right(starts, position) - 1
            found.append(line_id)
            # One hit per line is enough: go on from the next line.
            if line_id + 1 >= len(starts):
                break
            position = text.find(cue, starts[line_id + 1])
        return found

    def _reads_folded(self, pattern: Pattern) -> bool:
        """Whether the pattern runs as its case-sensitive twin on the casefolded site text."""
        return pattern.folded is not None and self._aligned

    def find(self, pattern: Pattern) -> list[tuple[int, Match]]:
        """Every match of the pattern, as (line id, match within that line), in line order."""
        found = self._found.get(pattern.key)
        if found is None:
            found = self._found[pattern.key] = list(self._find(pattern))
        return found

    def _candidates(self, pattern: Pattern, word_starts: bool) -> set[int] | None:
        """Ids of the only lines where the pattern can match: those holding a cue of each cue set
        of one of its alternatives (None: any line can). ``word_starts``: the pattern reads the
        folded site text, whose word starts are those of the words its cues are looked up in."""
        alternatives = pattern.lookups if word_starts else pattern.anywhere_lookups
        if alternatives is None:
            return None
        known = self._candidate_lines[word_starts]
        found = known.get(pattern.key)
        if found is None:
            found = self._holding(alternatives[0], pattern.case_sensitive)
            if len(alternatives) > 1:
                found = found.union(*(self._holding(lookups, pattern.case_sensitive)
                                      for lookups in alternatives[1:]))
            known[pattern.key] = found
        return found

    def _holding(self, lookups: tuple[CueLookup, ...], case_sensitive: bool) -> set[int]:
        """Ids of the lines holding a cue of each cue set."""
        lines_of_cue = self._words().lines_of_cue
        found: set[int] | None = None
        # The most selective set first: an empty intersection ends the search.
        for in_words, elsewhere in lookups:
            holding = set().union(*map(lines_of_cue.get, in_words, repeat(_NO_LINES)),
                                  *(self._lines_with(cue, case_sensitive) for cue in elsewhere))
            found = holding if found is None else found & holding
            if not found:
                break
        return found or set()

    def _find(self, pattern: Pattern) -> Iterator[tuple[int, Match]]:
        on_folded_text = self._reads_folded(pattern)
        found = self._candidates(pattern, word_starts=on_folded_text)
        candidates: Iterable[int] = range(len(self.lines)) if found is None else sorted(found)
        lines, starts = self.lines, self._starts
        if on_folded_text:
            regex, folded, openings = pattern.folded, self._folded, pattern.openings
            for line_id in candidates:
                start = starts[line_id]
                end = start + len(lines[line_id])
                if openings is None:
                    for match in regex.finditer(folded, start, end):
                        yield line_id, _Shifted(match, start)
                    continue
                # Every match starts where an opening stands: the pattern is tried there only,
                # leftmost first, on from the end of each match, as finditer would.
                position = start
                while (opening := openings.search(folded, position, end)) is not None:
                    match = regex.match(folded, opening.start(), end)
                    if match is None:
                        position = opening.start() + 1
                    else:
                        yield line_id, _Shifted(match, start)
                        position = match.end()
            return
        for line_id in candidates:
            for match in pattern.regex.finditer(lines[line_id]):
                yield line_id, match

    def count(self, pattern: Pattern, line_id: int) -> int:
        """How many times the pattern matches in a line, as ``find`` reads it, without reading
        the site's other lines (``find`` pays for all of them)."""
        on_folded_text = self._reads_folded(pattern)
        candidates = self._candidates(pattern, word_starts=on_folded_text)
        if candidates is not None and line_id not in candidates:
            return 0
        if on_folded_text:
            start = self._starts[line_id]
            return len(pattern.folded.findall(self._folded, start, start + len(self.lines[line_id])))
        return len(pattern.regex.findall(self.lines[line_id]))

    def lines_matching(self, regex: re.Pattern[str]) -> list[int]:
        """Ids of the lines where a plain regular expression (one that cannot match a line break)
        matches, scanning the site once."""
        found: list[int] = []
        starts, joined = self._starts, self._joined
        match = regex.search(joined)
        while match is not None:
            line_id = bisect_right(starts, match.start()) - 1
            found.append(line_id)
            # One match per line is enough (a hint matches many times on a line of names).
            if line_id + 1 >= len(starts):
                break
            match = regex.search(joined, starts[line_id + 1])
        return found

    def next_line(self, line_id: int) -> str:
        """The line after this one on the first page that shows it ("" at the end)."""
        page = self.pages[self.line_pages[line_id][0]]
        position = page.first_position[line_id] + 1
        return self.lines[page.lines[position]] if position < len(page.lines) else ""

    # -- sentences ---------------------------------------------------------------------------

    def sentences(self, line_id: int) -> list[Sentence]:
        found = self._sentences.get(line_id)
        if found is None:
            line = self.lines[line_id]
            heading = self.is_heading(line_id)
            found = [Sentence(start, end, heading) for start, end in split_block(line)]
            self._sentences[line_id] = found
            self._offsets[line_id] = [s.start for s in found]
        return found

    def sentence_at(self, line_id: int, offset: int) -> int:
        """Index (within its line) of the sentence holding a character offset of the line."""
        self.sentences(line_id)
        return max(0, bisect_right(self._offsets[line_id], offset) - 1)

    def sentence_text(self, line_id: int, index: int) -> str:
        return self.sentences(line_id)[index].text_of(self.lines[line_id])

    def sentence_says(self, line_id: int, index: int, pattern: Pattern) -> bool:
        """Whether the pattern matches within a sentence (read alone, as a string of its own)."""
        # A match within the sentence holds the pattern's cues, and so does its line: most
        # sentences are settled without the regular expression. (Read alone, a sentence cut
        # within a word starts a word: the cues' word starts do not hold for it.)
        candidates = self._candidates(pattern, word_starts=False)
        if candidates is not None and line_id not in candidates:
            return False
        sentence = self.sentences(line_id)[index]
        if self._reads_folded(pattern):
            return pattern.folded.search(self._folded_lines[line_id][sentence.start:sentence.end]) is not None
        return pattern.regex.search(self.lines[line_id][sentence.start:sentence.end]) is not None

    def is_heading(self, line_id: int) -> bool:
        found = self._headings.get(line_id)
        if found is None:
            found = self._headings[line_id] = looks_like_heading(self.lines[line_id])
        return found

    def is_short(self, line_id: int) -> bool:
        """A line of a few words: a name, a role, a credential, a list item."""
        return self.lines[line_id].count(" ") < _SECTION_HEADING_WORDS

    def is_section_heading(self, line_id: int) -> bool:
        """A heading that opens a section: a few words, not a sentence or a list item."""
        line = self.lines[line_id]
        return self.is_heading(line_id) and line.count(" ") < _SECTION_HEADING_WORDS

    def is_boilerplate(self, line_id: int) -> bool:
        """Repeated on many pages: a menu, a footer, a banner."""
        count = len(self.line_pages[line_id])
        return count >= 3 and count * 4 >= len(self.pages)
