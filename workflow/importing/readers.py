"""Reading an uploaded plan file (XLSX, CSV or the nested JSON form) into plain Python values.

Readers only decode: they return the cells as text (:class:`Table`) or the parsed JSON document
(:class:`JsonDocument`) and raise :class:`~workflow.importing.errors.PlanImportError` when the
bytes are not a readable plan file. What the cells mean is decided in
:mod:`workflow.importing.parsing`.

Formats (``data/README.md``):

- XLSX, read with openpyxl in read-only mode. Every sheet gets a role (:data:`SHEET_ROLES`):
  the activity sheet (given, else „Akční plán“, else the first sheet whose header names an
  activity code), level descriptions (given, or a sheet whose header names a level code, as the
  real XLSX's „Cíle“), abbreviations (a sheet „Zkratky“/„Seznam zkratek“) or ignored — each
  listed with the reason, so nothing is left out without a word. Formula cells of the sheets used
  are refused, since their value is whatever the last program that saved the file computed.
- Cells are kept as written (byte-exact, including spaces at either end); only control
  characters are dropped and a cell's ``\r\n`` line ends become ``\n``. Whether a cell or a row
  is empty is judged without whitespace.
- CSV in UTF-8 with or without BOM, comma, semicolon or tab, RFC 4180 quoting.
- JSON: ``{"title", "period", "areas": [{"code", "title", "intro", "footnotes", "goals": [{"code",
  "title", "comment", "coordination", "activities": [{…}]}]}], "abbreviations": {…}}``.
"""

from __future__ import annotations

import csv
import io
import json
import math
import warnings
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import PurePath
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from workflow.importing.errors import IssueCollector, PlanImportError, fail
from workflow.importing.mapping import (
    ABBREVIATIONS,
    ACTIVITIES,
    IGNORED,
    LEVELS,
    normalize_header,
    normalize_role,
    recognise_header,
    recognise_level_header,
)
from workflow.text import strip_control_characters

#: Name of the activity sheet in the real XLSX; otherwise the first sheet is read.
ACTIVITY_SHEET = "Akční plán"
#: Sheet names that hold a plan's abbreviations („Seznam zkratek“ of seed 002).
ABBREVIATION_SHEETS = ("Zkratky", "Seznam zkratek")
#: The header row is searched for among this many first non-empty rows.
HEADER_SEARCH_ROWS = 20
#: Defaults of the limits against decompression bombs and endless tables (``IMPORT_MAX_ROWS``,
#: ``IMPORT_MAX_UNCOMPRESSED_MB``); an XLSX of more ZIP members than this is not a plan either.
DEFAULT_MAX_ROWS = 10_000
DEFAULT_MAX_UNCOMPRESSED = 50 * 1024 * 1024
MAX_ZIP_MEMBERS = 1_000

_MAGIC = {
    b"\x89PNG": _l("obrázek PNG"),
    b"\xff\xd8\xff": _l("obrázek JPEG"),
    b"GIF8": _l("obrázek GIF"),
    b"%PDF": _l("dokument PDF"),
    b"\xd0\xcf\x11\xe0": _l("starý formát Excelu (XLS) nebo Wordu (DOC)"),
}
_TEXT_SUFFIXES = {"", ".csv", ".txt", ".tsv"}


@dataclass
class TableRow:
    """One non-empty row below the header: its number as a spreadsheet shows it, and its cells."""

    number: int
    cells: list[str]


@dataclass
class Table:
    """A plan table: header texts and rows of cell texts (``""`` for empty cells).

    :ivar format: ``"xlsx"`` or ``"csv"``.
    :ivar sheet: the sheet read (XLSX) or ``None``.
    :ivar headers: header texts, one per column; an empty header is named after its column
        (``"Sloupec F"``).
    :ivar header_row: number of the header row.
    :ivar rows: data rows, cells aligned with ``headers``.
    :ivar column_letters: spreadsheet column letters (XLSX) or 1-based numbers (CSV) as text.
    :ivar sheets: every sheet of the workbook with its role (one entry for a CSV).
    :ivar level_tables: the level-description sheets, read as tables.
    :ivar abbreviations: abbreviation → meaning from an abbreviations sheet (``None``: none).
    """

    format: str
    sheet: str | None
    headers: list[str]
    header_row: int
    rows: list[TableRow]
    column_letters: list[str] = field(default_factory=list)
    sheets: list[SheetInfo] = field(default_factory=list)
    level_tables: list[Table] = field(default_factory=list)
    abbreviations: dict[str, str] | None = None


@dataclass
class SheetInfo:
    """One sheet of a workbook and what the import does with it.

    :ivar title: the sheet's name (``""`` for a CSV file).
    :ivar role: one of :data:`~workflow.importing.mapping.SHEET_ROLES`.
    :ivar rows: its non-empty rows (header included).
    :ivar reason: why it has that role, in Czech („zvoleno v mapování“, „prázdný list“ …).
    """

    title: str
    role: str
    rows: int
    reason: str = ""


@dataclass
class JsonDocument:
    """The nested JSON form of a plan (see the module docstring)."""

    data: dict[str, Any]
    format: str = "json"


def read_source(
    content: bytes,
    filename: str,
    *,
    max_bytes: int,
    mapping_headers: frozenset[str] = frozenset(),
    max_rows: int = DEFAULT_MAX_ROWS,
    max_uncompressed: int = DEFAULT_MAX_UNCOMPRESSED,
    sheet_roles: dict[str, str] | None = None,
    lenient: bool = False,
) -> Table | JsonDocument:
    """Decode an uploaded plan file.

    :param content: the file's bytes.
    :param filename: its name; the suffix helps to tell CSV from JSON (content decides for XLSX).
    :param max_bytes: the largest accepted size (``MAX_IMPORT_BYTES``).
    :param mapping_headers: normalised headers named in a column mapping (they help to find the
        header row of tables that do not use the real plan's headers).
    :param max_rows: the most non-empty rows a table (XLSX, CSV) may have (``IMPORT_MAX_ROWS``).
    :param max_uncompressed: the largest total size of an XLSX's ZIP members once unpacked, in
        bytes (``IMPORT_MAX_UNCOMPRESSED_MB``); checked from the ZIP directory before openpyxl
        opens the file, so a decompression bomb is refused unread (``zipfile`` itself stops any
        member at its declared size).
    :param sheet_roles: ``{sheet name: role}`` chosen by the user (XLSX only); other sheets get a
        guessed role.
    :param lenient: ignore roles of sheets the workbook does not have (instead of refusing).
    :returns: a :class:`Table` (XLSX, CSV) or a :class:`JsonDocument`.
    :raises PlanImportError: too large (also unpacked), too many rows, empty, not a spreadsheet,
        not UTF-8, malformed CSV or JSON, formula cells, or no data rows.
    """
    if len(content) > max_bytes:
        raise fail(
            "too_large",
            _("Soubor je příliš velký: má %(size)s, největší povolená velikost je %(limit)s.",
              size=_size(len(content), up=True), limit=_size(max_bytes)),
        )
    if not content.strip():
        raise fail("empty_file", _("Soubor je prázdný."))
    suffix = PurePath(filename or "").suffix.lower()
    for magic, kind in _MAGIC.items():
        if content.startswith(magic):
            raise fail(
                "not_spreadsheet",
                _("Soubor „%(name)s“ je %(kind)s, ne tabulka. Nahrajte sešit XLSX, soubor CSV nebo JSON.",
                  name=filename, kind=str(kind)),
            )
    if content.startswith(b"PK\x03\x04"):
        _check_zip(content, filename, max_uncompressed)
        _refuse_dtds(content, filename)
        roles = dict(sheet_roles or {})
        return _read_xlsx(content, filename, mapping_headers, max_rows, roles, lenient=lenient)
    if suffix in {".xlsx", ".xlsm", ".xls", ".ods"}:
        raise fail(
            "not_spreadsheet",
            _("Soubor „%(name)s“ není sešit XLSX (nelze jej otevřít jako tabulku). "
              "Uložte jej v Excelu jako „Sešit Excelu (*.xlsx)“.", name=filename),
        )
    if b"\x00" in content[:4096]:
        raise fail(
            "not_spreadsheet", _("Soubor „%(name)s“ je binární soubor, ne tabulka ani JSON.", name=filename)
        )
    text = _decode_utf8(content)
    if suffix == ".json" or (suffix == "" and text.lstrip().startswith(("{", "["))):
        return _read_json(text)
    if suffix not in _TEXT_SUFFIXES:
        raise fail(
            "not_spreadsheet",
            _("Typ souboru „%(suffix)s“ není podporován. Nahrajte sešit XLSX, soubor CSV nebo JSON.",
              suffix=suffix),
        )
    return _read_csv(text, mapping_headers, max_rows)


def _size(size: int, *, up: bool = False) -> str:
    """``10485761`` → ``"10,1 MB"`` (rounded up with ``up``, so a file just over the limit never
    looks equal to it); sizes under 1 MB in kB."""
    megabyte = 1024 * 1024
    if size < megabyte:
        kilobytes = math.ceil(size / 1024) if up else size // 1024
        return f"{kilobytes} kB"
    tenths = math.ceil(size * 10 / megabyte) if up else round(size * 10 / megabyte)
    return f"{tenths / 10:.1f}".replace(".0", "").replace(".", ",") + " MB"


def _decode_utf8(content: bytes) -> str:
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = content[: exc.start].count(b"\n") + 1
        raise fail(
            "encoding",
            _("Soubor není v kódování UTF-8 (první nečitelný znak na řádku %(line)s). "
              "Uložte jej jako „CSV UTF-8 (s oddělovači)“, nebo v jiném programu v kódování UTF-8.",
              line=line),
            row=line,
        ) from None


# ----------------------------------------------------------------------------------------- XLSX


def _cell_text(value: Any) -> str:
    """Text of a cell value: numbers without a needless ``.0``, dates as ``14. 5. 2024``."""
    if value is None:
        return ""
    if isinstance(value, str):
        return strip_control_characters(value.replace("\r\n", "\n").replace("\r", "\n"))
    if isinstance(value, bool):
        return "ano" if value else "ne"
    if isinstance(value, datetime):
        if value.time() == time(0, 0):
            return f"{value.day}. {value.month}. {value.year}"
        return f"{value.day}. {value.month}. {value.year} {value.hour}:{value.minute:02d}"
    if isinstance(value, date):
        return f"{value.day}. {value.month}. {value.year}"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _not_xlsx(filename: str) -> PlanImportError:
    return fail(
        "not_spreadsheet",
        _("Soubor „%(name)s“ nelze otevřít jako sešit XLSX (je poškozený, nebo to není tabulka).",
          name=filename),
    )


def _check_zip(content: bytes, filename: str, max_uncompressed: int) -> None:
    """Refuse a ZIP whose directory announces too many members or too many unpacked bytes."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError):
        raise _not_xlsx(filename) from None
    if len(members) > MAX_ZIP_MEMBERS:
        raise fail(
            "too_large",
            _("Soubor „%(name)s“ obsahuje %(count)s vnitřních souborů; sešit s plánem jich má "
              "nejvýše %(limit)s. Nejde o běžný sešit XLSX.", name=filename, count=len(members),
              limit=MAX_ZIP_MEMBERS),
        )
    unpacked = sum(member.file_size for member in members)
    if unpacked > max_uncompressed:
        raise fail(
            "too_large",
            _("Sešit „%(name)s“ je po rozbalení příliš velký: %(size)s, nejvýše lze %(limit)s. "
              "Odstraňte prázdné řádky, obrázky a další listy.", name=filename,
              size=_size(unpacked, up=True), limit=_size(max_uncompressed)),
        )


def _refuse_dtds(content: bytes, filename: str) -> None:
    """Parse every XML part of the workbook with defusedxml, refusing a DTD, entity declarations and
    external references (XXE, "billion laughs"); a real XLSX has none. Runs after :func:`_check_zip`,
    so the unpacked size is already bounded. openpyxl reads the parts again itself (through
    defusedxml too, when it is installed: ``openpyxl.DEFUSEDXML``).

    :raises PlanImportError: a part declares a DTD or an entity, or is not well-formed XML.
    """
    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import fromstring

    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        for member in archive.infolist():
            if not member.filename.endswith((".xml", ".rels", ".vml")):
                continue
            try:
                fromstring(archive.read(member), forbid_dtd=True, forbid_entities=True, forbid_external=True)
            except DefusedXmlException:
                raise fail(
                    "not_spreadsheet",
                    f"Sešit „{filename}“ obsahuje v části {member.filename} deklaraci DTD nebo entit, "
                    "kterou běžný sešit XLSX nemá. Z bezpečnostních důvodů jej nelze načíst; uložte "
                    "tabulku znovu v Excelu nebo LibreOffice.",
                ) from None
            except Exception:  # ParseError and the like: not a workbook we can read
                raise _not_xlsx(filename) from None


def _too_many_rows(max_rows: int) -> PlanImportError:
    return fail(
        "too_many_rows",
        _("Tabulka má víc než %(limit)s neprázdných řádků, tolik aktivit plán mít nemůže. "
          "Zkontrolujte, že jde o správný soubor.", limit=max_rows),
    )


def _read_xlsx(
    content: bytes,
    filename: str,
    mapping_headers: frozenset[str],
    max_rows: int,
    sheet_roles: dict[str, str],
    *,
    lenient: bool = False,
) -> Table:
    import openpyxl
    from openpyxl.utils import get_column_letter

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about styles and extensions it ignores
            workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=False)
    except Exception:  # zipfile, XML and openpyxl errors alike mean "not a workbook we can read"
        raise _not_xlsx(filename) from None
    try:
        if not workbook.worksheets:
            raise fail("no_data_rows", _("Sešit neobsahuje žádný list."))
        read = [(ws.title, *_sheet_rows(ws, max_rows)) for ws in workbook.worksheets]
    finally:
        workbook.close()
    if lenient:
        present = {normalize_header(title) for title, _rows, _formulas in read}
        sheet_roles = {name: role for name, role in sheet_roles.items() if normalize_header(name) in present}
    roles = _sheet_roles([(title, rows) for title, rows, _formulas in read], sheet_roles, mapping_headers)
    activity_title = next(title for title, (role, _reason) in roles.items() if role == ACTIVITIES)
    raw_rows = next(rows for title, rows, _formulas in read if title == activity_title)
    formulas = [f for title, _rows, found in read if roles[title][0] != IGNORED for f in found]
    if formulas:
        raise _formula_error(formulas, activity_title, raw_rows, mapping_headers)
    table = _table("xlsx", activity_title, raw_rows, mapping_headers, letters=get_column_letter)
    for title, rows, _formulas in read:
        role, reason = roles[title]
        table.sheets.append(SheetInfo(title, role, sum(1 for _n, cells in rows if _filled(cells)), reason))
        if role == LEVELS:
            table.level_tables.append(_level_table(title, rows, get_column_letter))
        elif role == ABBREVIATIONS:
            table.abbreviations = {**(table.abbreviations or {}), **_abbreviations(rows)}
    return table


def _filled(cells: list[str]) -> bool:
    """True for a row with at least one cell that is not just whitespace."""
    return any(cell.strip() for cell in cells)


def _sheet_roles(
    sheets: list[tuple[str, list[tuple[int, list[str]]]]],
    chosen: dict[str, str],
    mapping_headers: frozenset[str],
) -> dict[str, tuple[str, str]]:
    """The role of every sheet with the reason, in Czech: chosen ones as chosen, the rest guessed.

    Exactly one sheet holds the activities: the one chosen, else „Akční plán“, else the first whose
    header names an activity code, else the first sheet.

    :raises PlanImportError: a chosen role is unknown or names no sheet, or two sheets are chosen
        for the activities.
    """
    issues = IssueCollector()
    by_key = {normalize_header(title): title for title, _rows in sheets}
    roles: dict[str, tuple[str, str]] = {}
    for name, value in chosen.items():
        title, role = by_key.get(normalize_header(name)), normalize_role(value)
        if title is None:
            issues.add("unknown_sheet", _("List „%(sheet)s“ uvedený v mapování v sešitu není. Listy sešitu: "
                                          "%(sheets)s.", sheet=name,
                                          sheets=", ".join(f"„{t}“" for t, _r in sheets)), column=name)
        elif role is None:
            issues.add("unknown_role", _("Roli „%(role)s“ listu „%(sheet)s“ neznáme. Možné role: aktivity, "
                                         "popisy úrovní, zkratky, nepoužít.", role=value, sheet=name),
                       column=name)
        else:
            roles[title] = (role, _("zvoleno v mapování"))
    chosen_activities = [title for title, (role, _reason) in roles.items() if role == ACTIVITIES]
    if len(chosen_activities) > 1:
        issues.add("duplicate_sheet", _("Aktivity mohou být jen na jednom listu, zvoleny jsou „%(sheets)s“.",
                                        sheets="“, „".join(chosen_activities)))
    issues.raise_if_any()
    if not chosen_activities:
        activity, reason = _guess_activity_sheet(sheets, roles, mapping_headers)
        roles[activity] = (ACTIVITIES, reason)
    for title, rows in sheets:
        if title not in roles:
            roles[title] = _guess_role(title, rows)
    return roles


def _guess_activity_sheet(
    sheets: list[tuple[str, list[tuple[int, list[str]]]]],
    roles: dict[str, tuple[str, str]],
    mapping_headers: frozenset[str],
) -> tuple[str, str]:
    """The activity sheet when none was chosen, with the reason: „Akční plán“, else the first sheet
    whose header names an activity code (or a mapped column), else the first sheet without a role.

    :raises PlanImportError: every sheet has another role.
    """
    free = [(title, rows) for title, rows in sheets if title not in roles]
    if not free:
        raise fail("no_activity_sheet", _("Žádný list sešitu nemá roli „Aktivity“; zvolte ji v mapování."))
    for title, _rows in free:
        if normalize_header(title) == normalize_header(ACTIVITY_SHEET):
            return title, _("list „%(name)s“", name=ACTIVITY_SHEET)
    for title, rows in free:
        header = _header_cells(rows, mapping_headers)
        if any(recognise_header(h) == "code" or normalize_header(h) in mapping_headers for h in header):
            return title, _("záhlaví obsahuje kód aktivity")
    return free[0][0], _("první list sešitu")


def _header_cells(rows: list[tuple[int, list[str]]], mapping_headers: frozenset[str]) -> list[str]:
    non_empty = [(n, cells) for n, cells in rows if _filled(cells)]
    return non_empty[_find_header(non_empty, mapping_headers)][1] if non_empty else []


def _guess_role(title: str, rows: list[tuple[int, list[str]]]) -> tuple[str, str]:
    """Role and reason of a sheet nobody chose a role for (not the activity sheet)."""
    non_empty = [cells for _n, cells in rows if _filled(cells)]
    if not non_empty:
        return IGNORED, _("prázdný list")
    header = non_empty[0]
    if normalize_header(title) in {normalize_header(n) for n in ABBREVIATION_SHEETS} or (
        header and normalize_header(header[0]) == "zkratka"
    ):
        return ABBREVIATIONS, _("list zkratek")
    level_fields = {recognise_level_header(cell) for cell in header}
    if "code" in level_fields and level_fields & {"title", "description"}:
        return LEVELS, _("záhlaví obsahuje kód a název nebo popis úrovně")
    return IGNORED, _("sloupce listu nejsou rozpoznány; obsahuje-li list data plánu, zvolte jeho roli")


def _level_table(title: str, rows: list[tuple[int, list[str]]], letters: Any) -> Table:
    """A level-description sheet as a :class:`Table` (header = its first non-empty row)."""
    non_empty = [(n, cells) for n, cells in rows if _filled(cells)]
    if len(non_empty) < 2:
        return Table(format="xlsx", sheet=title, headers=[], header_row=non_empty[0][0] if non_empty else 0,
                     rows=[])
    header_row, header_cells = non_empty[0]
    width = max(len(cells) for _n, cells in non_empty)
    headers = [(header_cells[i] if i < len(header_cells) else "").strip() or f"Sloupec {letters(i + 1)}"
               for i in range(width)]
    body = [TableRow(n, [*cells[:width], *[""] * (width - len(cells))]) for n, cells in non_empty[1:]]
    return Table(format="xlsx", sheet=title, headers=headers, header_row=header_row, rows=body,
                 column_letters=[letters(i + 1) for i in range(width)])


def _abbreviations(rows: list[tuple[int, list[str]]]) -> dict[str, str]:
    """An abbreviations sheet: first column the abbreviation, second its meaning (header skipped)."""
    result = {}
    for _n, cells in rows:
        if len(cells) < 2 or not cells[0].strip() or normalize_header(cells[0]) == "zkratka":
            continue
        result[cells[0].strip()] = cells[1].strip()
    return result


def _sheet_rows(
    sheet: Any, max_rows: int = DEFAULT_MAX_ROWS
) -> tuple[list[tuple[int, list[str]]], list[tuple[str, int, int, str]]]:
    """Rows of a read-only worksheet as ``(row number, [cell text])``, and its formula cells.

    Formula cells are returned as ``(sheet title, row number, column index, formula)`` and read as
    empty text.

    :raises PlanImportError: more than ``max_rows`` non-empty rows (reading stops there).
    """
    sheet.reset_dimensions()  # some writers store a wrong dimension, which would cut the sheet short
    rows = []
    formulas = []
    filled = 0
    for number, row in enumerate(sheet.iter_rows(), start=1):
        cells: list[str] = []
        for index, cell in enumerate(row):
            if getattr(cell, "data_type", None) == "f":
                formulas.append((sheet.title, number, index, str(cell.value)))
                cells.append("")
            else:
                cells.append(_cell_text(cell.value))
        if _filled(cells):
            filled += 1
            if filled > max_rows:
                raise _too_many_rows(max_rows)
        rows.append((number, cells))
    return rows, formulas


def _formula_error(
    formulas: list[tuple[str, int, int, str]],
    activity_sheet: str,
    raw_rows: list[tuple[int, list[str]]],
    mapping_headers: frozenset[str],
) -> PlanImportError:
    """One issue per formula cell, naming the cell, its row and (when known) its column header."""
    from openpyxl.utils import get_column_letter

    non_empty = [(n, cells) for n, cells in raw_rows if _filled(cells)]
    header_row, headers = non_empty[_find_header(non_empty, mapping_headers)] if non_empty else (0, [])
    issues = IssueCollector()
    for sheet_title, number, index, formula in formulas:
        letter = get_column_letter(index + 1)
        column = letter
        if sheet_title == activity_sheet and number > header_row and index < len(headers) and headers[index]:
            column = headers[index]
        issues.add(
            "formula",
            _("Buňka %(cell)s listu „%(sheet)s“ obsahuje vzorec (%(formula)s). "
              "Nahraďte vzorce hodnotami (Kopírovat → Vložit jinak → Hodnoty).", cell=letter + str(number),
              sheet=sheet_title, formula=formula),
            row=number,
            column=column,
        )
    try:
        issues.raise_if_any()
    except PlanImportError as exc:
        return exc
    raise AssertionError("unreachable: formulas were given")


# ------------------------------------------------------------------------------------------ CSV


def _read_csv(text: str, mapping_headers: frozenset[str], max_rows: int = DEFAULT_MAX_ROWS) -> Table:
    first_line = text.split("\n", 1)[0]
    delimiter = max((";", ",", "\t"), key=first_line.count) if any(d in first_line for d in ";,\t") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    records: list[tuple[int, list[str]]] = []
    try:
        filled = 0
        for number, record in enumerate(reader, start=1):
            cells = [_cell_text(value) for value in record]
            if _filled(cells):
                filled += 1
                if filled > max_rows:
                    raise _too_many_rows(max_rows)
            records.append((number, cells))
    except csv.Error as exc:
        raise fail(
            "malformed_csv",
            _("Soubor CSV je poškozený na řádku %(line)s: neuzavřené nebo chybné uvozovky (%(error)s).",
              line=reader.line_num, error=exc),
            row=reader.line_num,
        ) from None
    table = _table("csv", None, records, mapping_headers, letters=str)
    table.sheets = [SheetInfo("", ACTIVITIES, len(table.rows) + 1, _("soubor CSV má jediný list"))]
    return table


# ---------------------------------------------------------------------------------------- shared


def _table(
    fmt: str,
    sheet: str | None,
    raw_rows: list[tuple[int, list[str]]],
    mapping_headers: frozenset[str],
    letters: Any,
) -> Table:
    non_empty = [(n, cells) for n, cells in raw_rows if _filled(cells)]
    if not non_empty:
        raise fail("empty_file", _("Tabulka v souboru je prázdná (žádné záhlaví ani data)."))
    header_index = _find_header(non_empty, mapping_headers)
    header_row, header_cells = non_empty[header_index]
    body = non_empty[header_index + 1 :]
    width = max(len(cells) for _number, cells in [non_empty[header_index], *body])
    # Columns beyond the header that hold data get a name; trailing empty columns are dropped.
    while width > len(header_cells) and not any(
        len(c) >= width and c[width - 1].strip() for _number, c in body
    ):
        width -= 1
    headers = [
        (header_cells[i] if i < len(header_cells) else "").strip() or f"Sloupec {letters(i + 1)}"
        for i in range(width)
    ]
    rows = [TableRow(number, [*cells[:width], *[""] * (width - len(cells))]) for number, cells in body]
    if not rows:
        raise fail(
            "no_data_rows",
            _("Tabulka má jen záhlaví (řádek %(row)s) a žádné řádky s aktivitami.", row=header_row),
            row=header_row,
        )
    return Table(
        format=fmt,
        sheet=sheet,
        headers=headers,
        header_row=header_row,
        rows=rows,
        column_letters=[letters(i + 1) for i in range(width)],
    )


def _find_header(rows: list[tuple[int, list[str]]], mapping_headers: frozenset[str]) -> int:
    """Index of the header row: the first of the first rows naming two known or mapped columns."""
    for index, (_number, cells) in enumerate(rows[:HEADER_SEARCH_ROWS]):
        known = sum(
            1 for c in cells if c.strip() and (recognise_header(c) or normalize_header(c) in mapping_headers)
        )
        if known >= 2:
            return index
    return 0


def _read_json(text: str) -> JsonDocument:
    try:
        data = _clean_json(json.loads(text))
    except RecursionError:
        raise fail(
            "malformed_json",
            _("Soubor JSON je vnořený příliš hluboko (seznamy v seznamech), nejde o plán."),
        ) from None
    except json.JSONDecodeError as exc:
        raise fail(
            "malformed_json",
            _("Soubor není platný JSON: chyba na řádku %(line)s, znak %(column)s (technicky: %(error)s).",
              line=exc.lineno, column=exc.colno, error=exc.msg),
            row=exc.lineno,
        ) from None
    if not isinstance(data, dict) or not isinstance(data.get("areas"), list):
        raise fail(
            "invalid_json_structure",
            _("JSON neodpovídá formátu plánu: očekává se objekt s polem „areas“ (okruhy → cíle → aktivity)."),
            column="areas",
        )
    return JsonDocument(data=data)


def _clean_json(value: Any) -> Any:
    """``value`` with control characters dropped from every string (keys included).

    :raises RecursionError: nesting deeper than Python's recursion limit (refused by the caller).
    """
    if isinstance(value, str):
        return strip_control_characters(value)
    if isinstance(value, list):
        return [_clean_json(item) for item in value]
    if isinstance(value, dict):
        return {strip_control_characters(key): _clean_json(item) for key, item in value.items()}
    return value
