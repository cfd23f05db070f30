"""Scaling of every parser on pathological inputs (issue 17).

    python -m bench parsers        (``make bench`` runs every benchmark)

For each parser (plain text, Markdown, HTML, wikitext, Word, PDF text) and
each shape of input known to have made a parser quadratic or greedy (runs
of "<", "?", "." and "…", URL starts, 100,000 note markers, wikitext
constructs never closed, a .docx that decompresses to hundreds of
megabytes), the input is parsed at sizes n, 2n and 4n. The figure is the
time ratio per doubling (the square root of t(4n)/t(n), each the best of
three, in CPU time of this process so that the other work of a shared
machine counts less): a linear parser doubles, so the check is a ratio of
at most 2.5. Peak Python memory (tracemalloc) at 4n is given in bytes per
input byte. An input the parser refuses (DocumentError) is timed up to the
refusal: refusing must be linear too.
"""

from __future__ import annotations

import contextlib
import io
import sys
import time
import tracemalloc
import zipfile
from collections.abc import Callable

from verifier.errors import DocumentError
from verifier.parse import parse_source
from verifier.parse.reading import Source

MAX_RATIO = 2.5
_W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def _docx(body: str, footnotes: str = "") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("word/document.xml", f"<w:document {_W}><w:body>{body}</w:body></w:document>")
        if footnotes:
            z.writestr("word/footnotes.xml", f"<w:footnotes {_W}>{footnotes}</w:footnotes>")
    return buffer.getvalue()


def _note(n: int) -> str:
    return "".join(
        f'<w:p><w:r><w:t>Claim {i}.</w:t></w:r><w:r><w:footnoteReference w:id="{i}"/></w:r></w:p>'
        for i in range(2, n + 2)
    )


def _notes(n: int) -> str:
    return "".join(
        f'<w:footnote w:id="{i}"><w:p><w:r><w:t>See https://example.com/{i}</w:t></w:r></w:p>'
        "</w:footnote>"
        for i in range(2, n + 2)
    )


def _text_note(body: str) -> str:
    return f"A claim.1\n\nNotes\n\n1. {body} http://example.com/a\n"


def _text_sentence(run: str) -> str:
    return f"A claim {run}x ends here.1\n\nNotes\n\n1. http://example.com/a\n"


def _text_notes(n: int, glue: str) -> str:
    body = "".join(f"Claim number {i} holds{glue}{i}\n" for i in range(1, n + 1))
    notes = "".join(f"{i}. http://example.com/{i}\n" for i in range(1, n + 1))
    return body + "\nNotes\n\n" + notes


def _markdown_markers(n: int) -> str:
    return "Claim " + "word[^1] " * n + "\n\n[^1]: http://example.com/x\n"


def _markdown_paragraph_notes(n: int) -> str:
    body = "Claim " + "".join(f"w{i}[^{i}] " for i in range(n))
    return body + "\n\n" + "".join(f"[^{i}]: http://example.com/{i}\n" for i in range(n))


def _html_paragraph_notes(n: int) -> str:
    markers = "".join(f"w{i}<sup><a href='#n{i}'>{i}</a></sup> " for i in range(n))
    notes = "".join(f"<li id='n{i}'>http://example.com/{i}</li>" for i in range(n))
    return f"<html><body><p>Claim {markers}</p><ol>{notes}</ol></body></html>"


def _markdown_notes(n: int) -> str:
    body = "".join(f"Claim {i}.[^{i}] " for i in range(n))
    return body + "\n\n" + "".join(f"[^{i}]: http://example.com/{i}\n" for i in range(n))


def _html_note(body: str) -> str:
    return (
        "<html><body><p>Claim.<sup><a href='#n1'>1</a></sup></p><ol><li id='n1'>"
        f"{body} http://example.com/a</li></ol></body></html>"
    )


def _html_links(n: int) -> str:
    links = "".join(f"Claim {i} <a href='http://example.com/{i}'>link</a>. " for i in range(n))
    return f"<html><body><p>{links}</p></body></html>"


def _wiki_refs(n: int) -> str:
    return "".join(
        f"Claim {i}.<ref>{{{{cite web |url=http://example.com/{i} |title=T{i}}}}}</ref>\n"
        for i in range(n)
    )


Builder = Callable[[int], bytes]

# (format, shape, base n, builder n -> document bytes)
CASES: list[tuple[str, str, int, Builder]] = [
    ("text", "note of n '<'", 100_000, lambda n: _text_note("<" * n).encode()),
    ("text", "note of n '<http://'", 20_000, lambda n: _text_note("<http://" * n).encode()),
    ("text", "note of n 'http://a/'", 20_000, lambda n: _text_note("http://a/" * n).encode()),
    ("text", "sentence of n '?'", 100_000, lambda n: _text_sentence("?" * n).encode()),
    ("text", "sentence of n '.'", 100_000, lambda n: _text_sentence("." * n).encode()),
    ("text", "sentence of n '…'", 100_000, lambda n: _text_sentence("…" * n).encode()),
    ("text", "n numbered notes", 1_000, lambda n: _text_notes(n, ".").encode()),
    ("text", "n notes, markers after numbers", 1_000, lambda n: _text_notes(n, " 5.").encode()),
    ("markdown", "paragraph of n markers", 20_000, lambda n: _markdown_markers(n).encode()),
    (
        "markdown",
        "one paragraph of n notes",
        2_000,
        lambda n: _markdown_paragraph_notes(n).encode(),
    ),
    ("html", "one paragraph of n notes", 1_000, lambda n: _html_paragraph_notes(n).encode()),
    (
        "wikitext",
        "one paragraph of n refs",
        500,
        lambda n: _wiki_refs(n).replace("\n", " ").encode(),
    ),
    ("markdown", "n footnotes", 1_000, lambda n: _markdown_notes(n).encode()),
    ("html", "note of n '&lt;'", 100_000, lambda n: _html_note("&lt;" * n).encode()),
    ("html", "n links", 1_000, lambda n: _html_links(n).encode()),
    ("wikitext", "n refs", 500, lambda n: _wiki_refs(n).encode()),
    ("wikitext", "'{{a|[[b|{{c|' x n (refused)", 10_000, lambda n: ("{{a|[[b|{{c|" * n).encode()),
    ("wikitext", "'<ref>' x n (refused)", 25_000, lambda n: ("<ref>" * n).encode()),
    ("docx", "n footnotes", 500, lambda n: _docx(_note(n), _notes(n))),
    ("docx", "n empty paragraphs", 400_000, lambda n: _docx("<w:p/>" * n)),
]


def _time(fmt: str, data: bytes) -> tuple[float, str]:
    best = float("inf")
    outcome = "parsed"
    for _ in range(3):
        started = time.process_time()
        try:
            parse_source(Source(path=f"bench.{fmt}", data=data), fmt)
        except DocumentError:
            outcome = "refused"
        best = min(best, time.process_time() - started)
    return best, outcome


def _peak(fmt: str, data: bytes) -> int:
    tracemalloc.start()
    with contextlib.suppress(DocumentError):
        parse_source(Source(path=f"bench.{fmt}", data=data), fmt)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak


def main() -> dict[str, object]:
    rows: list[dict[str, object]] = []
    failed = 0
    for fmt, shape, n, build in CASES:
        small, large = build(n), build(4 * n)
        t1, outcome1 = _time(fmt, small)
        t4, outcome4 = _time(fmt, large)
        ratio = (t4 / max(t1, 1e-3)) ** 0.5
        peak = _peak(fmt, large)
        ok = ratio <= MAX_RATIO or t4 < 0.05  # below timer resolution
        failed += not ok
        row = {
            "parser": fmt,
            "shape": shape,
            "n": n,
            "bytes_4n": len(large),
            "cpu_seconds_n": round(t1, 4),
            "cpu_seconds_4n": round(t4, 4),
            "ratio_per_doubling": round(ratio, 2),
            "outcome": outcome4 if outcome1 == outcome4 else f"{outcome1}/{outcome4}",
            "peak_bytes_per_input_byte_4n": round(peak / len(large), 1),
            "ok": ok,
        }
        rows.append(row)
        print(
            f"{fmt:9} {shape:45} n={n:>9,} {t1:7.3f}s -> 4n {t4:7.3f}s  x{ratio:5.2f}/doubling  "
            f"{row['outcome']:8} {row['peak_bytes_per_input_byte_4n']:>7} B/B  "
            f"{'ok' if ok else 'SUPER-LINEAR'}",
            flush=True,
        )
    print(f"{len(rows) - failed}/{len(rows)} shapes scale within x{MAX_RATIO} per doubling")
    return {"max_ratio": MAX_RATIO, "failed": failed, "cases": rows}


if __name__ == "__main__":
    figures = main()
    sys.exit(1 if figures["failed"] else 0)
