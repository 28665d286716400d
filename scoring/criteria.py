"""The criteria as data: one table of what counts, where it counts and what it weighs.

IDs and meanings are the contract of ``../shared/criteria.md``. Everything else here (the
phrasing families, scopes and weights) is ours to tune; the scorer in ``scorer.py`` only
interprets this table.

Scopes
  site       anything the site says about its own practice counts (credentials, contact).
  treatment  the statement must concern microneedling, or be plainly site-wide
             ("all our instruments are sterilised").
  care       like treatment, but a general statement that names no other treatment also
             counts ("every visit starts with a consultation" on the home page).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

SITE, TREATMENT, CARE = "site", "treatment", "care"

# Forms of microneedling named in the contract, with spelling variants.
MICRONEEDLING = (
    r"micro[\s\-]?needl\w*|collagen[\s\-]induction|derma[\s\-]?pen\w*|skin[\s\-]?pen\w*"
    r"|rejuva[\s\-]?pen\w*|eclipse\s+micro[\s\-]?pen|micro[\s\-]?pen\b|morpheus[\s\-]?8"
    r"|\bvivace\b|\bpotenza\b|secret\s*(?:rf|pro)\b|\bsylfirm\b|\bexion\b|\bgenius\s+rf\b"
    r"|fractional\s+(?:rf|radio[\s\-]?frequency)|dermaroll\w*|\bcit\b(?=\s+treatment)"
)

# Other treatments: a sentence (or section, or page) about these is not about microneedling.
OTHER_TREATMENTS = (
    r"laser|\bipl\b|botox|dysport|xeomin|daxxify|neurotoxin|anti[\s\-]wrinkle\s+injection\w*"
    r"|filler\w*|juvederm|restylane|sculptra|radiesse|kybella|fat[\s\-]dissolv\w*"
    r"|chemical\s+peel\w*|\bpeels?\b|hydra\s?facial\w*|dermaplan\w*|microdermabrasion"
    r"|coolsculpt\w*|emsculpt\w*|tattoo\s+removal|hair\s+removal|wax(?:ing)?\b|lash\w*|brows?\b"
    r"|thread\s+lift\w*|\bpdo\b|ultherapy|hifu|tattoo\w*|teeth\s+whitening|iv\s+therapy"
    r"|weight\s+loss|semaglutide|tirzepatide|hormone\s+therapy|\bhrt\b|injectables?|massage"
    r"|cryo\w*|spray\s+tan\w*|lip\s+flip|sclerotherapy"
)

# Statements that speak for the whole practice ("all our treatments", "every patient").
SITE_WIDE = (
    r"\b(?:all|every|each)\s+(?:of\s+)?(?:our\s+)?(?:treatments?|procedures?|instruments?"
    r"|equipment|tools|devices|services|patients?|clients?|visits?|appointments?|sessions?)\b"
    r"|\bour\s+(?:clinic|practice|med\s?spa|team)\s+(?:only\s+)?uses?\b"
)

# A match preceded closely by one of these is denied, not stated.
NEGATION = (
    r"\b(?:not|no|never|without|nor|neither|cannot|can't|won't|don't|doesn't|didn't|isn't"
    r"|aren't|wasn't|do\s+not|does\s+not|did\s+not|free\s+of|zero)\b|n't\b"
)

# Sentences that report what others do or say, rather than what this clinic does.
HEARSAY = (
    r"\b(?:some|other|many|most)\s+(?:clinics|providers|practitioners|spas|salons|people"
    r"|practices)\b|\baccording\s+to\b|\bmagazine\b|\bstud(?:y|ies)\s+(?:show|found|suggest)"
    r"|\bresearch(?:ers)?\s+(?:show|found|suggest)|\bat[\s\-]home\b|\bhome[\s\-]use\b"
    r"|\bdiy\b"
)


@dataclass(frozen=True)
class Rule:
    """A named phrasing family: when its pattern matches a sentence in scope, the criterion is met."""

    name: str
    pattern: str
    case_sensitive: bool = False

    def compile(self) -> re.Pattern[str]:
        return re.compile(self.pattern, 0 if self.case_sensitive else re.IGNORECASE)


@dataclass(frozen=True)
class Criterion:
    id: str
    name: str
    group: str
    weight: int
    scope: str
    description: str
    rules: tuple[Rule, ...]
    # A matching sentence must also match this (e.g. a contraindication must say "not treated").
    requires: str | None = None
    # A matching sentence that also matches this is not evidence (e.g. pre-care only).
    unless: str | None = None
    # Negation flips the meaning: "no side effects" is exactly what unrealistic_claims looks for.
    negatable: bool = True
    # procedure_described: how many distinct step rules must match on one page.
    min_distinct_rules: int = 1
    extra: dict[str, str] = field(default_factory=dict)


def R(name: str, pattern: str, case_sensitive: bool = False) -> Rule:
    return Rule(name, pattern, case_sensitive)


CRITERIA: tuple[Criterion, ...] = (
    Criterion(
        "offers_microneedling", "Offers microneedling", "relevance", 0, SITE,
        "The clinic performs microneedling (any form: SkinPen, Dermapen, PRP or RF microneedling…).",
        (R("names microneedling", MICRONEEDLING),),
    ),
    Criterion(
        "board_certified", "Board-certified practitioner", "practitioner", 10, SITE,
        "A practitioner of the clinic is board-certified (physician or nurse-practitioner boards).",
        (
            R("board-certified", r"\bboard[\s\-]+certifi\w*|\bboard\s+eligible\b"),
            R("certified by an American board",
              r"(?:certified|diplomate)\s+(?:by|of)\s+the\s+american\s+(?:board|osteopathic\s+board)"),
            R("NP board credential", r"\b(?:FNP|AGNP|ANP|PMHNP|WHNP|NP)-(?:BC|C)\b|\bANCC\b|\bAANP\b",
              case_sensitive=True),
            R("fellow of a specialty academy",
              r"\bF(?:AAD|ACS|AAFPRS)\b|\bfellow\s+of\s+the\s+american\s+(?:academy|college)"),
        ),
    ),
    Criterion(
        "licensed_practitioner", "Licensed practitioners", "practitioner", 7, SITE,
        "Treatments are done by named or described licensed professionals (MD, DO, NP, PA, RN, "
        "esthetician…).",
        (
            R("credential after a name",
              r"\b[A-Z][a-z]+(?:\s+[A-Z][a-z'\-]+)+,\s*(?:M\.?D\.?|D\.?O\.?|N\.?P\.?|F?NP(?:-[A-Z]+)?"
              r"|APRN|DNP|MSN|BSN|R\.?N\.?|RGN|PA-C|LE|NMC|MBBS|MRCS|FRCS)\b", case_sensitive=True),
            R("licensed profession",
              r"\b(?:licensed|registered|certified|board[\s\-]certified)\s+(?:medical\s+)?"
              r"(?:a?esthetician|aesthetician|nurse|practitioner|physician|professional|provider)s?"),
            R("profession title",
              r"\b(?:nurse\s+practitioner|registered\s+nurse|physician\s+assistant|nurse\s+injector"
              r"|dermatologist|plastic\s+surgeon|medical\s+a?esthetician|a?esthetician|nurse\s+prescriber"
              r"|physician)s?\b"),
        ),
        unless=r"\bask\s+(?:your|a)\s+(?:doctor|dermatologist|physician)\b|\bconsult\s+(?:your|a)\s+",
    ),
    Criterion(
        "medical_director", "Physician-led practice", "practitioner", 7, SITE,
        "A physician (MD, DO, or a medical doctor titled Dr.) leads, owns or supervises the practice.",
        (
            R("physician-supervised",
              r"\b(?:physician|doctor|surgeon|dermatologist)[\s\-]+(?:supervised|led|owned|directed|run)\b"),
            R("medical director", r"\bmedical\s+director\b"),
            R("under a physician's supervision",
              r"\b(?:under|with)\s+(?:the\s+)?(?:direct\s+|close\s+)?(?:supervision|direction|oversight"
              r"|care)\s+of\s+(?:a\s+|our\s+|the\s+)?(?:board[\s\-]certified\s+)?(?:physician|doctor"
              r"|medical\s+doctor|dermatologist|plastic\s+surgeon|surgeon|dr\.)"
              r"|\b(?:supervised|overseen|led|founded|owned)\s+by\s+(?:a\s+|our\s+)?(?:board[\s\-]"
              r"certified\s+)?(?:physician|doctor|dermatologist|plastic\s+surgeon|dr\.)"
              r"|\bmedical\s+doctor'?s\s+supervision"),
            R("physician founder",
              r"\b(?:founded|owned|led)\s+by\s+Dr\.|\bDr\.\s+[A-Z][a-z]+(?:\s+[A-Z][a-z]+)?,?\s+"
              r"(?:M\.?D|D\.?O)\b[^.]*\b(?:founder|owner|leads|director)", case_sensitive=True),
        ),
        # A nurse practitioner called medical director is not a physician.
        requires=r"\b(?:dr\.|m\.?d\.?|d\.?o\.?|physician|doctor|dermatologist|surgeon)\b",
    ),
    Criterion(
        "experience", "Stated experience", "practitioner", 5, SITE,
        "Years of practice, a founding year or a number of treatments is stated.",
        (
            R("years of experience",
              r"\b(?:\d{1,2}|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen"
              r"|twenty|thirty)\+?\s*(?:years?|yrs|decades?)\b(?!\s+old)"),
            R("founding year",
              r"\b(?:since|est\.?|established(?:\s+in)?|founded(?:\s+in)?|opened(?:\s+in)?|serving"
              r"[\w\s]{0,30}\s+since)\s+(?:19|20)\d\d\b"),
            R("number of treatments",
              r"\b(?:thousands|hundreds|\d[\d,]*\+?)\s+(?:of\s+)?(?:successful\s+|microneedling\s+)?"
              r"(?:treatments|procedures|patients|clients|sessions)\b(?:\s+\w+){0,3}\s+"
              r"(?:performed|treated|completed|served|done)"),
        ),
        unless=r"\bdays?\s+old\b|\bage[sd]?\s+\d",
    ),
    Criterion(
        "sterile_equipment", "Sterile equipment", "safety", 10, TREATMENT,
        "Sterile, sterilised or single-use equipment is used.",
        (
            R("sterile or sterilised", r"\bsteril(?:e|i[sz]\w*)\b"),
            R("single-use", r"\bsingle[\s\-]use\b|\bone[\s\-]time[\s\-]use\b|\bused\s+only\s+once\b"),
            R("disposable needles",
              r"\bdisposable\s+(?:needle|tip|cartridge|head)\w*|\b(?:needle|tip|cartridge)s?\s+(?:are\s+)?"
              r"(?:disposed|discarded)"),
            R("autoclave", r"\bautoclav\w*"),
        ),
    ),
    Criterion(
        "anesthesia", "Topical anesthetic", "comfort", 8, TREATMENT,
        "A topical anesthetic (numbing cream, lidocaine) is applied or offered.",
        (
            R("numbing", r"\bnumb(?:ing|ed|s)?\b(?!ness)"),
            R("anesthetic", r"\ban(?:a)?esthe(?:tic|sia|ti[sz]\w*)\w*"),
            R("named anesthetic", r"\blidocaine|\bbenzocaine|\btetracaine|\bemla\b|\bblt\s+cream|\bpliaglis"),
            R("desensitising cream", r"\bdesensiti[sz]\w*\s+(?:cream|gel|agent)"),
        ),
    ),
    Criterion(
        "serum_or_mask", "Serum or mask", "comfort", 8, TREATMENT,
        "A serum is applied during, or a mask after, the treatment.",
        (
            R("serum", r"\bserums?\b"),
            R("hyaluronic acid", r"\bhyaluronic\b"),
            R("growth factors or PRP",
              r"\bgrowth\s+factors?\b|\bPRP\b|\bplatelet[\s\-]rich\s+plasma\b|\bPRF\b"
              r"|\bexosomes?\b|\bpolynucleotides?\b|\bPDRN\b|\bNCTF\b|\bpeptides?\b"),
            R("mask", r"\bmasks?\b|\bmasque\b"),
        ),
    ),
    Criterion(
        "skin_consultation", "Consultation first", "care", 5, CARE,
        "A consultation or skin analysis comes before treatment.",
        (
            R("consultation", r"\bconsult(?:ation)?s?\b"),
            R("skin analysis", r"\bskin\s+(?:analysis|assessment|evaluation|exam)\b|\bassess\w*\s+your\s+skin"),
            R("personalised plan",
              r"\b(?:customi[sz]ed|personali[sz]ed|tailored|bespoke|individuali[sz]ed)\s+"
              r"(?:treatment\s+)?(?:plan|programme|program|approach)"),
        ),
        unless=r"\bno\s+consultation\b",
    ),
    Criterion(
        "contraindications", "Contraindications screened", "care", 6, TREATMENT,
        "Who should not be treated, or what is screened for, is stated.",
        (
            R("named contraindication",
              r"\bpregnan\w*|\bbreast[\s\-]?feeding|\bnursing\b|\baccutane|\bisotretinoin|\bactive\s+"
              r"(?:acne|breakouts?|infections?|cold\s+sores?|rosacea|eczema|psoriasis|inflammation)"
              r"|\bcold\s+sores?|\bherpes|\bkeloid\w*|\bbleeding\s+disorders?|\bskin\s+cancer"
              r"|\bopen\s+wounds?|\bblood\s+thinners?|\banticoagulant\w*|\bautoimmune|\bdiabet\w*"
              r"|\bchemotherapy|\bradiation|\bimmunocompromised|\bmetal\s+implants?|\bpacemaker"),
            R("screening", r"\bcontraindicat\w*|\bscreen(?:ed|ing)?\s+(?:for|you|clients|patients)"),
        ),
        requires=(
            r"\bnot\s+(?:a\s+)?(?:good\s+|suitable\s+|ideal\s+)?(?:candidate|suitable|recommended|advised"
            r"|appropriate|eligible)|\bcontraindicat|\bshould\s+not|\bshouldn't|\bcannot|\bcan't|\bunable"
            r"|\bwill\s+not|\bwon't|\bpostpone|\bdelay|\breschedul|\bwait\b|\bavoid\s+(?:this|the)\s+"
            r"(?:treatment|procedure)|\bscreen|\bexclude|\bunsuitable|\bineligible|\bnot\s+for\b"
            r"|\bif\s+you\s+(?:are|have)\b|\bmust\s+not|\bdo\s+not\s+(?:treat|perform)|\bunless\b"
        ),
        negatable=False,
    ),
    Criterion(
        "aftercare", "Aftercare instructions", "published info", 6, TREATMENT,
        "Aftercare instructions are published.",
        (
            R("sun protection", r"\bsunscreen|\bsun\s?block|\bspf\b|\bavoid\w*\s+(?:direct\s+)?sun|\bsun\s+exposure"),
            R("gentle skincare",
              r"\bgentle\s+cleanser|\bmoisturi[sz]\w*|\bhydrate\s+your\s+skin|\bdo\s+not\s+pick"
              r"|\bdon't\s+pick|\bno\s+picking|\bavoid\s+picking"),
            R("things to avoid after",
              r"\b(?:avoid|no|skip|refrain\s+from)\s+(?:wearing\s+)?(?:make[\s\-]?up|exercise|workouts?"
              r"|retinol|retinoids?|swimming|saunas?|hot\s+tubs?|exfoliat\w*|active\s+ingredients)"),
        ),
        negatable=False,
    ),
    Criterion(
        "side_effects", "Side effects disclosed", "published info", 6, TREATMENT,
        "Side effects, risks or downtime are disclosed.",
        (
            R("named effect",
              r"\bredness|\bred\b|\bswelling|\bswollen|\bbruis\w*|\bpinpoint\s+bleeding|\bbleeding"
              r"|\bpeeling|\bflaking|\binfection|\birritation|\btightness|\bsunburn|\bpink(?:ness)?\b"
              r"|\bscabbing|\bdryness|\bitch\w*|\bhyperpigmentation\s+risk"),
            R("downtime duration",
              r"\b(?:downtime|recovery)\b[^.]{0,40}\b\d+\s*(?:[\-–]|to)?\s*\d*\s*(?:hours?|days?)"
              r"|\b\d+\s*(?:[\-–]|to)?\s*\d*\s*(?:hours?|days?)\s+of\s+(?:downtime|recovery)"),
            R("risks", r"\b(?:risks?|side[\s\-]effects?|complications?)\s+(?:include|are|may|can)\b"),
        ),
        unless=r"\bno\s+side[\s\-]effects\b",
    ),
    Criterion(
        "treatment_plan", "Treatment plan", "published info", 4, TREATMENT,
        "How many sessions, and how far apart, is stated.",
        (
            R("number of sessions",
              r"\b(?:\d+|one|two|three|four|five|six|seven|eight|ten)\s*(?:(?:[\-–]|to)\s*(?:\d+|two|three"
              r"|four|five|six|eight|ten)\s*)?(?:sessions|treatments|appointments)\b"),
            R("interval",
              r"\b(?:\d+|two|three|four|six)\s*(?:(?:[\-–]|to)\s*\d+\s*)?weeks?\s+apart|\bevery\s+\d+\s*"
              r"(?:(?:[\-–]|to)\s*\d+\s*)?(?:weeks|months)|\bonce\s+a\s+month|\bmonthly\s+(?:sessions|"
              r"treatments)|\b(?:annual|yearly|once\s+a\s+year)\s+(?:maintenance|touch[\s\-]ups?)"
              r"|\bmaintenance\s+(?:sessions?|treatments?)\s+(?:every|once)"),
        ),
    ),
    Criterion(
        "procedure_described", "Procedure described", "published info", 5, TREATMENT,
        "How a session goes: at least two concrete steps (cleanse, numb, pen, serum, mask, duration).",
        (
            R("cleanse", r"\bclean(?:s|se|sed|ses|sing)\b|\bprep(?:ped|are)\s+(?:the|your)\s+skin"),
            R("numb", r"\bnumb(?:ing|ed)?\b|\ban(?:a)?esthetic\b"),
            R("device passed over the skin",
              r"\b(?:glide[sd]?|pass(?:es|ed)?|move[sd]?|roll(?:s|ed)?)\b[^.]{0,40}\b(?:over|across)\b"
              r"[^.]{0,20}\b(?:skin|face|area|treatment\s+area)"),
            R("serum applied", r"\bserum\w*\b[^.]{0,40}\bappl\w+|\bappl\w+\b[^.]{0,40}\bserum"),
            R("mask", r"\bmask\b"),
            R("session duration",
              r"\b\d+\s*(?:[\-–]|to)?\s*\d*\s*(?:minutes?|mins?|hours?|hrs?)\b[^.]{0,40}"
              r"|\btakes\s+(?:about|around|approximately)"),
        ),
        min_distinct_rules=2,
    ),
    Criterion(
        "pricing", "Price published", "published info", 4, TREATMENT,
        "A price for a microneedling session is published.",
        (
            R("price", r"(?:[$£€]|\bAUD\s?|\bUSD\s?)\s?\d[\d,]*(?:\.\d\d)?|\b\d[\d,]*(?:\.\d\d)?\s?(?:USD|GBP|EUR|AUD|dollars)\b"),
        ),
        unless=r"\b(?:off|discount|save|gift\s+card|deposit|credit)\b[^.]{0,20}[$£€]\d|[$£€]\d+\s+off\b",
    ),
    Criterion(
        "contact_info", "Address and phone", "published info", 4, SITE,
        "A street address and a phone number of the clinic are published.",
        (),
    ),
    Criterion(
        "fda_cleared_device", "FDA-cleared device", "safety", 5, TREATMENT,
        "The microneedling device is FDA-cleared, by name (SkinPen) or by statement.",
        (
            R("SkinPen", r"\bskin[\s\-]?pen\b"),
            R("FDA-cleared", r"\bfda[\s\-]+(?:cleared|approved|clearance|approval|authori[sz]ed|registered)"
                             r"|\bcleared\s+by\s+the\s+fda"),
        ),
    ),
    Criterion(
        "unrealistic_claims", "Unrealistic claims (red flag)", "red flag", -15, TREATMENT,
        "Promises no evidence supports: guaranteed or permanent results, no side effects, painless.",
        (
            R("guarantee", r"\bguarantee[sd]?\s+(?:results?|outcomes?|to\b)|\bresults?\s+(?:are\s+)?guaranteed"
                           r"|\b100\s?%\s+(?:guaranteed|results|effective|success)"),
            R("no side effects", r"\bno\s+(?:side[\s\-]effects|risks?)\b|\bzero\s+(?:risks?|side[\s\-]effects)"
                                 r"|\brisk[\s\-]free\b|\bwithout\s+any\s+(?:risks?|side[\s\-]effects)"),
            R("painless", r"\b(?:completely|totally|100\s?%|entirely|absolutely)\s+(?:painless|pain[\s\-]free)"),
            R("permanent results",
              r"\bpermanent\s+(?:results?|cure|fix)|\bresults?\s+(?:that\s+)?(?:last\s+forever|are\s+permanent)"
              r"|\bin\s+(?:just\s+)?(?:one|a\s+single)\s+session\b[^.]{0,40}\bpermanent"),
            R("miracle", r"\bmiracle\b|\binstant(?:ly)?\s+(?:erase|remove|eliminate)"),
        ),
        negatable=False,
        unless=r"\b(?:cannot|can't|can\s+not|do\s+not|don't|does\s+not|no\s+one\s+can|never)\s+"
               r"(?:\w+\s+){0,2}(?:guarantee|promise)|\bnot\s+guaranteed\b|\bno\s+guarantee",
    ),
)

CRITERIA_BY_ID: dict[str, Criterion] = {c.id: c for c in CRITERIA}
RED_FLAGS = frozenset(c.id for c in CRITERIA if c.weight < 0)
