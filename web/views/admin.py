"""Administration (``/sprava``): bodies, users (roles, bodies, deputies), API tokens, audit log,
personal data (export, anonymisation).

Administrators only. Every check goes through :mod:`workflow.permissions` *before* an object is
looked up, so other users get 403 for existing and non-existing ids alike (docs/security.md).
"""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from forms.account import as_choices
from forms.admin import (
    ActionForm,
    AdminDeputyForm,
    AnonymiseForm,
    BodyForm,
    InviteUserForm,
    RoleForm,
    TokenForm,
    UserForm,
)
from forms.rounds import as_grouped_choices
from web.converters import query_id
from web.extensions import db
from web.redirects import safe_next
from web.uow import attempt, confirm, fail, refusal_goes_to
from web.views.auth import client_ip
from web.views.guards import requires
from workflow import clock
from workflow.accounts import (
    add_deputy,
    add_role,
    create_user,
    deputies_of,
    describe_assignment,
    find_user_by_email,
    remove_deputy,
    remove_role,
    save_body,
    set_active,
    set_bodies,
    update_user,
)
from workflow.audit import AUDIT_KIND_TITLES, AuditKind, events_query
from workflow.collation import czech
from workflow.errors import DomainError
from workflow.level_labels import area_group, area_labels, top_level_name
from workflow.models import ApiToken, AuditEvent, Body, Deputy, Plan, PlanNode, RoleAssignment, User
from workflow.permissions import Action, can
from workflow.privacy import anonymise_user, export_user_data
from workflow.states import Role
from workflow.tokens import create_api_token, revoke_api_token

bp = Blueprint("admin", __name__, url_prefix="/sprava")

PAGE_SIZE = 50


def _actor() -> User:
    return current_user._get_current_object()  # type: ignore[no-any-return]


def _page() -> int:
    return max(1, request.args.get("strana", 1, type=int) or 1)


def _paginate(query: Any) -> tuple[list[Any], int, int]:
    """Rows of the current page, the page number and the number of pages."""
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    pages = max(1, (total + PAGE_SIZE - 1) // PAGE_SIZE)
    page = min(_page(), pages)
    rows = list(db.session.scalars(query.limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)))
    return rows, page, pages


def _all_bodies() -> list[Body]:
    return list(db.session.scalars(select(Body).order_by(czech(Body.abbreviation))))


def _body_choices(blank: str | None = None) -> list[Any]:
    choices = [(b.id, b.label) for b in _all_bodies()]
    return as_choices([(0, blank), *choices] if blank is not None else choices)


@bp.get("/")
@requires(Action.manage_users)
def index() -> ResponseReturnValue:
    """Overview with counts and links to the sections."""
    counts = {
        "users": db.session.scalar(select(func.count(User.id))) or 0,
        "inactive": db.session.scalar(select(func.count(User.id)).where(User.active.is_(False))) or 0,
        "bodies": db.session.scalar(select(func.count(Body.id))) or 0,
        "tokens": db.session.scalar(
            select(func.count(ApiToken.id)).where(ApiToken.revoked_at.is_(None))
        ) or 0,
    }
    recent = list(
        db.session.scalars(
            events_query()
            .limit(10)
            .options(
                selectinload(AuditEvent.actor), selectinload(AuditEvent.subject),
                selectinload(AuditEvent.acted_for), selectinload(AuditEvent.body),
            )
        )
    )
    return render_template("admin/index.html", counts=counts, recent=recent, titles=AUDIT_KIND_TITLES)


# ---------------------------------------------------------------------------------- bodies


@bp.get("/subjekty")
@requires(Action.manage_bodies)
def bodies() -> ResponseReturnValue:
    """All bodies with kind, parent and aliases; ``?q=`` searches abbreviation, name and aliases."""
    q = (request.args.get("q") or "").strip()
    query = (
        select(Body)
        .options(selectinload(Body.aliases), selectinload(Body.parent))
        .order_by(czech(Body.abbreviation))
    )
    if q:
        from workflow.bodies import fold_text

        pattern = f"%{fold_text(q)}%"
        query = query.where(or_(Body.search_text.like(pattern), Body.abbreviation.ilike(f"%{q}%")))
    return render_template("admin/bodies.html", bodies=list(db.session.scalars(query)), q=q)


def _body_form(body: Body | None) -> BodyForm:
    form = BodyForm(obj=body)
    choices = [(0, _("— žádný —"))]
    choices += [(b.id, b.label) for b in _all_bodies() if body is None or b.id != body.id]
    form.parent_id.choices = as_choices(choices)
    if request.method == "GET" and body is not None:
        form.parent_id.data = body.parent_id or 0
        form.alias_lines.data = "\n".join(a.alias for a in body.aliases)
    return form


def _save_body(body: Body | None) -> ResponseReturnValue:
    form = _body_form(body)
    if form.validate_on_submit():
        parent = db.session.get(Body, form.parent_id.data) if form.parent_id.data else None
        saved = attempt(
            lambda: save_body(
                body, abbreviation=form.abbreviation.data or "", name=form.name.data or "",
                kind=form.kind.data or "other", parent=parent,
                aliases=(form.alias_lines.data or "").splitlines(), actor=_actor(), ip=client_ip(),
            ),
            lambda saved: _("Subjekt %(abbr)s je uložen.", abbr=saved.abbreviation),
        )
        if saved:
            return redirect(url_for("admin.bodies"))
    return render_template("admin/body_form.html", form=form, body=body)


@bp.route("/subjekty/novy", methods=["GET", "POST"])
@requires(Action.manage_bodies)
def new_body() -> ResponseReturnValue:
    """Create a body."""
    return _save_body(None)


@bp.route("/subjekty/<int:body_id>", methods=["GET", "POST"])
@requires(Action.manage_bodies)
def edit_body(body_id: int) -> ResponseReturnValue:
    """Edit a body's abbreviation, name, kind, parent and aliases."""
    body = db.session.get(Body, body_id) or abort(404)
    return _save_body(body)


# ----------------------------------------------------------------------------------- users


@bp.get("/uzivatele")
@requires(Action.manage_users)
def users() -> ResponseReturnValue:
    """Users with search (``q``: name or e-mail), role and status filters."""
    q = (request.args.get("q") or "").strip()
    role = request.args.get("role") or ""
    status = request.args.get("stav") or ""
    query = (
        select(User)
        .options(selectinload(User.bodies), selectinload(User.role_assignments))
        .order_by(czech(User.name), User.email)
    )
    if q:
        pattern = f"%{q.lower()}%"
        query = query.where(or_(func.lower(User.name).like(pattern), func.lower(User.email).like(pattern)))
    if role in {r.value for r in Role}:
        query = query.where(User.id.in_(select(RoleAssignment.user_id).where(RoleAssignment.role == role)))
    if status == "aktivni":
        query = query.where(User.active.is_(True))
    elif status == "neaktivni":
        query = query.where(User.active.is_(False))
    rows, page, pages = _paginate(query)
    return render_template("admin/users.html", users=rows, q=q, role=role, status=status, page=page,
                           pages=pages, roles=list(Role), action_form=ActionForm())


@bp.route("/uzivatele/pozvat", methods=["GET", "POST"])
@requires(Action.manage_users)
def invite_user() -> ResponseReturnValue:
    """Create a user with roles and bodies and (by default) e-mail an invitation link."""
    form = InviteUserForm()
    form.bodies.choices = _body_choices()
    if form.validate_on_submit():
        chosen = [db.session.get(Body, i) for i in form.bodies.data or []]
        try:
            user = create_user(
                form.email.data or "", form.name.data or "", actor=_actor(), locale=form.locale.data or "cs",
                roles=[Role(r) for r in form.roles.data or []], bodies=[b for b in chosen if b],
                ip=client_ip(),
            )
            if form.send.data:
                from notifications import send_invitation

                send_invitation(user, actor=_actor(), ip=client_ip())
        except DomainError as exc:
            fail()
            form.email.errors = [*form.email.errors, exc.message]
        else:
            if form.send.data:
                confirm(_("Uživatel %(email)s je založen a pozvánka odeslána.", email=user.email))
            else:
                confirm(_("Uživatel %(email)s je založen. Pozvánku můžete odeslat později.",
                          email=user.email))
            return redirect(url_for("admin.user_detail", user_id=user.id))
    return render_template("admin/invite.html", form=form)


def _load_user(user_id: int) -> User:
    return db.session.get(User, user_id) or abort(404)


def _role_form(fresh: bool = False) -> RoleForm:
    form = RoleForm(prefix="role", **({"formdata": None} if fresh else {}))
    plans = db.session.scalars(select(Plan).order_by(czech(Plan.title)))
    form.plan_id.choices = as_choices([(0, _("— celý rozsah —")), *((p.id, p.title) for p in plans)])
    # A reviewer's scope within a plan: a node of its top level (an okruh), named by the plans'
    # top level (workflow.level_labels.area_labels); no choice when every plan is flat.
    nodes = list(db.session.scalars(
        select(PlanNode)
        .where(PlanNode.depth == 0)
        .options(selectinload(PlanNode.plan))
        .order_by(PlanNode.plan_id, PlanNode.position)
    ))
    by_plan: dict[int, tuple[str, str, list[tuple[int, str]]]] = {}  # title, level name, nodes
    for n in nodes:
        plan = by_plan.setdefault(n.plan_id, (n.plan.title, top_level_name(n.plan.level_names), []))
        plan[2].append((n.id, f"{n.plan.title}: {n.code} {n.title}".strip()))
    labels = area_labels(level for _title, level, _nodes in by_plan.values())
    if labels is None:
        form.area_id.choices = as_choices([(0, "")])
    else:
        form.area_id.label.text = _("%(level)s (jen hodnotitel)", level=labels.name)
        # „— všechny okruhy —“, „— vše —“: the filters' „all“ option between the list's dashes
        everything = (0, f"— {labels.everything.lower()} —")
        if labels.shared:  # the options name their plan („Akční plán: A Systémová opatření“)
            every = [pair for _title, _level, pairs in by_plan.values() for pair in pairs]
            form.area_id.choices = as_choices([everything, *every])
        else:  # and each plan's group names its level too
            form.area_id.choices = as_grouped_choices(
                everything,
                ((area_group(title, level, labels), pairs) for title, level, pairs in by_plan.values()),
            )
    form.body_id.choices = _body_choices(_("— všechny subjekty —"))
    return form


def _deputy_form(user: User, fresh: bool = False) -> AdminDeputyForm:
    form = AdminDeputyForm(prefix="deputy", **({"formdata": None} if fresh else {}))
    own = [(b.id, b.label) for b in user.bodies]
    form.body_id.choices = as_choices([(0, _("Všechny subjekty uživatele")), *own])
    return form


def _render_user(user: User, **forms: Any) -> ResponseReturnValue:
    form = forms.get("form")
    if form is None:
        form = UserForm(formdata=None, obj=user, prefix="user")
        form.bodies.choices = _body_choices()
    if request.method == "GET" or "form" not in forms:
        form.bodies.data = [b.id for b in user.bodies]
    tokens = list(db.session.scalars(
        select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.created_at.desc())
    ))
    standing_in = list(db.session.scalars(
        select(Deputy).where(Deputy.deputy_id == user.id).order_by(Deputy.starts_on)
    ))
    events = list(db.session.scalars(events_query(user=user).limit(20)))
    return render_template(
        "admin/user.html", user=user, form=form,
        role_form=forms.get("role_form") or _role_form(fresh=True),
        deputy_form=forms.get("deputy_form") or _deputy_form(user, fresh=True),
        action_form=ActionForm(), anonymise_form=forms.get("anonymise_form") or AnonymiseForm(formdata=None),
        may_manage_personal_data=can(_actor(), Action.manage_personal_data),
        deputies=deputies_of(user), standing_in=standing_in, tokens=tokens,
        events=events, titles=AUDIT_KIND_TITLES, describe=describe_assignment, today=clock.today(),
    )


@bp.route("/uzivatele/<int:user_id>", methods=["GET", "POST"])
@requires(Action.manage_users)
def user_detail(user_id: int) -> ResponseReturnValue:
    """A user's name, language, bodies, roles, deputies, tokens and recent audit events."""
    user = _load_user(user_id)
    form = UserForm(obj=user, prefix="user")
    form.bodies.choices = _body_choices()
    if form.validate_on_submit():
        def save() -> None:
            update_user(user, name=form.name.data or "", locale=form.locale.data or "cs", actor=_actor(),
                        ip=client_ip())
            chosen = [db.session.get(Body, i) for i in form.bodies.data or []]
            set_bodies(user, [b for b in chosen if b], actor=_actor(), ip=client_ip())

        if attempt(save, _("Změny jsou uloženy.")):
            return redirect(url_for("admin.user_detail", user_id=user.id))
    return _render_user(user, form=form)


def _action_ok() -> None:
    if not ActionForm().validate_on_submit():
        abort(400)


@bp.post("/uzivatele/<int:user_id>/deaktivovat")
@requires(Action.manage_users)
def deactivate_user(user_id: int) -> ResponseReturnValue:
    """Deactivate a user: they lose access on their very next request."""
    user = _load_user(user_id)
    _action_ok()
    refusal_goes_to(url_for("admin.user_detail", user_id=user.id))
    set_active(user, False, actor=_actor(), ip=client_ip())
    confirm(_("Účet %(email)s je deaktivován.", email=user.email))
    return redirect(url_for("admin.user_detail", user_id=user.id))


@bp.post("/uzivatele/<int:user_id>/aktivovat")
@requires(Action.manage_users)
def reactivate_user(user_id: int) -> ResponseReturnValue:
    """Reactivate a user."""
    user = _load_user(user_id)
    _action_ok()
    set_active(user, True, actor=_actor(), ip=client_ip())
    confirm(_("Účet %(email)s je znovu aktivní.", email=user.email))
    return redirect(url_for("admin.user_detail", user_id=user.id))


@bp.post("/uzivatele/<int:user_id>/export")
@requires(Action.manage_personal_data)
def export_user(user_id: int) -> ResponseReturnValue:
    """Download everything the product holds about a user as JSON (GDPR access; audited)."""
    user = _load_user(user_id)
    _action_ok()
    data = export_user_data(user, actor=_actor(), ip=client_ip())  # audited; committed by the boundary
    body = json.dumps(data, ensure_ascii=False, indent=2)
    return Response(
        body,
        mimetype="application/json",
        headers={
            "Content-Disposition": f'attachment; filename="plneni-uzivatel-{user.id}.json"',
            "Cache-Control": "no-store",
        },
    )


@bp.post("/uzivatele/<int:user_id>/anonymizovat")
@requires(Action.manage_personal_data)
def anonymise(user_id: int) -> ResponseReturnValue:
    """Anonymise a departed user with a reason; their answers stay as „bývalý uživatel“ (audited)."""
    user = _load_user(user_id)
    form = AnonymiseForm()
    if not form.validate_on_submit():
        flash(_("Uveďte důvod anonymizace."), "danger")
        return redirect(url_for("admin.user_detail", user_id=user.id))
    refusal_goes_to(url_for("admin.user_detail", user_id=user.id))
    anonymise_user(user, actor=_actor(), reason=form.reason.data or "", ip=client_ip())
    confirm(_("Účet je anonymizován. Jeho odpovědi zůstaly a jsou uvedeny jako „bývalý uživatel“."))
    return redirect(url_for("admin.user_detail", user_id=user.id))


@bp.post("/uzivatele/<int:user_id>/pozvanka")
@requires(Action.manage_users)
def resend_invitation(user_id: int) -> ResponseReturnValue:
    """Send a new invitation link (earlier links keep working until one is used or expires)."""
    user = _load_user(user_id)
    _action_ok()
    if not user.active:
        flash(_("Deaktivovanému uživateli pozvánku poslat nelze."), "danger")
    else:
        from notifications import send_invitation

        send_invitation(user, actor=_actor(), ip=client_ip())
        confirm(_("Pozvánka byla odeslána na %(email)s.", email=user.email))
    return redirect(url_for("admin.user_detail", user_id=user.id))


@bp.post("/uzivatele/<int:user_id>/role")
@requires(Action.manage_users)
def add_user_role(user_id: int) -> ResponseReturnValue:
    """Give the user a role (a reviewer's scope: plan, area or body)."""
    user = _load_user(user_id)
    form = _role_form()
    if form.validate_on_submit():
        plan = db.session.get(Plan, form.plan_id.data) if form.plan_id.data else None
        node = db.session.get(PlanNode, form.area_id.data) if form.area_id.data else None
        body = db.session.get(Body, form.body_id.data) if form.body_id.data else None
        added = attempt(
            lambda: add_role(user, Role(form.role.data), plan=plan, node=node, body=body, actor=_actor(),
                             ip=client_ip()),
            _("Role je přidána."),
        )
        if added:
            return redirect(url_for("admin.user_detail", user_id=user.id))
    return _render_user(user, role_form=form)


@bp.post("/uzivatele/<int:user_id>/role/<int:assignment_id>/odebrat")
@requires(Action.manage_users)
def remove_user_role(user_id: int, assignment_id: int) -> ResponseReturnValue:
    """Take a role away."""
    user = _load_user(user_id)
    assignment = db.session.get(RoleAssignment, assignment_id)
    if assignment is None or assignment.user_id != user.id:
        abort(404)
    _action_ok()
    refusal_goes_to(url_for("admin.user_detail", user_id=user.id))
    remove_role(assignment, actor=_actor(), ip=client_ip())
    confirm(_("Role je odebrána."))
    return redirect(url_for("admin.user_detail", user_id=user.id))


@bp.post("/uzivatele/<int:user_id>/zastupy")
@requires(Action.manage_users)
def add_user_deputy(user_id: int) -> ResponseReturnValue:
    """Name a deputy for the user (who must be a contributor or head)."""
    user = _load_user(user_id)
    form = _deputy_form(user)
    if form.validate_on_submit():
        deputy = find_user_by_email(form.email.data or "")
        body = db.session.get(Body, form.body_id.data) if form.body_id.data else None
        if deputy is None:
            form.email.errors = [*form.email.errors, _("Uživatel s tímto e-mailem neexistuje.")]
        elif attempt(
            lambda: add_deputy(user, deputy, form.starts_on.data, form.ends_on.data, body=body,
                               note=form.note.data or "", actor=_actor(), ip=client_ip()),
            _("Zástup je nastaven."),
        ):
            return redirect(url_for("admin.user_detail", user_id=user.id))
    return _render_user(user, deputy_form=form)


@bp.post("/uzivatele/<int:user_id>/zastupy/<int:deputy_id>/odebrat")
@requires(Action.manage_users)
def remove_user_deputy(user_id: int, deputy_id: int) -> ResponseReturnValue:
    """Cancel a deputyship the user has named."""
    user = _load_user(user_id)
    entry = db.session.get(Deputy, deputy_id)
    if entry is None or entry.principal_id != user.id:
        abort(404)
    _action_ok()
    remove_deputy(entry, actor=_actor(), ip=client_ip())
    confirm(_("Zástup je zrušen."))
    return redirect(url_for("admin.user_detail", user_id=user.id))


# ---------------------------------------------------------------------------------- tokens


def _render_tokens(form: TokenForm, secret: str | None = None, created: ApiToken | None = None) -> Any:
    tokens = list(db.session.scalars(
        select(ApiToken).options(selectinload(ApiToken.user))
        .order_by(ApiToken.revoked_at.is_not(None), ApiToken.created_at.desc())
    ))
    return render_template("admin/tokens.html", form=form, tokens=tokens, secret=secret, created=created,
                           action_form=ActionForm())


@bp.get("/tokeny")
@requires(Action.manage_tokens)
def tokens() -> ResponseReturnValue:
    """All API tokens (active first) and the form to create one."""
    form = TokenForm()
    if request.args.get("email"):
        form.email.data = request.args["email"]
    return _render_tokens(form)


@bp.post("/tokeny")
@requires(Action.manage_tokens)
def create_token() -> ResponseReturnValue:
    """Create a token and show its secret once (only a digest is stored)."""
    form = TokenForm()
    if form.validate_on_submit():
        owner = find_user_by_email(form.email.data or "")
        if owner is None or not owner.active:
            form.email.errors = [*form.email.errors, _("Aktivní uživatel s tímto e-mailem neexistuje.")]
        else:
            token, secret = create_api_token(owner, form.name.data or "", actor=_actor(), ip=client_ip(),
                                             scope="write" if form.write.data else "read")
            db.session.flush()  # the page shows the new row; the boundary commits before it is sent
            flash(_("Token je vytvořen. Zkopírujte si jej hned – znovu už zobrazit nepůjde."), "warning")
            return _render_tokens(TokenForm(formdata=None), secret=secret, created=token)
    return _render_tokens(form)


@bp.post("/tokeny/<int:token_id>/zrusit")
@requires(Action.manage_tokens)
def revoke_token(token_id: int) -> ResponseReturnValue:
    """Revoke a token: requests with it are refused from now on."""
    token = db.session.get(ApiToken, token_id) or abort(404)
    _action_ok()
    revoke_api_token(token, actor=_actor(), ip=client_ip())
    confirm(_("Token %(prefix)s… je zrušen.", prefix=token.prefix))
    return redirect(safe_next(request.form.get("next")) or url_for("admin.tokens"))


# ------------------------------------------------------------------------------- audit log


@bp.get("/audit")
@requires(Action.view_audit_log)
def audit_log() -> ResponseReturnValue:
    """The account audit log, newest first, filterable by kind, user and free text."""
    kind = request.args.get("druh") or ""
    q = (request.args.get("q") or "").strip()
    user_id = query_id(request.args.get("uzivatel"))
    user = db.session.get(User, user_id) if user_id else None
    query = events_query(
        kind=kind if kind in {k.value for k in AuditKind} else None, user=user, search=q
    ).options(
        selectinload(AuditEvent.actor), selectinload(AuditEvent.subject), selectinload(AuditEvent.acted_for),
        selectinload(AuditEvent.body),
    )
    rows, page, pages = _paginate(query)
    return render_template("admin/audit.html", events=rows, page=page, pages=pages, kind=kind, q=q,
                           user=user, titles=AUDIT_KIND_TITLES, kinds=list(AuditKind))
