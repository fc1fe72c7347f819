"""Deputies (zástup): acting for a principal's bodies within the dates only, recorded as "acted for"."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from accounts_helpers import sign_in
from sqlalchemy import select

from web.extensions import db
from workflow.accounts import (
    AccountError,
    NotActingForBody,
    acting_for,
    add_deputy,
    bodies_of,
    principal_for,
)
from workflow.audit import AuditKind, record
from workflow.clock import today as today_in_prague
from workflow.models import AuditEvent, Body, Deputy
from workflow.permissions import Action, acts_for, can, deputised_body_ids

START, END = date(2025, 7, 1), date(2025, 7, 14)


def _body(abbreviation):
    return db.session.scalar(select(Body).where(Body.abbreviation == abbreviation))


@pytest.fixture
def holiday(people):
    """The OZ contributor stands in for the OSV contributor from 1 to 14 July 2025."""
    entry = add_deputy(people["contributor"], people["other"], START, END, actor=people["contributor"])
    db.session.commit()
    return entry


@pytest.mark.parametrize(
    ("day", "inside"),
    [
        (date(2025, 6, 30), False),
        (START, True),
        (date(2025, 7, 7), True),
        (END, True),
        (date(2025, 7, 15), False),
    ],
)
def test_deputy_acts_for_the_principal_only_within_the_dates(people, holiday, day, inside):
    deputy, principal = people["other"], people["contributor"]
    osv, oz = _body("OSV"), _body("OZ")
    assert acting_for(deputy, day) == ([principal] if inside else [])
    assert {b.abbreviation for b in bodies_of(deputy, day)} == ({"OSV", "OZ"} if inside else {"OZ"})
    assert principal_for(deputy, oz, day) is None  # own body: in their own right
    if inside:
        assert principal_for(deputy, osv, day) == principal
        assert deputised_body_ids(deputy, day) == {osv.id: principal.id}
        assert acts_for(deputy, osv, day)
    else:
        with pytest.raises(NotActingForBody):
            principal_for(deputy, osv, day)
        assert deputised_body_ids(deputy, day) == {}
        assert not acts_for(deputy, osv, day)
    # the principal keeps their own body throughout
    assert [b.abbreviation for b in bodies_of(principal, day)] == ["OSV"]


def test_acted_for_is_stored_in_the_audit_log(people, holiday):
    principal = principal_for(people["other"], _body("OSV"), date(2025, 7, 2))
    event = record(AuditKind.user_updated, actor=people["other"], acted_for=principal, body=_body("OSV"))
    db.session.commit()
    stored = db.session.get(AuditEvent, event.id)
    assert stored.actor_id == people["other"].id and stored.acted_for_id == people["contributor"].id


def test_deputyship_narrowed_to_one_body(people, seeded):
    principal = people["head"]
    principal.bodies.append(_body("OZ"))
    add_deputy(principal, people["secretary"], START, END, body=_body("OZ"), actor=principal)
    assert [b.abbreviation for b in bodies_of(people["secretary"], START)] == ["OZ"]
    with pytest.raises(NotActingForBody):
        principal_for(people["secretary"], _body("OSV"), START)


def test_deactivated_deputy_acts_for_nobody(people, holiday):
    people["other"].active = False
    assert acting_for(people["other"], START) == []
    assert bodies_of(people["other"], START) == []


@pytest.mark.parametrize(
    ("principal", "deputy", "kwargs", "message"),
    [
        ("reviewer", "other", {}, "jen zpracovatel nebo vedoucí"),
        ("contributor", "contributor", {}, "sami sobě"),
        ("contributor", "other", {"starts_on": END, "ends_on": START}, "Konec zástupu"),
        ("contributor", "other", {"body": "OZ"}, "jen pro vlastní subjekt"),
    ],
)
def test_invalid_deputyships_are_refused(people, principal, deputy, kwargs, message):
    starts, ends = kwargs.pop("starts_on", START), kwargs.pop("ends_on", END)
    if "body" in kwargs:
        kwargs["body"] = _body(kwargs["body"])
    with pytest.raises(AccountError, match=message):
        add_deputy(people[principal], people[deputy], starts, ends, actor=people[principal], **kwargs)


def test_today_is_the_prague_date():
    # 23:30 UTC on 31 December is already New Year in Prague (UTC+1).
    assert today_in_prague(datetime(2025, 12, 31, 23, 30, tzinfo=UTC)) == date(2026, 1, 1)
    assert today_in_prague(datetime(2025, 7, 1, 21, 59, tzinfo=UTC)) == date(2025, 7, 1)
    assert today_in_prague(datetime(2025, 7, 1, 22, 0, tzinfo=UTC)) == date(2025, 7, 2)


def test_contributor_names_a_deputy_on_the_account_page(client, people):
    sign_in(client, people["contributor"])
    page = client.get("/ucet").get_data(as_text=True)
    assert "Zástup v mé nepřítomnosti" in page
    response = client.post(
        "/ucet/zastupy",
        data={
            "deputy-email": people["other"].email,
            "deputy-starts_on": "2025-07-01",
            "deputy-ends_on": "2025-07-14",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    entry = db.session.scalar(select(Deputy))
    assert (entry.principal_id, entry.deputy_id, entry.starts_on, entry.ends_on) == (
        people["contributor"].id,
        people["other"].id,
        START,
        END,
    )
    assert db.session.scalar(select(AuditEvent.kind).where(AuditEvent.kind == AuditKind.deputy_added))


def test_only_own_deputyships_can_be_cancelled(client, people, holiday):
    sign_in(client, people["head"])  # a head of the same body, but not the principal
    assert client.post(f"/ucet/zastupy/{holiday.id}/zrusit").status_code == 404
    client.post("/odhlaseni")
    sign_in(client, people["contributor"])
    assert client.post(f"/ucet/zastupy/{holiday.id}/zrusit").status_code == 302
    assert db.session.scalar(select(Deputy)) is None


def test_roles_without_deputies_cannot_name_one(client, people):
    sign_in(client, people["reviewer"])
    assert "Zástup v mé nepřítomnosti" not in client.get("/ucet").get_data(as_text=True)
    response = client.post(
        "/ucet/zastupy",
        data={
            "deputy-email": people["other"].email,
            "deputy-starts_on": "2025-07-01",
            "deputy-ends_on": "2025-07-02",
        },
    )
    assert response.status_code == 403
    assert not can(people["reviewer"], Action.name_deputy, _body("OSV"))
