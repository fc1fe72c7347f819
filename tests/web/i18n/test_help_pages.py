"""The public help pages and the accessibility statement, in Czech and in English."""

from __future__ import annotations

import pytest
from flask import Flask
from i18n_support import make_app

from web.views.help import HELP_ROLES


@pytest.fixture(scope="module")
def i18n_app(tmp_path_factory: pytest.TempPathFactory) -> Flask:
    return make_app(tmp_path_factory.mktemp("help") / "instance")


def test_help_index_links_every_role_guide(i18n_app: Flask) -> None:
    html = i18n_app.test_client().get("/napoveda").get_data(as_text=True)
    assert '<html lang="cs">' in html
    for role in HELP_ROLES:
        assert f'href="/napoveda/{role.value}"' in html
    assert "Vyberte svou roli" in html


@pytest.mark.parametrize(("role", "heading"), [
    ("secretary", "Nápověda pro tajemníka"), ("contributor", "Nápověda pro zpracovatele"),
    ("head", "Nápověda pro vedoucího subjektu"), ("reviewer", "Nápověda pro hodnotitele"),
    ("commission", "Nápověda pro člena komise"), ("admin", "Nápověda pro správce"),
])
def test_every_role_has_a_czech_guide_without_sign_in(i18n_app: Flask, role: str, heading: str) -> None:
    response = i18n_app.test_client().get(f"/napoveda/{role}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert f'<h1 class="h2">{heading}</h1>' in html
    assert 'aria-current="page"' in html  # the role is marked in the help navigation


def test_unknown_role_is_404(i18n_app: Flask) -> None:
    assert i18n_app.test_client().get("/napoveda/hacker").status_code == 404


def test_accessibility_statement_in_czech_and_english(i18n_app: Flask) -> None:
    client = i18n_app.test_client()
    html = client.get("/pristupnost").get_data(as_text=True)
    assert "Prohlášení o přístupnosti" in html and "99/2019 Sb." in html and "WCAG 2.1" in html
    client.set_cookie("lang", "en")
    html = client.get("/pristupnost").get_data(as_text=True)
    assert '<html lang="en">' in html
    assert "<h1 class=\"h2\">Accessibility statement</h1>" in html
    assert "Act No. 99/2019 Coll." in html


def test_footer_links_help_and_the_statement_on_every_page(i18n_app: Flask) -> None:
    html = i18n_app.test_client().get("/prihlaseni").get_data(as_text=True)
    footer = html[html.index("<footer"):]
    assert 'href="/napoveda"' in footer and 'href="/pristupnost"' in footer


def test_base_layout_has_skip_link_and_landmarks(i18n_app: Flask) -> None:
    html = i18n_app.test_client().get("/napoveda").get_data(as_text=True)
    assert html.index('href="#obsah"') < html.index("<header")  # the skip link comes first
    assert '<main id="obsah"' in html and "<footer" in html and 'aria-label="Hlavní navigace"' in html
