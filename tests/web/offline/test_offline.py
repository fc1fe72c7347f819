"""A body fills its entries in Excel and uploads them back (issue 18, part 1), through HTTP.

The workbook is edited with openpyxl here (what a spreadsheet saves); the system tier
(tests/system/offline) lets LibreOffice open, edit and save it.
"""

from __future__ import annotations

import base64
import io
import json
import re
import zipfile
from datetime import date
from decimal import Decimal
from html import unescape

import openpyxl
from flask_babel import force_locale
from offline_helpers import answer_column, edit_cell, row_of, upload
from round_fixtures import entry_of, login
from sqlalchemy import func, select

from web.extensions import db
from workflow.entries import save_draft
from workflow.models import Entry, EntryTransition, OfflineUpload
from workflow.offline import body_entries, build_workbook
from workflow.states import EntryState


def _as(client, user):
    client.post("/odhlaseni")
    assert login(client, user).status_code == 302
    return client


def _text(response) -> str:
    return unescape(response.get_data(as_text=True))


def _download(client, round_, body) -> bytes:
    response = client.get(f"/moje-ukoly/xlsx/{round_.id}/{body.id}")
    assert response.status_code == 200, response.status_code
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return response.data


def _snapshot(round_) -> list[tuple]:
    """Every entry's id, version, state and answer, and the number of transitions: what an upload
    that writes nothing leaves as it was."""
    rows = db.session.execute(
        select(
            Entry.id, Entry.version, Entry.state, Entry.text, Entry.fulfilment_status, Entry.indicator_number
        )
        .where(Entry.round_id == round_.id)
        .order_by(Entry.id)
    ).all()
    count = db.session.scalar(select(func.count()).select_from(EntryTransition))
    db.session.expire_all()
    return [tuple(r) for r in rows] + [("transitions", count)]


def test_download_has_one_row_per_entry_locked_columns_a_status_list_and_signed_stamps(
    client, opened, people, small_plan
):
    plan = small_plan.plan
    a11 = small_plan.activities["A1.1"]
    a11.title = "Koordinace sociálních služeb"
    a11.extra = {"Zdroje financování": "rozpočet kraje", "Interní poznámka": "neukazovat"}
    plan.hidden_attributes = {"form": ["Interní poznámka"], "report": []}
    db.session.commit()
    _as(client, people.osv)
    osv = small_plan.bodies["OSV"]
    content = _download(client, opened, osv)
    ws = openpyxl.load_workbook(io.BytesIO(content))["Plnění"]
    codes = [ws.cell(row=r, column=1).value for r in range(3, ws.max_row + 1)]
    expected = db.session.scalars(
        select(Entry).where(Entry.round_id == opened.id, Entry.body_id == osv.id)
    ).all()
    assert sorted(codes) == sorted(e.activity.code for e in expected) == ["A1.1", "B1.1"]
    headers = [c.value for c in ws[2]]
    assert {
        "Kód",
        "Název aktivity",
        "Aktivita",
        "Stav plnění",
        "Plnění",
        "Hodnota indikátoru (číslo)",
        "Jednotka",
        "Zdroje financování",
    } <= set(headers)
    assert "Interní poznámka" not in headers
    row = row_of(ws, "A1.1")
    assert (
        ws.cell(row=row, column=headers.index("Název aktivity") + 1).value == "Koordinace sociálních služeb"
    )
    assert ws.cell(row=row, column=headers.index("Zdroje financování") + 1).value == "rozpočet kraje"
    # last year's text carried over, as the form shows it
    assert ws.cell(row=row, column=answer_column(ws, "text")).value.startswith("Loni: A1.1")
    # protection: the sheet is locked, only the answer cells are open
    assert ws.protection.sheet
    assert ws.cell(row=row, column=1).protection.locked
    assert not ws.cell(row=row, column=answer_column(ws, "text")).protection.locked
    stamp_col = answer_column(ws, "stamp")
    assert ws.column_dimensions[openpyxl.utils.get_column_letter(stamp_col)].hidden
    assert ws.row_dimensions[1].hidden
    assert re.fullmatch(r"[\w\-.]+", ws.cell(row=row, column=stamp_col).value)
    validations = ws.data_validations.dataValidation
    assert len(validations) == 1 and validations[0].type == "list"
    assert "Splněno" in validations[0].formula1 and "Nelze vyhodnotit" in validations[0].formula1
    status_cell = ws.cell(row=row, column=answer_column(ws, "fulfilment_status")).coordinate
    assert status_cell in validations[0].sqref
    # another body's file is not given out (404, as for a body that does not exist)
    assert client.get(f"/moje-ukoly/xlsx/{opened.id}/{small_plan.bodies['ORREP'].id}").status_code == 404
    # the links on „Moje úkoly“ and on the round's page
    tasks = _text(client.get("/moje-ukoly"))
    assert f"/moje-ukoly/xlsx/{opened.id}/{osv.id}" in tasks and "Odeslat všechny úplné koncepty" in tasks
    _as(client, people.osv_head)
    round_page = _text(client.get(f"/kola/{opened.id}"))
    assert (
        f"/moje-ukoly/xlsx/{opened.id}/{osv.id}" in round_page and "Stáhnout k vyplnění (XLSX)" in round_page
    )


def test_round_trip_of_an_unchanged_file_changes_nothing(client, opened, people, small_plan):
    _as(client, people.osv)
    content = _download(client, opened, small_plan.bodies["OSV"])
    before = _snapshot(opened)
    # saved again by a spreadsheet program (openpyxl here) without any edit
    wb = openpyxl.load_workbook(io.BytesIO(content))
    out = io.BytesIO()
    wb.save(out)
    response = upload(client, out.getvalue())
    assert response.status_code == 302
    page = _text(client.get(response.headers["Location"]))
    assert "beze změny: 2" in page and "změněno: 0" in page and "odmítnuto: 0" in page
    assert "Uložit změny jako rozpracované" not in page
    assert _snapshot(opened) == before


def test_edits_are_applied_exactly_as_drafts_with_a_version_nahrano_z_excelu(
    client, opened, people, small_plan
):
    _as(client, people.osv)
    content = _download(client, opened, small_plan.bodies["OSV"])
    b11 = entry_of(opened, "B1.1", "OSV")
    a11 = entry_of(opened, "A1.1", "OSV")
    a11_before = (a11.version, a11.text, a11.state)
    edited = edit_cell(
        content,
        "B1.1",
        {
            "fulfilment_status": "Částečně splněno",
            "text": "Proběhla 3 setkání; metodika je hotová.",
            "indicator_number": "1 600,5",
            "indicator_unit": "osob",
            "indicator_as_of": date(2025, 12, 31),
            "problems": "=nejde o vzorec, jen text",
        },
    )
    response = upload(client, edited)
    assert response.status_code == 302
    preview_url = response.headers["Location"]
    page = _text(client.get(preview_url))
    assert "změněno: 1" in page and "beze změny: 1" in page
    assert '<ins class="diff-ins">Proběhla 3 setkání; metodika je hotová.</ins>' in page
    assert "Částečně splněno" in page and "1600,5" in page
    fingerprint = re.search(r'name="fingerprint" type="hidden" value="([0-9a-f]{64})"', page).group(1)
    done = client.post(preview_url, data={"fingerprint": fingerprint})
    assert done.status_code == 302 and done.headers["Location"].endswith("/moje-ukoly")
    db.session.expire_all()
    b11 = db.session.get(Entry, b11.id)
    assert b11.state == EntryState.draft  # saved, not submitted
    assert b11.fulfilment_status == "partial"
    assert b11.text == "Proběhla 3 setkání; metodika je hotová."
    assert b11.indicator_number == Decimal("1600.5") and b11.indicator_unit == "osob"
    assert b11.indicator_as_of == date(2025, 12, 31)
    assert b11.problems == "=nejde o vzorec, jen text"  # typed as text in the cell, kept as text
    assert people.osv.id in b11.editor_ids  # four eyes: the uploader cannot approve it
    names = [(t.name, t.comment) for t in b11.transitions]
    assert names == [("start", ""), ("excel_upload", "nahráno z Excelu")]
    a11 = db.session.get(Entry, a11.id)
    assert (a11.version, a11.text, a11.state) == a11_before
    history = _text(client.get(f"/zaznamy/{b11.id}/historie"))
    assert "nahráno z Excelu" in history
    # the same confirmation again applies nothing twice
    again = client.post(preview_url, data={"fingerprint": fingerprint})
    assert again.status_code == 302
    assert (
        db.session.scalar(
            select(func.count()).select_from(EntryTransition).where(EntryTransition.entry_id == b11.id)
        )
        == 2
    )
    assert db.session.scalar(select(OfflineUpload.status)) == "applied"


def test_a_row_edited_by_someone_else_since_the_download_is_refused_listing_both_texts(
    client, opened, people, small_plan
):
    _as(client, people.osv)
    content = _download(client, opened, small_plan.bodies["OSV"])
    b11 = entry_of(opened, "B1.1", "OSV")
    with client.application.test_request_context():
        save_draft(
            b11, people.osv_head, {"text": "Vedoucí mezitím napsal tohle."}, expected_version=b11.version
        )
    db.session.commit()
    edited = edit_cell(content, "B1.1", {"text": "Zpracovatel napsal v Excelu tohle."})
    before = _snapshot(opened)
    response = upload(client, edited)
    page = _text(client.get(response.headers["Location"]))
    assert "odmítnuto: 1" in page
    assert "Záznam mezitím změnil někdo jiný" in page
    assert "Vedoucí mezitím napsal tohle." in page and "Zpracovatel napsal v Excelu tohle." in page
    assert "Uložit změny jako rozpracované" not in page
    # a forged confirmation writes nothing either
    fingerprint = "0" * 64
    refused = client.post(response.headers["Location"], data={"fingerprint": fingerprint})
    assert refused.status_code == 409
    assert _snapshot(opened) == before


def test_a_new_version_that_left_the_answer_alone_does_not_refuse_the_row(client, opened, people, small_plan):
    """A granted deadline extension bumps the entry's version but changes no word of the answer."""
    _as(client, people.osv)
    content = _download(client, opened, small_plan.bodies["OSV"])
    b11 = entry_of(opened, "B1.1", "OSV")
    version = b11.version
    b11.deadline = date(2099, 3, 31)
    db.session.commit()
    assert b11.version == version + 1
    edited = edit_cell(content, "B1.1", {"text": "Text po prodloužení termínu."})
    location = upload(client, edited).headers["Location"]
    page = _text(client.get(location))
    assert "změněno: 1" in page and "odmítnuto: 0" in page
    fingerprint = re.search(r'name="fingerprint" type="hidden" value="([0-9a-f]{64})"', page).group(1)
    assert client.post(location, data={"fingerprint": fingerprint}).status_code == 302
    db.session.expire_all()
    assert entry_of(opened, "B1.1", "OSV").text == "Text po prodloužení termínu."


def test_submitted_since_is_refused_but_the_other_rows_are_applied(client, opened, people, small_plan):
    _as(client, people.osv)
    content = _download(client, opened, small_plan.bodies["OSV"])
    a11 = entry_of(opened, "A1.1", "OSV")
    client.post(
        f"/zaznamy/{a11.id}/upravit",
        data={
            "version": a11.version,
            "fulfilment_status": "ongoing",
            "text": "Odesláno z formuláře.",
            "action": "submit",
        },
    )
    db.session.expire_all()
    assert db.session.get(Entry, a11.id).state == EntryState.submitted
    edited = edit_cell(content, "A1.1", {"text": "Pozdní změna z Excelu."})
    edited = edit_cell(edited, "B1.1", {"text": "Nový text B1.1."})
    response = upload(client, edited)
    page = _text(client.get(response.headers["Location"]))
    assert "„Odesláno ke kontrole“ a nelze jej upravit" in page
    fingerprint = re.search(r'name="fingerprint" type="hidden" value="([0-9a-f]{64})"', page).group(1)
    assert client.post(response.headers["Location"], data={"fingerprint": fingerprint}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Entry, a11.id).text == "Odesláno z formuláře."
    assert entry_of(opened, "B1.1", "OSV").text == "Nový text B1.1."


def test_submit_all_complete_drafts_sends_the_complete_and_names_what_the_others_lack(
    client, opened, people, small_plan
):
    _as(client, people.osv)
    a11, b11 = entry_of(opened, "A1.1", "OSV"), entry_of(opened, "B1.1", "OSV")
    with client.application.test_request_context():
        save_draft(
            a11,
            people.osv,
            {"text": "Hotovo a popsáno.", "fulfilment_status": "done"},
            expected_version=a11.version,
        )
        save_draft(b11, people.osv, {"text": "Rozepsáno."}, expected_version=b11.version)
    db.session.commit()
    response = client.post("/moje-ukoly/odeslat-koncepty")
    page = _text(response)
    assert response.status_code == 200
    assert "Odesláno ke kontrole: 1" in page and "Neodesláno: 1" in page
    assert "vyberte stav plnění" in page
    db.session.expire_all()
    assert db.session.get(Entry, a11.id).state == EntryState.submitted
    assert db.session.get(Entry, b11.id).state == EntryState.draft
    # another body's drafts are never touched
    assert entry_of(opened, "A1.2", "OŠMTS").state == EntryState.not_started


def test_an_upload_is_seen_only_by_its_uploader(client, opened, people, small_plan):
    _as(client, people.osv)
    content = _download(client, opened, small_plan.bodies["OSV"])
    location = upload(client, content).headers["Location"]
    _as(client, people.osv_head)
    assert client.get(location).status_code == 404
    assert client.post(location, data={"fingerprint": "0" * 64}).status_code == 404


# --- bad files: refused in Czech, nothing written -------------------------------------------------
def _refused_file(client, opened, content: bytes, message: str) -> None:
    before = _snapshot(opened)
    response = upload(client, content)
    page = _text(response)
    assert response.status_code == 422, response.status_code
    assert "Soubor nelze nahrát, nic nebylo uloženo" in page and message in page, page[-3000:]
    assert db.session.scalar(select(func.count()).select_from(OfflineUpload)) == 0
    assert _snapshot(opened) == before


def _blocked_preview(client, opened, content: bytes, message: str) -> None:
    before = _snapshot(opened)
    response = upload(client, content)
    assert response.status_code == 302
    page = _text(client.get(response.headers["Location"]))
    assert message in page, page[-3000:]
    assert "Soubor obsahuje chyby, které je třeba v souboru opravit" in page
    assert "Uložit změny jako rozpracované" not in page
    fingerprint = "0" * 64
    assert client.post(response.headers["Location"], data={"fingerprint": fingerprint}).status_code == 409
    assert _snapshot(opened) == before


def test_rows_of_another_body_are_refused(client, opened, people, small_plan):
    _as(client, people.osmts)
    foreign = _download(client, opened, small_plan.bodies["OŠMTS"])
    foreign = edit_cell(foreign, "A1.2", {"text": "Cizí text."})
    _as(client, people.osv)
    _blocked_preview(client, opened, foreign, "Řádek patří subjektu OŠMTS, za který nejednáte")


def test_a_forged_stamp_is_refused(client, opened, people, small_plan):
    _as(client, people.osv)
    content = _download(client, opened, small_plan.bodies["OSV"])
    wb = openpyxl.load_workbook(io.BytesIO(content))
    ws = wb["Plnění"]
    b11 = entry_of(opened, "A1.2", "OŠMTS")
    # the stamp of A1.1 rewritten to name another entry, with the signature kept
    cell = ws.cell(row=row_of(ws, "A1.1"), column=answer_column(ws, "stamp"))
    signature = cell.value.rsplit(".", 1)[1]

    forged = json.dumps({"e": b11.id, "v": b11.version, "b": b11.body_id, "h": "0"}).encode()
    cell.value = base64.urlsafe_b64encode(forged).decode().rstrip("=") + "." + signature
    ws.cell(row=row_of(ws, "B1.1"), column=answer_column(ws, "text")).value = "Změna vedle podvrhu."
    out = io.BytesIO()
    wb.save(out)
    _blocked_preview(client, opened, out.getvalue(), "Razítko verze řádku je poškozené nebo podvržené")


def test_formulas_are_refused_naming_the_cell(client, opened, people, small_plan):
    _as(client, people.osv)
    content = _download(client, opened, small_plan.bodies["OSV"])
    wb = openpyxl.load_workbook(io.BytesIO(content))
    ws = wb["Plnění"]
    cell = ws.cell(row=row_of(ws, "B1.1"), column=answer_column(ws, "indicator_number"))
    cell.value = "=2*800"  # openpyxl stores a string starting with "=" as a formula
    out = io.BytesIO()
    wb.save(out)
    _blocked_preview(
        client,
        opened,
        out.getvalue(),
        f"Sloupec „Hodnota indikátoru (číslo)“ (buňka {cell.coordinate}) obsahuje vzorec =2*800",
    )


def test_a_value_not_allowed_is_refused_naming_the_column(client, opened, people, small_plan):
    _as(client, people.osv)
    content = _download(client, opened, small_plan.bodies["OSV"])
    edited = edit_cell(content, "B1.1", {"fulfilment_status": "Hotovo", "indicator_as_of": "včera"})
    page_message = "Sloupec „Stav plnění“: „Hotovo“ není stav plnění"
    _blocked_preview(client, opened, edited, page_message)


def test_a_file_of_10000_rows_is_refused(client, opened, people, small_plan):
    _as(client, people.osv)
    content = _download(client, opened, small_plan.bodies["OSV"])
    ws = openpyxl.load_workbook(io.BytesIO(content))["Plnění"]
    keys = [c.value for c in ws[1]]
    stamp = ws.cell(row=3, column=answer_column(ws, "stamp")).value
    big = openpyxl.Workbook(write_only=True)
    sheet = big.create_sheet("Plnění")
    sheet.append(keys)
    sheet.append([c.value for c in ws[2]])
    row = ["A1.1" if k == "code" else stamp if k == "stamp" else None for k in keys]
    for _ in range(10_000):
        sheet.append(row)
    out = io.BytesIO()
    big.save(out)
    _refused_file(client, opened, out.getvalue(), "Soubor má víc než 1000 vyplněných řádků")


def test_an_xlsx_bomb_is_refused_before_it_is_opened(client, opened, people, small_plan):
    _as(client, people.osv)
    content = _download(client, opened, small_plan.bodies["OSV"])
    bomb = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(content)) as source,
        zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as out,
    ):
        for item in source.infolist():
            out.writestr(item, source.read(item))
        out.writestr("xl/media/padding.bin", b"\0" * (60 * 1024 * 1024))  # 60 MB of zeros: ~60 kB packed
    assert len(bomb.getvalue()) < 1024 * 1024
    _refused_file(client, opened, bomb.getvalue(), "je po rozbalení příliš velký")


def test_files_that_are_not_xlsx_are_refused(client, opened, people):
    _as(client, people.osv)
    _refused_file(client, opened, b"%PDF-1.7 zapis", "není sešit XLSX")
    _refused_file(client, opened, "Kód;Plnění\nA1.1;text\n".encode(), "není sešit XLSX")
    _refused_file(client, opened, b"PK\x03\x04 broken zip", "nelze otevřít jako sešit XLSX")
    plain = openpyxl.Workbook()
    plain.active["A1"] = "Kód"
    out = io.BytesIO()
    plain.save(out)
    _refused_file(client, opened, out.getvalue(), "není formulář plnění stažený z aplikace")


def test_a_form_downloaded_in_english_reads_back_the_same(client, app, opened, people, small_plan):
    """The workbook of a user with English as language (headers and status titles in English)."""
    osv = small_plan.bodies["OSV"]
    with app.test_request_context(), force_locale("en"):
        content = build_workbook(opened, osv, body_entries(opened, osv), app.config["SECRET_KEY"])
    ws = openpyxl.load_workbook(io.BytesIO(content))["Plnění"]
    assert ws.cell(row=2, column=answer_column(ws, "carried_over")).value == "Carried over from last year"
    assert "Partly fulfilled" in ws.data_validations.dataValidation[0].formula1
    edited = edit_cell(content, "B1.1", {"fulfilment_status": "Partly fulfilled", "text": "Done in English."})
    _as(client, people.osv)
    location = upload(client, edited).headers["Location"]
    page = _text(client.get(location))
    assert "změněno: 1" in page and "beze změny: 1" in page
    fingerprint = re.search(r'name="fingerprint" type="hidden" value="([0-9a-f]{64})"', page).group(1)
    assert client.post(location, data={"fingerprint": fingerprint}).status_code == 302
    db.session.expire_all()
    b11 = entry_of(opened, "B1.1", "OSV")
    assert (b11.fulfilment_status, b11.text) == ("partial", "Done in English.")
