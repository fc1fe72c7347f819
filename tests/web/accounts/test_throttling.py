"""Failed sign-ins are slowed, then refused for a while, per account and per IP (Flask-Limiter)."""

from __future__ import annotations

from datetime import timedelta

import time_machine
from accounts_helpers import TEST_PASSWORD, sign_in
from sqlalchemy import func, select

from web.extensions import db
from workflow.audit import AuditKind
from workflow.db import utcnow
from workflow.models import AuditEvent

WRONG = "úplně-špatné-heslo"


def _fail(client, address, times, **environ):
    return [
        client.post("/prihlaseni", data={"email": address, "password": WRONG}, **environ).status_code
        for _ in range(times)
    ]


def test_account_is_slowed_after_five_failures_then_allowed_again(client, people):
    user = people["contributor"]
    with time_machine.travel(utcnow(), tick=False) as traveller:
        assert _fail(client, user.email, 5) == [200] * 5
        refused = sign_in(client, user)  # even the right password is refused now
        assert refused.status_code == 429
        page = refused.get_data(as_text=True)
        assert "Příliš mnoho neúspěšných pokusů o přihlášení" in page and "Zapomenuté heslo" in page
        assert client.get("/ucet").status_code == 302  # not signed in
        traveller.shift(timedelta(seconds=61))
        assert sign_in(client, user).status_code == 302
    throttled = db.session.scalar(
        select(func.count()).select_from(AuditEvent).where(AuditEvent.kind == AuditKind.sign_in_throttled)
    )
    assert throttled == 1


def test_account_is_locked_for_an_hour_after_twenty_failures(client, people):
    user = people["contributor"]
    with time_machine.travel(utcnow(), tick=False) as traveller:
        for _ in range(4):
            assert _fail(client, user.email, 5) == [200] * 5
            traveller.shift(timedelta(seconds=61))
        assert sign_in(client, user).status_code == 429  # 20 per hour reached
        traveller.shift(timedelta(minutes=30))
        assert sign_in(client, user).status_code == 429
        traveller.shift(timedelta(minutes=31))
        assert sign_in(client, user).status_code == 302


def test_successful_sign_ins_do_not_count(client, people):
    user = people["contributor"]
    for _ in range(8):
        assert sign_in(client, user).status_code == 302
        client.post("/odhlaseni")


def test_other_accounts_are_not_affected_by_one_accounts_lock(client, people):
    _fail(client, people["contributor"].email, 5)
    assert sign_in(client, people["contributor"]).status_code == 429
    assert sign_in(client, people["head"]).status_code == 302


def test_one_ip_trying_many_accounts_is_refused(client, people):
    with time_machine.travel(utcnow(), tick=False):
        for n in range(20):
            assert _fail(client, f"nahodny{n}@example.cz", 1) == [200]
        response = sign_in(client, people["head"])
        assert response.status_code == 429
        # another address is not affected
        other = client.post(
            "/prihlaseni",
            data={"email": people["head"].email, "password": "x" * 12},
            environ_base={"REMOTE_ADDR": "10.0.0.7"},
        )
        assert other.status_code == 200
        signed_in = client.post(
            "/prihlaseni",
            data={"email": people["head"].email, "password": TEST_PASSWORD},
            environ_base={"REMOTE_ADDR": "10.0.0.7"},
        )
        assert signed_in.status_code == 302


def test_password_reset_requests_are_throttled_per_address(client, people):
    for _ in range(3):
        assert client.post("/zapomenute-heslo", data={"email": people["head"].email}).status_code == 302
    response = client.post("/zapomenute-heslo", data={"email": people["head"].email})
    assert response.status_code == 429
    assert "Žádostí o obnovení hesla bylo příliš mnoho" in response.get_data(as_text=True)
