"""URL canonicalization: one address per page, so a post is fetched and archived once.

Pure functions on strings, no Scrapy. :func:`canonicalize` drops what never changes
the page: the fragment, tracking parameters (``utm_*``, ``fbclid``, ``gclid``...) and
platform view switches (Blogger's ``?m=1`` mobile copy and ``?showComment=``,
WordPress's ``?replytocom=``; see grab-site's ``ignore_sets/global``). It lowercases
the scheme and host and drops a default port, and keeps everything else as written:
the path's case, the order and escaping of the remaining query parameters.
"""

from __future__ import annotations

from urllib.parse import unquote_plus, urlsplit, urlunsplit

TRACKING_PREFIXES = ("utm_", "_hs", "mc_", "pk_", "mtm_")
"""Parameter-name prefixes of campaign trackers (Google, HubSpot, Mailchimp, Matomo)."""
TRACKING_PARAMS = frozenset(
    {
        "fbclid",
        "gclid",
        "gclsrc",
        "dclid",
        "gbraid",
        "wbraid",
        "msclkid",
        "yclid",
        "twclid",
        "igshid",
        "mkt_tok",
        "_ga",
        "_gl",
        "oly_anon_id",
        "oly_enc_id",
        "vero_id",
        "wickedid",
    }
)
"""Click identifiers and analytics parameters, matched case-insensitively."""
VIEW_PARAMS = frozenset({"showcomment", "replytocom", "share"})
"""Platform parameters that show the same post another way (comments, share buttons)."""
MOBILE_VALUES = frozenset({"0", "1"})
"""Blogger's ``m=1`` (mobile) and ``m=0`` (desktop) copies of a page."""
DEFAULT_PORTS = {"http": 80, "https": 443}


def canonicalize(url: str) -> str:
    """The canonical form of ``url``; an unparsable URL comes back stripped, unchanged."""
    url = url.strip()
    try:
        parts = urlsplit(url)
        netloc = _netloc(parts.scheme.lower(), parts.netloc)
    except ValueError:
        return url
    query = "&".join(p for p in parts.query.split("&") if p and not is_ignored_param(p))
    path = parts.path or ("/" if netloc else "")
    return urlunsplit((parts.scheme.lower(), netloc, path, query, ""))


def same_address(a: str, b: str) -> bool:
    """Whether two canonical URLs name one page: the scheme and letter case aside.

    The spider's test of a page's ``<link rel=canonical>``: a canonical URL that differs in
    anything else (even a trailing slash) is fetched, and the post archived there.
    """
    return a.split("://", 1)[-1].lower() == b.split("://", 1)[-1].lower()


def is_ignored_param(pair: str) -> bool:
    """Whether a ``name=value`` query pair never changes the page."""
    name, _, value = pair.partition("=")
    key = unquote_plus(name).strip().lower()
    if key in TRACKING_PARAMS or key in VIEW_PARAMS or key.startswith(TRACKING_PREFIXES):
        return True
    return key == "m" and value in MOBILE_VALUES


def _netloc(scheme: str, netloc: str) -> str:
    """Lowercase host, no default port; userinfo kept. Raises ValueError on a bad port."""
    userinfo, at, hostport = netloc.rpartition("@")
    host, port = _split_port(hostport)
    if port is not None and int(port) == DEFAULT_PORTS.get(scheme):
        port = None
    host = host.lower() + (f":{port}" if port is not None else "")
    return f"{userinfo}{at}{host}"


def _split_port(hostport: str) -> tuple[str, str | None]:
    """``host[:port]`` or ``[v6][:port]`` → (host, port digits or None)."""
    if hostport.startswith("["):
        end = hostport.find("]")
        if end < 0:
            raise ValueError(f"unbalanced IPv6 bracket in {hostport!r}")
        host, rest = hostport[: end + 1], hostport[end + 1 :]
    else:
        host, sep, port = hostport.rpartition(":")
        if not sep:
            return hostport, None
        rest = ":" + port
    port = rest[1:] if rest.startswith(":") else ""
    if rest and not rest.startswith(":"):
        raise ValueError(f"junk after host in {hostport!r}")
    if port and not port.isdigit():
        raise ValueError(f"bad port in {hostport!r}")
    return host, (port or None)
