"""Blogger: classic (hAtom + microdata), Sora and modern/Median themes, the review footer."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cached_property
from urllib.parse import urlsplit

from . import authors as names
from .dom import Element as Tag
from .dom import ancestors, attr, body_of, classes, clean_text, matches, select, select_own, text_of
from .generic import GenericPage
from .kinds import LISTING, PAGE, POST, Kind
from .microdata import Item

_POST_PATH = re.compile(r"^/\d{4}/\d{2}/[^/]+\.html$")
_STATIC_PATH = re.compile(r"^/p/[^/]+\.html$")
_LISTING_VIEWS = ("index-view", "archive-view", "label-view", "search-view", "feed-view")
_REVIEWED_BY = re.compile(r"reviewed by\s*:?\s*$", re.IGNORECASE)
BODY_SELECTORS = (
    "div.post-body",
    "#postBody",
    ".postBody",
    "[itemprop~=articleBody]",
    ".entry-content",
)
POST_SELECTORS = (
    ".post.hentry",
    "div.post",
    "article.post",
    ".post-outer",
    "article",
    "[itemtype*=BlogPosting]",
)


class BloggerPage(GenericPage):
    platform = "blogger"
    generators = ("blogger",)
    hosts = ("*.blogspot.*",)  # blogspot.com and its country domains (blogspot.de…)
    fingerprints = (
        "blogger.com/static",
        "blogger.com/feeds",
        "blogger.com/dyn-css",
        "_widgetmanager",
        "b:skin",
        "blogblog.com",
    )
    feed_paths = ("/feeds/posts/default",)
    sitemap_paths = ("/sitemap.xml",)
    body_selectors = BODY_SELECTORS
    title_selectors = (".post-title", ".entry-title", "h1.post-title", "h1")

    @cached_property
    def post_bodies(self) -> list[Tag]:
        """Post body containers of the main Blog widget (several on listing pages)."""
        for selector in BODY_SELECTORS:
            found = [n for n in select_own(self.soup, selector) if not _nested_body(n)]
            if found:
                return found
        return []

    @cached_property
    def scope(self) -> Tag:
        """The post element around the first body (its ``.post-outer`` when the footer is outside)."""
        if not self.post_bodies:
            return super().scope
        body = self.post_bodies[0]
        # Each selector tested on the body's ancestors, nearest first (the page's root, as
        # ``select`` never returns it, excluded): no walk of the whole page per selector.
        for selector in POST_SELECTORS:
            for element in ancestors(body):
                if (
                    element is not self.soup
                    and element.tag != "body"
                    and matches(element, selector)
                ):
                    outer = next(
                        (a for a in ancestors(element) if "post-outer" in classes(a)), None
                    )
                    return outer if outer is not None else element
        parent = body.getparent()
        return parent if parent is not None else body

    def body_element(self) -> Tag | None:
        return self.post_bodies[0] if self.post_bodies else super().body_element()

    def trusted_container(self) -> Tag | None:
        return self.post_bodies[0] if self.post_bodies else None

    def platform_kind(self) -> Kind | None:
        """Blogger's URL scheme and view classes; its post body count on other themes."""
        path = urlsplit(self.url).path
        canonical = urlsplit(self.canonical_url() or "").path
        body_classes = classes(body_of(self.soup))
        if (
            _STATIC_PATH.match(path)
            or _STATIC_PATH.match(canonical)
            or "static-view" in body_classes
        ):
            return Kind(PAGE, "a Blogger static page (/p/…)")
        if any(view in body_classes for view in _LISTING_VIEWS):
            return Kind(LISTING, "a Blogger listing page (home, label, archive or search view)")
        if not (
            _POST_PATH.match(path) or _POST_PATH.match(canonical) or "item-view" in body_classes
        ):
            return Kind(LISTING, f"not a Blogger post URL (/YYYY/MM/slug.html): {self.url}")
        if len(self.post_bodies) > 1:
            return Kind(LISTING, f"a listing: {len(self.post_bodies)} post bodies")
        return Kind(POST, "a Blogger post") if self.post_bodies else None

    def authors(self) -> list[str]:
        return (
            self.structured_authors()
            or self.footer_authors()
            or self.review_authors()
            or self.meta_authors()
        )

    def structured_authors(self) -> list[str]:
        node = self.main_node
        if node is not None:
            return names.flatten(node.get("author"), self.jsonld.resolve)
        post = self._post_item()
        return names.microdata_names(post) if post is not None else []

    def _post_item(self) -> Item | None:
        """The BlogPosting microdata item around the post body."""
        posts = [i for i in self.items if i.is_a("blogposting")]
        if self.post_bodies:
            around = {self.post_bodies[0], *ancestors(self.post_bodies[0])}
            posts = [i for i in posts if i.element in around]
        return posts[0] if posts else None

    def footer_authors(self) -> list[str]:
        """``.post-author``: Posted by / Publicada por + the inner name element."""
        return names.byline_names(
            select_own(self.scope, ".post-author, .author-name, .post-author-name, .byline .author")
        )

    def review_authors(self) -> list[str]:
        """The "Reviewed by NAME on TIME Rating:" footer (microdata, hReview or bare label)."""
        found: list[str] = []
        for item in self.items:
            if item.is_a("review") or "review" in item.itemprops:
                found += names.microdata_names(item)
        for reviewer in select(self.soup, ".hreview .reviewer"):
            found.append(names.byline_name(reviewer) if len(reviewer) else text_of(reviewer))
        return names.dedupe(found) or self._labelled_reviewer()

    def _labelled_reviewer(self) -> list[str]:
        """The element right after a "Reviewed by" text, climbing out of a label-only wrapper."""
        for container, following, text in _reviewed_by_texts(self.soup):
            node: Tag | None = container
            for _ in range(3):
                if following is not None:
                    return names.dedupe([text_of(following)])
                if node is None or text_of(node) != clean_text(text):
                    break
                following = _following(node)
                node = node.getparent()
        return []

    def tag_links(self) -> list[str]:
        links = select_own(self.scope, ".post-labels a, .post-tags a, a[rel~=tag]")
        return [text_of(a) for a in links]


def _reviewed_by_texts(root: Tag) -> Iterator[tuple[Tag, Tag | None, str]]:
    """Text nodes ending in "Reviewed by": (their element, the element right after, text)."""
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        if element.text and _REVIEWED_BY.search(element.text):
            yield element, (element[0] if len(element) else None), element.text
        for child in element:
            if child.tail and _REVIEWED_BY.search(child.tail):
                yield element, _following(child, check_tail=False), child.tail


def _following(node: Tag, *, check_tail: bool = True) -> Tag | None:
    """The next sibling element, unless non-blank text comes first."""
    if check_tail and node.tail and node.tail.strip():
        return None
    return node.getnext()


def _nested_body(node: Tag) -> bool:
    """A body selector matching inside another match (``#postBody`` inside ``.post-body``)."""
    return any("post-body" in classes(a) or attr(a, "id") == "postBody" for a in ancestors(node))
