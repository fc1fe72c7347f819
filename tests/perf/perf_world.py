"""A world for the query-count tests: :func:`devdata.largedata.generate` at a scale ``n`` plus the
single objects some pages need (an extension, an export, an import, a token, a deputy …).

Imported by ``tests/perf/test_*.py`` as ``perf_world`` (``pythonpath`` in pyproject.toml).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import event, select, text
from support import REAL_PLAN_CSV, TEST_PASSWORD

from devdata.largedata import Generated, generate, scaled
from devdata.largedata import insert_rows as _insert
from notifications.outbox import OutboxMessage
from web.extensions import db
from workflow.accounts import make_link_token
from workflow.bodies import ensure_seed_bodies
from workflow.entries import attachment_path
from workflow.models import (
    Activity,
    ApiToken,
    Attachment,
    DeadlineExtension,
    Deputy,
    Entry,
    EntryComment,
    EvidenceLink,
    PlanImport,
    User,
)
from workflow.models.reports import ReportExport
from workflow.rounds import create_round

#: The Monday the world is built around (open round deadline: Monday 23. 11. 2026).
TODAY = date(2026, 11, 16)


@dataclass
class World:
    """Ids for the URL templates (``{round}``, ``{entry}`` …) and the users per role."""

    generated: Generated
    ids: dict[str, Any] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)


def empty_tables() -> None:
    """Delete every row (TRUNCATE on PostgreSQL), as the conftest does between tests."""
    db.session.remove()
    tables = list(reversed(db.metadata.sorted_tables))
    with db.engine.begin() as conn:
        if db.engine.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in tables)
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                conn.execute(table.delete())


def build_world(app: Flask, n: int) -> World:
    """Generate :func:`devdata.largedata.scaled` ``(n)`` and the extra objects; commits.

    The focal entry (a submitted entry of the busiest body in the open round) gets ``n // 10 + 1``
    comments and evidence links, so the entry pages' lists grow too.
    """
    generated = generate(scaled(n), today=TODAY, password=TEST_PASSWORD)
    world = World(generated=generated)
    users = {key: db.session.get(User, uid) for key, uid in generated.user_ids.items()}
    world.users = users
    open_round = generated.open_round_id
    focal = generated.focal_body_id
    submitted = generated.focal_entries["submitted"][0]
    draft = generated.focal_entries.get("draft", generated.focal_entries["not_started"])[0]
    k = n // 10 + 1
    _insert(
        EntryComment,
        [
            {
                "entry_id": submitted,
                "author_id": users["reviewer"].id,
                "text": f"Poznámka {i}",
                "internal": i % 2 == 0,
            }
            for i in range(k)
        ],
    )
    _insert(
        EvidenceLink,
        [
            {
                "entry_id": submitted,
                "url": f"https://www.kraj-lbc.cz/{i}",
                "label": f"Odkaz {i}",
                "created_by_id": users["contributor"].id,
            }
            for i in range(k)
        ],
    )
    attachment = Attachment(
        entry_id=submitted,
        filename="zprava.pdf",
        storage_name=f"perf-{n}",
        kind="pdf",
        content_type="application/pdf",
        size=4,
        sha256="0" * 64,
    )
    extension = DeadlineExtension(
        round_id=open_round,
        body_id=focal,
        reason="Dovolená",
        requested_until=TODAY + timedelta(days=30),
        requested_by_id=users["contributor"].id,
    )
    export = ReportExport(
        round_id=open_round,
        fmt="csv",
        options="",
        content_hash="0" * 64,
        state="ready",
        progress=100,
        path=f"perf-{n}.csv",
        size=3,
    )
    invitee = User(email=f"pozvany{n}@kraj-lbc.cz", name="Pozvaný", password_hash=None)
    forgetful = User(
        email=f"zapomnel{n}@kraj-lbc.cz", name="Zapomnětlivý", password_hash=users["commission"].password_hash
    )
    ensure_seed_bodies()  # the real plan of the pending import is routed to them
    plan_import = PlanImport(
        filename="akcni-plan.csv", content=REAL_PLAN_CSV.read_bytes(), created_by_id=users["secretary"].id
    )
    token_secret = f"perf-token-{n}"
    token = ApiToken(
        user_id=users["secretary"].id,
        name="perf",
        prefix=token_secret[:8],
        token_hash=ApiToken.digest(token_secret),
    )
    deputy = Deputy(
        principal_id=users["contributor"].id,
        deputy_id=users["head"].id,
        starts_on=TODAY,
        ends_on=TODAY + timedelta(days=10),
    )
    message = db.session.scalar(select(OutboxMessage).limit(1))
    db.session.add_all([attachment, extension, export, plan_import, token, deputy, invitee, forgetful])
    planned = create_round(
        generated.main_plan_id,
        users["secretary"],
        title="Monitoring příští",
        period_start=date(2027, 1, 1),
        period_end=date(2027, 12, 31),
        submission_deadline=date(2028, 2, 28),
    )
    db.session.flush()
    instance = Path(app.config["INSTANCE_DIR"])
    for path, content in (
        (attachment_path(attachment, instance / "attachments"), b"%PDF"),
        (instance / "exports" / export.path, b"a;b"),
    ):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    activity = db.session.scalar(select(Entry.activity_id).where(Entry.id == submitted))
    world.ids = {
        "plan": generated.main_plan_id,
        "round": open_round,
        "closed_round": generated.closed_round_id,
        "planned_round": planned.id,
        "body": focal,
        "entry": submitted,
        "draft": draft,
        "activity": activity,
        "attachment": attachment.id,
        "extension": extension.id,
        "export": export.id,
        "import": plan_import.id,
        "user": users["contributor"].id,
        "message": message.id if message else 0,
        "invitation": make_link_token(invitee, "invitation", app.config["SECRET_KEY"]),
        "reset": make_link_token(forgetful, "password-reset", app.config["SECRET_KEY"]),
    }
    assert db.session.get(Activity, activity) is not None
    db.session.commit()
    return world


@contextmanager
def counting() -> Iterator[list[str]]:
    """Collect the SQL statements executed on the app's engine inside the block."""
    statements: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", record)


def count_queries(fn: Callable[[], Any]) -> tuple[int, Any]:
    """``(number of statements, result)`` of calling ``fn``."""
    with counting() as statements:
        result = fn()
    return len(statements), result
