"""The inputs of issue 17 (items 3-5), one parsed per process: wall time and
peak RSS, for before/after figures.

    python bench/issue17_inputs.py CASE N

Run it against an older tree with that tree first on the path, e.g.
``git archive 6167a7a | tar -x -C /tmp/before`` then
``PYTHONPATH=/tmp/before .venv/bin/python bench/issue17_inputs.py sentence_q 20000``.
Cases: note_lt (a plain-text note of N "<" and a URL), html_lt (an HTML
note of N "&lt;" and a URL), sentence_q (a sentence with N "?"),
md_markers (one Markdown paragraph with N markers of one note),
md_distinct (one Markdown paragraph with N notes), wiki_nest
("{{a|[[b|{{c|" x N), wiki_ref ("<ref>" x N), docx_bomb_mib (a .docx whose
document and footnotes parts each hold N MiB of empty paragraphs).
"""

from __future__ import annotations

import io
import resource
import sys
import time
import zipfile

from verifier.errors import DocumentError
from verifier.parse import parse_source
from verifier.parse.reading import Source

W = b'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def docx_bomb(mib: int) -> bytes:
    empty = b"<w:p/>" * (mib * 1024 * 1024 // 6)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(
            "word/document.xml",
            b"<w:document " + W + b"><w:body>" + empty + b"</w:body></w:document>",
        )
        z.writestr(
            "word/footnotes.xml",
            b"<w:footnotes "
            + W
            + b'><w:footnote w:id="1">'
            + empty
            + b"</w:footnote></w:footnotes>",
        )
    return buffer.getvalue()


def build(case: str, n: int) -> tuple[str, bytes]:
    note = "A claim.1\n\nNotes\n\n1. "
    html = "<html><body><p>Claim.<sup><a href='#n1'>1</a></sup></p><ol><li id='n1'>"
    builders = {
        "note_lt": lambda: ("text", note + "<" * n + " http://example.com/a\n"),
        "html_lt": lambda: (
            "html",
            html + "&lt;" * n + " http://example.com/a</li></ol></body></html>",
        ),
        "sentence_q": lambda: (
            "text",
            "A claim " + "?" * n + "x ends here.1\n\nNotes\n\n1. http://example.com/a\n",
        ),
        "md_markers": lambda: (
            "markdown",
            "Claim " + "word[^1] " * n + "\n\n[^1]: http://example.com/x\n",
        ),
        "md_distinct": lambda: (
            "markdown",
            "Claim "
            + "".join(f"w{i}[^{i}] " for i in range(n))
            + "\n\n"
            + "".join(f"[^{i}]: http://example.com/{i}\n" for i in range(n)),
        ),
        "wiki_nest": lambda: ("wikitext", "{{a|[[b|{{c|" * n),
        "wiki_ref": lambda: ("wikitext", "<ref>" * n),
    }
    if case == "docx_bomb_mib":
        return "docx", docx_bomb(n)
    fmt, text = builders[case]()
    return fmt, text.encode()


def main(case: str, n: int) -> None:
    fmt, data = build(case, n)
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    try:
        doc = parse_source(Source(path=f"input.{fmt}", data=data), fmt)
        outcome = f"parsed, {len(doc.citations)} citations"
    except DocumentError as exc:
        outcome = f"refused: {exc.reason[:100]}"
    seconds = time.perf_counter() - started
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        f"{case} N={n} ({len(data)} bytes): {seconds:.2f} s, peak RSS {rss / 1024:.0f} MB "
        f"({rss_before / 1024:.0f} MB before parsing); {outcome}"
    )


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
