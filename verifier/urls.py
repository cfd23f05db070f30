"""URL normalisation: one row in ``urls`` per URL however it is written."""

from __future__ import annotations

import contextlib
import functools
import hashlib
import ipaddress
from urllib.parse import SplitResult, quote, urlsplit, urlunsplit

_DEFAULT_PORTS = {"http": 80, "https": 443}
# Characters left as they are when re-quoting a path or query.
_SAFE_PATH = "/:@!$&'()*+,;=-._~%"
_SAFE_QUERY = _SAFE_PATH + "?"


def split(url: str) -> SplitResult:
    return urlsplit(url.strip())


def ip_literal(host: str) -> str | None:
    """The canonical spelling of an IPv6 address literal (``host`` with or
    without its brackets, a ``%zone`` kept), or ``None`` for a host name or
    an IPv4 address. An IPv4-mapped address keeps its dotted form
    (``::ffff:127.0.0.1``), whatever the Python version prints."""
    bare = host.strip().removeprefix("[").removesuffix("]")
    address, percent, zone = bare.partition("%")
    try:
        parsed = ipaddress.IPv6Address(address)
    except ValueError:
        return None
    mapped = parsed.ipv4_mapped
    text = f"::ffff:{mapped}" if mapped is not None else parsed.compressed
    # In a URL the zone's "%" is written "%25" (RFC 6874).
    return text + (f"%25{zone.removeprefix('25')}" if percent else "")


def host_of(url: str) -> str:
    """The lower-case host name of a URL ("" when it has none)."""
    try:
        return (split(url).hostname or "").lower()
    except ValueError:
        return ""


# Pure, and the same URLs recur across an archive's documents: remember the
# most recent ones (urllib's parsing is most of a document's store time).
@functools.lru_cache(maxsize=65536)
def normalize_url(url: str) -> str:
    """The canonical form used to deduplicate URLs across documents.

    Lower-cases scheme and host, drops default ports and the fragment (a
    fragment is never sent to the server), decodes the host from IDNA-safe
    forms and percent-encodes paths consistently. An IPv6 literal keeps its
    brackets, in its shortest spelling (``[2001:DB8:0::1]`` is
    ``[2001:db8::1]``). The path's case and the query's order are kept:
    servers may treat them as significant.
    """
    url = url.strip()
    try:
        parts = split(url)
        scheme = parts.scheme.lower()
        host = (parts.hostname or "").lower().rstrip(".")
        port = parts.port
    except ValueError:
        return url
    if scheme not in _DEFAULT_PORTS or not host:
        return url
    literal = ip_literal(host) if ":" in host else None
    if literal is None and "[" in parts.netloc:
        # IPvFuture or a broken literal: left as written (``invalid_url``).
        return url
    if literal is not None:
        host = f"[{literal}]"
    else:
        with contextlib.suppress(UnicodeError):
            host = host.encode("idna").decode("ascii")
    netloc = host
    if parts.username:
        netloc = f"{parts.username}{':' + parts.password if parts.password else ''}@{netloc}"
    if port is not None and port != _DEFAULT_PORTS[scheme]:
        netloc = f"{netloc}:{port}"
    # Existing %-escapes are kept as written (decoding %26 in a query would
    # change its meaning); only characters that must be escaped are.
    path = quote(parts.path, safe=_SAFE_PATH) or "/"
    query = quote(parts.query, safe=_SAFE_QUERY + "[]") if parts.query else ""
    return urlunsplit((scheme, netloc, path, query, ""))


def url_hash(normalized: str) -> str:
    return hashlib.sha256(normalized.encode("utf-8")).hexdigest()
