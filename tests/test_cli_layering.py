"""The command line is a thin face: typer and rich are imported under
``verifier/cli/`` only, and the library runs ``check`` and ``audit`` itself."""

from __future__ import annotations

import ast
from pathlib import Path

from verifier.pipeline import AuditSummary, Observer, audit, check
from verifier.report import FailurePolicy
from verifier.settings import load_settings
from verifier.store.database import Database

PACKAGE = Path(__file__).resolve().parent.parent / "verifier"


def _imported(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module.split(".")[0])
    return names


def test_typer_and_rich_only_under_cli() -> None:
    offenders = [
        str(path.relative_to(PACKAGE))
        for path in PACKAGE.rglob("*.py")
        if "cli" not in path.relative_to(PACKAGE).parts[:1]
        and _imported(path) & {"typer", "rich", "click"}
    ]
    assert offenders == []
    # ... and the command line does use them (the check above can fail).
    assert {"typer", "rich"} <= _imported(PACKAGE / "cli" / "app.py")


class _Recorder(Observer):
    def __init__(self) -> None:
        self.seen: list[str] = []

    def document(self, outcome: object) -> None:
        self.seen.append(f"document {getattr(outcome, 'path', outcome)}")

    def checked(self, result: object) -> None:
        self.seen.append("checked")


def test_audit_and_check_as_library_calls(tmp_path: Path) -> None:
    doc = tmp_path / "doc.md"
    # No URL to fetch: the audit needs no network and still runs every stage.
    doc.write_text('Text.[^1]\n\n[^1]: Smith, "A Title", 2020.\n', "utf-8")
    db = Database(str(tmp_path / "s.db"), create=True)
    settings = load_settings(db=str(tmp_path / "s.db"), config=None, archive=False)
    policy = FailurePolicy.from_options(None, None)
    observer = _Recorder()
    out = tmp_path / "report.csv"
    done = audit(db, [str(doc)], settings, policy=policy, output=str(out), observer=observer)
    assert isinstance(done, AuditSummary)
    assert done.check is not None and done.check.checked == 0
    assert done.report is not None and done.report.rows == done.rows == 1
    assert done.exit_code == 0
    assert len(observer.seen) == 2 and observer.seen[1] == "checked"
    assert observer.seen[0].startswith("document ") and observer.seen[0].endswith("doc.md")
    assert out.read_text("utf-8").startswith("document")
    again = check(db, settings, policy)
    assert again.report is not None and again.report.rows == 1 and again.exit_code == 0
    db.dispose()


def test_audit_of_an_unreadable_document_checks_and_writes_nothing(tmp_path: Path) -> None:
    target = tmp_path / "s.db"
    db = Database(str(target), create=True)
    settings = load_settings(db=str(target), config=None)
    done = audit(
        db,
        [str(tmp_path / "missing.md")],
        settings,
        policy=FailurePolicy.from_options(None, None),
        output=str(tmp_path / "r.csv"),
    )
    assert done.ingest.errors and done.check is None and done.exit_code == 2
    assert not (tmp_path / "r.csv").exists()
    assert not target.exists()  # the database this audit created is removed
