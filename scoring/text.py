"""Sentence segmentation over extracted page text.

The crawler stores visible text with one block (heading, paragraph, list item, table cell) per
line and whitespace folded. A sentence is a span of one line, so a quote taken from it is
always an exact substring of the stored page text, and never runs across blocks.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple

# A sentence ends at . ! ? (optionally followed by a closing quote or bracket) when the next
# word starts like a new sentence. Abbreviations such as "Dr." or "St." are protected below.
# The match starts at the mark, which the regular expression engine skips ahead to.
_BOUNDARY = re.compile(r"""[.!?]["'”’)\]]?\s+(?=["'“‘(\[]?[A-Z0-9¿¡])""")
_ABBREVIATION = re.compile(
    r"(?:\b(?:Dr|Mr|Mrs|Ms|St|Ste|Ave|Blvd|Rd|No|Inc|Ltd|Co|Jr|Sr|Prof|approx|vs|etc|e\.g|i\.e"
    r"|Mt|Ft|Hwy|Pkwy|Apt|Fl|Dept|U\.S|a\.m|p\.m)\.)$|(?:\b[A-Z]\.)$",
    re.IGNORECASE,
)
_MAX_SENTENCE = 600
_HEADING_WORDS = 12


class Sentence(NamedTuple):  # a tuple: made by the thousand for every site scored
    start: int  # offsets within its line
    end: int
    is_heading: bool  # its line looks like a heading

    def text_of(self, line: str) -> str:
        return line[self.start : self.end]


def looks_like_heading(line: str) -> bool:
    """A short block without closing punctuation: a heading, a menu entry, a label."""
    block = line.strip()
    return len(block.split()) <= _HEADING_WORDS and not block.endswith((".", "!", ",", "?"))


def split_block(line: str) -> list[tuple[int, int]]:
    """Sentence spans of one block (line) of page text; never empty, never padded."""
    lead = len(line) - len(line.lstrip())
    block = line.strip()
    return [(lead + start, lead + end) for start, end in _split_block(block)]


# Sites repeat their navigation and footer on every page: each distinct block is split once.
@lru_cache(maxsize=8192)
def _split_block(block: str) -> tuple[tuple[int, int], ...]:
    spans: list[tuple[int, int]] = []
    start = 0
    for match in _BOUNDARY.finditer(block):
        candidate_end = match.start() + 1  # the sentence keeps its mark
        # An abbreviation right at the end of the candidate sentence blocks the split.
        if _ABBREVIATION.search(block[max(start, candidate_end - 8) : candidate_end]):
            continue
        spans.append((start, candidate_end))
        start = match.end()
    spans.append((start, len(block)))
    return tuple(piece for span in spans for piece in _cap_length(block, *span) if piece[1] > piece[0])


def _cap_length(block: str, start: int, end: int) -> list[tuple[int, int]]:
    """Very long run-on text (menus flattened into one line) is cut at separators."""
    if end - start <= _MAX_SENTENCE:
        return [(start, end)]
    pieces = []
    while end - start > _MAX_SENTENCE:
        cut = max(block.rfind(sep, start, start + _MAX_SENTENCE) for sep in (" | ", " · ", "; ", ", "))
        cut = cut if cut > start else start + _MAX_SENTENCE
        pieces.append((start, cut))
        start = cut + 1
        while start < end and block[start] in " |·;,":
            start += 1
    pieces.append((start, end))
    return pieces
