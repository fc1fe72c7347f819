"""A body fills its entries in Excel or LibreOffice and uploads them back (issue 18, part 1).

- :mod:`~workflow.offline.columns` — the columns of the sheet, the signed version stamp, reading
  and comparing answer values;
- :mod:`~workflow.offline.workbook` — the downloadable workbook (one row per entry of a body in a
  round, protected columns, the status drop-down, hidden stamps);
- :mod:`~workflow.offline.reading` — reading an uploaded workbook safely (size, ZIP bomb, DTDs,
  row limit, formulas) into plain rows;
- :mod:`~workflow.offline.preview` — the preview per entry (changed, unchanged, refused with the
  reason), applying the accepted rows as drafts, and submitting every complete draft.

Services take the actor explicitly, flush and never commit. Every public name is importable from
here.
"""

from workflow.offline.columns import ANSWER_KEYS, StampError, make_stamp, read_stamp
from workflow.offline.preview import (
    FieldChange,
    Preview,
    RowOutcome,
    SubmitResult,
    apply_upload,
    evaluate,
    store_upload,
    submit_complete_drafts,
)
from workflow.offline.reading import OfflineFileError, read_upload
from workflow.offline.workbook import body_entries, build_workbook, workbook_filename

__all__ = [
    "ANSWER_KEYS",
    "FieldChange",
    "OfflineFileError",
    "Preview",
    "RowOutcome",
    "StampError",
    "SubmitResult",
    "apply_upload",
    "body_entries",
    "build_workbook",
    "evaluate",
    "make_stamp",
    "read_stamp",
    "read_upload",
    "store_upload",
    "submit_complete_drafts",
    "workbook_filename",
]
