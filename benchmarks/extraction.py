"""Score blogarchive's extractor next to trafilatura on the real-world corpus (issue 3).

    .venv/bin/python benchmarks/extraction.py                  # ../shared/corpus/realworld-dev
    .venv/bin/python benchmarks/extraction.py --corpus DIR     # any corpus with manifest.jsonl
    .venv/bin/python benchmarks/extraction.py --corpus tests/fixtures/eval --repin

Runs ``shared/tools/score_extraction.py`` once with both extractors
(``benchmarks/score_adapter.py:extract`` and the scorer's ``trafilatura`` alias), so both are timed
in the same run on the same machine, and prints its per-dataset tables plus a summary table:
body F1 (AEB definition) on the AEB and Readability pages, snippet F1 and author/title
accuracy on the trafilatura set, date accuracy and pages/s.

``--repin`` (with ``--corpus tests/fixtures/eval``) raises the quality-gate floors in
``tests/fixtures/eval/baseline.json`` to 0.005 under the new scores; it never lowers a floor.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
OURS = f"{ROOT / 'benchmarks' / 'score_adapter.py'}:extract"
BASELINE = ROOT / "tests" / "fixtures" / "eval" / "baseline.json"
MARGIN = 0.005
COLUMNS = (
    ("body F1 (AEB)", "aeb", "body", "f1"),
    ("body F1 (Readability)", "readability", "body", "f1"),
    ("snippet F1 (traf.)", "trafilatura", "snippets", "f1"),
    ("author (traf.)", "trafilatura", "author", "accuracy"),
    ("title (traf.)", "trafilatura", "title", "accuracy"),
    ("title (all)", "ALL", "title", "accuracy"),
    ("date (all)", "ALL", "date", "accuracy"),
    ("pages/s", "ALL", "speed", "pages_per_s"),
)
GATE_METRICS = {
    "body_f1": ("ALL", "body", "f1"),
    "snippet_f1": ("trafilatura", "snippets", "f1"),
    "author_accuracy": ("trafilatura", "author", "accuracy"),
    "title_accuracy": ("ALL", "title", "accuracy"),
}


def run_scorer(corpus: Path, scorer: Path, out: Path, extractors: list[str]) -> None:
    cmd = [sys.executable, str(scorer), str(corpus), "--json", str(out), "--quiet"]
    for name in extractors:
        cmd += ["--extractor", name]
    subprocess.run(cmd, cwd=ROOT, check=True)


def _get(summary: dict[str, Any], dataset: str, group: str, key: str) -> float | None:
    value = summary.get(dataset, {}).get(group, {}).get(key)
    return float(value) if isinstance(value, int | float) else None


def table(results: dict[str, Any]) -> str:
    names = {OURS: "blogarchive"}
    head = "| extractor | " + " | ".join(c[0] for c in COLUMNS) + " |"
    lines = [head, "|" + "---|" * (len(COLUMNS) + 1)]
    for name, res in results.items():
        cells = []
        for _, dataset, group, key in COLUMNS:
            value = _get(res["summary"], dataset, group, key)
            digits = 1 if key == "pages_per_s" else 3
            cells.append("-" if value is None else f"{value:.{digits}f}")
        label = f"{names.get(name, name)} {res.get('version') or ''}".strip()
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def repin(summary: dict[str, Any]) -> None:
    """Raise the gate floors to the new scores minus a margin; never lower one."""
    data = json.loads(BASELINE.read_text(encoding="utf-8"))
    for metric, (dataset, group, key) in GATE_METRICS.items():
        value = _get(summary, dataset, group, key)
        if value is None:
            continue
        data["measured"][metric] = round(value, 4)
        proposed = round(value - MARGIN, 3)
        old = data["floors"][metric]
        if proposed < old:
            print(f"{metric}: {value:.4f} is under the floor {old}: floor kept", file=sys.stderr)
        data["floors"][metric] = max(old, proposed)
    BASELINE.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    print(f"floors now {data['floors']}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=SHARED / "corpus" / "realworld-dev")
    parser.add_argument("--scorer", type=Path, default=SHARED / "tools" / "score_extraction.py")
    parser.add_argument("--only-ours", action="store_true", help="skip trafilatura")
    parser.add_argument("--repin", action="store_true", help="raise the gate floors (eval)")
    args = parser.parse_args(argv)
    if not (args.corpus / "manifest.jsonl").exists() or not args.scorer.exists():
        parser.error(f"need {args.corpus}/manifest.jsonl and {args.scorer} (../shared)")
    extractors = [OURS] if args.only_ours else [OURS, "trafilatura"]
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "scores.json"
        run_scorer(args.corpus.resolve(), args.scorer.resolve(), out, extractors)
        results = json.loads(out.read_text(encoding="utf-8"))["results"]
    print()
    print(table(results))
    if args.repin:
        repin(results[OURS]["summary"])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
