"""The HTML report: one self-contained file for an editor.

No CDN, no external file: the style sheet and the script are inlined, so the
report works offline and from an email attachment. It shows a summary
(counts per status and verdict, per document), then every citation in a
table that sorts and filters by status, verdict and document, with the
evidence beside each: the note text, links to the live page and the archived
copy, and the matched passage highlighted in its context, or the reason the
match failed. Each document's unsourced attributions close the page.

Everything shown comes from untrusted documents and web pages, so every
piece of text goes through ``esc`` (attributes included), links are made
only for http(s) URLs, the script reads the page through ``dataset`` and
``textContent`` only, and a Content-Security-Policy allows no script but
the report's own (by hash), as a second wall behind the escaping.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import html
import re
from collections.abc import Iterable
from importlib import resources
from typing import TextIO

from verifier.report.rows import QuoteEvidence, ReportRow, UnsourcedAttribution, format_timestamp
from verifier.report.summary import DocumentCounts, ReportSummary
from verifier.store.models import LinkStatus, QuoteKind, Verdict
from verifier.vocabulary import ATTENTION, STATUS_ORDER, VERDICT_ORDER, ordered, status_colour

__all__ = ["esc", "write_html"]

_SAFE_LINK = re.compile(r"^https?://[^\s<>\"']+$", re.IGNORECASE)

_STATUS_RANK = {
    **{s: 1 for s in ATTENTION},
    LinkStatus.DEAD.value: 0,
    LinkStatus.SOFT_404.value: 0,
    LinkStatus.UNCHECKED.value: 2,
    LinkStatus.NO_URL.value: 3,
    LinkStatus.EXCLUDED.value: 4,
    LinkStatus.REDIRECTED.value: 5,
    LinkStatus.OK.value: 6,
}
_VERDICT_RANK = {
    Verdict.ABSENT.value: 0,
    Verdict.ARCHIVE_ONLY.value: 1,
    Verdict.UNCHECKED.value: 2,
    Verdict.FUZZY.value: 3,
    Verdict.EXACT.value: 4,
    "": 5,
}


def esc(text: object) -> str:
    """Escape for HTML text and quoted attribute values alike."""
    if text is None:
        return ""
    return html.escape(str(text), quote=True)


def _asset(name: str) -> str:
    return resources.files("verifier.report").joinpath(f"templates/{name}").read_text("utf-8")


def _link(url: str | None, label: str | None = None, cls: str = "") -> str:
    """A link for an http(s) URL; anything else (``javascript:``, a typo)
    is shown as text and never made clickable."""
    if not url:
        return ""
    shown = esc(label if label is not None else url)
    if not _SAFE_LINK.match(url):
        return f'<span class="{cls}">{shown}</span>'
    return (
        f'<a class="{cls}" href="{esc(url)}" target="_blank" rel="noopener noreferrer">{shown}</a>'
    )


def _badge(prefix: str, value: str) -> str:
    if not value:
        return ""
    return f'<span class="badge {prefix}-{esc(value)}">{esc(value.replace("_", " "))}</span>'


def _passage(ev: QuoteEvidence) -> str:
    """The matched passage highlighted in its context."""
    if not ev.passage and not ev.context:
        return ""
    where = "archive" if ev.source == "archive" else "live"
    label = "in the archived copy" if where == "archive" else "in the live page"
    context, passage = ev.context or "", ev.passage or ""
    at = context.find(passage) if passage else -1
    if passage and at >= 0:
        body = f"{esc(context[:at])}<mark>{esc(passage)}</mark>{esc(context[at + len(passage) :])}"
    elif passage:
        body = f"<mark>{esc(passage)}</mark>"
    else:
        body = esc(context)
    return f'<div class="passage {where}" title="{esc(label)}">{body}</div>'


def _quote_block(ev: QuoteEvidence) -> str:
    what = "Title" if ev.kind == QuoteKind.TITLE.value else "Quote"
    score = ""
    if ev.score is not None and ev.verdict != Verdict.UNCHECKED.value:
        score = f' <span class="score">{ev.score:g}</span>'
    parts = [
        f'<div class="quote">{_badge("v", ev.verdict)}{score} '
        f'<span class="q">{what}: “{esc(ev.text)}”</span>'
    ]
    if ev.verdict in (Verdict.EXACT.value, Verdict.FUZZY.value, Verdict.ARCHIVE_ONLY.value):
        parts.append(_passage(ev))
    elif ev.verdict == Verdict.ABSENT.value:
        parts.append(f'<div class="reason">{esc(ev.reason or "not found in the page")}</div>')
        parts.append(_passage(ev))
    elif ev.reason:
        # Unchecked is "nothing to compare with", not a failure: muted.
        parts.append(f'<div class="reason muted">{esc(ev.reason)}</div>')
    parts.append("</div>")
    return "".join(parts)


# Rows laid out at a time; the page's "Show more" adds as many again.
PAGE_ROWS = 200


def _row(index: int, row: ReportRow) -> str:
    verdicts = " ".join(row.verdicts)
    sort_verdict = min(_VERDICT_RANK.get(v, 2) for v in (row.title_match, row.quote_match))
    checked = format_timestamp(row.checked_at)
    attrs = {
        "data-order": str(index),
        "data-status": row.status,
        "data-verdicts": verdicts,
        "data-document": row.document,
        "data-broken": "1" if row.is_broken else "0",
        # Rows arrive in document and note order: the index is that order.
        "data-sort-document": f"{index:09d}",
        "data-sort-note": f"{row.note}",
        "data-sort-status": str(_STATUS_RANK.get(row.status, 1)),
        "data-sort-title": str(_VERDICT_RANK.get(row.title_match, 2)),
        "data-sort-quote": str(_VERDICT_RANK.get(row.quote_match, 2)),
        "data-sort-verdict": str(sort_verdict),
        "data-sort-score": "" if row.match_score is None else f"{row.match_score:g}",
        "data-sort-checked": checked,
        "data-sort-failures": str(row.failures_in_a_row or 0),
    }
    attr_text = " ".join(f'{name}="{esc(value)}"' for name, value in attrs.items())
    cls = ' class="broken"' if row.is_broken else ""
    if index >= PAGE_ROWS:
        # Hidden from the first paint on, before the script runs.
        cls += " hidden"

    source = []
    if row.title:
        source.append(f'<div class="title">{esc(row.title)}</div>')
    if row.url:
        source.append(_link(row.url, cls="url"))
    else:
        source.append('<span class="sub">no URL in the note</span>')
    if row.detail.inherited_from:
        source.append(f'<div class="sub">URL of note {esc(row.detail.inherited_from)}</div>')
    if row.final_url and row.final_url != row.url:
        source.append(f'<div class="sub">→ {_link(row.final_url)}</div>')
    if row.archive_url:
        when = row.archive_date.isoformat() if row.archive_date else "date unknown"
        via = f" ({esc(row.detail.archive)})" if row.detail.archive else ""
        source.append(f'<div class="sub">Archived copy: {_link(row.archive_url, when)}{via}</div>')
    if row.accessed:
        source.append(f'<div class="sub">accessed {row.accessed.isoformat()}</div>')

    status = [_badge("s", row.status)]
    if row.http_status is not None:
        status.append(f' <span class="sub nowrap">HTTP {row.http_status}</span>')
    if row.failures_in_a_row and row.status in ATTENTION:
        since = f" since {row.failing_since.date().isoformat()}" if row.failing_since else ""
        status.append(f'<div class="sub">failed {row.failures_in_a_row}× in a row{since}</div>')
    if checked:
        status.append(f'<div class="sub">checked {esc(checked[:10])}</div>')

    evidence = ['<div class="evidence">']
    if row.detail.sentence:
        evidence.append(f'<div class="q">{esc(row.detail.sentence)}</div>')
    evidence.extend(_quote_block(ev) for ev in row.detail.quotes)
    if row.detail.link_error:
        evidence.append(f'<div class="error">{esc(row.detail.link_error)}</div>')
    if row.detail.note_text:
        evidence.append(
            f'<details><summary>Note text</summary><div class="notetext">'
            f"{esc(row.detail.note_text)}</div></details>"
        )
    evidence.append("</div>")

    score = "" if row.match_score is None else f"{row.match_score:g}"
    return (
        f"<tr {attr_text}{cls}>"
        f'<td><div class="note">{esc(row.note)}</div>'
        f'<div class="doc">{esc(row.document)}</div></td>'
        f"<td>{''.join(source)}</td>"
        f"<td>{''.join(status)}</td>"
        f"<td>{_badge('v', row.title_match)}</td>"
        f"<td>{_badge('v', row.quote_match)}</td>"
        f'<td class="num score">{score}</td>'
        f"<td>{''.join(evidence)}</td>"
        "</tr>"
    )


def _cards(summary: ReportSummary, unsourced: int) -> str:
    fine = sum(summary.statuses[s] for s in (LinkStatus.OK.value, LinkStatus.REDIRECTED.value))
    dead = summary.statuses[LinkStatus.DEAD.value] + summary.statuses[LinkStatus.SOFT_404.value]
    other = sum(n for s, n in summary.statuses.items() if s in ATTENTION) - dead
    text = summary.verdicts[Verdict.ABSENT.value]
    drift = summary.verdicts[Verdict.ARCHIVE_ONLY.value]
    cards = [
        ("", summary.rows, "links cited"),
        ("ok", fine, "working (ok or redirected)"),
        ("bad", dead, "dead or soft-404"),
        ("warn", other, "other failed checks"),
        ("bad", text, "titles or quotes absent"),
        ("drift", drift, "only in the archive"),
        ("warn", unsourced, "unsourced attributions"),
    ]
    return (
        '<div class="cards">'
        + "".join(
            f'<div class="card {cls}"><div class="n">{n}</div>'
            f'<div class="l">{esc(label)}</div></div>'
            for cls, n, label in cards
        )
        + "</div>"
    )


def _status_bar(summary: ReportSummary) -> str:
    statuses = ordered(summary.statuses, STATUS_ORDER)
    total = sum(n for _, n in statuses) or 1
    segments, legend = [], []
    for name, count in statuses:
        colour = status_colour(name)
        width = 100 * count / total
        segments.append(
            f'<span style="width:{width:.3f}%;background:{colour}" '
            f'title="{esc(name)}: {count}"></span>'
        )
        legend.append(
            f'<span><span class="swatch" style="background:{colour}"></span>'
            f"{esc(name.replace('_', ' '))} <b>{count}</b></span>"
        )
    return f'<div class="bar">{"".join(segments)}</div><div class="legend">{"".join(legend)}</div>'


def _verdict_table(summary: ReportSummary) -> str:
    rows = [
        f'<tr><td>{_badge("v", v)}</td><td class="num">{summary.title_verdicts.get(v, 0)}</td>'
        f'<td class="num">{summary.quote_verdicts.get(v, 0)}</td></tr>'
        for v in VERDICT_ORDER
        if summary.verdicts.get(v)
    ]
    if not rows:
        return '<p class="sub">No titles or quotations to verify.</p>'
    return (
        '<table class="plain"><thead><tr><th>verdict</th><th class="num">titles</th>'
        f'<th class="num">quotes</th></tr></thead><tbody>{"".join(rows)}</tbody></table>'
    )


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _num(n: int, cls: str = "") -> str:
    return f'<td class="num{" zero" if not n else ""}{cls}">{n}</td>'


def _documents_table(docs: list[DocumentCounts], unsourced: dict[str, int]) -> str:
    body = []
    for doc in docs:
        fine = doc.statuses[LinkStatus.OK.value] + doc.statuses[LinkStatus.REDIRECTED.value]
        failing = sum(n for s, n in doc.statuses.items() if s in ATTENTION) - doc.dead
        body.append(
            f'<tr><td><button type="button" class="doclink" data-document="{esc(doc.document)}">'
            f"{esc(doc.document)}</button></td>"
            f"{_num(doc.rows)}{_num(fine)}{_num(doc.dead)}{_num(failing)}"
            f"{_num(doc.absent)}{_num(doc.verdicts[Verdict.ARCHIVE_ONLY.value])}"
            f"{_num(doc.statuses[LinkStatus.NO_URL.value])}"
            f"{_num(doc.statuses[LinkStatus.UNCHECKED.value])}"
            f"{_num(unsourced.get(doc.document, 0))}</tr>"
        )
    return (
        '<table class="plain"><thead><tr><th>document (worst first)</th><th class="num">links</th>'
        '<th class="num">working</th><th class="num">dead</th><th class="num">other failures</th>'
        '<th class="num">text absent</th><th class="num">archive only</th>'
        '<th class="num">no URL</th><th class="num">unchecked</th>'
        f'<th class="num">unsourced</th></tr></thead><tbody>{"".join(body)}</tbody></table>'
    )


def _options(values: list[tuple[str, str]], everything: str) -> str:
    options = [f'<option value="">{esc(everything)}</option>']
    options += [f'<option value="{esc(v)}">{esc(label)}</option>' for v, label in values]
    return "".join(options)


def _filters(summary: ReportSummary, documents: list[str]) -> str:
    statuses = [("@broken", f"problems only ({summary.broken})")] + [
        (name, f"{name.replace('_', ' ')} ({n})")
        for name, n in ordered(summary.statuses, STATUS_ORDER)
    ]
    verdicts = [
        (v, f"{v.replace('_', ' ')} ({summary.verdicts[v]})")
        for v in VERDICT_ORDER
        if summary.verdicts.get(v)
    ]
    docs = [(d, d) for d in documents]
    return (
        '<div class="filters" role="search">'
        '<label>Status<select id="filter-status">'
        f"{_options(statuses, 'all statuses')}</select></label>"
        '<label>Verdict<select id="filter-verdict">'
        f"{_options(verdicts, 'all verdicts')}</select></label>"
        '<label>Document<select id="filter-document">'
        f"{_options(docs, 'all documents')}</select></label>"
        '<label>Search<input id="filter-text" type="search" placeholder="note, URL, title, error…">'
        "</label>"
        '<button type="button" id="filter-reset">Reset</button>'
        f'<span class="shown" id="shown">{summary.rows} of {summary.rows} shown</span>'
        "</div>"
    )


def _attributions(items: list[UnsourcedAttribution]) -> str:
    if not items:
        return ""
    parts = ['<section id="unsourced"><h2>Unsourced attributions</h2>']
    parts.append(
        '<p class="sub">Sentences that credit a source without citing it: '
        "what is missing, beside what is broken.</p>"
    )
    current = None
    for item in items:
        if item.document != current:
            if current is not None:
                parts.append("</ul>")
            current = item.document
            parts.append(f'<h3>{esc(item.document)}</h3><ul class="attributions">')
        source = f' <span class="sub">({esc(item.source)})</span>' if item.source else ""
        parts.append(
            f'<li><span class="cue">{esc(item.cue)}</span>{esc(item.sentence)}{source}</li>'
        )
    parts.append("</ul></section>")
    return "".join(parts)


def write_html(
    rows: Iterable[ReportRow],
    out: TextIO,
    attributions: Iterable[UnsourcedAttribution] = (),
    *,
    title: str = "Citation report",
    generated_at: dt.datetime | None = None,
) -> int:
    """Write the report; return how many rows were written.

    The summary comes before the table, so rows are gathered first: an HTML
    report is for a person to read, and stays within what a browser shows.
    """
    rows = list(rows)
    items = list(attributions)
    summary = ReportSummary.of(rows)
    unsourced: dict[str, int] = {}
    for item in items:
        unsourced[item.document] = unsourced.get(item.document, 0) + 1
    for document in unsourced:
        summary.documents.setdefault(document, DocumentCounts(document))
    documents = sorted(summary.documents)

    script = _asset("report.js")
    digest = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii")
    policy = (
        "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
        f"script-src 'sha256-{digest}'; base-uri 'none'; form-action 'none'"
    )
    when = format_timestamp(generated_at or dt.datetime.now(dt.UTC))
    head = (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{esc(policy)}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="referrer" content="no-referrer">'
        f"<title>{esc(title)}</title><style>{_asset('report.css')}</style></head><body>"
    )
    header = (
        f'<header class="page"><h1>{esc(title)}</h1>'
        f"<p>{_count(summary.rows, 'link')} in {_count(len(documents), 'document')} · "
        f"{summary.broken} with problems · generated {esc(when)}</p></header>"
    )
    overview = (
        '<section id="summary"><h2>Summary</h2>'
        f"{_cards(summary, len(items))}{_status_bar(summary)}"
        '<div class="split"><div><h3>Documents</h3>'
        f"{_documents_table(summary.worst_documents(), unsourced)}</div>"
        f"<div><h3>Titles and quotations</h3>{_verdict_table(summary)}</div></div></section>"
    )
    header_cells = (
        '<th data-sort="document">Note</th><th>Source</th>'
        '<th data-sort="status" data-type="number">Status</th>'
        '<th data-sort="title" data-type="number">Title</th>'
        '<th data-sort="quote" data-type="number">Quote</th>'
        '<th data-sort="score" data-type="number" class="num">Score</th>'
        "<th>Evidence</th>"
    )
    out.write(head)
    out.write(header)
    out.write("<main>")
    out.write(overview)
    out.write('<section id="citations-section"><h2>Citations</h2>')
    out.write(_filters(summary, documents))
    out.write(
        f'<table class="citations" id="citations" data-page="{PAGE_ROWS}">'
        f"<thead><tr>{header_cells}</tr></thead><tbody>"
    )
    for index, row in enumerate(rows):
        out.write(_row(index, row))
        out.write("\n")
    out.write("</tbody></table>")
    out.write(
        '<p class="empty" id="no-rows" hidden>No citation matches these filters.</p>'
        '<p class="more"><button type="button" id="show-more" hidden>Show more</button> '
        '<button type="button" id="show-all" hidden>Show all</button></p></section>'
    )
    out.write(_attributions(items))
    out.write("</main>")
    out.write(
        "<footer>Made by verifier. Statuses and verdicts are defined in the project's "
        "contract; “blocked” and “rate limited” are inconclusive, not dead.</footer>"
    )
    out.write(f"<script>{script}</script></body></html>\n")
    return len(rows)
