"""All crawl settings in one place. Polite by default for real hosts.

The command line overrides a few of these per run (``--delay``, ``--max-pages``,
``--allow-private``, ``--db``); everything else a reader expects to find is here.
"""

BOT_NAME = "clinicscout"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"

USER_AGENT = "clinicscout/0.1 (+https://github.com/clinicscout/clinicscout; microneedling clinic directory)"
ROBOTSTXT_OBEY = True

# One request at a time per site (requests carry their site's origin as download slot),
# a delay between them, and AutoThrottle backing off when a site slows down.
CONCURRENT_REQUESTS = 32
CONCURRENT_REQUESTS_PER_DOMAIN = 1
DOWNLOAD_DELAY = 1.0
DOWNLOAD_DELAY_JITTER = 0.5
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 10.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0

# Bounded work per request.
DOWNLOAD_TIMEOUT = 15
# Page builders inline megabytes of script state; 10 MB keeps those pages, and refuses the rest.
DOWNLOAD_MAXSIZE = 10 * 1024 * 1024
DOWNLOAD_WARNSIZE = 4 * 1024 * 1024
DNS_TIMEOUT = 10
# Refuses non-public addresses at resolution, so the address checked is the one connected to.
TWISTED_DNS_RESOLVER = "crawler.addresses.GuardedResolver"
RETRY_ENABLED = True
RETRY_TIMES = 1
REDIRECT_MAX_TIMES = 5
METAREFRESH_MAXDELAY = 5
COOKIES_ENABLED = False

# HTTP(S) only: no local files, inline data, FTP or S3.
DOWNLOAD_HANDLERS = {"file": None, "data": None, "ftp": None, "s3": None}
TELNETCONSOLE_ENABLED = False

DOWNLOADER_MIDDLEWARES = {
    "crawler.middlewares.PrivateAddressGuard": 50,
    "crawler.middlewares.SiteScopeMiddleware": 60,
    "crawler.middlewares.ConditionalRequestMiddleware": 565,
    "crawler.middlewares.HtmlOnlyMiddleware": 570,
    # RFC 9309: a robots.txt that answers 5xx disallows everything.
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "crawler.middlewares.PoliteRobotsTxtMiddleware": 100,
    # Scope is by origin (see crawler/scope.py), not by allowed_domains.
    "scrapy.downloadermiddlewares.offsite.OffsiteMiddleware": None,
}
SPIDER_MIDDLEWARES = {
    # The spider's frontier checks scope and URL length itself; these would drop requests
    # silently, without the errback that tells the frontier a request is done.
    "scrapy.spidermiddlewares.urllength.UrlLengthMiddleware": None,
}
ITEM_PIPELINES = {
    "crawler.pipelines.CollectPagesPipeline": 100,
    "crawler.pipelines.ScorePipeline": 200,
    "crawler.pipelines.StorePipeline": 300,
}

LOG_LEVEL = "INFO"
FEED_EXPORT_ENCODING = "utf-8"
# A jsonlines feed (Scrapyd's items, ``-o sites.jl``) holds one complete site per line.
FEED_EXPORTERS = {"jsonlines": "crawler.feeds.SiteLinesExporter"}

# clinicscout's own settings.
CLINICSCOUT_PAGE_BUDGET = 40
CLINICSCOUT_ALLOW_PRIVATE = False
# Networks exempt from the private-address refusal, e.g. "127.0.0.1/32" (tests, a LAN demo).
CLINICSCOUT_ALLOWED_NETWORKS: list[str] = []
CLINICSCOUT_DB = None
# The crawl (row of the crawls table) that the pipelines record sites under; None: they open one.
CLINICSCOUT_CRAWL_ID = None
# A site that fails this many crawls in a row is flagged inactive (its data is kept).
CLINICSCOUT_INACTIVE_AFTER = 3
