"""Home page and the health check."""

from __future__ import annotations

from flask import Blueprint, jsonify, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import text

from web.extensions import db
from web.uow import fail

bp = Blueprint("main", __name__)


@bp.get("/")
def index() -> ResponseReturnValue:
    """Signed-in users land on the plan list; others on the sign-in page."""
    if current_user.is_authenticated:
        return redirect(url_for("plans.list_plans"))
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
    """Switch the language of anonymous pages (a cookie); signed-in users use their setting."""
    lang = request.form.get("lang", "cs")
    response = redirect(request.referrer or url_for("main.index"))
    if lang in {"cs", "en"}:
        response.set_cookie("lang", lang, max_age=365 * 86400, samesite="Lax", httponly=True)
    return response
