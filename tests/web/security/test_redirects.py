"""No open redirect (issue 15, item 3; CR/LF of item 8): ``next`` after sign-in and in entry and
admin forms is followed only to a page of this product (``web.redirects.safe_next``)."""

from __future__ import annotations

import pytest
from flask import Flask

from web.redirects import safe_next

HOSTILE = [
    "/\t/evil.example",
    "/%09/evil.example",  # as decoded by the query string: a tab
    "/\n/evil.example",
    "/\r\n/evil.example",
    "/\x00/evil.example",
    "/\u200b/evil.example",
    "//evil.example",
    "///evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "https://evil.example/",
    "http:/evil.example",
    "javascript:alert(1)",
    " //evil.example",
    "/%2F/evil.example",
    "/%5Cevil.example",
    "evil.example",
    "/no-such-page",
    "/static/css/app.css",
    "/" + "a" * 5000,
]


@pytest.mark.parametrize("target", HOSTILE)
def test_safe_next_refuses_anything_but_a_page_of_the_product(app: Flask, target):
    with app.test_request_context("/"):
        assert safe_next(target) is None


@pytest.mark.parametrize("target", ["/", "/ucet", "/kontrola?stav=in_review&strana=2", "/sprava/tokeny"])
def test_safe_next_keeps_local_pages(app: Flask, target):
    with app.test_request_context("/"):
        assert safe_next(target) == target


@pytest.mark.parametrize("query", ["%2F%09%2Fevil.example", "%2F%0D%0A%2Fevil.example",
                                   "%2F%0A%2Fevil.example", "%2F%00%2Fevil.example",
                                   "%2F%E2%80%8B%2Fevil.example"])
def test_sign_in_never_ends_on_another_site_nor_in_a_500(browser, staff, query):
    response = browser().post(f"/prihlaseni?next={query}",
                              {"email": staff["admin"].email, "password": "správné-heslo-1234"},
                              page="/prihlaseni")
    if "%00" in query:  # a NUL in any query string is refused before the sign-in (400)
        assert response.status_code == 400
        return
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.startswith("/") and not location.startswith("//") and "evil" not in location


def test_sign_in_follows_a_local_next(browser, staff):
    response = browser().sign_in(staff["admin"], next_url="%2Fsprava%2Ftokeny")
    assert response.headers["Location"] == "/sprava/tokeny"


def test_token_revocation_next_field_is_guarded(browser, staff):
    from web.extensions import db
    from workflow.tokens import create_api_token

    token, _secret = create_api_token(staff["contributor"], "skript")
    db.session.commit()
    admin = browser()
    admin.sign_in(staff["admin"])
    response = admin.post(f"/sprava/tokeny/{token.id}/zrusit", {"next": "/sprava/\t/evil.example"},
                          page="/sprava/tokeny")
    assert response.status_code == 302
    assert response.headers["Location"] == "/sprava/tokeny"


def test_entry_comment_next_field_is_guarded(browser, opened, people):
    from round_fixtures import entry_of

    entry = entry_of(opened, "A1.1", "OSV")
    user = browser()
    user.sign_in(people.osv)
    response = user.post(f"/zaznamy/{entry.id}/komentare", {"text": "Doplním.", "next": "/\t/evil.example"},
                         page=f"/zaznamy/{entry.id}")
    assert response.status_code == 302
    assert response.headers["Location"].startswith(f"/zaznamy/{entry.id}")
    assert "evil" not in response.headers["Location"]
