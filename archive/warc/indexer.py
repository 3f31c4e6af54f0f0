"""cdxj-indexer's indexer, for WARC files the writer did not index as it wrote them.

Its own module because importing cdxj-indexer (pyamf, pkg_resources) costs about 0.16 s,
which a crawl that writes its indexes as it goes need not pay.
"""

from __future__ import annotations

from tempfile import SpooledTemporaryFile
from typing import Any

from cdxj_indexer.main import CDXJIndexer


class Indexer(CDXJIndexer):  # type: ignore[misc]
    """cdxj-indexer, closing the temporary files warcio makes to digest a record without a
    payload digest (our metadata records): the record's once the next record comes."""

    _buffered: Any = None

    def process_index_entry(self, it: Any, record: Any, filename: str, output: Any) -> None:
        self.release()
        super().process_index_entry(it, record, filename, output)
        if isinstance(record.raw_stream, SpooledTemporaryFile):
            self._buffered = record.raw_stream

    def process_one(self, input_: Any, output: Any, filename: str) -> None:
        try:
            super().process_one(input_, output, filename)
        finally:
            self.release()
            writer: Any = getattr(self, "writer", None)
            if writer is not None:  # the BufferWARCWriter it digests with, and its file
                writer.out.close()
                self.writer = None

    def release(self) -> None:
        if self._buffered is not None:
            self._buffered.close()
            self._buffered = None
