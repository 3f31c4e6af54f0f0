"""blogarchive's archive library: WARC and JSONL writing, the search index and search.

Nothing in this package imports Scrapy, so the archive can be read, indexed and searched
without a crawler.
"""

__version__ = "0.1.0"
