"""Table-driven authorization test: every route × every role × own and foreign object.

:data:`TABLE` maps ``(rule, method)`` of ``app.url_map`` to the expected status for each role, for
an object of the role's own scope and for a foreign one. A route without an entry (or an entry
without a route) fails :func:`test_every_route_has_an_entry`, so a new route cannot ship without a
decision about who may use it.

The world (:func:`build_world`): bodies OSV ("own") and OZ ("foreign"); one user per role, the
contributor and the head in OSV, the reviewer scoped to OSV; an open round with one entry per
body; each entry with an attachment and an evidence link; a deadline extension for each body;
tokens, deputyships and role assignments of an OSV colleague ("own") and an OZ user ("foreign").

Statuses follow the policy of ``workflow/permissions.py`` (docs/security.md): anonymous → 302 to
the sign-in page (API: 401); a role without the action → 403; an object outside the user's scope
→ 404; 200/302/400/409/422 when the request reaches the view (an empty POST is often invalid:
400 or a form re-rendered with 200; the status is recorded so that a change is noticed).

Set ``MATRIX_RECORD=/path.json`` to write the observed statuses instead of asserting: give a new
route a provisional entry, record, review the statuses against the policy, then write the entry.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select
from support import empty_tables

from notifications.outbox import OutboxMessage
from web.extensions import db
from workflow.accounts import make_link_token
from workflow.bodies import ensure_seed_bodies
from workflow.models import (
    Activity,
    ActivityBody,
    ApiToken,
    Attachment,
    Body,
    Deputy,
    Entry,
    EvidenceLink,
    OfflineUpload,
    Plan,
    PlanImport,
    PlanNode,
    RoleAssignment,
    User,
)
from workflow.models.reports import ReportExport
from workflow.models.rounds import DeadlineExtension
from workflow.passwords import hash_password
from workflow.states import Role

ROLES = ("anonymous", "admin", "secretary", "reviewer", "contributor", "head", "commission")
_HASH = hash_password("matice-hesel-2025")  # one slow hash for the whole module


@dataclass
class World:
    """Ids of the objects the URLs are built from; ``own``/``foreign`` pairs per parameter."""

    users: dict[str, int] = field(default_factory=dict)
    params: dict[str, tuple[Any, Any]] = field(default_factory=dict)
    own_deputy: dict[str, int] = field(default_factory=dict)


def _user(email: str, role: Role | None, bodies: list[Body], **scope: Any) -> User:
    user = User(email=email, name=email.split("@")[0], password_hash=_HASH, locale="cs")
    if role is not None:
        user.role_assignments = [RoleAssignment(role=str(role), **scope)]
    user.bodies = list(bodies)
    db.session.add(user)
    return user


def build_world(app: Flask) -> World:
    """Create the objects of the matrix (committed) and return their ids."""
    from workflow.rounds import create_round, open_round

    ensure_seed_bodies()
    osv = db.session.scalar(select(Body).where(Body.abbreviation == "OSV"))
    oz = db.session.scalar(select(Body).where(Body.abbreviation == "OZ"))
    people = {
        "admin": _user("admin@m.cz", Role.admin, []),
        "secretary": _user("secretary@m.cz", Role.secretary, []),
        "reviewer": _user("reviewer@m.cz", Role.reviewer, [], body_id=osv.id),
        "contributor": _user("contributor@m.cz", Role.contributor, [osv]),
        "head": _user("head@m.cz", Role.head, [osv]),
        "commission": _user("commission@m.cz", Role.commission, []),
    }
    colleague = _user("colleague@m.cz", Role.contributor, [osv])
    stranger = _user("stranger@m.cz", Role.contributor, [oz])
    invitee = _user("invitee@m.cz", Role.contributor, [osv])
    invitee.password_hash = None
    plan = Plan(title="Akční plán matice", default_body=osv)
    db.session.add(plan)
    db.session.flush()
    area = PlanNode(plan=plan, depth=0, code="A", title="Systémová opatření", position=0, footnotes=[],
                    coordination=[])
    goal = PlanNode(plan=plan, depth=1, parent=area, code="A1", title="Spolupráce", footnotes=[],
                    coordination=[])
    activities = {}
    for code, body in (("A1.1", osv), ("A1.2", oz)):
        activity = Activity(
            plan=plan,
            node=goal,
            top_node=area,
            code=code,
            sort_key=code.replace(".", ".0"),
            description=f"Aktivita {code}",
            deadline_raw="průběžně",
            deadline_kind="ongoing",
            responsibility_raw=body.abbreviation,
        )
        activity.routing = [ActivityBody(body=body, position=0)]
        db.session.add(activity)
        activities[body.id] = activity
    db.session.flush()
    with app.test_request_context("/"):
        round_ = create_round(
            plan.id,
            people["secretary"],
            title="Monitoring 2025",
            period_start=date(2025, 1, 1),
            period_end=date(2025, 12, 31),
            submission_deadline=date(2099, 2, 28),
            review_deadline=date(2099, 3, 31),
        )
        open_round(round_, people["secretary"])
    entries = {e.body_id: e for e in db.session.scalars(select(Entry).where(Entry.round_id == round_.id))}
    attachments, links, extensions = {}, {}, {}
    for body in (osv, oz):
        entry = entries[body.id]
        attachments[body.id] = Attachment(
            entry=entry,
            filename="zprava.pdf",
            storage_name=f"matrix-{body.id}",
            kind="pdf",
            content_type="application/pdf",
            size=4,
            sha256="0" * 64,
        )
        links[body.id] = EvidenceLink(entry=entry, url="https://www.kraj-lbc.cz/", label="Web kraje")
        extensions[body.id] = DeadlineExtension(round=round_, body=body, reason="Dovolená")
        db.session.add_all([attachments[body.id], links[body.id], extensions[body.id]])
    tokens = {}
    for owner in (colleague, stranger):
        tokens[owner.email] = ApiToken(
            user=owner,
            name="skript",
            prefix=f"pln_{owner.email[:5]}",
            token_hash=ApiToken.digest(owner.email),
        )
        db.session.add(tokens[owner.email])
    deputies = {}
    for principal, deputy in (
        (colleague, people["contributor"]),
        (stranger, colleague),
        (people["contributor"], colleague),
        (people["head"], colleague),
    ):
        deputies[principal.email] = Deputy(
            principal=principal, deputy=deputy, starts_on=date(2025, 7, 1), ends_on=date(2025, 7, 14)
        )
        db.session.add(deputies[principal.email])
    plan_import = PlanImport(filename="plan.json", content=b"{}", created_by=people["secretary"])
    db.session.add(plan_import)
    message = OutboxMessage(
        kind="invitation", recipient_email=colleague.email, dedupe_key="matrix", state="failed", payload={}
    )
    db.session.add(message)
    export = ReportExport(
        round_id=round_.id, fmt="csv", content_hash="0" * 64, requested_by_id=people["secretary"].id
    )
    db.session.add(export)
    uploads = {  # offline forms (issue 18) uploaded by the contributor and by an OZ user
        owner: OfflineUpload(user=owner, filename="plneni.xlsx", sha256="0" * 64, rows=[])
        for owner in (people["contributor"], stranger)
    }
    db.session.add_all(uploads.values())
    db.session.commit()
    for attachment in attachments.values():  # the bytes, so that the download can succeed
        stored = Path(app.config["INSTANCE_DIR"]) / "attachments" / attachment.storage_name[:2]
        stored.mkdir(parents=True, exist_ok=True)
        (stored / attachment.storage_name).write_bytes(b"%PDF")
    outbox = Path(app.config["MAIL_OUTBOX_DIR"])
    outbox.mkdir(parents=True, exist_ok=True)
    (outbox / "matrix.eml").write_bytes(b"Subject: test\r\n\r\ntest\r\n")

    secret = app.config["SECRET_KEY"]
    world = World(users={role: user.id for role, user in people.items()})
    world.params = {
        "user_id": (colleague.id, stranger.id),
        "body_id": (osv.id, oz.id),
        "assignment_id": (colleague.role_assignments[0].id, stranger.role_assignments[0].id),
        "deputy_id": (deputies[colleague.email].id, deputies[stranger.email].id),
        "token_id": (tokens[colleague.email].id, tokens[stranger.email].id),
        "plan_id": (plan.id, plan.id),
        "round_id": (round_.id, round_.id),
        "activity_id": (activities[osv.id].id, activities[oz.id].id),
        "entry_id": (entries[osv.id].id, entries[oz.id].id),
        "attachment_id": (attachments[osv.id].id, attachments[oz.id].id),
        "link_id": (links[osv.id].id, links[oz.id].id),
        "extension_id": (extensions[osv.id].id, extensions[oz.id].id),
        "import_id": (plan_import.id, plan_import.id),
        "name": ("submit", "submit"),
        "message_id": (message.id, message.id),
        "export_id": (export.id, export.id),
        "upload_id": (uploads[people["contributor"]].id, uploads[stranger].id),
        "role": ("contributor", "neexistuje"),  # /napoveda/<role>: a guide, and an unknown one
        "fmt": ("csv", "exe"),  # report downloads: a known format, and an unknown one
        "_eml": ("matrix.eml", "neexistuje.eml"),
        "token": (None, "neplatny-odkaz"),  # own: filled per route (invitation or reset)
    }
    world.own_deputy = {
        "contributor": deputies[people["contributor"].email].id,
        "head": deputies[people["head"].email].id,
    }
    world.params["_invitation"] = (make_link_token(invitee, "invitation", secret), None)
    world.params["_reset"] = (make_link_token(invitee, "password-reset", secret), None)
    return world


# ------------------------------------------------------------------------------------ the table

ANON, ADMIN, SECR, REV, CONTR, HEAD, COMM = ROLES


def E(anonymous: Any = 302, *, default: Any = 403, **roles: Any) -> dict[str, tuple[int, int]]:
    """Expected statuses: ``anonymous``, then per role; an int means the same for own and foreign."""
    result = {}
    for role in ROLES:
        value = anonymous if role == ANON else roles.get(role, default)
        result[role] = value if isinstance(value, tuple) else (value, value)
    return result


def everyone(status: Any, anonymous: Any = 302) -> dict[str, tuple[int, int]]:
    """The same expectation for every signed-in role."""
    return E(anonymous, default=status)


def admin_only(status: Any) -> dict[str, tuple[int, int]]:
    return E(302, admin=status)


#: (rule, method) → expected {role: (own object, foreign object)}
TABLE: dict[tuple[str, str], dict[str, tuple[int, int]]] = {
    # --- public -----------------------------------------------------------------------------
    ("/", "GET"): everyone(302),
    ("/healthz", "GET"): everyone(200, 200),
    ("/lang", "POST"): everyone(302, 302),
    ("/prihlaseni", "GET"): everyone(302, 200),  # signed-in users are sent on
    ("/prihlaseni", "POST"): everyone(302, 200),
    ("/odhlaseni", "POST"): everyone(302),
    ("/zapomenute-heslo", "GET"): everyone(200, 200),
    ("/zapomenute-heslo", "POST"): everyone(200, 200),  # empty form re-rendered
    ("/pozvanka/<token>", "GET"): everyone((200, 400), (200, 400)),  # own: a valid link; foreign: garbage
    ("/pozvanka/<token>", "POST"): everyone((200, 400), (200, 400)),
    ("/obnova-hesla/<token>", "GET"): everyone((200, 400), (200, 400)),
    ("/obnova-hesla/<token>", "POST"): everyone((200, 400), (200, 400)),
    # --- own account ------------------------------------------------------------------------
    ("/ucet", "GET"): everyone(200),
    ("/ucet", "POST"): everyone(302),  # an empty POST keeps the current name and language
    ("/ucet/heslo", "POST"): everyone(200),
    ("/ucet/odhlasit-vsude", "POST"): everyone(302),
    ("/ucet/zastupy", "POST"): E(contributor=200, head=200),
    ("/ucet/zastupy/<int:deputy_id>/zrusit", "POST"): E(contributor=(302, 404), head=(302, 404)),
    # --- administration ---------------------------------------------------------------------
    ("/sprava/", "GET"): admin_only(200),
    ("/sprava/audit", "GET"): admin_only(200),
    ("/sprava/subjekty", "GET"): admin_only(200),
    ("/sprava/subjekty/novy", "GET"): admin_only(200),
    ("/sprava/subjekty/novy", "POST"): admin_only(200),
    ("/sprava/subjekty/<int:body_id>", "GET"): admin_only(200),
    ("/sprava/subjekty/<int:body_id>", "POST"): admin_only(302),
    ("/sprava/tokeny", "GET"): admin_only(200),
    ("/sprava/tokeny", "POST"): admin_only(200),
    ("/sprava/tokeny/<int:token_id>/zrusit", "POST"): admin_only(302),
    ("/sprava/uzivatele", "GET"): admin_only(200),
    ("/sprava/uzivatele/pozvat", "GET"): admin_only(200),
    ("/sprava/uzivatele/pozvat", "POST"): admin_only(200),
    ("/sprava/uzivatele/<int:user_id>", "GET"): admin_only(200),
    ("/sprava/uzivatele/<int:user_id>", "POST"): admin_only(302),
    ("/sprava/uzivatele/<int:user_id>/aktivovat", "POST"): admin_only(302),
    ("/sprava/uzivatele/<int:user_id>/deaktivovat", "POST"): admin_only(302),
    ("/sprava/uzivatele/<int:user_id>/export", "POST"): admin_only(200),
    ("/sprava/uzivatele/<int:user_id>/anonymizovat", "POST"): admin_only(302),
    ("/sprava/uzivatele/<int:user_id>/pozvanka", "POST"): admin_only(302),
    ("/sprava/uzivatele/<int:user_id>/role", "POST"): admin_only(200),
    ("/sprava/uzivatele/<int:user_id>/role/<int:assignment_id>/odebrat", "POST"): admin_only(302),
    ("/sprava/uzivatele/<int:user_id>/zastupy", "POST"): admin_only(200),
    ("/sprava/uzivatele/<int:user_id>/zastupy/<int:deputy_id>/odebrat", "POST"): admin_only(302),
}

#: Routes of other issues (rounds, entries, review, reports, notifications, import, API, help),
#: recorded with ``MATRIX_RECORD`` and reviewed against the policy. The reviewer is scoped to OSV,
#: the commission sees approved content only (the world's entries are not approved: 404).
TABLE.update(
    {
        ("/api/docs", "GET"): E(200, default=200),
        ("/api/openapi.json", "GET"): E(200, default=200),
        ("/api/v1/plans", "GET"): E(401, default=200),
        ("/api/v1/plans/<int:plan_id>/activities", "GET"): E(401, default=200),
        ("/api/v1/rounds", "GET"): E(401, default=200),
        ("/api/v1/rounds/<int:round_id>", "GET"): E(401, default=200),
        ("/api/v1/rounds/<int:round_id>/entries", "GET"): E(401, default=200),
        ("/api/v1/rounds/<int:round_id>/report", "GET"): E(401, default=200, contributor=403, head=403),
        ("/api/v1/rounds/<int:round_id>/report.<fmt>", "GET"): E(
            401, default=(200, 404), contributor=403, head=403
        ),
        ("/import", "GET"): E(admin=200, secretary=200),
        ("/import", "POST"): E(admin=422, secretary=422),
        ("/import/<int:import_id>", "GET"): E(admin=422, secretary=422),
        ("/import/<int:import_id>/mapovani", "GET"): E(admin=422, secretary=422),
        ("/import/<int:import_id>/mapovani", "POST"): E(admin=422, secretary=422),
        ("/import/<int:import_id>/potvrdit", "POST"): E(admin=302, secretary=302),
        ("/import/<int:import_id>/zrusit", "POST"): E(admin=(302, 404), secretary=(302, 404)),
        ("/kola", "GET"): E(default=200),
        ("/kola/<int:round_id>", "GET"): E(default=200),
        ("/kola/<int:round_id>/aktivity/<int:activity_id>/smerovani", "POST"): E(secretary=302),
        ("/kola/<int:round_id>/aktivity/<int:activity_id>/zahrnuti", "POST"): E(secretary=302),
        ("/kola/<int:round_id>/otevrit", "POST"): E(secretary=302),
        ("/kola/<int:round_id>/pripominky", "GET"): E(secretary=200),
        ("/kola/<int:round_id>/pripominky", "POST"): E(secretary=200),
        ("/kola/<int:round_id>/pripominky/obnovit", "POST"): E(secretary=302),
        ("/kola/<int:round_id>/pripominky/odeslat", "POST"): E(secretary=302),
        ("/kola/<int:round_id>/pripominky/pozastavit", "POST"): E(secretary=302),
        ("/kola/<int:round_id>/pripominky/subjekty/<int:body_id>", "GET"): E(secretary=200),
        ("/kola/<int:round_id>/prodlouzeni", "GET"): E(contributor=200, head=200),
        ("/kola/<int:round_id>/prodlouzeni", "POST"): E(contributor=200, head=200),
        ("/kola/<int:round_id>/prodlouzeni/<int:extension_id>", "GET"): E(secretary=200),
        ("/kola/<int:round_id>/prodlouzeni/<int:extension_id>", "POST"): E(secretary=200),
        ("/kola/<int:round_id>/smerovani", "GET"): E(secretary=200),
        # NOTE: a reviewer scoped to OSV opens the consolidation of an OZ-only activity (200).
        ("/kola/<int:round_id>/souhrn/<int:activity_id>", "GET"): E(secretary=200, reviewer=200),
        ("/kola/<int:round_id>/souhrn/<int:activity_id>", "POST"): E(secretary=200, reviewer=200),
        ("/kola/<int:round_id>/souhrn/sloucit", "POST"): E(secretary=302, reviewer=302),
        ("/kola/<int:round_id>/statistika", "GET"): E(default=200, contributor=403, head=403),
        ("/kola/<int:round_id>/upravit", "GET"): E(secretary=200),
        ("/kola/<int:round_id>/upravit", "POST"): E(secretary=200),
        ("/kola/<int:round_id>/uzavreni", "GET"): E(secretary=200),
        ("/kola/<int:round_id>/uzavreni/prominout/<int:entry_id>", "POST"): E(secretary=302),
        ("/kola/<int:round_id>/uzavreni/uzavrit", "POST"): E(secretary=302),
        ("/kola/<int:round_id>/uzavreni/prominout-zbyvajici", "POST"): E(secretary=302),
        ("/kola/<int:round_id>/uzavreni/doplnit-texty", "POST"): E(secretary=302),
        ("/kola/<int:round_id>/znovu-otevrit", "POST"): E(admin=302),
        # Published reports (issue 18): public; the world's round is open, so nothing is published.
        ("/zpravy", "GET"): E(200, default=200),
        ("/zpravy/<int:round_id>", "GET"): E(404, default=404),
        ("/zpravy/<int:round_id>/zprava.<fmt>", "GET"): E(404, default=404),
        ("/zpravy/<int:round_id>/data.csv", "GET"): E(404, default=404),
        ("/zpravy/<int:round_id>/data.json", "GET"): E(404, default=404),
        ("/zpravy/<int:round_id>/metadata.json", "GET"): E(404, default=404),
        ("/kola/<int:round_id>/zverejneni", "POST"): E(secretary=302),
        ("/kola/<int:round_id>/zverejneni/zrusit", "POST"): E(secretary=302),
        ("/kola/<int:round_id>/zprava", "GET"): E(default=200, contributor=403, head=403),
        ("/kola/<int:round_id>/zprava.<fmt>", "GET"): E(default=(200, 404), contributor=403, head=403),
        ("/kola/<int:round_id>/zprava/export", "POST"): E(default=302, contributor=403, head=403),
        ("/kola/<int:round_id>/zprava/export/<int:export_id>", "GET"): E(
            default=200, contributor=403, head=403
        ),
        ("/kola/<int:round_id>/zprava/export/<int:export_id>/soubor", "GET"): E(
            default=404, contributor=403, head=403
        ),
        ("/kola/nove", "GET"): E(secretary=200),
        ("/kola/nove", "POST"): E(secretary=422),
        ("/kontrola", "GET"): E(secretary=200, reviewer=200),
        ("/kontrola/<int:entry_id>", "GET"): E(secretary=200, reviewer=(200, 404)),
        ("/kontrola/<int:entry_id>/hodnoceni", "POST"): E(secretary=302, reviewer=(302, 404)),
        ("/kontrola/<int:entry_id>/dalsi", "GET"): E(secretary=302, reviewer=(302, 404)),
        ("/kontrola/hromadne-schvaleni", "POST"): E(secretary=200, reviewer=200),
        ("/moje-ukoly", "GET"): E(default=200),
        # Offline XLSX form (issue 18): own and deputised bodies only; an upload only for its uploader
        # (the contributor's); an empty confirmation matches no preview (409, nothing written).
        ("/moje-ukoly/xlsx/<int:round_id>/<int:body_id>", "GET"): E(
            default=404, contributor=(200, 404), head=(200, 404)
        ),
        ("/moje-ukoly/xlsx", "GET"): E(default=200),
        ("/moje-ukoly/xlsx", "POST"): E(default=422),
        ("/moje-ukoly/xlsx/nahrani/<int:upload_id>", "GET"): E(default=404, contributor=(200, 404)),
        ("/moje-ukoly/xlsx/nahrani/<int:upload_id>", "POST"): E(default=404, contributor=(409, 404)),
        ("/moje-ukoly/odeslat-koncepty", "POST"): E(default=200),
        ("/napoveda", "GET"): E(200, default=200),
        ("/napoveda/<role>", "GET"): E((200, 404), default=(200, 404)),
        ("/plany", "GET"): E(default=200),
        ("/plany/<int:plan_id>", "GET"): E(default=200),
        ("/plany/<int:plan_id>/atributy", "GET"): E(admin=200, secretary=200),
        ("/plany/<int:plan_id>/atributy", "POST"): E(admin=302, secretary=302),
        # Import history, revert, deleting a plan (issue 14 §2): the world's upload belongs to no plan
        # (404), and its plan has a round, so deleting it is refused (the refusal redirects back).
        ("/plany/<int:plan_id>/importy", "GET"): E(admin=200, secretary=200),
        ("/plany/<int:plan_id>/importy/<int:import_id>/vratit", "GET"): E(admin=404, secretary=404),
        ("/plany/<int:plan_id>/importy/<int:import_id>/vratit", "POST"): E(admin=404, secretary=404),
        ("/plany/<int:plan_id>/smazat", "GET"): E(admin=200, secretary=200),
        ("/plany/<int:plan_id>/smazat", "POST"): E(admin=302, secretary=302),
        ("/plany/<int:plan_id>/zprava-za-obdobi", "GET"): E(default=200, contributor=403, head=403),
        # the plan's resolution page (issue 14 §3): the secretary only; an empty form goes back
        ("/plany/<int:plan_id>/rozpoznani", "GET"): E(secretary=200),
        ("/plany/<int:plan_id>/rozpoznani/nahled", "POST"): E(secretary=302),
        ("/plany/<int:plan_id>/rozpoznani/pouzit", "POST"): E(secretary=302),
        ("/plany/<int:plan_id>/rozpoznani/vychozi", "POST"): E(secretary=302),
        ("/plany/<int:plan_id>/rozpoznani/znovu", "POST"): E(secretary=302),
        ("/plany/<int:plan_id>/aktivity/<int:activity_id>/smerovani", "POST"): E(secretary=302),
        ("/kola/<int:round_id>/smerovani/z-planu", "POST"): E(secretary=302),
        # editing a group of bodies: secretary and administrator; the world's bodies are no groups
        ("/subjekty/<int:body_id>/skupina", "GET"): E(admin=404, secretary=404),
        ("/subjekty/<int:body_id>/skupina", "POST"): E(admin=404, secretary=404),
        ("/prilohy/<int:attachment_id>", "GET"): E(
            default=(200, 404), admin=200, secretary=200, commission=404
        ),
        ("/prilohy/<int:attachment_id>/smazat", "POST"): E(
            reviewer=(403, 404), contributor=(302, 404), head=(302, 404), commission=404
        ),
        ("/pristupnost", "GET"): E(200, default=200),
        ("/sprava/odchozi-posta", "GET"): E(admin=200),
        ("/sprava/odchozi-posta/<int:message_id>/znovu", "POST"): E(admin=302),
        ("/sprava/odchozi-posta/soubory/<name>", "GET"): E(admin=(200, 404)),
        ("/subjekty", "GET"): E(default=200),
        ("/subjekty/<int:body_id>", "GET"): E(default=200),
        ("/zaznamy/<int:entry_id>", "GET"): E(default=(200, 404), admin=200, secretary=200, commission=404),
        # "submit" is the body's action: anyone else who may see the entry is refused with 403
        # before the version is looked at (issue 16), never sent on with a flash
        ("/zaznamy/<int:entry_id>/akce/<name>", "POST"): E(
            default=(302, 404), admin=403, secretary=403, reviewer=(403, 404), commission=404
        ),
        ("/zaznamy/<int:entry_id>/autosave", "POST"): E(
            reviewer=(403, 404), contributor=(200, 404), head=(200, 404), commission=404
        ),
        ("/zaznamy/<int:entry_id>/historie", "GET"): E(
            default=(200, 404), admin=200, secretary=200, commission=404
        ),
        ("/zaznamy/<int:entry_id>/komentare", "POST"): E(
            default=(302, 404), admin=302, secretary=302, commission=404
        ),
        ("/zaznamy/<int:entry_id>/odeslane-zpravy", "GET"): E(secretary=200),
        ("/zaznamy/<int:entry_id>/odkazy", "POST"): E(
            reviewer=(403, 404), contributor=(302, 404), head=(302, 404), commission=404
        ),
        ("/zaznamy/<int:entry_id>/odkazy/<int:link_id>/smazat", "POST"): E(
            reviewer=(403, 404), contributor=(302, 404), head=(302, 404), commission=404
        ),
        ("/zaznamy/<int:entry_id>/prevzit", "POST"): E(
            reviewer=(403, 404), contributor=(302, 404), head=(302, 404), commission=404
        ),
        ("/zaznamy/<int:entry_id>/prilohy", "POST"): E(
            reviewer=(403, 404), contributor=(302, 404), head=(302, 404), commission=404
        ),
        ("/zaznamy/<int:entry_id>/upravit", "GET"): E(
            reviewer=(403, 404), contributor=(200, 404), head=(200, 404), commission=404
        ),
        # an empty POST carries no version: treated as stale, the conflict page (409) keeps the data
        ("/zaznamy/<int:entry_id>/upravit", "POST"): E(
            reviewer=(403, 404), contributor=(409, 404), head=(409, 404), commission=404
        ),
    }
)


# ------------------------------------------------------------------------------------ machinery


def _routes(app: Flask) -> set[tuple[str, str]]:
    found = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static" or rule.endpoint.endswith(".static"):
            continue
        for method in rule.methods or ():
            if method not in ("HEAD", "OPTIONS"):
                found.add((rule.rule, method))
    return found


def test_every_route_has_an_entry(app):
    routes = _routes(app)
    missing = sorted(routes - set(TABLE))
    stale = sorted(set(TABLE) - routes)
    assert not missing, "routes without an entry in TABLE (decide who may use them): " + repr(missing)
    assert not stale, "entries in TABLE for routes that no longer exist: " + repr(stale)


def test_every_entry_names_every_role():
    for key, expected in TABLE.items():
        assert set(expected) == set(ROLES), key


def _url(app: Flask, rule_text: str, method: str, world: World, which: int, role: str) -> str:
    rule = next(r for r in app.url_map.iter_rules() if r.rule == rule_text and method in (r.methods or ()))
    values = {}
    for name in rule.arguments:
        value = world.params[name][which]
        if name == "name" and rule_text.startswith("/sprava/odchozi-posta/"):
            value = world.params["_eml"][which]
        if name == "token" and which == 0:
            value = world.params["_invitation" if rule_text.startswith("/pozvanka") else "_reset"][0]
        if name == "deputy_id" and which == 0 and rule_text.startswith("/ucet/") and role in world.own_deputy:
            value = world.own_deputy[role]
        values[name] = value
    with app.test_request_context():
        from flask import url_for

        return url_for(rule.endpoint, **values)


def _sign_in(client: Any, user_id: int) -> None:
    with client.session_transaction() as sess:
        sess["_user_id"] = db.session.get(User, user_id).get_id()  # "<id>:<session generation>"
        sess["_fresh"] = True
        sess["last_seen"] = int(time.time())


_RECORD = os.environ.get("MATRIX_RECORD")


@pytest.mark.parametrize(("rule", "method"), sorted(TABLE))
def test_route_access(app, rule, method):
    """Every role, own and foreign object. The world is built once and rebuilt after a request
    that may have changed it (an unsafe method that was not refused)."""
    world = build_world(app)
    mismatches, recorded = [], {}
    from web.views.auth import limiter

    for role in ROLES:
        limiter.reset()  # throttling is tested elsewhere; here every role starts afresh
        observed = []
        for which in (0, 1):
            client = app.test_client()
            if role != ANON:
                _sign_in(client, world.users[role])
            url = _url(app, rule, method, world, which, role)
            response = client.open(url, method=method, data={})
            observed.append(response.status_code)
            response.close()  # downloads keep a file open until closed
            db.session.rollback()
        recorded[role] = observed
        if observed != list(TABLE[(rule, method)][role]):
            mismatches.append(f"{role}: own/foreign {observed}, expected {list(TABLE[(rule, method)][role])}")
        if method != "GET" and any(status < 400 for status in observed) and role != ROLES[-1]:
            empty_tables()
            world = build_world(app)
    if _RECORD:
        data = json.loads(Path(_RECORD).read_text()) if os.path.exists(_RECORD) else {}
        data[f"{rule} {method}"] = recorded
        Path(_RECORD).write_text(json.dumps(data, ensure_ascii=False, indent=0, sort_keys=True))
        return
    assert not mismatches, f"{method} {rule}:\n" + "\n".join(mismatches)
