"""E-mail notifications: templates under ``templates/email/<name>/``, delivery in :mod:`.mailer`.

This package holds the account e-mails (invitation, password reset). It builds the single-use
links from ``BASE_URL`` and ``SECRET_KEY`` (:func:`workflow.accounts.make_link_token`), renders the
e-mail in the recipient's language and records the sending in the account audit log.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import current_app

if TYPE_CHECKING:
    from workflow.models import User

# ``workflow.models`` imports ``notifications.outbox`` (and so this package) while it loads, so the
# domain modules are imported inside the functions below, never at import time.


def _link(path: str) -> str:
    return f"{current_app.config['BASE_URL'].rstrip('/')}{path}"


def invitation_url(user: User) -> str:
    """A fresh single-use invitation link for ``user`` (``BASE_URL/pozvanka/<token>``)."""
    from workflow.accounts import make_link_token

    token = make_link_token(user, "invitation", current_app.config["SECRET_KEY"])
    return _link(f"/pozvanka/{token}")


def password_reset_url(user: User) -> str:
    """A fresh single-use password-reset link for ``user`` (``BASE_URL/obnova-hesla/<token>``)."""
    from workflow.accounts import make_link_token

    token = make_link_token(user, "password-reset", current_app.config["SECRET_KEY"])
    return _link(f"/obnova-hesla/{token}")


def send_invitation(user: User, *, actor: User | None, ip: str = "") -> None:
    """E-mail ``user`` an invitation to set a password; stamps ``invited_at`` and logs it.

    :raises smtplib.SMTPException, OSError: delivery failed (nothing is logged then).
    """
    from notifications.mailer import render_email, send_email
    from workflow.audit import AuditKind, record
    from workflow.db import utcnow

    hours = int(current_app.config["INVITATION_LINK_HOURS"])
    subject, text, html = render_email(
        "invitation", user.locale, user=user, url=invitation_url(user), inviter=actor,
        valid_days=max(1, hours // 24), base_url=current_app.config["BASE_URL"],
    )
    send_email(user.email, subject, text, html)
    user.invited_at = utcnow()
    record(AuditKind.invitation_sent, actor=actor, subject=user, ip=ip)


def send_password_reset(user: User, *, ip: str = "") -> None:
    """E-mail ``user`` a link to set a new password and log the request.

    :raises smtplib.SMTPException, OSError: delivery failed.
    """
    from notifications.mailer import render_email, send_email
    from workflow.audit import AuditKind, record

    minutes = int(current_app.config["PASSWORD_RESET_LINK_MINUTES"])
    subject, text, html = render_email(
        "password_reset", user.locale, user=user, url=password_reset_url(user), valid_minutes=minutes,
        base_url=current_app.config["BASE_URL"],
    )
    send_email(user.email, subject, text, html)
    record(AuditKind.password_reset_requested, actor=None, subject=user, ip=ip)
