"""API tokens: created in the administration (secret shown once, stored hashed), used, revoked."""

from __future__ import annotations

import re
from datetime import timedelta

import time_machine
from accounts_helpers import sign_in
from sqlalchemy import func, select

from web.extensions import db
from workflow.audit import AuditKind
from workflow.db import utcnow
from workflow.models import ApiToken, AuditEvent
from workflow.tokens import create_api_token, revoke_api_token


def _audit_count(kind):
    return db.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.kind == kind))


def test_admin_creates_a_token_whose_secret_is_shown_once(app, client, people):
    sign_in(client, people["admin"])
    response = client.post("/sprava/tokeny", data={"email": people["secretary"].email, "name": "Export"})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    secret = re.search(r'id="novy-token" value="(pln_[^"]+)"', page).group(1)
    token = db.session.scalar(select(ApiToken))
    assert token.token_hash == ApiToken.digest(secret) and secret not in token.token_hash
    assert token.user_id == people["secretary"].id and token.prefix == secret[:10]
    listing = client.get("/sprava/tokeny").get_data(as_text=True)
    assert secret not in listing and token.prefix in listing
    assert _audit_count(AuditKind.token_created) == 1

    api = app.test_client()
    assert api.get("/api/v1/plans", headers={"Authorization": f"Bearer {secret}"}).status_code == 200


def test_revoked_token_is_refused_at_once(app, client, people):
    token, secret = create_api_token(people["secretary"], "Export", actor=people["admin"])
    db.session.commit()
    api = app.test_client()
    headers = {"Authorization": f"Bearer {secret}"}
    assert api.get("/api/v1/plans", headers=headers).status_code == 200

    sign_in(client, people["admin"])
    assert client.post(f"/sprava/tokeny/{token.id}/zrusit").status_code == 302
    db.session.refresh(token)
    assert token.revoked_at is not None
    response = api.get("/api/v1/plans", headers=headers)
    assert response.status_code == 401
    assert _audit_count(AuditKind.token_revoked) == 1


def test_token_of_a_deactivated_user_is_refused(app, people):
    _token, secret = create_api_token(people["secretary"])
    people["secretary"].active = False
    db.session.commit()
    assert (
        app.test_client().get("/api/v1/plans", headers={"Authorization": f"Bearer {secret}"}).status_code
        == 401
    )


def test_token_use_is_audited_at_most_hourly(app, people):
    token, secret = create_api_token(people["secretary"])
    db.session.commit()
    api = app.test_client()
    headers = {"Authorization": f"Bearer {secret}"}
    with time_machine.travel(utcnow(), tick=False) as traveller:
        for _ in range(3):
            assert api.get("/api/v1/plans", headers=headers).status_code == 200
        assert _audit_count(AuditKind.token_used) == 1
        traveller.shift(timedelta(hours=1, minutes=1))
        assert api.get("/api/v1/plans", headers=headers).status_code == 200
    assert _audit_count(AuditKind.token_used) == 2
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.kind == AuditKind.token_used))
    assert event.token_id == token.id and event.ip == "127.0.0.1"
    db.session.refresh(token)
    assert token.last_used_at is not None


def test_revoking_twice_is_harmless(people):
    token, _secret = create_api_token(people["secretary"])
    revoke_api_token(token, actor=people["admin"])
    first = token.revoked_at
    revoke_api_token(token, actor=people["admin"])
    assert token.revoked_at == first
    assert _audit_count(AuditKind.token_revoked) == 1


def test_non_admins_cannot_manage_tokens(client, people):
    sign_in(client, people["secretary"])
    assert client.get("/sprava/tokeny").status_code == 403
    assert (
        client.post("/sprava/tokeny", data={"email": people["secretary"].email, "name": "x"}).status_code
        == 403
    )
    assert db.session.scalar(select(func.count()).select_from(ApiToken)) == 0
