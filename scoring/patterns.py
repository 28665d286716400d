"""The scorer's regular expressions, each known to the prefilter that tells which lines it may match.

A rule is a Python regular expression read against one line (block) of a page at a time. Every
``Pattern`` made is registered: the prefilter (``scoring.prefilter``) reads a site's text once
for all of them and reports the lines where each may match, so that ``re`` reads only those.
Hyperscan is given each pattern as Python parsed it, written out again in its own syntax (so the
two never read one text differently: "{,3}", "\\A" or "[[:" mean other things in PCRE), with what
only narrows a match loosened: lookarounds dropped, and the match's end cut short, as a line
holds the whole match if it holds its start ("needl\\w*" ends at "needl": one report a match
rather than one a letter). A pattern it cannot read faithfully is run on every line: the
prefilter changes the speed, never the result.
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


def _anchors(items: list[tuple[Any, Any]]) -> set[Any]:
    """The anchors (\\b, ^, $…) a parsed pattern uses at any depth, but within lookarounds, which
    the prefilter drops."""
    found: set[Any] = set()
    for op, argument in items:
        if op is _c.AT:
            found.add(argument)
        elif op is _c.SUBPATTERN:
            found |= _anchors(list(argument[-1]))
        elif op in (_c.MAX_REPEAT, _c.MIN_REPEAT, _c.POSSESSIVE_REPEAT):
            found |= _anchors(list(argument[2]))
        elif op is _c.BRANCH:
            for branch in argument[1]:
                found |= _anchors(list(branch))
        elif op is _c.ATOMIC_GROUP:
            found |= _anchors(list(argument))
    return found


class Pattern:
    """A compiled regular expression, registered with the prefilter.

    ``id`` is the pattern's place in the prefilter's register, None if the prefilter cannot read
    it faithfully (then it is run on every line). ``sentence_safe``: its only anchors are word
    boundaries (no ^ or $ but within a lookaround, which the prefilter drops), so a sentence
    read alone can only match it in a line the prefilter reports, provided the sentence is cut
    between words. ``scan_sites``: False for a pattern only ever searched for in a few words
    (``search``), which the scan of each site need not report.
    """

    __slots__ = ("folded", "id", "key", "regex", "sentence_safe", "source")

    def __init__(self, source: str, case_sensitive: bool = False, *, scan_sites: bool = True) -> None:
        flags = 0 if case_sensitive else re.IGNORECASE
        self.source = source
        self.key = (source, case_sensitive)  # patterns alike find alike
        self.regex = re.compile(source, flags)
        # Python's re drops its literal-prefix search for case-insensitive patterns. A pattern
        # that spells its letters in lower case finds the same matches, case-sensitively and
        # faster, in casefolded text that kept its offsets.
        letters = re.sub(r"\\.", "", source)
        self.folded = (re.compile(source)
                       if not case_sensitive and letters == letters.casefold() else None)
        parsed = _parse(source, flags)
        self.sentence_safe = parsed is not None and _anchors(list(parsed)) <= {_c.AT_BOUNDARY,
                                                                                _c.AT_NON_BOUNDARY}
        expression = None if parsed is None or not scan_sites else _hyperscan_expression(source, parsed)
        self.id = None if expression is None else _register(expression, bool(parsed.state.flags & re.IGNORECASE))

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


def _hyperscan_expression(source: str, parsed: Any) -> str | None:
    """The pattern in Hyperscan's syntax, loosened as a prefilter may be; None if there is no
    faithful reading of it for every line the prefilter reads (lines with letters beyond ASCII
    are read by Python alone: see ``scoring.prefilter``)."""
    # Hyperscan folds the case of ASCII letters only: ignoring case, Python matches "s" with
    # "ſ" and "k" with the Kelvin sign "K". (Lines holding such letters are blind to the
    # prefilter, but a pattern holding one would miss the ASCII letter it stands for.)
    if any(not ch.isascii() and _ASCII_LETTER_IGNORING_CASE.fullmatch(ch) for ch in source):
        return None
    # A pattern that matches the empty string matches on every line: nothing to filter.
    if parsed.getwidth()[0] == 0:
        return None
    try:
        return _sequence(list(parsed), parsed.state, at_end=True)
    except _NoReading:
        return None


class _NoReading(Exception):
    """A construct Hyperscan has no faithful reading of (a back-reference, a conditional)."""


def _sequence(items: list[tuple[Any, Any]], state: Any, at_end: bool) -> str:
    """Hyperscan's syntax for a parsed sequence; ``at_end``: what ends the match is cut short."""
    if at_end:
        while items and _p.SubPattern(state, items[-1:]).getwidth()[0] == 0:
            items = items[:-1]
    last = len(items) - 1
    return "".join(_item(op, argument, state, at_end and index == last)
                   for index, (op, argument) in enumerate(items))


def _item(op: Any, argument: Any, state: Any, at_end: bool) -> str:
    if op is _c.LITERAL:
        return _character(argument)
    if op is _c.NOT_LITERAL:
        return f"[^{_character(argument)}]"
    if op is _c.ANY:
        return "."
    if op is _c.IN:
        return _class(argument)
    if op is _c.BRANCH:
        return f"(?:{'|'.join(_sequence(list(branch), state, at_end) for branch in argument[1])})"
    if op is _c.SUBPATTERN:
        _, add_flags, del_flags, inner = argument
        if (add_flags | del_flags) & ~re.IGNORECASE:
            raise _NoReading
        flags = ("i" if add_flags else "") + ("-i" if del_flags else "")
        return f"(?{flags}:{_sequence(list(inner), state, at_end)})"
    if op is _c.ATOMIC_GROUP:
        return f"(?:{_sequence(list(argument), state, at_end)})"
    if op in (_c.MAX_REPEAT, _c.MIN_REPEAT, _c.POSSESSIVE_REPEAT):
        least, most, inner = argument
        if at_end:
            most = least  # the fewest repeats the match can end with
        bound = (f"{{{least}}}" if most == least else f"{{{least},}}" if most is _c.MAXREPEAT
                 else f"{{{least},{most}}}")
        return f"(?:{_sequence(list(inner), state, False)}){bound}"
    if op is _c.AT and argument in _ANCHORS:
        return _ANCHORS[argument]
    if op in (_c.ASSERT, _c.ASSERT_NOT):
        return ""  # a lookaround only narrows the matches
    raise _NoReading


def _character(code: int) -> str:
    character = chr(code)
    return character if character.isascii() and character.isalnum() else f"\\x{{{code:x}}}"


def _class(members: list[tuple[Any, Any]]) -> str:
    written = []
    for op, argument in members:
        if op is _c.NEGATE:
            written.append("^")
        elif op is _c.LITERAL:
            written.append(_character(argument))
        elif op is _c.RANGE:
            written.append(f"{_character(argument[0])}-{_character(argument[1])}")
        elif op is _c.CATEGORY and argument in _CATEGORIES:
            written.append(_CATEGORIES[argument])
        else:
            raise _NoReading
    return f"[{''.join(written)}]"


if _c is not None:
    # Each line is matched alone: the text's edges are the line's.
    _ANCHORS = {_c.AT_BOUNDARY: r"\b", _c.AT_NON_BOUNDARY: r"\B", _c.AT_BEGINNING: "^",
                _c.AT_BEGINNING_LINE: "^", _c.AT_BEGINNING_STRING: "^", _c.AT_END: "$",
                _c.AT_END_LINE: "$", _c.AT_END_STRING: "$"}
    _CATEGORIES = {_c.CATEGORY_DIGIT: r"\d", _c.CATEGORY_NOT_DIGIT: r"\D", _c.CATEGORY_SPACE: r"\s",
                   _c.CATEGORY_NOT_SPACE: r"\S", _c.CATEGORY_WORD: r"\w", _c.CATEGORY_NOT_WORD: r"\W"}


# The register of every pattern made, as Hyperscan reads it, in order: (expression, ignoring
# case) → id. Patterns read alike share an id.
_REGISTER: dict[tuple[str, bool], int] = {}


def _register(expression: str, ignoring_case: bool) -> int:
    """The id of an expression in the register (an expression registered before keeps its id)."""
    return _REGISTER.setdefault((expression, ignoring_case), len(_REGISTER))


def registered() -> list[tuple[str, bool]]:
    """Every registered expression, with whether it ignores case, by id."""
    return list(_REGISTER)
