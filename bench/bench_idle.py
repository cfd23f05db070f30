"""A check with nothing to do: ``python -m bench idle`` (``--quick``).

Issue 16's last target: "a second ``check`` with 0 URLs due takes under a
second, online or off". For a small document (50 citations) and a large one
(5,000, ``--quick``: 500), with the failure mix of ``bench_web``:

1. ``verifier audit`` checks every URL on the simulated web and asks the
   archives about the failing ones: the Wayback Machine and the Memento
   aggregator are two hosts of the same web, which have no copy of anything
   (their 404 is the archives' "nothing archived"), so every lookup is
   recorded (at 200 requests a second: the setting up is not measured);
2. ``verifier check`` then runs with nothing due, five times "online" (the
   same archive endpoints) and five times "offline" (the endpoints on a
   closed port).

Figures: each idle check's wall time (median, min, max) per database and
mode, and the requests the web received during the idle checks (must be 0:
an idle check asks nothing of anyone).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.bench_web import _closed_port, _document, cited_urls, simulated_web

RUNS = 5
HOSTS = 12


def _verifier(args: list[str], env: dict[str, str], cwd: str) -> tuple[float, int, str]:
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "verifier", *args], env=env, cwd=cwd, capture_output=True, text=True
    )
    return time.perf_counter() - started, done.returncode, done.stderr[-2000:]


def _requests(log: Path) -> int:
    return sum(1 for line in log.read_text(encoding="utf-8").splitlines() if line.startswith("A "))


def measure(count: int, ports: list[int], log: Path, folder: str, runs: int) -> dict[str, Any]:
    pairs = cited_urls(count, HOSTS, ports, f"idle{count}x")
    document = Path(folder) / f"cited{count}.md"
    document.write_text(_document(pairs), encoding="utf-8")
    db = str(Path(folder) / f"idle{count}.db")
    archive = f"http://127.0.0.{HOSTS}:{ports[HOSTS - 1]}"
    closed = f"http://127.0.0.1:{_closed_port('127.0.0.1')}"
    base = {
        **os.environ,
        "VERIFIER_RETRY_BACKOFF": "0.05",
        "VERIFIER_DNS_CANARY": "",
        # setting up: the local archives may be asked faster than the real
        # ones (1 request a second each); the idle checks ask nothing
        "VERIFIER_ARCHIVE_RATE": "200",
        "PYTHONPATH": str(Path(__file__).resolve().parents[1]),
    }
    online = {**base, "VERIFIER_WAYBACK_URL": archive, "VERIFIER_MEMENTO_URL": archive}
    offline = {**base, "VERIFIER_WAYBACK_URL": closed, "VERIFIER_MEMENTO_URL": closed}
    options = ["--db", db, "--allow-private-hosts", "--timeout", "0.5", "--retries", "1"]
    seconds, code, error = _verifier(
        ["-q", "audit", str(document), "-o", str(Path(folder) / "report.json"), *options],
        online,
        folder,
    )
    if code not in (0, 1):
        raise RuntimeError(f"audit failed ({code}): {error}")
    figures: dict[str, Any] = {"citations": count, "audit_seconds": round(seconds, 2)}
    for mode, env in (("online", online), ("offline", offline)):
        before = _requests(log)
        times = []
        for _ in range(runs):
            seconds, code, error = _verifier(["-q", "check", *options], env, folder)
            if code not in (0, 1):
                raise RuntimeError(f"idle check failed ({code}): {error}")
            times.append(seconds)
        figures[mode] = {
            "median_seconds": round(statistics.median(times), 3),
            "min_seconds": round(min(times), 3),
            "max_seconds": round(max(times), 3),
            "requests_made": _requests(log) - before,
        }
    return figures


def run(
    *, quick: bool = False, counts: tuple[int, ...] | None = None, runs: int = RUNS
) -> dict[str, Any]:
    counts = counts or (50, 500 if quick else 5000)
    with simulated_web(HOSTS, 1.0) as (ports, log):
        results: dict[str, Any] = {"runs_per_mode": runs}
        with tempfile.TemporaryDirectory() as folder:
            for count in counts:
                figures = measure(count, ports, log, folder, runs)
                results[f"citations_{count}"] = figures
                for mode in ("online", "offline"):
                    row = figures[mode]
                    print(
                        f"{count:>5} citations, {mode:>7}: idle check median "
                        f"{row['median_seconds']} s (min {row['min_seconds']}, max "
                        f"{row['max_seconds']}), {row['requests_made']} requests",
                        flush=True,
                    )
        return results


def main(argv: list[str] | None = None) -> dict[str, Any]:
    argv = sys.argv if argv is None else argv
    return run(quick="--quick" in argv)


if __name__ == "__main__":
    main(sys.argv[1:])
