"""Hostile websites for the tests: each case is a site on its own 127.0.0.1 port.

A real HTTP server written on raw asyncio streams, because the hostile cases are exactly what a
well-behaved server library refuses to do: reset connections, trickle bytes, never answer,
declare one length and send another, inflate a gzip body past any cap. Every request is counted
per site, so a test can prove the crawler's work stayed bounded.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import os
import socket
import struct
import threading
import zlib
from collections import Counter, defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

CLINIC_TEXT = (
    "<h1>Hostile Test Clinic</h1>"
    "<p>We offer microneedling with numbing cream applied before every treatment.</p>"
    "<p>All needles are sterile, single-use and disposed of after each session.</p>"
)


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    site: str

    @property
    def target(self) -> str:
        return self.path + ("?" + "&".join(f"{k}={v[0]}" for k, v in self.query.items()) if self.query else "")


Writer = asyncio.StreamWriter
Handler = Callable[[Request, Writer, "HostileSites"], Awaitable[None]]


def page(body: str, title: str = "Hostile Test Clinic") -> bytes:
    return f"<!doctype html><html><head><title>{title}</title></head><body>{body}</body></html>".encode()


def links(*targets: str) -> str:
    return "".join(f'<p><a href="{t}">{t}</a></p>' for t in targets)


async def send(writer: Writer, status: int, body: bytes = b"", content_type: str | None = "text/html; charset=utf-8",
               headers: dict[str, str] | None = None) -> None:
    head = [f"HTTP/1.1 {status} {_REASONS.get(status, 'Status')}", f"Content-Length: {len(body)}",
            "Connection: close"]
    if content_type:
        head.append(f"Content-Type: {content_type}")
    head += [f"{k}: {v}" for k, v in (headers or {}).items()]
    writer.write(("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body)
    await writer.drain()


def redirect(location: str, status: int = 302) -> Handler:
    async def handler(request: Request, writer: Writer, sites: HostileSites) -> None:
        await send(writer, status, b"", headers={"Location": sites.expand(location, request.site)})
    return handler


def html(body: bytes | str, content_type: str = "text/html; charset=utf-8", status: int = 200) -> Handler:
    data = body.encode() if isinstance(body, str) else body

    async def handler(request: Request, writer: Writer, sites: HostileSites) -> None:
        await send(writer, status, data, content_type)
    return handler


def reset_connection(writer: Writer) -> None:
    """Close with a TCP RST instead of a FIN: what a crashing server or a middlebox does."""
    sock = writer.get_extra_info("socket")
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()


# -- the cases ----------------------------------------------------------------------------------

async def never_answer(request: Request, writer: Writer, sites: HostileSites) -> None:
    await asyncio.sleep(3600)


async def trickle(request: Request, writer: Writer, sites: HostileSites) -> None:
    writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 100000\r\n\r\n<html>")
    while True:
        await asyncio.sleep(0.2)
        writer.write(b" ")
        await writer.drain()


async def reset_now(request: Request, writer: Writer, sites: HostileSites) -> None:
    reset_connection(writer)


async def reset_halfway(request: Request, writer: Writer, sites: HostileSites) -> None:
    writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 50000\r\n\r\n"
                 + page(CLINIC_TEXT)[:200])
    await writer.drain()
    await asyncio.sleep(0.1)
    reset_connection(writer)


_MEGABYTE = b"<p>" + b"x" * (1024 * 1024 - 7) + b"</p>\n"


async def huge_declared(request: Request, writer: Writer, sites: HostileSites) -> None:
    """Declares 60 MB; the crawler should give up on the header, before reading the body."""
    writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 62914560\r\n\r\n")
    for _ in range(60):
        writer.write(_MEGABYTE)
        await writer.drain()


async def huge_chunked(request: Request, writer: Writer, sites: HostileSites) -> None:
    """60 MB with no declared length: the crawler must stop reading at its cap."""
    writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nTransfer-Encoding: chunked\r\n\r\n")
    for _ in range(60):
        writer.write(f"{len(_MEGABYTE):x}\r\n".encode() + _MEGABYTE + b"\r\n")
        await writer.drain()
    writer.write(b"0\r\n\r\n")
    await writer.drain()


@functools.cache
def _bomb() -> bytes:
    """About 64 KB of gzip that inflates to 64 MB."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)  # 31: gzip framing
    chunks = [compressor.compress(b"<html><body>")]
    chunks += [compressor.compress(_MEGABYTE) for _ in range(64)]
    return b"".join([*chunks, compressor.flush()])


async def gzip_bomb(request: Request, writer: Writer, sites: HostileSites) -> None:
    await send(writer, 200, _bomb(), headers={"Content-Encoding": "gzip"})


def calendar(request: Request) -> bytes:
    # /calendar/2024/05/ links to the month before and after, forever.
    year, month = (int(part) for part in request.path.strip("/").split("/")[1:3])
    before = (year, month - 1) if month > 1 else (year - 1, 12)
    after = (year, month + 1) if month < 12 else (year + 1, 1)
    return page(f"<p>Events in {year}-{month:02d}: none.</p>"
                + links(f"/calendar/{before[0]}/{before[1]:02d}/", f"/calendar/{after[0]}/{after[1]:02d}/"))


async def calendar_page(request: Request, writer: Writer, sites: HostileSites) -> None:
    await send(writer, 200, calendar(request))


async def paging(request: Request, writer: Writer, sites: HostileSites) -> None:
    number = int(request.query.get("page", ["1"])[0])
    await send(writer, 200, page(f"<p>Special offers, page {number}.</p>" + links(f"/offers?page={number + 1}")))


async def session_page(request: Request, writer: Writer, sites: HostileSites) -> None:
    # Every response hands out fresh session ids, in the path and in the query.
    sid = os.urandom(8).hex()
    body = {"/": CLINIC_TEXT, "/about": "<p>About our practitioners.</p>", "/contact": "<p>Call 512-555-0100.</p>"}
    if request.path not in body:
        await send(writer, 404, page("not found"))
        return
    await send(writer, 200, page(body[request.path] + links(
        f"/about;jsessionid={sid}", f"/contact?PHPSESSID={sid}", f"/?sessionid={sid}&utm_source=nav")))


async def query_variants(request: Request, writer: Writer, sites: HostileSites) -> None:
    variants = [f"/treatments?sort={n}&view=grid&ref=home{n}" for n in range(300)]
    await send(writer, 200, page(CLINIC_TEXT + links(*variants)))


def robots(text: str) -> Handler:
    return html(text, "text/plain")


PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n" + os.urandom(2000) + b"\n%%EOF"
PNG = b"\x89PNG\r\n\x1a\n" + os.urandom(3000)
BINARY = os.urandom(4000)

DEEP = page("<div>" * 10_000 + "deeply nested microneedling text" + "</div>" * 10_000
            + "<p>After the nesting: numbing cream is applied first.</p>")
UNCLOSED = (b"<html><head><title>Unclosed</title><body><div><p>Microneedling uses a sterile pen.<table><tr><td>"
            b"<b><i><u>Numbing cream is applied.<a href='/'>home<li><li><p>Aftercare matters"
            ) * 20
BIG_SCRIPT = page("<script>var state = '" + "x" * (5 * 1024 * 1024) + "';</script>"
                  "<p>Microneedling sessions take forty minutes.</p>")
NO_BODY = b"<html><head><title>No body</title></head><p>We offer microneedling without a body tag.</p></html>"
BAD_JSONLD = page('<script type="application/ld+json">{"@type": "MedicalClinic", "name": "Broken, '
                  '"telephone": }</script><p>Microneedling with broken structured data.</p>')
HUGE_JSONLD = page('<script type="application/ld+json">'
                   + json.dumps({"@type": "MedicalClinic", "name": "Huge Clinic",
                                 "review": [{"@type": "Review", "reviewBody": "great " * 50}] * 4000})
                   + "</script><p>Microneedling with a huge JSON-LD block.</p>")
DEEP_JSONLD = page('<script type="application/ld+json">{"@type": "MedicalClinic", "name": "Deep", "x": '
                   + "[" * 900 + "]" * 900 + "}</script><p>Microneedling with deep JSON-LD.</p>")

HOSTILE_TEXT = (
    "<p>We offer microneedling &lt;script&gt;alert('quote')&lt;/script&gt; with numbing cream applied first.</p>"
    "<p onclick=\"alert('click')\" onmouseover=\"alert('hover')\">Our board-certified dermatologist "
    "<img src=x onerror=\"alert('img')\">performs every treatment.</p>"
    "<p><a href=\"javascript:alert('link')\">Book now</a> <a href=\" JaVaScRiPt:alert('mixed')\">or here</a></p>"
    "<script>alert('inline')</script>"
    '<script type="application/ld+json">{"@type": "MedicalClinic", '
    '"name": "<img src=x onerror=alert(\'name\')>Inert Clinic", "telephone": "+1 512 555 0199"}</script>'
)

LATIN1 = "<p>Microneedling für Haut: Behandlung mit Betäubungscreme, Preis 150 €.</p>"

# Each site: path → handler; "/" and the rest are found by following links from "/".
CASES: dict[str, dict[str, Handler]] = {
    "calendar-trap": {"/": html(page(CLINIC_TEXT + links("/calendar/2024/05/"))),
                      "/calendar/": calendar_page},
    "paging-trap": {"/": html(page(CLINIC_TEXT + links("/offers?page=1"))), "/offers": paging},
    "session-ids": {"/": session_page, "/about": session_page, "/contact": session_page},
    "query-variants": {"/": html(page(CLINIC_TEXT + links("/treatments"))), "/treatments": query_variants},
    "too-big": {"/": html(page(CLINIC_TEXT + links("/big-declared", "/big-chunked", "/fine"))),
                "/big-declared": huge_declared, "/big-chunked": huge_chunked,
                "/fine": html(page("<p>A fine page.</p>"))},
    "gzip-bomb": {"/": html(page(CLINIC_TEXT + links("/bomb", "/fine"))), "/bomb": gzip_bomb,
                  "/fine": html(page("<p>A fine page.</p>"))},
    "slow": {"/": html(page(CLINIC_TEXT + links("/trickle", "/fine"))), "/trickle": trickle,
             "/fine": html(page("<p>A fine page.</p>"))},
    "dead": {"": never_answer},
    "resets": {"/": html(page(CLINIC_TEXT + links("/reset", "/half", "/fine"))), "/reset": reset_now,
               "/half": reset_halfway, "/fine": html(page("<p>A fine page.</p>"))},
    "redirects": {
        "/": html(page(CLINIC_TEXT + links("/loop-a", "/self", "/chain/1", "/short/1", "/away", "/metadata",
                                           "/rfc1918", "/v6-loopback", "/other-loopback", "/mapped"))),
        "/loop-a": redirect("/loop-b"), "/loop-b": redirect("/loop-a"), "/self": redirect("/self", 301),
        **{f"/chain/{n}": redirect(f"/chain/{n + 1}") for n in range(1, 12)},
        "/short/1": redirect("/short/2", 301), "/short/2": redirect("/short/3", 307),
        "/short/3": redirect("/landed", 308), "/landed": html(page("<p>Landed after three redirects.</p>")),
        "/away": redirect("{other}/"),
        "/metadata": redirect("http://169.254.169.254/latest/meta-data/"),
        "/rfc1918": redirect("http://10.0.0.1/admin"),
        "/v6-loopback": redirect("http://[::1]:{port}/"),
        "/other-loopback": redirect("http://127.0.0.2:{port}/"),
        "/mapped": redirect("http://[::ffff:127.0.0.1]:{port}/"),
    },
    "statuses": {"/": html(page(CLINIC_TEXT + links(*(f"/{s}" for s in (403, 404, 410, 429, 500, 503)))))}
    | {f"/{s}": html(page(f"<p>Status {s}</p>"), status=s) for s in (403, 404, 410, 429, 500, 503)},
    "robots-disallow-all": {"/robots.txt": robots("User-agent: *\nDisallow: /\n"),
                            "/": html(page(CLINIC_TEXT + links("/about")))},
    "robots-redirect": {"/robots.txt": redirect("/real-robots.txt", 301),
                        "/real-robots.txt": robots("User-agent: *\nDisallow: /private/\n"),
                        "/": html(page(CLINIC_TEXT + links("/private/secret", "/public"))),
                        "/public": html(page("<p>Public page.</p>")),
                        "/private/secret": html(page("<p>Private page.</p>"))},
    "robots-500": {"/robots.txt": html(b"oops", "text/plain", status=500),
                   "/": html(page(CLINIC_TEXT + links("/about"))), "/about": html(page("<p>About us.</p>"))},
    "not-html": {"/": html(page(CLINIC_TEXT + links("/pdf", "/png", "/binary", "/octet"))),
                 "/pdf": html(PDF), "/png": html(PNG), "/binary": html(BINARY),
                 "/octet": html(page("<p>Served as octet-stream: aftercare instructions.</p>"),
                                "application/octet-stream")},
    "charsets": {
        "/": html(page(CLINIC_TEXT + links("/latin1-undeclared", "/wrong-declared", "/invalid-bytes",
                                           "/bom", "/utf16"))),
        "/latin1-undeclared": html(page(LATIN1).replace(b"\xe2\x82\xac", b"EUR").decode().encode("latin-1"),
                                   "text/html"),
        "/wrong-declared": html(page(LATIN1).replace(b"\xe2\x82\xac", b"EUR").decode().encode("latin-1")),
        "/invalid-bytes": html(page("<p>Microneedling INVALID sessions are sterile.</p>").replace(
            b"INVALID", b"\xff\xfe\xc3")),
        "/bom": html(b"\xef\xbb\xbf" + page("<p>Microneedling page with a byte order mark.</p>")),
        "/utf16": html("\ufeff".encode("utf-16-le") + page("<p>Microneedling page in UTF-16 für alle.</p>")
                       .decode().encode("utf-16-le"), "text/html"),
    },
    "pathological": {
        "/": html(page(CLINIC_TEXT + links("/unclosed", "/deep", "/big-script", "/no-body", "/bad-jsonld",
                                           "/huge-jsonld", "/deep-jsonld"))),
        "/unclosed": html(UNCLOSED), "/deep": html(DEEP), "/big-script": html(BIG_SCRIPT),
        "/no-body": html(NO_BODY), "/bad-jsonld": html(BAD_JSONLD), "/huge-jsonld": html(HUGE_JSONLD),
        "/deep-jsonld": html(DEEP_JSONLD),
    },
    "inert": {"/": html(page(HOSTILE_TEXT))},
    "other-schemes": {
        "/": html(page(CLINIC_TEXT + links("/to-file", "/to-data", "/to-ftp", "file:///etc/passwd",
                                           "data:text/html,<p>inline</p>", "ftp://127.0.0.1:{port}/"))),
        "/to-file": redirect("file:///etc/passwd"), "/to-data": redirect("data:text/html,<p>inline</p>"),
        "/to-ftp": redirect("ftp://127.0.0.1:{port}/"),
    },
}


# -- the server ---------------------------------------------------------------------------------

_REASONS = {200: "OK", 301: "Moved Permanently", 302: "Found", 307: "Temporary Redirect",
            308: "Permanent Redirect", 403: "Forbidden", 404: "Not Found", 410: "Gone",
            429: "Too Many Requests", 500: "Internal Server Error", 503: "Service Unavailable"}


class HostileSites:
    """``with HostileSites() as sites: sites.urls["slow"]``; ``sites.requests["slow"]`` counts hits."""

    def __init__(self, cases: dict[str, dict[str, Handler]] | None = None) -> None:
        self.cases = cases or CASES
        self.urls: dict[str, str] = {}
        self.ports: dict[str, int] = {}
        self.requests: Counter[str] = Counter()
        self.paths: dict[str, list[str]] = defaultdict(list)
        self._loop = asyncio.new_event_loop()
        self._servers: list[asyncio.Server] = []
        self._lock = threading.Lock()

    def expand(self, location: str, site: str) -> str:
        """Redirect targets may name another site's origin ({other}) or this site's port ({port})."""
        other = next(url for name, url in self.urls.items() if name != site).rstrip("/")
        return location.replace("{other}", other).replace("{port}", str(self.ports[site]))

    async def _start(self) -> None:
        for name in self.cases:
            server = await asyncio.start_server(
                lambda r, w, name=name: self._connection(name, r, w), "127.0.0.1", 0)
            self._servers.append(server)
            port = server.sockets[0].getsockname()[1]
            self.ports[name] = port
            self.urls[name] = f"http://127.0.0.1:{port}/"

    async def _connection(self, name: str, reader: asyncio.StreamReader, writer: Writer) -> None:
        try:
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 30)
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, TimeoutError, ConnectionError):
            writer.close()
            return
        lines = head.decode("latin-1").split("\r\n")
        method, target, _ = (lines[0].split(" ") + ["", ""])[:3]
        headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:] if line)}
        parts = urlsplit(target)
        request = Request(method, parts.path, parse_qs(parts.query), headers, name)
        with self._lock:
            self.requests[name] += 1
            self.paths[name].append(target)
        handler = self._handler(name, parts.path)
        try:
            if handler is None:
                await send(writer, 404, page("<p>Not found.</p>"))
            else:
                await handler(request, writer, self)
        except (ConnectionError, asyncio.CancelledError):
            return
        with contextlib.suppress(ConnectionError, RuntimeError):
            writer.close()

    def _handler(self, name: str, path: str) -> Handler | None:
        routes = self.cases[name]
        if path in routes:
            return routes[path]
        # The longest route ending in "/" that prefixes the path ("" catches everything).
        prefixes = [r for r in routes if (r.endswith("/") or r == "") and r != "/" and path.startswith(r)]
        return routes[max(prefixes, key=len)] if prefixes else None

    def __enter__(self) -> HostileSites:
        ready = threading.Event()

        def run() -> None:
            asyncio.set_event_loop(self._loop)
            self._loop.run_until_complete(self._start())
            ready.set()
            self._loop.run_forever()

        self._thread = threading.Thread(target=run, name="hostile-sites", daemon=True)
        self._thread.start()
        ready.wait(10)
        return self

    def __exit__(self, *exc_info: object) -> None:
        async def stop() -> None:
            for server in self._servers:
                server.close()
            for task in asyncio.all_tasks():
                if task is not asyncio.current_task():
                    task.cancel()

        asyncio.run_coroutine_threadsafe(stop(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
