"""The ``clinicscout`` command: wires discovery, crawling, scoring, storage and Datasette."""

from __future__ import annotations

import gc
import json
import os
import shlex
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from clinicscout.discover.npi import DEFAULT_NPI_URL
from clinicscout.discover.osm import DEFAULT_OVERPASS_URL
from clinicscout.discover.run import SOURCES
from clinicscout.seeds import Seed, SeedFileError, read_seeds
from clinicscout.storage import Storage, StorageError
from crawler.scope import InvalidWebsite

if TYPE_CHECKING:
    from scoring import Assessment

DEFAULT_DB = os.environ.get("CLINICSCOUT_DB", "data/clinics.db")
SAMPLE_SITES = Path(__file__).resolve().parent.parent / "data" / "sample_sites"

db_option = click.option(
    "--db", "db_path", default=DEFAULT_DB, show_default=True, type=click.Path(dir_okay=False),
    help="SQLite database file (env CLINICSCOUT_DB).",
)
overpass_url_option = click.option(
    "--overpass-url", envvar="CLINICSCOUT_OVERPASS_URL", default=DEFAULT_OVERPASS_URL,
    show_default=True, help="Overpass API endpoint (env CLINICSCOUT_OVERPASS_URL).",
)
npi_url_option = click.option(
    "--npi-url", envvar="CLINICSCOUT_NPI_URL", default=DEFAULT_NPI_URL, show_default=True,
    help="NPPES NPI Registry API base URL (env CLINICSCOUT_NPI_URL).",
)
source_timeout_option = click.option(
    "--timeout", type=click.FloatRange(0.1, 600), default=90, show_default=True,
    help="Seconds to wait for each answer of an open-data source.",
)
allow_private_option = click.option(
    "--allow-private", is_flag=True,
    help="Allow loopback and private-network sites (local demo and test sites only).",
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="clinicscout")
def cli() -> None:
    """Find, vet and rank microneedling clinics from their own websites.

    \b
    Typical run:
      clinicscout crawl https://clinic.example --db clinics.db
      clinicscout serve --db clinics.db
    """


def _seeds_from(urls: tuple[str, ...], seeds_file: str | None) -> list[Seed]:
    seeds: list[Seed] = []
    for url in urls:
        try:
            seeds.append(Seed.from_url(url))
        except InvalidWebsite as error:
            raise click.BadParameter(str(error), param_hint="URL") from None
    if seeds_file:
        try:
            loaded, errors = read_seeds(seeds_file)
        except SeedFileError as error:
            raise click.BadParameter(str(error), param_hint="--seeds") from None
        for error in errors:
            click.echo(f"{seeds_file}: {error} (row skipped)", err=True)
        seeds.extend(loaded)
    return seeds


def _parse_overrides(ctx: click.Context, param: click.Parameter, values: tuple[str, ...]) -> dict[str, str]:
    overrides = {}
    for value in values:
        name, equals, setting = value.partition("=")
        if not equals or not name.strip():
            raise click.BadParameter(f"{value!r} is not NAME=VALUE", ctx=ctx, param=param)
        overrides[name.strip()] = setting.strip()
    return overrides


@cli.command()
@click.argument("urls", nargs=-1)
@click.option("--seeds", "seeds_file", type=click.Path(dir_okay=False),
              help="CSV of clinics with a 'website' column (optional name, city…).")
@db_option
@click.option("--max-pages", type=click.IntRange(1, 500), default=40, show_default=True,
              help="Page budget per site, spent on the pages that matter first.")
@click.option("--delay", type=click.FloatRange(0, 60), default=None,
              help="Seconds between requests to one site [default: 1, with AutoThrottle]. "
                   "0 crawls local sites at full speed.")
@allow_private_option
@click.option("-s", "--set", "overrides", multiple=True, metavar="NAME=VALUE", callback=_parse_overrides,
              help="Override a crawl setting of crawler/settings.py, e.g. -s DOWNLOAD_TIMEOUT=5 "
                   "(repeatable; passed to Scrapyd jobs too).")
@click.option("--inactive-after", type=click.IntRange(1), default=3, show_default=True,
              help="Flag a site inactive after this many failed crawls in a row (its data is kept).")
@click.option("--full", is_flag=True,
              help="Fetch every page again, changed or not (after changing the extraction code).")
@click.option("--scrapyd", "scrapyd_urls", multiple=True, metavar="URL",
              help="Crawl on this Scrapyd worker (repeat for several); clinics are split by "
                   "domain, and each job's feed is ingested here as it finishes.")
@click.option("--retry-job", metavar="JOB_ID",
              help="With --scrapyd: crawl again, alone, the clinics of a failed Scrapyd job.")
@click.option("--worker-timeout", type=click.FloatRange(1), default=120, show_default=True,
              metavar="SECONDS",
              help="With --scrapyd: how long a worker may stay unreachable before its jobs "
                   "count as failed (their clinics keep their last good data).")
@click.option("--quiet", is_flag=True, help="Print only the closing one-line summary (for cron).")
@click.option("--verbose", is_flag=True, help="Show Scrapy's log.")
def crawl(urls: tuple[str, ...], seeds_file: str | None, db_path: str, max_pages: int,
          delay: float | None, allow_private: bool, overrides: dict[str, str],
          inactive_after: int, full: bool, scrapyd_urls: tuple[str, ...],
          retry_job: str | None, worker_timeout: float, quiet: bool, verbose: bool) -> None:
    """Crawl clinic websites, score them and store everything in the database.

    With no URL and no --seeds, recrawls every clinic already in the database, least recently
    crawled first. Recrawls are incremental: stored pages are fetched only if they changed
    (ETag / Last-Modified), and only clinics whose pages changed are rescored. A site that
    fails keeps its last good data, marked stale. One crawl at a time per database.

    \b
    Examples:
      clinicscout crawl https://www.lumen-derm.example
      clinicscout crawl --seeds austin.csv --db austin.db
      clinicscout crawl --quiet                  # weekly recrawl from cron or systemd
      clinicscout crawl --scrapyd http://worker1:6800 --scrapyd http://worker2:6800
      clinicscout crawl http://127.0.0.1:8001/ --allow-private --delay 0
    """
    from clinicscout.progress import Progress
    from crawler.runner import crawl_settings, politeness_overrides, run_crawl

    if retry_job and not scrapyd_urls:
        raise click.UsageError("--retry-job needs --scrapyd URL: the workers to retry on")
    seeds = _seeds_from(urls, seeds_file)
    if seeds_file and not seeds:
        # Never fall back to recrawling the whole database because a seed file was all bad.
        raise click.BadParameter(f"{seeds_file} has no valid website", param_hint="--seeds")
    with _crawl_lock(db_path):
        storage = _open(db_path)
        if retry_job:
            seeds = _seeds_of_job(storage, retry_job)
        seeds = _seeds_or_stored(seeds, storage)
        progress = Progress(len(seeds), enabled=None if not quiet else False)
        known_pages = {} if full else storage.known_pages()
        if scrapyd_urls:
            options = {**politeness_overrides(max_pages=max_pages, delay=delay,
                                              allow_private=allow_private), **overrides}
            retry = [*(["--allow-private"] if allow_private else []),
                     *(["--delay", str(delay)] if delay is not None else []),
                     *(["--max-pages", str(max_pages)] if max_pages != 40 else []),
                     *(f"--set={name}={value}" for name, value in overrides.items())]
            _crawl_on_scrapyd(storage, seeds, list(scrapyd_urls), options, known_pages,
                              inactive_after, worker_timeout, progress, db_path, retry)
            return
        with _recorded_crawl(storage, "local", len(seeds)) as record:

            def on_site(item, summary) -> None:  # noqa: ANN001 - SiteItem, CrawlSummary
                progress.update(done=summary.sites, pages=summary.pages, errors=summary.errors,
                                note=item.site)

            settings = crawl_settings(db_path=db_path, max_pages=max_pages, delay=delay,
                                      allow_private=allow_private, crawl_id=record.id,
                                      inactive_after=inactive_after,
                                      log_level="INFO" if verbose else "WARNING")
            settings.setdict(overrides, priority="cmdline")
            try:
                summary = run_crawl(seeds, settings, on_site=on_site, known_pages=known_pages)
            finally:
                progress.close()
            record.status, record.counts = summary.status, summary.counts
    _stop_on_storage_error(summary.stats, summary.sites, db_path)
    click.echo(_summary_line("Crawled", record, summary.sites, "", summary.seconds, db_path))
    refused = summary.stats.get("clinicscout/refused_private_address", 0)
    if refused and not allow_private:
        click.echo(f"{refused} requests to private or loopback addresses were refused "
                   "(use --allow-private for local sites).", err=True)
    if record.status == "interrupted":
        click.echo(f"Interrupted: the {summary.sites} sites above are saved completely in {db_path}; "
                   "sites in progress were not saved. Run the same command again to crawl them.", err=True)
        sys.exit(130)
    if summary.sites and summary.sites == summary.sites_failed:
        sys.exit(1)


def _stop_on_storage_error(stats: dict, sites_saved: int, db_path: str) -> None:
    """A database that stopped taking writes ends the command with the reason, and what is safe."""
    error = stats.get("clinicscout/storage_error")
    if error:
        raise click.ClickException(
            f"{error}\nThe crawl stopped. {sites_saved} sites were saved completely before the error; "
            "each site is written in one transaction, so nothing is half-written."
        )


def _crawl_on_scrapyd(storage: Storage, seeds: list[Seed], workers: list[str],
                      settings: dict[str, Any], known_pages: dict[str, Any], inactive_after: int,
                      worker_timeout: float, progress: Any, db_path: str,
                      retry_options: list[str]) -> None:
    from clinicscout.distributed import ScrapydError, run_distributed

    started = time.monotonic()
    with _recorded_crawl(storage, "scrapyd", len(seeds)) as record:

        def on_progress(crawl) -> None:  # noqa: ANN001 - DistributedCrawl
            ended = sum(1 for job in crawl.jobs if job.state in ("finished", "failed"))
            progress.update(done=crawl.ingested.sites,
                            pages=crawl.ingested.pages_fetched + crawl.ingested.pages_unchanged,
                            errors=crawl.ingested.errors, note=f"{ended}/{len(crawl.jobs)} jobs done")

        try:
            crawl = run_distributed(
                seeds, workers, storage, crawl_id=record.id, settings=settings,
                known_pages=known_pages, inactive_after=inactive_after, on_progress=on_progress,
                feeds_dir=Path(f"{db_path}.feeds") / f"crawl-{record.id}",
                worker_timeout=worker_timeout,
            )
        except (ScrapydError, StorageError) as error:
            record.status = "failed"
            raise click.ClickException(str(error)) from None
        finally:
            progress.close()
        record.status = "partial" if crawl.failed else "finished"
        record.counts = {**crawl.ingested.counts(), "stats": {"scrapyd_jobs": [
            {k: v for k, v in job.record(record.id).items() if k != "sites"} for job in crawl.jobs
        ]}}
    count = len(set(workers))
    where = (f" on {count} Scrapyd worker{'s' * (count != 1)}, "
             f"{len(crawl.jobs)} job{'s' * (len(crawl.jobs) != 1)}")
    click.echo(_summary_line("Crawled", record, crawl.ingested.sites, where,
                             time.monotonic() - started, db_path))
    for job in crawl.failed:
        click.echo(f"job {job.id} on {job.worker} failed: {job.error} ({len(job.seeds)} clinics"
                   f"{', log: ' + job.log_url if job.log_url else ''})", err=True)
        click.echo("  retry it alone: clinicscout crawl --db " + shlex.quote(db_path)
                   + f" --scrapyd {job.worker} --retry-job {job.id} " + " ".join(retry_options),
                   err=True)
    if crawl.failed:
        sys.exit(1)


def _seeds_of_job(storage: Storage, job_id: str) -> list[Seed]:
    job = storage.scrapyd_job(job_id)
    if job is None:
        raise click.BadParameter(f"no Scrapyd job {job_id} in {storage.path}", param_hint="--retry-job")
    return [Seed.from_record(site) for site in json.loads(job["sites"])]


@cli.command()
@click.argument("feeds", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@db_option
@click.option("--inactive-after", type=click.IntRange(1), default=3, show_default=True,
              help="Flag a site inactive after this many failed crawls in a row (its data is kept).")
def ingest(feeds: tuple[str, ...], db_path: str, inactive_after: int) -> None:
    """Load JSON-lines feeds of crawled sites into the database, scoring them.

    A feed holds one crawled site per line: what each Scrapyd job writes (kept in DB.feeds/),
    or `scrapy crawl clinic -a url=… -o sites.jl`. Loading a feed again changes nothing; a
    site whose pages are as stored is not rescored. The load is recorded in the crawls table.

    \b
    Example:
      clinicscout ingest clinics.db.feeds/crawl-3/*.jl --db clinics.db
    """
    from clinicscout.ingest import FeedError, IngestSummary, ingest_sites, read_feed

    started = time.monotonic()
    summary = IngestSummary()
    with _crawl_lock(db_path):
        storage = _open(db_path)
        with _recorded_crawl(storage, "ingest", 0) as record:
            try:
                for feed in feeds:
                    ingest_sites(storage, read_feed(feed), crawl_id=record.id,
                                 inactive_after=inactive_after, summary=summary)
            except (FeedError, StorageError) as error:
                record.status = "failed"
                raise click.ClickException(
                    f"{error}; the {summary.sites} sites before it are loaded") from None
            finally:
                record.counts = {"sites": summary.sites, **summary.counts()}
            record.status = "finished"
    click.echo(_summary_line("Ingested", record, summary.sites,
                             f" from {len(feeds)} feed{'s' * (len(feeds) != 1)}",
                             time.monotonic() - started, db_path))


@dataclass
class _CrawlRecord:
    id: int
    status: str = "interrupted"
    counts: dict[str, Any] = field(default_factory=dict)


@contextmanager
def _recorded_crawl(storage: Storage, mode: str, sites: int) -> Iterator[_CrawlRecord]:
    """A row of the crawls table, closed with the status and counts set, or as interrupted."""
    try:
        record = _CrawlRecord(storage.begin_crawl(mode, sites))
    except StorageError as error:
        raise click.ClickException(str(error)) from None
    try:
        yield record
    finally:
        try:
            storage.finish_crawl(record.id, record.status, record.counts)
        except StorageError as error:
            # The sites are saved; only the crawl's own row could not be closed (full disk…).
            click.echo(f"could not record the end of crawl {record.id}: {error}", err=True)


def _summary_line(verb: str, record: _CrawlRecord, sites: int, where: str, seconds: float,
                  db_path: str) -> str:
    """The one line a crawl ends with (what cron mails): what changed, and the crawl's id."""
    counts = record.counts
    return (f"{verb} {sites} sites{where} ({counts.get('sites_rescored', 0)} rescored, "
            f"{counts.get('sites_unchanged', 0)} unchanged, {counts.get('sites_failed', 0)} failed), "
            f"{counts.get('pages_fetched', 0)} pages fetched, {counts.get('pages_unchanged', 0)} "
            f"unchanged, {counts.get('errors', 0)} errors in {seconds:.1f}s → {db_path} "
            f"(crawl {record.id} {record.status})")


def _seeds_or_stored(seeds: list[Seed], storage: Storage) -> list[Seed]:
    """The seeds, registered as clinics; with none, every clinic of the database."""
    if not seeds:
        seeds = [Seed(website, details) for website, details in storage.websites()]
        without_website = storage.clinics_without_website()
        if without_website:
            click.echo(f"{without_website} known clinics have no website and are not crawled.",
                       err=True)
        if not seeds:
            raise click.UsageError("nothing to crawl: give URLs, --seeds FILE, or discover clinics first")
    try:
        for seed in seeds:
            storage.add_clinic(seed.website, seed.details)
    except StorageError as error:
        raise click.ClickException(str(error)) from None
    return seeds


@contextmanager
def _crawl_lock(db_path: str) -> Iterator[None]:
    from clinicscout.lock import CrawlLock, CrawlLocked

    lock = CrawlLock(db_path)
    try:
        lock.acquire()
    except CrawlLocked as error:
        raise click.ClickException(str(error)) from None
    try:
        yield
    finally:
        lock.release()


@cli.command()
@click.option("--near", help="Where to look: a US ZIP code (78701) or LAT,LON (30.27,-97.74).")
@click.option("--radius-km", type=click.FloatRange(0.1, 100), default=10, show_default=True,
              help="How far from --near to look.")
@click.option("--source", "sources", multiple=True, type=click.Choice(SOURCES),
              help="Open-data source to ask; repeat for several [default: osm and npi].")
@click.option("--seeds", "seeds_file", type=click.Path(dir_okay=False),
              help="CSV of clinics with a 'website' column (optional name, phone, address…).")
@db_option
@overpass_url_option
@npi_url_option
@source_timeout_option
def discover(near: str | None, radius_km: float, sources: tuple[str, ...], seeds_file: str | None,
             db_path: str, overpass_url: str, npi_url: str, timeout: float) -> None:
    """Find the clinics of an area and add them to the database, without crawling them.

    Sources: a seed CSV, OpenStreetMap (Overpass API) and the NPPES NPI registry, whose
    organisations only join a clinic found by another source (same phone or street address).
    Records of one clinic merge (same website domain or same phone), and running it again
    changes nothing. Nothing is written unless every source answered. Then run
    'clinicscout crawl' to crawl every clinic with a website.

    \b
    Examples:
      clinicscout discover --near 78701 --radius-km 5
      clinicscout discover --near 51.5072,-0.1276 --source osm
      clinicscout discover --seeds austin.csv --near 78701 --source osm
    """
    from clinicscout.discover.geo import NearError, parse_near
    from clinicscout.discover.http import SourceError
    from clinicscout.discover.run import Endpoints
    from clinicscout.discover.run import discover as run_discovery

    point = None
    if near:
        try:
            point = parse_near(near)
        except NearError as error:
            raise click.BadParameter(str(error), param_hint="--near") from None
    if not sources:
        sources = SOURCES if point else ()
    if sources and point is None:
        raise click.UsageError("--near ZIP|LAT,LON is required to ask OpenStreetMap or the NPI registry")
    if not sources and not seeds_file:
        raise click.UsageError("nothing to discover: give --near (and --source) or --seeds FILE")
    seeds = _seeds_from((), seeds_file)
    storage = _open(db_path)
    endpoints = Endpoints(overpass_url=overpass_url, npi_url=npi_url, timeout=timeout)
    try:
        report = run_discovery(storage, point=point, radius_km=radius_km, sources=sources,
                               seeds=seeds, endpoints=endpoints,
                               progress=lambda message: click.echo(message, err=True))
    except SourceError as error:
        raise click.ClickException(f"{error}. Nothing was written to {db_path}.") from None
    except StorageError as error:
        raise click.ClickException(str(error)) from None
    finally:
        storage.close()
    for note in report.notes:
        click.echo(note, err=True)
    found = ", ".join(f"{count} from {source}" for source, count in report.found.items())
    click.echo(
        f"Discovered {found or 'nothing'} in {report.requests} requests: {report.added} clinics "
        f"added, {report.updated} completed, {report.unchanged} unchanged"
        + (f"; {report.organisations_unmatched} NPI organisations matched no clinic"
           if "npi" in report.found else "")
        + f" → {db_path}"
    )


@cli.command("verify-npi")
@db_option
@npi_url_option
@source_timeout_option
def verify_npi(db_path: str, npi_url: str, timeout: float) -> None:
    """Look up the practitioners each US clinic's site names in the NPI registry.

    Run it after 'clinicscout crawl' (practitioners come from the crawled pages). Each match is
    stored with its NPI number, taxonomy, licence state, status and a confidence, and each
    clinic's npi_verified counts the named practitioners found. It never changes a verdict or
    a score. Nothing is written unless every look-up succeeded.
    """
    from clinicscout.discover.http import JsonClient, SourceError
    from clinicscout.discover.verify import verify_practitioners

    storage = _open(db_path)
    client = JsonClient("NPI registry", timeout=timeout)
    try:
        report = verify_practitioners(storage, client, npi_url,
                                      progress=lambda message: click.echo(message, err=True))
    except SourceError as error:
        raise click.ClickException(f"{error}. Nothing was written to {db_path}.") from None
    finally:
        storage.close()
    click.echo(
        f"Checked {report.checked} practitioners ({report.lookups} registry look-ups): "
        f"{report.found} found in the NPI registry; skipped {report.skipped_no_npi_role} "
        f"estheticians (no NPI) and {report.skipped_not_us} outside the US → {db_path}"
    )


@cli.command()
@db_option
def score(db_path: str) -> None:
    """Rescore every clinic from its stored pages (no network)."""
    from scoring import assess

    storage = _open(db_path)
    started = time.monotonic()
    pages = 0

    def rescored() -> Iterator[tuple[int, Assessment]]:
        nonlocal pages
        for clinic in storage.clinics_with_pages():
            yield clinic.id, assess(clinic.pages)
            pages += len(clinic.pages)

    # Scoring makes millions of short-lived objects and hardly any reference cycles: a larger
    # youngest generation means far fewer collections (6% faster on the benchmark's pages).
    thresholds = gc.get_threshold()
    gc.set_threshold(10_000, *thresholds[1:])
    try:
        clinics = storage.save_assessments(rescored())
        storage.update_ranks()
    except StorageError as error:
        raise click.ClickException(str(error)) from None
    finally:
        gc.set_threshold(*thresholds)
    elapsed = time.monotonic() - started
    rate = pages / elapsed if elapsed else 0
    click.echo(f"Rescored {clinics} clinics from {pages} stored pages in {elapsed:.2f}s "
               f"({rate:,.0f} pages/s) → {db_path}")


@cli.command()
@click.argument("snapshot", type=click.Path(dir_okay=False))
@db_option
def publish(snapshot: str, db_path: str) -> None:
    """Copy the database to SNAPSHOT, for the directory to serve while crawls write.

    The copy is one consistent state of the database, written beside SNAPSHOT and renamed over
    it at once. `clinicscout serve --db SNAPSHOT` moves to each new copy at its next request,
    without a restart, so visitors never see a crawl half done. A failed publish leaves
    SNAPSHOT as it was. Not while a crawl runs on the database: publish after it.

    \b
    Examples:
      clinicscout publish /var/lib/clinicscout/published.db
      clinicscout crawl --quiet && clinicscout publish published.db
    """
    _require_database(db_path)
    with _crawl_lock(db_path):
        storage = _open(db_path)
        try:
            publication = storage.publish(snapshot)
        except StorageError as error:
            raise click.ClickException(str(error)) from None
        finally:
            storage.close()
    click.echo(f"Published {publication.clinics:,} clinics ({publication.size_bytes / 1e6:.1f} MB) "
               f"from {db_path} in {publication.seconds:.1f}s → {snapshot}")


@cli.command()
@db_option
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8001, show_default=True, type=int)
@click.option("--public", is_flag=True, help="Disallow arbitrary SQL (stored queries only).")
def serve(db_path: str, host: str, port: int, public: bool) -> None:
    """Serve the directory with Datasette.

    A database made by an older clinicscout is brought up to date first (new tables, columns
    and views), as a crawl would; one that cannot be written is served as it is. Serving a
    snapshot of `clinicscout publish`, it moves to each new one at its next request.
    """
    _require_database(db_path)
    try:
        Storage(db_path).close()
    except StorageError as error:
        click.echo(f"Warning: {error}; serving it as it is.", err=True)
    _serve(db_path, host, port, public)


def _serve(db_path: str, host: str, port: int, public: bool) -> None:
    import uvicorn

    from clinicscout.web import keep_startup_objects_out_of_gc, make_datasette

    app = make_datasette(db_path, public=public).app()
    keep_startup_objects_out_of_gc()
    click.echo(f"Serving {db_path} at http://{host}:{port}/  (Ctrl-C to stop)")
    uvicorn.run(app, host=host, port=port, log_level="warning")


@cli.command()
@click.argument("url")
@click.option("--max-pages", type=click.IntRange(1, 500), default=40, show_default=True)
@allow_private_option
def check(url: str, max_pages: int, allow_private: bool) -> None:
    """Crawl one site without a database and explain everything.

    Shows the pages it crawled, the identity it extracted, every verdict with its evidence and
    the rule that matched, and the score. The debugging tool.
    """
    from crawler.runner import crawl_settings, run_crawl
    from scoring import CRITERIA_BY_ID, POSITIVE_CRITERIA

    try:
        seed = Seed.from_url(url)
    except InvalidWebsite as error:
        raise click.BadParameter(str(error), param_hint="URL") from None
    settings = crawl_settings(max_pages=max_pages, delay=0 if allow_private else None,
                              allow_private=allow_private)
    summary = run_crawl([seed], settings, keep_items=True)
    if not summary.site_items:
        raise click.ClickException(f"{url}: the crawl produced nothing")
    item = summary.site_items[0]
    click.echo(f"Site {item.site}: {len(item.pages)} pages, {item.pages_skipped} left over budget")
    for page in item.pages:
        click.echo(f"  {page.status} {page.url}  {page.title[:60]!r}")
    for error in item.errors:
        click.echo(f"  ! {error}")
    if item.assessment is None:
        raise click.ClickException("no page could be fetched, nothing to score")
    identity = item.assessment.identity
    click.echo("\nIdentity")
    for key in ("name", "phone", "street_address", "city", "region", "postcode", "country",
                "latitude", "longitude"):
        click.echo(f"  {key:15} {getattr(identity, key)}")
    click.echo("\nVerdicts")
    for verdict in item.assessment.verdicts:
        criterion = CRITERIA_BY_ID[verdict.criterion]
        mark = "✓" if verdict.met else "✗"
        click.echo(f"  {mark} {verdict.criterion:22} ({criterion.weight:+d})")
        if verdict.met:
            click.echo(f"      rule:  {verdict.rule}")
            click.echo(f"      page:  {verdict.page_url}")
            click.echo(f"      quote: {verdict.quote}")
    click.echo(f"\nScore {item.assessment.score}/100, criteria met "
               f"{item.assessment.criteria_met}/{POSITIVE_CRITERIA}")


@cli.command()
@click.option("--db", "db_path", default="data/clinics.db", show_default=True,
              type=click.Path(dir_okay=False))
@click.option("--port", default=8001, show_default=True, type=int)
@click.option("--no-serve", is_flag=True, help="Crawl and score, then stop (no Datasette).")
def demo(db_path: str, port: int, no_serve: bool) -> None:
    """Serve the bundled sample clinic sites on 127.0.0.1, crawl and score them, then serve Datasette."""
    from clinicscout.sites import ServedSites

    with ServedSites(SAMPLE_SITES) as sites:
        click.echo(f"Serving {len(sites.urls)} sample clinic sites on 127.0.0.1")
        for path in (Path(db_path), Path(db_path + "-wal"), Path(db_path + "-shm")):
            path.unlink(missing_ok=True)
        # The crawl runs in its own process: Scrapy's reactor runs once per process.
        command = [sys.executable, "-m", "clinicscout", "crawl", *sites.urls.values(),
                   "--db", db_path, "--allow-private", "--delay", "0"]
        if subprocess.run(command, check=False).returncode != 0:
            raise click.ClickException("the demo crawl failed")
    if not no_serve:
        _serve(db_path, "127.0.0.1", port, public=False)


def _require_database(db_path: str) -> None:
    """Stop a command that reads the database when there is none (Storage would make one)."""
    if not Path(db_path).exists():
        raise click.UsageError(f"{db_path} does not exist: run 'clinicscout crawl' first")


def _open(db_path: str) -> Storage:
    try:
        return Storage(db_path)
    except StorageError as error:
        raise click.ClickException(str(error)) from None

