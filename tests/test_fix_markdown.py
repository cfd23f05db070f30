"""``verifier fix`` on Markdown: the archived copy after the URL, in the note."""

from __future__ import annotations

from pathlib import Path

from fake_archive import FakeArchives
from fixing import dead_with_copy, live_page, run_fix
from loopback import LoopbackWeb

from verifier.fix import FixOptions
from verifier.store.database import Database


def test_note_gets_the_archived_copy_after_its_url(
    db: Database, loopback: LoopbackWeb, fake: FakeArchives, tmp_path: Path
) -> None:
    dead, copy = dead_with_copy(loopback, fake, "/reports/quay")
    live = live_page(loopback, "/fine")
    doc = tmp_path / "article.md"
    before = (
        "# The quay\n\nThe quay was rebuilt.[^1] It still stands.[^2]\n\n"
        f"[^1]: “The old quay”, <{dead}>, accessed 5 March 2022.\n"
        f"[^2]: Harbour board, {live}.\n"
    )
    doc.write_text(before, "utf-8")
    result = run_fix(db, fake, [doc])
    # without --write: the diff, nothing changed
    assert doc.read_text("utf-8") == before
    [fixed] = result.documents
    assert len(fixed.fixed) == 1 and fixed.fixed[0].repair.label == "1"
    assert f"+[^1]: “The old quay”, <{dead}>, archived at <{copy}> on 1 March 2022" in fixed.diff
    assert fixed.diff.startswith(f"--- a/{doc}\n+++ b/{doc}\n")

    result = run_fix(db, fake, [doc], write=True)
    after = before.replace(f"<{dead}>", f"<{dead}>, archived at <{copy}> on 1 March 2022")
    assert doc.read_bytes() == after.encode("utf-8")
    assert (tmp_path / "article.md.bak").read_bytes() == before.encode("utf-8")
    assert result.documents[0].written

    # twice: the second run finds the copy already there and adds nothing
    again = run_fix(db, fake, [doc], write=True)
    assert doc.read_bytes() == after.encode("utf-8")
    assert not again.documents[0].fixed and len(again.documents[0].already) == 1
    assert again.changes == 0


def test_inline_links_replaced_or_followed(
    db: Database, loopback: LoopbackWeb, fake: FakeArchives, tmp_path: Path
) -> None:
    dead, copy = dead_with_copy(loopback, fake, "/story")
    doc = tmp_path / "post.md"
    before = f'Read [the story]({dead} "Story") before [it]({dead}) goes.\n\n```\n{dead}\n```\n'
    doc.write_text(before, "utf-8")
    run_fix(db, fake, [doc], write=True, backup=False)
    tail = f", archived at <{copy}> on 1 March 2022"
    assert doc.read_text("utf-8") == (
        f'Read [the story]({dead} "Story"){tail} before [it]({dead}){tail} goes.'
        f"\n\n```\n{dead}\n```\n"
    )
    assert not (tmp_path / "post.md.bak").exists()

    other = tmp_path / "other.md"
    other.write_text(before, "utf-8")
    run_fix(db, fake, [other], write=True, options=FixOptions(replace_inline=True))
    # the code block is an example, not a citation: left alone
    assert other.read_text("utf-8") == (
        f'Read [the story]({copy} "Story") before [it]({copy}) goes.\n\n```\n{dead}\n```\n'
    )


def test_several_urls_in_one_note_each_get_their_own_copy(
    db: Database, loopback: LoopbackWeb, fake: FakeArchives, tmp_path: Path
) -> None:
    first, first_copy = dead_with_copy(loopback, fake, "/a", "20190102000000")
    live = live_page(loopback, "/b")
    second, second_copy = dead_with_copy(loopback, fake, "/c", "20200304000000")
    doc = tmp_path / "notes.md"
    doc.write_text(f"Claim.[^1]\n\n[^1]: See {first} and {live}; also <{second}>.\n", "utf-8")
    run_fix(db, fake, [doc], write=True, options=FixOptions(template=" [archived]({archive_url})"))
    assert doc.read_text("utf-8") == (
        f"Claim.[^1]\n\n[^1]: See {first} [archived]({first_copy}) and {live}; "
        f"also <{second}> [archived]({second_copy}).\n"
    )


def test_status_option_and_all(
    db: Database, loopback: LoopbackWeb, fake: FakeArchives, tmp_path: Path
) -> None:
    dead, _ = dead_with_copy(loopback, fake, "/gone")
    live = live_page(loopback, "/here")
    fake.add_capture(live, "20210101000000", "<title>Live /here</title><p>Still here.</p>")
    doc = tmp_path / "a.md"
    doc.write_text(f"X.[^1] Y.[^2]\n\n[^1]: <{dead}>\n[^2]: <{live}>\n", "utf-8")
    # only soft-404s asked for: the dead link is not touched
    assert run_fix(db, fake, [doc], statuses=["soft_404"]).changes == 0
    # --all: the live link's capture too (archive lookups for every citation)
    result = run_fix(db, fake, [doc], statuses=None, archive_all=True, stale_after=0.0)
    assert {p.repair.url for p in result.documents[0].fixed} == {dead, live}


def test_one_url_two_notes_each_with_the_copy_of_its_date(
    db: Database, loopback: LoopbackWeb, fake: FakeArchives, tmp_path: Path
) -> None:
    url, old_copy = dead_with_copy(loopback, fake, "/moving", "20180601000000")
    fake.add_capture(url, "20210601000000", "<title>Archived /moving</title><p>Later.</p>")
    new_copy = f"{fake.wayback_url}/web/20210601000000/{url}"
    doc = tmp_path / "dates.md"
    doc.write_text(
        "A.[^1] B.[^2]\n\n"
        f"[^1]: First version, <{url}>, accessed 2 July 2018.\n"
        f"[^2]: Second version, <{url}>, accessed 9 September 2021.\n",
        "utf-8",
    )
    run_fix(db, fake, [doc], write=True, options=FixOptions(template=" ({archive_url})"))
    assert doc.read_text("utf-8") == (
        "A.[^1] B.[^2]\n\n"
        f"[^1]: First version, <{url}> ({old_copy}), accessed 2 July 2018.\n"
        f"[^2]: Second version, <{url}> ({new_copy}), accessed 9 September 2021.\n"
    )
