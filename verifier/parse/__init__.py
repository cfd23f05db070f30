"""Parse stage: turn a document into a ``ParsedDocument``.

The format is chosen by the file's suffix, then by its content; ``--format``
overrides. Each format lives in its own module with a
``parse(source: Source) -> ParsedDocument`` function, imported on first use
so that ``verifier`` starts fast and a format's libraries load only when needed.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable
from pathlib import Path
from typing import cast

from verifier.errors import DocumentError, InputError
from verifier.parse.model import ParsedDocument
from verifier.parse.reading import Source, read_source

__all__ = ["FORMATS", "SUFFIXES", "detect_format", "parse_path", "parse_source"]

# format name -> module under verifier.parse
FORMATS: dict[str, str] = {
    "text": "plaintext",
    "markdown": "markdown",
    "html": "html",
    "docx": "docx",
    "pdf": "pdf",
    "wikitext": "wikitext",
}

SUFFIXES: dict[str, str] = {
    ".txt": "text",
    ".text": "text",
    ".rst": "text",
    ".rest": "text",
    ".md": "markdown",
    ".markdown": "markdown",
    ".mdown": "markdown",
    ".qmd": "markdown",
    ".rmd": "markdown",
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".docx": "docx",
    ".pdf": "pdf",
    ".wiki": "wikitext",
    ".wikitext": "wikitext",
    ".mediawiki": "wikitext",
}

_WIKITEXT_HINT = re.compile(r"<ref[ >]|\{\{\s*cite ", re.IGNORECASE)
_MARKDOWN_HINT = re.compile(r"^\[\^[^\]]+\]:|\]\(https?://|^#{1,6} ", re.MULTILINE)


def detect_format(source: Source) -> str:
    """The document's format from its suffix, else from its first bytes."""
    by_suffix = SUFFIXES.get(Path(source.path).suffix.lower())
    if by_suffix:
        return by_suffix
    head = source.data[:4096]
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"PK\x03\x04") and b"word/" in source.data[:65536]:
        return "docx"
    sniff = head.decode("utf-8", "replace").lstrip().lower()
    if sniff.startswith(("<!doctype html", "<html")) or "<body" in sniff:
        return "html"
    text = source.text[:200_000]
    if _WIKITEXT_HINT.search(text):
        return "wikitext"
    if _MARKDOWN_HINT.search(text):
        return "markdown"
    return "text"


def parser_for(format_name: str) -> Callable[[Source], ParsedDocument]:
    if format_name not in FORMATS:
        raise InputError(
            f"unknown format {format_name!r}; choose one of {', '.join(sorted(FORMATS))}"
        )
    module = importlib.import_module(f"verifier.parse.{FORMATS[format_name]}")
    return cast(Callable[[Source], ParsedDocument], module.parse)


def parse_source(source: Source, format_name: str | None = None) -> ParsedDocument:
    """Parse a document already read into memory."""
    fmt = format_name or detect_format(source)
    parsed = parser_for(fmt)(source)
    parsed.path = source.path
    parsed.format = fmt
    return parsed


def parse_path(
    path: Path, format_name: str | None = None, display: str | None = None
) -> tuple[ParsedDocument, Source]:
    """Read and parse one file; raises ``DocumentError`` naming the file."""
    source = read_source(path, display)
    try:
        return parse_source(source, format_name), source
    except DocumentError:
        raise
    except (ValueError, KeyError, IndexError, UnicodeError, OSError) as exc:
        raise DocumentError(
            source.path, f"cannot parse as {format_name or 'detected format'}: {exc}"
        ) from exc
