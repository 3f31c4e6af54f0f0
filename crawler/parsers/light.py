"""Light page objects for ghost, medium, substack, dev.to, Hugo and Jekyll: generic + selectors."""

from __future__ import annotations

from bs4 import Tag

from . import authors as names
from .dom import attr, select_own
from .generic import GenericPage


class GhostPage(GenericPage):
    platform = "ghost"
    body_selectors = (
        "section.gh-content",
        ".gh-content",
        ".post-content",
        ".post-full-content",
        *GenericPage.body_selectors,
    )


class MediumPage(GenericPage):
    platform = "medium"
    body_selectors = ("article section", "article", *GenericPage.body_selectors)


class SubstackPage(GenericPage):
    platform = "substack"
    body_selectors = (
        ".available-content .body.markup",
        ".body.markup",
        ".available-content",
        *GenericPage.body_selectors,
    )


class DevtoPage(GenericPage):
    platform = "devto"
    body_selectors = ("#article-body", ".crayons-article__body", *GenericPage.body_selectors)

    def byline_authors(self) -> list[str]:
        """``data-author-name`` on the article container, else the header profile link."""
        container = self.soup.select_one("#article-show-container[data-author-name]")
        if isinstance(container, Tag):
            return names.dedupe([attr(container, "data-author-name")])
        links = select_own(self.soup, "article header a.crayons-link.fw-bold")
        return names.byline_names(links[:1])


class HugoPage(GenericPage):
    platform = "hugo"
    body_selectors = (
        ".post-content",
        "article .content",
        ".entry-content",
        ".article-content",
        *GenericPage.body_selectors,
    )


class JekyllPage(GenericPage):
    platform = "jekyll"
    body_selectors = (
        ".post-content",
        ".e-content",
        "article .entry-content",
        ".page__content",
        *GenericPage.body_selectors,
    )
