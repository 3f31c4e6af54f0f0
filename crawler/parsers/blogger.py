"""Blogger: classic (hAtom + microdata), Sora and modern/Median themes, the review footer."""

from __future__ import annotations

import re
from functools import cached_property
from urllib.parse import urlsplit

from bs4 import Tag
from bs4.element import NavigableString

from . import authors as names
from .dom import ancestors, attr, classes, clean_text, select_own, text_of
from .generic import GenericPage
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
        for selector in POST_SELECTORS:
            matches = {id(n) for n in self.soup.select(selector)}
            for element in ancestors(body):
                if id(element) in matches and element.name != "body":
                    outer = element.find_parent(class_="post-outer")
                    return outer if isinstance(outer, Tag) else element
        return body.parent if isinstance(body.parent, Tag) else body

    def body_element(self) -> Tag | None:
        return self.post_bodies[0] if self.post_bodies else super().body_element()

    def not_a_post_reason(self) -> str | None:
        path = urlsplit(self.url).path
        canonical = urlsplit(self.canonical_url() or "").path
        body_classes = self.soup.body.get_attribute_list("class") if self.soup.body else []
        if (
            _STATIC_PATH.match(path)
            or _STATIC_PATH.match(canonical)
            or "static-view" in body_classes
        ):
            return "a Blogger static page (/p/…), not a post"
        if any(view in body_classes for view in _LISTING_VIEWS):
            return "a Blogger listing page (home, label, archive or search view)"
        if not (
            _POST_PATH.match(path) or _POST_PATH.match(canonical) or "item-view" in body_classes
        ):
            return f"not a Blogger post URL (/YYYY/MM/slug.html): {self.url}"
        if len(self.post_bodies) != 1:
            return f"expected one post body, found {len(self.post_bodies)}"
        return None

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
            around = {id(a) for a in (self.post_bodies[0], *ancestors(self.post_bodies[0]))}
            posts = [i for i in posts if id(i.element) in around]
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
        for reviewer in self.soup.select(".hreview .reviewer"):
            found.append(names.byline_name(reviewer) if reviewer.find(True) else text_of(reviewer))
        return names.dedupe(found) or self._labelled_reviewer()

    def _labelled_reviewer(self) -> list[str]:
        """The element right after a "Reviewed by" text, climbing out of a label-only wrapper."""
        for text in self.soup.find_all(string=_REVIEWED_BY):
            node: Tag | NavigableString = text
            for _ in range(3):
                sibling = _next_element(node)
                if sibling is not None:
                    return names.dedupe([text_of(sibling)])
                parent = node.parent
                if parent is None or text_of(parent) != clean_text(str(text)):
                    break
                node = parent
        return []

    def tag_links(self) -> list[str]:
        links = select_own(self.scope, ".post-labels a, .post-tags a, a[rel~=tag]")
        return [a.get_text(" ") for a in links]


def _next_element(node: Tag | NavigableString) -> Tag | None:
    sibling = node.next_sibling
    while isinstance(sibling, NavigableString) and not sibling.strip():
        sibling = sibling.next_sibling
    return sibling if isinstance(sibling, Tag) else None


def _nested_body(node: Tag) -> bool:
    """A body selector matching inside another match (``#postBody`` inside ``.post-body``)."""
    return any("post-body" in classes(a) or attr(a, "id") == "postBody" for a in ancestors(node))
