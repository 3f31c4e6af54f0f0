"""``verify --repair`` for damaged WARCs: move the file aside, keep its sound records in place.

A closed WARC with a damaged record (a flipped bit, a lost block) is moved whole into
``DATA/quarantine/`` and never deleted. A new file of the same name takes its place,
holding every sound record (and a note of what was moved out), so replay and the posts
whose captures survived keep working; their pointers (JSONL lines, the capture
history, the search index) follow the records to their new offsets. The posts whose
capture was damaged are forgotten by the capture history and the version history, so
the next crawl fetches them again and writes their version anew.
"""

from __future__ import annotations

import json
import logging
import os
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from archive.datadir import OPEN_SUFFIX, QUARANTINE_DIR, DataDir
from archive.records import PostRecord
from archive.repair import add_to_index
from archive.state.catalog import Catalog, item_row
from archive.state.catalog_scan import jsonl_items, warc_captures
from archive.state.history import History
from archive.warc import cdxj
from archive.warc.deflate import gzip_member
from archive.warc.reading import GZIP_MAGIC
from archive.warc.records import encode, metadata_record, warcinfo_record
from archive.warc.salvage import Salvage, Sound, salvage
from archive.warc.writer import warc_date

logger = logging.getLogger(__name__)


@dataclass
class Quarantined:
    """What became of one damaged WARC."""

    name: str
    """Its name relative to ``DATA/warc/`` (as pointers name it)."""
    moved_to: Path
    kept: int
    damaged: int
    refetch: list[str] = field(default_factory=list)
    """URLs whose capture was lost: the next crawl fetches them again."""
    moves: dict[int, int] = field(default_factory=dict, repr=False)
    """Old offset → new offset of each record kept."""

    def describe(self) -> str:
        return (
            f"quarantined {self.name} (damaged records) to {self.moved_to}: kept "
            f"{self.kept} sound records in place, {len(self.refetch)} post(s) to fetch again"
        )


def quarantine_damaged(layout: DataDir, candidates: list[Path] | None = None) -> list[Quarantined]:
    """Quarantine each closed record-gzipped WARC among ``candidates`` (by default every
    WARC of ``layout``; ``verify`` passes those it found problems in) that has damage."""
    done = []
    for path in layout.warc_files(live=False) if candidates is None else candidates:
        if path.name.endswith(OPEN_SUFFIX) or not path.is_file() or not _gzipped(path):
            continue  # an uncompressed file has no member boundaries to salvage by
        found = salvage(path)
        if found.damaged:
            done.append(_quarantine(layout, path, found))
    if done:
        _mend_pointers(layout, done)
    return done


def _gzipped(path: Path) -> bool:
    with path.open("rb") as stream:
        return stream.read(2) == GZIP_MAGIC


def _quarantine(layout: DataDir, path: Path, found: Salvage) -> Quarantined:
    name = path.relative_to(layout.warc_dir).as_posix()
    target = _free_name(layout.quarantine_dir / name)
    kept = found.kept()
    fresh = path.with_name(path.name + ".salvage")
    moves = _write_sound(path, fresh, kept, f"{QUARANTINE_DIR}/{target.name}", found)
    target.parent.mkdir(parents=True, exist_ok=True)
    path.rename(target)
    fresh.rename(path)
    _reindex_cdxj(path, target)
    logger.warning("quarantined damaged WARC %s to %s", name, target)
    return Quarantined(
        name=name, moved_to=target, kept=len(kept), damaged=len(found.damaged), moves=moves
    )


def _reindex_cdxj(path: Path, moved_to: Path) -> None:
    """The old CDXJ index goes with the file it describes; the new file gets its own."""
    old = cdxj.index_path(path)
    if old.exists():
        old.rename(cdxj.index_path(moved_to))
    cdxj.index_or_warn(path)


def _free_name(path: Path) -> Path:
    """``path``, or ``path.1``, ``path.2``… when a file of that name was quarantined before."""
    candidate, number = path, 0
    while candidate.exists():
        number += 1
        candidate = path.with_name(f"{path.name}.{number}")
    return candidate


def _write_sound(
    source: Path, fresh: Path, kept: list[Sound], where: str, found: Salvage
) -> dict[int, int]:
    moves: dict[int, int] = {}
    with source.open("rb") as reading, fresh.open("wb") as out:
        if not kept or kept[0].kind != "warcinfo":
            out.write(_warcinfo(source.name))
        for sound in kept:
            reading.seek(sound.offset)
            moves[sound.offset] = out.tell()
            out.write(reading.read(sound.length))
        out.write(_note(source.name, where, found))
        out.flush()
        os.fsync(out.fileno())
    return moves


def _warcinfo(filename: str) -> bytes:
    info = {"software": "blogarchive verify --repair", "description": "sound records salvaged"}
    record = warcinfo_record(filename, info, _record_id(), _now())
    return gzip_member(encode(record), 6)


def _note(filename: str, where: str, found: Salvage) -> bytes:
    """A metadata record saying what was moved out (WARC 1.1 asks to note such changes)."""
    stretches = ", ".join(f"{offset}+{length}" for offset, length in found.damaged)
    text = (
        "blogarchive-repair: damaged records quarantined\r\n"
        f"filename: {filename}\r\noriginal: {where}\r\ndamaged-bytes: {stretches}\r\n"
    ).encode()
    record = metadata_record("", text, _record_id(), _now(), "", "application/warc-fields")
    record.rec_headers.remove_header("WARC-Concurrent-To")
    return gzip_member(encode(record), 6)


def _record_id() -> str:
    return f"<urn:uuid:{uuid.uuid4()}>"


def _now() -> str:
    return warc_date(datetime.now(UTC))


def _mend_pointers(layout: DataDir, done: list[Quarantined]) -> None:
    moves = {q.name: q.moves for q in done}
    lost: dict[str, set[tuple[str, str | None]]] = {q.name: set() for q in done}
    moved_posts: list[PostRecord] = []
    rewritten: list[Path] = []
    for path in layout.jsonl_files():
        if not path.name.endswith(OPEN_SUFFIX):
            moved = _mend_jsonl(path, moves, lost)
            rewritten += [path] if moved else []
            moved_posts += moved
    history = History(layout.history_path) if layout.history_path.exists() else None
    if history is not None:
        try:
            for q in done:
                q.refetch = _forget(history, q.name, moves[q.name], lost[q.name])
            _mend_catalog(history, layout, done, rewritten)
        finally:
            history.close()
    else:
        for q in done:
            q.refetch = sorted({url for url, _ in lost[q.name]})
    _reindex(layout, moved_posts)


def _mend_jsonl(
    path: Path, moves: dict[str, dict[int, int]], lost: dict[str, set[tuple[str, str | None]]]
) -> list[PostRecord]:
    """Point lines at their records' new offsets (rewriting the file atomically); note the
    lines whose record was lost. Returns the posts whose pointer moved."""
    lines = path.read_bytes().splitlines(keepends=True)
    moved: list[PostRecord] = []
    changed = False
    for number, raw in enumerate(lines):
        try:
            item = json.loads(raw)
        except ValueError:
            continue
        ref = item.get("warc") if isinstance(item, dict) else None
        if not isinstance(ref, dict) or ref.get("filename") not in moves:
            continue
        new = moves[ref["filename"]].get(int(ref.get("offset", -1)))
        if new is None:
            lost[ref["filename"]].add((str(item.get("url")), ref.get("record_id")))
            continue
        if new != ref["offset"]:
            ref["offset"] = new
            lines[number] = (json.dumps(item, ensure_ascii=False) + "\n").encode()
            moved.append(PostRecord.from_dict(item))
            changed = True
    if changed:
        _replace(path, b"".join(lines))
    return moved


def _replace(path: Path, data: bytes) -> None:
    fresh = path.with_name(path.name + ".mending")
    with fresh.open("wb") as out:
        out.write(data)
        out.flush()
        os.fsync(out.fileno())
    fresh.replace(path)


def _forget(
    history: History, name: str, moves: dict[int, int], lost: set[tuple[str, str | None]]
) -> list[str]:
    """Move the capture history's pointers; forget lost captures and versions."""
    db = history.db
    refetch = {url for url, _ in lost}
    history.begin()
    try:
        rows = db.execute("SELECT url, offset FROM captures WHERE filename = ?", (name,))
        for url, offset in rows.fetchall():
            if offset in moves:
                db.execute("UPDATE captures SET offset = ? WHERE url = ?", (moves[offset], url))
            else:
                refetch.add(url)
        for url in refetch:
            db.execute("DELETE FROM captures WHERE url = ? AND filename = ?", (url, name))
            db.execute("DELETE FROM checks WHERE url = ?", (url,))
        for url, record_id in lost:
            db.execute("DELETE FROM versions WHERE url = ? AND record_id = ?", (url, record_id))
        history.commit()
    except BaseException:
        history.rollback()
        raise
    return sorted(refetch)


def _mend_catalog(
    history: History, layout: DataDir, done: list[Quarantined], rewritten: list[Path]
) -> None:
    """The catalog reads the salvaged WARCs' captures again, and moves the rows of the
    rewritten JSONL lines to their lines' and records' new offsets."""
    catalog = Catalog(history.db, layout.path)
    if not (catalog.complete() or catalog.unsummed()):  # (an unsummed one is only summed)
        return  # it is built from the files when next opened
    history.begin()
    try:
        for q in done:
            path = layout.warc_dir / q.name
            history.db.execute("DELETE FROM catalog_captures WHERE filename = ?", (path.name,))
            catalog.add_captures(warc_captures(path))
            catalog.file_done(path.name, path.stat().st_size)
        for path in rewritten:
            _move_rows(catalog, path)
        history.commit()
    except BaseException:
        history.rollback()
        raise


def _move_rows(catalog: Catalog, path: Path) -> None:
    source = catalog.source_name(path)
    for data, offset in jsonl_items(path):
        row = item_row(data, source, offset)
        if row is not None:
            catalog.db.execute(
                "UPDATE catalog_items SET source_offset = ?, warc_offset = ?"
                " WHERE url = ? AND version = ? AND source = ?",
                (offset, row[12], row[0], row[1], source),
            )


def _reindex(layout: DataDir, posts: list[PostRecord]) -> None:
    """Give the search index the moved pointers (adding replaces the same version)."""
    if posts and (layout.index_dir / "meta.json").exists():
        add_to_index(layout, posts, "re-pointed posts")
