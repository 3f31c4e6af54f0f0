"""Quality gate: crawling ten real blogs must not score below the floors.

Runs ``benchmarks/realsites.py --no-bare --json`` once (about a minute on 2 cores) over the
sites of ``../shared/realsites`` and compares its numbers with
``tests/fixtures/realsites_baseline.json``: per site, post recall; overall, post recall and
title/date/author accuracy (floors) and the share of items that are listing pages (a
ceiling). The metric definitions are in the benchmark's docstring. Floors are the measured
values minus 0.01; ``benchmarks/realsites.py --repin`` only ever tightens them.

Skipped when ``../shared/realsites`` is absent (a clone outside the project's workspace):
its pages may not be copied into this repo.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT

SHARED = ROOT.parent / "shared" / "realsites"
BASELINE = Path(__file__).parent / "fixtures" / "realsites_baseline.json"
BENCH = ROOT / "benchmarks" / "realsites.py"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.timeout(1200),
    pytest.mark.skipif(
        not (SHARED / "serve.py").exists() or not (SHARED / "sites").is_dir(),
        reason=f"{SHARED} is absent: the real-site gate needs ../shared/realsites",
    ),
]


def _baseline() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(BASELINE.read_text(encoding="utf-8"))
    return data


@pytest.fixture(scope="module")
def result(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    out = tmp_path_factory.mktemp("realsites") / "result.json"
    done = subprocess.run(
        [sys.executable, str(BENCH), "--no-bare", "--sites-dir", str(SHARED), "--json", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert out.exists(), done.stderr[-3000:]
    data: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    return data


def _site(result: dict[str, Any], name: str) -> dict[str, Any]:
    found = [s for s in result["sites"] if s["site"] == name]
    assert found, f"{name} was not measured"
    site: dict[str, Any] = found[0]
    return site


SITES = sorted(_baseline()["floors"]["sites"])
OVERALL_FLOORS = sorted(_baseline()["floors"]["overall"])
OVERALL_CEILINGS = sorted(_baseline()["ceilings"]["overall"])


def test_every_site_crawled(result: dict[str, Any]) -> None:
    measured = {s["site"] for s in result["sites"]}
    assert set(SITES) <= measured, f"sites not measured: {set(SITES) - measured}"
    failed = {s["site"]: s["errors"] for s in result["sites"] if s["errors"]}
    assert not failed, failed


@pytest.mark.parametrize("name", SITES)
def test_site_recall_not_below_floor(result: dict[str, Any], name: str) -> None:
    site = _site(result, name)
    floor = _baseline()["floors"]["sites"][name]["recall"]
    missed = site["score"]["missed"]
    assert site["recall"] is not None, f"{name}: no truth posts"
    assert site["recall"] >= floor, (
        f"{name} recall {site['recall']} < floor {floor}; missed: {missed[:10]}"
    )


@pytest.mark.parametrize("metric", OVERALL_FLOORS)
def test_overall_not_below_floor(result: dict[str, Any], metric: str) -> None:
    value, floor = result["overall"][metric], _baseline()["floors"]["overall"][metric]
    assert value is not None, f"{metric}: nothing to measure"
    assert value >= floor, f"{metric} dropped: {value} < floor {floor}"


@pytest.mark.parametrize("metric", OVERALL_CEILINGS)
def test_overall_not_above_ceiling(result: dict[str, Any], metric: str) -> None:
    value, ceiling = result["overall"][metric], _baseline()["ceilings"]["overall"][metric]
    listing = {s["site"]: s["score"]["listing_urls"][:5] for s in result["sites"]}
    assert value is not None, f"{metric}: no items at all"
    assert value <= ceiling, f"{metric} rose: {value} > ceiling {ceiling}; listing items: {listing}"
