"""The one change collector (workflow.models.changes, issue 17): every kind of change of what the
cached lists are built from renews the reference generation in the committing transaction, the
everyday writes of a round do not, and the caches read nothing the collector does not watch."""

from __future__ import annotations

import re
from html import unescape

from round_fixtures import entry_of, login
from sqlalchemy import delete, select, update
from support import count_statements

from web.extensions import cache, db
from web.views.review import _load_choices
from workflow.models import Activity, Body, PlanNode, ReportingRound
from workflow.models.changes import REFERENCE, REFERENCE_TABLES, CacheGeneration
from workflow.my_tasks import summarise_rounds

#: Tables whose changes the round counter covers (the summaries' other half of the key).
ROUND_TABLES = {"entries", "reporting_rounds", "round_change_slots"}


def _generation() -> str | None:
    db.session.expire_all()
    return db.session.scalar(select(CacheGeneration.generation).where(CacheGeneration.name == REFERENCE))


def _tables(statements: list[str]) -> set[str]:
    return {name for s in statements for name in re.findall(r'\b(?:FROM|JOIN)\s+"?(\w+)', s)}


def test_every_change_of_reference_data_renews_the_generation(opened, small_plan, people):
    area = small_plan.areas["A"]
    goal = db.session.scalars(select(PlanNode).where(PlanNode.parent_id == area.id)).first()
    activity = db.session.scalars(select(Activity).where(Activity.node_id == goal.id)).first()
    body = entry_of(opened, "A1.1", "OSV").body
    changes = {
        "round renamed": lambda: setattr(opened, "title", opened.title + " (oprava)"),
        "body renamed": lambda: setattr(body, "abbreviation", "OSV-N"),
        "body added": lambda: db.session.add(Body(abbreviation="NOVY", name="Nový odbor")),
        "plan renamed": lambda: setattr(small_plan.plan, "title", "Jiný plán"),
        "area renamed": lambda: setattr(area, "title", "Jiný okruh"),
        "goal moved": lambda: setattr(goal, "position", goal.position + 100),
        "activity edited": lambda: setattr(activity, "description", "Nový popis."),
        "bulk update": lambda: db.session.execute(update(Body).where(Body.id == body.id).values(name="Jiný")),
        "bulk delete": lambda: db.session.execute(delete(Body).where(Body.abbreviation == "NOVY")),
    }
    for name, change in changes.items():
        before = _generation()
        change()
        db.session.commit()
        assert _generation() != before, f"{name}: a change the caches missed"


def test_everyday_writes_keep_the_generation_and_a_rollback_renews_nothing(client, opened, people):
    generation = _generation()
    entry = entry_of(opened, "A1.2", "ORREP")
    assert login(client, people.orrep).status_code == 302
    saved = client.post(
        f"/zaznamy/{entry.id}/upravit",
        data={"version": entry.version, "fulfilment_status": "partial", "text": "Dvě.", "action": "submit"},
    )
    assert saved.status_code == 302
    assert _generation() == generation  # an entry's save and submit: the round counter only
    opened.title = "Neuloženo"
    db.session.flush()
    db.session.rollback()
    assert _generation() == generation


def test_the_cached_lists_read_only_tables_the_collector_watches(opened):
    """A new table joined into the queue's choices or the task summaries must be watched too
    (added to REFERENCE_MODELS), or a change of it would leave the caches stale."""
    with count_statements() as statements:
        _load_choices()
        summarise_rounds([opened.id])
    read = _tables(statements)
    assert read and read <= REFERENCE_TABLES | ROUND_TABLES, read - REFERENCE_TABLES - ROUND_TABLES


def test_a_new_round_and_a_renamed_area_show_in_the_cached_lists_at_once(client, opened, small_plan, people):
    assert login(client, people.reviewer).status_code == 302
    area = small_plan.areas["A"]
    first = unescape(client.get("/kontrola").get_data(as_text=True))
    assert f">{area.code} – {area.title}</option>" in first
    db.session.execute(update(PlanNode).where(PlanNode.id == area.id).values(title="Přejmenovaný okruh"))
    extra = ReportingRound(plan_id=small_plan.plan.id, title="Kolo navíc", period_start=opened.period_start,
                           period_end=opened.period_end)
    db.session.add(extra)
    db.session.commit()
    page = unescape(client.get("/kontrola").get_data(as_text=True))
    assert f">{area.code} – Přejmenovaný okruh</option>" in page and ">Kolo navíc</option>" in page
    csrf = re.compile(r'(?:value|content)="[^"]{40,}"')  # the form's and the page header's token
    assert csrf.sub("", unescape(client.get("/kontrola").get_data(as_text=True))) == csrf.sub("", page)
    cache.clear()
    fresh = unescape(client.get("/kontrola").get_data(as_text=True))
    assert csrf.sub("", fresh) == csrf.sub("", page)


def test_moje_ukoly_follows_a_renamed_body_and_a_submit(client, opened, people):
    entry = entry_of(opened, "A1.1", "OSV")
    assert login(client, people.osv).status_code == 302
    before = unescape(client.get("/moje-ukoly").get_data(as_text=True))
    assert "OSV · " in before
    entry.body.abbreviation = "OSV-N"
    db.session.commit()
    renamed = unescape(client.get("/moje-ukoly").get_data(as_text=True))
    assert "OSV-N · " in renamed
    done = re.search(r"odevzdáno (\d+) z (\d+)", renamed)
    saved = client.post(
        f"/zaznamy/{entry.id}/upravit",
        data={"version": entry.version, "fulfilment_status": "done", "text": "Hotovo.", "action": "submit"},
    )
    assert saved.status_code == 302
    after = re.search(r"odevzdáno (\d+) z (\d+)", unescape(client.get("/moje-ukoly").get_data(as_text=True)))
    assert int(after.group(1)) == int(done.group(1)) + 1 and after.group(2) == done.group(2)


def test_without_its_row_nothing_is_cached_until_a_change_writes_it_again(client, opened, people):
    """A database emptied by TRUNCATE (the system tier) has no generation: the lists are built
    every time, and the next change of reference data writes the row again."""
    db.session.execute(delete(CacheGeneration))
    db.session.commit()
    assert login(client, people.reviewer).status_code == 302
    client.get("/kontrola")  # the first request of the test's session loads the user's rows too

    def statements() -> int:
        with count_statements() as sent:
            page = client.get("/kontrola").get_data(as_text=True)
        assert ">Kolo po obnově</option>" in page or "Kolo po obnově" not in opened.title
        return len(sent)

    assert statements() == statements()  # not cached: the choices are built every time
    opened.title = "Kolo po obnově"
    db.session.commit()
    assert _generation() is not None
    built, cached = statements(), statements()
    assert cached < built  # built once under the new row, then read from the cache
