"""Scrapy settings for blogarchive.

Scrapy's own settings keep the project template's politeness (robots.txt obeyed,
AutoThrottle on, a User-Agent that names us) with one change for unattended runs:
a 30 s download timeout instead of Scrapy's 180 s. blogarchive's settings are
prefixed by component and listed alphabetically in groups, enabling flags first.
"""

from __future__ import annotations

import os

BOT_NAME = "blogarchive"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"

USER_AGENT = "blogarchive/0.1 (+https://github.com/blogarchive/blogarchive; web archiving)"
ROBOTSTXT_OBEY = True
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = 0.5
DOWNLOAD_MAXSIZE = 64 * 1024 * 1024
DOWNLOAD_TIMEOUT = 30
DOWNLOAD_WARNSIZE = 8 * 1024 * 1024
RETRY_TIMES = 2
# HTTP-cache hits never reach the downloader, so they would never be archived.
HTTPCACHE_ENABLED = False
TELNETCONSOLE_ENABLED = False
FEED_EXPORT_ENCODING = "utf-8"
LOG_LEVEL = "INFO"

ARCHIVE_DIR = os.environ.get("BLOGARCHIVE_DATA_DIR") or "data"
ARCHIVE_INDEX_ENABLED = True
ARCHIVE_INDEX_BATCH_SIZE = 200
ARCHIVE_JSONL_ENABLED = True
ARCHIVE_WARC_ENABLED = True
ARCHIVE_WARC_GZIP_LEVEL = 6
ARCHIVE_WARC_MAX_SIZE = 1_000_000_000

BLOGARCHIVE_PROGRESS_ENABLED = True
BLOGARCHIVE_PROGRESS_INTERVAL = 5.0
BLOGARCHIVE_PROGRESS_STDERR = False

SITES_CONFIG = os.environ.get("BLOGARCHIVE_CONFIG") or "config/sites.toml"

EXTENSIONS = {
    "crawler.extensions.warc.WarcCaptureExtension": 100,
    "crawler.extensions.progress.ProgressExtension": 500,
}
ITEM_PIPELINES = {
    "crawler.pipelines.ValidatePostPipeline": 100,
    "crawler.pipelines.DuplicatePostPipeline": 200,
    "crawler.pipelines.JsonlExportPipeline": 800,
    "crawler.pipelines.IndexPipeline": 900,
}
