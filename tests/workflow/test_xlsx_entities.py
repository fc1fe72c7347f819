"""An XLSX with a DTD, an entity declaration or an external entity is refused with a Czech import
error, never read and never a 500 (issue 15, item 8): every XML part is parsed with defusedxml."""

from __future__ import annotations

import io
import zipfile

import openpyxl
import pytest

from workflow.importing.errors import PlanImportError
from workflow.importing.readers import read_source

EXTERNAL = (b'<?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>')
LAUGHS = (b'<?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa">'
          b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>')
DTD_ONLY = b'<?xml version="1.0"?><!DOCTYPE worksheet SYSTEM "http://evil.example/x.dtd">'


def _workbook() -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Číslo", "Aktivita", "Termín", "Odpovědnost"])
    sheet.append(["A1.1", "Popis", "průběžně", "OSV"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _with_prologue(prologue: bytes, part: str = "xl/worksheets/sheet1.xml") -> bytes:
    """The workbook with ``part``'s XML declaration replaced by ``prologue`` (a DTD)."""
    source = zipfile.ZipFile(io.BytesIO(_workbook()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == part:
                body = data.split(b"?>", 1)[1] if data.startswith(b"<?xml") else data
                body = body.replace(b"<v>", b"<v>&xxe;", 1) if b"xxe" in prologue else body
                data = prologue + body
            target.writestr(item, data)
    return out.getvalue()


def test_openpyxl_reads_through_defusedxml():
    assert openpyxl.DEFUSEDXML is True


def test_a_plain_workbook_still_reads():
    table = read_source(_workbook(), "plan.xlsx", max_bytes=10**7)
    assert table.format == "xlsx" and table.rows[0].cells[0] == "A1.1"


@pytest.mark.parametrize("prologue", [EXTERNAL, LAUGHS, DTD_ONLY], ids=["external", "laughs", "dtd"])
@pytest.mark.parametrize("part", ["xl/worksheets/sheet1.xml", "xl/workbook.xml", "[Content_Types].xml"])
def test_a_workbook_with_a_dtd_is_refused_in_czech(prologue, part):
    with pytest.raises(PlanImportError) as refused:
        read_source(_with_prologue(prologue, part), "plan.xlsx", max_bytes=10**7)
    message = " ".join(issue.message for issue in refused.value.issues)
    assert "plan.xlsx" in message
