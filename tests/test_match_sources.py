"""A note that gives several sources is supported when one of them holds the
quoted text: its other sources' rows are not ``absent`` and fail nothing."""

from __future__ import annotations

from sqlalchemy import select

from verifier.archive import best_snapshot
from verifier.fetch.content import PageText
from verifier.match.verify import verify_run
from verifier.report import FailurePolicy, judge, report_rows
from verifier.store.contents import store_content
from verifier.store.database import Database
from verifier.store.models import Check, Citation, CitationUrl, Document, Match, Quote, Run, Url

CGTN = PageText(
    text="SCO Development Bank: Prospects of the SCO Development Bank. Members met in June.",
    title="SCO Development Bank: Prospects of the SCO Development Bank | CGTN",
    h1=None,
    og_title=None,
)
XINHUA = PageText(
    text="SCO plans to enhance financial cooperation. The bank remains under consultation.",
    title="SCO Plans to Enhance Financial Cooperation - Xinhua",
    h1=None,
    og_title=None,
)


def _note_with_two_sources(db: Database, quotation: str) -> int:
    with db.session() as session:
        run = Run()
        doc = Document(path="paper.txt", format="text", sha256="0" * 64)
        session.add_all([run, doc])
        session.flush()
        citation = Citation(
            document_id=doc.id,
            label="24",
            position=0,
            kind="note",
            raw_text="CGTN, '...', <url1>; Xinhua, '...', <url2>",
            title="SCO Development Bank: Prospects of the SCO Development Bank",
        )
        session.add(citation)
        session.flush()
        for position, (name, page) in enumerate((("cgtn", CGTN), ("xinhua", XINHUA))):
            url = Url(url_hash=f"{position:064d}", url=f"https://{name}.example/a", host=name)
            session.add(url)
            session.flush()
            session.add(
                CitationUrl(
                    citation_id=citation.id, url_id=url.id, position=position, written=url.url
                )
            )
            check = Check(
                run_id=run.id,
                url_id=url.id,
                status="ok",
                http_status=200,
                content_hash=store_content(session, page),
            )
            session.add(check)
            session.flush()
            url.last_status, url.last_check_id = "ok", check.id
        session.add_all(
            [
                Quote(citation_id=citation.id, kind="title", text=citation.title, position=0),
                Quote(citation_id=citation.id, kind="quotation", text=quotation, position=1),
            ]
        )
        return run.id


def test_text_found_in_one_source_is_not_absent_in_the_other(db: Database) -> None:
    run_id = _note_with_two_sources(db, "remains under consultation")
    verify_run(db, run_id, archived_copy=best_snapshot)
    with db.session() as session:
        verdicts = {
            (kind, url): (verdict, reason)
            for kind, url, verdict, reason in session.execute(
                select(Quote.kind, Url.url, Match.verdict, Match.reason)
                .join(Quote, Quote.id == Match.quote_id)
                .join(Url, Url.id == Match.url_id)
            )
        }
    # The title is CGTN's; the quotation is Xinhua's.
    assert verdicts[("title", "https://cgtn.example/a")][0] == "exact"
    title_at_xinhua = verdicts[("title", "https://xinhua.example/a")]
    assert title_at_xinhua[0] == "exact"
    assert "another source of this note (https://cgtn.example/a)" in title_at_xinhua[1]
    assert verdicts[("quotation", "https://cgtn.example/a")][0] == "exact"
    assert judge(report_rows(db), FailurePolicy()).exit_code == 0


def test_text_in_neither_source_is_still_absent(db: Database) -> None:
    run_id = _note_with_two_sources(db, "the bank was founded in 2019")
    verify_run(db, run_id, archived_copy=best_snapshot)
    rows = list(report_rows(db))
    assert [r.quote_match for r in rows] == ["absent", "absent"]
    assert judge(rows, FailurePolicy()).exit_code == 1
