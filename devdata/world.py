"""The one world builder of the tests, the benchmark and development data.

* :func:`routed_plan`: a small hand-built plan (areas, goals, activities routed to bodies) — the
  round, entry and bad-input tests build theirs with it;
* :func:`person`: a user with roles and bodies;
* :func:`opened_round`: a reporting round of a plan, created with the product's defaults and
  opened (its entries exist);
* :func:`scaled_world`: :func:`devdata.largedata.generate` at a scale ``n`` plus the single objects
  some pages need — the query-count tests compare the statements of every page at two scales.

Every builder writes through ``db.session`` and commits; none is used by the product's code.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import select, text

from devdata.largedata import Generated, generate, scaled
from devdata.largedata import insert_rows as _insert
from notifications.outbox import OutboxMessage
from workflow import offline
from workflow.accounts import make_link_token
from workflow.bodies import ensure_seed_bodies
from workflow.db import db
from workflow.entries import attachment_path
from workflow.importing import real_plan_options
from workflow.models import (
    Activity,
    ActivityBody,
    ApiToken,
    Attachment,
    Body,
    DeadlineExtension,
    Deputy,
    Entry,
    EntryComment,
    EvidenceLink,
    Plan,
    PlanImport,
    PlanNode,
    ReportingRound,
    RoleAssignment,
    User,
)
from workflow.models.reports import ReportExport
from workflow.publishing import publish
from workflow.rounds import create_round, open_round
from workflow.routing.groups import create_group
from workflow.states import Role

PROJECT_ROOT = Path(__file__).resolve().parent.parent
REAL_PLAN_CSV = PROJECT_ROOT / "data" / "akcni-plan-2024-2025.csv"

#: Names of the bodies the small worlds use (abbreviation → name).
BODY_NAMES = {
    "OSV": "Odbor sociálních věcí",
    "OŠMTS": "Odbor školství, mládeže, tělovýchovy a sportu",
    "ORREP": "Odbor regionálního rozvoje a evropských projektů",
    "OZ": "Odbor zdravotnictví",
    "LK": "Liberecký kraj",
}
#: Titles of the small worlds' areas and goals (code → title).
AREA_TITLES = {"A": "Systémová opatření", "B": "Osvěta, komunikace"}
GOAL_TITLES = {"A1": "Mezioborová spolupráce", "B1": "Komunikace"}

#: An activity of :func:`routed_plan`: deadline kind, start, end, and the bodies (lead first).
ActivitySpec = tuple[str, date | None, date | None, tuple[str, ...]]


@dataclass
class RoutedPlan:
    """What :func:`routed_plan` built (by abbreviation or code)."""

    plan: Plan
    bodies: dict[str, Body]
    activities: dict[str, Activity]
    areas: dict[str, PlanNode]


def routed_plan(
    activities: Mapping[str, ActivitySpec],
    bodies: Iterable[str],
    *,
    title: str = "Akční plán 2024–2027",
    deadline_raw: str | None = None,
) -> RoutedPlan:
    """A plan whose activities (``{"A1.1": ("ongoing", None, None, ("OSV",)), …}``) sit in areas
    and goals named by their codes' first letter and two characters, routed to ``bodies``
    (abbreviations of :data:`BODY_NAMES`; the first is the plan's default body). Flushed, not
    committed. ``deadline_raw`` is the raw deadline text (default: the deadline kind)."""
    made = {abbr: Body(abbreviation=abbr, name=BODY_NAMES[abbr], kind="department") for abbr in bodies}
    db.session.add_all(made.values())
    plan = Plan(title=title, default_body=next(iter(made.values())))
    db.session.add(plan)
    db.session.flush()
    areas: dict[str, PlanNode] = {}
    goals: dict[str, PlanNode] = {}
    result: dict[str, Activity] = {}
    for code, (kind, start, end, routed) in activities.items():
        area_code, goal_code = code[0], code[:2]
        if area_code not in areas:
            areas[area_code] = PlanNode(
                plan=plan, depth=0, code=area_code, title=AREA_TITLES.get(area_code, area_code),
                position=len(areas), footnotes=[], coordination=[],
            )
        if goal_code not in goals:
            goals[goal_code] = PlanNode(
                plan=plan, depth=1, parent=areas[area_code], code=goal_code,
                title=GOAL_TITLES.get(goal_code, ""), position=len(goals), footnotes=[], coordination=[],
            )
        activity = Activity(
            plan=plan,
            node=goals[goal_code],
            top_node=areas[area_code],
            code=code,
            sort_key=code.replace(".", ".0"),
            description=f"Popis aktivity {code}",
            indicator="Počet zasedání",
            deadline_raw=deadline_raw if deadline_raw is not None else kind,
            deadline_kind=kind,
            deadline_start=start,
            deadline_end=end,
            responsibility_raw=" / ".join(routed),
        )
        activity.routing = [ActivityBody(body=made[b], position=i) for i, b in enumerate(routed)]
        db.session.add(activity)
        result[code] = activity
    db.session.flush()
    return RoutedPlan(plan, made, result, areas)


def person(
    email: str,
    roles: Iterable[Role],
    bodies: Iterable[Body | str] = (),
    *,
    password_hash: str,
    name: str = "",
) -> User:
    """A user (added, not committed) with global ``roles`` and member of ``bodies`` (objects or
    abbreviations of existing bodies)."""
    user = User(email=email, name=name or email.split("@")[0], password_hash=password_hash, locale="cs")
    user.role_assignments = [RoleAssignment(role=r) for r in roles]
    for body in bodies:
        if isinstance(body, str):
            body = db.session.query(Body).filter_by(abbreviation=body).one()
        user.bodies.append(body)
    db.session.add(user)
    return user


def opened_round(
    plan_id: int,
    secretary: User,
    *,
    year: int = 2025,
    opens_on: date | None = None,
) -> ReportingRound:
    """The monitoring round of ``year`` (deadlines far ahead), created and opened; commits."""
    round_ = create_round(
        plan_id,
        secretary,
        title=f"Monitoring plnění akčního plánu {year}",
        period_start=date(year, 1, 1),
        period_end=date(year, 12, 31),
        opens_on=opens_on,
        submission_deadline=date(2099, 2, 28),
        review_deadline=date(2099, 3, 31),
    )
    open_round(round_, secretary)
    db.session.commit()
    return round_


#: The Monday the world is built around (open round deadline: Monday 23. 11. 2026).
TODAY = date(2026, 11, 16)


@dataclass
class ScaledWorld:
    """Ids for the URL templates (``{round}``, ``{entry}`` …) and the users per role."""

    generated: Generated
    ids: dict[str, Any] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)


def scaled_world(app: Flask, n: int, password: str) -> ScaledWorld:
    """Generate :func:`devdata.largedata.scaled` ``(n)`` (every user's password ``password``) and
    the single objects some pages need (an extension, an export, an import, a token, a deputy …);
    commits. The query-count tests build it at two scales and compare the statements per page.

    The focal entry (a submitted entry of the busiest body in the open round) gets ``n // 10 + 1``
    comments and evidence links, so the entry pages' lists grow too.
    """
    generated = generate(scaled(n), today=TODAY, password=password)
    world = ScaledWorld(generated=generated)
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
        filename="akcni-plan.csv",
        content=REAL_PLAN_CSV.read_bytes(),
        created_by_id=users["secretary"].id,
        options=real_plan_options().as_dict(),  # the target is explicit: a new plan (issue 14)
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
    # a group of bodies with k members, co-responsible for k activities of the main plan (issue 14 §3)
    members = db.session.scalars(select(Body.id).where(Body.kind != "group").order_by(Body.id).limit(k))
    group = create_group(
        "skupina", "Skupina subjektů", mode="each", member_ids=list(members), coordinator_id=None
    )
    grouped = db.session.scalars(
        select(Activity.id).where(Activity.plan_id == generated.main_plan_id).order_by(Activity.id).limit(k)
    )
    _insert(ActivityBody, [{"activity_id": a, "body_id": group.id, "position": 90} for a in grouped])
    db.session.flush()
    instance = Path(app.config["INSTANCE_DIR"])
    for path, content in (
        (attachment_path(attachment, instance / "attachments"), b"%PDF"),
        (instance / "exports" / export.path, b"a;b"),
    ):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    activity = db.session.scalar(select(Entry.activity_id).where(Entry.id == submitted))
    if generated.closed_round_id is not None:  # its report on the public pages (/zpravy)
        publish(db.session.get(ReportingRound, generated.closed_round_id), users["secretary"])
    # an uploaded offline form of the focal body, waiting for its confirmation (issue 18)
    focal_round, focal_body = db.session.get(ReportingRound, open_round), db.session.get(Body, focal)
    form = offline.build_workbook(
        focal_round, focal_body, offline.body_entries(focal_round, focal_body), app.config["SECRET_KEY"]
    )
    upload = offline.store_upload(
        users["contributor"], "plneni.xlsx", form, offline.read_upload(form, "plneni.xlsx", max_rows=10_000)
    )
    world.ids = {
        "plan": generated.main_plan_id,
        "round": open_round,
        "closed_round": generated.closed_round_id,
        "planned_round": planned.id,
        "body": focal,
        "group": group.id,
        "entry": submitted,
        "draft": draft,
        "activity": activity,
        "attachment": attachment.id,
        "extension": extension.id,
        "export": export.id,
        "import": plan_import.id,
        "upload": upload.id,
        "user": users["contributor"].id,
        "message": message.id if message else 0,
        "invitation": make_link_token(invitee, "invitation", app.config["SECRET_KEY"]),
        "reset": make_link_token(forgetful, "password-reset", app.config["SECRET_KEY"]),
    }
    assert db.session.get(Activity, activity) is not None
    db.session.commit()
    if db.session.get_bind().dialect.name == "postgresql":
        # The planner's statistics of the new rows, in the session's transaction (a test's outer
        # transaction included, whose rows another connection would not see): without them the
        # statements prepared on a smaller world kept plans made for a few rows, 2–3 s a statement
        # at 1,000 activities. As autovacuum does on a production database after a bulk load.
        db.session.execute(text("ANALYZE"))
        db.session.commit()
    return world
