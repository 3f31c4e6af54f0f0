"""The page-object base: one parse per page, structured-data field cascades, ``to_item()``."""

from __future__ import annotations

import html
from collections.abc import Callable
from functools import cached_property
from typing import Any, ClassVar

from archive.records import PostRecord, Rating
from crawler.urls import same_address

from . import authors as names
from .bylines import page_publishers
from .code import flatten_code
from .dates import PUBLISHED_META, UPDATED_META, first_iso, in_utc, local_day, url_date
from .datetext import MONTH_FIRST_LANGUAGES
from .decoding import decode_html
from .dom import Element as Tag
from .dom import (
    absolute,
    attr,
    attribute_text,
    body_of,
    clean_text,
    make_soup,
    meta_all,
    meta_content,
    select_own,
    text_of,
    unique_texts,
)
from .fallback import extracted_body
from .jsonld import ARTICLE_TYPES, JsonLd, Node, as_list
from .kinds import POST, Kind
from .lead import standfirst
from .microdata import Item, parse_items
from .navigation import Links, clean_url, html_links
from .ratings import choose, hreview_ratings, jsonld_ratings, microdata_ratings
from .text import CONTAINER_SHARE, covers, render_body
from .visible_dates import shown_date
from .widgets import widget_ratings

# Yoast SEO's "twitter:label1" in the site's language: then "twitter:data1" is the author.
WRITTEN_BY = frozenset(
    {
        "written by",
        "verfasst von",
        "geschrieben von",
        "écrit par",
        "escrito por",
        "scritto da",
        "geschreven door",
        "skrevet af",
        "skrivet av",
        "napisane przez",
        "autor",
        "auteur",
        "author",
    }
)


class NotAPost(Exception):
    """The page is not a single post page (listing, static page, 404…); the message says why."""


class PostPage:
    """A parsed page; field methods read one shared lxml tree (parsed once).

    A platform's page class also declares what tells its pages apart and where its blogs
    keep their feeds; :mod:`.platforms` derives detection and the discovery probes from
    these, so a platform is declared in one place.
    """

    platform: ClassVar[str] = "generic"
    generators: ClassVar[tuple[str, ...]] = ()
    """Substrings of a lower-cased ``<meta name=generator>`` that name the platform."""
    hosts: ClassVar[tuple[str, ...]] = ()
    """Host patterns (``fnmatch``) of the platform's own hosting: ``*.blogspot.*``."""
    fingerprints: ClassVar[tuple[str, ...]] = ()
    """Lower-case substrings that only the platform's own markup contains."""
    feed_paths: ClassVar[tuple[str, ...]] = ()
    """Where the platform serves its feeds; probed on every blog, whatever its platform."""
    sitemap_paths: ClassVar[tuple[str, ...]] = ()
    """Where the platform serves its sitemaps; probed on every blog too."""

    def __init__(self, url: str, html: str | bytes, *, encoding: str | None = None) -> None:
        self.url = url
        self._html = html
        self._encoding = encoding

    # -- parse state, built once -------------------------------------------------------
    @cached_property
    def soup(self) -> Tag:
        """The page's lxml root (``<html>``), parsed once, its code blocks flattened."""
        return flatten_code(make_soup(decode_html(self._html, self._encoding)))

    @cached_property
    def jsonld(self) -> JsonLd:
        return JsonLd.from_soup(self.soup)

    @cached_property
    def items(self) -> list[Item]:
        return parse_items(self.soup)

    @cached_property
    def main_node(self) -> Node | None:
        return self.jsonld.main_entity()

    @cached_property
    def main_item(self) -> Item | None:
        """The first microdata Article/BlogPosting item."""
        return next((i for i in self.items if i.types & ARTICLE_TYPES), None)

    @cached_property
    def scope(self) -> Tag:
        """The element holding the post (bylines, tags, dates are searched inside it)."""
        return body_of(self.soup)

    def jsonld_value(self, key: str) -> Any:
        return self.jsonld.get(self.main_node, key)

    # -- kind of page -------------------------------------------------------------------
    @cached_property
    def page_kind(self) -> Kind:
        """A post, a standalone page, a listing or an error page, and why."""
        return Kind(POST, "a post")

    def not_a_post_reason(self) -> str | None:
        """Why this page does not become an item (a listing, an error page), or None."""
        kind = self.page_kind
        return None if kind.is_item else kind.reason

    def is_post(self) -> bool:
        return self.not_a_post_reason() is None

    # -- fields --------------------------------------------------------------------------
    def title(self) -> str | None:
        headline = self.jsonld_value("headline") or self.jsonld_value("name")
        if isinstance(headline, str) and clean_text(headline):
            return clean_text(html.unescape(headline))
        return meta_content(self.soup, "og:title", "twitter:title") or self._html_title()

    def _html_title(self) -> str | None:
        title = next(self.soup.iter("title"), None)
        return clean_text(title.text_content()) or None if title is not None else None

    @cached_property
    def publishers(self) -> frozenset[str]:  # the site's own names: never an author's
        return page_publishers(self.url, self.soup, self.jsonld, self.main_node)

    def structured_authors(self) -> list[str]:
        """Authors from JSON-LD (author + Ghost's contributor) then microdata."""
        node = self.main_node
        if node is not None:
            found = names.flatten(node.get("author"), self.jsonld.resolve)
            found = found or names.flatten(node.get("creator"), self.jsonld.resolve)
            found += names.flatten(node.get("contributor"), self.jsonld.resolve)
            if found:
                return names.dedupe(found, split=False)
        return names.microdata_names(self.main_item) if self.main_item else []

    def meta_authors(self) -> list[str]:
        found = names.dedupe([meta_content(self.soup, "author", "dc.creator", "parsely-author")])
        if found or meta_content(self.soup, "twitter:label1").lower() not in WRITTEN_BY:
            return found
        return names.dedupe([meta_content(self.soup, "twitter:data1")])

    def authors(self) -> list[str]:
        return self.structured_authors() or self.meta_authors()

    def _date(self, jsonld_key: str, meta_keys: tuple[str, ...], selector: str) -> str | None:
        candidates: list[object] = [self.jsonld_value(jsonld_key)]
        candidates.append(meta_content(self.soup, *meta_keys))
        if self.main_item is not None:
            candidates.append(self.main_item.text(jsonld_key))
        for node in select_own(self.scope, selector):
            candidates += [attr(node, "datetime"), attr(node, "content"), attr(node, "title")]
        return first_iso(candidates)

    def published(self) -> str | None:
        """Machine-readable date, else the date shown with the post, else the URL's day."""
        return self._published

    @cached_property
    def _published(self) -> str | None:
        # Cached: the page's kind asks for it before the record does.
        machine = self._date(
            "datePublished",
            PUBLISHED_META,
            "time.published, .published[title], time.entry-date, "
            "[itemprop=datePublished], time[pubdate], .dt-published, time[datetime]",
        )
        if machine is not None and not in_utc(machine):
            return machine
        titles = (self.title(), meta_content(self.soup, "og:title"), self._html_title())
        month_first = (self.language() or "").lower() in MONTH_FIRST_LANGUAGES
        shown = shown_date(body_of(self.soup), titles, month_first=month_first)
        if machine is not None:
            return local_day(machine, shown)
        return shown or url_date(self.url)

    def updated(self) -> str | None:
        return self._date(
            "dateModified",
            UPDATED_META,
            "time.updated, abbr.updated, [itemprop=dateModified], .dt-updated",
        )

    def body_element(self) -> Tag | None:
        """The best-guess body container (also used to tell posts from other pages)."""
        return self.scope

    def trusted_container(self) -> Tag | None:
        """The platform's own body container, when it has one; None sends the page to the
        generic extractor (trafilatura)."""
        return None

    def body(self) -> str:
        container = self.trusted_container()
        text = render_body(container) if container is not None else self._generic_body()
        first, _, rest = text.partition("\n\n")
        # A heading inside the container that repeats the title is not body text.
        title = self.title()
        text = rest if title and first.casefold() == title.casefold() else text
        lead = standfirst(self.soup, text, self._descriptions())
        return f"{lead}\n\n{text}" if lead and text else text

    def _descriptions(self) -> list[object]:
        keys = ("og:description", "description", "twitter:description")
        return [*(meta_content(self.soup, k) for k in keys), self.jsonld_value("description")]

    def selector_container(self) -> Tag | None:
        """The container a body selector names (not a guess), if any."""
        return None

    def _generic_body(self) -> str:
        """trafilatura's text, unless it only adds to the named container's text: then the
        container (our rules drop widgets and boxes inside it) is the cleaner choice."""
        extracted = extracted_body(self.soup, self.url)
        named = self.selector_container()
        own = render_body(named) if named is not None else ""
        if own and (not extracted or covers(extracted, own, CONTAINER_SHARE)):
            return own
        return extracted or render_body(self.body_element())

    def rating(self) -> Rating | None:
        found = [*jsonld_ratings(self.jsonld), *microdata_ratings(self.items)]
        names = attribute_text(self.soup)  # cheap tests before scans
        found += [*hreview_ratings(self.soup, names), *widget_ratings(self.soup, names)]
        return choose(found)

    def tag_links(self) -> list[str]:
        return [text_of(a) for a in select_own(self.scope, "a[rel~=tag]")]

    def tags(self) -> list[str]:
        for source in (self.tag_links, lambda: meta_all(self.soup, "article:tag"), self._keywords):
            found = unique_texts(source())
            if found:
                return found
        return []

    def _keywords(self) -> list[str]:
        value = self.jsonld_value("keywords")
        if isinstance(value, str):
            return value.split(",")
        return [v for v in as_list(value) if isinstance(v, str)]

    def canonical_url(self) -> str | None:
        links = [
            el for el in self.soup.iter("link") if "canonical" in attr(el, "rel").lower().split()
        ]
        href = attr(links[0], "href") if links else ""
        return absolute(self.url, href) if href else None

    def canonical_elsewhere(self, in_scope: Callable[[str], bool]) -> str | None:
        """The page's canonical URL when it names another page within ``in_scope``: this
        page is a copy (``?utm_…``, a print view), to be archived at that address."""
        canonical = clean_url(self.canonical_url() or "")
        if not canonical or not in_scope(canonical) or same_address(canonical, self.url):
            return None
        return canonical

    def links(self) -> Links:
        """Where the page leads: post links, pagination, advertised feeds, other pages."""
        return self._links

    @cached_property
    def _links(self) -> Links:
        # From the page's own tree: a crawled page is parsed once, for links and fields.
        return html_links(self.url, self.soup)

    def language(self) -> str | None:
        lang = attr(self.soup, "lang")
        if not lang:
            metas = self.soup.iter("meta")
            lang = next(
                (
                    attr(m, "content")
                    for m in metas
                    if attr(m, "http-equiv").lower() == "content-language"
                ),
                "",
            )
        return lang.split(",")[0].strip() or None

    # -- items ---------------------------------------------------------------------------
    def extract(self) -> PostRecord:
        """The record, whatever the page's kind (``blogarchive extract --all``)."""
        body = self.body()
        record = PostRecord(
            url=self.url,
            title=self.title(),
            authors=self.authors(),
            published=self.published(),
            updated=self.updated(),
            body=body,
            rating=self.rating(),
            tags=self.tags(),
            kind=self.page_kind.kind,
            platform=self.platform,
            canonical_url=self.canonical_url(),
            language=self.language(),
            word_count=len(body.split()),
        )
        return record.replace(content_hash=record.compute_content_hash())

    def to_item(self) -> PostRecord:
        reason = self.not_a_post_reason()
        if reason is not None:
            raise NotAPost(reason)
        return self.extract()
