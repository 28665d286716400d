"""The scorer on phrasings of clinic sites it was not tuned on.

Real clinics in the US, the UK, Canada and Australia say the same things in many ways: British
spellings, brand names, synonyms, FAQ questions, lists under a lead-in. Each case is a short page
written for this file; a met case names the sentence that must be quoted as evidence, a case that
does not count says why in its id. Rules must generalise to the family, never to one site.
"""

from __future__ import annotations

import pytest

from scoring import Page, assess

MN_URL = "https://clinic.example/microneedling"


def mn(*lines: str) -> Page:
    """The clinic's microneedling page: every line is about the treatment."""
    return Page(MN_URL, "Microneedling | Clinic", "\n".join(lines))


def home(*lines: str) -> Page:
    """The home page: about the whole practice, no treatment in particular."""
    return Page("https://clinic.example/", "Clinic", "\n".join(lines))


def other(path: str, title: str, *lines: str) -> Page:
    return Page(f"https://clinic.example/{path}", title, "\n".join(lines))


def case(criterion: str, page: Page | tuple[Page, ...], quote: str | None, id: str):
    """quote is the sentence that must be the evidence; None means the criterion is not met."""
    pages = page if isinstance(page, tuple) else (page,)
    return pytest.param(criterion, pages, quote, id=id)


def check(criterion: str, pages: tuple[Page, ...], quote: str | None) -> None:
    v = assess(pages).by_criterion[criterion]
    if quote is None:
        assert not v.met, f"{criterion} wrongly met by {v.quote!r} ({v.rule})"
    else:
        assert v.met, f"{criterion} missed {quote!r}"
        assert v.quote == quote
        assert v.quote in next(p.text for p in pages if p.url == v.page_url)


# -- what counts: synonyms, brands and spelling variants ------------------------------------------

COUNTS = [
    # offers_microneedling: every name the treatment goes by
    case("offers_microneedling", home("We offer skin needling for acne scarring and fine lines."),
         "We offer skin needling for acne scarring and fine lines.", "skin needling (AU/UK)"),
    case("offers_microneedling", home("Our Vampire Facial combines your own PRP with needling."),
         "Our Vampire Facial combines your own PRP with needling.", "Vampire Facial"),
    case("offers_microneedling", home("Medical needling is performed by our nurses in Perth."),
         "Medical needling is performed by our nurses in Perth.", "medical needling"),
    case("offers_microneedling", home("Scarlet RF and Virtue RF tighten skin with insulated needles."),
         "Scarlet RF and Virtue RF tighten skin with insulated needles.", "RF microneedling brands"),

    # board_certified: any board, American or otherwise spelled
    case("board_certified", home("Dr. Amy Chen is board certified in dermatology."),
         "Dr. Amy Chen is board certified in dermatology.", "board certified"),
    case("board_certified", home("Dr. Lee is a diplomate of the American Board of Facial Plastic Surgery."),
         "Dr. Lee is a diplomate of the American Board of Facial Plastic Surgery.", "diplomate"),
    case("board_certified", home("Kim Ross, MSN, FNP-BC, leads our skin team."),
         "Kim Ross, MSN, FNP-BC, leads our skin team.", "FNP-BC"),
    # …and where there are no American boards: a college's fellowship, the GMC's register
    case("board_certified", home("Dr. Anne Roy, MD, FRCPC, is our dermatologist."),
         "Dr. Anne Roy, MD, FRCPC, is our dermatologist.", "FRCPC (CA)"),
    case("board_certified", home("Dr. Liam Wu is a Royal College certified dermatologist."),
         "Dr. Liam Wu is a Royal College certified dermatologist.", "Royal College certified (CA)"),
    case("board_certified", home("Dr. Mia Chen, FACD, is a specialist dermatologist in Sydney."),
         "Dr. Mia Chen, FACD, is a specialist dermatologist in Sydney.", "FACD (AU)"),
    case("board_certified", home("Dr. Owen Price, FRACS, is a specialist plastic surgeon."),
         "Dr. Owen Price, FRACS, is a specialist plastic surgeon.", "FRACS (AU)"),
    case("board_certified", home("Mr James Hart, MBBS, FRCS (Plast), is a consultant plastic surgeon."),
         "Mr James Hart, MBBS, FRCS (Plast), is a consultant plastic surgeon.", "FRCS (UK)"),
    case("board_certified", home("Dr. Sarah Lee is on the GMC Specialist Register for dermatology."),
         "Dr. Sarah Lee is on the GMC Specialist Register for dermatology.", "GMC specialist register (UK)"),

    # licensed_practitioner: licensed professions, in any country's titles
    case("licensed_practitioner", home("Treatments are carried out by an NMC registered nurse."),
         "Treatments are carried out by an NMC registered nurse.", "NMC registered nurse"),
    case("licensed_practitioner", home("Sophie is an independent nurse prescriber with a passion for skin."),
         "Sophie is an independent nurse prescriber with a passion for skin.", "nurse prescriber"),
    case("licensed_practitioner", home("Our clinic is run by a GMC registered doctor."),
         "Our clinic is run by a GMC registered doctor.", "GMC registered doctor"),
    case("licensed_practitioner", home("Every treatment is performed by a licenced aesthetician."),
         "Every treatment is performed by a licenced aesthetician.", "licenced (British spelling)"),
    case("licensed_practitioner", home("Meet Hannah Wells RGN, our lead aesthetic injector."),
         "Meet Hannah Wells RGN, our lead aesthetic injector.", "RGN without a comma"),
    case("licensed_practitioner", home("All microneedling is performed by our RNs and NPs."),
         "All microneedling is performed by our RNs and NPs.", "RNs and NPs"),
    case("licensed_practitioner", home("Our cosmetic doctor will see you at every visit."),
         "Our cosmetic doctor will see you at every visit.", "cosmetic doctor"),

    # medical_director: a physician leads, owns or supervises
    case("medical_director", home("Clinical Director: Dr Priya Shah, MBBS, MRCGP"),
         "Clinical Director: Dr Priya Shah, MBBS, MRCGP", "clinical director (UK)"),
    case("medical_director", home("The clinic is owned and operated by Dr. Mark Evans."),
         "The clinic is owned and operated by Dr. Mark Evans.", "owned and operated by"),
    case("medical_director", home("We are a doctor-led clinic in the heart of Leeds."),
         "We are a doctor-led clinic in the heart of Leeds.", "doctor-led"),
    case("medical_director", home("Our founder, Dr. Sarah Lee, is a board-certified dermatologist."),
         "Our founder, Dr. Sarah Lee, is a board-certified dermatologist.", "founder, Dr."),
    case("medical_director", home("Dr. Lee (MD) oversees all treatments."),
         "Dr. Lee (MD) oversees all treatments.", "(MD) in brackets"),

    # experience: a number, whatever the punctuation
    case("experience", home("Our nurses have over 20 years' experience in aesthetics."),
         "Our nurses have over 20 years' experience in aesthetics.", "years' (British possessive)"),
    case("experience", home("Jane has worked in medical aesthetics for over 12 years."),
         "Jane has worked in medical aesthetics for over 12 years.", "worked for N years"),
    case("experience", home("Rachel has been an aesthetic nurse for 9 years."),
         "Rachel has been an aesthetic nurse for 9 years.", "has been a nurse for N years"),
    case("experience", home("Proudly serving Calgary since 2006."),
         "Proudly serving Calgary since 2006.", "serving since"),

    # sterile_equipment
    case("sterile_equipment", mn("Every client receives a brand new, sealed needle cartridge."),
         "Every client receives a brand new, sealed needle cartridge.", "new sealed cartridge"),
    case("sterile_equipment", mn("Each client gets a new sterile tip."),
         "Each client gets a new sterile tip.", "a new sterile tip"),
    case("sterile_equipment", mn("Needle cartridges are never reused."),
         "Needle cartridges are never reused.", "never reused"),
    case("sterile_equipment", mn("Hospital-grade sterilisation protects every client."),
         "Hospital-grade sterilisation protects every client.", "sterilisation"),
    case("sterile_equipment", mn("Not only do we use single-use tips, we also autoclave every tool."),
         "Not only do we use single-use tips, we also autoclave every tool.", "not only (no denial)"),
    case("sterile_equipment", mn("Unlike some clinics, we only use sterile needle cartridges."),
         "Unlike some clinics, we only use sterile needle cartridges.", "unlike some clinics (contrast)"),

    # anesthesia
    case("anesthesia", mn("Numbing cream is not required, but it is available on request."),
         "Numbing cream is not required, but it is available on request.", "not required but available"),
    case("anesthesia", mn("Numbing cream isn't necessary for most clients, though we're happy to apply it."),
         "Numbing cream isn't necessary for most clients, though we're happy to apply it.",
         "not necessary but applied on request"),
    case("anesthesia", mn("A topical anaesthetic cream is applied for 20 minutes."),
         "A topical anaesthetic cream is applied for 20 minutes.", "anaesthetic"),
    case("anesthesia", mn("We apply LMX4 before the pen touches your skin."),
         "We apply LMX4 before the pen touches your skin.", "LMX4"),
    case("anesthesia", mn("Pliaglis or Topicaine is used to keep you comfortable."),
         "Pliaglis or Topicaine is used to keep you comfortable.", "Topicaine"),
    case("anesthesia", mn("Your skin is numbed with a prilocaine gel."),
         "Your skin is numbed with a prilocaine gel.", "numbed"),
    case("anesthesia", mn("Do you use numbing cream?", "Yes, we apply a lidocaine cream for 30 minutes."),
         "Yes, we apply a lidocaine cream for 30 minutes.", "FAQ answer, not its question"),

    # serum_or_mask
    case("serum_or_mask", mn("An ampoule of growth factors is worked into the skin."),
         "An ampoule of growth factors is worked into the skin.", "growth factor ampoule"),
    case("serum_or_mask", mn("We finish with a soothing sheet mask."),
         "We finish with a soothing sheet mask.", "sheet mask"),
    case("serum_or_mask", mn("A calming masque is applied afterwards."),
         "A calming masque is applied afterwards.", "masque"),
    case("serum_or_mask", mn("Add PRP to your microneedling for $200."),
         "Add PRP to your microneedling for $200.", "PRP add-on"),
    case("serum_or_mask", mn("Exosomes can be added to any microneedling session."),
         "Exosomes can be added to any microneedling session.", "exosomes added"),

    # skin_consultation
    case("skin_consultation", mn("A patch test is carried out at least 48 hours before your first session."),
         "A patch test is carried out at least 48 hours before your first session.", "patch test"),
    case("skin_consultation", home("Your journey begins with a VISIA skin analysis."),
         "Your journey begins with a VISIA skin analysis.", "skin analysis"),
    case("skin_consultation", home("Every client receives a bespoke treatment programme."),
         "Every client receives a bespoke treatment programme.", "programme"),
    case("skin_consultation", mn("An initial assessment is required before treatment."),
         "An initial assessment is required before treatment.", "initial assessment"),

    # contraindications
    case("contraindications", mn("We cannot treat you if you have taken Roaccutane in the last 6 months."),
         "We cannot treat you if you have taken Roaccutane in the last 6 months.", "Roaccutane"),
    case("contraindications", mn("Microneedling isn't suitable during pregnancy or while breastfeeding."),
         "Microneedling isn't suitable during pregnancy or while breastfeeding.", "isn't suitable"),
    case("contraindications", mn("Epuris users must wait six months before treatment."),
         "Epuris users must wait six months before treatment.", "Epuris (Canada)"),
    case("contraindications", mn("Who should not have microneedling?", "Anyone with active acne or a cold sore"),
         "Anyone with active acne or a cold sore", "list under a question heading"),
    case("contraindications", mn("Microneedling may not be right for you if you have diabetes."),
         "Microneedling may not be right for you if you have diabetes.", "not right for you"),

    # aftercare
    case("aftercare", mn("Wear a high-factor sun cream every day for two weeks."),
         "Wear a high-factor sun cream every day for two weeks.", "sun cream"),
    case("aftercare", mn("Do not apply make-up for 12 hours."),
         "Do not apply make-up for 12 hours.", "do not apply make-up"),
    case("aftercare", mn("Avoid hot showers, steam rooms and the gym for 48 hours."),
         "Avoid hot showers, steam rooms and the gym for 48 hours.", "hot showers and gym"),
    case("aftercare", mn("Avoid AHAs, BHAs and vitamin C for five days."),
         "Avoid AHAs, BHAs and vitamin C for five days.", "acids"),
    case("aftercare", mn("Stay off sunbeds for a fortnight."),
         "Stay off sunbeds for a fortnight.", "sunbeds"),

    # side_effects
    case("side_effects", mn("Erythema and mild oedema settle within 48 hours."),
         "Erythema and mild oedema settle within 48 hours.", "erythema and oedema"),
    case("side_effects", mn("Expect 48 hours of social downtime."),
         "Expect 48 hours of social downtime.", "social downtime"),
    case("side_effects", mn("Some tenderness and small breakouts are normal."),
         "Some tenderness and small breakouts are normal.", "tenderness and breakouts"),
    case("side_effects", mn("There is a small risk of infection and scarring."),
         "There is a small risk of infection and scarring.", "risk of"),

    # treatment_plan
    case("treatment_plan", mn("Treatments are repeated at 4-6 weekly intervals."),
         "Treatments are repeated at 4-6 weekly intervals.", "N-weekly intervals (UK)"),
    case("treatment_plan", mn("Allow four to six weeks between sessions."),
         "Allow four to six weeks between sessions.", "weeks between sessions"),
    case("treatment_plan", mn("We suggest one treatment per month until you see results."),
         "We suggest one treatment per month until you see results.", "one per month"),
    case("treatment_plan", mn("Top-ups once or twice a year keep the results."),
         "Top-ups once or twice a year keep the results.", "once or twice a year"),

    # procedure_described: two concrete steps of the clinic's session
    case("procedure_described",
         mn("Your skin is disinfected and a numbing cream is applied.", "The appointment lasts around an hour."),
         "Your skin is disinfected and a numbing cream is applied.", "disinfected + numbing"),

    # pricing
    case("pricing", mn("Microneedling from £195 per session"), "Microneedling from £195 per session", "pounds"),
    case("pricing", mn("Single treatment 350 CAD, course of three 900 CAD."),
         "Single treatment 350 CAD, course of three 900 CAD.", "CAD"),

    # fda_cleared_device
    case("fda_cleared_device", mn("Our microneedling pen is 510(k) cleared."),
         "Our microneedling pen is 510(k) cleared.", "510(k)"),
    case("fda_cleared_device", home("We only use FDA-cleared devices for every treatment."),
         "We only use FDA-cleared devices for every treatment.", "site-wide device statement"),
    case("fda_cleared_device", mn("We use the SkinPen® Precision system."),
         "We use the SkinPen® Precision system.", "SkinPen with a mark"),

    # unrealistic_claims: promises about microneedling
    case("unrealistic_claims", mn("Microneedling permanently erases acne scars."),
         "Microneedling permanently erases acne scars.", "permanently erases"),
    case("unrealistic_claims", mn("Enjoy results that last a lifetime."),
         "Enjoy results that last a lifetime.", "last a lifetime"),
    case("unrealistic_claims", mn("Say goodbye to acne scars forever."),
         "Say goodbye to acne scars forever.", "gone forever"),
    case("unrealistic_claims", mn("A completely side-effect free treatment."),
         "A completely side-effect free treatment.", "side-effect free"),
]


@pytest.mark.parametrize(("criterion", "pages", "quote"), COUNTS)
def test_a_phrasing_of_the_family_counts(criterion, pages, quote):
    check(criterion, pages, quote)


# -- what does not count: scope, advice, products, benefits, negation ------------------------------

LASER = other("laser-hair-removal", "Laser Hair Removal", "Laser Hair Removal",
              "A numbing cream is applied and results are permanent.")
MICROBLADING = other("microblading", "Microblading", "Microblading",
                     "A topical anaesthetic is applied before each brow session.")
FACELIFT = other("facelift", "Facelift", "Facelift surgery",
                 "A facelift is performed under general anaesthetic and takes three hours.")

DOES_NOT_COUNT = [
    # scope: another treatment's page or section
    case("anesthesia", (LASER, mn("Microneedling renews your skin.")), None, "numbing for laser"),
    case("unrealistic_claims", (LASER, mn("Microneedling renews your skin.")), None,
         "permanent said of hair removal"),
    case("anesthesia", (MICROBLADING, mn("Microneedling renews your skin.")), None, "numbing for microblading"),
    case("anesthesia", (FACELIFT, mn("Microneedling renews your skin.")), None, "anaesthetic for surgery"),
    case("skin_consultation", other("facelift", "Facelift", "Facelift",
                                    "Book a facelift consultation with our surgeon."),
         None, "surgical consultation"),
    case("fda_cleared_device", home("Our FDA-cleared laser removes unwanted hair."), None, "FDA said of a laser"),

    # offers_microneedling
    case("offers_microneedling", home("We no longer offer microneedling at this clinic."), None, "no longer offered"),
    case("offers_microneedling", home("Microneedling - coming soon!"), None, "not offered yet"),

    # board_certified: advice to the reader, not a claim
    case("board_certified", home("Always make sure your provider is board-certified."), None, "advice"),
    case("board_certified", home("Always choose a surgeon on the GMC specialist register."), None,
         "advice: choose one on the register"),

    # licensed_practitioner: products and the reader's own doctor
    case("licensed_practitioner", home("We stock physician-grade skincare brands."), None, "physician-grade"),
    case("licensed_practitioner", home("Our cleanser is dermatologist-tested and fragrance free."), None,
         "dermatologist-tested"),
    case("licensed_practitioner", home("Check with your dermatologist before booking if you have eczema."),
         None, "your own dermatologist"),
    case("licensed_practitioner", home("Our skin therapists are fully qualified with a Level 4 diploma."),
         None, "therapist, Level 4"),
    case("licensed_practitioner", home("Our certified laser technicians use the latest equipment."), None,
         "technician"),
    case("licensed_practitioner", home("Treatments performed by a qualified aesthetic practitioner."), None,
         "qualified practitioner"),

    # medical_director
    case("medical_director", home("Dr. Ann Lee, DNP, FNP-C, is our medical director."), None,
         "nurse practitioner titled Dr."),
    case("medical_director", mn("If you take blood thinners, proceed only under the guidance of your physician."),
         None, "your own physician"),

    # experience
    case("experience", home("Microneedling has been used for over 20 years."), None, "age of the treatment"),
    case("experience", (home("We offer microneedling in Austin."),
                        other("careers", "Careers | Clinic", "We are hiring an aesthetic nurse.",
                              "Requirements: 2+ years of experience in aesthetics.")),
         None, "a job offer asks it of applicants"),

    # sterile_equipment
    case("sterile_equipment", mn("Home dermarollers cannot be properly sterilised."), None, "denied"),
    case("sterile_equipment", mn("Our treatment rooms are cleaned between every client."), None, "cleaned"),

    # anesthesia
    case("anesthesia", mn("Numbing cream is not needed for most clients."), None, "not needed"),

    # serum_or_mask
    case("serum_or_mask", home("All patients are asked to wear a face mask in the waiting room."), None,
         "a face covering"),
    case("serum_or_mask", mn("After microneedling, avoid active serums for 72 hours."), None,
         "serums to avoid after"),
    case("serum_or_mask", mn("Shop our range of microneedling serums online."), None, "serums for sale"),
    case("serum_or_mask", mn("PRP can also be injected for hair loss."), None, "PRP injected for hair"),

    # skin_consultation
    case("skin_consultation", mn("Consultations are not required for returning clients."), None, "not required"),
    case("skin_consultation", mn("Book online without a consultation."), None, "without"),

    # contraindications
    case("contraindications", mn("Microneedling is safe during breastfeeding, ask us."), None,
         "no will-not-treat"),
    case("contraindications", mn("Microneedling is safe for all skin types."), None, "safe for all"),

    # aftercare
    case("aftercare", mn("Avoid sun exposure prior to your treatment."), None, "pre-care"),
    case("aftercare", mn("Our SPF 50 tinted sunscreen is $45."), None, "a product for sale"),

    # side_effects: benefits are not effects
    case("side_effects", mn("Microneedling reduces redness, pigmentation and fine lines."), None,
         "redness as a benefit"),
    case("side_effects", mn("We finish with red LED light therapy."), None, "red light"),
    case("side_effects", mn("Minimal to no downtime."), None, "minimal downtime"),
    case("side_effects", mn("Clients with bleeding disorders cannot be treated."), None,
         "bleeding disorder is a contraindication"),

    # treatment_plan
    case("treatment_plan", mn("We have performed over 10,000 treatments."), None, "a count of treatments done"),

    # procedure_described: aftercare steps are not the session
    case("procedure_described",
         mn("After your microneedling treatment:", "Cleanse gently with lukewarm water the next morning.",
            "Apply a hyaluronic acid serum twice a day."), None, "aftercare steps"),
    case("procedure_described",
         mn("Microneedling uses fine needles to create micro-injuries that trigger collagen."), None,
         "a definition"),

    # pricing
    case("pricing", mn("A £50 consultation fee is redeemable against treatment."), None, "fee"),
    case("pricing", mn("Members save $50 on every microneedling session."), None, "a saving"),
    case("pricing", mn("Pricing varies; contact us for a quote."), None, "ask for a quote"),

    # fda_cleared_device: other regulators are not the FDA
    case("fda_cleared_device", mn("Our Dermapen 4 is TGA approved and CE marked."), None, "TGA and CE"),
    case("fda_cleared_device", mn("We use FDA-approved hyaluronic acid serums."), None, "FDA said of serums"),
    case("fda_cleared_device", mn("Our pen is FDA-registered."), None, "registered is not cleared"),

    # unrealistic_claims: honest wording
    case("unrealistic_claims", mn("No treatment can guarantee results, and microneedling is no exception."),
         None, "no treatment can guarantee"),
    case("unrealistic_claims", mn("Most clients say it doesn't hurt much."), None, "doesn't hurt much"),
    case("unrealistic_claims", mn("Book a risk-free consultation today."), None, "risk-free consultation"),
    case("unrealistic_claims", mn("Virtually painless with little downtime."), None, "virtually painless"),
    case("unrealistic_claims", mn("Microneedling offers dramatic, long-lasting results."), None, "long-lasting"),
]


@pytest.mark.parametrize(("criterion", "pages", "quote"), DOES_NOT_COUNT)
def test_a_trap_does_not_count(criterion, pages, quote):
    check(criterion, pages, quote)


# -- what a sentence means depends on where it stands ---------------------------------------------

SERVICES = other("services", "Our Services", "Dermal Fillers",
                 "A numbing cream is applied before your filler appointment.",
                 "Microneedling", "A topical anaesthetic is applied for 25 minutes before we begin.")


@pytest.mark.parametrize(("criterion", "pages", "quote"), [
    case("anesthesia", SERVICES, "A topical anaesthetic is applied for 25 minutes before we begin.",
         "the microneedling section of a services page, not the fillers one"),
    case("anesthesia", home("A numbing cream is offered before all our treatments."),
         "A numbing cream is offered before all our treatments.", "plainly site-wide"),
    case("sterile_equipment", mn("Unlike many other clinics, we never reuse a needle cartridge."),
         "Unlike many other clinics, we never reuse a needle cartridge.", "a contrast is not hearsay"),
    case("contraindications",
         mn("Is microneedling safe during pregnancy?", "No. We will not treat clients who are pregnant."),
         "No. We will not treat clients who are pregnant.", "the answer, not the FAQ question"),
    case("side_effects", mn("Microneedling can improve:", "Redness and rosacea", "Enlarged pores"), None,
         "a list of what it treats"),
    case("side_effects", mn("Microneedling can improve:", "Enlarged pores",
                            "Most clients see smoother, brighter skin within a few weeks, and the collagen "
                            "keeps on building for many months after the very last session of the course.",
                            "Some redness and swelling are normal for a day or two."),
         "Some redness and swelling are normal for a day or two.", "a paragraph ends such a list"),
])
def test_scope_and_context_decide(criterion, pages, quote):
    check(criterion, pages, quote)


# -- contact details as clinics in the US, the UK, Canada and Australia print them -----------------

@pytest.mark.parametrize(("url", "text", "phone", "street", "city"), [
    ("https://glow.example/", "Visit us at 14 Harley Street, London W1G 9PF\nCall 020 7946 0958",
     "+442079460958", "14 Harley Street", "London"),
    ("https://glow.example/", "Find us: 3 Castle Street, Chester CH1 2DS\nTelephone: +44 (0)1244 960 123",
     "+441244960123", "3 Castle Street", "Chester"),
    ("https://skin.com.au/", "Suite 3, 120 Collins Street, Melbourne VIC 3000\nPhone (03) 9123 4567",
     "+61391234567", "120 Collins Street", "Melbourne"),
    ("https://skin.com.au/", "Shop 5/18 Station Street, Box Hill VIC 3128\nCall 1300 654 321",
     "+611300654321", "18 Station Street", "Box Hill"),
    ("https://spa.example/", "200-1234 West Broadway, Vancouver, BC V6H 1G5\nCall (604) 555-0134",
     "+16045550134", "200-1234 West Broadway", "Vancouver"),
    ("https://spa.ca/", "88 Queen Street West, Suite 400, Toronto, ON M5H 2N2\nTel: 416-555-0199",
     "+14165550199", "88 Queen Street West, Suite 400", "Toronto"),
    ("https://spa.example/", "4500 Main St., Suite 200, Houston, TX 77002\n(713) 555-0188",
     "+17135550188", "4500 Main St., Suite 200", "Houston"),
])
def test_contact_details_of_four_countries_are_read(url, text, phone, street, city):
    result = assess([Page(url, "Clinic", text)])
    assert (result.identity.phone, result.identity.street_address, result.identity.city) == (phone, street, city)
    contact = result.by_criterion["contact_info"]
    assert contact.met and contact.quote in text


def test_a_po_box_is_not_a_street_address():
    result = assess([Page("https://spa.example/", "Clinic", "Mail: PO Box 123, Austin, TX 78701\n(512) 555-0142")])
    assert result.identity.phone == "+15125550142"
    assert not result.by_criterion["contact_info"].met
