"""The CSV report: exactly the contract's columns, in order, one row per
(citation, URL). Spreadsheets and scripts depend on these names."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import TextIO

from verifier.report.rows import COLUMNS, ReportRow

__all__ = ["write_csv"]

# Excel reads a CSV without a byte-order mark as the system code page,
# which turns accented names into mojibake.
UTF8_BOM = "\ufeff"


def write_csv(rows: Iterable[ReportRow], out: TextIO, *, excel: bool = False) -> int:
    """Write the rows (streamed); return how many were written."""
    if excel:
        out.write(UTF8_BOM)
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    count = 0
    for row in rows:
        writer.writerow(row.as_strings())
        count += 1
    return count
