"""Reading an uploaded offline form into plain rows, refusing a file that is not ours or not safe.

The checks run in this order, each before the next step can be fooled: the size, the ZIP magic
bytes, the ZIP directory (too many members, too many bytes unpacked — a decompression bomb is
refused before openpyxl opens anything), DTDs and entity declarations in any XML part (XXE,
"billion laughs"), then openpyxl in read-only mode, the hidden key row, and the row limit. The
ZIP and XML checks are the plan import's (:mod:`workflow.importing.readers`).

A row is kept as the texts of its answer cells, code and stamp (``{"row", "cells", "formulas"}``);
what they mean is decided in :mod:`workflow.offline.preview`, so a damaged row is reported there
with its reason while the file as a whole is still read.
"""

from __future__ import annotations

import io
import warnings
from typing import Any

from flask_babel import gettext as _

from workflow.errors import InvalidInput
from workflow.importing.errors import PlanImportError
from workflow.importing.readers import _cell_text, _check_zip, _refuse_dtds, _size
from workflow.offline.columns import ANSWER_KEYS, ANSWER_LABELS, CODE_KEY, STAMP_KEY

#: Defaults of the limits (``OFFLINE_MAX_ROWS``; the import's ``MAX_IMPORT_MB`` and
#: ``IMPORT_MAX_UNCOMPRESSED_MB`` bound the file's size packed and unpacked).
DEFAULT_MAX_ROWS = 1000
DEFAULT_MAX_BYTES = 10 * 1024 * 1024
DEFAULT_MAX_UNCOMPRESSED = 50 * 1024 * 1024
#: Columns read from each row.
READ_KEYS = frozenset({*ANSWER_KEYS, CODE_KEY, STAMP_KEY})


class OfflineFileError(InvalidInput):
    """The uploaded file cannot be read as an offline form; ``messages`` lists why (Czech, each
    naming the row and column where there is one). Nothing has been written."""

    def __init__(self, messages: list[str]) -> None:
        super().__init__(" ".join(messages))
        self.messages = messages


def read_upload(
    content: bytes,
    filename: str,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_rows: int = DEFAULT_MAX_ROWS,
    max_uncompressed: int = DEFAULT_MAX_UNCOMPRESSED,
) -> list[dict[str, Any]]:
    """Read the data rows of an offline form.

    :param content: the uploaded bytes; ``filename`` only names the file in messages.
    :param max_bytes: the largest accepted size (bytes); ``max_uncompressed`` the largest total of
        the ZIP members unpacked (bytes); ``max_rows`` the most non-empty data rows.
    :returns: ``[{"row": sheet row number, "cells": {key: text}, "formulas": [{"column": header,
        "cell": "F5", "formula": "=A1"}]}]`` for each non-empty data row, in sheet order.
    :raises OfflineFileError: not an XLSX, too large (packed, unpacked, rows), a DTD, not a form
        downloaded from the product (no key row), or no data rows.
    """
    if len(content) > max_bytes:
        raise OfflineFileError(
            [
                _(
                    "Soubor je příliš velký: má %(size)s, nejvýše lze %(limit)s.",
                    size=_size(len(content), up=True),
                    limit=_size(max_bytes),
                )
            ]
        )
    if not content.strip():
        raise OfflineFileError([_("Soubor je prázdný.")])
    if not content.startswith(b"PK\x03\x04"):
        raise OfflineFileError([_not_ours(filename)])
    try:
        _check_zip(content, filename, max_uncompressed)
        _refuse_dtds(content, filename)
    except PlanImportError as exc:
        raise OfflineFileError([issue.message for issue in exc.issues]) from None
    return _read_rows(content, filename, max_rows)


def _not_ours(filename: str) -> str:
    return _(
        "Soubor „%(name)s“ není sešit XLSX. Nahrajte soubor stažený tlačítkem „Stáhnout k vyplnění "
        "(XLSX)“ a uložený jako „Sešit Excelu (*.xlsx)“.",
        name=filename,
    )


def _read_rows(content: bytes, filename: str, max_rows: int) -> list[dict[str, Any]]:
    import openpyxl
    from openpyxl.utils import get_column_letter

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about styles and extensions it ignores
            workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=False)
    except Exception:  # zipfile, XML and openpyxl errors alike mean "not a workbook we can read"
        raise OfflineFileError([_not_ours(filename)]) from None
    try:
        for sheet in workbook.worksheets:
            sheet.reset_dimensions()  # a wrong stored dimension must not cut the sheet short
            rows = sheet.iter_rows()
            first = next(rows, None)
            keys = [_cell_text(getattr(c, "value", None)) for c in first or ()]
            if STAMP_KEY in keys and CODE_KEY in keys:
                break
        else:
            raise OfflineFileError(
                [
                    _(
                        "Soubor „%(name)s“ není formulář plnění stažený z aplikace (chybí skrytý "
                        "řádek s klíči sloupců). Stáhněte si formulář znovu tlačítkem "
                        "„Stáhnout k vyplnění (XLSX)“.",
                        name=filename,
                    )
                ]
            )
        missing = [str(ANSWER_LABELS[k]) for k in ANSWER_KEYS if k not in keys]
        if missing:
            raise OfflineFileError(
                [
                    _(
                        "Ve formuláři chybí sloupce: %(columns)s. Sloupce nemažte; stáhněte si "
                        "formulář znovu.",
                        columns=", ".join(f"„{m}“" for m in missing),
                    )
                ]
            )
        headers: list[str] = []
        result: list[dict[str, Any]] = []
        for number, row in enumerate(rows, start=2):
            texts: dict[str, str] = {}
            formulas: list[dict[str, str]] = []
            for index, cell in enumerate(row):
                value = getattr(cell, "value", None)
                if number == 2:
                    headers.append(_cell_text(value))
                    continue
                key = keys[index] if index < len(keys) else ""
                if getattr(cell, "data_type", None) == "f":
                    header = (
                        headers[index]
                        if index < len(headers) and headers[index]
                        else get_column_letter(index + 1)
                    )
                    formulas.append(
                        {
                            "column": header,
                            "cell": f"{get_column_letter(index + 1)}{number}",
                            "formula": str(value),
                        }
                    )
                elif key in READ_KEYS:
                    texts[key] = _cell_text(value)
            if number == 2 or not (formulas or any(texts.values())):
                continue
            if len(result) >= max_rows:
                raise OfflineFileError(
                    [
                        _(
                            "Soubor má víc než %(limit)s vyplněných řádků; formulář jednoho subjektu "
                            "jich tolik mít nemůže. Zkontrolujte, že jde o správný soubor.",
                            limit=max_rows,
                        )
                    ]
                )
            result.append({"row": number, "cells": texts, "formulas": formulas})
    finally:
        workbook.close()
    if not result:
        raise OfflineFileError([_("Formulář neobsahuje žádné řádky se záznamy.")])
    return result
