"""Invitations and password resets: single-use, expiring signed links sent through the outbox."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from accounts_helpers import NEW_PASSWORD, email_to, emails_in, link_in, sign_in, text_of
from sqlalchemy import select

from web.extensions import db
from workflow.accounts import LinkError, make_link_token, user_for_link_token
from workflow.audit import AuditKind
from workflow.db import utcnow
from workflow.models import AuditEvent, Body, User
from workflow.passwords import verify_password


def _invite(app, people, email="nova.kolegyne@liberec.cz"):
    admin = app.test_client()
    assert sign_in(admin, people["admin"]).status_code == 302
    osv = db.session.scalar(select(Body).where(Body.abbreviation == "OSV"))
    response = admin.post(
        "/sprava/uzivatele/pozvat",
        data={
            "email": email,
            "name": "Nová Kolegyně",
            "locale": "cs",
            "roles": ["contributor"],
            "bodies": [str(osv.id)],
            "send": "y",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    return db.session.scalar(select(User).where(User.email == email)), osv


def test_newcomer_opens_the_invitation_from_the_outbox_and_reaches_their_body(app, client, people, outbox):
    newcomer, _osv = _invite(app, people)
    assert newcomer.password_hash is None

    message = email_to(outbox, "nova.kolegyne@liberec.cz")
    assert message["Subject"] == "Pozvánka do aplikace Plnění"
    assert message.get_content_charset() in (None, "utf-8")
    body = text_of(message)
    assert "Alena Správcová vás zve" in body and "OSV – Odbor sociálních věcí" in body
    assert message.get_body(preferencelist=("html",)) is not None
    path = link_in(message, app.config["BASE_URL"])
    assert path.startswith("/pozvanka/")

    page = client.get(path)
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Vítejte v aplikaci Plnění" in text and "nova.kolegyne@liberec.cz" in text

    response = client.post(path, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 302
    assert response.headers["Location"] == "/moje-ukoly"  # a contributor lands on the work (issue 16)
    landing = client.get(response.headers["Location"])
    assert landing.status_code == 200
    assert "Moje úkoly" in landing.get_data(as_text=True)

    db.session.refresh(newcomer)
    assert verify_password(newcomer.password_hash, NEW_PASSWORD)
    kinds = set(db.session.scalars(select(AuditEvent.kind).where(AuditEvent.subject_id == newcomer.id)))
    assert {
        AuditKind.user_created,
        AuditKind.invitation_sent,
        AuditKind.invitation_accepted,
        AuditKind.sign_in,
    } <= kinds


def test_invitation_link_works_once(app, client, people, outbox):
    _invite(app, people)
    path = link_in(email_to(outbox, "nova.kolegyne@liberec.cz"), app.config["BASE_URL"])
    assert client.post(path, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}).status_code == 302
    client.post("/odhlaseni")

    again = client.get(path)
    assert again.status_code == 410
    text = again.get_data(as_text=True)
    assert "Tento odkaz už byl použit" in text and "Poslat nový odkaz" in text
    assert (
        client.post(
            path, data={"password": "jiné heslo úplně nové", "confirm": "jiné heslo úplně nové"}
        ).status_code
        == 410
    )


def test_invitation_link_expires(app, client, people, outbox):
    with time_machine.travel(utcnow(), tick=False) as traveller:
        _invite(app, people)
        path = link_in(email_to(outbox, "nova.kolegyne@liberec.cz"), app.config["BASE_URL"])
        traveller.shift(timedelta(hours=app.config["INVITATION_LINK_HOURS"] - 1))
        assert client.get(path).status_code == 200
        traveller.shift(timedelta(hours=2))
        expired = client.get(path)
    assert expired.status_code == 410
    assert "Platnost odkazu z pozvánky vypršela." in expired.get_data(as_text=True)


def test_tampered_link_is_refused(client, people):
    response = client.get("/pozvanka/not-a-token")
    assert response.status_code == 400
    assert "Odkaz je neplatný nebo neúplný" in response.get_data(as_text=True)


def test_invitation_token_cannot_be_used_for_a_reset(app, people):
    token = make_link_token(people["head"], "invitation", app.config["SECRET_KEY"])
    with pytest.raises(LinkError) as error:
        user_for_link_token(token, "password-reset", app.config["SECRET_KEY"], 3600)
    assert error.value.reason == "invalid"


def test_reset_page_never_reveals_whether_the_address_exists(client, people, outbox):
    # The clock stands still: the pages' CSRF tokens carry a timestamp, and two requests in
    # different seconds would differ in it alone.
    with time_machine.travel(utcnow(), tick=False):
        known = client.post("/zapomenute-heslo", data={"email": people["head"].email}, follow_redirects=True)
        unknown = client.post("/zapomenute-heslo", data={"email": "nikdo@nikde.cz"}, follow_redirects=True)
    assert known.status_code == unknown.status_code == 200

    def message(response, address):
        return response.get_data(as_text=True).replace(address, "ADRESA")

    assert message(known, people["head"].email) == message(unknown, "nikdo@nikde.cz")
    assert "Pokud je adresa" in message(known, people["head"].email)
    assert [m["To"] for m in emails_in(outbox)] == [people["head"].email]


def test_password_reset_link_is_single_use_and_expires(app, client, people, outbox):
    user = people["head"]
    with time_machine.travel(utcnow(), tick=False) as traveller:
        client.post("/zapomenute-heslo", data={"email": user.email})
        message = email_to(outbox, user.email)
        assert message["Subject"] == "Obnovení hesla v aplikaci Plnění"
        path = link_in(message, app.config["BASE_URL"])
        assert path.startswith("/obnova-hesla/")
        weak = client.post(path, data={"password": "heslo123456789", "confirm": "heslo123456789"})
        assert weak.status_code == 200 and "příliš běžné" in weak.get_data(as_text=True)
        done = client.post(path, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
        assert done.status_code == 302
        client.post("/odhlaseni")
        assert client.get(path).status_code == 410
        assert sign_in(client, user, NEW_PASSWORD).status_code == 302
        client.post("/odhlaseni")

        client.post("/zapomenute-heslo", data={"email": user.email})
        second = link_in(email_to(outbox, user.email), app.config["BASE_URL"])
        assert second != path
        traveller.shift(timedelta(minutes=app.config["PASSWORD_RESET_LINK_MINUTES"] + 1))
        expired = client.get(second)
    assert expired.status_code == 410
    assert "Platnost odkazu pro obnovení hesla vypršela." in expired.get_data(as_text=True)
    assert AuditKind.password_reset in set(db.session.scalars(select(AuditEvent.kind)))


def test_reset_link_is_void_once_the_user_signs_in_with_the_old_password(app, client, people, outbox):
    user = people["head"]
    client.post("/zapomenute-heslo", data={"email": user.email})
    path = link_in(email_to(outbox, user.email), app.config["BASE_URL"])
    assert sign_in(client, user).status_code == 302
    client.post("/odhlaseni")
    assert client.get(path).status_code == 410


def test_deactivated_user_gets_no_reset_link(client, people, outbox):
    people["head"].active = False
    db.session.commit()
    client.post("/zapomenute-heslo", data={"email": people["head"].email})
    assert emails_in(outbox) == []


def test_emails_follow_the_recipients_language(app, people, outbox):
    from notifications import send_password_reset

    people["head"].locale = "en"
    send_password_reset(people["head"])
    message = email_to(outbox, people["head"].email)
    assert message["To"] == people["head"].email
    assert "{{" not in text_of(message) and app.config["BASE_URL"] in text_of(message)
