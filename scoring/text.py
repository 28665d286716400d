"""Sentence segmentation over extracted page text.

The crawler stores visible text with one block (heading, paragraph, list item, table cell) per
line and whitespace folded. A sentence is a span of that text, so a quote taken from it is
always an exact substring of the stored page text.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache

# A sentence ends at . ! ? (optionally followed by a closing quote or bracket) when the next
# word starts like a new sentence. Abbreviations such as "Dr." or "St." are protected below.
_BOUNDARY = re.compile(r"""(?<=[.!?])["'”’)\]]?\s+(?=["'“‘(\[]?[A-Z0-9¿¡])""")
_ABBREVIATION = re.compile(
    r"(?:\b(?:Dr|Mr|Mrs|Ms|St|Ste|Ave|Blvd|Rd|No|Inc|Ltd|Co|Jr|Sr|Prof|approx|vs|etc|e\.g|i\.e"
    r"|Mt|Ft|Hwy|Pkwy|Apt|Fl|Dept|U\.S|a\.m|p\.m)\.)$|(?:\b[A-Z]\.)$",
    re.IGNORECASE,
)
_MAX_SENTENCE = 600
_HEADING_WORDS = 12


@dataclass(frozen=True)
class Sentence:
    start: int
    end: int
    block: int
    is_heading: bool

    def text_of(self, text: str) -> str:
        return text[self.start : self.end]


def segment(text: str) -> list[Sentence]:
    """Split page text into sentences, never across block (line) boundaries."""
    sentences: list[Sentence] = []
    offset = 0
    for block_index, line in enumerate(text.split("\n")):
        stripped = line.strip()
        if stripped:
            lead = offset + (len(line) - len(line.lstrip()))
            heading = _looks_like_heading(stripped)
            for start, end in _split_block(stripped):
                sentences.append(Sentence(lead + start, lead + end, block_index, heading))
        offset += len(line) + 1
    return sentences


def _looks_like_heading(block: str) -> bool:
    return len(block.split()) <= _HEADING_WORDS and not block.endswith((".", "!", ","))


# Sites repeat their navigation and footer on every page: each distinct block is split once.
@lru_cache(maxsize=8192)
def _split_block(block: str) -> tuple[tuple[int, int], ...]:
    spans: list[tuple[int, int]] = []
    start = 0
    for match in _BOUNDARY.finditer(block):
        candidate_end = match.start()
        if _ABBREVIATION.search(block, 0, candidate_end):
            # Only an abbreviation right at the end of the candidate sentence blocks the split.
            tail = block[max(start, candidate_end - 8) : candidate_end]
            if _ABBREVIATION.search(tail):
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


class SentenceIndex:
    """Sentences of one text with fast lookup of the sentence holding a character offset."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.sentences = segment(text)
        self._starts = [s.start for s in self.sentences]

    def at(self, offset: int) -> int | None:
        position = bisect_right(self._starts, offset) - 1
        if position < 0:
            return None
        return position if offset < self.sentences[position].end else None

    def sentence_text(self, position: int) -> str:
        return self.sentences[position].text_of(self.text)
