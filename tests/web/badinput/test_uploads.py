"""Uploads: size limits (Czech 413 page), types by content not by name, XLSX decompression
bombs and endless tables refused before anything is read, and file names with paths, NUL,
reserved Windows names or markup stored and shown harmlessly. Nothing is written on refusal."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest
from badinput_helpers import XSS, row_counts, sign_in
from import_helpers import REAL_XLSX, csv_bytes, real_rows, xlsx_bytes

from web.extensions import db
from workflow.bodies import ensure_seed_bodies
from workflow.entries import safe_filename
from workflow.importing import PlanImportError, preview_import, real_plan_options
from workflow.models import Attachment, PlanImport

#: The upload's target: a new plan, with its title and period (issue 14: always chosen).
NEW_PLAN = {"plan_id": "novy", "title": "Akční plán", "period": "2024–2025"}
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 200
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _counts() -> dict[str, int]:
    counts = row_counts()
    counts.pop("audit_events")
    return counts


def _storage(app) -> Path:
    return Path(app.config["INSTANCE_DIR"]) / "attachments"


def _stored_files(app) -> list[Path]:
    root = _storage(app)
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def _post_large(client, url: str, fields: dict):
    """POST ``fields`` as multipart from memory (the test client would spool a large body to a
    temporary file that a refused request never closes)."""
    from werkzeug.datastructures import FileStorage, MultiDict
    from werkzeug.test import encode_multipart

    values = MultiDict(
        {
            k: (FileStorage(io.BytesIO(v[0]), filename=v[1]) if isinstance(v, tuple) else v)
            for k, v in fields.items()
        }
    )
    boundary, body = encode_multipart(values)
    return client.post(url, data=body, content_type=f"multipart/form-data; boundary={boundary}")


def _upload(client, entry_id: int, content: bytes, name: str):
    return client.post(
        f"/zaznamy/{entry_id}/prilohy",
        data={"file": (io.BytesIO(content), name)},
        content_type="multipart/form-data",
        follow_redirects=True,
    )


# --- request size ---------------------------------------------------------------------------------
def test_a_request_over_the_limit_gets_the_czech_413_page(app, client, world, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 64 * 1024)
    sign_in(client, world.secretary)
    before = _counts()
    response = _post_large(client, "/import", {"file": (b"x" * 200 * 1024, "plan.csv"), **NEW_PLAN})
    assert response.status_code == 413
    page = response.get_data(as_text=True)
    assert "Soubor je příliš velký" in page and "Nahrávaný soubor překračuje povolenou velikost." in page
    assert _counts() == before


def test_attachment_limits_follow_max_attachment_mb(app, client, world, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_ATTACHMENT_BYTES", 256 * 1024)
    sign_in(client, world.osv)
    before, files = _counts(), _stored_files(app)
    # Over the limit plus the 1 MB headroom for the form: cut off by Werkzeug, the Czech 413 page.
    response = _post_large(
        client,
        f"/zaznamy/{world.entry_a.id}/prilohy",
        {"file": (PNG + b"\x00" * (2 * 1024 * 1024), "velka.png")},
    )
    assert response.status_code == 413
    assert "Soubor je příliš velký" in response.get_data(as_text=True)
    # Over the limit but within the headroom: refused by the service while streaming.
    response = _upload(client, world.entry_a.id, PNG + b"\x00" * (300 * 1024), "velka.png")
    assert "Soubor je větší než 0,25 MB." in response.get_data(as_text=True)
    assert _counts() == before and _stored_files(app) == files
    # the form's help text states the configured limit, not a fixed one
    form = client.get(f"/zaznamy/{world.entry_a.id}/upravit").get_data(as_text=True)
    assert "nejvýše 0,25 MB." in form


# --- types by content --------------------------------------------------------------------------
REFUSED_TYPES = {
    "Windows program named .pdf": (b"MZ\x90\x00" + b"\x00" * 100, "zprava.pdf", "Povolené jsou jen soubory"),
    "HTML named .png": (
        b"<html><script>alert(1)</script></html>",
        "obrazek.png",
        "Povolené jsou jen soubory",
    ),
    "SVG with script named .png": (
        b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        "obrazek.png",
        "Povolené jsou jen soubory",
    ),
    "PNG named .pdf": (PNG, "zprava.pdf", "Obsah souboru (PNG) neodpovídá jeho příponě .pdf."),
    "PDF named .exe": (PDF, "zprava.exe", "Obsah souboru (PDF) neodpovídá jeho příponě .exe."),
    "ZIP that is no document": (None, "archiv.docx", "Povolené jsou jen soubory"),
    "corrupt ZIP": (b"PK\x03\x04" + b"\x00" * 50, "zprava.docx", "Povolené jsou jen soubory"),
    "empty file": (b"", "prazdny.pdf", "Soubor je prázdný."),
}


def _plain_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "ahoj")
    return buffer.getvalue()


def test_attachments_of_a_wrong_type_are_refused_by_content(app, client, world):
    sign_in(client, world.osv)
    before, files = _counts(), _stored_files(app)
    for case, (content, name, message) in REFUSED_TYPES.items():
        response = _upload(client, world.entry_a.id, _plain_zip() if content is None else content, name)
        assert response.status_code == 200, case
        assert message in response.get_data(as_text=True), case
        assert _counts() == before and _stored_files(app) == files, case


def test_allowed_types_are_accepted_with_their_sniffed_media_type(app, client, world):
    sign_in(client, world.osv)
    docx = io.BytesIO()
    with zipfile.ZipFile(docx, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    for content, name, mime in (
        (PNG, "foto.png", "image/png"),
        (PDF, "zpráva.pdf", "application/pdf"),
        (docx.getvalue(), "zápis", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ):
        _upload(client, world.entry_a.id, content, name)
        attachment = db.session.query(Attachment).order_by(Attachment.id.desc()).first()
        assert attachment is not None and attachment.content_type == mime
        download = client.get(f"/prilohy/{attachment.id}")
        assert download.status_code == 200 and download.data == content
        assert download.headers["Content-Type"].startswith(mime)
        assert download.headers["X-Content-Type-Options"] == "nosniff"
        download.close()
    assert db.session.query(Attachment).filter_by(filename="zápis.docx").count() == 1


# --- file names ----------------------------------------------------------------------------------
NAMES = {
    "../../etc/passwd.png": "passwd.png",
    "/etc/passwd.png": "passwd.png",
    # In a multipart header a backslash escapes the next character, so a Windows path arrives
    # without its backslashes (browsers send the bare name anyway); see test_safe_filename too.
    "C:\\Windows\\System32\\evil.png": "C_WindowsSystem32evil.png",
    "a\x00b.png": "a_b.png",
    "CON.png": "CON.png",
    "....png": "png.png",
    "<script>alert(1)</script>.png": "script_.png",
    "zpráva 2025 – příloha č. 1 🙂.png": "zpráva 2025 – příloha č. 1 🙂.png",
    "x" * 300 + ".png": "x" * 196 + ".png",
}


def test_file_names_with_paths_and_markup_are_stored_and_shown_safely(app, client, world):
    sign_in(client, world.osv)
    before = set(_stored_files(app))  # other tests of the session may have left their files
    for sent, shown in NAMES.items():
        response = _upload(client, world.entry_a.id, PNG, sent)
        assert response.status_code == 200
        attachment = db.session.query(Attachment).order_by(Attachment.id.desc()).first()
        assert attachment.filename == shown, sent
        assert not re.search(r"[\\/\x00-\x1f]", attachment.filename)
        assert re.fullmatch(r"[0-9a-f]{48}", attachment.storage_name)
        download = client.get(f"/prilohy/{attachment.id}")
        disposition = download.headers["Content-Disposition"]
        assert disposition.startswith("attachment;") and "\r" not in disposition and "\n" not in disposition
        assert "/" not in disposition.split("filename", 1)[1].replace("filename*=UTF-8''", "")
        download.close()
    # Every file stored here is inside the storage folder under a generated name.
    stored = set(_stored_files(app)) - before
    assert len(stored) >= 1
    for path in stored:
        assert path.resolve().is_relative_to(_storage(app).resolve())
        assert re.fullmatch(r"[0-9a-f]{48}", path.name)
    page = client.get(f"/zaznamy/{world.entry_a.id}/upravit").get_data(as_text=True)
    assert "script_.png" in page and "<script>alert" not in page


@pytest.mark.parametrize(
    ("name", "safe"),
    [
        ("C:\\Windows\\System32\\evil.pdf", "evil.pdf"),
        ("..\\..\\boot.ini", "boot.ini"),
        ("../../etc/passwd", "passwd"),
        ("/", "priloha"),
        ("\x00\x01", "__"),
        ("..", "priloha"),
        ("e\u0301.pdf", "é.pdf"),
        ('"uvozovky" a | roura?.pdf', "_uvozovky_ a _ roura_.pdf"),
        ("řádek\r\nX-Header: 1.pdf", "řádek__X-Header_ 1.pdf"),
    ],
)
def test_safe_filename(name, safe):
    assert safe_filename(name) == safe


def test_plan_upload_names_are_reduced_to_a_safe_name(client, world):
    sign_in(client, world.secretary)
    for sent, shown in (
        ("../../etc/plan.csv", "plan.csv"),
        ("C:\\tmp\\pl\x00an.csv", "C_tmppl_an.csv"),
        (XSS + ".csv", None),
    ):
        response = client.post(
            "/import",
            data={"file": (io.BytesIO(csv_bytes(real_rows())), sent), **NEW_PLAN, "default_body": "OSV"},
            content_type="multipart/form-data",
        )
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        record = db.session.query(PlanImport).order_by(PlanImport.id.desc()).first()
        if shown:
            assert record.filename == shown
        assert not re.search(r"[\\/\x00-\x1f]", record.filename)
        page = client.get(f"/import/{record.id}").get_data(as_text=True)
        assert "<script>alert" not in page and "<img src=x" not in page


# --- XLSX bombs and endless tables ----------------------------------------------------------------
def _bomb(unpacked: int, members: int = 1) -> bytes:
    """A ZIP that looks like a workbook and unpacks to ``unpacked`` bytes of zeros (in ``members``
    files); a few hundred kB on disk."""
    buffer = io.BytesIO()
    chunk = b"\x00" * (1024 * 1024)
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        for index in range(members):
            with archive.open(f"xl/worksheets/sheet{index + 1}.xml", "w") as member:
                left = unpacked // members
                while left > 0:
                    member.write(chunk[: min(left, len(chunk))])
                    left -= len(chunk)
    return buffer.getvalue()


def test_an_xlsx_bomb_is_refused_from_its_directory(app):
    content = _bomb(60 * 1024 * 1024)  # over the default 50 MB
    assert len(content) < 1024 * 1024
    with pytest.raises(PlanImportError) as error:
        preview_import(content, "plan.xlsx")
    assert error.value.codes == ["too_large"]
    assert "je po rozbalení příliš velký: 60,1 MB, nejvýše lze 50 MB" in error.value.issues[0].message


def test_an_xlsx_of_very_many_members_is_refused(app):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for index in range(1001):
            archive.writestr(f"xl/media/{index}.bin", b"")
    with pytest.raises(PlanImportError) as error:
        preview_import(buffer.getvalue(), "plan.xlsx")
    assert error.value.codes == ["too_large"]
    assert "1001 vnitřních souborů" in error.value.issues[0].message


def test_the_unpacked_limit_follows_configuration_and_the_page_says_why(app, client, world, monkeypatch):
    monkeypatch.setitem(app.config, "IMPORT_MAX_UNCOMPRESSED_BYTES", 1024 * 1024)
    ensure_seed_bodies()
    db.session.commit()
    real = preview_import(REAL_XLSX.read_bytes(), "plan.xlsx", options=real_plan_options())
    assert real.total == 72  # the real plan fits
    sign_in(client, world.secretary)
    before = _counts()
    response = client.post(
        "/import",
        data={
            "file": (io.BytesIO(_bomb(3 * 1024 * 1024)), "plan.xlsx"),
            **NEW_PLAN,
            "default_body": "OSV",
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert "je po rozbalení příliš velký: 3,1 MB, nejvýše lze 1 MB" in response.get_data(as_text=True)
    assert _counts() == before


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_tables_over_the_row_limit_are_refused(app, monkeypatch, fmt):
    monkeypatch.setitem(app.config, "IMPORT_MAX_ROWS", 50)
    rows = real_rows()  # 72 activities + header
    content = csv_bytes(rows) if fmt == "csv" else xlsx_bytes(rows)
    before = row_counts()
    with pytest.raises(PlanImportError) as error:
        preview_import(content, f"plan.{fmt}")
    assert error.value.codes == ["too_many_rows"]
    assert "Tabulka má víc než 50 neprázdných řádků" in error.value.issues[0].message
    assert row_counts() == before
