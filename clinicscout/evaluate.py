"""``make eval``: how well the scorer agrees with independent labels on real clinic websites.

Serves every site of the corpus (``<corpus>/sites/<slug>``) on 127.0.0.1, runs the real
``clinicscout crawl`` on them into a temporary database, and compares what was stored with
``<corpus>/labels/<slug>.json``: precision, recall and F1 per criterion, the macro-F1, identity
accuracy, and met verdicts whose quote is not a sentence of the stored page text. Every miss is
written to the report file, so a change to the rules can be judged verdict by verdict.

The metric functions at the top are pure; the rest runs the crawl and prints.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tempfile
import time
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import click
import phonenumbers
import sqlite_utils

from clinicscout.storage import Storage, StoredClinic
from scoring import CRITERIA, assess

CRITERION_IDS = [c.id for c in CRITERIA]
IDENTITY_FIELDS = ("name", "phone", "street_address", "city")


# -- metrics (pure) ------------------------------------------------------------------------------

@dataclass
class Tally:
    """Confusion counts of one criterion, "met" being the positive class."""

    true_positive: int = 0
    false_positive: int = 0
    false_negative: int = 0
    true_negative: int = 0

    def add(self, expected: bool, got: bool) -> None:
        if expected and got:
            self.true_positive += 1
        elif got:
            self.false_positive += 1
        elif expected:
            self.false_negative += 1
        else:
            self.true_negative += 1

    @property
    def support(self) -> int:
        """Sites labeled met."""
        return self.true_positive + self.false_negative

    @property
    def precision(self) -> float:
        predicted = self.true_positive + self.false_positive
        # Nothing predicted met: precise, unless something should have been.
        return self.true_positive / predicted if predicted else float(self.support == 0)

    @property
    def recall(self) -> float:
        return self.true_positive / self.support if self.support else float(self.false_positive == 0)

    @property
    def f1(self) -> float:
        if not (self.true_positive or self.false_positive or self.false_negative):
            return 1.0  # every site rightly not met
        return 2 * self.true_positive / (
            2 * self.true_positive + self.false_positive + self.false_negative
        )


def macro_f1(tallies: Iterable[Tally]) -> float:
    scores = [t.f1 for t in tallies]
    return sum(scores) / len(scores) if scores else 0.0


_COUNTRY_CODES = {"usa": "US", "us": "US", "united states": "US", "uk": "GB", "gb": "GB",
                  "united kingdom": "GB", "australia": "AU", "au": "AU", "canada": "CA",
                  "ca": "CA", "ireland": "IE", "new zealand": "NZ"}


def region_of(country: str | None) -> str:
    """A phonenumbers region code for a country as a label writes it ("USA", "UK", "Australia")."""
    key = (country or "").strip().lower().rstrip(".")
    return _COUNTRY_CODES.get(key, key.upper() if len(key) == 2 else "US")


def normalise_phone(raw: str | None, region: str = "US") -> str | None:
    """E.164 when the number parses, else its digits; None when there is nothing."""
    if not raw:
        return None
    try:
        parsed = phonenumbers.parse(raw, region)
        if phonenumbers.is_possible_number(parsed):
            return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
    except phonenumbers.NumberParseException:
        pass
    return re.sub(r"\D", "", raw) or None


def fold(text: str | None) -> str:
    """Lowercase words without accents or punctuation: "Maxará Aesthetics!" → "maxara aesthetics"."""
    if not text:
        return ""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    plain = plain.lower().replace("&", " and ")
    return " ".join(re.sub(r"[^a-z0-9]+", " ", plain).split())


_STREET_WORDS = {
    "street": "st", "avenue": "ave", "av": "ave", "boulevard": "blvd", "road": "rd", "drive": "dr",
    "lane": "ln", "parkway": "pkwy", "highway": "hwy", "court": "ct", "place": "pl",
    "circle": "cir", "terrace": "ter", "square": "sq", "suite": "ste", "unit": "ste",
    "north": "n", "south": "s", "east": "e", "west": "w", "crescent": "cres", "parade": "pde",
}


def normalise_street(text: str | None) -> str:
    """Street lines compared word by word with the usual abbreviations: "Street" = "St"."""
    return " ".join(_STREET_WORDS.get(word, word) for word in fold(text).split())


def name_alternatives(*names: str | None) -> set[str]:
    """A label's name with and without its bracketed alternative: "A (B) C" → {"a b c", "a c", "b"}."""
    found = set()
    for name in names:
        if not name:
            continue
        found.add(fold(name))
        found.add(fold(re.sub(r"\([^)]*\)", " ", name)))
        found.update(fold(inner) for inner in re.findall(r"\(([^)]*)\)", name))
    return found - {""}


def identity_matches(field_name: str, expected: Any, got: Any, region: str = "US") -> bool:
    """Whether one identity field agrees with its label; a null label expects nothing found."""
    if field_name == "name":
        return fold(got) in expected if expected else not got
    if field_name == "phone":
        return normalise_phone(expected, region) == normalise_phone(got, region)
    if field_name == "street_address":
        return normalise_street(expected) == normalise_street(got)
    return fold(expected) == fold(got)


def label_path(url: str, site_files: set[str]) -> str:
    """The corpus-relative file a crawled URL was served from, as labels name pages.

    Mirrors the clean-URL fallback of the static server: ``path``, ``path.html``,
    ``path/index.html``.
    """
    path = unquote(urlsplit(url).path).lstrip("/")
    candidates = [path + "index.html"] if path.endswith("/") or not path else [
        path, path + ".html", path + "/index.html"]
    return next((c for c in candidates if c in site_files), candidates[0])


def quote_in_text(quote: str | None, text: str | None) -> bool:
    return bool(quote) and bool(text) and quote in text


# -- what a crawl produced ------------------------------------------------------------------------

@dataclass
class Got:
    met: bool
    page: str | None = None  # corpus-relative path
    quote: str | None = None
    rule: str | None = None
    quote_found: bool = True


@dataclass
class SiteResult:
    slug: str
    verdicts: dict[str, Got]
    identity: dict[str, Any]
    pages: int


@dataclass
class Miss:
    slug: str
    criterion: str
    expected: bool
    got: Got
    label: dict[str, Any]


@dataclass
class Evaluation:
    tallies: dict[str, Tally] = field(default_factory=lambda: {c: Tally() for c in CRITERION_IDS})
    misses: list[Miss] = field(default_factory=list)
    identity_checks: dict[str, list[tuple[str, bool, Any, Any]]] = field(
        default_factory=lambda: {f: [] for f in IDENTITY_FIELDS})
    quotes_not_in_text: list[tuple[str, str, str | None]] = field(default_factory=list)
    same_page_evidence: int = 0
    both_met: int = 0
    sites: int = 0
    pages: int = 0

    @property
    def macro_f1(self) -> float:
        return macro_f1(self.tallies.values())

    def identity_accuracy(self, field_name: str | None = None) -> float:
        checks = [c for f, cs in self.identity_checks.items() if field_name in (None, f) for c in cs]
        return sum(ok for _, ok, _, _ in checks) / len(checks) if checks else 0.0


def compare(results: Iterable[SiteResult], labels: dict[str, dict[str, Any]]) -> Evaluation:
    """Verdicts and identity of each site against its labels."""
    evaluation = Evaluation()
    for result in results:
        label = labels[result.slug]
        evaluation.sites += 1
        evaluation.pages += result.pages
        for criterion in CRITERION_IDS:
            want = label["criteria"][criterion]
            got = result.verdicts.get(criterion, Got(False))
            evaluation.tallies[criterion].add(bool(want["met"]), got.met)
            if bool(want["met"]) != got.met:
                evaluation.misses.append(Miss(result.slug, criterion, bool(want["met"]), got, want))
            elif got.met:
                evaluation.both_met += 1
                evaluation.same_page_evidence += got.page == want.get("url")
            if got.met and not got.quote_found:
                evaluation.quotes_not_in_text.append((result.slug, criterion, got.quote))
        region = region_of(label.get("country"))
        for field_name in IDENTITY_FIELDS:
            expected: Any = label.get(field_name if field_name != "name" else "business_name")
            if field_name == "name":
                expected = name_alternatives(expected, label.get("manifest_name"))
            got_value = result.identity.get(field_name)
            ok = identity_matches(field_name, expected, got_value, region)
            evaluation.identity_checks[field_name].append((result.slug, ok, expected, got_value))
    return evaluation


# -- running the crawl ------------------------------------------------------------------------------

def load_labels(corpus: Path, slugs: Iterable[str]) -> dict[str, dict[str, Any]]:
    manifest = {s["slug"]: s for s in json.loads((corpus / "manifest.json").read_text("utf-8"))}
    labels = {}
    for slug in slugs:
        label = json.loads((corpus / "labels" / f"{slug}.json").read_text("utf-8"))
        label["manifest_name"] = manifest.get(slug, {}).get("business_name")
        labels[slug] = label
    return labels


def site_files(site_dir: Path) -> set[str]:
    return {p.relative_to(site_dir).as_posix() for p in site_dir.rglob("*") if p.is_file()}


def crawl(urls: list[str], db_path: Path, quiet: bool) -> None:
    """The real ``clinicscout crawl``, in its own process as a user runs it."""
    command = [sys.executable, "-m", "clinicscout", "crawl", *urls, "--db", str(db_path),
               "--allow-private", "--delay", "0"]
    result = subprocess.run(command, capture_output=quiet, text=True, check=False)
    if result.returncode != 0:
        raise click.ClickException(f"the crawl failed:\n{result.stderr or ''}")


def read_results(db_path: Path, slug_of: dict[str, str], corpus: Path) -> Iterator[SiteResult]:
    """What the crawl stored, per corpus site, with page URLs mapped to corpus paths."""
    db = sqlite_utils.Database(db_path)
    for clinic in db.query("select * from clinics"):
        slug = slug_of[clinic["website"].rstrip("/")]
        files = site_files(corpus / "sites" / slug)
        texts = {r["url"]: r["text"] for r in db.query(
            "select url, text from pages where clinic_id = ?", [clinic["id"]])}
        verdicts = {}
        for row in db.query("select * from verdicts where clinic_id = ?", [clinic["id"]]):
            url = row["page_url"]
            verdicts[row["criterion"]] = Got(
                met=bool(row["met"]), page=label_path(url, files) if url else None,
                quote=row["quote"], rule=row["rule"],
                quote_found=quote_in_text(row["quote"], texts.get(url)),
            )
        identity = {f: clinic[f] for f in IDENTITY_FIELDS}
        yield SiteResult(slug, verdicts, identity, len(texts))


def stored_clinics(db_path: Path) -> list[StoredClinic]:
    storage = Storage(db_path)
    try:
        return list(storage.clinics_with_pages())
    finally:
        storage.close()


def rescored_results(
    db_path: Path, slug_of: dict[str, str], corpus: Path
) -> Iterator[SiteResult]:
    """The current scorer's verdicts on the pages a previous crawl stored (no network)."""
    for clinic in stored_clinics(db_path):
        slug = slug_of[clinic.website.rstrip("/")]
        files = site_files(corpus / "sites" / slug)
        texts = {p.url: p.text for p in clinic.pages}
        assessment = assess(clinic.pages)
        verdicts = {
            v.criterion: Got(v.met, label_path(v.page_url, files) if v.page_url else None,
                             v.quote, v.rule, quote_in_text(v.quote, texts.get(v.page_url or "")))
            for v in assessment.verdicts
        }
        identity = {f: getattr(assessment.identity, f) for f in IDENTITY_FIELDS}
        yield SiteResult(slug, verdicts, identity, len(texts))


def scorer_rate(clinics: list[StoredClinic], rounds: int = 3) -> float:
    """Pages/s of ``assess`` over stored pages (a quick figure; ``make bench`` owns the benchmark)."""
    pages = sum(len(c.pages) for c in clinics)
    started = time.perf_counter()
    for _ in range(rounds):
        for clinic in clinics:
            assess(clinic.pages)
    return rounds * pages / (time.perf_counter() - started)


def lxml_rate(corpus: Path, slugs: list[str], rounds: int = 3) -> float:
    """Pages/s of parsing each corpus HTML file with lxml and taking its text."""
    import lxml.html

    bodies = [p.read_bytes() for slug in slugs for p in (corpus / "sites" / slug).rglob("*.html")]
    started = time.perf_counter()
    for _ in range(rounds):
        for body in bodies:
            lxml.html.fromstring(body).text_content()
    return rounds * len(bodies) / (time.perf_counter() - started)


# -- report ---------------------------------------------------------------------------------------

def table(evaluation: Evaluation) -> str:
    lines = [f"{'criterion':24} {'P':>5} {'R':>5} {'F1':>5} {'support':>8} {'FP':>3} {'FN':>3}"]
    for criterion, tally in evaluation.tallies.items():
        flag = "  <0.80" if tally.f1 < 0.8 else ""
        lines.append(
            f"{criterion:24} {tally.precision:5.2f} {tally.recall:5.2f} {tally.f1:5.2f} "
            f"{tally.support:8d} {tally.false_positive:3d} {tally.false_negative:3d}{flag}"
        )
    lines.append(f"{'macro-F1':24} {'':5} {'':5} {evaluation.macro_f1:5.3f}")
    lines.append("")
    for field_name in IDENTITY_FIELDS:
        lines.append(f"identity {field_name:15} {evaluation.identity_accuracy(field_name):6.1%}")
    lines.append(f"identity {'(all fields)':15} {evaluation.identity_accuracy():6.1%}")
    lines.append(f"met verdicts whose quote is not in the page text: {len(evaluation.quotes_not_in_text)}")
    if evaluation.both_met:
        lines.append(f"agreed met verdicts quoting the labeled page: {evaluation.same_page_evidence}"
                     f"/{evaluation.both_met}")
    return "\n".join(lines)


def report(evaluation: Evaluation, speed: str = "") -> str:
    parts = [table(evaluation), speed, "", f"MISSES ({len(evaluation.misses)})"]
    for miss in evaluation.misses:
        parts.append(f"\n{miss.slug} · {miss.criterion}: expected {'met' if miss.expected else 'not met'},"
                     f" got {'met' if miss.got.met else 'not met'}")
        if miss.got.met:
            parts.append(f"  ours   [{miss.got.rule}] {miss.got.page}: {miss.got.quote}")
        if miss.expected:
            parts.append(f"  label  {miss.label.get('url')}: {miss.label.get('quote')}")
        if miss.label.get("note"):
            parts.append(f"  note   {miss.label['note']}")
    parts.append("\nIDENTITY MISSES")
    for field_name, checks in evaluation.identity_checks.items():
        for slug, ok, expected, got in checks:
            if not ok:
                shown = sorted(expected) if isinstance(expected, set) else expected
                parts.append(f"{slug} · {field_name}: expected {shown!r}, got {got!r}")
    parts.append("\nQUOTES NOT IN PAGE TEXT")
    parts.extend(f"{slug} · {criterion}: {quote!r}" for slug, criterion, quote in
                 evaluation.quotes_not_in_text)
    return "\n".join(parts) + "\n"


def run(corpus: Path, slugs: list[str], db_path: Path, quiet: bool = True) -> Evaluation:
    """Serve the corpus sites, crawl them for real into ``db_path`` and compare with the labels.

    Which site each served origin was is kept next to the database, for ``--rescore``.
    """
    from clinicscout.sites import ServedSites

    labels = load_labels(corpus, slugs)
    with ServedSites(corpus / "sites", slugs) as sites:
        crawl(list(sites.urls.values()), db_path, quiet)
        slug_of = {url.rstrip("/"): slug for slug, url in sites.urls.items()}
    _sites_file(db_path).write_text(json.dumps(slug_of, indent=1), encoding="utf-8")
    return compare(read_results(db_path, slug_of, corpus), labels)


def rerun(corpus: Path, db_path: Path) -> Evaluation:
    """Rescore a previous evaluation crawl with the current rules and compare (no crawl)."""
    slug_of = json.loads(_sites_file(db_path).read_text(encoding="utf-8"))
    labels = load_labels(corpus, sorted(set(slug_of.values())))
    return compare(rescored_results(db_path, slug_of, corpus), labels)


def _sites_file(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + ".sites.json")


@click.command()
@click.option("--corpus", type=click.Path(file_okay=False, path_type=Path),
              default=Path("../shared/corpus"), show_default=True,
              help="Folder with sites/, labels/ and manifest.json.")
@click.option("--report", "report_path", type=click.Path(dir_okay=False, path_type=Path),
              default=Path("eval/report.txt"), show_default=True,
              help="Where to write the table and every miss.")
@click.option("--site", "only", multiple=True, help="Evaluate only this site (repeatable).")
@click.option("--db", "db_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Keep the crawl database here (default: a temporary file).")
@click.option("--rescore", is_flag=True,
              help="Do not crawl: rescore the pages stored in --db by an earlier evaluation "
                   "with the current rules (fast, for tuning).")
def main(corpus: Path, report_path: Path, only: tuple[str, ...], db_path: Path | None,
         rescore: bool) -> None:
    """Measure the scorer against the labeled real clinic sites of the corpus.

    Serves each site on 127.0.0.1, runs the real `clinicscout crawl`, compares every verdict
    and the identity with the labels, prints the table and writes every miss to the report.
    """
    if not (corpus / "labels").is_dir() or not (corpus / "sites").is_dir():
        raise click.ClickException(f"{corpus} is not an evaluation corpus (needs sites/ and labels/)")
    slugs = sorted(only or (p.stem for p in (corpus / "labels").glob("*.json")))
    missing = [s for s in slugs if not (corpus / "sites" / s).is_dir()]
    if missing:
        raise click.ClickException(f"no such corpus site: {', '.join(missing)}")
    if rescore and not (db_path and _sites_file(db_path).exists()):
        raise click.UsageError("--rescore needs --db of an earlier evaluation run")
    with tempfile.TemporaryDirectory() as scratch:
        db = db_path or Path(scratch) / "eval.db"
        if rescore:
            evaluation = rerun(corpus, db)
        else:
            db.unlink(missing_ok=True)
            click.echo(f"Crawling {len(slugs)} corpus sites served on 127.0.0.1…", err=True)
            evaluation = run(corpus, slugs, db, quiet=False)
        clinics = stored_clinics(db)
    rate, parse_rate = scorer_rate(clinics), lxml_rate(corpus, slugs)
    speed = (f"scorer (assess): {rate:,.0f} pages/s over {sum(len(c.pages) for c in clinics)} "
             f"stored pages; lxml parse + text of the corpus HTML: {parse_rate:,.0f} pages/s; "
             f"ratio {rate / parse_rate:.2f}")
    click.echo(table(evaluation))
    click.echo(speed)
    report_path.parent.mkdir(parents=True, exist_ok=True)
    report_path.write_text(report(evaluation, speed), encoding="utf-8")
    click.echo(f"{len(evaluation.misses)} misses over {evaluation.sites} sites "
               f"({evaluation.pages} pages) → {report_path}")


if __name__ == "__main__":
    main()
