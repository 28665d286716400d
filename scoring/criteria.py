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

Rules ignore case unless marked case-sensitive. Their letters are written in lower case
("prp", "usd"): such a rule runs on the site's casefolded text, faster (``patterns.Pattern``).
"""

from __future__ import annotations

from dataclasses import dataclass

from scoring.patterns import Pattern

SITE, TREATMENT, CARE = "site", "treatment", "care"

# Forms of microneedling named in the contract, with spelling variants.
MICRONEEDLING = (
    r"\b(?:micro[\s\-]?needl\w*|(?:skin|medical)[\s\-]needling|collagen[\s\-]induction|derma[\s\-]?pen\w*|skin[\s\-]?pen\w*"
    r"|rejuva[\s\-]?pen\w*|eclipse\s+micro[\s\-]?pen|micro[\s\-]?pen\b|morpheus[\s\-]?8"
    r"|vivace\b|potenza\b|secret\s*(?:rf|pro)\b|sylfirm\b|exion\b|(?:genius|scarlet|virtue|infini)\s+rf\b"
    r"|fractional\s+(?:rf|radio[\s\-]?frequency)|dermaroll\w*|cit\b(?=\s+treatment)|vampire\s+facial)"
)

# Other treatments: a sentence (or section, or page) about these is not about microneedling.
OTHER_TREATMENTS = (
    r"\b(?:laser|ipl\b|botox|dysport|xeomin|daxxify|neurotoxin|anti[\s\-]wrinkle\s+injection\w*"
    r"|filler\w*|juvederm|restylane|sculptra|radiesse|kybella|fat[\s\-]dissolv\w*"
    r"|chemical\s+peel\w*|peels?\b|hydra\s?facial\w*|dermaplan\w*|microdermabrasion"
    r"|coolsculpt\w*|emsculpt\w*|tattoo\s+removal|hair\s+removal|wax(?:ing)?\b|lash\w*|brows?\b"
    r"|thread\s+lift\w*|pdo\b|ultherapy|hifu|tattoo\w*|teeth\s+whitening|iv\s+therapy"
    r"|weight\s+loss|semaglutide|tirzepatide|hormone\s+therapy|hrt\b|injectables?|injections?|massage"
    r"|cryo\w*|spray\s+tan\w*|lip\s+flip|sclerotherapy|microblading|face[\s\-]?lifts?"
    r"|(?:rhino|blepharo)plast\w*|breast\s+(?:augmentation|lift|reduction|implants?)|liposuction"
    r"|tummy\s+tucks?)"
)

# Statements that speak for the whole practice ("all our treatments", "every patient").
SITE_WIDE = (
    r"\b(?:all|every|each)\s+(?:of\s+)?(?:our\s+)?(?:treatments?|procedures?|instruments?"
    r"|equipment|tools|devices|services|patients?|clients?|visits?|appointments?|sessions?)\b"
    r"|\bour\s+(?:clinic|practice|med\s?spa|team)\s+(?:only\s+)?uses?\b"
)

# A match preceded closely by one of these is denied, not stated. Apostrophes may be curly.
NEGATION = (
    r"\b(?:not(?!\s+only\b)|no|never|without|nor|neither|cannot|free\s+of|zero|none)\b"
    r"|n['’]t\b"
)

# Sentences that report what others do or say, rather than what this clinic does. The rest of
# the paragraph after such a sentence reports too ("It describes…").
HEARSAY = (
    r"\b(?:some|other|many|most)(?<!unlike\s(?:some|many|most))(?<!unlike\sother)"
    r"(?<!unlike\s(?:some|many|most)\sother)\s+(?:other\s+)?(?:clinics|providers|practitioners|spas|salons"
    r"|practices|med\s?spas)\b|\baccording\s+to\b|\bmagazines?\b|\bstud(?:y|ies)\s+(?:show|found|suggest)"
    r"|\bresearch(?:ers)?\s+(?:show|found|suggest)|\bat[\s\-]home\b|\bhome[\s\-]use\b|\bdiy\b"
    r"|\b(?:the|this|that)\s+(?:article|feature|writer|author|story|piece|report|reporter|journalist)"
    r"\s+(?:\w+\s+)?(?:reports?|describes?|lists?|says?|warns?|notes?|explains?|claims?|suggests?"
    r"|quotes?|mentions?|advises?)\b"
)

# Words that make a person a physician, for "physician-led" (medical director, supervision).
# "Dr." before a name followed by a nursing or research doctorate (DNP, PhD) is not one.
PHYSICIAN = (
    r"\bdr\b(?!\.?\s*[\w'’\-]+(?:\s+[\w'’\-]+){0,2},?\s+(?:dnp|phd|dmsc|pharmd|nd)\b)\.?"
    r"|\b(?-i:M\.D\.?|MD|D\.O\.|DO)\b|\bphysicians?\b|\bdoctors?\b|\bsurgeons?\b"
    r"|\b(?:dermat|radi|anesthesi|anaesthesi|immun|ophthalm|gynec|gynaec|oncol|cardi|neur|gastroenter"
    r"|endocrin|rheumat|ur)ologists?\b|\bmedical\s+doctor\b|\bplastic\s+surgeon\b|\binternist\b"
)

_A = r"['’]"  # straight or curly apostrophe
_NUMBER = (r"(?:\d+|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty"
           r"|thirty|forty|fifty)")


@dataclass(frozen=True)
class Rule:
    """A named phrasing family: when its pattern matches a sentence in scope, the criterion is met."""

    name: str
    pattern: str
    case_sensitive: bool = False
    # The sentence must also say this (a family that counts only in company: "PRP" applied).
    also: str | None = None

    def compile(self) -> Pattern:
        return Pattern(self.pattern, self.case_sensitive)


@dataclass(frozen=True)
class Criterion:
    id: str
    name: str
    group: str
    weight: int
    scope: str
    description: str
    rules: tuple[Rule, ...]
    # The sentence, or the lines around it that belong with it (the lead-in of a list, the other
    # lines of a team card), must also match this (a contraindication must say "not treated").
    requires: str | None = None
    # A matching sentence that also matches this is not evidence (e.g. pre-care only).
    unless: str | None = None
    # Negation flips the meaning: "no side effects" is exactly what unrealistic_claims looks for.
    negatable: bool = True
    # The clinic saying it does not do this ("we do not use numbing cream") outweighs passing
    # mentions elsewhere on the site.
    denial_wins: bool = False
    # procedure_described: how many distinct step rules must match on one page.
    min_distinct_rules: int = 1
    # Whether the clinic's posts and articles count: a post about a trend is not an offer.
    from_articles: bool = True


R = Rule  # a short name for the rows of the table below


# The reader's own doctor ("ask your doctor", "under the guidance of your physician") is not one
# of the clinic's practitioners.
_YOUR_OWN_DOCTOR = (
    r"\b(?:ask|tell|check\s+with|speak\s+(?:with|to)|talk\s+(?:with|to))\s+(?:your|a)\s+(?:own\s+)?"
    r"(?:gp|doctor|physician|dermatologist|prescriber|healthcare\s+provider)\b|\bconsult\s+(?:your|a)\s+"
    r"|\b(?:of|from|by)\s+your\s+(?:own\s+)?(?:gp|doctor|physician|dermatologist|prescriber)\b"
    r"|\byour\s+(?:own\s+)?(?:gp|doctor|physician)['’]s\b|\bunder\s+the\s+care\s+of\s+(?:your|a)\b"
)
# Advice about choosing a provider ("make sure your provider is board-certified") is not a claim
# about this clinic's practitioners.
_CHOOSING_ADVICE = (
    r"\b(?:make\s+sure|ensure|check|ask\s+(?:if|whether)|verify|confirm)\s+(?:that\s+)?(?:your|the)\s+"
    r"(?:\w+\s+){0,2}(?:is|are)\b|\b(?:look\s+for|seek\s+out|choos(?:e|ing))\s+an?\s+"
)
# "Numbing cream is not needed": said of a practice the clinic does without, unless the sentence
# goes on to offer it ("…, but it is available on request").
_NOT_NEEDED = (
    r"\b(?:is|are)(?:\s+(?:not|rarely|seldom)|n['’]t)\s+(?:\w+\s+)?(?:needed|necessary|required|used"
    r"|applied)\b(?![^.]*\b(?:but|though|although|however)\b[^.]*(?:\bavailable|\bon\s+request"
    r"|\bif\s+(?:you|preferred|desired|requested)|\bhappy\s+to|\b(?:can|may)\s+be\s+(?:applied|used"
    r"|requested|added)|\boffer))"
)

# Shared by anesthesia and the numbing step of procedure_described.
_NUMBING = (
    r"\bnumb(?:ing|ed|s)?\b(?!ness)|\ban(?:a)?esthe(?:tic|sia|ti[sz]\w*)\w*|\blidocaine|\bbenzocaine"
    r"|\btetracaine|\bprilocaine|\bemla\b|\bblt\s+cream|\bpliaglis|\btopicaine|\blmx\s?\d?\b"
    r"|\bdesensiti[sz]\w*\s+(?:cream|gel|agent)"
)
# Shared by serum_or_mask and the serum step of procedure_described.
_ACTIVES = (
    r"\bserums?\b|\bhyaluronic\b|\bgrowth\s+factors?\b|\bprp\b|\bplatelet[\s\-]rich\s+(?:plasma|fibrin)"
    r"|\bprf\b|\bexosomes?\b|\bpolynucleotides?\b|\bpn\b|\bpdrn\b|\bnctf\b|\bpeptides?\b"
    r"|\bbiologicals?\b|\bhydrating\s+gels?\b|\bactives\b|\bbooster\s+serum"
)

CRITERIA: tuple[Criterion, ...] = (
    Criterion(
        "offers_microneedling", "Offers microneedling", "relevance", 0, SITE,
        "The clinic performs microneedling (any form: SkinPen, Dermapen, PRP or RF microneedling…).",
        (R("names microneedling", MICRONEEDLING),),
        unless=r"\b(?:no\s+longer|not|don" + _A + r"t|do\s+not|never)\s+(?:\w+\s+){0,2}(?:offer|provide|perform)"
               r"|\bcoming\s+soon\b",
        from_articles=False,
    ),
    Criterion(
        "board_certified", "Board-certified practitioner", "practitioner", 10, SITE,
        "A practitioner of the clinic is board-certified (physician or nurse-practitioner boards).",
        (
            R("board-certified", r"\bboard[\s\-]+certifi\w*|\bboard\s+eligible\b"),
            R("certified by an American board",
              r"(?:certified|diplomate)\s+(?:by|of|with)\s+the\s+american\s+(?:board|osteopathic\s+board)"),
            R("NP board credential", r"\b(?:FNP|AGNP|AGACNP|ANP|PMHNP|WHNP|NP)-(?:BC|C)\b|\bANCC\b|\bAANP\b",
              case_sensitive=True),
            R("fellow of a specialty academy",
              r"\bf(?:aad|acs|aafprs|acog|acp)\b|\bfellow\s+of\s+the\s+american\s+(?:academy|college)"),
            # Where there are no American boards, a specialist's certification is a college's
            # fellowship (Canada FRCPC, Australia FACD and FRACS, UK FRCS) or the GMC's register.
            R("specialist fellowship or register",
              r"\bf(?:rcpc|rcsc|acd|racs|rcs)\b|\bfellow\s+of\s+the\s+(?:royal\s+(?:australasian\s+)?college"
              r"\s+of\s+(?:physicians|surgeons)|australasian\s+college\s+of\s+dermatologists)"
              r"|\broyal\s+college[\s\-]+certified|\bcertified\s+by\s+the\s+royal\s+college"
              r"|\bspecialist\s+register\b"),
        ),
        unless=_CHOOSING_ADVICE,
    ),
    Criterion(
        "licensed_practitioner", "Licensed practitioners", "practitioner", 7, SITE,
        "Treatments are done by named or described licensed professionals (MD, DO, NP, PA, RN, "
        "esthetician…).",
        (
            R("credential after a name",
              r"\b[A-Z][a-z]+(?:\s+[A-Z][a-z'\-]+)+(?:,\s*(?:MD|M\.D\.?|DO|D\.O\.?|NP|N\.P\.?|FNP|APRN|DNP"
              r"|MSN|BSN|RN|R\.N\.?|RGN|PA-C|PA|LE|LME|NMC|MBBS|MBChB|MRCS|FRCS)\b"
              # Without the comma, only post-nominals that are never words: "Hannah Wells RGN".
              r"|\s+(?:MD|M\.D\.|RN|RGN|NP|FNP-C|APRN|PA-C|MBBS|MBChB|MRCS|FRCS)(?![\w\-]))",
              case_sensitive=True),
            R("licensed profession",
              r"\b(?:licen[cs]ed|registered|certified|board[\s\-]certified)\s+(?:\w+\s+)?(?:medical\s+)?"
              r"(?:a?esthetician|nurse|practitioner|physician|professional|provider|cosmetologist|doctor"
              r"|dentist)s?"),
            R("profession title",
              r"\b(?:nurse\s+practitioner|registered\s+nurse|physician\s+assistant|nurse\s+injector"
              r"|dermatologist|plastic\s+surgeon|medical\s+a?esthetician|master\s+a?esthetician"
              r"|a?esthetician|nurse\s+prescriber|physician|aesthetic\s+nurse|cosmetic\s+nurse"
              r"|(?:(?<=aesthetic\s)|(?<=cosmetic\s)|(?<=medical\s))doctor|ancc\s+certified)s?\b"
              # "physician-grade skincare", "dermatologist-tested": products, not people.
              r"(?![\s\-](?:grade|strength|dispensed|formulated|tested|recommended|approved|developed"
              r"|trusted|brands?|quality)\b)"),
            R("licensed credential as a role",
              r"\b(?:[Bb]y|[Oo]ur|[Aa]n?)\s+(?:\w+\s+)?(?:RN|NP|APRN|FNP|DNP|RGN|LPN|PA-C)s?\b",
              case_sensitive=True),
        ),
        unless=_CHOOSING_ADVICE + "|" + _YOUR_OWN_DOCTOR,
    ),
    Criterion(
        "medical_director", "Physician-led practice", "practitioner", 7, SITE,
        "A physician (MD, DO, or a medical doctor titled Dr.) leads, owns or supervises the practice.",
        (
            R("physician-supervised",
              r"\b(?:physician|doctor|surgeon|dermatologist|md)[\s\-]+(?:supervised|led|owned|directed"
              r"|run|founded|overseen)\b"),
            R("medical director", r"\b(?:medical|clinical)\s+(?:direct(?:or|ion)|lead)\b"),
            R("under a physician's supervision",
              r"\b(?:under|with)\s+(?:the\s+)?(?:\w+\s+){0,2}(?:supervision|direction|oversight|guidance"
              r"|delegation)\b|\b(?:supervised|overseen|directed|led|founded|owned)"
              r"(?:\s+and\s+(?:operated|run|managed|led))?\s+by\b"
              r"|\bmedical\s+doctor" + _A + r"?s?\s+supervision"),
            R("supervising physician",
              r"\b(?:supervising|overseeing|collaborating|delegating)\s+(?:physician|doctor|md"
              r"|dermatologist|surgeon)"),
            R("physician founder",
              r"\bDr\.?\s+[A-Z][\w'’\-]+(?:\s+[A-Z][\w'’\-]+)?(?:,?\s+\(?(?:MD|DO|M\.D\.|D\.O\.)\)?)?,?\s+"
              r"(?:\w+\s+)?(?:founded|co-founded|founder|owns|owner|opened|established|leads|directs"
              r"|oversees|supervises)\b"
              r"|\b(?:[Ff]ounder|[Cc]o-founder|[Oo]wner)(?:\s+and\s+\w+)?,?\s+(?:is\s+)?Dr\.?\s+[A-Z]",
              case_sensitive=True),
        ),
        requires=PHYSICIAN,
        unless=_YOUR_OWN_DOCTOR,
    ),
    Criterion(
        "experience", "Stated experience", "practitioner", 5, SITE,
        "Years of practice, a founding year or a number of treatments is stated.",
        (
            R("years of experience",
              r"\b" + _NUMBER + r"\+?\s*(?:years?|yrs|decades?)['’]?\s+(?:of\s+|in\s+)?(?:\w+\s+){0,2}?"
              r"(?:experience|expertise|practice|practicing|business|serving|the\s+(?:industry|field))"
              r"|\b(?:a|one|two|three|over\s+a)\s+decades?\s+of\s+(?:\w+\s+)?(?:experience|expertise"
              r"|practice)"
              r"|\b(?:practi[cs]\w*|serv(?:ing|ed)|treat(?:ing|ed)|perform(?:ing|ed)|work(?:ed|ing)"
              r"|been\s+(?:practi[cs]ing|working|treating|serving|performing)|in\s+business"
              r"|in\s+the\s+(?:industry|field))\s+(?:\w+\s+){0,4}?"
              r"(?:for|over)\s+(?:over\s+|more\s+than\s+)?" + _NUMBER + r"\+?\s*(?:years|decades)\b"
              # "has been an aesthetic nurse for 9 years"
              r"|\bbeen\s+an?\s+(?:\w+\s+){0,3}?(?:nurse|doctor|physician|a?esthetician|practitioner"
              r"|injector|dermatologist|surgeon|prescriber)\s+for\s+(?:over\s+|more\s+than\s+|nearly\s+)?"
              + _NUMBER + r"\+?\s*(?:years|decades)\b"),
            R("founding year",
              r"\b(?:est\.?|established|founded|opened|opening|started|began|launched)(?:\s+\w+){0,3}?"
              r"\s+(?:in\s+)?(?:19|20)\d\d\b"
              r"|(?:^|[.!]\s+|\b(?:serving|serve|open|opened|operating|in\s+business|practi[cs]\w*"
              r"|provid\w*|offer\w*|perform\w*|helping|caring|treating|trusted|family[\s\-]owned"
              r"|locally\s+owned)\b"
              r"[\w\s,]{0,30}?)since\s+(?:19|20)\d\d\b"),
            R("number of treatments",
              r"\b(?:thousands|hundreds|\d[\d,]*\+?)\s+(?:of\s+)?(?:successful\s+|microneedling\s+)?"
              r"(?:treatments|procedures|patients|clients|sessions)\b(?:\s+\w+){0,3}\s+"
              r"(?:performed|treated|completed|served|done|behind)"
              r"|\b(?:performed|completed|carried\s+out|treated|served)\s+(?:over\s+|more\s+than\s+"
              r"|nearly\s+|almost\s+)?(?:thousands|hundreds|\d{2,3}(?:,\d{3})*\+?|\d{3,}\+?)\s+(?:of\s+)?"
              r"(?:\w+\s+)?(?:treatments|procedures|patients|clients|sessions)\b"),
        ),
        unless=r"\bdays?\s+old\b|\bage[sd]?\s+\d|\bcopyright\b|©",
    ),
    Criterion(
        "sterile_equipment", "Sterile equipment", "safety", 10, TREATMENT,
        "Sterile, sterilised or single-use equipment is used.",
        (
            R("sterile or sterilised", r"\bsteril(?:e|i[sz]\w*)\b"),
            R("single-use", r"\bsingle[\s\-]use\b|\bone[\s\-]time[\s\-]use\b|\bused\s+only\s+once\b"
                            r"|\b(?:never|not)\s+(?:be\s+)?re[\s\-]?used\b|\bnever\s+re[\s\-]?use\b"),
            R("new sealed needles",
              r"\b(?:sealed|individually\s+(?:packaged|wrapped)|brand[\s\-]new)\b[\s,]+(?:\w+[\s,]+){0,2}?"
              r"(?:needles?|cartridges?|tips?)\b|\bnew\s+(?:sterile\s+)?(?:needles?|cartridges?)\s+"
              r"(?:for|with)\s+(?:every|each)\b"),
            R("disposable needles",
              r"\bdisposable\s+(?:\w+\s+)?(?:needle|tip|cartridge|head)\w*|\b(?:needle|tip|cartridge)s?"
              r"\s+(?:are\s+)?(?:disposed|discarded)"),
            R("autoclave", r"\bautoclav\w*"),
        ),
        denial_wins=True,
    ),
    Criterion(
        "anesthesia", "Topical anesthetic", "comfort", 8, TREATMENT,
        "A topical anesthetic (numbing cream, lidocaine) is applied or offered.",
        (R("numbing or topical anesthetic", _NUMBING),),
        unless=_NOT_NEEDED,
        denial_wins=True,
    ),
    Criterion(
        "serum_or_mask", "Serum or mask", "comfort", 8, TREATMENT,
        "A serum is applied during, or a mask after, the treatment.",
        (
            R("serum", r"\bserums?\b"),
            # Other actives count when the sentence puts them on the skin or with the needling.
            R("actives applied", _ACTIVES,
              also=r"\b(?:appl|combin|pair|add[\s\-]?on|infus|worked\s+in|driven|enhanc|boost|amplif"
                   r"|support)\w*|" + MICRONEEDLING),
            R("mask", r"\bmasks?\b|\bmasque\b"),
        ),
        # A product sold or recommended for home use, or to avoid afterwards, is not part of the
        # treatment; nor is a face covering.
        unless=r"\b(?:take[\s\-]home|home\s+(?:care|kit)|to\s+(?:use|continue)\s+at\s+home"
               r"|we\s+(?:suggest|recommend)|shop\s+(?:our|the|now|online)|buy|purchase|for\s+sale|retail"
               r"|(?:avoid|skip|stop\s+using|refrain\s+from)\s+(?:using\s+)?(?:\w+\s+){0,2}serums?"
               r"|wear\w*\s+(?:a\s+)?(?:face\s+)?masks?|masks?\s+(?:are|is|must\s+be)\s+(?:required|mandatory"
               r"|optional|worn)|face\s+coverings?)\b",
        denial_wins=True,
    ),
    Criterion(
        "skin_consultation", "Consultation first", "care", 5, CARE,
        "A consultation or skin analysis comes before treatment.",
        (
            R("consultation", r"\bconsult(?:ation)?s?\b"),
            R("skin analysis",
              r"\bskin\s+(?:analysis|assessment|evaluation|exam)\b|\b(?:assess|evaluate|analy[sz]e)\w*"
              r"\s+(?:your\s+)?(?:skin|goals|suitability|concerns)|\bmapping\s+of\s+your\b"
              r"|\b(?:initial|pre[\s\-]treatment|full|thorough|medical|face[\s\-]to[\s\-]face)\s+assessment"),
            R("patch test", r"\bpatch[\s\-]test\w*"),
            R("personalised plan",
              r"\b(?:customi[sz]ed|personali[sz]ed|tailored|bespoke|individuali[sz]ed)\s+"
              r"(?:treatment\s+)?(?:plan|programme|program|approach|protocol)"),
        ),
        unless=r"\bno\s+consultation\b|\bconsult\s+(?:your|a|with\s+your)\s+(?:doctor|gp|physician)|"
               + _NOT_NEEDED,
        denial_wins=True,
    ),
    Criterion(
        "contraindications", "Contraindications screened", "care", 6, TREATMENT,
        "Who should not be treated, or what is screened for, is stated.",
        (
            R("named contraindication",
              r"\bpregnan\w*|\bbreast[\s\-]?feeding|\blactating|\bnursing\b|\b(?:ro)?accutane|\bisotretinoin"
              r"|\babsorica|\bclaravis|\bepuris|\bamnesteem|\bmyorisan|\bzenatane|\bactive\s+"
              r"(?:skin\s+)?(?:acne|breakouts?|infections?|cold\s+sores?|rosacea|eczema|psoriasis"
              r"|inflammation|herpes|lesions?)|\bcold\s+sores?|\bherpes|\bkeloid\w*|\bbleeding\s+disorders?"
              r"|\bskin\s+cancer|\bopen\s+wounds?|\bblood\s+thinners?|\banticoagulant\w*|\bautoimmune"
              r"|\bdiabet\w*|\bchemotherapy|\bradiation|\bimmunocompromised|\bmetal\s+implants?|\bpacemaker"),
            R("screening", r"\bcontraindicat\w*|\bscreen(?:ed|ing)?\s+(?:for|you|clients|patients)"),
        ),
        requires=(
            r"\b(?:not|(?:is|are|was|would|does|do|may)n" + _A + r"t)\s+(?:be\s+)?(?:a\s+)?(?:good\s+|suitable\s+|ideal\s+)?(?:candidate"
            r"|suitable|recommended|advised|advisable|appropriate|eligible|right\s+for|safe\s+for)"
            r"|\bcontraindicat|\bshould\s+not|\bshouldn" + _A + r"t|\bcannot"
            r"|\bcan" + _A + r"t|\bunable|\bwill\s+not|\bwon" + _A + r"t|\bpostpone|\bdelay|\breschedul"
            r"|\bwait\b|\bavoid\s+(?:this|the)\s+(?:treatment|procedure)|\bscreen|\bexclude|\bunsuitable"
            r"|\bineligible|\bnot\s+for\b|\bmust\s+not|\b(?:do|does)\s+not\s+(?:treat|perform|offer)"
            r"|\bdon" + _A + r"t\s+(?:treat|perform|offer)|\bnot\s+(?:treat|perform)\w*|\bnot\s+if\b"
            r"|\bexcept\b|\bchanges\s+what\s+is\s+appropriate"
        ),
        # Pre-care ("avoid blood thinners before your visit") is not a contraindication.
        unless=r"\b(?:avoid|stop|discontinue)\b[^.]{0,80}\bbefore\s+(?:your|the|each)\s+"
               r"(?:visit|appointment|treatment|session|procedure)",
        negatable=False,
    ),
    Criterion(
        "aftercare", "Aftercare instructions", "published info", 6, TREATMENT,
        "Aftercare instructions are published.",
        (
            R("sun protection",
              r"\bsunscreen|\bsun\s?block|\bsun\s?cream|\bspf\b|\b(?:avoid\w*|limit\w*|minimi[sz]\w*|protect\w*"
              r"|stay\s+out\s+of|keep\s+(?:away\s+)?(?:from|out\s+of)|stay\s+away\s+from|no)\s+(?:the\s+)?"
              r"(?:direct\s+|prolonged\s+|excessive\s+)?(?:sun|sunlight|uv)\b"
              r"|\b(?:avoid\w*|no|stay\s+off|keep\s+off|stay\s+away\s+from)\s+(?:the\s+)?(?:sunbeds?"
              r"|tanning\s+beds?|tanning|solari(?:um|a))\b"),
            R("gentle skincare",
              r"\bgentle\s+cleanser|\bmoisturi[sz]\w*|\bhydrate\s+your\s+skin|\bdo\s+not\s+pick"
              r"|\bdon" + _A + r"t\s+pick|\bno\s+picking|\bavoid\s+picking"),
            R("things to avoid after",
              r"\b(?:avoid|no|skip|refrain\s+from|(?:not|n" + _A + r"t)\s+(?:wear|apply|use)|stop\s+using"
              r"|hold\s+off\s+on)\s+(?:wearing\s+|using\s+|applying\s+|heavy\s+|any\s+|hot\s+)?"
              r"(?:make[\s\-]?up|cosmetics|exercise|workouts?|retinol|retinoids?|swimming|saunas?|hot\s+tubs?"
              r"|exfoliat\w*|active\s+(?:skincare\s+)?ingredients|ingredients|products\s+(?:with|containing)"
              r"|showers?|steam\s+rooms?|strenuous|(?:the\s+)?gym|ahas?|bhas?|glycolic|vitamin\s+c"
              r"|alcohol|chlorin\w*|pools?)"),
        ),
        # Before the appointment is pre-care; a product with its price is for sale, not an instruction.
        unless=r"\b(?:before|prior\s+to|ahead\s+of|leading\s+up\s+to)\s+(?:your|the|each)\s+(?:\w+\s+)?"
               r"(?:appointment|treatment|visit|session|procedure)\b|[$£€]\s?\d",
        negatable=False,
    ),
    Criterion(
        "side_effects", "Side effects disclosed", "published info", 6, TREATMENT,
        "Side effects, risks or downtime are disclosed.",
        (
            R("named effect",
              r"\b(?:redness|red(?!\s+(?:led|light|carpet|wine|flags?)\b)|swelling|swollen|bruis\w*"
              r"|pinpoint\s+bleeding|bleeding(?!\s+disorders?)|peeling|flaking"
              r"|(?<!active\s)(?<!active\sskin\s)infections?|irritation|tightness|sunburn|pink(?:ness)?"
              r"|scabbing|crusting|dryness|itch\w*|hyperpigmentation\s+risk|sensitivity|erythema|o?edema"
              r"|tenderness|breakouts?|milia|stinging)\b"),
            R("downtime duration",
              r"\b(?:downtime|recovery)\b[^.]{0,40}\b\d+\s*(?:[\-–]|to)?\s*\d*\s*(?:hours?|days?)"
              r"|\b\d+\s*(?:[\-–]|to)?\s*\d*\s*(?:hours?|days?)\s+of\s+(?:\w+\s+)?(?:downtime|recovery)"),
            R("risks", r"\b(?:risks?|side[\s\-]effects?|complications?)\s+(?:include|are|may|can)\b"
                       r"|\brisks?\s+of\s+(?:\w+\s+){0,2}?(?:infection|scarring|hyperpigmentation|pigment\w*"
                       r"|bruising|bleeding|cold\s+sores?|breakouts?|reactions?|complications?)\b"),
        ),
        # A condition that rules treatment out is a contraindication, not an effect of it; what
        # the treatment improves ("reduces redness", a list under "Microneedling can improve:") is
        # a benefit.
        unless=r"\b(?:no\s+side[\s\-]effects\b|if\s+you\s+(?:have|are)\b|not\s+(?:be\s+)?suitable"
               r"|(?:reduc|improv|treat|target|address|correct|tackl|diminish|minimi[sz]|eliminat|clear"
               r"|fad|lessen)\w*\b[^.:]{0,60}?\b(?:redness|red|pink(?:ness)?|dryness|sensitivity|irritation"
               r"|breakouts?)\b"
               r"|(?:treat|improv|help|target|address|correct|benefit|concern|condition|ideal|great)\w*"
               r"[^\n]{0,40}:\s*(?:\n|$))",
    ),
    Criterion(
        "treatment_plan", "Treatment plan", "published info", 4, TREATMENT,
        "How many sessions, and how far apart, is stated.",
        (
            R("number of sessions",
              # A count of sessions is small: "10,000 treatments" is experience, not a plan.
              r"\b(?:\d{1,2}(?<![,.]\d)(?<![,.]\d\d)(?![\d,])|one|two|three|four|five|six|seven|eight|ten)\s*(?:(?:[\-–]|to)\s*(?:\d+|two|three"
              r"|four|five|six|eight|ten)\s*)?(?:\w+\s+)?(?:sessions|treatments|appointments|visits)\b"
              r"|\b(?:course|series)\s+of\s+(?:\d+|three|four|five|six)\b"),
            R("interval",
              r"\b" + _NUMBER + r"\s*(?:(?:[\-–]|to)\s*" + _NUMBER + r"\s*)?(?:weeks?|months?)\s+(?:apart"
              r"|between)\b"
              r"|\bevery\s+(?:" + _NUMBER + r"\s*(?:(?:[\-–]|to)\s*" + _NUMBER + r"\s*)?(?:weeks|months)"
              r"|(?:other\s+)?(?:fortnight|month)\b)"
              r"|\bonce\s+a\s+month|\bmonthly\s+(?:sessions|treatments|intervals?)|\bfortnightly\b"
              r"|\b(?:annual|yearly|once\s+a\s+year)"
              r"\s+(?:maintenance|touch[\s\-]ups?)|\bmaintenance\s+(?:sessions?|treatments?)\s+(?:every|once)"
              r"|\b(?:rebook\w*|return|come\s+back|repeat\w*|spaced|intervals?\s+of)\s+(?:\w+\s+){0,3}?"
              r"(?:at|after|every|of)\s+" + _NUMBER + r"\s*(?:weeks?|months?)"
              r"|\b\d+\s*(?:[\-–]\s*\d+\s*)?[\-\s]?weekly\s+intervals?|\b(?:one|1)\s+(?:session|treatment)\s+"
              r"(?:per|a|each|every)\s+month\b|\b(?:once\s+or\s+)?twice\s+(?:a|per)\s+year\b"),
        ),
    ),
    Criterion(
        "procedure_described", "Procedure described", "published info", 5, TREATMENT,
        "How a session goes: at least two concrete steps (cleanse, numb, pen, serum, mask, duration).",
        (
            R("cleanse", r"\bclean(?:s|se|sed|ses|sing)\b|\bprep(?:ped|ared?)\s+(?:the|your)\s+skin"
                         r"|\bskin\s+preparation\b|\b(?:skin|face|area)\s+(?:is|are|will\s+be)\s+(?:\w+\s+)?"
                         r"(?:disinfected|saniti[sz]ed)\b|\bdisinfect\w*\s+(?:the|your)\s+(?:skin|face|area)"),
            R("numb", _NUMBING),
            R("device passed over the skin",
              r"\b(?:across|over)\s+(?:the\s+|your\s+|each\s+|every\s+)?(?:skin|face|area|treatment\s+area"
              r"|surface)"
              r"|\b(?:glide[sd]?|pass(?:es|ed)?|move[sd]?|roll(?:s|ed)?|guides?)\b[^.]{0,40}\b(?:in\s+)?"
              r"(?:sections?|patterns?|passes|cross[\s\-]hatch\w*)"),
            R("serum applied", _ACTIVES,
              also=r"\b(?:appl\w+|worked\s+in|infused|paired|combin\w+|driven|support\s+every)\b"),
            R("mask", r"\bmask\b|\bmasque\b"),
            # A duration counts when the session is what it measures ("takes about 60 minutes",
            # "45-minute treatment", "$245 · 45 minutes"), not "avoid makeup for 24 hours".
            R("session duration", r"\b\d+\s*(?:[\-–]|to)?\s*\d*[\s\-]*(?:minutes?|mins?|hours?|hrs?)\b"
                                  r"|\b(?:an|one|half\s+an)\s+hour\b",
              also=r"\b(?:takes?|lasts?|about|around|approximately|roughly|allow|duration|sessions?"
                   r"|treatments?|appointments?|procedures?)\W+(?:\w+\W+){0,4}?(?:\d+\s*(?:[\-–]|to)?\s*\d*\s*"
                   r"(?:minutes?|mins?|hours?|hrs?)|(?:an|one|half\s+an)\s+hour)\b"
                   r"|\b\d+[\s\-]*(?:minute|min|hour)s?\s+(?:session|treatment|appointment|procedure|visit)"
                   r"|[$£€]\s?\d[^.]{0,20}\b\d+\s*(?:minutes?|mins?)\b"),
        ),
        # Steps of the aftercare at home ("cleanse gently the next morning") are not the session.
        unless=r"\b(?:after\s+(?:your|the|each)\s+(?:\w+\s+)?(?:treatment|session|procedure|appointment)"
               r"|aftercare|post[\s\-](?:treatment|procedure)|the\s+(?:next|following)\s+(?:morning|day)"
               r"|(?:once|twice)\s+(?:a\s+day|daily)|at\s+home)\b",
        min_distinct_rules=2,
    ),
    Criterion(
        "pricing", "Price published", "published info", 4, TREATMENT,
        "A price for a microneedling session is published.",
        (
            R("price", r"(?:[$£€]|\b(?:aud|usd|cad|nzd)\s?)\s?\d[\d,]*(?:\.\d\d)?"
                       r"|\b\d[\d,]*(?:\.\d\d)?\s?(?:usd|gbp|eur|aud|cad|nzd|dollars|pounds)\b"),
        ),
        # A discount, deposit or fee is not the price of a session.
        unless=r"\b(?:off|discount|save|gift\s+cards?|deposit|credit|financ\w*|fee)\b[^.]{0,20}[$£€]\d"
               r"|[$£€]\d[\d,.]*\s+(?:\w+\s+)?(?:off|deposit|fee|credit|voucher|discount)\b",
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
            # FDA-registered is not clearance; the FDA statement must be about a device.
            R("FDA-cleared", r"\bfda[\s\-]+(?:cleared|approved|clearance|approval|authori[sz]ed)"
                             r"|\b(?:cleared|approved)\s+by\s+the\s+(?:us\s+|u\.s\.\s+)?(?:fda|food\s+and\s+drug)"
                             r"|\b510\s?\(?k\)?[\s\-]+(?:cleared|clearance)",
              also=MICRONEEDLING + r"|\b(?:devices?|pens?|systems?|machines?|technology|tools?|equipment"
                   r"|instruments?)\b"),
        ),
        # Serums, fillers and other products approved by the FDA are not the needling device.
        unless=r"\bfda[\s\-]+(?:cleared|approved)\s+(?:\w+\s+){0,2}(?:serums?|fillers?|products?|skincare"
               r"|ingredients?|injectables?|medications?|creams?|lasers?|neurotoxins?)\b",
    ),
    Criterion(
        "unrealistic_claims", "Unrealistic claims (red flag)", "red flag", -15, TREATMENT,
        "Promises no evidence supports: guaranteed or permanent results, no side effects, painless.",
        (
            R("guarantee", r"\bguarantee[sd]?\s+(?:results?|outcomes?|to\s+(?:work|erase|remove|fix|last))"
                           r"|\bresults?\s+(?:are\s+)?guaranteed|\b100\s?%\s+(?:guaranteed|results|effective|success)"),
            R("no side effects", r"\bno\s+(?:side[\s\-]effects|risks?)\b|\bzero\s+(?:risks?|side[\s\-]effects)"
                                 r"|\brisk[\s\-]free\b(?!\s+(?:consultation|consult|trial|booking|cancellation))"
                                 r"|\bwithout\s+any\s+(?:risks?|side[\s\-]effects)|\bside[\s\-]effects?[\s\-]free\b"),
            # "It doesn't hurt much" is honest; "it doesn't hurt" is a promise.
            R("painless", r"\b(?:completely|totally|100\s?%|entirely|absolutely)\s+(?:painless|pain[\s\-]free)"
                          r"|\b(?:(?:does|do|will)\s*n(?:o|" + _A + r")t|doesn" + _A + r"t)\s+hurt\b"
                          r"(?!\s+(?:much|a\s+lot|too\s+much|as\s+much|that\s+much|more|a\s+bit))"),
            R("permanent results",
              r"\bpermanent\s+(?:results?|cure|fix)|\bresults?\s+(?:that\s+)?(?:last\s+(?:forever|a\s+lifetime)"
              r"|are\s+permanent)|\blifelong\s+results?"
              r"|\bpermanently\s+(?:erase|remove|eliminate|cure|fix|get\s+rid\s+of)\w*"
              r"|\bin\s+(?:just\s+)?(?:one|a\s+single)\s+session\b[^.]{0,40}\bpermanent"),
            R("miracle", r"\bmiracle\s+(?:cure|results?|treatment)|\binstant(?:ly)?\s+(?:erase|remove|eliminate)"
                         r"|\berase\s+years\b"),
            R("gone forever", r"\b(?:goodbye|gone|rid\s+of|erase\w*|remove\w*|eliminat\w*)\b[^.]{0,40}\bforever\b"),
        ),
        negatable=False,
        unless=r"\b(?:cannot|can" + _A + r"t|can\s+not|do\s+not|don" + _A + r"t|does\s+not|no\s+\w+\s+can|never)\s+"
               r"(?:\w+\s+){0,2}(?:guarantee|promise)|\bnot\s+guaranteed\b|\bno\s+guarantee",
    ),
)

CRITERIA_BY_ID: dict[str, Criterion] = {c.id: c for c in CRITERIA}
