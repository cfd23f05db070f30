"""The archive stage: the archived copy the author actually saw.

For a cited URL that is gone or has changed, find the archived copy closest
to the note's accessed date (the rule: :mod:`verifier.archive.choose`),
store it with its extracted text, and let the match stage verify against it
and the report show ``archive_url`` and ``archive_date``.

Public API:

* :func:`archive_fallback` (async): look up and store copies for a run's URLs;
* :func:`archive_stage`: the same, as the check pipeline's step (sync);
* :func:`best_snapshot`: the stored copy that stands for a citation;
* :func:`archive_notes`: what each row says about its lookup (the copy's
  reason when the drift rule chose it, "archive unreachable: <host>",
  "no archived copy found");
* :func:`save_pages` (async): submit live pages to Save Page Now.
"""

from verifier.archive.choose import candidate_order
from verifier.archive.lookup import (
    ArchiveNote,
    ArchiveStage,
    ArchiveSummary,
    archive_fallback,
    archive_notes,
    archive_stage,
    archive_warnings,
    best_snapshot,
    urls_needing_archive,
)
from verifier.archive.save import SaveOutcome, save_pages

__all__ = [
    "ArchiveNote",
    "ArchiveStage",
    "ArchiveSummary",
    "SaveOutcome",
    "archive_fallback",
    "archive_notes",
    "archive_stage",
    "archive_warnings",
    "best_snapshot",
    "candidate_order",
    "save_pages",
    "urls_needing_archive",
]
