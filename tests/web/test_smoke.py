from __future__ import annotations

from support import login


def test_healthz_reports_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


def test_sign_in_and_out(client, make_user):
    user = make_user()
    assert client.get("/").headers["Location"].endswith("/prihlaseni")
    page = client.get("/prihlaseni").get_data(as_text=True)
    assert "Přihlášení" in page and 'lang="cs"' in page
    assert login(client, user, "wrong-password-123").status_code == 200
    response = login(client, user)
    assert response.status_code == 302
    assert client.post("/odhlaseni").status_code == 302
