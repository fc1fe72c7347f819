"""Bulk approval discloses nothing outside the reviewer's scope (issue 15, item 10): guessed ids
of foreign entries are only counted, never named by activity, body or round."""

from __future__ import annotations

from round_fixtures import entry_of

from web.extensions import db
from workflow.entries import apply_transition, save_draft
from workflow.models import Entry


def test_guessed_ids_of_out_of_scope_entries_are_not_disclosed(browser, opened, people):
    foreign = entry_of(opened, "A1.2", "ORREP")  # area A: outside reviewer_b's scope (area B)
    save_draft(foreign, people.orrep, {"text": "Hotovo", "fulfilment_status": "done"},
               expected_version=foreign.version)
    apply_transition(foreign, "submit", people.orrep)
    db.session.commit()
    reviewer = browser()
    reviewer.sign_in(people.reviewer_b)
    assert reviewer.get(f"/kontrola/{foreign.id}").status_code == 404  # one at a time: as missing
    response = reviewer.post("/kontrola/hromadne-schvaleni",
                             {"entry_ids": f"{foreign.id},999999", "confirmed": "1", "query": ""},
                             page="/kontrola")
    assert response.status_code == 302
    with reviewer.client.session_transaction() as session:
        said = " ".join(message for _category, message in session.get("_flashes", []))
    for secret in ("A1.2", "ORREP", opened.title, "Odbor regionálního rozvoje"):
        assert secret not in said, secret
    assert "nemáte přístup: 2" in said
    db.session.expire_all()
    assert db.session.get(Entry, foreign.id).state == "submitted"
