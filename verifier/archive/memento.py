"""Memento (RFC 7089): Link headers, TimeMaps and ``Memento-Datetime``.

Every Memento archive (the Wayback, archive-it, the UK Web Archive,
Rhizome, archive.today) describes its copies the same way: a ``Link``
header or a link-format TimeMap body listing ``rel="memento"`` links with
a ``datetime``. Archives differ in details this parser tolerates: relation
lists such as ``"prev first memento"``, links in any order, and scheme-less
targets (``<//www.webarchive.org.uk/...>``) resolved against the answer's URL.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import re
from collections.abc import Collection
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from verifier.archive.client import ArchiveClient, CaptureResult

__all__ = [
    "Link",
    "Memento",
    "MementoSource",
    "mementos",
    "parse_http_date",
    "parse_links",
    "raw_memento_url",
]


@dataclass(frozen=True)
class Link:
    """One link of a Link header or link-format document."""

    uri: str
    rels: frozenset[str]
    params: dict[str, str] = field(default_factory=dict, hash=False, compare=False)

    @property
    def datetime(self) -> dt.datetime | None:
        value = self.params.get("datetime")
        return parse_http_date(value) if value else None


@dataclass(frozen=True)
class Memento:
    """An archived copy: where it is and when it was captured (naive UTC)."""

    uri: str
    captured_at: dt.datetime


def parse_http_date(value: str) -> dt.datetime | None:
    """An RFC 1123 date (``Memento-Datetime``, link ``datetime``) as naive
    UTC; ``None`` when it cannot be read. Non-GMT offsets are converted."""
    try:
        parsed = email.utils.parsedate_to_datetime(value.strip())
    except (TypeError, ValueError, IndexError):
        return None
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(dt.UTC).replace(tzinfo=None)
    return parsed


def _skip_space(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in " \t\r\n":
        pos += 1
    return pos


def _read_param_value(text: str, pos: int) -> tuple[str, int]:
    if pos < len(text) and text[pos] == '"':
        pos += 1
        chars: list[str] = []
        while pos < len(text) and text[pos] != '"':
            if text[pos] == "\\" and pos + 1 < len(text):
                pos += 1
            chars.append(text[pos])
            pos += 1
        return "".join(chars), pos + 1
    end = pos
    while end < len(text) and text[end] not in ";,":
        end += 1
    return text[pos:end].strip(), end


def parse_links(text: str, base: str | None = None) -> list[Link]:
    """Parse a Link header value or a link-format body.

    Commas inside ``<...>`` and quoted values do not split links; a link
    that cannot be read is skipped up to the next comma.
    """
    links: list[Link] = []
    pos = 0
    while pos < len(text):
        pos = _skip_space(text, pos)
        if pos >= len(text):
            break
        if text[pos] != "<":
            # Junk between links: skip to the next comma.
            nxt = text.find(",", pos)
            pos = len(text) if nxt < 0 else nxt + 1
            continue
        end = text.find(">", pos)
        if end < 0:
            break
        uri = text[pos + 1 : end].strip()
        pos = end + 1
        params: dict[str, str] = {}
        while True:
            pos = _skip_space(text, pos)
            if pos >= len(text) or text[pos] == ",":
                pos += 1
                break
            if text[pos] != ";":
                nxt = text.find(",", pos)
                pos = len(text) if nxt < 0 else nxt + 1
                break
            pos = _skip_space(text, pos + 1)
            eq = pos
            while eq < len(text) and text[eq] not in "=;,":
                eq += 1
            name = text[pos:eq].strip().lower()
            if eq < len(text) and text[eq] == "=":
                value, pos = _read_param_value(text, _skip_space(text, eq + 1))
            else:
                value, pos = "", eq
            if name and name not in params:
                params[name] = value
        if base is not None:
            uri = urljoin(base, uri)
        rels = frozenset(params.get("rel", "").lower().split())
        links.append(Link(uri=uri, rels=rels, params=params))
    return links


def mementos(links: list[Link]) -> list[Memento]:
    """The mementos among ``links`` (any relation list containing
    ``memento`` with a readable datetime), in capture order, each URI once."""
    found: dict[str, Memento] = {}
    for link in links:
        if "memento" not in link.rels:
            continue
        when = link.datetime
        if when is None or link.uri in found:
            continue
        found[link.uri] = Memento(uri=link.uri, captured_at=when)
    return sorted(found.values(), key=lambda m: m.captured_at)


# --- clients ---------------------------------------------------------------

# Wayback-software archives (the Wayback, archive-it, UKWA, pywb) serve a
# capture's original bytes when the timestamp carries ``id_``.
_WAYBACK_STYLE = re.compile(r"^(.*/)(\d{14})(/(?:https?:)?/.*)$", re.IGNORECASE)


def raw_memento_url(uri: str) -> str:
    """The address of a memento's archived bytes, without banner or rewriting,
    for Wayback-style archives; other archives' addresses are kept."""
    match = _WAYBACK_STYLE.match(uri)
    if match is None:
        return uri
    return f"{match.group(1)}{match.group(2)}id_{match.group(3)}"


class MementoSource:
    """An archive (or aggregator of archives) that speaks Memento: a TimeMap
    at ``<base>/timemap/link/<url>``, a TimeGate at ``<base>/timegate/<url>``."""

    def __init__(
        self,
        client: ArchiveClient,
        base: str,
        archive: str,
        *,
        timemap_path: str = "/timemap/link/",
        timegate_path: str = "/timegate/",
        skip_hosts: Collection[str] = (),
        raw: bool = True,
    ) -> None:
        self.client = client
        self.base = base.rstrip("/")
        self.archive = archive
        self.timemap_path = timemap_path
        self.timegate_path = timegate_path
        self.skip_hosts = {host.lower() for host in skip_hosts}
        self.raw = raw

    async def timemap(self, url: str) -> list[Memento]:
        """Every memento the source lists for ``url`` (none on 404), except
        those held by ``skip_hosts`` (``host[:port]`` of archives already
        asked directly)."""
        response = await self.client.get(self.archive, f"{self.base}{self.timemap_path}{url}")
        if response.status != 200:
            return []
        links = parse_links(response.body.decode("utf-8", "replace"), base=response.url)
        return [
            m
            for m in mementos(links)
            if urlsplit(m.uri).netloc.lower() not in self.skip_hosts
            and urlsplit(m.uri).scheme in ("http", "https")
        ]

    async def timegate(self, url: str, when: dt.datetime) -> Memento | None:
        """The memento the TimeGate picks for ``when`` (nearest, either side)."""
        response = await self.client.get(
            self.archive,
            f"{self.base}{self.timegate_path}{url}",
            headers={
                "Accept-Datetime": email.utils.format_datetime(
                    when.replace(tzinfo=dt.UTC), usegmt=True
                )
            },
        )
        location = response.location
        if not (300 <= response.status < 400 and location):
            return None
        target = urljoin(response.url, location)
        for link in parse_links(response.headers.get("link", ""), base=response.url):
            if "memento" in link.rels and link.uri == target and link.datetime is not None:
                return Memento(uri=target, captured_at=link.datetime)
        return Memento(uri=target, captured_at=when)

    async def fetch(self, memento: Memento) -> CaptureResult:
        """A memento's content, following redirects (at most
        ``settings.max_redirects``, never in a loop)."""
        current = raw_memento_url(memento.uri) if self.raw else memento.uri
        result = CaptureResult(archive=self.archive, requested_url=current)
        response, _, error = await self.client.follow(
            self.archive,
            current,
            lambda target: (
                None if urlsplit(target).scheme in ("http", "https") else f"redirected to {target}"
            ),
        )
        if response is None:
            result.error = error
            return result
        stamp = response.memento_datetime
        captured = parse_http_date(stamp) if stamp else memento.captured_at
        result.captured_at = captured
        result.status = response.status
        result.snapshot_url = memento.uri
        result.body = response.body
        result.content_type = response.headers.get("content-type")
        if response.status != 200:
            result.error = f"the archived page answered {response.status}"
        elif response.truncated:
            result.error = "the archived page is larger than the size cap"
        return result
