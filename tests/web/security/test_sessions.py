"""Sessions that end (issue 15, items 1 and 2): sign-out, a password change, „Odhlásit všude“,
deactivation and the idle timeout end every session and remember cookie of the user, checked with
two (or three) browsers on the CSRF-enabled application; remember-cookie sign-ins are audited."""

from __future__ import annotations

import time

from security_helpers import REMEMBER_COOKIE, TEST_PASSWORD, Browser, removes_cookie
from sqlalchemy import select

from web.extensions import db
from workflow.audit import AuditKind
from workflow.models import AuditEvent, User

NEW_PASSWORD = "modrý vlak jede pomalu"


def _two_browsers(browser, user: User) -> tuple[Browser, Browser]:
    first, second = browser(), browser()
    for one in (first, second):
        assert one.sign_in(user, remember=True).status_code == 302
        assert one.cookie(REMEMBER_COOKIE)
        assert one.signed_in()
    return first, second


def _is_signed_out_within_one_request(other: Browser) -> None:
    """The very next request of ``other`` is anonymous and deletes its remember cookie."""
    response = other.get("/ucet")
    assert response.status_code == 302 and "/prihlaseni" in response.headers["Location"]
    assert removes_cookie(response, REMEMBER_COOKIE)
    assert not other.signed_in()


def test_sign_out_ends_every_session_and_remember_cookie_of_the_user(browser, staff):
    user = staff["contributor"]
    first, second = _two_browsers(browser, user)
    copied = browser()
    copied.copy_cookies_from(first)  # a cookie copied before sign-out
    response = first.post("/odhlaseni")
    assert response.status_code == 302
    assert removes_cookie(response, REMEMBER_COOKIE)
    assert not first.signed_in()
    _is_signed_out_within_one_request(second)
    _is_signed_out_within_one_request(copied)


def test_remember_cookie_alone_does_not_survive_sign_out(browser, staff):
    user = staff["contributor"]
    first = browser()
    first.sign_in(user, remember=True)
    stolen_remember = first.cookie(REMEMBER_COOKIE)
    first.post("/odhlaseni")
    replay = browser()
    replay.client.set_cookie(REMEMBER_COOKIE, stolen_remember)
    assert not replay.signed_in()


def test_password_change_ends_other_sessions_and_keeps_this_one(browser, staff):
    user = staff["head"]
    first, second = _two_browsers(browser, user)
    form = {"password-current": TEST_PASSWORD, "password-password": NEW_PASSWORD,
            "password-confirm": NEW_PASSWORD}
    response = first.post("/ucet/heslo", form)
    assert response.status_code == 302, response.get_data(as_text=True)
    _is_signed_out_within_one_request(second)
    assert first.signed_in()
    first.forget_session_cookie()  # the reissued remember cookie carries the new generation
    assert first.signed_in()


def test_sign_out_everywhere_ends_other_sessions_and_keeps_this_one(browser, staff):
    user = staff["reviewer"]
    first, second = _two_browsers(browser, user)
    settings = first.get("/ucet").get_data(as_text=True)
    assert "Odhlásit všude" in settings
    response = first.post("/ucet/odhlasit-vsude")
    assert response.status_code == 302
    _is_signed_out_within_one_request(second)
    assert first.signed_in()
    kinds = db.session.scalars(select(AuditEvent.kind).where(AuditEvent.subject_id == user.id)).all()
    assert AuditKind.sessions_ended in kinds


def test_reactivation_does_not_revive_old_cookies(browser, staff):
    user = staff["contributor"]
    victim = browser()
    victim.sign_in(user, remember=True)
    admin = browser()
    admin.sign_in(staff["admin"])
    assert admin.post(f"/sprava/uzivatele/{user.id}/deaktivovat", page=f"/sprava/uzivatele/{user.id}"
                      ).status_code == 302
    assert admin.post(f"/sprava/uzivatele/{user.id}/aktivovat", page=f"/sprava/uzivatele/{user.id}"
                      ).status_code == 302
    db.session.expire_all()
    assert db.session.get(User, user.id).active
    assert not victim.signed_in()


def test_sign_in_by_remember_cookie_is_audited(browser, staff):
    user = staff["contributor"]
    one = browser()
    one.sign_in(user, remember=True)
    one.forget_session_cookie()
    assert one.signed_in()
    kinds = db.session.scalars(select(AuditEvent.kind).where(AuditEvent.subject_id == user.id)).all()
    assert kinds.count(AuditKind.sign_in_remembered) == 1


def test_idle_timeout_also_ends_the_remember_cookie(browser, staff, secure_app):
    user = staff["contributor"]
    one = browser()
    one.sign_in(user, remember=True)
    with one.client.session_transaction() as session:
        session["last_seen"] = int(time.time()) - int(secure_app.config["IDLE_TIMEOUT_HOURS"] * 3600) - 60
    response = one.get("/ucet")
    assert response.status_code == 302
    assert removes_cookie(response, REMEMBER_COOKIE)
    assert not one.signed_in()


def test_a_session_of_the_old_format_is_refused(browser, staff, secure_app):
    """A cookie naming only the id (no generation) – as every cookie before this change did."""
    user = staff["contributor"]
    one = browser()
    one.sign_in(user)
    with one.client.session_transaction() as session:
        session["_user_id"] = str(user.id)
    assert not one.signed_in()
    assert one.sign_in(user).status_code == 302 and one.signed_in()
