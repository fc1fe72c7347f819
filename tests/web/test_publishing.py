"""Publishing a closed round's report (issue 18): who sees what without signing in, every public
format free of anything internal, withdrawing with a reason, and who may publish."""

from __future__ import annotations

import io
import json

import pytest
import report_fixtures as fixtures
from docx import Document
from openpyxl import load_workbook
from pypdf import PdfReader
from report_fixtures import imported_round, plain
from sqlalchemy import select
from support import login

from web.extensions import db
from workflow import closing, publishing
from workflow.entries import add_comment, apply_transition, save_draft, set_assessment, store_attachment
from workflow.errors import DomainError
from workflow.models import Activity, Entry, RoundEvent
from workflow.states import Role

ctx, opened, people = fixtures.ctx, fixtures.opened, fixtures.people

PUBLIC_TEXT = "V roce 2026 komise zasedala pětkrát; zápisy jsou zveřejněny na webu kraje."
CONTRIBUTOR_NAME = "Bohumila Utajená"
CONTRIBUTOR_EMAIL = "bohumila.utajena@kraj-lbc.cz"
REVIEWER_NAME = "Radoslav Skrytý"
INTERNAL_COMMENT = "Interní poznámka: odbor tuto aktivitu loni vůbec neřešil (HLIDKA-7431)."
VISIBLE_COMMENT = "Doplňte prosím počet zasedání (HLIDKA-2288)."
HIDDEN_ASSESSMENT = "Neveřejné hodnocení: text je slabý (HLIDKA-5512)."
ATTACHMENT_NAME = "zapis-komise-HLIDKA-8841.pdf"
#: Nothing of these may appear in any public format.
INTERNAL = (
    CONTRIBUTOR_NAME, CONTRIBUTOR_EMAIL, REVIEWER_NAME, "HLIDKA-", ATTACHMENT_NAME,
    "tajemnik@kraj-lbc.cz", "Utajen", "Skryt",
)


@pytest.fixture
def closed(opened, people, make_user, tmp_path):
    """The real plan's round with one approved answer (internal comment, visible comment,
    unpublished assessment, attachment) and everything else waived, closed with its snapshot."""
    round_ = opened
    author = make_user(CONTRIBUTOR_EMAIL, roles=[Role.contributor], name=CONTRIBUTOR_NAME,
                       bodies=[b.abbreviation for b in people.body.bodies])
    reviewer = people.reviewer
    reviewer.name = REVIEWER_NAME
    entry = db.session.scalars(
        select(Entry).join(Activity).where(Entry.round_id == round_.id)
        .order_by(Activity.sort_key, Entry.body_id)
    ).first()
    answer = {"text": PUBLIC_TEXT, "fulfilment_status": "done"}
    save_draft(entry, author, answer, expected_version=entry.version)
    store_attachment(entry, author, ATTACHMENT_NAME, io.BytesIO(b"%PDF-1.4\n%HLIDKA-8841\n%%EOF\n"), tmp_path)
    apply_transition(entry, "submit", author)
    add_comment(entry, reviewer, INTERNAL_COMMENT, internal=True)
    add_comment(entry, reviewer, VISIBLE_COMMENT)
    set_assessment(entry, reviewer, HIDDEN_ASSESSMENT, public=False)
    apply_transition(entry, "approve", reviewer)
    closing.waive_remaining(round_, people.secretary, "Subjekt plnění nedodal.")
    closing.fill_missing_texts(round_, people.secretary, "Za sledované období nevykázáno.")
    closing.close_with_snapshot(round_, people.secretary)
    db.session.commit()
    return round_


def _public_texts(client, round_id: int) -> dict[str, str]:
    """Every public format of the round's report as plain text."""
    texts: dict[str, str] = {}
    page = client.get(f"/zpravy/{round_id}")
    assert page.status_code == 200
    texts["page"] = page.get_data(as_text=True)
    docx = client.get(f"/zpravy/{round_id}/zprava.docx")
    assert docx.status_code == 200
    document = Document(io.BytesIO(docx.data))
    texts["docx"] = "\n".join(
        [p.text for p in document.paragraphs]
        + [c.text for t in document.tables for r in t.rows for c in r.cells]
    )
    pdf = client.get(f"/zpravy/{round_id}/zprava.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    texts["pdf"] = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages)
    xlsx = client.get(f"/zpravy/{round_id}/zprava.xlsx")
    assert xlsx.status_code == 200
    book = load_workbook(io.BytesIO(xlsx.data), read_only=True)
    texts["xlsx"] = "\n".join(
        str(v) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for v in row if v
    )
    for name in ("data.csv", "data.json", "metadata.json"):
        response = client.get(f"/zpravy/{round_id}/{name}")
        assert response.status_code == 200, name
        texts[name] = response.data.decode("utf-8-sig")
    return texts


def test_anonymous_sees_exactly_the_published_rounds_and_nothing_internal(app, client, closed, people):
    round_ = closed
    other = imported_round()  # closed too, never published
    assert client.get("/zpravy").status_code == 200
    assert client.get(f"/zpravy/{round_.id}").status_code == 404  # not yet published
    assert round_.title not in client.get("/zpravy").get_data(as_text=True)

    secretary = app.test_client()
    login(secretary, people.secretary)
    assert secretary.post(f"/kola/{round_.id}/zverejneni", data={"confirm": "y"}).status_code == 302

    listing = client.get("/zpravy").get_data(as_text=True)
    assert f'href="/zpravy/{round_.id}"' in listing and f'href="/zpravy/{other.id}"' not in listing
    for path in ("", "/zprava.pdf", "/data.csv", "/data.json", "/metadata.json"):
        assert client.get(f"/zpravy/{other.id}{path}").status_code == 404, path
    assert client.get(f"/zpravy/{round_.id}/zprava.html").status_code == 404  # only the listed formats

    texts = _public_texts(client, round_.id)
    for fmt, text in texts.items():
        if fmt != "metadata.json":
            assert PUBLIC_TEXT in plain(text), fmt  # the report itself is there …
        for secret in INTERNAL:
            assert secret not in text, (fmt, secret)  # … and nothing internal
    data = json.loads(texts["data.json"])
    rows = [a for area in data["blocks"] for g in area["blocks"] for a in g["activities"]]
    assert len(rows) == texts["page"].count('id="aktivita-') > 60
    assert set(rows[0]) == set(publishing.PUBLIC_ROW_FIELDS)
    assert data["period_start"] == "2026-01-01" and data["published_on"]
    record = json.loads(texts["metadata.json"])
    assert record["@type"] == "dcat:Dataset" and record["dct:publisher"]["foaf:name"] == "Liberecký kraj"
    assert record["dct:license"]["@id"].startswith("https://creativecommons.org/")
    assert record["dct:temporal"]["dcat:startDate"] == "2026-01-01"
    assert record["dct:issued"] == data["published_on"]
    assert {d["dct:title"] for d in record["dcat:distribution"]} == {"DOCX", "PDF", "XLSX", "CSV", "JSON"}
    csv_header = texts["data.csv"].splitlines()[0]
    assert csv_header.startswith("Okruh;Cíl;Číslo")


def test_withdrawing_needs_a_reason_hides_the_report_and_is_recorded(app, client, closed, people):
    round_ = closed
    secretary = app.test_client()
    login(secretary, people.secretary)
    secretary.post(f"/kola/{round_.id}/zverejneni", data={"confirm": "y"})
    assert client.get(f"/zpravy/{round_.id}").status_code == 200

    secretary.post(f"/kola/{round_.id}/zverejneni/zrusit", data={"reason": "  "})
    assert client.get(f"/zpravy/{round_.id}").status_code == 200  # no reason: still public
    response = secretary.post(f"/kola/{round_.id}/zverejneni/zrusit", data={"reason": "Chyba v tabulce A1."},
                              follow_redirects=True)
    assert "Zveřejnění zprávy je zrušeno." in response.get_data(as_text=True)
    assert client.get(f"/zpravy/{round_.id}").status_code == 404
    assert client.get(f"/zpravy/{round_.id}/data.json").status_code == 404
    assert f"/zpravy/{round_.id}" not in client.get("/zpravy").get_data(as_text=True)
    events = db.session.scalars(
        select(RoundEvent)
        .where(RoundEvent.round_id == round_.id, RoundEvent.action.in_(["published", "unpublished"]))
        .order_by(RoundEvent.id)
    ).all()
    assert [(e.action, e.actor_id, e.comment) for e in events] == [
        ("published", people.secretary.id, ""),
        ("unpublished", people.secretary.id, "Chyba v tabulce A1."),
    ]
    secretary.post(f"/kola/{round_.id}/zverejneni", data={"confirm": "y"})  # publishing again works
    assert client.get(f"/zpravy/{round_.id}").status_code == 200


def test_only_the_secretary_publishes_and_only_closed_rounds(app, opened, people, ctx):
    for user in (people.reviewer, people.admin, people.body):
        other = app.test_client()
        login(other, user)
        assert other.post(f"/kola/{opened.id}/zverejneni", data={"confirm": "y"}).status_code == 403
    with pytest.raises(DomainError) as refused:
        publishing.publish(opened, people.secretary)  # open round: nothing frozen to publish
    assert "uzavřeného kola" in str(refused.value.message)
    assert publishing.current_publication(opened.id) is None
