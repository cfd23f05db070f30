"""The HTML report in a real browser: Debian's headless Chromium, driven by
selenium through Debian's chromedriver (no browser download).

Filtering and sorting are exercised through the page's own controls, the
planted markup must stay text, and a screenshot is kept in tests/artifacts/.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from report_fixtures import ATTR, SCRIPT, XSS_DOC, fill
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import Select

from verifier.report import ReportRow, report_rows, unsourced_attributions, write_html
from verifier.store.database import Database

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"


@pytest.fixture(scope="module")
def browser() -> Iterator[WebDriver]:
    if not Path(CHROMIUM).exists() or not Path(CHROMEDRIVER).exists():
        pytest.fail(
            "Chromium not found: apt-get install -y chromium chromium-driver (.ci/run does it)"
        )
    profile = tempfile.mkdtemp(prefix="verifier-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        f"--user-data-dir={profile}",
        "--window-size=1440,1000",
    ):
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options, service=Service(executable_path=CHROMEDRIVER))
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture
def report_page(tmp_path: Path) -> Path:
    """The HTML report of the filled fixture database, on disk."""
    db = Database(str(tmp_path / "sources.db"))
    fill(db)
    page = tmp_path / "report.html"
    with page.open("w", encoding="utf-8") as out:
        write_html(report_rows(db), out, unsourced_attributions(db))
    db.dispose()
    return page


def visible_rows(driver: WebDriver) -> list[dict[str, str]]:
    return driver.execute_script(  # type: ignore[no-any-return]
        """return Array.from(document.querySelectorAll('#citations tbody tr'))
          .filter(r => !r.hidden)
          .map(r => ({note: r.querySelector('.note').textContent, status: r.dataset.status,
                      score: r.dataset.sortScore, document: r.dataset.document}));"""
    )


def test_filter_and_sort_in_chromium(browser: WebDriver, report_page: Path) -> None:
    browser.get(report_page.as_uri())
    all_rows = visible_rows(browser)
    assert len(all_rows) == 10
    assert browser.find_element(By.ID, "shown").text == "10 of 10 shown"

    status = Select(browser.find_element(By.ID, "filter-status"))
    status.select_by_value("dead")
    assert [(r["note"], r["status"]) for r in visible_rows(browser)] == [("5", "dead")]
    status.select_by_value("@broken")
    broken = visible_rows(browser)
    assert {r["status"] for r in broken} == {
        "dead", "soft_404", "blocked", "timeout", "invalid_url", "no_url", "unchecked"
    }  # fmt: skip
    status.select_by_value("")

    verdict = Select(browser.find_element(By.ID, "filter-verdict"))
    verdict.select_by_value("absent")
    assert [r["note"] for r in visible_rows(browser)] == ["6"]
    verdict.select_by_value("archive_only")
    assert [r["note"] for r in visible_rows(browser)] == ["5"]
    verdict.select_by_value("")

    document = Select(browser.find_element(By.ID, "filter-document"))
    document.select_by_value(XSS_DOC)
    assert {r["document"] for r in visible_rows(browser)} == {XSS_DOC}
    assert browser.find_element(By.ID, "shown").text == "2 of 10 shown"
    browser.find_element(By.ID, "filter-reset").click()
    assert len(visible_rows(browser)) == 10

    search = browser.find_element(By.ID, "filter-text")
    search.send_keys("Cloudflare")
    assert [r["note"] for r in visible_rows(browser)] == ["7"]
    browser.find_element(By.ID, "filter-reset").click()

    score = browser.find_element(By.CSS_SELECTOR, 'th[data-sort="score"]')
    score.click()
    scores = [r["score"] for r in visible_rows(browser)]
    assert scores[:5] == ["72", "88", "91.5", "100", "100"]
    assert set(scores[5:]) == {""}, "rows without a score go last"
    assert score.get_attribute("aria-sort") == "ascending"
    score.click()
    assert [r["score"] for r in visible_rows(browser)][:5] == ["100", "100", "91.5", "88", "72"]

    browser.find_element(By.CSS_SELECTOR, 'th[data-sort="status"]').click()
    assert [r["status"] for r in visible_rows(browser)][:2] == ["dead", "soft_404"]

    # A document name in the summary filters the table to it.
    browser.find_element(By.CSS_SELECTOR, "button.doclink").click()
    assert len({r["document"] for r in visible_rows(browser)}) == 1

    browser.find_element(By.ID, "filter-reset").click()
    browser.find_element(By.CSS_SELECTOR, 'th[data-sort="document"]').click()
    ARTIFACTS.mkdir(exist_ok=True)
    height = browser.execute_script("return document.documentElement.scrollHeight")
    browser.set_window_size(1440, min(int(height) + 40, 4000))
    browser.execute_script("window.scrollTo(0, 0)")
    shot = ARTIFACTS / "report.png"
    assert browser.save_screenshot(str(shot))
    assert shot.stat().st_size > 20_000
    browser.set_window_size(1440, 1000)


def test_planted_markup_never_runs(browser: WebDriver, report_page: Path) -> None:
    html = report_page.read_text("utf-8")
    assert SCRIPT not in html
    assert ATTR not in html
    browser.get(report_page.as_uri())
    # Hover the planted document's cells, open every note: planted handlers
    # would fire here.
    planted = f'#citations tr[data-document="{XSS_DOC}"] td, #unsourced li'
    for cell in browser.find_elements(By.CSS_SELECTOR, planted):
        ActionChains(browser).move_to_element(cell).perform()
    for summary in browser.find_elements(By.CSS_SELECTOR, "details summary"):
        browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", summary)
        summary.click()
    state = browser.execute_script(
        """return {
          xss: window.__xss === undefined ? null : window.__xss,
          scripts: document.scripts.length,
          images: document.images.length,
          handlers: document.querySelectorAll('[onmouseover], [onerror], [onclick]').length,
          jsLinks: Array.from(document.links).filter(a => a.protocol !== 'https:'
                                                       && a.protocol !== 'http:').length,
          text: document.body.innerText};"""
    )
    assert state["xss"] is None
    assert state["scripts"] == 1  # the report's own
    assert state["images"] == 0
    assert state["handlers"] == 0
    assert state["jsLinks"] == 0
    # The planted text is shown as text, for the editor to see.
    assert SCRIPT in state["text"]
    assert "onmouseover=" in state["text"]
    assert "javascript:alert(document.domain)" in state["text"]


def test_large_report_pages_in_chromium(browser: WebDriver, tmp_path: Path) -> None:
    """Hundreds of rows are laid out a page at a time; filters and sorting
    still see every row, not only the ones shown."""
    statuses = ["ok", "ok", "dead", "timeout", "redirected"]
    rows = [
        ReportRow(
            document=f"essays/{i // 100:02d}.md",
            note=str(i % 100 + 1),
            url=f"https://news.example.org/story/{i}",
            accessed=None,
            status=statuses[i % len(statuses)],
            http_status=200,
            final_url=None,
            archive_url=None,
            archive_date=None,
            title=f"Story {i}",
            title_match="exact",
            quote="",
            quote_match="",
            match_score=float(1000 - i) / 10,
            checked_at=None,
            failing_since=None,
            failures_in_a_row=0,
            error=None,
        )
        for i in range(450)
    ]
    page = tmp_path / "large.html"
    with page.open("w", encoding="utf-8") as out:
        write_html(rows, out)
    browser.get(page.as_uri())
    shown = browser.find_element(By.ID, "shown")
    assert len(visible_rows(browser)) == 200
    assert shown.text == "200 of 450 shown (450 match)"
    more = browser.find_element(By.ID, "show-more")
    assert more.text == "Show 200 more"
    more.click()
    assert len(visible_rows(browser)) == 400
    assert more.text == "Show 50 more"
    browser.find_element(By.ID, "show-all").click()
    assert len(visible_rows(browser)) == 450 and not more.is_displayed()

    Select(browser.find_element(By.ID, "filter-status")).select_by_value("dead")
    assert len(visible_rows(browser)) == 90
    assert shown.text == "90 of 450 shown"
    Select(browser.find_element(By.ID, "filter-status")).select_by_value("")
    # Sorting orders every row: the lowest score (row 449) comes first.
    browser.find_element(By.CSS_SELECTOR, 'th[data-sort="score"]').click()
    first = visible_rows(browser)
    assert len(first) == 200
    assert [r["score"] for r in first[:2]] == ["55.1", "55.2"]
