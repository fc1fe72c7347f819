"""Sign-in input (issue 15, items 4 and 7): the per-account limit cannot be dodged with invisible
characters, control characters are refused, and a failed sign-in costs one Argon2 verification
whether or not the address has an account (no user enumeration by timing)."""

from __future__ import annotations

import argon2
import pytest
from security_helpers import TEST_PASSWORD
from sqlalchemy import select

from web.extensions import db
from workflow.audit import AuditKind
from workflow.models import AuditEvent

WRONG = "úplně-špatné-heslo"
INVISIBLE = ["\x01", "\x7f", "\u200b", "\x1b", "\u00ad"]


def test_invisible_characters_do_not_buy_more_attempts(browser, staff):
    victim = staff["contributor"]
    attacker = browser()
    for i, mark in enumerate(INVISIBLE):  # five failures, each with another invisible character
        variant = victim.email[:3] + mark + victim.email[3:] if i % 2 else victim.email + mark
        response = attacker.sign_in(variant, WRONG)
        assert response.status_code == 200
    assert attacker.sign_in(victim.email + "\x02", TEST_PASSWORD).status_code == 429
    assert attacker.sign_in(victim.email, TEST_PASSWORD).status_code == 429
    assert not attacker.signed_in()


def test_control_characters_in_the_address_are_refused_even_with_the_right_password(browser, staff):
    user = browser()
    response = user.sign_in(staff["head"].email + "\x01", TEST_PASSWORD)
    assert response.status_code == 200
    assert "řídicí znaky" in response.get_data(as_text=True)
    assert not user.signed_in()


@pytest.fixture
def argon2_verifications(monkeypatch):
    """Counts every Argon2 verification (argon2-cffi's own ``PasswordHasher.verify``, still run)."""
    calls: list[str] = []
    original = argon2.PasswordHasher.verify

    def counting(self, hash, password):
        calls.append(hash)
        return original(self, hash, password)

    monkeypatch.setattr(argon2.PasswordHasher, "verify", counting)
    return calls


def test_unknown_address_costs_the_same_argon2_verification(browser, staff, argon2_verifications, make_user):
    invited = make_user("pozvany@kraj-lbc.cz", roles=[])
    invited.password_hash = None
    db.session.commit()
    user = browser()
    counts = {}
    for label, address in (("known", staff["head"].email), ("unknown", "nikdo@kraj-lbc.cz"),
                           ("no password", invited.email)):
        before = len(argon2_verifications)
        assert user.sign_in(address, WRONG).status_code == 200
        counts[label] = len(argon2_verifications) - before
    assert counts == {"known": 1, "unknown": 1, "no password": 1}


def test_password_reset_does_the_same_work_for_an_unknown_address(browser, staff):
    user = browser()
    for address in (staff["head"].email, "nikdo@kraj-lbc.cz"):
        response = user.post("/zapomenute-heslo", {"email": address}, page="/zapomenute-heslo")
        assert response.status_code == 302
    requested = AuditEvent.kind == AuditKind.password_reset_requested
    rows = db.session.execute(select(AuditEvent.email, AuditEvent.subject_id).where(requested)).all()
    assert len(rows) == 2
    assert {row.subject_id for row in rows} == {staff["head"].id, None}
