"""Visible bylines of layouts without a known theme: author-classed elements, "By NAME" lines,
and the publisher names (site name, publisher, host) that are never an author."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from functools import lru_cache
from urllib.parse import urlsplit

from lxml import etree

from . import authors as names
from .dom import Element, attr, classes, clean_text, is_foreign, meta_content, text_of
from .jsonld import JsonLd, Node, as_list, types_of

_STEMS = "author|autor|auteur|byline|writer|contributor|verfasser|redakteur|username|submitted"
_ANY_STEM = re.compile(_STEMS, re.IGNORECASE)
# Class tokens that name something about an author that is not the byline itself.
_OTHER = re.compile(
    r"comment|bio|avatar|image|img|photo|pic|desc|about|social|follow|share|mail|twitter|"
    r"facebook|job|role|position|count|box|widget|more|other|title",
    re.IGNORECASE,
)
# The stem opens a class token or one of its parts: "byline__author", "metaAuthor", not
# "typewriter".
_STEM = re.compile(rf"(?:^|[-_])(?i:{_STEMS})|(?<=[a-z])(?:Author|Autor|Byline|Writer|Username)")
_SOCIAL_HREF = re.compile(r"twitter\.com|x\.com/|facebook\.|instagram\.|linkedin\.|mailto:")
_NAME_CLASS = re.compile(r"^(?:fn|username)$|[-_]name$|(?<=[a-z])Name$")
MAX_NAMES = 4  # more "names" in one byline element are a list of something else
MAX_BYLINE = 160  # characters: a longer element is an author box or a bio, not a byline
_DIGIT = re.compile(r"\d")
_TRAILING_LABELS = frozenset({"am", "on", "by", "von", "par", "por", "um", "at", "le", "el"})
_LABEL_VERB = re.compile(
    r"^(?:posted|published|written|updated|veröffentlicht|geschrieben|erstellt|aktualisiert|"
    r"publié|publicad[oa]|pubblicato|geplaatst)$"
)
_WORD = re.compile(r"^[^\W\d_][\w.'’-]*$")
_TEXT_TAGS = frozenset(
    {"p", "span", "div", "em", "i", "strong", "b", "small", "address", "h4", "h5", "h6", "li"}
    | {"dt", "th", "h3", "label"}
)
# "Von Jane Roe", "Ein Beitrag von Jane Roe", "Auteur : Jane Roe": a label, then the names.
_LABELS = (
    r"(?:(?:posted|written|published|erstellt|verfasst|geschrieben|publicad[oa]|publié|écrit|"
    r"escrito|scritto|eine?[nm]?\s+(?:beitrag|kolumne|kommentar|gastbeitrag|artikel|text))\s+)?"
    r"(?:by|von|par|por|door|av|przez)\s*:?"
    r"|(?:author|autor|autorin|autoren|auteur|auteurs|autore|text|texto)\s*:|autoren"
)
_LABELLED = re.compile(rf"^(?:{_LABELS})\s+(?P<name>.+)$", re.IGNORECASE)
_LABEL_START = re.compile(rf"\s*(?:{_LABELS})(?:\s|$)", re.IGNORECASE)


def plausible(name: str) -> bool:
    """A visible string that can be a person's name: 1-5 words, no digits, no sentence,
    not a bare label ("Veröffentlicht am", "Posted by")."""
    words = name.split()
    if not 1 <= len(words) <= 5 or len(name) > 50 or _DIGIT.search(name):
        return False
    folded = [w.casefold() for w in words]
    if folded[-1] in _TRAILING_LABELS or any(_LABEL_VERB.match(w) for w in folded):
        return False
    return all(_WORD.match(w) or w in {"&", "-"} for w in words)


def _authorish(element: Element) -> bool:
    if "author" in attr(element, "itemprop") or "author" in attr(element, "rel"):
        return True
    tokens = [*classes(element), attr(element, "id")]
    return any(_STEM.search(t) and not _OTHER.search(t) for t in tokens)


def _authorish_elements(root: Element) -> Iterator[Element]:
    """Elements under ``root`` with an author-like class or id, ``itemprop=author`` or
    ``rel=author``: a substring pre-filter, see :func:`_authorish`."""
    document = root.getroottree().getroot()
    for element in _page_authorish(document):
        if element is not root and (root is document or root in element.iterancestors()):
            yield element


@lru_cache(maxsize=2)  # the page being parsed: searched in its scope, then in all of it
def _page_authorish(document: Element) -> tuple[Element, ...]:
    # A Python loop over the elements beats an XPath with translate() for the case folding.
    found = []
    for element in document.iter(etree.Element):
        marks = f"{element.get('class') or ''} {element.get('id') or ''}"
        rel = f"{element.get('itemprop') or ''} {element.get('rel') or ''}"
        if _ANY_STEM.search(marks) or "author" in rel:
            found.append(element)
    return tuple(found)


def _link_names(element: Element) -> list[str]:
    links = [element] if element.tag == "a" else list(element.iterdescendants("a"))
    own = [a for a in links if not _SOCIAL_HREF.search(attr(a, "href")) and not _is_tag(a)]
    return [text_of(a) for a in own if text_of(a)]


def _is_tag(link: Element) -> bool:
    rel = attr(link, "rel").lower().split()
    return "tag" in rel or "category" in rel


def _name_element(element: Element) -> Element | None:
    """The descendant holding just the name: ``itemprop=name``, ``.fn``, ``.author-name``…"""
    for child in element.iterdescendants():
        if attr(child, "itemprop") == "name" or any(_NAME_CLASS.search(c) for c in classes(child)):
            return child
    return None


def element_names(element: Element) -> list[str]:
    """Names in one byline element: inner name element, link texts, else its own text."""
    inner = _name_element(element)
    if inner is not None:
        texts = [text_of(inner) or names.img_alt(inner)]
    else:
        texts = _link_names(element) or [text_of(element)]
    found = [n for t in texts for n in names.split_names(t)]
    if len(found) > MAX_NAMES:
        return []  # a list of categories or of every author of the site
    return names.dedupe(n for n in found if plausible(names.clean_name(n)))


def class_bylines(root: Element) -> list[str]:
    """The first author-classed element (outside comments, sidebars…) that holds a name."""
    for element in _authorish_elements(root):
        if not _authorish(element) or len(text_of(element)) > MAX_BYLINE:
            continue
        if is_foreign(element, root):  # layout classes above the post's own element don't count
            continue
        found = element_names(element)
        if found:
            return found
    return []


def text_bylines(root: Element) -> list[str]:
    """A short line "Von Jane Roe" / "By Jane Roe, 3 May" (the label is required), or a
    label standing alone before the names: ``<dt>Author</dt><dd>Jane Roe</dd>``."""
    after_label: list[str] = []  # the label-alone form: only when no line says "Von …"
    for element in root.iter(*_TEXT_TAGS):
        text = element.text
        if not text or not (_LABEL_START.match(text) or _LONE_LABEL.match(text)):
            continue
        if is_foreign(element, root):
            continue
        if _LONE_LABEL.match(text) and not len(element):
            if not after_label:
                after_label = _next_names(element, root)
            continue
        line = text_of(element)
        match = _LABELLED.match(line) if 4 < len(line) <= 80 else None
        found = _visible_names(match.group("name")) if match else []
        if found:
            return found
    return after_label


def _next_names(label: Element, root: Element) -> list[str]:
    value = label.getnext()
    if value is None or len(text_of(value)) > 80 or is_foreign(value, root):
        return []
    return _visible_names(text_of(value))


def _visible_names(text: str) -> list[str]:
    """The capitalised names of a byline's text; none if a part is some other text."""
    parts = names.split_names(text)
    found = [p for p in parts if plausible(p) and all(w[0].isupper() for w in p.split())]
    if found and len(found) == len([p for p in parts if not _DIGIT.search(p)]):
        return names.dedupe(found)
    return []


# A label alone in its element, the names in the next one: "Autor", "Written by:", "Von".
_LONE_LABEL = re.compile(
    r"^\s*(?:author|authors|autor|autorin|autoren|auteur|auteurs|autore|autori|verfasser|"
    r"verfasserin|(?:written|posted|published)\s+by|von|by|par|por)\s*:?\s*$",
    re.IGNORECASE,
)


# A label inside a meta line: "Datum: 3.5.2021 Autor: Jane Roe Quelle: dpa",
# "Politics | By Jane Roe | May 3": "by"/"von" only after a separator, not "Photo by".
_INLINE_LABEL = re.compile(
    r"(?:(?:^|\s)(?:author|autor|autorin|auteur|autore|verfasser|verfasserin)\s*:"
    r"|(?:^|[|·•]\s*)(?:by|von|par|por)\b:?)\s*",
    re.IGNORECASE,
)
MAX_META_LINE = 120
# Substrings of every label above: a cheap test before the label's regex. (One regex over
# the text nodes in Python costs half of XPath's contains() tests, which copy the node's
# string once per test; code blocks, long single text nodes once flattened, are skipped.)
_INLINE_HINT = re.compile("utor|uthor|uteur|erfasser|By|by|Von|von|par|por")
_SHORT_TEXTS = etree.XPath(
    f".//text()[string-length(.) < {MAX_META_LINE}][not(ancestor::pre or ancestor::code)]"
)
# A title "Von Berlin Nach Paris" is not a byline; nor is the whole page.
_NOT_META_LINE = frozenset({"body", "html", "h1", "h2", "h3", "title"})
_CAPITALISED = re.compile(r"^[^\W\d_][\w.'’-]*$")


def inline_bylines(root: Element) -> list[str]:
    """The name after a byline label inside a short meta line (the label need not open it,
    and may sit in an element of its own: ``<span>Autor:</span> Jane Roe``)."""
    for node in _SHORT_TEXTS(root):
        if not _INLINE_HINT.search(node) or not _INLINE_LABEL.search(node):
            continue
        element = node.getparent()
        if element is not None and node.is_tail:
            element = element.getparent()
        for _ in range(3):
            if element is None or element.tag in _NOT_META_LINE:
                break
            text = text_of(element)
            if len(text) > MAX_META_LINE:
                break
            found = _labelled_names(_break_text(element))
            if found:
                return [] if is_foreign(element) else found
            element = element.getparent()
    return []


_TEXT_AND_BREAKS = etree.XPath(".//text()[not(ancestor::script or ancestor::style)] | .//br")


def _break_text(element: Element) -> str:
    """The element's text with its line breaks kept as "|": a name ends at the line's end."""
    parts = _TEXT_AND_BREAKS(element)
    return clean_text(" ".join(p if isinstance(p, str) else " | " for p in parts))


_JOINERS = frozenset({"&", "and", "und", "et", "y", "e", "i"})


def _labelled_names(text: str) -> list[str]:
    for match in _INLINE_LABEL.finditer(text):
        words = text[match.end() :].split()
        while words and words[0] == "|":  # "<b>Von:</b><br>Jane Roe": the name on the next line
            words = words[1:]
        found = _leading_names(words)
        if found:
            return found
    return []


def _leading_names(words: list[str]) -> list[str]:
    """The names opening ``words``, joined by "and": "Jane Roe und John Doe am 3. Mai"."""
    found: list[str] = []
    while (parsed := _leading_name(words)) is not None:
        name, used = parsed
        found.append(name)
        words = words[used:]
        if not words or words[0].casefold() not in _JOINERS:
            break  # a comma may as well open a role ("Jane Roe, Staff Writer")
        words = words[1:]
    return found


def _leading_name(words: list[str]) -> tuple[str, int] | None:
    """Two to four capitalised words at the start of ``words``, up to the next label: the
    name and the number of words it took."""
    taken: list[str] = []
    for word in words:
        bare = word.split("/")[0].rstrip(",;|")
        if word.endswith(":") or not _CAPITALISED.match(bare) or not bare[0].isupper():
            break
        taken.append(bare)
        if bare != word or len(taken) == 4:
            break
    name = " ".join(taken)
    return (name, len(taken)) if len(taken) >= 2 and plausible(name) else None


def _key(text: str) -> str:
    return re.sub(r"\W+", "", text.casefold())


_SITE_META = ("og:site_name", "application-name", "twitter:site", "publisher")
_SITE_TYPES = frozenset({"organization", "newsmediaorganization", "website", "corporation"})


def page_publishers(url: str, root: Element, data: JsonLd, main: Node | None) -> frozenset[str]:
    """Keys of the site's own names: site-name metas, the JSON-LD publisher, Organization
    and WebSite nodes, an Organization given as the author, and the host."""
    found = [meta_content(root, key) for key in _SITE_META]
    found += names.flatten(data.get(main, "publisher"), data.resolve)
    for node in data.of_types(_SITE_TYPES):
        found += names.flatten(node.get("name"))
    if main is not None:
        authors = [data.resolve(a) for a in as_list(main.get("author"))]
        found += [str(a.get("name", "")) for a in authors if types_of(a) & _SITE_TYPES]
    return site_keys(url, [n.lstrip("@") for n in found])


def site_keys(url: str, site_names: Iterable[str]) -> frozenset[str]:
    """Normalised publisher names: the given site names plus the host with and without TLD."""
    host = (urlsplit(url).hostname or "").removeprefix("www.")
    labels = host.split(".")
    keys = {_key(n) for n in site_names if n} | {_key(host)}
    keys |= {_key(label) for label in labels[:-1] if len(label) >= 4}
    return frozenset(k for k in keys if k)


def people(found: list[str], publishers: frozenset[str]) -> list[str]:
    """Drop the publisher names from an author list, also from "Jane Roe, CNN"-like names
    (a structured name stays whole unless a part of it is the publisher)."""
    out: list[str] = []
    for name in found:
        parts = names.split_names(name)
        own = [p for p in parts if not publisher_key(p, publishers)]
        out += own if len(own) < len(parts) else [_without_role(name, publishers)]
    return [n for n in out if clean_text(n)]


def _without_role(name: str, publishers: frozenset[str]) -> str:
    """ "FOCUS-Online-Experte Robin Tschöpe" → "Robin Tschöpe": a compound first word holding
    the site's name is a role at the publisher, not a part of the name after it."""
    words = name.split()
    key = _key(words[0]) if len(words) >= 3 else ""
    if any(len(p) >= 4 and p in key and p != key for p in publishers):
        return " ".join(words[1:])
    return name


def publisher_key(text: str, publishers: frozenset[str], *, loose: bool = False) -> bool:
    """The text is a site name, or a part of one ("L-MAG – Das Magazin für Lesben"); with
    ``loose``, also a text that holds one ("St.Galler Tagblatt" for tagblatt.ch)."""
    key = _key(text)
    if not key:
        return False
    if key in publishers or (len(key) >= 6 and any(key in p for p in publishers)):
        return True
    return loose and any(len(p) >= 4 and p in key for p in publishers)


def first_people(
    sources: Iterable[Callable[[], list[str]]], publishers: frozenset[str]
) -> list[str]:
    """The people named by the first source that names one (publisher names dropped); the
    first non-empty list (a site or publisher name) when no source names a person."""
    fallback: list[str] = []
    for source in sources:
        found = source()
        persons = people(found, publishers)
        if persons:
            return persons
        fallback = fallback or found
    return fallback


def full_name(found: list[str], visible: Callable[[], list[str]]) -> list[str]:
    """A lone given name (a CMS display name: "Nils") → the full name that a visible byline
    gives ("Eine Kolumne von Nils Pickert"); any other list as it is."""
    if len(found) != 1 or len(found[0].split()) != 1:
        return found
    given = found[0].casefold()
    return [n for n in visible() if n.split()[0].casefold() == given][:1] or found
