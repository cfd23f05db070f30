"""Which link status a fetch earns: the one place that decides.

The statuses are those of ``docs/contract.md``. The principle: ``dead``
and ``soft_404`` must be trustworthy, because editors act on them and a
nightly job alerts on them; anything the server did *to us* rather than
said *about the page* is inconclusive and says so.

Transport failures (``classify_failure``):

* host name does not exist (NXDOMAIN) -> ``dead``: the site is gone;
  any other resolution failure (server failure, time-out) -> ``dns_error``;
* time-out (connect, read, or the whole attempt) -> ``timeout``;
* TLS handshake or certificate failure -> ``tls_error``;
* refused, reset, dropped mid-body, undecodable body -> ``connection_error``;
* a redirect loop, or more than ``max_redirects`` hops -> ``connection_error``
  with the reason (``redirect loop: back to …``, ``too many redirects: …``):
  the link never leads a reader to a page, as a browser's "redirected you
  too many times" says, so it is a broken link and gets an archive lookup
  like any other (a server error would say the server answered, and a loop
  is not retried: the next attempt would loop the same way);
* address refused by the SSRF guard, or a redirect to a non-http(s) scheme
  -> ``refused_private``; a URL that cannot be parsed or is not http(s)
  -> ``invalid_url``; a body over the cap -> ``too_large``.

HTTP answers (``classify_response``), after redirects and retries:

* a status listed in the host's ``accept_status`` -> ``ok``;
* a bot wall or challenge page (Cloudflare's "Just a moment...", its
  ``cf-mitigated: challenge`` header, Imperva/Incapsula, DataDome,
  PerimeterX, Akamai "Access Denied", CAPTCHA pages), whatever its HTTP
  status -> ``blocked``: the page may be fine for a human;
* 401, 403, 407, 451 -> ``blocked``; other 4xx except those below -> also
  ``blocked``: the server refused *our request* (400, 405, 406 ... are how
  several sites answer robots), which proves nothing about the page;
* 404, 410 -> ``dead``;
* 429 -> ``rate_limited``; 5xx -> ``server_error``;
* 2xx/other that redirected a *deep* URL to the site root, or to a
  ``/404``-like or error page -> ``soft_404``; redirected to a login page
  -> ``blocked``;
* 2xx whose ``<title>`` or ``<h1>`` says "not found", "page not found",
  "404" (as a segment of the title, not inside "Flight 404"), in several
  languages -> ``soft_404``;
* 2xx on a host that answers a random sibling URL (the probe, see
  ``probe_url``) with the same page, or redirects it to the same place
  -> ``soft_404``: a catch-all (``catch_all_reason``). Not when the page has
  almost no text: a JavaScript application shell is the same for every
  path, and the probe cannot tell it from an error page;
* 2xx reached through a permanent redirect (301, 308) that moved the page
  (not only http->https, ``www.`` or a trailing slash) -> ``redirected``
  with its ``final_url``; temporary redirects (302, 303, 307) -> ``ok``;
* any other 2xx -> ``ok``.

Failure counting (``verifier.vocabulary.counts_as_failure``), for ``failing_since`` and
``failures_in_a_row``: ``ok``, ``redirected`` and ``too_large`` (the page
answered) end a run of failures; ``dead``, ``soft_404``, ``server_error``,
``timeout``, ``dns_error``, ``tls_error``, ``connection_error`` and
``invalid_url`` extend it; ``blocked``, ``rate_limited``,
``refused_private`` and ``excluded`` leave the counters as they are: they
say nothing about the link, so they neither raise a nightly alert nor reset
one.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from rapidfuzz import fuzz

from verifier.vocabulary import LinkStatus, PageText

__all__ = [
    "COMPARED_CHARS",
    "Decision",
    "catch_all_reason",
    "challenge_reason",
    "classify_failure",
    "classify_response",
    "is_trivial_move",
    "not_found_title",
    "probe_url",
    "same_page",
]


@dataclass(frozen=True)
class Decision:
    status: LinkStatus
    error: str | None = None


# --- transport failures ----------------------------------------------------

_FAILURE_STATUS = {
    "dns_not_found": LinkStatus.DEAD,
    "dns": LinkStatus.DNS_ERROR,
    "timeout": LinkStatus.TIMEOUT,
    "tls": LinkStatus.TLS_ERROR,
    "connection": LinkStatus.CONNECTION_ERROR,
    "redirect_loop": LinkStatus.CONNECTION_ERROR,
    "too_many_redirects": LinkStatus.CONNECTION_ERROR,
    "refused": LinkStatus.REFUSED_PRIVATE,
    "invalid_url": LinkStatus.INVALID_URL,
    "too_large": LinkStatus.TOO_LARGE,
}


# Kinds whose reason starts with a fixed label, so a report reader (and a
# filter on the error column) sees what happened before the details.
_REASON_LABEL = {
    "redirect_loop": "redirect loop",
    "too_many_redirects": "too many redirects",
}


def classify_failure(kind: str, message: str) -> Decision:
    """The status of a fetch that ended without a usable HTTP answer."""
    label = _REASON_LABEL.get(kind)
    if label is not None and not message.startswith(f"{label}: "):
        rest = message.removeprefix(label).strip(" :") if message.startswith(label) else message
        message = f"{label}: {rest}" if rest else label
    return Decision(_FAILURE_STATUS[kind], message)


# --- bot walls ---------------------------------------------------------------

_CHALLENGE_MARKERS = (
    (b"<title>just a moment...</title>", "Cloudflare challenge page"),
    (b"cf-browser-verification", "Cloudflare challenge page"),
    (b"/cdn-cgi/challenge-platform/", "Cloudflare challenge page"),
    (b"cf_chl_opt", "Cloudflare challenge page"),
    (b"attention required! | cloudflare", "Cloudflare block page"),
    (b"enable javascript and cookies to continue", "JavaScript/cookie challenge"),
    (b"_incapsula_resource", "Imperva/Incapsula bot wall"),
    (b"incapsula incident id", "Imperva/Incapsula bot wall"),
    (b"captcha-delivery.com", "DataDome bot wall"),
    (b"px-captcha", "PerimeterX bot wall"),
    (b"pardon our interruption", "Imperva/Distil bot wall"),
    (b"checking your browser before accessing", "browser check page"),
    (b"ddos protection by", "DDoS-protection challenge"),
    (b"please verify you are a human", "CAPTCHA page"),
    (b"are you a robot", "CAPTCHA page"),
    (b"g-recaptcha", "CAPTCHA page"),
    (b"h-captcha", "CAPTCHA page"),
)
_AKAMAI = re.compile(rb"<title>\s*access denied\s*</title>.*reference\s*#", re.S)
# A real article that merely embeds a CAPTCHA widget is long; a wall is short.
_WALL_MAX_TEXT = 3000


def challenge_reason(
    headers: Mapping[str, str], body_head: bytes, page: PageText | None
) -> str | None:
    """Why this answer is a bot wall rather than the page, or ``None``."""
    if headers.get("cf-mitigated", "").lower() == "challenge":
        return "Cloudflare challenge (cf-mitigated header)"
    if page is not None and len(page.text) > _WALL_MAX_TEXT:
        return None
    lowered = body_head[:200_000].lower()
    for marker, reason in _CHALLENGE_MARKERS:
        if marker in lowered:
            return reason
    if _AKAMAI.search(lowered):
        return "Akamai access-denied page"
    return None


# --- soft 404s ---------------------------------------------------------------

_NOT_FOUND_PHRASES = re.compile(
    "|".join(
        [
            # English
            r"page not found",
            r"not found",
            r"page (?:does not|doesn't|cannot|can't|could not|couldn't) (?:exist|be found)",
            r"no longer (?:available|exists)",
            r"nothing (?:was )?found",
            # German
            r"seite nicht gefunden",
            r"nicht gefunden",
            r"seite existiert nicht",
            r"fehler 404",
            # French
            r"page introuvable",
            r"page non trouvée",
            r"introuvable",
            r"erreur 404",
            r"cette page n'existe pas",
            # Spanish / Portuguese / Italian
            r"página no encontrada",
            r"no se encontró la página",
            r"página não encontrada",
            r"pagina non trovata",
            r"pagina non esiste",
            # Dutch / Scandinavian
            r"pagina niet gevonden",
            r"sidan (?:kunde inte hittas|hittades inte)",
            r"siden (?:blev ikke fundet|finnes ikke|ble ikke funnet)",
            # Polish / Czech / Slovak / Hungarian / Turkish
            r"nie znaleziono",
            r"strona nie (?:została znaleziona|istnieje)",
            r"stránka (?:nenalezena|nebyla nalezena|neexistuje)",
            r"az oldal nem található",
            r"sayfa bulunamadı",
            # Russian / Ukrainian
            r"страница не найдена",
            r"сторінку не знайдено",
            r"сторінка не знайдена",
            # Greek, Arabic, Hebrew
            r"η σελίδα δεν βρέθηκε",
            r"الصفحة غير موجودة",
            r"הדף לא נמצא",
            # Chinese / Japanese / Korean
            r"页面不存在",
            r"找不到页面",
            r"页面未找到",
            r"頁面不存在",
            r"ページが見つかりません",
            r"페이지를 찾을 수 없습니다",
        ]
    ),
    re.IGNORECASE,
)
_TITLE_SEGMENTS = re.compile(r"\s+[|\-–—:·•»]\s+|\s*[|·•»]\s*")
_BARE_404 = re.compile(r"^(?:error\s*|http\s*)?404(?:\s*(?:error|-|–|!))?$", re.I)


def not_found_title(page: PageText) -> str | None:
    """The title or heading that says the page was not found, or ``None``."""
    for label, text in (("title", page.title), ("heading", page.h1)):
        if not text:
            continue
        segments = [s.strip() for s in _TITLE_SEGMENTS.split(text) if s.strip()]
        if any(_BARE_404.match(s) for s in segments) or _NOT_FOUND_PHRASES.search(text):
            return f'page {label} says "{text[:120]}"'
    return None


_ERROR_PATH = re.compile(
    r"(?:^|/)(?:404|error-?404|errors?|not-?found|notfound|page-?not-?found|fehler|erreur)"
    r"(?:\.[a-z]{2,5})?/?$",
    re.I,
)
_LOGIN_PATH = re.compile(
    r"(?:^|/)(?:login|log-in|signin|sign-in|sign_in|sso|auth|authenticate|"
    r"account/login|users/sign_in|accounts/login)(?:\.[a-z]{2,5})?/?$",
    re.I,
)
_INDEX_PAGE = re.compile(r"^/?(?:index|default|home)(?:\.[a-z]{2,5})?$", re.I)


def _is_root(path: str) -> bool:
    return path in ("", "/") or bool(_INDEX_PAGE.match(path))


def _redirect_decision(url: str, final_url: str) -> Decision | None:
    original, final = urlsplit(url), urlsplit(final_url)
    if _LOGIN_PATH.search(final.path) and not _LOGIN_PATH.search(original.path):
        return Decision(LinkStatus.BLOCKED, f"redirected to a login page: {final_url}")
    if _ERROR_PATH.search(final.path) and not _ERROR_PATH.search(original.path):
        return Decision(LinkStatus.SOFT_404, f"redirected to an error page: {final_url}")
    if not _is_root(original.path) and _is_root(final.path):
        return Decision(LinkStatus.SOFT_404, f"deep link redirected to the home page {final_url}")
    return None


def _comparable(url: str) -> tuple[str, str, str]:
    parts = urlsplit(url)
    host = (parts.hostname or "").lower().removeprefix("www.")
    port = parts.port
    if port in (80, 443):
        port = None
    return (f"{host}:{port}" if port else host, parts.path.rstrip("/") or "/", parts.query)


def is_trivial_move(url: str, target: str) -> bool:
    """Whether a redirect only changed the scheme, ``www.``, a default port or a
    trailing slash: the citation still points at the same page."""
    return _comparable(url) == _comparable(target)


def classify_response(
    *,
    url: str,
    final_url: str,
    http_status: int,
    redirect_chain: list[tuple[int, str]],
    headers: Mapping[str, str],
    body_head: bytes,
    page: PageText | None,
    accept_status: list[int] | tuple[int, ...] = (),
) -> Decision:
    """The status of an HTTP answer (before the catch-all probe)."""
    if http_status in accept_status:
        return Decision(LinkStatus.OK)
    wall = challenge_reason(headers, body_head, page)
    if wall is not None:
        return Decision(LinkStatus.BLOCKED, f"bot wall: {wall} (HTTP {http_status})")
    if http_status in (404, 410):
        reason = "not found" if http_status == 404 else "gone"
        return Decision(LinkStatus.DEAD, f"HTTP {http_status} {reason}")
    if http_status == 429:
        return Decision(LinkStatus.RATE_LIMITED, "HTTP 429 too many requests")
    if http_status in (401, 403, 407, 451):
        return Decision(
            LinkStatus.BLOCKED, f"HTTP {http_status}: access refused (inconclusive, not dead)"
        )
    if 400 <= http_status < 500:
        return Decision(
            LinkStatus.BLOCKED, f"HTTP {http_status}: request refused (inconclusive, not dead)"
        )
    if http_status >= 500:
        return Decision(LinkStatus.SERVER_ERROR, f"HTTP {http_status} server error")
    if not 200 <= http_status < 300:
        return Decision(LinkStatus.SERVER_ERROR, f"HTTP {http_status}: unexpected final answer")
    if redirect_chain:
        moved = _redirect_decision(url, final_url)
        if moved is not None:
            return moved
    if page is not None:
        title = not_found_title(page)
        if title is not None:
            return Decision(LinkStatus.SOFT_404, title)
    if any(
        status in (301, 308) and not is_trivial_move(source, target)
        for status, source, target in _hops(url, redirect_chain)
    ) and not is_trivial_move(url, final_url):
        return Decision(LinkStatus.REDIRECTED, f"moved permanently to {final_url}")
    return Decision(LinkStatus.OK)


def _hops(url: str, chain: list[tuple[int, str]]) -> list[tuple[int, str, str]]:
    hops = []
    source = url
    for status, target in chain:
        hops.append((status, source, target))
        source = target
    return hops


def probe_url(url: str) -> str:
    """A random sibling of ``url``: same host and folder, a name no site has.

    A site that answers it like ``url`` answers anything: a catch-all."""
    parts = urlsplit(url)
    folder = parts.path.rsplit("/", 1)[0]
    name = f"verifier-probe-{secrets.token_hex(8)}"
    return urlunsplit((parts.scheme, parts.netloc, f"{folder}/{name}", "", ""))


def probe_key(url: str) -> tuple[str, str]:
    """Probes are shared by URLs with the same host and first path segment."""
    parts = urlsplit(url)
    segments = [s for s in parts.path.split("/") if s]
    return (parts.netloc.lower(), segments[0] if len(segments) > 1 else "")


# Below this much text a page is an application shell (the same HTML for
# every path, filled in by JavaScript): the probe cannot tell it from a
# catch-all error page, so it concludes nothing.
_APP_SHELL_TEXT = 200


def catch_all_reason(
    *,
    url: str,
    final_url: str,
    page: PageText,
    probe_url: str,
    probe_status: int | None,
    probe_final_url: str,
    probe_page: PageText | None,
) -> str | None:
    """Why ``page`` is what this host answers for any URL (a soft 404), given
    the answer to the random sibling ``probe_url``; ``None`` when it is not,
    or when the probe cannot tell."""
    if probe_status is None or not 200 <= probe_status < 300:
        return None
    if probe_final_url == final_url and final_url != url:
        return f"this host redirects any URL to {final_url}"
    if probe_page is None or len(page.text) < _APP_SHELL_TEXT:
        return None
    token = urlsplit(probe_url).path.rsplit("/", 1)[-1]
    if same_page(page, probe_page, token):
        return "this host answers any URL with this same page (probed a random sibling URL)"
    return None


# Characters of two pages' text compared to tell whether they are the same.
COMPARED_CHARS = 5000


def same_page(page: PageText, probe: PageText, probe_token: str = "") -> bool:
    """Whether the probe's page is the page we got (a catch-all's error page)."""
    text = page.text[:COMPARED_CHARS]
    other = probe.text[:COMPARED_CHARS]
    if probe_token:
        other = other.replace(probe_token, "")
    if not text and not other:
        return page.title == probe.title
    return (page.title or "") == (probe.title or "") and fuzz.ratio(text, other) >= 90
