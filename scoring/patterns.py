"""Regular expressions that skip the text they cannot match.

Scanning a whole site with one regular expression per rule is what made scoring slow: Python's
``re`` cannot skip ahead for a pattern that starts with ``\\b`` or an alternation. But almost
every rule contains literal words ("numb", "serum", "sterili"). ``cues`` reads them out of the
pattern: a set of lowercase strings of which every match must contain one. The scorer looks
for those with ``str.find`` (fast) and runs the regular expression only on the lines that hold
one. A pattern without usable cues is simply run on every line: cues change the speed, never
the result.

A cue that the pattern puts right after ``\\b`` is written ``\\bcue``: it starts a word, and a line
that holds its letters only inside words ("est" in "interest") cannot match there.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

# The parser behind ``re`` (public as ``sre_parse`` before Python 3.11). Should a future Python
# change it, cues() returns None and patterns are run on every line, as correct and slower.
try:
    from re import _constants as _c
    from re import _parser as _p
except ImportError:  # pragma: no cover - depends on the Python version
    _c = _p = None
# \b, ^, $ and lookarounds: they match between characters, so a match's literals around them
# are adjacent in the text.
_ZERO_WIDTH = () if _c is None else (_c.AT, _c.ASSERT, _c.ASSERT_NOT)

_MIN_CUE = 2  # shorter literals (a comma, one letter) would select nearly every line
# The mark of a cue that starts a word, as the pattern wrote it. No cue holds a backslash of its
# own (see _spellings), so the mark is never text.
WORD_START = "\\b"
_MAX_SPELLINGS = 16  # more spellings of a run cost more look-ups than they save


def _parse(pattern: str, flags: int) -> list[tuple[Any, Any]] | None:
    """The pattern's items as Python's parser reads them; None if it cannot (then there are no
    cues or openings, and the pattern is simply run on every line)."""
    if _p is None:
        return None
    try:
        return list(_p.parse(pattern, flags))
    except Exception:  # noqa: BLE001 - any parser surprise means: scan every line
        return None


def cues(pattern: str, flags: int = 0) -> tuple[frozenset[str], ...] | None:
    """Sets of strings such that every match of ``pattern`` contains one string of each set, or
    None; casefolded when the pattern ignores case; the most selective set first.
    ``micro[\\s-]?needl`` gives ({"micro"}, {"needl"}): a line must hold both to be worth the
    regular expression."""
    parsed = _parse(pattern, flags)
    if parsed is None:
        return None
    return _ranked(_options(parsed, _folder(flags))) or None


def branch_cues(pattern: str, flags: int = 0) -> tuple[tuple[frozenset[str], ...], ...] | None:
    """For a pattern that is one alternation, the cue sets of each branch, as ``cues`` gives
    them for a pattern of its own; None if it is not one, or one branch has no cues (every line
    can then match it). ``\\b(?:\\d+\\s*weeks?\\s+apart|every\\s+\\d+\\s+months)`` gives
    (({"apart"}, {"week"}), ({"months"}, {"\\bevery"}))."""
    parsed = _parse(pattern, flags)
    if parsed is None:
        return None
    fold = _folder(flags)
    word_start = False
    # Python's parser moves a \b that every branch starts with out of the alternation.
    if parsed and parsed[0] == (_c.AT, _c.AT_BOUNDARY):
        word_start, parsed = True, parsed[1:]
    if len(parsed) != 1 or parsed[0][0] is not _c.BRANCH:
        return None
    found = []
    for branch in parsed[0][1][1]:
        options = _options(list(branch), fold, word_start)
        if not options:
            return None
        found.append(_ranked(options))
    return tuple(found)


def _folder(flags: int) -> Any:
    """How the pattern's letters are read: casefolded when it ignores case."""
    return str.casefold if flags & re.IGNORECASE else str


def _ranked(options: list[set[str]]) -> tuple[frozenset[str], ...]:
    """The distinct cue sets of a sequence's options, each without its covered cues, the most
    selective first."""
    return tuple(sorted({frozenset(_uncovered(option)) for option in options},
                        key=lambda option: (_selectivity(option), sorted(option))))


def _uncovered(cue_set: set[str]) -> set[str]:
    """The cues of a set that no other of its cues covers: "week" covers "weeks" (a line
    holding one holds the other), a cue anywhere covers the same letters at a word's start."""
    def covers(cue: str, other: str) -> bool:
        if cue == plain(cue):
            return plain(cue) in plain(other)
        return other != plain(other) and plain(other).startswith(plain(cue))
    return {other for other in cue_set if not any(cue != other and covers(cue, other) for cue in cue_set)}


def plain(cue: str) -> str:
    """The letters of a cue, wherever they stand in a word."""
    return cue[len(WORD_START):] if cue.startswith(WORD_START) else cue


def within_word(cue: str) -> bool:
    """A cue without a space of any kind: it lies within one word, where a site's word index
    finds it."""
    return cue.split() == [cue]


def is_word_character(character: str) -> bool:
    """What ``\\w`` matches in a str pattern, so what ``\\b`` stands between."""
    return character.isalnum() or character == "_"


# Words on most lines of a clinic's site: the worst cues, whatever their length.
_EVERYWHERE = frozenset({"skin", "treatment", "treatments"})


def _selectivity(cue_set: set[str]) -> tuple[bool, int, int]:
    """Sort key, most selective first: no word that is everywhere, then the longer its shortest
    cue, then the fewer cues, the fewer lines a cue set is likely to select ("medical" before
    "or", "exam" before "skin")."""
    letters = [plain(cue) for cue in cue_set]
    return bool(_EVERYWHERE.intersection(letters)), -min(map(len, letters)), len(cue_set)


def _sequence(items: list[tuple[Any, Any]], fold: Any, word_start: bool = False) -> set[str] | None:
    """Best cue set of a sequence (one that starts a word, when ``word_start``): the most
    selective of its options."""
    options = _options(items, fold, word_start)
    if not options:
        return None
    return min(options, key=_selectivity)


def _options(items: list[tuple[Any, Any]], fold: Any, word_start: bool = False) -> list[set[str]]:
    """Every cue set of a sequence: each literal run, and each required group, must occur.

    A run goes on through a few spellings ("numb" then "(?:ing|ed)?" is numb, numbing or numbed;
    "F" then "(?:AAD|ACS)" is FAAD or FACS) and through zero-width assertions (\\b): the longer
    the cue, the fewer lines it selects. Python's parser factors what branches share out of an
    alternation ("F(?:AAD|ACS)" reads as "FA(?:AD|CS)"), so the short run "fa" alone says little.
    """
    options: list[set[str]] = []
    run = {""}  # the spellings of the literal run so far
    lone_class = False  # the run is one class of characters ("[$£€]"): rare symbols are cues
    at_word_start = word_start  # the run starts right after \b

    def end_run() -> None:
        nonlocal run, lone_class, at_word_start
        if min(map(len, run)) >= _MIN_CUE or lone_class:
            options.append(_cue_set(run, at_word_start))
        run, lone_class, at_word_start = {""}, False, False

    for op, argument in items:
        if op in _ZERO_WIDTH:
            if op is _c.AT and argument is _c.AT_BOUNDARY and run == {""}:
                at_word_start = True
            continue  # consumes nothing: the literals around it stay one run
        spellings = _spellings([(op, argument)], fold)
        if spellings is not None and len(run) * len(spellings) <= _MAX_SPELLINGS:
            lone_class = run == {""} and op is _c.IN
            run = {before + after for before in run for after in spellings}
            continue
        starts_word = at_word_start and run == {""}  # nothing read since the \b
        end_run()
        if spellings is not None:  # too many spellings to go on: a run of its own
            run, lone_class, at_word_start = spellings, op is _c.IN, starts_word
            continue
        if op is _c.BRANCH:
            options.extend(_branches(argument[1], fold, starts_word))
            continue
        if op is _c.SUBPATTERN:
            inner = _sequence(list(argument[-1]), fold, starts_word)
        elif op in (_c.MAX_REPEAT, _c.MIN_REPEAT) and argument[0] >= 1:
            inner = _sequence(list(argument[2]), fold, starts_word)
        elif op is _c.IN and all(kind is _c.LITERAL for kind, _ in argument):
            inner = {fold(chr(code)) for _, code in argument}
        else:
            inner = None
        if inner:
            options.append(inner)
    end_run()
    return options


def _cue_set(run: set[str], word_start: bool) -> set[str]:
    """The cues of a literal run's spellings, marked when the run starts a word (each spelling
    then begins with a word character, which \\b sets apart from the character before it)."""
    if word_start and all(is_word_character(spelling[0]) for spelling in run):
        # A spelling that begins with another adds no line: "numb" covers "numbing".
        return {WORD_START + s for s in run if not any(o != s and s.startswith(o) for o in run)}
    # A spelling that contains another adds no line.
    return {s for s in run if not any(o != s and o in s for o in run)}


def _spellings(items: list[tuple[Any, Any]], fold: Any) -> set[str] | None:
    """Every string a sequence of literals, literal alternations and optional parts can match,
    when there are few (``(?:ing|ed)?`` → {"ing", "ed", ""}); else None."""
    found = {""}
    for op, argument in items:
        part: set[str] | None
        if op is _c.LITERAL or (op is _c.IN and all(kind is _c.LITERAL for kind, _ in argument)):
            characters = [chr(argument)] if op is _c.LITERAL else [chr(code) for _, code in argument]
            if "\\" in characters:
                return None  # no cue holds a backslash: it would read as the word-start mark
            part = {fold(character) for character in characters}
        elif op is _c.SUBPATTERN:
            part = _spellings(list(argument[-1]), fold)
        elif op is _c.BRANCH:
            part = set()
            for branch in argument[1]:
                spelled = _spellings(list(branch), fold)
                if spelled is None:
                    return None
                part |= spelled
        elif op in (_c.MAX_REPEAT, _c.MIN_REPEAT) and argument[:2] == (0, 1):
            optional = _spellings(list(argument[2]), fold)
            part = None if optional is None else optional | {""}
        elif op in _ZERO_WIDTH:
            continue
        else:
            return None
        if part is None or len(found) * len(part) > _MAX_SPELLINGS:
            return None
        found = {before + after for before in found for after in part}
    return found


def openings(pattern: str, flags: int = 0) -> frozenset[str] | None:
    """The strings (casefolded when the pattern ignores case) that every match of ``pattern``
    starts with, or None: ``\\b(?:serums?|masks?)\\b`` gives {"serum", "mask"}. A match can then
    only be where one of them stands."""
    parsed = _parse(pattern, flags)
    if parsed is None:
        return None
    found = _openings(parsed, _folder(flags))
    # A letter alone stands everywhere: then scanning the line is as fast.
    return frozenset(found) if found and min(map(len, found)) >= _MIN_CUE else None


def _openings(items: list[tuple[Any, Any]], fold: Any) -> set[str] | None:
    """The strings a sequence's matches start with: the spellings of its leading literal run,
    else those of each branch of its leading alternation."""
    consuming = [(op, argument) for op, argument in items if op not in _ZERO_WIDTH]
    if not consuming:
        return None
    run = {""}
    for item in consuming:
        spellings = _spellings([item], fold)
        if spellings is None or len(run) * len(spellings) > _MAX_SPELLINGS:
            break
        run = {before + after for before in run for after in spellings}
    if run != {""}:
        # A spelling that begins with another adds no place: "numb" covers "numbing".
        return {s for s in run if not any(o != s and s.startswith(o) for o in run)}
    op, argument = consuming[0]
    if op is _c.SUBPATTERN:
        return _openings(list(argument[-1]), fold)
    if op is _c.BRANCH:
        found: set[str] = set()
        for branch in argument[1]:
            inner = _openings(list(branch), fold)
            if not inner:
                return None  # a branch that can start anywhere
            found |= inner
        return found
    return None


def _branches(branches: list[Any], fold: Any, word_start: bool = False) -> list[set[str]]:
    """Cue sets every match of an alternation meets: the branches' best sets joined, and the
    branches' sets that are alike joined: "week" or "month" of ``\\d+ weeks apart|every \\d+
    months|monthly sessions``, where the best sets, "apart", "every" and "sessions", join into a
    set of common words."""
    per_branch = []
    for branch in branches:
        options = _options(list(branch), fold, word_start)
        if not options:
            return []  # one branch can match without any literal
        per_branch.append(options)
    joined = [set().union(*(min(options, key=_selectivity) for options in per_branch))]
    for seed in per_branch[0]:
        alike = set().union(*(
            min(options, key=lambda option: (not _alike(seed, option), _selectivity(option)))
            for options in per_branch))
        if alike not in joined and not _EVERYWHERE.intersection(map(plain, alike)):
            joined.append(alike)
    return joined


def _alike(one: set[str], other: set[str]) -> bool:
    """Whether two cue sets share letters ("week" and "weeks", "month" and "monthly")."""
    return any(a in b or b in a for a in map(plain, one) for b in map(plain, other))


class _Lexicon:
    """The cues of every pattern, and which of them a word contains.

    A site is searched for its words' cues rather than for each cue across its words. Sites share
    most of their words ("skin", "treatment", "the"), so what a word contains is remembered from
    site to site, within a bound. A word not seen before is read by one regular expression: the
    cues' letters as a tree of alternatives, which finds in C where cues start and the longest
    one starting there; the shorter cues starting there are that one's beginnings.
    """

    _REMEMBERED = 200_000  # words; the memory of a few megabytes

    def __init__(self) -> None:
        # A cue's letters → the cues spelled so (anywhere in a word, or where a word starts).
        self._cues_of: dict[str, list[tuple[str, bool]]] = {}
        self._contained: dict[str, tuple[str, ...]] = {}
        self._starts: re.Pattern[str] | None = None  # built when a word is first read
        # The letters of the longest cue starting somewhere → the cues starting there.
        self._starting_with: dict[str, tuple[tuple[str, bool], ...]] = {}

    def add(self, cue: str) -> None:
        """A cue (casefolded, without spaces, perhaps marked to start a word) that words are
        looked into for."""
        letters = plain(cue)
        cues = self._cues_of.setdefault(letters, [])
        entry = (cue, cue != letters)
        if entry not in cues:
            cues.append(entry)
            # What was remembered or built before this cue was known.
            self._contained.clear()
            self._starting_with.clear()
            self._starts = None

    def cues_in(self, word: str) -> tuple[str, ...]:
        """The known cues that the (casefolded) word contains; a marked cue only where it starts
        a word: at the word's start, or after a character that is not a word character."""
        found = self._contained.get(word)
        if found is None:
            if len(self._contained) >= self._REMEMBERED:
                self._contained.clear()
            found = self._contained[word] = tuple({
                cue for match in self.prepare().finditer(word)
                for cue, word_start in self._cues_starting(match[1])
                if not (word_start and match.start() and is_word_character(word[match.start() - 1]))
            })
        return found

    def prepare(self) -> re.Pattern[str]:
        """The expression that finds where cues start in a word, built once the cues are known."""
        if self._starts is None:
            self._starts = re.compile(f"(?=({_tree(self._cues_of)}))")
        return self._starts

    def _cues_starting(self, longest: str) -> tuple[tuple[str, bool], ...]:
        """The cues whose letters begin ``longest`` (itself included)."""
        found = self._starting_with.get(longest)
        if found is None:
            cues_of = self._cues_of
            found = self._starting_with[longest] = tuple(
                entry for end in range(1, len(longest) + 1) for entry in cues_of.get(longest[:end], ()))
        return found


def _tree(words: Iterable[str]) -> str:
    """A regular expression matching the longest of ``words`` that starts where it is tried
    (each word a path of a tree of letters: the alternatives at a letter begin differently, so
    the greedy ``?`` after a word's end goes on to the longer word whenever one matches)."""
    tree: dict[str, Any] = {}
    for word in words:
        node = tree
        for letter in word:
            node = node.setdefault(letter, {})
        node[""] = {}  # a word ends here

    def alternatives(node: dict[str, Any]) -> str:
        branches = [re.escape(letter) + alternatives(child)
                    for letter, child in sorted(node.items()) if letter]
        if not branches:
            return ""
        joined = branches[0] if len(branches) == 1 else f"(?:{'|'.join(branches)})"
        return f"(?:{joined})?" if "" in node else joined

    return alternatives(tree)


LEXICON = _Lexicon()


# A cue set as a site looks it up: the cues its word index holds (casefolded), and the others
# (a cue with a space, or one whose case counts), looked for in its text.
CueLookup = tuple[tuple[str, ...], tuple[str, ...]]


def _lookups(cue_sets: tuple[frozenset[str], ...], case_sensitive: bool) -> tuple[CueLookup, ...]:
    return tuple(
        (tuple(sorted(cue.casefold() for cue in cue_set if not case_sensitive and within_word(cue))),
         tuple(sorted(cue for cue in cue_set if case_sensitive or not within_word(cue))))
        for cue_set in cue_sets
    )


def _anywhere(cue_sets: tuple[frozenset[str], ...]) -> tuple[frozenset[str], ...]:
    """The same cues, wherever they stand in a word."""
    return tuple(frozenset(map(plain, cue_set)) for cue_set in cue_sets)


class Pattern:
    """A compiled regular expression with the cues that let a scan skip lines."""

    __slots__ = ("anywhere_cues", "anywhere_lookups", "case_sensitive", "cues", "folded", "key",
                 "lookups", "openings", "regex", "source")

    def __init__(self, source: str, case_sensitive: bool = False) -> None:
        flags = 0 if case_sensitive else re.IGNORECASE
        self.source = source
        self.case_sensitive = case_sensitive
        self.key = (source, case_sensitive)  # patterns alike find alike
        # Python's re drops its literal-prefix search for case-insensitive patterns. A pattern
        # that spells its letters in lower case finds the same matches, case-sensitively and
        # faster, in casefolded text that kept its offsets. That text joins a site's lines, so
        # ^ and $ must match at each line's edges (MULTILINE), as they do on a line alone.
        letters = re.sub(r"\\.", "", source)
        self.folded = (re.compile(source, re.MULTILINE)
                       if not case_sensitive and letters == letters.casefold() else None)
        self.regex = re.compile(source, flags)
        # Where a match of the folded pattern can start: one plain alternation of literals, which
        # the regular expression engine skips through far faster than the pattern itself.
        starts = None if self.folded is None else openings(source, flags)
        self.openings = None if starts is None else re.compile(
            "|".join(map(re.escape, sorted(starts))))
        self.cues = cues(source, flags)
        # The same cues, wherever they stand in a word: for reading text whose word starts may
        # differ from the folded site text's (the original letters; a sentence read alone).
        self.anywhere_cues = None if self.cues is None else _anywhere(self.cues)
        # A line can match when it holds the cues of one of these alternatives: the pattern's
        # cues, or those of each branch of a pattern that is one alternation and has no openings.
        # Such a pattern is tried at every character of its lines, so it is worth narrowing them:
        # "week" and "apart", or "every" and "month", rather than any of "week", "every", "apart".
        branches = branch_cues(source, flags) if self.openings is None else None
        alternatives = branches or (None if self.cues is None else (self.cues,))
        anywhere = tuple(map(_anywhere, branches)) if branches else (
            None if self.anywhere_cues is None else (self.anywhere_cues,))
        self.lookups = None if alternatives is None else tuple(
            _lookups(cue_sets, case_sensitive) for cue_sets in alternatives)
        self.anywhere_lookups = None if anywhere is None else tuple(
            _lookups(cue_sets, case_sensitive) for cue_sets in anywhere)
        for cue_sets in (*(alternatives or ()), *(anywhere or ())):
            for cue in (cue for cue_set in cue_sets for cue in cue_set):
                if within_word(cue):  # found through the site's words
                    LEXICON.add(cue.casefold())

    def search(self, text: str) -> bool:
        """Whether the pattern matches in ``text``; on its casefolded letters when they keep
        their offsets and no line break makes ^ and $ differ (the faster twin)."""
        if self.folded is not None and "\n" not in text:
            folded = text.casefold()
            if len(folded) == len(text):
                return self.folded.search(folded) is not None
        return self.regex.search(text) is not None

    def __repr__(self) -> str:
        return f"Pattern({self.source!r})"
