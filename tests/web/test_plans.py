"""Plan list and plan page: content, access, filters and a constant number of SQL statements."""

from __future__ import annotations

import re
from datetime import date
from html import unescape

import pytest
from flask import url_for
from plan_fixtures import make_bodies, make_plan
from support import count_statements, login

from web.extensions import db
from web.views.plans import deadline_summary
from workflow.models import Activity
from workflow.states import Role


@pytest.fixture
def reader_client(client, make_user):
    """A client signed in as a commission member (may read plans, may not import)."""
    user = make_user("komise@kraj-lbc.cz", roles=[Role.commission])
    assert login(client, user).status_code == 302
    return client


def text_of(response) -> str:
    """The page as plain text: tags dropped, entities decoded, whitespace collapsed."""
    html = response.get_data(as_text=True)
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html))).strip()


def row_html(response, code: str) -> str:
    """The HTML of the table row of activity ``code``."""
    html = response.get_data(as_text=True)
    match = re.search(rf'<tr id="aktivita-{re.escape(code)}".*?</tr>', html, flags=re.S)
    assert match, f"no row for {code}"
    return match.group(0)


def row_text(response, code: str) -> str:
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", row_html(response, code)))).strip()


# ------------------------------------------------------------------------------------ access


def test_anonymous_is_sent_to_sign_in(client):
    for url in ("/plany", "/plany/1"):
        response = client.get(url)
        assert response.status_code == 302
        assert "/prihlaseni" in response.headers["Location"]


def test_unknown_plan_is_404(reader_client):
    assert reader_client.get("/plany/999").status_code == 404


# ------------------------------------------------------------------------------- plan list


def import_url(app) -> str:
    with app.test_request_context():
        return url_for("imports.new_import")


def test_plan_list_empty_state_for_reader_has_no_import_link(app, reader_client):
    response = reader_client.get("/plany")
    assert response.status_code == 200
    page = text_of(response)
    assert "Zatím zde není žádný plán" in page
    assert "Požádejte o to tajemníka nebo správce" in page
    assert f'href="{import_url(app)}"' not in response.get_data(as_text=True)


def test_plan_list_empty_state_offers_import_to_admin(admin_client, app):
    response = admin_client.get("/plany")
    main = response.get_data(as_text=True).split('id="obsah"')[1]
    assert "Zatím zde není žádný plán" in text_of(response)
    assert f'href="{import_url(app)}"' in main


def test_plan_list_shows_counts(reader_client):
    plan = make_plan(4)
    response = reader_client.get("/plany")
    assert response.status_code == 200
    page = text_of(response)
    assert "Akční plán" in page and "Strategie sociálního začleňování Libereckého kraje 2021+" in page
    assert "období 2024–2025" in page
    # 2 areas, 2 goals, 4 + 3 activities, 1 to review (routed to OSV)
    # the plan's level names only where they differ from the label: no „Okruhy (Okruh)“ (issue 16)
    assert re.search(r"Okruh 2 Cíl 2 Aktivita 7 K revizi 1", page), page
    assert "přiděleno výchozímu subjektu OSV" in page
    assert f'href="/plany/{plan.id}"' in response.get_data(as_text=True)


def test_plan_list_statements_do_not_grow_with_plans(reader_client):
    bodies = make_bodies()
    make_plan(3, bodies=bodies, title="První")
    reader_client.get("/plany")  # warm-up (user loading)
    db.session.expunge_all()
    with count_statements() as one_plan:
        reader_client.get("/plany")
    make_plan(5, bodies=_bodies(), title="Druhý")
    db.session.expunge_all()
    with count_statements() as two_plans:
        response = reader_client.get("/plany")
    assert "Druhý" in text_of(response) and "První" in text_of(response)
    assert len(one_plan) == len(two_plans)


def _bodies() -> dict:
    from sqlalchemy import select

    from workflow.models import Body

    return {b.abbreviation: b for b in db.session.scalars(select(Body))}


# ------------------------------------------------------------------------------- plan page


def test_plan_page_shows_hierarchy_and_every_field(reader_client):
    plan = make_plan(2)
    response = reader_client.get(f"/plany/{plan.id}")
    assert response.status_code == 200
    page = text_of(response)
    # header: strategy, period, level names, default body, abbreviations count
    assert "Strategie sociálního začleňování Libereckého kraje 2021+" in page
    assert "Okruh / Cíl / Aktivita" in page
    assert "OSV Odbor sociálních věcí" in page
    assert "Seznam zkratek (4)" in page
    # hierarchy with the plan's own level names; B1 has no title: only its code
    assert "Okruh A: Systémová opatření" in page
    assert "Cíl A1: Mezioborová spolupráce" in page
    assert re.search(r"Cíl B1 (?!:)", page)
    # the footnote mark glued to the intro's last word is a superscript (issue 16)
    assert "Úvod okruhu A<sup>1</sup>" in response.get_data(as_text=True)
    assert "Poznámka pod čarou k okruhu A" in page
    assert "Komentář Komentář k cíli A1" in page
    assert (
        "Koordinace s dalšími aktivitami ostatních strategií Plán protidrogové politiky LK oblast 5.2."
        in page
    )
    # activity fields
    a12 = row_text(response, "A1.2")
    assert "Popis aktivity A1.2" in a12 and "Indikátor A1.2" in a12
    assert "10/2024 – 12/2027" in a12 and "říjen 2024 – prosinec 2027" in a12
    assert re.search(r"OŠMTS hlavní ORREP", a12)
    assert "V plánu: KÚ LK / OŠMTS / ORREP" in a12
    b12 = row_text(response, "B1.2")
    assert "květen 2023 – duben 2026" in b12
    assert "LK hlavní TUL" in b12
    assert "X / 1, 2" in b12 and "opatření X; cíle 1, 2" in b12
    assert "nikdo" in b12  # "---------"
    assert "Zdroje financování rozpočet LK" in b12
    b110 = row_text(response, "B1.10")
    assert "1× ročně" in b110 and "Nerozpoznáno: XYZ" in b110
    # the abbreviations close the page, in Czech order: ČR, CH (after H), KÚ, OSV
    abbreviations = page.rsplit("Seznam zkratek", 1)[1]
    positions = [abbreviations.index(a) for a in ("ČR", "CH", "KÚ", "OSV")]
    assert positions == sorted(positions)


def test_plan_page_marks_default_routing_for_review_in_words(reader_client):
    plan = make_plan(1)
    response = reader_client.get(f"/plany/{plan.id}")
    b11 = row_text(response, "B1.1")
    assert "k revizi" in b11
    assert "odbor není uveden; přiděleno výchozímu subjektu OSV" in b11  # the real cause (issue 14 §3)
    assert "k revizi" not in row_text(response, "A1.1")
    assert "Aktivity k revizi: 1." in text_of(response)


def test_plan_page_lists_activities_in_natural_order(reader_client):
    plan = make_plan(11)
    html = reader_client.get(f"/plany/{plan.id}").get_data(as_text=True)
    codes = re.findall(r'<tr id="aktivita-([^"]+)"', html)
    assert codes == [*(f"A1.{i}" for i in range(1, 12)), "B1.1", "B1.2", "B1.10"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("kulk", ["A1.1", "A1.2", "B1.10"]),  # „KÚ LK“ without accents and space
        ("KOMISE rady", ["B1.1"]),
        ("ŠKOLY", ["A1.1", "A1.2"]),  # cooperation text, case-insensitive
        ("univerzita", ["B1.2"]),  # full name of a routed body
        ("rozpočet lk", ["B1.2"]),  # an extra column
    ],
)
def test_plan_page_text_search_ignores_case_and_diacritics(reader_client, query, expected):
    plan = make_plan(2)
    response = reader_client.get(f"/plany/{plan.id}", query_string={"q": query})
    codes = re.findall(r'<tr id="aktivita-([^"]+)"', response.get_data(as_text=True))
    assert codes == expected
    assert f"Filtru odpovídá {len(expected)} z 5 aktivit." in text_of(response)


def test_plan_page_filters_by_body_and_review(reader_client):
    plan = make_plan(2)
    tul = _bodies()["TUL"]
    response = reader_client.get(f"/plany/{plan.id}", query_string={"subjekt": tul.id})
    assert re.findall(r'<tr id="aktivita-([^"]+)"', response.get_data(as_text=True)) == ["B1.2"]
    assert "Okruh A" not in text_of(response).split("Filtru odpovídá")[1]  # area without matches hidden
    response = reader_client.get(f"/plany/{plan.id}", query_string={"k_revizi": "1"})
    assert re.findall(r'<tr id="aktivita-([^"]+)"', response.get_data(as_text=True)) == ["B1.1"]
    response = reader_client.get(f"/plany/{plan.id}", query_string={"q": "nic-takového"})
    assert "Nic nenalezeno" in text_of(response)


def test_plan_page_query_count_is_constant(reader_client):
    """3 or 30 activities: the page issues the same number of statements (everything eager-loaded)."""
    bodies = make_bodies()
    small = make_plan(3, bodies=bodies, title="Malý")
    large = make_plan(30, bodies=bodies, title="Velký")
    small_id, large_id = small.id, large.id
    reader_client.get(f"/plany/{small_id}")  # warm-up
    counts = []
    for plan_id, n in ((small_id, 3), (large_id, 30)):
        db.session.expunge_all()
        with count_statements() as statements:
            response = reader_client.get(f"/plany/{plan_id}")
        assert response.status_code == 200
        assert len(re.findall(r'<tr id="aktivita-', response.get_data(as_text=True))) == n + 3
        counts.append(len(statements))
    assert counts[0] == counts[1], counts
    assert counts[0] <= 10


def test_deadline_summary_forms(app):
    def summary(**fields):
        with app.test_request_context():
            return deadline_summary(Activity(**fields))

    oct24, dec27 = date(2024, 10, 1), date(2027, 12, 31)
    assert summary(deadline_kind="ongoing") == "průběžně"
    jan25 = date(2025, 1, 1)
    assert summary(deadline_kind="range", deadline_start=oct24, deadline_end=dec27) == (
        "říjen 2024 – prosinec 2027"
    )
    assert summary(deadline_kind="range", deadline_start=jan25, deadline_end=dec27) == "2025 – 2027"
    assert summary(deadline_kind="ongoing_range", deadline_start=date(2024, 1, 1), deadline_end=dec27) == (
        "průběžně, 2024 – 2027"
    )
    assert summary(deadline_kind="ongoing_until", deadline_end=date(2025, 12, 31)) == (
        "průběžně do konce prosince 2025"
    )
    assert summary(deadline_kind="due", deadline_end=date(2026, 12, 31)) == "do konce prosince 2026"
    assert summary(deadline_kind="yearly", deadline_frequency=2) == "2× ročně"
    assert summary(deadline_kind="conditional") == "podle podmínky"
    assert summary(deadline_kind="unknown") == "termín nelze rozpoznat"


# ------------------------------------------------------------------------------ real plan


def test_real_plan_page(reader_client, real_plan):
    response = reader_client.get(f"/plany/{real_plan.id}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    page = text_of(response)
    assert len(re.findall(r'<tr id="aktivita-', html)) == 72
    for code in "ABCDE":
        assert f'id="okruh-{code}"' in html
    assert "Okruh A: Systémová opatření" in page
    assert re.search(r"Cíl D1 (?!:)", page), "D1 has no title: only its code"
    assert "Podpora a udržení činnosti Komise Rady LK" in page
    assert "Koordinace s dalšími aktivitami ostatních strategií" in page
    assert "Seznam zkratek" in page
    a11 = row_text(response, "A1.1")
    assert "k revizi" in a11 and "přiděleno výchozímu subjektu OSV" in a11
    a120 = row_text(response, "A1.20")
    assert re.search(r"OŠMTS hlavní ORREP", a120), a120
    assert "k revizi" not in a120
    a19 = row_text(response, "A1.9")
    assert "5/2023 – 4/2026" in a19 and "květen 2023 – duben 2026" in a19
    codes = re.findall(r'<tr id="aktivita-([^"]+)"', html)
    assert codes.index("A1.2") < codes.index("A1.10") and "A2.4" in codes


def test_real_plan_list(reader_client, real_plan):
    page = text_of(reader_client.get("/plany"))
    assert re.search(r"Okruh 5 Cíl 8 Aktivita 72", page), page
