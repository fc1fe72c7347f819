"""The secretary's reminder controls and logs; the administrator's outbox page."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from reminder_scenario import EVA, JANA, build_round, request_context, run_sweep  # noqa: F401 - request_context is a fixture
from sqlalchemy import select
from support import login

from notifications import outbox
from notifications.outbox import OutboxMessage
from web.extensions import db
from workflow.models import ReminderSettings
from workflow.states import Role

PRAGUE = ZoneInfo("Europe/Prague")

pytestmark = pytest.mark.usefixtures("request_context")


def test_secretary_sets_the_schedule_pauses_and_resumes(app, client, make_user):
    s = build_round(make_user)
    login(client, s.users["tajemnik"])
    page = client.get(f"/kola/{s.round.id}/pripominky")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'value="14, 7, 2, 0"' in html and "Odeslat připomínku teď" in html
    assert "OSV</a> – Odbor sociálních věcí" in html

    bad = client.post(
        f"/kola/{s.round.id}/pripominky",
        data={"offsets": "sedm", "overdue_interval_days": "3", "overdue_max": "5", "escalation_days": "7"},
    )
    assert "Zadejte počty dní oddělené čárkou" in bad.get_data(as_text=True)
    assert db.session.get(ReminderSettings, s.round.id) is None

    saved = client.post(
        f"/kola/{s.round.id}/pripominky",
        data={
            "offsets": "10, 3, 3",
            "overdue_interval_days": "2",
            "overdue_max": "4",
            "escalation_days": "5",
        },
    )
    assert saved.status_code == 302
    settings = db.session.get(ReminderSettings, s.round.id)
    assert (
        settings.offsets,
        settings.overdue_interval_days,
        settings.overdue_max,
        settings.escalation_days,
    ) == ([10, 3], 2, 4, 5)

    assert client.post(f"/kola/{s.round.id}/pripominky/pozastavit").status_code == 302
    db.session.refresh(settings)
    assert settings.paused is True
    assert "Připomínky tohoto kola jsou pozastavené" in client.get(f"/kola/{s.round.id}/pripominky").get_data(
        as_text=True
    )
    assert run_sweep(date(2026, 11, 13)) == {}  # 10 days before, but paused
    client.post(f"/kola/{s.round.id}/pripominky/obnovit")
    db.session.refresh(settings)
    assert settings.paused is False


def test_send_now_and_the_logs(app, client, make_user):
    s = build_round(make_user)
    osmts = s.bodies["OŠMTS"]
    with time_machine.travel(datetime(2026, 11, 12, 10, 0, tzinfo=PRAGUE)):  # the session lives on this clock
        login(client, s.users["tajemnik"])
        response = client.post(
            f"/kola/{s.round.id}/pripominky/odeslat", data={"body_id": str(osmts.id)}, follow_redirects=True
        )
        assert "Připomínka byla zařazena k odeslání, počet e-mailů: 1." in response.get_data(as_text=True)
        message = db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.kind == "deadline_reminder")
        ).one()
        assert message.recipient_email == EVA and message.body_id == osmts.id

        body_log = client.get(f"/kola/{s.round.id}/pripominky/subjekty/{osmts.id}").get_data(as_text=True)
        assert EVA in body_log and "Připomínka termínu" in body_log
        osv_log = client.get(f"/kola/{s.round.id}/pripominky/subjekty/{s.bodies['OSV'].id}").get_data(
            as_text=True
        )
        assert EVA not in osv_log and JANA in osv_log and "Pozvánka do kola" in osv_log

        entry_log = client.get(f"/zaznamy/{s.entry('A1.3', 'OŠMTS').id}/odeslane-zpravy").get_data(
            as_text=True
        )
        assert EVA in entry_log
        other_log = client.get(f"/zaznamy/{s.entry('A1.2', 'OSV').id}/odeslane-zpravy").get_data(as_text=True)
        assert EVA not in other_log


def test_contributors_may_not_use_the_controls(app, client, make_user):
    s = build_round(make_user)
    login(client, s.users["jana"])
    assert client.get(f"/kola/{s.round.id}/pripominky").status_code == 403
    assert client.post(f"/kola/{s.round.id}/pripominky/odeslat", data={"body_id": ""}).status_code == 403
    assert client.get("/sprava/odchozi-posta").status_code == 403


def test_admin_sees_failed_messages_and_resends_them(app, client, make_user):
    admin = make_user("spravce@kraj-lbc.cz", roles=[Role.admin])
    failed_id = outbox.enqueue("password_reset", JANA, "reset:x", {"user": {"email": JANA}, "url": "u"})
    message = db.session.get(OutboxMessage, failed_id)
    message.state, message.attempts, message.last_error = (
        outbox.FAILED,
        9,
        "SMTPRecipientsRefused: 550 neznámý",
    )
    db.session.commit()
    folder = Path(app.config["MAIL_OUTBOX_DIR"])
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "20261121T080000000000-000001-abcdef12.eml").write_bytes(b"Subject: test\r\n\r\nahoj")
    login(client, admin)
    html = client.get("/sprava/odchozi-posta?stav=failed").get_data(as_text=True)
    assert JANA in html and "Odeslat znovu" in html and "550 neznámý" in html
    assert "20261121T080000000000-000001-abcdef12.eml" in html
    with client.get("/sprava/odchozi-posta/soubory/20261121T080000000000-000001-abcdef12.eml") as download:
        assert download.status_code == 200 and download.data.endswith(b"ahoj")
    assert client.get("/sprava/odchozi-posta/soubory/..%2Fplneni.sqlite3").status_code == 404

    response = client.post(f"/sprava/odchozi-posta/{failed_id}/znovu", follow_redirects=True)
    assert "byla znovu zařazena k odeslání" in response.get_data(as_text=True)
    db.session.refresh(message)
    assert (message.state, message.attempts) == (outbox.PENDING, 0)
    assert failed_id in outbox.due_message_ids()
    assert JANA in client.get("/sprava/odchozi-posta").get_data(as_text=True)
