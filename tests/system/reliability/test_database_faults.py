"""PostgreSQL faults as the application sees them, on the test database only (the machine's server
is never stopped):

* **connection dropped** – ``pg_terminate_backend`` on every other connection to this test
  database: the pooled connections are dead; ``pool_pre_ping`` replaces them, no request fails;
* **server restart** – the application reaches PostgreSQL through a TCP proxy in the test; cutting
  it drops every connection and refuses new ones (what a restart looks like from the application),
  restoring it is the server coming back: requests meanwhile get the Czech 503 page, nothing is
  half-written, and the pool recovers without a restart of the application;
* **connection lost mid-transaction** – the proxy is cut just before the last statement of an
  approval: the transaction is rolled back as a whole (state, version, audit record, e-mail).
"""

from __future__ import annotations

import pytest
from flask import Flask
from reliability_helpers import TcpProxy, sign_in, version_on
from sqlalchemy import event, func, select, text
from sqlalchemy.engine import make_url
from support import REQUIRE_SERVICES

from notifications.outbox import OutboxMessage
from web.extensions import db
from workflow.models import Entry, EntryTransition, EntryVersion

pytestmark = pytest.mark.services

ANSWER = {"fulfilment_status": "ongoing", "cooperation_text": "obce"}
UNAVAILABLE_CS = "Služba je dočasně nedostupná"


@pytest.fixture(autouse=True)
def _postgresql_only(app: Flask) -> None:
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        if REQUIRE_SERVICES:
            pytest.fail("PLNENI_REQUIRE_SERVICES=1 but the test database is not PostgreSQL")
        pytest.skip("PostgreSQL faults need DATABASE_URL=postgresql+psycopg://…")


@pytest.fixture
def proxy(app: Flask):
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    relay = TcpProxy(url.host or "127.0.0.1", url.port or 5432)
    relay.start()
    yield relay
    relay.stop()


def _through(proxy: TcpProxy, app: Flask) -> str:
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"]).set(host="127.0.0.1", port=proxy.port)
    return url.render_as_string(hide_password=False)


def _entry(entry_id: int) -> Entry:
    db.session.expire_all()
    entry = db.session.get(Entry, entry_id)
    db.session.commit()
    return entry


def _counts(entry_id: int) -> tuple[int, int, int]:
    db.session.expire_all()
    counts = (
        db.session.scalar(
            select(func.count()).select_from(EntryVersion).where(EntryVersion.entry_id == entry_id)
        ),
        db.session.scalar(
            select(func.count()).select_from(EntryTransition).where(EntryTransition.entry_id == entry_id)
        ),
        db.session.scalar(select(func.count()).select_from(OutboxMessage)),
    )
    db.session.commit()
    return counts  # type: ignore[return-value]


def test_pre_ping_replaces_connections_the_server_dropped(app: Flask, make_private_app, one_entry) -> None:
    web = make_private_app()
    assert web.config["SQLALCHEMY_ENGINE_OPTIONS"]["pool_pre_ping"] is True
    client = web.test_client()
    sign_in(client, one_entry.contributors[0])
    edit = f"/zaznamy/{one_entry.entries[0]}/upravit"
    assert client.get(edit).status_code == 200  # the pool now holds a connection
    with db.engine.connect() as conn:
        killed = conn.execute(
            text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        ).scalar_one()
    assert killed >= 1
    # Every request after the drop succeeds: the dead connection is detected on checkout and replaced.
    assert client.get(edit).status_code == 200
    response = client.post(
        edit, data={**ANSWER, "text": "Po výpadku spojení.", "version": version_on(client, edit)}
    )
    assert response.status_code == 302
    assert _entry(one_entry.entries[0]).text == "Po výpadku spojení."


def test_database_restart_answers_czech_503_writes_nothing_and_recovers(
    app: Flask, make_private_app, one_entry, proxy: TcpProxy
) -> None:
    web = make_private_app(_through(proxy, app))
    client = web.test_client()
    sign_in(client, one_entry.contributors[0])
    entry_id = one_entry.entries[0]
    edit = f"/zaznamy/{entry_id}/upravit"
    version = version_on(client, edit)
    before = _counts(entry_id)

    proxy.cut()  # PostgreSQL is gone for the application
    page = client.get(edit)
    assert page.status_code == 503
    assert UNAVAILABLE_CS in page.get_data(as_text=True)
    saved = client.post(edit, data={**ANSWER, "text": "Během výpadku.", "version": version})
    assert saved.status_code == 503 and UNAVAILABLE_CS in saved.get_data(as_text=True)
    api = client.get("/api/v1/plans")
    assert api.status_code == 503 and api.get_json() == {"error": "Service Unavailable", "status": 503}
    assert _entry(entry_id).text in (None, "") and _counts(entry_id) == before  # nothing written

    proxy.restore()  # PostgreSQL is back: the same application instance recovers
    assert client.get(edit).status_code == 200
    response = client.post(edit, data={**ANSWER, "text": "Po obnovení.", "version": version_on(client, edit)})
    assert response.status_code == 302
    assert _entry(entry_id).text == "Po obnovení."


def test_connection_lost_mid_approval_rolls_back_everything(
    app: Flask, make_private_app, one_entry, proxy: TcpProxy
) -> None:
    web = make_private_app(_through(proxy, app))
    author, reviewer = web.test_client(), web.test_client()
    sign_in(author, one_entry.contributors[0])
    sign_in(reviewer, one_entry.reviewers[0])
    entry_id = one_entry.entries[0]
    edit, detail = f"/zaznamy/{entry_id}/upravit", f"/zaznamy/{entry_id}"
    response = author.post(
        edit,
        data={
            **ANSWER,
            "text": "Hotovo: 4 setkání.",
            "action": "submit",
            "version": version_on(author, edit),
        },
    )
    assert response.status_code == 302 and _entry(entry_id).state == "submitted"
    version = version_on(reviewer, detail)
    before = _counts(entry_id)

    with web.app_context():
        engine = db.engine

    def cut_before_audit(conn, cursor, statement, parameters, context, executemany) -> None:
        if statement.lstrip().upper().startswith("INSERT INTO ENTRY_TRANSITIONS"):
            proxy.cut()  # the entry's UPDATE and the version's INSERT were sent already

    event.listen(engine, "before_cursor_execute", cut_before_audit)
    try:
        response = reviewer.post(f"{detail}/akce/approve", data={"version": version})
    finally:
        event.remove(engine, "before_cursor_execute", cut_before_audit)
    assert response.status_code == 503 and UNAVAILABLE_CS in response.get_data(as_text=True)
    entry = _entry(entry_id)
    assert entry.state == "submitted" and entry.approved_at is None  # no half-written approval …
    assert _counts(entry_id) == before  # … no version, no audit record, no e-mail

    proxy.restore()
    response = reviewer.post(f"{detail}/akce/approve", data={"version": version_on(reviewer, detail)})
    assert response.status_code == 302 and _entry(entry_id).state == "approved"
