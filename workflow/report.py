"""The consolidated report of a round as a plain content model (what every export renders).

Layout of the region's own report (seed 002, DOMAIN.md §1.1): a title page (plan, strategy,
period, date of closing); per area („okruh“) its heading and intro; per goal its heading and a
table with the columns :attr:`ReportContent.columns` — :data:`COLUMNS`, and for a plan that has
them the activity's title after „Číslo“ and the further attributes the plan shows in its report
after „Spolupráce“ (:func:`report_columns`, issue 14); after the table the goal's „Komentář“ and its
„Koordinace s dalšími aktivitami ostatních strategií“; at the end the „Seznam zkratek“ built from
the abbreviations the report actually uses (those used but not defined are flagged). Optional
sections: the reviewers' published assessments and the statistics.

Where the texts come from: a closed round that has a :class:`RoundSnapshot` prints the snapshot
(frozen at closing); otherwise the live data: the activity's :class:`Consolidation` text, or –
where none was written yet – the merge of its approved entries
(:func:`workflow.consolidation.merge_texts`). The number of queries does not depend on the number
of activities.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import select

from workflow import clock
from workflow.attributes import attribute_items, hidden_labels, ordered_labels
from workflow.consolidation import (
    activity_statuses,
    approved_parts,
    collected_values,
    latest_comments,
    merge_texts,
)
from workflow.db import db
from workflow.level_labels import czech_top_level_labels
from workflow.models import (
    Activity,
    Consolidation,
    Plan,
    PlanNode,
    ReportingRound,
    RoundActivity,
    RoundSnapshot,
)
from workflow.models.plans import DEFAULT_LEVEL_NAMES
from workflow.states import FULFILMENT_TITLES, FulfilmentStatus
from workflow.statistics import round_statistics
from workflow.text import in_czech

#: The table columns of the report, in order (seed 002's header; „Plnění“ and „Komentář“ split).
COLUMNS = (
    "Číslo",
    "Popis dílčí aktivity",
    "Indikátor plnění",
    "Termín plnění",
    "Odpovědnost",
    "Dotčená opatření krajské strategie",
    "Plnění",
    "Komentář",
    "Spolupráce",
)
#: Attribute of :class:`ReportRow` for each column of :data:`COLUMNS`.
ROW_FIELDS = (
    "code",
    "description",
    "indicator",
    "deadline",
    "responsibility",
    "strategy_refs",
    "fulfilment",
    "comment",
    "cooperation",
)
#: Columns the data exports (CSV, XLSX) add after :data:`COLUMNS` (see :meth:`ReportRow.data_cells`).
DATA_EXTRA_COLUMNS = ("Stav plnění", "Hodnota indikátoru", "Problémy a bariéry")
#: Header of the title column, which a report has when an activity of its plan has a title (seed
#: 001's „Název aktivity“; the shipped plan has none, so its report keeps :data:`COLUMNS`).
TITLE_COLUMN = "Název"
#: :attr:`ReportColumn.key` of a further attribute's column (issue 14).
ATTRIBUTE = "attribute"


@dataclass(frozen=True)
class ReportColumn:
    """One column of the report's table: which value of a row, under which header.

    :param key: a :class:`ReportRow` field (one of :data:`ROW_FIELDS` or ``"title"``), or
        :data:`ATTRIBUTE` for a further attribute of the plan — then the value is the row's
        attribute whose label is ``label`` (:meth:`ReportRow.value`).
    :param label: the column's header as printed (Czech; for an attribute the source's label).
    """

    key: str
    label: str


#: The columns of a plan without titles and further attributes (the shipped plan): :data:`COLUMNS`.
STANDARD_COLUMNS = tuple(ReportColumn(key, label) for key, label in zip(ROW_FIELDS, COLUMNS, strict=True))


def report_columns(*, has_title: bool, attribute_labels: list[str]) -> list[ReportColumn]:
    """The table's columns for a plan: :data:`STANDARD_COLUMNS`; the title column
    (:data:`TITLE_COLUMN`) after „Číslo“ when ``has_title``; one column per further attribute
    shown in the report, in the plan's column order, after „Spolupráce“. (The HTML template
    writes the cells out in this shape; the other renderers iterate the columns.)

    >>> [c.label for c in report_columns(has_title=True, attribute_labels=["Zdroje financování"])][:3]
    ['Číslo', 'Název', 'Popis dílčí aktivity']
    """
    columns = list(STANDARD_COLUMNS)
    if has_title:
        columns.insert(1, ReportColumn("title", TITLE_COLUMN))
    return columns + [ReportColumn(ATTRIBUTE, label) for label in attribute_labels]


OPTIONAL_SECTIONS = ("assessments", "statistics")
COORDINATION_TITLE = "Koordinace s dalšími aktivitami ostatních strategií Libereckého kraje"


@dataclass
class ReportRow:
    """One activity (a table row)."""

    activity_id: int
    code: str
    description: str
    indicator: str
    deadline: str
    responsibility: str
    strategy_refs: str
    fulfilment: str
    comment: str
    cooperation: str
    status: str | None = None
    status_title: str = ""
    #: The indicator's value the bodies reported (``"OSV: 46 poskytovatelů (k 31. 12. 2026)"``, a
    #: line per body; without the body's name when only one answered). Empty in older snapshots.
    indicator_value: str = ""
    #: „Problémy a bariéry“ the bodies reported, a line per body (as ``indicator_value``).
    problems: str = ""
    #: The activity's title (seed 001's „Název aktivity“); empty where the plan has none.
    title: str = ""
    #: The activity's further attributes shown in the report (the plan's choice, see
    #: :mod:`workflow.attributes`): ``[{"label": …, "value": …}, …]`` in the source's column order,
    #: values exactly as imported. Empty in snapshots taken before issue 14.
    attributes: list[dict[str, str]] = field(default_factory=list)

    def value(self, column: ReportColumn) -> str:
        """The row's text in ``column`` (an attribute the activity lacks: ``""``)."""
        if column.key == ATTRIBUTE:
            return next((a["value"] for a in self.attributes if a["label"] == column.label), "")
        return str(getattr(self, column.key) or "")

    def cells(self, columns: Sequence[ReportColumn] = STANDARD_COLUMNS) -> list[str]:
        """The row's values in the order of ``columns`` (the report's :attr:`ReportContent.columns`;
        default :data:`STANDARD_COLUMNS`, i.e. :data:`COLUMNS`)."""
        return [self.value(column) for column in columns]

    def data_cells(self, columns: Sequence[ReportColumn] = STANDARD_COLUMNS) -> list[str]:
        """The row's values for the data exports (CSV, XLSX): :meth:`cells`, then the status, the
        indicator's value and „Problémy a bariéry“ (:data:`DATA_EXTRA_COLUMNS`)."""
        return [*self.cells(columns), self.status_title, self.indicator_value, self.problems]


@dataclass
class ReportBlock:
    """A node of the plan's levels as the report prints it: heading, description with its
    footnotes, the blocks of the next level, the table of its own activities, notes and the
    coordination list.

    In the region's layout (seed 002) an okruh is a depth-0 block (heading „OKRUH OPATŘENÍ A: …“,
    intro as ``description``, footnotes, its goals as ``children``) and a cíl a depth-1 block
    (heading, table, „Komentář“ as ``notes``, coordination). A flat plan has one block without
    code and title holding every row.

    :ivar depth: 0 for the top level.
    :ivar level: the level's name in the plan („Okruh“, „Specifický cíl“ …; empty for a flat plan).
    """

    depth: int
    level: str
    code: str
    title: str
    description: str = ""
    footnotes: list[dict[str, str]] = field(default_factory=list)
    notes: str = ""
    coordination: list[dict[str, str]] = field(default_factory=list)
    rows: list[ReportRow] = field(default_factory=list)
    children: list[ReportBlock] = field(default_factory=list)

    @property
    def heading(self) -> str:
        """The block's heading, in Czech: ``"OKRUH OPATŘENÍ A: Systémová opatření"`` at the top
        level (the label of :func:`workflow.level_labels.top_level_labels`: the region's words for
        its okruh, another plan's level name in capitals), ``"A1 Mezioborová spolupráce"`` below;
        empty for a flat plan's block."""
        if not self.code and not self.title:
            return ""
        if self.depth == 0:
            label = czech_top_level_labels(self.level).heading
            if label:
                return f"{label} {self.code}: {self.title}".strip()
        return f"{self.code} {self.title}".strip()

    def walk(self) -> Iterator[ReportBlock]:
        """This block and every block below it, in report order."""
        yield self
        for child in self.children:
            yield from child.walk()

    def all_rows(self) -> list[ReportRow]:
        """The rows of this block and of the blocks below it, in report order."""
        return [row for block in self.walk() for row in block.rows]

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ReportBlock:
        """Rebuild from :func:`dataclasses.asdict` output."""
        return cls(
            **{k: v for k, v in data.items() if k not in ("rows", "children")},
            rows=[ReportRow(**r) for r in data.get("rows", [])],
            children=[cls.from_dict(c) for c in data.get("children", [])],
        )


@dataclass
class Assessment:
    """A reviewer's published assessment of one body's entry."""

    code: str
    body: str
    text: str


@dataclass
class ReportContent:
    """Everything the report prints; :meth:`to_dict` is the JSON of the API and of the snapshot."""

    round_id: int
    round_title: str
    plan_title: str
    strategy: str
    period: str
    closed_on: str | None
    #: The top-level blocks (:class:`ReportBlock`); one block without heading for a flat plan.
    blocks: list[ReportBlock]
    abbreviations: list[dict[str, str]]
    undefined_abbreviations: list[str]
    assessments: list[Assessment] = field(default_factory=list)
    statistics: dict[str, Any] | None = None
    from_snapshot: bool = False
    #: The table's columns, in order (:func:`report_columns`): what every renderer prints as the
    #: header (``column.label``) and per row (``row.value(column)``). Snapshots taken before
    #: issue 14 have none and get :data:`STANDARD_COLUMNS`.
    columns: list[ReportColumn] = field(default_factory=lambda: list(STANDARD_COLUMNS))
    #: The plan's level names, the activity's last (snapshots before issue 14: the shipped plan's).
    level_names: list[str] = field(default_factory=lambda: list(DEFAULT_LEVEL_NAMES))

    @property
    def rows(self) -> list[ReportRow]:
        """All rows in report order."""
        return [row for block in self.blocks for row in block.all_rows()]

    def row_paths(self) -> Iterator[tuple[list[str], ReportRow]]:
        """Every row with the codes of the blocks above it, top level first (``(["A", "A1"], row)``;
        ``([], row)`` in a flat plan)."""

        def visit(block: ReportBlock, path: list[str]) -> Iterator[tuple[list[str], ReportRow]]:
            here = [*path, block.code] if block.code or block.title else path
            for row in block.rows:
                yield here, row
            for child in block.children:
                yield from visit(child, here)

        for block in self.blocks:
            yield from visit(block, [])

    @property
    def column_labels(self) -> list[str]:
        """The headers of :attr:`columns`."""
        return [column.label for column in self.columns]

    @property
    def data_header(self) -> list[str]:
        """The header of the data exports (CSV, XLSX): the names of the levels above the activity
        („Okruh“, „Cíl“ for the shipped plan), :attr:`column_labels`, then
        :data:`DATA_EXTRA_COLUMNS` (matching :meth:`data_rows`)."""
        return [*self.level_names[:-1], *self.column_labels, *DATA_EXTRA_COLUMNS]

    def data_rows(self) -> Iterator[list[str]]:
        """The data exports' rows under :attr:`data_header`: the codes of the row's levels, then
        :meth:`ReportRow.data_cells`."""
        levels = len(self.level_names) - 1
        for path, row in self.row_paths():
            codes = (path + [""] * levels)[:levels]
            yield [*codes, *row.data_cells(self.columns)]

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly form (keys stable; used by the API, the snapshot and the content hash)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ReportContent:
        """Rebuild from :meth:`to_dict`'s output (a snapshot; one taken before issue 14 holds
        ``areas`` → ``goals`` and becomes two levels of blocks)."""
        if "blocks" in data:
            blocks = [ReportBlock.from_dict(b) for b in data["blocks"]]
        else:
            blocks = [
                ReportBlock(
                    depth=0, level="Okruh", code=a["code"], title=a["title"], description=a.get("intro", ""),
                    footnotes=a.get("footnotes", []),
                    children=[
                        ReportBlock(
                            depth=1, level="Cíl", code=g["code"], title=g["title"],
                            notes=g.get("comment", ""), coordination=g.get("coordination", []),
                            rows=[ReportRow(**r) for r in g["rows"]],
                        )
                        for g in a["goals"]
                    ],
                )
                for a in data["areas"]
            ]
        rest = {k: v for k, v in data.items() if k not in {"areas", "blocks", "assessments", "columns"}}
        columns = [ReportColumn(**c) for c in data.get("columns") or []] or list(STANDARD_COLUMNS)
        return cls(
            **rest,
            blocks=blocks,
            assessments=[Assessment(**x) for x in data.get("assessments") or []],
            columns=columns,
        )

    def content_hash(self) -> str:
        """SHA-256 of the canonical JSON of the content (what the export cache compares)."""
        return content_hash(self.to_dict())


def content_hash(data: dict[str, Any]) -> str:
    """SHA-256 (hex) of ``data`` as canonical JSON (sorted keys, UTF-8)."""
    canonical = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


# ----------------------------------------------------------------------------- abbreviations

_LETTERS = "A-ZÁČĎÉĚÍŇÓŘŠŤÚŮÝŽ"
_ACRONYM = re.compile(rf"(?<![\w-])[{_LETTERS}][{_LETTERS}]{{1,5}}\+?(?![\w])")
_ROMAN = re.compile(r"^[IVXLCDM]+$")
#: Czech legal forms after an organisation's name („ADRA, z. s.“): the capitals are a name.
_LEGAL_FORM = re.compile(r"^,?\s*(z\.\s?s\.|o\.\s?p\.\s?s\.|z\.\s?ú\.|s\.\s?r\.\s?o\.|a\.\s?s\.|spol\.)")
_CAPS_WORD = re.compile(rf"[{_LETTERS}]{{3,}}")


def _is_name_or_reference(blob: str, match: re.Match[str], defined: dict[str, str]) -> bool:
    """True when the capitals at ``match`` are not an acronym: a part of a resolution number
    („č. 647/24/RK“), an organisation with its legal form („ADRA, z. s.“) or a name written in
    capitals next to another capitalised word that is no abbreviation („EDUCA VISIT“)."""
    start, end = match.span()
    if re.search(r"\d/$", blob[max(0, start - 2) : start]):
        return True
    after = blob[end : end + 14]
    if _LEGAL_FORM.match(after):
        return True
    neighbours = (
        re.search(rf"([{_LETTERS}]+)\s$", blob[max(0, start - 20) : start]),
        re.match(rf"\s([{_LETTERS}]+)(?![\w])", after),
    )
    return any(
        n is not None and _CAPS_WORD.fullmatch(n.group(1)) and n.group(1) not in defined for n in neighbours
    )


def _abbr_pattern(abbr: str) -> re.Pattern[str]:
    return re.compile(
        rf"(?<![\w]){re.escape(abbr)}(?![\w+])" if not abbr.endswith("+") else rf"(?<![\w]){re.escape(abbr)}"
    )


def used_abbreviations(texts: list[str], defined: dict[str, str]) -> tuple[list[dict[str, str]], list[str]]:
    """Which defined abbreviations ``texts`` use, and which acronyms they use without a definition.

    :param texts: every text the report prints.
    :param defined: the plan's „Seznam zkratek“ (abbreviation → meaning).
    :returns: ``([{"abbreviation", "meaning"}, …] in Czech-ish alphabetical order, [undefined, …])``.
        An acronym is a word of two to six capital letters (an optional trailing ``+``); Roman
        numerals, words that are part of a defined multi-word abbreviation, parts of resolution
        numbers („647/24/RK“), organisations followed by their legal form („ADRA, z. s.“) and names
        in capitals next to another undefined capitalised word („EDUCA VISIT“) are not flagged.
    """
    blob = "\n".join(t for t in texts if t)
    used = [a for a in defined if _abbr_pattern(a).search(blob)]
    covered: set[str] = set()
    for abbr in defined:
        covered.update(re.split(r"[\s.]+", abbr))
    undefined = sorted(
        {
            m.group(0)
            for m in _ACRONYM.finditer(blob)
            if m.group(0) not in defined
            and m.group(0) not in covered
            and not _ROMAN.match(m.group(0))
            and not _is_name_or_reference(blob, m, defined)
        }
    )
    from workflow.text import czech_sort_key

    used.sort(key=czech_sort_key)
    return [{"abbreviation": a, "meaning": defined[a]} for a in used], undefined


# ----------------------------------------------------------------------------- building

#: A source placeholder of the plan (``---------``: "nobody", "nothing"): shown as empty.
_PLACEHOLDER = re.compile(r"^[\s\-–—_.]*$")


def blank_placeholder(value: str | None) -> str:
    """``value``, or ``""`` when it is only a source placeholder such as ``---------`` (dashes,
    underscores, dots): the report shows no data where the plan has none (issue 16, item 13)."""
    return "" if value is None or _PLACEHOLDER.match(value) else value


def footnote_segments(text: str, footnotes: list[dict[str, Any]]) -> list[tuple[str, bool]]:
    """``text`` (an area's intro) cut into ``(piece, is_mark)``: the marks of ``footnotes`` glued to
    the end of a word („spolupráci1“) become their own pieces, to be set as superscripts.

    >>> footnote_segments("ke spolupráci1 a dále2.", [{"marker": "1"}, {"marker": "2"}])
    [('ke spolupráci', False), ('1', True), (' a dále', False), ('2', True), ('.', False)]
    """
    markers = sorted({str(f.get("marker", "")).strip() for f in footnotes} - {""}, key=len, reverse=True)
    if not text or not markers:
        return [(text or "", False)]
    pattern = re.compile(r"(?<=[^\W\d_])(" + "|".join(map(re.escape, markers)) + r")(?![\w])")
    pieces: list[tuple[str, bool]] = []
    position = 0
    for match in pattern.finditer(text):
        pieces += [(text[position : match.start()], False), (match.group(1), True)]
        position = match.end()
    pieces.append((text[position:], False))
    return [p for p in pieces if p[0]]


def _day(value: date) -> str:
    return f"{value.day}. {value.month}. {value.year}"


def period_label(start: date, end: date) -> str:
    """A period in Czech: ``"1. 1. 2026 – 31. 12. 2026"``."""
    return f"{_day(start)} – {_day(end)}"


def round_period(round_: ReportingRound) -> str:
    """The period a round covers (:func:`period_label`): what the report, its exports and the
    e-mails print, not the plan's period."""
    return period_label(round_.period_start, round_.period_end)


def _format_date(value: datetime | date | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        value = clock.to_local(value).date()
    return value.isoformat()


def _status_title(status: str | None) -> str:
    if not status:
        return ""
    try:
        return in_czech(FULFILMENT_TITLES[FulfilmentStatus(status)])
    except ValueError:
        return status


def latest_snapshot(round_id: int) -> RoundSnapshot | None:
    """The newest snapshot of the round, or ``None``."""
    return db.session.scalars(
        select(RoundSnapshot)
        .where(RoundSnapshot.round_id == round_id)
        .order_by(RoundSnapshot.id.desc())
        .limit(1)
    ).first()


def snapshot_hash_of(round_id: Any) -> Any:
    """SQL scalar: the SHA-256 of round ``round_id``'s newest snapshot (``NULL`` without one);
    ``round_id`` a value or a column (e.g. ``ReportingRound.id``, to read it with the round)."""
    return (
        select(RoundSnapshot.content_hash)
        .where(RoundSnapshot.round_id == round_id)
        .order_by(RoundSnapshot.id.desc())
        .limit(1)
        .scalar_subquery()
    )


def frozen_hash(round_: ReportingRound) -> str | None:
    """The SHA-256 of the snapshot :func:`build_report` prints for ``round_`` (a closed round with a
    snapshot), or ``None`` when the report is built from the live data. One small query (the
    snapshot's content is not loaded); :func:`printed_snapshot` when the hash was read already."""
    return printed_snapshot(round_, db.session.scalar(select(snapshot_hash_of(round_.id))))


def printed_snapshot(round_: ReportingRound, snapshot_hash: str | None) -> str | None:
    """:func:`frozen_hash` from the newest snapshot's hash read with the round
    (:func:`snapshot_hash_of`): a closed round's report prints that snapshot, any other round's
    report the live data (``None``)."""
    return snapshot_hash if round_.state == "closed" else None


def build_report(
    round_: ReportingRound, *, sections: tuple[str, ...] | list[str] = (), live: bool = False
) -> ReportContent:
    """The report of ``round_``.

    :param sections: optional sections to add (:data:`OPTIONAL_SECTIONS`): ``assessments`` (the
        reviewers' published assessments) and ``statistics`` (:func:`workflow.statistics.round_statistics`).
    :param live: build from the live data even when the round has a snapshot (used to take one).
    :returns: the content model; a closed round with a snapshot prints the snapshot's texts.
    """
    snapshot = None if live else latest_snapshot(round_.id)
    if snapshot is not None and round_.state == "closed":
        content = ReportContent.from_dict(snapshot.content)
        content.from_snapshot = True
        content.assessments = []
        content.statistics = None
    else:
        content = _build_live(round_)
    if "assessments" in sections:
        content.assessments = _published_assessments(round_, content)
    if "statistics" in sections:
        content.statistics = round_statistics(round_)
    return content


def _build_live(round_: ReportingRound) -> ReportContent:
    plan = round_.plan
    nodes = db.session.scalars(
        select(PlanNode).where(PlanNode.plan_id == plan.id).order_by(PlanNode.depth, PlanNode.position)
    ).all()
    activities = db.session.scalars(
        select(Activity).where(Activity.plan_id == plan.id).order_by(Activity.sort_key)
    ).all()
    inclusion = dict(
        db.session.execute(
            select(RoundActivity.activity_id, RoundActivity.included).where(
                RoundActivity.round_id == round_.id
            )
        ).all()
    )
    texts = dict(
        db.session.execute(
            select(Consolidation.activity_id, Consolidation.text).where(Consolidation.round_id == round_.id)
        ).all()
    )
    parts = approved_parts(round_)
    statuses = activity_statuses(round_, parts)
    comments = latest_comments(round_.id)
    collected = collected_values(round_)
    hidden = hidden_labels(plan, "report")
    columns = report_columns(
        has_title=any(a.title for a in activities),
        attribute_labels=[
            label for label in ordered_labels(a.extra for a in activities) if label not in hidden
        ],
    )

    by_node: dict[int | None, list[ReportRow]] = {}
    for activity in activities:
        if inclusion and not inclusion.get(activity.id, False):
            continue
        text = texts.get(activity.id)
        if text is None:
            text = merge_texts([(p.body, p.text) for p in parts.get(activity.id, [])])
        status = statuses.get(activity.id, {}).get("status")
        comment = comments.get(activity.id, "")
        by_node.setdefault(activity.node_id, []).append(
            ReportRow(
                activity_id=activity.id,
                code=activity.code,
                description=blank_placeholder(activity.description),
                indicator=blank_placeholder(activity.indicator),
                deadline=blank_placeholder(activity.deadline_raw),
                responsibility=blank_placeholder(activity.responsibility_raw),
                strategy_refs=blank_placeholder(activity.strategy_refs_raw),
                fulfilment=text,
                comment=comment,
                cooperation=blank_placeholder(activity.cooperation),
                status=status,
                status_title=_status_title(status),
                **collected.get(activity.id, {}),
                title=activity.title or "",
                attributes=attribute_items(activity.extra, hidden),
            )
        )
    blocks = _blocks(plan, nodes, by_node)
    all_texts: list[str] = [plan.title, plan.strategy or ""]
    for top in blocks:
        for block in top.walk():
            all_texts += [block.title, block.description, block.notes]
            all_texts += [f.get("text", "") for f in block.footnotes]
            all_texts += [c["refs"] for c in block.coordination]
            for row in block.rows:
                all_texts += [c for c in row.cells(columns) if c != row.code]
                all_texts += [row.indicator_value, row.problems]
    used, undefined = used_abbreviations(all_texts, dict(plan.abbreviations or {}))
    return ReportContent(
        round_id=round_.id,
        round_title=round_.title,
        plan_title=plan.title,
        strategy=plan.strategy or "",
        period=round_period(round_),
        closed_on=_format_date(round_.closed_at) if round_.state == "closed" else None,
        blocks=blocks,
        abbreviations=used,
        undefined_abbreviations=undefined,
        columns=columns,
        level_names=list(plan.level_names),
    )


def _blocks(
    plan: Plan, nodes: Sequence[PlanNode], by_node: dict[int | None, list[ReportRow]]
) -> list[ReportBlock]:
    """The report's blocks from the plan's nodes (``nodes`` ordered by depth and position) and the
    rows per node id; blocks without rows below them are left out. A flat plan: one block."""
    if not nodes:
        rows = by_node.get(None, [])
        return [ReportBlock(depth=0, level="", code="", title="", rows=rows)] if rows else []
    built: dict[int, ReportBlock] = {}
    children: dict[int | None, list[ReportBlock]] = {}
    for node in nodes:
        block = built[node.id] = ReportBlock(
            depth=node.depth,
            level=plan.level_name(node.depth),
            code=node.code,
            title=node.title or "",
            description=node.description or "",
            footnotes=[{k: str(v) for k, v in f.items()} for f in node.footnotes or []],
            notes=node.notes or "",
            coordination=[
                {"strategy": str(c.get("strategy", "")), "refs": str(c.get("refs", c.get("codes", "")))}
                for c in node.coordination or []
            ],
            rows=by_node.get(node.id, []),
        )
        children.setdefault(node.parent_id, []).append(block)
    for node_id, block in built.items():
        block.children = children.get(node_id, [])

    def prune(block: ReportBlock) -> bool:
        block.children = [child for child in block.children if prune(child)]
        return bool(block.rows or block.children)

    return [block for block in children.get(None, []) if prune(block)]


def _published_assessments(round_: ReportingRound, content: ReportContent) -> list[Assessment]:
    codes = {row.activity_id: row.code for row in content.rows}
    result = [
        Assessment(code=codes[p.activity_id], body=p.body, text=p.assessment)
        for activity_id, items in approved_parts(round_).items()
        if activity_id in codes
        for p in items
        if p.assessment_public and p.assessment.strip()
    ]
    order = {row.code: i for i, row in enumerate(content.rows)}
    result.sort(key=lambda a: (order[a.code], a.body))
    return result


# ----------------------------------------------------------------------------- period report


@dataclass
class PeriodRow:
    """One activity of a period report: its texts per round (round title → text)."""

    code: str
    description: str
    texts: list[dict[str, str]]


@dataclass
class PeriodReport:
    """Texts of several rounds of one plan side by side (e.g. 2024 and 2025)."""

    plan_title: str
    rounds: list[dict[str, Any]]
    rows: list[PeriodRow]


def build_period_report(rounds: list[ReportingRound]) -> PeriodReport:
    """Per activity, the consolidated text of each of ``rounds`` (oldest first).

    :param rounds: rounds of one plan.
    :raises ValueError: no rounds, or rounds of different plans.
    """
    if not rounds:
        raise ValueError("no rounds")
    if len({r.plan_id for r in rounds}) != 1:
        raise ValueError("rounds of different plans")
    rounds = sorted(rounds, key=lambda r: (r.period_start, r.id))
    contents = [build_report(r) for r in rounds]
    plan = rounds[0].plan
    activities = db.session.scalars(
        select(Activity).where(Activity.plan_id == plan.id).order_by(Activity.sort_key)
    ).all()
    per_round = [{row.activity_id: row.fulfilment for row in c.rows} for c in contents]
    rows = [
        PeriodRow(
            code=a.code,
            description=a.description or "",
            texts=[
                {"round": r.title, "text": texts.get(a.id, "")}
                for r, texts in zip(rounds, per_round, strict=True)
            ],
        )
        for a in activities
    ]
    return PeriodReport(
        plan_title=plan.title,
        rounds=[
            {
                "id": r.id,
                "title": r.title,
                "period_start": r.period_start.isoformat(),
                "period_end": r.period_end.isoformat(),
            }
            for r in rounds
        ],
        rows=rows,
    )
