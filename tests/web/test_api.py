"""JSON read API: authentication (session, bearer token), responses against the OpenAPI document."""

from __future__ import annotations

import re
from typing import Any

import pytest
from plan_fixtures import make_plan
from support import login

from web.extensions import db
from web.views.api import openapi_document
from workflow.states import Role
from workflow.tokens import create_api_token, revoke_api_token


@pytest.fixture
def token(make_user) -> str:
    """A bearer token of an active commission member."""
    user = make_user("integrace@kraj-lbc.cz", roles=[Role.commission])
    _row, secret = create_api_token(user, "test")
    db.session.commit()
    return secret


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


# ------------------------------------------------------------------ a small OpenAPI validator


def resolve(node: dict[str, Any]) -> dict[str, Any]:
    document = openapi_document()
    while "$ref" in node:
        target: Any = document
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = target
    return node


def check(value: Any, schema: dict[str, Any], where: str = "$") -> None:
    """Assert that ``value`` matches ``schema`` (types, enums, exactly the documented keys)."""
    schema = resolve(schema)
    types = schema.get("type")
    types = types if isinstance(types, list) else [types]
    python = {
        "object": dict, "array": list, "string": str, "integer": int, "boolean": bool, "null": type(None),
    }
    assert any(
        isinstance(value, python[t]) and not (t == "integer" and isinstance(value, bool)) for t in types
    ), f"{where}: {value!r} is not {types}"
    if "enum" in schema:
        assert value in schema["enum"], f"{where}: {value!r} not in {schema['enum']}"
    if isinstance(value, dict):
        properties = schema.get("properties", {})
        if "properties" in schema or schema.get("additionalProperties") is False:
            assert set(value) == set(properties), f"{where}: keys {sorted(value)} != {sorted(properties)}"
            assert set(schema.get("required", [])) <= set(value)
            for key, item in value.items():
                check(item, properties[key], f"{where}.{key}")
        elif isinstance(schema.get("additionalProperties"), dict):
            for key, item in value.items():
                check(item, schema["additionalProperties"], f"{where}.{key}")
    if isinstance(value, list):
        for i, item in enumerate(value):
            check(item, schema.get("items", {}), f"{where}[{i}]")


def response_schema(path: str, status: int) -> dict[str, Any]:
    operation = openapi_document()["paths"][path]["get"]
    response = resolve(operation["responses"][str(status)])
    return response["content"]["application/json"]["schema"]


# --------------------------------------------------------------------------- the document


def test_openapi_paths_match_routes(app, client):
    document = client.get("/api/openapi.json").get_json()
    assert document["openapi"].startswith("3.1")
    routes = {
        re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/v1")
    }
    documented = {path for path in document["paths"] if path.startswith("/api/v1")}
    assert routes == documented
    assert {"/api/v1/plans", "/api/v1/plans/{plan_id}/activities"} <= routes
    assert "/healthz" in document["paths"]
    rules = {re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", r.rule): r for r in app.url_map.iter_rules()}
    for path, item in document["paths"].items():
        rule = rules[path]
        assert {m.lower() for m in rule.methods - {"HEAD", "OPTIONS"}} == set(item), path


def test_openapi_document_is_well_formed():
    """Every $ref resolves, every key is a string (YAML flow-style traps) and every field is described."""
    document = openapi_document()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            assert all(isinstance(key, str) for key in node), node
            if "$ref" in node:
                resolve(node)
            for name, prop in (node.get("properties") or {}).items():
                assert "$ref" in prop or prop.get("description"), f"{name} has no description"
            for child in node.values():
                walk(child)
        elif isinstance(node, list):
            for child in node:
                walk(child)

    walk(document)


def test_healthz_matches_document(client):
    response = client.get("/healthz")
    check(response.get_json(), response_schema("/healthz", 200))


def test_docs_page_renders_endpoints_in_czech(client):
    response = client.get("/api/docs")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    page = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
    for path in openapi_document()["paths"]:
        assert path in page
    assert "Aktivity plánu" in page and "Seznam plánů" in page
    assert "activities[].deadline.kind" in page
    assert "Chybí přihlášení" in page
    assert "swagger" not in html.lower() and "cdn" not in html.lower()


# -------------------------------------------------------------------------- authentication


@pytest.mark.parametrize("path", ["/api/v1/plans", "/api/v1/plans/1/activities"])
def test_no_auth_is_401_json_not_redirect(client, path):
    response = client.get(path)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"
    body = response.get_json()
    check(body, {"$ref": "#/components/schemas/Error"})
    assert "Chybí přihlášení" in body["error"]


def test_wrong_token_is_401(client, token):
    for secret in ("pln_nesmysl", "nesmysl", token + "x"):
        response = client.get("/api/v1/plans", headers=bearer(secret))
        assert response.status_code == 401, secret
        assert response.get_json()["error"] == "Neplatný nebo odvolaný token."


def test_bearer_token_works_and_revoked_token_is_401(client, token):
    make_plan(2)
    response = client.get("/api/v1/plans", headers=bearer(token))
    assert response.status_code == 200
    assert [p["title"] for p in response.get_json()["plans"]] == ["Akční plán"]
    from sqlalchemy import select

    from workflow.models import ApiToken

    row = db.session.scalar(select(ApiToken))
    assert row.last_used_at is not None
    revoke_api_token(row)
    db.session.commit()
    response = client.get("/api/v1/plans", headers=bearer(token))
    assert response.status_code == 401
    assert response.get_json() == {"error": "Neplatný nebo odvolaný token.", "status": 401}


def test_deactivated_users_token_is_401(client, token):
    from sqlalchemy import select

    from workflow.models import User

    user = db.session.scalar(select(User).where(User.email == "integrace@kraj-lbc.cz"))
    user.active = False
    db.session.commit()
    assert client.get("/api/v1/plans", headers=bearer(token)).status_code == 401


def test_session_auth_works(client, make_user):
    make_plan(1)
    user = make_user("ctenar@kraj-lbc.cz", roles=[Role.commission])
    assert login(client, user).status_code == 302
    response = client.get("/api/v1/plans")
    assert response.status_code == 200
    assert len(response.get_json()["plans"]) == 1


def test_api_is_not_broken_by_csrf(app, client, token, make_user):
    """With CSRF protection on (as in production, and in this suite) the read API answers to token
    and session."""
    assert app.config.get("WTF_CSRF_ENABLED", True) is True
    assert client.get("/api/v1/plans", headers=bearer(token)).status_code == 200
    user = make_user("ctenar@kraj-lbc.cz", roles=[Role.commission])
    assert login(client, user).status_code == 302
    assert client.get("/api/v1/plans").status_code == 200


# --------------------------------------------------------------------------- the responses


def test_plans_and_activities_match_document(client, token):
    plan = make_plan(3)
    response = client.get("/api/v1/plans", headers=bearer(token))
    body = response.get_json()
    check(body, response_schema("/api/v1/plans", 200))
    assert body["plans"][0] == {
        "id": plan.id,
        "title": "Akční plán",
        "strategy": "Strategie sociálního začleňování Libereckého kraje 2021+",
        "period": "2024–2025",
        "level_names": ["Okruh", "Cíl", "Aktivita"],
        "default_body": "OSV",
        "counts": {"areas": 2, "goals": 2, "activities": 6, "needs_review": 1},
    }

    response = client.get(f"/api/v1/plans/{plan.id}/activities", headers=bearer(token))
    assert response.status_code == 200
    body = response.get_json()
    check(body, response_schema("/api/v1/plans/{plan_id}/activities", 200))
    assert [a["code"] for a in body["activities"]] == ["A1.1", "A1.2", "A1.3", "B1.1", "B1.2", "B1.10"]
    b12 = body["activities"][4]
    assert b12["deadline"] == {
        "raw": "5/2023 – 4/2026", "kind": "range", "start": "2023-05-01", "end": "2026-04-30",
        "frequency": None, "condition": None,
    }
    assert b12["responsibility"] == {
        "raw": "LK, TUL",
        "bodies": [
            {"abbreviation": "LK", "name": "Liberecký kraj", "lead": True},
            {"abbreviation": "TUL", "name": "Technická univerzita v Liberci", "lead": False},
        ],
        "needs_review": False,
        "unmatched": [],
        "review_reasons": [],
    }
    assert b12["strategy_refs"] == {"raw": "X / 1, 2", "measure": "X", "measures": ["X"], "goals": [1, 2]}
    assert b12["cooperation"] == "---------"
    assert b12["area"] == {"code": "B", "title": "Infrastruktura"}
    assert b12["goal"] == {"code": "B1", "title": ""}
    assert b12["extra"] == {"Zdroje financování": "rozpočet LK"}
    b11 = body["activities"][3]
    assert b11["responsibility"]["needs_review"] is True
    assert b11["responsibility"]["bodies"] == [
        {"abbreviation": "OSV", "name": "Odbor sociálních věcí", "lead": True}
    ]
    assert b11["responsibility"]["review_reasons"] == [
        {
            "code": "no_department",
            "text": "odbor není uveden; přiděleno výchozímu subjektu OSV",
            "name": None,
            "body": "OSV",
            "names": [],
        }
    ]
    assert body["activities"][5]["responsibility"]["unmatched"] == ["XYZ"]
    assert body["activities"][5]["deadline"]["frequency"] == 1
    assert (body["page"], body["per_page"], body["total"], body["next"]) == (1, 100, 6, None)

    first = client.get(f"/api/v1/plans/{plan.id}/activities?per_page=4", headers=bearer(token)).get_json()
    assert [a["code"] for a in first["activities"]] == ["A1.1", "A1.2", "A1.3", "B1.1"]
    assert first["next"].endswith(f"/api/v1/plans/{plan.id}/activities?page=2&per_page=4")
    second = client.get(first["next"], headers=bearer(token)).get_json()
    assert [a["code"] for a in second["activities"]] == ["B1.2", "B1.10"] and second["next"] is None
    refused = client.get(f"/api/v1/plans/{plan.id}/activities?per_page=501", headers=bearer(token))
    assert refused.status_code == 400 and refused.get_json()["status"] == 400


def test_unknown_plan_is_404_json(client, token):
    response = client.get("/api/v1/plans/999/activities", headers=bearer(token))
    assert response.status_code == 404
    body = response.get_json()
    check(body, response_schema("/api/v1/plans/{plan_id}/activities", 404))
    assert body == {"error": "Plán nenalezen.", "status": 404}


def test_empty_plan_list(client, token):
    response = client.get("/api/v1/plans", headers=bearer(token))
    assert response.get_json() == {"plans": []}


# ----------------------------------------------------------------------------- the real plan


def test_real_plan_through_the_api(client, token, real_plan):
    plans = client.get("/api/v1/plans", headers=bearer(token)).get_json()["plans"]
    assert len(plans) == 1
    assert plans[0]["counts"]["areas"] == 5
    assert plans[0]["counts"]["goals"] == 8
    assert plans[0]["counts"]["activities"] == 72

    response = client.get(f"/api/v1/plans/{real_plan.id}/activities", headers=bearer(token))
    body = response.get_json()
    check(body, response_schema("/api/v1/plans/{plan_id}/activities", 200))
    activities = {a["code"]: a for a in body["activities"]}
    assert len(body["activities"]) == 72
    codes = [a["code"] for a in body["activities"]]
    assert codes.index("A1.2") < codes.index("A1.10") < codes.index("A2.1") < codes.index("E1.6")

    a18 = activities["A1.8"]["responsibility"]
    assert [(b["abbreviation"], b["lead"]) for b in a18["bodies"]] == [("LK", True), ("TUL", False)]
    assert a18["raw"] == "LK, TUL"
    a19 = activities["A1.9"]["deadline"]
    assert (a19["raw"], a19["kind"], a19["start"], a19["end"]) == (
        "5/2023 – 4/2026", "range", "2023-05-01", "2026-04-30",
    )
    a120 = activities["A1.20"]["responsibility"]["bodies"]
    assert [(b["abbreviation"], b["lead"]) for b in a120] == [("OŠMTS", True), ("ORREP", False)]
    a11 = activities["A1.1"]
    assert a11["responsibility"]["needs_review"] is True
    assert a11["description"].startswith("Podpora a udržení činnosti Komise Rady LK")
    assert a11["strategy_refs"]["measure"] == "X"
    assert a11["strategy_refs"]["goals"] == [1, 2, 5, 8, 11, 12]
    assert activities["D1.1"]["goal"]["title"] == ""


def test_review_reasons_in_the_callers_language(client, make_user):
    """Why an activity is „k revizi“: a code and the text in the caller's locale (issue 14 §3)."""
    plan = make_plan(3)
    user = make_user("integration@kraj-lbc.cz", roles=[Role.commission], locale="en")
    _row, secret = create_api_token(user, "en")
    db.session.commit()
    body = client.get(f"/api/v1/plans/{plan.id}/activities", headers=bearer(secret)).get_json()
    check(body, response_schema("/api/v1/plans/{plan_id}/activities", 200))
    reasons = {a["code"]: a["responsibility"]["review_reasons"] for a in body["activities"]}
    assert reasons["B1.1"] == [
        {
            "code": "no_department",
            "text": "no department given; assigned to the default body OSV",
            "name": None,
            "body": "OSV",
            "names": [],
        }
    ]
    assert reasons["B1.2"] == []
