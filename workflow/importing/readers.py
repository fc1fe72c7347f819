"""Reading an uploaded plan file (XLSX, CSV or the nested JSON form) into plain Python values.

Readers only decode: they return the cells as text (:class:`Table`) or the parsed JSON document
(:class:`JsonDocument`) and raise :class:`~workflow.importing.errors.PlanImportError` when the
bytes are not a readable plan file. What the cells mean is decided in
:mod:`workflow.importing.parsing`.

Formats (``data/README.md``):

- XLSX, read with openpyxl in read-only mode; sheet „Akční plán“ or the first sheet, plus the
  sheet „Cíle“ (goal codes, titles and comments) when present. Formula cells are refused, since
  their value is whatever the last program that saved the file computed (or nothing).
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
from workflow.importing.mapping import normalize_header, recognise_header
from workflow.text import strip_control_characters

#: Name of the activity sheet in the real XLSX; otherwise the first sheet is read.
ACTIVITY_SHEET = "Akční plán"
#: Name of the optional sheet of goals (codes, titles, comments) in the real XLSX.
GOALS_SHEET = "Cíle"
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
    :ivar goal_rows: rows of the „Cíle“ sheet as ``{"area", "code", "title", "comment", "row"}``.
    """

    format: str
    sheet: str | None
    headers: list[str]
    header_row: int
    rows: list[TableRow]
    column_letters: list[str] = field(default_factory=list)
    goal_rows: list[dict[str, Any]] = field(default_factory=list)


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
        return _read_xlsx(content, filename, mapping_headers, max_rows)
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
        return strip_control_characters(value.replace("\r\n", "\n").replace("\r", "\n")).strip()
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


def _read_xlsx(content: bytes, filename: str, mapping_headers: frozenset[str], max_rows: int) -> Table:
    import openpyxl
    from openpyxl.utils import get_column_letter

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about styles and extensions it ignores
            workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=False)
    except Exception:  # zipfile, XML and openpyxl errors alike mean "not a workbook we can read"
        raise _not_xlsx(filename) from None
    try:
        by_name = {normalize_header(ws.title): ws for ws in workbook.worksheets}
        sheet = by_name.get(normalize_header(ACTIVITY_SHEET)) or (
            workbook.worksheets[0] if workbook.worksheets else None
        )
        if sheet is None:
            raise fail("no_data_rows", _("Sešit neobsahuje žádný list."))
        raw_rows, formulas = _sheet_rows(sheet, max_rows)
        goals_sheet = by_name.get(normalize_header(GOALS_SHEET))
        goal_raw: list[tuple[int, list[str]]] = []
        if goals_sheet is not None and goals_sheet is not sheet:
            goal_raw, goal_formulas = _sheet_rows(goals_sheet, max_rows)
            formulas += goal_formulas
    finally:
        workbook.close()
    if formulas:
        raise _formula_error(formulas, sheet.title, raw_rows, mapping_headers)
    table = _table("xlsx", sheet.title, raw_rows, mapping_headers, letters=get_column_letter)
    table.goal_rows = _goal_rows(goal_raw)
    return table


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
        if any(cells):
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

    non_empty = [(n, cells) for n, cells in raw_rows if any(cells)]
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


def _goal_rows(raw_rows: list[tuple[int, list[str]]]) -> list[dict[str, Any]]:
    """The „Cíle“ sheet: columns Okruh, Kód cíle, Název cíle, Komentář (by header, any order)."""
    names = {"okruh": "area", "kod cile": "code", "cil": "code", "nazev cile": "title", "komentar": "comment"}
    non_empty = [(n, cells) for n, cells in raw_rows if any(cells)]
    if not non_empty:
        return []
    _row, header = non_empty[0]
    columns = {i: names[normalize_header(h)] for i, h in enumerate(header) if normalize_header(h) in names}
    if "code" not in columns.values():
        return []
    goals = []
    for number, cells in non_empty[1:]:
        item: dict[str, Any] = {"row": number}
        for index, key in columns.items():
            item[key] = cells[index] if index < len(cells) else ""
        if item.get("code"):
            goals.append(item)
    return goals


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
            if any(cells):
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
    return _table("csv", None, records, mapping_headers, letters=str)


# ---------------------------------------------------------------------------------------- shared


def _table(
    fmt: str,
    sheet: str | None,
    raw_rows: list[tuple[int, list[str]]],
    mapping_headers: frozenset[str],
    letters: Any,
) -> Table:
    non_empty = [(n, cells) for n, cells in raw_rows if any(cells)]
    if not non_empty:
        raise fail("empty_file", _("Tabulka v souboru je prázdná (žádné záhlaví ani data)."))
    header_index = _find_header(non_empty, mapping_headers)
    header_row, header_cells = non_empty[header_index]
    body = non_empty[header_index + 1 :]
    width = max(len(cells) for _number, cells in [non_empty[header_index], *body])
    # Columns beyond the header that hold data get a name; trailing empty columns are dropped.
    while width > len(header_cells) and not any(len(c) >= width and c[width - 1] for _number, c in body):
        width -= 1
    headers = [
        (header_cells[i] if i < len(header_cells) else "") or f"Sloupec {letters(i + 1)}"
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
        known = sum(1 for c in cells if c and (recognise_header(c) or normalize_header(c) in mapping_headers))
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
