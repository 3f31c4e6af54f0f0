"""Scrapy settings for blogarchive.

Scrapy's own settings keep the project template's politeness (robots.txt obeyed,
AutoThrottle on, a User-Agent that names us) with one change for unattended runs:
a 30 s download timeout instead of Scrapy's 180 s. blogarchive's settings are
prefixed by component and listed alphabetically in groups, enabling flags first.
"""

from __future__ import annotations

import os

from scrapy.settings import default_settings

BOT_NAME = "blogarchive"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"

USER_AGENT = "blogarchive/0.1 (+https://github.com/blogarchive/blogarchive; web archiving)"
ROBOTSTXT_OBEY = True
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
# A crawl (one site) lowers it to the per-host limit: see BlogSpider.apply_site_settings.
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 2
# Scrapy runs each response's output through this many asyncio tasks, started per response:
# a page gives at most one post and its links, and 100 idle tasks cost ~1 ms a page.
CONCURRENT_ITEMS = 8
DOWNLOAD_DELAY = 0.5
# A site's delay is a minimum between requests; Scrapy's default draws 0.5x to 1.5x of it.
DOWNLOAD_DELAY_JITTER = 0
RETRY_TIMES = 2
# HTTP-cache hits never reach the downloader, so they would never be archived.
HTTPCACHE_ENABLED = False
# A sitemap queues a blog's every post at once: keep queued requests pickled, ~400 bytes each.
SCHEDULER_MEMORY_QUEUE = "crawler.squeues.PickledLifoMemoryQueue"
TELNETCONSOLE_ENABLED = False
# Scrapy 2.19's remote control runs Python code sent over HTTP: not for an archiver, and its
# aiohttp server costs a quarter of a second to import. Scrapy imports every component it
# lists, even one set to None, so it is left out of the base list itself.
REMOTE_CONTROL_ENABLED = False
EXTENSIONS_BASE = {
    path: order
    for path, order in default_settings.EXTENSIONS_BASE.items()
    if not path.endswith(".RemoteControl")
}
FEED_EXPORT_ENCODING = "utf-8"
LOG_LEVEL = "INFO"
LOG_FORMATTER = "crawler.logformatter.BriefLogFormatter"

ARCHIVE_DIR = os.environ.get("BLOGARCHIVE_DATA_DIR") or "data"
ARCHIVE_CONDITIONAL_ENABLED = True
ARCHIVE_DEDUP_ENABLED = True
# Appended to WARC and JSONL file names (SITE_TAG-...); RQ workers set it to WORKERaATTEMPT.
ARCHIVE_FILE_TAG = ""
ARCHIVE_INDEX_ENABLED = True
ARCHIVE_INDEX_BATCH_SIZE = 1000
ARCHIVE_INDEX_BATCH_SECONDS = 30.0
ARCHIVE_JSONL_ENABLED = True
# Rolling JSONL, as for WARCs: a crawl appends its items to its site's newest JSONL file
# while that is under the size limit, instead of a file per run (archive.jsonl).
ARCHIVE_JSONL_APPEND = True
ARCHIVE_JSONL_MAX_SIZE = 1_000_000_000
# crawler.extensions.runlog: crash repair and the run history. The trigger says who started
# a crawl: a person ("manual", for `scrapy crawl` too), the scheduler or a queue worker.
ARCHIVE_RUNLOG_ENABLED = True
ARCHIVE_RUN_TRIGGER = "manual"
ARCHIVE_WARC_ENABLED = True
ARCHIVE_WARC_FSYNC = "interval"
ARCHIVE_WARC_FSYNC_INTERVAL = 1.0
ARCHIVE_WARC_GZIP_LEVEL = 6
ARCHIVE_WARC_MAX_SIZE = 1_000_000_000
# Rolling WARCs: a crawl appends to its site's newest WARC while it is under the size
# limit, instead of starting a file per run (archive.warc.writer).
ARCHIVE_WARC_APPEND = True
# The queue worker that runs a crawl (`blogarchive worker` passes its name), in its run.
ARCHIVE_WORKER = ""

# crawler.spiders.assets: a post's page requisites (its images, the page's stylesheets and
# favicon), fetched from any host and archived with it, as wget -p and Browsertrix do.
ASSETS_ENABLED = True
# Posts held back (out of the item pipelines) until their images are archived, so that their
# items point at them; past this many, the oldest goes on with what is known.
ASSETS_HOLD_MAX = 1000
ASSETS_MAX_BYTES = 10 * 1024 * 1024
# 0: no limit.
ASSETS_MAX_PER_CRAWL = 5000
# Content-Type prefixes kept; an asset of another type stops at its headers.
ASSETS_TYPES = ["image/", "text/css"]

INCREMENTAL_ENABLED = True
# Ask again for every known post this crawl, whatever its sitemap or feed date (`crawl
# --revalidate-all`); otherwise each site's `revalidate_after` decides.
INCREMENTAL_REVALIDATE_ALL = False
POLITENESS_ENABLED = True
POLITENESS_MAX_DELAY = 60.0
RESUME_ENABLED = True

# crawler.extensions.gctune: what is alive at engine start frozen, young objects collected
# every this many allocations (Python's default is 700).
BLOGARCHIVE_GC_ENABLED = True
BLOGARCHIVE_GC_THRESHOLD = 50_000
# crawler.extensions.malloc: glibc's mmap threshold pinned at its initial 128 KiB, so the
# index writer's big buffers are unmapped when freed instead of piling up in malloc arenas.
BLOGARCHIVE_MALLOC_ENABLED = True
BLOGARCHIVE_MALLOC_MMAP_THRESHOLD = 128 * 1024
BLOGARCHIVE_PROGRESS_ENABLED = True
BLOGARCHIVE_PROGRESS_INTERVAL = 5.0
BLOGARCHIVE_PROGRESS_STDERR = False
BLOGARCHIVE_STOP_ENABLED = True
# crawler.parsing: worker processes that parse pages while the crawl's own process fetches
# and archives (shared by the crawls of a process). Off by default: on 2 cores one worker
# took a CPU-bound crawl's wall time down by 8-35% for 5-26% more CPU and ~100 MB more
# memory (README, "Benchmarks"). They start once a crawl has parsed PARSE_WORKERS_AFTER
# pages itself (a worker costs about 0.3 s of CPU to start, which a small crawl would not
# win back), and only if the process has been busy for PARSE_WORKERS_BUSY of the time
# since the crawl opened: a polite crawl waits on the network, and a worker would only
# cost it memory.
PARSE_WORKERS = 0
PARSE_WORKERS_AFTER = 50
PARSE_WORKERS_BUSY = 0.6

SITES_CONFIG = os.environ.get("BLOGARCHIVE_CONFIG") or "config/sites.toml"

EXTENSIONS = {
    # Pins glibc's mmap threshold (BLOGARCHIVE_MALLOC_*), once, as the crawler is built.
    "crawler.extensions.malloc.MallocExtension": 50,
    # Freezes what is alive when the engine starts and collects less often (BLOGARCHIVE_GC_*).
    "crawler.extensions.gctune.GcExtension": 60,
    # The crawl's archiving session: history, WARC and JSONL (see archive.session).
    "crawler.capture.extension.ArchiveExtension": 100,
    "crawler.extensions.progress.ProgressExtension": 500,
    # Ctrl-C acts at once: says so, and drops the requests still waiting for their turn.
    "crawler.extensions.stop.StopExtension": 600,
    # Last, so that its spider_closed handler reads the stats the others wrote on close.
    "crawler.extensions.runlog.RunLogExtension": 900,
}
SPIDER_MIDDLEWARES = {
    # Drops crawler-trap URLs (TRAP_* settings below).
    "crawler.traps.TrapDetectionMiddleware": 850,
    # Records the frontier; after a crash the next crawl starts from it.
    "crawler.resume.ResumeMiddleware": 980,
    # Holds each captured post until its images are archived (crawler.spiders.holds).
    "crawler.spiders.assets.AssetHoldMiddleware": 985,
    # Next to the spider: sees each callback's posts before any other middleware.
    "crawler.capture.middleware.CaptureSpiderMiddleware": 990,
}
DOWNLOADER_MIDDLEWARES = {
    # Before Scrapy's OffsiteMiddleware (50): the robots.txt of an asset's host (a CDN).
    "crawler.spiders.assets.AssetRobotsMiddleware": 40,
    "crawler.capture.middleware.ConditionalRequestMiddleware": 560,
    # Above RetryMiddleware (550), so it sees a 429's Retry-After before the retry.
    "crawler.politeness.PolitenessMiddleware": 580,
}
ITEM_PIPELINES = {
    "crawler.pipelines.JsonlExportPipeline": 800,
    "crawler.pipelines.IndexPipeline": 900,
}

# -- Hostile sites: bounded time, size, redirects and traps (issue 7) ------------------------
# A download ends within DOWNLOAD_TIMEOUT: 30 s for the whole response (headers and body),
# not Scrapy's 180 s, so a server sending a byte a second cannot hold an unattended crawl.
# DOWNLOAD_MAXSIZE caps a body as received and again after gzip/deflate/br/zstd decoding
# (HttpCompressionMiddleware), which stops decompression bombs. 16 MiB is far above any
# real blog page or feed, and above a full 50,000-URL sitemap (~10 MB); we never fetch media.
# A body cut off mid-way (connection reset) is an error, never delivered or archived as whole.
DOWNLOAD_FAIL_ON_DATALOSS = True
DOWNLOAD_MAXSIZE = 16 * 1024 * 1024
DOWNLOAD_TIMEOUT = 30
DOWNLOAD_WARNSIZE = 4 * 1024 * 1024
# Scrapy follows http(s) redirects only, and its offsite middleware drops other hosts.
REDIRECT_ENABLED = True
REDIRECT_MAX_TIMES = 10
# crawler.traps.TrapDetectionMiddleware: see crawler.traps.TrapRules.
TRAP_ENABLED = True
TRAP_MAX_FUTURE_YEARS = 1
TRAP_MAX_PAGES_PER_PATTERN = 1000
TRAP_MAX_PATH_DEPTH = 12
TRAP_MAX_PATH_REPEATS = 3
TRAP_MIN_YEAR = 1990
