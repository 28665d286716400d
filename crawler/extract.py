"""HTML to what the scorer reads: title, visible text, links, schema.org data, tel: links.

lxml only, and one pass over the tree: this runs on every page, so it stays cheap. The walk is
iterative, so pathologically deep documents cannot exhaust the Python stack; a document nested
deeper than libxml2 accepts is flattened and parsed again rather than cut short.

Bytes are decoded here, in Python, as a browser would: byte order mark, then the Content-Type
charset, then a <meta> declaration, then UTF-8 if the bytes are valid UTF-8, else windows-1252
(the WHATWG default for undeclared Western pages). Invalid bytes become U+FFFD; nothing raises.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote, urljoin

import lxml.etree
import lxml.html
from extruct.jsonld import JsonLdExtractor
from extruct.w3cmicrodata import MicrodataExtractor
from w3lib.encoding import html_to_unicode

logger = logging.getLogger(__name__)

_SKIPPED = frozenset(
    ["script", "style", "noscript", "template", "svg", "math", "iframe", "object", "embed", "canvas", "head", "select", "button", "input", "textarea", "audio", "video", "map"]
)
_BLOCKS = frozenset(
    ["p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "td", "th", "tr", "section", "article", "header", "footer", "nav", "br", "address", "blockquote", "dt", "dd", "figcaption", "label", "pre", "main", "aside", "form", "table", "ul", "ol", "dl", "hr", "caption", "summary", "details", "fieldset", "legend", "figure"]
)
# Only text nobody can reveal is skipped. Content styled display:none is kept: on real sites it
# is the collapsed accordion, the inactive tab, the "read more" of a post that a patient opens.
_HIDDEN_STYLE = re.compile(r"visibility\s*:\s*hidden", re.IGNORECASE)
_SPACE = re.compile(r"\s+")
_MAX_LINKS = 2000
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*>")
# Characters lxml refuses in a string: C0 controls other than tab and newlines, and lone surrogates.
_UNPARSEABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# In the flattened fallback, these keep their tags; every other tag becomes a line break or nothing.
_FLAT_KEEP = frozenset(["a", "title", "script", "style", "noscript", "template", "head", "meta", "base",
                        "html", "body"])
_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9:-]*)\b[^>]*>")


@dataclass
class Extracted:
    title: str = ""
    text: str = ""
    links: list[tuple[str, str]] = field(default_factory=list)
    structured: list[dict[str, Any]] = field(default_factory=list)
    tel_links: list[str] = field(default_factory=list)
    structured_errors: int = 0


def decode_html(body: bytes, content_type: str = "") -> str:
    """The text of an HTML body, decoded as a browser would (see the module docstring)."""
    _, text = html_to_unicode(content_type, body, default_encoding="cp1252", auto_detect_fun=_utf8_or_none)
    return text


def _utf8_or_none(body: bytes) -> str | None:
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return "utf-8"


def parse_html(html: str) -> lxml.html.HtmlElement | None:
    html = _UNPARSEABLE.sub("", _XML_DECLARATION.sub("", html, count=1))
    if not html.strip():
        return None
    parser = lxml.html.HTMLParser(remove_comments=True, huge_tree=False)
    root = _parse(html, parser)
    if any("Excessive depth" in error.message for error in parser.error_log):
        root = _parse(_flatten(html), lxml.html.HTMLParser(remove_comments=True))
    return root


def _parse(html: str, parser: lxml.html.HTMLParser) -> lxml.html.HtmlElement | None:
    try:
        root = lxml.html.fromstring(html, parser=parser)
    except (lxml.etree.ParserError, ValueError):
        return None
    return root if isinstance(root, lxml.html.HtmlElement) else None


def _flatten(html: str) -> str:
    """The document without nesting: block tags become <br>, inline tags disappear."""
    def replace(match: re.Match[str]) -> str:
        tag = match.group(2).lower()
        if tag in _FLAT_KEEP:
            return match.group(0)
        return "<br>" if tag in _BLOCKS else ""
    return _TAG.sub(replace, html)


def extract(body: bytes, url: str, content_type: str = "") -> Extracted:
    root = parse_html(decode_html(body, content_type))
    if root is None:
        return Extracted()
    base = _base_url(root, url)
    result = Extracted(title=_title(root))
    result.text, anchors = _walk(root)
    for href, anchor_text in anchors:
        href = href.strip()
        lowered = href[:12].lower()
        if lowered.startswith("tel:"):
            result.tel_links.append(unquote(href[4:]).strip())
        elif not lowered.startswith(("javascript:", "mailto:", "data:", "#")):
            result.links.append((urljoin(base, href), anchor_text))
    result.structured, result.structured_errors = _structured(root, body, url)
    return result


def _base_url(root: lxml.html.HtmlElement, url: str) -> str:
    for href in root.xpath("//base/@href")[:1]:
        return urljoin(url, href.strip())
    return url


def _title(root: lxml.html.HtmlElement) -> str:
    for title in root.iter("title"):
        return _SPACE.sub(" ", title.text_content()).strip()
    return ""


def _hidden(element: lxml.html.HtmlElement) -> bool:
    attributes = element.attrib
    if "hidden" in attributes or attributes.get("aria-hidden") == "true":
        return True
    style = attributes.get("style")
    return bool(style and _HIDDEN_STYLE.search(style))


def _walk(root: lxml.html.HtmlElement) -> tuple[str, list[tuple[str, str]]]:
    """Visible text with one block per line (repeated blocks kept once), and the <a> links."""
    pieces: list[str] = []
    anchors: list[tuple[str, str]] = []
    open_anchors: list[tuple[str, int]] = []
    skipping = 0
    for event, element in lxml.etree.iterwalk(root, events=("start", "end")):
        tag = element.tag if isinstance(element.tag, str) else ""
        if event == "start":
            if skipping or tag in _SKIPPED or _hidden(element):
                skipping += 1
                continue
            if tag in _BLOCKS:
                pieces.append("\n")
            if tag == "a" and "href" in element.attrib and len(anchors) < _MAX_LINKS:
                open_anchors.append((element.attrib["href"], len(pieces)))
            if element.text:
                pieces.append(element.text)
        else:
            if skipping:
                skipping -= 1
            else:
                if tag in _BLOCKS:
                    pieces.append("\n")
                if tag == "a" and open_anchors and open_anchors[-1][0] == element.attrib.get("href"):
                    href, start = open_anchors.pop()
                    anchors.append((href, _SPACE.sub(" ", "".join(pieces[start:])).strip()))
            # The tail belongs to the parent, so it shows unless the parent is skipped.
            if element.tail and not skipping:
                pieces.append(element.tail)
    return _fold("".join(pieces)), anchors


def _fold(raw: str) -> str:
    lines: list[str] = []
    seen: set[str] = set()
    for line in raw.split("\n"):
        line = _SPACE.sub(" ", line).strip()
        if line and line not in seen:
            seen.add(line)
            lines.append(line)
    return "\n".join(lines)


def _structured(root: lxml.html.HtmlElement, body: bytes, url: str) -> tuple[list[dict[str, Any]], int]:
    """schema.org JSON-LD and microdata as dicts, plus og:site_name; malformed data is counted."""
    items: list[dict[str, Any]] = []
    errors = 0
    if b"ld+json" in body:
        try:
            items.extend(i for i in JsonLdExtractor().extract_items(root) if isinstance(i, dict))
        except Exception as error:  # extruct raises whatever its JSON fallbacks raise
            errors += 1
            logger.debug("malformed JSON-LD on %s: %s", url, error)
    if b"itemscope" in body:
        try:
            items.extend(MicrodataExtractor().extract_items(root, url))
        except Exception as error:
            errors += 1
            logger.debug("malformed microdata on %s: %s", url, error)
    for site_name in root.xpath("//meta[@property='og:site_name']/@content")[:1]:
        items.append({"@type": "WebSite", "name": site_name.strip(), "source": "og:site_name"})
    return items, errors
