"""Helpers shared by the round tests."""

from __future__ import annotations

from web.extensions import db
from workflow.models import Activity, Body, Entry, ReportingRound


def entry_of(round_: ReportingRound, code: str, abbr: str) -> Entry:
    """The entry of activity ``code`` and body ``abbr`` in ``round_``."""
    return (
        db.session.query(Entry)
        .join(Activity)
        .join(Body, Body.id == Entry.body_id)
        .filter(Entry.round_id == round_.id, Activity.code == code, Body.abbreviation == abbr)
        .one()
    )


#: Same as ``TEST_PASSWORD`` in tests/conftest.py (which this folder's conftest shadows on import).
TEST_PASSWORD = "správné-heslo-1234"


def login(client, user, password: str = TEST_PASSWORD):
    """Sign ``user`` in through the real sign-in form (as tests/conftest.py's ``login``)."""
    return client.post("/prihlaseni", data={"email": user.email, "password": password})
