"""(being written)"""

from flask import Blueprint

bp = Blueprint("api", __name__)


@bp.get("/api/docs")
def docs() -> str:
    return ""
