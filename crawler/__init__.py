"""blogarchive's Scrapy project: settings, spiders, page-object parsers, pipelines, extensions."""
