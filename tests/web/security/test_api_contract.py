"""The JSON API keeps its documented contract (issue 15, item 12): ``per_page`` above 500 and
other bad paging parameters are refused with the documented 400 (schema ``Error``), and every
405 names the allowed methods in ``Allow``."""

from __future__ import annotations

import pytest

from web.extensions import db
from workflow.tokens import create_api_token


@pytest.fixture
def api(browser, opened, people):
    _token, secret = create_api_token(people.secretary, "test")
    db.session.commit()
    client = browser().client
    return client, {"Authorization": f"Bearer {secret}"}, f"/api/v1/rounds/{opened.id}/entries"


@pytest.mark.parametrize("query", ["per_page=501", "per_page=100000", "per_page=0", "page=0", "page=-1",
                                   f"page={10**30}", "page=1e3", "per_page=%E2%80%8B"])
def test_bad_paging_is_refused_with_the_documented_error(api, query):
    client, headers, url = api
    response = client.get(f"{url}?{query}", headers=headers)
    assert response.status_code == 400
    body = response.get_json()
    assert set(body) == {"error", "status"} and body["status"] == 400 and "500" in body["error"]


def test_per_page_500_is_accepted(api):
    client, headers, url = api
    assert client.get(f"{url}?per_page=500&page=1", headers=headers).get_json()["per_page"] == 500


def test_405_answers_carry_an_allow_header(browser, staff):
    client = browser().client
    response = client.get("/odhlaseni")  # sign-out is POST only
    assert response.status_code == 405
    assert "POST" in {m.strip() for m in response.headers["Allow"].split(",")}
    _token, secret = create_api_token(staff["secretary"], "zápis", scope="write")
    db.session.commit()
    response = client.put("/api/v1/plans", headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 405 and response.get_json()["status"] == 405
    assert {"GET", "HEAD"} <= {m.strip() for m in response.headers["Allow"].split(",")}
