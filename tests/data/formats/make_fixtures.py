# ruff: noqa: E501  (OOXML and ODF literals keep one element per line)
"""Regenerate the format fixtures in this folder (not run by the tests).

    /work/venv/bin/python tests/data/formats/make_fixtures.py

Needs reportlab (a dev-only tool) and, for ``notes-libreoffice.pdf``,
LibreOffice's ``soffice`` on the PATH. The outputs are committed so that
the tests need neither.

- ``notes.docx``: footnotes and endnotes written by hand in OOXML, the way
  Word stores them: separator notes (ids -1 and 0 in footnotes, 0 and 1 in
  endnotes, as Word and LibreOffice each write them), a URL typed in a note
  but split over three runs, a URL present only as a hyperlink relationship
  target, an "Ibid.", a body hyperlink and a HYPERLINK field.
- ``truncated.docx``: the first 60% of ``notes.docx``'s bytes.
- ``libreoffice.fodt`` (a flat OpenDocument text written here) converted by
  LibreOffice to ``notes-libreoffice.pdf`` (footnotes at the page foot,
  endnotes at the end, link annotations, running head and page numbers)
  and to ``notes-libreoffice.docx`` (footnotes as Word files from
  LibreOffice store them: separators with ids 0 and 1).
- ``article.pdf``: a three-page article typeset with reportlab: running head
  and page numbers on every page, words hyphenated at line ends, a page
  footnote, a link annotation whose URL is not in the text, a "Notes"
  section with a URL wrapped over two lines.
- ``scanned.pdf``: a page of drawn shapes, no text layer.
- ``encrypted.pdf``: ``article.pdf`` encrypted with a user password.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import tempfile
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

HERE = Path(__file__).resolve().parent

W_NS = (
    'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
)


def run(text: str) -> str:
    return f'<w:r><w:t xml:space="preserve">{escape(text)}</w:t></w:r>'


def note_ref(kind: str, note_id: int) -> str:
    style = "FootnoteReference" if kind == "footnote" else "EndnoteReference"
    return (
        f'<w:r><w:rPr><w:rStyle w:val="{style}"/></w:rPr>'
        f'<w:{kind}Reference w:id="{note_id}"/></w:r>'
    )


def para(*parts: str) -> str:
    return "<w:p>" + "".join(parts) + "</w:p>"


DOCUMENT = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document {W_NS}><w:body>
{para(run("Transport links in Central Asia"))}
{
    para(
        run(
            "The ministry described the corridor as “a new artery for regional trade” in its 2021 report."
        ),
        note_ref("footnote", 1),
        run(" Officials expected traffic to double by 2030."),
    )
}
{
    para(
        run("The annual report counts "),
        run("forty-two"),
        run(" projects under construction."),
        note_ref("footnote", 2),
        run(" Most of them are railways."),
        note_ref("footnote", 3),
    )
}
{
    para(
        run("Critics called the figures “optimistic at best” and asked for an audit."),
        note_ref("endnote", 2),
        run(" The audit office has not replied."),
        note_ref("endnote", 3),
    )
}
{
    para(
        run("Background on the corridor is on the "),
        '<w:hyperlink r:id="rIdBodyLink"><w:r><w:t>programme website</w:t></w:r></w:hyperlink>',
        run(" and in the "),
        '<w:r><w:fldChar w:fldCharType="begin"/></w:r>',
        '<w:r><w:instrText xml:space="preserve"> HYPERLINK "https://www.example.org/</w:instrText></w:r>',
        '<w:r><w:instrText xml:space="preserve">atlas/corridors" </w:instrText></w:r>',
        '<w:r><w:fldChar w:fldCharType="separate"/></w:r>',
        run("corridor atlas"),
        '<w:r><w:fldChar w:fldCharType="end"/></w:r>',
        run("."),
    )
}
{para(run("According to the Asian Development Bank, freight volumes rose by a third."))}
<w:sectPr><w:headerReference w:type="default" r:id="rIdHeader"/>
<w:footerReference w:type="default" r:id="rIdFooter"/></w:sectPr>
</w:body></w:document>
"""

SEPARATORS = """<w:{kind} w:type="separator" w:id="{a}"><w:p><w:r><w:separator/></w:r></w:p></w:{kind}>
<w:{kind} w:type="continuationSeparator" w:id="{b}"><w:p><w:r><w:continuationSeparator/></w:r></w:p></w:{kind}>"""


def note(kind: str, note_id: int, *paragraphs: str) -> str:
    return f'<w:{kind} w:id="{note_id}">' + "".join(paragraphs) + f"</w:{kind}>"


FOOTNOTES = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:footnotes {W_NS}>
{SEPARATORS.format(kind="footnote", a=-1, b=0)}
{
    note(
        "footnote",
        1,
        para(
            note_ref("footnote", 1),
            run(
                " Ministry of Transport, ‘Corridor Development Report 2021’, 3 March 2021, https://www.exam"
            ),
            run("ple.org/reports/corri"),
            run("dor-2021.pdf, accessed 14 August 2022."),
        ),
    )
}
{
    note(
        "footnote",
        2,
        para(
            note_ref("footnote", 2),
            run(" Asian Development Bank, "),
            '<w:hyperlink r:id="rIdAdb"><w:r><w:t>“Regional Rail Projects Outlook”</w:t></w:r></w:hyperlink>',
            run(", 12 May 2021."),
        ),
        para(run("The outlook lists projects by country.")),
    )
}
{note("footnote", 3, para(note_ref("footnote", 3), run(" Ibid.")))}
</w:footnotes>
"""

ENDNOTES = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:endnotes {W_NS}>
{SEPARATORS.format(kind="endnote", a=0, b=1)}
{
    note(
        "endnote",
        2,
        para(
            note_ref("endnote", 2),
            run(" Jane Doe, “Optimism in Transport Forecasts”, The Example Times, 2 June 2021,"),
            run(" <https://news.example.com/2021/06/02/optimism> (retrieved 5 May 2022)."),
        ),
    )
}
{
    note(
        "endnote",
        3,
        para(
            note_ref("endnote", 3),
            run(" A. Smith, Audit Offices in Central Asia (London: Example Press, 2019), p. 12."),
        ),
    )
}
</w:endnotes>
"""

HEADER = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:hdr {W_NS}>{para(run("Verifier test document: running head"))}</w:hdr>"""
FOOTER = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:ftr {W_NS}><w:p><w:fldSimple w:instr=" PAGE "><w:r><w:t>1</w:t></w:r></w:fldSimple></w:p></w:ftr>"""

HYPERLINK = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink"
OFFICE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
DOC_RELS = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rIdFootnotes" Type="{OFFICE}/footnotes" Target="footnotes.xml"/>
<Relationship Id="rIdEndnotes" Type="{OFFICE}/endnotes" Target="endnotes.xml"/>
<Relationship Id="rIdHeader" Type="{OFFICE}/header" Target="header1.xml"/>
<Relationship Id="rIdFooter" Type="{OFFICE}/footer" Target="footer1.xml"/>
<Relationship Id="rIdBodyLink" Type="{HYPERLINK}" Target="https://www.example.org/corridor-programme" TargetMode="External"/>
</Relationships>"""
FOOTNOTE_RELS = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rIdAdb" Type="{HYPERLINK}" Target="https://www.adb.example/publications/rail-outlook-2021" TargetMode="External"/>
</Relationships>"""
CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>
<Override PartName="/word/footnotes.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"/>
<Override PartName="/word/endnotes.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.endnotes+xml"/>
<Override PartName="/word/header1.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.header+xml"/>
<Override PartName="/word/footer1.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml"/>
<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>
</Types>"""
ROOT_RELS = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="{OFFICE}/officeDocument" Target="word/document.xml"/>
<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/>
</Relationships>"""
CORE = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/">
<dc:title>Transport links in Central Asia</dc:title></cp:coreProperties>"""


def make_docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", CONTENT_TYPES)
        z.writestr("_rels/.rels", ROOT_RELS)
        z.writestr("docProps/core.xml", CORE)
        z.writestr("word/document.xml", DOCUMENT)
        z.writestr("word/footnotes.xml", FOOTNOTES)
        z.writestr("word/endnotes.xml", ENDNOTES)
        z.writestr("word/header1.xml", HEADER)
        z.writestr("word/footer1.xml", FOOTER)
        z.writestr("word/_rels/document.xml.rels", DOC_RELS)
        z.writestr("word/_rels/footnotes.xml.rels", FOOTNOTE_RELS)
    return buffer.getvalue()


# --- PDFs -------------------------------------------------------------------

BODY_LINES = [
    # page 1
    [
        "Water rights along the Syr Darya have been contested since the end of the",
        "Soviet planning system. A 2019 study by the regional water commis-",
        "sion found that upstream reservoirs release water in winter, when",
        "downstream farms cannot use it.1 The commission called this “a structural",
        "mismatch between energy and irrigation needs” and proposed a barter",
        "scheme. The scheme is described in the commission's summary report.",
    ],
    # page 2
    [
        "Negotiations resumed in 2022. According to the World Bank, irrigated",
        "land in the basin shrank by eleven per cent between 2000 and 2020. Offi-",
        "cials in Tashkent said the barter scheme had “never been implemented in",
        "full”.2 Independent hydrologists disagree about the causes of the de-",
        "cline in river flow.3",
    ],
    # page 3
    [
        "Notes",
        "1 Interstate Commission for Water Coordination, ‘Annual Water Balance",
        "Report 2019’, 12 March 2020, https://www.icwc-example.org/reports/",
        "water-balance-2019.pdf, accessed 14 August 2022.",
        "2 Ministry of Water Resources, ‘Statement on the Barter Scheme’, 3 May",
        "2022, <https://water.example.uz/news/2022/05/03/barter>.",
        "3 Ibid.",
    ],
]


def make_article_pdf(path: Path) -> None:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(path), pagesize=A4)
    c.setTitle("Water rights along the Syr Darya")
    width, height = A4
    for number, lines in enumerate(BODY_LINES, start=1):
        c.setFont("Helvetica", 9)
        c.drawString(72, height - 40, "Central Asia Review · Water rights along the Syr Darya")
        c.drawCentredString(width / 2, 30, str(number))
        c.setFont("Times-Roman", 12)
        y = height - 90
        for line in lines:
            c.drawString(72, y, line)
            if "summary report" in line:
                start = 72 + c.stringWidth(line[: line.index("summary report")], "Times-Roman", 12)
                end = start + c.stringWidth("summary report", "Times-Roman", 12)
                c.linkURL(
                    "https://www.icwc-example.org/summary-2019",
                    (start, y - 2, end, y + 10),
                    relative=0,
                )
            y -= 16
        if number == 1:
            c.line(72, 110, 250, 110)
            c.setFont("Times-Roman", 9)
            c.drawString(
                72, 96, "* The author thanks the commission's archive for access to its records."
            )
        c.showPage()
    c.save()


def make_scanned_pdf(path: Path) -> None:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(path), pagesize=A4)
    width, height = A4
    # Grey bars where a scanner would have produced an image of text lines.
    for i in range(30):
        c.setFillGray(0.2 + (i % 3) * 0.1)
        c.rect(72, height - 100 - i * 20, width - 144 - (i % 5) * 30, 9, stroke=0, fill=1)
    c.showPage()
    c.save()


def make_encrypted_pdf(source: Path, path: Path) -> None:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for page in PdfReader(str(source)).pages:
        writer.add_page(page)
    writer.encrypt(user_password="reader-secret", owner_password="owner-secret")
    with path.open("wb") as fh:
        writer.write(fh)


FODT_PARAGRAPHS = [
    (
        "The new rail link between Kashgar and Osh was announced in 2022.",
        "footnote",
        "Xinhua, ‘China, Kyrgyzstan and Uzbekistan Sign Railway Agreement’, 6 June 2022, ",
        "https://english.news.example.cn/20220606/rail-agreement.html",
        ", accessed 14 August 2022.",
    ),
    (
        "Its backers describe it as “the missing link of the middle corridor”.",
        "footnote",
        "Eurasian Rail Council, “Middle Corridor Outlook”, ",
        "https://www.eurasian-rail.example/outlook-2023",
        " (retrieved 2 February 2023).",
    ),
    (
        "Freight forwarders remain cautious about the mountain section.",
        "endnote",
        "Interview with a freight forwarder, Bishkek, 12 March 2023.",
        "",
        "",
    ),
]
FILLER = (
    "The line would cross three mountain passes and two borders, and every "
    "estimate of its cost has been revised upwards since the first feasibility study. "
)


def make_fodt() -> str:
    body = []
    for sentence, kind, before, url, after in FODT_PARAGRAPHS:
        link = (
            f'<text:a xlink:type="simple" xlink:href="{escape(url)}">{escape(url)}</text:a>'
            if url
            else ""
        )
        note = (
            f'<text:note text:note-class="{kind}"><text:note-citation/><text:note-body>'
            f"<text:p>{escape(before)}{link}{escape(after)}</text:p></text:note-body></text:note>"
        )
        body.append(f"<text:p>{escape(sentence)}{note} {FILLER * 6}</text:p>")
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<office:document xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"
 xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0"
 xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"
 xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0"
 xmlns:xlink="http://www.w3.org/1999/xlink"
 office:version="1.3" office:mimetype="application/vnd.oasis.opendocument.text">
<office:automatic-styles>
 <style:page-layout style:name="pm1"><style:page-layout-properties fo:page-width="14.8cm"
  fo:page-height="21cm" fo:margin-top="1.5cm" fo:margin-bottom="1.5cm" fo:margin-left="2cm"
  fo:margin-right="2cm"/></style:page-layout>
</office:automatic-styles>
<office:master-styles>
 <style:master-page style:name="Standard" style:page-layout-name="pm1">
  <style:header><text:p>Eurasia Rail Monitor · The Kashgar–Osh line</text:p></style:header>
  <style:footer><text:p><text:page-number text:select-page="current">1</text:page-number></text:p></style:footer>
 </style:master-page>
</office:master-styles>
<office:body><office:text>
<text:h text:outline-level="1">The Kashgar–Osh line</text:h>
{"".join(body)}
</office:text></office:body></office:document>
"""


def main() -> None:
    docx = make_docx()
    (HERE / "notes.docx").write_bytes(docx)
    (HERE / "truncated.docx").write_bytes(docx[: int(len(docx) * 0.6)])
    make_article_pdf(HERE / "article.pdf")
    make_scanned_pdf(HERE / "scanned.pdf")
    make_encrypted_pdf(HERE / "article.pdf", HERE / "encrypted.pdf")
    soffice = shutil.which("soffice")
    if soffice:
        with tempfile.TemporaryDirectory() as tmp:
            source = Path(tmp) / "notes-libreoffice.fodt"
            source.write_text(make_fodt(), encoding="utf-8")
            for target in ("pdf", "docx"):
                subprocess.run(
                    [soffice, "--headless", "--convert-to", target, "--outdir", tmp, str(source)],
                    check=True,
                    capture_output=True,
                    timeout=300,
                )
                shutil.copy(Path(tmp) / f"notes-libreoffice.{target}", HERE)


if __name__ == "__main__":
    main()
