"""Distributed crawls on Scrapyd workers: partition, deploy, schedule, follow, ingest.

The clinics are split by politeness key (a registered domain, or host:port for addresses), so
a domain is never crawled by two workers, nor by two jobs of one worker, at once. The project
is packed into an egg with scrapyd-client's ``scrapyd-deploy`` and deployed to every worker;
each job gets its clinics and their stored pages' validators and links as spider arguments, crawls them with the
same spider and settings as a local crawl, and writes a JSON-lines feed of complete sites
(Scrapyd's ``items_dir``; see crawler/feeds.py). The coordinator downloads each finished job's
feed next to the database and loads it through ``clinicscout.ingest``, the path every crawled
site takes into storage. A job that ends without a line for each of its clinics has failed; it
is reported with its log, and its clinics can be crawled again alone (``--retry-job``).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from clinicscout.ingest import FeedError, IngestSummary, ingest_sites, read_feed
from clinicscout.seeds import Seed
from clinicscout.storage import Storage
from crawler.args import encode_arg
from crawler.scope import politeness_key

PROJECT = "clinicscout"
SPIDER = "clinic"
# Linux caps one command-line argument at 128 KiB; Scrapyd passes spider arguments that way.
MAX_ARGUMENT_BYTES = 100_000
_PACKAGES = ("clinicscout", "crawler", "scoring")
_TIMEOUT = 30


class ScrapydError(RuntimeError):
    """A worker cannot be reached, or refused a request."""


@dataclass
class Job:
    worker: str
    seeds: list[Seed]
    id: str = ""
    state: str = "planned"  # then pending, running, finished or failed
    error: str | None = None
    log_url: str | None = None
    feed: Path | None = None
    sites_ingested: int = 0

    def record(self, crawl_id: int) -> dict[str, Any]:
        """The job as a row of the scrapyd_jobs table."""
        return {
            "id": self.id, "crawl_id": crawl_id, "worker": self.worker, "state": self.state,
            "sites": json.dumps([seed.as_record() for seed in self.seeds]),
            "error": self.error, "log_url": self.log_url,
            "feed": str(self.feed) if self.feed else None, "sites_ingested": self.sites_ingested,
        }


@dataclass
class DistributedCrawl:
    jobs: list[Job]
    ingested: IngestSummary = field(default_factory=IngestSummary)

    @property
    def failed(self) -> list[Job]:
        return [job for job in self.jobs if job.state == "failed"]


def partition(seeds: list[Seed], workers: int) -> list[list[Seed]]:
    """The seeds split over ``workers``: one domain on one worker, the load balanced.

    Largest domains first, each to the least loaded worker; deterministic for the same seeds.
    """
    groups: dict[str, list[Seed]] = {}
    for seed in seeds:
        groups.setdefault(politeness_key(seed.website), []).append(seed)
    shares: list[list[Seed]] = [[] for _ in range(workers)]
    for key in sorted(groups, key=lambda k: (-len(groups[k]), k)):
        lightest = min(range(workers), key=lambda i: (len(shares[i]), i))
        shares[lightest].extend(groups[key])
    return shares


def plan_jobs(
    seeds: list[Seed], workers: list[str], known_pages: dict[str, dict[str, Any]]
) -> list[Job]:
    """One job per worker share, split further where its arguments would be too long.

    A split keeps each domain whole, so two jobs of one worker never share a domain.
    """
    jobs = []
    for worker, share in zip(workers, partition(seeds, len(workers)), strict=True):
        by_domain: dict[str, list[Seed]] = {}
        for seed in share:
            by_domain.setdefault(politeness_key(seed.website), []).append(seed)
        batch: list[Seed] = []
        size = 0
        for group in by_domain.values():
            group_size = len(encode_arg(job_arguments(group, known_pages)))
            if batch and size + group_size > MAX_ARGUMENT_BYTES:
                jobs.append(Job(worker, batch))
                batch, size = [], 0
            batch.extend(group)
            size += group_size
        if batch:
            jobs.append(Job(worker, batch))
    return jobs


def job_arguments(seeds: list[Seed], known_pages: dict[str, dict[str, Any]]) -> dict[str, Any]:
    return {
        "sites": [seed.as_record() for seed in seeds],
        "known_pages": {s.website: known_pages[s.website] for s in seeds if s.website in known_pages},
    }


def build_egg(directory: Path) -> Path:
    """The project as a Scrapyd egg, built by ``scrapyd-deploy --build-egg`` in a clean copy.

    The copy keeps scrapyd-deploy's generated setup.py out of the source tree.
    """
    root = Path(__file__).resolve().parent.parent
    source = directory / "project"
    for package in _PACKAGES:
        shutil.copytree(root / package, source / package,
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    (source / "scrapy.cfg").write_text(
        f"[settings]\ndefault = crawler.settings\n\n[deploy]\nproject = {PROJECT}\n"
    )
    egg = directory / f"{PROJECT}.egg"
    result = subprocess.run(
        [sys.executable, "-m", "scrapyd_client.deploy", "--build-egg", str(egg)],
        cwd=source, capture_output=True, text=True, check=False,
    )
    if result.returncode != 0 or not egg.exists():
        raise ScrapydError(f"could not build the project egg: {result.stderr.strip()}")
    return egg


class Worker:
    """One Scrapyd server, through its JSON API."""

    def __init__(self, url: str) -> None:
        self.url = url.rstrip("/")

    def _call(self, endpoint: str, query: dict[str, Any] | None = None,
              form: list[tuple[str, str]] | None = None) -> dict[str, Any]:
        address = f"{self.url}/{endpoint}"
        if query:
            address += "?" + urllib.parse.urlencode(query)
        data = urllib.parse.urlencode(form).encode() if form is not None else None
        try:
            with urllib.request.urlopen(address, data=data, timeout=_TIMEOUT) as response:
                answer = json.load(response)
        except (urllib.error.URLError, OSError, ValueError) as error:
            raise ScrapydError(f"Scrapyd at {self.url}: {endpoint} failed: {error}") from None
        if answer.get("status") != "ok":
            raise ScrapydError(f"Scrapyd at {self.url}: {endpoint}: {answer.get('message', answer)}")
        return answer

    def check(self) -> None:
        self._call("daemonstatus.json")

    def deploy(self, egg: Path, version: str) -> None:
        """Uploads the egg with scrapyd-deploy (``addversion.json``)."""
        with tempfile.TemporaryDirectory(prefix="clinicscout-deploy-") as folder:
            Path(folder, "scrapy.cfg").write_text(
                f"[settings]\ndefault = crawler.settings\n\n"
                f"[deploy:worker]\nurl = {self.url}/\nproject = {PROJECT}\n"
            )
            result = subprocess.run(
                [sys.executable, "-m", "scrapyd_client.deploy", "worker", "--egg", str(egg),
                 "--version", version],
                cwd=folder, capture_output=True, text=True, check=False, timeout=120,
            )
        if result.returncode != 0 or '"status": "ok"' not in result.stdout:
            raise ScrapydError(f"could not deploy to {self.url}: "
                               f"{(result.stdout + result.stderr).strip()}")

    def schedule(self, job: Job, version: str, settings: dict[str, Any],
                 known_pages: dict[str, dict[str, Any]]) -> str:
        arguments = job_arguments(job.seeds, known_pages)
        form = [("project", PROJECT), ("spider", SPIDER), ("_version", version),
                ("sites", encode_arg(arguments["sites"])),
                ("known_pages", encode_arg(arguments["known_pages"]))]
        form += [("setting", f"{name}={value}") for name, value in settings.items()]
        return self._call("schedule.json", form=form)["jobid"]

    def jobs(self) -> dict[str, tuple[str, dict[str, Any]]]:
        """Every job Scrapyd knows for the project: id → (pending|running|finished, details)."""
        listing = self._call("listjobs.json", query={"project": PROJECT})
        return {job["id"]: (state, job)
                for state in ("pending", "running", "finished") for job in listing[state]}

    def download(self, path: str, destination: Path) -> bool:
        """Fetches a file Scrapyd serves (a feed); False if it has none."""
        try:
            with urllib.request.urlopen(self.url + path, timeout=_TIMEOUT) as response, \
                    destination.open("wb") as out:
                shutil.copyfileobj(response, out)
        except urllib.error.HTTPError as error:
            if error.code == 404:
                return False
            raise ScrapydError(f"Scrapyd at {self.url}: {path}: {error}") from None
        except (urllib.error.URLError, OSError) as error:
            raise ScrapydError(f"Scrapyd at {self.url}: {path}: {error}") from None
        return True


def run_distributed(
    seeds: list[Seed],
    worker_urls: list[str],
    storage: Storage,
    *,
    crawl_id: int,
    settings: dict[str, Any],
    known_pages: dict[str, dict[str, Any]],
    inactive_after: int,
    feeds_dir: Path,
    on_progress: Callable[[DistributedCrawl], None] | None = None,
    poll_seconds: float = 0.5,
    worker_timeout: float = 120.0,
) -> DistributedCrawl:
    """Crawls the seeds on the workers and ingests every job's feed as the job finishes.

    ``known_pages`` (``Storage.known_pages()``, or nothing for a full crawl) makes it incremental.
    """
    workers = {url: Worker(url) for url in dict.fromkeys(worker_urls)}
    for worker in workers.values():
        worker.check()
    crawl = DistributedCrawl(plan_jobs(seeds, list(workers), known_pages))
    version = str(int(time.time()))
    with tempfile.TemporaryDirectory(prefix="clinicscout-egg-") as folder:
        egg = build_egg(Path(folder))
        # Scrapyd checks an egg by loading it in a subprocess: a few seconds, so all at once.
        with ThreadPoolExecutor(max_workers=len(workers)) as pool:
            list(pool.map(lambda worker: worker.deploy(egg, version), workers.values()))
    for job in crawl.jobs:
        job.id = workers[job.worker].schedule(job, version, settings, known_pages)
        job.state = "pending"
        storage.save_scrapyd_job(job.record(crawl_id))
    feeds_dir.mkdir(parents=True, exist_ok=True)
    last_heard = dict.fromkeys(workers, time.monotonic())
    while any(job.state in ("pending", "running") for job in crawl.jobs):
        for url, worker in workers.items():
            mine = [job for job in crawl.jobs if job.worker == url and job.state in ("pending", "running")]
            if not mine:
                continue
            # Every change of a job's row comes with a change of its state: only those are saved.
            states_before = [job.state for job in mine]
            try:
                known = worker.jobs()
            except ScrapydError as error:
                if time.monotonic() - last_heard[url] > worker_timeout:
                    for job in mine:
                        _fail(job, f"worker unreachable for {worker_timeout:.0f}s: {error}")
            else:
                last_heard[url] = time.monotonic()
                for job in mine:
                    state, details = known.get(job.id, ("lost", {}))
                    if state == "lost":
                        _fail(job, "Scrapyd no longer knows this job (was the worker restarted?)")
                    elif state == "finished":
                        _collect(job, worker, details, storage, crawl, crawl_id=crawl_id,
                                 inactive_after=inactive_after, feeds_dir=feeds_dir)
                    else:
                        job.state = state
            for job, state_before in zip(mine, states_before, strict=True):
                if job.state != state_before:
                    storage.save_scrapyd_job(job.record(crawl_id))
        if on_progress:
            on_progress(crawl)
        if any(job.state in ("pending", "running") for job in crawl.jobs):
            time.sleep(poll_seconds)
    return crawl


def _collect(job: Job, worker: Worker, details: dict[str, Any], storage: Storage,
             crawl: DistributedCrawl, *, crawl_id: int, inactive_after: int, feeds_dir: Path) -> None:
    """A finished job: its feed downloaded, ingested, and checked for every clinic."""
    job.log_url = worker.url + details["log_url"] if details.get("log_url") else None
    # Scrapyd lists an items_url only for a feed file that exists.
    items = details.get("items_url")
    feed = feeds_dir / f"{job.id}.jl"
    sites: list[dict[str, Any]] = []
    if items and worker.download(items, feed):
        job.feed = feed
        try:
            sites.extend(read_feed(feed))  # a job killed mid-write leaves a truncated last line
        except FeedError as error:
            job.error = str(error)
    else:
        job.error = "no feed: the job died early, or the worker's scrapyd.conf lacks items_dir"
    wanted = {seed.website for seed in job.seeds}
    sites = [site for site in sites if site["start_url"] in wanted]
    ingest_sites(storage, sites, crawl_id=crawl_id, inactive_after=inactive_after,
                 summary=crawl.ingested)
    job.sites_ingested = len(sites)
    missing = len(wanted - {site["start_url"] for site in sites})
    if missing or job.error:
        _fail(job, f"{missing} of {len(wanted)} clinics missing from the feed"
                   + (f" ({job.error})" if job.error else ""))
    else:
        job.state = "finished"


def _fail(job: Job, reason: str) -> None:
    job.state = "failed"
    job.error = reason
