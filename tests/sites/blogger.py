"""Render a Blogger-style blog (markup.md §2) into served resources.

Post page shapes (``Post.shape``):

* ``classic`` — §2.2 footer with ``a.g-profile > span[itemprop=name]``;
* ``ratingpanel`` — ``classic`` plus the script-only ``g:type='RatingPanel'`` gadget (no rating);
* ``techpro`` — visible ``div.post-meta`` byline plus a hidden footer copy, ``abbr.published.timeago``;
* ``sora`` — §2.3 localized ``Publicada por <span>NAME</span>``, summary div + script in the body;
* ``review-b1`` / ``review-b2`` / ``review-b3`` — the §2.1 "Reviewed by … on … Rating:" footer as
  microdata (``meta ratingValue``), hReview (``.rating`` text) or label + star image only.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote

from crawler.demo.server import Resource, Site
from tests.sites.model import (
    HTML_TYPE,
    Block,
    Post,
    esc,
    excerpt,
    render_block,
    render_blocks,
    text_resource,
)

ATOM_TYPE = "application/atom+xml; charset=UTF-8"
XML_TYPE = "application/xml; charset=UTF-8"
PERSON = "http://schema.org/Person"
ADS = (
    "<ins class='adsbygoogle' style='display:block; text-align:center;' "
    "data-ad-client='ca-pub-0000000000000000' data-ad-slot='1234567890'></ins>\n"
    "<script>(adsbygoogle = window.adsbygoogle || []).push({});</script>"
)
SHARE_TARGETS = ("Email This", "BlogThis!", "Share to X", "Share to Facebook", "Share to Pinterest")


@dataclass(frozen=True, kw_only=True)
class BloggerConfig:
    """Blog-wide settings of a Blogger-style demo blog."""

    name: str
    tagline: str
    blog_id: str
    profiles: dict[str, str]
    """Author display name → Blogger profile id."""
    about: tuple[Block, ...]
    per_page: int = 7
    label_per_page: int = 20
    feed_per_page: int = 25
    sitemap_per_page: int = 50
    language: str = "en"


def _dt(iso: str) -> datetime:
    return datetime.fromisoformat(iso)


def _time_of_day(iso: str) -> str:
    return _dt(iso).strftime("%I:%M %p").lstrip("0")


def _long_date(iso: str) -> str:
    d = _dt(iso)
    return f"{d:%A}, {d:%B} {d.day}, {d.year}"


def _short_date(iso: str) -> str:
    d = _dt(iso)
    return f"{d.day}.{d.month}.{d:%y}"


def label_path(label: str) -> str:
    return "/search/label/" + quote(label, safe="")


def _older_query(iso: str, count: int) -> str:
    return f"updated-max={quote(iso, safe=':')}&max-results={count}"


class BloggerSite:
    """Builds every page, feed and sitemap of one Blogger-style blog for a base URL."""

    def __init__(self, config: BloggerConfig, posts: list[Post]) -> None:
        self.cfg = config
        self.posts = sorted(posts, key=lambda p: _dt(p.published), reverse=True)
        self.base = ""
        self._sidebar_html = ""
        self.labels = list(dict.fromkeys(t for p in self.posts for t in p.tags))
        self.months = list(dict.fromkeys(p.path[:9] for p in self.posts))

    # -- public ----------------------------------------------------------------------------

    def build(self, base: str) -> Site:
        """All resources with absolute links under ``base`` (no trailing slash)."""
        self.base = base
        # The sidebar depends on the blog only: rendered once per build, not once per page
        # (an O(posts x months) sum: 25 s of a 1,000-post blog's build otherwise).
        self._sidebar_html = self._sidebar()
        site: Site = {}
        site.update(self._listings("/", "", self.posts, self.cfg.per_page, None))
        for label in self.labels:
            tagged = [p for p in self.posts if label in p.tags]
            site.update(
                self._listings(
                    label_path(label), label_path(label), tagged, self.cfg.label_per_page, label
                )
            )
        for month in self.months:
            site[month] = self._archive_page(month)
        for i, post in enumerate(self.posts):
            newer = self.posts[i - 1] if i > 0 else None
            older = self.posts[i + 1] if i + 1 < len(self.posts) else None
            site[post.path] = text_resource(self._item_page(post, newer, older))
        site["/p/about.html"] = text_resource(self._static_page())
        site.update(self._feeds())
        site.update(self._sitemaps())
        site["/robots.txt"] = text_resource(self._robots(), "text/plain; charset=UTF-8")
        return site

    def non_posts(self) -> list[str]:
        """Paths of every HTML page that is not a post."""
        site = self.build("http://127.0.0.1")
        posts = {p.path for p in self.posts}
        return [k for k, v in site.items() if v.content_type == HTML_TYPE and k not in posts]

    # -- page frame ------------------------------------------------------------------------

    def _page(self, title: str, head: str, main: str, body_class: str) -> str:
        b, cfg = self.base, self.cfg
        return f"""<!DOCTYPE html>
<html class='v2' dir='ltr' lang='{cfg.language}' xmlns='http://www.w3.org/1999/xhtml' xmlns:b='http://www.google.com/2005/gml/b' xmlns:data='http://www.google.com/2005/gml/data' xmlns:expr='http://www.google.com/2005/gml/expr'>
<head>
<meta content='width=1100' name='viewport'/>
<meta content='text/html; charset=UTF-8' http-equiv='Content-Type'/>
<meta content='blogger' name='generator'/>
<link href='{b}/favicon.ico' rel='icon' type='image/x-icon'/>
<link rel="alternate" type="application/atom+xml" title="{esc(cfg.name)} - Atom" href="{b}/feeds/posts/default" />
<link rel="me" href="https://www.blogger.com/profile/{next(iter(cfg.profiles.values()))}" />
{head}
<title>{esc(title)}</title>
<style type='text/css'>
body {{ font: normal normal 15px Arial, sans-serif; }}
.techpro .post-footer-line-1, .techpro .post-footer-line-2, .techpro .post-footer-line-3 {{ display: none; }}
</style>
</head>
<body class='{body_class}'>
<div class='navbar no-items section' id='navbar' name='Navbar'></div>
<div class='body-fauxcolumns'></div>
<div class='content'><div class='content-outer'>
{self._header()}
<div class='main-outer'><div class='main-inner columns fauxcolumns'>
<div class='column-center-outer'><div class='column-center-inner'>
<div class='main section' id='main' name='Main'>
<div class='widget Blog' data-version='1' id='Blog1'>
{main}
</div>
</div>
</div></div>
{self._sidebar_html}
</div></div>
{self._footer()}
</div></div>
<script type='text/javascript'>window['__wavt'] = 'AOuZoY5demo';_WidgetManager._Init('//www.blogger.com/rearrange?blogID={cfg.blog_id}','//{b.split("//")[-1]}/','{cfg.blog_id}');</script>
</body>
</html>
"""

    def _header(self) -> str:
        b, cfg = self.base, self.cfg
        tabs = [
            f"<li><a href='{b}/'>Home</a></li>",
            f"<li><a href='{b}/p/about.html'>About</a></li>",
        ]
        tabs += [f"<li><a href='{b}{label_path(x)}'>{esc(x)}</a></li>" for x in self.labels[:4]]
        return f"""<header><div class='header-outer'><div class='header section' id='header'>
<div class='widget Header' data-version='1' id='Header1'><div id='header-inner'>
<div class='titlewrapper'><h2 class='title'><a href='{b}/'>{esc(cfg.name)}</a></h2></div>
<div class='descriptionwrapper'><p class='description'><span>{esc(cfg.tagline)}</span></p></div>
</div></div></div></div></header>
<div class='tabs-outer'><div class='tabs section' id='crosscol'>
<div class='widget PageList' data-version='1' id='PageList1'><h2>Pages</h2>
<div class='widget-content'><ul>{"".join(tabs)}</ul></div></div></div></div>"""

    def _sidebar(self) -> str:
        b = self.base
        popular = sorted(self.posts, key=lambda p: (-len(p.comments), p.path))[:5]
        pop_items = "".join(
            f"<li><div class='item-content'><div class='item-title'><a href='{b}{p.path}'>"
            f"{esc(p.title)}</a></div><div class='item-snippet'>{esc(excerpt(p.blocks, 18))}"
            f"</div></div><div style='clear: both;'></div></li>"
            for p in popular
        )
        authors = [a for a in self.cfg.profiles if a in self.labels]
        return f"""<div class='column-right-outer'><div class='column-right-inner'><aside>
<div class='sidebar section' id='sidebar-right-1'>
<div class='widget PopularPosts' data-version='1' id='PopularPosts1'><h2>Popular Posts</h2>
<div class='widget-content popular-posts'><ul>{pop_items}</ul></div></div>
{self._label_widget("Label1", "Labels", self.labels)}
{self._label_widget("Label2", "Articles by author", authors) if authors else ""}
{self._archive_widget()}
<div class='widget Profile' data-version='1' id='Profile1'><h2>Contributors</h2>
<div class='widget-content'><ul>{self._contributors()}</ul></div></div>
<div class='widget HTML' data-version='1' id='HTML1'><h2 class='title'>Share</h2>
<div class='widget-content'><a class='share-button sb-twitter' href='https://twitter.com/intent/tweet?url={quote(b + "/")}'>Tweet this blog</a></div></div>
</div></aside></div></div>"""

    def _label_widget(self, wid: str, title: str, labels: Iterable[str]) -> str:
        b = self.base
        items = "".join(
            f"<li><a dir='ltr' href='{b}{label_path(x)}'>{esc(x)}</a>"
            f"<span dir='ltr'>({sum(x in p.tags for p in self.posts)})</span></li>"
            for x in labels
        )
        return (
            f"<div class='widget Label' data-version='1' id='{wid}'><h2>{esc(title)}</h2>"
            f"<div class='widget-content list-label-widget-content'><ul>{items}</ul></div></div>"
        )

    def _archive_widget(self) -> str:
        b = self.base
        items = "".join(
            f"<li class='archivedate'><a class='post-count-link' href='{b}{m}'>"
            f"{_dt(m[1:5] + '-' + m[6:8] + '-01T00:00:00').strftime('%B %Y')}</a> "
            f"<span class='post-count' dir='ltr'>({sum(p.path.startswith(m) for p in self.posts)})</span></li>"
            for m in self.months
        )
        return (
            "<div class='widget BlogArchive' data-version='1' id='BlogArchive1'><h2>Blog Archive</h2>"
            f"<div class='widget-content'><div id='ArchiveList'><ul class='hierarchy'>{items}</ul>"
            "</div></div></div>"
        )

    def _contributors(self) -> str:
        return "".join(
            f"<li><a class='profile-name-link g-profile' href='https://www.blogger.com/profile/{pid}'"
            f" style='background-image: url(//www.blogger.com/img/logo-16.png);'>{esc(name)}</a></li>"
            for name, pid in self.cfg.profiles.items()
        )

    def _footer(self) -> str:
        return (
            "<footer><div class='footer-outer'><div class='foot section' id='footer-3'>"
            "<div class='widget Attribution' data-version='1' id='Attribution1'>"
            "<div class='widget-content' style='text-align: center;'>Powered by "
            "<a href='https://www.blogger.com' target='_blank'>Blogger</a>.</div></div>"
            "</div></div></footer>"
        )

    # -- posts -----------------------------------------------------------------------------

    def _profile(self, name: str) -> str:
        return f"https://www.blogger.com/profile/{self.cfg.profiles.get(name, '0')}"

    def _author_span(self, name: str, link: bool) -> str:
        if link:
            profile = self._profile(name)
            inner = (
                f"<meta content='{profile}' itemprop='url'/>"
                f"<a class='g-profile' href='{profile}' rel='author' title='author profile'>"
                f"<span itemprop='name'>{esc(name)}</span></a>"
            )
        else:
            inner = f"<span itemprop='name'>{esc(name)}</span>"
        return (
            f"<span class='fn' itemprop='author' itemscope='itemscope' itemtype='{PERSON}'>"
            f"{inner}</span>"
        )

    def _posted_by(self, post: Post, link: bool) -> str:
        names = ", ".join(self._author_span(a, link) for a in post.authors)
        return f"<span class='post-author vcard'>\nPosted by\n{names}\n</span>"

    def _timestamp(self, post: Post, text: str, timeago: bool = False) -> str:
        url = self.base + post.path
        cls = "published timeago" if timeago else "published"
        return (
            f"<span class='post-timestamp'>\nat\n<meta content='{url}' itemprop='url'/>"
            f"<a class='timestamp-link' href='{url}' rel='bookmark' title='permanent link'>"
            f"<abbr class='{cls}' itemprop='datePublished' title='{post.published}'>{esc(text)}</abbr></a>\n</span>"
        )

    def _labels(self, post: Post, word: str = "Labels:") -> str:
        if not post.tags:
            return ""
        links = ",\n".join(
            f"<a href='{self.base}{label_path(t)}' rel='tag'>{esc(t)}</a>" for t in post.tags
        )
        return f"<span class='post-labels'>\n{word}\n{links}\n</span>"

    def _share(self, post: Post) -> str:
        url = quote(self.base + post.path, safe="")
        links = "".join(
            f"<a class='goog-inline-block share-button sb-{i}' href='https://www.blogger.com/share-post.g?"
            f"blogID={self.cfg.blog_id}&amp;postID={post.post_id}&amp;target={i}&amp;u={url}' "
            f"target='_blank' title='{t}'><span class='share-button-link-text'>{t}</span></a>"
            for i, t in enumerate(SHARE_TARGETS)
        )
        return f"<div class='post-share-buttons goog-inline-block'>{links}</div>"

    def _body(self, post: Post, item: bool) -> str:
        para_tag = post.extra.get("para", "p")
        blocks = post.blocks if item or post.shape == "sora" else post.blocks[:2]
        parts = [render_block(b, self.base, para_tag) for b in blocks]
        if post.extra.get("ads") and item:
            parts.insert(1, ADS)
        html = "\n".join(parts)
        if post.shape == "sora":
            sid = f"summary{post.post_id}"
            args = ",".join(
                json.dumps(v)
                for v in (sid, post.title, self.base + post.path, _short_date(post.published), "0")
            )
            html = (
                f"<div id='{sid}'>{html}</div>\n"
                f"<script type='text/javascript'>createSummaryAndThumb({args});</script>"
            )
        elif not item:
            html += (
                f"\n<div class='jump-link'><a href='{self.base}{post.path}#more' "
                f"title='{esc(post.title)}'>Read more »</a></div>"
            )
        itemprop = (
            ""
            if post.shape == "sora"
            else f" itemprop='{post.extra.get('itemprop', 'description articleBody')}'"
        )
        return (
            f"<div class='post-body entry-content' id='post-body-{post.post_id}'{itemprop}>\n"
            f"{html}\n<div style='clear: both;'></div>\n</div>"
        )

    def _snippet(self, post: Post) -> str:
        """A hidden copy of some body blocks outside ``.post-body`` (``extra['dup_snippet']='a:b'``)."""
        start, _, stop = post.extra["dup_snippet"].partition(":")
        blocks = post.blocks[int(start) : int(stop)]
        return (
            "<div class='post-snippet snippet-container' style='display: none;'>"
            f"{render_blocks(blocks, self.base)}</div>"
        )

    def _review(self, post: Post) -> str:
        name = post.authors[0]
        iso = post.published
        when = _time_of_day(iso)
        if post.shape == "review-b2":
            value = post.rating.value if post.rating else 0
            return f"""<div class='hreview'>
<div class='item'><span class='fn'>{esc(post.title)}</span></div>
<div class='review-label'>Reviewed by</div>
<div><span class='reviewer vcard'><span class='fn'>{esc(name)}</span></span></div>
<div class='review-label'>on</div>
<div><abbr class='dtreviewed' title='{iso}'>{when}</abbr></div>
<div class='review-label'>Rating:</div>
<div class='review-stars'><span class='rating'>{value:g}</span> <img src='/img/b/demo/stars-{value:g}.png'/></div>
</div>"""
        if post.extra.get("bare_author"):
            author = f"<span itemprop='author'>{esc(name)}</span>"
        else:
            author = (
                f"<span itemprop='author' itemscope='itemscope' itemtype='{PERSON}'>"
                f"<span itemprop='name'>{esc(name)}</span></span>"
            )
        if post.shape == "review-b1" and post.rating:
            stars = (
                "<span itemprop='reviewRating' itemscope='itemscope' itemtype='http://schema.org/Rating'>"
                f"<meta content='{post.rating.value:g}' itemprop='ratingValue'/></span>"
            )
        else:
            stars = "<img src='/img/b/demo/5-star.png'/>"
        hidden = " style='display: none;'" if post.extra.get("hidden_review") else ""
        return f"""<div class='post-review' itemprop='review' itemscope='itemscope' itemtype='http://schema.org/Review'{hidden}>
<span itemprop='itemReviewed' itemscope='itemscope' itemtype='http://schema.org/Thing'><span class='review-item' itemprop='name'>{esc(post.title)}</span></span>
<div class='review-label'>Reviewed by</div>
<div>{author}</div>
<div class='review-label'>on</div>
<div><abbr class='published' itemprop='datePublished' title='{iso}'>{when}</abbr></div>
<div class='review-label'>Rating:</div>
<div class='review-stars'>{stars}</div>
</div>"""

    def _post(self, post: Post, item: bool) -> str:
        """The ``.post.hentry`` element of a post, full (item page) or truncated (listing)."""
        url = self.base + post.path
        tag = "h1" if item and post.shape not in ("techpro", "sora") else "h3"
        title = esc(post.title) if item else f"<a href='{url}'>{esc(post.title)}</a>"
        microdata = post.shape != "sora"
        scope = (
            " itemprop='blogPost' itemscope='itemscope' itemtype='http://schema.org/BlogPosting'"
            if microdata
            else ""
        )
        extra_cls = " techpro" if post.shape == "techpro" else ""
        parts = [
            f"<div class='post hentry uncustomized-post-template{extra_cls}'{scope}>",
            f"<a name='{post.post_id}'></a>",
        ]
        if microdata:
            parts.append(
                f"<meta content='{self.cfg.blog_id}' itemprop='blogId'/>"
                f"<meta content='{post.post_id}' itemprop='postId'/>"
            )
        name_prop = " itemprop='name'" if microdata else ""
        parts.append(f"<{tag} class='post-title entry-title'{name_prop}>\n{title}\n</{tag}>")
        parts.append(self._post_header(post))
        if item and post.extra.get("dup_snippet"):
            parts.append(self._snippet(post))
        parts.append(self._body(post, item))
        if item and post.shape.startswith("review-"):
            parts.append(self._review(post))
        parts.append(self._post_footer(post, item))
        parts.append("</div>")
        return "\n".join(p for p in parts if p)

    def _post_header(self, post: Post) -> str:
        if post.shape == "techpro":
            return (
                "<div class='post-meta'>"
                f"<span class='post-author vcard'><i class='fa fa-user'></i> "
                f"{''.join(self._author_span(a, False) for a in post.authors)}</span>\n"
                f"<span class='post-timestamp'><i class='fa fa-clock-o'></i> <abbr class='published timeago' "
                f"itemprop='datePublished' title='{post.published}'>"
                f"{_dt(post.published):%B} {_dt(post.published).day}, {_dt(post.published).year}</abbr></span>"
                "</div>"
            )
        if post.shape == "sora":
            return (
                "<div class='post-header'><div class='post-header-line-1'>"
                f"<span class='post-timestamp'><a class='timestamp-link' href='{self.base}{post.path}' "
                f"rel='bookmark' title='permanent link'><abbr class='published' title='{post.published}'>"
                f"{_short_date(post.published)}</abbr></a></span></div></div>"
            )
        return "<div class='post-header'><div class='post-header-line-1'></div></div>"

    def _post_footer(self, post: Post, item: bool) -> str:
        if post.shape == "sora":
            names = "\n".join(f"<span>{esc(a)}</span>" for a in post.authors)
            return (
                f"<div class='post-footer'>\n<span class='post-author'>\nPublicada por\n{names}\n</span>\n"
                f"{self._labels(post, 'Marcadores:')}\n</div>"
            )
        line1: list[str] = []
        if post.shape in ("classic", "ratingpanel", "review-b2"):
            line1 += [
                self._posted_by(post, True),
                self._timestamp(post, _time_of_day(post.published)),
            ]
        elif post.shape == "techpro":
            line1 += [
                self._posted_by(post, False),
                self._timestamp(post, _long_date(post.published), True),
            ]
        line1.append(
            f"<span class='post-comment-link'><a class='comment-link' href='{self.base}{post.path}#comment-form'>{len(post.comments)} comments</a></span>"
        )
        if post.shape == "ratingpanel":
            line1.append(
                "<span class='star-ratings'>\n"
                f"<div g:type='RatingPanel' g:blogid='{self.cfg.blog_id}' g:postid='{post.post_id}' "
                f"g:url='{self.base}{post.path}'></div>\n</span>"
            )
        if item:
            line1.append(self._share(post))
        hidden = " style='display: none;'" if post.shape == "techpro" else ""
        return (
            f"<div class='post-footer'>\n<div class='post-footer-line post-footer-line-1'{hidden}>\n"
            + "\n".join(line1)
            + f"\n</div>\n<div class='post-footer-line post-footer-line-2'>{self._labels(post)}</div>\n"
            "<div class='post-footer-line post-footer-line-3'><span class='post-location'></span></div>\n</div>"
        )

    def _comments(self, post: Post) -> str:
        items = []
        for i, c in enumerate(post.comments):
            cid = f"{post.post_id[-6:]}{i:02d}"
            items.append(
                f"<dt class='comment-author' id='c{cid}'><a name='c{cid}'></a>"
                f"<div class='avatar-image-container vcard'><span dir='ltr'><img src='//resources.blogblog.com/img/blank.gif' width='35' height='35' class='delayLoad'/></span></div>"
                f"<a href='https://www.blogger.com/profile/9{cid}' rel='nofollow'>{esc(c.author)}</a>\nsaid...\n</dt>"
                f"<dd class='comment-body' id='Blog1_cmt-{cid}'><p>{esc(c.text)}</p></dd>"
                f"<dd class='comment-footer'><span class='comment-timestamp'><a href='{self.base}{post.path}#c{cid}' "
                f"title='comment permalink'>{_long_date(c.date)} at {_time_of_day(c.date)}</a></span></dd>"
            )
        return (
            "<div class='comments' id='comments'><a name='comments'></a>"
            f"<h4>{len(post.comments)} comments:</h4><div id='Blog1_comments-block-wrapper'>"
            f"<dl class='avatar-comment-indent' id='comments-block'>{''.join(items)}</dl></div>"
            "<p class='comment-footer'><a href='https://www.blogger.com/comment/fullpage/post/"
            f"{self.cfg.blog_id}/{post.post_id}' onclick=''>Post a Comment</a></p></div>"
        )

    def _related(self, post: Post) -> str:
        others = [p for p in self.posts if p is not post and set(p.tags) & set(post.tags)][:4]
        if not others:
            return ""
        items = "".join(
            f"<li><a href='{self.base}{p.path}'>{esc(p.title)}</a></li>" for p in others
        )
        return f"<div class='related-posts'><h4>Related Posts</h4><ul>{items}</ul></div>"

    def _pager(self, newer: str | None, older: str | None, item: bool) -> str:
        newer_t, older_t = ("Newer Post", "Older Post") if item else ("Newer Posts", "Older Posts")
        parts = ["<div class='blog-pager' id='blog-pager'>"]
        if newer:
            parts.append(
                f"<span id='blog-pager-newer-link'><a class='blog-pager-newer-link' href='{newer}' "
                f"id='Blog1_blog-pager-newer-link' title='{newer_t}'>{newer_t}</a></span>"
            )
        if older:
            parts.append(
                f"<span id='blog-pager-older-link'><a class='blog-pager-older-link' href='{older}' "
                f"id='Blog1_blog-pager-older-link' title='{older_t}'>{older_t}</a></span>"
            )
        parts.append(f"<a class='home-link' href='{self.base}/'>Home</a></div>")
        return "".join(parts)

    def _item_page(self, post: Post, newer: Post | None, older: Post | None) -> str:
        b = self.base
        url = b + post.path
        desc = esc(excerpt(post.blocks, 25))
        head = (
            f"<link href='{url}' rel='canonical'/>\n<meta content='{desc}' name='description'/>\n"
            f"<meta content='{url}' property='og:url'/>\n<meta content='{esc(post.title)}' property='og:title'/>\n"
            f"<meta content='{desc}' property='og:description'/>"
        )
        main = (
            "<div class='blog-posts hfeed'>\n<div class='date-outer'>\n"
            f"<h2 class='date-header'><span>{_long_date(post.published)}</span></h2>\n"
            "<div class='date-posts'>\n<div class='post-outer'>\n"
            f"{self._post(post, True)}\n{self._related(post)}\n{self._comments(post)}\n"
            "</div>\n</div>\n</div>\n</div>\n"
            + self._pager(
                b + newer.path if newer else None, b + older.path if older else None, True
            )
        )
        return self._page(f"{self.cfg.name}: {post.title}", head, main, "loading item-view")

    # -- listings --------------------------------------------------------------------------

    def _listing_main(self, posts: list[Post], status: str) -> str:
        groups: list[str] = []
        day = ""
        for post in posts:
            header = ""
            if post.published[:10] != day:
                day = post.published[:10]
                if groups:
                    groups.append("</div></div>")
                header = (
                    f"<div class='date-outer'><h2 class='date-header'><span>{_long_date(post.published)}"
                    "</span></h2><div class='date-posts'>"
                )
            groups.append(f"{header}<div class='post-outer'>{self._post(post, False)}</div>")
        if groups:
            groups.append("</div></div>")
        return f"{status}<div class='blog-posts hfeed'>\n" + "\n".join(groups) + "\n</div>"

    def _listings(
        self, path: str, prefix: str, posts: list[Post], per_page: int, label: str | None
    ) -> Site:
        """A paginated listing: first page at ``path``, older pages via ``?updated-max=``."""
        b = self.base
        chunks = [posts[i : i + per_page] for i in range(0, len(posts), per_page)] or [[]]
        paths = [path] + [
            f"{prefix or '/search'}?{_older_query(chunks[k - 1][-1].published, per_page)}"
            for k in range(1, len(chunks))
        ]
        status = ""
        if label is not None:
            status = (
                "<div class='status-msg-wrap'><div class='status-msg-body'>Showing posts with the label "
                f"<b>{esc(label)}</b>. <a href='{b}/'>Show all posts</a></div></div>"
            )
        site: Site = {}
        for k, chunk in enumerate(chunks):
            newer = b + paths[k - 1] if k > 0 else None
            older = b + paths[k + 1] if k + 1 < len(chunks) else None
            main = self._listing_main(chunk, status) + self._pager(newer, older, False)
            title = self.cfg.name if label is None else f"{self.cfg.name}: {label}"
            head = f"<link href='{b}{path}' rel='canonical'/>" if k == 0 else ""
            body_class = "loading" if label is None and k == 0 else "loading feed-view"
            site[paths[k]] = text_resource(self._page(title, head, main, body_class))
        return site

    def _archive_page(self, month: str) -> Resource:
        posts = [p for p in self.posts if p.path.startswith(month)]
        main = self._listing_main(posts, "") + self._pager(None, None, False)
        head = f"<link href='{self.base}{month}' rel='canonical'/>"
        return text_resource(
            self._page(f"{self.cfg.name}: {month[1:-1]}", head, main, "loading archive-view")
        )

    def _static_page(self) -> str:
        b = self.base
        main = (
            "<div class='blog-posts hfeed'><div class='post-outer'><div class='post hentry'>"
            "<h3 class='post-title entry-title'>About</h3>"
            "<div class='post-body entry-content' id='post-body-about'>"
            f"{render_blocks(self.cfg.about, b)}</div></div></div></div>"
        )
        head = f"<link href='{b}/p/about.html' rel='canonical'/>"
        return self._page(f"{self.cfg.name}: About", head, main, "loading static-page-view")

    # -- feeds, sitemaps, robots --------------------------------------------------------------

    def _entry(self, post: Post) -> str:
        b = self.base
        url = b + post.path
        cats = "".join(
            f"<category scheme='http://www.blogger.com/atom/ns#' term='{esc(t)}'/>"
            for t in post.tags
        )
        authors = "".join(
            f"<author><name>{esc(a)}</name>"
            + (f"<uri>{self._profile(a)}</uri>" if post.shape != "sora" else "")
            + "<email>noreply@blogger.com</email><gd:image rel='http://schemas.google.com/g/2005#thumbnail' "
            "width='16' height='16' src='https://img1.blogblog.com/img/b16-rounded.gif'/></author>"
            for a in post.authors
        )
        content = esc(render_blocks(post.blocks, b))
        return (
            f"<entry><id>tag:blogger.com,1999:blog-{self.cfg.blog_id}.post-{post.post_id}</id>"
            f"<published>{post.published}</published><updated>{post.modified}</updated>{cats}"
            f"<title type='text'>{esc(post.title)}</title><content type='html'>{content}</content>"
            f"<link rel='replies' type='text/html' href='{url}#comment-form' title='{len(post.comments)} Comments'/>"
            f"<link rel='alternate' type='text/html' href='{url}' title='{esc(post.title)}'/>"
            f"{authors}<thr:total>{len(post.comments)}</thr:total></entry>"
        )

    def _feeds(self) -> Site:
        b, cfg, n = self.base, self.cfg, self.cfg.feed_per_page
        total = len(self.posts)
        site: Site = {}
        updated = max((p.modified for p in self.posts), default="2000-01-01T00:00:00Z")
        for start in range(1, max(total, 1) + 1, n):
            path = "/feeds/posts/default" + (
                f"?start-index={start}&max-results={n}" if start > 1 else ""
            )
            links = [
                f"<link rel='http://schemas.google.com/g/2005#feed' type='application/atom+xml' href='{b}/feeds/posts/default'/>",
                f"<link rel='self' type='application/atom+xml' href='{esc(b + path)}'/>",
                f"<link rel='alternate' type='text/html' href='{b}/'/>",
                "<link rel='hub' href='http://pubsubhubbub.appspot.com/'/>",
            ]
            if start > 1:
                prev = max(1, start - n)
                links.append(
                    f"<link rel='previous' type='application/atom+xml' href='{b}/feeds/posts/default"
                    f"?start-index={prev}&amp;max-results={n}'/>"
                )
            if start + n <= total:
                links.append(
                    f"<link rel='next' type='application/atom+xml' href='{b}/feeds/posts/default"
                    f"?start-index={start + n}&amp;max-results={n}'/>"
                )
            entries = "".join(self._entry(p) for p in self.posts[start - 1 : start - 1 + n])
            cats = "".join(f"<category term='{esc(t)}'/>" for t in self.labels)
            body = (
                "<?xml version='1.0' encoding='UTF-8'?>"
                '<?xml-stylesheet href="http://www.blogger.com/styles/atom.css" type="text/css"?>'
                "<feed xmlns='http://www.w3.org/2005/Atom' xmlns:openSearch='http://a9.com/-/spec/opensearchrss/1.0/' "
                "xmlns:blogger='http://schemas.google.com/blogger/2008' xmlns:georss='http://www.georss.org/georss' "
                "xmlns:gd=\"http://schemas.google.com/g/2005\" xmlns:thr='http://purl.org/syndication/thread/1.0'>"
                f"<id>tag:blogger.com,1999:blog-{cfg.blog_id}</id><updated>{updated}</updated>{cats}"
                f"<title type='text'>{esc(cfg.name)}</title><subtitle type='html'>{esc(cfg.tagline)}</subtitle>"
                + "".join(links)
                + f"<author><name>{esc(next(iter(cfg.profiles)))}</name><email>noreply@blogger.com</email></author>"
                "<generator version='7.00' uri='http://www.blogger.com'>Blogger</generator>"
                f"<openSearch:totalResults>{total}</openSearch:totalResults>"
                f"<openSearch:startIndex>{start}</openSearch:startIndex>"
                f"<openSearch:itemsPerPage>{n}</openSearch:itemsPerPage>{entries}</feed>"
            )
            site[path] = text_resource(body, ATOM_TYPE)
        return site

    def _sitemaps(self) -> Site:
        b, n = self.base, self.cfg.sitemap_per_page
        pages = [self.posts[i : i + n] for i in range(0, len(self.posts), n)]
        index = "".join(
            f"<sitemap><loc>{b}/sitemap.xml?page={k + 1}</loc></sitemap>" for k in range(len(pages))
        )
        site: Site = {
            "/sitemap.xml": text_resource(
                "<?xml version='1.0' encoding='UTF-8'?>"
                f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{index}</sitemapindex>',
                XML_TYPE,
            )
        }
        for k, chunk in enumerate(pages):
            urls = "".join(
                f"<url><loc>{b}{p.path}</loc><lastmod>{p.modified}</lastmod></url>" for p in chunk
            )
            site[f"/sitemap.xml?page={k + 1}"] = text_resource(_urlset(urls), XML_TYPE)
        lastmod = max((p.modified for p in self.posts), default="")
        site["/sitemap-pages.xml"] = text_resource(
            _urlset(f"<url><loc>{b}/p/about.html</loc><lastmod>{lastmod}</lastmod></url>"), XML_TYPE
        )
        return site

    def _robots(self) -> str:
        b = self.base
        return (
            "User-agent: Mediapartners-Google\nDisallow: \n\n"
            "User-agent: *\nDisallow: /search?q=\nAllow: /\n\n"
            f"Sitemap: {b}/sitemap.xml\nSitemap: {b}/sitemap-pages.xml\n"
        )


def _urlset(urls: str) -> str:
    return (
        "<?xml version='1.0' encoding='UTF-8'?>"
        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'
    )
