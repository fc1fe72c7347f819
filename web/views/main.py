"""Home page and the health check."""

from __future__ import annotations

from flask import Blueprint, jsonify, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import text

from web.extensions import db
from web.landing import landing_url
from web.uow import fail
from workflow.accounts import update_user

bp = Blueprint("main", __name__)


@bp.get("/")
def index() -> ResponseReturnValue:
    """Signed-in users land on their work (:func:`web.landing.landing_url`); others on the sign-in page."""
    if current_user.is_authenticated:
        return redirect(landing_url(current_user))
    return redirect(url_for("auth.login"))


@bp.get("/healthz")
def healthz() -> ResponseReturnValue:
    """``{"status": "ok", "database": "ok"}``, or 503 with ``"database": "error"`` (no auth)."""
    try:
        db.session.execute(text("SELECT 1"))
        return jsonify(status="ok", database="ok")
    except Exception:  # any driver error means "not healthy"
        fail()
        return jsonify(status="error", database="error"), 503


@bp.post("/lang")
def set_language() -> ResponseReturnValue:
    """Switch the language: a signed-in user's setting (UI and e-mails, as on „Můj účet“), else a
    cookie for the anonymous pages."""
    lang = request.form.get("lang", "cs")
    response = redirect(request.referrer or url_for("main.index"))
    if lang not in {"cs", "en"}:
        return response
    if current_user.is_authenticated:  # the request's unit of work commits (a refusal is flashed)
        update_user(current_user, name=current_user.name or current_user.email, locale=lang,
                    actor=current_user, ip=request.remote_addr or "")
    else:
        response.set_cookie("lang", lang, max_age=365 * 86400, samesite="Lax", httponly=True)
    return response
