"""Reading documents: binary content refused, encodings recognised."""

from __future__ import annotations

import pytest

from verifier.errors import DocumentError
from verifier.parse.reading import decode_text

TEXT = "Notes\n\n1. Ministry of Foreign Affairs, 'Press release', accessed 14 August 2022.\n"


@pytest.mark.parametrize(
    "data",
    [
        b"\x00\x01\x02binary",  # valid UTF-8, but no document holds NUL bytes
        b"\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00>\x00",
        bytes(range(1, 32)) * 20 + b"text",
    ],
    ids=["nul-bytes", "elf-header", "control-bytes"],
)
def test_binary_content_is_refused(data: bytes) -> None:
    with pytest.raises(DocumentError, match="binary file"):
        decode_text(data, "x.txt")


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_ascii_utf16_without_bom_is_not_taken_for_utf8(encoding: str) -> None:
    assert decode_text(TEXT.encode(encoding), "x.txt") == TEXT


# Windows-1252 and -1251 are detected statistically: tests/test_cli_ingest.py
# tries them on real documents, long enough to tell them apart.
@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16"])
def test_text_round_trips(encoding: str) -> None:
    text = TEXT + "Caf\u00e9 \u201cquoted\u201d \u2013 na\u00efve.\n" * 20
    assert decode_text(text.encode(encoding), "x.txt") == text
