"""Reading a body: Content-Encoding decoded here, with a cap on the output.

gzip, deflate and brotli are decoded with an output limit, so a compression
bomb stops at the cap (``TooLarge``) instead of filling memory; the body is
read only as far as the status needs (:func:`read_body`).
"""

from __future__ import annotations

import zlib
from typing import Any

import httpx

from verifier.fetch.content import is_pdf

__all__ = ["ERROR_BODY_BYTES", "BodyDecoder", "TooLarge", "is_textual", "read_body"]

# Bytes of an error answer read to recognise a bot wall.
ERROR_BODY_BYTES = 256 * 1024
_TEXT_TYPES = ("text/", "html", "xml", "json", "pdf", "application/octet-stream")


def is_textual(content_type: str | None) -> bool:
    """Whether a body of this type is read (text, HTML, PDF, or no type said)."""
    if not content_type:
        return True
    kind = content_type.split(";")[0].strip().lower()
    return any(marker in kind for marker in _TEXT_TYPES)


class TooLarge(Exception):
    """The body is over its cap (after decompression)."""


class BodyDecoder:
    """Content-Encoding decoding with a limit on the output, so that a
    compression bomb never expands past ``limit`` bytes in memory."""

    def __init__(self, encoding: str, limit: int) -> None:
        self.limit = limit
        self.size = 0
        self.parts: list[bytes] = []
        encoding = encoding.strip().lower()
        self.mode = {"gzip": "zlib", "x-gzip": "zlib", "deflate": "deflate", "br": "br"}.get(
            encoding, "identity"
        )
        self._zlib: Any = None
        self._brotli: Any = None
        if self.mode == "zlib":
            self._zlib = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif self.mode == "deflate":
            self._zlib = zlib.decompressobj()
        elif self.mode == "br":
            import brotli

            self._brotli = brotli.Decompressor()
        self._first = True

    def _add(self, data: bytes) -> None:
        if data:
            self.size += len(data)
            self.parts.append(data)
            if self.size > self.limit:
                raise TooLarge

    def feed(self, chunk: bytes) -> None:
        if self.mode == "identity":
            self._add(chunk)
        elif self._zlib is not None:
            try:
                data = self._zlib.decompress(chunk, self.limit - self.size + 1)
            except zlib.error:
                if self.mode == "deflate" and self._first:
                    # Some servers send raw deflate without the zlib header.
                    self._zlib = zlib.decompressobj(-zlib.MAX_WBITS)
                    data = self._zlib.decompress(chunk, self.limit - self.size + 1)
                else:
                    raise
            self._first = False
            self._add(data)
            while self._zlib.unconsumed_tail:
                self._add(
                    self._zlib.decompress(self._zlib.unconsumed_tail, self.limit - self.size + 1)
                )
        else:
            self._add(self._brotli.process(chunk, output_buffer_limit=self.limit - self.size + 1))
            while not self._brotli.can_accept_more_data():
                self._add(self._brotli.process(b"", output_buffer_limit=self.limit - self.size + 1))

    def body(self) -> bytes:
        return b"".join(self.parts)


async def read_body(response: httpx.Response, max_bytes: int) -> tuple[bytes, str | None]:
    """The body as far as the status needs it, and the content type.

    A 2xx answer of a textual type is read up to ``max_bytes`` (decompressed;
    beyond it ``TooLarge``); other 2xx answers are not read; an error answer
    is read up to ``ERROR_BODY_BYTES`` (enough to recognise a bot wall).
    """
    content_type = response.headers.get("content-type")
    ok = 200 <= response.status_code < 300
    if ok and not is_textual(content_type):
        return b"", content_type
    limit = max_bytes if ok else ERROR_BODY_BYTES
    declared = response.headers.get("content-length", "")
    encoding = response.headers.get("content-encoding", "identity")
    if ok and declared.isdigit() and int(declared) > limit and encoding == "identity":
        raise TooLarge
    decoder = BodyDecoder(encoding, limit)
    try:
        async for chunk in response.aiter_raw():
            decoder.feed(chunk)
    except TooLarge:
        if ok:
            raise
    body = decoder.body()
    if not ok:
        body = body[:limit]
    if ok and content_type is None and is_pdf(body, None):
        content_type = "application/pdf"
    return body, content_type
