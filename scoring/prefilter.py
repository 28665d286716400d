"""Which lines of a site each pattern may match, for every pattern at once.

Hyperscan (Intel's engine for matching many regular expressions at once, through the
``hyperscan`` package) reads a site's text once for every registered pattern. Compiled in
prefilter mode, it reports at least every line where a pattern matches: what it cannot check
(lookarounds, back-references) it loosens, never tightens. Python's ``re`` then reads only the
lines reported, and gives every match and verdict, as it would reading every line.

Hyperscan reads ASCII as Python does. Beyond it they differ: Python's ``\\w``, ``\\d``, ``\\s`` and
case folding know every script, Hyperscan's know ASCII (its Unicode mode takes a minute to
compile these patterns). So a line holding a letter, digit or space outside ASCII is blind to
the prefilter: ``re`` reads it for every pattern.

Compiling the patterns takes a second or two: the compiled database is kept in the user's cache
directory, under a name that changes with the patterns and the Hyperscan version.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import platform
import re
import threading
from bisect import bisect_right
from collections.abc import Iterable
from itertools import accumulate
from pathlib import Path

import hyperscan

from scoring.patterns import registered

logger = logging.getLogger(__name__)

_FLAGS = hyperscan.HS_FLAG_PREFILTER | hyperscan.HS_FLAG_UTF8 | hyperscan.HS_FLAG_MULTILINE
# Characters beyond ASCII, and the ASCII separators \x1c-\x1f (space to Python).
_UNUSUAL = re.compile(r"[^\x00-\x1b\x20-\x7f]")


class Database:
    """The registered patterns compiled together; ``lines`` scans a text with all of them.

    ``previous``: the database of the patterns registered before, whose refusals are known.
    """

    def __init__(self, expressions: list[tuple[str, bool]], previous: Database | None = None) -> None:
        self.size = len(expressions)
        # Patterns Hyperscan refused: they may match any line.
        self.unreadable, self._database = _load_or_compile(expressions, previous)
        self._scratch = threading.local()  # scratch space is per thread

    def lines(self, data: bytes, line_starts: list[int]) -> list[set[int]]:
        """For each pattern id, the lines of ``data`` (UTF-8, lines separated by newlines and
        starting at the byte offsets ``line_starts``) where it may match."""
        found: list[set[int]] = [set() for _ in range(self.size)]
        if self._database is None:
            return found

        # A match ending at byte ``end`` (exclusive) ends in the line starting at or before it.
        def on_match(pattern_id: int, start: int, end: int, flags: int, context: object) -> None:
            found[pattern_id].add(bisect_right(line_starts, end) - 1)

        self._database.scan(data, match_event_handler=on_match, scratch=self._scratch_space())
        return found

    def _scratch_space(self) -> hyperscan.Scratch:
        scratch = getattr(self._scratch, "space", None)
        if scratch is None:
            scratch = self._scratch.space = hyperscan.Scratch(self._database)
        return scratch


class Report:
    """Where each registered pattern may match among a site's lines, from one scan of them."""

    def __init__(self, lines: list[str]) -> None:
        joined = "\n".join(lines)
        starts = _starts(map(len, lines))
        blind = blind_characters(joined)
        # Lines the prefilter cannot read: every pattern may match there.
        self._blind = set() if blind is None else set(_lines_matching(blind, joined, starts))
        if joined.isascii():
            data = joined.encode("ascii")
        else:
            # Lone surrogates (on blind lines) are no UTF-8: each is read as "?".
            data = joined.encode("utf-8", "replace")
            starts = _starts(map(len, data.split(b"\n")))
        scanned = database()
        self.size = scanned.size  # the patterns it knows: those registered when it was made
        self._unreadable = scanned.unreadable
        self._lines = scanned.lines(data, starts)
        self._candidates: dict[int, set[int]] = {}

    def candidates(self, pattern_id: int) -> set[int] | None:
        """Ids of the only lines where the pattern can match (None: any line can)."""
        if pattern_id in self._unreadable:
            return None
        found = self._candidates.get(pattern_id)
        if found is None:
            found = self._candidates[pattern_id] = self._lines[pattern_id] | self._blind
        return found


def blind_characters(text: str) -> re.Pattern[str] | None:
    """A class of the characters of ``text`` that Python and Hyperscan read differently (None if
    there are none): the letters, digits and spaces beyond ASCII, the ASCII separators Python
    counts as space, and lone surrogates (no UTF-8). Other signs beyond ASCII (’ “ – €) are
    read alike."""
    blind = sorted(character for character in set(_UNUSUAL.findall(text))
                   if character.isalnum() or character.isspace() or "\ud800" <= character <= "\udfff")
    return re.compile(f"[{''.join(map(re.escape, blind))}]") if blind else None


_PLUS_ONE = (1).__add__


def _starts(lengths: Iterable[int]) -> list[int]:
    """Where each line starts in the lines joined by newlines, from their lengths (in C)."""
    starts = list(accumulate(map(_PLUS_ONE, lengths), initial=0))
    starts.pop()  # where a line after the last would start
    return starts


def _lines_matching(regex: re.Pattern[str], joined: str, starts: list[int]) -> list[int]:
    """Ids of the lines where a regular expression that cannot match a line break matches."""
    found: list[int] = []
    match = regex.search(joined)
    while match is not None:
        line_id = bisect_right(starts, match.start()) - 1
        found.append(line_id)
        if line_id + 1 >= len(starts):
            break
        match = regex.search(joined, starts[line_id + 1])  # one match a line is enough
    return found


_CACHED_DATABASES = 8
_database: Database | None = None
_building = threading.Lock()


def database() -> Database:
    """The database of every pattern registered so far (compiled again when one was added)."""
    global _database
    with _building:
        expressions = registered()
        if _database is None or _database.size != len(expressions):
            _database = Database(expressions, _database)
        return _database


def _load_or_compile(expressions: list[tuple[str, bool]],
                     previous: Database | None) -> tuple[frozenset[int], hyperscan.Database | None]:
    key = json.dumps([hyperscan.__version__, platform.machine(), _FLAGS, expressions])
    path = _cache_directory() / f"prefilter-{hashlib.sha256(key.encode()).hexdigest()[:24]}.hsdb"
    try:
        header, blob = path.read_bytes().split(b"\n", 1)
        unreadable = frozenset(json.loads(header))
        return unreadable, hyperscan.loadb(blob, hyperscan.HS_MODE_BLOCK) if blob else None
    except (OSError, ValueError, hyperscan.error):
        pass  # not cached yet, or cached by another version: compiled again below
    unreadable, compiled = _compile(expressions, previous)
    blob = b"" if compiled is None else hyperscan.dumpb(compiled)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(f".{os.getpid()}.partial")
        partial.write_bytes(json.dumps(sorted(unreadable)).encode() + b"\n" + blob)
        partial.replace(path)  # atomic: another process reads the whole file or none
        # Each set of patterns has its own file: the oldest go, as rules change.
        kept = sorted(path.parent.glob("prefilter-*.hsdb"), key=lambda file: file.stat().st_mtime)
        for old in kept[:-_CACHED_DATABASES]:
            old.unlink(missing_ok=True)
    except OSError as error:
        logger.debug("prefilter database not cached: %s", error)
    return unreadable, compiled


def _compile(expressions: list[tuple[str, bool]],
             previous: Database | None) -> tuple[frozenset[int], hyperscan.Database | None]:
    """The database of the expressions Hyperscan accepts, and the ids of those it refuses."""
    refused = set() if previous is None else set(previous.unreadable)
    ids = [i for i in range(len(expressions)) if i not in refused]
    try:
        return frozenset(refused), _compiled(expressions, ids)
    except hyperscan.error:
        pass
    # Hyperscan does not say which one it refuses: those added since the previous database
    # first (the others compiled then), else each one.
    added_since = 0 if previous is None else previous.size
    for suspects in ([i for i in ids if i >= added_since], ids):
        refused.update(i for i in suspects if not _accepts(expressions[i]))
        accepted = [i for i in ids if i not in refused]
        try:
            compiled = _compiled(expressions, accepted) if accepted else None
        except hyperscan.error:
            continue
        logger.warning("the prefilter cannot read %d pattern(s); they are run on every line: %s",
                       len(refused), [expressions[i][0] for i in sorted(refused)])
        return frozenset(refused), compiled
    return frozenset(ids), None  # refused together, though each alone is not: none prefiltered


def _accepts(expression: tuple[str, bool]) -> bool:
    try:
        _compiled([expression], [0])
    except hyperscan.error:
        return False
    return True


def _compiled(expressions: list[tuple[str, bool]], ids: list[int]) -> hyperscan.Database:
    database = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
    database.compile(
        expressions=[expressions[i][0].encode() for i in ids],
        ids=ids,
        flags=[_FLAGS | hyperscan.HS_FLAG_CASELESS if expressions[i][1] else _FLAGS for i in ids],
    )
    return database


def _cache_directory() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "clinicscout"
