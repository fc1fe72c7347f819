"""Preview and commit of a plan import: the only code that writes plans, their level nodes and activities.

``preview_import`` reads, validates and compares a file with the database and writes nothing;
``commit_import`` does the same and then writes everything in the caller's transaction (flush, no
commit), so a bad file never leaves half a plan behind. Re-importing updates by code: nodes
and activities are matched on their codes within the plan, and an unchanged file changes nothing.

The target is always explicit (issue 14 §2): ``plan`` is the plan to update, or ``None`` for a new
plan, which then needs a title and a period (:class:`ImportOptions`). No plan is ever looked up by
its title. The column mapping of a commit is saved with the plan (``Plan.import_mapping``) and is
the mapping of the plan's next import unless another is given. Every commit is recorded as a
:class:`~workflow.models.PlanImport` with its change set (:mod:`.changeset`), so it can be reverted.

A „Plnění“ column becomes the history of a closed past round (seed 002: the region's consolidated
2024–2025 texts): one imported, closed :class:`ReportingRound`, one approved :class:`Entry` per
routed (activity, body) and one :class:`Consolidation` per activity with the text as given.
"""

from __future__ import annotations

import logging
import re
from dataclasses import asdict, dataclass, field, fields
from datetime import date
from pathlib import Path
from typing import Any

from flask import current_app, has_app_context
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from workflow.bodies import body_lookup, ensure_seed_bodies, fold_text
from workflow.codes import natural_key
from workflow.db import db, utcnow
from workflow.deadlines import parse_deadline
from workflow.importing.changeset import record_changes, take_snapshot
from workflow.importing.errors import IssueCollector, PlanImportError
from workflow.importing.mapping import SHEET_SEPARATOR, normalize_header
from workflow.importing.parsing import (
    ColumnInfo,
    ParsedActivity,
    ParsedPlan,
    describe_level_sheet,
    parse_json,
    parse_table,
    resolve_mapping,
    split_mapping,
)
from workflow.importing.readers import (
    DEFAULT_MAX_ROWS,
    DEFAULT_MAX_UNCOMPRESSED,
    JsonDocument,
    SheetInfo,
    read_source,
)
from workflow.models import (
    Activity,
    ActivityBody,
    Body,
    Consolidation,
    Entry,
    Plan,
    PlanImport,
    PlanNode,
    ReportingRound,
    User,
    place_activity,
)
from workflow.models.plans import MAX_LEVELS, default_level_names
from workflow.responsibility import Resolution, reason_text, resolve_responsibility
from workflow.routing.reimport import decisions_of, drop_stale_decisions, reimport_routing
from workflow.states import EntryState, RoundState
from workflow.strategy_refs import parse_strategy_refs

logger = logging.getLogger(__name__)

#: Metadata of the real plan (seed 002): what the demo data and the tests pass for it explicitly.
#: Never a default target: an import without a plan creates a new plan with the title it is given.
DEFAULT_TITLE = "Akční plán sociálního začleňování Libereckého kraje"
DEFAULT_STRATEGY = "Strategie sociálního začleňování Libereckého kraje 2021+"
DEFAULT_PERIOD = "2024–2025"

DEFAULT_MAX_BYTES = 10 * 1024 * 1024

#: Czech names of the activity attributes an import may change (for the preview).
CHANGE_LABELS = {
    "sort_key": "kód",
    "node": "zařazení",
    "title": "název",
    "description": "popis",
    "indicator": "indikátor",
    "deadline_raw": "termín",
    "deadline_kind": "termín",
    "deadline_start": "termín",
    "deadline_end": "termín",
    "deadline_frequency": "termín",
    "deadline_condition": "termín",
    "responsibility_raw": "odpovědnost",
    "routing_needs_review": "odpovědnost",
    "routing_unmatched": "odpovědnost",
    "routing": "přidělení subjektům",
    "strategy_refs_raw": "vazba na strategii",
    "strategy_measures": "vazba na strategii",
    "strategy_goals": "vazba na strategii",
    "cooperation": "spolupráce",
    "extra": "atributy",
}


def real_plan_options() -> ImportOptions:
    """Title, strategy and period of the real plan (seed 002), for whoever imports it as a new plan
    (the demo data, tests); the import itself never falls back to them."""
    return ImportOptions(title=DEFAULT_TITLE, strategy=DEFAULT_STRATEGY, period=DEFAULT_PERIOD)


def history_round_title(period: str) -> str:
    """Title of the round made from a „Plnění“ column: ``"Monitoring plnění akčního plánu 2024–2025"``."""
    return f"Monitoring plnění akčního plánu {period}"


@dataclass
class ImportOptions:
    """Plan metadata for an import; ``None`` means "keep the target plan's value".

    :ivar title: plan title; required for a new plan (an import never looks a plan up by it).
    :ivar strategy: the strategy the plan belongs to (new plan: empty when not given).
    :ivar period: e.g. ``"2024–2025"``; required for a new plan.
    :ivar level_names: names of the plan's levels, the activity's last (1–5 names: 0–4 levels
        above the activity); ``None`` keeps the plan's, and a new plan gets as many levels as
        the file has (:func:`~workflow.models.plans.default_level_names`).
    :ivar default_body: abbreviation of the body that answers for rows naming no department.
    :ivar history_round_title: title of the past round made from a „Plnění“ column (default
        :func:`history_round_title` of the period).
    """

    title: str | None = None
    strategy: str | None = None
    period: str | None = None
    level_names: list[str] | None = None
    default_body: str = "OSV"
    history_round_title: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """JSON-friendly form (stored in ``PlanImport.options``)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> ImportOptions:
        """Inverse of :meth:`as_dict`; unknown keys are ignored, empty strings mean ``None``."""
        known = {f.name for f in fields(cls)}
        values = {k: (v if v not in ("", []) else None) for k, v in (data or {}).items() if k in known}
        if values.get("default_body") is None:
            values.pop("default_body", None)
        return cls(**values)


@dataclass
class ActivityChange:
    """What the import does with one activity (one row of the preview table).

    :ivar status: ``"new"``, ``"updated"`` or ``"unchanged"``.
    :ivar bodies: abbreviations of the routed bodies, lead first.
    :ivar needs_review: routed to the plan's default body because no department was named.
    :ivar unmatched: parts of „Odpovědnost“ that matched no body.
    :ivar changed: names of the fields that change (for ``"updated"``).
    """

    code: str
    description: str
    status: str
    responsibility: str
    bodies: list[str]
    needs_review: bool
    unmatched: list[str]
    changed: list[str] = field(default_factory=list)
    row: int | None = None
    has_fulfilment: bool = False
    title: str = ""
    #: Why the routing needs review, each cause's text in the current locale
    #: (:func:`workflow.responsibility.reason_text`); empty when it does not.
    reasons: list[str] = field(default_factory=list)

    @property
    def changed_labels(self) -> list[str]:
        """Czech names of the changed fields, without repeats: ``["termín", "odpovědnost"]``."""
        return list(dict.fromkeys(CHANGE_LABELS.get(name, name) for name in self.changed))


@dataclass
class ImportPreview:
    """Everything the import would do with a file, computed without writing.

    ``created``/``updated``/``unchanged`` count activities. ``routing_review`` lists the codes
    routed to the default body; ``unmatched`` the ``(code, token)`` pairs of „Odpovědnost“ that
    matched no body (kept on the activity, never dropped).
    """

    filename: str = ""
    format: str = ""
    sheet: str | None = None
    plan_title: str = ""
    plan_id: int | None = None
    #: True when the import creates a plan rather than updating one.
    is_new_plan: bool = True
    period: str = ""
    default_body: str = ""
    #: Names of the plan's levels after the import, the activity's last.
    level_names: list[str] = field(default_factory=list)
    #: Nodes per level in the file, top level first (one number per level above the activity).
    nodes_per_level: list[int] = field(default_factory=list)
    activities: list[ActivityChange] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    routing_review: list[str] = field(default_factory=list)
    unmatched: list[tuple[str, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    columns: list[ColumnInfo] = field(default_factory=list)
    history_round_title: str | None = None
    history_texts: int = 0
    #: Every sheet of the workbook with its role (one for a CSV, none for JSON).
    sheets: list[SheetInfo] = field(default_factory=list)
    #: Columns of the level-description sheets, by sheet.
    level_columns: dict[str, list[ColumnInfo]] = field(default_factory=dict)
    #: Where the column mapping came from: ``"given"``, ``"saved"`` (the plan's last import) or
    #: ``"recognised"`` (headers known without a mapping).
    mapping_source: str = "recognised"
    #: The mapping this import uses, as saved with the plan (``{"columns": …, "sheets": …}``).
    effective_mapping: dict[str, Any] = field(default_factory=dict)

    @property
    def total(self) -> int:
        """Number of activities in the file."""
        return len(self.activities)

    def review_groups(self) -> list[tuple[str, list[str]]]:
        """The activities marked „k revizi“ grouped by their cause: ``[(cause text, [codes])]`` in
        order of first appearance (an activity with two causes is in both groups; one whose
        routing the file does not change keeps its stored flag, listed under an empty cause)."""
        groups: dict[str, list[str]] = {}
        for item in self.activities:
            if item.needs_review:
                for reason in item.reasons or [""]:
                    groups.setdefault(reason, []).append(item.code)
        return list(groups.items())

    def as_report(self) -> dict[str, Any]:
        """JSON-friendly summary (stored in ``PlanImport.report``)."""
        return {
            "format": self.format,
            "plan_title": self.plan_title,
            "plan_id": self.plan_id,
            "new_plan": self.is_new_plan,
            "period": self.period,
            "level_names": list(self.level_names),
            "nodes_per_level": list(self.nodes_per_level),
            "activities": self.total,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "routing_review": list(self.routing_review),
            "unmatched": [list(pair) for pair in self.unmatched],
            "warnings": list(self.warnings[:200]),
            "history_round_title": self.history_round_title,
            "history_texts": self.history_texts,
            "sheets": [[info.title, info.role, info.rows, info.reason] for info in self.sheets],
            "mapping_source": self.mapping_source,
        }


@dataclass
class ImportResult(ImportPreview):
    """The outcome of :func:`commit_import`: the preview's figures plus the plan written.

    :ivar plan: the plan created or updated (``None`` only for a dry run of :func:`import_plan_file`).
    :ivar history_round: the closed past round made from the „Plnění“ column, if the file has one.
    :ivar plan_import: the record of this import with its change set (``None`` for a dry run).
    :ivar changes: the number of rows the import created, changed or removed.
    """

    plan: Plan | None = None
    history_round: ReportingRound | None = None
    plan_import: PlanImport | None = None
    changes: int = 0


# ---------------------------------------------------------------------------------------- helpers


def sort_key(code: str) -> str:
    """String that sorts like :func:`workflow.codes.natural_key` in SQL, whatever the collation.

    Each digit run becomes ``"0"`` + 9 zero-padded digits, each letter run ``"1"`` + its folded
    letters padded with ``"0"`` to 9; punctuation is dropped. Only ``[0-9a-z]`` is used, which every
    collation orders the same way: ``sort_key("A1.2") < sort_key("A1.10") < sort_key("B1.1")``.
    """
    parts = []
    for kind, value in natural_key(code):
        if kind == 0:
            parts.append(f"0{min(int(value), 999_999_999):09d}")
        else:
            letters = re.sub(r"[^0-9a-z]", "", fold_text(str(value)))
            if letters:
                parts.append("1" + letters[:9].ljust(9, "0"))
    return "".join(parts)[:120]


def period_dates(period: str) -> tuple[date, date] | None:
    """``"2024–2025"`` → (2024-01-01, 2025-12-31); ``"2024"`` → that year; ``None`` without a year."""
    years = [int(y) for y in re.findall(r"(?<!\d)(\d{4})(?!\d)", period or "")]
    if not years:
        return None
    return date(min(years), 1, 1), date(max(years), 12, 31)


def _max_bytes() -> int:
    if has_app_context():
        return int(current_app.config.get("MAX_IMPORT_BYTES", DEFAULT_MAX_BYTES))
    return DEFAULT_MAX_BYTES


def _read_limits() -> dict[str, int]:
    """``max_rows`` and ``max_uncompressed`` for :func:`read_source` from the configuration
    (``IMPORT_MAX_ROWS``, ``IMPORT_MAX_UNCOMPRESSED_MB``), else the readers' defaults."""
    if not has_app_context():
        return {}
    config = current_app.config
    return {
        "max_rows": int(config.get("IMPORT_MAX_ROWS", DEFAULT_MAX_ROWS)),
        "max_uncompressed": int(config.get("IMPORT_MAX_UNCOMPRESSED_BYTES", DEFAULT_MAX_UNCOMPRESSED)),
    }


def _mapping_headers(mapping: dict[str, str] | None) -> frozenset[str]:
    """Normalised activity-sheet headers named in ``mapping`` (keys of other sheets left out)."""
    return frozenset(normalize_header(h) for h in (mapping or {}) if SHEET_SEPARATOR not in h)


def parse_file(
    content: bytes,
    filename: str,
    mapping: dict[str, str] | None = None,
    sheets: dict[str, str] | None = None,
    *,
    lenient: bool = False,
    levels: int | None = None,
) -> ParsedPlan:
    """Read and validate a plan file without touching the database.

    :param mapping: ``{header: field}`` (see :mod:`workflow.importing.mapping`).
    :param sheets: ``{sheet: role}`` of an XLSX workbook; unnamed sheets get a guessed role.
    :param lenient: drop the parts of ``mapping`` and ``sheets`` that name columns or sheets the
        file does not have (a mapping saved with the plan, applied to another version of its file).
    :param levels: the plan's levels above the activity (0–4); ``None`` reads them from the file.
    :raises PlanImportError: the file cannot be imported (every problem found, row and column named).
    """
    source = read_source(
        content,
        filename,
        max_bytes=_max_bytes(),
        mapping_headers=_mapping_headers(mapping),
        sheet_roles=sheets,
        lenient=lenient,
        **_read_limits(),
    )
    if isinstance(source, JsonDocument):
        return parse_json(source)
    if lenient and mapping:
        mapping = _present_keys(mapping, source)
    return parse_table(source, mapping, levels)


def _present_keys(mapping: dict[str, str], table: Any) -> dict[str, str]:
    """``mapping`` without the keys naming columns the table (or its level sheets) lacks."""
    activity, levels = split_mapping(mapping, table)
    headers = {normalize_header(h) for h in table.headers}
    kept = {h: t for h, t in activity.items() if normalize_header(h) in headers}
    for level in table.level_tables:
        level_headers = {normalize_header(h) for h in level.headers}
        kept.update({
            f"{level.sheet}{SHEET_SEPARATOR}{h}": t
            for h, t in levels.get(level.sheet or "", {}).items()
            if normalize_header(h) in level_headers
        })
    return kept


@dataclass
class _Settings:
    title: str
    strategy: str
    period: str
    level_names: list[str]
    default_body: str
    round_title: str


@dataclass
class _Prepared:
    parsed: ParsedPlan
    target: Plan | None
    settings: _Settings
    default_body: Body
    bodies: dict[str, Body]
    resolutions: dict[str, Resolution]
    values: dict[str, dict[str, Any]]
    existing: dict[str, Activity]
    preview: ImportPreview


def _resolve_settings(options: ImportOptions, target: Plan | None, issues: IssueCollector) -> _Settings:
    """The plan's metadata after the import: the options, else the target plan's values.

    A new plan (``target`` is ``None``) needs a title and a period; their absence is an issue.
    """
    title = (options.title or "").strip() or (target.title if target is not None else "")
    period = (options.period or "").strip() or (target.period if target is not None else "")
    if target is None and not title:
        issues.add("missing_title", _("Nový plán potřebuje název. Zadejte jej, nebo zvolte plán, který se má "
                                      "aktualizovat."))
    if target is None and not period:
        issues.add("missing_period", _("Nový plán potřebuje období, např. „2024–2026“."))
    return _Settings(
        title=title,
        strategy=options.strategy or (target.strategy if target is not None else ""),
        period=period,
        level_names=_level_names(options, target, issues),
        default_body=options.default_body or "OSV",
        round_title=options.history_round_title or history_round_title(period),
    )


def _level_names(options: ImportOptions, target: Plan | None, issues: IssueCollector) -> list[str]:
    """The level names given (stripped), else the target plan's; empty: read from the file."""
    names = [name.strip() for name in options.level_names or [] if name and name.strip()]
    if names and len(names) > MAX_LEVELS + 1:
        issues.add("too_many_levels", _("Plán může mít nejvýše %(max)s úrovně nad aktivitami a úroveň "
                                        "aktivit; zadáno %(count)s názvů úrovní.", max=MAX_LEVELS,
                                        count=len(names)))
        names = names[: MAX_LEVELS + 1]
    if names:
        return names
    return list(target.level_names) if target is not None else []


def mapping_for(
    plan: Plan | None, mapping: dict[str, str] | None, sheets: dict[str, str] | None
) -> tuple[dict[str, str] | None, dict[str, str] | None, str]:
    """The mapping an import uses: the one given, else the one saved with ``plan`` by its last
    import, else none (recognised headers).

    :returns: ``(columns, sheets, source)`` with ``source`` ``"given"``, ``"saved"`` or
        ``"recognised"``.
    """
    if mapping or sheets:
        return mapping or None, sheets or None, "given"
    saved = (plan.import_mapping or {}) if plan is not None else {}
    if saved.get("columns") or saved.get("sheets"):
        return dict(saved.get("columns") or {}) or None, dict(saved.get("sheets") or {}) or None, "saved"
    return None, None, "recognised"


def _activity_values(
    activity: ParsedActivity, present: set[str], resolution: Resolution | None
) -> dict[str, Any]:
    """Column values of :class:`Activity` for a parsed row (only for the fields the file carries)."""
    values: dict[str, Any] = {"sort_key": sort_key(activity.code), "extra": dict(activity.extra)}
    if "title" in present:
        values["title"] = activity.title or ""
    if "description" in present:
        values["description"] = activity.description or ""
    if "indicator" in present:
        values["indicator"] = activity.indicator or ""
    if "deadline" in present:
        parsed = parse_deadline(activity.deadline)
        values.update(
            deadline_raw=activity.deadline or "",
            deadline_kind=parsed.kind.value,
            deadline_start=parsed.start,
            deadline_end=parsed.end,
            deadline_frequency=parsed.frequency,
            deadline_condition=parsed.condition,
        )
    if resolution is not None:
        values.update(
            responsibility_raw=resolution.raw,
            routing_needs_review=resolution.used_default,
            routing_unmatched=list(resolution.unmatched),
        )
    if "strategy_refs" in present:
        refs = parse_strategy_refs(activity.strategy_refs)
        values.update(
            strategy_refs_raw=activity.strategy_refs or "",
            strategy_measures=list(refs.measures),
            strategy_goals=list(refs.goals),
        )
    if "cooperation" in present:
        values["cooperation"] = activity.cooperation or ""
    return values


def _shown(value: str | None, current: str) -> str:
    """The file's value of a field, or the stored one when the file has no column for it."""
    return value if value is not None else current


def _prepare(
    content: bytes,
    filename: str,
    mapping: dict[str, str] | None,
    options: ImportOptions | None,
    plan: Plan | None,
    sheets: dict[str, str] | None = None,
) -> _Prepared:
    """Parse, validate and compare with the database; reads only.

    Steps: the mapping (given or saved with the plan) → the parsed file → the plan's settings and
    the body register (every refusal collected) → each activity compared with the stored one.

    :raises PlanImportError: a bad file, a new plan without title or period, an unknown default
        body, an unusable period.
    """
    options = options or ImportOptions()
    columns, sheet_roles, source = mapping_for(plan, mapping, sheets)
    issues = IssueCollector()
    settings = _resolve_settings(options, plan, issues)
    levels = len(settings.level_names) - 1 if settings.level_names else None
    parsed = parse_file(content, filename, columns, sheet_roles, lenient=source == "saved", levels=levels)
    if not settings.level_names:
        settings.level_names = default_level_names(parsed.levels)
    elif parsed.levels != len(settings.level_names) - 1:
        issues.add(
            "level_mismatch",
            _("Soubor má %(found)s úrovně nad aktivitami, plán %(wanted)s (%(names)s). Zadejte názvy úrovní "
              "podle souboru.", found=parsed.levels, wanted=len(settings.level_names) - 1,
              names=" / ".join(settings.level_names)),
        )
    bodies, default_body, lookup = _load_bodies(settings, issues)
    has_history = "fulfilment" in parsed.present and any(a.fulfilment for a in parsed.activities)
    if has_history and settings.period:
        _check_history_round(settings, plan, issues)
    issues.raise_if_any()
    assert default_body is not None

    existing = _existing_activities(plan)
    preview = _new_preview(filename, parsed, settings, plan, has_history)
    preview.mapping_source = source
    resolutions, all_values = _compare_activities(parsed, existing, lookup, settings, preview, has_history)
    _count_changes(preview, existing, parsed)
    return _Prepared(
        parsed=parsed,
        target=plan,
        settings=settings,
        default_body=default_body,
        bodies=bodies,
        resolutions=resolutions,
        values=all_values,
        existing=existing,
        preview=preview,
    )


def _route(item: ParsedActivity, lookup: dict[str, str], settings: _Settings) -> Resolution:
    """The routing of one activity from its „Odpovědnost“ (one call, replaceable as a whole)."""
    return resolve_responsibility(item.responsibility or "", lookup, settings.default_body)


def _compare_activities(
    parsed: ParsedPlan,
    existing: dict[str, Activity],
    lookup: dict[str, str],
    settings: _Settings,
    preview: ImportPreview,
    has_history: bool,
) -> tuple[dict[str, Resolution], dict[str, dict[str, Any]]]:
    """Route and compare every activity of the file, adding a row per activity to ``preview``.

    :returns: ``(routing by code, column values by code)``; an activity keeps its stored routing
        (no entry) when the file has no „Odpovědnost“ column.
    """
    resolutions: dict[str, Resolution] = {}
    all_values: dict[str, dict[str, Any]] = {}
    decisions = decisions_of(existing)  # the secretary's per-activity decisions outlive a re-import
    for item in parsed.activities:
        current = existing.get(item.code)
        resolution = None
        if "responsibility" in parsed.present or current is None:
            routed = reimport_routing(current, _route(item, lookup, settings), decisions, preview.warnings)
            resolution = resolutions[item.code] = routed
        values = all_values[item.code] = _activity_values(item, parsed.present, resolution)
        change = _compare_activity(item, current, values, resolution, has_history)
        preview.activities.append(change)
        if change.needs_review:
            preview.routing_review.append(item.code)
        preview.unmatched.extend((item.code, token) for token in change.unmatched)
    return resolutions, all_values


def _load_bodies(
    settings: _Settings, issues: IssueCollector
) -> tuple[dict[str, Body], Body | None, dict[str, str]]:
    """The body register: bodies by abbreviation, the default body and the lookup the routing uses.

    Adds an issue for a default body not in the register and for an ambiguous register.
    """
    bodies = {body.abbreviation: body for body in db.session.scalars(select(Body))}
    default_body = bodies.get(settings.default_body)
    if default_body is None:
        issues.add(
            "unknown_default_body",
            _("Výchozí subjekt „%(body)s“ není v registru subjektů.", body=settings.default_body),
        )
    try:
        lookup = body_lookup()
    except ValueError as exc:
        lookup = {}
        issues.add("registry_conflict", _("Registr subjektů není jednoznačný: %(error)s.", error=exc))
    return bodies, default_body, lookup


def _check_history_round(settings: _Settings, target: Plan | None, issues: IssueCollector) -> None:
    """A file with „Plnění“ texts needs a period with years and a past round the app does not run.

    Adds an issue for an unusable period and for a round of that title kept in the application.
    """
    if period_dates(settings.period) is None:
        issues.add(
            "invalid_period",
            _("Z období plánu „%(period)s“ nelze určit roky minulého kola (zadejte např. „2024–2025“).",
              period=settings.period),
        )
    if target is None or target.id is None:
        return
    clash = db.session.scalars(
        select(ReportingRound).where(
            ReportingRound.plan_id == target.id,
            ReportingRound.title == settings.round_title,
            ReportingRound.imported.is_(False),
        )
    ).first()
    if clash is not None:
        issues.add(
            "round_conflict",
            _("Plán už má kolo „%(title)s“ vedené v aplikaci; texty „Plnění“ do něj import nezapíše. "
              "Zvolte jiný název minulého kola.", title=settings.round_title),
        )


def _existing_activities(target: Plan | None) -> dict[str, Activity]:
    """The activities of the plan being updated by code, with their routing and node (none if new)."""
    if target is None or target.id is None:
        return {}
    return {
        a.code: a
        for a in db.session.scalars(
            select(Activity)
            .where(Activity.plan_id == target.id)
            .options(
                selectinload(Activity.routing), selectinload(Activity.node), selectinload(Activity.top_node)
            )
        )
    }


def _new_preview(
    filename: str, parsed: ParsedPlan, settings: _Settings, target: Plan | None, has_history: bool
) -> ImportPreview:
    """The preview's header: file, plan, nodes per level, the past round; no activities yet."""
    return ImportPreview(
        filename=filename,
        format=parsed.format,
        sheet=parsed.sheet,
        plan_title=settings.title,
        plan_id=target.id if target is not None else None,
        is_new_plan=target is None,
        period=settings.period,
        default_body=settings.default_body,
        level_names=list(settings.level_names),
        nodes_per_level=parsed.nodes_per_level(),
        warnings=list(parsed.warnings),
        columns=parsed.columns,
        sheets=list(parsed.sheets),
        level_columns=dict(parsed.level_columns),
        effective_mapping=dict(parsed.effective_mapping),
        history_round_title=settings.round_title if has_history else None,
        history_texts=sum(1 for a in parsed.activities if a.fulfilment) if has_history else 0,
    )


def _compare_activity(
    item: ParsedActivity,
    current: Activity | None,
    values: dict[str, Any],
    resolution: Resolution | None,
    has_history: bool,
) -> ActivityChange:
    """How the file's ``item`` changes the stored activity ``current`` (``None``: a new activity).

    ``resolution`` is the routing read from the file's „Odpovědnost“ (``None``: the column is absent
    and the stored routing stays).
    """
    reasons: list[str] = []
    if resolution is not None:
        routed = list(resolution.bodies)
        needs_review, unmatched = resolution.used_default, list(resolution.unmatched)
        reasons = [reason_text(reason) for reason in resolution.reasons] if needs_review else []
    else:
        assert current is not None
        routed = [link.body.abbreviation for link in current.routing]
        needs_review, unmatched = current.routing_needs_review, list(current.routing_unmatched)
    if current is None:
        status, changed = "new", []
    else:
        changed = [key for key, value in values.items() if getattr(current, key) != value]
        if (current.node.code if current.node is not None else None) != item.node_code:
            changed.append("node")
        if resolution is not None and [link.body.abbreviation for link in current.routing] != routed:
            changed.append("routing")
        status = "updated" if changed else "unchanged"
    return ActivityChange(
        code=item.code,
        description=_shown(item.description, current.description if current else ""),
        status=status,
        responsibility=_shown(item.responsibility, current.responsibility_raw if current else ""),
        bodies=routed,
        needs_review=needs_review,
        unmatched=unmatched,
        changed=changed,
        row=item.row,
        has_fulfilment=bool(item.fulfilment) and has_history,
        title=_shown(item.title, current.title if current else ""),
        reasons=reasons,
    )


def _count_changes(preview: ImportPreview, existing: dict[str, Activity], parsed: ParsedPlan) -> None:
    """New, updated and unchanged counts, and a warning for stored activities the file lacks."""
    preview.created = sum(1 for a in preview.activities if a.status == "new")
    preview.updated = sum(1 for a in preview.activities if a.status == "updated")
    preview.unchanged = sum(1 for a in preview.activities if a.status == "unchanged")
    missing = sorted(set(existing) - {a.code for a in parsed.activities}, key=natural_key)
    if missing:
        preview.warnings.append(
            _("Plán obsahuje aktivity, které v souboru nejsou, a ty zůstanou beze změny: %(codes)s.",
              codes=", ".join(missing))
        )


# ------------------------------------------------------------------------------------ public API


def preview_import(
    content: bytes,
    filename: str,
    *,
    mapping: dict[str, str] | None = None,
    options: ImportOptions | None = None,
    plan: Plan | None = None,
    sheets: dict[str, str] | None = None,
) -> ImportPreview:
    """Read, validate and compare a plan file with the database, writing nothing.

    :param content: the file's bytes (XLSX, CSV or the JSON form of ``data/``).
    :param filename: its name (the suffix tells CSV from JSON).
    :param mapping: ``{source header: field}`` for tables with other column names (see
        :mod:`workflow.importing.mapping`); default: the mapping saved with ``plan`` by its last
        import, else the recognised headers.
    :param options: plan metadata (see :class:`ImportOptions`).
    :param plan: the plan to update; ``None`` creates a new plan (``options`` must give its title
        and period).
    :param sheets: ``{sheet name: role}`` of an XLSX workbook (roles:
        :data:`~workflow.importing.mapping.SHEET_ROLES`).
    :returns: the :class:`ImportPreview`.
    :raises PlanImportError: the file cannot be imported; ``issues`` names rows and columns.
    """
    return _prepare(content, filename, mapping, options, plan, sheets).preview


def commit_import(
    content: bytes,
    filename: str,
    *,
    mapping: dict[str, str] | None = None,
    options: ImportOptions | None = None,
    plan: Plan | None = None,
    actor: User | None = None,
    sheets: dict[str, str] | None = None,
    record: PlanImport | None = None,
) -> ImportResult:
    """Import a plan file into the database in the caller's transaction (flushes, never commits).

    Same parameters as :func:`preview_import`; ``actor`` is the user who imports (``None`` on the
    command line). Nodes and activities are created or updated by code; activities absent
    from the file are left alone (and named in the warnings). The bodies must already be in the
    registry (:func:`workflow.bodies.ensure_seed_bodies`). The mapping used is saved with the plan.
    The import is recorded in ``record`` (the web's upload), else in a new
    :class:`~workflow.models.PlanImport`, with its change set.

    :returns: :class:`ImportResult` with the plan, the record and, for a „Plnění“ column, the past round.
    :raises PlanImportError: the file cannot be imported; nothing has been written, but the
        caller should still roll back.
    """
    prepared = _prepare(content, filename, mapping, options, plan, sheets)
    preview = prepared.preview
    before = take_snapshot(plan.id if plan is not None else None, preview.history_round_title)
    plan_obj = _write_plan(prepared)
    drop_stale_decisions(plan_obj.id)
    history = _write_history(prepared, plan_obj) if preview.history_round_title else None
    if preview.mapping_source != "recognised" and plan_obj.import_mapping != preview.effective_mapping:
        plan_obj.import_mapping = dict(preview.effective_mapping)
    db.session.flush()
    record = _record_import(record, content, filename, prepared, actor, plan_obj)
    changes = record_changes(record, before, plan_obj.id, preview.history_round_title)
    logger.info(
        "plan %s imported from %s by %s: %d new, %d updated, %d unchanged, %d rows changed",
        plan_obj.id,
        filename,
        actor.email if actor is not None else "CLI",
        preview.created,
        preview.updated,
        preview.unchanged,
        changes,
    )
    result = ImportResult(**{f.name: getattr(preview, f.name) for f in fields(ImportPreview)})
    result.plan, result.history_round, result.plan_id = plan_obj, history, plan_obj.id
    result.plan_import, result.changes = record, changes
    result.is_new_plan = plan is None
    record.report = result.as_report() | {"change_set": True, "changes": changes}
    return result


def _record_import(
    record: PlanImport | None,
    content: bytes,
    filename: str,
    prepared: _Prepared,
    actor: User | None,
    plan: Plan,
) -> PlanImport:
    """The committed :class:`PlanImport` of this import (the given upload, or a new record)."""
    if record is None:
        record = PlanImport(filename=filename, content=content, created_by_id=actor.id if actor else None)
        db.session.add(record)
    record.mapping = dict(prepared.preview.effective_mapping)
    record.status = "committed"
    record.plan_id = plan.id
    record.committed_at = utcnow()
    db.session.flush()
    return record


def import_plan_file(
    path: str | Path,
    *,
    mapping: dict[str, str] | None = None,
    options: ImportOptions | None = None,
    plan: Plan | None = None,
    dry_run: bool = False,
    sheets: dict[str, str] | None = None,
) -> ImportResult:
    """Import a plan file from disk (CLI, tests, demo data): seed the bodies, then commit or preview.

    Flushes, does not commit. With ``dry_run`` only the preview is computed and ``plan`` of the
    result is ``None`` (the seeded bodies are flushed; the caller rolls back). ``plan`` ``None``
    creates a new plan: ``options`` must give its title and period.

    :raises PlanImportError: the file cannot be imported.
    :raises OSError: the file cannot be read.
    """
    ensure_seed_bodies()
    file_path = Path(path)
    content = file_path.read_bytes()
    if dry_run:
        preview = preview_import(
            content, file_path.name, mapping=mapping, options=options, plan=plan, sheets=sheets
        )
        return ImportResult(**{f.name: getattr(preview, f.name) for f in fields(ImportPreview)})
    return commit_import(content, file_path.name, mapping=mapping, options=options, plan=plan, sheets=sheets)


# --------------------------------------------------------------------------------------- writing


def _positions(codes: list[str]) -> dict[str, int]:
    return {code: index for index, code in enumerate(sorted(codes, key=natural_key))}


def _write_plan(prepared: _Prepared) -> Plan:
    """Create or update the plan, then its nodes and activities with their routing; flushes."""
    plan = _write_plan_header(prepared)
    nodes = _write_nodes(prepared.parsed, plan)
    _write_activities(prepared, plan, nodes)
    db.session.flush()
    return plan


def _write_plan_header(prepared: _Prepared) -> Plan:
    """The plan itself (new when there is no target): title, strategy, period, levels, default body
    and, when the file has them, the abbreviations."""
    parsed, settings = prepared.parsed, prepared.settings
    plan = prepared.target
    if plan is None:
        plan = Plan(title=settings.title)
        db.session.add(plan)
    plan.title = settings.title
    plan.strategy = settings.strategy
    plan.period = settings.period
    plan.level_names = list(settings.level_names)
    plan.default_body = prepared.default_body
    if parsed.abbreviations is not None:
        plan.abbreviations = dict(parsed.abbreviations)
    return plan


def _write_nodes(parsed: ParsedPlan, plan: Plan) -> dict[str, PlanNode]:
    """Create or update the file's nodes (moved under the parent the file names; what the file
    leaves empty stays) and renumber each node's children and the top level.

    :returns: every node of the plan by code.
    """
    nodes = {node.code: node for node in plan.nodes} if plan.id is not None else {}
    for code, item in parsed.nodes.items():  # parents come before their children
        node = nodes.get(code)
        parent = nodes[item.parent_code] if item.parent_code is not None else None
        if node is None:
            node = nodes[code] = PlanNode(
                code=code, depth=item.depth, title=item.title, parent=parent, footnotes=[], coordination=[]
            )
            plan.nodes.append(node)
        else:
            if node.parent is not parent:
                node.parent = parent
            if node.depth != item.depth:
                node.depth = item.depth
            if item.title:
                node.title = item.title
        for key in ("description", "notes"):
            value = getattr(item, key)
            if value is not None and getattr(node, key) != value:
                setattr(node, key, value)
        for key in ("footnotes", "coordination"):
            value = getattr(item, key)
            if value is not None and getattr(node, key) != value:
                setattr(node, key, list(value))
    siblings: dict[int, list[str]] = {}
    for node in nodes.values():
        siblings.setdefault(id(node.parent), []).append(node.code)
    for codes in siblings.values():
        for code, position in _positions(codes).items():
            if nodes[code].position != position:
                nodes[code].position = position
    return nodes


def _write_activities(prepared: _Prepared, plan: Plan, nodes: dict[str, PlanNode]) -> None:
    """Create or update the file's activities: their node, the changed values and the routing."""
    for item in prepared.parsed.activities:
        values = prepared.values[item.code]
        node = nodes[item.node_code] if item.node_code is not None else None
        activity = prepared.existing.get(item.code)
        if activity is None:
            activity = Activity(plan=plan, code=item.code, routing=[])
            place_activity(activity, node)
            db.session.add(activity)
        elif activity.node is not node or activity.top_node is not (node.lineage[0] if node else None):
            place_activity(activity, node)
        for key, value in values.items():
            if getattr(activity, key) != value:
                setattr(activity, key, value)
        resolution = prepared.resolutions.get(item.code)
        if resolution is not None:
            _set_routing(activity, [prepared.bodies[abbreviation] for abbreviation in resolution.bodies])


def _set_routing(activity: Activity, wanted: list[Body]) -> None:
    """Route ``activity`` to ``wanted`` in that order (the first leads), keeping the existing links."""
    if [link.body_id for link in activity.routing] == [body.id for body in wanted]:
        return
    current = {link.body_id: link for link in activity.routing}
    links = []
    for position, body in enumerate(wanted):
        link = current.pop(body.id, None) or ActivityBody(body=body)
        link.position = position
        links.append(link)
    activity.routing = links


def _write_history(prepared: _Prepared, plan: Plan) -> ReportingRound:
    """Record the „Plnění“ texts as the approved answers of a closed, imported round."""
    settings = prepared.settings
    span = period_dates(settings.period)
    assert span is not None  # checked in _prepare
    now = utcnow()
    round_ = db.session.scalars(
        select(ReportingRound).where(
            ReportingRound.plan_id == plan.id, ReportingRound.title == settings.round_title
        )
    ).first()
    if round_ is None:
        round_ = ReportingRound(
            plan=plan,
            title=settings.round_title,
            period_start=span[0],
            period_end=span[1],
            state=RoundState.closed.value,
            imported=True,
            closed_at=now,
        )
        db.session.add(round_)
        db.session.flush()
    else:
        if (round_.period_start, round_.period_end) != span:
            round_.period_start, round_.period_end = span
    entries = {
        (e.activity_id, e.body_id): e
        for e in db.session.scalars(select(Entry).where(Entry.round_id == round_.id))
    }
    consolidations = {
        c.activity_id: c
        for c in db.session.scalars(select(Consolidation).where(Consolidation.round_id == round_.id))
    }
    activities = {
        a.code: a
        for a in db.session.scalars(
            select(Activity).where(Activity.plan_id == plan.id).options(selectinload(Activity.routing))
        )
    }
    for item in prepared.parsed.activities:
        text = item.fulfilment or ""
        if not text:
            continue
        activity = activities[item.code]
        routed = [link.body_id for link in activity.routing]
        for body_id in routed:
            entry = entries.pop((activity.id, body_id), None)
            if entry is None:
                db.session.add(
                    Entry(
                        round=round_,
                        activity_id=activity.id,
                        body_id=body_id,
                        state=EntryState.approved.value,
                        text=text,
                        fulfilment_status=None,
                        approved_at=now,
                    )
                )
            elif entry.text != text or entry.state != EntryState.approved.value:
                entry.text = text
                entry.state = EntryState.approved.value
                entry.approved_at = entry.approved_at or now
        # Entries of bodies no longer routed to this activity go; other activities' are left alone.
        for (activity_id, body_id), entry in list(entries.items()):
            if activity_id == activity.id and body_id not in routed:
                db.session.delete(entry)
                del entries[(activity_id, body_id)]
        consolidation = consolidations.get(activity.id)
        if consolidation is None:
            db.session.add(Consolidation(round=round_, activity_id=activity.id, text=text, source="imported"))
        elif consolidation.text != text:
            if consolidation.source == "imported":
                consolidation.text = text
            else:
                prepared.preview.warnings.append(
                    _("Aktivita %(code)s: souhrnný text minulého kola byl v aplikaci upraven; import jej "
                      "nepřepsal.", code=item.code)
                )
    return round_


def describe_columns(
    content: bytes, filename: str, mapping: dict[str, str] | None = None, sheets: dict[str, str] | None = None
) -> list[ColumnInfo] | None:
    """The columns of a table file with the target each would get (for the mapping page).

    Problems of the mapping itself (missing required columns, unknown headers) are not raised
    here; :func:`preview_import` reports them.

    :returns: one :class:`ColumnInfo` per column, or ``None`` for the JSON form (it needs no mapping).
    :raises PlanImportError: the file cannot be read as a table.
    """
    source = read_source(
        content,
        filename,
        max_bytes=_max_bytes(),
        mapping_headers=_mapping_headers(mapping),
        sheet_roles=sheets,
        **_read_limits(),
    )
    if isinstance(source, JsonDocument):
        return None
    activity_mapping, _levels = split_mapping(mapping, source)
    _issues_found, columns = resolve_mapping(source, activity_mapping, IssueCollector())
    return columns


def describe_sheets(
    content: bytes,
    filename: str,
    mapping: dict[str, str] | None = None,
    sheets: dict[str, str] | None = None,
    plan: Plan | None = None,
) -> tuple[list[ColumnInfo], list[SheetInfo], list[ColumnInfo]] | None:
    """The sheets and columns of a table file with the role and target each would get (for the
    mapping page), under the mapping given, else the one saved with ``plan``, else recognition.

    Problems of the mapping itself are not raised here; :func:`preview_import` reports them.

    :returns: ``(activity columns, sheets, level-sheet columns)``, or ``None`` for the JSON form.
    :raises PlanImportError: the file cannot be read as a table.
    """
    columns, sheet_roles, source = mapping_for(plan, mapping, sheets)
    try:
        table = read_source(
            content,
            filename,
            max_bytes=_max_bytes(),
            mapping_headers=_mapping_headers(columns),
            sheet_roles=sheet_roles,
            lenient=source == "saved",
            **_read_limits(),
        )
    except PlanImportError as exc:
        if sheet_roles is None or any(i.code not in {"unknown_sheet", "unknown_role", "duplicate_sheet"}
                                      for i in exc.issues):
            raise
        table = read_source(content, filename, max_bytes=_max_bytes(), **_read_limits())
    if isinstance(table, JsonDocument):
        return None
    activity_mapping, level_mappings = split_mapping(columns, table)
    _targets, activity_columns = resolve_mapping(table, activity_mapping, IssueCollector())
    level_columns: list[ColumnInfo] = []
    for level in table.level_tables:
        level_columns += describe_level_sheet(level, level_mappings.get(level.sheet or "", {}))
    return activity_columns, list(table.sheets), level_columns
