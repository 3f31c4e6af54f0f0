"""The posts of an archive as the web UI lists them: every version of every URL.

"Posts" here are all the archive's items: blog posts and standalone pages (``kind``).
They come from the catalog (:mod:`archive.state.catalog`): a light entry per version
(URL, site, dates, where its record is), whole records read from disk on demand, so
nothing of a large archive is held in memory and a running crawl's posts show up as soon
as it commits them.
"""

from __future__ import annotations

from archive.catalog import read_record
from archive.state.catalog import Entry, post_id

__all__ = ["Entry", "post_id", "read_record"]
