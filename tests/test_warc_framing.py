"""What a crawl writes for a chunked response: the README's account, checked on a real crawl.

Twisted consumes the connection headers before Scrapy sees the response, so the record
holds the de-chunked body with neither ``Transfer-Encoding`` nor ``Content-Length``.
"""

from __future__ import annotations

from pathlib import Path

from warcio.archiveiterator import ArchiveIterator

from tests.conftest import LOOPBACK, run_cli
from tests.support.checkers import assert_warcs_pass_checkers
from tests.support.servers import LoopbackServer, TrackedHandler, TrackingServer

PAGE = (
    b"<!doctype html><html><head><title>Chunked</title></head><body><article>"
    b"<h1>Chunked</h1><p>" + b"Sent in chunks of sixty-four bytes. " * 40 + b"</p>"
    b"</article></body></html>"
)
CONNECTION_HEADERS = ("Transfer-Encoding", "Connection", "Keep-Alive", "Content-Length")


class ChunkedHandler(TrackedHandler):
    """``/`` is one page sent chunked; everything else is an empty 404."""

    def do_GET(self) -> None:
        if self.path != "/":
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Transfer-Encoding", "chunked")
        self.send_header("Keep-Alive", "timeout=5")
        self.end_headers()
        for start in range(0, len(PAGE), 64):
            chunk = PAGE[start : start + 64]
            self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        self.wfile.write(b"0\r\n\r\n")


class ChunkedServer(LoopbackServer[TrackingServer]):
    def bind(self) -> TrackingServer:
        return TrackingServer(self.address, ChunkedHandler)


def test_a_chunked_response_is_stored_dechunked_without_framing_headers(
    tmp_path: Path,
) -> None:
    with ChunkedServer() as server:
        url = server.url
        result = run_cli("crawl", "--url", url, "--data-dir", str(tmp_path), *LOOPBACK)
    assert result.returncode == 0, result.stderr
    files = sorted((tmp_path / "warc").glob("*.warc.gz"))
    with files[0].open("rb") as stream:
        [(headers, body)] = [
            (r.http_headers, r.content_stream().read())
            for r in ArchiveIterator(stream)
            if r.rec_type == "response" and r.rec_headers.get_header("WARC-Target-URI") == url
        ]
    assert body == PAGE
    assert [h for h in CONNECTION_HEADERS if headers.get_header(h) is not None] == []
    assert headers.get_header("X-Archive-Orig-Transfer-Encoding") is None
    assert_warcs_pass_checkers(files)
