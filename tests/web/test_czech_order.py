"""Pages whose lists are sorted in SQL show them in Czech order (workflow.collation)."""

from __future__ import annotations

import re

from web.extensions import db
from workflow.models import Body


def _positions(html: str, words: list[str]) -> list[int]:
    return [html.index(f">{w}<") for w in words]


def test_admin_body_list_sorts_caslav_between_cvikov_and_duba(app, admin_client):
    with app.app_context():
        for name in ("Dubá", "Zákupy", "Čáslav", "Cvikov"):
            db.session.add(Body(abbreviation=name, name=f"Město {name}", kind="municipality"))
        db.session.commit()
    response = admin_client.get("/sprava/subjekty")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    cvikov, caslav, duba, zakupy = _positions(html, ["Cvikov", "Čáslav", "Dubá", "Zákupy"])
    assert cvikov < caslav < duba < zakupy


def test_admin_user_list_sorts_names_in_czech_order(admin_client, make_user):
    for email, name in (
        ("z@kraj-lbc.cz", "Žák Zdeněk"),
        ("c@kraj-lbc.cz", "Čermák Karel"),
        ("h@kraj-lbc.cz", "Chalupa Jan"),
        ("d@kraj-lbc.cz", "Dvořák Petr"),
        ("ce@kraj-lbc.cz", "cejnar ota"),
    ):
        make_user(email, name=name)
    html = admin_client.get("/sprava/uzivatele").get_data(as_text=True)
    names = ["cejnar ota", "Čermák Karel", "Dvořák Petr", "Chalupa Jan", "Žák Zdeněk"]
    found = [m.start() for n in names for m in [re.search(re.escape(n), html)] if m]
    assert len(found) == len(names), html
    assert found == sorted(found)
