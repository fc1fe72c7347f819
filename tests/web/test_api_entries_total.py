"""The API's list of a round's entries keeps the number of visible entries and each page's rows in
the cache (issue 17): counting a round's entries for every page made a page's cost grow with the
round, and reading the same page for every caller cost a join of four tables. Both are keyed by the
round's change counter, the reference generation and what the user's visibility depends on
(:func:`workflow.permissions.entry_visibility_scope`): after any change they equal a fresh read,
and each user gets their own."""

from __future__ import annotations

from datetime import date

from round_fixtures import entry_of, login
from support import count_statements

from web.extensions import cache, db
from workflow.models import Entry, EntryComment
from workflow.permissions import entry_visibility_scope


def _as(client, user):
    client.post("/odhlaseni")
    assert login(client, user).status_code == 302


def _total(client, round_id: int) -> int:
    answer = client.get(f"/api/v1/rounds/{round_id}/entries?per_page=2")
    assert answer.status_code == 200
    return answer.get_json()["total"]


def _counts(statements: list[str]) -> int:
    return len([s for s in statements if "count(" in s.lower()])


def _cold_then_warm(fetch):
    """``fetch()`` on an empty cache, then again in a new session: ``(result, cold, warm)``, the
    statements of each; the second result must equal the first."""
    cache.clear()
    with count_statements() as cold:
        result = fetch()
    db.session.remove()
    with count_statements() as warm:
        assert fetch() == result
    return result, cold, warm


def test_the_total_is_counted_once_then_read_from_the_cache(client, opened, people):
    _as(client, people.secretary)
    total, cold, warm = _cold_then_warm(lambda: _total(client, opened.id))
    assert _counts(cold) == 1
    assert _counts(warm) == 0
    assert len(warm) == 2, warm  # the user; the round with the reference generation (the page is cached)
    assert total == db.session.query(Entry).filter_by(round_id=opened.id).count()


def test_a_new_entry_is_counted_at_once(client, opened, people, small_plan):
    _as(client, people.secretary)
    before = _total(client, opened.id)
    first = entry_of(opened, "A1.1", "OSV")
    db.session.add(Entry(round_id=opened.id, activity_id=first.activity_id, body_id=_other_body(first)))
    db.session.commit()
    assert _total(client, opened.id) == before + 1
    db.session.delete(db.session.query(Entry).filter_by(round_id=opened.id).order_by(Entry.id.desc()).first())
    db.session.commit()
    assert _total(client, opened.id) == before


def _other_body(entry: Entry) -> int:
    from workflow.models import Body

    taken = {e.body_id for e in db.session.query(Entry).filter_by(
        round_id=entry.round_id, activity_id=entry.activity_id)}
    return next(b.id for b in db.session.query(Body).order_by(Body.id) if b.id not in taken)


def test_each_user_gets_the_total_of_what_they_see(client, opened, people):
    cache.clear()
    _as(client, people.secretary)
    everything = _total(client, opened.id)
    _as(client, people.osv)
    own = _total(client, opened.id)
    _as(client, people.reviewer_b)
    area_b = _total(client, opened.id)
    osv_id = entry_of(opened, "A1.1", "OSV").body_id
    assert own == db.session.query(Entry).filter_by(round_id=opened.id, body_id=osv_id).count()
    assert 0 < own < everything
    assert 0 < area_b < everything
    _as(client, people.secretary)
    assert _total(client, opened.id) == everything  # its own key, unchanged by the others


def test_a_change_that_is_not_an_entry_keeps_the_total(client, opened, people):
    """A comment changes no entry and no count: the cached total stays (and stays right)."""
    _as(client, people.secretary)
    before = _total(client, opened.id)
    entry = entry_of(opened, "A1.1", "OSV")
    db.session.add(EntryComment(entry_id=entry.id, author_id=people.secretary.id, text="Poznámka."))
    db.session.commit()
    assert _total(client, opened.id) == before


def test_the_visibility_scope_names_what_the_clause_depends_on(opened, people):
    today = date(2026, 1, 10)
    assert entry_visibility_scope(people.secretary, today) == ("all",)
    assert entry_visibility_scope(None, today) == ("none",)
    osv = entry_visibility_scope(people.osv, today)
    head = entry_visibility_scope(people.osv_head, today)
    assert osv == head  # the same body, no other capacity: the same entries
    assert entry_visibility_scope(people.reviewer_b, today) != entry_visibility_scope(people.reviewer, today)
    assert osv != entry_visibility_scope(people.reviewer, today)


def _page(client, round_id: int, page: int = 1, per_page: int = 3) -> list[dict]:
    answer = client.get(f"/api/v1/rounds/{round_id}/entries?page={page}&per_page={per_page}")
    assert answer.status_code == 200
    return answer.get_json()["entries"]


def test_a_page_is_read_once_then_from_the_cache(client, opened, people):
    _as(client, people.secretary)
    first, cold, warm = _cold_then_warm(lambda: _page(client, opened.id))
    assert len([s for s in cold if "FROM entries" in s and "count(" not in s.lower()]) == 1, cold
    assert not [s for s in warm if "FROM entries" in s], warm
    second = _page(client, opened.id, page=2)
    assert {e["id"] for e in second}.isdisjoint({e["id"] for e in first})  # its own key
    assert _page(client, opened.id, per_page=6)[:3] == first


def test_a_saved_text_shows_at_once(client, opened, people):
    _as(client, people.secretary)
    before = {e["id"]: e for e in _page(client, opened.id, per_page=500)}
    entry = db.session.get(Entry, next(iter(before)))
    entry.text = "Nový text plnění – ověřeno."
    db.session.commit()
    after = {e["id"]: e for e in _page(client, opened.id, per_page=500)}
    assert after[entry.id]["text"] == "Nový text plnění – ověřeno."
    assert {i: e for i, e in after.items() if i != entry.id} == {
        i: e for i, e in before.items() if i != entry.id
    }


def test_each_user_gets_the_rows_they_see(client, opened, people):
    cache.clear()
    _as(client, people.secretary)
    everything = {e["id"] for e in _page(client, opened.id, per_page=500)}
    _as(client, people.osv)
    own = _page(client, opened.id, per_page=500)
    osv_id = entry_of(opened, "A1.1", "OSV").body_id
    expected = {e.id for e in db.session.query(Entry).filter_by(round_id=opened.id, body_id=osv_id)}
    assert {e["id"] for e in own} == expected
    assert expected < everything
