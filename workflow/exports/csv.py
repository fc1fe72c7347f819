"""CSV export for open data: one row per activity, UTF-8 with BOM, ``;`` as separator.

Why ``;``: Czech Excel uses the comma as the decimal mark and therefore ``;`` as its list
separator; with the BOM it opens the file in UTF-8 with the columns split. Every field is quoted
when needed (RFC 4180 quoting, ``\\r\\n`` line ends). Columns
(:attr:`~workflow.report.ReportContent.data_header`): the codes of the levels above the activity
(the shipped plan's okruh and cíl; none for a flat plan), then the report's columns
(:attr:`~workflow.report.ReportContent.columns`: :data:`~workflow.report.COLUMNS`, and for a plan
that has them the title after „Číslo“ and the further attributes shown in the report after
„Spolupráce“), then :data:`~workflow.report.DATA_EXTRA_COLUMNS`. Formula-like values are
neutralised (:func:`workflow.exports.neutralize_cell`).
"""

from __future__ import annotations

import csv
import io

from workflow.exports import neutralize_cell
from workflow.report import COLUMNS, DATA_EXTRA_COLUMNS, ReportContent

#: The header of the shipped plan's report (two levels, the standard columns); see ``content.data_header``.
HEADER = ["Okruh", "Cíl", *COLUMNS, *DATA_EXTRA_COLUMNS]


def render(content: ReportContent) -> bytes:
    """The report's rows as CSV bytes (UTF-8 with BOM, ``;``-separated)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    writer.writerow(content.data_header)
    for values in content.data_rows():
        writer.writerow([neutralize_cell(v or "") for v in values])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
