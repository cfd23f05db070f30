"""The fetch stage: check cited URLs and extract their page text.

* ``Fetcher`` (engine.py): one URL's check, from first request to status;
* ``fetch_urls`` (scheduling.py): many URLs, limits per host, parked retries;
* ``redirects.py``: one attempt, its redirects followed hop by hop;
* ``transport.py``: the one way out to the network, behind the SSRF guard
  (also used by every archive request);
* ``decoding.py``: Content-Encoding decoded with a cap on the output;
* ``classify`` (classify.py): the one place that decides each link status;
* ``retry`` (retry.py): the one place that decides what is retried;
* ``ssrf`` (ssrf.py): the guard against fetching from private networks;
* ``extract_page`` / ``PageText`` (content.py): decoding and page text;
* ``write_results`` / ``CheckWriter`` (writer.py): the one place writing checks.

The pipeline over the database is ``verifier.check.run_check``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from verifier.lazy import lazy_names

if TYPE_CHECKING:
    from verifier.fetch.content import PageText, decode_body, extract_page
    from verifier.fetch.engine import Fetcher, FetchResult
    from verifier.fetch.scheduling import fetch_urls
    from verifier.fetch.ssrf import Guard, refused_reason
    from verifier.vocabulary import counts_as_failure

# The names load on first use: importing one module of the stage (the page
# text, the retry rule) does not load httpx and the engine with it.
_LAZY = {
    "PageText": "verifier.fetch.content",
    "decode_body": "verifier.fetch.content",
    "extract_page": "verifier.fetch.content",
    "Fetcher": "verifier.fetch.engine",
    "FetchResult": "verifier.fetch.engine",
    "fetch_urls": "verifier.fetch.scheduling",
    "Guard": "verifier.fetch.ssrf",
    "refused_reason": "verifier.fetch.ssrf",
    "counts_as_failure": "verifier.vocabulary",
}


__getattr__ = lazy_names(__name__, _LAZY)


__all__ = [
    "FetchResult",
    "Fetcher",
    "Guard",
    "PageText",
    "counts_as_failure",
    "decode_body",
    "extract_page",
    "fetch_urls",
    "refused_reason",
]
