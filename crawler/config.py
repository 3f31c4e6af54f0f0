"""``config/sites.toml``: the blogs to archive, validated with errors that name the spot."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import re
import tomllib
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from crawler.schedule.spec import parse_duration, parse_schedule

DEFAULT_CONFIG = Path("config/sites.toml")
_KEYS = {
    "name",
    "url",
    "schedule",
    "platform",
    "max_pages",
    "allowed_hosts",
    "paused",
    "delay",
    "concurrency",
    "robots",
    "revalidate_after",
    "asset_types",
}
DEFAULT_REVALIDATE_AFTER = timedelta(days=7)
ROBOTS_POLICIES = ("obey", "ignore")
# A content type or a prefix of one: "image/", "text/css", "video/mp4".
_MEDIA_TYPE = re.compile(r"^[a-z]+/[a-z0-9.+-]*$")
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


class ConfigError(ValueError):
    """The sites config is missing or invalid; the message names file, entry and value."""


@dataclass(frozen=True, kw_only=True)
class SiteConfig:
    """One ``[[sites]]`` entry."""

    name: str
    url: str
    schedule: str | None = None
    platform: str = "auto"
    max_pages: int | None = None
    allowed_hosts: list[str] = field(default_factory=list)
    """Hosts besides the blog's own that the crawl may visit (e.g. a CDN for posts)."""
    paused: bool = False
    """Paused sites are skipped by the scheduler and by ``crawl --all``."""
    delay: float | None = None
    """Minimum seconds between requests to this site (AutoThrottle never goes below)."""
    concurrency: int | None = None
    """Parallel requests to this site."""
    robots: str = "obey"
    """``obey`` robots.txt (default) or ``ignore`` it (only for your own blog)."""
    revalidate_after: timedelta = DEFAULT_REVALIDATE_AFTER
    """A known post is asked for again at least this often, whatever its sitemap or feed
    date says (``"7d"``, ``"12h"``; each post's own interval is between half and all of it)."""
    asset_types: list[str] | None = None
    """Content types (or prefixes: ``"image/"``) of the page requisites to archive; None
    keeps the ``ASSETS_TYPES`` setting (images and stylesheets)."""

    @property
    def digest(self) -> str:
        """Identifies the configuration a crawl ran with (recorded in each warcinfo)."""
        raw = json.dumps(dataclasses.asdict(self), sort_keys=True, default=str).encode("utf-8")
        return "sha1:" + hashlib.sha1(raw).hexdigest()

    @property
    def host(self) -> str:
        return urlsplit(self.url).hostname or ""


def site_name_for(url: str) -> str:
    """The site name of a blog given by URL alone: its host, with a port other than the
    scheme's and a path, so two blogs on one host (``host/a/`` and ``host/b/``, or two
    ports) are two sites with their own frontier, runs and files."""
    parts = urlsplit(url)
    name = parts.hostname or "site"
    default_port = {"http": 80, "https": 443}.get(parts.scheme)
    try:
        port = parts.port
    except ValueError:
        port = None  # parse_site names the bad port in its error
    if port is not None and port != default_port:
        name += f"-{port}"
    path = re.sub(r"[^A-Za-z0-9._-]+", "-", parts.path).strip("-.")
    return f"{name}-{path}" if path else name


def resolve_site(
    site: str | SiteConfig | None, url: str | None, config: str | None, platform: str | None
) -> SiteConfig:
    """The site to crawl, from a config entry, a config name or a bare URL."""
    if isinstance(site, SiteConfig):
        return site
    if site and url:
        raise ValueError("give either site=NAME or url=URL, not both")
    if url:
        entry = {"name": site_name_for(url), "url": url, "platform": platform or "auto"}
        return parse_site(entry, where=f"url={url!r}")
    if not site:
        raise ValueError("the blog spider needs -a site=NAME or -a url=URL")
    try:
        sites = load_sites(config)
    except ConfigError as exc:
        raise ValueError(str(exc)) from None
    if site not in sites:
        raise ValueError(f"unknown site {site!r}; known: {', '.join(sorted(sites)) or 'none'}")
    return sites[site]


def resolve_config_path(path: str | os.PathLike[str] | None) -> Path:
    """``--config``, else ``$BLOGARCHIVE_CONFIG``, else ``config/sites.toml``."""
    if path:
        return Path(path)
    return Path(os.environ.get("BLOGARCHIVE_CONFIG") or DEFAULT_CONFIG)


def load_sites(path: str | os.PathLike[str] | None = None) -> dict[str, SiteConfig]:
    """Read and validate the config; raises :class:`ConfigError`."""
    source = resolve_config_path(path)
    try:
        data = tomllib.loads(source.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{source}: config file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{source}: cannot read config: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{source}: invalid TOML: {exc}") from None
    unknown = sorted(set(data) - {"sites"})
    if unknown:
        # A "[[site]]" typo would otherwise mean a config of zero sites, silently.
        raise ConfigError(f"{source}: unknown table or key {unknown[0]!r} (expected [[sites]])")
    entries = data.get("sites", [])
    if not isinstance(entries, list):
        raise ConfigError(f"{source}: 'sites' must be an array of tables ([[sites]])")
    sites: dict[str, SiteConfig] = {}
    for number, entry in enumerate(entries, 1):
        site = parse_site(entry, where=f"{source}: sites[{number}]")
        if site.name in sites:
            raise ConfigError(f"{source}: sites[{number}]: name: duplicate name {site.name!r}")
        sites[site.name] = site
    return sites


def parse_site(entry: Any, *, where: str) -> SiteConfig:
    """Validate one entry; ``where`` prefixes every error message."""
    if not isinstance(entry, dict):
        raise ConfigError(f"{where}: expected a table, got {entry!r}")
    name = entry.get("name")
    if isinstance(name, str):
        where = f"{where} ({name})"
    unknown = sorted(set(entry) - _KEYS)
    if unknown:
        raise ConfigError(
            f"{where}: unknown key {unknown[0]!r} (known: {', '.join(sorted(_KEYS))})"
        )
    return SiteConfig(
        name=_check_name(name, where),
        url=_check_url(entry.get("url"), where),
        schedule=_check_schedule(entry.get("schedule"), where),
        platform=_check_platform(entry.get("platform", "auto"), where),
        max_pages=_check_max_pages(entry.get("max_pages"), where),
        allowed_hosts=_check_hosts(entry.get("allowed_hosts", []), where),
        paused=_check_bool(entry.get("paused", False), where, "paused"),
        delay=_check_number(entry.get("delay"), where, "delay"),
        concurrency=_check_positive_int(entry.get("concurrency"), where, "concurrency"),
        robots=_check_choice(entry.get("robots", "obey"), where, "robots", ROBOTS_POLICIES),
        revalidate_after=_check_duration(entry.get("revalidate_after"), where),
        asset_types=_check_types(entry.get("asset_types"), where),
    )


def _check_name(value: Any, where: str) -> str:
    if not isinstance(value, str) or not _NAME.match(value):
        raise ConfigError(
            f"{where}: name: {value!r} is not a valid name "
            "(required; letters, digits, '.', '_' and '-')"
        )
    return value


def _check_url(value: Any, where: str) -> str:
    parts = urlsplit(value) if isinstance(value, str) else None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(f"{where}: url: {value!r} is not an http(s) URL (required)")
    try:
        port = parts.port
    except ValueError:  # out of range, or not a number
        port = -1
    if port is not None and not 0 < port <= 65535:
        raise ConfigError(f"{where}: url: {value!r}: the port must be 1 to 65535")
    return str(value)


def _check_schedule(value: Any, where: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ConfigError(f"{where}: schedule: {value!r} must be a string")
    try:
        parse_schedule(value)
    except ValueError as exc:
        raise ConfigError(f"{where}: schedule: {value!r}: {exc}") from None
    return value


def platforms() -> tuple[str, ...]:
    """``auto`` and every platform that has a page object (:mod:`crawler.parsers.platforms`).

    Imported on first use, not with this module: the parsers take half a second to import,
    and the commands that read a config without crawling (``schedule``, ``enqueue``) need
    them only to check a platform the config names.
    """
    from crawler.parsers.platforms import PLATFORMS

    return ("auto", *PLATFORMS)


def _check_platform(value: Any, where: str) -> str:
    if value == "auto":
        return "auto"
    names = platforms()
    if value not in names:
        raise ConfigError(f"{where}: platform: {value!r} is not one of {', '.join(names)}")
    return str(value)


def _check_duration(value: Any, where: str) -> timedelta:
    if value is None:
        return DEFAULT_REVALIDATE_AFTER
    try:
        if isinstance(value, str):
            return parse_duration(value)
    except ValueError as exc:
        raise ConfigError(f"{where}: revalidate_after: {value!r}: {exc}") from None
    raise ConfigError(f"{where}: revalidate_after: {value!r} must be a duration such as '7d'")


def _check_max_pages(value: Any, where: str) -> int | None:
    return _check_positive_int(value, where, "max_pages")


def _check_positive_int(value: Any, where: str, key: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ConfigError(f"{where}: {key}: {value!r} must be a positive integer")
    return value


MAX_DELAY = 3600.0


def _check_number(value: Any, where: str, key: str) -> float | None:
    if value is None:
        return None
    # NaN fails every comparison, so the range test below also refuses it (and inf).
    number = value if isinstance(value, int | float) and not isinstance(value, bool) else -1
    if not 0 <= number <= MAX_DELAY:
        raise ConfigError(
            f"{where}: {key}: {value!r} must be a number of seconds from 0 to {MAX_DELAY:g}"
        )
    return float(number)


def _check_choice(value: Any, where: str, key: str, choices: tuple[str, ...]) -> str:
    if value not in choices:
        raise ConfigError(f"{where}: {key}: {value!r} is not one of {', '.join(choices)}")
    return str(value)


def _check_hosts(value: Any, where: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(h, str) and h for h in value):
        raise ConfigError(f"{where}: allowed_hosts: {value!r} must be a list of host names")
    return list(value)


def _check_types(value: Any, where: str) -> list[str] | None:
    if value is None:
        return None
    if not isinstance(value, list) or not all(
        isinstance(t, str) and _MEDIA_TYPE.match(t.lower()) for t in value
    ):
        raise ConfigError(
            f"{where}: asset_types: {value!r} must be a list of content types or prefixes "
            "such as 'image/' or 'text/css'"
        )
    return [t.lower() for t in value]


def _check_bool(value: Any, where: str, key: str) -> bool:
    if not isinstance(value, bool):
        raise ConfigError(f"{where}: {key}: {value!r} must be true or false")
    return value
