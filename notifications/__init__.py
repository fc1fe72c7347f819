"""E-mail notifications: templates under ``templates/email/<name>/``, delivery in :mod:`.mailer`.

This package holds the account e-mails (invitation, password reset). It builds the single-use
links from ``BASE_URL`` and ``SECRET_KEY`` (:func:`workflow.accounts.make_link_token`), queues the
e-mail in the transactional outbox (:mod:`notifications.outbox`; an SMTP outage delays it, never
fails the request) and records the sending in the account audit log.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Any

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


def _user_payload(user: User) -> dict[str, Any]:
    """The recipient as the account e-mails' templates need it (JSON, stored in the outbox)."""
    return {
        "id": user.id,
        "email": user.email,
        "name": user.name,
        "locale": user.locale,
        "bodies": [{"label": body.label} for body in user.bodies],
    }


def _link_key(kind: str, user: User, url: str) -> str:
    """A dedupe key naming the link without revealing it: one message per link."""
    return f"{kind}:{user.id}:{hashlib.sha256(url.encode()).hexdigest()[:24]}"


def send_invitation(user: User, *, actor: User | None, ip: str = "") -> int | None:
    """Queue an invitation e-mail to ``user`` in the outbox (sent by the worker after the caller
    commits, retried while SMTP is down); stamps ``invited_at`` and logs it; flushes.

    The single-use link is stored in the outbox row's payload (the worker renders it) and is
    never written to a log.

    :returns: the outbox message id.
    """
    from notifications import outbox
    from workflow.audit import AuditKind, record
    from workflow.db import utcnow

    hours = int(current_app.config["INVITATION_LINK_HOURS"])
    url = invitation_url(user)
    message_id = outbox.enqueue(
        "invitation", user.email, _link_key("invitation", user, url),
        {"user": _user_payload(user), "url": url, "inviter": {"name": actor.name} if actor else None,
         "valid_days": max(1, hours // 24), "base_url": current_app.config["BASE_URL"]},
        recipient_id=user.id, locale=user.locale,
    )
    user.invited_at = utcnow()
    record(AuditKind.invitation_sent, actor=actor, subject=user, ip=ip)
    return message_id


def send_password_reset(user: User, *, ip: str = "") -> int | None:
    """Queue a password-reset e-mail with a fresh single-use link to ``user`` in the outbox (as
    :func:`send_invitation`) and log the request; flushes.

    :returns: the outbox message id.
    """
    from notifications import outbox
    from workflow.audit import AuditKind, record

    minutes = int(current_app.config["PASSWORD_RESET_LINK_MINUTES"])
    url = password_reset_url(user)
    message_id = outbox.enqueue(
        "password_reset", user.email, _link_key("password_reset", user, url),
        {"user": _user_payload(user), "url": url, "valid_minutes": minutes,
         "base_url": current_app.config["BASE_URL"]},
        recipient_id=user.id, locale=user.locale,
    )
    record(AuditKind.password_reset_requested, actor=None, subject=user, ip=ip)
    return message_id
