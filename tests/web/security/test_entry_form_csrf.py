"""The entry page's forms have no CSRF field of their own (issue 17: the gate of every unsafe
request checks the token once): save, submit, autosave, a comment, a link and an upload without
the token, or with a forged one, are refused and change nothing; with the page's token they go
through."""

from __future__ import annotations

import io
import re

from round_fixtures import entry_of, login
from sqlalchemy import func, select

from web.extensions import db
from workflow.models import Entry, EntryComment


def _answer(entry: Entry, action: str) -> dict[str, str]:
    return {"version": str(entry.version), "fulfilment_status": "done", "text": "Hotovo.", "action": action}


def test_the_entry_forms_posts_need_the_token(client, opened, people):
    entry = entry_of(opened, "B1.1", "OSV")
    assert login(client, people.osv).status_code == 302
    page = client.get(f"/zaznamy/{entry.id}/upravit").get_data(as_text=True)
    tokens = set(re.findall(r'name="csrf_token" value="([^"]+)"', page))
    assert len(tokens) == 1  # every form of the page carries the session's token
    before = (entry.state, entry.text, entry.version)
    client.auto_csrf = False
    url = f"/zaznamy/{entry.id}/upravit"
    forged = {**_answer(entry, "save"), "csrf_token": "forged"}
    for data in (_answer(entry, "save"), _answer(entry, "submit"), forged):
        assert client.post(url, data=data).status_code == 400
    assert client.post(f"/zaznamy/{entry.id}/autosave", data=_answer(entry, "save")).status_code == 400
    others = {
        "komentare": {"text": "Dotaz."},
        "odkazy": {"url": "https://www.kraj-lbc.cz/", "label": "Web"},
        "prilohy": {"file": (io.BytesIO(b"%PDF-1.4 zkouska"), "zprava.pdf")},
    }
    for path, data in others.items():
        assert client.post(f"/zaznamy/{entry.id}/{path}", data=data).status_code == 400, path
    db.session.expire_all()
    unchanged = db.session.get(Entry, entry.id)
    assert (unchanged.state, unchanged.text, unchanged.version) == before
    assert not unchanged.links and not unchanged.attachments
    assert db.session.scalar(select(func.count()).select_from(EntryComment)) == 0
    sent = client.post(url, data={**_answer(unchanged, "submit"), "csrf_token": tokens.pop()})
    assert sent.status_code == 302
    db.session.expire_all()
    assert db.session.get(Entry, entry.id).state == "submitted"
