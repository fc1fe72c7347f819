"""API tokens are API credentials only (issue 15, item 11): read-only unless created with write,
accepted on ``/api/`` only, never on an HTML page or form (CSRF stays ON)."""

from __future__ import annotations

from web.extensions import db
from workflow.models import ApiToken, User
from workflow.tokens import create_api_token


def _token(user: User, scope: str = "read") -> str:
    _row, secret = create_api_token(user, "skript", scope=scope)
    db.session.commit()
    return secret


def _auth(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def test_a_token_is_read_only_by_default(browser, staff):
    secret = _token(staff["secretary"])
    client = browser().client
    assert client.get("/api/v1/plans", headers=_auth(secret)).status_code == 200
    response = client.post("/api/test-write-probe", headers=_auth(secret))
    assert response.status_code == 403 and "jen číst" in response.get_json()["error"]
    assert db.session.scalar(db.select(ApiToken.scope)) == "read"


def test_a_write_token_may_write_the_api(browser, staff):
    secret = _token(staff["secretary"], "write")
    response = browser().client.post("/api/test-write-probe", headers=_auth(secret))
    assert response.status_code == 200 and response.get_json() == {"user": staff["secretary"].email}


def test_no_token_works_on_html_pages_or_forms(browser, staff):
    admin = staff["admin"]
    victim = staff["contributor"]
    secret = _token(admin, "write")
    client = browser().client
    page = client.get("/sprava/uzivatele", headers=_auth(secret))
    assert page.status_code == 302 and "/prihlaseni" in page.headers["Location"]
    response = client.post(f"/sprava/uzivatele/{victim.id}/deaktivovat", headers=_auth(secret))
    assert response.status_code in (302, 400)
    db.session.expire_all()
    assert db.session.get(User, victim.id).active
    assert client.get("/ucet", headers=_auth(secret)).status_code == 302


def test_the_admin_creates_read_or_write_tokens(browser, staff):
    admin = browser()
    admin.sign_in(staff["admin"])
    for write in (False, True):
        data = {"email": staff["secretary"].email, "name": f"skript {write}"}
        if write:
            data["write"] = "y"
        assert admin.post("/sprava/tokeny", data, page="/sprava/tokeny").status_code == 200
    scopes = dict(db.session.execute(db.select(ApiToken.name, ApiToken.scope)).all())
    assert scopes == {"skript False": "read", "skript True": "write"}
    assert "jen čtení" in admin.get("/sprava/tokeny").get_data(as_text=True)
