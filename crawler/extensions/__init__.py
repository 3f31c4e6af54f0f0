"""Scrapy extensions: crash repair and run history, crawl progress, malloc tuning."""
