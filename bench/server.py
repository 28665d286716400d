"""Serves the synthetic web on 127.0.0.1, one port per site, from memory, in its own process.

asyncio with a hand-written HTTP/1.1 keep-alive responder over pre-built responses: it has to
serve pages much faster than any crawler fetches them (``measure_serving_rate`` checks), so that
the benchmark measures the crawler and not the server. Run as
``python -m bench.server --sites N --seed S``: prints ``{slug: origin}`` as one JSON line, then
serves until its standard input closes.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import time
from types import TracebackType
from urllib.parse import urlsplit

from bench.synthetic import generate_web

_NOT_FOUND = b"<!DOCTYPE html><title>Not found</title><h1>Not found</h1>"


def _response(status: str, content_type: str, body: bytes) -> bytes:
    head = (f"HTTP/1.1 {status}\r\nServer: bench\r\nContent-Type: {content_type}\r\n"
            f"Content-Length: {len(body)}\r\n\r\n")
    return head.encode("latin-1") + body


class _SiteProtocol(asyncio.Protocol):
    """One connection to one site: answers GET/HEAD requests, keeping the connection open."""

    def __init__(self, responses: dict[str, bytes]) -> None:
        self.responses = responses
        self.buffer = b""
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while (end := self.buffer.find(b"\r\n\r\n")) >= 0:
            head, self.buffer = self.buffer[:end], self.buffer[end + 4:]
            request_line, _, headers = head.partition(b"\r\n")
            method, target = (request_line.split() + [b"", b""])[:2]
            path = target.split(b"?", 1)[0].decode("latin-1")
            response = self.responses.get(path) or self.responses["\0not-found"]
            if method == b"HEAD":
                response = response[: response.find(b"\r\n\r\n") + 4]
            assert self.transport is not None
            self.transport.write(response)
            if b"connection: close" in headers.lower():
                self.transport.close()
                return


async def _serve(sites: int, seed: int) -> None:
    loop = asyncio.get_running_loop()
    origins: dict[str, str] = {}
    for site in generate_web(sites, seed):
        responses: dict[str, bytes] = {}
        server = await loop.create_server(lambda r=responses: _SiteProtocol(r), "127.0.0.1", 0, backlog=256)
        origin = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"
        for path, (content_type, body) in site.resources(origin).items():
            responses[path] = _response("200 OK", content_type, body)
        responses["\0not-found"] = _response("404 Not Found", "text/html; charset=utf-8", _NOT_FOUND)
        origins[site.slug] = origin
    print(json.dumps(origins), flush=True)
    # Serve until the parent closes our standard input (or dies).
    await loop.run_in_executor(None, sys.stdin.read)


class SyntheticWebServer:
    """``with SyntheticWebServer(sites, seed) as web: web.origins[slug]`` (a child process)."""

    def __init__(self, sites: int, seed: int = 0) -> None:
        self.sites, self.seed = sites, seed
        self.origins: dict[str, str] = {}
        self.process: subprocess.Popen[str] | None = None

    def start(self) -> SyntheticWebServer:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bench.server", "--sites", str(self.sites), "--seed", str(self.seed)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        )
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError("the synthetic web server exited before serving")
        self.origins = json.loads(line)
        return self

    def stop(self) -> None:
        if self.process is not None:
            assert self.process.stdin is not None
            self.process.stdin.close()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            self.process = None

    def __enter__(self) -> SyntheticWebServer:
        return self.start()

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.stop()


async def _fetch_loop(url_paths: list[tuple[str, str]], deadline: float, counts: list[int]) -> None:
    """One keep-alive connection fetching pages of one site until the deadline."""
    parts = urlsplit(url_paths[0][0])
    host, port = parts.hostname, parts.port
    reader, writer = await asyncio.open_connection(host, port)
    index = 0
    while time.monotonic() < deadline:
        path = url_paths[index % len(url_paths)][1]
        index += 1
        writer.write(f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\n\r\n".encode())
        head = await reader.readuntil(b"\r\n\r\n")
        length = int(head.lower().split(b"content-length:")[1].split(b"\r\n")[0])
        await reader.readexactly(length)
        counts[0] += 1
        counts[1] += length
    writer.close()


async def _measure(pages: list[tuple[str, str]], seconds: float, connections: int) -> tuple[int, int]:
    by_origin: dict[str, list[tuple[str, str]]] = {}
    for origin, path in pages:
        by_origin.setdefault(origin, []).append((origin, path))
    groups = list(by_origin.values())
    counts = [0, 0]
    deadline = time.monotonic() + seconds
    await asyncio.gather(*(_fetch_loop(groups[n % len(groups)], deadline, counts) for n in range(connections)))
    return counts[0], counts[1]


def measure_serving_rate(pages: list[tuple[str, str]], seconds: float = 2.0,
                         connections: int = 16) -> dict[str, float]:
    """Pages/s a concurrent keep-alive client gets from the server: a floor on what it can serve.

    ``pages`` are (origin, path) pairs. The client is Python too, so the true serving rate is
    at least this.
    """
    started = time.monotonic()
    requests, size = asyncio.run(_measure(pages, seconds, connections))
    elapsed = time.monotonic() - started
    return {"pages_per_s": requests / elapsed, "mb_per_s": size / elapsed / 1e6, "connections": connections}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sites", type=int, required=True)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    asyncio.run(_serve(args.sites, args.seed))


if __name__ == "__main__":
    main()
