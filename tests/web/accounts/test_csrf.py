"""CSRF: every unsafe request needs a token (forms and htmx); only bearer-token API calls are exempt."""

from __future__ import annotations

import re

import pytest
from accounts_helpers import TEST_PASSWORD

from web.extensions import db
from workflow.tokens import create_api_token


def _token_from(html: str) -> str:
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
        r'<meta name="csrf-token" content="([^"]+)"', html
    )
    assert match, html[:500]
    return match.group(1)


@pytest.fixture
def csrf_client(csrf_app):
    """A plain Flask test client (no automatic token) of the app with the probe endpoint."""
    return csrf_app.test_client()


def _sign_in(csrf_client, user):
    token = _token_from(csrf_client.get("/prihlaseni").get_data(as_text=True))
    response = csrf_client.post(
        "/prihlaseni", data={"email": user.email, "password": TEST_PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 302


def test_sign_in_form_without_token_is_rejected(csrf_client, people):
    response = csrf_client.post(
        "/prihlaseni", data={"email": people["head"].email, "password": TEST_PASSWORD}
    )
    assert response.status_code == 400
    assert csrf_client.get("/ucet").status_code == 302  # not signed in
    _sign_in(csrf_client, people["head"])
    assert csrf_client.get("/ucet").status_code == 200


def test_sign_out_needs_the_token_and_htmx_header_is_accepted(csrf_client, people):
    _sign_in(csrf_client, people["head"])
    page = csrf_client.get("/ucet").get_data(as_text=True)
    assert csrf_client.post("/odhlaseni").status_code == 400
    assert csrf_client.post("/odhlaseni", headers={"X-CSRFToken": "forged"}).status_code == 400
    assert csrf_client.get("/ucet").status_code == 200  # still signed in
    meta = re.search(r'<meta name="csrf-token" content="([^"]+)"', page).group(1)
    response = csrf_client.post("/odhlaseni", headers={"X-CSRFToken": meta, "HX-Request": "true"})
    assert response.status_code == 302
    assert csrf_client.get("/ucet").status_code == 302


def test_admin_actions_need_the_token(csrf_client, people):
    _sign_in(csrf_client, people["admin"])
    target = people["contributor"]
    assert csrf_client.post(f"/sprava/uzivatele/{target.id}/deaktivovat").status_code == 400
    db.session.refresh(target)
    assert target.active
    page = csrf_client.get(f"/sprava/uzivatele/{target.id}").get_data(as_text=True)
    response = csrf_client.post(
        f"/sprava/uzivatele/{target.id}/deaktivovat", data={"csrf_token": _token_from(page)}
    )
    assert response.status_code == 302
    db.session.refresh(target)
    assert not target.active


def test_bearer_token_api_writes_are_exempt(csrf_client, people):
    _token, secret = create_api_token(people["secretary"], "skript", scope="write")
    db.session.commit()
    response = csrf_client.post("/api/test-probe", headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 200
    assert response.get_json() == {"user": people["secretary"].email, "bearer": True}


def test_session_authenticated_api_writes_still_need_the_token(csrf_client, people):
    _sign_in(csrf_client, people["head"])
    assert csrf_client.post("/api/test-probe").status_code == 400
    token = _token_from(csrf_client.get("/ucet").get_data(as_text=True))
    response = csrf_client.post("/api/test-probe", headers={"X-CSRFToken": token})
    assert response.status_code == 200 and response.get_json()["bearer"] is False


def test_a_bogus_bearer_header_cannot_ride_on_the_session_cookie(csrf_client, people):
    _sign_in(csrf_client, people["head"])
    response = csrf_client.post("/api/test-probe", headers={"Authorization": "Bearer pln_forged"})
    assert response.status_code == 401  # the cookie is ignored when a bearer token is presented
    response = csrf_client.post("/odhlaseni", headers={"Authorization": "Bearer pln_forged"})
    assert response.status_code == 400  # outside /api/ a bearer header exempts from nothing
    assert csrf_client.get("/ucet").status_code == 200  # the sign-out did not happen
