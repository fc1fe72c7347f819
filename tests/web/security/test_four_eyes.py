"""Four eyes that hold (issue 15, items 5 and 6): whoever edited the answer since it was last sent
back or reopened cannot approve it (a former deputy included), and a published assessment of an
approved entry cannot be rewritten without a reopen; every version is kept and shown."""

from __future__ import annotations

from round_fixtures import entry_of
from sqlalchemy import select

from web.extensions import db
from workflow import clock
from workflow.accounts import add_deputy, remove_deputy
from workflow.entries import apply_transition, save_draft, set_assessment
from workflow.models import AssessmentVersion, Entry
from workflow.transitions import InvalidTransition, SelfApproval

ANSWER = {"text": "Proběhla 4 zasedání pracovní skupiny.", "fulfilment_status": "done"}


def _approve(browser_, entry_id: int):
    version = db.session.get(Entry, entry_id).version
    return browser_.post(f"/zaznamy/{entry_id}/akce/approve", {"version": str(version)},
                         page=f"/kontrola/{entry_id}")


def test_a_former_deputy_cannot_approve_the_text_they_wrote(browser, opened, people):
    entry = entry_of(opened, "A1.1", "OSV")
    today = clock.today()
    deputyship = add_deputy(people.osv, people.reviewer, today, today, actor=people.osv)
    db.session.commit()
    save_draft(entry, people.reviewer, ANSWER, expected_version=entry.version)  # as the deputy
    remove_deputy(deputyship, actor=people.osv)  # the deputyship ends
    apply_transition(entry, "submit", people.osv)  # the versions credit the submitter
    db.session.commit()
    reviewer = browser()
    reviewer.sign_in(people.reviewer)
    response = _approve(reviewer, entry.id)
    assert response.status_code in (302, 403)
    db.session.expire_all()
    assert db.session.get(Entry, entry.id).state == "submitted"
    try:
        apply_transition(db.session.get(Entry, entry.id), "approve", people.reviewer)
    except SelfApproval as refusal:
        assert "sami upravovali" in refusal.message
    else:
        raise AssertionError("the former deputy approved their own text")
    db.session.rollback()
    history = reviewer.get(f"/zaznamy/{entry.id}/historie").get_data(as_text=True)
    assert "Od posledního vrácení nebo znovuotevření upravovali" in history
    assert people.reviewer.name in history


def test_sending_back_starts_the_editor_list_afresh(opened, people):
    entry = entry_of(opened, "A1.1", "OSV")
    save_draft(entry, people.osv, ANSWER, expected_version=entry.version)
    apply_transition(entry, "submit", people.osv)
    assert entry.editor_ids == [people.osv.id]
    apply_transition(entry, "send_back", people.reviewer, comment="Doplňte počet účastníků.")
    assert entry.editor_ids == []
    save_draft(entry, people.osv_head, {"text": ANSWER["text"] + " Účastníků 40."},
               expected_version=entry.version)
    apply_transition(entry, "submit", people.osv_head)
    assert entry.editor_ids == [people.osv_head.id]
    apply_transition(entry, "approve", people.reviewer)  # the reviewer edited nothing: allowed
    db.session.commit()
    assert entry.state == "approved"


def _approved_with_assessment(opened, people) -> Entry:
    entry = entry_of(opened, "A1.1", "OSV")
    save_draft(entry, people.osv, ANSWER, expected_version=entry.version)
    apply_transition(entry, "submit", people.osv)
    set_assessment(entry, people.reviewer, "Splněno v plném rozsahu.", public=True)
    apply_transition(entry, "approve", people.reviewer)
    db.session.commit()
    return entry


def test_a_published_assessment_of_an_approved_entry_cannot_be_rewritten(browser, opened, people):
    entry = _approved_with_assessment(opened, people)
    reviewer = browser()
    reviewer.sign_in(people.reviewer)
    response = reviewer.post(f"/kontrola/{entry.id}/hodnoceni",
                             {"assessment": "Nesplněno.", "public": "y"}, page=f"/kontrola/{entry.id}")
    assert response.status_code == 302
    db.session.expire_all()
    again = db.session.get(Entry, entry.id)
    assert again.assessment == "Splněno v plném rozsahu." and again.assessment_public
    try:
        set_assessment(again, people.reviewer, "Nesplněno.", public=True)
    except InvalidTransition as refusal:
        assert "znovuotevření" in refusal.message
    else:
        raise AssertionError("the approved entry's assessment was rewritten")
    db.session.rollback()


def test_after_a_reopen_every_assessment_change_is_a_version_in_the_history(browser, opened, people):
    entry = _approved_with_assessment(opened, people)
    apply_transition(entry, "reopen", people.secretary, comment="Chybí údaj o rozpočtu.")
    save_draft(entry, people.osv, {"text": ANSWER["text"] + " Rozpočet 20 000 Kč."},
               expected_version=entry.version)
    apply_transition(entry, "submit", people.osv)
    set_assessment(entry, people.reviewer, "Splněno, rozpočet doplněn.", public=True)
    db.session.commit()
    versions = db.session.scalars(select(AssessmentVersion).where(AssessmentVersion.entry_id == entry.id)
                                  .order_by(AssessmentVersion.number)).all()
    assert [(v.number, v.text) for v in versions] == [(1, "Splněno v plném rozsahu."),
                                                      (2, "Splněno, rozpočet doplněn.")]
    viewer = browser()
    viewer.sign_in(people.secretary)
    history = viewer.get(f"/zaznamy/{entry.id}/historie").get_data(as_text=True)
    assert "Splněno v plném rozsahu." in history and "Splněno, rozpočet doplněn." in history
