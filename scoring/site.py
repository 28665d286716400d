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
from itertools import count

from scoring import prefilter
from scoring.pages import Page
from scoring.patterns import Pattern, is_word_character
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
        # Each distinct line, in the order lines first appear: a line seen first takes the next id.
        ids: defaultdict[str, int] = defaultdict(count().__next__)
        line_id = ids.__getitem__
        for number, page in enumerate(pages):
            # No sentence lives on a blank line.
            lines = list(map(line_id, filter(str.strip, page.text.split("\n"))))
            # Each line's first position on the page: of the reversed pairs, the last one stays.
            first = dict(zip(reversed(lines), range(len(lines) - 1, -1, -1), strict=True))
            self.line_pages.extend([] for _ in range(len(ids) - len(self.line_pages)))
            for line in first:
                self.line_pages[line].append(number)
            self.pages.append(SitePage(page, lines, bool(_ASIDE_PATH.search(page.path)),
                                       bool(_ARTICLE_PATH.search(page.path)), first))
        self.lines: list[str] = list(ids)
        # Case-insensitive patterns run as their faster case-sensitive twins on casefolded lines,
        # save the few lines where a letter folds to two ("ß"), which would move the offsets.
        joined = "\n".join(self.lines)
        folded = joined.casefold()
        if len(folded) == len(joined):
            self._folded_lines: list[str | None] = folded.split("\n")
        else:
            self._folded_lines = [folded if len(folded := line.casefold()) == len(line) else None
                                  for line in self.lines]
        self._report: prefilter.Report | None = None  # where each pattern may match
        self._sentences: dict[int, list[Sentence]] = {}
        self._offsets: dict[int, list[int]] = {}
        self._headings: dict[int, bool] = {}
        self._found: dict[tuple[str, bool], list[tuple[int, re.Match[str]]]] = {}

    # -- finding -----------------------------------------------------------------------------

    def _candidates(self, pattern: Pattern) -> set[int] | None:
        """Ids of the only lines where the pattern can match (None: any line can)."""
        if pattern.id is None:
            return None
        if self._report is None or pattern.id >= self._report.size:
            self._report = prefilter.Report(self.lines)  # (again, for a pattern made since)
        return self._report.candidates(pattern.id)

    def _reading(self, pattern: Pattern, line_id: int) -> tuple[re.Pattern[str], str]:
        """The expression that reads a line for the pattern, and the line as it reads it: the
        case-sensitive twin and the casefolded line, when both there are."""
        folded_line = self._folded_lines[line_id]
        if pattern.folded is not None and folded_line is not None:
            return pattern.folded, folded_line
        return pattern.regex, self.lines[line_id]

    def find(self, pattern: Pattern) -> list[tuple[int, re.Match[str]]]:
        """Every match of the pattern, as (line id, match within that line), in line order."""
        found = self._found.get(pattern.key)
        if found is None:
            found = self._found[pattern.key] = list(self._find(pattern))
        return found

    def lines_with(self, pattern: Pattern) -> list[int]:
        """Ids of the lines where the pattern matches, in order."""
        return list(dict.fromkeys(line for line, _ in self.find(pattern)))

    def _find(self, pattern: Pattern) -> Iterator[tuple[int, re.Match[str]]]:
        candidates = self._candidates(pattern)
        for line_id in range(len(self.lines)) if candidates is None else sorted(candidates):
            regex, line = self._reading(pattern, line_id)
            for match in regex.finditer(line):
                yield line_id, match

    def count(self, pattern: Pattern, line_id: int) -> int:
        """How many times the pattern matches in a line, as ``find`` reads it, without reading
        the site's other lines (``find`` pays for all of them)."""
        candidates = self._candidates(pattern)
        if candidates is not None and line_id not in candidates:
            return 0
        regex, line = self._reading(pattern, line_id)
        return len(regex.findall(line))

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
        sentence = self.sentences(line_id)[index]
        # Most sentences are settled by the prefilter: a sentence cut between words can only
        # match a pattern anchored by word boundaries alone in a line the prefilter reports.
        if pattern.sentence_safe:
            candidates = self._candidates(pattern)
            if (candidates is not None and line_id not in candidates
                    and self._cut_between_words(line_id, sentence)):
                return False
        regex, line = self._reading(pattern, line_id)
        return regex.search(line[sentence.start:sentence.end]) is not None

    def _cut_between_words(self, line_id: int, sentence: Sentence) -> bool:
        line = self.lines[line_id]
        return ((sentence.start == 0 or not is_word_character(line[sentence.start - 1]))
                and (sentence.end == len(line) or not is_word_character(line[sentence.end])))

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
