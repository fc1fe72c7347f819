"""Import of action plans from XLSX, CSV and the JSON form (issue 2, items 4–5).

Public API::

    preview_import(content, filename, *, mapping=None, options=None, plan=None, sheets=None) -> ImportPreview
    commit_import(content, filename, *, mapping=None, options=None, plan=None, actor=None, sheets=None,
                  record=None) -> ImportResult
    import_plan_file(path, *, mapping=None, options=None, plan=None, dry_run=False,
                     sheets=None) -> ImportResult

``plan=None`` always creates a new plan (its title and period are required in ``options``).

Readers (:mod:`.readers`) decode the bytes, :mod:`.parsing` validates the structure with the
column mapping of :mod:`.mapping`, and :mod:`.service` compares with the database and writes.
"""

from workflow.importing.errors import ImportIssue, PlanImportError
from workflow.importing.mapping import (
    EXTRA,
    FIELDS,
    IGNORE,
    LEVEL_FIELDS,
    SHEET_ROLES,
    TARGETS,
    guess_mapping,
    parse_mapping_option,
)
from workflow.importing.service import (
    DEFAULT_PERIOD,
    DEFAULT_STRATEGY,
    DEFAULT_TITLE,
    ActivityChange,
    ImportOptions,
    ImportPreview,
    ImportResult,
    commit_import,
    describe_columns,
    describe_sheets,
    history_round_title,
    import_plan_file,
    parse_file,
    period_dates,
    preview_import,
    real_plan_options,
    sort_key,
)
from workflow.models.plans import DEFAULT_LEVEL_NAMES

__all__ = [
    "DEFAULT_LEVEL_NAMES",
    "DEFAULT_PERIOD",
    "DEFAULT_STRATEGY",
    "DEFAULT_TITLE",
    "EXTRA",
    "FIELDS",
    "IGNORE",
    "LEVEL_FIELDS",
    "SHEET_ROLES",
    "TARGETS",
    "ActivityChange",
    "ImportIssue",
    "ImportOptions",
    "ImportPreview",
    "ImportResult",
    "PlanImportError",
    "commit_import",
    "describe_columns",
    "describe_sheets",
    "guess_mapping",
    "history_round_title",
    "import_plan_file",
    "parse_file",
    "parse_mapping_option",
    "period_dates",
    "preview_import",
    "real_plan_options",
    "sort_key",
]
