"""Helpers shared by the account tests (a uniquely named module: ``conftest`` is ambiguous)."""

from __future__ import annotations

import email
import email.policy
import re
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from flask.testing import FlaskClient

from workflow.models import User

TEST_PASSWORD = "správné-heslo-1234"
NEW_PASSWORD = "modrý vlak jede pomalu"


def sign_in(client: FlaskClient, user: User | str, password: str = TEST_PASSWORD, **extra: Any) -> Any:
    """POST the real sign-in form; returns the response."""
    address = user if isinstance(user, str) else user.email
    return client.post("/prihlaseni", data={"email": address, "password": password, **extra})


def session_cookie(client: FlaskClient) -> str | None:
    """The value of the session cookie the client holds, or ``None``."""
    cookie = client.get_cookie("session")
    return cookie.value if cookie is not None else None


def deliver_due() -> int:
    """Deliver every due outbox message now, in this process, as the Celery worker would
    (:func:`notifications.outbox.deliver`); returns how many were handled."""
    from notifications import outbox as mail_outbox

    ids = mail_outbox.due_message_ids()
    for message_id in ids:
        mail_outbox.deliver(message_id)
    return len(ids)


def emails_in(outbox: Path) -> list[EmailMessage]:
    """Every ``.eml`` in the outbox folder, oldest first, parsed (due outbox messages are
    delivered first: account e-mails go through the transactional outbox)."""
    deliver_due()
    messages = []
    for path in sorted(outbox.glob("*.eml")):
        parsed = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        messages.append(parsed)  # type: ignore[arg-type]
    return messages


def email_to(outbox: Path, address: str) -> EmailMessage:
    """The newest e-mail to ``address``; fails when there is none."""
    found = [m for m in emails_in(outbox) if m["To"] == address]
    assert found, f"no e-mail to {address} in {outbox}"
    return found[-1]


def text_of(message: EmailMessage) -> str:
    """The plain-text body."""
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    return part.get_content()  # type: ignore[no-any-return]


def link_in(message: EmailMessage, base_url: str) -> str:
    """The path of the first link to the product in the plain-text body, e.g. ``/pozvanka/…``."""
    match = re.search(re.escape(base_url) + r"(/\S+)", text_of(message))
    assert match, text_of(message)
    return match.group(1)
