"""The practitioners a clinic's site names, with their credentials and role. Pure: pages in.

Three ways a site names someone, each a pattern over the sentences of the page text:
  - a name followed by credentials: "Caroline Whitt, MSN, FNP-C", "Ashley Burke, RN",
    "Tess Nakamura, Licensed Esthetician";
  - a doctor's title: "Dr. Priya Raman", "Dra. Mariana Peña Ibáñez";
  - a name followed by what the person is: "Kayla Moreno is a licensed esthetician".
Only full names count (first and last): "Dr. Raman" alone cannot be looked up anywhere. The
mentions of one person across pages merge into one practitioner; the quote is the sentence of
the page text that names them (an exact substring, as for verdicts).

A mention lies within one line (block): each distinct line of a site is read once, however
many pages show it, and only the lines where a pattern can match are read with it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple

from scoring.pages import Page
from scoring.patterns import Pattern
from scoring.site import SiteText

_UPPER = "A-ZÀ-ÖØ-Þ"
_LOWER = "a-zß-öø-ÿ"
_WORD = rf"[{_UPPER}][{_LOWER}]+(?:[-'’][{_UPPER}]?[{_LOWER}]+)*"
_GAP = r"[^\S\n]+"  # spaces within a line: a mention never spans two blocks of text
_NAME = rf"{_WORD}(?:{_GAP}[{_UPPER}]\.)?(?:{_GAP}{_WORD}){{1,2}}"

# Credentials as clinics print them after a name (case-sensitive: "DO" is a credential, "do" not).
_CREDENTIAL = (
    r"M\.?D\.?|D\.?O\.?|FAAD|FACS|FAACS|Ph\.?D\.?|DNP|MSN|BSN|APRN|ARNP|FNP-BC|FNP-C|FNP|AGNP-C"
    r"|ANP-BC|NP-C|NP|PA-C|PA|RN|RGN|LPN|LVN|CNS|CANS|MBBS|MBChB|FRCS|LE"
    r"|[Ll]icensed (?:[Mm]edical )?[Aa]?[Ee]sthetician"
)
_CREDENTIAL_RE = re.compile(_CREDENTIAL)
_CREDENTIALS = rf"(?:{_CREDENTIAL})(?:(?:(?:{_GAP})?,(?:{_GAP})?|{_GAP})(?:{_CREDENTIAL}))*"
_ROLE_WORDS = (
    rf"(?:(?:board[- ]certified|certified|licensed|registered|medical|family|aesthetic|cosmetic"
    rf"|facial){_GAP})*"
    r"(?:dermatologist|plastic surgeon|surgeon|physician assistant|physician|nurse practitioner"
    r"|nurse injector|nurse prescriber|nurse|a?esthetician|medical director)"
)

# Without a comma only a plain abbreviation follows a name ("Eleanor Pryce RGN"): "Obagi
# Clenziderm M.D." is a product.
_WITH_CREDENTIALS = Pattern(
    rf"(?P<name>{_NAME})(?:(?:{_GAP})?,(?:{_GAP})?|{_GAP}(?=[A-Z]{{2,}}\b))(?P<credentials>{_CREDENTIALS})(?![\w-])",
    case_sensitive=True,
)
# "\bDr" written to begin with the literal "Dr", which the regular expression engine skips ahead
# to (the lookbehind then checks what \b would): a leading \b makes it try every position.
_DOCTOR = Pattern(rf"Dr(?<!\wDr)a?\.{_GAP}(?P<name>{_NAME})", case_sensitive=True)
_IS_A = Pattern(rf"(?P<name>{_NAME}),?{_GAP}(?:is|was){_GAP}(?:a|an|our){_GAP}(?P<role>(?i:{_ROLE_WORDS}))\b",
                case_sensitive=True)
_PATTERNS = (_WITH_CREDENTIALS, _DOCTOR, _IS_A)  # in order of trust within one sentence
# Role phrases next to a name: ", a board-certified dermatologist" or "is a ... dermatologist".
_ROLE_NEARBY = re.compile(rf"^,?\s*(?:(?:is|was|serves as)\s+)?(?:a|an|our)?\s*(?P<role>{_ROLE_WORDS})\b",
                          re.IGNORECASE)
_ROLE_IN_SENTENCE = re.compile(
    r"board[- ]certified (?:family |cosmetic )?(?:dermatologist|plastic surgeon|physician|nurse practitioner)"
    r"|American Board of (?:Plastic Surgery|Dermatology)",
    re.IGNORECASE,
)
# Capitalised words that start sentences or headings but are no one's name.
_NOT_NAMES = frozenset({
    "about", "meet", "our", "the", "with", "by", "and", "or", "for", "from", "at", "in", "of",
    "to", "your", "founder", "owner", "dr", "dra", "mr", "mrs", "ms", "medical", "director",
    "clinic", "skin", "spa", "studio", "institute", "dermatology", "aesthetics", "center",
    "centre", "team", "board", "certified", "licensed", "registered", "nurse", "physician",
    "treatment", "treatments", "microneedling", "monday", "tuesday", "wednesday", "thursday",
    "friday", "saturday", "sunday", "street", "avenue", "road", "suite", "book", "call",
})

# Role from credentials when the sentence says nothing more specific, most specific first.
_ROLE_BY_CREDENTIAL = (
    (re.compile(r"^(?:M\.?D\.?|D\.?O\.?|MBBS|MBChB)$"), "physician"),
    (re.compile(r"^(?:FNP.*|NP.*|AGNP-C|ANP-BC|APRN|ARNP|DNP)$"), "nurse practitioner"),
    (re.compile(r"^PA(?:-C)?$"), "physician assistant"),
    (re.compile(r"^(?:RN|RGN|LPN|LVN|BSN|MSN)$"), "nurse"),
    (re.compile(r"esthetician|^LE$", re.IGNORECASE), "esthetician"),
)


@dataclass(frozen=True)
class Practitioner:
    name: str
    credentials: tuple[str, ...]
    role: str | None
    page_url: str
    quote: str

    @property
    def credentials_text(self) -> str:
        return ", ".join(self.credentials)


class _Said(NamedTuple):
    """A mention as its sentence makes it, whichever pages show that sentence."""

    key: str  # name_key(name)
    name: str
    credentials: list[str]
    role: str | None
    quote: str


class _Mention(NamedTuple):  # a _Said on one page of the many that may show it
    said: _Said
    page_url: str
    order: tuple[str, int]  # the page, then the sentence's rank among the page's naming ones


def extract_practitioners(pages: Iterable[Page]) -> tuple[Practitioner, ...]:
    """Everyone the pages name with a full name and a credential, title or clinical role."""
    return site_practitioners(SiteText(pages))


def site_practitioners(site: SiteText) -> tuple[Practitioner, ...]:
    """Everyone a site's pages name with a full name and a credential, title or clinical role."""
    said = _said_by_line(site)
    by_person: dict[str, list[_Mention]] = {}
    for page in sorted({page for line in said for page in site.line_pages[line]}):
        url = site.pages[page].page.url
        position = 0
        for line in site.pages[page].lines:
            # A sentence naming someone takes its rank on the page even if no name in it counts.
            for sentence in said.get(line, ()):
                for mention in sentence:
                    by_person.setdefault(mention.key, []).append(_Mention(mention, url, (url, position)))
                position += 1
    return tuple(_merge(by_person[key]) for key in sorted(by_person))


def name_key(name: str) -> str:
    """A name without accents, case or extra spaces: how mentions of one person are matched."""
    folded = unicodedata.normalize("NFKD", name)
    if not folded.isascii():  # no ASCII character combines: only other names are read letter by letter
        folded = "".join(c for c in folded if not unicodedata.combining(c))
    return " ".join(re.sub(r"[^\w\s-]", " ", folded).lower().split())


# A line's sentences that name someone: (start, end) of the sentence in the line → the patterns'
# matches within it, as (rank, match).
_Hits = dict[tuple[int, int], list[tuple[int, re.Match[str]]]]


def _line_hits(site: SiteText) -> dict[int, _Hits]:
    """The sentences naming someone, of each distinct line that has one."""
    found: dict[int, _Hits] = {}
    for rank, pattern in enumerate(_PATTERNS):
        for line, match in site.find(pattern):
            start, end, _ = site.sentences(line)[site.sentence_at(line, match.start())]
            if start <= match.start() and match.end() <= end:
                found.setdefault(line, {}).setdefault((start, end), []).append((rank, match))
    return found


def _said_by_line(site: SiteText) -> dict[int, list[tuple[_Said, ...]]]:
    """For each line with a sentence naming someone, the mentions of each such sentence in line
    order. A footer or a team block is on many pages: each sentence is read once, here."""
    said: dict[int, list[tuple[_Said, ...]]] = {}
    for line, sentences in _line_hits(site).items():
        text = site.lines[line]
        said[line] = [tuple(_said_in(text, start, end, line_hits))
                      for (start, end), line_hits in sorted(sentences.items())]
    return said


def _said_in(line: str, start: int, end: int,
             line_hits: list[tuple[int, re.Match[str]]]) -> Iterable[_Said]:
    """The mentions of one sentence: its first pattern to name a person describes them."""
    text = line[start:end]
    seen: set[str] = set()
    for rank, match in sorted(line_hits, key=lambda hit: (hit[0], hit[1].start())):
        name = _clean_name(match["name"])
        if name is None or (key := name_key(name)) in seen:
            continue
        seen.add(key)
        credentials = _split_credentials(match.groupdict().get("credentials") or "")
        if _PATTERNS[rank] is _DOCTOR and not credentials:
            credentials = ["Dr."]
        role = _role(match, line[match.end():end], text, credentials)
        yield _Said(key, name, credentials, role, text)


def _clean_name(raw: str) -> str | None:
    words = raw.split()
    while words and words[0].lower().rstrip(".") in _NOT_NAMES:
        words = words[1:]
    if len(words) < 2 or any(w.lower().rstrip(".") in _NOT_NAMES for w in words):
        return None
    return " ".join(words)


def _split_credentials(text: str) -> list[str]:
    # "MD." at the end of a sentence is "MD"; "M.D." keeps its dots.
    found = [m.group(0) for m in _CREDENTIAL_RE.finditer(text)]
    return [c if "." in c[:-1] else c.rstrip(".") for c in found]


def _role(match: re.Match[str], after: str, sentence: str, credentials: list[str]) -> str | None:
    if "role" in match.groupdict() and match["role"]:
        return _normalise_role(match["role"])
    nearby = _ROLE_NEARBY.match(after)
    if nearby:
        return _normalise_role(nearby["role"])
    in_sentence = _ROLE_IN_SENTENCE.search(sentence)
    if in_sentence and credentials and _credential_role(credentials) in (None, "physician"):
        phrase = in_sentence.group(0).lower()
        if "american board of plastic surgery" in phrase:
            return "plastic surgeon"
        if "american board of dermatology" in phrase:
            return "dermatologist"
        return _normalise_role(phrase)
    return _credential_role(credentials)


def _credential_role(credentials: list[str]) -> str | None:
    for pattern, role in _ROLE_BY_CREDENTIAL:
        if any(pattern.search(c) for c in credentials):
            return role
    return None


def _normalise_role(phrase: str) -> str:
    words = phrase.lower().replace("-", " ").split()
    core = " ".join(w for w in words if w not in {"board", "certified", "licensed", "registered"})
    core = core.replace("aesthetician", "esthetician")
    return core or phrase.lower()


def _merge(mentions: list[_Mention]) -> Practitioner:
    # The richest mention (most credentials, then a role) gives the quote; credentials and the
    # most specific role are gathered from all of them.
    mentions = sorted(mentions, key=lambda m: m.order)
    best = max(mentions, key=lambda m: (len(m.said.credentials), m.said.role is not None))  # first of ties
    credentials: list[str] = []
    for mention in mentions:
        credentials.extend(c for c in mention.said.credentials if c not in credentials and c != "Dr.")
    if not credentials and any("Dr." in m.said.credentials for m in mentions):
        credentials = ["Dr."]
    roles = [m.said.role for m in mentions if m.said.role]
    role = max(roles, key=_specificity) if roles else None
    return Practitioner(best.said.name, tuple(credentials), role, best.page_url, best.said.quote)


def _specificity(role: str) -> int:
    generic = {"nurse": 0, "physician": 1, "medical director": 1, "esthetician": 2}
    return generic.get(role, 3)

