"""docs/contract.md, the outside contract that scripts and spreadsheets read,
stays true: its commands exist, its statuses and verdicts are the code's, its
options are the CLI's, its exit codes are documented where users look.
(The report columns are checked in test_report_formats.py.)"""

from __future__ import annotations

import re
from pathlib import Path

import typer.main
from corpus import REPO
from test_docs import COMMANDS
from typer.testing import CliRunner

from verifier.cli import app
from verifier.store.models import LinkStatus, Verdict

CONTRACT = (REPO / "docs" / "contract.md").read_text("utf-8")
README = (REPO / "README.md").read_text("utf-8")


def _section(title: str) -> str:
    return CONTRACT.split(f"## {title}", 1)[1].split("\n## ", 1)[0]


def _paragraph(start: str) -> str:
    return CONTRACT.split(start, 1)[1].split("\n\n", 1)[0]


def test_every_contract_command_exists() -> None:
    table = _section("Commands")
    rows = [line for line in table.splitlines() if line.startswith("| `verifier ")]
    assert rows
    names = {name for name, _ in COMMANDS}
    for row in rows:
        words = row.split("`")[1].split()[1:]
        command = " ".join(w for w in words[:2] if re.fullmatch(r"[a-z]+", w))
        assert command.split()[0] in {n.split()[0] for n in names}, row
        if command in names or len(command.split()) == 1:
            continue
        # "check --enqueue": a command and its option, not a sub-command
        first = command.split()[0]
        options = {opt for name, c in COMMANDS if name == first for p in c.params for opt in p.opts}
        flag = next(w for w in words if w.startswith("--"))
        assert flag.strip("[]") in options, row


def test_common_options_are_on_every_command() -> None:
    for name, command in COMMANDS:
        options = {opt for param in command.params for opt in param.opts}
        assert "--db" in options, f"`verifier {name}` has no --db"
        assert "--config" in options, f"`verifier {name}` has no --config"


def test_check_options_of_the_contract() -> None:
    wanted = re.findall(r"`(--[a-z-]+)", _paragraph("`check` and `audit` also take"))
    assert "--allow-private-hosts" in wanted
    for name, command in COMMANDS:
        if name in {"check", "audit"}:
            options = {opt for param in command.params for opt in param.opts}
            assert set(wanted) <= options, (name, set(wanted) - options)


def test_statuses_and_verdicts_are_the_codes() -> None:
    plain = re.sub(r"\([^)]*\)", "", _paragraph("Link statuses:"))
    statuses = re.findall(r"`([a-z_0-9]+)`", plain)
    assert statuses == [s.value for s in LinkStatus]
    plain = re.sub(r"\([^)]*\)", "", _paragraph("Match verdicts:"))
    verdicts = re.findall(r"`([a-z_]+)`", plain)
    assert verdicts == [v.value for v in Verdict]


def test_report_formats_are_accepted(tmp_path: Path) -> None:
    formats = re.findall(r"`([a-z]+)`", _paragraph("Report formats:"))
    assert {"csv", "json", "md", "html", "sarif", "github"} <= set(formats)
    for fmt in formats:
        result = CliRunner().invoke(
            app, ["report", "--format", fmt, "--db", str(tmp_path / "none.db")]
        )
        assert "Invalid value for '--format'" not in result.output, fmt


def test_exit_codes_are_documented_in_the_readme() -> None:
    codes = re.findall(r"(\d) ([a-z][^;.]*)", _paragraph("Exit codes:"))
    assert [c for c, _ in codes] == ["0", "1", "2", "3"]
    for code in "0123":
        assert f"`{code}`" in README


def test_version_option() -> None:
    params = typer.main.get_command(app).params
    assert any("--version" in p.opts for p in params)
