"""A local Wayback Machine, Memento aggregator and archive.today for tests.

Real HTTP servers on 127.0.0.x that replay the exchanges recorded from the
real archives in tests/data/corpus/wayback/:

* ``edgi-cassettes/*.yaml`` (VCR.py cassettes from web.archive.org): a
  request recorded there is answered with the recorded status, headers and
  body (gzip bodies as recorded), with ``web.archive.org`` addresses in
  ``Location`` and ``Link`` rewritten to this server. CDX answers and
  recorded mementos also fill the capture index below.
* ``pywb-sample/link_headers.yaml``: the Link headers that web.archive.org,
  archive-it, the UK Web Archive and Rhizome sent for a URL make the
  aggregator's TimeMap for that URL; those archives' mementos are served
  under ``/archives/<host>/...`` and their content, for iana.org, comes
  from the recorded WARC ``pywb-sample/iana.warc.gz``.

A request that was not recorded is answered the way the real service
answers, from the capture index: CDX queries with ``from``/``to``,
``filter``, positive and negative ``limit``, ``output=json`` and resume
keys; TimeGate redirects to the nearest capture held. Tests add captures of
their own pages (``add_capture``) and faults (``fail``: 429 with
Retry-After, 503, a dead archive), and read ``requests`` to count requests
and their times.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import functools
import gzip
import json
import re
import threading
import time
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote, unquote, urlsplit

import pytest
import yaml

CORPUS_WAYBACK = Path(__file__).resolve().parent / "data" / "corpus" / "wayback"
CASSETTES = CORPUS_WAYBACK / "edgi-cassettes"
PYWB = CORPUS_WAYBACK / "pywb-sample"
RECORDED_WAYBACK = "https://web.archive.org"
_HOP_HEADERS = {"transfer-encoding", "content-length", "connection", "keep-alive"}
_WEB_PATH = re.compile(r"^/web/(\d{1,14})([a-z]{2}_)?/(.+)$")


def url_key(url: str) -> str:
    """How the fake indexes a URL: no scheme, no ``www.``, no default port,
    no trailing slash, host lower-cased (close to the Wayback's SURT)."""
    url = url.strip()
    url = re.sub(r"^(https?:)?//", "", url, flags=re.IGNORECASE)
    url = re.sub(r"^https?:/", "", url, flags=re.IGNORECASE)
    host, _, path = url.partition("/")
    host = host.lower().removeprefix("www.").removesuffix(":80").removesuffix(":443")
    return (host + "/" + path).rstrip("/")


def wayback_ts(when: dt.datetime) -> str:
    return when.strftime("%Y%m%d%H%M%S")


def http_date(when: dt.datetime) -> str:
    return email.utils.format_datetime(when.replace(tzinfo=dt.UTC), usegmt=True)


def parse_ts(ts: str) -> dt.datetime:
    return dt.datetime.strptime(ts.ljust(14, "0")[:14], "%Y%m%d%H%M%S")


@dataclass
class Answer:
    status: int
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""


@dataclass
class Row:
    """One capture in the index (a CDX line)."""

    timestamp: str
    original: str
    mimetype: str = "text/html"
    status: str = "200"
    digest: str = "-"
    length: str = "-"

    def fields(self) -> list[str]:
        return [
            url_key(self.original).replace("/", ")/", 1),
            self.timestamp,
            self.original,
            self.mimetype,
            self.status,
            self.digest,
            self.length,
        ]


@dataclass
class Fault:
    role: str
    prefix: str
    status: int
    remaining: int | None
    headers: dict[str, str]


@dataclass
class Request:
    role: str
    method: str
    path: str
    at: float
    headers: dict[str, str]
    body: bytes = b""


def _recorded_body(response: dict[str, Any]) -> bytes:
    body = response["body"]["string"]
    return body if isinstance(body, bytes) else str(body).encode("utf-8")


def _decoded(body: bytes) -> bytes:
    return gzip.decompress(body) if body[:2] == b"\x1f\x8b" else body


@functools.cache
def load_cassette(name: str) -> list[tuple[str, str, Answer]]:
    """(method, recorded URL, answer) for each interaction of a cassette."""
    data = yaml.safe_load((CASSETTES / name).read_text())
    out = []
    for item in data["interactions"]:
        response = item["response"]
        headers = [
            (key, value)
            for key, values in response["headers"].items()
            for value in (values if isinstance(values, list) else [values])
            if key.lower() not in _HOP_HEADERS
        ]
        body = _recorded_body(response)
        if body[:2] != b"\x1f\x8b":
            headers = [(k, v) for k, v in headers if k.lower() != "content-encoding"]
        out.append(
            (
                item["request"]["method"],
                item["request"]["uri"],
                Answer(response["status"]["code"], headers, body),
            )
        )
    return out


@functools.cache
def recorded_link_headers() -> dict[str, list[str]]:
    """Recorded Link headers from several archives, keyed by ``url_key`` of
    their ``rel="original"`` URL (pywb-sample/link_headers.yaml)."""
    data = yaml.safe_load((PYWB / "link_headers.yaml").read_text())
    found: dict[str, list[str]] = {}
    for group in data.values():
        for header in group.values():
            match = re.search(r'<([^>]+)>;\s*rel="original"', header)
            if match:
                found.setdefault(url_key(match.group(1)), []).append(header)
    return found


@functools.cache
def warc_records() -> dict[str, list[tuple[str, Answer]]]:
    """HTTP 200 responses of the recorded iana.org WARC, by ``url_key``."""
    data = (PYWB / "iana.warc.gz").read_bytes()
    found: dict[str, list[tuple[str, Answer]]] = {}
    for line in (PYWB / "iana.cdxj").read_text().splitlines():
        _key, ts, blob = line.split(" ", 2)
        meta = json.loads(blob)
        if meta.get("status") != "200" or meta.get("filename") != "iana.warc.gz":
            continue
        offset, length = int(meta["offset"]), int(meta["length"])
        record = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(data[offset : offset + length])
        _warc_head, _, http = record.partition(b"\r\n\r\n")
        http_head, _, body = http.partition(b"\r\n\r\n")
        content_type = "text/html"
        for header in http_head.split(b"\r\n")[1:]:
            name, _, value = header.decode("latin-1").partition(":")
            if name.lower() == "content-type":
                content_type = value.strip()
        body = body.rstrip(b"\r\n")
        found.setdefault(url_key(meta["url"]), []).append(
            (ts, Answer(200, [("Content-Type", content_type)], body))
        )
    return found


class FakeArchives:
    """The three fake services, started with ``start()`` (or as a context)."""

    def __init__(self, host: str = "127.0.0.5") -> None:
        self.host = host
        self.requests: list[Request] = []
        self.faults: list[Fault] = []
        # Replayed answers by (role, path-with-query); CDX also by params.
        self._replay: dict[tuple[str, str], Answer] = {}
        self._cdx_replay: dict[tuple[tuple[str, str], ...], Answer] = {}
        # Capture index and content held, by url_key.
        self.index: dict[str, list[Row]] = {}
        self._indexed: set[tuple[str, str, str]] = set()
        self.content: dict[tuple[str, str], Answer] = {}
        self.memento_links: dict[str, list[str]] = {}
        self.today: dict[str, dict[str, Answer]] = {}
        self.warc: dict[str, list[tuple[str, Answer]]] = {}
        self.saved: list[str] = []
        self.save_auth = "access:secret"
        self.save_pending_polls = 1
        self._jobs: dict[str, tuple[str, int]] = {}
        self._lock = threading.Lock()
        self._servers: dict[str, ThreadingHTTPServer] = {}
        self._threads: list[threading.Thread] = []

    # --- set-up ------------------------------------------------------------

    def start(self) -> FakeArchives:
        for role in ("wayback", "memento", "today"):
            server = ThreadingHTTPServer((self.host, 0), _handler(self, role))
            server.daemon_threads = True
            thread = threading.Thread(
                target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
            )
            thread.start()
            self._servers[role] = server
            self._threads.append(thread)
        return self

    def stop(self) -> None:
        for server in self._servers.values():
            server.shutdown()
            server.server_close()

    def __enter__(self) -> FakeArchives:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def base(self, role: str) -> str:
        host, port = self._servers[role].server_address[:2]
        return f"http://{host}:{port}"

    @property
    def wayback_url(self) -> str:
        return self.base("wayback")

    @property
    def memento_url(self) -> str:
        return self.base("memento")

    @property
    def archive_today_url(self) -> str:
        return self.base("today")

    def settings_env(self) -> dict[str, str]:
        return {
            "VERIFIER_WAYBACK_URL": self.wayback_url,
            "VERIFIER_MEMENTO_URL": self.memento_url,
            "VERIFIER_ARCHIVE_TODAY_URL": self.archive_today_url,
        }

    def load_cassettes(self, *names: str) -> FakeArchives:
        """Replay these cassettes (all of them when none are named)."""
        chosen = names or tuple(p.name for p in sorted(CASSETTES.glob("*.yaml")))
        replay, cdx_replay, rows = _tables(chosen)
        self._replay.update(replay)
        self._cdx_replay.update(cdx_replay)
        for row in rows:
            self._index(row)
        return self

    def load_link_headers(self) -> FakeArchives:
        self.memento_links = recorded_link_headers()
        self.warc = warc_records()
        return self

    def add_capture(
        self,
        url: str,
        timestamp: str,
        body: bytes | str = b"",
        *,
        status: int = 200,
        listed_status: str | None = None,
        content_type: str = "text/html; charset=utf-8",
        location: str | None = None,
    ) -> None:
        """A Wayback capture of ``url`` at ``timestamp``: listed in CDX with
        ``listed_status`` (default: ``status``), served with ``status``."""
        data = body.encode("utf-8") if isinstance(body, str) else body
        headers = [("Content-Type", content_type)]
        if location:
            headers.append(("Location", location))
        self.content[(url_key(url), timestamp)] = Answer(status, headers, data)
        self._index(Row(timestamp, url, status=listed_status or str(status)))

    def add_today(self, url: str, timestamp: str, body: str) -> None:
        """An archive.today copy of ``url``."""
        self.today.setdefault(url_key(url), {})[timestamp] = Answer(
            200, [("Content-Type", "text/html; charset=utf-8")], body.encode("utf-8")
        )

    def fail(
        self,
        role: str,
        status: int,
        *,
        prefix: str = "/",
        times: int | None = None,
        retry_after: str | None = None,
    ) -> None:
        """Answer ``status`` to requests under ``prefix`` (``times`` times, or always)."""
        headers = {"Retry-After": retry_after} if retry_after is not None else {}
        self.faults.append(Fault(role, prefix, status, times, headers))

    def requests_to(self, role: str, prefix: str = "/") -> list[Request]:
        return [r for r in self.requests if r.role == role and r.path.startswith(prefix)]

    # --- index -------------------------------------------------------------

    def _index(self, row: Row) -> None:
        key = url_key(row.original)
        if (key, row.timestamp, row.original) in self._indexed:
            return
        self._indexed.add((key, row.timestamp, row.original))
        rows = self.index.setdefault(key, [])
        rows.append(row)
        if len(rows) > 1 and rows[-2].timestamp > row.timestamp:
            rows.sort(key=lambda r: r.timestamp)

    # --- answers -----------------------------------------------------------

    def answer(
        self, role: str, method: str, path: str, headers: dict[str, str], body: bytes
    ) -> Answer:
        with self._lock:
            self.requests.append(Request(role, method, path, time.monotonic(), headers, body))
            for fault in self.faults:
                if fault.role == role and path.startswith(fault.prefix) and fault.remaining != 0:
                    if fault.remaining is not None:
                        fault.remaining -= 1
                    return Answer(fault.status, list(fault.headers.items()), b"fault")
        if role == "wayback":
            return self._wayback(method, path, headers, body)
        if role == "memento":
            return self._aggregator(path, headers)
        return self._today(path)

    def _rewrite(self, answer: Answer) -> Answer:
        base = self.wayback_url
        headers = []
        for key, value in answer.headers:
            if key.lower() in ("location", "link"):
                value = (
                    value.replace(RECORDED_WAYBACK, base)
                    .replace("http://web.archive.org", base)
                    .replace("//web.archive.org", base.split(":", 1)[1])
                )
            headers.append((key, value))
        return Answer(answer.status, headers, answer.body)

    def _wayback(self, method: str, path: str, headers: dict[str, str], body: bytes) -> Answer:
        parts = urlsplit(path)
        if method == "POST" and parts.path == "/save":
            return self._save(headers, body)
        if parts.path.startswith("/save/status/"):
            return self._save_status(parts.path.rsplit("/", 1)[1])
        if parts.path == "/cdx/search/cdx":
            recorded = self._cdx_replay.get(_param_key(parts.query))
            if recorded is not None:
                return self._rewrite(recorded)
            return self._cdx(dict_multi(parts.query))
        recorded = self._replay.get(("wayback", path))
        if recorded is not None:
            return self._rewrite(recorded)
        match = _WEB_PATH.match(path)
        if match is None:
            return Answer(404, [("Content-Type", "text/plain")], b"not found")
        ts, mod, original = match.groups()
        key = url_key(original)
        held = self.content.get((key, ts))
        if held is not None:
            return self._serve_capture(held, ts, original, mod or "")
        nearest = self._nearest_held(key, ts)
        if nearest is not None and nearest != ts:
            location = f"{self.wayback_url}/web/{nearest}{mod or ''}/{original}"
            return Answer(302, [("Location", location), ("Content-Type", "text/plain")], b"")
        # The Wayback's own "not archived" page, as recorded.
        none = self._replay.get(
            ("wayback", "/web/20170929002712id_/https://this-is-not-real-url.whatever/")
        )
        return none if none is not None else Answer(404, [], b"Wayback Machine: not archived")

    def _nearest_held(self, key: str, ts: str) -> str | None:
        held = [stamp for (k, stamp) in self.content if k == key]
        held += [
            stamp
            for (_role, p) in self._replay
            if (m := _WEB_PATH.match(p)) and url_key(m.group(3)) == key
            for stamp in [m.group(1)]
        ]
        if not held:
            return None
        target = parse_ts(ts)
        return min(held, key=lambda s: abs((parse_ts(s) - target).total_seconds()))

    def _serve_capture(self, held: Answer, ts: str, original: str, mod: str) -> Answer:
        headers = list(held.headers)
        if any(k.lower() == "location" for k, _ in headers):
            headers = [
                (k, f"{self.wayback_url}/web/{ts}{mod}/{v}" if k.lower() == "location" else v)
                for k, v in headers
            ]
        when = parse_ts(ts)
        headers += [
            ("Memento-Datetime", http_date(when)),
            ("Link", f'<{original}>; rel="original"'),
            ("X-Archive-Src", "fake-archive"),
        ]
        return Answer(held.status, headers, held.body)

    def _cdx(self, params: dict[str, list[str]]) -> Answer:
        url = (params.get("url") or [""])[0]
        rows = list(self.index.get(url_key(url), []))
        lo = (params.get("from") or [""])[0]
        hi = (params.get("to") or [""])[0]
        if lo:
            rows = [r for r in rows if r.timestamp >= lo.ljust(14, "0")]
        if hi:
            rows = [r for r in rows if r.timestamp[: len(hi)] <= hi]
        for spec in params.get("filter", []):
            negate = spec.startswith("!")
            name, _, pattern = spec.lstrip("!").partition(":")
            column = {"statuscode": 4, "mimetype": 3, "original": 2, "urlkey": 0}.get(name)
            if column is None:
                continue
            rows = [r for r in rows if bool(re.fullmatch(pattern, r.fields()[column])) != negate]
        resume = (params.get("resumeKey") or [""])[0]
        if resume:
            start_ts = unquote(resume).rsplit(" ", 1)[-1]
            rows = [r for r in rows if r.timestamp >= start_ts]
        limit = int((params.get("limit") or ["0"])[0] or 0)
        more: Row | None = None
        if limit < 0:
            rows = rows[limit:]
        elif limit > 0:
            if len(rows) > limit:
                more = rows[limit]
            rows = rows[:limit]
        show_key = (params.get("showResumeKey") or ["false"])[0] == "true" and more is not None
        key = quote(f"{more.fields()[0]} {more.timestamp}") if show_key and more else None
        if (params.get("output") or [""])[0] == "json":
            table: list[list[str]] = []
            if rows:
                table.append(
                    [
                        "urlkey",
                        "timestamp",
                        "original",
                        "mimetype",
                        "statuscode",
                        "digest",
                        "length",
                    ]
                )
                table += [r.fields() for r in rows]
            if key:
                table += [[], [key]]
            text = json.dumps(table) if table else "[]"
        else:
            text = "".join(" ".join(r.fields()) + "\n" for r in rows)
            if key:
                text += f"\n{key}\n"
        return Answer(200, [("Content-Type", "text/plain;charset=UTF-8")], text.encode("utf-8"))

    # --- Save Page Now ------------------------------------------------------

    def _save(self, headers: dict[str, str], body: bytes) -> Answer:
        if headers.get("authorization") != f"LOW {self.save_auth}":
            return Answer(401, [("Content-Type", "application/json")], b'{"message": "auth"}')
        url = dict(parse_qsl(body.decode()))["url"]
        with self._lock:
            job = f"spn2-{len(self._jobs) + 1}"
            self._jobs[job] = (url, self.save_pending_polls)
            self.saved.append(url)
        payload = json.dumps({"url": url, "job_id": job}).encode()
        return Answer(200, [("Content-Type", "application/json")], payload)

    def _save_status(self, job: str) -> Answer:
        with self._lock:
            if job not in self._jobs:
                return Answer(404, [], b"{}")
            url, pending = self._jobs[job]
            if pending > 0:
                self._jobs[job] = (url, pending - 1)
                payload: dict[str, Any] = {"status": "pending", "job_id": job}
            else:
                ts = wayback_ts(dt.datetime.now(dt.UTC).replace(tzinfo=None))
                payload = {"status": "success", "job_id": job, "timestamp": ts, "original_url": url}
                self._index(Row(ts, url))
        return Answer(200, [("Content-Type", "application/json")], json.dumps(payload).encode())

    # --- Memento aggregator -------------------------------------------------

    def _mirror(self, uri: str) -> str:
        """Where this fake serves a memento recorded at another archive."""
        if uri.startswith("//"):
            uri = "http:" + uri
        parts = urlsplit(uri)
        host = (parts.hostname or "").lower()
        rest = uri.split(parts.netloc, 1)[1]
        if host == "web.archive.org":
            return self.wayback_url + rest
        return f"{self.memento_url}/archives/{host}{rest}"

    def _aggregator(self, path: str, headers: dict[str, str]) -> Answer:
        if path.startswith("/archives/"):
            return self._archive_copy(path)
        kind, _, url = path.partition("/timemap/link/")
        if not kind and url:
            links = self._timemap_links(url)
            if not links:
                return Answer(404, [("Content-Type", "text/plain")], b"no mementos")
            body = ",\n".join(links).encode("utf-8")
            return Answer(200, [("Content-Type", "application/link-format")], body)
        kind, _, url = path.partition("/timegate/")
        if not kind and url:
            mementos = self._timemap_mementos(url)
            if not mementos:
                return Answer(404, [], b"no mementos")
            asked = headers.get("accept-datetime")
            when = email.utils.parsedate_to_datetime(asked) if asked else dt.datetime.now(dt.UTC)
            target = when.astimezone(dt.UTC).replace(tzinfo=None)
            uri, moment = min(mementos, key=lambda m: abs((m[1] - target).total_seconds()))
            link = f'<{uri}>; rel="memento"; datetime="{http_date(moment)}"'
            return Answer(302, [("Location", uri), ("Link", link)], b"")
        return Answer(404, [], b"unknown")

    def _timemap_mementos(self, url: str) -> list[tuple[str, dt.datetime]]:
        found: dict[str, dt.datetime] = {}
        for header in self.memento_links.get(url_key(url), []):
            for uri, when in re.findall(
                r'<([^>]+)>;\s*rel="[^"]*memento[^"]*";\s*datetime="([^"]+)"', header
            ):
                moment = email.utils.parsedate_to_datetime(when).replace(tzinfo=None)
                found.setdefault(self._mirror(uri), moment)
        return sorted(found.items(), key=lambda item: item[1])

    def _timemap_links(self, url: str) -> list[str]:
        links = [f'<{url}>; rel="original"']
        mementos = self._timemap_mementos(url)
        for uri, moment in mementos:
            links.append(f'<{uri}>; rel="memento"; datetime="{http_date(moment)}"')
        return links if mementos else []

    def _archive_copy(self, path: str) -> Answer:
        match = re.search(r"/(\d{14})(?:id_)?/(https?://.+)$", path)
        if match is None:
            return Answer(404, [], b"not a memento")
        ts, original = match.groups()
        records = self.warc.get(url_key(original), [])
        if not records:
            return Answer(404, [("Content-Type", "text/plain")], b"no copy held")
        # The recorded WARC copy stands in for every archive's copy of it.
        _ts, held = records[0]
        headers = [*held.headers, ("Memento-Datetime", http_date(parse_ts(ts)))]
        return Answer(200, headers, held.body)

    # --- archive.today --------------------------------------------------------

    def _today(self, path: str) -> Answer:
        kind, _, url = path.partition("/timemap/")
        if not kind and url:
            copies = self.today.get(url_key(url), {})
            if not copies:
                return Answer(404, [], b"no copies")
            links = [f'<{url}>; rel="original"'] + [
                f'<{self.archive_today_url}/{ts}/{url}>; rel="memento"; '
                f'datetime="{http_date(parse_ts(ts))}"'
                for ts in sorted(copies)
            ]
            return Answer(
                200, [("Content-Type", "application/link-format")], ",\n".join(links).encode()
            )
        match = re.match(r"^/(\d{14})/(.+)$", path)
        if match:
            held = self.today.get(url_key(match.group(2)), {}).get(match.group(1))
            if held is not None:
                when = http_date(parse_ts(match.group(1)))
                return Answer(held.status, [*held.headers, ("Memento-Datetime", when)], held.body)
        return Answer(404, [], b"not found")


def dict_multi(query: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for key, value in parse_qsl(query, keep_blank_values=True):
        out.setdefault(key, []).append(value)
    return out


def _param_key(query: str) -> tuple[tuple[str, str], ...]:
    return tuple(sorted(parse_qsl(query, keep_blank_values=True)))


def _cdx_rows(body: bytes) -> Iterator[Row]:
    for line in body.decode("utf-8", "replace").splitlines():
        parts = line.split()
        if len(parts) == 7 and parts[1].isdigit() and len(parts[1]) == 14:
            yield Row(parts[1], parts[2], parts[3], parts[4], parts[5], parts[6])


@functools.cache
def _tables(
    names: tuple[str, ...],
) -> tuple[dict[tuple[str, str], Answer], dict[tuple[tuple[str, str], ...], Answer], list[Row]]:
    """What cassettes add to the replay tables and the capture index (read once)."""
    replay: dict[tuple[str, str], Answer] = {}
    cdx_replay: dict[tuple[tuple[str, str], ...], Answer] = {}
    rows: list[Row] = []
    for name in names:
        for method, uri, answer in load_cassette(name):
            if method != "GET":
                continue
            parts = urlsplit(uri)
            if parts.path == "/cdx/search/cdx":
                cdx_replay[_param_key(parts.query)] = answer
                rows += _cdx_rows(_decoded(answer.body))
                continue
            path = parts.path + (f"?{parts.query}" if parts.query else "")
            replay[("wayback", path)] = answer
            headers = {k.lower(): v for k, v in answer.headers}
            match = _WEB_PATH.match(path)
            if match is not None and "memento-datetime" in headers:
                ts, _mod, original = match.groups()
                rows.append(Row(ts, original, status=headers.get("x-ts", str(answer.status))))
    return replay, cdx_replay, rows


def _handler(fake: FakeArchives, role: str) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: Any) -> None:
            pass

        def _respond(self, method: str) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            headers = {k.lower(): v for k, v in self.headers.items()}
            answer = fake.answer(role, method, self.path, headers, body)
            self.send_response(answer.status)
            for key, value in answer.headers:
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(answer.body)))
            self.end_headers()
            if method != "HEAD":
                self.wfile.write(answer.body)

        def do_GET(self) -> None:
            self._respond("GET")

        def do_POST(self) -> None:
            self._respond("POST")

    return Handler


def measure_rate(dead_links: int = 10) -> dict[str, dict[str, float]]:
    """Run the archive fallback with default settings over ``dead_links``
    URLs no archive holds, against these fakes; request figures per archive,
    measured where the requests arrive.

    ``python tests/fake_archive.py 10`` prints them.
    """
    import asyncio
    import itertools
    import tempfile

    from verifier.archive import archive_fallback
    from verifier.settings import Settings
    from verifier.store.database import Database
    from verifier.store.models import Citation, CitationUrl, Document, Run, Url
    from verifier.urls import host_of, normalize_url, url_hash

    figures: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as tmp, FakeArchives() as fake:
        fake.load_cassettes().load_link_headers()
        db = Database(f"{tmp}/sources.db")
        with db.session() as session:
            doc = Document(path="dead.md", format="markdown", sha256="0" * 64)
            session.add(doc)
            session.flush()
            url_ids = []
            for n in range(dead_links):
                url = normalize_url(f"http://gone.example/dead/{n}")
                row = Url(url_hash=url_hash(url), url=url, host=host_of(url))
                session.add(row)
                session.flush()
                citation = Citation(
                    document_id=doc.id,
                    label=str(n),
                    position=n,
                    kind="note",
                    raw_text=url,
                    accessed=dt.date(2020, 1, 1),
                )
                session.add(citation)
                session.flush()
                session.add(
                    CitationUrl(citation_id=citation.id, url_id=row.id, position=0, written=url)
                )
                url_ids.append(row.id)
            run = Run()
            session.add(run)
            session.flush()
            run_id = run.id
        settings = Settings(
            wayback_url=fake.wayback_url,
            memento_url=fake.memento_url,
            archive_today_url=fake.archive_today_url,
        )
        started = time.monotonic()
        asyncio.run(archive_fallback(db, settings, run_id, url_ids))
        wall = time.monotonic() - started
        db.dispose()
        for role in ("wayback", "memento"):
            at = [r.at for r in fake.requests_to(role)]
            gaps = [b - a for a, b in itertools.pairwise(at)]
            figures[role] = {
                "requests": len(at),
                "per_second": round((len(at) - 1) / (at[-1] - at[0]), 3),
                "min_gap_s": round(min(gaps), 3),
                "most_in_any_second": max(sum(1 for t in at if s <= t < s + 1.0) for s in at),
                "wall_s": round(wall, 1),
                "archive_rate": settings.archive_rate,
            }
    return figures


if __name__ == "__main__":
    import sys

    for archive, numbers in measure_rate(int(sys.argv[1]) if len(sys.argv) > 1 else 10).items():
        print(archive, numbers)


@pytest.fixture
def fake() -> Iterator[FakeArchives]:
    """The fake Wayback Machine, Memento aggregator and archive.today on
    loopback, replaying the real recordings (cassettes, Link headers, WARC);
    a test adds captures of its own pages with ``add_capture``."""
    with FakeArchives().load_cassettes().load_link_headers() as archives:
        yield archives
