"""Delivery of one e-mail: an ``.eml`` file in the outbox folder, or SMTP. A leaf module.

Configuration (see ``web/config.py``): ``MAIL_BACKEND`` (``outbox``/``smtp``), ``MAIL_OUTBOX_DIR``,
``MAIL_SERVER``, ``MAIL_PORT``, ``MAIL_USE_TLS``, ``MAIL_USERNAME``, ``MAIL_PASSWORD``,
``MAIL_DEFAULT_SENDER``. A later issue wraps delivery in a transactional outbox with retries; this
module stays a plain function that either delivers or raises.
"""

from __future__ import annotations

import itertools
import smtplib
import uuid
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from typing import Any

from flask import current_app, render_template
from flask_babel import force_locale

_SEQUENCE = itertools.count(1)


def build_message(to: str, subject: str, text: str, html: str | None = None) -> EmailMessage:
    """The UTF-8 MIME message (plain text, plus an HTML alternative when given)."""
    config = current_app.config
    message = EmailMessage()
    message["From"] = config["MAIL_DEFAULT_SENDER"]
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = format_datetime(datetime.now(UTC))
    message["Message-ID"] = make_msgid(domain=config["MAIL_DEFAULT_SENDER"].rpartition("@")[2] or None)
    message.set_content(text, charset="utf-8")
    if html:
        message.add_alternative(html, subtype="html", charset="utf-8")
    return message


def send_email(to: str, subject: str, text: str, html: str | None = None) -> Path | None:
    """Deliver one e-mail with the configured backend.

    :param to: one recipient address.
    :param subject: the subject line (may contain Czech letters).
    :param text: the plain-text body; ``html`` an optional HTML alternative.
    :returns: the ``.eml`` file written (``outbox``), or ``None`` (``smtp``).
    :raises smtplib.SMTPException, OSError: delivery failed (the caller may retry).
    :raises ValueError: unknown ``MAIL_BACKEND``.
    """
    config = current_app.config
    message = build_message(to, subject, text, html)
    backend = config.get("MAIL_BACKEND", "outbox")
    if backend == "outbox":
        folder = Path(config["MAIL_OUTBOX_DIR"])
        folder.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
        # Sortable names: time, then a per-process sequence (equal times keep sending order).
        path = folder / f"{stamp}-{next(_SEQUENCE):06d}-{uuid.uuid4().hex[:8]}.eml"
        path.write_bytes(message.as_bytes())
        return path
    if backend == "smtp":
        with smtplib.SMTP(config["MAIL_SERVER"], int(config["MAIL_PORT"]), timeout=30) as smtp:
            if config.get("MAIL_USE_TLS"):
                smtp.starttls()
            if config.get("MAIL_USERNAME"):
                smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD", ""))
            smtp.send_message(message)
        return None
    raise ValueError(f"unknown MAIL_BACKEND {backend!r}")


def render_email(name: str, locale: str, **context: Any) -> tuple[str, str, str | None]:
    """Render ``templates/email/<name>/{subject.txt,body.txt,body.html}`` in ``locale``.

    :returns: ``(subject, text, html)``; ``html`` is ``None`` when the template has no HTML part.
    """
    with force_locale(locale if locale in ("cs", "en") else "cs"):
        subject = " ".join(render_template(f"email/{name}/subject.txt", **context).split())
        text = render_template(f"email/{name}/body.txt", **context)
        try:
            html: str | None = render_template(f"email/{name}/body.html", **context)
        except Exception as exc:  # TemplateNotFound: HTML is optional
            if exc.__class__.__name__ != "TemplateNotFound":
                raise
            html = None
    return subject, text, html
