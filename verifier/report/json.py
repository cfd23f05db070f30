"""The JSON report: the CSV's columns as keys, plus each document's
unsourced attributions.

Shape::

    {"columns": [...], "rows": [{"document": ..., ...}, ...],
     "unsourced_attributions": [{"document": ..., "sentence": ..., "cue": ...,
                                 "source": ...}, ...],
     "rows_written": N}

Rows are streamed: a large report never sits in memory as one object.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import TextIO

from verifier.report.rows import COLUMNS, ReportRow, UnsourcedAttribution

__all__ = ["write_json"]


def write_json(
    rows: Iterable[ReportRow],
    out: TextIO,
    attributions: Iterable[UnsourcedAttribution] = (),
) -> int:
    """Write the report; return how many rows were written."""
    out.write('{\n  "columns": ')
    out.write(json.dumps(list(COLUMNS), ensure_ascii=False))
    out.write(',\n  "rows": [')
    count = 0
    for row in rows:
        out.write(",\n    " if count else "\n    ")
        out.write(json.dumps(row.as_record(), ensure_ascii=False))
        count += 1
    out.write("\n  ],\n" if count else "],\n")
    out.write('  "unsourced_attributions": [')
    written = 0
    for item in attributions:
        out.write(",\n    " if written else "\n    ")
        record = {
            "document": item.document,
            "sentence": item.sentence,
            "cue": item.cue,
            "source": item.source,
        }
        out.write(json.dumps(record, ensure_ascii=False))
        written += 1
    out.write("\n  ],\n" if written else "],\n")
    out.write(f'  "rows_written": {count}\n}}\n')
    return count
