"""Passwords, link tokens and API token secrets never reach the logs or the audit log.

Every log record of every logger (DEBUG and up) is captured through a whole account life: an
invitation accepted with a password, a failed and a successful sign-in, a password reset, an API
token created and used (also a wrong one). None of the secrets may appear in a record's message,
its arguments or its exception text, nor in any audit row.
"""

from __future__ import annotations

import logging
import re

from accounts_helpers import email_to, link_in, sign_in
from sqlalchemy import select

from web.extensions import db
from workflow.models import AuditEvent, Body


def test_no_secret_is_ever_logged(app, people, outbox, caplog):
    caplog.set_level(logging.DEBUG)
    app.logger.info("capture-control")  # proves the capture sees the product's loggers
    secrets: list[str] = []
    base = app.config["BASE_URL"]

    admin = app.test_client()
    assert sign_in(admin, people["admin"]).status_code == 302
    osv = db.session.scalar(select(Body).where(Body.abbreviation == "OSV"))
    invited = admin.post(
        "/sprava/uzivatele/pozvat",
        data={
            "email": "nova@kraj-lbc.cz",
            "name": "Nová",
            "locale": "cs",
            "roles": ["contributor"],
            "bodies": [str(osv.id)],
            "send": "y",
        },
    )
    assert invited.status_code == 302
    invitation = link_in(email_to(outbox, "nova@kraj-lbc.cz"), base)
    secrets.append(invitation.rsplit("/", 1)[1])

    newcomer = app.test_client()
    first_password = "první tajné heslo Jizera 7"
    secrets.append(first_password)
    accepted = newcomer.post(invitation, data={"password": first_password, "confirm": first_password})
    assert accepted.status_code == 302
    newcomer.post("/odhlaseni")

    wrong_password = "špatné heslo Ještěd 42"
    secrets.append(wrong_password)
    assert sign_in(newcomer, "nova@kraj-lbc.cz", wrong_password).status_code == 200
    assert sign_in(newcomer, "nova@kraj-lbc.cz", first_password).status_code == 302
    newcomer.post("/odhlaseni")

    assert newcomer.post("/zapomenute-heslo", data={"email": "nova@kraj-lbc.cz"}).status_code in (200, 302)
    reset = link_in(email_to(outbox, "nova@kraj-lbc.cz"), base)
    assert reset.startswith("/obnova-hesla/")
    secrets.append(reset.rsplit("/", 1)[1])
    second_password = "druhé tajné heslo Bezděz 9"
    secrets.append(second_password)
    assert (
        newcomer.post(reset, data={"password": second_password, "confirm": second_password}).status_code
        == 302
    )

    created = admin.post("/sprava/tokeny", data={"email": "nova@kraj-lbc.cz", "name": "statistiky"})
    page = created.get_data(as_text=True)
    token = re.search(r"pln_[A-Za-z0-9_\-]+", page)
    assert token, page
    secrets.append(token.group(0))
    api = app.test_client()
    assert api.get("/api/v1/plans", headers={"Authorization": f"Bearer {token.group(0)}"}).status_code == 200
    bogus = "pln_" + "x" * 40
    secrets.append(bogus)
    assert api.get("/api/v1/plans", headers={"Authorization": f"Bearer {bogus}"}).status_code == 401

    assert "capture-control" in caplog.messages
    logged = []
    for record in caplog.records:
        logged.append(record.getMessage())
        logged.append(repr(record.args))
        if record.exc_text:
            logged.append(record.exc_text)
    text = "\n".join(logged)
    audit = "\n".join(f"{e.email} {e.summary} {e.details}" for e in db.session.scalars(select(AuditEvent)))
    assert "sign_in_failed" in {e.kind for e in db.session.scalars(select(AuditEvent))}
    for secret in secrets:
        assert secret not in text, f"a secret reached the logs: {secret[:6]}…"
        assert secret not in audit, f"a secret reached the audit log: {secret[:6]}…"
