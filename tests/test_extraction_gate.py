"""Quality gate: extraction scores on a 100-page real-world subset must not drop below the floors.

The pages, their human ground truth and licenses live in ``tests/fixtures/eval/`` (no
``../shared`` needed). The metrics are those of ``shared/tools/score_extraction.py``: AEB body
F1 over 4-gram shingles, pooled snippet F1, and normalised exact author/title matches.
Floors are in ``baseline.json``; ``--repin`` style updates must only ever raise them.
"""

from __future__ import annotations

import gzip
import json
import re
import statistics
import unicodedata
from collections import Counter
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from benchmarks.score_adapter import extract

EVAL = Path(__file__).parent / "fixtures" / "eval"
_TOKEN = re.compile(r"\w+")
_AUTHOR_SPLIT = re.compile(
    r"\s*(?:;|,|&|\band\b|\bund\b|\bet\b|\by\b|\bi\b|\boraz\b)\s*", re.IGNORECASE
)
_EDGE = "\"'“”„‘’«»()[]{}<>|,;:.-–—·•/\\ "


def _shingles(text: str, n: int = 4) -> Counter[tuple[str, ...]]:
    toks = _TOKEN.findall(text or "")
    if len(toks) < n:
        return Counter([tuple(toks)]) if toks else Counter()
    return Counter(tuple(toks[i : i + n]) for i in range(len(toks) - n + 1))


def _counts(true: str, pred: str) -> tuple[float, float, float]:
    t, p = _shingles(true), _shingles(pred)
    tp, fp, fn = sum((t & p).values()), sum((p - t).values()), sum((t - p).values())
    total = tp + fp + fn
    return (tp / total, fp / total, fn / total) if total else (0.0, 0.0, 0.0)


def aeb_f1(counts: list[tuple[float, float, float]]) -> float:
    def ratio(a: float, b: float, fp: float, fn: float) -> float:
        return 1.0 if fp == 0 and fn == 0 else (a / (a + b) if a + b else 0.0)

    ps = [ratio(tp, fp, fp, fn) for tp, fp, fn in counts if tp + fp > 0]
    rs = [ratio(tp, fn, fp, fn) for tp, fp, fn in counts if tp + fn > 0]
    p, r = (statistics.mean(ps) if ps else 0.0), (statistics.mean(rs) if rs else 0.0)
    return 2 * p * r / (p + r) if p + r else 0.0


def _ws(text: str | None) -> str:
    return re.sub(r"\s+", " ", text or "").strip()


def _norm(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold()
    return re.sub(r"\s+", " ", text).strip().strip(_EDGE)


def norm_author(value: str | None) -> frozenset[str]:
    text = re.sub(r"^by\b\s*:?\s*", "", _norm(value or ""))
    parts = (
        re.sub(r"^by\b\s*:?\s*", "", p.strip().strip(_EDGE)) for p in _AUTHOR_SPLIT.split(text)
    )
    return frozenset(p.strip(_EDGE) for p in parts if p.strip(_EDGE))


def _pages() -> list[dict[str, Any]]:
    lines = (EVAL / "manifest.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


@cache
def scores() -> dict[str, float]:
    body: list[tuple[float, float, float]] = []
    snip = Counter[str]()
    author, title = [], []
    for page in _pages():
        html = gzip.decompress((EVAL / page["html_file"]).read_bytes())
        pred = extract(html, page.get("url"))
        text = pred.get("body") or ""
        if page.get("expected_body_text") is not None:
            body.append(_counts(page["expected_body_text"], text))
        if page.get("expected_with") is not None:
            flat = _ws(text)
            hits = sum(1 for s in page["expected_with"] if flat and _ws(s) in flat)
            snip["tp"] += hits
            snip["fn"] += len(page["expected_with"]) - hits
            snip["fp"] += sum(1 for s in page["expected_without"] or [] if flat and _ws(s) in flat)
        if page.get("expected_author") and page["source_dataset"] == "trafilatura":
            gold = norm_author(page["expected_author"])
            author.append(bool(gold) and gold == norm_author(pred.get("author")))
        if page.get("expected_title"):
            gold_title = _norm(page["expected_title"])
            title.append(bool(gold_title) and gold_title == _norm(pred.get("title") or ""))
    return {
        "body_f1": aeb_f1(body),
        "snippet_f1": 2 * snip["tp"] / (2 * snip["tp"] + snip["fp"] + snip["fn"]),
        "author_accuracy": statistics.mean(author),
        "title_accuracy": statistics.mean(title),
    }


def test_subset_is_self_contained() -> None:
    pages = _pages()
    assert len(pages) >= 60
    assert all((EVAL / p["html_file"]).exists() for p in pages)
    assert {p["source_dataset"] for p in pages} == {"aeb", "readability", "trafilatura"}
    assert (EVAL / "LICENSES").is_dir()


@pytest.mark.parametrize("metric", ["body_f1", "snippet_f1", "author_accuracy", "title_accuracy"])
def test_score_not_below_floor(metric: str) -> None:
    floors = json.loads((EVAL / "baseline.json").read_text(encoding="utf-8"))["floors"]
    value = scores()[metric]
    assert value >= floors[metric], f"{metric} dropped: {value:.4f} < floor {floors[metric]:.4f}"
