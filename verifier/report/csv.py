"""The CSV report: exactly the contract's columns, in order, one row per
(citation, URL). Spreadsheets and scripts depend on these names.

A cell that a spreadsheet would run as a formula (it begins with ``=``,
``+``, ``-``, ``@``, a tab or a carriage return: a title, a quotation, a
document name or an error can) is written with a leading ``'``, with or
without ``--excel``. The JSON report keeps every value as it is."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import TextIO

from verifier.report.rows import COLUMNS, ReportRow

__all__ = ["neutralise", "write_csv"]

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(cell: str) -> str:
    """``cell`` made inert for spreadsheets (CSV formula injection)."""
    return "'" + cell if cell.startswith(_FORMULA_STARTS) else cell


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
        writer.writerow({name: neutralise(cell) for name, cell in row.as_strings().items()})
        count += 1
    return count
