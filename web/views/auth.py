"""Sign-in and sign-out."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import func, select

from forms.auth import LoginForm
from web.extensions import db
from workflow.db import utcnow
from workflow.models import User
from workflow.passwords import verify_password

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str:
    """Only local paths are followed after sign-in (no open redirect)."""
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return url_for("main.index")


@bp.route("/prihlaseni", methods=["GET", "POST"])
def login() -> ResponseReturnValue:
    """Sign-in page; the session is renewed on success."""
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = LoginForm()
    if form.validate_on_submit():
        email = (form.email.data or "").strip().lower()
        user = db.session.scalar(select(User).where(func.lower(User.email) == email))
        if user is not None and user.active and verify_password(user.password_hash, form.password.data or ""):
            session.clear()  # renew the session: nothing from before sign-in survives
            login_user(user, remember=bool(form.remember.data))
            user.last_login_at = utcnow()
            db.session.commit()
            flash(_("Jste přihlášeni."), "success")
            return redirect(_safe_next(request.args.get("next")))
        flash(_("Nesprávný e-mail nebo heslo."), "danger")
    return render_template("auth/login.html", form=form), 200 if request.method == "GET" else 200


@bp.post("/odhlaseni")
@login_required
def logout() -> ResponseReturnValue:
    """Sign out (POST with CSRF token, so a link on another site cannot sign anyone out)."""
    logout_user()
    session.clear()
    flash(_("Byli jste odhlášeni."), "info")
    return redirect(url_for("auth.login"))
