"""GET /api/v1/rounds…: shape as documented, narrowed to the caller's permissions, 401 JSON."""

from __future__ import annotations

import yaml
from round_fixtures import entry_of

from web.extensions import db
from web.views.api import OPENAPI_PATH
from workflow.states import EntryState
from workflow.tokens import create_api_token

SCHEMAS = yaml.safe_load(OPENAPI_PATH.read_text(encoding="utf-8"))["components"]["schemas"]


def _keys(name):
    return set(SCHEMAS[name]["properties"])


def _token(user):
    _row, secret = create_api_token(user, "test")
    db.session.commit()
    return {"Authorization": f"Bearer {secret}"}


def test_unauthenticated_is_401_json(client, opened):
    for path in ("/api/v1/rounds", f"/api/v1/rounds/{opened.id}", f"/api/v1/rounds/{opened.id}/entries"):
        response = client.get(path)
        assert response.status_code == 401 and response.get_json()["status"] == 401


def test_rounds_list_and_detail_match_the_document(client, opened, people):
    headers = _token(people.secretary)
    body = client.get("/api/v1/rounds", headers=headers).get_json()
    assert set(body) == _keys("RoundList") and body["total"] == len(body["rounds"]) == 2
    by_title = {r["title"]: r for r in body["rounds"]}
    current = by_title["Monitoring plnění akčního plánu 2025"]
    assert set(current) == _keys("Round") and set(current["counts"]) == _keys("EntryCounts")
    assert current["state"] == "open" and current["counts"] == {
        "not_started": 6,
        "draft": 0,
        "submitted": 0,
        "returned": 0,
        "approved": 0,
        "total": 6,
    }
    assert by_title["Monitoring 2024"]["counts"]["approved"] == 3
    detail = client.get(f"/api/v1/rounds/{opened.id}", headers=headers).get_json()
    assert set(detail) == _keys("RoundDetail")
    assert {b["body"]: b["counts"]["total"] for b in detail["bodies"]} == {"ORREP": 2, "OSV": 2, "OŠMTS": 2}
    assert detail["submission_deadline"] == "2099-02-28"
    assert client.get("/api/v1/rounds/99999", headers=headers).status_code == 404


def test_entries_are_narrowed_to_the_callers_permissions(client, opened, people):
    approved = entry_of(opened, "B1.1", "OSV")
    approved.state = EntryState.approved
    db.session.commit()
    secretary = client.get(f"/api/v1/rounds/{opened.id}/entries", headers=_token(people.secretary)).get_json()
    assert len(secretary["entries"]) == 6
    assert set(secretary["entries"][0]) == _keys("RoundEntry")
    osv = client.get(f"/api/v1/rounds/{opened.id}/entries", headers=_token(people.osv)).get_json()
    assert sorted((e["activity_code"], e["body"]) for e in osv["entries"]) == [
        ("A1.1", "OSV"),
        ("B1.1", "OSV"),
    ]
    carried = next(e for e in osv["entries"] if e["activity_code"] == "A1.1")
    assert carried["text"].startswith("Loni: A1.1") and carried["state"] == "not_started"
    scoped = client.get(f"/api/v1/rounds/{opened.id}/entries", headers=_token(people.reviewer_b)).get_json()
    assert {e["activity_code"][:1] for e in scoped["entries"]} == {"B"}
    commission = client.get(
        f"/api/v1/rounds/{opened.id}/entries", headers=_token(people.commission)
    ).get_json()
    assert [(e["activity_code"], e["state"]) for e in commission["entries"]] == [("B1.1", "approved")]
    counts = client.get(f"/api/v1/rounds/{opened.id}", headers=_token(people.commission)).get_json()["counts"]
    assert counts["total"] == 1 and counts["approved"] == 1


def test_entries_come_a_page_at_a_time(client, opened, people):
    """6 entries, 4 per page: the first page links the second, the second is the last."""
    headers = _token(people.secretary)
    url = f"/api/v1/rounds/{opened.id}/entries"
    everything = client.get(url, headers=headers).get_json()
    first = client.get(f"{url}?per_page=4", headers=headers).get_json()
    assert (first["page"], first["per_page"], first["total"], len(first["entries"])) == (1, 4, 6, 4)
    assert first["next"].endswith(f"{url}?page=2&per_page=4")
    second = client.get(first["next"], headers=headers).get_json()
    assert (second["page"], second["next"], len(second["entries"])) == (2, None, 2)
    assert [e["id"] for e in first["entries"] + second["entries"]] == [e["id"] for e in everything["entries"]]
    for query in ("per_page=501", "per_page=100000", "page=0", "page=abc", f"page={10**30}"):
        refused = client.get(f"{url}?{query}", headers=headers)  # the documented 400 (issue 15)
        assert refused.status_code == 400 and refused.get_json()["status"] == 400, query
    assert client.get(f"{url}?per_page=500", headers=headers).get_json()["per_page"] == 500


def test_rounds_come_a_page_at_a_time(client, opened, people):
    """Two rounds, one per page: the newest first, then the older one; bad pages are 400."""
    headers = _token(people.secretary)
    first = client.get("/api/v1/rounds?per_page=1", headers=headers).get_json()
    assert (first["page"], first["per_page"], first["total"]) == (1, 1, 2)
    assert [r["title"] for r in first["rounds"]] == ["Monitoring plnění akčního plánu 2025"]
    assert first["rounds"][0]["counts"]["total"] == 6  # counts of the rounds on the page
    assert first["next"].endswith("/api/v1/rounds?page=2&per_page=1")
    second = client.get(first["next"], headers=headers).get_json()
    assert [r["title"] for r in second["rounds"]] == ["Monitoring 2024"] and second["next"] is None
    assert second["rounds"][0]["counts"]["approved"] == 3
    for query in ("per_page=501", "page=0", "page=x"):
        refused = client.get(f"/api/v1/rounds?{query}", headers=headers)
        assert refused.status_code == 400 and refused.get_json()["status"] == 400, query
