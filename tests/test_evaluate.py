"""The evaluation harness (`make eval`): its metrics, its matching of identities and pages, and a
real run on a few sites of ../shared/corpus."""

from __future__ import annotations

import subprocess
import sys

import pytest

from clinicscout.evaluate import (
    CRITERION_IDS,
    Got,
    SiteResult,
    Tally,
    compare,
    identity_matches,
    label_path,
    macro_f1,
    name_alternatives,
    normalise_phone,
    normalise_street,
    quote_in_text,
)
from tests.conftest import ROOT, SHARED

CORPUS = SHARED / "corpus"


def tally(*pairs: tuple[bool, bool]) -> Tally:
    counts = Tally()
    for expected, got in pairs:
        counts.add(expected, got)
    return counts


def test_precision_recall_and_f1_count_met_as_the_positive_class():
    counts = tally((True, True), (True, True), (True, False), (False, True), (False, False))
    assert (counts.true_positive, counts.false_negative, counts.false_positive) == (2, 1, 1)
    assert counts.support == 3
    assert counts.precision == pytest.approx(2 / 3)
    assert counts.recall == pytest.approx(2 / 3)
    assert counts.f1 == pytest.approx(2 / 3)


def test_a_criterion_rightly_never_met_scores_a_perfect_f1():
    assert tally((False, False), (False, False)).f1 == 1.0


def test_a_criterion_never_predicted_but_expected_scores_zero():
    counts = tally((True, False), (False, False))
    assert (counts.precision, counts.recall, counts.f1) == (0.0, 0.0, 0.0)


def test_macro_f1_is_the_plain_mean_over_criteria():
    assert macro_f1([tally((True, True)), tally((True, False))]) == pytest.approx(0.5)


@pytest.mark.parametrize(("raw", "region", "e164"), [
    ("918.710.2060", "US", "+19187102060"),
    ("(620) 992-6088", "US", "+16209926088"),
    ("0434 710 010", "AU", "+61434710010"),
    ("07711 253413", "GB", "+447711253413"),
    ("+1 312 539 5818", "GB", "+13125395818"),
])
def test_phones_are_compared_in_e164(raw, region, e164):
    assert normalise_phone(raw, region) == e164


def test_street_lines_match_whatever_the_abbreviations_and_punctuation():
    assert normalise_street("504 South 8th Street") == normalise_street("504 S. 8th St")
    assert normalise_street("2253 S State St, Unit 4") == normalise_street("2253 S State Street Unit 4")
    assert normalise_street("60 Central Street") != normalise_street("333-8894 60 Central Street")


def test_a_name_matches_the_label_or_its_bracketed_alternative():
    names = name_alternatives("SuA Glow Medspa (SuA K-Glow)")
    assert identity_matches("name", names, "SuA K-Glow")
    assert identity_matches("name", names, "SUA GLOW MEDSPA")
    assert not identity_matches("name", names, "Medspa")
    assert identity_matches("name", name_alternatives("Maxará Aesthetics"), "Maxara Aesthetics")


def test_a_null_label_expects_nothing_found():
    assert identity_matches("phone", None, None)
    assert not identity_matches("phone", None, "+19725550100")
    assert not identity_matches("name", set(), "Studio")


def test_crawled_urls_map_to_the_files_labels_name():
    files = {"index.html", "about.html", "treatments/microneedling/index.html", "pages/blog.html"}
    assert label_path("http://127.0.0.1:8000/", files) == "index.html"
    assert label_path("http://127.0.0.1:8000/about", files) == "about.html"
    assert label_path("http://127.0.0.1:8000/treatments/microneedling/", files) == \
        "treatments/microneedling/index.html"
    assert label_path("http://127.0.0.1:8000/treatments/microneedling", files) == \
        "treatments/microneedling/index.html"
    assert label_path("http://127.0.0.1:8000/pages/blog.html", files) == "pages/blog.html"


def test_a_quote_counts_only_as_an_exact_substring_of_the_page_text():
    assert quote_in_text("We numb first.", "Microneedling\nWe numb first. Then we start.")
    assert not quote_in_text("We numb first", "We  numb first.")
    assert not quote_in_text(None, "anything")


def test_compare_counts_misses_identity_and_quotes_outside_the_page():
    label = {
        "business_name": "Glow Clinic", "manifest_name": None, "phone": "(512) 555-0142",
        "street_address": "1 Main Street", "city": "Austin", "country": "USA",
        "criteria": {c: {"met": c in ("offers_microneedling", "pricing"), "url": "index.html"}
                     for c in CRITERION_IDS},
    }
    verdicts = {c: Got(False) for c in CRITERION_IDS}
    verdicts["offers_microneedling"] = Got(True, "index.html", "Microneedling.", "names it")
    verdicts["anesthesia"] = Got(True, "faq.html", "Numbing cream.", "numbing", quote_found=False)
    identity = {"name": "Glow Clinic", "phone": "+15125550142", "street_address": "1 Main St",
                "city": "Dallas"}
    evaluation = compare([SiteResult("glow", verdicts, identity, 3)], {"glow": label})
    assert [(m.criterion, m.expected) for m in evaluation.misses] == [
        ("anesthesia", False), ("pricing", True)]
    assert evaluation.quotes_not_in_text == [("glow", "anesthesia", "Numbing cream.")]
    assert evaluation.identity_accuracy() == 0.75
    assert evaluation.identity_accuracy("city") == 0.0
    assert evaluation.same_page_evidence == evaluation.both_met == 1


@pytest.mark.skipif(not (CORPUS / "labels").is_dir(),
                    reason="../shared/corpus is absent: the evaluation corpus is not part of the repo")
def test_make_eval_crawls_real_corpus_sites_and_writes_every_miss(tmp_path):
    report = tmp_path / "report.txt"
    result = subprocess.run(
        [sys.executable, "-m", "clinicscout.evaluate", "--corpus", str(CORPUS), "--report",
         str(report), "--site", "murphy-wellness", "--site", "maxara-aesthetics"],
        capture_output=True, text=True, timeout=300, cwd=ROOT, check=True,
    )
    assert "macro-F1" in result.stdout
    assert "met verdicts whose quote is not in the page text: 0" in result.stdout
    text = report.read_text()
    assert text.startswith("criterion")
    for criterion in CRITERION_IDS:
        assert f"\n{criterion} " in text
    # Both sites offer microneedling; the harness must see that through the real crawl.
    assert "offers_microneedling      1.00  1.00  1.00        2" in text
    assert "MISSES (" in text
