"""``python -m bench.run [--quick]``: every speed target of clinicscout, measured in one run.

1. crawl       ``clinicscout crawl`` vs a bare Scrapy spider, same sites, same settings (≥ 0.8)
2. rescoring   ``clinicscout score`` vs bare lxml parse + visible text of the same pages (≥ 0.5)
3. datasette   p50/p95 of the directory's pages at directory scale (p95 < 50 ms)
4. memory      peak RSS of a crawl of 5N sites ÷ that of N sites (≈ 1)
5. projection  hours for a 10,000-clinic region at the polite defaults, on 1…k Scrapyd nodes

Every crawl runs in its own process against a synthetic web served from another process.
Results go to bench/results.json and a table on standard output.
"""

from __future__ import annotations

import contextlib
import json
import os
import platform
import re
import subprocess
import sys
import time
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import click
import lxml.etree
import lxml.html
import sqlite_utils

from bench.directory import build_directory, time_requests
from bench.server import SyntheticWebServer, measure_serving_rate
from bench.stats import PoliteCrawl, projected_hours, rate, ratio
from bench.synthetic import generate_web
from clinicscout.storage import Storage
from crawler import settings as crawl_defaults

ROOT = Path(__file__).resolve().parent.parent
CRAWL_TARGET, RESCORE_TARGET, P95_TARGET_MS, MEMORY_TARGET = 0.8, 0.5, 50.0, 1.25
REGION_CLINICS = 10_000
# Above the largest synthetic site, so both crawlers fetch every page of every site.
FULL_SITE_BUDGET = 500


def _run(command: list[str], log: Path) -> tuple[str, float]:
    """Runs a command in its own process; its standard output and peak RSS in MB.

    The peak is the child's own VmHWM, polled while it runs: the rusage of a child started by
    fork counts the parent's memory at the fork, and this parent holds the whole synthetic web.
    """
    output_path = log.with_suffix(".out")
    with log.open("w") as stderr, output_path.open("w") as stdout:
        process = subprocess.Popen(command, stdout=stdout, stderr=stderr, text=True, cwd=ROOT,
                                   env={**os.environ, "PYTHONWARNINGS": "ignore"})
        peak_kb = 0
        status = Path(f"/proc/{process.pid}/status")
        while process.poll() is None:
            with contextlib.suppress(OSError):
                found = re.search(r"VmHWM:\s+(\d+) kB", status.read_text())
                peak_kb = max(peak_kb, int(found[1])) if found else peak_kb
            time.sleep(0.02)
    if process.returncode != 0:
        raise click.ClickException(f"{' '.join(command[:4])}… failed ({process.returncode}); see {log}")
    return output_path.read_text(), peak_kb / 1024


def _bare_crawl(urls: list[str], work: Path) -> dict[str, Any]:
    output, rss = _run([sys.executable, "-m", "bench.bare_spider", *urls], work / "bare.log")
    result = json.loads(output)
    return {"sites": len(urls), "pages": result["pages"], "seconds": result["seconds"],
            "pages_per_s": rate(result["pages"], result["seconds"]), "peak_rss_mb": rss}


def _clinicscout_crawl(urls: list[str], db: Path, work: Path) -> dict[str, Any]:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    seeds = work / f"{db.stem}-seeds.csv"
    seeds.write_text("website\n" + "\n".join(urls) + "\n")
    output, rss = _run(
        [sys.executable, "-m", "clinicscout", "crawl", "--seeds", str(seeds), "--db", str(db),
         "--allow-private", "--delay", "0", "--max-pages", str(FULL_SITE_BUDGET), "--quiet"],
        work / f"{db.stem}.log",
    )
    found = re.search(r"Crawled (\d+) sites \(\d+ rescored, \d+ unchanged, (\d+) failed\), (\d+) pages fetched, "
                      r"\d+ unchanged, (\d+) errors in ([\d.]+)s", output)
    if not found:
        raise click.ClickException(f"unexpected crawl summary: {output!r}")
    sites, failed, pages, errors, seconds = found.groups()
    return {"sites": int(sites), "failed": int(failed), "pages": int(pages), "errors": int(errors),
            "seconds": float(seconds), "pages_per_s": rate(int(pages), float(seconds)), "peak_rss_mb": rss}


def _best(runs: list[dict[str, Any]]) -> dict[str, Any]:
    return max(runs, key=lambda run: run["pages_per_s"])


def _score(db: Path, work: Path) -> dict[str, Any]:
    output, _ = _run([sys.executable, "-m", "clinicscout", "score", "--db", str(db)], work / "score.log")
    found = re.search(r"Rescored (\d+) clinics from (\d+) stored pages in ([\d.]+)s \(([\d,]+) pages/s\)", output)
    if not found:
        raise click.ClickException(f"unexpected score summary: {output!r}")
    # The rate, not the time: the summary rounds the time to hundredths of a second, 4% of it.
    clinics, pages, seconds = int(found[1]), int(found[2]), float(found[3])
    return {"clinics": clinics, "pages": pages, "seconds": seconds,
            "pages_per_s": float(found[4].replace(",", ""))}


def _lxml_text(bodies: list[bytes]) -> dict[str, Any]:
    """The floor for rescoring: parse each page's HTML and take its visible text, nothing else."""
    started = time.perf_counter()
    for body in bodies:
        root = lxml.html.fromstring(body)
        lxml.etree.strip_elements(root, "script", "style", with_tail=False)
        root.text_content()
    seconds = time.perf_counter() - started
    return {"pages": len(bodies), "seconds": seconds, "pages_per_s": rate(len(bodies), seconds)}


def _rescore(db: Path, web_html: dict[str, bytes], work: Path, rounds: int) -> dict[str, Any]:
    bodies = [web_html[row["url"]] for row in sqlite_utils.Database(db).query("select url from pages")]
    score_runs, lxml_runs = [], []
    for _ in range(rounds):
        score_runs.append(_score(db, work))
        lxml_runs.append(_lxml_text(bodies))
    score, floor = _best(score_runs), _best(lxml_runs)
    measured = ratio(score["pages_per_s"], floor["pages_per_s"])
    return {"clinicscout_score": score, "lxml_text": floor, "rounds": rounds, "ratio": measured,
            "target": RESCORE_TARGET, "met": measured >= RESCORE_TARGET}


def _projection(cpu_pages_per_s: float, mean_pages: float, latency: float, nodes: list[int]) -> dict[str, Any]:
    polite = PoliteCrawl(
        download_delay=crawl_defaults.DOWNLOAD_DELAY,
        concurrent_requests=crawl_defaults.CONCURRENT_REQUESTS,
        per_site_concurrency=crawl_defaults.CONCURRENT_REQUESTS_PER_DOMAIN,
        page_budget=crawl_defaults.CLINICSCOUT_PAGE_BUDGET,
        latency=latency,
    )
    # Each site also costs a robots.txt and a sitemap request at the same polite pace.
    polite_pages_per_s = polite.pages_per_s * mean_pages / (mean_pages + 2)
    pages = REGION_CLINICS * mean_pages
    return {
        "clinics": REGION_CLINICS, "mean_pages_per_site": mean_pages, "pages": pages,
        "assumptions": asdict(polite) | {"sites_crawled_at_once": polite.sites_at_once},
        "polite_pages_per_s_per_node": polite_pages_per_s,
        "cpu_pages_per_s_per_node": cpu_pages_per_s,
        "bound_by": "politeness" if polite_pages_per_s < cpu_pages_per_s else "CPU",
        "hours_by_nodes": {str(k): projected_hours(pages, polite_pages_per_s, cpu_pages_per_s, k) for k in nodes},
    }


def _datasette_lines(directory: dict[str, Any]) -> list[str]:
    lines = [f"datasette ({directory['clinics']:,} clinics, {directory['requests_each']} requests each)"]
    for label, timing in directory["requests"].items():
        if timing["available"]:
            verdict = ("ok" if timing["p95_ms"] < P95_TARGET_MS else "MISSES TARGET") if timing["target"] \
                else "(no target)"
            value = f"{timing['p50_ms']:.1f} / {timing['p95_ms']:.1f} ms"
        else:
            verdict, value = timing.get("error", ""), "not available"
        lines.append(f"  {label + ' p50 / p95':<44} {value:>22}  {verdict}")
    cold = [(timing["cold_ms"], label) for label, timing in directory["requests"].items() if timing["available"]]
    if cold:
        slowest, label = max(cold)
        lines.append(f"  first request of a page, slowest ({label}): {slowest:.0f} ms (statements not yet prepared)")
    return lines


def _table(results: dict[str, Any]) -> str:
    lines = []

    def row(label: str, value: str, verdict: str = "") -> None:
        lines.append(f"  {label:<44} {value:>22}  {verdict}")

    def mark(met: bool) -> str:
        return "ok" if met else "MISSES TARGET"

    serving, crawl = results["serving"], results["crawl"]
    lines.append(f"clinicscout bench ({results['mode']}, {results['machine']['cpus']} CPUs)")
    lines.append("serving")
    row("synthetic web, keep-alive client", f"{serving['pages_per_s']:,.0f} pages/s",
        f"{serving['times_crawl_rate']:.0f}× the bare crawl")
    lines.append(f"crawl ({crawl['bare']['sites']} sites, {crawl['bare']['pages']} pages, best of {crawl['rounds']})")
    row("bare Scrapy spider", f"{crawl['bare']['pages_per_s']:,.0f} pages/s")
    row("clinicscout crawl", f"{crawl['clinicscout']['pages_per_s']:,.0f} pages/s")
    row("ratio (target ≥ 0.8)", f"{crawl['ratio']:.2f}", mark(crawl["met"]))
    rescoring = results["rescoring"]
    lines.append(f"rescoring ({rescoring['clinicscout_score']['pages']} pages, best of {rescoring['rounds']})")
    row("lxml parse + visible text", f"{rescoring['lxml_text']['pages_per_s']:,.0f} pages/s")
    row("clinicscout score", f"{rescoring['clinicscout_score']['pages_per_s']:,.0f} pages/s")
    row("ratio (target ≥ 0.5)", f"{rescoring['ratio']:.2f}", mark(rescoring["met"]))
    lines += _datasette_lines(results["datasette"])
    memory = results["memory"]
    lines.append("memory (peak RSS of clinicscout crawl)")
    row(f"{memory['sites_n']} sites", f"{memory['peak_rss_mb_n']:.0f} MB")
    row(f"{memory['sites_5n']} sites", f"{memory['peak_rss_mb_5n']:.0f} MB")
    row(f"ratio (target ≤ {MEMORY_TARGET})", f"{memory['ratio']:.2f}", mark(memory["met"]))
    projection = results["projection"]
    lines.append(f"projection: {projection['clinics']:,} clinics × {projection['mean_pages_per_site']:.1f} pages, "
                 f"polite defaults, {projection['assumptions']['latency']} s site latency")
    row("per node: polite / CPU-bound", f"{projection['polite_pages_per_s_per_node']:.1f} / "
        f"{projection['cpu_pages_per_s_per_node']:.0f} pages/s", f"bound by {projection['bound_by']}")
    for nodes, hours in projection["hours_by_nodes"].items():
        row(f"{nodes} node{'s' if nodes != '1' else ''}", f"{hours:.1f} h")
    return "\n".join(lines)


def _build_directory(db: Path, clinics: int, seed: int, step: Any) -> dict[str, Any]:
    step(f"datasette: inserting {clinics:,} synthetic clinics through storage")
    return build_directory(db, clinics, seed)


def _time_directory(db: Path, directory: dict[str, Any], repeats: int, step: Any) -> dict[str, Any]:
    step(f"datasette: timing {repeats} requests per page")
    return directory | {"requests_each": repeats, "requests": time_requests(db, repeats),
                        "target_p95_ms": P95_TARGET_MS}


def _datasette_only(db: Path, clinics: int, repeats: int, seed: int, reuse_db: bool,
                    step: Any, out: Path) -> None:
    if reuse_db and db.exists():
        storage = Storage(db)  # brings the schema (indexes) up to date, as serving would
        storage.db.execute("ANALYZE")
        found = storage.db.execute("select count(*) from clinics").fetchone()[0]
        storage.close()
        directory = {"clinics": found, "reused": True}
        step(f"datasette: reusing {db} ({found:,} clinics)")
    else:
        directory = _build_directory(db, clinics, seed, step)
    results = _time_directory(db, directory, repeats, step) | {
        "finished": datetime.now(UTC).isoformat(timespec="seconds")}
    out.write_text(json.dumps({"datasette": results}, indent=2) + "\n")
    click.echo("\n".join(_datasette_lines(results)))
    click.echo(f"\n{out} written")


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--quick", is_flag=True, help="Small sizes: finishes in about a minute.")
@click.option("--sites", type=click.IntRange(2), help="N: sites crawled side by side [default: 24, quick 8].")
@click.option("--memory-factor", default=5, show_default=True, type=click.IntRange(2),
              help="Memory is compared between crawls of N and factor × N sites.")
@click.option("--clinics", type=click.IntRange(100), help="Clinics in the Datasette database [default: 100000, quick 10000].")
@click.option("--requests", "repeats", type=click.IntRange(5), help="Timed requests per page [default: 50, quick 15].")
@click.option("--rounds", type=click.IntRange(1), help="Rounds of each side-by-side comparison; the best of each side counts [default: 3, quick 2].")
@click.option("--latency", default=0.5, show_default=True, type=float,
              help="Assumed response time of a real clinic site, for the projection (seconds).")
@click.option("--nodes", default="1,2,4,8", show_default=True, help="Scrapyd node counts to project.")
@click.option("--seed", default=0, show_default=True, help="Seed of the synthetic web and directory.")
@click.option("--out", default=str(ROOT / "bench" / "results.json"), show_default=True, type=click.Path(dir_okay=False))
@click.option("--only", type=click.Choice(["datasette"]),
              help="Run one part alone; its results go to bench/results-<part>.json unless --out says.")
@click.option("--reuse-db", is_flag=True,
              help="With --only datasette: time the directory database of the last run instead of building it.")
def main(quick: bool, sites: int | None, memory_factor: int, clinics: int | None, repeats: int | None,
         rounds: int | None, latency: float, nodes: str, seed: int, out: str, only: str | None,
         reuse_db: bool) -> None:
    """Measure crawling, rescoring, Datasette and memory against their floors, in one run."""
    sites = sites or (8 if quick else 24)
    clinics = clinics or (10_000 if quick else 100_000)
    repeats = repeats or (15 if quick else 50)
    rounds = rounds or (2 if quick else 3)
    work = ROOT / "bench" / "work"
    work.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()

    def step(message: str) -> None:
        click.echo(f"[{time.monotonic() - started:5.1f}s] {message}", err=True)

    if only == "datasette":
        default_out = click.get_current_context().get_parameter_source("out").name == "DEFAULT"
        _datasette_only(work / "directory.db", clinics, repeats, seed, reuse_db, step,
                        ROOT / "bench" / "results-datasette.json" if default_out else Path(out))
        return

    many = sites * memory_factor
    web = generate_web(many, seed)
    step(f"serving a synthetic web of {many} sites ({sum(len(s.pages) for s in web)} pages)")
    with SyntheticWebServer(many, seed) as server:
        urls = [f"{server.origins[site.slug]}/" for site in web]
        web_html = {f"{server.origins[site.slug]}{path}": page.encode("utf-8")
                    for site in web for path, page in site.pages.items()}
        serving = measure_serving_rate([(f"{p.scheme}://{p.netloc}", p.path) for p in map(urlsplit, web_html)],
                                       seconds=1.0 if quick else 3.0)
        bare_runs, ours_runs = [], []
        for round_number in range(rounds):
            step(f"crawl {round_number + 1}/{rounds}: bare Scrapy spider over {sites} sites")
            bare_runs.append(_bare_crawl(urls[:sites], work))
            step(f"crawl {round_number + 1}/{rounds}: clinicscout crawl over {sites} sites")
            ours_runs.append(_clinicscout_crawl(urls[:sites], work / "crawl-n.db", work))
        step(f"memory: clinicscout crawl over {many} sites")
        big = _clinicscout_crawl(urls, work / "crawl-many.db", work)
    bare, ours = _best(bare_runs), _best(ours_runs)
    crawl_ratio = ratio(ours["pages_per_s"], bare["pages_per_s"])
    step(f"rescoring {big['pages']} stored pages")
    rescoring = _rescore(work / "crawl-many.db", web_html, work, rounds)
    directory = _build_directory(work / "directory.db", clinics, seed, step)
    datasette = _time_directory(work / "directory.db", directory, repeats, step)
    peak_n = max(run["peak_rss_mb"] for run in ours_runs)
    memory_ratio = big["peak_rss_mb"] / peak_n
    budget = crawl_defaults.CLINICSCOUT_PAGE_BUDGET
    mean_pages = sum(min(len(s.pages), budget) for s in web) / len(web)
    results = {
        "mode": "quick" if quick else "full",
        "finished": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "parameters": {"sites": sites, "memory_factor": memory_factor, "clinics": clinics, "requests": repeats,
                       "rounds": rounds, "seed": seed},
        "serving": serving | {"times_crawl_rate": serving["pages_per_s"] / bare["pages_per_s"]},
        "crawl": {"bare": bare, "clinicscout": ours, "rounds": rounds, "all_runs": {"bare": bare_runs, "clinicscout": ours_runs},
                  "ratio": crawl_ratio, "target": CRAWL_TARGET, "met": crawl_ratio >= CRAWL_TARGET},
        "rescoring": rescoring,
        "datasette": datasette,
        "memory": {"sites_n": sites, "peak_rss_mb_n": peak_n, "sites_5n": many, "peak_rss_mb_5n": big["peak_rss_mb"],
                   "pages_5n": big["pages"], "ratio": memory_ratio, "target": MEMORY_TARGET,
                   "met": memory_ratio <= MEMORY_TARGET},
        "projection": _projection(ours["pages_per_s"], mean_pages, latency, [int(n) for n in nodes.split(",")]),
        "seconds": time.monotonic() - started,
    }
    Path(out).write_text(json.dumps(results, indent=2) + "\n")
    click.echo(_table(results))
    click.echo(f"\n{out} written in {results['seconds']:.0f}s")


if __name__ == "__main__":
    main()
