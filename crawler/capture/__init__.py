"""WARC capture in Scrapy: the extension that writes captures, and its middlewares.

See :mod:`crawler.capture.extension` for how a capture, its revisit decision and its
metadata records come together.
"""
