"""Reading a document from disk: size limit, binary detection, decoding."""

from __future__ import annotations

import codecs
import hashlib
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from charset_normalizer import from_bytes

from verifier.errors import DocumentError

# Documents larger than this are refused: no citation list needs more, and it
# keeps one bad input from exhausting memory.
MAX_DOCUMENT_BYTES = 50 * 1024 * 1024


@dataclass
class Source:
    """A document's bytes, with its text decoded on first use."""

    path: str
    data: bytes

    @cached_property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()

    @cached_property
    def text(self) -> str:
        return decode_text(self.data, self.path)


def read_source(path: Path, display: str | None = None) -> Source:
    """Read a document, refusing what cannot be one (with the reason)."""
    name = display or str(path)
    if not path.exists():
        raise DocumentError(name, "no such file")
    if path.is_dir():
        raise DocumentError(name, "is a folder, not a document")
    try:
        size = path.stat().st_size
        if size > MAX_DOCUMENT_BYTES:
            raise DocumentError(
                name,
                f"file is {size / 1e6:.0f} MB, over the {MAX_DOCUMENT_BYTES // 10**6} MB limit",
            )
        data = path.read_bytes()
    except OSError as exc:
        raise DocumentError(name, f"cannot read file ({exc.strerror or exc})") from exc
    if not data.strip():
        raise DocumentError(name, "file is empty")
    return Source(path=name, data=data)


_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def decode_text(data: bytes, path: str = "<document>") -> str:
    """Decode a text document: BOMs first; binary content refused and UTF-16
    without a BOM recognised (both before UTF-8, which accepts NUL bytes);
    then UTF-8; then detection (charset-normalizer: Windows-1252, -1251, ...)."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError as exc:
                raise DocumentError(path, f"invalid {encoding} text ({exc.reason})") from exc
    sample = data[:8192]
    if b"\x00" in sample:
        utf16 = _utf16_without_bom(sample)
        if utf16 is None:
            raise DocumentError(path, "binary file, not a text document")
        try:
            return data.decode(utf16)
        except UnicodeDecodeError as exc:
            raise DocumentError(path, f"invalid {utf16} text ({exc.reason})") from exc
    if _control_bytes(sample) > len(sample) * 0.05:
        raise DocumentError(path, "binary file, not a text document")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    best = from_bytes(data[:2_000_000]).best()
    if best is None:
        raise DocumentError(path, "cannot tell the text encoding (binary or undecodable file)")
    try:
        return data.decode(best.encoding)
    except (UnicodeDecodeError, LookupError) as exc:
        raise DocumentError(path, f"undecodable text (guessed {best.encoding})") from exc


def _utf16_without_bom(sample: bytes) -> str | None:
    """``utf-16-le``/``-be`` when the NUL bytes fall in every other byte, as
    they do for mostly-Latin text in UTF-16; else None (binary)."""
    even, odd = sample[0::2], sample[1::2]
    if odd.count(0) > len(odd) * 0.3 and even.count(0) < len(even) * 0.05:
        return "utf-16-le"
    if even.count(0) > len(even) * 0.3 and odd.count(0) < len(odd) * 0.05:
        return "utf-16-be"
    return None


def _control_bytes(sample: bytes) -> int:
    """Bytes that text never holds (all controls but tab, newlines, form feed)."""
    return sum(1 for b in sample if b < 9 or 13 < b < 32)
