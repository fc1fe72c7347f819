"""Two people of one body save the same entry at the same moment: no update is lost.

Two HTTP clients of their own (each request in its own application context and database
connection, as in two gunicorn threads) load the entry form at the same version and post their
answers at once, released together by a barrier. The entry row is locked for the save
(``SELECT … FOR UPDATE``) and carries an optimistic version: one save wins, the other gets the
conflict page (409) with its text kept in the form, and saving from there keeps it — nothing is
overwritten unseen. On PostgreSQL (row locks); SQLite serialises writers anyway.
"""

from __future__ import annotations

import re
import threading
from html import unescape

import pytest
from flask import Flask
from reliability_helpers import sign_in, version_on
from sqlalchemy import select
from support import REQUIRE_SERVICES

from devdata.soak import PASSWORD
from web.extensions import db
from workflow.models import Body, Entry, EntryTransition, RoleAssignment, User
from workflow.passwords import hash_password
from workflow.states import Role

pytestmark = pytest.mark.services

ROUNDS = 8
ANSWER = {"fulfilment_status": "ongoing", "cooperation_text": "obce"}


def _post_together(clients: list, path: str, texts: list[str], version: str) -> list:
    """Post ``texts[i]`` from ``clients[i]`` at the same moment (a barrier releases both threads)."""
    barrier = threading.Barrier(len(clients))
    responses: list = [None] * len(clients)

    def post(i: int) -> None:
        barrier.wait(timeout=30)
        responses[i] = clients[i].post(path, data={**ANSWER, "text": texts[i], "version": version})

    threads = [threading.Thread(target=post, args=(i,)) for i in range(len(clients))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return responses


def test_two_simultaneous_saves_lose_no_update(app: Flask, make_private_app, one_entry) -> None:
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        if REQUIRE_SERVICES:
            pytest.fail("PLNENI_REQUIRE_SERVICES=1 but the test database is not PostgreSQL")
        pytest.skip("needs PostgreSQL")
    entry_id = one_entry.entries[0]
    first = db.session.scalar(select(User).where(User.email == one_entry.contributors[0]))
    body = db.session.get(Body, db.session.get(Entry, entry_id).body_id)
    colleague = User(
        email="kolega@example.cz", name="Kolega", password_hash=hash_password(PASSWORD), locale="cs"
    )
    colleague.role_assignments = [RoleAssignment(role=Role.contributor)]
    colleague.bodies.append(body)
    db.session.add(colleague)
    db.session.commit()

    web = make_private_app()
    clients = [web.test_client(), web.test_client()]
    sign_in(clients[0], first.email)
    sign_in(clients[1], colleague.email)
    edit = f"/zaznamy/{entry_id}/upravit"
    winners: list[int] = []
    for n in range(ROUNDS):
        version = version_on(clients[0], edit)
        assert version_on(clients[1], edit) == version  # both opened the same version
        texts = [f"Kolo {n}: text první osoby.", f"Kolo {n}: text druhé osoby."]
        responses = _post_together(clients, edit, texts, version)
        codes = sorted(r.status_code for r in responses)
        assert codes == [302, 409], codes  # exactly one save wins; neither is silently overwritten
        winner = next(i for i in range(2) if responses[i].status_code == 302)
        loser = 1 - winner
        winners.append(winner)
        db.session.expire_all()
        assert db.session.get(Entry, entry_id).text == texts[winner]
        conflict = responses[loser].get_data(as_text=True)
        assert texts[loser] in unescape(conflict)  # the loser's text is kept on the conflict page
        current = re.search(r'name="version" value="(\d+)"', conflict)
        assert current and current.group(1) != version
        # The loser saves their version from the conflict page, knowingly replacing the winner's.
        response = clients[loser].post(
            edit, data={**ANSWER, "text": texts[loser], "version": current.group(1)}
        )
        assert response.status_code == 302
        db.session.expire_all()
        assert db.session.get(Entry, entry_id).text == texts[loser]
        db.session.commit()
    names = list(db.session.scalars(select(EntryTransition.name).where(EntryTransition.entry_id == entry_id)))
    assert names == ["start"]  # the first save started the entry, once
