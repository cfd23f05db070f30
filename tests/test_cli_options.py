"""Options nightly jobs and link-checker users expect: --config, --exclude,
--accept, per-host headers, --version, -q/-v, exit 3 offline, and every
--help readable with examples."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from loopback import LoopbackWeb, Page, Request
from typer.main import get_command
from typer.testing import CliRunner

from verifier import __version__
from verifier.cli import app
from verifier.settings import Settings, load_settings

runner = CliRunner()
CHECK = ["--allow-private-hosts", "--no-archive", "--timeout", "2", "--retries", "0"]


def cite(path: Path, *urls: str) -> None:
    marks = "".join(f"[^{i}]" for i in range(1, len(urls) + 1))
    notes = "".join(f"[^{i}]: Page {i}, <{url}>.\n" for i, url in enumerate(urls, 1))
    path.write_text(f"Text.{marks}\n\n{notes}", "utf-8")


def statuses(db: str = "sources.db") -> dict[str, str]:
    report = json.loads(runner.invoke(app, ["report", "--format", "json", "--db", db]).stdout)
    return {row["url"]: row["status"] for row in report["rows"]}


def test_version() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0 and result.stdout.strip() == f"verifier {__version__}"


def all_commands() -> list[tuple[str, Any]]:
    """Every command and group (typer vendors click: groups have ``commands``)."""
    root: Any = get_command(app)
    found: list[tuple[str, Any]] = [("", root)]
    for name, command in root.commands.items():
        if hasattr(command, "commands"):
            found += [(f"{name} {sub}", c) for sub, c in command.commands.items()]
        else:
            found.append((name, command))
    return found


@pytest.mark.parametrize("name", [name for name, _ in all_commands()])
def test_every_help_is_readable_with_examples(name: str) -> None:
    result = runner.invoke(app, [*name.split(), "--help"], terminal_width=100)
    assert result.exit_code == 0
    text = result.stdout
    assert not re.search(r"<(str|int|float|list\[str\]|bool)>", text), text
    assert "Example" in text
    examples = text.split("Example", 1)[1].split("Options:", 1)[0].split("Arguments:", 1)[0]
    lines = [line.strip() for line in examples.splitlines() if line.strip().startswith("verifier")]
    assert lines, text
    for line in lines:
        # One example per line, and each is a real command of this name.
        assert line.count("verifier ") == 1, line
        words = line.split("#", 1)[0].split()
        if name:
            assert " ".join(words[1 : 1 + len(name.split())]).lstrip("-") in (name, "q " + name)


@pytest.mark.parametrize("name", ["ingest", "audit", "remove", "fix"])
def test_help_says_a_command_takes_several_paths(name: str) -> None:
    text = runner.invoke(app, [name, "--help"], terminal_width=100).stdout
    usage = text.split("\n\n", 1)[0]
    assert "PATH..." in usage, usage


def test_config_option_is_read_from_anywhere(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, loopback: LoopbackWeb
) -> None:
    blocked = loopback.add_page("/opt/blocked", "<p>Members only</p>", status=403)
    fine = loopback.add_page("/opt/fine", "<title>Fine</title><p>fine</p>")
    skipped = loopback.add_page("/opt/skip-me", "<p>x</p>")
    (tmp_path / "etc").mkdir()
    config = tmp_path / "etc" / "nightly.toml"
    config.write_text('exclude = ["skip-me"]\naccept_status = [403]\n', "utf-8")
    cite(tmp_path / "doc.md", blocked, fine, skipped)
    monkeypatch.chdir(tmp_path / "etc")
    db = str(tmp_path / "sources.db")
    assert runner.invoke(app, ["ingest", str(tmp_path / "doc.md"), "--db", db]).exit_code == 0
    monkeypatch.chdir(tmp_path)  # no verifier.toml here
    result = runner.invoke(app, ["check", "--db", db, "--config", str(config), *CHECK])
    assert result.exit_code == 0, result.output
    assert statuses(db) == {blocked: "ok", fine: "ok", skipped: "excluded"}
    assert loopback.hits("/opt/skip-me") == 0
    result = runner.invoke(app, ["check", "--db", db, "--config", "missing.toml"])
    assert result.exit_code == 2 and "missing.toml" in result.output


def test_exclude_and_accept_on_the_command_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, loopback: LoopbackWeb
) -> None:
    monkeypatch.chdir(tmp_path)
    blocked = loopback.add_page("/cli/blocked", "<p>no</p>", status=403)
    teapot = loopback.add_page("/cli/teapot", "<p>tea</p>", status=418)
    skipped = loopback.add_page("/cli/twitter/1", "<p>x</p>")
    cite(tmp_path / "doc.md", blocked, teapot, skipped)
    assert runner.invoke(app, ["ingest", "doc.md"]).exit_code == 0
    result = runner.invoke(
        app, ["check", *CHECK, "--exclude", r"/cli/twitter/\d+$", "--accept", "403,418..418"]
    )
    assert result.exit_code == 0, result.output
    assert statuses() == {blocked: "ok", teapot: "ok", skipped: "excluded"}
    assert loopback.hits("/cli/twitter/1") == 0
    for bad in (["--accept", "abc"], ["--exclude", "("], ["--accept", "99"]):
        result = runner.invoke(app, ["check", *CHECK, *bad])
        assert result.exit_code == 2, bad
        assert "Traceback" not in result.output


def test_host_headers_go_to_their_host_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, loopback: LoopbackWeb
) -> None:
    seen: dict[str, dict[str, str]] = {}

    def record(name: str):  # type: ignore[no-untyped-def]
        def handler(request: Request) -> Page:
            seen[name] = {k.lower(): v for k, v in request.headers.items()}
            return Page(200, "<title>Paywalled</title><p>The article text.</p>")

        return handler

    paywalled = loopback.add_handler("/pay/article", record("own"), host=0)
    loopback.add_handler("/pay/elsewhere", record("other"), host=1)
    bounce = loopback.redirect("/pay/bounce", loopback.url(1, "/pay/elsewhere"))
    monkeypatch.chdir(tmp_path)
    Path("verifier.toml").write_text(
        '[hosts."127.0.0.1"]\n'
        'headers = { "X-Api-Key" = "k-SECRET-1" }\n'
        'cookies = { session = "c-SECRET-2" }\n'
        'auth = "reader:p-SECRET-3"\n',
        "utf-8",
    )
    cite(tmp_path / "doc.md", paywalled, bounce)
    assert runner.invoke(app, ["ingest", "doc.md"]).exit_code == 0
    result = runner.invoke(app, ["-v", "check", *CHECK])
    assert result.exit_code == 0, result.output
    own = seen["own"]
    assert own["x-api-key"] == "k-SECRET-1"
    assert "session=c-SECRET-2" in own["cookie"]
    assert own["authorization"].startswith("Basic ")
    # The redirect to another host carries none of them.
    other = seen["other"]
    assert "x-api-key" not in other and "authorization" not in other
    assert "SECRET" not in other.get("cookie", "")
    everything = result.output + "".join(
        runner.invoke(app, [c, *a]).output
        for c, a in (("report", ["--format", "json"]), ("status", []))
    )
    assert "SECRET" not in everything
    assert "SECRET" not in repr(load_settings())


def test_settings_repr_hides_host_secrets() -> None:
    settings = Settings(save_page_now_auth="a:SECRET")
    assert " hosts=" not in repr(settings) and "SECRET" not in repr(settings)


def test_quiet_prints_no_tables(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, loopback: LoopbackWeb
) -> None:
    monkeypatch.chdir(tmp_path)
    cite(tmp_path / "doc.md", loopback.add_page("/q/fine", "<title>Fine</title>"))
    assert runner.invoke(app, ["ingest", "doc.md"]).exit_code == 0
    loud = runner.invoke(app, ["check", *CHECK])
    quiet = runner.invoke(app, ["-q", "check", *CHECK, "--recheck"])
    assert loud.exit_code == quiet.exit_code == 0
    assert "Links" in loud.stdout and quiet.stdout.strip() == ""
    verbose = runner.invoke(app, ["-vv", "check", *CHECK, "--recheck"])
    assert verbose.exit_code == 0
    assert "URLs due" in verbose.stderr and "/q/fine: ok (HTTP 200)" in verbose.stderr
    assert "URLs due" not in runner.invoke(app, ["check", *CHECK, "--recheck"]).stderr


def test_no_network_exits_3(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every host unresolvable and the DNS canary too: nothing was judged."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("VERIFIER_DNS_CANARY", "canary.invalid")
    cite(tmp_path / "doc.md", "http://quay.invalid/a", "http://ledger.invalid/b")
    assert runner.invoke(app, ["ingest", "doc.md"]).exit_code == 0
    result = runner.invoke(app, ["check", "--no-archive", "--retries", "0"])
    assert result.exit_code == 3, result.output
    assert "no network" in result.output
    result = runner.invoke(app, ["audit", "doc.md", "--no-archive", "--retries", "0", "--recheck"])
    assert result.exit_code == 3
    # The closing line agrees with the exit code (it said "exit 0" before).
    assert "nothing was judged (exit 3)" in result.output
    assert "exit 0" not in result.output
    # With a canary that resolves, a host that does not exist is dead: exit 1.
    monkeypatch.setenv("VERIFIER_DNS_CANARY", "localhost")
    result = runner.invoke(app, ["check", "--no-archive", "--retries", "0", "--recheck"])
    assert result.exit_code == 1, result.output


def test_quiet_audit_prints_only_the_report(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, loopback: LoopbackWeb
) -> None:
    monkeypatch.chdir(tmp_path)
    cite(tmp_path / "doc.md", loopback.add_page("/qa/fine", "<title>Fine</title>"))
    result = runner.invoke(app, ["-q", "audit", "doc.md", "--format", "github", *CHECK])
    assert result.exit_code == 0, result.output
    assert result.stdout == "" and result.stderr == ""
