"""The demo instance: the real action plan, the seed bodies and a demo account per role and body.

Loaded by ``flask --app wsgi seed-demo`` (:mod:`web.cli_data`) and, with an open round on top, by
``seed-large --profile kraj`` (:func:`devdata.largedata.seed_kraj`).
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from sqlalchemy import func, select

from workflow.bodies import ensure_seed_bodies
from workflow.collation import czech
from workflow.db import db
from workflow.importing import ImportPreview, import_plan_file, real_plan_options
from workflow.models import ActivityBody, Body, Plan, RoleAssignment, User
from workflow.passwords import hash_password
from workflow.states import Role

PROJECT_ROOT = Path(__file__).resolve().parent.parent
#: The project's own copy of the real plan (seed 002), loaded by ``seed-demo``.
DEMO_PLAN_FILE = PROJECT_ROOT / "data" / "akcni-plan-2024-2025.json"
DEMO_DOMAIN = "demo.kraj-lbc.cz"
DEMO_PASSWORD = "demo-heslo-2026!"  # noqa: S105 - published demo password, refused in production
#: Czech role names for the CLI output (the lazy UI titles need a request to pick a locale).
CLI_ROLE_TITLES = {
    Role.admin: "správce",
    Role.secretary: "tajemník",
    Role.reviewer: "hodnotitel",
    Role.contributor: "zpracovatel",
    Role.head: "vedoucí",
    Role.commission: "člen komise",
}
#: The role accounts of the demo: (local part, role, display name).
DEMO_ROLE_ACCOUNTS = (
    ("spravce", Role.admin, "Správce (demo)"),
    ("tajemnik", Role.secretary, "Tajemník (demo)"),
    ("hodnotitel", Role.reviewer, "Hodnotitel (demo)"),
    ("komise", Role.commission, "Člen komise (demo)"),
)


def body_slug(abbreviation: str) -> str:
    """ASCII slug of a body abbreviation for e-mail addresses.

    ``"OŠMTS"`` → ``"osmts"``, ``"odd. KŘ"`` → ``"odd-kr"``.
    """
    ascii_text = unicodedata.normalize("NFKD", abbreviation).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-") or "subjekt"


def _demo_user(
    email: str, name: str, role: Role, password_hash: str, body: Body | None = None
) -> tuple[User, bool]:
    user = db.session.scalar(select(User).where(func.lower(User.email) == email))
    created = user is None
    if user is None:
        user = User(email=email, name=name)
        db.session.add(user)
    user.password_hash = password_hash
    user.active = True
    if role not in user.roles:
        user.role_assignments.append(RoleAssignment(role=role.value))
    if body is not None and body not in user.bodies:
        user.bodies.append(body)
    return user, created


def seed_demo_data(password: str) -> tuple[ImportPreview, list[tuple[str, str, str]], int, int]:
    """Load the real plan, the seed bodies and a demo account per role and routed body; flushes.

    :returns: the import result, the accounts as ``(e-mail, Czech role name, body abbreviation)``,
        the number of bodies created and of accounts created.
    :raises workflow.importing.PlanImportError: the project's copy of the plan does not import.
    """
    created_bodies = ensure_seed_bodies()
    options = real_plan_options()
    # The demo's target is explicit: the demo plan when it is already there (a second seed-demo
    # updates it), else a new plan.
    plan = db.session.scalars(select(Plan).where(Plan.title == options.title).order_by(Plan.id)).first()
    result = import_plan_file(DEMO_PLAN_FILE, options=options, plan=plan)
    assert result.plan is not None
    password_hash = hash_password(password)
    accounts: list[tuple[str, str, str]] = []
    new_users = 0
    for local, role, name in DEMO_ROLE_ACCOUNTS:
        user, created = _demo_user(f"{local}@{DEMO_DOMAIN}", name, role, password_hash)
        new_users += created
        accounts.append((user.email, CLI_ROLE_TITLES[role], ""))
    routed = db.session.scalars(
        select(Body).where(Body.id.in_(select(ActivityBody.body_id).distinct())).order_by(czech(Body.abbreviation))
    ).all()
    for body in routed:
        slug = body_slug(body.abbreviation)
        for local, role, label in (
            ("zpracovatel", Role.contributor, "Zpracovatel"),
            ("vedouci", Role.head, "Vedoucí"),
        ):
            user, created = _demo_user(
                f"{local}.{slug}@{DEMO_DOMAIN}",
                f"{label} {body.abbreviation} (demo)",
                role,
                password_hash,
                body,
            )
            new_users += created
            accounts.append((user.email, CLI_ROLE_TITLES[role], body.abbreviation))
    db.session.flush()
    return result, accounts, created_bodies, new_users
