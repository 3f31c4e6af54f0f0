"""Small parts of the web UI: link rewriting, escaping filters, the chart, the catalog."""

from __future__ import annotations

from collections import Counter

import lxml.html
import pytest

from archive.web.assets import rewrite_css
from archive.web.chart import MAX_MONTHS, month_range, posts_chart
from archive.web.render import snippet, stars, web_url, when
from archive.web.rewrite import rewrite_html
from archive.web.security import allowed_hosts, is_loopback

PAGE = b"""<!DOCTYPE html><html><head>
<base href="/blog/">
<meta http-equiv="refresh" content="0; url=https://elsewhere.example/">
<link rel="dns-prefetch" href="//tracker.example"><link rel="stylesheet" href="s.css">
<title>Caf\xc3\xa9</title></head><body>
<a href="post.html" ping="https://tracker.example/" target="_blank">archived</a>
<a href="https://elsewhere.example/x?y=1#z">outside</a>
<a href="#top">jump</a>
<a href="javascript:alert(1)">js</a>
<form action="https://elsewhere.example/submit"><button formaction="/x">go</button></form>
</body></html>"""


def link_for(url: str) -> str | None:
    return "/captures/f.warc.gz/10/raw" if url == "https://blog.example/blog/post.html" else None


def test_rewrite_links_and_navigation() -> None:
    out = rewrite_html(PAGE, "https://blog.example/2019/a.html", None, link_for).decode()
    assert '<a href="/captures/f.warc.gz/10/raw">archived</a>' in out
    assert 'data-archived-href="https://elsewhere.example/x?y=1#z"' in out
    assert 'href="#top"' in out
    assert 'data-archived-href="javascript:alert(1)"' in out
    assert ' href="javascript' not in out
    for gone in ("<base", "refresh", "dns-prefetch", "ping=", "target=", "formaction", " action="):
        assert gone not in out
    assert 'data-archived-action="https://elsewhere.example/submit"' in out
    assert "<title>Café</title>" in out
    assert 'rel="stylesheet"' in out  # kept: the CSP lets it load nothing


ASSETS_PAGE = b"""<html><head><link rel="stylesheet" href="/theme.css">
<link rel="stylesheet" href="https://cdn.example/gone.css"><link rel="icon" href="/favicon.ico">
<style>body { background: url(/img/bg.png) } .x { background: url('https://t.example/p.gif') }
@import "/extra.css";</style></head><body background="/img/bg.png">
<img id="plain" src="https://cdn.example/a.png" alt="a">
<img id="lazy" src="data:image/gif;base64,R0lGOD" data-src="https://cdn.example/b.png">
<img id="sized" src="https://cdn.example/s.png"
     srcset="https://cdn.example/s.png 400w, https://cdn.example/l.png 1600w">
<img id="relative" src="/blocked-image.png">
<picture><source srcset="https://cdn.example/l.png 1600w"><img src="/none.png"></picture>
<p style="background-image: url(&quot;/img/bg.png&quot;)">x</p>
</body></html>"""
ARCHIVED = {
    "https://blog.example/theme.css": "/captures/f.warc.gz/1/raw",
    "https://blog.example/favicon.ico": "/captures/f.warc.gz/2/raw",
    "https://blog.example/img/bg.png": "/captures/f.warc.gz/3/raw",
    "https://cdn.example/a.png": "/captures/f.warc.gz/4/raw",
    "https://cdn.example/b.png": "/captures/f.warc.gz/5/raw",
    "https://cdn.example/l.png": "/captures/f.warc.gz/6/raw",
}


def test_rewrite_points_images_and_styles_at_their_captures_and_drops_the_rest() -> None:
    out = rewrite_html(
        ASSETS_PAGE, "https://blog.example/2019/a.html", None, link_for, ARCHIVED.get
    ).decode()
    root = lxml.html.fromstring(out)
    sheets = [link.get("href") for link in root.iter("link")]
    assert sheets == ["/captures/f.warc.gz/1/raw", None, "/captures/f.warc.gz/2/raw"]
    assert 'data-archived-href="https://cdn.example/gone.css"' in out
    images = {img.get("id"): img for img in root.iter("img")}
    assert images["plain"].get("src") == "/captures/f.warc.gz/4/raw"
    # No script swaps a lazy image in: its archived data-src becomes its src.
    assert images["lazy"].get("src") == "/captures/f.warc.gz/5/raw"
    assert images["sized"].get("data-archived-src") == "https://cdn.example/s.png"
    assert images["sized"].get("srcset") == "/captures/f.warc.gz/6/raw 1600w"
    # Not archived: no URL left that a browser would load (a relative one would reach the UI).
    assert images["relative"].get("src") is None
    assert next(root.iter("source")).get("srcset") == "/captures/f.warc.gz/6/raw 1600w"
    assert root.body.get("background") == "/captures/f.warc.gz/3/raw"
    style = next(root.iter("style")).text
    assert 'url("/captures/f.warc.gz/3/raw")' in style
    assert 'url("data:,")' in style
    assert '@import "data:,"' in style
    assert "/img/bg.png" not in out.replace("data-archived", "")
    for gone in ("t.example", "/blocked-image.png", "/none.png"):
        assert f' src="{gone}' not in out
        assert f"url({gone}" not in out


def test_rewrite_css_keeps_data_urls() -> None:
    css = "a { background: url(data:image/png;base64,AAAA) } b { background: url(x.png) }"
    out = rewrite_css(
        css, "https://blog.example/s/t.css", {"https://blog.example/s/x.png": "/c"}.get
    )
    assert out == 'a { background: url(data:image/png;base64,AAAA) } b { background: url("/c") }'


def test_rewrite_decodes_with_the_http_charset() -> None:
    latin = "<html><body><p>caf\u00e9</p></body></html>".encode("latin-1")
    assert "café" in rewrite_html(latin, "http://x/", "iso-8859-1", link_for).decode()
    assert "café" in rewrite_html(latin, "http://x/", None, link_for).decode()
    assert rewrite_html(b"  ", "http://x/", None, link_for) == b""
    assert b"caf" in rewrite_html(latin, "http://x/", "no-such-charset", link_for)


def test_snippet_keeps_only_mark_tags() -> None:
    hostile = "a &lt;b&gt; <img src=x onerror=alert(1)> <mark>word</mark> <mark><i>x</i></mark>"
    out = str(snippet(hostile))
    assert out.count("<mark>") == 2
    assert "<img" not in out
    assert "<i>" not in out
    assert "&lt;img src=x onerror=alert(1)&gt;" in out
    assert "&lt;b&gt;" in out


def test_stars_and_dates() -> None:
    rating = {"value": 4.5, "best": 5, "worst": 1, "normalized": 0.875}
    assert str(stars(rating)) == (
        '<span class="stars" role="img" aria-label="Rated 4.5 out of 5">★★★★☆</span>'
    )
    assert str(stars(None)) == ""
    assert when("2026-11-27T03:22:31.945400Z") == "2026-11-27 03:22:31 UTC"
    assert when("2019-03-02T11:53:00+06:00") == "2019-03-02 05:53:00 UTC"
    assert when("someday") == "someday"
    assert web_url("javascript:alert(1)") is None
    assert web_url("https://x/") == "https://x/"


def test_month_range_and_chart() -> None:
    assert month_range(["2019-11", "2020-02"]) == ["2019-11", "2019-12", "2020-01", "2020-02"]
    assert len(month_range(["2000-01", "2020-01"])) == MAX_MONTHS
    assert month_range([]) == []
    counts = {"<b>site</b>": Counter({"2019-11": 2}), "other": Counter({"2020-01": 1})}
    svg = posts_chart(counts, month_range(["2019-11", "2020-01"]))
    assert svg.count("<rect ") == 2
    assert "&lt;b&gt;site&lt;/b&gt;, 2019-11: 2" in svg
    assert 'role="img"' in svg


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.0.0.2", True),
        ("::1", True),
        ("[::1]", True),
        ("localhost", True),
        ("0.0.0.0", False),
        ("::", False),
        ("192.0.2.1", False),
    ],
)
def test_is_loopback(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


def test_allowed_hosts() -> None:
    assert allowed_hosts("0.0.0.0") == ["*"]
    assert {"127.0.0.1", "localhost", "::1"} <= set(allowed_hosts("127.0.0.1"))
