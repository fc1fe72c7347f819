"""The workbook a body downloads to fill its entries offline (openpyxl).

Sheet „Plnění“: a hidden first row of column keys (what the upload reads), a header row, then one
row per entry of the body in the round in the plan's order. Columns: the activity (code, the
codes of its top-level node and of the node just above it — headed by the plan's level names,
none in a flat plan: :func:`level_columns` —, title, description, indicator, deadline, the plan's
cooperation and the further attributes the secretary did not hide for the form,
``Plan.hidden_attributes["form"]``), the entry's state,
the answer (status as a drop-down list, text, indicator number and unit, …) and a hidden column
with the signed version stamp (:func:`workflow.offline.columns.make_stamp`). The sheet is
protected without a password: only the answer cells of entries the body may still edit are
unlocked. Every text is written as text (a value that looks like a formula stays text).
Sheet „Pokyny“ says how to fill and upload the file.
"""

from __future__ import annotations

import io
import re
import unicodedata
from decimal import Decimal
from typing import Any

from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.cell.cell import TYPE_STRING, Cell
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from sqlalchemy import select
from sqlalchemy.orm import contains_eager

from workflow.db import db
from workflow.entries import fulfilment_title
from workflow.exports import is_formula_like
from workflow.level_labels import top_level_labels, top_level_name
from workflow.models import Activity, Body, Entry, Plan, ReportingRound
from workflow.models.plans import DEFAULT_LEVEL_NAMES
from workflow.offline.columns import ANSWER_KEYS, ANSWER_LABELS, CODE_KEY, STAMP_KEY, make_stamp
from workflow.states import FULFILMENT_TITLES
from workflow.text import strip_control_characters
from workflow.transitions import EDITABLE_STATES, state_title

#: Name of the data sheet; the upload reads the first sheet whose first row holds the keys.
SHEET_TITLE = "Plnění"
#: Row of the (hidden) column keys, of the headers, and the first data row.
KEY_ROW, HEADER_ROW, FIRST_ROW = 1, 2, 3
#: Column widths (characters) by key; unlisted columns get 24.
WIDTHS = {
    CODE_KEY: 9,
    "area": 8,
    "goal": 8,
    "title": 30,
    "description": 50,
    "indicator": 30,
    "deadline": 14,
    "cooperation": 24,
    "state": 16,
    "carried_over": 11,
    "fulfilment_status": 20,
    "text": 70,
    "indicator_number": 14,
    "indicator_unit": 12,
    "indicator_text": 30,
    "indicator_as_of": 12,
    "cooperation_text": 40,
    "problems": 40,
    "proposal": 40,
    STAMP_KEY: 10,
}
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_ANSWER_FILL = PatternFill("solid", fgColor="FFF8DC")
_HEADER_FILL = PatternFill("solid", fgColor="DCE6F0")
_WRAP = Alignment(wrap_text=True, vertical="top")


def body_entries(round_: ReportingRound, body: Body) -> list[Entry]:
    """The entries of ``body`` in ``round_``, in the plan's order (one query; the activity with its
    node and top-level node loaded)."""
    return list(
        db.session.scalars(
            select(Entry)
            .join(Activity, Activity.id == Entry.activity_id)
            .where(Entry.round_id == round_.id, Entry.body_id == body.id)
            .options(
                contains_eager(Entry.activity).joinedload(Activity.node),
                contains_eager(Entry.activity).joinedload(Activity.top_node),
            )
            .order_by(Activity.sort_key, Entry.id)
        )
    )


def workbook_filename(round_: ReportingRound, body: Body) -> str:
    """``plneni-OSV-monitoring-2025.xlsx``: ASCII letters, digits and dashes only."""

    def slug(text: str) -> str:
        ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
        return re.sub(r"[^A-Za-z0-9]+", "-", ascii_text).strip("-")

    return f"plneni-{slug(body.abbreviation) or 'subjekt'}-{slug(round_.title).lower() or 'kolo'}.xlsx"


def _text(cell: Cell, value: str | None) -> None:
    text = _ILLEGAL.sub("", strip_control_characters(value or "") or "")
    cell.value = text
    cell.data_type = TYPE_STRING
    if is_formula_like(text):
        cell.quotePrefix = True


def visible_extra_labels(round_: ReportingRound, entries: list[Entry]) -> list[str]:
    """Labels of the activities' further attributes (:attr:`Activity.extra`) that the plan does
    not hide on the form, in order of first appearance."""
    hidden = set((round_.plan.hidden_attributes or {}).get("form") or [])
    labels: list[str] = []
    for entry in entries:
        for label in entry.activity.extra or {}:
            if label not in hidden and label not in labels:
                labels.append(label)
    return labels


def level_columns(plan: Plan) -> list[tuple[str, str]]:
    """The columns of the plan's levels above the activity, ``[(key, header)]``: the top level
    („area“, headed by :attr:`workflow.level_labels.TopLevelLabels.column`: „Okruh“ for the shipped
    plan, „Prioritní oblast“ …) and, in a plan of two or more levels, the level just above the
    activity („goal“: „Cíl“ for the shipped plan, else its name as the plan spells it); none for a
    flat plan."""
    names = plan.level_names or DEFAULT_LEVEL_NAMES
    level = top_level_name(names)
    if not level:
        return []
    columns = [("area", top_level_labels(level).column)]
    if plan.levels >= 2:
        goal = plan.level_name(plan.levels - 1)
        columns.append(("goal", _("Cíl") if goal == DEFAULT_LEVEL_NAMES[1] else goal))
    return columns


def build_workbook(round_: ReportingRound, body: Body, entries: list[Entry], secret: str) -> bytes:
    """The XLSX bytes of the offline form of ``body`` in ``round_``.

    :param entries: the body's entries (:func:`body_entries`).
    :param secret: the application's ``SECRET_KEY`` (signs each row's stamp).
    """
    extra = visible_extra_labels(round_, entries)
    info: list[tuple[str, str]] = [
        (CODE_KEY, _("Kód")),
        *level_columns(round_.plan),
        ("title", _("Název aktivity")),
        ("description", _("Aktivita")),
        ("indicator", _("Indikátor")),
        ("deadline", _("Termín plnění")),
        ("cooperation", _("Spolupráce podle plánu")),
        *((f"extra:{i}", label) for i, label in enumerate(extra)),
        ("state", _("Stav záznamu")),
        ("carried_over", _("Převzato z loňska")),
    ]
    answer = [(key, str(ANSWER_LABELS[key])) for key in ANSWER_KEYS]
    columns = [*info, *answer, (STAMP_KEY, _("Razítko verze (neměňte)"))]
    column_of = {key: index for index, (key, _label) in enumerate(columns, start=1)}

    wb = Workbook()
    ws = wb.active
    ws.title = SHEET_TITLE
    for index, (key, label) in enumerate(columns, start=1):
        _text(ws.cell(row=KEY_ROW, column=index), key)
        header = ws.cell(row=HEADER_ROW, column=index)
        _text(header, label)
        header.font = Font(bold=True)
        header.fill = _HEADER_FILL
        header.alignment = _WRAP
        letter = get_column_letter(index)
        width = WIDTHS.get(key, 24)
        ws.column_dimensions[letter].width = width
    ws.row_dimensions[KEY_ROW].hidden = True
    ws.column_dimensions[get_column_letter(column_of[STAMP_KEY])].hidden = True

    titles = [str(t) for t in FULFILMENT_TITLES.values()]
    status_list = DataValidation(
        type="list",
        formula1='"' + ",".join(titles) + '"',
        allow_blank=True,
        showErrorMessage=True,
        errorTitle=_("Neznámý stav plnění"),
        error=_("Vyberte stav plnění ze seznamu."),
        promptTitle=_("Stav plnění"),
        prompt=_("Vyberte ze seznamu."),
        showInputMessage=True,
    )
    ws.add_data_validation(status_list)

    row = FIRST_ROW
    for entry in entries:
        activity = entry.activity
        values: dict[str, str] = {
            CODE_KEY: activity.code,
            "title": activity.title,
            "description": activity.description,
            "indicator": activity.indicator,
            "deadline": activity.deadline_raw,
            "cooperation": activity.cooperation,
            "state": state_title(entry.state),
            "carried_over": _("ano") if entry.carried_over else _("ne"),
            STAMP_KEY: make_stamp(entry, secret),
        }
        if "area" in column_of:
            values["area"] = activity.top_node.code if activity.top_node else ""
        if "goal" in column_of:
            values["goal"] = activity.node.code if activity.node else ""
        for i, label in enumerate(extra):
            values[f"extra:{i}"] = (activity.extra or {}).get(label, "")
        for key, value in values.items():
            cell = ws.cell(row=row, column=column_of[key])
            _text(cell, value)
            cell.alignment = _WRAP
        editable = entry.state in EDITABLE_STATES and round_.is_open
        for key in ANSWER_KEYS:
            cell = ws.cell(row=row, column=column_of[key])
            _answer_cell(cell, key, getattr(entry, key))
            cell.alignment = _WRAP
            if editable:
                cell.protection = Protection(locked=False)
                cell.fill = _ANSWER_FILL
        if editable:
            status_list.add(ws.cell(row=row, column=column_of["fulfilment_status"]).coordinate)
        row += 1

    ws.freeze_panes = ws.cell(row=FIRST_ROW, column=2).coordinate
    ws.protection.sheet = True
    ws.protection.formatColumns = False  # widths and heights may be changed, the rest is locked
    ws.protection.formatRows = False
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    ws.page_setup.orientation = "landscape"
    _instructions(wb.create_sheet(_("Pokyny")), round_, body)
    wb.properties.title = f"{body.abbreviation} · {round_.title}"
    wb.properties.creator = "Plnění"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _answer_cell(cell: Cell, key: str, value: Any) -> None:
    """Write an answer value: status as its title, number as a number when it survives a float
    exactly (else as text), date as a date, everything else as text."""
    if key == "fulfilment_status":
        _text(cell, fulfilment_title(value))
    elif key == "indicator_number":
        if value is None:
            _text(cell, "")
        elif Decimal(repr(float(value))) == Decimal(value):
            cell.value = float(value)
        else:
            _text(cell, format(Decimal(value).normalize(), "f"))
    elif key == "indicator_as_of":
        cell.value = value
        if value is not None:
            cell.number_format = "D. M. YYYY"
    else:
        _text(cell, value)


def _instructions(ws: Any, round_: ReportingRound, body: Body) -> None:
    lines = [
        _("Plnění subjektu %(body)s v kole „%(round)s“", body=body.abbreviation, round=round_.title),
        "",
        _(
            "1. Vyplňte žluté buňky listu „Plnění“: stav plnění vyberte ze seznamu, ostatní pole pište jako "
            "ve formuláři. Ostatní sloupce jsou uzamčené."
        ),
        _(
            "2. Řádky nepřidávejte, nemažte a nekopírujte mezi soubory; skrytý sloupec „Razítko verze“ "
            "neměňte. Vzorce nejsou dovoleny, zapište hodnoty."
        ),
        _(
            "3. Soubor uložte jako sešit XLSX a nahrajte jej v aplikaci v části „Moje úkoly“. Uvidíte náhled "
            "změn po záznamech; uloží se až po potvrzení, a to jako rozpracované (nic se neodešle)."
        ),
        _("4. Záznamy, které mezitím někdo změnil nebo odeslal, nahrání odmítne a ukáže obě znění."),
        _(
            "5. Úplné rozpracované záznamy pak odešlete ke kontrole tlačítkem "
            "„Odeslat všechny úplné koncepty“."
        ),
    ]
    for index, line in enumerate(lines, start=1):
        _text(ws.cell(row=index, column=1), line)
    ws["A1"].font = Font(bold=True, size=13)
    ws.column_dimensions["A"].width = 120
