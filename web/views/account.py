"""The signed-in user's own account (``/ucet``): name and language, password, deputies.

Any active user may use it for themselves; naming a deputy needs the contributor or head role
and is limited to the user's own bodies (:data:`workflow.permissions.Action.name_deputy`).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from forms.account import ChangePasswordForm, DeputyForm, ProfileForm, as_choices
from forms.admin import ActionForm
from web.extensions import db
from web.sessions import client_ip, renew_current_session
from web.sessions import sign_out_everywhere as end_other_sessions
from web.uow import confirm, fail
from web.views.guards import requires
from workflow import clock
from workflow.accounts import (
    WeakPassword,
    acting_for,
    add_deputy,
    bodies_of,
    deputies_of,
    find_user_by_email,
    remove_deputy,
    set_password,
    update_user,
)
from workflow.audit import AuditKind
from workflow.errors import DomainError
from workflow.models import Body, Deputy, User
from workflow.passwords import verify_password
from workflow.permissions import Action, can

bp = Blueprint("account", __name__, url_prefix="/ucet")


def _me() -> User:
    return current_user._get_current_object()  # type: ignore[no-any-return]


def _deputy_form(user: User, fresh: bool = False) -> DeputyForm:
    form = DeputyForm(prefix="deputy", **({"formdata": None} if fresh else {}))
    choices = [(b.id, b.label) for b in user.bodies if can(user, Action.name_deputy, b)]
    if len(choices) > 1:
        choices = [(0, _("Všechny mé subjekty")), *choices]
    form.body_id.choices = as_choices(choices)
    return form


def _render(**forms: Any) -> ResponseReturnValue:
    user = _me()
    today = clock.today()
    profile = forms.get("profile") or ProfileForm(formdata=None, obj=user, prefix="profile")
    return render_template(
        "account/settings.html",
        user=user,
        profile=profile,
        password_form=forms.get("password_form") or ChangePasswordForm(formdata=None, prefix="password"),
        deputy_form=forms.get("deputy_form") or _deputy_form(user, fresh=True),
        action_form=ActionForm(),
        may_name_deputy=can(user, Action.name_deputy),
        deputies=deputies_of(user),
        principals=acting_for(user, today),
        acting_bodies=bodies_of(user, today),
        today=today,
    )


@bp.route("", methods=["GET", "POST"])
@requires(Action.manage_own_account)
def settings() -> ResponseReturnValue:
    """The account page; POST saves the name and the language of the UI and e-mails."""
    user = _me()
    form = ProfileForm(obj=user, prefix="profile")
    if form.validate_on_submit():
        try:
            update_user(user, name=form.name.data or "", locale=form.locale.data or "cs", actor=user,
                        ip=client_ip())
        except DomainError as exc:
            fail()
            flash(exc.message, "danger")
        else:
            confirm(_("Nastavení je uloženo."))
            return redirect(url_for("account.settings"))
    return _render(profile=form)


@bp.post("/heslo")
@requires(Action.manage_own_account)
def change_password() -> ResponseReturnValue:
    """Change the password (the current one is asked again)."""
    user = _me()
    form = ChangePasswordForm(prefix="password")
    if form.validate_on_submit():
        if not verify_password(user.password_hash, form.current.data or ""):
            form.current.errors = [*form.current.errors, _("Současné heslo nesouhlasí.")]
        else:
            try:
                set_password(user, form.password.data or "", actor=user, kind=AuditKind.password_changed,
                             ip=client_ip())
            except WeakPassword as exc:
                fail()
                form.password.errors = [*form.password.errors, exc.message]
            else:
                renew_current_session(user)  # other sessions end, this one stays
                confirm(_("Heslo je změněno."))
                return redirect(url_for("account.settings"))
    return _render(password_form=form)


@bp.post("/odhlasit-vsude")
@requires(Action.manage_own_account)
def sign_out_everywhere() -> ResponseReturnValue:
    """„Odhlásit všude“: end every other session and remember cookie of the user; this one stays."""
    if not ActionForm().validate_on_submit():
        abort(400)
    end_other_sessions(_me())
    confirm(_("Přihlášení na všech ostatních zařízeních je ukončeno."))
    return redirect(url_for("account.settings"))


@bp.post("/zastupy")
@requires(Action.name_deputy)
def add_own_deputy() -> ResponseReturnValue:
    """Name a deputy for one's own body (or all of them) for a date range."""
    user = _me()
    form = _deputy_form(user)
    if form.validate_on_submit():
        body = db.session.get(Body, form.body_id.data) if form.body_id.data else None
        if body is not None and not can(user, Action.name_deputy, body):
            abort(404)
        deputy = find_user_by_email(form.email.data or "")
        if deputy is None or not deputy.active:
            form.email.errors = [*form.email.errors, _("Aktivní uživatel s tímto e-mailem neexistuje.")]
        else:
            try:
                add_deputy(user, deputy, form.starts_on.data, form.ends_on.data, body=body,
                           note=form.note.data or "", actor=user, ip=client_ip())
            except DomainError as exc:
                fail()
                flash(exc.message, "danger")
            else:
                confirm(_("Zástup je nastaven: %(name)s.", name=deputy.name))
                return redirect(url_for("account.settings"))
    return _render(deputy_form=form)


@bp.post("/zastupy/<int:deputy_id>/zrusit")
@requires(Action.name_deputy)
def remove_own_deputy(deputy_id: int) -> ResponseReturnValue:
    """Cancel a deputyship one has named (someone else's: 404)."""
    user = _me()
    entry = db.session.get(Deputy, deputy_id)
    if entry is None or entry.principal_id != user.id:
        abort(404)
    if not ActionForm().validate_on_submit():
        abort(400)
    remove_deputy(entry, actor=user, ip=client_ip())
    confirm(_("Zástup je zrušen."))
    return redirect(url_for("account.settings"))
