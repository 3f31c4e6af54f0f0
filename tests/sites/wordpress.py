"""Render a WordPress-style blog (markup.md §3) into served resources.

Post page shapes (``Post.shape``):

* ``underscores`` — §3.1 ``_s`` byline, ``time.published`` + ``time.updated``;
* ``avatar`` — §3.1 pitfall: ``a.url.fn.n[title="View all posts by NAME"]`` holding only an avatar;
* ``yoast-yasr`` — §3.2 linuxbabe-like: Yoast ``@graph`` with an ``@id`` author reference,
  ``div.thn_post_wrap`` body with the YASR visitor widget inside;
* ``wp-review-star`` / ``wp-review-point`` — §3.6.1 WP Review box + JSON-LD Review
  (point type adds a lower-case ``aggregateRating`` of visitors);
* ``kk`` — §3.6.2 kk Star Ratings legend + CreativeWorkSeries JSON-LD (string values).

``Post.extra``: ``ncats`` (how many of ``tags`` are categories), ``share`` (Jetpack share block
inside ``.entry-content``), ``review_author``, ``review_item``.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from crawler.demo.server import Resource, Site
from tests.sites.model import (
    HTML_TYPE,
    Block,
    Post,
    esc,
    excerpt,
    render_blocks,
    slugify,
    text_resource,
)

RSS_TYPE = "application/rss+xml; charset=UTF-8"
XML_TYPE = "application/xml; charset=UTF-8"
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"


@dataclass(frozen=True, kw_only=True)
class WordPressConfig:
    """Blog-wide settings of a WordPress-style demo blog."""

    name: str
    tagline: str
    about: tuple[Block, ...]
    per_page: int = 10
    feed_items: int = 10
    language: str = "en-US"
    version: str = "6.4.3"
    twitter: str = "@stacklantern"


def _dt(iso: str) -> datetime:
    return datetime.fromisoformat(iso)


def _human(iso: str) -> str:
    d = _dt(iso)
    return f"{d:%B} {d.day}, {d.year}"


def _ordinal_date(iso: str) -> str:
    d = _dt(iso)
    suffix = "th" if 11 <= d.day <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(d.day % 10, "th")
    return f"{d:%B} {d.day}{suffix}, {d.year}"


def _rfc822(iso: str) -> str:
    return _dt(iso).strftime("%a, %d %b %Y %H:%M:%S %z")


def author_path(name: str) -> str:
    return f"/author/{slugify(name)}/"


def _ld(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False).replace("</", "<\\/")


def _avatar(name: str, size: int) -> str:
    digest = hashlib.md5(name.encode(), usedforsecurity=False).hexdigest()
    return (
        f"<img alt='' src='https://secure.gravatar.com/avatar/{digest}?s={size}&#038;d=mm&#038;r=g' "
        f"class='avatar avatar-{size} photo' height='{size}' width='{size}' loading='lazy' decoding='async'/>"
    )


class WordPressSite:
    """Builds every page, feed and sitemap of one WordPress-style blog for a base URL."""

    def __init__(self, config: WordPressConfig, posts: list[Post]) -> None:
        self.cfg = config
        self.posts = sorted(posts, key=lambda p: _dt(p.published), reverse=True)
        self.base = ""
        self.categories = list(dict.fromkeys(c for p in self.posts for c in self.cats(p)))
        self.tag_names = list(dict.fromkeys(t for p in self.posts for t in self.plain_tags(p)))
        self.authors = list(dict.fromkeys(a for p in self.posts for a in p.authors))
        self.months = list(dict.fromkeys(p.path[:9] for p in self.posts))

    @staticmethod
    def cats(post: Post) -> tuple[str, ...]:
        return post.tags[: int(post.extra.get("ncats", "1"))]

    @staticmethod
    def plain_tags(post: Post) -> tuple[str, ...]:
        return post.tags[int(post.extra.get("ncats", "1")) :]

    # -- public ----------------------------------------------------------------------------

    def build(self, base: str) -> Site:
        """All resources with absolute links under ``base`` (no trailing slash)."""
        self.base = base
        site: Site = {}
        site.update(self._archive("/", self.posts, "home blog", None, nav="posts"))
        for c in self.categories:
            posts = [p for p in self.posts if c in self.cats(p)]
            title = f"Category: <span>{esc(c)}</span>"
            site.update(
                self._archive(
                    f"/category/{slugify(c)}/",
                    posts,
                    f"archive category category-{slugify(c)}",
                    title,
                )
            )
        for t in self.tag_names:
            posts = [p for p in self.posts if t in self.plain_tags(p)]
            title = f"Tag: <span>{esc(t)}</span>"
            site.update(
                self._archive(f"/tag/{slugify(t)}/", posts, f"archive tag tag-{slugify(t)}", title)
            )
        for a in self.authors:
            posts = [p for p in self.posts if a in p.authors]
            title = f'Author: <span class="vcard">{esc(a)}</span>'
            site.update(
                self._archive(author_path(a), posts, f"archive author author-{slugify(a)}", title)
            )
        for m in self.months:
            posts = [p for p in self.posts if p.path.startswith(m)]
            title = f"Month: <span>{_dt(m[1:5] + '-' + m[6:8] + '-01T00:00:00'):%B %Y}</span>"
            site.update(self._archive(m, posts, "archive date", title))
        for i, post in enumerate(self.posts):
            newer = self.posts[i - 1] if i > 0 else None
            older = self.posts[i + 1] if i + 1 < len(self.posts) else None
            site[post.path] = text_resource(self._single(post, newer, older))
            site[f"/?p={post.post_id}"] = Resource(
                b"", HTML_TYPE, 301, {"Location": self.base + post.path}
            )
        site["/about/"] = text_resource(self._about())
        site["/feed/"] = text_resource(self._rss(), RSS_TYPE)
        site.update(self._sitemaps())
        site["/robots.txt"] = text_resource(
            "User-agent: *\nDisallow: /wp-admin/\nAllow: /wp-admin/admin-ajax.php\n\n"
            f"Sitemap: {base}/wp-sitemap.xml\n",
            "text/plain; charset=UTF-8",
        )
        return site

    def non_posts(self) -> list[str]:
        """Paths of every 200 HTML page that is not a post."""
        site = self.build("http://127.0.0.1")
        posts = {p.path for p in self.posts}
        return [
            k
            for k, v in site.items()
            if v.content_type == HTML_TYPE and v.status == 200 and k not in posts
        ]

    # -- frame -----------------------------------------------------------------------------

    def _page(self, title: str, head: str, main: str, body_class: str, home: bool = False) -> str:
        b, cfg = self.base, self.cfg
        site_title = (
            f'<h1 class="site-title"><a href="{b}/" rel="home">{esc(cfg.name)}</a></h1>'
            if home
            else f'<p class="site-title"><a href="{b}/" rel="home">{esc(cfg.name)}</a></p>'
        )
        menu = "".join(
            f'<li class="menu-item menu-item-type-taxonomy menu-item-object-category">'
            f'<a href="{b}/category/{slugify(c)}/">{esc(c)}</a></li>'
            for c in self.categories[:4]
        )
        return f"""<!doctype html>
<html lang="{cfg.language}">
<head>
<meta charset="UTF-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="profile" href="https://gmpg.org/xfn/11">
<title>{title}</title>
<meta name='robots' content='max-image-preview:large' />
<link rel="alternate" type="application/rss+xml" title="{esc(cfg.name)} &raquo; Feed" href="{b}/feed/" />
{head}
<meta name="generator" content="WordPress {cfg.version}" />
<style id='underscores-style-inline-css'>.screen-reader-text{{clip:rect(1px,1px,1px,1px);position:absolute!important;}}</style>
</head>
<body class="{body_class} hfeed wp-embed-responsive">
<div id="page" class="site">
<a class="skip-link screen-reader-text" href="#primary">Skip to content</a>
<header id="masthead" class="site-header">
<div class="site-branding">{site_title}<p class="site-description">{esc(cfg.tagline)}</p></div>
<nav id="site-navigation" class="main-navigation"><button class="menu-toggle" aria-controls="primary-menu" aria-expanded="false">Primary Menu</button>
<div class="menu-primary-container"><ul id="primary-menu" class="menu"><li class="menu-item menu-item-home"><a href="{b}/">Home</a></li><li class="menu-item menu-item-type-post_type menu-item-object-page"><a href="{b}/about/">About</a></li>{menu}</ul></div></nav>
</header>
<main id="primary" class="site-main">
{main}
</main>
{self._sidebar()}
<footer id="colophon" class="site-footer"><div class="site-info"><a href="https://wordpress.org/">Proudly powered by WordPress</a><span class="sep"> | </span>Theme: underscores by <a href="https://underscores.me/">Underscores.me</a>.</div></footer>
</div>
</body>
</html>
"""

    def _sidebar(self) -> str:
        b = self.base
        recent = "".join(
            f'<li><a href="{b}{p.path}">{esc(p.title)}</a></li>' for p in self.posts[:5]
        )
        comments = [(p, c) for p in self.posts for c in p.comments][:5]
        recent_c = "".join(
            f'<li class="recentcomments"><span class="comment-author-link">{esc(c.author)}</span> on '
            f'<a href="{b}{p.path}#comments">{esc(p.title)}</a></li>'
            for p, c in comments
        )
        months = "".join(
            f"<li><a href='{b}{m}'>{_dt(m[1:5] + '-' + m[6:8] + '-01T00:00:00'):%B %Y}</a></li>"
            for m in self.months
        )
        cats = "".join(
            f'<li class="cat-item cat-item-{i + 2}"><a href="{b}/category/{slugify(c)}/">{esc(c)}</a></li>'
            for i, c in enumerate(self.categories)
        )
        cloud = "".join(
            f'<a href="{b}/tag/{slugify(t)}/" class="tag-cloud-link tag-link-{i + 20} tag-link-position-{i + 1}" '
            f'style="font-size: 8pt;" aria-label="{esc(t)} ({sum(t in p.tags for p in self.posts)} items)">{esc(t)}</a>'
            for i, t in enumerate(self.tag_names)
        )
        return f"""<aside id="secondary" class="widget-area">
<section id="search-2" class="widget widget_search"><form role="search" method="get" class="search-form" action="{b}/"><label><span class="screen-reader-text">Search for:</span><input type="search" class="search-field" placeholder="Search &hellip;" value="" name="s" /></label><input type="submit" class="search-submit" value="Search" /></form></section>
<section id="recent-posts-2" class="widget widget_recent_entries"><h2 class="widget-title">Recent Posts</h2><ul>{recent}</ul></section>
<section id="recent-comments-2" class="widget widget_recent_comments"><h2 class="widget-title">Recent Comments</h2><ul id="recentcomments">{recent_c}</ul></section>
<section id="archives-2" class="widget widget_archive"><h2 class="widget-title">Archives</h2><ul>{months}</ul></section>
<section id="categories-2" class="widget widget_categories"><h2 class="widget-title">Categories</h2><ul>{cats}</ul></section>
<section id="tag_cloud-2" class="widget widget_tag_cloud"><h2 class="widget-title">Tags</h2><div class="tagcloud">{cloud}</div></section>
</aside>"""

    # -- post pieces -----------------------------------------------------------------------

    def _posted_on(self, post: Post) -> str:
        url = self.base + post.path
        updated = post.updated or post.published
        return (
            f'<span class="posted-on">Posted on <a href="{url}" rel="bookmark">'
            f'<time class="entry-date published" datetime="{post.published}">{_human(post.published)}</time>'
            f'<time class="updated" datetime="{updated}">{_human(updated)}</time></a></span>'
        )

    def _byline(self, post: Post, avatar: bool = False) -> str:
        links = []
        for a in post.authors:
            href = self.base + author_path(a)
            if avatar:
                links.append(
                    f'<span class="author vcard"><a class="url fn n" href="{href}" '
                    f'title="View all posts by {esc(a)}" rel="author">{_avatar(a, 40)}</a></span>'
                )
            else:
                links.append(
                    f'<span class="author vcard"><a class="url fn n" href="{href}">{esc(a)}</a></span>'
                )
        return f'<span class="byline"> by {", ".join(links)}</span>'

    def _term_links(self, post: Post) -> tuple[str, str]:
        b = self.base
        cats = ", ".join(
            f'<a href="{b}/category/{slugify(c)}/" rel="category tag">{esc(c)}</a>'
            for c in self.cats(post)
        )
        tags = ", ".join(
            f'<a href="{b}/tag/{slugify(t)}/" rel="tag">{esc(t)}</a>' for t in self.plain_tags(post)
        )
        return cats, tags

    def _entry_footer(self, post: Post) -> str:
        cats, tags = self._term_links(post)
        parts = ['<footer class="entry-footer">']
        if cats:
            parts.append(f'<span class="cat-links">Posted in {cats}</span>')
        if tags:
            parts.append(f'<span class="tags-links">Tagged {tags}</span>')
        parts.append(
            f'<span class="comments-link"><a href="{self.base}{post.path}#comments">{len(post.comments)} Comments'
            f'<span class="screen-reader-text"> on {esc(post.title)}</span></a></span></footer>'
        )
        return "".join(parts)

    def _article_class(self, post: Post) -> str:
        terms = [f"category-{slugify(c)}" for c in self.cats(post)]
        terms += [f"tag-{slugify(t)}" for t in self.plain_tags(post)]
        return f"post-{post.post_id} post type-post status-publish format-standard hentry {' '.join(terms)}"

    def _kk(self, post: Post) -> str:
        r = post.rating
        assert r is not None
        width = round(r.value * 24 + 4 * int(r.value), 1)
        star = '<div class="kksr-star" style="padding-right: 4px"><div class="kksr-icon" style="width: 24px; height: 24px;"></div></div>'
        return f"""<div style="display: none;" class="kk-star-ratings kksr-auto kksr-align-left kksr-valign-top" data-payload='{{"align":"left","id":"{post.post_id}","slug":"default","valign":"top","reference":"auto","count":"{r.count}","readonly":"","score":"{r.value:g}","best":"5","gap":"4","greet":"Rate this post","legend":"{r.value:g}\\/5 - ({r.count} votes)","size":"24","width":"{width}","_legend":"{{score}}\\/{{best}} - ({{count}} {{votes}})","font_factor":"1.25"}}'>
<div class="kksr-stars"><div class="kksr-stars-inactive">{star * 5}</div><div class="kksr-stars-active" style="width: {width}px;">{star * 5}</div></div>
<div class="kksr-legend" style="font-size: 19.2px;"><strong class="kksr-score">{r.value:g}</strong><span class="kksr-muted">/</span><strong>5</strong><span class="kksr-muted">(</span><strong class="kksr-count">{r.count}</strong><span class="kksr-muted">votes</span><span class="kksr-muted">)</span></div>
</div>"""

    def _kk_ld(self, post: Post) -> str:
        r = post.rating
        assert r is not None
        data = {
            "@context": "https://schema.org/",
            "@type": "CreativeWorkSeries",
            "name": post.title,
            "aggregateRating": {
                "@type": "AggregateRating",
                "ratingValue": f"{r.value:g}",
                "bestRating": "5",
                "ratingCount": str(r.count),
            },
        }
        return f'<script type="application/ld+json">{_ld(data)}</script>'

    def _wp_review(self, post: Post) -> str:
        r = post.rating
        assert r is not None
        point = post.shape == "wp-review-point"
        pct = round(r.value * (10 if point else 20))
        icons = '<i class="mts-icon-star"></i>' * 5
        kind = "point" if point else "star"
        total = f"{r.value:g}/10" if point else f"{r.value:g}"
        item = post.extra.get("review_item", post.title)
        rows = []
        for crit in ("Performance", "Build quality", "Value for money"):
            if point:
                bar = (
                    f'<div class="review-point"><div class="review-result-wrapper">'
                    f'<div class="review-result" style="width:{pct}%; background-color:#1e73be;"></div></div>'
                    f'<div class="review-result-text">{total}</div></div>'
                )
            else:
                bar = (
                    f'<div class="review-star"><div class="review-result-wrapper">{icons}'
                    f'<div class="review-result" style="width:{pct}%; color:#1e73be;">{icons}</div></div></div>'
                )
            rows.append(f"<li><span>{crit}</span>{bar}</li>")
        summary = f"A {'solid' if r.value / r.best >= 0.8 else 'mixed'} result for the {item}."
        review_ld = {
            "@context": "http://schema.org",
            "@type": "Review",
            "itemReviewed": {"@type": "Thing", "name": item},
            "reviewRating": {
                "@type": "Rating",
                "ratingValue": r.value,
                "bestRating": int(r.best),
                "worstRating": 0,
            },
            "author": {"@type": "Person", "name": post.extra.get("review_author", post.authors[0])},
            "reviewBody": summary,
        }
        scripts = f'<script type="application/ld+json">{_ld(review_ld)}</script>'
        if point:
            users = {
                "@context": "http://schema.org",
                "@type": "Product",
                "name": item,
                "aggregateRating": {
                    "@type": "aggregateRating",
                    "ratingValue": 7.2,
                    "bestRating": 10,
                    "worstRating": 0,
                    "ratingCount": 3,
                },
            }
            scripts += f'<script type="application/ld+json">{_ld(users)}</script>'
        return f"""<div id="review" class="review-wrapper wp-review-{post.post_id} wp-review-{kind}-type wp-review-default-template">
<div class="review-heading"><h5 class="review-title">Review Overview</h5></div>
<ul class="review-list">{"".join(rows)}</ul>
<div class="review-desc"><p class="review-summary-title"><strong>Summary</strong></p><p>{esc(summary)}</p></div>
<div class="review-total-wrapper"><span class="review-total-box">{total}</span></div>
</div>
{scripts}"""

    def _share(self, post: Post) -> str:
        url = esc(self.base + post.path)
        return (
            '<div class="sharedaddy sd-sharing-enabled"><div class="robots-nocontent sd-block sd-social '
            'sd-social-icon-text sd-sharing"><h3 class="sd-title">Share this:</h3><div class="sd-content"><ul>'
            f'<li class="share-twitter"><a rel="nofollow noopener noreferrer" class="share-twitter sd-button share-icon" '
            f'href="https://twitter.com/intent/tweet?url={url}" target="_blank" title="Click to share on X"><span>X</span></a></li>'
            f'<li class="share-facebook"><a rel="nofollow noopener noreferrer" class="share-facebook sd-button share-icon" '
            f'href="https://www.facebook.com/sharer.php?u={url}" target="_blank" title="Click to share on Facebook"><span>Facebook</span></a></li>'
            '<li class="share-end"></li></ul></div></div></div>'
        )

    def _content(self, post: Post) -> str:
        parts = []
        if post.shape == "kk":
            parts.append(self._kk(post))
        parts.append(render_blocks(post.blocks, self.base))
        if post.shape.startswith("wp-review"):
            parts.append(self._wp_review(post))
        if post.extra.get("share"):
            parts.append(self._share(post))
        return "\n".join(parts)

    def _yasr(self, post: Post) -> str:
        r = post.rating
        assert r is not None
        pid = post.post_id
        uid = hashlib.md5(post.path.encode(), usedforsecurity=False).hexdigest()[:13]
        return f"""<div class="yasr-custom-text-vv-before yasr-custom-text-vv-before-{pid}">Rate this tutorial</div>
<div id='yasr_visitor_votes_{uid}' class='yasr-visitor-votes'><div id='yasr-vv-second-row-container-{uid}' class='yasr-vv-second-row-container'><div id='yasr-visitor-votes-rater-{uid}' class='yasr-rater-stars-vv' data-rater-postid='{pid}' data-rating='{r.value:g}' data-rater-starsize='24' data-rater-readonly='false' data-rater-nonce='0a1b2c3d4e' data-issingular='true'></div><div class="yasr-vv-stats-text-container" id="yasr-vv-stats-text-container-{uid}"><span id="yasr-vv-text-container-{uid}" class="yasr-vv-text-container">[Total: <span id="yasr-vv-votes-number-container-{uid}">{r.count}</span>  Average: <span id="yasr-vv-average-container-{uid}">{r.value:g}</span>]</span></div></div></div>"""

    def _yoast_head(self, post: Post) -> str:
        b, cfg = self.base, self.cfg
        url = b + post.path
        author = post.authors[0]
        person_id = (
            f"{b}/#/schema/person/{hashlib.md5(author.encode(), usedforsecurity=False).hexdigest()}"
        )
        graph = {
            "@context": "https://schema.org",
            "@graph": [
                {
                    "@type": "Article",
                    "@id": f"{url}#article",
                    "isPartOf": {"@id": url},
                    "author": {"@id": person_id},
                    "headline": post.title,
                    "datePublished": post.published,
                    "dateModified": post.updated,
                    "mainEntityOfPage": {"@id": url},
                    "commentCount": len(post.comments),
                    "publisher": {"@id": f"{b}/#organization"},
                    "keywords": list(self.plain_tags(post)),
                    "articleSection": list(self.cats(post)),
                    "inLanguage": cfg.language,
                },
                {
                    "@type": "WebPage",
                    "@id": url,
                    "url": url,
                    "name": f"{post.title} - {cfg.name}",
                    "isPartOf": {"@id": f"{b}/#website"},
                    "datePublished": post.published,
                    "dateModified": post.updated,
                    "author": {"@id": person_id},
                    "breadcrumb": {"@id": f"{url}#breadcrumb"},
                    "inLanguage": cfg.language,
                },
                {
                    "@type": "BreadcrumbList",
                    "@id": f"{url}#breadcrumb",
                    "itemListElement": [
                        {"@type": "ListItem", "position": 1, "name": "Home", "item": f"{b}/"},
                        {"@type": "ListItem", "position": 2, "name": post.title},
                    ],
                },
                {
                    "@type": "WebSite",
                    "@id": f"{b}/#website",
                    "url": f"{b}/",
                    "name": cfg.name,
                    "publisher": {"@id": f"{b}/#organization"},
                    "inLanguage": cfg.language,
                },
                {
                    "@type": "Organization",
                    "@id": f"{b}/#organization",
                    "name": cfg.name,
                    "url": f"{b}/",
                },
                {
                    "@type": "Person",
                    "@id": person_id,
                    "name": author,
                    "url": b + author_path(author),
                    "sameAs": [f"https://twitter.com/{cfg.twitter[1:]}"],
                },
            ],
        }
        desc = esc(excerpt(post.blocks, 25))
        return f"""<meta name="description" content="{desc}" />
<meta property="og:locale" content="en_US" />
<meta property="og:type" content="article" />
<meta property="og:title" content="{esc(post.title)}" />
<meta property="og:description" content="{desc}" />
<meta property="og:url" content="{url}" />
<meta property="og:site_name" content="{esc(cfg.name)}" />
<meta property="article:publisher" content="https://www.facebook.com/{cfg.twitter[1:]}" />
<meta property="article:published_time" content="{post.published}" />
<meta property="article:modified_time" content="{post.updated}" />
<meta name="author" content="{esc(author)}" />
<meta name="twitter:card" content="summary_large_image" />
<meta name="twitter:creator" content="{cfg.twitter}" />
<meta name="twitter:site" content="{cfg.twitter}" />
<meta name="twitter:label1" content="Written by" />
<meta name="twitter:data1" content="{esc(author)}" />
<meta name="twitter:label2" content="Est. reading time" />
<meta name="twitter:data2" content="{max(1, len(excerpt(post.blocks, 10**6).split()) // 200)} minutes" />
<script type="application/ld+json" class="yoast-schema-graph">{_ld(graph)}</script>"""

    def _yoast_article(self, post: Post) -> str:
        b = self.base
        cats, tags = self._term_links(post)
        names = "".join(
            f"<a class='vcard author post-author' href=\"{b}{author_path(a)}\"><span class='fn author'>{esc(a)}</span></a>"
            for a in post.authors
        )
        return f"""<div class="single_wrap"><div class="single_post">
<div class="{self._article_class(post)}" id="post-{post.post_id}">
<div class="post_content">
<h1 class="postitle entry-title">{esc(post.title)}</h1>
<div class="single_metainfo"><a class="comm_date post-date updated">Last Updated: {_ordinal_date(post.updated or post.published)}</a>{names}<a class="meta_comm" href="{b}{post.path}#commentsbox">{len(post.comments)} Comments</a><div class="catag_list">{cats}</div></div>
<div class="thn_post_wrap">
{render_blocks(post.blocks, b)}
{self._yasr(post)}
</div>
<div class="post_foot"><div class="post_meta"><div class="post_tag"><div class="tag_list">{tags}</div></div></div></div>
</div></div></div></div>"""

    def _article(self, post: Post) -> str:
        if post.shape == "yoast-yasr":
            return self._yoast_article(post)
        return f"""<article id="post-{post.post_id}" class="{self._article_class(post)}">
<header class="entry-header">
<h1 class="entry-title">{esc(post.title)}</h1>
<div class="entry-meta">
{self._posted_on(post)}{self._byline(post, avatar=post.shape == "avatar")}
</div>
</header>
<div class="entry-content">
{self._content(post)}
</div>
{self._entry_footer(post)}
</article>"""

    def _comments(self, post: Post) -> str:
        b = self.base
        items = []
        for i, c in enumerate(post.comments):
            cid = int(post.post_id) * 10 + i
            items.append(
                f'<li id="comment-{cid}" class="comment {"even" if i % 2 == 0 else "odd"} thread-even depth-1">'
                f'<article id="div-comment-{cid}" class="comment-body"><footer class="comment-meta">'
                f'<div class="comment-author vcard">{_avatar(c.author, 32)}<b class="fn">{esc(c.author)}</b> '
                f'<span class="says">says:</span></div><div class="comment-metadata"><a href="{b}{post.path}#comment-{cid}">'
                f'<time datetime="{c.date}">{_human(c.date)} at {_dt(c.date):%H:%M}</time></a></div></footer>'
                f'<div class="comment-content"><p>{esc(c.text)}</p></div></article></li>'
            )
        head = ""
        if post.comments:
            head = (
                f'<h2 class="comments-title">{len(post.comments)} thoughts on &ldquo;<span>{esc(post.title)}</span>&rdquo;</h2>'
                f'<ol class="comment-list">{"".join(items)}</ol>'
            )
        return (
            f'<div id="comments" class="comments-area">{head}<div id="respond" class="comment-respond">'
            '<h3 id="reply-title" class="comment-reply-title">Leave a Reply</h3>'
            f'<form action="{b}/wp-comments-post.php" method="post" id="commentform" class="comment-form">'
            '<p class="comment-notes">Your email address will not be published.</p>'
            '<p class="comment-form-comment"><label for="comment">Comment</label><textarea id="comment" name="comment"></textarea></p>'
            '<p class="form-submit"><input name="submit" type="submit" id="submit" class="submit" value="Post Comment" /></p>'
            "</form></div></div>"
        )

    def _post_nav(self, newer: Post | None, older: Post | None) -> str:
        b = self.base
        parts = [
            '<nav class="navigation post-navigation" aria-label="Posts"><h2 class="screen-reader-text">Post navigation</h2><div class="nav-links">'
        ]
        if older:
            parts.append(
                f'<div class="nav-previous"><a href="{b}{older.path}" rel="prev"><span class="nav-subtitle">Previous:</span> '
                f'<span class="nav-title">{esc(older.title)}</span></a></div>'
            )
        if newer:
            parts.append(
                f'<div class="nav-next"><a href="{b}{newer.path}" rel="next"><span class="nav-subtitle">Next:</span> '
                f'<span class="nav-title">{esc(newer.title)}</span></a></div>'
            )
        parts.append("</div></nav>")
        return "".join(parts)

    def _single(self, post: Post, newer: Post | None, older: Post | None) -> str:
        b = self.base
        head = f"<link rel=\"canonical\" href=\"{b}{post.path}\" />\n<link rel='shortlink' href='{b}/?p={post.post_id}' />"
        if post.shape == "yoast-yasr":
            head += "\n" + self._yoast_head(post)
        if post.shape == "kk":
            head += "\n" + self._kk_ld(post)
        main = f"{self._article(post)}\n{self._post_nav(newer, older)}\n{self._comments(post)}"
        body_class = (
            f"post-template-default single single-post postid-{post.post_id} single-format-standard"
        )
        return self._page(f"{esc(post.title)} &#8211; {esc(self.cfg.name)}", head, main, body_class)

    # -- listings --------------------------------------------------------------------------

    def _summary(self, post: Post) -> str:
        url = self.base + post.path
        _cats, _tags = self._term_links(post)
        return f"""<article id="post-{post.post_id}" class="{self._article_class(post)}">
<header class="entry-header"><h2 class="entry-title"><a href="{url}" rel="bookmark">{esc(post.title)}</a></h2>
<div class="entry-meta">{self._posted_on(post)}{self._byline(post)}</div></header>
<div class="entry-summary"><p>{esc(excerpt(post.blocks, 55))}</p>
<a class="more-link" href="{url}#more-{post.post_id}">Continue reading<span class="screen-reader-text"> &quot;{esc(post.title)}&quot;</span></a></div>
{self._entry_footer(post)}
</article>"""

    def _nav(self, pages: list[str], k: int, style: str) -> str:
        b = self.base
        if len(pages) < 2:
            return ""
        if style == "posts":
            links = []
            if k + 1 < len(pages):
                links.append(
                    f'<div class="nav-previous"><a href="{b}{pages[k + 1]}">Older posts</a></div>'
                )
            if k > 0:
                links.append(
                    f'<div class="nav-next"><a href="{b}{pages[k - 1]}">Newer posts</a></div>'
                )
            return (
                '<nav class="navigation posts-navigation" aria-label="Posts"><h2 class="screen-reader-text">'
                f'Posts navigation</h2><div class="nav-links">{"".join(links)}</div></nav>'
            )
        items = []
        if k > 0:
            items.append(f'<a class="prev page-numbers" href="{b}{pages[k - 1]}">Previous</a>')
        for i, p in enumerate(pages):
            if i == k:
                items.append(
                    f'<span aria-current="page" class="page-numbers current">{i + 1}</span>'
                )
            else:
                items.append(f'<a class="page-numbers" href="{b}{p}">{i + 1}</a>')
        if k + 1 < len(pages):
            items.append(f'<a class="next page-numbers" href="{b}{pages[k + 1]}">Next</a>')
        return (
            '<nav class="navigation pagination" aria-label="Posts"><h2 class="screen-reader-text">Posts navigation</h2>'
            f'<div class="nav-links">{"".join(items)}</div></nav>'
        )

    def _archive(
        self, path: str, posts: list[Post], body_class: str, title: str | None, nav: str = "numbers"
    ) -> Site:
        """A paginated listing at ``path`` with ``path/page/N/`` for older pages."""
        n = self.cfg.per_page
        chunks = [posts[i : i + n] for i in range(0, len(posts), n)] or [[]]
        pages = [path] + [f"{path}page/{k + 1}/" for k in range(1, len(chunks))]
        site: Site = {}
        for k, chunk in enumerate(chunks):
            header = (
                f'<header class="page-header"><h1 class="page-title">{title}</h1></header>'
                if title
                else ""
            )
            main = header + "\n".join(self._summary(p) for p in chunk) + self._nav(pages, k, nav)
            cls = body_class + (f" paged paged-{k + 1}" if k else "")
            if title:
                plain = title.split(">", 1)[-1].split("<", 1)[0] if "<span" in title else title
                page_title = f"{plain} &#8211; {esc(self.cfg.name)}"
            else:
                page_title = f"{esc(self.cfg.name)} &#8211; {esc(self.cfg.tagline)}"
            head = f'<link rel="canonical" href="{self.base}{pages[k]}" />' if title is None else ""
            site[pages[k]] = text_resource(
                self._page(page_title, head, main, cls, home=title is None and k == 0)
            )
        return site

    def _about(self) -> str:
        b = self.base
        main = f"""<article id="post-2" class="post-2 page type-page status-publish hentry">
<header class="entry-header"><h1 class="entry-title">About</h1></header>
<div class="entry-content">{render_blocks(self.cfg.about, b)}</div>
</article>"""
        head = f'<link rel="canonical" href="{b}/about/" />'
        return self._page(
            f"About &#8211; {esc(self.cfg.name)}",
            head,
            main,
            "page-template-default page page-id-2",
        )

    # -- feeds, sitemaps -------------------------------------------------------------------

    def _rss(self) -> str:
        b, cfg = self.base, self.cfg
        items = []
        for p in self.posts[: cfg.feed_items]:
            url = b + p.path
            cats = "".join(f"<category><![CDATA[{t}]]></category>" for t in p.tags)
            creators = "".join(f"<dc:creator><![CDATA[{a}]]></dc:creator>" for a in p.authors)
            items.append(
                f"<item><title>{esc(p.title)}</title><link>{url}</link><comments>{url}#respond</comments>"
                f"{creators}<pubDate>{_rfc822(p.published)}</pubDate>{cats}"
                f'<guid isPermaLink="false">{b}/?p={p.post_id}</guid>'
                f"<description><![CDATA[{excerpt(p.blocks, 55)} [&#8230;]]]></description>"
                f"<content:encoded><![CDATA[{render_blocks(p.blocks, b)}]]></content:encoded>"
                f"<wfw:commentRss>{url}feed/</wfw:commentRss><slash:comments>{len(p.comments)}</slash:comments></item>"
            )
        last = max((p.modified for p in self.posts), default="2000-01-01T00:00:00+00:00")
        return (
            '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" '
            'xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:wfw="http://wellformedweb.org/CommentAPI/" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:atom="http://www.w3.org/2005/Atom" '
            'xmlns:sy="http://purl.org/rss/1.0/modules/syndication/" xmlns:slash="http://purl.org/rss/1.0/modules/slash/">'
            f'<channel><title>{esc(cfg.name)}</title><atom:link href="{b}/feed/" rel="self" type="application/rss+xml" />'
            f"<link>{b}</link><description>{esc(cfg.tagline)}</description><lastBuildDate>{_rfc822(last)}</lastBuildDate>"
            f"<language>{cfg.language}</language><sy:updatePeriod>hourly</sy:updatePeriod><sy:updateFrequency>1</sy:updateFrequency>"
            f"<generator>https://wordpress.org/?v={cfg.version}</generator>{''.join(items)}</channel></rss>"
        )

    def _sitemaps(self) -> Site:
        b = self.base
        parts = {
            "/wp-sitemap-posts-post-1.xml": [(p.path, p.modified) for p in self.posts],
            "/wp-sitemap-posts-page-1.xml": [("/about/", "")],
            "/wp-sitemap-taxonomies-category-1.xml": [
                (f"/category/{slugify(c)}/", "") for c in self.categories
            ],
            "/wp-sitemap-taxonomies-post_tag-1.xml": [
                (f"/tag/{slugify(t)}/", "") for t in self.tag_names
            ],
            "/wp-sitemap-users-1.xml": [(author_path(a), "") for a in self.authors],
        }
        site: Site = {}
        for path, urls in parts.items():
            body = "".join(
                f"<url><loc>{b}{u}</loc>" + (f"<lastmod>{m}</lastmod>" if m else "") + "</url>"
                for u, m in urls
            )
            site[path] = text_resource(
                f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="{SITEMAP_NS}">{body}</urlset>\n',
                XML_TYPE,
            )
        index = "".join(f"<sitemap><loc>{b}{p}</loc></sitemap>" for p in parts)
        site["/wp-sitemap.xml"] = text_resource(
            f'<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns="{SITEMAP_NS}">{index}</sitemapindex>\n',
            XML_TYPE,
        )
        return site
