"""``verifier fix`` on plain text, byte for byte: Windows-1252 with CRLF line
endings stays so; only the archive notes are added."""

from __future__ import annotations

from pathlib import Path

import pytest
from fake_archive import FakeArchives
from fixing import dead_with_copy, live_page, run_fix
from loopback import LoopbackWeb

from verifier.store.database import Database


def test_windows_1252_crlf_byte_for_byte(
    db: Database, loopback: LoopbackWeb, fake: FakeArchives, tmp_path: Path
) -> None:
    quay, quay_copy = dead_with_copy(loopback, fake, "/quay")
    cafe, cafe_copy = dead_with_copy(loopback, fake, "/cafe", "20210603000000")
    end, end_copy = dead_with_copy(loopback, fake, "/end", "20200101000000")
    live = live_page(loopback, "/live")
    lines = [
        "The quay was rebuilt in 1990.1 The café called it “a marvel”.2 Both agree.3 So\xa0do we.4",
        "",
        "Notes",
        f"1. Harbour Board, “Old quay”, {quay}. Accessed 5 May 2020.",
        f"2. Café Review, “Marvel”, {cafe}, accessed 3 June 2021.",
        f"3. Quay archive: {end}",
        f"4. Still there: {live}.",
        "",
    ]
    before = "\r\n".join(lines).encode("cp1252")
    assert b"\x93a marvel\x94" in before and b"\r\n" in before
    doc = tmp_path / "quay.txt"
    doc.write_bytes(before)
    result = run_fix(db, fake, [doc], write=True)
    assert len(result.documents[0].fixed) == 3
    expected = (
        before.replace(
            f"{quay}. Accessed".encode(),
            f"{quay}. Archived at {quay_copy} (1 March 2022). Accessed".encode(),
        )
        .replace(
            f"{cafe}, accessed".encode(),
            f"{cafe} (archived at {cafe_copy}, 3 June 2021), accessed".encode(),
        )
        .replace(
            f"{end}\r\n".encode(), f"{end} Archived at {end_copy} (1 January 2020).\r\n".encode()
        )
    )
    after = doc.read_bytes()
    assert after == expected
    assert (tmp_path / "quay.txt.bak").read_bytes() == before
    # a diff run on the fixed file: nothing more to add
    again = run_fix(db, fake, [doc])
    assert again.changes == 0 and len(again.documents[0].already) == 3
    assert doc.read_bytes() == expected


def test_changed_file_is_reingested_first(
    db: Database, loopback: LoopbackWeb, fake: FakeArchives, tmp_path: Path
) -> None:
    first, _ = dead_with_copy(loopback, fake, "/first")
    second, second_copy = dead_with_copy(loopback, fake, "/second")
    doc = tmp_path / "notes.txt"
    doc.write_text(f"Text.1\n\nNotes\n1. See {first}.\n", "utf-8")
    assert run_fix(db, fake, [doc]).changes == 1
    # edited since: note 1 now cites another page
    doc.write_text(f"Text.1\n\nNotes\n1. See {second}.\n", "utf-8")
    result = run_fix(db, fake, [doc], write=True, backup=False)
    assert [p.repair.url for p in result.documents[0].fixed] == [second]
    assert doc.read_text("utf-8") == (
        f"Text.1\n\nNotes\n1. See {second}. Archived at {second_copy} (1 March 2022).\n"
    )


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16-le", "utf-16-be"])
def test_byte_order_marks_and_utf16_are_kept(
    db: Database,
    loopback: LoopbackWeb,
    fake: FakeArchives,
    tmp_path: Path,
    encoding: str,
) -> None:
    url, copy = dead_with_copy(loopback, fake, f"/bom-{encoding}")
    bom = {"utf-8-sig": b"", "utf-16-le": b"\xff\xfe", "utf-16-be": b"\xfe\xff"}[encoding]
    text = f"Text.1\r\n\r\nNotes\r\n1. Café guide, {url}. Accessed 2020.\r\n"
    doc = tmp_path / "bom.txt"
    doc.write_bytes(bom + text.encode(encoding))
    run_fix(db, fake, [doc], write=True, backup=False)
    fixed = text.replace(f"{url}.", f"{url}. Archived at {copy} (1 March 2022).")
    assert doc.read_bytes() == bom + fixed.encode(encoding)
