"""Body list and body page; Czech collation and the search key of ``workflow.text``."""

from __future__ import annotations

import re
from html import unescape

import pytest
from plan_fixtures import make_bodies, make_plan
from sqlalchemy import select
from support import login

from web.extensions import db
from workflow.models import Body
from workflow.states import Role
from workflow.text import _fallback_key, czech_sort_key, fold, matches


@pytest.fixture
def reader_client(client, make_user):
    user = make_user("zpracovatel@kraj-lbc.cz", roles=[Role.contributor])
    assert login(client, user).status_code == 302
    return client


def text_of(response) -> str:
    html = response.get_data(as_text=True)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html))).strip()


def listed(response) -> list[str]:
    """Abbreviations in the rows of the body list, in page order."""
    html = response.get_data(as_text=True)
    return re.findall(r'<th scope="row" class="text-nowrap"><a [^>]*>([^<]+)</a>', html)


def section(response, heading_id: str) -> str:
    """Plain text of the ``<section>`` labelled by ``heading_id`` on the body page."""
    html = response.get_data(as_text=True)
    match = re.search(rf'<section[^>]*aria-labelledby="{heading_id}".*?</section>', html, flags=re.S)
    assert match, heading_id
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", match.group(0))))


def body_id(abbreviation: str) -> int:
    return db.session.scalar(select(Body.id).where(Body.abbreviation == abbreviation))


# ------------------------------------------------------------------------------- workflow.text

CZECH_ORDER = [
    "Cesta", "Čáp", "Čistota", "Dům", "Hrad", "Chrast", "Chyba", "Ibis", "Řeka", "Šatna", "Zeta", "Žába",
]
DEPARTMENTS = ["odd. KŘ", "ORREP", "OSV", "OŠMTS", "OZ"]


@pytest.mark.parametrize("key", [czech_sort_key, _fallback_key], ids=["icu", "fallback"])
def test_czech_sort_key_orders_czech_alphabet(key):
    shuffled = sorted(CZECH_ORDER, key=lambda s: s[::-1])
    assert sorted(shuffled, key=key) == CZECH_ORDER
    assert sorted(reversed(DEPARTMENTS), key=key) == DEPARTMENTS


def test_czech_sort_key_uses_icu():
    assert isinstance(czech_sort_key("Čáp"), bytes)


def test_fold_and_matches():
    assert fold("KÚ LK / OŠMTS") == "kulk/osmts"
    assert fold("Průběžně") == "prubezne"
    assert fold(None) == ""
    assert matches("kulk", ["KÚ LK / OSV"])
    assert matches("KÚLK", ["KÚ LK"])
    assert matches("školy", ["Obce, ŠKOLY"])
    assert not matches("tul", ["KÚ LK / OSV"])
    assert matches("  ", ["cokoli"])


# ----------------------------------------------------------------------------------- the list


def test_anonymous_is_sent_to_sign_in(client):
    for url in ("/subjekty", "/subjekty/1"):
        response = client.get(url)
        assert response.status_code == 302 and "/prihlaseni" in response.headers["Location"]


def test_body_list_empty_state(reader_client):
    response = reader_client.get("/subjekty")
    assert response.status_code == 200
    assert "Zatím nejsou evidovány žádné subjekty" in text_of(response)


def test_body_list_groups_by_kind_with_counts(reader_client):
    make_plan(2)
    response = reader_client.get("/subjekty")
    assert response.status_code == 200
    page = text_of(response)
    # groups in the order of BodyKind: departments, …, the region, …, universities
    titles = ("Odbor krajského úřadu (3)", "Kraj jako celek (1)", "Vysoká škola (1)")
    positions = [page.index(title) for title in titles]
    assert positions == sorted(positions)
    # within a group in Czech order: ORREP, OSV, OŠMTS
    departments = page.split("Odbor krajského úřadu (3)")[1].split("Kraj jako celek")[0]
    assert departments.index("ORREP") < departments.index("OSV ") < departments.index("OŠMTS")
    # lead / co-responsible: OŠMTS leads A1.1–A1.2, ORREP is co-responsible there; OSV leads B1.1, B1.10
    html = response.get_data(as_text=True)

    def counts(abbreviation: str) -> tuple[str, str]:
        row = re.search(rf">{re.escape(abbreviation)}</a></th>.*?</tr>", html, flags=re.S).group(0)
        cells = re.findall(r'<td class="text-end">([^<]*)</td>', row)
        return cells[0], cells[1]

    assert counts("OŠMTS") == ("2", "0")
    assert counts("ORREP") == ("0", "2")
    assert counts("OSV") == ("2", "0")
    assert counts("TUL") == ("0", "1")
    # parent shown
    assert re.search(r">OSV</a></th>\s*<td>Odbor sociálních věcí</td>\s*<td><a [^>]*>LK</a>", html)


def test_body_list_alphabetical_in_czech_order(reader_client):
    for abbreviation in ("Chrast", "Hrad", "Čáp", "Cesta"):
        db.session.add(Body(abbreviation=abbreviation, name=f"Obec {abbreviation}", kind="municipality"))
    db.session.commit()
    response = reader_client.get("/subjekty", query_string={"razeni": "abecedne"})
    rows = listed(response)
    assert rows == ["Cesta", "Čáp", "Hrad", "Chrast"]


def test_body_list_search_ignores_diacritics(reader_client):
    make_bodies()
    db.session.commit()
    response = reader_client.get("/subjekty", query_string={"q": "skolstvi"})
    rows = listed(response)
    assert rows == ["OŠMTS"]
    response = reader_client.get("/subjekty", query_string={"q": "neexistuje"})
    assert "Nic nenalezeno" in text_of(response)


# ----------------------------------------------------------------------------------- the page


def test_body_page_lists_activities_lead_first(reader_client):
    make_plan(2)
    response = reader_client.get(f"/subjekty/{body_id('OSV')}")
    assert response.status_code == 200
    page = text_of(response)
    assert "OSV – Odbor sociálních věcí" in page
    assert "Kraj jako celek" not in page.split("Druh")[1][:40]  # kind: department
    assert "Odbor krajského úřadu" in page
    lead = page.split("odpovídá jako hlavní (2)")[1].split("Aktivity, za které odpovídá spolu")[0]
    assert lead.index("B1.1 ") < lead.index("B1.10")
    assert "k revizi" in lead
    assert "Výchozí subjekt plánu: Akční plán." in page
    orrep = text_of(reader_client.get(f"/subjekty/{body_id('ORREP')}"))
    assert "Aktivity, za které odpovídá jako hlavní (0)" in orrep
    assert "Aktivity, za které odpovídá spolu s dalšími (2)" in orrep
    assert "Popis aktivity A1.1" in orrep and "Popis aktivity A1.2" in orrep
    lk = text_of(reader_client.get(f"/subjekty/{body_id('LK')}"))
    assert "Podřízené subjekty" in lk and "OŠMTS" in lk


def test_unknown_body_is_404(reader_client):
    assert reader_client.get("/subjekty/999").status_code == 404


def test_real_plan_bodies(reader_client, real_plan):
    response = reader_client.get(f"/subjekty/{body_id('OŠMTS')}")
    assert response.status_code == 200
    assert " A1.20 " in section(response, "hlavni-nadpis")
    orrep = reader_client.get(f"/subjekty/{body_id('ORREP')}")
    assert " A1.20 " in section(orrep, "spolu-nadpis")
    assert " A1.20 " not in section(orrep, "hlavni-nadpis")
    tul = reader_client.get(f"/subjekty/{body_id('TUL')}")
    assert " A1.8 " in section(tul, "spolu-nadpis")
    osv = reader_client.get(f"/subjekty/{body_id('OSV')}")
    lead = section(osv, "hlavni-nadpis")
    assert " A1.1 " in lead and "k revizi" in lead  # the default body gets A1.1 („LK“)
    listing = text_of(reader_client.get("/subjekty"))
    assert "Technická univerzita v Liberci" in listing
