"""Drafts, carry-over, submit validation, optimistic locking, double submit, bulk approval,
diffs, evidence and deadline extensions (workflow.entries)."""

from __future__ import annotations

import io
import threading
import zipfile
from datetime import date
from decimal import Decimal

import pytest
from round_fixtures import entry_of
from sqlalchemy import func, select

from web.extensions import db
from workflow.entries import (
    InvalidAnswer,
    add_comment,
    apply_transition,
    bulk_approve,
    confirm_carry_over,
    decide_extension,
    entry_for_update,
    entry_history,
    request_extension,
    safe_filename,
    save_draft,
    store_attachment,
    visible_comments,
    word_diff,
)
from workflow.errors import PermissionDenied
from workflow.models import Entry, EntryTransition
from workflow.states import EntryState
from workflow.transitions import IncompleteEntry, InvalidTransition, NotAllowed, StaleEntry, WorkflowError


def _count(entry, name):
    return db.session.scalar(
        select(func.count())
        .select_from(EntryTransition)
        .where(EntryTransition.entry_id == entry.id, EntryTransition.name == name)
    )


def test_first_save_starts_the_draft_and_ends_the_carry_over(opened, people):
    entry = entry_of(opened, "A1.1", "OSV")
    assert entry.carried_over and entry.state == EntryState.not_started
    v = entry.version
    save_draft(entry, people.osv, {"problems": "Chybí data"}, expected_version=v)
    assert entry.state == EntryState.draft and entry.carried_over  # text untouched: still carried over
    assert _count(entry, "start") == 1
    save_draft(
        entry, people.osv, {"text": entry.text + " V roce 2025 dvě další."}, expected_version=entry.version
    )
    assert not entry.carried_over and _count(entry, "start") == 1


def test_confirming_the_carried_over_text(opened, people):
    entry = entry_of(opened, "A1.2", "OŠMTS")
    confirm_carry_over(entry, people.osmts, expected_version=entry.version)
    assert not entry.carried_over and entry.state == EntryState.draft
    with pytest.raises(NotAllowed):
        confirm_carry_over(entry_of(opened, "A1.1", "OSV"), people.osmts, expected_version=None)


def test_submit_says_exactly_what_is_missing(opened, people):
    entry = entry_of(opened, "A1.2", "ORREP")
    save_draft(entry, people.orrep, {"indicator_number": Decimal("4")}, expected_version=entry.version)
    with pytest.raises(IncompleteEntry) as caught:
        apply_transition(entry, "submit", people.orrep)
    assert set(caught.value.errors) == {"fulfilment_status", "text", "indicator_unit", "indicator_as_of"}
    assert "vyberte stav plnění" in caught.value.message
    carried = entry_of(opened, "A1.1", "OSV")
    save_draft(carried, people.osv, {}, expected_version=carried.version)
    with pytest.raises(IncompleteEntry) as caught:
        apply_transition(carried, "submit", people.osv)
    assert caught.value.errors == {
        "text": "text převzatý z loňského plnění upravte, nebo potvrďte, že stále platí"
    }


def test_drafts_keep_hard_limits_only(opened, people):
    entry = entry_of(opened, "A1.2", "ORREP")
    save_draft(entry, people.orrep, {"text": "krátké"}, expected_version=entry.version)  # no validation
    with pytest.raises(InvalidAnswer) as caught:
        save_draft(entry, people.orrep, {"text": "x" * 10_001}, expected_version=entry.version)
    assert "10 000" in caught.value.errors["text"]
    save_draft(entry, people.orrep, {"text": "x" * 10_000}, expected_version=entry.version)


def test_stale_save_is_refused_with_both_versions_available(opened, people):
    entry = entry_of(opened, "A1.2", "ORREP")
    loaded = entry.version
    save_draft(entry, people.orrep, {"text": "Verze A"}, expected_version=loaded)
    db.session.commit()
    with pytest.raises(StaleEntry) as caught:
        save_draft(entry, people.orrep, {"text": "Verze B"}, expected_version=loaded)
    assert caught.value.entry.text == "Verze A" and caught.value.expected_version == loaded
    assert "změnil někdo jiný" in caught.value.message
    assert entry.text == "Verze A"


def test_submitted_entry_cannot_be_edited(opened, people):
    entry = entry_of(opened, "A1.2", "ORREP")
    save_draft(
        entry, people.orrep, {"text": "Hotovo", "fulfilment_status": "done"}, expected_version=entry.version
    )
    apply_transition(entry, "submit", people.orrep)
    with pytest.raises(InvalidTransition, match="nelze upravovat"):
        save_draft(entry, people.orrep, {"text": "změna"}, expected_version=entry.version)


def test_double_submit_applies_once_sequentially(opened, people):
    entry = entry_of(opened, "A1.2", "ORREP")
    save_draft(
        entry, people.orrep, {"text": "Hotovo", "fulfilment_status": "done"}, expected_version=entry.version
    )
    db.session.commit()
    v = entry.version
    apply_transition(entry_for_update(entry.id), "submit", people.orrep, expected_version=v)
    db.session.commit()
    with pytest.raises(StaleEntry):
        apply_transition(entry_for_update(entry.id), "submit", people.orrep, expected_version=v)
    with pytest.raises(InvalidTransition):
        apply_transition(entry_for_update(entry.id), "submit", people.orrep)
    assert _count(entry, "submit") == 1


@pytest.mark.system  # two threads, two connections: real commits
def test_double_submit_applies_once_concurrently(app, opened, people):
    """Two connections race to submit the same entry; FOR UPDATE + the state check let one win."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("row locks need PostgreSQL (SQLite serialises writers)")
    entry = entry_of(opened, "A1.2", "ORREP")
    save_draft(
        entry, people.orrep, {"text": "Hotovo", "fulfilment_status": "done"}, expected_version=entry.version
    )
    db.session.commit()
    entry_id, user_id = entry.id, people.orrep.id
    barrier, outcomes = threading.Barrier(2), []

    def worker():
        with app.app_context(), app.test_request_context("/"):
            from workflow.models import User

            user = db.session.get(User, user_id)
            barrier.wait()
            try:
                locked = entry_for_update(entry_id)
                apply_transition(locked, "submit", user)
                db.session.commit()
                outcomes.append("applied")
            except WorkflowError as exc:
                db.session.rollback()
                outcomes.append(type(exc).__name__)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(outcomes) == ["InvalidTransition", "applied"]
    db.session.expire_all()
    assert _count(entry, "submit") == 1


def test_bulk_approve_uses_the_same_checks(opened, people, make_user):
    entries = [
        entry_of(opened, "A1.2", "ORREP"),
        entry_of(opened, "B1.1", "OSV"),
        entry_of(opened, "B1.2", "ORREP"),
    ]
    for e in entries:
        e.state, e.fulfilment_status, e.text, e.carried_over = EntryState.submitted, "done", "Text", False
    entries[2].submitted_by_id = people.reviewer.id
    db.session.commit()
    result = bulk_approve([e.id for e in entries], people.reviewer)
    assert [e.id for e in result.approved] == [entries[0].id, entries[1].id]
    assert [(e.id, "sami odeslali" in msg) for e, msg in result.refused] == [(entries[2].id, True)]
    scoped = bulk_approve([entries[2].id], people.reviewer_b)  # B1.2 is in area B: allowed
    assert len(scoped.approved) == 1


def test_word_diff_and_history(opened, people):
    assert word_diff("Proběhla dvě zasedání.", "Proběhla tři zasedání komise.") == [
        ("equal", "Proběhla "),
        ("delete", "dvě"),
        ("insert", "tři"),
        ("equal", " "),
        ("delete", "zasedání."),
        ("insert", "zasedání komise."),
    ]
    entry = entry_of(opened, "A1.1", "OSV")
    save_draft(
        entry,
        people.osv,
        {"text": "Loni: A1.1 plněno průběžně, proběhlo 6 zasedání."},
        expected_version=entry.version,
    )
    apply_transition(entry, "submit", people.osv)
    history = entry_history(entry)
    assert [h.transition.name for h in history] == ["start", "submit"]
    assert ("insert", "6") in history[1].diff or any(op == "insert" for op, _ in history[0].diff)


def test_comments_internal_and_visible(opened, people):
    entry = entry_of(opened, "A1.1", "OSV")
    add_comment(entry, people.reviewer, "Doplňte zápisy.")
    add_comment(entry, people.reviewer, "Interně: OSV se opakuje.", internal=True)
    with pytest.raises(NotAllowed):
        add_comment(entry, people.osv, "tajné", internal=True)
    with pytest.raises(NotAllowed):
        add_comment(entry, people.osmts, "cizí subjekt")
    assert [c.text for c in visible_comments(entry, people.osv)] == ["Doplňte zápisy."]
    assert len(visible_comments(entry, people.secretary)) == 2


def _zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, data in members.items():
            z.writestr(name, data)
    return buf.getvalue()


def test_attachments_by_magic_bytes(opened, people, tmp_path):
    entry = entry_of(opened, "A1.2", "ORREP")
    pdf = store_attachment(entry, people.orrep, "../../etc/zápis.pdf", io.BytesIO(b"%PDF-1.7 ..."), tmp_path)
    assert pdf.filename == "zápis.pdf" and pdf.kind == "pdf" and len(pdf.sha256) == 64
    stored = list(tmp_path.rglob("*"))
    assert all("zápis" not in p.name and ".." not in str(p) for p in stored)
    assert (tmp_path / pdf.storage_name[:2] / pdf.storage_name).read_bytes() == b"%PDF-1.7 ..."
    odt = _zip({"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<x/>"})
    assert store_attachment(entry, people.orrep, "zprava.odt", io.BytesIO(odt), tmp_path).kind == "odt"
    docx = _zip({"[Content_Types].xml": b"<x/>", "word/document.xml": b"<x/>"})
    assert (
        store_attachment(entry, people.orrep, "zprava", io.BytesIO(docx), tmp_path).filename == "zprava.docx"
    )
    with pytest.raises(WorkflowError, match="neodpovídá"):
        store_attachment(entry, people.orrep, "obrazek.png", io.BytesIO(b"%PDF-1.4"), tmp_path)
    with pytest.raises(WorkflowError, match="Povolené jsou jen"):
        store_attachment(entry, people.orrep, "skript.pdf", io.BytesIO(b"#!/bin/sh\nrm -rf /"), tmp_path)
    with pytest.raises(WorkflowError, match="větší než"):
        store_attachment(
            entry, people.orrep, "velky.pdf", io.BytesIO(b"%PDF-" + b"0" * 2048), tmp_path, max_bytes=1024
        )
    with pytest.raises(NotAllowed):
        store_attachment(entry, people.osv, "x.pdf", io.BytesIO(b"%PDF-1.4"), tmp_path)
    assert not list(tmp_path.rglob("*.part"))
    assert (
        safe_filename("C:\\Users\\x\\..\\tajné<>.pdf") == "tajné__.pdf" and safe_filename("...") == "priloha"
    )


def test_deadline_extension_granted_and_refused(opened, people):
    osv_id = entry_of(opened, "A1.1", "OSV").body_id
    with pytest.raises(NotAllowed):
        request_extension(opened, osv_id, people.orrep, reason="x", until=None)
    with pytest.raises(WorkflowError, match="důvod"):
        request_extension(opened, osv_id, people.osv, reason=" ", until=None)
    ext = request_extension(
        opened, osv_id, people.osv, reason="Čekáme na data z KISSOS.", until=date(2099, 3, 15)
    )
    with pytest.raises(PermissionDenied, match="rozhoduje tajemník"):
        decide_extension(ext, people.reviewer, grant=True, until=None)
    changed = decide_extension(ext, people.secretary, grant=True, until=None, comment="Souhlas.")
    db.session.commit()
    assert changed == 2 and ext.status == "granted" and ext.granted_until == date(2099, 3, 15)
    osv_entries = db.session.scalars(
        select(Entry).where(Entry.round_id == opened.id, Entry.body_id == osv_id)
    )
    assert {e.effective_deadline for e in osv_entries} == {date(2099, 3, 15)}
    assert entry_of(opened, "A1.2", "ORREP").effective_deadline == date(2099, 2, 28)
    orrep_id = entry_of(opened, "A1.2", "ORREP").body_id
    ext2 = request_extension(opened, orrep_id, people.orrep, reason="Dovolené.", until=None)
    with pytest.raises(WorkflowError, match="zamítnutí"):
        decide_extension(ext2, people.secretary, grant=False, until=None)
    assert decide_extension(ext2, people.secretary, grant=False, until=None, comment="Termín je pevný.") == 0
    assert ext2.status == "refused"
