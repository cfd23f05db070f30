"""verifier: parse citations, check their links, find archived copies, and
verify that cited titles and quotations are really in the source.

The stages, in the order data flows: ``parse`` -> ``store`` -> ``fetch`` ->
``archive`` -> ``match`` -> ``report``; ``verifier.pipeline`` runs them
(``check``, ``audit``). The CLI (``verifier.cli``) only parses options,
calls this library and prints what came back.
"""

from __future__ import annotations

__version__ = "0.1.0"

from typing import TYPE_CHECKING

from verifier.errors import DocumentError, InputError, VerifierError
from verifier.lazy import lazy_names

if TYPE_CHECKING:
    from verifier.ingest import IngestResult, ingest_paths
    from verifier.settings import Settings, load_settings
    from verifier.store.database import Database

# The library's names load on first use: a command that needs no parser or
# database driver does not pay for importing them (start-up time).
_LAZY = {
    "IngestResult": "verifier.ingest",
    "ingest_paths": "verifier.ingest",
    "Settings": "verifier.settings",
    "load_settings": "verifier.settings",
    "Database": "verifier.store.database",
}


__getattr__ = lazy_names(__name__, _LAZY)


__all__ = [
    "Database",
    "DocumentError",
    "IngestResult",
    "InputError",
    "Settings",
    "VerifierError",
    "__version__",
    "ingest_paths",
    "load_settings",
]
