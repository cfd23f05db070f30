"""A database filled as the fetch, archive and match stages fill it, for the
report tests: real notes from seed document 000 (their titles, URLs and
accessed dates as written there), checked with a spread of statuses and
verdicts, and a second document planted with markup that must never run.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from verifier.parse.model import ParsedAttribution, ParsedCitation, ParsedDocument, ParsedUrl
from verifier.store.database import Database
from verifier.store.documents import store_document
from verifier.store.models import (
    Check,
    Citation,
    CitationUrl,
    Content,
    Match,
    Quote,
    Run,
    Snapshot,
    Url,
)

SEED_DOC = "seeds/000_224640cac31f022b.txt"
XSS_DOC = "essays/planted.md"
# Markup planted in a note, a title and a fetched page's passage.
SCRIPT = "<script>window.__xss = (window.__xss || 0) + 1</script>"
ATTR = '" onmouseover="window.__xss = 99" x="'
IMG = '<img src=x onerror="window.__xss = 7">'

T0 = dt.datetime(2026, 11, 20, 2, 0, 0)


def _note(
    label: str,
    title: str | None,
    url: str | None,
    accessed: dt.date | None,
    raw: str,
    *,
    sentence: str | None = None,
    quotations: list[str] | None = None,
    archive_url: str | None = None,
    archive_date: dt.date | None = None,
    problem: str | None = None,
) -> ParsedCitation:
    urls = [ParsedUrl(url, archive_url=archive_url, archive_date=archive_date)] if url else []
    return ParsedCitation(
        label=label,
        kind="note",
        raw_text=raw,
        urls=urls,
        accessed=accessed,
        title=title,
        sentence=sentence,
        quotations=quotations or [],
        problem=problem,
    )


AUG14 = dt.date(2022, 8, 14)

SEED_NOTES = [
    _note(
        "2",
        "Chinese Premier Wraps Up Central Asian Tour",
        "https://www.upi.com/Archives/1994/04/27/Chinese-premier-wraps-up-Central-Asian-tour/"
        "1680767419200/",
        AUG14,
        "UPI Archives, ‘Chinese Premier Wraps Up Central Asian Tour’, 27 April 1994, "
        "<https://www.upi.com/Archives/1994/04/27/Chinese-premier-wraps-up-Central-Asian-tour/"
        "1680767419200/>, accessed 14 August 2022.",
        sentence="Li Peng toured the region in 1994, promoting a ‘new Silk Road’.",
        quotations=["new Silk Road"],
    ),
    _note(
        "3",
        "Promote Friendship Between Our People and Work Together to Build a Bright Future",
        "https://www.fmprc.gov.cn/ce/cebel/eng/zxxx/t1078088.htm",
        dt.date(2022, 9, 12),
        "Xi Jinping, ‘Promote Friendship Between Our People and Work Together to Build a "
        "Bright Future’, speech given at Nazarbayev University, Astana, 7 September 2013, "
        "<https://www.fmprc.gov.cn/ce/cebel/eng/zxxx/t1078088.htm>, accessed 12 September 2022.",
    ),
    _note(
        "5",
        "Remembering the Ghulja Incident: 20th Anniversary of “Uyghur Tiananmen” Passes With "
        "Little Notice",
        "https://thediplomat.com/2017/03/remembering-the-ghulja-incident-20th-anniversary-of-"
        "uyghur-tiananmen-passes-with-little-notice/",
        AUG14,
        "Peter Irwin, ‘Remembering the Ghulja Incident: 20th Anniversary of “Uyghur "
        "Tiananmen” Passes With Little Notice’, The Diplomat, 2 March 2017, "
        "<https://thediplomat.com/2017/03/remembering-the-ghulja-incident-20th-anniversary-of-"
        "uyghur-tiananmen-passes-with-little-notice/>, accessed 14 August 2022.",
        archive_url="https://web.archive.org/web/20220814101500/https://thediplomat.com/2017/03/"
        "remembering-the-ghulja-incident-20th-anniversary-of-uyghur-tiananmen-passes-with-"
        "little-notice/",
        archive_date=dt.date(2022, 8, 14),
    ),
    _note(
        "6",
        "The Beginning of China-Turkmenistan Natural Gas Pipeline Project Planning",
        "http://cpc.people.com.cn/BIG5/218984/222139/14775391.html",
        AUG14,
        "History of the Communist Party of China, ‘Zhōng tǔ tiānránqì guǎndào gōngchéng "
        "xiàngmù guīhuà zhī chū’ [‘The Beginning of China-Turkmenistan Natural Gas Pipeline "
        "Project Planning’], 30 May 2011, <http://cpc.people.com.cn/BIG5/218984/222139/"
        "14775391.html>, accessed 14 August 2022.",
        sentence="By 2011 some 30 percent of the gas was to come through the pipeline.",
        quotations=["some 30 percent of the gas"],
    ),
    _note(
        "7",
        "Take No Time to Implement the Great Western Development Strategy",
        "http://www.reformdata.org/1999/0617/5803.shtml",
        AUG14,
        "Selected works of Jiang Zemin, Vol. 2, ‘Bùshīshíjī dì shíshī xībù dà kāifā "
        "zhànlüè’ [‘Take No Time to Implement the Great Western Development Strategy’], "
        "17 June 1999, <http://www.reformdata.org/1999/0617/5803.shtml>, accessed 14 August 2022.",
    ),
    _note(
        "8",
        "Islamic Movement of Uzbekistan",
        "https://www.un.org/securitycouncil/sanctions/1267/aq_sanctions_list/summaries/entity/"
        "islamic-movement-of-uzbekistan",
        AUG14,
        "UN Security Council, United Nations sanctions list, ‘Islamic Movement of "
        "Uzbekistan’, <https://www.un.org/securitycouncil/sanctions/1267/aq_sanctions_list/"
        "summaries/entity/islamic-movement-of-uzbekistan>, accessed 14 August 2022.",
    ),
    _note(
        "9",
        "Shanghai Cooperation Organisation Charter",
        None,
        None,
        "Shanghai Cooperation Organisation, ‘Shanghai Cooperation Organisation Charter’, "
        "7 June 2002.",
        problem="no URL in the note",
    ),
    _note(
        "10",
        None,
        "https://eng.sectsco.org/documents/",
        None,
        "SCO Secretariat, documents, <https://eng.sectsco.org/documents/>.",
    ),
]


def _planted_notes() -> list[ParsedCitation]:
    return [
        _note(
            f"1{ATTR}",
            f"Planted {SCRIPT} title {ATTR}",
            "https://news.example.org/planted",
            dt.date(2024, 1, 5),
            f"A note with {SCRIPT} and {IMG} and {ATTR} in it.",
            sentence=f"It said “the {SCRIPT} passage”.",
            quotations=[f"the {SCRIPT} passage"],
        ),
        _note(
            "2",
            "Javascript link",
            "javascript:alert(document.domain)",
            None,
            "A note whose URL is javascript:alert(document.domain).",
        ),
    ]


@dataclass
class Filled:
    run_id: int
    url_ids: dict[str, int]


def _url_id(session: Session, document: str, label: str) -> int:
    return session.scalar(
        select(CitationUrl.url_id)
        .join(Citation, Citation.id == CitationUrl.citation_id)
        .join(Citation.document)
        .where(Citation.label == label)
        .where(Citation.document.has(path=document))
    )  # type: ignore[return-value]


def _quote(session: Session, document: str, label: str, kind: str) -> Quote:
    return session.scalars(
        select(Quote)
        .join(Citation, Citation.id == Quote.citation_id)
        .where(Citation.label == label, Quote.kind == kind)
        .where(Citation.document.has(path=document))
        .order_by(Quote.position)
    ).first()  # type: ignore[return-value]


def add_check(
    session: Session,
    run: Run,
    url_id: int,
    status: str,
    http_status: int | None,
    *,
    final_url: str | None = None,
    error: str | None = None,
    failures: int = 0,
    failing_since: dt.datetime | None = None,
) -> Check:
    """A check row plus the URL's counters, as the fetch stage writes them."""
    check = Check(
        run_id=run.id,
        url_id=url_id,
        checked_at=run.started_at + dt.timedelta(minutes=1),
        status=status,
        http_status=http_status,
        final_url=final_url,
        error=error,
        attempts=1,
    )
    session.add(check)
    session.flush()
    url = session.get(Url, url_id)
    assert url is not None
    url.last_status = status
    url.last_checked_at = check.checked_at
    url.last_check_id = check.id
    url.failures_in_a_row = failures
    url.failing_since = failing_since
    return check


def add_match(
    session: Session,
    run: Run,
    quote: Quote,
    url_id: int,
    verdict: str,
    score: float,
    *,
    passage: str | None = None,
    context: str | None = None,
    reason: str | None = None,
    source: str = "live",
) -> None:
    session.add(
        Match(
            run_id=run.id,
            quote_id=quote.id,
            url_id=url_id,
            verdict=verdict,
            score=score,
            method="test",
            source=source,
            passage=passage,
            context=context,
            reason=reason,
        )
    )


def ingest_fixture_documents(db: Database) -> None:
    documents = [
        ParsedDocument(
            path=SEED_DOC,
            format="text",
            title="Paving the Digital Silk Road with the Shanghai Cooperation Organisation",
            citations=SEED_NOTES,
            attributions=[
                ParsedAttribution(
                    sentence="According to the China Global Investment Tracker, Chinese "
                    "investment in the region has grown every year since 2013.",
                    cue="according to",
                    source="the China Global Investment Tracker",
                )
            ],
        ),
        ParsedDocument(
            path=XSS_DOC,
            format="markdown",
            title="Planted",
            citations=_planted_notes(),
            attributions=[
                ParsedAttribution(
                    sentence=f"Officials said {SCRIPT} it was fine.", cue="said", source=IMG
                )
            ],
        ),
    ]
    for number, parsed in enumerate(documents):
        with db.session() as session:
            store_document(session, parsed, f"{number:064d}", 1000)


def fill(db: Database) -> Filled:
    """Ingest both documents and record one run's checks, snapshots and matches."""
    ingest_fixture_documents(db)
    with db.session() as session:
        run = Run(started_at=T0, finished_at=T0 + dt.timedelta(minutes=5))
        session.add(run)
        session.flush()
        ids = {label: _url_id(session, SEED_DOC, label) for label in ("2", "3", "5", "6", "7", "8")}
        ids["xss"] = _url_id(session, XSS_DOC, f"1{ATTR}")
        ids["js"] = _url_id(session, XSS_DOC, "2")

        # 2: fine; title and quotation found as written.
        add_check(session, run, ids["2"], "ok", 200)
        add_match(
            session, run, _quote(session, SEED_DOC, "2", "title"), ids["2"], "exact", 100.0,
            passage="Chinese Premier Wraps Up Central Asian Tour",
            context="UPI Archives · Chinese Premier Wraps Up Central Asian Tour · April 27, 1994",
        )  # fmt: skip
        add_match(
            session, run, _quote(session, SEED_DOC, "2", "quotation"), ids["2"], "exact", 100.0,
            passage="new Silk Road",
            context="Li Peng called for the building of a new Silk Road linking China and Europe",
        )  # fmt: skip
        # 3: moved permanently; the title differs slightly.
        add_check(
            session, run, ids["3"], "redirected", 301,
            final_url="https://www.fmprc.gov.cn/eng/wjdt_665385/zyjh_665391/t1078088.shtml",
        )  # fmt: skip
        add_match(
            session, run, _quote(session, SEED_DOC, "3", "title"), ids["3"], "fuzzy", 91.5,
            passage="Promote People-to-People Friendship and Work Together to Build a "
            "Bright Future",
            context="Speech by H.E. Xi Jinping: Promote People-to-People Friendship and Work "
            "Together to Build a Bright Future. Astana, 7 September 2013",
        )  # fmt: skip
        # 5: dead for three nights; the title survives in the archived copy.
        add_check(
            session, run, ids["5"], "dead", 404, error="HTTP 404 Not Found",
            failures=3, failing_since=T0 - dt.timedelta(days=2),
        )  # fmt: skip
        add_match(
            session, run, _quote(session, SEED_DOC, "5", "title"), ids["5"], "archive_only",
            88.0, passage="Remembering the Ghulja Incident", source="archive",
            context="Remembering the Ghulja Incident: 20th Anniversary of 'Uyghur Tiananmen'",
        )  # fmt: skip
        content = Content(hash="a" * 64, text_z=b"", length=0)
        session.add(content)
        session.flush()
        session.add(
            Snapshot(
                url_id=ids["5"],
                archive="wayback",
                captured_at=dt.datetime(2022, 8, 14, 10, 15),
                snapshot_url="https://web.archive.org/web/20220814101500/https://thediplomat.com"
                "/2017/03/remembering-the-ghulja-incident-20th-anniversary-of-uyghur-tiananmen-"
                "passes-with-little-notice/",
                status=200,
                content_hash=content.hash,
            )
        )
        # 6: answers 200 with an error page; the quotation's number differs.
        add_check(
            session, run, ids["6"], "soft_404", 200, error="page title says “404 Not Found”",
            failures=1, failing_since=T0,
        )  # fmt: skip
        add_match(
            session, run, _quote(session, SEED_DOC, "6", "quotation"), ids["6"], "absent", 72.0,
            reason="number differs: 30 vs 13", passage="some 13 percent of the gas",
            context="by 2011 some 13 percent of the gas was to come through the pipeline",
        )  # fmt: skip
        add_match(
            session, run, _quote(session, SEED_DOC, "6", "title"), ids["6"], "unchecked", 0.0,
        )  # fmt: skip
        # 7: a bot wall: inconclusive.
        add_check(
            session, run, ids["7"], "blocked", 403, error="HTTP 403: Cloudflare challenge page",
            failures=1, failing_since=T0,
        )  # fmt: skip
        # 8: timed out twice in a row.
        add_check(
            session, run, ids["8"], "timeout", None, error="no answer within 20 s",
            failures=2, failing_since=T0 - dt.timedelta(days=1),
        )  # fmt: skip
        # 10 (sectsco.org) stays unchecked.
        # The planted note: fine link, a passage with markup in it.
        add_check(session, run, ids["xss"], "ok", 200)
        add_match(
            session, run, _quote(session, XSS_DOC, f"1{ATTR}", "quotation"), ids["xss"],
            "exact", 100.0, passage=f"the {SCRIPT} passage",
            context=f"Before {IMG} the {SCRIPT} passage and {ATTR} after.",
        )  # fmt: skip
        add_check(session, run, ids["js"], "invalid_url", None, error="scheme javascript:")
        return Filled(run_id=run.id, url_ids=ids)
