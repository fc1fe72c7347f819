"""Sign-in: session renewal, remember-me, sign-out, idle timeout, deactivation, audit log."""

from __future__ import annotations

from datetime import timedelta

import time_machine
from accounts_helpers import TEST_PASSWORD, session_cookie, sign_in
from sqlalchemy import select

from web.extensions import db
from workflow.accounts import set_active
from workflow.audit import AuditKind
from workflow.db import utcnow
from workflow.models import AuditEvent


def _kinds() -> list[str]:
    return list(db.session.scalars(select(AuditEvent.kind).order_by(AuditEvent.id)))


def test_session_is_renewed_at_sign_in(client, people):
    client.get("/prihlaseni")
    with client.session_transaction() as sess:
        sess["planted"] = "set before sign-in"
    before = session_cookie(client)
    assert before is not None

    response = sign_in(client, people["contributor"])

    assert response.status_code == 302
    after = session_cookie(client)
    assert after is not None and after != before
    with client.session_transaction() as sess:
        assert "planted" not in sess
        assert sess["_user_id"] == people["contributor"].get_id()  # "<id>:<session generation>"


def test_cookie_flags_and_remember_me_off_by_default(client, people):
    response = sign_in(client, people["contributor"])
    cookies = response.headers.getlist("Set-Cookie")
    session_header = next(c for c in cookies if c.startswith("session="))
    assert "HttpOnly" in session_header and "SameSite=Lax" in session_header
    assert not any(c.startswith("remember_token=") for c in cookies)
    page = client.get("/ucet").get_data(as_text=True)
    assert "Můj účet" in page


def test_remember_me_sets_a_remember_cookie_only_when_ticked(client, people):
    response = sign_in(client, people["contributor"], remember="y")
    assert any(c.startswith("remember_token=") for c in response.headers.getlist("Set-Cookie"))


def test_sign_in_lands_on_the_work_and_refuses_open_redirects(client, people):
    response = sign_in(client, people["contributor"])
    assert response.headers["Location"] == "/moje-ukoly"  # issue 16: every role lands on its work
    client.post("/odhlaseni")
    response = client.post(
        "/prihlaseni?next=//evil.example/x", data={"email": people["admin"].email, "password": TEST_PASSWORD}
    )
    assert response.status_code == 302 and "evil" not in response.headers["Location"]


def test_sign_out_is_post_only_and_ends_the_session(client, people):
    sign_in(client, people["contributor"])
    assert client.get("/odhlaseni").status_code == 405
    assert client.get("/ucet").status_code == 200
    response = client.post("/odhlaseni")
    assert response.status_code == 302 and response.headers["Location"].endswith("/prihlaseni")
    assert client.get("/ucet").status_code == 302


def test_sign_ins_failures_and_sign_outs_are_audited_with_ip(client, people):
    sign_in(client, people["contributor"], "špatné-heslo-12345")
    sign_in(client, "nikdo@nikde.cz", "špatné-heslo-12345")
    sign_in(client, people["contributor"])
    client.post("/odhlaseni")
    assert _kinds() == [
        AuditKind.sign_in_failed,
        AuditKind.sign_in_failed,
        AuditKind.sign_in,
        AuditKind.sign_out,
    ]
    failed_known, failed_unknown, signed_in, _out = db.session.scalars(
        select(AuditEvent).order_by(AuditEvent.id)
    ).all()
    assert failed_known.subject_id == people["contributor"].id and failed_known.actor_id is None
    assert failed_unknown.subject_id is None and failed_unknown.email == "nikdo@nikde.cz"
    assert signed_in.actor_id == people["contributor"].id and signed_in.ip == "127.0.0.1"


def test_wrong_password_message_does_not_reveal_whether_the_account_exists(client, people):
    known = sign_in(client, people["contributor"], "špatné-heslo-12345").get_data(as_text=True)
    unknown = sign_in(client, "nikdo@nikde.cz", "špatné-heslo-12345").get_data(as_text=True)
    assert "Nesprávný e-mail nebo heslo." in known and "Nesprávný e-mail nebo heslo." in unknown


def test_idle_session_is_signed_out(client, app, people):
    with time_machine.travel(utcnow(), tick=False) as traveller:
        sign_in(client, people["contributor"])
        assert client.get("/ucet").status_code == 200
        traveller.shift(timedelta(hours=7, minutes=59))
        assert client.get("/ucet").status_code == 200  # activity renews the idle clock
        traveller.shift(timedelta(hours=7, minutes=59))
        assert client.get("/ucet").status_code == 200
        traveller.shift(timedelta(hours=app.config["IDLE_TIMEOUT_HOURS"], minutes=1))
        response = client.get("/ucet")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/prihlaseni?next=/ucet")
    assert client.get("/ucet").status_code == 302
    assert AuditKind.session_expired in _kinds()


def test_deactivated_user_loses_access_on_the_next_request(client, people):
    sign_in(client, people["contributor"])
    assert client.get("/ucet").status_code == 200
    set_active(people["contributor"], False, actor=people["admin"])
    db.session.commit()
    response = client.get("/ucet")
    assert response.status_code == 302 and response.headers["Location"].startswith("/prihlaseni")
    # and cannot sign in again; the message says why only to someone who knows the password
    page = sign_in(client, people["contributor"]).get_data(as_text=True)
    assert "deaktivován" in page
    assert client.get("/ucet").status_code == 302


def test_deactivation_by_admin_ui_locks_out_an_open_session(app, client, people):
    admin_client = app.test_client()
    sign_in(admin_client, people["admin"])
    sign_in(client, people["contributor"])
    assert client.get("/ucet").status_code == 200
    response = admin_client.post(f"/sprava/uzivatele/{people['contributor'].id}/deaktivovat")
    assert response.status_code == 302
    assert client.get("/ucet").status_code == 302
