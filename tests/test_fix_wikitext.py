"""``verifier fix`` on wikitext: archive-url in cite templates, {{webarchive}}
after bare URLs, existing archive parameters never overwritten."""

from __future__ import annotations

from pathlib import Path

import pytest
from fake_archive import FakeArchives
from fixing import dead_with_copy, run_fix
from loopback import LoopbackWeb

from verifier.store.database import Database


def test_cite_templates_and_bare_refs(
    db: Database, loopback: LoopbackWeb, fake: FakeArchives, tmp_path: Path
) -> None:
    a, a_copy = dead_with_copy(loopback, fake, "/a")
    b, _b_copy = dead_with_copy(loopback, fake, "/b")
    c, c_copy = dead_with_copy(loopback, fake, "/c")
    d, d_copy = dead_with_copy(loopback, fake, "/d")
    e, _e_copy = dead_with_copy(loopback, fake, "/e")
    f, f_copy = dead_with_copy(loopback, fake, "/f")
    # A copy the article already gives (on the fake archive: never fetched
    # from the real web).
    given = f"{fake.wayback_url}/web/20150101000000/{b}"
    before = (
        "{{Short description|A test}}\n{{Use dmy dates|date=May 2020}}\n"
        "'''Quay''' is old.<ref name=\"a\">{{cite web |url=" + a + " |title=Old quay "
        "|access-date=5 May 2020}}</ref> "
        "It was rebuilt.<ref>{{cite web|url=" + b + "|title=B|archive-url=" + given + ""
        "|archive-date=1 January 2015}}</ref> "
        "Twice.<ref>{{Cite news\n | url = " + c + "\n | title = C\n | archive-url = \n"
        " | archive-date =\n}}</ref> "
        'Again.<ref name="a" /> '
        "A bare one.<ref>[" + d + " D page] Retrieved 3 May 2020.</ref> "
        "Usurped.<ref>{{cite web |url=" + e + " |title=E |url-status=usurped "
        "|archive-url=}}</ref>\n"
        "Live status.<ref>{{cite web |url=" + f + " |title=F |url-status=live}}</ref>\n\n"
        "== References ==\n{{Reflist}}\n\n== External links ==\n* [" + a + " Quay site]\n"
    )
    doc = tmp_path / "Quay.wiki"
    doc.write_bytes(before.encode("utf-8"))
    result = run_fix(db, fake, [doc], write=True)
    expected = (
        before.replace(
            "|access-date=5 May 2020}}",
            f"|access-date=5 May 2020 |archive-url={a_copy} |archive-date=1 March 2022"
            " |url-status=dead}}",
        )
        .replace(
            " | archive-url = \n | archive-date =\n}}",
            f" | archive-url = {c_copy}\n | archive-date = 1 March 2022\n"
            " | url-status = dead\n}}",
        )
        .replace(
            "D page] Retrieved",
            f"D page] {{{{webarchive |url={d_copy} |date=1 March 2022}}}} Retrieved",
        )
        .replace(
            "|url-status=usurped |archive-url=}}",
            f"|url-status=usurped |archive-url={_e_copy} |archive-date=1 March 2022}}}}",
        )
        .replace(
            "|title=F |url-status=live}}",
            f"|title=F |url-status=dead |archive-url={f_copy} |archive-date=1 March 2022}}}}",
        )
    )
    got = doc.read_text("utf-8")
    assert got.splitlines() == expected.splitlines()
    assert got == expected
    # the template with its own archive-url, the reused ref and the external
    # link are untouched
    assert f"|archive-url={given}|archive-date=1 January 2015}}}}" in expected
    assert expected.endswith(f"* [{a} Quay site]\n")
    [fixed] = result.documents
    assert sorted(p.repair.label for p in fixed.fixed) == ["1", "3", "4", "5", "6"]
    again = run_fix(db, fake, [doc], write=True)
    assert doc.read_text("utf-8") == expected
    assert again.changes == 0


@pytest.mark.parametrize(
    ("declared", "access", "written"),
    [
        ("{{Use mdy dates|date=May 2020}}\n", "May 5, 2020", "March 1, 2022"),
        ("", "2020-05-05", "2022-03-01"),
        ("", "5 May 2020", "1 March 2022"),
    ],
)
def test_date_style_follows_the_article(
    db: Database,
    loopback: LoopbackWeb,
    fake: FakeArchives,
    tmp_path: Path,
    declared: str,
    access: str,
    written: str,
) -> None:
    url, copy = dead_with_copy(loopback, fake, "/styled")
    doc = tmp_path / "Styled.wiki"
    before = f"{declared}Text.<ref>{{{{cite web|url={url}|access-date={access}}}}}</ref>\n"
    doc.write_text(before, "utf-8")
    run_fix(db, fake, [doc], write=True, backup=False)
    assert doc.read_text("utf-8") == before.replace(
        f"|access-date={access}}}}}",
        f"|access-date={access}|archive-url={copy}|archive-date={written}|url-status=dead}}}}",
    )


def test_all_marks_a_working_link_live(
    db: Database, loopback: LoopbackWeb, fake: FakeArchives, tmp_path: Path
) -> None:
    live = loopback.add_page("/still", "<title>Still</title><p>Here.</p>")
    fake.add_capture(live, "20200202000000", "<title>Still</title><p>Here.</p>")
    copy = f"{fake.wayback_url}/web/20200202000000/{live}"
    doc = tmp_path / "Live.wiki"
    before = f"Text.<ref>{{{{cite web |url={live} |title=Still}}}}</ref>\n"
    doc.write_text(before, "utf-8")
    assert run_fix(db, fake, [doc]).changes == 0
    run_fix(db, fake, [doc], write=True, statuses=None, archive_all=True, stale_after=0.0)
    assert doc.read_text("utf-8") == before.replace(
        "|title=Still}}",
        f"|title=Still |archive-url={copy} |archive-date=2020-02-02 |url-status=live}}}}",
    )
