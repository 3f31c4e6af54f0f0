"""Render the sample blog into ``crawler/demo/site/``, the package data ``blogarchive demo`` serves.

    python -m tests.sites.render           # rewrite crawler/demo/site/
    python -m tests.sites.render --check   # exit 1 when the committed copy is out of date

The product ships the rendered files, not this generator; ``tests/test_demo_blogs.py`` fails
when the two drift apart. Pages are rendered for :data:`~crawler.demo.server.SAMPLE_ORIGIN`,
which the server swaps for its own origin.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import sys
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import unquote

from crawler.demo.server import SAMPLE_ORIGIN, SITE_DIR, Site
from tests.sites.blogs import demo_blog

MANIFEST = "manifest.json"
_EXTENSIONS = {"text/html": ".html", "xml": ".xml", "text/plain": ".txt"}


def file_name(target: str, content_type: str) -> str:
    """A readable, portable file name for a request target: ``/2019/03/`` →
    ``2019/03/index.html``, ``/search?updated-max=…`` → ``search_updated-max-….html``."""
    path, _, query = target.partition("?")
    ext = next((e for marker, e in _EXTENSIONS.items() if marker in content_type), "")
    stem = unquote(path).lstrip("/")
    if not stem or stem.endswith("/"):
        stem += "index"
    elif ext and stem.endswith(ext):
        stem = stem[: -len(ext)]
    if query:
        stem += "_" + unquote(query)
    # Only characters that every file system and wheel RECORD take as they are.
    return re.sub(r"[^A-Za-z0-9._/-]+", "-", stem) + ext


def rendered(site: Site | None = None) -> dict[str, bytes]:
    """Every file of the site directory (relative path → bytes), the manifest included."""
    site = demo_blog().resources(SAMPLE_ORIGIN + "/") if site is None else site
    files: dict[str, bytes] = {}
    manifest: dict[str, dict[str, str]] = {}
    for target, resource in sorted(site.items()):
        # The manifest keeps only a file and a type: anything else would be lost.
        assert resource.status == 200, target
        assert not resource.headers, target
        name = file_name(target, resource.content_type)
        assert name not in files, f"{target}: {name} taken"
        assert name != MANIFEST, target
        files[name] = resource.body
        manifest[target] = {"file": name, "type": resource.content_type}
    text = json.dumps(manifest, indent=1, sort_keys=True, ensure_ascii=False) + "\n"
    files[MANIFEST] = text.encode()
    return files


def on_disk(site_dir: Path) -> dict[str, bytes]:
    return {
        p.relative_to(site_dir).as_posix(): p.read_bytes()
        for p in sorted(site_dir.rglob("*"))
        if p.is_file()
    }


def stale(site_dir: Path = SITE_DIR) -> list[str]:
    """Files that differ from a fresh rendering, are missing or are left over."""
    want, have = rendered(), on_disk(site_dir) if site_dir.is_dir() else {}
    return sorted(name for name in want.keys() | have.keys() if want.get(name) != have.get(name))


def write(site_dir: Path = SITE_DIR) -> None:
    """Replace ``site_dir`` with a fresh rendering."""
    shutil.rmtree(site_dir, ignore_errors=True)
    for name, body in rendered().items():
        path = site_dir / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(body)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tests.sites.render", description=(__doc__ or "").split("\n")[0]
    )
    parser.add_argument("--check", action="store_true", help="only report stale files")
    args = parser.parse_args(argv)
    if args.check:
        names = stale()
        for name in names:
            print(f"stale: {SITE_DIR / name}")
        return 1 if names else 0
    write()
    print(f"rendered the sample blog into {SITE_DIR}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
