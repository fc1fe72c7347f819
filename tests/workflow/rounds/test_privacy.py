"""Personal data (GDPR): an administrator exports everything about a user and anonymises a departed
one; the answers stay and are shown as „bývalý uživatel“ (docs/reliability.md)."""

from __future__ import annotations

import io
import json

from round_fixtures import entry_of, login
from sqlalchemy import select

from notifications.outbox import OutboxMessage, enqueue
from web.extensions import db
from workflow.audit import AuditKind
from workflow.entries import add_comment, add_link, apply_transition, save_draft, store_attachment
from workflow.models import ApiToken, AuditEvent, Deputy, EntryVersion, User
from workflow.privacy import FORMER_USER_NAME, placeholder_email
from workflow.tokens import create_api_token


def _fill(opened, people, tmp_path):
    """ORREP's contributor answers, comments, attaches a file and submits; gets a token and an e-mail."""
    entry = entry_of(opened, "A1.2", "ORREP")
    save_draft(
        entry,
        people.orrep,
        {"text": "Proběhla 3 setkání s obcemi.", "fulfilment_status": "done"},
        expected_version=entry.version,
    )
    add_comment(entry, people.orrep, "Doplním zápis ze setkání.")
    add_link(entry, people.orrep, "https://www.kraj-lbc.cz/zapis", "Zápis")
    store_attachment(entry, people.orrep, "zapis.pdf", io.BytesIO(b"%PDF-1.7 zapis"), tmp_path)
    apply_transition(entry, "submit", people.orrep)
    create_api_token(people.orrep, name="statistiky", actor=people.admin)
    enqueue(
        "password_reset",
        people.orrep.email,
        "privacy-test",
        {"url": "http://x/heslo/abc", "valid_minutes": 60},
        recipient_id=people.orrep.id,
    )
    db.session.add(
        Deputy(
            principal=people.orrep,
            deputy=people.osv,
            starts_on=opened.period_start,
            ends_on=opened.period_end,
        )
    )
    db.session.commit()
    return entry


def test_admin_exports_everything_about_a_user(client, opened, people, tmp_path):
    _fill(opened, people, tmp_path)
    login(client, people.admin)
    response = client.post(f"/sprava/uzivatele/{people.orrep.id}/export")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert "attachment" in response.headers["Content-Disposition"]
    data = json.loads(response.get_data(as_text=True))
    assert data["account"]["email"] == "orrep@kraj-lbc.cz"
    assert [b["abbreviation"] for b in data["bodies"]] == ["ORREP"]
    assert data["roles"][0]["role"] == "contributor"
    assert any(v["text"] == "Proběhla 3 setkání s obcemi." for v in data["entry_versions"])
    assert [t["name"] for t in data["entry_transitions"]] == ["start", "submit"]
    assert data["comments"][0]["text"] == "Doplním zápis ze setkání."
    assert data["evidence_links"][0]["url"] == "https://www.kraj-lbc.cz/zapis"
    assert data["attachments"][0]["filename"] == "zapis.pdf"
    assert data["api_tokens"][0]["name"] == "statistiky" and "token_hash" not in data["api_tokens"][0]
    assert "password_reset" in {m["kind"] for m in data["emails"]}
    assert data["deputies"][0]["deputy"] == "osv@kraj-lbc.cz"
    assert any(e["kind"] == "token_created" for e in data["audit_events"])
    exported = db.session.scalars(select(AuditEvent).where(AuditEvent.kind == AuditKind.user_exported)).one()
    assert exported.actor_id == people.admin.id and exported.subject_id == people.orrep.id


def test_admin_anonymises_a_departed_user_and_the_answers_stay(client, opened, people, tmp_path):
    entry = _fill(opened, people, tmp_path)
    user_id, old_email = people.orrep.id, people.orrep.email
    login(client, people.admin)
    refused = client.post(
        f"/sprava/uzivatele/{user_id}/anonymizovat", data={"reason": " "}, follow_redirects=True
    )
    assert "Uveďte důvod" in refused.get_data(as_text=True)
    assert db.session.get(User, user_id).anonymised_at is None

    done = client.post(
        f"/sprava/uzivatele/{user_id}/anonymizovat",
        data={"reason": "odchod z úřadu k 31. 12."},
        follow_redirects=True,
    )
    assert "Účet je anonymizován" in done.get_data(as_text=True)
    db.session.expire_all()
    user = db.session.get(User, user_id)
    assert user.name == FORMER_USER_NAME and user.email == placeholder_email(user)
    assert user.password_hash is None and not user.active and user.anonymised_at is not None
    assert user.role_assignments == [] and user.bodies == []
    assert db.session.scalar(select(Deputy).where(Deputy.principal_id == user_id)) is None
    assert all(t.revoked_at for t in db.session.scalars(select(ApiToken).where(ApiToken.user_id == user_id)))
    messages = db.session.scalars(select(OutboxMessage).where(OutboxMessage.recipient_id == user_id)).all()
    assert messages and all(
        m.recipient_email == user.email and m.payload == {"redacted": True} for m in messages
    )
    # The answers stay, attributed to „bývalý uživatel“ wherever the author is shown.
    versions = db.session.scalars(select(EntryVersion).where(EntryVersion.entry_id == entry.id)).all()
    assert versions and all(v.author_id == user_id for v in versions)
    assert any(v.text == "Proběhla 3 setkání s obcemi." for v in versions)
    client.post("/odhlaseni")
    login(client, people.reviewer)
    history = client.get(f"/zaznamy/{entry.id}/historie").get_data(as_text=True)
    assert FORMER_USER_NAME in history and old_email not in history and "orrep" not in history
    detail = client.get(f"/zaznamy/{entry.id}").get_data(as_text=True)
    assert "Doplním zápis ze setkání." in detail and FORMER_USER_NAME in detail
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.kind == AuditKind.user_anonymised)).one()
    assert event.details["reason"] == "odchod z úřadu k 31. 12." and event.email == user.email
    # Nobody can sign in with the old address any more.
    assert client.post("/odhlaseni").status_code in (200, 302)
    assert login(client, people.orrep).status_code == 200


def test_anonymising_oneself_or_twice_is_refused(client, people, opened):
    login(client, people.admin)
    own = client.post(
        f"/sprava/uzivatele/{people.admin.id}/anonymizovat", data={"reason": "test"}, follow_redirects=True
    )
    assert "Vlastní účet anonymizovat nelze" in own.get_data(as_text=True)
    client.post(f"/sprava/uzivatele/{people.osv.id}/anonymizovat", data={"reason": "odchod"})
    again = client.post(
        f"/sprava/uzivatele/{people.osv.id}/anonymizovat", data={"reason": "odchod"}, follow_redirects=True
    )
    assert "už je anonymizovaný" in again.get_data(as_text=True)


def test_only_administrators_manage_personal_data(client, people, opened):
    login(client, people.secretary)
    assert client.post(f"/sprava/uzivatele/{people.osv.id}/export").status_code == 403
    assert (
        client.post(f"/sprava/uzivatele/{people.osv.id}/anonymizovat", data={"reason": "x"}).status_code
        == 403
    )
