"""Every command and every option is documented: in its --help (an Example
block) and in the README, which users read first."""

from __future__ import annotations

from typing import Any

import pytest
import typer.main
from conftest import REPO

from verifier.cli import app

README = (REPO / "README.md").read_text(encoding="utf-8")


def _commands() -> list[tuple[str, Any]]:
    """(name, click command) for every leaf command; typer vendors click, so
    groups are told apart by their ``commands``."""
    found: list[tuple[str, Any]] = []

    def walk(group: Any, prefix: str) -> None:
        for name, command in group.commands.items():
            if hasattr(command, "commands"):
                walk(command, f"{prefix}{name} ")
            else:
                found.append((f"{prefix}{name}", command))

    walk(typer.main.get_command(app), "")
    return found


COMMANDS = _commands()


def test_the_contract_commands_exist() -> None:
    names = {name for name, _ in COMMANDS}
    assert {"ingest", "check", "report", "audit", "status", "db upgrade"} <= names


@pytest.mark.parametrize("name,command", COMMANDS, ids=[n for n, _ in COMMANDS])
def test_command_is_in_readme_with_example(name: str, command: Any) -> None:
    assert f"verifier {name}" in README, f"README does not mention `verifier {name}`"
    assert "Example:" in (command.help or ""), f"`verifier {name} --help` has no Example"


@pytest.mark.parametrize("name,command", COMMANDS, ids=[n for n, _ in COMMANDS])
def test_every_option_is_in_readme(name: str, command: Any) -> None:
    missing = [
        opt
        for param in command.params
        if param.param_type_name == "option"
        for opt in param.opts
        if opt.startswith("--") and opt != "--help" and f"`{opt}" not in README
    ]
    assert not missing, f"`verifier {name}` options missing from README: {missing}"


def test_readme_starts_with_the_two_commands() -> None:
    head = "\n".join(README.splitlines()[:15])
    assert "make run" in head and "make test" in head
