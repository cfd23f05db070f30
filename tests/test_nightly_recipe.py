"""The README's nightly GitHub workflow, run as written: its ``run:`` steps
are taken from the README and executed with bash as Actions would (``bash
-e``, a failed step skips the later ones unless ``if: always()``), night
after night, against loopback servers. ``uses:`` steps (checkout, cache,
upload) are GitHub's own and are skipped; the database simply stays in the
working folder between nights, as the cache keeps it."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import REPO
from loopback import LoopbackWeb

WORKFLOW_MARK = "# .github/workflows/citations.yml"


def workflow() -> dict[str, Any]:
    readme = (REPO / "README.md").read_text("utf-8")
    blocks = re.findall(r"```yaml\n(.*?)```", readme, flags=re.S)
    [block] = [b for b in blocks if b.startswith(WORKFLOW_MARK)]
    loaded: dict[str, Any] = yaml.safe_load(block)
    return loaded


@dataclass
class StepResult:
    name: str
    code: int | None  # None: skipped
    stdout: str


def run_night(folder: Path, env: dict[str, str]) -> list[StepResult]:
    """Every step of the job, in order, with Actions' rules for failure."""
    steps = workflow()["jobs"]["verify"]["steps"]
    results: list[StepResult] = []
    failed = False
    for step in steps:
        name = step.get("name") or step.get("run") or step.get("uses")
        if "run" not in step or step["run"].startswith("pip install"):
            continue  # GitHub's actions and the install: done by the test's venv
        if failed and "always()" not in str(step.get("if", "")):
            results.append(StepResult(name, None, ""))
            continue
        done = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
            cwd=folder,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert "Traceback" not in done.stderr, done.stderr
        results.append(StepResult(name, done.returncode, done.stdout))
        if done.returncode != 0 and not step.get("continue-on-error"):
            failed = True
    return results


@pytest.fixture
def newsroom(tmp_path: Path, loopback: LoopbackWeb) -> tuple[Path, dict[str, str], str]:
    dead = loopback.add_page("/nightly/gone", "<h1>Not Found</h1>", status=404)
    fine = loopback.add_page("/nightly/fine", "<title>Tide tables</title><p>Tide tables</p>")
    (tmp_path / "content").mkdir()
    (tmp_path / "content" / "tides.md").write_text(
        "# Tides\n\nThe tide tables were published.[^1] The ferry stopped.[^2]\n\n"
        f"[^1]: “Tide tables”, <{fine}>.\n"
        f"[^2]: “Ferry timetable”, <{dead}>, accessed 5 March 2023.\n",
        "utf-8",
    )
    summary = tmp_path / "step-summary.md"
    env = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "GITHUB_STEP_SUMMARY": str(summary),
        # Loopback hosts stand for the web; every night re-checks every link.
        "VERIFIER_ALLOW_PRIVATE_HOSTS": "1",
        "VERIFIER_ARCHIVE": "0",
        "VERIFIER_STALE_AFTER": "0",
        "VERIFIER_TIMEOUT": "2",
        "VERIFIER_RETRIES": "0",
    }
    env.pop("VERIFIER_DB", None)
    return tmp_path, env, dead


def test_the_nightly_workflow_runs_as_written(newsroom: tuple[Path, dict[str, str], str]) -> None:
    folder, env, dead = newsroom
    summary = Path(env["GITHUB_STEP_SUMMARY"])
    nights = []
    for _night in range(3):
        summary.write_text("", "utf-8")
        nights.append(run_night(folder, env))
        text = summary.read_text("utf-8")
        # A Markdown summary, not box-drawing tables.
        assert "| link status | citations |" in text
        assert not re.search("[\u2500-\u257f]", text)
    codes = [[step.code for step in night] for night in nights]
    # Nights 1 and 2: the dead link has failed fewer than 3 checks in a row.
    assert codes[0] == [0, 0, 0] and codes[1] == [0, 0, 0], codes
    # Night 3: it reaches 3, is newly broken, and the summary step fails the job.
    assert codes[2] == [0, 0, 1], codes
    assert "Newly broken" in summary.read_text("utf-8") and dead in summary.read_text("utf-8")
    # Each night annotates the failing citation at its line ...
    annotations = [line for line in nights[2][1].stdout.splitlines() if line.startswith("::error")]
    assert annotations == [annotations[0]]
    assert annotations[0].startswith("::error file=content/tides.md,line=6,")
    # ... and writes the SARIF file code scanning takes.
    sarif = json.loads((folder / "citations.sarif").read_text("utf-8"))
    [finding] = sarif["runs"][0]["results"]
    region = finding["locations"][0]["physicalLocation"]["region"]
    assert region["startLine"] == 6
    assert (folder / "citations.html").is_file()


def test_a_night_without_network_fails_the_job(
    newsroom: tuple[Path, dict[str, str], str],
) -> None:
    folder, env, _dead = newsroom
    (folder / "content" / "tides.md").write_text(
        "Text.[^1]\n\n[^1]: “Ferry”, <http://ferry.invalid/timetable>.\n", "utf-8"
    )
    env = {**env, "VERIFIER_DNS_CANARY": "canary.invalid"}
    night = run_night(folder, env)
    assert [step.code for step in night] == [3, None, None]
