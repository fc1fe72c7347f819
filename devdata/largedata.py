"""Generator of large, realistic instances for benchmarks and query-count tests (issue 8).

Two kinds of data:

* **kraj** – the real action plan (``data/akcni-plan-2024-2025.json``) through the product's own
  importer (with its imported 2024–2025 round), the real bodies and a demo account per role and
  body, plus an open round 2026 of that plan (:func:`seed_kraj`).
* **synthetic** – :class:`Profile`-driven set-based bulk inserts (``INSERT … VALUES`` in batches,
  never one ORM object per row), seeded random and deterministic (:func:`generate`). The profile
  ``velky`` is the issue's large instance: 20 plans, a main plan of 2,000 activities routed to
  3,000 (activity, body) pairs, 150 bodies, 1,000 users, 10 closed yearly rounds of history per
  plan with versions and audit rows (about 30,000 entries in the main plan alone) and one open
  round of 3,000 entries in mixed states. :func:`scaled` gives a small profile whose every list
  grows with one number (the query-count tests use 10 and 1,000).

Both are exposed as ``flask --app wsgi seed-large --profile velky|kraj`` (:mod:`web.cli_data`)
and used by ``python -m bench`` and the query-count tests.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Table, func, insert, select

from devdata.demo import seed_demo_data
from workflow import clock
from workflow.bodies import fold_text
from workflow.db import db
from workflow.importing.service import sort_key
from workflow.models import (
    Activity,
    ActivityBody,
    AuditEvent,
    Body,
    Consolidation,
    Entry,
    EntryComment,
    EntryTransition,
    EntryVersion,
    OutboxMessage,
    Plan,
    PlanNode,
    ReportingRound,
    RoleAssignment,
    RoundActivity,
    RoundEvent,
    RoundRoute,
    RoundSnapshot,
    User,
    user_bodies,
)
from workflow.passwords import hash_password
from workflow.report import build_report, content_hash
from workflow.rounds import create_round, open_round
from workflow.states import EntryState, Role

#: Password of every generated account (the benchmark signs in with it; refused in production).
LARGE_PASSWORD = "velka-data-2026!"  # noqa: S105 - published benchmark password, not for production
#: Rows per ``INSERT … VALUES`` batch.
BATCH = 2000


@dataclass(frozen=True)
class Profile:
    """Size of a synthetic instance.

    :ivar plans: number of plans (the first is the main plan, the others are small ones).
    :ivar main_activities: activities of the main plan (the open round and the report cover it).
    :ivar other_activities: activities of each further plan.
    :ivar bodies: responsible bodies.
    :ivar users: user accounts in all (fixed role accounts, then a head and contributors per body).
    :ivar history_rounds: closed yearly rounds of every plan before the open one.
    :ivar open_round: whether the main plan has an open round (one entry per route, mixed states).
    :ivar audit_events: rows of the account audit log.
    :ivar outbox_messages: sent e-mails in the outbox history.
    :ivar focal_every: the busiest body leads every N-th activity of the main plan.
    :ivar seed: seed of the random generator (same seed, same data).
    """

    name: str
    plans: int
    main_activities: int
    other_activities: int
    bodies: int
    users: int
    history_rounds: int
    open_round: bool = True
    audit_events: int = 0
    outbox_messages: int = 0
    #: The busiest body (the benchmark's contributor) leads every ``focal_every``-th main activity.
    focal_every: int = 10
    seed: int = 2026


PROFILES = {
    "velky": Profile(
        name="velky",
        plans=20,
        main_activities=2000,
        other_activities=25,
        bodies=150,
        users=1000,
        history_rounds=10,
        audit_events=20000,
        outbox_messages=10000,
        focal_every=50,
    ),
    "stredni": Profile(
        name="stredni",
        plans=5,
        main_activities=300,
        other_activities=20,
        bodies=40,
        users=200,
        history_rounds=3,
        audit_events=2000,
        outbox_messages=1000,
    ),
}


def scaled(n: int, *, seed: int = 2026) -> Profile:
    """A profile in which the lists of every page grow with ``n``: ``n`` activities in the main
    plan (≈1.5 n entries in the open round and in the one history round), ``n`` users, ``n``
    audit rows and outbox messages, ``max(3, n // 10)`` bodies and 2 plans."""
    return Profile(
        name=f"scaled-{n}",
        plans=2,
        main_activities=n,
        other_activities=2,
        bodies=max(3, n // 10),
        users=max(8, n),
        history_rounds=1,
        audit_events=n,
        outbox_messages=n,
        focal_every=2,
        seed=seed,
    )


@dataclass
class Generated:
    """What :func:`generate` made: counts per table and the ids the benchmark and tests use.

    ``accounts`` maps a role key (``admin``, ``secretary``, ``reviewer``, ``contributor`` – the
    contributor of the busiest body –, ``head``, ``commission``) to an e-mail address.
    """

    profile: Profile
    counts: dict[str, int] = field(default_factory=dict)
    accounts: dict[str, str] = field(default_factory=dict)
    user_ids: dict[str, int] = field(default_factory=dict)
    main_plan_id: int = 0
    open_round_id: int | None = None
    closed_round_id: int | None = None
    focal_body_id: int = 0
    #: Entries of the focal body in the open round, by state.
    focal_entries: dict[str, list[int]] = field(default_factory=dict)


_WORDS = (  # noqa: SIM905 - a sentence is easier to read than 50 quoted words
    "kraj obec sociální služba podpora rodina bydlení zaměstnanost vzdělávání dluhové poradenství "
    "lokalita spolupráce setkání metodika koordinátor projekt dotace program školení terénní práce "
    "romská komunita sociálně vyloučené oblasti prevence kriminality zdraví dostupnost analýza "
    "monitoring indikátor počet klientů realizace jednání pracovní skupina úřad práce neziskové "
    "organizace komunitní plánování strategie opatření akční plán výsledek hodnocení zpráva"
).split()
_FULFILMENT = ("done", "ongoing", "partial", "not_done", "ongoing", "done", "cannot_assess")
_BODY_KINDS = ("department", "unit", "municipality", "ngo", "state_agency", "university", "other")
_OPEN_STATES = (
    (EntryState.not_started, 30),
    (EntryState.draft, 25),
    (EntryState.submitted, 20),
    (EntryState.returned, 5),
    (EntryState.approved, 20),
)


def _sentence(rnd: random.Random, words: int) -> str:
    text = " ".join(rnd.choice(_WORDS) for _ in range(words))
    return text[0].upper() + text[1:] + "."


def _paragraph(rnd: random.Random, low: int, high: int) -> str:
    out: list[str] = []
    target = rnd.randint(low, high)
    while sum(len(s) + 1 for s in out) < target:
        out.append(_sentence(rnd, rnd.randint(6, 14)))
    return " ".join(out)


def insert_rows(table: Any, rows: Sequence[dict[str, Any]], *, returning: bool = False) -> list[int]:
    """Insert ``rows`` into ``table`` (a model or a :class:`~sqlalchemy.Table`) in batches of
    :data:`BATCH`; with ``returning`` give back the new ids in the rows' order."""
    target: Table = table.__table__ if hasattr(table, "__table__") else table
    ids: list[int] = []
    for start in range(0, len(rows), BATCH):
        chunk = rows[start : start + BATCH]
        if not chunk:
            continue
        if returning:
            stmt = insert(target).returning(target.c.id, sort_by_parameter_order=True)
            ids.extend(db.session.execute(stmt, chunk).scalars().all())
        else:
            db.session.execute(insert(target), chunk)
    return ids


def _at(day: date, rnd: random.Random) -> datetime:
    return datetime.combine(day, time(8, 0), tzinfo=UTC) + timedelta(minutes=rnd.randint(0, 9 * 60))


def generate(profile: Profile, *, today: date | None = None, password: str = LARGE_PASSWORD) -> Generated:
    """Fill the (empty or not) database with the synthetic instance ``profile``; flushes, the caller
    commits.

    The steps run in a fixed order on one seeded random generator, so the same profile and day give
    the same data: bodies, users, plans with their routing, roles and memberships, the closed
    history rounds, the snapshot of the main plan's last closed round, the open round, the account
    audit log and the e-mail history.

    :param today: the calendar day (``TIMEZONE``) the open round is set around (its submission
        deadline is ``today + 7`` days, some bodies have an extended deadline already past);
        default :func:`workflow.clock.today`.
    :param password: password of every generated account (hashed once).
    :returns: :class:`Generated` with row counts and the ids of the main objects.
    :raises ValueError: a profile with fewer than 3 bodies, 8 users or 1 activity, or one already
        generated in this database.
    """
    if profile.bodies < 3 or profile.users < 8 or profile.main_activities < 1:
        raise ValueError("a profile needs at least 3 bodies, 8 users and 1 activity")
    builder = _Builder(profile, today or clock.today())
    builder.refuse_existing()
    builder.add_bodies()
    builder.add_users(password)
    builder.add_plans()
    builder.add_roles_and_memberships()
    builder.add_history()
    builder.add_closed_snapshot()
    if profile.open_round:
        builder.add_open_round()
    builder.add_audit_log_and_outbox()
    return builder.finish()


#: Fixed role accounts of a synthetic instance: (key in :attr:`Generated.accounts`, local part, role).
_FIXED_ACCOUNTS = (
    ("admin", "spravce", Role.admin),
    ("secretary", "tajemnik", Role.secretary),
    ("reviewer", "hodnotitel", Role.reviewer),
    ("commission", "komise", Role.commission),
)

#: A route: (activity id, body id, position of the body in the activity's routing).
_Route = tuple[int, int, int]


class _Builder:
    """The state shared by the steps of :func:`generate` (ids made by one step, used by the next)."""

    def __init__(self, profile: Profile, today: date) -> None:
        self.profile = profile
        self.today = today
        self.rnd = random.Random(profile.seed)  # noqa: S311 - test data, not secrets
        self.out = Generated(profile=profile)
        self.tag = profile.name
        self.now = datetime.now(UTC)
        self.domain = f"{self.tag}.kraj-lbc.cz"
        self.body_ids: list[int] = []
        self.abbreviation_of: dict[int, str] = {}
        self.user_ids: list[int] = []
        self.roles: list[tuple[int, str]] = []  # (user index, role)
        self.members: list[tuple[int, int]] = []  # (user index, body id)
        self.plan_ids: list[int] = []
        self.activities_by_plan: dict[int, list[int]] = {}
        self.routes_by_plan: dict[int, list[_Route]] = {}
        self.contributor_of: dict[int, int] = {}
        self.last_entry: dict[tuple[int, int], int] = {}
        self.counts = {"entries": 0, "entry_versions": 0, "entry_transitions": 0, "consolidations": 0}

    # ---- steps, in the order generate() runs them

    def refuse_existing(self) -> None:
        """:raises ValueError: this profile's plans are already in the database."""
        existing = db.session.scalar(
            select(func.count()).select_from(Plan).where(Plan.title.like(f"[{self.tag}]%"))
        )
        if existing:
            raise ValueError(f"profile {self.tag!r} was already generated in this database")

    def add_bodies(self) -> None:
        """The responsible bodies; the first one is the busiest (the benchmark's contributor's)."""
        rnd, tag = self.rnd, self.tag
        body_rows = []
        for i in range(self.profile.bodies):
            abbreviation = f"{tag[:1].upper()}S{i + 1:03d}"
            name = f"Subjekt {i + 1:03d} – {rnd.choice(_WORDS)} {rnd.choice(_WORDS)}"
            body_rows.append(
                {
                    "abbreviation": abbreviation,
                    "name": name,
                    "kind": _BODY_KINDS[i % len(_BODY_KINDS)],
                    "search_text": fold_text(f"{abbreviation} {name}").lower(),
                }
            )
        self.body_ids = insert_rows(Body, body_rows, returning=True)
        self.abbreviation_of = {
            b: row["abbreviation"] for b, row in zip(self.body_ids, body_rows, strict=True)
        }
        self.out.focal_body_id = self.body_ids[0]

    def add_users(self, password: str) -> None:
        """The fixed role accounts, a head per body, then contributors round-robin over the bodies."""
        out, domain, tag = self.out, self.domain, self.tag
        password_hash = hash_password(password)
        user_rows: list[dict[str, Any]] = []
        for key, local, role in _FIXED_ACCOUNTS:
            user_rows.append({"email": f"{local}@{domain}", "name": f"{local.capitalize()} ({tag})"})
            self.roles.append((len(user_rows) - 1, role.value))
            out.accounts[key] = f"{local}@{domain}"
        for i, body_id in enumerate(self.body_ids):
            if len(user_rows) >= self.profile.users:
                break
            user_rows.append({"email": f"vedouci.{i + 1:03d}@{domain}", "name": f"Vedoucí {i + 1:03d}"})
            self.roles.append((len(user_rows) - 1, Role.head.value))
            self.members.append((len(user_rows) - 1, body_id))
        out.accounts["head"] = f"vedouci.001@{domain}"
        n = 0
        while len(user_rows) < self.profile.users:
            body_index = n % len(self.body_ids)
            user_rows.append(
                {"email": f"zpracovatel.{n + 1:04d}@{domain}", "name": f"Zpracovatel {n + 1:04d}"}
            )
            self.roles.append((len(user_rows) - 1, Role.contributor.value))
            self.members.append((len(user_rows) - 1, self.body_ids[body_index]))
            n += 1
        out.accounts["contributor"] = f"zpracovatel.0001@{domain}"
        for row in user_rows:
            row.update(password_hash=password_hash, locale="cs", active=True, created_at=self.now)
        user_ids = insert_rows(User, user_rows, returning=True)
        self.user_ids = user_ids
        out.user_ids = {key: user_ids[i] for i, (key, _, _) in enumerate(_FIXED_ACCOUNTS)}
        out.user_ids["head"] = user_ids[len(_FIXED_ACCOUNTS)]
        emails = [row["email"] for row in user_rows]
        out.user_ids["contributor"] = user_ids[emails.index(out.accounts["contributor"])]

    def add_plans(self) -> None:
        """The plans with their areas, goals, activities and routing (the first is the main plan)."""
        for p in range(self.profile.plans):
            self._add_plan(p)
        self.out.main_plan_id = self.plan_ids[0]

    def _add_plan(self, p: int) -> None:
        rnd, body_ids, now = self.rnd, self.body_ids, self.now
        size = self.profile.main_activities if p == 0 else self.profile.other_activities
        title = f"[{self.tag}] {'Akční plán kraje' if p == 0 else 'Akční plán'} {p + 1:02d}"
        plan_id = insert_rows(
            Plan,
            [
                {
                    "title": title,
                    "strategy": f"Strategie {p + 1:02d}",
                    "period": "2016–2036",
                    "level_names": ["Okruh", "Cíl", "Aktivita"],
                    "default_body_id": body_ids[p % len(body_ids)],
                    "abbreviations": {"LK": "Liberecký kraj", "KÚ": "krajský úřad"},
                    "created_at": now,
                    "updated_at": now,
                }
            ],
            returning=True,
        )[0]
        self.plan_ids.append(plan_id)
        n_areas = min(5, max(1, size // 20 or 1))
        area_ids = insert_rows(
            PlanNode,
            [
                {
                    "plan_id": plan_id,
                    "parent_id": None,
                    "depth": 0,
                    "code": chr(ord("A") + a),
                    "title": _sentence(rnd, 4),
                    "description": _paragraph(rnd, 100, 300),
                    "notes": "",
                    "footnotes": [],
                    "coordination": [],
                    "position": a,
                }
                for a in range(n_areas)
            ],
            returning=True,
        )
        goals_per_area = min(10, max(1, size // (n_areas * 10) or 1))
        goal_rows = [
            {
                "plan_id": plan_id,
                "parent_id": area_id,
                "depth": 1,
                "code": f"{chr(ord('A') + a)}{g + 1}",
                "title": _sentence(rnd, 5),
                "description": "",
                "notes": "",
                "footnotes": [],
                "coordination": [],
                "position": g,
            }
            for a, area_id in enumerate(area_ids)
            for g in range(goals_per_area)
        ]
        goal_ids = insert_rows(PlanNode, goal_rows, returning=True)
        activity_rows = []
        routing: list[list[int]] = []
        for k in range(size):
            goal_index = k % len(goal_ids)
            code = f"{goal_rows[goal_index]['code']}.{k // len(goal_ids) + 1}"
            bodies = [body_ids[rnd.randrange(1, len(body_ids))]]
            if p == 0 and k % self.profile.focal_every == 0:
                bodies.insert(0, self.out.focal_body_id)  # the busiest body leads every N-th main activity
            if k % 2 == 1:
                extra = body_ids[rnd.randrange(1, len(body_ids))]
                if extra not in bodies:
                    bodies.append(extra)
            routing.append(bodies)
            activity_rows.append(
                {
                    "plan_id": plan_id,
                    "node_id": goal_ids[goal_index],
                    "top_node_id": goal_rows[goal_index]["parent_id"],
                    "code": code,
                    "sort_key": sort_key(code),
                    "description": _paragraph(rnd, 80, 250),
                    "indicator": _sentence(rnd, 5),
                    "deadline_raw": "průběžně",
                    "deadline_kind": "ongoing",
                    "responsibility_raw": ", ".join(self.abbreviation_of[b] for b in bodies),
                    "routing_needs_review": False,
                    "routing_unmatched": [],
                    "strategy_refs_raw": "",
                    "strategy_measures": [],
                    "strategy_goals": [],
                    "cooperation": _sentence(rnd, 4),
                    "extra": {},
                    "created_at": now,
                    "updated_at": now,
                }
            )
        activity_ids = insert_rows(Activity, activity_rows, returning=True)
        self.activities_by_plan[plan_id] = activity_ids
        routes = [
            (activity_id, body_id, position)
            for activity_id, bodies in zip(activity_ids, routing, strict=True)
            for position, body_id in enumerate(bodies)
        ]
        self.routes_by_plan[plan_id] = routes
        insert_rows(ActivityBody, [{"activity_id": a, "body_id": b, "position": pos} for a, b, pos in routes])

    def add_roles_and_memberships(self) -> None:
        """Role assignments (the reviewer scoped to the main plan) and body memberships."""
        user_ids = self.user_ids
        role_rows = [
            {
                "user_id": user_ids[i],
                "role": role,
                "plan_id": self.plan_ids[0] if role == Role.reviewer else None,
            }
            for i, role in self.roles
        ]
        insert_rows(RoleAssignment, role_rows)
        insert_rows(user_bodies, [{"user_id": user_ids[i], "body_id": b} for i, b in self.members])
        self.contributor_of = {b: user_ids[i] for i, b in reversed(self.members)}

    @property
    def secretary(self) -> int:
        return self.out.user_ids["secretary"]

    @property
    def reviewer(self) -> int:
        return self.out.user_ids["reviewer"]

    def add_history(self) -> None:
        """Closed yearly rounds of every plan with approved entries, versions, transitions and
        consolidations; each entry carries over from the same route's entry of the year before."""
        first_year = self.today.year - self.profile.history_rounds
        for year_index in range(self.profile.history_rounds):
            for plan_id in self.plan_ids:
                self._add_closed_round(plan_id, first_year + year_index)

    def _add_closed_round(self, plan_id: int, year: int) -> None:
        rnd, secretary, reviewer = self.rnd, self.secretary, self.reviewer
        closed_on = date(year + 1, 3, 31)
        round_id = insert_rows(
            ReportingRound,
            [
                {
                    "plan_id": plan_id,
                    "title": f"Monitoring {year}",
                    "period_start": date(year, 1, 1),
                    "period_end": date(year, 12, 31),
                    "opens_on": date(year + 1, 1, 5),
                    "submission_deadline": date(year + 1, 2, 28),
                    "review_deadline": closed_on,
                    "state": "closed",
                    "imported": False,
                    "opened_at": _at(date(year + 1, 1, 5), rnd),
                    "closed_at": _at(closed_on, rnd),
                    "created_by_id": secretary,
                    "created_at": _at(date(year, 12, 1), rnd),
                }
            ],
            returning=True,
        )[0]
        if plan_id == self.plan_ids[0]:
            self.out.closed_round_id = round_id
        routes = self.routes_by_plan[plan_id]
        self._round_rows(plan_id, round_id, routes)
        insert_rows(
            RoundEvent,
            [
                {
                    "round_id": round_id,
                    "action": action,
                    "from_state": a,
                    "to_state": b,
                    "actor_id": secretary,
                    "comment": "",
                    "created_at": _at(day, rnd),
                }
                for action, a, b, day in (
                    ("created", None, "planned", date(year, 12, 1)),
                    ("opened", "planned", "open", date(year + 1, 1, 5)),
                    ("closed", "open", "closed", closed_on),
                )
            ],
        )
        entry_rows = []
        for activity_id, body_id, _position in routes:
            day = date(year + 1, 2, rnd.randint(1, 27))
            entry_rows.append(
                {
                    "round_id": round_id,
                    "activity_id": activity_id,
                    "body_id": body_id,
                    "state": "approved",
                    "fulfilment_status": rnd.choice(_FULFILMENT),
                    "text": _paragraph(rnd, 150, 700),
                    "carried_over": False,
                    "carried_from_id": self.last_entry.get((activity_id, body_id)),
                    "indicator_unit": "",
                    "indicator_text": _sentence(rnd, 3),
                    "cooperation_text": "",
                    "problems": "",
                    "proposal": "",
                    "assessment": "",
                    "assessment_public": False,
                    "version": 5,
                    "created_at": _at(date(year + 1, 1, 5), rnd),
                    "updated_at": _at(day, rnd),
                    "updated_by_id": self.contributor_of.get(body_id),
                    "first_submitted_at": _at(day, rnd),
                    "submitted_at": _at(day, rnd),
                    "submitted_by_id": self.contributor_of.get(body_id),
                    "submitted_on_time": True,
                    "approved_at": _at(day + timedelta(days=10), rnd),
                    "approved_by_id": reviewer,
                }
            )
        entry_ids = insert_rows(Entry, entry_rows, returning=True)
        self.counts["entries"] += len(entry_ids)
        for entry_id, row in zip(entry_ids, entry_rows, strict=True):
            self.last_entry[(row["activity_id"], row["body_id"])] = entry_id
        self._audit_trail(
            [
                (entry_id, row["body_id"], "approved", row["text"], row["approved_at"].date())
                for entry_id, row in zip(entry_ids, entry_rows, strict=True)
            ]
        )
        by_activity: dict[int, list[str]] = {}
        for row in entry_rows:
            by_activity.setdefault(row["activity_id"], []).append(row["text"])
        insert_rows(
            Consolidation,
            [
                {
                    "round_id": round_id,
                    "activity_id": a,
                    "text": "\n\n".join(texts),
                    "source": "merged",
                    "updated_at": _at(closed_on, rnd),
                }
                for a, texts in by_activity.items()
            ],
        )
        self.counts["consolidations"] += len(by_activity)

    def add_closed_snapshot(self) -> None:
        """The main plan's last closed round gets its snapshot, as closing writes one (its report
        page and exports print the snapshot)."""
        if self.out.closed_round_id is None:
            return
        db.session.flush()
        closed_round = db.session.get(ReportingRound, self.out.closed_round_id)
        data = build_report(closed_round, live=True).to_dict()
        snapshot = RoundSnapshot(round_id=closed_round.id, content=data, content_hash=content_hash(data))
        snapshot.created_by_id = self.secretary
        db.session.add(snapshot)
        db.session.flush()

    def add_open_round(self) -> None:
        """The open round of the main plan: one entry per route in mixed states (every state for the
        busiest body), comments on the returned ones, some bodies' extensions already run out."""
        rnd, today, secretary, reviewer = self.rnd, self.today, self.secretary, self.reviewer
        plan_id = self.plan_ids[0]
        year = today.year
        deadline = today + timedelta(days=7)
        round_id = insert_rows(
            ReportingRound,
            [
                {
                    "plan_id": plan_id,
                    "title": f"Monitoring {year}",
                    "period_start": date(year - 1, 1, 1) if today.month < 7 else date(year, 1, 1),
                    "period_end": date(year - 1, 12, 31) if today.month < 7 else date(year, 12, 31),
                    "opens_on": today - timedelta(days=30),
                    "submission_deadline": deadline,
                    "review_deadline": deadline + timedelta(days=30),
                    "state": "open",
                    "imported": False,
                    "opened_at": _at(today - timedelta(days=30), rnd),
                    "created_by_id": secretary,
                    "created_at": _at(today - timedelta(days=40), rnd),
                }
            ],
            returning=True,
        )[0]
        self.out.open_round_id = round_id
        routes = self.routes_by_plan[plan_id]
        self._round_rows(plan_id, round_id, routes)
        insert_rows(
            RoundEvent,
            [
                {
                    "round_id": round_id,
                    "action": "created",
                    "from_state": None,
                    "to_state": "planned",
                    "actor_id": secretary,
                    "comment": "",
                    "created_at": _at(today - timedelta(days=40), rnd),
                },
                {
                    "round_id": round_id,
                    "action": "opened",
                    "from_state": "planned",
                    "to_state": "open",
                    "actor_id": secretary,
                    "comment": "",
                    "created_at": _at(today - timedelta(days=30), rnd),
                },
            ],
        )
        entry_rows = self._open_entry_rows(round_id, routes)
        entry_ids = insert_rows(Entry, entry_rows, returning=True)
        self.counts["entries"] += len(entry_ids)
        self._audit_trail(
            [
                (entry_id, row["body_id"], row["state"], row["text"], row["updated_at"].date())
                for entry_id, row in zip(entry_ids, entry_rows, strict=True)
            ]
        )
        comments = [
            {
                "entry_id": entry_id,
                "author_id": reviewer,
                "text": "Doplňte prosím indikátor.",
                "internal": False,
                "created_at": row["updated_at"],
            }
            for entry_id, row in zip(entry_ids, entry_rows, strict=True)
            if row["state"] == "returned"
        ]
        insert_rows(EntryComment, comments)
        self.counts["entry_comments"] = len(comments)
        for entry_id, row in zip(entry_ids, entry_rows, strict=True):
            if row["body_id"] == self.out.focal_body_id:
                self.out.focal_entries.setdefault(row["state"], []).append(entry_id)

    def _open_entry_rows(self, round_id: int, routes: list[_Route]) -> list[dict[str, Any]]:
        rnd, today = self.rnd, self.today
        states = [s.value for s, weight in _OPEN_STATES for _ in range(weight)]
        # a few bodies got an extension that has already run out (overdue notices, escalations)
        late_bodies = set(self.body_ids[1 :: max(2, len(self.body_ids) // 5)])
        entry_rows = []
        focal_states = [s.value for s, _weight in _OPEN_STATES]
        focal_index = 0
        for index, (activity_id, body_id, _position) in enumerate(routes):
            if body_id == self.out.focal_body_id:  # every state for the busiest body, in turn
                state = focal_states[focal_index % len(focal_states)]
                focal_index += 1
            else:
                state = states[index % len(states)]
            previous = self.last_entry.get((activity_id, body_id))
            started = state != EntryState.not_started.value
            was_submitted = state in ("submitted", "returned", "approved")
            day = today - timedelta(days=rnd.randint(1, 25))
            contributor = self.contributor_of.get(body_id)
            entry_rows.append(
                {
                    "round_id": round_id,
                    "activity_id": activity_id,
                    "body_id": body_id,
                    "state": state,
                    "fulfilment_status": rnd.choice(_FULFILMENT) if started else None,
                    "text": _paragraph(rnd, 150, 900) if started or previous else "",
                    "carried_over": not started and previous is not None,
                    "carried_from_id": previous,
                    "indicator_unit": "",
                    "indicator_text": _sentence(rnd, 3) if started else "",
                    "cooperation_text": "",
                    "problems": "",
                    "proposal": "",
                    "deadline": today - timedelta(days=3) if body_id in late_bodies else None,
                    "assessment": "",
                    "assessment_public": False,
                    "version": 3 if started else 1,
                    "created_at": _at(today - timedelta(days=30), rnd),
                    "updated_at": _at(day, rnd),
                    "updated_by_id": contributor if started else None,
                    "first_submitted_at": _at(day, rnd) if was_submitted else None,
                    "submitted_at": _at(day, rnd) if state in ("submitted", "approved") else None,
                    "submitted_by_id": contributor if was_submitted else None,
                    "submitted_on_time": True if was_submitted else None,
                    "approved_at": _at(day, rnd) if state == "approved" else None,
                    "approved_by_id": self.reviewer if state == "approved" else None,
                }
            )
        return entry_rows

    def add_audit_log_and_outbox(self) -> None:
        """Sign-ins in the account audit log and sent e-mails in the outbox history."""
        rnd, today, user_ids = self.rnd, self.today, self.user_ids
        audit_rows = [
            {
                "at": _at(today - timedelta(days=rnd.randint(0, 365 * 3)), rnd),
                "kind": "sign_in",
                "actor_id": (uid := user_ids[rnd.randrange(len(user_ids))]),
                "subject_id": uid,
                "email": "",
                "ip": f"10.0.{rnd.randint(0, 255)}.{rnd.randint(1, 254)}",
                "summary": "přihlášení",
                "details": {},
            }
            for _ in range(self.profile.audit_events)
        ]
        insert_rows(AuditEvent, audit_rows)
        outbox_rows = []
        for i in range(self.profile.outbox_messages):
            uid = user_ids[rnd.randrange(len(user_ids))]
            at = _at(today - timedelta(days=rnd.randint(1, 365 * 3)), rnd)
            outbox_rows.append(
                {
                    "kind": "deadline_reminder",
                    "recipient_email": f"u{uid}@{self.domain}",
                    "recipient_id": uid,
                    "locale": "cs",
                    "dedupe_key": f"{self.tag}:history:{i}",
                    "payload": {},
                    "round_id": self.out.closed_round_id,
                    "body_id": self.out.focal_body_id,
                    "state": "sent",
                    "attempts": 1,
                    "created_at": at,
                    "next_attempt_at": at,
                    "sent_at": at,
                }
            )
        insert_rows(OutboxMessage, outbox_rows)
        self.counts.update(audit_events=len(audit_rows), outbox_messages=len(outbox_rows))

    def finish(self) -> Generated:
        """Flush and return what was made, with the row counts."""
        db.session.flush()
        self.counts.update(
            bodies=len(self.body_ids),
            users=len(self.user_ids),
            plans=len(self.plan_ids),
            activities=sum(len(v) for v in self.activities_by_plan.values()),
            main_activities=len(self.activities_by_plan[self.plan_ids[0]]),
            routes=sum(len(v) for v in self.routes_by_plan.values()),
        )
        self.out.counts = self.counts
        return self.out

    # ---- shared by the round steps

    def _round_rows(self, plan_id: int, round_id: int, routes: list[_Route]) -> None:
        """The round's activity list (every activity of the plan included) and its routes."""
        insert_rows(
            RoundActivity,
            [
                {
                    "round_id": round_id,
                    "activity_id": a,
                    "included": True,
                    "default_included": True,
                    "default_reason": "ongoing",
                    "reason": "",
                    "routing_changed": False,
                    "routing_reason": "",
                }
                for a in self.activities_by_plan[plan_id]
            ],
        )
        insert_rows(
            RoundRoute,
            [{"round_id": round_id, "activity_id": a, "body_id": b, "position": pos} for a, b, pos in routes],
        )

    def _audit_trail(self, entries: list[tuple[int, int, str, str, date]]) -> None:
        """Versions and transitions for (entry id, body id, state, text, day) rows."""
        secretary, reviewer = self.secretary, self.reviewer
        version_rows, transition_plan = [], []
        for entry_id, body_id, state, text, day in entries:
            steps: list[tuple[str, str, str, int]] = []
            author = self.contributor_of.get(body_id, secretary)
            if state in (EntryState.draft, EntryState.submitted, EntryState.returned, EntryState.approved):
                steps.append(("save", "not_started", "draft", author))
            if state in (EntryState.submitted, EntryState.returned, EntryState.approved):
                steps.append(("submit", "draft", "submitted", author))
            if state == EntryState.returned:
                steps.append(("return", "submitted", "returned", reviewer))
            if state == EntryState.approved:
                steps.append(("approve", "submitted", "approved", reviewer))
            for number, (name, from_state, to_state, actor) in enumerate(steps, start=1):
                at = _at(day, self.rnd) + timedelta(hours=number)
                version_rows.append(
                    {
                        "entry_id": entry_id,
                        "number": number,
                        "state": to_state,
                        "text": text,
                        "data": {"fulfilment_status": "ongoing"},
                        "author_id": actor,
                        "created_at": at,
                    }
                )
                transition_plan.append((entry_id, name, from_state, to_state, actor, body_id, at))
        version_ids = insert_rows(EntryVersion, version_rows, returning=True)
        insert_rows(
            EntryTransition,
            [
                {
                    "entry_id": entry_id,
                    "name": name,
                    "from_state": from_state,
                    "to_state": to_state,
                    "actor_id": actor,
                    "acted_for_body_id": body_id if name in ("save", "submit") else None,
                    "comment": "Doplňte prosím indikátor." if name == "return" else "",
                    "version_id": version_id,
                    "created_at": at,
                }
                for (entry_id, name, from_state, to_state, actor, body_id, at), version_id in zip(
                    transition_plan, version_ids, strict=True
                )
            ],
        )
        self.counts["entry_versions"] += len(version_rows)
        self.counts["entry_transitions"] += len(version_rows)


def analyze() -> None:
    """Refresh the planner's statistics and the visibility map after a bulk load (PostgreSQL
    ``VACUUM ANALYZE`` of the product's tables, outside a transaction; SQLite: nothing). Commits.

    Without the statistics PostgreSQL plans the first queries on the new rows with the estimates
    of empty tables; without the visibility map an index-only scan still reads every row from the
    table (counting a round's 3,000 entries for the API's list: 2.1 ms instead of 1.0 ms).
    Autovacuum does both, but only later, as it would on a production database by then.

    Only the product's tables (the models' metadata, not the server's catalogs), and without
    truncating their empty tail pages (``TRUNCATE false``): that step needs the table's exclusive
    lock and waits up to 5 s per table for any session that holds a lock on it (15 s in the test
    suite, whose outer transaction holds three of the tables; ``Timeout: VacuumTruncate``), and a
    bulk load leaves no empty tail to give back.
    """
    db.session.commit()
    if db.session.get_bind().dialect.name == "postgresql":
        with db.engine.connect() as conn:
            quote = conn.dialect.identifier_preparer.format_table
            tables = ", ".join(quote(table) for table in db.metadata.sorted_tables)
            conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql(
                f"VACUUM (ANALYZE, TRUNCATE false) {tables}"
            )


def seed_kraj(*, password: str = LARGE_PASSWORD, today: date | None = None) -> dict[str, Any]:
    """The real plan through the product's importer, its bodies, a demo account per role and body,
    and an open round of the plan (deadline ``today + 7`` days); flushes, the caller commits.

    :returns: ``{"plan_id", "open_round_id", "entries", "accounts"}``.
    :raises workflow.importing.PlanImportError: the project's copy of the plan does not import.
    """
    today = today or clock.today()
    result, accounts, _bodies, _users = seed_demo_data(password)
    plan = result.plan
    assert plan is not None
    secretary = db.session.scalar(select(User).where(User.email.like("tajemnik@%")))
    existing = db.session.scalar(
        select(ReportingRound).where(ReportingRound.plan_id == plan.id, ReportingRound.state == "open")
    )
    if existing is None:
        round_ = create_round(
            plan.id,
            secretary,
            title=f"Monitoring {today.year}",
            period_start=date(today.year, 1, 1),
            period_end=date(today.year, 12, 31),
            submission_deadline=today + timedelta(days=7),
        )
        open_round(round_, secretary)
        existing = round_
    entries = db.session.scalar(select(func.count()).select_from(Entry).where(Entry.round_id == existing.id))
    return {"plan_id": plan.id, "open_round_id": existing.id, "entries": entries, "accounts": accounts}
