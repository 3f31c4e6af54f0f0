"""Light page objects for ghost, medium, substack, dev.to, Hugo and Jekyll: generic + selectors."""

from __future__ import annotations

from . import authors as names
from .dom import attr, select_one, select_own
from .generic import GenericPage


class GhostPage(GenericPage):
    platform = "ghost"
    trusted_selectors = ("section.gh-content", ".gh-content")
    body_selectors = (
        "section.gh-content",
        ".gh-content",
        ".post-content",
        ".post-full-content",
        *GenericPage.body_selectors,
    )


class MediumPage(GenericPage):
    platform = "medium"
    prefer_named_container = True
    body_selectors = ("article section", "article", *GenericPage.body_selectors)


class SubstackPage(GenericPage):
    platform = "substack"
    trusted_selectors = (".available-content .body.markup", ".body.markup")
    body_selectors = (
        ".available-content .body.markup",
        ".body.markup",
        ".available-content",
        *GenericPage.body_selectors,
    )


class DevtoPage(GenericPage):
    platform = "devto"
    trusted_selectors = ("#article-body", ".crayons-article__body")
    body_selectors = ("#article-body", ".crayons-article__body", *GenericPage.body_selectors)

    def byline_authors(self) -> list[str]:
        """``data-author-name`` on the article container, else the header profile link."""
        container = select_one(self.soup, "#article-show-container[data-author-name]")
        if container is not None:
            return names.dedupe([attr(container, "data-author-name")], split=False)
        links = select_own(self.soup, "article header a.crayons-link.fw-bold")
        return names.byline_names(links[:1])


class HugoPage(GenericPage):
    platform = "hugo"
    prefer_named_container = True
    body_selectors = (
        ".post-content",
        "article .content",
        ".entry-content",
        ".article-content",
        *GenericPage.body_selectors,
    )


class JekyllPage(GenericPage):
    platform = "jekyll"
    prefer_named_container = True
    body_selectors = (
        ".post-content",
        ".e-content",
        "article .entry-content",
        ".page__content",
        *GenericPage.body_selectors,
    )
