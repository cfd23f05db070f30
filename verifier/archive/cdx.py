"""Reading Wayback CDX answers, in their JSON and plain-text forms.

The CDX server answers with one capture per line (text) or per row (JSON,
``output=json``), and, when asked with ``showResumeKey=true``, ends a page
that has more after it with a blank line (text) or an empty row ``[]``
(JSON) followed by the resume key to send as ``resumeKey`` for the next page.

Real listings are not clean (see tests/data/corpus/wayback/cdx/): a URL key
that swallowed a ``data:`` URI, an "original" that is not a URL, timestamps
with month or day ``00``, a length field followed by a page of HTML. The
parser keeps every well-formed capture and counts the lines it skipped, so
one bad line never loses a listing; an empty answer is an empty page.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field

__all__ = ["CdxCapture", "CdxPage", "parse_cdx", "parse_timestamp", "timestamp_of"]

# The default fields of a CDX line, in order (``fl`` not given).
DEFAULT_FIELDS = ("urlkey", "timestamp", "original", "mimetype", "statuscode", "digest", "length")
# The 11-field form of pywb/Heritrix CDX files (" CDX N b a m s k r M S V g").
_CDX11_FIELDS = (
    "urlkey",
    "timestamp",
    "original",
    "mimetype",
    "statuscode",
    "digest",
    "redirect",
    "meta",
    "length",
    "offset",
    "filename",
)
_TIMESTAMP = re.compile(r"^\d{4,14}$")
_STATUS = re.compile(r"^(\d{3}|-)$")


def parse_timestamp(timestamp: str) -> dt.datetime | None:
    """A Wayback timestamp (``YYYYMMDDhhmmss``, possibly shortened) as a
    naive UTC datetime; ``None`` when it is not a real date and time.

    A shortened timestamp means the start of that period, as the Wayback
    reads it ("2001" is 2001-01-01 00:00:00).
    """
    if not _TIMESTAMP.match(timestamp):
        return None
    padded = timestamp + "0101000000"[len(timestamp) - 4 :] if len(timestamp) < 14 else timestamp
    try:
        return dt.datetime.strptime(padded, "%Y%m%d%H%M%S")
    except ValueError:
        return None


def timestamp_of(when: dt.datetime) -> str:
    """The 14-digit Wayback timestamp of a (naive UTC) datetime."""
    return when.strftime("%Y%m%d%H%M%S")


@dataclass(frozen=True)
class CdxCapture:
    """One capture listed by a CDX server."""

    urlkey: str
    timestamp: str
    captured_at: dt.datetime
    original: str
    mimetype: str
    # The HTTP status the archived page answered with; ``None`` for "-"
    # (revisit records and captures whose status the archive did not keep).
    status: int | None
    digest: str
    length: int | None


@dataclass
class CdxPage:
    """One page of a CDX answer."""

    captures: list[CdxCapture] = field(default_factory=list)
    # The key that continues the listing; ``None`` on the last page.
    resume_key: str | None = None
    # How many lines were not captures (malformed, bad timestamp, ...).
    skipped: int = 0


def _capture(values: dict[str, str]) -> CdxCapture | None:
    """A capture from named CDX fields, or ``None`` when a field that the
    lookup depends on (timestamp, original URL, status) is unusable."""
    urlkey = values.get("urlkey", "")
    timestamp = values.get("timestamp", "")
    original = values.get("original", "")
    status = values.get("statuscode", "-") or "-"
    captured_at = parse_timestamp(timestamp)
    if captured_at is None or not urlkey:
        return None
    if not original.lower().startswith(("http://", "https://")):
        return None
    if not _STATUS.match(status):
        return None
    length = values.get("length", "-")
    return CdxCapture(
        urlkey=urlkey,
        timestamp=timestamp,
        captured_at=captured_at,
        original=original,
        mimetype=values.get("mimetype", "-"),
        status=None if status == "-" else int(status),
        digest=values.get("digest", "-"),
        length=int(length) if length.isdigit() else None,
    )


def _parse_json(text: str) -> CdxPage:
    page = CdxPage()
    try:
        rows = json.loads(text)
    except json.JSONDecodeError:
        # A JSON answer cut short: nothing in it can be trusted row by row.
        page.skipped = 1
        return page
    if not isinstance(rows, list) or not rows:
        return page
    header = rows[0]
    if not isinstance(header, list) or not all(isinstance(name, str) for name in header):
        page.skipped = len(rows)
        return page
    body = rows[1:]
    # showResumeKey: ..., [], ["<resume key>"]
    if len(body) >= 2 and body[-2] == [] and isinstance(body[-1], list) and len(body[-1]) == 1:
        page.resume_key = str(body[-1][0])
        body = body[:-2]
    for row in body:
        if not isinstance(row, list) or len(row) != len(header):
            page.skipped += 1
            continue
        capture = _capture({name: str(value) for name, value in zip(header, row, strict=True)})
        if capture is None:
            page.skipped += 1
        else:
            page.captures.append(capture)
    return page


def _parse_text(text: str) -> CdxPage:
    page = CdxPage()
    lines = text.splitlines()
    # showResumeKey: the last non-empty line, after a blank one, is the key.
    while lines and not lines[-1].strip():
        lines.pop()
    if len(lines) >= 2 and not lines[-2].strip() and len(lines[-1].split()) == 1:
        page.resume_key = lines[-1].strip()
        lines = lines[:-2]
    for line in lines:
        parts = line.split()
        if not parts or line.startswith(" CDX"):
            continue
        if len(parts) == len(_CDX11_FIELDS):
            names: tuple[str, ...] = _CDX11_FIELDS
        elif len(parts) >= len(DEFAULT_FIELDS):
            # A line with trailing junk (a body spilled into the listing)
            # keeps its leading fields; they are validated below.
            names = DEFAULT_FIELDS
        else:
            page.skipped += 1
            continue
        capture = _capture(dict(zip(names, parts, strict=False)))
        if capture is None:
            page.skipped += 1
        else:
            page.captures.append(capture)
    return page


def parse_cdx(body: str | bytes) -> CdxPage:
    """Parse one CDX answer (JSON or text, chosen by its first character)."""
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    stripped = text.lstrip()
    if not stripped:
        return CdxPage()
    if stripped.startswith("["):
        return _parse_json(stripped)
    return _parse_text(text)
