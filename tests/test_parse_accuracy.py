"""Where citations went wrong on real documents (issue 14, items 1-4, 6, 9,
10, 16), each class on small documents written here."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import select

from verifier.ingest import ingest_paths
from verifier.parse import parse_path
from verifier.parse.attributions import find_attributions
from verifier.parse.dates import find_accessed_date
from verifier.parse.html import parse_html
from verifier.parse.markdown import parse_text as parse_markdown
from verifier.parse.model import ParsedCitation, ParsedDocument
from verifier.parse.notes import analyse_note, find_urls
from verifier.parse.plaintext import parse_text as parse_plain
from verifier.parse.sentences import quotations_in, split_sentences
from verifier.parse.wikitext import parse_text as parse_wikitext
from verifier.report.rows import report_rows
from verifier.store.database import Database
from verifier.store.models import Citation, Quote


def _notes(doc: ParsedDocument) -> dict[str, ParsedCitation]:
    return {c.label: c for c in doc.citations if c.kind == "note"}


# --- 1. quotations go to the right note ---------------------------------------


def test_closing_quote_after_full_stop_ends_the_sentence() -> None:
    assert split_sentences(
        'The engineer said "the mains were laid before 1950." Trade press disagreed.'
    ) == ['The engineer said "the mains were laid before 1950."', "Trade press disagreed."]
    assert split_sentences("Er schrieb: „Die Rohre sind alt.“ Niemand widersprach.") == [
        "Er schrieb: „Die Rohre sind alt.“",
        "Niemand widersprach.",
    ]
    # A quotation that goes on after its full stop is still one sentence,
    # and "?" + closing quote before a name does not end one.
    assert len(split_sentences('He said "we came. We saw it all" and left. Then rain.')) == 2
    assert split_sentences('"Why not ask them?" Smith asked. Nobody did.') == [
        '"Why not ask them?" Smith asked.',
        "Nobody did.",
    ]


MARKDOWN_QUOTES = """\
Officials said "the pipes were laid before 1950."[^a] Trade press reported
"a forty per cent rise in leaks."[^b] The mayor called it "a grave scandal"[^c]
and the firm "a disgrace to the city".[^d] Critics asked "who will pay for
this?"[^e] Nobody answered.[^f]

[^a]: A, https://a.example/1
[^b]: B, https://b.example/2
[^c]: C, https://c.example/3
[^d]: D, https://d.example/4
[^e]: E, https://e.example/5
[^f]: F, https://f.example/6
"""


def test_markdown_quotations_go_to_their_own_note() -> None:
    notes = _notes(parse_markdown(MARKDOWN_QUOTES))
    assert notes["a"].quotations == ["the pipes were laid before 1950"]
    assert notes["a"].sentence == 'Officials said "the pipes were laid before 1950."'
    assert notes["b"].quotations == ["a forty per cent rise in leaks"]
    # Two markers in one sentence: each quotation to the first marker after it.
    assert notes["c"].sentence == notes["d"].sentence
    assert notes["c"].quotations == ["a grave scandal"]
    assert notes["d"].quotations == ["a disgrace to the city"]
    # "?" + closing quote + a marker ends the sentence too.
    assert notes["e"].quotations == ["who will pay for this?"]
    assert notes["f"].sentence == "Nobody answered."
    assert notes["f"].quotations == []


def test_html_quotations_go_to_their_own_note() -> None:
    html = (
        "<html><body><p>Der Vorstand sagte „die Leitungen stammen aus der Vorkriegszeit.“"
        '<sup><a href="#fn1">1</a></sup> Die Presse schrieb „ein Verlust von vierzig Prozent“'
        '<sup><a href="#fn2">2</a></sup> und „ein Skandal für die Stadt“.'
        '<sup><a href="#fn3">3</a></sup></p><h2>Einzelnachweise</h2><ol>'
        '<li id="fn1"><a href="https://a.example/1">A</a></li>'
        '<li id="fn2"><a href="https://b.example/2">B</a></li>'
        '<li id="fn3"><a href="https://c.example/3">C</a></li></ol></body></html>'
    )
    notes = _notes(parse_html(html))
    assert notes["1"].quotations == ["die Leitungen stammen aus der Vorkriegszeit"]
    assert notes["2"].quotations == ["ein Verlust von vierzig Prozent"]
    assert notes["3"].quotations == ["ein Skandal für die Stadt"]


def test_plain_text_quotation_with_closing_quote_before_marker() -> None:
    text = (
        "The board said “the mains were laid before 1950.”1 Trade press reported "
        "“a rise of forty per cent in leaks.”2\n\nNotes\n"
        "1. Board, https://a.example/1\n2. Press, https://b.example/2\n"
    )
    notes = _notes(parse_plain(text))
    assert notes["1"].quotations == ["the mains were laid before 1950"]
    assert notes["2"].quotations == ["a rise of forty per cent in leaks"]


# --- 2. a note used twice -----------------------------------------------------


def test_markdown_note_used_twice_keeps_both_uses() -> None:
    text = (
        "Der Bericht nennt „die Leitungen wurden vor 1950 verlegt“.[^1] Dann stiegen die "
        "Verluste.[^2]\n\nSpäter hieß es „ein Skandal ohnegleichen“.[^1]\n\n"
        "[^1]: Stadtwerke, „Bericht 2022“, https://a.example/r\n[^2]: B, https://b.example/\n"
    )
    note = _notes(parse_markdown(text))["1"]
    assert [u.sentence for u in note.uses] == [
        "Der Bericht nennt „die Leitungen wurden vor 1950 verlegt“.",
        "Später hieß es „ein Skandal ohnegleichen“.",
    ]
    assert [u.quotations for u in note.uses] == [
        ["die Leitungen wurden vor 1950 verlegt"],
        ["ein Skandal ohnegleichen"],
    ]
    assert note.sentence == note.uses[0].sentence
    assert note.quotations == ["die Leitungen wurden vor 1950 verlegt", "ein Skandal ohnegleichen"]


def test_html_note_used_twice_keeps_both_uses() -> None:
    html = (
        "<html><body><p>The report found “pipes laid before 1950 leak most”."
        '<sup><a href="#note1" id="r1">1</a></sup> Losses rose.'
        '<sup><a href="#note2">2</a></sup></p><p>The mayor later spoke of “a grave scandal”.'
        '<sup><a href="#note1" id="r1b">1</a></sup></p><h2>Notes</h2><ol>'
        '<li id="note1">City, ‘Water Report’, <a href="https://a.example/r">link</a></li>'
        '<li id="note2">B <a href="https://b.example/">x</a></li></ol></body></html>'
    )
    doc = parse_html(html)
    note = _notes(doc)["1"]
    assert [u.quotations for u in note.uses] == [
        ["pipes laid before 1950 leak most"],
        ["a grave scandal"],
    ]
    assert note.quotations == ["pipes laid before 1950 leak most", "a grave scandal"]


def test_attributions_split_the_body_as_citing_sentences_are() -> None:
    # '!"' + capital splits only at a marker: the attribution check must
    # see the same sentences, so the cited one is not reported.
    text = (
        'He said the show was "not for a family audience!"[^1] Sullivan told TV Guide that '
        "it could be controlled.[^2]\n\n[^1]: A, https://a.example/1\n"
        "[^2]: B, https://b.example/2\n"
    )
    doc = parse_markdown(text)
    assert _notes(doc)["2"].sentence == "Sullivan told TV Guide that it could be controlled."
    assert doc.attributions == []


def test_wikitext_reused_named_ref_keeps_each_use() -> None:
    text = (
        'The council said "pipes were laid before 1950."<ref name="rep">{{cite web '
        "|url=https://a.example/r |title=Water Report |access-date=2023-03-04}}</ref> "
        'Later the mayor called it "a grave scandal" and "a costly failure".<ref name="rep" />\n'
    )
    doc = parse_wikitext(text)
    uses = [c for c in doc.citations if c.label == "1"]
    assert [c.quotations for c in uses] == [
        ["pipes were laid before 1950"],
        ["a grave scandal", "a costly failure"],
    ]
    assert uses[1].sentence is not None and uses[1].sentence.startswith("Later the mayor")


# --- 4. URL ends ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "urls"),
    [
        (
            "Water Board, Annual report, <https://water.example.org/docs/report-2022.pdf>.\n"
            "Accessed 2023-03-04.",
            ["https://water.example.org/docs/report-2022.pdf"],
        ),
        (
            "Water Board, Annual report, https://water.example.org/docs/report-2023.pdf.\n"
            "Accessed 2023-03-04.",
            ["https://water.example.org/docs/report-2023.pdf"],
        ),
        (
            "وزارة المياه، تقرير، https://mow.example.org/ar/report، تم الاطلاع؛ "
            "https://mow.example.org/ar/b؛ و",
            ["https://mow.example.org/ar/report", "https://mow.example.org/ar/b"],
        ),
        (
            "水道局「年報」https://suido.example.jp/news/123。次に（https://suido.example.jp/x/y）"
            "と［https://suido.example.jp/z］、https://suido.example.cn/a/b，访问",
            [
                "https://suido.example.jp/news/123",
                "https://suido.example.jp/x/y",
                "https://suido.example.jp/z",
                "https://suido.example.cn/a/b",
            ],
        ),
    ],
)
def test_url_ends(text: str, urls: list[str]) -> None:
    assert find_urls(text) == urls


def test_markdown_autolink_then_full_stop_and_line_break() -> None:
    text = (
        "Leaks rose.[^1]\n\n[^1]: Water Board, *Annual report 2022*, "
        "<https://water.example.org/docs/report-2022.pdf>.\n    Accessed 2023-03-04.\n"
    )
    note = _notes(parse_markdown(text))["1"]
    assert [u.url for u in note.urls] == ["https://water.example.org/docs/report-2022.pdf"]
    assert note.accessed == dt.date(2023, 3, 4)


# --- 9. access dates ------------------------------------------------------------


@pytest.mark.parametrize(
    ("note", "accessed"),
    [
        (
            "Smith J. Leaks. Available from: https://x.example/a [cited 2010 August 13].",
            "2010-08-13",
        ),
        ("Jones K. Pipes [Internet]. 2012 [cited 2013 May 21]; 2(3):4-5.", "2013-05-21"),
        ("Lee M. Water. https://x.example/b [accessed 13 Aug 2010]", "2010-08-13"),
        ("Board. Pipes [Internet]. [updated 2012 Jan 3; cited 2013 May 21].", "2013-05-21"),
        ("Board. Report. [cited 2019 Sep 3]. Available from: https://x.example/c", "2019-09-03"),
        ("水道局「年報」https://x.example.jp/a（2023年3月4日閲覧）", "2023-03-04"),
        ("水道局「年報」、閲覧日：2023年12月1日", "2023-12-01"),
        ("水务局，《年报》，https://x.example.cn/a，访问日期：2022年1月2日", "2022-01-02"),
        ("وزارة المياه، تقرير، https://x.example/ar، تم الاطلاع عليه في ٤ مارس ٢٠٢٣", "2023-03-04"),
        ("وزارة المياه، تقرير، تاريخ الوصول 4 كانون الثاني 2023", "2023-01-04"),
        ("وزارة المياه، تقرير، تم الاطلاع عليه في 12 آب 2021", "2021-08-12"),
        ("Cited in Smith 2010, p. 4.", None),
        ("As cited in Smith, 14 May 2012.", None),
    ],
)
def test_access_dates(note: str, accessed: str | None) -> None:
    want = dt.date.fromisoformat(accessed) if accessed else None
    assert find_accessed_date(note) == want


# --- 10. quotations in other scripts --------------------------------------------


def test_german_and_arabic_quotation_marks() -> None:
    assert quotations_in("Er sagte »die Rohre sind alt« und ‚ganz marode‘ dazu.") == [
        "die Rohre sind alt",
        "ganz marode",
    ]
    # Arabic «…» side by side: no quotation made of the text between them.
    assert quotations_in("قال «الأنابيب قديمة» و«الإصلاح بطيء جدا» أمس") == [
        "الأنابيب قديمة",
        "الإصلاح بطيء جدا",
    ]


def test_cjk_quotations() -> None:
    assert quotations_in("他说‘这是水管老化造成的’，但官员否认。") == ["这是水管老化造成的"]
    assert quotations_in("局長は「漏水は老朽管が原因だ」と述べた。") == ["漏水は老朽管が原因だ"]
    assert quotations_in("報告は『水道事業の危機』と題された。") == ["水道事業の危機"]
    assert quotations_in("官员说“漏水率上升了四成”。") == ["漏水率上升了四成"]
    # A quoted term is a name, not a quotation.
    assert quotations_in("「一帯一路」構想と「水道」") == []


def test_japanese_sentences_and_markers() -> None:
    text = (
        "局長は「漏水は老朽管が原因だ」と述べた。[^1]市は「来年度から更新を進める」と発表した。[^2]\n\n"
        "[^1]: 水道局「記者会見」https://a.example.jp/1\n[^2]: 市「発表」https://b.example.jp/2\n"
    )
    notes = _notes(parse_markdown(text))
    assert notes["1"].sentence == "局長は「漏水は老朽管が原因だ」と述べた。"
    assert notes["1"].quotations == ["漏水は老朽管が原因だ"]
    assert notes["2"].quotations == ["来年度から更新を進める"]


# --- 16. unsourced attributions ---------------------------------------------------


@pytest.mark.parametrize(
    ("sentence", "cue", "source"),
    [
        (
            "The pipes are old, said Pieter de Vries, head of the utility.",
            "said",
            "Pieter de Vries",
        ),
        (
            "The works will cost more, said Ludwig van der Berg on Monday.",
            "said",
            "Ludwig van der Berg",
        ),
        ("The plan failed, said Khalid al-Falih.", "said", "Khalid al-Falih"),
        ("The plan failed, said Abdullah bin Zayed in Abu Dhabi.", "said", "Abdullah bin Zayed"),
        ("Otto von Bismarck said the plan would work well.", "said", "Otto von Bismarck"),
        ("According to local farmers, the river dried up in May.", "according to", "local farmers"),
        ("The river dried up in May, according to officials.", "according to", "officials"),
        ("Local farmers said the river dried up in May.", "local farmers said", None),
        ("In May, the council said the pipes were old.", "the council said", None),
        ("Die Leitungen seien alt, sagte Pieter de Vries.", "sagte", "Pieter de Vries"),
        ("Laut Angaben der Stadtwerke sind die Leitungen alt.", "laut", "Angaben der Stadtwerke"),
        ("Dem Bericht zufolge sind die Leitungen alt.", "zufolge", "Dem Bericht"),
        (
            "Laut der aktuellen Datenlage fallen die Nebenwirkungen mild aus.",
            "laut",
            "der aktuellen Datenlage",
        ),
        ("市の発表によると、漏水率は上昇した。", "によると", "市の発表"),
        ("水道局の田中課長は「漏水は老朽管が原因だ」と述べた。", "と述べた", "水道局の田中課長"),
        ("وقال وزير المياه إن الأنابيب قديمة جدا.", "قال", "وزير المياه"),
        ("وفقا للمزارعين المحليين، جف النهر في مايو.", "وفقا", "المزارعين المحليين"),
    ],
)
def test_unsourced_attributions(sentence: str, cue: str, source: str | None) -> None:
    assert [(a.cue, a.source) for a in find_attributions(sentence)] == [(cue, source)]


@pytest.mark.parametrize(
    "sentence",
    [
        "Die Musik war laut und die Kinder tanzten bis spät.",
        "نشر المقال في الصحيفة اليومية الكبرى.",
        "The farmers planted maize in the lower valley this year.",
    ],
)
def test_not_attributions(sentence: str) -> None:
    assert find_attributions(sentence) == []


@pytest.mark.parametrize(
    ("note", "title", "authors", "published"),
    [
        (
            "山田太郎「デジタル時代の水道事業」『朝日新聞』2020年5月1日、"
            "https://www.asahi.example.jp/articles/123（2023年3月4日閲覧）",
            "デジタル時代の水道事業",
            "山田太郎",
            "2020-05-01",
        ),
        (
            "水道局『水道事業年報 2022』https://suido.example.jp/nenpo.pdf",
            "水道事業年報 2022",
            "水道局",
            None,
        ),
        ("山田太郎（2020）「水道の危機」https://a.example.jp/1", "水道の危機", "山田太郎", None),
        (
            "新华社：‘水管老化导致漏水’，2021年3月2日，http://www.xinhua.example.cn/a.htm",
            "水管老化导致漏水",
            "新华社",
            "2021-03-02",
        ),
        (
            "王明，《城市供水报告》，人民出版社，2019年，https://example.cn/b",
            "城市供水报告",
            "王明",
            "2019",
        ),
        (
            'وزارة المياه، "التقرير السنوي للمياه"، 2022، https://mow.example.org/ar/report',
            "التقرير السنوي للمياه",
            "وزارة المياه",
            "2022",
        ),
    ],
)
def test_titles_in_other_scripts(
    note: str, title: str, authors: str, published: str | None
) -> None:
    fields = analyse_note(note)
    assert (fields.title, fields.authors, fields.published) == (title, authors, published)


# --- 3. several sources in one note -------------------------------------------------

MULTI_SOURCE = """\
Leaks doubled in two years.1 The audit agreed.2 The board said so again.3

Notes
1. Water Board, ‘Annual Report 2022’, 3 May 2022, <https://water.example.org/r2022>,
accessed 1 June 2023; City Council, ‘Leak Audit of the Old Town’, 2021,
https://city.example.org/audit, accessed 2 June 2023. Kurier, ‘Rohrbruch in der
Altstadt’, 4. März 2021, https://kurier.example.de/a.
2. Ibid.
3. Water Board, ‘Annual Report 2022’.
"""


def test_each_url_gets_the_fields_written_before_it() -> None:
    notes = _notes(parse_plain(MULTI_SOURCE))
    first = notes["1"]
    assert first.title == "Annual Report 2022"
    assert [(u.title, u.authors, u.published, u.accessed) for u in first.urls] == [
        ("Annual Report 2022", "Water Board", "2022-05-03", dt.date(2023, 6, 1)),
        ("Leak Audit of the Old Town", "City Council", "2021", dt.date(2023, 6, 2)),
        # No access date of its own: the note's (its first) applies.
        ("Rohrbruch in der Altstadt", "Kurier", "2021-03-04", dt.date(2023, 6, 1)),
    ]


def test_ibid_after_a_multi_source_note_repeats_its_last_source() -> None:
    notes = _notes(parse_plain(MULTI_SOURCE))
    assert notes["2"].inherits_from == "1"
    assert [u.url for u in notes["2"].urls] == ["https://kurier.example.de/a"]
    assert all(u.inherited for u in notes["2"].urls)
    # A repeated title repeats the source with that title.
    assert notes["3"].inherits_from == "1"
    assert [u.url for u in notes["3"].urls] == ["https://water.example.org/r2022"]


def test_multi_source_note_in_markdown_and_html() -> None:
    md = (
        'Leaks doubled.[^1]\n\n[^1]: Water Board, "Annual Report 2022", 3 May 2022, '
        '<https://water.example.org/r2022>, accessed 1 June 2023; City Council, "Leak Audit", '
        "2021, https://city.example.org/audit, accessed 2 June 2023.\n"
    )
    html = (
        '<html><body><p>Leaks doubled.<sup><a href="#n1">1</a></sup></p><ol><li id="n1">'
        "Water Board, “Annual Report 2022”, 3 May 2022, "
        '<a href="https://water.example.org/r2022">https://water.example.org/r2022</a>. '
        "City Council, “Leak Audit”, 2021, "
        '<a href="https://city.example.org/audit">https://city.example.org/audit</a>.</li>'
        "</ol></body></html>"
    )
    for doc in (parse_markdown(md), parse_html(html)):
        note = _notes(doc)["1"]
        assert [(u.title, u.authors) for u in note.urls] == [
            ("Annual Report 2022", "Water Board"),
            ("Leak Audit", "City Council"),
        ]


def test_a_note_that_cannot_be_cut_keeps_its_fields_for_every_url() -> None:
    fields = analyse_note(
        "Water Board, ‘Annual Report 2022’, https://water.example.org/r2022 and "
        "https://water.example.org/r2022/annex, accessed 1 June 2023."
    )
    assert fields.title == "Annual Report 2022"
    assert fields.sources == {}


def test_report_rows_give_each_url_its_own_title(tmp_path: Path) -> None:
    path = tmp_path / "multi.txt"
    path.write_text(MULTI_SOURCE, encoding="utf-8")
    db = Database(str(tmp_path / "sources.db"))
    ingest_paths(db, [str(path)])
    rows = [r for r in report_rows(db) if r.note == "1"]
    assert [(r.url, r.title, r.accessed) for r in rows] == [
        ("https://water.example.org/r2022", "Annual Report 2022", dt.date(2023, 6, 1)),
        ("https://city.example.org/audit", "Leak Audit of the Old Town", dt.date(2023, 6, 2)),
        ("https://kurier.example.de/a", "Rohrbruch in der Altstadt", dt.date(2023, 6, 1)),
    ]
    assert [[q.text for q in r.detail.quotes if q.kind == "title"] for r in rows] == [
        ["Annual Report 2022"],
        ["Leak Audit of the Old Town"],
        ["Rohrbruch in der Altstadt"],
    ]


# --- 6. reST references -------------------------------------------------------------

REST = """\
Water losses
============

The utility reported "a loss of forty per cent in the old town" [1]_. The audit
disagreed [WB2022]_, and a later report [#]_ confirmed it. The board repeated
"the pipes are older than 1950" [1]_.

References
==========

.. [1] Water Board, "Annual Report 2022", https://water.example.org/r2022,
   accessed 2023-03-04.
.. [WB2022] World Bank, "Leak Audit", https://wb.example.org/audit
.. [#] City, "Later Report", https://city.example.org/later
"""


def test_rest_footnotes_and_citations(tmp_path: Path) -> None:
    path = tmp_path / "losses.rst"
    path.write_text(REST, encoding="utf-8")
    doc, _ = parse_path(path)
    assert doc.format == "text"
    assert doc.warnings == []
    notes = _notes(doc)
    assert list(notes) == ["1", "WB2022", "2"]
    assert [u.url for u in notes["1"].urls] == ["https://water.example.org/r2022"]
    assert notes["1"].accessed == dt.date(2023, 3, 4)
    assert notes["1"].title == "Annual Report 2022"
    assert notes["1"].sentence == (
        'The utility reported "a loss of forty per cent in the old town".'
    )
    # Cited twice: both uses with their quotations.
    assert [u.quotations for u in notes["1"].uses] == [
        ["a loss of forty per cent in the old town"],
        ["the pipes are older than 1950"],
    ]
    assert notes["WB2022"].sentence == "The audit disagreed, and a later report confirmed it."
    assert [u.url for u in notes["2"].urls] == ["https://city.example.org/later"]
    # The references section is not body text.
    assert all("Annual Report" not in (c.sentence or "") for c in doc.citations)


def test_store_keeps_the_sentence_of_each_quotation(tmp_path: Path) -> None:
    path = tmp_path / "twice.md"
    path.write_text(
        "The report found “pipes laid before 1950 leak most”.[^1] Losses rose.[^2]\n\n"
        "The mayor later spoke of “a grave scandal”.[^1]\n\n"
        "[^1]: City, ‘Water Report’, https://a.example/r\n[^2]: B, https://b.example/\n",
        encoding="utf-8",
    )
    db = Database(str(tmp_path / "sources.db"))
    ingest_paths(db, [str(path)])
    with db.session() as session:
        rows = session.execute(
            select(Quote.kind, Quote.text, Quote.sentence)
            .join(Citation, Citation.id == Quote.citation_id)
            .where(Citation.label == "1")
            .order_by(Quote.position)
        ).all()
    assert [tuple(r) for r in rows] == [
        ("title", "Water Report", None),
        (
            "quotation",
            "pipes laid before 1950 leak most",
            "The report found “pipes laid before 1950 leak most”.",
        ),
        ("quotation", "a grave scandal", "The mayor later spoke of “a grave scandal”."),
    ]


def test_multi_source_note_through_links() -> None:
    md = (
        'Leaks doubled.[^1]\n\n[^1]: Water Board, "Annual Report 2022", 3 May 2022, '
        "[online](https://water.example.org/r2022), accessed 1 June 2023; City Council, "
        '"Leak Audit", 2021, [here](https://city.example.org/audit).\n'
    )
    html = (
        '<html><body><p>Leaks doubled.<sup><a href="#n1">1</a></sup></p><ol><li id="n1">'
        "Water Board, “Annual Report 2022”, 3 May 2022, "
        '<a href="https://water.example.org/r2022">online</a>. City Council, '
        '<a href="https://city.example.org/audit">“Leak Audit”</a>, 2021.</li></ol></body></html>'
    )
    for doc in (parse_markdown(md), parse_html(html)):
        note = _notes(doc)["1"]
        assert [(u.title, u.authors, u.published) for u in note.urls] == [
            ("Annual Report 2022", "Water Board", "2022-05-03"),
            ("Leak Audit", "City Council", "2021"),
        ]


def test_prose_note_with_several_links_is_not_cut() -> None:
    md = (
        "Text.[^1]\n\n[^1]: As [Smith](https://a.example/1) and [Jones](https://b.example/2) "
        'argue in "A Long Shared Title", the pipes are old. See also '
        "[this](https://c.example/3).\n"
    )
    note = _notes(parse_markdown(md))["1"]
    assert len(note.urls) == 3
    assert all(u.title is None for u in note.urls)


def test_arabic_sentences_and_quotations() -> None:
    text = (
        "قال الوزير إن «الأنابيب قديمة جدا في المدينة».[^1] وأضاف أن الإصلاح سيبدأ قريبا.[^2]\n\n"
        "[^1]: وزارة المياه، https://mow.example.org/ar/1\n"
        "[^2]: وزارة المياه، https://mow.example.org/ar/2\n"
    )
    notes = _notes(parse_markdown(text))
    assert notes["1"].sentence == "قال الوزير إن «الأنابيب قديمة جدا في المدينة»."
    assert notes["1"].quotations == ["الأنابيب قديمة جدا في المدينة"]
    assert notes["2"].sentence == "وأضاف أن الإصلاح سيبدأ قريبا."
    assert notes["2"].quotations == []


def test_wikitext_ref_with_several_cite_templates() -> None:
    text = (
        "Leaks doubled.<ref>{{cite web |url=https://a.example/1 |title=Annual Report "
        "|access-date=2023-03-04}} {{cite news |url=https://b.example/2 |title=Leak Audit "
        "|access-date=2023-04-05}}</ref> Again.<ref>{{cite web|url=https://c.example/"
        "|title=Only One|access-date=2022-01-01}}</ref>\n"
    )
    notes = _notes(parse_wikitext(text))
    assert [(u.title, u.accessed) for u in notes["1"].urls] == [
        ("Annual Report", dt.date(2023, 3, 4)),
        ("Leak Audit", dt.date(2023, 4, 5)),
    ]
    # One source: the citation's own fields apply.
    assert notes["2"].title == "Only One"
    assert [(u.title, u.accessed) for u in notes["2"].urls] == [(None, None)]
