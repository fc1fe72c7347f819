"""Attachments up to ``MAX_ATTACHMENT_MB`` pass the CSRF gate (issue 15, item 9): the gate used to
parse the body under the app-wide limit (about 11 MB) before the upload view raised it."""

from __future__ import annotations

import io

from flask import Flask
from round_fixtures import entry_of
from sqlalchemy import select
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from web.extensions import db
from workflow.models import Attachment


def _pdf(megabytes: float) -> bytes:
    return b"%PDF-1.7\n" + b"0" * int(megabytes * 1024 * 1024)


def _upload(user, entry_id: int, content: bytes):
    """The browser's multipart POST, encoded in memory (the test client would spool a large body
    to a temporary file that a refused request never closes)."""
    values = MultiDict({"csrf_token": user.token(f"/zaznamy/{entry_id}/upravit"),
                        "file": FileStorage(io.BytesIO(content), filename="zápis.pdf")})
    boundary, body = encode_multipart(values)
    return user.client.post(f"/zaznamy/{entry_id}/prilohy", data=body,
                            content_type=f"multipart/form-data; boundary={boundary}")


def test_a_15_mb_attachment_is_accepted_with_csrf_on(browser, opened, people, secure_app: Flask):
    assert secure_app.config["MAX_ATTACHMENT_BYTES"] == 20 * 1024 * 1024
    assert secure_app.config["MAX_CONTENT_LENGTH"] < 15 * 1024 * 1024
    entry = entry_of(opened, "A1.1", "OSV")
    user = browser()
    user.sign_in(people.osv)
    response = _upload(user, entry.id, _pdf(15))
    assert response.status_code == 302, response.status_code
    stored = db.session.scalar(select(Attachment).where(Attachment.entry_id == entry.id))
    assert stored is not None and stored.size > 15 * 1024 * 1024


def test_an_attachment_over_the_limit_gets_the_413_page(browser, opened, people):
    entry = entry_of(opened, "A1.1", "OSV")
    user = browser()
    user.sign_in(people.osv)
    response = _upload(user, entry.id, _pdf(22))
    assert response.status_code == 413


def test_other_forms_keep_the_app_wide_limit(browser, staff, secure_app: Flask):
    user = browser()
    user.sign_in(staff["head"])
    big = "x" * (secure_app.config["MAX_CONTENT_LENGTH"] + 1024)
    response = user.post("/ucet", {"profile-name": big})
    assert response.status_code == 413
