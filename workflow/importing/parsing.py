"""From decoded cells to a validated plan structure (0–4 levels of nodes → activities), writing nothing.

Rules (seed 002, ``data/README.md``; seeds 000 and 001 for other shapes):

- the number of levels above the activity is the plan's (its level names), else read from the
  file: the deepest level column mapped, or the activity codes' segments less one (``A1.2`` → 2,
  ``1.1.1.1`` → 3, ``7`` → 0: a flat numbered list), at most
  :data:`~workflow.models.plans.MAX_LEVELS`;
- a level cell such as „A Systémová opatření“ gives node code ``A`` and its title; „A1
  Mezioborová spolupráce“ node ``A1``; „D1“ alone is a node without a title; a cell with a title
  only („Bydlení“) gets a code numbered under its parent (``1``, ``1.2`` …);
- without level columns the nodes come from the activity code: ``A1.2`` → ``A``, ``A1``;
  ``1.1.1`` → ``1``, ``1.1`` (the social-services plan, seed 001);
- codes go through :func:`workflow.codes.normalize_code` (``A.2.4`` → ``A2.4``);
- a node must belong to its parent and an activity to its node, when their codes are hierarchical.

Every problem of a file is collected (up to a cap) and raised together as
:class:`~workflow.importing.errors.PlanImportError`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _

from workflow.codes import normalize_code
from workflow.deadlines import DeadlineKind, parse_deadline
from workflow.importing.errors import IssueCollector
from workflow.importing.mapping import (
    EXTRA,
    FIELDS,
    IGNORE,
    LEVEL_COLUMNS,
    LEVEL_FIELDS,
    LEVEL_TARGETS,
    REQUIRED,
    TARGETS,
    guess_mapping,
    normalize_header,
    normalize_target,
    recognise_level_header,
    split_key,
)
from workflow.importing.readers import JsonDocument, SheetInfo, Table
from workflow.strategy_refs import parse_strategy_refs

#: Text fields of an activity that come straight from a column.
TEXT_FIELDS = (
    "title",
    "description",
    "indicator",
    "deadline",
    "responsibility",
    "strategy_refs",
    "fulfilment",
    "cooperation",
)

# A code: optional leading letters, then dot-separated numbers, optionally one trailing lower-case
# letter (``A1.2``, ``1.1.1``, ``B2``, ``A1.2a``).
_CODE = re.compile(r"[^\W\d_]{0,6}\d+(?:\.\d+)*[a-z]?")
_SEGMENTS = re.compile(r"[^\W\d_]+|\d+")
# „A Systémová opatření“, „A1 Mezioborová spolupráce“, „1.1. Zvýšení podpory“, „D1“, „A: Titul“.
_CODE_AND_TITLE = re.compile(
    r"(?P<code>[A-ZÁ-Ž]{1,3}\d*(?:\.\d+)*|\d+(?:\.\d+)*)[.:)]?(?:\s+[-–—]?\s*(?P<title>.*))?", re.S
)


@dataclass
class ColumnInfo:
    """One column of a table and what the import does with it."""

    header: str
    target: str
    recognised: bool
    letter: str = ""
    samples: list[str] = field(default_factory=list)
    #: The sheet of a level-description column (``None``: the activity sheet).
    level_sheet: str | None = None

    @property
    def target_label(self) -> str:
        """Czech label of the target: ``"Kód aktivity"``, ``"Ponechat jako atribut"``, ``"(ignorovat)"`` …"""
        if self.level_sheet is not None:
            return LEVEL_TARGETS.get(self.target, self.target)
        return TARGETS.get(self.target, self.target)


#: At most this many levels above the activity (as :data:`workflow.models.plans.MAX_LEVELS`).
MAX_LEVELS = 4


@dataclass
class ParsedNode:
    """A node of a level above the activity as read (``depth`` 0 = top level).

    ``description``/``notes``/``footnotes``/``coordination`` are ``None`` when the source does not
    carry them (a re-import then keeps the stored ones).
    """

    code: str
    depth: int
    parent_code: str | None
    title: str
    description: str | None = None
    notes: str | None = None
    footnotes: list[dict[str, Any]] | None = None
    coordination: list[dict[str, Any]] | None = None


@dataclass
class ParsedActivity:
    """An activity as read. A text field is ``None`` when the source has no column for it.

    :ivar row: the row of the table (``None`` for JSON).
    :ivar extra: the columns kept as further attributes, header → cell text exactly as written
        (empty cells as ``""``), in the source's column order; JSON: its further keys, empty
        ones left out.
    """

    code: str
    #: The node of the lowest level above it (``None`` in a flat plan).
    node_code: str | None
    row: int | None = None
    title: str | None = None
    description: str | None = None
    indicator: str | None = None
    deadline: str | None = None
    responsibility: str | None = None
    strategy_refs: str | None = None
    fulfilment: str | None = None
    cooperation: str | None = None
    extra: dict[str, str] = field(default_factory=dict)


@dataclass
class ParsedPlan:
    """A whole plan file, validated.

    :ivar present: the fields (of :data:`TEXT_FIELDS`) the source carries; others stay untouched
        on re-import.
    """

    format: str
    sheet: str | None
    #: Every node by code, parents before children.
    nodes: dict[str, ParsedNode]
    activities: list[ParsedActivity]
    present: set[str]
    columns: list[ColumnInfo] = field(default_factory=list)
    period: str | None = None
    abbreviations: dict[str, str] | None = None
    warnings: list[str] = field(default_factory=list)
    #: Every sheet of the workbook with its role (empty for JSON).
    sheets: list[SheetInfo] = field(default_factory=list)
    #: The columns of each level-description sheet, by sheet name.
    level_columns: dict[str, list[ColumnInfo]] = field(default_factory=dict)
    #: The effective mapping: ``{"columns": {key: field}, "sheets": {sheet: role}}`` (saved with
    #: the plan and reused by its next import).
    effective_mapping: dict[str, Any] = field(default_factory=dict)
    #: Number of levels above the activity (0 = a flat list).
    levels: int = 2

    def nodes_per_level(self) -> list[int]:
        """How many nodes each level has, top level first (``levels`` items)."""
        counts = [0] * self.levels
        for node in self.nodes.values():
            if node.depth < self.levels:
                counts[node.depth] += 1
        return counts


def code_segments(code: str) -> list[str]:
    """``"A1.2"`` → ``["A", "1", "2"]``; ``"1.1.1"`` → ``["1", "1", "1"]``."""
    return _SEGMENTS.findall(code)


def _join_segments(segments: list[str]) -> str:
    text = ""
    for segment in segments:
        if text and text[-1].isdigit() and segment[0].isdigit():
            text += "."
        text += segment
    return text


def derive_parents(code: str, levels: int) -> list[str | None]:
    """Node codes of the ``levels`` levels above an activity code, top first; ``None`` where the
    code is too short to imply one.

    ``("A1.2", 2)`` → ``["A", "A1"]``; ``("1.1.1.1", 3)`` → ``["1", "1.1", "1.1.1"]``;
    ``("7", 1)`` → ``[None]``.
    """
    segments = code_segments(code)
    return [_join_segments(segments[: depth + 1]) if len(segments) > depth + 1 else None
            for depth in range(levels)]


def code_levels(codes: list[str]) -> int:
    """Levels implied by activity codes: the fewest segments less one, at most :data:`MAX_LEVELS`
    (``["A1.1", "A1.2"]`` → 2, ``["1", "2"]`` → 0)."""
    counts = [len(code_segments(code)) for code in codes]
    return max(0, min(min(counts, default=1) - 1, MAX_LEVELS))


def split_code_and_title(cell: str) -> tuple[str | None, str]:
    """Read an „Okruh“/„Cíl“ cell: ``"A1 Mezioborová spolupráce"`` → ``("A1", "Mezioborová spolupráce")``.

    :returns: ``(code, title)``; ``(None, cell)`` when the cell does not start with a code.
    """
    match = _CODE_AND_TITLE.fullmatch(cell.strip())
    if not match:
        return None, cell.strip()
    return normalize_code(match.group("code")), (match.group("title") or "").strip()


def _belongs(child: str, parent: str) -> bool | None:
    """Whether ``child`` code lies under ``parent`` by its segments; ``None`` when not comparable."""
    child_segments, parent_segments = code_segments(child), code_segments(parent)
    if len(child_segments) <= len(parent_segments) or not parent_segments:
        return None
    return [s.casefold() for s in child_segments[: len(parent_segments)]] == [
        s.casefold() for s in parent_segments
    ]


def check_code(code: str) -> bool:
    """True for a well-formed activity code (after :func:`workflow.codes.normalize_code`)."""
    return bool(_CODE.fullmatch(code))


# ------------------------------------------------------------------------------------- tables


def resolve_mapping(
    table: Table, mapping: dict[str, str] | None, issues: IssueCollector
) -> tuple[dict[int, str], list[ColumnInfo]]:
    """Effective mapping of column index → target: recognised headers, overridden by ``mapping``.

    Issues: a mapped header missing from the file (``unknown_header``), an unknown target
    (``unknown_field``), two columns for one field (``duplicate_field``), a required field
    without a column (``missing_header``).
    """
    guessed = guess_mapping(table.headers)
    by_key: dict[str, list[int]] = {}
    for index, header in enumerate(table.headers):
        by_key.setdefault(normalize_header(header), []).append(index)
    targets = {index: guessed[header] for index, header in enumerate(table.headers)}
    recognised = {index: guessed[header] != EXTRA for index, header in enumerate(table.headers)}
    if mapping:
        # A mapping replaces the recognition: fields it does not name stay where recognition put them
        # unless another column is mapped to them.
        explicit: dict[int, str] = {}
        for header, value in mapping.items():
            indexes = by_key.get(normalize_header(header))
            if not indexes:
                issues.add(
                    "unknown_header",
                    _("Sloupec „%(header)s“ uvedený v mapování v souboru není. Sloupce souboru: %(headers)s.",
                      header=header, headers=", ".join(f"„{h}“" for h in table.headers)),
                    row=table.header_row,
                    column=header,
                )
                continue
            target = normalize_target(value)
            if target is None or target not in TARGETS:
                issues.add(
                    "unknown_field",
                    _("Pole „%(field)s“ v mapování sloupce „%(header)s“ neznáme. Možná pole: %(fields)s.",
                      field=value, header=header, fields=", ".join(TARGETS)),
                    row=table.header_row,
                    column=header,
                )
                continue
            for index in indexes:
                explicit[index] = target
        claimed = {t for t in explicit.values() if t in FIELDS}
        for index in range(len(table.headers)):
            if index in explicit:
                targets[index] = explicit[index]
            elif targets[index] in claimed:
                targets[index] = EXTRA
    seen: dict[str, int] = {}
    for index, target in targets.items():
        if target not in FIELDS:
            continue
        if target in seen:
            issues.add(
                "duplicate_field",
                _("Pole „%(field)s“ je přiřazeno dvěma sloupcům: „%(first)s“ a „%(second)s“.",
                  field=FIELDS[target], first=table.headers[seen[target]], second=table.headers[index]),
                row=table.header_row,
                column=table.headers[index],
            )
        else:
            seen[target] = index
    for target, header in REQUIRED.items():
        if target not in seen:
            issues.add(
                "missing_header",
                _("Chybí sloupec „%(header)s“ (%(field)s). Záhlaví souboru (řádek %(row)s): %(headers)s. "
                  "Jiné názvy sloupců přiřaďte v mapování.", header=header, field=FIELDS[target].lower(),
                  row=table.header_row, headers=", ".join(f"„{h}“" for h in table.headers)),
                row=table.header_row,
                column=header,
            )
    columns = [
        ColumnInfo(
            header=header,
            target=targets[index],
            recognised=recognised[index],
            letter=table.column_letters[index] if index < len(table.column_letters) else "",
            samples=[row.cells[index] for row in table.rows if row.cells[index].strip()][:2],
        )
        for index, header in enumerate(table.headers)
    ]
    return targets, columns


def split_mapping(
    mapping: dict[str, str] | None, table: Table
) -> tuple[dict[str, str], dict[str, dict[str, str]]]:
    """Split a mapping into the activity sheet's part and each other sheet's part.

    A key ``"<sheet>!<header>"`` names a column of that sheet (see
    :data:`~workflow.importing.mapping.SHEET_SEPARATOR`); other keys name activity columns.

    :returns: ``(activity mapping, {sheet: mapping})``.
    """
    names = [info.title for info in table.sheets if info.title]
    activity: dict[str, str] = {}
    levels: dict[str, dict[str, str]] = {}
    for key, value in (mapping or {}).items():
        sheet, header = split_key(key, names)
        if sheet is None or sheet == table.sheet:
            activity[header] = value
        else:
            levels.setdefault(sheet, {})[header] = value
    return activity, levels


@dataclass
class _Hierarchy:
    """Nodes met so far while reading the activity rows (and the level sheets)."""

    levels: int
    nodes: dict[str, ParsedNode] = field(default_factory=dict)
    node_rows: dict[str, int] = field(default_factory=dict)
    #: ``(parent code, title)`` → code, for level cells that name a title only.
    by_title: dict[tuple[str | None, str], str] = field(default_factory=dict)

    def numbered_code(self, parent: str | None, title: str) -> str:
        """The code of a node named by its title only: the next number under ``parent``."""
        key = (parent, title.casefold())
        if key not in self.by_title:
            siblings = sum(1 for k in self.by_title if k[0] == parent)
            self.by_title[key] = f"{parent}.{siblings + 1}" if parent else str(siblings + 1)
        return self.by_title[key]


class _Rows:
    """The activity sheet with its effective mapping: cell access by field."""

    def __init__(self, table: Table, targets: dict[int, str]) -> None:
        self.table = table
        self.targets = targets
        self.column_of = {target: index for index, target in targets.items() if target in FIELDS}
        self.header_of = {target: table.headers[index] for target, index in self.column_of.items()}
        self.extra_columns = [index for index, target in targets.items() if target == EXTRA]

    def cell(self, row: Any, target: str) -> str | None:
        """The cell of ``target`` exactly as written, or ``None`` when no column feeds it."""
        index = self.column_of.get(target)
        return None if index is None else row.cells[index]

    def column(self, target: str, fallback: str = "code") -> str:
        """Header of ``target``'s column (for issues), else of ``fallback``'s."""
        return self.header_of.get(target, self.header_of.get(fallback, ""))


def parse_table(table: Table, mapping: dict[str, str] | None = None, levels: int | None = None) -> ParsedPlan:
    """Validate a table (and its workbook's level and abbreviation sheets) into a :class:`ParsedPlan`.

    :param mapping: ``{header: field}`` for the activity sheet and ``{"<sheet>!<header>": field}``
        for a level-description sheet (see :mod:`workflow.importing.mapping`).
    :param levels: levels above the activity (0–4), e.g. those of the plan being updated; ``None``
        reads them from the file (the deepest level column, else the codes).
    :raises PlanImportError: every problem found (header, mapping, codes, hierarchy).
    """
    issues = IssueCollector()
    activity_mapping, level_mappings = split_mapping(mapping, table)
    targets, columns = resolve_mapping(table, activity_mapping, issues)
    issues.raise_if_any()
    rows = _Rows(table, targets)
    deepest_column = max(
        (LEVEL_COLUMNS.index(t) + 1 for t in rows.column_of if t in LEVEL_COLUMNS), default=0
    )
    if levels is None:  # read from the file: the codes are read once more, their issues later
        codes = [_row_code(row, rows, {}, IssueCollector()) for row in table.rows]
        levels = max(deepest_column, code_levels([code for code in codes if code]))
    for target in LEVEL_COLUMNS[levels:deepest_column]:
        if target in rows.column_of:  # a level column the plan's levels leave out: said, not dropped
            issues.add(
                "level_mismatch",
                _("Sloupec „%(header)s“ je %(n)s. úroveň, plán má nad aktivitami jen %(levels)s úrovní. "
                  "Zadejte více názvů úrovní, nebo sloupec v mapování ponechte jako atribut.",
                  header=rows.header_of[target], n=LEVEL_COLUMNS.index(target) + 1, levels=levels),
                row=table.header_row,
                column=rows.header_of[target],
            )
    issues.raise_if_any()
    hierarchy = _Hierarchy(levels=min(levels, MAX_LEVELS))
    activities: list[ParsedActivity] = []
    first_row: dict[str, int] = {}
    for row in table.rows:
        code = _row_code(row, rows, first_row, issues)
        if code is None:
            continue
        placed, node_code = _place_row(row, code, rows, hierarchy, issues)
        if not placed:
            continue
        activity = ParsedActivity(code=code, node_code=node_code, row=row.number)
        for target in TEXT_FIELDS:
            setattr(activity, target, rows.cell(row, target))
        activity.extra = {table.headers[i]: row.cells[i] for i in rows.extra_columns}
        activities.append(activity)

    if not activities and not issues:
        issues.add("no_data_rows", _("Tabulka neobsahuje žádnou aktivitu s kódem."), row=table.header_row)
    level_columns = {}
    for level in table.level_tables:
        name = level.sheet or ""
        level_columns[name] = _apply_level_sheet(level, level_mappings.get(name, {}), hierarchy, issues)
    issues.raise_if_any()
    return ParsedPlan(
        format=table.format,
        sheet=table.sheet,
        nodes=hierarchy.nodes,
        levels=hierarchy.levels,
        activities=activities,
        present={target for target in TEXT_FIELDS if target in rows.column_of},
        columns=columns,
        abbreviations=table.abbreviations,
        warnings=_activity_warnings(activities),
        sheets=list(table.sheets),
        level_columns=level_columns,
        effective_mapping=_effective_mapping(table, columns, level_columns),
    )


def _effective_mapping(
    table: Table, columns: list[ColumnInfo], level_columns: dict[str, list[ColumnInfo]]
) -> dict[str, Any]:
    """The mapping that reproduces this reading: every column's target and every sheet's role."""
    mapped = {column.header: column.target for column in columns}
    for sheet, level in level_columns.items():
        mapped.update({f"{sheet}!{column.header}": column.target for column in level})
    return {"columns": mapped, "sheets": {info.title: info.role for info in table.sheets if info.title}}


def _row_code(row: Any, rows: _Rows, first_row: dict[str, int], issues: IssueCollector) -> str | None:
    """The row's normalised activity code, or ``None`` (an empty row, or an issue was added)."""
    raw_code = (rows.cell(row, "code") or "").strip()
    if not raw_code:
        if any(row.cells[i].strip() for i, t in rows.targets.items() if t != IGNORE):
            issues.add("empty_code", _("Chybí kód aktivity."), row=row.number, column=rows.column("code"))
        return None
    code = normalize_code(raw_code)
    if not check_code(code):
        issues.add(
            "invalid_code",
            _("Kód „%(code)s“ nemá platný tvar (očekává se např. A1.2 nebo 1.1.1).", code=raw_code),
            row=row.number,
            column=rows.column("code"),
        )
        return None
    if code in first_row:
        issues.add(
            "duplicate_code",
            _("Kód „%(code)s“ je v souboru dvakrát: na řádcích %(first)s a %(second)s.", code=code,
              first=first_row[code], second=row.number),
            row=row.number,
            column=rows.column("code"),
        )
        return None
    first_row[code] = row.number
    return code


def _level_cell(cell: str | None, derived: str | None) -> tuple[str | None, str]:
    """Code and title of a level cell („A Systémová opatření“), the code derived from the activity
    code when the cell is empty or names no code."""
    if cell and cell.strip():
        code, title = split_code_and_title(cell)
        return (code if code is not None else derived), title
    return derived, ""


def _place_row(
    row: Any, code: str, rows: _Rows, hierarchy: _Hierarchy, issues: IssueCollector
) -> tuple[bool, str | None]:
    """Put the row's nodes into ``hierarchy``, top level first.

    :returns: ``(True, code of the lowest node)`` (``None`` in a flat plan), or ``(False, None)``
        when an issue was added.
    """
    derived = derive_parents(code, hierarchy.levels)
    parent: str | None = None
    for depth in range(hierarchy.levels):
        field_name = LEVEL_COLUMNS[depth]
        cell = rows.cell(row, field_name)
        node_code, title = _level_cell(cell, derived[depth])
        if node_code is None and title:
            node_code = hierarchy.numbered_code(parent, title)
        if node_code is None:
            issues.add(
                "missing_level",
                _("U aktivity „%(code)s“ nelze určit %(level)s. úroveň: kód je příliš krátký a sloupec "
                  "této úrovně chybí nebo je prázdný. Zvolte v importu méně úrovní, nebo sloupec úrovně "
                  "přiřaďte v mapování.", code=code, level=depth + 1),
                row=row.number,
                column=rows.column(field_name),
            )
            return False, None
        if parent is not None and _belongs(node_code, parent) is False:
            issues.add(
                "level_mismatch",
                _("„%(child)s“ nepatří pod „%(parent)s“.", child=node_code, parent=parent),
                row=row.number,
                column=rows.column(field_name),
            )
            return False, None
        node = hierarchy.nodes.get(node_code)
        if node is None:
            hierarchy.nodes[node_code] = ParsedNode(
                code=node_code, depth=depth, parent_code=parent, title=title
            )
            hierarchy.node_rows[node_code] = row.number
        elif node.depth != depth or node.parent_code != parent:
            issues.add(
                "level_mismatch",
                _("„%(node)s“ je na řádku %(row)s pod „%(first)s“, zde pod „%(second)s“.", node=node_code,
                  row=hierarchy.node_rows.get(node_code, "?"), first=node.parent_code or "—",
                  second=parent or "—"),
                row=row.number,
                column=rows.column(field_name),
            )
            return False, None
        elif title and not node.title:
            node.title = title
        parent = node_code
    if parent is not None and _belongs(code, parent) is False:
        issues.add(
            "activity_level_mismatch",
            _("Aktivita „%(code)s“ nepatří pod „%(node)s“.", code=code, node=parent),
            row=row.number,
            column=rows.column("code"),
        )
        return False, None
    return True, parent


def _level_targets(level: Table, mapping: dict[str, str], issues: IssueCollector) -> dict[int, str]:
    """Column index → level field of a level-description sheet: recognised headers, then ``mapping``."""
    targets = {i: recognise_level_header(h) or IGNORE for i, h in enumerate(level.headers)}
    by_key = {normalize_header(h): i for i, h in enumerate(level.headers)}
    for header, value in mapping.items():
        index = by_key.get(normalize_header(header))
        target = normalize_target(value)
        if index is None:
            issues.add(
                "unknown_header",
                _("Sloupec „%(header)s“ uvedený v mapování na listu „%(sheet)s“ není.", header=header,
                  sheet=level.sheet),
                row=level.header_row,
                column=header,
            )
        elif target not in LEVEL_TARGETS:
            issues.add(
                "unknown_field",
                _("Pole „%(field)s“ nelze použít pro popisy úrovní (list „%(sheet)s“, sloupec „%(header)s“). "
                  "Možná pole: %(fields)s.", field=value, sheet=level.sheet, header=header,
                  fields=", ".join(LEVEL_FIELDS.values())),
                row=level.header_row,
                column=header,
            )
        else:
            if target != IGNORE:
                targets.update({i: IGNORE for i, t in targets.items() if t == target})
            targets[index] = target
    return targets


def describe_level_sheet(level: Table, mapping: dict[str, str]) -> list[ColumnInfo]:
    """The columns of a level-description sheet with their targets under ``mapping`` (problems of
    the mapping are left to the import, which reports them)."""
    return _apply_level_sheet(level, mapping, _Hierarchy(levels=MAX_LEVELS), IssueCollector())


def _apply_level_sheet(
    level: Table, mapping: dict[str, str], hierarchy: _Hierarchy, issues: IssueCollector
) -> list[ColumnInfo]:
    """Titles, descriptions and comments of nodes from a level-description sheet (the real XLSX's
    „Cíle“, a strategy's „Specifické cíle“). A code of one segment (``2``, ``A``) is on the top
    level, of two (``2.1``, ``A1``) on the second …, under the parent its „Okruh“/„Nadřazená
    úroveň“ cell or its code names; a node without activities is kept. Titles fill only empty ones
    (the activity sheet's cells win); a „Popis“ becomes the node's description, a „Komentář“ its
    notes.

    :returns: the sheet's columns with their targets (for the preview).
    """
    targets = _level_targets(level, mapping, issues)
    column_of = {target: index for index, target in targets.items() if target != IGNORE}
    if level.rows and "code" not in column_of:
        issues.add(
            "missing_header",
            _("List „%(sheet)s“ s popisy úrovní nemá sloupec s kódem úrovně; přiřaďte jej v mapování, "
              "nebo listu dejte roli „Nepoužít“.", sheet=level.sheet),
            row=level.header_row,
            column=level.sheet or "",
        )
    else:
        for row in level.rows:
            _apply_level_row(level, row, column_of, hierarchy, issues)
    return [
        ColumnInfo(
            header=header,
            target=targets[i],
            recognised=recognise_level_header(header) is not None,
            letter=level.column_letters[i] if i < len(level.column_letters) else "",
            samples=[r.cells[i] for r in level.rows if r.cells[i].strip()][:2],
            level_sheet=level.sheet,
        )
        for i, header in enumerate(level.headers)
    ]


def _apply_level_row(
    level: Table, row: Any, column_of: dict[str, int], hierarchy: _Hierarchy, issues: IssueCollector
) -> None:
    def cell(target: str) -> str | None:
        return row.cells[column_of[target]] if target in column_of else None

    code_cell = (cell("code") or "").strip()
    if not code_cell:
        return
    code, cell_title = split_code_and_title(code_cell)
    code = code or normalize_code(code_cell)
    title = (cell("title") or "").strip() or cell_title
    node = hierarchy.nodes.get(code)
    if node is None:
        if hierarchy.levels == 0:
            issues.add(
                "level_mismatch",
                _("Plán nemá úrovně nad aktivitami, list „%(sheet)s“ s popisy úrovní nelze použít; dejte mu "
                  "roli „Nepoužít“, nebo zvolte v importu úrovně.", sheet=level.sheet),
                row=row.number,
                column=level.headers[column_of["code"]],
            )
            return
        segments = code_segments(code)
        parent = split_code_and_title(cell("parent") or "")[0]
        if parent is None and len(segments) > 1:
            parent = _join_segments(segments[:-1])
        parent_node = hierarchy.nodes.get(parent) if parent else None
        if parent_node is not None:
            depth = parent_node.depth + 1
        elif parent is not None:
            depth = len(code_segments(parent))
        else:
            depth = 0
        if parent is not None and _belongs(code, parent) is False:
            issues.add(
                "level_mismatch",
                _("„%(child)s“ na listu „%(sheet)s“ nepatří pod „%(parent)s“.", child=code,
                  sheet=level.sheet, parent=parent),
                row=row.number,
                column=level.headers[column_of["code"]],
            )
            return
        if depth >= hierarchy.levels:
            issues.add(
                "level_mismatch",
                _("„%(code)s“ na listu „%(sheet)s“ by byl na %(depth)s. úrovni, plán jich má %(levels)s.",
                  code=code, sheet=level.sheet, depth=depth + 1, levels=hierarchy.levels),
                row=row.number,
                column=level.headers[column_of["code"]],
            )
            return
        if parent is not None:
            _ensure_node(hierarchy, parent, depth - 1)
        node = hierarchy.nodes[code] = ParsedNode(code=code, depth=depth, parent_code=parent, title="")
    node.title = node.title or title
    if cell("description") is not None:
        node.description = cell("description")
    if cell("notes") is not None:
        node.notes = cell("notes")


def _ensure_node(hierarchy: _Hierarchy, code: str, depth: int) -> ParsedNode:
    """The node ``code`` at ``depth``, created with its ancestors (from its code's segments) when
    the activity sheet has not met it."""
    node = hierarchy.nodes.get(code)
    if node is not None:
        return node
    segments = code_segments(code)
    parent = _join_segments(segments[:-1]) if depth > 0 and len(segments) > 1 else None
    if parent is not None:
        _ensure_node(hierarchy, parent, depth - 1)
    node = hierarchy.nodes[code] = ParsedNode(code=code, depth=depth, parent_code=parent, title="")
    return node


def _activity_warnings(activities: list[ParsedActivity]) -> list[str]:
    """Readable warnings: empty descriptions, deadlines and strategy references not understood.

    Deadlines not understood are grouped: one line per distinct value with its count and the
    first codes (a plan of 50 cards with „2024+“ gets one line, not 50).
    """
    warnings = []
    unknown_deadlines: dict[str, list[str]] = {}
    for activity in activities:
        where = (
            _("Řádek %(row)s, aktivita %(code)s", row=activity.row, code=activity.code) if activity.row
            else _("Aktivita %(code)s", code=activity.code)
        )
        if activity.description is not None and not activity.description.strip():
            warnings.append(_("%(where)s: chybí popis aktivity.", where=where))
        deadline = (activity.deadline or "").strip()
        if deadline and parse_deadline(deadline).kind == DeadlineKind.unknown:
            unknown_deadlines.setdefault(deadline, []).append(activity.code)
        if activity.strategy_refs:
            unparsed = parse_strategy_refs(activity.strategy_refs).unparsed
            if unparsed:
                warnings.append(
                    _("%(where)s: ve vazbě na strategii „%(refs)s“ nejsou rozpoznány části %(parts)s.",
                      where=where, refs=activity.strategy_refs, parts=", ".join(f"„{t}“" for t in unparsed))
                )
    for value, codes in unknown_deadlines.items():
        shown = ", ".join(codes[:5]) + (" …" if len(codes) > 5 else "")
        warnings.append(
            _("Termín „%(deadline)s“ se nepodařilo rozpoznat (%(count)s× : %(codes)s); uložen jako text.",
              deadline=value, count=len(codes), codes=shown)
        )
    return warnings


# --------------------------------------------------------------------------------------- JSON

_JSON_ACTIVITY_KEYS = {
    "code",
    "title",
    "description",
    "indicator",
    "deadline",
    "responsibility",
    "strategy_refs",
    "fulfilment",
    "cooperation",
}


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool | int | float):
        return str(value)
    return ""


def parse_json(document: JsonDocument) -> ParsedPlan:
    """Validate the nested JSON form (``data/akcni-plan-2024-2025.json``: areas → goals →
    activities, two levels) into a :class:`ParsedPlan`.

    Issues name the place as ``okruh A › cíl A1 › 3. aktivita`` in the message and the JSON key
    as the column; ``row`` is ``None``.

    :raises PlanImportError: every problem found.
    """
    data = document.data
    issues = IssueCollector()
    nodes: dict[str, ParsedNode] = {}
    activities: list[ParsedActivity] = []
    seen: dict[str, str] = {}
    extra_keys: set[str] = set()

    def structure(where: str, message: str, key: str) -> None:
        issues.add("invalid_json_structure", _("%(where)s: %(problem)s", where=where, problem=message),
                   column=key)

    for a_index, area_data in enumerate(data["areas"], start=1):
        where_area = _("%(n)s. okruh", n=a_index)
        if not isinstance(area_data, dict):
            structure(where_area, _("očekává se objekt."), "areas")
            continue
        area_code = normalize_code(_text(area_data.get("code")) or "?")
        if not _text(area_data.get("code")):
            issues.add("empty_code", _("%(where)s: chybí kód okruhu.", where=where_area), column="code")
            continue
        where_area = _("Okruh %(code)s", code=area_code)
        if area_code in nodes:
            issues.add("duplicate_code", _("%(where)s je v souboru dvakrát.", where=where_area),
                       column="code")
            continue
        footnotes = area_data.get("footnotes")
        nodes[area_code] = ParsedNode(
            code=area_code,
            depth=0,
            parent_code=None,
            title=_text(area_data.get("title")),
            description=_text(area_data.get("intro")),
            footnotes=[f for f in footnotes if isinstance(f, dict)] if isinstance(footnotes, list) else [],
        )
        goal_list = area_data.get("goals")
        if not isinstance(goal_list, list):
            structure(where_area, _("chybí seznam cílů „goals“."), "goals")
            continue
        for g_index, goal_data in enumerate(goal_list, start=1):
            where_goal = _("%(area)s › %(n)s. cíl", area=where_area, n=g_index)
            if not isinstance(goal_data, dict) or not _text(goal_data.get("code")):
                issues.add("empty_code", _("%(where)s: chybí kód cíle.", where=where_goal), column="code")
                continue
            goal_code = normalize_code(_text(goal_data.get("code")))
            where_goal = _("%(area)s › cíl %(code)s", area=where_area, code=goal_code)
            if _belongs(goal_code, area_code) is False:
                issues.add(
                    "level_mismatch",
                    _("Cíl „%(goal)s“ nepatří do okruhu „%(area)s“.", goal=goal_code, area=area_code),
                    column="code",
                )
                continue
            if goal_code in nodes:
                issues.add("duplicate_code", _("%(where)s je v souboru dvakrát.", where=where_goal),
                           column="code")
                continue
            coordination = goal_data.get("coordination")
            nodes[goal_code] = ParsedNode(
                code=goal_code,
                depth=1,
                parent_code=area_code,
                title=_text(goal_data.get("title")),
                notes=_text(goal_data.get("comment")),
                coordination=[c for c in coordination if isinstance(c, dict)]
                if isinstance(coordination, list)
                else [],
            )
            activity_list = goal_data.get("activities")
            if not isinstance(activity_list, list):
                structure(where_goal, _("chybí seznam aktivit „activities“."), "activities")
                continue
            for x_index, item in enumerate(activity_list, start=1):
                where = _("%(goal)s › %(n)s. aktivita", goal=where_goal, n=x_index)
                if not isinstance(item, dict):
                    structure(where, _("očekává se objekt."), "activities")
                    continue
                raw_code = _text(item.get("code"))
                if not raw_code:
                    issues.add("empty_code", _("%(where)s: chybí kód aktivity.", where=where), column="code")
                    continue
                code = normalize_code(raw_code)
                if not check_code(code):
                    issues.add(
                        "invalid_code",
                        _("%(where)s: kód „%(code)s“ nemá platný tvar (očekává se např. A1.2 nebo 1.1.1).",
                          where=where, code=raw_code),
                        column="code",
                    )
                    continue
                if code in seen:
                    issues.add(
                        "duplicate_code",
                        _("Kód „%(code)s“ je v souboru dvakrát: %(first)s a %(second)s.", code=code,
                          first=seen[code], second=where),
                        column="code",
                    )
                    continue
                seen[code] = where
                if _belongs(code, goal_code) is False:
                    issues.add(
                        "activity_level_mismatch",
                        _("%(where)s: aktivita „%(code)s“ nepatří k cíli „%(goal)s“.", where=where, code=code,
                          goal=goal_code),
                        column="code",
                    )
                    continue
                activity = ParsedActivity(code=code, node_code=goal_code)
                for key in TEXT_FIELDS:
                    setattr(activity, key, _text(item.get(key)))
                activity.extra = {
                    key: _text(value)
                    for key, value in item.items()
                    if key not in _JSON_ACTIVITY_KEYS and _text(value)
                }
                extra_keys.update(activity.extra)
                activities.append(activity)

    if not activities and not issues:
        issues.add("no_data_rows", _("Soubor JSON neobsahuje žádnou aktivitu."), column="activities")
    issues.raise_if_any()
    abbreviations = data.get("abbreviations")
    columns = [
        ColumnInfo(header=key, target=key, recognised=True) for key in FIELDS if key not in LEVEL_COLUMNS
    ]
    columns += [ColumnInfo(header=key, target=EXTRA, recognised=False) for key in sorted(extra_keys)]
    return ParsedPlan(
        format="json",
        sheet=None,
        nodes=nodes,
        levels=2,
        activities=activities,
        present=set(TEXT_FIELDS),
        columns=columns,
        period=_text(data.get("period")) or None,
        abbreviations=(
            {str(k): _text(v) for k, v in abbreviations.items()} if isinstance(abbreviations, dict) else None
        ),
        warnings=_activity_warnings(activities),
    )
