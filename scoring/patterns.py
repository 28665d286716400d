"""The scorer's regular expressions, each known to the prefilter that tells which lines it may match.

A rule is a Python regular expression read against one line (block) of a page at a time. Every
``Pattern`` made is registered: the prefilter (``scoring.prefilter``) reads a site's text once
for all of them and reports the lines where each may match, so that ``re`` reads only those.
A pattern the prefilter cannot read faithfully is run on every line: the prefilter changes the
speed, never the result.
"""

from __future__ import annotations

import re
from typing import Any

# The parser behind ``re`` (public as ``sre_parse`` before Python 3.11). Should a future Python
# change it, no pattern is prefiltered: each is run on every line, as correct and slower.
try:
    from re import _constants as _c
    from re import _parser as _p
except ImportError:  # pragma: no cover - depends on the Python version
    _c = _p = None

# What Hyperscan reads otherwise than Python: \A and \Z (anchors at the whole text's edges there,
# at each line's here, as each line is matched alone), Python's escapes \u, \U and \N, "{,n}" (a
# repeat in Python, literal text in PCRE) and "[" followed by ":", "=" or "." within a class
# (a POSIX class in PCRE: "[[:alpha:]]").
_READ_OTHERWISE = re.compile(r"\\[AZzGuUN]|\{,|\[[^\]]*\[[:=.]")
_ASCII_LETTER_IGNORING_CASE = re.compile("[a-z]", re.IGNORECASE)


def is_word_character(character: str) -> bool:
    """What ``\\w`` matches in a str pattern, so what ``\\b`` stands between."""
    return character.isalnum() or character == "_"


def _parse(source: str, flags: int) -> Any:
    """The pattern as Python's parser reads it (a sequence of items), or None."""
    if _p is None:
        return None
    try:
        return _p.parse(source, flags)
    except Exception:  # noqa: BLE001 - any parser surprise means: no prefilter for this pattern
        return None


def _zero_width(items: list[tuple[Any, Any]]) -> set[Any]:
    """The zero-width assertions a parsed pattern uses, at any depth: \\b, ^, $, lookarounds."""
    found: set[Any] = set()
    for op, argument in items:
        if op is _c.AT:
            found.add(argument)
        elif op in (_c.ASSERT, _c.ASSERT_NOT):
            found.add(op)
            found |= _zero_width(list(argument[1]))
        elif op is _c.SUBPATTERN:
            found |= _zero_width(list(argument[-1]))
        elif op in (_c.MAX_REPEAT, _c.MIN_REPEAT, _c.POSSESSIVE_REPEAT):
            found |= _zero_width(list(argument[2]))
        elif op is _c.BRANCH:
            for branch in argument[1]:
                found |= _zero_width(list(branch))
        elif op is _c.ATOMIC_GROUP:
            found |= _zero_width(list(argument))
        elif op is _c.GROUPREF_EXISTS:
            for branch in argument[1:]:
                if branch is not None:
                    found |= _zero_width(list(branch))
    return found


class Pattern:
    """A compiled regular expression, registered with the prefilter.

    ``id`` is the pattern's place in the prefilter's register, None if the prefilter cannot read
    it faithfully (then it is run on every line). ``sentence_safe``: besides \\b it asserts
    nothing about its surroundings (no ^, $ or lookaround), so a sentence read alone can only
    match it where its line does, provided the sentence is cut between words.
    """

    __slots__ = ("case_sensitive", "folded", "id", "key", "regex", "sentence_safe", "source")

    def __init__(self, source: str, case_sensitive: bool = False) -> None:
        flags = 0 if case_sensitive else re.IGNORECASE
        self.source = source
        self.case_sensitive = case_sensitive
        self.key = (source, case_sensitive)  # patterns alike find alike
        self.regex = re.compile(source, flags)
        # Python's re drops its literal-prefix search for case-insensitive patterns. A pattern
        # that spells its letters in lower case finds the same matches, case-sensitively and
        # faster, in casefolded text that kept its offsets.
        letters = re.sub(r"\\.", "", source)
        self.folded = (re.compile(source)
                       if not case_sensitive and letters == letters.casefold() else None)
        parsed = _parse(source, flags)
        assertions = set() if parsed is None else _zero_width(list(parsed))
        self.sentence_safe = parsed is not None and assertions <= {_c.AT_BOUNDARY, _c.AT_NON_BOUNDARY}
        self.id = register(self) if parsed is not None and _prefilterable(source, flags, parsed) else None

    def search(self, text: str) -> bool:
        """Whether the pattern matches in ``text``; on its casefolded letters when they keep
        their offsets (the faster twin)."""
        if self.folded is not None:
            folded = text.casefold()
            if len(folded) == len(text):
                return self.folded.search(folded) is not None
        return self.regex.search(text) is not None

    def __repr__(self) -> str:
        return f"Pattern({self.source!r})"


def _prefilterable(source: str, flags: int, parsed: Any) -> bool:
    """Whether Hyperscan reads the pattern as Python does, for every line it may read (lines
    with letters outside ASCII never rely on it: see ``scoring.prefilter``)."""
    if _READ_OTHERWISE.search(source):
        return False
    # Hyperscan folds the case of ASCII letters only: ignoring case, Python matches "s" with
    # "ſ" and "k" with the Kelvin sign "K". (Lines holding such letters are blind to the
    # prefilter, but a pattern holding one would miss the ASCII letter it stands for.)
    if (flags & re.IGNORECASE or "(?i" in source) and any(
            not ch.isascii() and _ASCII_LETTER_IGNORING_CASE.fullmatch(ch) for ch in source):
        return False
    # A pattern that matches the empty string matches on every line: nothing to filter.
    return parsed.getwidth()[0] > 0


# The register of every pattern made, in order: (source, case-sensitive) → id.
_REGISTER: dict[tuple[str, bool], int] = {}


def register(pattern: Pattern) -> int:
    """The pattern's id in the register (a pattern alike made before keeps its id)."""
    return _REGISTER.setdefault(pattern.key, len(_REGISTER))


def registered() -> list[tuple[str, bool]]:
    """Every registered pattern's (source, case-sensitive), by id."""
    return list(_REGISTER)
