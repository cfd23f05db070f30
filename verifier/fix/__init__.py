"""``verifier fix``: write each dead link's archived copy into its document,
in the document's own idiom (Markdown note text, wikitext ``archive-url=``,
HTML Robust Links, a plain-text note line).

Public API: :func:`fix_paths` (ingest, check, fix), :func:`fix_document`
(one ingested document), :class:`FixOptions`, and the results
:class:`FixResult` / :class:`DocumentFix`.
"""

from verifier.fix.base import FixOptions, Placed
from verifier.fix.plan import DEFAULT_STATUSES, Repair, plan_repairs
from verifier.fix.run import DocumentFix, FixResult, fix_document, fix_paths

__all__ = [
    "DEFAULT_STATUSES",
    "DocumentFix",
    "FixOptions",
    "FixResult",
    "Placed",
    "Repair",
    "fix_document",
    "fix_paths",
    "plan_repairs",
]
