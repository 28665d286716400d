"""A synthetic web of clinic websites, generated deterministically from a seed.

Each site looks like what clinics publish: a header nav and a footer with address, phone and
legal links on every page; service pages that link to related services; a team page linking to
bios; a blog with an index; some sites with a sitemap, schema.org JSON-LD, or a page builder's
big inline script on every page. The prose is assembled from the templates and word lists below
(written for this project), so that the scorer reads sentences of the kind real clinics write,
and sites differ in what they say (numbing, serum, sterile needles, credentials, prices…).

Sites are generated, not stored: the server process and the benchmark regenerate the same web
from the same ``(count, seed)``.
"""

from __future__ import annotations

import html
import json
import random
import re
from dataclasses import dataclass, field
from typing import NamedTuple

MIN_PAGES, MAX_PAGES = 10, 60
ACTIVE = ' class="active"'


class Place(NamedTuple):
    city: str
    region: str
    postcode: str
    latitude: float
    longitude: float
    area_code: str


PLACES = (
    Place("Austin", "TX", "78701", 30.2711, -97.7437, "512"),
    Place("Denver", "CO", "80202", 39.7527, -104.9992, "303"),
    Place("Portland", "OR", "97205", 45.5206, -122.6880, "503"),
    Place("Nashville", "TN", "37203", 36.1503, -86.7923, "615"),
    Place("Raleigh", "NC", "27601", 35.7727, -78.6324, "919"),
    Place("Scottsdale", "AZ", "85251", 33.4942, -111.9261, "480"),
    Place("Boise", "ID", "83702", 43.6323, -116.2054, "208"),
    Place("Charleston", "SC", "29401", 32.7795, -79.9371, "843"),
    Place("Madison", "WI", "53703", 43.0766, -89.3779, "608"),
    Place("Sacramento", "CA", "95814", 38.5804, -121.4944, "916"),
    Place("Tampa", "FL", "33602", 27.9523, -82.4576, "813"),
    Place("Columbus", "OH", "43215", 39.9653, -83.0045, "614"),
    Place("Minneapolis", "MN", "55401", 44.9846, -93.2700, "612"),
    Place("Salt Lake City", "UT", "84101", 40.7559, -111.8967, "801"),
    Place("Richmond", "VA", "23219", 37.5407, -77.4360, "804"),
    Place("Plano", "TX", "75024", 33.0755, -96.8072, "972"),
)
STREETS = ("Main Street", "Oak Avenue", "Lamar Boulevard", "Cedar Lane", "Park Road", "Market Street",
           "Maple Drive", "Congress Avenue", "Riverside Drive", "Elm Street", "Highland Parkway",
           "Washington Boulevard", "Spring Street", "Lakeview Drive", "Mill Road")
NAME_STARTS = ("Lumen", "Glow", "Radiance", "Willow", "Harbor", "Evergreen", "Luxe", "Pure", "True",
               "Velvet", "Aura", "Bloom", "Clarity", "Serene", "Silk", "Juniper", "Magnolia", "Cedar",
               "Summit", "Northside", "Bayview", "Ivy", "Opal", "Nova", "Solstice", "Hillcrest",
               "Riverbend", "Golden Hour", "Blue Sage", "Fernwood")
NAME_KINDS = (
    ("Dermatology", "dermatology practice"), ("Medical Spa", "medical spa"),
    ("Skin Clinic", "skin clinic"), ("Aesthetics", "aesthetic clinic"),
    ("Skin Studio", "skin studio"), ("Dermatology & Laser Center", "dermatology and laser center"),
    ("MedSpa", "medical spa"), ("Day Spa", "day spa"), ("Skin & Wellness", "skin and wellness studio"),
    ("Plastic Surgery & Skin Care", "plastic surgery and skin care practice"),
)
FIRST_NAMES = ("Sarah", "Maria", "Jennifer", "Priya", "Emily", "Rachel", "Olivia", "Hannah", "Laura",
               "Daniel", "Michael", "James", "Aisha", "Sofia", "Grace", "Natalie", "Megan", "Camila",
               "Jessica", "Lauren", "Chloe", "Ana", "Kevin", "Victoria")
LAST_NAMES = ("Nguyen", "Patel", "Garcia", "Johnson", "Kim", "Martinez", "Okafor", "Reyes", "Chen",
              "Brooks", "Sullivan", "Alvarez", "Hughes", "Fischer", "Lindqvist", "Morales", "Bennett",
              "Shapiro", "Coleman", "Park", "Duarte", "Whitaker")
# (credential, what the role is called, how a bio introduces them)
ROLES = (
    ("MD, FAAD", "board-certified dermatologist", "Dr."),
    ("DO", "board-certified family physician", "Dr."),
    ("PA-C", "certified physician assistant", ""),
    ("NP-C", "board-certified nurse practitioner", ""),
    ("RN", "registered nurse injector", ""),
    ("LE", "licensed medical esthetician", ""),
    ("LE, CLT", "licensed esthetician and certified laser technician", ""),
)
DEVICES = ("SkinPen Precision", "Eclipse MicroPen", "Dermapen 4", "Collagen P.I.N.", "Rejuvapen NXT")
SERUMS = ("a hyaluronic acid serum", "a growth factor serum", "an exosome serum",
          "a peptide-rich recovery serum", "platelet-rich plasma drawn from your own blood")
MASKS = ("a cooling hydrogel mask", "a calming sheet mask", "a soothing post-procedure mask")
NUMBING = ("a topical numbing cream", "a lidocaine-based numbing cream", "a prescription-strength topical anesthetic")
CONCERNS = ("acne scars", "fine lines", "enlarged pores", "uneven texture", "stretch marks",
            "sun damage", "surgical scars", "dull skin", "mild hyperpigmentation", "crepey skin")

# Services other than microneedling: (slug, title, sentences). {clinic} and {city} are filled in.
SERVICES = (
    ("botox", "Botox & Neurotoxins",
     ["Botox relaxes the muscles that cause frown lines, crow's feet and forehead creases.",
      "A typical appointment takes about fifteen minutes and most people return to work the same day.",
      "Results appear within three to seven days and last three to four months.",
      "We also offer Dysport and Xeomin, and we will help you choose the product that suits you."]),
    ("dermal-fillers", "Dermal Fillers",
     ["Hyaluronic acid fillers restore volume to the cheeks, lips and under-eye hollows.",
      "Our injectors favour a conservative approach so that you still look like yourself.",
      "Swelling and bruising can occur for a few days after treatment.",
      "Most fillers last between nine and eighteen months depending on the area treated."]),
    ("chemical-peels", "Chemical Peels",
     ["A chemical peel removes the outer layers of dull, damaged skin to reveal a brighter complexion.",
      "We offer light glycolic peels with no downtime as well as deeper TCA peels.",
      "Expect some flaking for three to five days after a medium-depth peel.",
      "Daily sunscreen is essential while your skin renews itself."]),
    ("hydrafacial", "HydraFacial",
     ["The HydraFacial cleanses, exfoliates, extracts and hydrates in a single forty-five minute session.",
      "It suits every skin type and there is no downtime, so it is a favourite before events.",
      "Boosters can be added to target pigmentation, congestion or fine lines."]),
    ("laser-hair-removal", "Laser Hair Removal",
     ["Laser hair removal reduces unwanted hair on the legs, underarms, bikini line and face.",
      "Most clients need six to eight sessions because hair grows in cycles.",
      "We use a cooling tip so the treatment feels like a light snap against the skin.",
      "Avoid tanning for two weeks before and after each session."]),
    ("ipl-photofacial", "IPL Photofacial",
     ["Intense pulsed light fades sun spots, redness and broken capillaries.",
      "Treated spots darken for a week and then flake away.",
      "A series of three treatments a month apart gives the most even result."]),
    ("prp-hair-restoration", "PRP Hair Restoration",
     ["Platelet-rich plasma injections stimulate dormant hair follicles.",
      "We draw a small amount of your blood, spin it in a centrifuge and inject the plasma into the scalp.",
      "Most patients see thicker hair after three monthly sessions."]),
    ("laser-resurfacing", "Laser Resurfacing",
     ["Fractional laser resurfacing treats deep wrinkles, scars and sun damage.",
      "Downtime ranges from three days to a week depending on the depth of treatment.",
      "Your provider will prescribe a skincare routine to prepare the skin beforehand."]),
    ("kybella", "Kybella",
     ["Kybella permanently destroys fat cells under the chin.",
      "Two to four treatments spaced a month apart are usually needed.",
      "Swelling under the chin is expected for several days after each treatment."]),
    ("acne-treatment", "Acne Treatment",
     ["Our medical acne program combines prescription skincare, extractions and light-based treatment.",
      "We build the plan around your skin type, your hormones and your daily routine.",
      "Active breakouts usually calm within six to eight weeks."]),
    ("dermaplaning", "Dermaplaning",
     ["Dermaplaning gently removes dead skin cells and fine vellus hair with a sterile blade.",
      "Makeup goes on more smoothly and skincare absorbs better afterwards.",
      "It pairs well with a light peel for a brighter result."]),
    ("body-contouring", "Body Contouring",
     ["Non-surgical body contouring reduces stubborn fat on the abdomen, flanks and thighs.",
      "Sessions last about an hour and you can return to normal activity right away.",
      "Results develop gradually over eight to twelve weeks."]),
    ("skin-tightening", "Radiofrequency Skin Tightening",
     ["Radiofrequency energy heats the deeper layers of the skin to tighten loose tissue.",
      "Most clients describe the sensation as a warm massage.",
      "Collagen continues to build for up to six months after treatment."]),
    ("tattoo-removal", "Laser Tattoo Removal",
     ["Picosecond lasers break tattoo ink into tiny particles that the body clears over time.",
      "Black ink fades fastest while greens and blues may need more sessions.",
      "Sessions are spaced six to eight weeks apart to let the skin heal."]),
)
BLOG_TOPICS = ("How to Build a Simple Morning Skincare Routine", "Sunscreen Myths We Hear Every Week",
               "What to Expect at Your First Consultation", "Retinol Versus Bakuchiol",
               "Why Hydration Matters in Winter", "Five Ingredients That Calm Redness",
               "Preparing Your Skin for a Wedding", "The Truth About Pore Strips",
               "Caring for Your Skin After a Vacation", "How Stress Shows Up on Your Skin",
               "Our Favourite Products This Season", "Meet the Newest Member of Our Team",
               "Holiday Gift Cards Are Here", "Understanding Your Skin Type",
               "Collagen Supplements: Do They Work", "A Guide to Vitamin C Serums",
               "Treating Melasma Safely", "What Your Esthetician Wishes You Knew",
               "Skincare for Men: Where to Start", "Spring Specials and New Treatments",
               "How Often Should You Exfoliate", "Caring for Sensitive Skin",
               "Behind the Scenes at Our Clinic", "Questions to Ask Before Any Treatment")
BLOG_SENTENCES = (
    "Healthy skin starts with habits you can keep every day, not with the most expensive jar on the shelf.",
    "Cleanse gently, moisturise, and wear a broad-spectrum sunscreen of SPF 30 or higher every morning.",
    "Many of our clients are surprised by how much difference consistent sunscreen makes within a few months.",
    "If a product stings or leaves your skin tight, it is probably stripping your natural barrier.",
    "We recommend introducing one new product at a time so you can tell what your skin likes.",
    "Drinking water helps, but topical hydration with humectants such as glycerin matters more for the skin itself.",
    "Our estheticians are always happy to look at your current routine and suggest small changes.",
    "Seasonal changes in humidity can turn a routine that worked in summer into one that leaves you flaky in winter.",
    "Sleep, stress and diet all show up on the skin, which is why we ask about them at your visit.",
    "Some magazines claim a single product can transform your skin overnight, but real change takes weeks.",
    "Book a visit if you would like personalised advice for your skin type.",
    "Gift cards can be purchased at the front desk or over the phone.",
)
TESTIMONIALS = (
    "The whole team made me feel comfortable from the moment I walked in.",
    "My skin has never looked better and the staff explained every step.",
    "Clean, calm and professional, and the results speak for themselves.",
    "I came in nervous about my acne scars and left with a clear plan.",
    "Friendly front desk, easy booking and honest advice about what would work for me.",
)
LEGAL = (
    "We collect the information you provide when you book an appointment or contact us.",
    "We use it to schedule your visits, keep your treatment records and send reminders you asked for.",
    "We never sell your personal information to third parties.",
    "Medical records are stored securely and handled in accordance with applicable privacy law.",
    "You may ask for a copy of the information we hold about you at any time.",
    "Content on this website is for general information and is not medical advice.",
    "Results vary from person to person and are not guaranteed.",
    "Appointments cancelled with less than twenty-four hours' notice may incur a fee.",
)

# What a microneedling page may say, claim by claim, in page order: (claim, phrasings).
MICRONEEDLING_CLAIMS = (
    ("procedure", (
        "During the treatment, your provider glides the {device} across the skin in small sections, adjusting the needle depth for each area.",
        "The microneedling procedure takes about sixty minutes: we cleanse the skin, treat each area with the pen, and finish with a calming application.",
    )),
    ("numbing", (
        "Before microneedling we apply {numbing} for twenty to thirty minutes so the treatment stays comfortable.",
        "To keep you comfortable, {numbing} is applied before your microneedling session begins.",
    )),
    ("serum", (
        "Immediately after microneedling we apply {serum} while the micro-channels are open.",
        "Each microneedling session includes {serum} to boost healing and results.",
    )),
    ("mask", (
        "We finish every microneedling treatment with {mask}.",
    )),
    ("sterile", (
        "Every microneedling cartridge is sterile, single-use and opened in front of you.",
        "We use a new sterile needle cartridge for every microneedling client and dispose of it after your session.",
    )),
    ("fda", (
        "We use the {device}, an FDA-cleared microneedling device.",
        "Our clinic chose the {device} because it is FDA-cleared for microneedling.",
    )),
    ("plan", (
        "Most clients see the best results from a series of three to six microneedling sessions spaced four to six weeks apart.",
        "We recommend a course of three microneedling treatments, one month apart, followed by maintenance twice a year.",
    )),
    ("side_effects", (
        "Redness, mild swelling and pinpoint bleeding are common side effects of microneedling and usually settle within two to three days.",
        "After microneedling your skin may look sunburned and feel tight for 24 to 48 hours.",
    )),
    ("contraindications", (
        "Microneedling is not recommended if you are pregnant, have active acne, eczema or a skin infection in the treatment area, or have taken isotretinoin in the past six months.",
        "You should not have microneedling if you have active cold sores, rosacea flares, keloid scarring or a bleeding disorder.",
    )),
    ("unrealistic", (
        "Microneedling permanently erases wrinkles and scars in a single painless session, with guaranteed results.",
        "One microneedling session removes all acne scars forever, guaranteed.",
    )),
    ("pricing", (
        "Microneedling is ${price} per session, or ${package} for a package of three.",
        "A single microneedling treatment costs ${price}.",
    )),
)

# What an about page may say of the people who treat.
CREDENTIAL_CLAIMS = (
    ("board_certified", (
        "{lead} is a {role} who founded {clinic} to offer evidence-based skin care in {city}.",
    )),
    ("medical_director", (
        "All treatments are performed under the supervision of our medical director, {lead}.",
        "Our medical director reviews every treatment plan and is on site during clinic hours.",
    )),
    ("licensed", (
        "Microneedling is performed only by our licensed estheticians and registered nurses.",
        "Every provider at {clinic} is licensed by the state and trained in advanced skin treatments.",
    )),
    ("experience", (
        "Our team has performed more than {treatments} microneedling treatments over {years} years.",
        "With {years} years of experience in aesthetic medicine, our providers know how to get natural results.",
    )),
)


@dataclass
class Profile:
    """What one clinic is and what its site says."""

    name: str
    kind: str
    place: Place
    street: str
    phone_digits: str
    lead: str
    lead_role: str
    team: list[tuple[str, str, str]]  # (name with credential, role, bio slug)
    device: str
    serum: str
    mask: str
    numbing: str
    price: int
    years: int
    offers_microneedling: bool
    says: set[str] = field(default_factory=set)

    @property
    def phone_display(self) -> str:
        d = self.phone_digits
        return f"({d[:3]}) {d[3:6]}-{d[6:]}"


@dataclass
class SyntheticSite:
    """One clinic website: paths to HTML, plus robots.txt and (for some) a sitemap."""

    slug: str
    name: str
    pages: dict[str, str]
    has_sitemap: bool
    has_json_ld: bool
    has_big_script: bool

    def resources(self, origin: str) -> dict[str, tuple[str, bytes]]:
        """Every path the site serves at ``origin`` → (content type, body)."""
        served = {path: ("text/html; charset=utf-8", page.encode("utf-8"))
                  for path, page in self.pages.items()}
        robots = "User-agent: *\nDisallow: /wp-admin/\n"
        if self.has_sitemap:
            robots += f"Sitemap: {origin}/sitemap.xml\n"
            locations = "".join(f"<url><loc>{origin}{path}</loc></url>" for path in self.pages)
            served["/sitemap.xml"] = (
                "application/xml",
                ('<?xml version="1.0" encoding="UTF-8"?>\n'
                 '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                 f"{locations}</urlset>").encode(),
            )
        served["/robots.txt"] = ("text/plain", robots.encode())
        return served


def generate_web(count: int, seed: int = 0) -> list[SyntheticSite]:
    """``count`` clinic sites; the same arguments always give the same web."""
    return [generate_site(index, seed) for index in range(count)]


def generate_site(index: int, seed: int = 0) -> SyntheticSite:
    rnd = random.Random(f"clinic-web-{seed}-{index}")
    profile = _profile(rnd)
    return _Builder(rnd, profile, slug=f"{_slugify(profile.name)}-{index}").build()


def _slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _person(rnd: random.Random) -> str:
    return f"{rnd.choice(FIRST_NAMES)} {rnd.choice(LAST_NAMES)}"


def _profile(rnd: random.Random) -> Profile:
    kind_word, kind = rnd.choice(NAME_KINDS)
    name = f"{rnd.choice(NAME_STARTS)} {kind_word}"
    place = rnd.choice(PLACES)
    physician_led = "dermatolog" in kind or "surgery" in kind or rnd.random() < 0.4
    lead_role = ROLES[0] if physician_led else rnd.choice(ROLES[2:])
    lead_name = _person(rnd)
    lead = f"{lead_role[2]} {lead_name}".strip()
    team = [(f"{lead_name}, {lead_role[0]}", lead_role[1], _slugify(lead_name))]
    for _ in range(rnd.randint(1, 6)):
        person, role = _person(rnd), rnd.choice(ROLES[1:])
        team.append((f"{person}, {role[0]}", role[1], _slugify(person)))
    offers = rnd.random() < 0.9
    # Each claim a clinic may make, with how often clinics make it.
    chances = {
        "numbing": 0.75, "serum": 0.6, "mask": 0.3, "sterile": 0.6, "fda": 0.45,
        "board_certified": 0.55 if physician_led else 0.1, "licensed": 0.7,
        "medical_director": 0.5, "experience": 0.6, "consultation": 0.75, "aftercare": 0.7,
        "side_effects": 0.65, "plan": 0.7, "procedure": 0.8, "pricing": 0.55,
        "contraindications": 0.5, "unrealistic": 0.08, "blog": 0.7, "json_ld": 0.5,
        "sitemap": 0.5, "big_script": 0.35, "og": 0.5,
    }
    says = {claim for claim, chance in chances.items() if rnd.random() < chance}
    return Profile(
        name=name, kind=kind, place=place,
        street=f"{rnd.randint(100, 9800)} {rnd.choice(STREETS)}"
               + (f", Suite {rnd.randint(100, 450)}" if rnd.random() < 0.6 else ""),
        phone_digits=f"{place.area_code}{rnd.randint(2, 9)}{rnd.randint(10, 99)}{rnd.randint(1000, 9999)}",
        lead=lead, lead_role=lead_role[1], team=team,
        device=rnd.choice(DEVICES), serum=rnd.choice(SERUMS), mask=rnd.choice(MASKS),
        numbing=rnd.choice(NUMBING), price=rnd.choice((250, 300, 325, 350, 395, 450, 500)),
        years=rnd.randint(4, 25), offers_microneedling=offers, says=says,
    )


class _Builder:
    """Lays out one site's pages and writes their HTML."""

    def __init__(self, rnd: random.Random, profile: Profile, slug: str) -> None:
        self.rnd = rnd
        self.p = profile
        self.slug = slug
        self.clean_urls = rnd.random() < 0.5
        self.big_script = self._big_script() if "big_script" in profile.says else ""
        self.titles: dict[str, str] = {}

    # -- layout ------------------------------------------------------------------------------

    def path(self, *parts: str) -> str:
        joined = "/".join(parts)
        return f"/{joined}/" if self.clean_urls else f"/{joined}.html"

    def build(self) -> SyntheticSite:
        rnd, p = self.rnd, self.p
        target = rnd.randint(MIN_PAGES, MAX_PAGES)
        core = ["home", "about", "team", "services", "faq", "contact", "privacy", "terms"]
        if p.offers_microneedling:
            core.append("microneedling")
            if "aftercare" in p.says:
                core.append("aftercare")
        if "pricing" in p.says:
            core.append("pricing")
        room = max(0, target - len(core))
        services = rnd.sample(SERVICES, min(len(SERVICES), room, rnd.randint(3, len(SERVICES))))
        room -= len(services)
        bios = p.team[: min(room, len(p.team))]
        room -= len(bios)
        extras = [name for name in ("gallery", "specials", "careers", "reviews") if rnd.random() < 0.6][:room]
        room -= len(extras)
        posts: list[tuple[str, str]] = []
        if room >= 2 and "blog" in p.says:
            room -= 1  # the blog index
            for number in range(room):
                topic = BLOG_TOPICS[number % len(BLOG_TOPICS)]
                title = topic if number < len(BLOG_TOPICS) else f"{topic}, Part {number // len(BLOG_TOPICS) + 1}"
                posts.append((_slugify(title), title))

        self.services = [(self.path("services", slug), title, sentences) for slug, title, sentences in services]
        self.bios = [(self.path("team", bio_slug), person, role) for person, role, bio_slug in bios]
        self.posts = [(self.path("blog", post_slug), title) for post_slug, title in posts]
        self.extras = [(self.path(name), name.capitalize()) for name in extras]
        self.nav = self._nav(core)

        pages: dict[str, str] = {}
        writers = {
            "home": self.home, "about": self.about, "team": self.team_page, "services": self.services_index,
            "faq": self.faq, "contact": self.contact, "privacy": self.legal, "terms": self.legal,
            "microneedling": self.microneedling, "aftercare": self.aftercare, "pricing": self.pricing,
        }
        for name in core:
            path = "/" if name == "home" else self.path(*self._core_path(name))
            title, body = writers[name](name)
            pages[path] = self.page(path, title, body)
        for path, title, sentences in self.services:
            pages[path] = self.page(path, title, self.service_body(path, title, sentences))
        for path, person, role in self.bios:
            pages[path] = self.page(path, person, self.bio_body(person, role))
        for path, title in self.extras:
            pages[path] = self.page(path, title, self.extra_body(title))
        if self.posts:
            index_path = self.path("blog")
            items = "".join(f'<li><a href="{path}">{html.escape(title)}</a></li>' for path, title in self.posts)
            pages[index_path] = self.page(index_path, "Blog", f"<h1>From our blog</h1><ul class=\"posts\">{items}</ul>")
            for number, (path, title) in enumerate(self.posts):
                pages[path] = self.page(path, title, self.post_body(number, title))
        return SyntheticSite(
            slug=self.slug, name=p.name, pages=pages, has_sitemap="sitemap" in p.says,
            has_json_ld="json_ld" in p.says, has_big_script=bool(self.big_script),
        )

    @staticmethod
    def _core_path(name: str) -> tuple[str, ...]:
        return {
            "microneedling": ("services", "microneedling"),
            "aftercare": ("microneedling-aftercare",),
            "privacy": ("privacy-policy",),
            "team": ("our-team",),
        }.get(name, (name,))

    def _nav(self, core: list[str]) -> list[tuple[str, str]]:
        labels = {"home": "Home", "about": "About", "team": "Our Team", "services": "Services",
                  "microneedling": "Microneedling", "pricing": "Pricing", "faq": "FAQ",
                  "contact": "Contact"}
        nav = [("/" if name == "home" else self.path(*self._core_path(name)), label)
               for name, label in labels.items() if name in core]
        if self.posts:
            nav.insert(-1, (self.path("blog"), "Blog"))
        return nav

    # -- page frame ----------------------------------------------------------------------------

    def page(self, path: str, title: str, body: str) -> str:
        p = self.p
        esc = html.escape
        nav = "".join(
            f'<li{ACTIVE if href == path else ""}><a href="{href}">{esc(label)}</a></li>'
            for href, label in self.nav
        )
        service_menu = "".join(f'<li><a href="{href}">{esc(label)}</a></li>' for href, label, _ in self.services[:8])
        footer_links = [(self.path("privacy-policy"), "Privacy Policy"), (self.path("terms"), "Terms of Use")]
        footer_links += [(href, label) for href, label in self.extras]
        footer = "".join(f'<li><a href="{href}">{esc(label)}</a></li>' for href, label in footer_links)
        head = [
            '<meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>{esc(title)} | {esc(p.name)}</title>",
            f'<meta name="description" content="{esc(p.name)}, a {esc(p.kind)} in {esc(p.place.city)}, {p.place.region}.">',
            '<link rel="stylesheet" href="/assets/css/site.min.css">',
            '<link rel="icon" href="/favicon.ico">',
        ]
        if "og" in p.says:
            head.append(f'<meta property="og:site_name" content="{esc(p.name)}">')
        if "json_ld" in p.says and path in ("/", self.path("contact")):
            head.append(f'<script type="application/ld+json">{self._json_ld()}</script>')
        if self.big_script:
            head.append(f"<script>{self.big_script}</script>")
        head.append("<style>body{font-family:system-ui,sans-serif;margin:0}.site-header{display:flex;"
                    "justify-content:space-between;padding:1rem 2rem}.hidden{display:none}</style>")
        return (
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n" + "\n".join(head) + "\n</head>\n<body>\n"
            f'<a class="skip" href="#main">Skip to content</a>\n'
            f'<header class="site-header"><a class="logo" href="/"><img src="/assets/img/logo.png" alt="{esc(p.name)}"></a>\n'
            f'<nav aria-label="Main"><ul class="menu">{nav}</ul>'
            f'<ul class="submenu">{service_menu}</ul></nav>\n'
            f'<a class="button book" href="{self.path("contact")}">Book now</a></header>\n'
            f'<main id="main">\n{body}\n</main>\n'
            '<footer class="site-footer">\n'
            f'<div class="footer-contact"><h2>Visit us</h2><address>{esc(p.street)}<br>'
            f"{esc(p.place.city)}, {p.place.region} {p.place.postcode}</address>\n"
            f'<p>Call <a href="tel:+1{p.phone_digits}">{p.phone_display}</a> or email '
            f'<a href="mailto:hello@{self.slug}.example">hello@{self.slug}.example</a></p>\n'
            "<p>Monday to Friday 9am to 6pm, Saturday 10am to 3pm</p></div>\n"
            f'<ul class="footer-links">{footer}</ul>\n'
            f'<ul class="social"><li><a href="https://www.instagram.com/{self.slug}">Instagram</a></li>'
            f'<li><a href="https://www.facebook.com/{self.slug}">Facebook</a></li></ul>\n'
            f"<p class=\"copyright\">© 2025 {esc(p.name)}. All rights reserved.</p>\n</footer>\n"
            '<div class="cookie-banner hidden">We use cookies to improve your experience.</div>\n'
            '<script src="/assets/js/site.min.js" defer></script>\n</body>\n</html>\n'
        )

    def _json_ld(self) -> str:
        p = self.p
        return json.dumps({
            "@context": "https://schema.org",
            "@type": "MedicalClinic" if "dermatolog" in p.kind else "HealthAndBeautyBusiness",
            "name": p.name,
            "telephone": f"+1-{p.phone_digits[:3]}-{p.phone_digits[3:6]}-{p.phone_digits[6:]}",
            "address": {"@type": "PostalAddress", "streetAddress": p.street,
                        "addressLocality": p.place.city, "addressRegion": p.place.region,
                        "postalCode": p.place.postcode, "addressCountry": "US"},
            "geo": {"@type": "GeoCoordinates", "latitude": p.place.latitude, "longitude": p.place.longitude},
            "openingHours": ["Mo-Fr 09:00-18:00", "Sa 10:00-15:00"],
            "priceRange": "$$",
        })

    def _big_script(self) -> str:
        """A page builder's state blob, as many sites inline on every page (20–150 kB)."""
        rnd = self.rnd
        widgets = [
            {"id": f"w{n:04d}", "type": rnd.choice(("section", "column", "heading", "image", "button", "spacer")),
             "settings": {"padding": [rnd.randint(0, 60) for _ in range(4)], "align": rnd.choice(("left", "center")),
                          "background": f"#{rnd.randrange(0x1000000):06x}", "animation": rnd.choice(("none", "fadeIn", "slideUp")),
                          "label": rnd.choice(BLOG_SENTENCES)}}
            for n in range(rnd.randint(60, 450))
        ]
        return f"window.__BUILDER_STATE__ = {json.dumps(widgets)};"

    # -- prose ---------------------------------------------------------------------------------

    def pick(self, *options: str) -> str:
        p = self.p
        return self.rnd.choice(options).format(
            clinic=p.name, city=p.place.city, kind=p.kind, lead=p.lead, role=p.lead_role,
            device=p.device, serum=p.serum, mask=p.mask, numbing=p.numbing, price=p.price,
            package=p.price * 3 - 150, years=p.years, concern=self.rnd.choice(CONCERNS),
            concern2=self.rnd.choice(CONCERNS), treatments=self.rnd.randrange(2, 12) * 500,
        )

    def paragraphs(self, sentences: list[str], per_paragraph: int = 3) -> str:
        return "".join(
            f"<p>{html.escape(' '.join(sentences[i:i + per_paragraph]))}</p>"
            for i in range(0, len(sentences), per_paragraph)
        )

    def microneedling_sentences(self) -> list[str]:
        intro = self.pick(
            "Microneedling, also called collagen induction therapy, uses fine needles to create controlled micro-injuries that prompt the skin to produce new collagen and elastin.",
            "Microneedling stimulates your skin's natural healing response to soften {concern} and {concern2}.",
            "Our microneedling treatment improves {concern}, {concern2} and overall skin texture with very little downtime.",
        )
        return [intro, *self.claims(MICRONEEDLING_CLAIMS)]

    def credential_sentences(self) -> list[str]:
        return self.claims(CREDENTIAL_CLAIMS)

    def claims(self, table: tuple[tuple[str, tuple[str, ...]], ...]) -> list[str]:
        """One phrasing of each claim of the table that this clinic makes."""
        return [self.pick(*phrasings) for claim, phrasings in table if claim in self.p.says]

    # -- pages ---------------------------------------------------------------------------------

    def home(self, _: str) -> tuple[str, str]:
        p, pick = self.p, self.pick
        intro = [
            pick("Welcome to {clinic}, a {kind} serving {city} and the surrounding neighborhoods for {years} years.",
                 "{clinic} is a {kind} in {city} dedicated to healthy, natural-looking skin."),
            pick("We believe great skin starts with an honest conversation about your goals.",
                 "Our team combines medical expertise with a warm, unhurried approach."),
        ]
        if "consultation" in p.says:
            intro.append(pick("Every treatment plan starts with a complimentary skin consultation with one of our providers.",
                              "Book a skin consultation and we will recommend the treatments that suit your skin and budget."))
        featured = self.services[:4]
        cards = "".join(
            f'<article class="card"><h3><a href="{href}">{html.escape(title)}</a></h3>'
            f"<p>{html.escape(sentences[0])}</p></article>"
            for href, title, sentences in featured
        )
        if p.offers_microneedling:
            cards = (f'<article class="card"><h3><a href="{self.path("services", "microneedling")}">Microneedling</a></h3>'
                     f"<p>{html.escape(self.microneedling_sentences()[0])}</p></article>") + cards
        quotes = "".join(f"<blockquote><p>{html.escape(q)}</p></blockquote>"
                         for q in self.rnd.sample(TESTIMONIALS, 2))
        body = (f"<section class=\"hero\"><h1>{html.escape(p.name)}</h1>"
                f"<p class=\"tagline\">Skin care you can trust in {html.escape(p.place.city)}</p></section>"
                f"<section>{self.paragraphs(intro)}</section>"
                f"<section><h2>Popular treatments</h2><div class=\"cards\">{cards}</div></section>"
                f"<section class=\"testimonials\"><h2>What our clients say</h2>{quotes}</section>")
        return "Home", body

    def about(self, _: str) -> tuple[str, str]:
        pick = self.pick
        sentences = [
            pick("{clinic} opened its doors in {city} {years} years ago with a simple idea: skin treatments should be safe, personal and explained clearly.",
                 "We started {clinic} because our clients deserved honest advice and medical-grade care."),
            pick("Our clinic is bright, calm and designed so that you feel at ease from the moment you arrive."),
            *self.credential_sentences(),
            pick("We continue to train every year so that our techniques reflect current research."),
        ]
        return "About Us", f"<h1>About {html.escape(self.p.name)}</h1>{self.paragraphs(sentences)}"

    def team_page(self, _: str) -> tuple[str, str]:
        cards = "".join(
            f'<li><h2><a href="{href}">{html.escape(person)}</a></h2><p>{html.escape(role.capitalize())}</p></li>'
            for href, person, role in self.bios
        )
        listed = {person for _, person, _ in self.bios}
        cards += "".join(f"<li><h2>{html.escape(person)}</h2><p>{html.escape(role.capitalize())}</p></li>"
                         for person, role, _ in self.p.team if person not in listed)
        return "Our Team", f"<h1>Meet our team</h1><ul class=\"team\">{cards}</ul>"

    def bio_body(self, person: str, role: str) -> str:
        first = person.split()[0]
        sentences = [
            f"{person} is a {role} at {self.p.name}.",
            self.pick(f"{first} has a special interest in treating {{concern}} and loves helping clients feel confident.",
                      f"Before joining us, {first} worked in a busy dermatology practice for several years."),
            self.pick(f"Outside the clinic, {first} enjoys hiking, cooking and time with family.",
                      f"{first} is known for a gentle touch and for explaining every step of a treatment."),
        ]
        return f"<h1>{html.escape(person)}</h1><p class=\"role\">{html.escape(role.capitalize())}</p>{self.paragraphs(sentences)}" \
               f'<p><a href="{self.path("our-team")}">Back to our team</a></p>'

    def services_index(self, _: str) -> tuple[str, str]:
        items = [(href, title, sentences[0]) for href, title, sentences in self.services]
        if self.p.offers_microneedling:
            items.insert(0, (self.path("services", "microneedling"), "Microneedling", self.microneedling_sentences()[0]))
        cards = "".join(f'<li><h2><a href="{href}">{html.escape(title)}</a></h2><p>{html.escape(first)}</p></li>'
                        for href, title, first in items)
        return "Services", f"<h1>Our services</h1><ul class=\"services\">{cards}</ul>"

    def service_body(self, path: str, title: str, sentences: list[str]) -> str:
        related = [(href, other) for href, other, _ in self.services if href != path][:3]
        links = "".join(f'<li><a href="{href}">{html.escape(other)}</a></li>' for href, other in related)
        extra = [self.pick("Ask about combining treatments during your consultation.",
                           "Call us or book online to schedule your appointment.")]
        return (f"<h1>{html.escape(title)}</h1>{self.paragraphs(sentences + extra, 2)}"
                f"<aside><h2>Related treatments</h2><ul>{links}</ul></aside>")

    def microneedling(self, _: str) -> tuple[str, str]:
        sentences = self.microneedling_sentences()
        aftercare_link = (f'<p><a href="{self.path("microneedling-aftercare")}">Read our microneedling aftercare guide</a></p>'
                          if "aftercare" in self.p.says else "")
        body = (f"<h1>Microneedling in {html.escape(self.p.place.city)}</h1>"
                f"<section><h2>What is microneedling?</h2>{self.paragraphs(sentences[:2])}</section>"
                f"<section><h2>Your treatment</h2>{self.paragraphs(sentences[2:])}</section>{aftercare_link}"
                f"<section><h2>Who performs it</h2>{self.paragraphs(self.credential_sentences() or ['Our experienced team will look after you.'])}</section>")
        return "Microneedling", body

    def aftercare(self, _: str) -> tuple[str, str]:
        sentences = [
            "For the first 24 hours after microneedling, avoid makeup, exercise and hot showers.",
            "Use a gentle cleanser and the recovery serum we send home with you.",
            "Avoid retinol, acids and exfoliants for five to seven days after your microneedling treatment.",
            "Wear a mineral sunscreen of SPF 30 or higher every day and stay out of direct sun for a week.",
            "Call us if you notice increasing pain, pus or fever after your treatment.",
        ]
        return "Microneedling Aftercare", f"<h1>Microneedling aftercare</h1><ol>{''.join(f'<li>{html.escape(s)}</li>' for s in sentences)}</ol>"

    def pricing(self, _: str) -> tuple[str, str]:
        p = self.p
        rows = [("Skin consultation", "Complimentary"), ("HydraFacial", "$199"), ("Chemical peel", "from $150")]
        if p.offers_microneedling:
            rows.insert(0, ("Microneedling", f"${p.price} per session"))
            rows.insert(1, ("Microneedling, package of three", f"${p.price * 3 - 150}"))
        table = "".join(f"<tr><td>{html.escape(a)}</td><td>{html.escape(b)}</td></tr>" for a, b in rows)
        return "Pricing", (f"<h1>Pricing</h1><table><thead><tr><th>Treatment</th><th>Price</th></tr></thead>"
                           f"<tbody>{table}</tbody></table><p>Prices are per session unless noted. "
                           "We accept all major credit cards, CareCredit and HSA cards.</p>")

    def faq(self, _: str) -> tuple[str, str]:
        p = self.p
        entries = [("How do I book an appointment?", f"Call {p.phone_display} or use the booking button at the top of any page.")]
        if p.offers_microneedling:
            entries.append(("Does microneedling hurt?", "Most clients feel light pressure and mild warmth."
                            + (f" We apply {p.numbing} beforehand." if "numbing" in p.says else "")))
            entries.append(("How many microneedling sessions will I need?",
                            "Most people need three to six sessions, depending on their goals."))
            entries.append(("Is there downtime after microneedling?", "Expect redness for a day or two; most people return to work the next day."))
        entries.append(("Do you offer gift cards?", "Yes, gift cards are available in any amount."))
        entries.append(("What is your cancellation policy?", "Please give us twenty-four hours' notice if you need to reschedule."))
        items = "".join(f"<dt>{html.escape(q)}</dt><dd>{html.escape(a)}</dd>" for q, a in entries)
        return "Frequently Asked Questions", f"<h1>Frequently asked questions</h1><dl class=\"faq\">{items}</dl>"

    def contact(self, _: str) -> tuple[str, str]:
        p = self.p
        return "Contact", (
            f"<h1>Contact {html.escape(p.name)}</h1>"
            f"<p>We are located at {html.escape(p.street)}, {html.escape(p.place.city)}, {p.place.region} {p.place.postcode}.</p>"
            f"<p>Call us at {p.phone_display} to book, or send us a message below.</p>"
            '<form action="/contact-submit" method="post"><label>Name <input name="name"></label>'
            '<label>Email <input name="email" type="email"></label><label>Message <textarea name="message"></textarea></label>'
            '<button type="submit">Send</button></form>'
            "<p>Free parking is available behind the building.</p>"
        )

    def legal(self, name: str) -> tuple[str, str]:
        title = "Privacy Policy" if name == "privacy" else "Terms of Use"
        sentences = self.rnd.sample(LEGAL, len(LEGAL))
        return title, f"<h1>{title}</h1>{self.paragraphs(sentences, 2)}"

    def extra_body(self, title: str) -> str:
        sentences = self.rnd.sample(TESTIMONIALS, 3) + [self.pick(
            "Follow us on Instagram for before-and-after photos and monthly specials.",
            "We are always looking for talented, caring people to join the team in {city}.")]
        return f"<h1>{html.escape(title)}</h1>{self.paragraphs(sentences)}"

    def post_body(self, number: int, title: str) -> str:
        rnd = random.Random(f"{self.slug}-{number}")
        sentences = rnd.sample(BLOG_SENTENCES, rnd.randint(6, len(BLOG_SENTENCES)))
        neighbours = [self.posts[(number + step) % len(self.posts)] for step in (1, 2) if len(self.posts) > step]
        links = "".join(f'<li><a href="{href}">{html.escape(other)}</a></li>' for href, other in neighbours)
        return (f"<article><h1>{html.escape(title)}</h1><p class=\"byline\">By the {html.escape(self.p.name)} team</p>"
                f"{self.paragraphs(sentences)}</article><aside><h2>More from the blog</h2><ul>{links}</ul>"
                f'<p><a href="{self.path("blog")}">All posts</a></p></aside>')
