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
and used by ``python -m bench``.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Table, func, insert, select
from sqlalchemy import text as sql_text

from workflow.bodies import fold_text
from workflow.db import db
from workflow.importing.service import sort_key
from workflow.models import (
    Activity,
    ActivityBody,
    Area,
    AuditEvent,
    Body,
    Consolidation,
    Entry,
    EntryComment,
    EntryTransition,
    EntryVersion,
    Goal,
    OutboxMessage,
    Plan,
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


def _insert(table: Any, rows: Sequence[dict[str, Any]], *, returning: bool = False) -> list[int]:
    """Insert ``rows`` in batches; with ``returning`` give back the new ids in the rows' order."""
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

    :param today: the Prague calendar day the open round is set around (its submission deadline
        is ``today + 7`` days, some bodies have an extended deadline already past); default today.
    :param password: password of every generated account (hashed once).
    :returns: :class:`Generated` with row counts and the ids of the main objects.
    :raises ValueError: a profile with fewer than 3 bodies, 8 users or 1 activity.
    """
    if profile.bodies < 3 or profile.users < 8 or profile.main_activities < 1:
        raise ValueError("a profile needs at least 3 bodies, 8 users and 1 activity")
    today = today or date.today()
    rnd = random.Random(profile.seed)  # noqa: S311 - test data, not secrets
    out = Generated(profile=profile)
    tag = profile.name
    existing = db.session.scalar(select(func.count()).select_from(Plan).where(Plan.title.like(f"[{tag}]%")))
    if existing:
        raise ValueError(f"profile {tag!r} was already generated in this database")

    # ---- bodies
    body_rows = []
    for i in range(profile.bodies):
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
    body_ids = _insert(Body, body_rows, returning=True)
    focal_body = body_ids[0]
    abbreviation_of = {b: row["abbreviation"] for b, row in zip(body_ids, body_rows, strict=True)}
    out.focal_body_id = focal_body

    # ---- users, roles, memberships
    password_hash = hash_password(password)
    now = datetime.now(UTC)
    domain = f"{tag}.kraj-lbc.cz"
    fixed = [
        ("admin", "spravce", Role.admin),
        ("secretary", "tajemnik", Role.secretary),
        ("reviewer", "hodnotitel", Role.reviewer),
        ("commission", "komise", Role.commission),
    ]
    user_rows: list[dict[str, Any]] = []
    roles: list[tuple[int, str]] = []  # (user index, role)
    members: list[tuple[int, int]] = []  # (user index, body id)
    for key, local, role in fixed:
        user_rows.append({"email": f"{local}@{domain}", "name": f"{local.capitalize()} ({tag})"})
        roles.append((len(user_rows) - 1, role.value))
        out.accounts[key] = f"{local}@{domain}"
    # a head per body, then contributors round-robin over the bodies
    for i, body_id in enumerate(body_ids):
        if len(user_rows) >= profile.users:
            break
        user_rows.append({"email": f"vedouci.{i + 1:03d}@{domain}", "name": f"Vedoucí {i + 1:03d}"})
        roles.append((len(user_rows) - 1, Role.head.value))
        members.append((len(user_rows) - 1, body_id))
    out.accounts["head"] = f"vedouci.001@{domain}"
    n = 0
    while len(user_rows) < profile.users:
        body_index = n % len(body_ids)
        user_rows.append({"email": f"zpracovatel.{n + 1:04d}@{domain}", "name": f"Zpracovatel {n + 1:04d}"})
        roles.append((len(user_rows) - 1, Role.contributor.value))
        members.append((len(user_rows) - 1, body_ids[body_index]))
        n += 1
    out.accounts["contributor"] = f"zpracovatel.0001@{domain}"
    for row in user_rows:
        row.update(password_hash=password_hash, locale="cs", active=True, created_at=now)
    user_ids = _insert(User, user_rows, returning=True)
    out.user_ids = {key: user_ids[i] for i, (key, _, _) in enumerate(fixed)}
    out.user_ids["head"] = user_ids[len(fixed)]
    emails = [row["email"] for row in user_rows]
    out.user_ids["contributor"] = user_ids[emails.index(out.accounts["contributor"])]

    # ---- plans, areas, goals, activities, routing
    plan_ids: list[int] = []
    activities_by_plan: dict[int, list[int]] = {}
    routes_by_plan: dict[int, list[tuple[int, int, int]]] = {}
    for p in range(profile.plans):
        size = profile.main_activities if p == 0 else profile.other_activities
        title = f"[{tag}] {'Akční plán kraje' if p == 0 else 'Akční plán'} {p + 1:02d}"
        plan_id = _insert(
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
        plan_ids.append(plan_id)
        n_areas = min(5, max(1, size // 20 or 1))
        area_ids = _insert(
            Area,
            [
                {
                    "plan_id": plan_id,
                    "code": chr(ord("A") + a),
                    "title": _sentence(rnd, 4),
                    "intro": _paragraph(rnd, 100, 300),
                    "footnotes": [],
                    "position": a,
                }
                for a in range(n_areas)
            ],
            returning=True,
        )
        goals_per_area = min(10, max(1, size // (n_areas * 10) or 1))
        goal_rows = []
        for a, area_id in enumerate(area_ids):
            for g in range(goals_per_area):
                goal_rows.append(
                    {
                        "plan_id": plan_id,
                        "area_id": area_id,
                        "code": f"{chr(ord('A') + a)}{g + 1}",
                        "title": _sentence(rnd, 5),
                        "comment": "",
                        "coordination": [],
                        "position": g,
                    }
                )
        goal_ids = _insert(Goal, goal_rows, returning=True)
        activity_rows = []
        routing: list[list[int]] = []
        for k in range(size):
            goal_index = k % len(goal_ids)
            code = f"{goal_rows[goal_index]['code']}.{k // len(goal_ids) + 1}"
            bodies = [body_ids[rnd.randrange(1, len(body_ids))]]
            if p == 0 and k % profile.focal_every == 0:
                bodies.insert(0, focal_body)  # the busiest body leads every 10th main activity
            if k % 2 == 1:
                extra = body_ids[rnd.randrange(1, len(body_ids))]
                if extra not in bodies:
                    bodies.append(extra)
            routing.append(bodies)
            activity_rows.append(
                {
                    "plan_id": plan_id,
                    "goal_id": goal_ids[goal_index],
                    "code": code,
                    "sort_key": sort_key(code),
                    "description": _paragraph(rnd, 80, 250),
                    "indicator": _sentence(rnd, 5),
                    "deadline_raw": "průběžně",
                    "deadline_kind": "ongoing",
                    "responsibility_raw": ", ".join(abbreviation_of[b] for b in bodies),
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
        activity_ids = _insert(Activity, activity_rows, returning=True)
        activities_by_plan[plan_id] = activity_ids
        routes = [
            (activity_id, body_id, position)
            for activity_id, bodies in zip(activity_ids, routing, strict=True)
            for position, body_id in enumerate(bodies)
        ]
        routes_by_plan[plan_id] = routes
        _insert(ActivityBody, [{"activity_id": a, "body_id": b, "position": pos} for a, b, pos in routes])
    out.main_plan_id = plan_ids[0]

    # reviewer scoped to the main plan; memberships and roles
    role_rows = [
        {"user_id": user_ids[i], "role": role, "plan_id": plan_ids[0] if role == Role.reviewer else None}
        for i, role in roles
    ]
    _insert(RoleAssignment, role_rows)
    _insert(user_bodies, [{"user_id": user_ids[i], "body_id": b} for i, b in members])
    secretary, reviewer = out.user_ids["secretary"], out.user_ids["reviewer"]
    contributor_of = {b: user_ids[i] for i, b in reversed(members)}

    # ---- history: closed yearly rounds with approved entries, versions, transitions, consolidations
    first_year = today.year - profile.history_rounds
    last_entry: dict[tuple[int, int], int] = {}
    counts = {"entries": 0, "entry_versions": 0, "entry_transitions": 0, "consolidations": 0}

    def round_rows(plan_id: int, round_id: int, routes: list[tuple[int, int, int]]) -> None:
        activity_ids = activities_by_plan[plan_id]
        _insert(
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
                for a in activity_ids
            ],
        )
        _insert(
            RoundRoute,
            [{"round_id": round_id, "activity_id": a, "body_id": b, "position": pos} for a, b, pos in routes],
        )

    def audit_trail(entries: list[tuple[int, int, str, str, date]]) -> None:
        """Versions and transitions for (entry id, body id, state, text, day) rows."""
        version_rows, transition_plan = [], []
        for entry_id, body_id, state, text, day in entries:
            steps: list[tuple[str, str, str, int]] = []
            author = contributor_of.get(body_id, secretary)
            if state in (EntryState.draft, EntryState.submitted, EntryState.returned, EntryState.approved):
                steps.append(("save", "not_started", "draft", author))
            if state in (EntryState.submitted, EntryState.returned, EntryState.approved):
                steps.append(("submit", "draft", "submitted", author))
            if state == EntryState.returned:
                steps.append(("return", "submitted", "returned", reviewer))
            if state == EntryState.approved:
                steps.append(("approve", "submitted", "approved", reviewer))
            for number, (name, from_state, to_state, actor) in enumerate(steps, start=1):
                at = _at(day, rnd) + timedelta(hours=number)
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
        version_ids = _insert(EntryVersion, version_rows, returning=True)
        _insert(
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
        counts["entry_versions"] += len(version_rows)
        counts["entry_transitions"] += len(version_rows)

    for year_index in range(profile.history_rounds):
        year = first_year + year_index
        for plan_id in plan_ids:
            closed_on = date(year + 1, 3, 31)
            round_id = _insert(
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
            if plan_id == plan_ids[0]:
                out.closed_round_id = round_id
            routes = routes_by_plan[plan_id]
            round_rows(plan_id, round_id, routes)
            _insert(
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
                        "carried_from_id": last_entry.get((activity_id, body_id)),
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
                        "updated_by_id": contributor_of.get(body_id),
                        "first_submitted_at": _at(day, rnd),
                        "submitted_at": _at(day, rnd),
                        "submitted_by_id": contributor_of.get(body_id),
                        "submitted_on_time": True,
                        "approved_at": _at(day + timedelta(days=10), rnd),
                        "approved_by_id": reviewer,
                    }
                )
            entry_ids = _insert(Entry, entry_rows, returning=True)
            counts["entries"] += len(entry_ids)
            for entry_id, row in zip(entry_ids, entry_rows, strict=True):
                last_entry[(row["activity_id"], row["body_id"])] = entry_id
            audit_trail(
                [
                    (entry_id, row["body_id"], "approved", row["text"], row["approved_at"].date())
                    for entry_id, row in zip(entry_ids, entry_rows, strict=True)
                ]
            )
            by_activity: dict[int, list[str]] = {}
            for row in entry_rows:
                by_activity.setdefault(row["activity_id"], []).append(row["text"])
            _insert(
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
            counts["consolidations"] += len(by_activity)

    # ---- the main plan's last closed round has its snapshot, as closing writes one (its report
    # page and exports print the snapshot)
    if out.closed_round_id is not None:
        from workflow.report import build_report, content_hash

        db.session.flush()
        closed_round = db.session.get(ReportingRound, out.closed_round_id)
        data = build_report(closed_round, live=True).to_dict()
        snapshot = RoundSnapshot(round_id=closed_round.id, content=data, content_hash=content_hash(data))
        snapshot.created_by_id = secretary
        db.session.add(snapshot)
        db.session.flush()

    # ---- the open round of the main plan: one entry per route in mixed states
    if profile.open_round:
        plan_id = plan_ids[0]
        year = today.year
        deadline = today + timedelta(days=7)
        round_id = _insert(
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
        out.open_round_id = round_id
        routes = routes_by_plan[plan_id]
        round_rows(plan_id, round_id, routes)
        _insert(
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
        states = [s.value for s, weight in _OPEN_STATES for _ in range(weight)]
        # a few bodies got an extension that has already run out (overdue notices, escalations)
        late_bodies = set(body_ids[1 :: max(2, len(body_ids) // 5)])
        entry_rows = []
        focal_states = [s.value for s, _weight in _OPEN_STATES]
        focal_index = 0
        for index, (activity_id, body_id, _position) in enumerate(routes):
            if body_id == focal_body:  # every state for the busiest body, in turn
                state = focal_states[focal_index % len(focal_states)]
                focal_index += 1
            else:
                state = states[index % len(states)]
            previous = last_entry.get((activity_id, body_id))
            started = state != EntryState.not_started.value
            was_submitted = state in ("submitted", "returned", "approved")
            day = today - timedelta(days=rnd.randint(1, 25))
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
                    "updated_by_id": contributor_of.get(body_id) if started else None,
                    "first_submitted_at": _at(day, rnd) if was_submitted else None,
                    "submitted_at": _at(day, rnd) if state in ("submitted", "approved") else None,
                    "submitted_by_id": contributor_of.get(body_id) if was_submitted else None,
                    "submitted_on_time": True if was_submitted else None,
                    "approved_at": _at(day, rnd) if state == "approved" else None,
                    "approved_by_id": reviewer if state == "approved" else None,
                }
            )
        entry_ids = _insert(Entry, entry_rows, returning=True)
        counts["entries"] += len(entry_ids)
        audit_trail(
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
        _insert(EntryComment, comments)
        counts["entry_comments"] = len(comments)
        for entry_id, row in zip(entry_ids, entry_rows, strict=True):
            if row["body_id"] == focal_body:
                out.focal_entries.setdefault(row["state"], []).append(entry_id)

    # ---- account audit log and e-mail history
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
        for _ in range(profile.audit_events)
    ]
    _insert(AuditEvent, audit_rows)
    outbox_rows = []
    for i in range(profile.outbox_messages):
        uid = user_ids[rnd.randrange(len(user_ids))]
        at = _at(today - timedelta(days=rnd.randint(1, 365 * 3)), rnd)
        outbox_rows.append(
            {
                "kind": "deadline_reminder",
                "recipient_email": f"u{uid}@{domain}",
                "recipient_id": uid,
                "locale": "cs",
                "dedupe_key": f"{tag}:history:{i}",
                "payload": {},
                "round_id": out.closed_round_id,
                "body_id": focal_body,
                "state": "sent",
                "attempts": 1,
                "created_at": at,
                "next_attempt_at": at,
                "sent_at": at,
            }
        )
    _insert(OutboxMessage, outbox_rows)
    db.session.flush()
    counts.update(
        bodies=len(body_ids),
        users=len(user_ids),
        plans=len(plan_ids),
        activities=sum(len(v) for v in activities_by_plan.values()),
        main_activities=len(activities_by_plan[plan_ids[0]]),
        routes=sum(len(v) for v in routes_by_plan.values()),
        audit_events=len(audit_rows),
        outbox_messages=len(outbox_rows),
    )
    out.counts = counts
    return out


def analyze() -> None:
    """Refresh the planner's statistics after a bulk load (PostgreSQL ``ANALYZE``; SQLite: nothing).

    Without it PostgreSQL plans the first queries on the new rows with the estimates of empty
    tables (autovacuum catches up only later). Commits.
    """
    db.session.commit()
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(sql_text("ANALYZE"))
        db.session.commit()


def seed_kraj(*, password: str = LARGE_PASSWORD, today: date | None = None) -> dict[str, Any]:
    """The real plan through the product's importer, its bodies, a demo account per role and body,
    and an open round of the plan (deadline ``today + 7`` days); flushes, the caller commits.

    :returns: ``{"plan_id", "open_round_id", "entries", "accounts"}``.
    :raises workflow.importing.PlanImportError: the project's copy of the plan does not import.
    """
    from web.cli_data import seed_demo_data  # the same code as ``seed-demo``
    from workflow.rounds import create_round, open_round

    today = today or date.today()
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
