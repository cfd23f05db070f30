"""One note's URLs, title, translation, author and date; short forms."""

from __future__ import annotations

import datetime as dt

import pytest

from verifier.parse.model import ParsedCitation, ParsedUrl
from verifier.parse.notes import analyse_note, find_urls, resolve_short_forms


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Angle brackets, and the malformed <<http:// of seed 000 note 76.
        (
            "UzDaily, ‘Chinese Platform Alibaba’, 10 August 2020, "
            "<<http://uzdaily.com/en/post/60623>, accessed 14 August 2022.",
            ["http://uzdaily.com/en/post/60623"],
        ),
        # Bare URL followed by , . ) ;
        (
            "See https://a.example/x, and https://b.example/y.",
            ["https://a.example/x", "https://b.example/y"],
        ),
        ("(http://webbook.nist.gov, retrieved August 13, 2013)", ["http://webbook.nist.gov"]),
        (
            "https://electronicintifada.net/content/why/5134, accessed 22 Oct. 2016;",
            ["https://electronicintifada.net/content/why/5134"],
        ),
        ("at https://c.example/page; see also", ["https://c.example/page"]),
        # A closing bracket the URL opened is kept.
        (
            "Water Research, 33:10: 2265. http://dx.doi. org/10.1016/S0043-1354(98)00447-3.",
            ["https://doi.org/10.1016/S0043-1354(98)00447-3"],
        ),
        ("doi:10.1371/journal.pone.0115253.", ["https://doi.org/10.1371/journal.pone.0115253"]),
        ("https://doi.org/10.1000/xyz123", ["https://doi.org/10.1000/xyz123"]),
        ("http://dx.doi.org/10.1021/es100798j.", ["https://doi.org/10.1021/es100798j"]),
        # Wrapped over a line break, inside <...> and bare.
        (
            "Pipeline, <https://www.kcp.kz/company/\nhistory?language=en>, accessed",
            ["https://www.kcp.kz/company/history?language=en"],
        ),
        (
            "Available at http://www.inacipe.gob.mx/stories/publicaciones/\n"
            "temas_selectos/LaBestia.pdf [Accessed",
            ["http://www.inacipe.gob.mx/stories/publicaciones/temas_selectos/LaBestia.pdf"],
        ),
        # www. and host-plus-path forms get http://.
        (
            "www.uni-camp.br/iel/memoria/sandra.htm (accessed June 8, 2015).",
            ["http://www.uni-camp.br/iel/memoria/sandra.htm"],
        ),
        (
            "1967. classiques.uqac.ca/classiques/Durkheim_emile/t1.pdf (accessed",
            ["http://classiques.uqac.ca/classiques/Durkheim_emile/t1.pdf"],
        ),
        # A PDF line break left as a space inside a URL, but not before a word.
        (
            "Retrieved from http://www.spencer.org/content.cfm/data-use-and -educational-details",
            ["http://www.spencer.org/content.cfm/data-use-and-educational-details"],
        ),
        (
            "RFID J., http://www.rfidjournal. com/article/2779/-1/1. Accessed",
            ["http://www.rfidjournal.com/article/2779/-1/1"],
        ),
        (
            "see http://a.example/x/ and the rest at www.b.example/y/ today",
            ["http://a.example/x/", "http://www.b.example/y/"],
        ),
        # Non-web schemes and publisher names that are domains are skipped.
        ("mailto:editor@www.example.com data:text/plain,hello javascript:void(0)", []),
        ("qdcaijing.com, ‘Zǒng tóuzī’, 20 November 2020.", []),
        # Several URLs, each once.
        (
            "<https://a.example/1>; <https://b.example/2>; again <https://a.example/1>",
            ["https://a.example/1", "https://b.example/2"],
        ),
    ],
)
def test_find_urls(text: str, expected: list[str]) -> None:
    assert find_urls(text) == expected


def test_analyse_note_with_translation() -> None:
    note = (
        "People’s Republic of China Ministry of Foreign Affairs, ‘Zhōng, é, hā, jí, tǎ wǔ guó "
        "huìwù’ [‘China, Russia, Kazakhstan, Kyrgyzstan, Tajikistan Five Country Meeting’], "
        "11 November 2000, <https://www.mfa.gov.cn/ce/cohk//chn/topic/zgwj/wjlshk/t8984.htm>, "
        "accessed 14 August 2022."
    )
    fields = analyse_note(note)
    assert fields.urls == ["https://www.mfa.gov.cn/ce/cohk//chn/topic/zgwj/wjlshk/t8984.htm"]
    assert fields.accessed == dt.date(2022, 8, 14)
    assert fields.title == "Zhōng, é, hā, jí, tǎ wǔ guó huìwù"
    assert (
        fields.translated_title
        == "China, Russia, Kazakhstan, Kyrgyzstan, Tajikistan Five Country Meeting"
    )
    assert fields.authors == "People’s Republic of China Ministry of Foreign Affairs"
    assert fields.published == "2000-11-11"


def test_title_with_apostrophe_before_a_space() -> None:
    note = (
        "Kursiv, ‘Tokayev poruchil perenyat’ u Kitaya opyt tsifrovizatsii grazhdan’ "
        "[‘Tokayev Instructed to Adopt the Experience of Digitalisation of Citizens from "
        "China’], 8 October 2019."
    )
    fields = analyse_note(note)
    assert fields.title == "Tokayev poruchil perenyat’ u Kitaya opyt tsifrovizatsii grazhdan"
    assert fields.translated_title.startswith("Tokayev Instructed")  # type: ignore[union-attr]
    assert fields.urls == []
    assert fields.published == "2019-10-08"


def test_cited_title_is_the_one_before_the_url() -> None:
    note = (
        "In 2018, Huawei’s ‘Seeds for the Future’ programme launched in Kazakhstan. Huawei, "
        "‘Huawei Central Asia Innovation Day: Build Digital Silk Road Through Innovation, "
        "Openness and Win-win’, 14 November 2017, <https://www.huawei.com/en/events/x>, "
        "accessed 14 August 2022."
    )
    fields = analyse_note(note)
    assert fields.title.startswith("Huawei Central Asia Innovation Day")  # type: ignore[union-attr]
    assert fields.authors == "Huawei"


def test_american_style_title_and_double_quotes() -> None:
    fields = analyse_note(
        "‘Is this a Muslim ban? Trump's executive order explained,’ The Guardian, "
        "31 January 2017, https://www.theguardian.com/us-news/2017/jan/28/x, "
        "accessed 19 February, 2017."
    )
    assert fields.title == "Is this a Muslim ban? Trump's executive order explained"
    assert fields.accessed == dt.date(2017, 2, 19)
    fields = analyse_note(
        'United Nations. "Human Rights." Accessed May 29, 2013. http://www.un.org/en/.'
    )
    assert fields.title == "Human Rights"
    assert fields.authors == "United Nations"


def _note(label: str, text: str) -> ParsedCitation:
    fields = analyse_note(text)
    return ParsedCitation(
        label=label,
        kind="note",
        raw_text=text,
        urls=[ParsedUrl(u) for u in fields.urls],
        accessed=fields.accessed,
        title=fields.title,
        authors=fields.authors,
    )


def test_resolve_short_forms() -> None:
    notes = [
        _note(
            "25",
            "Shanghai Cooperation Organisation (SCO), ‘SCO Promotes Transport Links’, "
            "July 2017, <http://eng.sectsco.org/news/20170706/306862.html>, "
            "accessed 14 August 2022.",
        ),
        _note("26", "SCO, ‘SCO Promotes Transport Links’."),
        _note("27", "Ibid."),
        _note(
            "39",
            "Dmitry Erokhin, ‘Comparative Analysis of Digital Development’, OSCE, "
            "<http://www.osce-academy.net/upload/file/PB_63.pdf>, accessed 14 August 2022.",
        ),
        _note(
            "41", "Embassy, ‘Tǔkùmàn’, <http://tm.mofcom.gov.cn/a.shtml>, accessed 14 August 2022."
        ),
        _note("57", "Erokhin, ‘Comparative Analysis of Digital Development’."),
        _note("71", "As highlighted in note 41."),
        _note(
            "74",
            "Raffaello Pantucci, ‘Beijing Binds: COVID-19 and the China-Central Asia "
            "Relationship’, 19 June 2020, <https://www.centralasiaprogram.org/x.pdf>, "
            "accessed 14 August 2022.",
        ),
        _note(
            "77",
            "Raffaello Pantucci, ‘Beijing Binds: COVID-19 and the China-Central Asia Relationship.",
        ),
        _note("78", "Other Author, ‘SCO Promotes Transport Links’."),
        _note(
            "89",
            "Sahkalp Phartiyal, ‘Firms in India Downplay Chinese Links’, Reuters, 30 June 2020.",
        ),
    ]
    resolve_short_forms(notes)
    inherits = {n.label: n.inherits_from for n in notes}
    assert inherits == {
        "25": None,
        "26": "25",
        "27": "26",
        "39": None,
        "41": None,
        "57": "39",
        "71": "41",
        "74": None,
        "77": "74",
        "78": None,
        "89": None,
    }
    n26 = notes[1]
    assert [(u.url, u.inherited) for u in n26.urls] == [
        ("http://eng.sectsco.org/news/20170706/306862.html", True)
    ]
    assert n26.accessed == dt.date(2022, 8, 14)
    assert notes[2].urls[0].url == "http://eng.sectsco.org/news/20170706/306862.html"
    assert all(not u.inherited for u in notes[0].urls)
    assert notes[-1].urls == []
