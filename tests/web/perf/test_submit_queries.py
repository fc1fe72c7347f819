"""The submit's statements (issue 17): „Odeslat ke kontrole“ through the entry form issues a fixed
number of SQL statements in one transaction, whether the reviewers' digest of the hour is empty
or already lists 3,000 entries, and whatever the number of reviewers in scope; the draft save
issues its own fixed number.

Before issue 17 the submit rewrote the digest's JSON under ``FOR UPDATE`` (a ``SELECT … FOR
UPDATE``, the ``UPDATE`` of a payload growing with the day's submits) per reviewer, looked the
reviewers' scopes up one reviewer at a time and loaded the audit row it had just written again.
"""

from __future__ import annotations

from datetime import UTC, datetime

import time_machine
from round_fixtures import entry_of, login
from sqlalchemy import event, insert, select
from sqlalchemy.orm import Session
from support import count_statements

from web.extensions import db
from workflow.models import DigestItem, Entry, OutboxMessage

#: the user with their roles and today's deputyships (one statement); their bodies; the entry FOR UPDATE
#: with its round and activity (one statement: the checks read the round's state, a reviewer's
#: scope the activity's top-level node id); one UPDATE of the entry (the answer and the new state
#: together); the version (its number computed inside the INSERT), the audit row; the reviewers
#: whose scope covers the entry (one query of columns, the scope rule in SQL); the digests FOR KEY
#: SHARE; the items' INSERT; the bump of the round's change counter (one UPDATE,
#: workflow.models.changes) — whatever the number of reviewers. The digest's item is made from the
#: objects the request holds (the entry is the event's subject), not queried again.
#: Before issue 17: 17 + one per reviewer + two per reviewer in scope (20 with one reviewer, 24 with
#: two in scope); 18 with the digest as rows; 14 since the entry's lock brings its round and
#: activity, the answer and the state share an UPDATE and the version's number needs no SELECT; 12
#: since the user comes with their roles and deputyships; 10 since the user's body ids come with
#: them. The first submit of an hour also creates the digests (one INSERT more).
SUBMIT_STATEMENTS = 9
#: the first save of a not-started entry: as the submit up to the entry's UPDATE (which also sets the
#: implicit ``start``), then its version, audit row and the round's change counter (12 before the
#: lock brought the round and activity and the version's number moved into its INSERT, 9 before the
#: user came with their roles and deputyships, 7 before their body ids came with them).
SAVE_STATEMENTS = 6
#: a save of a draft: no implicit transition, so no version or audit row.
DRAFT_SAVE_STATEMENTS = 4
NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


def _post(client, entry_id: int, action: str, text: str) -> tuple[int, list[str], int]:
    db.session.expire_all()
    version = db.session.get(Entry, entry_id).version
    db.session.expire_all()
    transactions: list[str] = []
    listener = lambda *args: transactions.append("commit")  # noqa: E731
    event.listen(Session, "after_commit", listener)
    try:
        with count_statements() as statements:
            response = client.post(
                f"/zaznamy/{entry_id}/upravit",
                data={"version": version, "fulfilment_status": "done", "text": text, "action": action},
            )
    finally:
        event.remove(Session, "after_commit", listener)
    assert response.status_code == 302
    assert action == "save" or "/upravit" not in response.headers["Location"]
    return response.status_code, statements, len(transactions)


def test_submit_and_save_issue_a_fixed_number_of_statements(client, opened, people):
    # B1.1 goes to both reviewers (one reviews area B only), A1.1 to one: the count is the same
    first, second = entry_of(opened, "B1.1", "OSV").id, entry_of(opened, "A1.1", "OSV").id
    with time_machine.travel(NOW, tick=False):
        _sign_in(client, people.osv)
        status, saved, commits = _post(client, first, "save", "Rozpracováno.")
        assert status == 302 and commits == 1
        assert len(saved) == SAVE_STATEMENTS, "\n".join(saved)
        _status, submitted, commits = _post(client, first, "submit", "Hotovo, zápisy na webu.")
        assert commits == 1  # one transaction: the digest's rows commit with the submit
        assert len(submitted) == SUBMIT_STATEMENTS + 1, "\n".join(submitted)  # the hour's first: creates
        assert sum(q.startswith("INSERT INTO outbox_messages") for q in submitted) == 1
        reloads = ("UPDATE outbox_messages", "SELECT entry_transitions")
        assert not any(q.startswith(reloads) for q in submitted)
        # 3,000 items of the hour already in every digest: the next submit costs the same statements
        digests = db.session.scalars(
            select(OutboxMessage.id).where(OutboxMessage.kind == "reviewer_digest")
        ).all()
        assert digests
        db.session.execute(
            insert(DigestItem),
            [
                {"message_id": m, "entry_id": 10**6 + n, "item": {"id": 10**6 + n}}
                for m in digests
                for n in range(3000)
            ],
        )
        db.session.commit()
        _post(client, second, "save", "Rozpracováno.")
        _status, resaved, _commits = _post(client, second, "save", "Rozpracováno, doplněno.")
        assert len(resaved) == DRAFT_SAVE_STATEMENTS, "\n".join(resaved)
        _status, again, commits = _post(client, second, "submit", "Hotovo i zde.")
    assert commits == 1 and len(again) == SUBMIT_STATEMENTS, "\n".join(again)
    assert not any(q.startswith("INSERT INTO outbox_messages") for q in again)
    assert sum(q.startswith("UPDATE entries") for q in again) == 1  # the answer with the new state
    # the digest's item from the held objects; the reviewers in one query of columns, no roles loaded
    assert not any(q.startswith("SELECT entries.id, entries.state") for q in again)
    assert not any(q.startswith("SELECT role_assignments") for q in again)
    # the round counter's lock is the transaction's last: its slot's upsert after the digest's statements
    for statements in (saved, resaved, submitted, again):
        assert statements[-1].startswith("INSERT INTO round_change_slots"), statements[-1]


#: The entry form's GET: the user with their roles, today's deputyships and their bodies' ids; the
#: entry with its round, activity, the activity's node and plan (which attributes the form shows),
#: the entry it was carried over from, its links and attachments, and whether it has comments (one
#: statement); the last approved answer of an earlier round with that round (none was carried
#: over). A draft never submitted has no reason it came back with: not looked up; an entry without
#: comments has no thread to read. Before issue 17: 10 (the plan, the round of a previous answer,
#: the roles, bodies, deputyships, links and attachments each took a statement, and the last
#: reason was looked up for every draft); 5 before the bodies' ids came with the user and the
#: thread was read only when there is one.
FORM_STATEMENTS = 3


def _sign_in(client, user) -> None:
    client.post("/odhlaseni")
    assert login(client, user).status_code == 302


def _form(client, entry_id: int) -> tuple[list[str], str]:
    """The entry form's GET with an empty identity map: its statements and the page."""
    db.session.expire_all()
    with count_statements() as statements:
        response = client.get(f"/zaznamy/{entry_id}/upravit")
    assert response.status_code == 200
    return statements, response.get_data(as_text=True)


def test_the_entry_forms_get_issues_a_fixed_number_of_statements(client, opened, people):
    entry_id = entry_of(opened, "B1.1", "OSV").id
    with time_machine.travel(NOW, tick=False):
        _sign_in(client, people.osv)
        _post(client, entry_id, "save", "Rozpracováno.")  # a draft: its last reason is looked up
        statements, page = _form(client, entry_id)
    assert 'id="entry-form"' in page
    assert len(statements) == FORM_STATEMENTS, "\n".join(statements)
    assert not any(q.startswith("SELECT plans") for q in statements)


def test_a_draft_sent_before_reads_its_reason_with_the_entry(client, opened, people):
    """A draft submitted before (the benchmark's drafts are such) finds the id of the reason it came
    back with in the entry's statement: none, no statement more; one, a single read of that row."""
    entry_id = entry_of(opened, "B1.1", "OSV").id
    with time_machine.travel(NOW, tick=False):
        _sign_in(client, people.osv)
        _post(client, entry_id, "submit", "Hotovo, zápisy na webu.")
        db.session.expire_all()
        db.session.get(Entry, entry_id).state = "draft"  # back without a reason, as the benchmark does
        db.session.commit()
        statements, page = _form(client, entry_id)
        assert len(statements) == FORM_STATEMENTS, "\n".join(statements)
        assert not any("FROM entry_transitions" in q and "send_back" in q for q in statements[2:])
        assert not any("FROM entry_comments" in q and "entry_comments.text" in q for q in statements)
        assert "Vráceno k doplnění" not in page
        # returned by a reviewer with a reason: the page says why, with one read of that row more
        _post(client, entry_id, "submit", "Hotovo, zápisy na webu, doplněno.")
        _sign_in(client, people.reviewer)
        db.session.expire_all()
        version = db.session.get(Entry, entry_id).version
        reason = {"version": version, "comment": "Doplňte počet zasedání."}
        sent_back = client.post(f"/zaznamy/{entry_id}/akce/send_back", data=reason)
        assert sent_back.status_code == 302
        _sign_in(client, people.osv)
        statements, page = _form(client, entry_id)
    assert len(statements) == FORM_STATEMENTS + 1, "\n".join(statements)
    assert "Vráceno k doplnění" in page and "Doplňte počet zasedání." in page


def test_the_thread_is_read_only_when_the_entry_has_comments(client, opened, people):
    """The entry's statement says whether it has comments: none, no read of the thread; one, the
    thread (one statement more) and the comment on the page."""
    entry_id = entry_of(opened, "B1.1", "OSV").id
    with time_machine.travel(NOW, tick=False):
        _sign_in(client, people.osv)
        _post(client, entry_id, "save", "Rozpracováno.")
        before, page = _form(client, entry_id)
        assert "Dotaz k indikátoru" not in page
        answer = client.post(f"/zaznamy/{entry_id}/komentare", data={"text": "Dotaz k indikátoru?"})
        assert answer.status_code == 302
        after, page = _form(client, entry_id)
    assert "Dotaz k indikátoru?" in page
    thread = lambda statements: sum("entry_comments.text" in q for q in statements)  # noqa: E731
    assert len(after) == len(before) + 1 and (thread(before), thread(after)) == (0, 1)
