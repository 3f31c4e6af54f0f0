"""The web UI: search and read the archive in a browser (``blogarchive serve``).

Read only, no Scrapy: :func:`create_app` builds the ASGI application for one data
directory, and :func:`archive.web.server.serve` runs it with uvicorn.
"""

from archive.web.app import create_app

__all__ = ["create_app"]
