"""What changed between two versions of a post, as a reader sees it.

Fields (title, authors, dates, rating, tags) are compared as values; the body paragraph by
paragraph, and inside a changed paragraph word by word, so an added sentence shows as
added words, not as a rewritten page. Only extracted text is compared: markup never shows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from difflib import SequenceMatcher
from typing import Any, Literal

from archive.records import PostRecord

Op = Literal["same", "added", "removed"]
FIELDS = ("title", "authors", "published", "updated", "rating", "tags")


@dataclass(frozen=True)
class FieldChange:
    name: str
    old: Any
    new: Any


@dataclass(frozen=True)
class Span:
    """A run of words that both versions share, or that one of them adds."""

    op: Op
    text: str


@dataclass
class PostDiff:
    """Version ``old`` → ``new`` of one URL: its field changes and its changed paragraphs."""

    url: str
    old: int | None
    new: int | None
    fields: list[FieldChange] = field(default_factory=list)
    paragraphs: list[list[Span]] = field(default_factory=list)
    """Only the paragraphs that changed, each as spans in reading order."""

    @property
    def words(self) -> tuple[int, int]:
        """Words added and removed in the body."""
        added = sum(len(s.text.split()) for p in self.paragraphs for s in p if s.op == "added")
        removed = sum(len(s.text.split()) for p in self.paragraphs for s in p if s.op == "removed")
        return added, removed

    def summary(self) -> str:
        """One line: ``title, tags changed; body +12 -3 words`` (or ``no visible change``)."""
        parts = []
        if self.fields:
            parts.append(", ".join(change.name for change in self.fields) + " changed")
        added, removed = self.words
        if added or removed:
            parts.append(f"body +{added} -{removed} words")
        return "; ".join(parts) or "no visible change"

    def to_dict(self) -> dict[str, Any]:
        return {
            "url": self.url,
            "from_version": self.old,
            "to_version": self.new,
            "summary": self.summary(),
            "fields": [{"field": c.name, "old": c.old, "new": c.new} for c in self.fields],
            "body": [[{"op": s.op, "text": s.text} for s in p] for p in self.paragraphs],
        }


def diff_posts(old: PostRecord, new: PostRecord) -> PostDiff:
    """The changes from ``old`` to ``new`` (two versions of one post)."""
    result = PostDiff(url=new.url, old=old.version, new=new.version)
    for name in FIELDS:
        before, after = _value(old, name), _value(new, name)
        if before != after:
            result.fields.append(FieldChange(name, before, after))
    result.paragraphs = _body(_paragraphs(old.body), _paragraphs(new.body))
    return result


def _value(record: PostRecord, name: str) -> Any:
    value = getattr(record, name)
    if name == "rating":
        return None if value is None else value.to_dict()
    return list(value) if isinstance(value, tuple | list) else value


def _paragraphs(body: str) -> list[str]:
    return [" ".join(p.split()) for p in body.split("\n\n") if p.strip()]


def _body(old: list[str], new: list[str]) -> list[list[Span]]:
    changed: list[list[Span]] = []
    for tag, a1, a2, b1, b2 in SequenceMatcher(a=old, b=new, autojunk=False).get_opcodes():
        if tag == "equal":
            continue
        removed, added = old[a1:a2], new[b1:b2]
        # A paragraph replaced by one paragraph is an edit inside it: diff its words.
        if tag == "replace" and len(removed) == len(added):
            changed += [_words(a, b) for a, b in zip(removed, added, strict=True)]
            continue
        changed += [[Span("removed", p)] for p in removed]
        changed += [[Span("added", p)] for p in added]
    return changed


def _words(old: str, new: str) -> list[Span]:
    a, b = old.split(), new.split()
    spans: list[Span] = []
    for tag, a1, a2, b1, b2 in SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if tag == "equal":
            spans.append(Span("same", " ".join(a[a1:a2])))
            continue
        if a2 > a1:
            spans.append(Span("removed", " ".join(a[a1:a2])))
        if b2 > b1:
            spans.append(Span("added", " ".join(b[b1:b2])))
    return spans
