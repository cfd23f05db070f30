"""Regenerate ``article-references.pdf`` (not run by the tests; needs reportlab).

    .venv/bin/pip install reportlab && .venv/bin/python tests/data/authordate/make_pdf.py

A three-page article in a journal's layout, written for these tests: a
running head (the article's own short citation, "Webb et al. (2017),
PeerJ Comput. Sci.") and a running foot with its DOI and page number on
every page, in-text author-date citations, and an author-date reference
list set without blank lines between entries, each entry wrapped over two
or three lines with its DOI or URL on its last line; after the list, at the
foot of the last page, the journal's trailer in small print (its own DOI
and a "submit your manuscript" link).
"""

from __future__ import annotations

from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

HERE = Path(__file__).resolve().parent

PAGES = [
    [
        "Software for ecological monitoring has grown quickly over the past decade.",
        "Early tools were written for single projects (Moreau & Lin, 2015) and were",
        "rarely maintained after the funding ended. Okafor (2019) counted more than",
        "two hundred such packages and found that most had no tests at all. A later",
        "survey reached the same conclusion for acoustic monitoring (Schmidt et al.,",
        "2020), where recordings are processed by many small scripts.",
    ],
    [
        "We follow the reproducibility checklist of Tanaka & Horvath (2018) and",
        "report every dependency with its version. The workflow is described in",
        "detail by Moreau & Lin (2015); the changes we made are listed below. The",
        "benchmark data come from a public archive (Okafor, 2019).",
    ],
    [
        "References",
        "Moreau P, Lin W. 2015. A modular toolkit for camera-trap image analysis.",
        "Methods in Ecology and Evolution 6(4):412-420",
        "https://doi.org/10.1111/2041-210X.00001",
        "Okafor C. 2019. Two hundred tools: a census of ecological software.",
        "Ecological Informatics 52:1-9 https://doi.org/10.1016/j.ecoinf.2019.00002",
        "Schmidt A, Varga B, Kowalski D. 2020. Acoustic monitoring pipelines in",
        "practice: a survey of published workflows. Bioacoustics 29(3):301-322",
        "https://doi.org/10.1080/09524622.2020.00003",
        "Tanaka H, Horvath E. 2018. A checklist for reproducible ecological",
        "software. Available at https://example.org/checklist-2018 (accessed 2 May",
        "2021).",
    ],
]
HEAD = "Webb et al. (2017), PeerJ Comput. Sci., DOI 10.7717/peerj-cs.123"


def main() -> None:
    path = HERE / "article-references.pdf"
    c = canvas.Canvas(str(path), pagesize=A4)
    c.setTitle("Testing ecological software")
    width, height = A4
    for number, lines in enumerate(PAGES, start=1):
        c.setFont("Helvetica", 8)
        c.drawString(72, height - 40, "Webb et al. (2017), PeerJ Comput. Sci.")
        c.drawString(72, 40, HEAD)
        c.drawRightString(width - 72, 40, f"{number}/{len(PAGES)}")
        y = height - 90
        for line in lines:
            c.setFont("Times-Bold" if line == "References" else "Times-Roman", 11)
            c.drawString(72, y, line)
            y -= 15
        if number == len(PAGES):
            c.setFont("Helvetica", 7)
            c.drawString(72, 90, "Peer J Computer Science | https://doi.org/10.7717/peerj-cs.123")
            c.drawString(72, 80, "Submit your manuscript here: https://peerj.com/submit/")
        c.showPage()
    c.save()


if __name__ == "__main__":
    main()
