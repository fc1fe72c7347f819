"""LibreOffice opens, edits and saves the offline form, and the upload applies exactly those edits
(issue 18, part 1).

LibreOffice (headless, ``libreoffice-calc-nogui``) converts the downloaded XLSX into its own flat
format (``.fods``: it opens and reads our workbook — hidden key row, hidden stamps, protection,
the status list); the test then types into three answer cells of one row by editing that flat
document (a text, a status from the list, a number cell), and LibreOffice saves it back as XLSX.
That file is uploaded as a body would: the preview shows exactly the edited row, the confirmation
saves exactly those values as a draft, and every other entry stays as it was.
"""

from __future__ import annotations

import copy
import io
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from decimal import Decimal
from html import unescape
from pathlib import Path

import openpyxl
import pytest
from offline_helpers import upload
from round_fixtures import entry_of, login
from sqlalchemy import select

from web.extensions import db
from workflow.models import Entry, EntryTransition
from workflow.states import EntryState

TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
CALCEXT = "urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0"
REPEAT = f"{{{TABLE}}}number-columns-repeated"
CELLS = (f"{{{TABLE}}}table-cell", f"{{{TABLE}}}covered-table-cell")
NEW_TEXT = "Metodiku jsme v LibreOffice doplnili:\nproběhla 3 setkání se 40 účastníky."


def _soffice() -> str:
    path = shutil.which("soffice") or shutil.which("libreoffice")
    if path is None:
        pytest.fail("LibreOffice (soffice) is not installed; .ci/run installs libreoffice-calc-nogui")
    return path


def _convert(source: Path, fmt: str, outdir: Path, profile: Path) -> Path:
    """``soffice --headless --convert-to fmt``: LibreOffice opens ``source`` and saves it as ``fmt``."""
    outdir.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            _soffice(),
            "--headless",
            "--norestore",
            f"-env:UserInstallation={profile.as_uri()}",
            "--convert-to",
            fmt,
            "--outdir",
            str(outdir),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    produced = outdir / (source.stem + "." + fmt.split(":")[0])
    assert produced.exists(), f"LibreOffice did not write {produced}"
    return produced


def _cell_text(cell: ET.Element) -> str:
    return "\n".join("".join(p.itertext()) for p in cell.findall(f"{{{TEXT}}}p"))


def _cells(row: ET.Element) -> list[ET.Element]:
    return [c for c in row if c.tag in CELLS]


def _cell_at(row: ET.Element, index: int) -> ET.Element:
    """The cell at column ``index`` (0-based), splitting a repeated cell so it can be edited alone."""
    position = 0
    for cell in _cells(row):
        count = int(cell.get(REPEAT, "1"))
        if position <= index < position + count:
            if count == 1:
                return cell
            before, after = index - position, position + count - index - 1
            at = list(row).index(cell)
            parts = []
            for n in (before, 1, after):
                if n:
                    part = copy.deepcopy(cell)
                    part.attrib.pop(REPEAT, None)
                    if n > 1:
                        part.set(REPEAT, str(n))
                    parts.append((n, part))
            row.remove(cell)
            target = None
            for offset, (n, part) in enumerate(parts):
                row.insert(at + offset, part)
                if n == 1 and target is None and (before == 0 or offset == 1):
                    target = part
            return target
        position += count
    raise IndexError(index)


def _set(cell: ET.Element, value: str | Decimal) -> None:
    """Type ``value`` into ``cell`` as LibreOffice stores it: text paragraphs, or a float."""
    for child in list(cell):
        cell.remove(child)
    for name in list(cell.attrib):
        if name.startswith((f"{{{OFFICE}}}", f"{{{CALCEXT}}}")):
            del cell.attrib[name]
    if isinstance(value, Decimal):
        cell.set(f"{{{OFFICE}}}value-type", "float")
        cell.set(f"{{{OFFICE}}}value", str(value))
        cell.set(f"{{{CALCEXT}}}value-type", "float")
        shown = str(value).replace(".", ",")
        ET.SubElement(cell, f"{{{TEXT}}}p").text = shown
        return
    cell.set(f"{{{OFFICE}}}value-type", "string")
    cell.set(f"{{{CALCEXT}}}value-type", "string")
    for line in value.split("\n"):
        ET.SubElement(cell, f"{{{TEXT}}}p").text = line


def _edit_fods(path: Path, code: str, values: dict[str, str | Decimal]) -> None:
    """Edit the answer cells ``values`` (by column key) of activity ``code`` in a flat ODS file."""
    for _event, (prefix, uri) in ET.iterparse(path, events=["start-ns"]):
        ET.register_namespace(prefix, uri)
    tree = ET.parse(path)
    sheet = next(t for t in tree.iter(f"{{{TABLE}}}table") if t.get(f"{{{TABLE}}}name") == "Plnění")
    rows = list(sheet.iter(f"{{{TABLE}}}table-row"))
    keys: list[str] = []
    for cell in _cells(rows[0]):
        keys += [_cell_text(cell)] * int(cell.get(REPEAT, "1"))
    row = next(r for r in rows if _cells(r) and _cell_text(_cells(r)[0]) == code)
    for key, value in values.items():
        _set(_cell_at(row, keys.index(key)), value)
    tree.write(path, xml_declaration=True, encoding="UTF-8")


def test_libreoffice_opens_edits_and_saves_the_form_and_the_upload_applies_exactly_those_edits(
    client, opened, people, small_plan, tmp_path
):
    assert login(client, people.osv).status_code == 302
    osv = small_plan.bodies["OSV"]
    download = client.get(f"/moje-ukoly/xlsx/{opened.id}/{osv.id}")
    assert download.status_code == 200
    original = tmp_path / "plneni.xlsx"
    original.write_bytes(download.data)
    before = {
        e.id: (e.version, e.text, e.fulfilment_status, e.indicator_number, e.state)
        for e in db.session.scalars(select(Entry).where(Entry.round_id == opened.id))
    }
    b11 = entry_of(opened, "B1.1", "OSV")

    profile = tmp_path / "lo-profile"
    flat = _convert(original, "fods", tmp_path / "fods", profile)
    # LibreOffice read our form: the sheet protected, the status list, the key row and stamps hidden
    document = flat.read_text(encoding="utf-8")
    assert 'table:protected="true"' in document
    assert re.search(r"cell-content-is-in-list\([^)]*Částečně splněno", document.replace("&quot;", '"'))
    assert 'table:visibility="collapse"' in document
    _edit_fods(
        flat,
        "B1.1",
        {"text": NEW_TEXT, "fulfilment_status": "Částečně splněno", "indicator_number": Decimal("1600.5")},
    )
    saved = _convert(flat, "xlsx:Calc MS Excel 2007 XML", tmp_path / "saved", profile)

    # what LibreOffice saved is still our form: protected, the key row hidden (LibreOffice 7.4 writes
    # the list validation of a flat ODS back as type "none", so the drop-down is checked above)
    ws = openpyxl.load_workbook(io.BytesIO(saved.read_bytes()))["Plnění"]
    assert ws.protection.sheet
    assert ws.row_dimensions[1].hidden

    response = upload(client, saved.read_bytes(), "plneni-libreoffice.xlsx")
    assert response.status_code == 302, unescape(response.get_data(as_text=True))[-2000:]
    page = unescape(client.get(response.headers["Location"]).get_data(as_text=True))
    assert "změněno: 1" in page and "beze změny: 1" in page and "odmítnuto: 0" in page, page[-3000:]
    fingerprint = re.search(r'name="fingerprint" type="hidden" value="([0-9a-f]{64})"', page).group(1)
    assert client.post(response.headers["Location"], data={"fingerprint": fingerprint}).status_code == 302

    db.session.expire_all()
    after = db.session.get(Entry, b11.id)
    assert after.text == NEW_TEXT
    assert after.fulfilment_status == "partial"
    assert after.indicator_number == Decimal("1600.5")
    assert after.state == EntryState.draft
    for field in (
        "indicator_unit",
        "indicator_text",
        "indicator_as_of",
        "cooperation_text",
        "problems",
        "proposal",
    ):
        assert getattr(after, field) == getattr(b11, field) or (
            getattr(after, field) in ("", None) and getattr(b11, field) in ("", None)
        )
    log = db.session.scalars(
        select(EntryTransition).where(EntryTransition.entry_id == b11.id).order_by(EntryTransition.id)
    ).all()
    assert [t.name for t in log][-1] == "excel_upload" and log[-1].comment == "nahráno z Excelu"
    for entry_id, state in before.items():
        if entry_id != b11.id:
            e = db.session.get(Entry, entry_id)
            assert (e.version, e.text, e.fulfilment_status, e.indicator_number, e.state) == state
