"""Blogger-style pages for the hostile blog: good posts (with their truth), listings, feeds.

Small and hand-written, so each good post's title and body are known exactly;
``crawler.parsers.parse_post`` reads them as Blogger posts.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape


@dataclass(frozen=True, kw_only=True)
class GoodPost:
    """A post the crawler must archive, and what its item must say."""

    path: str
    title: str
    paragraphs: tuple[str, ...]
    author: str = "Ana Lima"
    published: str = "2020-01-06T09:30:00-08:00"
    canonical: str | None = None
    """Path of the ``<link rel=canonical>`` target (default: the post itself)."""

    @property
    def body(self) -> str:
        return "\n\n".join(self.paragraphs)


def post_html(post: GoodPost, base: str, *, charset: str | None = "UTF-8", extra: str = "") -> str:
    """The post page; ``charset`` goes in a ``<meta>`` (None: declared nowhere in the page)."""
    meta = f"<meta content='text/html; charset={charset}' http-equiv='Content-Type'/>"
    paragraphs = "\n".join(f"<p>{escape(p)}</p>" for p in post.paragraphs)
    return f"""<!DOCTYPE html>
<html dir='ltr' lang='en'><head>
{meta if charset else ""}
<meta content='blogger' name='generator'/>
<link href='{base}{post.canonical or post.path}' rel='canonical'/>
<title>Hostile Blog: {escape(post.title)}</title>
</head><body class='item-view'>
<div class='post hentry' itemprop='blogPost' itemscope='itemscope'
 itemtype='http://schema.org/BlogPosting'>
<h3 class='post-title entry-title' itemprop='name'>{escape(post.title)}</h3>
<div class='post-header'><span class='post-author vcard'>Posted by
<span class='fn' itemprop='author' itemscope='itemscope' itemtype='http://schema.org/Person'>
<span itemprop='name'>{escape(post.author)}</span></span></span>
<abbr class='published' itemprop='datePublished' title='{post.published}'>a date</abbr></div>
<div class='post-body entry-content' itemprop='description articleBody'>
{paragraphs}
</div>{extra}
<div class='post-footer'><span class='post-labels'>Labels:
<a href='{base}/search/label/Tips' rel='tag'>Tips</a></span></div>
</div>
<a class='home-link' href='{base}/'>Home</a>
</body></html>
"""


def truncated_html(post: GoodPost, base: str) -> str:
    """The page cut off at the end of the post body: no closing tags, no footer."""
    page = post_html(post, base)
    return page[: page.index("</div>", page.index("articleBody"))]


def malformed_html(post: GoodPost, base: str) -> str:
    """Unclosed and stray tags, misnested markup, and an attribute that never ends."""
    page = post_html(post, base).replace("</p>", "")
    page = page.replace(
        "<div class='post-body", "</span></td></em><b><i>unclosed <<>>\n<div class='post-body"
    )
    return page.replace("</body></html>", "</table><img src='never-closed\n<p>junk")


def home_html(base: str, posts: list[str], others: list[str], extra: str) -> str:
    """The blog's front page: post titles linking to ``posts``, plain links to ``others``."""
    titles = "\n".join(
        f"<h3 class='post-title entry-title'><a href='{escape(p)}'>Post {i}</a></h3>"
        for i, p in enumerate(posts)
    )
    plain = "\n".join(f"<li><a href='{escape(o)}'>{escape(o)}</a></li>" for o in others)
    return f"""<!DOCTYPE html>
<html lang='en'><head><meta charset='UTF-8'/><meta content='blogger' name='generator'/>
<link rel='alternate' type='application/atom+xml' href='{base}/feeds/posts/default'/>
<title>Hostile Blog</title></head>
<body class='index'><div class='blog-posts hfeed'>
{titles}
</div><ul>
{plain}
</ul>{extra}
</body></html>
"""


def listing_html(title: str, next_url: str) -> str:
    """A page with nothing on it but a "next" link (calendar months, endless archives)."""
    return f"""<!DOCTYPE html><html><head><meta charset='UTF-8'/><title>{escape(title)}</title>
</head><body><h2>{escape(title)}</h2><p>No posts.</p>
<a rel='next' href='{escape(next_url)}'>Next</a></body></html>
"""


def sitemap_xml(urls: list[str]) -> str:
    locs = "".join(f"<url><loc>{escape(u)}</loc></url>" for u in urls)
    return (
        "<?xml version='1.0' encoding='UTF-8'?>"
        f"<urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>{locs}</urlset>"
    )


def broken_sitemap_xml(urls: list[str]) -> str:
    """Not XML: an unclosed element, a bad entity, then the file stops mid-tag."""
    locs = "".join(f"<url><loc>{u}&nbsp;</loc>" for u in urls)
    return f"<?xml version='1.0'?><urlset><url><loc>{locs}<url><lo"


def broken_feed_xml(urls: list[str]) -> bytes:
    """An Atom feed with a NUL byte, a bad entity and no end."""
    entries = "".join(
        f"<entry><title>&bogus; {i}</title><link rel='alternate' type='text/html' href='{u}'/>"
        f"</entry>"
        for i, u in enumerate(urls)
    )
    text = (
        f"<?xml version='1.0' encoding='utf-8'?><feed xmlns='http://www.w3.org/2005/Atom'>{entries}"
    )
    return text.encode() + b"\x00\xff<entry><title>cut"
