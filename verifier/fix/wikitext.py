"""Wikitext: the cite template gets ``archive-url``, ``archive-date`` and
``url-status``, as Wikipedia's archive bot writes them; a bare URL gets a
``{{webarchive}}`` after it.

- ``{{cite web |url=URL ...}}`` gets ``|archive-url=ARCHIVE
  |archive-date=DATE |url-status=dead`` (``live`` for a working link with
  ``--all``), written in the template's own spacing (``|a=b``, ``| a = b``,
  one parameter a line). Empty ``archive-url=``/``archive-date=`` slots are
  filled where they stand. A template that already has an ``archive-url`` is
  never touched; ``url-status`` set to ``usurped``, ``unfit`` or
  ``deviated`` is left as it is (those hide the original link on purpose),
  ``live`` on a dead link becomes ``dead``.
- a bare URL or ``[URL title]`` in a ref gets ``{{webarchive |url=ARCHIVE
  |date=DATE}}`` after it, unless the ref already has one.
- the date is written in the article's style when it declares one
  (``{{Use dmy dates}}``, ``{{Use mdy dates}}``), else in the style of the
  template's ``access-date``, else ISO.

Only URLs inside ``<ref>...</ref>`` are citations; external-link sections
and comments are left alone.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from verifier.fix.base import Fixer, FixOptions, Skip
from verifier.fix.edits import Edit, archived_nearby
from verifier.fix.plan import Repair
from verifier.parse.wikitext import _CITE_NAME, _key

__all__ = ["WikitextFixer"]

_REF = re.compile(r"<ref(?:\s[^>]*?)?(?<!/)>.*?</ref\s*>", re.I | re.S)
_COMMENT = re.compile(r"<!--.*?(?:-->|\Z)", re.S)
_SCHEME = re.compile(r"(?:https?:)?//", re.I)
# What nests inside a template's parameters, and the pipes between them.
_PARAM_MARKS = re.compile(r"\{\{|\}\}|\[\[|\]\]|\|")
_BRACES = re.compile(r"\{\{|\}\}")
_USE_DATES = re.compile(r"\{\{\s*use[ _]+(dmy|mdy)[ _]+dates", re.I)
_URL_PARAMS = frozenset({"url", "chapterurl", "contributionurl", "articleurl"})
_KEEP_STATUS = frozenset({"usurped", "unfit", "deviated", "dead"})
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_MDY = re.compile(r"^[A-Za-z]+\.? \d{1,2}, \d{4}$")
_DMY = re.compile(r"^\d{1,2} [A-Za-z]+\.? \d{4}$")


@dataclass
class _Param:
    pipe: int
    name_start: int
    name_end: int  # end of the stripped name
    value_start: int  # after "="
    value_end: int
    key: str
    named: bool


def _spans(pattern: re.Pattern[str], text: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in pattern.finditer(text)]


class WikitextFixer(Fixer):
    format = "wikitext"

    def __init__(self, text: str, options: FixOptions) -> None:
        super().__init__(text, options)
        self._comments = _spans(_COMMENT, text)
        self._refs = [span for span in _spans(_REF, text) if not self._in(self._comments, span[0])]
        self._ref_starts = [s for s, _ in self._refs]
        self._templates = self._template_spans()
        self._template_starts = [s for s, _ in self._templates]
        declared = _USE_DATES.search(text)
        self._article_style = declared.group(1).lower() if declared else None

    # --- where things are -------------------------------------------------
    @staticmethod
    def _in(spans: list[tuple[int, int]], pos: int) -> bool:
        return any(a <= pos < b for a, b in spans)

    def _ref_at(self, pos: int) -> tuple[int, int] | None:
        i = bisect.bisect_right(self._ref_starts, pos) - 1
        if i >= 0 and self._refs[i][0] <= pos < self._refs[i][1]:
            return self._refs[i]
        return None

    def _template_spans(self) -> list[tuple[int, int]]:
        spans: list[tuple[int, int]] = []
        stack: list[int] = []
        for match in _BRACES.finditer(self.text):
            if match.group() == "{{":
                stack.append(match.start())
            elif stack:
                spans.append((stack.pop(), match.end()))
        spans.sort()
        return spans

    def _template_at(self, pos: int) -> tuple[int, int] | None:
        """The innermost template around ``pos``."""
        i = bisect.bisect_right(self._template_starts, pos) - 1
        best: tuple[int, int] | None = None
        # templates starting before pos, nearest first; the first that
        # contains pos is the innermost
        while i >= 0:
            start, end = self._templates[i]
            if start <= pos < end:
                best = (start, end)
                break
            i -= 1
            if best is None and i >= 0 and pos - self._templates[i][0] > 50_000:
                break
        return best

    def cited_at(self, start: int, end: int) -> bool:
        # MediaWiki links only URLs with a scheme: "''www.bgs.ac.uk''" in a
        # ref is the website's name, not a link to archive
        if not _SCHEME.match(self.text, start):
            return False
        return self._ref_at(start) is not None and not self._in(self._comments, start)

    # --- the template's parameters -----------------------------------------
    def _params(self, start: int, end: int) -> tuple[str, list[_Param]]:
        text = self.text
        inner_start, inner_end = start + 2, end - 2
        pipes: list[int] = []
        depth = 0
        for match in _PARAM_MARKS.finditer(text, inner_start, inner_end):
            mark = match.group()
            if mark in ("{{", "[["):
                depth += 1
            elif mark in ("}}", "]]"):
                depth = max(depth - 1, 0)
            elif depth == 0:
                pipes.append(match.start())
        name = text[inner_start : pipes[0] if pipes else inner_end].strip()
        params: list[_Param] = []
        for n, pipe in enumerate(pipes):
            stop = pipes[n + 1] if n + 1 < len(pipes) else inner_end
            body = text[pipe + 1 : stop]
            eq = body.find("=")
            if eq == -1:
                params.append(_Param(pipe, pipe + 1, pipe + 1, pipe + 1, stop, "", False))
                continue
            raw_name = body[:eq]
            lead = len(raw_name) - len(raw_name.lstrip())
            name_start = pipe + 1 + lead
            name_end = pipe + 1 + len(raw_name.rstrip())
            params.append(
                _Param(pipe, name_start, name_end, pipe + 2 + eq, stop, _key(raw_name), True)
            )
        return name, params

    # --- edits ----------------------------------------------------------------
    def _style(self, template_params: list[_Param] | None = None) -> str:
        if self.options.date_style:
            return self.options.date_style
        if self._article_style:
            return self._article_style
        for param in template_params or []:
            if param.key == "accessdate":
                written = self.text[param.value_start : param.value_end].strip()
                if _ISO.match(written):
                    return "iso"
                if _MDY.match(written):
                    return "mdy"
                if _DMY.match(written):
                    return "dmy"
        return "iso"

    def edit(self, start: int, end: int, repair: Repair) -> list[Edit]:
        template = self._template_at(start)
        if template is not None:
            name, params = self._params(*template)
            if _CITE_NAME.match(name):
                return self._cite(start, template, params, repair)
            if name.strip().lower().replace("_", " ") == "webarchive":
                raise Skip("inside a {{webarchive}}", already=True)
            return self._webarchive(template[1], start, repair)
        text = self.text
        at = end
        if start > 0 and text[start - 1] == "[":
            close = text.find("]", end)
            newline = text.find("\n", end)
            if close != -1 and (newline == -1 or close < newline):
                at = close + 1
        return self._webarchive(at, start, repair)

    def _webarchive(self, at: int, start: int, repair: Repair) -> list[Edit]:
        ref = self._ref_at(start)
        stop = ref[1] if ref is not None else len(self.text)
        window = self.text[at:stop]
        if "{{webarchive" in window.lower() or archived_nearby(
            window, repair.url, repair.archive_url
        ):
            raise Skip("the ref already gives an archived copy", already=True)
        date = self.date(repair, self._style())
        return [Edit(at, at, f" {{{{webarchive |url={repair.archive_url} |date={date}}}}}")]

    def _cite(
        self, start: int, template: tuple[int, int], params: list[_Param], repair: Repair
    ) -> list[Edit]:
        text = self.text
        holding = next((p for p in params if p.value_start <= start <= p.value_end), None)
        if holding is None or holding.key not in _URL_PARAMS:
            raise Skip("URL is not the template's url= parameter")
        found = {p.key: p for p in params if p.named}

        def value(key: str) -> str:
            param = found.get(key)
            return text[param.value_start : param.value_end].strip() if param else ""

        if value("archiveurl"):
            raise Skip("the template already has an archive-url", already=True)
        date = self.date(repair, self._style(params))
        status = "live" if repair.live else "dead"
        wanted: list[tuple[str, str, str]] = [
            ("archiveurl", "archive-url", repair.archive_url),
            ("archivedate", "archive-date", date),
        ]
        current = value("urlstatus").lower()
        legacy = "deadurl" in found
        edits: list[Edit] = []
        if "urlstatus" in found and current:
            if current == "live" and status == "dead":
                held = found["urlstatus"]
                raw = text[held.value_start : held.value_end]
                at = held.value_start + len(raw) - len(raw.lstrip())
                edits.append(Edit(at, at + len("live"), "dead"))
            # usurped, unfit, deviated, dead: as the editors set it
        elif not legacy:
            wanted.append(("urlstatus", "url-status", status))
        append: list[tuple[str, str]] = []
        for key, name, new in wanted:
            slot = found.get(key)
            if slot is None:
                append.append((name, new))
                continue
            if value(key):  # archive-date given without archive-url: keep it
                continue
            # "| name = value" keeps its spaces around "="
            raw = text[slot.value_start : slot.value_end]
            if text[slot.name_end] not in " \t":
                edits.append(Edit(slot.value_start, slot.value_start, new))
            elif raw.startswith((" ", "\t")):
                edits.append(Edit(slot.value_start + 1, slot.value_start + 1, new))
            else:
                edits.append(Edit(slot.value_start, slot.value_start, " " + new))
        if append:
            edits.append(self._append(template, params, append))
        return edits

    def _append(
        self, template: tuple[int, int], params: list[_Param], new: list[tuple[str, str]]
    ) -> Edit:
        """New parameters after the last one, spaced like it."""
        text = self.text
        close = template[1] - 2
        at = close
        while at > template[0] + 2 and text[at - 1] in " \t\r\n":
            at -= 1
        last = next((p for p in reversed(params) if p.named), None)
        if last is None:
            separator, equals = " |", "="
        else:
            before = last.pipe
            while before > template[0] and text[before - 1] in " \t\r\n":
                before -= 1
            space = text[before : last.pipe]
            newline = space.rfind("\n")
            if newline != -1:
                # a new line per parameter: its indentation, not the
                # previous value's trailing blanks
                space = space[newline - 1 if space[newline - 1 : newline] == "\r" else newline :]
            separator = space + "|" + text[last.pipe + 1 : last.name_start]
            # "=" spaced as in the last parameter that has a value
            shaped = next(
                (
                    p
                    for p in reversed(params)
                    if p.named and text[p.value_start : p.value_end].strip()
                ),
                last,
            )
            value_lead = shaped.value_start
            while value_lead < shaped.value_end and text[value_lead] in " \t":
                value_lead += 1
            equals = text[shaped.name_end : value_lead]
            if "\n" in equals:
                equals = "="
        if separator.strip(" \t\r\n") != "|":
            separator = " |"
        return Edit(at, at, "".join(f"{separator}{name}{equals}{value}" for name, value in new))
