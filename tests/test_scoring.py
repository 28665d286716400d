"""The scorer, criterion by criterion, in the words of ../shared/criteria.md."""

from __future__ import annotations

import pytest

from scoring import CRITERIA, Page, assess

MN_PAGE = "https://clinic.example/microneedling"
HOME = "https://clinic.example/"


def verdict(criterion: str, *pages: Page):
    return assess(pages).by_criterion[criterion]


def mn_page(text: str) -> Page:
    return Page(MN_PAGE, "Microneedling | Clinic", text)


def home(text: str) -> Page:
    return Page(HOME, "Clinic", text)


def test_the_table_covers_exactly_the_contract_ids():
    assert [c.id for c in CRITERIA] == [
        "offers_microneedling", "board_certified", "licensed_practitioner", "medical_director",
        "experience", "sterile_equipment", "anesthesia", "serum_or_mask", "skin_consultation",
        "contraindications", "aftercare", "side_effects", "treatment_plan", "procedure_described",
        "pricing", "contact_info", "fda_cleared_device", "unrealistic_claims",
    ]


@pytest.mark.parametrize("sentence", [
    "We offer SkinPen microneedling for acne scars.",
    "Collagen induction therapy stimulates your own collagen.",
    "Morpheus8 RF microneedling tightens the jawline.",
])
def test_any_form_of_microneedling_counts_as_offering_it(sentence):
    assert verdict("offers_microneedling", home(sentence)).met


def test_microneedling_only_in_a_blog_post_is_not_an_offer():
    blog = Page("https://clinic.example/blog/trends", "Trends",
                "According to a magazine feature, microneedling is the treatment of the year.")
    assert not verdict("offers_microneedling", home("Facials, waxing and lash lifts."), blog).met


def test_anesthesia_met_when_numbing_cream_is_applied_for_microneedling():
    v = verdict("anesthesia", mn_page("Microneedling\nWe apply a numbing cream for 30 minutes first."))
    assert v.met
    assert v.quote == "We apply a numbing cream for 30 minutes first."
    assert v.page_url == MN_PAGE


def test_anesthesia_denied_is_not_met():
    assert not verdict("anesthesia", mn_page("We do not use numbing cream for microneedling.")).met


def test_numbing_for_laser_hair_removal_is_not_evidence_for_microneedling():
    laser = Page("https://clinic.example/laser-hair-removal", "Laser Hair Removal",
                 "Laser hair removal\nA numbing cream is applied before each laser session.")
    assert not verdict("anesthesia", laser, mn_page("Microneedling renews your skin.")).met


def test_a_question_is_not_a_statement():
    assert not verdict("anesthesia", mn_page("Do you use numbing cream for microneedling?")).met


def test_site_wide_statements_count_for_treatment_criteria():
    assert verdict("sterile_equipment", home("All our instruments are sterilised after every use.")).met


def test_medical_director_must_be_a_physician():
    nurse = home("Our medical director, Jane Doe, FNP-C, leads every treatment.")
    assert not verdict("medical_director", nurse).met
    physician = home("Our medical director, Dr. John Smith, MD, supervises every treatment.")
    assert verdict("medical_director", physician).met


def test_experience_needs_a_number():
    assert not verdict("experience", home("Our team has years of experience.")).met
    assert verdict("experience", home("Our team has over 15 years of experience.")).met
    assert verdict("experience", home("Serving Denver since 2009.")).met


def test_minimal_downtime_alone_is_not_a_side_effect():
    assert not verdict("side_effects", mn_page("Microneedling has minimal downtime.")).met
    assert verdict("side_effects", mn_page("Expect redness for 24 to 48 hours after microneedling.")).met


def test_a_series_alone_is_not_a_treatment_plan():
    assert not verdict("treatment_plan", mn_page("Most clients book a series of microneedling treatments.")).met
    assert verdict("treatment_plan", mn_page("We recommend 3 to 6 sessions, 4 weeks apart.")).met


def test_procedure_needs_two_concrete_steps():
    one_step = mn_page("Microneedling creates micro-channels in the skin.")
    assert not verdict("procedure_described", one_step).met
    two_steps = mn_page("We cleanse your skin and apply numbing cream. The session takes about 60 minutes.")
    assert verdict("procedure_described", two_steps).met


def test_call_for_pricing_is_not_a_price():
    assert not verdict("pricing", mn_page("Call us for microneedling pricing.")).met
    assert verdict("pricing", mn_page("Microneedling: $350 per session.")).met


def test_pre_care_alone_is_not_a_contraindication():
    assert not verdict("contraindications", mn_page("Avoid blood thinners before your visit.")).met
    assert verdict("contraindications", mn_page(
        "Microneedling is not suitable if you are pregnant or have active acne.")).met


def test_dermapen_without_fda_statement_is_not_fda_cleared():
    assert not verdict("fda_cleared_device", mn_page("We use the Dermapen 4 for microneedling.")).met
    assert verdict("fda_cleared_device", mn_page("We use SkinPen, the first FDA-cleared microneedling device.")).met


def test_red_flags_are_met_and_subtract_from_the_score():
    honest = mn_page("Microneedling with sterile needles.")
    boastful = mn_page("Microneedling with sterile needles. Guaranteed results with no side effects!")
    assert verdict("unrealistic_claims", boastful).met
    assert assess([boastful]).score < assess([honest]).score


def test_an_honest_disclaimer_is_not_a_red_flag():
    assert not verdict("unrealistic_claims", mn_page("Results of microneedling are not guaranteed.")).met


HARBOR_SKIN = {
    "@type": "MedicalClinic", "name": "Harbor Skin", "telephone": "(843) 555-0129",
    "address": {"@type": "PostalAddress", "streetAddress": "145 East Bay Street, Suite 300",
                "addressLocality": "Charleston", "addressRegion": "SC", "postalCode": "29401"},
    "geo": {"latitude": "32.78", "longitude": "-79.93"},
}


def test_contact_info_from_schema_org_data():
    result = assess([Page(HOME, "Clinic", "Welcome to our clinic.", structured=(HARBOR_SKIN,))])
    assert result.by_criterion["contact_info"].met
    assert result.identity.phone == "+18435550129"
    assert result.identity.street_address == "145 East Bay Street, Suite 300"
    assert (result.identity.latitude, result.identity.longitude) == (32.78, -79.93)


def test_a_schema_org_address_is_evidenced_by_the_visible_sentence_naming_its_street():
    text = "Welcome to our clinic.\nFind us on East Bay Street, across from the park."
    verdict = assess([Page(HOME, "Clinic", text, structured=(HARBOR_SKIN,))]).by_criterion["contact_info"]
    assert (verdict.met, verdict.page_url) == (True, HOME)
    assert verdict.quote == "Find us on East Bay Street, across from the park."


def test_a_schema_org_address_with_its_phone_shown_is_evidenced_by_the_phone_sentence():
    text = "Welcome to our clinic.\nCall us at (843) 555-0129 to book."
    verdict = assess([Page(HOME, "Clinic", text, structured=(HARBOR_SKIN,))]).by_criterion["contact_info"]
    assert verdict.quote == "Call us at (843) 555-0129 to book."


def test_contact_details_only_in_schema_org_data_are_met_without_a_quote():
    """Nothing visible to quote: the verdict names the page and says so, it never quotes JSON."""
    verdict = assess([Page(HOME, "Clinic", "Welcome to our clinic.", structured=(HARBOR_SKIN,))]
                     ).by_criterion["contact_info"]
    assert (verdict.met, verdict.page_url, verdict.quote) == (True, HOME, None)
    assert "nothing to quote" in verdict.rule


def test_scoring_is_deterministic_whatever_the_page_order():
    pages = [home("Over 10 years of experience. Call (512) 555-0142."),
             mn_page("We cleanse, numb and then glide the SkinPen over the skin.")]
    assert assess(pages) == assess(list(reversed(pages)))


def test_every_met_quote_is_an_exact_substring_of_its_page():
    pages = [home("Dr. Ana Ruiz, MD, board-certified dermatologist.\nOpen since 2012."),
             mn_page("Microneedling\nWe use sterile, single-use cartridges. Redness lasts a day.")]
    texts = {p.url: p.text for p in pages}
    for v in assess(pages).verdicts:
        if v.met and v.quote:
            assert v.quote in texts[v.page_url]


@pytest.mark.parametrize(("criterion", "sentence"), [
    ("anesthesia", "A topical anaesthetic cream is applied before microneedling."),
    ("anesthesia", "A topical anesthetic cream is applied before microneedling."),
    ("sterile_equipment", "Every microneedling cartridge is sterilised and single-use."),
    ("sterile_equipment", "Every microneedling cartridge is sterilized and single-use."),
])
def test_british_and_american_spellings_count_alike(criterion, sentence):
    assert verdict(criterion, mn_page(sentence)).met


def page(path: str, title: str, *lines: str) -> Page:
    return Page(f"https://clinic.example/{path}", title, "\n".join(lines))


MENU = ("Home", "Microneedling", "Laser Hair Removal", "Contact")


def test_a_menu_entry_repeated_on_every_page_opens_no_microneedling_section():
    laser = page("laser-hair-removal", "Laser Hair Removal", *MENU,
                 "A numbing cream is applied before each session.")
    others = [page(p, p.title(), *MENU, "We are open six days a week.") for p in ("", "contact", "about")]
    mn = page("microneedling", "Microneedling", *MENU, "Microneedling renews your skin.")
    assert not verdict("anesthesia", laser, mn, *others).met


def test_a_paragraph_that_reports_an_article_stays_hearsay_after_its_first_sentence():
    post = page("microneedling-news", "Microneedling in the news",
                "According to a magazine feature, microneedling is popular. It describes a numbing "
                "cream applied for 30 minutes before the pen is used.")
    assert not verdict("anesthesia", post).met


def test_the_clinic_saying_it_does_not_numb_outweighs_a_passing_mention():
    studio = mn_page("We do not use numbing cream for microneedling.\n"
                     "Numbing creams can leave a film that interferes with serum absorption.")
    assert not verdict("anesthesia", studio).met


def test_list_items_are_read_with_the_line_that_introduces_them():
    lines = mn_page("Microneedling\nTreatment is not suitable if you:\nAre pregnant or breastfeeding.\n"
                    "Have an active cold sore.")
    v = verdict("contraindications", lines)
    assert v.met
    assert v.quote == "Are pregnant or breastfeeding."


def test_a_curly_apostrophe_negation_still_names_a_contraindication():
    assert verdict("contraindications", mn_page(
        "We don’t treat during pregnancy or over active acne.")).met


def test_a_team_card_reads_role_name_and_credential_together():
    physician = page("team", "Our Team", "Medical Director", "Lori Martin", "M.D.")
    assert verdict("medical_director", physician).met
    nurse = page("team", "Our Team", "Medical Director", "Dorrie Smith", "RN, BSN, FNP-C")
    assert not verdict("medical_director", nurse).met


def test_evidence_is_a_sentence_rather_than_a_bare_heading():
    v = verdict("offers_microneedling", mn_page(
        "Microneedling\nWe offer microneedling with SkinPen for acne scars and fine lines."))
    assert v.quote == "We offer microneedling with SkinPen for acne scars and fine lines."


def test_a_page_mostly_about_microneedling_is_a_microneedling_page_whatever_its_url():
    scars = page("scar-treatment", "Scar Treatment",
                 "Microneedling is our main scar treatment.", "Microneedling breaks up scar tissue.",
                 "We combine microneedling with subcision.", "Comfort first",
                 "A strong topical numbing cream is applied before treatment.")
    assert verdict("anesthesia", scars).met


def test_an_age_of_a_product_is_not_the_clinic_s_experience():
    assert not verdict("experience", home("This filler has been on the market since 2007.")).met
    assert not verdict("experience", home("PMMA has been used in medical implants for 65 years.")).met
    assert verdict("experience", home("Lakeside has offered microneedling since 2013.")).met


@pytest.mark.parametrize(("titles", "city", "name"), [
    (["Home ✨ Miracle Skin Bar Miami Beach", "Specials ✨ Miracle Skin Bar Miami Beach"],
     "Miami Beach", "Miracle Skin Bar"),
    (["Inicio – Casa Vieja Estética – San Antonio, TX", "Contacto – Casa Vieja Estética – San Antonio, TX"],
     "San Antonio", "Casa Vieja Estética"),
    (["Studio · Rowan Skin Studio · Portland", "Questions · Rowan Skin Studio · Portland"],
     "Portland", "Rowan Skin Studio"),
    (["Home | Lumen Dermatology & Skin Health, Austin TX", "FAQ | Lumen Dermatology & Skin Health, Austin TX"],
     "Austin", "Lumen Dermatology & Skin Health"),
    (["Medical Aesthetics of Chattanooga", "Botox | Medical Aesthetics of Chattanooga"],
     "Chattanooga", "Medical Aesthetics of Chattanooga"),
])
def test_the_clinic_name_is_what_page_titles_share_without_the_place(titles, city, name):
    pages = [Page(f"https://clinic.example/{i}", title,
                  f"1 Main Street, {city}, TX 78205\nCall (512) 555-0142") for i, title in enumerate(titles)]
    assert assess(pages).identity.name == name


def test_the_phone_shown_on_every_page_beats_a_banner_link():
    pages = [Page(f"https://clinic.example/{i}", "Clinic", "Phone : 918.710.2060",
                  tel_links=("9187102060",) if i else ("1-918-710-5060",)) for i in range(4)]
    assert assess(pages).identity.phone == "+19187102060"
