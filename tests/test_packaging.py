"""The package a user installs: wheel and sdist with templates and migrations,
a working `verifier` command from a new virtual environment, every package
listed in pyproject.toml.

The wheel is built offline (``python -m build --no-isolation`` with the build
tools of the test environment) and installed without dependencies into a new
venv, which borrows the test environment's installed dependencies through a
``.pth`` line; the command is then run from a folder outside the repository,
so only the installed copy of verifier can answer.
"""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import tarfile
import tomllib
import venv
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from corpus import REPO
from loopback import LoopbackWeb

import verifier


def _packages_on_disk() -> set[str]:
    root = REPO / "verifier"
    return {
        ".".join(init.parent.relative_to(REPO).parts)
        for init in root.rglob("__init__.py")
        if "__pycache__" not in init.parts
    }


def test_every_package_is_listed_in_pyproject() -> None:
    config = tomllib.loads((REPO / "pyproject.toml").read_text("utf-8"))
    listed = set(config["tool"]["setuptools"]["packages"])
    assert _packages_on_disk() <= listed
    assert {"verifier._migrations", "verifier._migrations.versions"} <= listed


def test_distribution_name_is_not_the_unrelated_verifier() -> None:
    config = tomllib.loads((REPO / "pyproject.toml").read_text("utf-8"))
    assert config["project"]["name"] == "citation-verifier"
    assert config["project"]["scripts"]["verifier"] == "verifier.cli:main"


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    # Build from a copy of the tracked files only: a developer's .venv, caches
    # and databases must not end up in (or slow down) the sdist.
    tracked = subprocess.run(["git", "ls-files", "-z"], cwd=REPO, capture_output=True, check=False)
    source = out / "source"
    if tracked.returncode == 0 and tracked.stdout:
        for name in tracked.stdout.decode().split("\0"):
            if not name or not (REPO / name).is_file():
                continue
            target = source / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes((REPO / name).read_bytes())
    else:  # not a git checkout (an unpacked sdist): build from the tree as it is
        source = REPO
    subprocess.run(
        [sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out), str(source)],
        check=True,
        capture_output=True,
    )
    return out


def _one(folder: Path, pattern: str) -> Path:
    (found,) = folder.glob(pattern)
    return found


def test_wheel_carries_templates_and_migrations(dist: Path) -> None:
    wheel = _one(dist, "citation_verifier-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "verifier/_migrations/env.py" in names
    assert "verifier/_migrations/script.py.mako" in names
    migrations = sorted((REPO / "migrations" / "versions").glob("[0-9]*.py"))
    assert migrations
    for migration in migrations:
        assert f"verifier/_migrations/versions/{migration.name}" in names
    for template in (REPO / "verifier" / "report" / "templates").iterdir():
        assert f"verifier/report/templates/{template.name}" in names
    assert "verifier/py.typed" in names
    metadata = next(n for n in names if n.endswith(".dist-info/METADATA"))
    text = zipfile.ZipFile(wheel).read(metadata).decode()
    assert "Name: citation-verifier" in text
    assert f"Version: {verifier.__version__}" in text


def test_sdist_carries_templates_and_migrations(dist: Path) -> None:
    sdist = _one(dist, "citation_verifier-*.tar.gz")
    with tarfile.open(sdist) as archive:
        names = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
    assert "migrations/env.py" in names
    assert "migrations/versions/0001_citations.py" in names
    assert "verifier/report/templates/report.css" in names
    assert "pyproject.toml" in names


@pytest.fixture(scope="module")
def installed(dist: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A new venv with only the wheel installed (dependencies borrowed)."""
    env_dir = tmp_path_factory.mktemp("venv")
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    wheel = _one(dist, "citation_verifier-*.whl")
    subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "--no-deps", "--no-index", str(wheel)],
        check=True,
        capture_output=True,
    )
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    # The dependencies come from the test environment; its editable verifier
    # does not (a .pth line adds a folder, it does not run that folder's .pth).
    Path(site, "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    yield env_dir


def _run(env_dir: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("VERIFIER_")}
    environment.pop("PYTHONPATH", None)
    return subprocess.run(
        [str(env_dir / "bin" / "verifier"), *args],
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_installed_wheel_answers_version(installed: Path, tmp_path: Path) -> None:
    result = _run(installed, "--version", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert verifier.__version__ in result.stdout
    where = subprocess.run(
        [str(installed / "bin" / "python"), "-c", "import verifier; print(verifier.__file__)"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert str(installed) in where  # the installed copy, not the repository's


def test_installed_wheel_audits_an_example(
    installed: Path, tmp_path: Path, loopback: LoopbackWeb
) -> None:
    """`verifier audit` from the wheel: migrations run, the HTML report is written."""
    page = loopback.add_page(
        "/example-domain",
        "<title>Example Domain</title><p>This domain is for use in illustrative examples.</p>",
    )
    article = tmp_path / "article.md"
    article.write_text(
        (REPO / "examples" / "articles" / "link-rot.md")
        .read_text("utf-8")
        .split("\n[^1]:", 1)[0]
        .split("[^2]", 1)[0]
        + '\n\n[^1]: IANA, "Example Domain," <'
        + page
        + ">, accessed 1 June 2024.\n",
        encoding="utf-8",
    )
    result = _run(
        installed,
        "audit",
        str(article),
        "--no-archive",
        "--allow-private-hosts",
        "--db",
        str(tmp_path / "sources.db"),
        "-o",
        str(tmp_path / "report.html"),
        cwd=tmp_path,
    )
    assert result.returncode in (0, 1), result.stderr + result.stdout
    html = (tmp_path / "report.html").read_text("utf-8")
    assert page in html
    assert "Example Domain" in html
