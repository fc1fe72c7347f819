"""Issue 14, section 1: an activity's title and further attributes reach the contributor's form,
the review page, the report, every export, the JSON API and the published report — each cell
exactly as imported — and the secretary chooses per plan where each attribute shows."""

from __future__ import annotations

import csv
import io
import json

import attribute_fixtures
import pytest
from attribute_fixtures import CARDS, LABELS, Cards
from docx import Document
from markupsafe import escape
from openpyxl import load_workbook
from sqlalchemy import select
from support import login

from web.extensions import db
from workflow import closing, publishing
from workflow.attributes import set_hidden_attributes
from workflow.entries import apply_transition, save_draft
from workflow.errors import InvalidInput, PermissionDenied
from workflow.exports import czech_lines_html, czech_nbsp, neutralize_cell, render
from workflow.models import AuditEvent
from workflow.report import COLUMNS, DATA_EXTRA_COLUMNS, ReportContent, build_report

#: The report's columns for the cards plan: „Název“ after „Číslo“, the attributes after „Spolupráce“.
CARD_COLUMNS = [COLUMNS[0], "Název", *COLUMNS[1:], *LABELS]
HIDDEN_ON_FORM = "Zdroje financování"
HIDDEN_IN_REPORT = "Předpokládané náklady"

cards = attribute_fixtures.cards


def _expected(code: str, hidden: str = "") -> list[tuple[str, str]]:
    """``[(label, value), …]`` of card ``code`` in column order, without ``hidden``."""
    return [(k, v) for k, v in CARDS[code][2].items() if k != hidden]


def _cell(code: str, label: str) -> str:
    """The report cell of card ``code`` under attribute ``label`` (``""`` where the card lacks it)."""
    return CARDS[code][2].get(label, "")


def _submit(cards: Cards, code: str) -> None:
    entry = cards.entries[code]
    save_draft(entry, cards.contributor, {"text": "V roce 2026 bylo podpořeno 120 rodin.",
                                          "fulfilment_status": "ongoing"}, expected_version=entry.version)
    apply_transition(entry, "submit", cards.contributor)
    db.session.commit()


def _hide(cards: Cards) -> None:
    set_hidden_attributes(cards.plan, cards.secretary, shown={
        "form": [label for label in LABELS if label != HIDDEN_ON_FORM],
        "report": [label for label in LABELS if label != HIDDEN_IN_REPORT],
    })
    db.session.commit()


# ----------------------------------------------------------------------------- the report data


def test_the_report_carries_the_title_and_every_attribute_as_columns(cards):
    content = build_report(cards.round)
    assert content.column_labels == CARD_COLUMNS
    assert [c.key for c in content.columns][:3] == ["code", "title", "description"]
    assert {c.key for c in content.columns[-8:]} == {"attribute"}
    for row in content.rows:
        title, _description, extra = CARDS[row.code]
        assert row.title == title
        assert row.attributes == [{"label": k, "value": v} for k, v in extra.items()]
        assert row.cells(content.columns)[1] == title
        assert row.cells(content.columns)[-8:] == [_cell(row.code, label) for label in LABELS]
    # the snapshot's JSON keeps all of it
    again = ReportContent.from_dict(json.loads(json.dumps(content.to_dict())))
    assert again.columns == content.columns and again.rows == content.rows


def test_a_snapshot_from_before_the_attributes_prints_the_standard_columns(cards):
    data = build_report(cards.round).to_dict()
    del data["columns"], data["level_names"]
    for area in data["blocks"]:
        for goal in area["children"]:
            for row in goal["rows"]:
                del row["title"], row["attributes"]
    content = ReportContent.from_dict(data)
    assert content.column_labels == list(COLUMNS)
    assert content.data_header == ["Okruh", "Cíl", *COLUMNS, *DATA_EXTRA_COLUMNS]


# ----------------------------------------------------------------------------- every export


def test_csv_and_xlsx_hold_every_attribute_cell_exactly(cards):
    content = build_report(cards.round)
    header = ["Oblast", "Priorita", *CARD_COLUMNS, *DATA_EXTRA_COLUMNS]  # the plan's levels
    raw = render(content, "csv").decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(raw, newline=""), delimiter=";"))
    assert rows[0] == header
    sheet = load_workbook(io.BytesIO(render(content, "xlsx")))["Plnění"]
    cells = [[c.value if c.value is not None else "" for c in r] for r in sheet.iter_rows()]
    assert cells[0] == header
    assert [r[2] for r in rows[1:]] == [r[2] for r in cells[1:]] == list(CARDS)
    for csv_row, xlsx_row in zip(rows[1:], cells[1:], strict=True):
        code = csv_row[2]
        assert csv_row[3] == xlsx_row[3] == CARDS[code][0]
        for label in LABELS:
            col = header.index(label)
            # CSV: exact, except that a value a spreadsheet would evaluate gets its apostrophe
            assert csv_row[col] == neutralize_cell(_cell(code, label)), (code, label)
            # XLSX: exactly as typed (a formula-like value is marked as text, not changed)
            assert xlsx_row[col] == _cell(code, label), (code, label)
    assert rows[1][header.index("Kapacita")] == "'+20 lůžek <odhad> & 3 úvazky"
    kapacita = sheet.cell(row=3, column=header.index("Kapacita") + 1)
    assert kapacita.value == "=2*3" and kapacita.data_type == "s" and kapacita.quotePrefix


def test_docx_has_the_title_and_attribute_columns_cell_by_cell(cards):
    document = Document(io.BytesIO(render(build_report(cards.round), "docx")))
    (table,) = [t for t in document.tables if len(t.rows) and t.rows[0].cells[0].text == "Číslo"]
    header = [c.text for c in table.rows[0].cells]
    assert header == [czech_nbsp(label) for label in CARD_COLUMNS]
    header = CARD_COLUMNS
    for row in table.rows[1:]:
        texts = [c.text for c in row.cells]
        code = texts[0]
        assert texts[1] == czech_nbsp(CARDS[code][0])
        for label in LABELS:
            # the report's typography: a non-breaking space after one-letter prepositions
            assert texts[header.index(label)] == czech_nbsp(_cell(code, label)), (code, label)
    section = document.sections[0]
    widths = [c.width for c in table.columns]
    assert abs(sum(widths) - (section.page_width - section.left_margin - section.right_margin)) < 360 * 20


def test_html_export_and_report_page_have_the_title_and_attribute_cells(cards, client):
    content = build_report(cards.round)
    html = render(content, "html").decode("utf-8")
    login(client, cards.secretary)
    page = client.get(f"/kola/{cards.round.id}/zprava").get_data(as_text=True)
    for document in (html, page):
        header = "".join(f'<th scope="col">{escape(label)}</th>' for label in CARD_COLUMNS)
        assert f"<thead><tr>{header}</tr></thead>" in document
        for code, (title, _description, _extra) in CARDS.items():
            row = document.split(f'<tr id="aktivita-{code}">')[1].split("</tr>")[0]
            assert f'<td class="activity-title">{czech_lines_html(title)}</td>' in row
            cells = [f"<td>{czech_lines_html(_cell(code, label))}</td>" for label in LABELS]
            assert row.rstrip().endswith("\n        ".join(cells)), code
    assert "&lt;odhad&gt; &amp; 3 úvazky" in html and "<odhad>" not in html


# ----------------------------------------------------------------------------- form, review, API


def _context_box(page: str) -> str:
    """The read-only activity context of an entry or review page."""
    return page.split('class="card mb-3 activity-context"')[1].split("</dl>")[0]


def _attribute_pairs(box: str) -> list[tuple[str, str]]:
    pairs = []
    for chunk in box.split("<dt>")[5:]:  # after the four plan fields
        label, rest = chunk.split("</dt>")
        value = rest.split('<dd class="prose activity-attribute">')[1].split("</dd>")[0]
        pairs.append((label, value))
    return pairs


def test_entry_form_and_review_page_show_title_and_attributes_exactly(cards, client, app):
    code = "1.1.1"
    entry = cards.entries[code]
    login(client, cards.contributor)
    form = client.get(f"/zaznamy/{entry.id}/upravit").get_data(as_text=True)
    # the context comes before the answer fields
    assert form.index("activity-context") < form.index('id="entry-form"')
    expected = [(str(escape(k)), str(escape(v))) for k, v in _expected(code)]
    box = _context_box(form)
    assert f'<p class="fw-semibold mb-1 activity-title">{escape(CARDS[code][0])}</p>' in box
    assert _attribute_pairs(box) == expected
    with app.test_request_context("/"):
        _submit(cards, code)
    client.post("/odhlaseni")
    login(client, cards.reviewer)
    review = client.get(f"/kontrola/{entry.id}")
    assert review.status_code == 200
    box = _context_box(review.get_data(as_text=True))
    assert escape(CARDS[code][0]) in box
    assert _attribute_pairs(box) == expected


def test_api_gives_title_and_attributes_in_column_order(cards, client):
    login(client, cards.secretary)
    data = client.get(f"/api/v1/plans/{cards.plan.id}/activities").get_json()
    by_code = {a["code"]: a for a in data["activities"]}
    for code, (title, description, extra) in CARDS.items():
        assert by_code[code]["title"] == title
        assert by_code[code]["description"] == description
        assert by_code[code]["attributes"] == [{"label": k, "value": v} for k, v in extra.items()]
        assert list(by_code[code]["extra"].items()) == list(extra.items())
    report = client.get(f"/api/v1/rounds/{cards.round.id}/report").get_json()
    assert report["columns"] == CARD_COLUMNS
    rows = [r for a in report["blocks"] for g in a["children"] for r in g["rows"]]
    assert [r["attributes"] for r in rows] == [
        [{"label": k, "value": v} for k, v in CARDS[code][2].items()] for code in CARDS
    ]


# ----------------------------------------------------------------------------- the secretary's choice


def test_the_settings_page_lists_attributes_and_saves_the_choice_audited(cards, client):
    login(client, cards.secretary)
    page = client.get(f"/plany/{cards.plan.id}/atributy")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert [text.index(f">{escape(label)}</th>") for label in LABELS] == sorted(
        text.index(f">{escape(label)}</th>") for label in LABELS
    )
    assert text.count(" checked") == 2 * len(LABELS)  # the default shows everything
    response = client.post(f"/plany/{cards.plan.id}/atributy", data={
        "on_form": [label for label in LABELS if label != HIDDEN_ON_FORM],
        "in_report": [label for label in LABELS if label != HIDDEN_IN_REPORT],
    })
    assert response.status_code == 302
    db.session.refresh(cards.plan)
    assert cards.plan.hidden_attributes == {"form": [HIDDEN_ON_FORM], "report": [HIDDEN_IN_REPORT]}
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.kind == "plan_attributes_changed")
    ).one()
    assert event.actor_id == cards.secretary.id
    assert event.details["after"] == {"form": [HIDDEN_ON_FORM], "report": [HIDDEN_IN_REPORT]}
    assert event.details["before"] == {"form": [], "report": []}
    again = client.get(f"/plany/{cards.plan.id}/atributy").get_data(as_text=True)
    assert again.count(" checked") == 2 * len(LABELS) - 2


def test_an_unknown_label_is_refused_and_nothing_is_stored(cards, client):
    login(client, cards.secretary)
    response = client.post(f"/plany/{cards.plan.id}/atributy",
                           data={"on_form": ["Neexistující sloupec"], "in_report": LABELS})
    assert response.status_code == 400
    assert "Neexistující sloupec" in response.get_data(as_text=True)
    db.session.refresh(cards.plan)
    assert cards.plan.hidden_attributes == {}
    with pytest.raises(InvalidInput):
        set_hidden_attributes(cards.plan, cards.secretary, shown={"report": ["Neexistující sloupec"]})
    with pytest.raises(InvalidInput):
        set_hidden_attributes(cards.plan, cards.secretary, shown={"tisk": LABELS})


@pytest.mark.parametrize("role", ["contributor", "reviewer"])
def test_only_secretary_or_admin_may_choose(cards, client, role):
    user = getattr(cards, role)
    login(client, user)
    assert client.get(f"/plany/{cards.plan.id}/atributy").status_code == 403
    assert client.post(f"/plany/{cards.plan.id}/atributy", data={"in_report": []}).status_code == 403
    with pytest.raises(PermissionDenied):
        set_hidden_attributes(cards.plan, user, shown={"report": []})
    assert cards.plan.hidden_attributes == {}
    plan_page = client.get(f"/plany/{cards.plan.id}").get_data(as_text=True)
    assert f"/plany/{cards.plan.id}/atributy" not in plan_page


def test_hiding_removes_an_attribute_from_exactly_the_chosen_places(cards, client, app):
    code = "1.1.1"
    entry = cards.entries[code]
    with app.test_request_context("/"):
        _hide(cards)
    on_form = [(str(escape(k)), str(escape(v))) for k, v in _expected(code, HIDDEN_ON_FORM)]
    in_report = [k for k in LABELS if k != HIDDEN_IN_REPORT]
    hidden_value = CARDS[code][2][HIDDEN_IN_REPORT]

    # the form and the review page: without „Zdroje financování“, with „Předpokládané náklady“
    login(client, cards.contributor)
    form = client.get(f"/zaznamy/{entry.id}/upravit").get_data(as_text=True)
    assert _attribute_pairs(_context_box(form)) == on_form
    with app.test_request_context("/"):
        _submit(cards, code)
    client.post("/odhlaseni")
    login(client, cards.reviewer)
    review = client.get(f"/kontrola/{entry.id}").get_data(as_text=True)
    assert _attribute_pairs(_context_box(review)) == on_form
    client.post("/odhlaseni")

    # the report, every export and the API: without „Předpokládané náklady“
    content = build_report(cards.round)
    assert content.column_labels == [COLUMNS[0], "Název", *COLUMNS[1:], *in_report]
    login(client, cards.secretary)
    page = client.get(f"/kola/{cards.round.id}/zprava").get_data(as_text=True)
    files = {
        fmt: client.get(f"/kola/{cards.round.id}/zprava.{fmt}").data
        for fmt in ("csv", "xlsx", "docx", "html")
    }
    header_csv = next(csv.reader(io.StringIO(files["csv"].decode("utf-8-sig")), delimiter=";"))
    assert header_csv == ["Oblast", "Priorita", *content.column_labels, *DATA_EXTRA_COLUMNS]
    sheet = load_workbook(io.BytesIO(files["xlsx"]))["Plnění"]
    assert [c.value for c in sheet[1]] == header_csv
    tables = Document(io.BytesIO(files["docx"])).tables
    docx_text = "\n".join(c.text for t in tables for r in t.rows for c in r.cells)
    flat_value = czech_nbsp(hidden_value)
    for document in (page, files["csv"].decode("utf-8-sig"), files["html"].decode("utf-8"), docx_text):
        assert HIDDEN_IN_REPORT not in document
        assert hidden_value.split("\n")[0] not in document and flat_value.split("\n")[0] not in document
        assert HIDDEN_ON_FORM in document  # hidden on the form only: still in the report
    api = client.get(f"/api/v1/plans/{cards.plan.id}/activities").get_json()
    attributes = {a["code"]: a["attributes"] for a in api["activities"]}
    assert [a["label"] for a in attributes[code]] == in_report
    assert HIDDEN_IN_REPORT not in api["activities"][0]["extra"]
    report_json = client.get(f"/api/v1/rounds/{cards.round.id}/report").get_data(as_text=True)
    assert HIDDEN_IN_REPORT not in report_json and HIDDEN_ON_FORM in report_json

    # the plan page shows the plan as it is: every attribute, marked where it is hidden
    plan_page = client.get(f"/plany/{cards.plan.id}").get_data(as_text=True)
    assert HIDDEN_IN_REPORT in plan_page and HIDDEN_ON_FORM in plan_page
    assert "skryto ve zprávě" in plan_page and "skryto ve formuláři" in plan_page
    assert escape(hidden_value) in plan_page


def test_the_plan_page_shows_title_and_attributes_in_column_order(cards, client):
    login(client, cards.contributor)
    page = client.get(f"/plany/{cards.plan.id}").get_data(as_text=True)
    row = page.split('id="aktivita-1.1.1"')[1].split("</tr>")[0]
    assert f'<strong class="activity-title d-block mb-1">{escape(CARDS["1.1.1"][0])}</strong>' in row
    positions = [row.index(f"<dt>{escape(label)}") for label in LABELS]
    assert positions == sorted(positions)
    for label in LABELS:
        assert f'<dd class="prose">{escape(CARDS["1.1.1"][2][label])}</dd>' in row


# ----------------------------------------------------------------------------- the published report


def test_the_published_report_carries_title_and_attributes(cards, client, app):
    with app.test_request_context("/"):
        _hide(cards)
        closing.waive_remaining(cards.round, cards.secretary, "Subjekt plnění nedodal.")
        closing.fill_missing_texts(cards.round, cards.secretary, "Za sledované období nevykázáno.")
        closing.close_with_snapshot(cards.round, cards.secretary)
        publishing.publish(cards.round, cards.secretary)
        db.session.commit()
        # a change after closing does not rewrite the closed round's report (its snapshot)
        set_hidden_attributes(cards.plan, cards.secretary, shown={})
        db.session.commit()
    in_report = [k for k in LABELS if k != HIDDEN_IN_REPORT]
    page = client.get(f"/zpravy/{cards.round.id}").get_data(as_text=True)
    labels = [COLUMNS[0], "Název", *COLUMNS[1:], *in_report]
    header = "".join(f'<th scope="col">{escape(label)}</th>' for label in labels)
    assert header in page
    assert f'<td class="activity-title">{czech_lines_html(CARDS["1.1.1"][0])}</td>' in page
    data = json.loads(client.get(f"/zpravy/{cards.round.id}/data.json").data)
    rows = [r for a in data["blocks"] for g in a["blocks"] for r in g["activities"]]
    assert [r["title"] for r in rows] == [CARDS[c][0] for c in CARDS]
    expected = _expected("1.1.1", HIDDEN_IN_REPORT)
    assert rows[0]["attributes"] == [{"label": k, "value": v} for k, v in expected]
    public_csv = client.get(f"/zpravy/{cards.round.id}/data.csv").data.decode("utf-8-sig")
    assert next(csv.reader(io.StringIO(public_csv), delimiter=";"))[3:5] == ["Název", "Popis dílčí aktivity"]
    assert HIDDEN_IN_REPORT not in public_csv
    sheet = load_workbook(io.BytesIO(client.get(f"/zpravy/{cards.round.id}/zprava.xlsx").data))["Plnění"]
    assert [c.value for c in sheet[1]][-3 - len(in_report):-3] == in_report
