"""Entries: saving drafts, transitions with audit and versions, carry-over, word diffs, bulk
approval, comments, the reviewer's assessment, evidence (links and attachments) and deadline
extensions — one submodule per concern, every public name importable from here.

- :mod:`~workflow.entries.drafts` — loading, drafts, hard limits, carry-over, completeness;
- :mod:`~workflow.entries.transitions` — applying a transition of the table, bulk approval;
- :mod:`~workflow.entries.history` — history with versions and word diffs, previous answer;
- :mod:`~workflow.entries.comments` — the comment thread;
- :mod:`~workflow.entries.assessments` — the reviewer's assessment;
- :mod:`~workflow.entries.evidence` — evidence links;
- :mod:`~workflow.entries.attachments` — evidence attachments;
- :mod:`~workflow.entries.extensions` — deadline extensions.

Services take the actor explicitly, flush and never commit.
"""

from workflow.entries.assessments import assessment_history, set_assessment
from workflow.entries.attachments import (
    ATTACHMENT_KINDS,
    MAX_ATTACHMENT_BYTES,
    attachment_path,
    detect_kind,
    remove_attachment,
    safe_filename,
    store_attachment,
)
from workflow.entries.comments import add_comment, visible_comments
from workflow.entries.drafts import (
    FIELD_LIMITS,
    TEXT_GUIDANCE,
    TEXT_LIMIT,
    InvalidAnswer,
    answer_data,
    check_limits,
    confirm_carry_over,
    entry_for_update,
    missing_for_submit,
    normalize_text,
    save_draft,
)
from workflow.entries.evidence import add_link, remove_link
from workflow.entries.extensions import decide_extension, request_extension
from workflow.entries.history import HistoryItem, entry_history, fulfilment_title, previous_answer, word_diff
from workflow.entries.transitions import BulkResult, apply_transition, bulk_approve

__all__ = [
    "ATTACHMENT_KINDS",
    "FIELD_LIMITS",
    "MAX_ATTACHMENT_BYTES",
    "TEXT_GUIDANCE",
    "TEXT_LIMIT",
    "BulkResult",
    "HistoryItem",
    "InvalidAnswer",
    "add_comment",
    "add_link",
    "answer_data",
    "apply_transition",
    "assessment_history",
    "attachment_path",
    "bulk_approve",
    "check_limits",
    "confirm_carry_over",
    "decide_extension",
    "detect_kind",
    "entry_for_update",
    "entry_history",
    "fulfilment_title",
    "missing_for_submit",
    "normalize_text",
    "previous_answer",
    "remove_attachment",
    "remove_link",
    "request_extension",
    "safe_filename",
    "save_draft",
    "set_assessment",
    "store_attachment",
    "visible_comments",
    "word_diff",
]
