"""Scrapy extensions: WARC capture and crawl progress."""
