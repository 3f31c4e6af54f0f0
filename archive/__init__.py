"""blogarchive's archive library: WARC and JSONL writing, the search index and search.

Nothing in this package imports Scrapy, so the archive can be read, indexed and searched
without a crawler. Its parts, by stage:

- :mod:`archive.datadir`: the data directory's layout, and which files it holds;
- :mod:`archive.session`: one crawl's archiving session (history, WARC, JSONL);
- :mod:`archive.warc`: WARC writing, records, members, pointers, items read back;
- :mod:`archive.jsonl` and :mod:`archive.records`: the JSONL archive and its records;
- :mod:`archive.state`: ``history.sqlite3`` (captures and versions, frontier, runs);
- :mod:`archive.search`: the full-text index, its queries and hits;
- :mod:`archive.catalog`: every version of a URL; :mod:`archive.repair`,
  :mod:`archive.verify`, :mod:`archive.wacz`: work across the whole data dir;
- :mod:`archive.web`: the web UI.

The names below are the public face the CLI uses, loaded on first use (``import
archive`` stays cheap: the search index pulls in tantivy, the WARC reader warcio).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from archive.catalog import pick, versions
    from archive.datadir import HISTORY_FILE, DataDir, archive_file
    from archive.jsonl import dumps, iter_archive
    from archive.quarantine import quarantine_damaged
    from archive.records import PostRecord
    from archive.repair import repair_data_dir
    from archive.search.filters import KINDS
    from archive.search.hits import SearchHit, hits_to_json, parse_rating_bound
    from archive.search.index import (
        IndexLockedError,
        QuerySyntaxError,
        SchemaVersionError,
        SearchIndex,
    )
    from archive.session import ArchiveSession
    from archive.state.runs import Run, RunLog, live_run
    from archive.verify import verify_data_dir
    from archive.wacz import export_wacz
    from archive.warc.items import iter_items_from_warcs
    from archive.warc.pointer import PointerError, record_at

_EXPORTS = {
    "archive.catalog": ("pick", "versions"),
    "archive.datadir": ("HISTORY_FILE", "DataDir", "archive_file"),
    "archive.jsonl": ("dumps", "iter_archive"),
    "archive.quarantine": ("quarantine_damaged",),
    "archive.records": ("PostRecord",),
    "archive.repair": ("repair_data_dir",),
    "archive.search.filters": ("KINDS",),
    "archive.search.hits": ("SearchHit", "hits_to_json", "parse_rating_bound"),
    "archive.search.index": (
        "IndexLockedError",
        "QuerySyntaxError",
        "SchemaVersionError",
        "SearchIndex",
    ),
    "archive.session": ("ArchiveSession",),
    "archive.state.runs": ("Run", "RunLog", "live_run"),
    "archive.verify": ("verify_data_dir",),
    "archive.wacz": ("export_wacz",),
    "archive.warc.items": ("iter_items_from_warcs",),
    "archive.warc.pointer": ("PointerError", "record_at"),
}
_WHERE = {name: module for module, names in _EXPORTS.items() for name in names}
__all__ = [
    "HISTORY_FILE",
    "KINDS",
    "ArchiveSession",
    "DataDir",
    "IndexLockedError",
    "PointerError",
    "PostRecord",
    "QuerySyntaxError",
    "Run",
    "RunLog",
    "SchemaVersionError",
    "SearchHit",
    "SearchIndex",
    "__version__",
    "archive_file",
    "dumps",
    "export_wacz",
    "hits_to_json",
    "iter_archive",
    "iter_items_from_warcs",
    "live_run",
    "parse_rating_bound",
    "pick",
    "quarantine_damaged",
    "record_at",
    "repair_data_dir",
    "verify_data_dir",
    "versions",
]


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'archive' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
