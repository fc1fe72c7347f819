"""Markup and formulas typed into an answer are inert everywhere the answer goes: escaped in the
entry page, its history, the review queue, the report page and its HTML export and the HTML part
of e-mails; literal text in DOCX (re-read with python-docx) and PDF (pypdf); neutralised in
CSV and XLSX. The answer travels the real way: typed in the form, returned with a reason,
resubmitted, approved and consolidated."""

from __future__ import annotations

import csv
import email
import email.policy
import io
import re
from pathlib import Path

import pytest
from badinput_helpers import XSS, sign_in
from docx import Document
from openpyxl import load_workbook
from pypdf import PdfReader

from web.extensions import db
from workflow.consolidation import consolidate_round
from workflow.exports import neutralize_cell, render
from workflow.models import Entry, EntryComment, OutboxMessage, ReportingRound, User
from workflow.report import build_report

ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;"
FORMULA = '=HYPERLINK("http://zlo.example";"klik")'
ANSWER = f"{FORMULA}\nProběhla 4 zasedání. {XSS}"
RAW = ("<script>alert(1)", "<img src=x")


def _assert_escaped(html: str, where: str) -> None:
    for raw in RAW:
        assert raw not in html, f"{where}: raw markup {raw!r}"
    assert ESCAPED in html, f"{where}: escaped answer missing"


@pytest.fixture
def flow(app, client, world):
    """The answer typed by OSV, returned with a reason by the reviewer, resubmitted, approved
    and consolidated; ``pages`` holds what each role saw on the way."""
    pages: dict[str, str] = {}
    entry_id = world.entry_a.id
    sign_in(client, world.osv)

    def version() -> str:
        entry = db.session.get(Entry, entry_id)
        db.session.refresh(entry)
        return str(entry.version)

    response = client.post(
        f"/zaznamy/{entry_id}/upravit",
        data={
            "fulfilment_status": "done",
            "text": ANSWER,
            "problems": XSS,
            "cooperation_text": XSS,
            "indicator_number": "12",
            "indicator_unit": "<b>ks</b>",
            "indicator_as_of": "2025-12-31",
            "version": version(),
            "action": "submit",
        },
    )
    assert response.status_code == 302, re.findall(
        r"(?:invalid-feedback[^>]*>|<li>)(.*?)<", response.get_data(as_text=True)
    )
    client.post(f"/zaznamy/{entry_id}/komentare", data={"text": XSS})
    client.post(f"/zaznamy/{entry_id}/odkazy", data={"url": "https://example.org/?q=<x>", "label": XSS})
    pages["detail (body)"] = client.get(f"/zaznamy/{entry_id}").get_data(as_text=True)
    pages["history"] = client.get(f"/zaznamy/{entry_id}/historie").get_data(as_text=True)
    client.post("/odhlaseni")

    sign_in(client, world.reviewer)
    pages["review queue"] = client.get("/kontrola").get_data(as_text=True)
    pages["review page"] = client.get(f"/kontrola/{entry_id}").get_data(as_text=True)
    response = client.post(f"/zaznamy/{entry_id}/akce/send_back", data={"comment": XSS, "version": version()})
    assert response.status_code == 302
    client.post("/odhlaseni")

    sign_in(client, world.osv)
    pages["edit (returned)"] = client.get(f"/zaznamy/{entry_id}/upravit").get_data(as_text=True)
    response = client.post(
        f"/zaznamy/{entry_id}/upravit",
        data={"fulfilment_status": "done", "text": ANSWER, "version": version(), "action": "submit"},
    )
    assert response.status_code == 302
    client.post("/odhlaseni")

    sign_in(client, world.reviewer)
    assert client.post(f"/zaznamy/{entry_id}/akce/approve", data={"version": version()}).status_code == 302
    client.post("/odhlaseni")

    round_ = db.session.get(ReportingRound, world.round.id)
    consolidate_round(round_, db.session.get(User, world.secretary.id))
    db.session.commit()
    sign_in(client, world.secretary)
    pages["report page"] = client.get(f"/kola/{round_.id}/zprava").get_data(as_text=True)
    return {"pages": pages, "round": round_, "entry_id": entry_id}


def test_markup_and_formulas_in_an_answer_are_inert_everywhere(app, flow):
    """One journey, every place the answer reaches (one test: the journey is the slow part)."""
    _pages_escape_the_answer(flow)
    _email_html_part_escapes_the_reason_and_the_text_part_keeps_it(app, flow)
    _report_exports_keep_the_answer_as_inert_text(app, flow)


def _pages_escape_the_answer(flow):
    for where, html in flow["pages"].items():
        if where == "review queue":  # the queue lists entries, not their texts
            assert not any(raw in html for raw in RAW)
            continue
        _assert_escaped(html, where)
    assert "&lt;b&gt;ks&lt;/b&gt;" in flow["pages"]["detail (body)"]
    comment = db.session.query(EntryComment).filter_by(entry_id=flow["entry_id"]).first()
    assert comment is not None and comment.text == XSS  # stored as typed, escaped when shown


def test_links_other_than_http_are_refused(client, world):
    sign_in(client, world.osv)
    for url in (
        "javascript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "file:///etc/passwd",
        "//x",
    ):
        page = client.post(
            f"/zaznamy/{world.entry_a.id}/odkazy", data={"url": url, "label": "x"}, follow_redirects=True
        ).get_data(as_text=True)
        assert 'href="javascript:' not in page and 'href="data:' not in page and 'href="file:' not in page
    assert db.session.get(Entry, world.entry_a.id).links == []


def _email_html_part_escapes_the_reason_and_the_text_part_keeps_it(app, flow):
    from notifications import outbox

    message = db.session.query(OutboxMessage).filter_by(kind="entry_returned").first()
    assert message is not None
    assert outbox.deliver(message.id) == "sent"
    eml = max(Path(app.config["MAIL_OUTBOX_DIR"]).glob("*.eml"), key=lambda p: p.stat().st_mtime)
    parsed = email.message_from_bytes(eml.read_bytes(), policy=email.policy.default)
    html = parsed.get_body(preferencelist=("html",)).get_content()
    text = parsed.get_body(preferencelist=("plain",)).get_content()
    _assert_escaped(html, "e-mail HTML")
    assert XSS in text  # plain text shows exactly what was typed


def _report_exports_keep_the_answer_as_inert_text(app, flow):
    content = build_report(flow["round"])
    row = next(r for r in content.rows if r.code == "A1.1")
    assert row.fulfilment == ANSWER
    with app.test_request_context("/"):
        html = render(content, "html").decode("utf-8")
        _assert_escaped(html, "report HTML")

        document = Document(io.BytesIO(render(content, "docx")))
        cells = "\n".join(c.text for t in document.tables for r in t.rows for c in r.cells)
        assert XSS in cells.replace("\u00a0", " ")  # literal text, not markup

        pdf = PdfReader(io.BytesIO(render(content, "pdf")))
        squashed = re.sub(r"\s+", "", "".join(page.extract_text() for page in pdf.pages))
        assert re.sub(r"\s+", "", XSS) in squashed

        rows = list(csv.reader(io.StringIO(render(content, "csv").decode("utf-8-sig")), delimiter=";"))
        cells_csv = [cell for r in rows for cell in r if "HYPERLINK" in cell]
        assert cells_csv and all(cell.startswith("'=") for cell in cells_csv)

        sheet = load_workbook(io.BytesIO(render(content, "xlsx")))["Plnění"]
        hits = [
            c for r in sheet.iter_rows() for c in r if isinstance(c.value, str) and "HYPERLINK" in c.value
        ]
        assert hits and all(c.value.startswith("=") and c.data_type == "s" and c.quotePrefix for c in hits)
        assert all(c.data_type != "f" for r in sheet.iter_rows() for c in r)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+420 123", "'+420 123"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("Obce a =NNO", "Obce a =NNO"),
        ("---------", "---------"),
        ("-", "-"),
        ("<script>", "<script>"),
    ],
)
def test_formula_prefixes_are_neutralised(value, expected):
    assert neutralize_cell(value) == expected
