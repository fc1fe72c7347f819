"""A round on the real plan run to its end: open, a few entries rewritten and approved, the rest
confirmed and approved in bulk, close (checklist, snapshot), export – plus consolidation, status
overrides, waivers and reopening."""

from __future__ import annotations

import io

import pytest
import report_fixtures as fixtures
from docx import Document
from report_fixtures import expected_rows, imported_round, plain
from sqlalchemy import select

from notifications.outbox import OutboxMessage
from web.extensions import db
from workflow import closing
from workflow.consolidation import (
    ConsolidationError,
    consolidation_history,
    derive_status,
    edit_consolidation,
    merge_texts,
    set_status_override,
)
from workflow.entries import apply_transition, bulk_approve, confirm_carry_over, save_draft
from workflow.errors import PermissionDenied
from workflow.exports import render
from workflow.models import Activity, Entry, RoundSnapshot, Waiver
from workflow.models.reports import ImmutableRecordError
from workflow.report import build_period_report, build_report
from workflow.rounds import RoundError
from workflow.states import EntryState, RoundState

NEW_A11 = "V roce 2026 komise zasedala pětkrát; zápisy jsou zveřejněny na webu kraje."
NEW_A117_OSV = "OSV a OZ v roce 2026 ustavily společnou pracovní skupinu, která se sešla čtyřikrát."

ctx, opened, people = fixtures.ctx, fixtures.opened, fixtures.people


def _entries(round_):
    return db.session.scalars(
        select(Entry)
        .join(Activity)
        .where(Entry.round_id == round_.id)
        .order_by(Activity.sort_key, Entry.body_id)
    ).all()


def _answer(entry, user, text=None, status="ongoing"):
    if text is not None:
        save_draft(entry, user, {"text": text, "fulfilment_status": status}, expected_version=entry.version)
    else:
        if entry.carried_over:
            confirm_carry_over(entry, user, expected_version=entry.version)
        data = {"fulfilment_status": status}
        if not (entry.text or "").strip():
            data["text"] = "Aktivita v roce 2026 pokračovala beze změn."
        save_draft(entry, user, data, expected_version=entry.version)
    apply_transition(entry, "submit", user)


def test_round_on_the_real_plan_to_the_end(opened, people):
    round_ = opened
    entries = _entries(round_)
    assert entries, "opening created no entries"
    by_code = {}
    for e in entries:
        by_code.setdefault(e.activity.code, []).append(e)
    # a few rewritten and approved one by one
    (a11,) = by_code["A1.1"]
    _answer(a11, people.body, NEW_A11, status="done")
    apply_transition(a11, "approve", people.reviewer)
    a117 = by_code["A1.17"]
    assert len(a117) == 2  # „KÚ LK / OSV + OZ“
    osv = next(e for e in a117 if e.body.abbreviation == "OSV")
    _answer(osv, people.body, NEW_A117_OSV, status="done")
    apply_transition(osv, "approve", people.reviewer)
    # the rest confirmed as still true and approved in bulk
    rest = [e for e in entries if e.state != EntryState.approved]
    for e in rest:
        _answer(e, people.body)
    result = bulk_approve([e.id for e in rest], people.reviewer)
    assert not result.refused and len(result.approved) == len(rest)
    db.session.commit()

    checklist = closing.closing_checklist(round_)
    assert checklist.ready, (checklist.open_entries, checklist.missing_text)
    snapshot = closing.close_with_snapshot(round_, people.secretary)
    db.session.commit()
    assert round_.state == RoundState.closed and snapshot.content_hash
    notices = db.session.query(OutboxMessage).filter_by(kind="round_closed", round_id=round_.id).count()
    assert notices >= 1  # „kolo uzavřeno“ e-mails written in the same transaction

    content = build_report(round_)
    assert content.from_snapshot and content.closed_on
    rows = {r.code: r for r in content.rows}
    assert rows["A1.1"].fulfilment == NEW_A11
    assert rows["A1.1"].status == "done" and rows["A1.1"].status_title == "Splněno"
    old = {act["code"]: act["fulfilment"] for _, _, act in expected_rows()}
    assert rows["A1.2"].fulfilment == old["A1.2"]  # carried over, nothing changed
    merged = rows["A1.17"].fulfilment
    assert merged == f"OSV: {NEW_A117_OSV}\n\nOZ: {old['A1.17']}"
    assert rows["A1.17"].status == "partial"  # done + ongoing

    document = Document(io.BytesIO(render(content, "docx")))
    cells = {
        plain(r.cells[0].text): [plain(c.text) for c in r.cells] for t in document.tables for r in t.rows
    }
    assert cells["A1.1"][6] == plain(NEW_A11)
    assert cells["A1.1"][7].startswith("Stav: Splněno")
    assert cells["A1.2"][6] == plain(old["A1.2"])
    assert plain(NEW_A117_OSV) in cells["A1.17"][6] and cells["A1.17"][6].startswith("OSV:")
    # the period report puts both years side by side
    period = build_period_report([round_, imported_round()])
    assert [r["title"] for r in period.rounds] == [imported_round().title, round_.title]
    a11_row = next(r for r in period.rows if r.code == "A1.1")
    assert [t["text"] for t in a11_row.texts] == [old["A1.1"], NEW_A11]
    # the imported round's report is untouched
    assert {r.code: r.fulfilment for r in build_report(imported_round()).rows}["A1.1"] == old["A1.1"]

    # frozen: the consolidation can no longer change, the snapshot cannot be rewritten
    with pytest.raises(ConsolidationError):
        edit_consolidation(round_, a11.activity, people.reviewer, text="Pozdní změna")
    snapshot.content = {}
    with pytest.raises(ImmutableRecordError):
        db.session.flush()
    db.session.rollback()

    # reopening needs an administrator and a reason; the snapshot stays as history
    with pytest.raises(PermissionDenied):
        closing.reopen(round_, people.secretary, "oprava")
    with pytest.raises(RoundError, match="důvod"):
        closing.reopen(round_, people.admin, "  ")
    closing.reopen(round_, people.admin, "Oprava textu A1.1 podle usnesení rady")
    db.session.commit()
    assert round_.state == RoundState.open
    assert build_report(round_).from_snapshot is False
    assert db.session.query(RoundSnapshot).filter_by(round_id=round_.id).count() == 1


def test_checklist_blocks_closing_until_entries_are_approved_or_waived(opened, people):
    round_ = opened
    entries = _entries(round_)
    checklist = closing.closing_checklist(round_)
    assert not checklist.ready and len(checklist.open_entries) == len(entries)
    with pytest.raises(closing.ClosingError):
        closing.close_with_snapshot(round_, people.secretary)
    target = entries[0]
    with pytest.raises(closing.ClosingError):
        closing.waive_entry(target, people.secretary, " ")
    with pytest.raises(PermissionDenied):
        closing.waive_entry(target, people.reviewer, "bez odpovědi")
    closing.waive_entry(target, people.secretary, "Odbor byl zrušen, aktivitu převzal jiný.")
    checklist = closing.closing_checklist(round_)
    assert len(checklist.open_entries) == len(entries) - 1
    assert [w.entry_id for w in checklist.waived] == [target.id]


def test_bulk_waiver_and_stated_text_close_a_round_nobody_finished(opened, people):
    """The secretary waives the rest in one step and gives the unreported activities one text;
    an activity with an entry still open keeps its place on the checklist, an approved answer
    keeps its text, and the round closes with both in its snapshot."""
    round_ = opened
    entries = _entries(round_)
    approved = entries[0]
    _answer(approved, people.body, text=NEW_A11)
    apply_transition(approved, "approve", people.reviewer)
    pending = next(e for e in entries if e.activity_id != approved.activity_id)
    with pytest.raises(PermissionDenied):
        closing.waive_remaining(round_, people.reviewer, "bez odpovědi")
    with pytest.raises(closing.ClosingError):
        closing.waive_remaining(round_, people.secretary, "  ")
    assert closing.fill_missing_texts(round_, people.secretary, "Nevykázáno.") == 0  # all still open

    single = next(e for e in entries if e not in (approved, pending))
    closing.waive_entry(single, people.secretary, "Odbor byl zrušen.")
    # everything but ``pending`` waived: its activity keeps its place on the checklist
    waived = closing.waive_remaining(round_, people.secretary, "Subjekt plnění nedodal.")
    assert waived == len(entries) - 2  # all but the approved one and the one waived singly
    db.session.delete(db.session.scalars(select(Waiver).where(Waiver.entry_id == pending.id)).one())
    db.session.flush()
    checklist = closing.closing_checklist(round_)
    assert checklist.open_entries == [pending]
    assert pending.activity_id not in {a.id for a in checklist.unreported}
    closing.fill_missing_texts(round_, people.secretary, "Za sledované období nevykázáno.")
    assert pending.activity_id in {a.id for a in closing.closing_checklist(round_).missing_text}
    closing.waive_entry(pending, people.secretary, "Subjekt plnění nedodal.")
    assert closing.waive_remaining(round_, people.secretary, "znovu") == 0
    checklist = closing.closing_checklist(round_)
    assert checklist.open_entries == [] and not checklist.ready
    filled = closing.fill_missing_texts(round_, people.secretary, "Za sledované období nevykázáno.")
    assert filled == len(checklist.unreported) > 0
    assert closing.closing_checklist(round_).ready

    closing.close_with_snapshot(round_, people.secretary)
    rows = {row.code: row.fulfilment for row in build_report(round_).rows}
    assert rows[approved.activity.code] == NEW_A11
    assert set(rows.values()) == {NEW_A11, "Za sledované období nevykázáno."}
    with pytest.raises(closing.ClosingError):
        closing.fill_missing_texts(round_, people.secretary, "pozdě")


def test_consolidation_editing_is_versioned_and_status_overridable(opened, people):
    round_ = opened
    activity = db.session.scalars(select(Activity).where(Activity.code == "A1.3")).one()
    with pytest.raises(PermissionDenied, match="hodnotitel nebo tajemník"):
        edit_consolidation(round_, activity, people.body, text="Zpracovatel nesmí")
    edit_consolidation(round_, activity, people.reviewer, text="První verze souhrnu.")
    edit_consolidation(round_, activity, people.secretary, text="Druhá verze souhrnu.", comment="Zkráceno.")
    history = consolidation_history(round_, activity)
    assert [(v.number, v.text, v.author_id) for v in history] == [
        (2, "Druhá verze souhrnu.", people.secretary.id),
        (1, "První verze souhrnu.", people.reviewer.id),
    ]
    row = {r.code: r for r in build_report(round_).rows}["A1.3"]
    assert row.fulfilment == "Druhá verze souhrnu." and row.comment == "Zkráceno."
    with pytest.raises(ConsolidationError):
        set_status_override(round_, activity, people.reviewer, status="done", reason="")
    set_status_override(round_, activity, people.reviewer, status="not_done", reason="Skupina nezasedala.")
    row = {r.code: r for r in build_report(round_).rows}["A1.3"]
    assert row.status == "not_done" and row.status_title == "Nesplněno"
    history[0].text = "přepsáno"
    with pytest.raises(ImmutableRecordError):
        db.session.flush()
    db.session.rollback()


def test_merge_and_status_rules():
    assert merge_texts([("OSV", "Text."), ("OZ", "Text.")]) == "Text."
    assert merge_texts([("OSV", "A"), ("OZ", ""), ("OŠMTS", "B")]) == "OSV: A\n\nOŠMTS: B"
    assert merge_texts([]) == ""
    assert derive_status([None, None]) is None
    assert derive_status(["done", "done"]) == "done"
    assert derive_status(["done", "not_done"]) == "partial"
    assert derive_status(["not_done", "not_started"]) == "not_done"
    assert derive_status([None, "ongoing"]) == "ongoing"


def test_a_deactivated_secretary_can_neither_waive_nor_close(opened, people):
    """The closing services ask the one permission gate, which refuses an inactive account (the
    secretary check of closing used to look at the role alone)."""
    people.secretary.active = False
    db.session.flush()
    with pytest.raises(PermissionDenied, match="jen tajemník") as refused:
        closing.waive_entry(_entries(opened)[0], people.secretary, "Odbor byl zrušen.")
    assert refused.value.status == 401  # a deactivated user counts as signed out
    with pytest.raises(PermissionDenied):
        closing.waive_remaining(opened, people.secretary, "Odbor byl zrušen.")
    with pytest.raises(PermissionDenied):
        closing.close_with_snapshot(opened, people.secretary)
    assert db.session.scalars(select(Waiver).where(Waiver.round_id == opened.id)).all() == []
