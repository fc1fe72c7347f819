"""JSON read API (``/api/v1``), its OpenAPI document and a human-readable page about it.

Authentication: the session of a signed-in user, or ``Authorization: Bearer <token>`` (resolved by
the login manager's request loader, see :func:`web._init_login` and :mod:`workflow.tokens`).
Unauthenticated requests get **401 JSON**, never a redirect to the sign-in page. The document in
``web/openapi.yaml`` is the contract: ``tests/web/test_api.py`` checks that every ``/api/v1`` route
is documented (and vice versa) and that responses carry exactly the documented keys.

CSRF: the blueprint is exempt from Flask-WTF's global check, because bearer-token requests carry
no ambient credentials; unsafe methods authenticated by the *session* cookie are still checked
(see :func:`_authenticate`). All endpoints are read-only today.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from functools import lru_cache, wraps
from pathlib import Path
from typing import Any

import yaml
from flask import Blueprint, Response, current_app, g, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup, escape
from sqlalchemy import select
from sqlalchemy.orm import subqueryload

from web.extensions import csrf, db
from web.views.plans import plans_with_counts
from workflow.attributes import visible_attributes
from workflow.models import Activity, Plan, plan_nodes
from workflow.permissions import Action, can
from workflow.routing.resolution import default_abbreviation, review_reason_codes

bp = Blueprint("api", __name__, url_prefix="/api")
csrf.exempt(bp)

OPENAPI_PATH = Path(__file__).resolve().parent.parent / "openapi.yaml"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
#: Endpoints of this blueprint that need no sign-in.
PUBLIC_ENDPOINTS = frozenset({"api.openapi", "api.docs"})


# ------------------------------------------------------------------------------ errors and auth


def json_response(data: dict[str, Any], status: int = 200, **headers: str) -> Response:
    """``data`` as UTF-8 JSON, keys in the order of the OpenAPI schemas (not sorted), Czech unescaped."""
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    response = current_app.response_class(body, status=status, mimetype="application/json")
    response.headers.update(headers)
    return response


def json_error(status: int, message: str, **headers: str) -> Response:
    """A JSON error response ``{"error": message, "status": status}`` (schema ``Error``)."""
    return json_response({"error": message, "status": status}, status, **headers)


@bp.before_request
def _authenticate() -> ResponseReturnValue | None:
    """401 JSON for anonymous requests to non-public endpoints; CSRF for session-authenticated writes."""
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    if not current_user.is_authenticated:
        if request.headers.get("Authorization", "").startswith("Bearer "):
            message = _("Neplatný nebo odvolaný token.")
        else:
            message = _(
                "Chybí přihlášení: pošlete hlavičku „Authorization: Bearer <token>“ nebo se přihlaste."
            )
        return json_error(401, message, **{"WWW-Authenticate": "Bearer"})
    if request.method not in SAFE_METHODS and not g.get("api_token_auth"):
        csrf.protect()
    return None


def api_requires(action: Action) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Refuse with 403 JSON unless the (already authenticated) user may perform ``action``."""

    def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not can(current_user, action):
                return json_error(403, _("K této operaci nemáte oprávnění."))
            return view(*args, **kwargs)

        return wrapped

    return decorator


# ---------------------------------------------------------------------------------------- paging

#: Rows per page of the list endpoints by default, the most a caller may ask for, and the highest
#: page number (far beyond any list; keeps the offset small).
PER_PAGE = 100
MAX_PER_PAGE = 500
MAX_PAGE = 1_000_000


def query_int(name: str, default: int, maximum: int) -> int | None:
    """Query parameter ``name`` as a whole number from 1 to ``maximum``; ``default`` when absent;
    ``None`` when present but not such a number (the caller answers 400, schema ``Error``)."""
    raw = request.args.get(name)
    if raw is None:
        return default
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 9:
        return None
    value = int(raw)
    return value if 1 <= value <= maximum else None


def page_args() -> tuple[int, int] | Response:
    """``(page, per_page)`` of ``?page=&per_page=`` (defaults 1 and :data:`PER_PAGE`), or the
    400 JSON response naming the allowed ranges."""
    page = query_int("page", 1, MAX_PAGE)
    per_page = query_int("per_page", PER_PAGE, MAX_PER_PAGE)
    if page is None or per_page is None:
        return json_error(400, _("Parametr page musí být celé číslo od 1 do %(page)d a per_page od 1 do "
                                 "%(per_page)d.", page=MAX_PAGE, per_page=MAX_PER_PAGE))
    return page, per_page


def paging_json(endpoint: str, page: int, per_page: int, total: int, **values: Any) -> dict[str, Any]:
    """``{"page", "per_page", "total", "next"}``: ``next`` is the URL of the following page of
    ``endpoint`` (with ``values``), ``None`` on the last page."""
    following = page * per_page < total
    return {
        "page": page,
        "per_page": per_page,
        "total": total,
        "next": url_for(endpoint, **values, page=page + 1, per_page=per_page) if following else None,
    }


# ---------------------------------------------------------------------------------- serializers


def plan_json(plan: Plan, areas: int, goals: int, activities: int, review: int) -> dict[str, Any]:
    """A plan as the ``Plan`` schema of the OpenAPI document."""
    return {
        "id": plan.id,
        "title": plan.title,
        "strategy": plan.strategy or "",
        "period": plan.period or "",
        "level_names": list(plan.level_names or []),
        "default_body": plan.default_body.abbreviation if plan.default_body else None,
        "counts": {"areas": areas, "goals": goals, "activities": activities, "needs_review": review},
    }


def review_reasons_json(activity: Activity) -> list[dict[str, Any]]:
    """Why ``activity`` is flagged „k revizi“, as the ``RoutingReason`` schema: ``[{"code",
    "text", "name", "body", "names"}, …]`` (text in the caller's locale); ``[]`` when it is not.
    Derived from the activity's own wording like every page's reason
    (:func:`workflow.routing.resolution.review_reason_codes`)."""
    if not activity.routing_needs_review:
        return []
    default = default_abbreviation(activity.plan)
    return [reason.as_dict() for reason in review_reason_codes([activity], default)[activity.id]]


def activity_json(activity: Activity) -> dict[str, Any]:
    """An activity as the ``Activity`` schema (deadline, responsibility and strategy refs parsed).

    ``attributes`` are the further attributes the plan shows in its report (its choice, see
    :mod:`workflow.attributes`), ``[{"label", "value"}, …]`` in the source's column order;
    ``extra`` (kept for older clients) is the same as an object. Reads ``activity.plan``, which
    the list endpoint has already loaded (no statement per activity).
    """
    lineage = activity.lineage
    area, goal = (lineage[0], lineage[-1]) if lineage else (None, None)
    attributes = visible_attributes(activity, "report")
    return {
        "id": activity.id,
        "code": activity.code,
        "title": activity.title or "",
        "description": activity.description or "",
        "indicator": activity.indicator or "",
        "deadline": {
            "raw": activity.deadline_raw or "",
            "kind": activity.deadline_kind,
            "start": activity.deadline_start.isoformat() if activity.deadline_start else None,
            "end": activity.deadline_end.isoformat() if activity.deadline_end else None,
            "frequency": activity.deadline_frequency,
            "condition": activity.deadline_condition,
        },
        "responsibility": {
            "raw": activity.responsibility_raw or "",
            "bodies": [
                {"abbreviation": link.body.abbreviation, "name": link.body.name, "lead": index == 0}
                for index, link in enumerate(activity.routing)
            ],
            "needs_review": bool(activity.routing_needs_review),
            "unmatched": list(activity.routing_unmatched or []),
            "review_reasons": review_reasons_json(activity),
        },
        "strategy_refs": {
            "raw": activity.strategy_refs_raw or "",
            "measure": activity.strategy_measures[0] if activity.strategy_measures else None,
            "measures": list(activity.strategy_measures or []),
            "goals": [int(n) for n in activity.strategy_goals or []],
        },
        "cooperation": activity.cooperation or "",
        # The top level and the lowest level above the activity (okruh and cíl of the shipped
        # plan; the same node in a one-level plan; null in a flat plan), and every level in order.
        "area": {"code": area.code, "title": area.title or ""} if area else None,
        "goal": {"code": goal.code, "title": goal.title or ""} if goal else None,
        "levels": [
            {"level": activity.plan.level_name(node.depth), "code": node.code, "title": node.title or ""}
            for node in lineage
        ],
        "attributes": attributes,
        "extra": {item["label"]: item["value"] for item in attributes},
    }


# ------------------------------------------------------------------------------------ endpoints


@bp.get("/v1/plans")
@api_requires(Action.view_plans)
def list_plans() -> ResponseReturnValue:
    """``{"plans": [Plan, …]}``, newest first."""
    rows = db.session.execute(plans_with_counts()).all()
    return json_response({"plans": [plan_json(*row) for row in rows]})


@bp.get("/v1/plans/<int:plan_id>/activities")
@api_requires(Action.view_plans)
def plan_activities(plan_id: int) -> ResponseReturnValue:
    """``{"plan": Plan, "page", "per_page", "total", "next", "activities": [Activity, …]}`` in
    natural code order, a page at a time (``?page=1&per_page=100``, at most :data:`MAX_PER_PAGE`);
    404 JSON if no such plan, 400 JSON for a bad page. Four statements whatever the plan's size."""
    paging = page_args()
    if isinstance(paging, Response):
        return paging
    page, per_page = paging
    row = db.session.execute(plans_with_counts().where(Plan.id == plan_id)).first()
    if row is None:
        return json_error(404, _("Plán nenalezen."))
    # The plan's nodes once, so that each activity's levels come from the identity map.
    nodes = plan_nodes(plan_id)
    activities = db.session.scalars(
        select(Activity)
        .where(Activity.plan_id == plan_id)
        .order_by(Activity.sort_key, Activity.id)  # sort_key sorts like natural_key (A1.2 < A1.10)
        .limit(per_page)
        .offset((page - 1) * per_page)
        .options(subqueryload(Activity.routing))
    ).all()
    body = {
        "plan": plan_json(*row),
        **paging_json(".plan_activities", page, per_page, row.activities, plan_id=plan_id),
        "activities": [activity_json(a) for a in activities],
    }
    del nodes  # held until here: the identity map keeps objects only while they are referenced
    return json_response(body)


@lru_cache(maxsize=1)
def openapi_document() -> dict[str, Any]:
    """The OpenAPI 3.1 document from ``web/openapi.yaml`` as a dict (read once per process)."""
    with OPENAPI_PATH.open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


@bp.get("/openapi.json")
def openapi() -> ResponseReturnValue:
    """The OpenAPI document as JSON (no sign-in needed)."""
    return json_response(openapi_document())


# ------------------------------------------------------------------------------ the docs page


def resolve(document: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    """Follow a local ``$ref`` (``#/components/…``) of ``document``; other nodes come back as given."""
    while "$ref" in node:
        target: Any = document
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = target
    return node


_BACKTICKS = re.compile(r"`([^`]+)`")


def inline_code(text: str | None) -> Markup:
    """Escape ``text`` and turn Markdown-style `code` spans into ``<code>`` elements."""
    return Markup(_BACKTICKS.sub(r"<code>\1</code>", str(escape(text or ""))))  # nosec B704 # noqa: S704 - escaped above


def _type_label(document: dict[str, Any], schema: dict[str, Any]) -> str:
    name = schema["$ref"].rsplit("/", 1)[-1] if "$ref" in schema else None
    schema = resolve(document, schema)
    types = schema.get("type", "object")
    types = types if isinstance(types, list) else [types]
    labels = []
    for t in types:
        if t == "array":
            labels.append(f"array[{_type_label(document, schema.get('items', {}))}]")
        elif t == "object" and name:
            labels.append(name)
        else:
            labels.append(t)
    return " | ".join(labels)


def schema_rows(document: dict[str, Any], schema: dict[str, Any], prefix: str = "") -> list[dict[str, Any]]:
    """Flatten an object schema into rows ``{name, type, required, description, enum}`` for the docs page.

    Nested objects (also inside arrays) get dotted names: ``activities[].deadline.kind``.
    """
    schema = resolve(document, schema)
    if schema.get("type") == "array":
        return schema_rows(document, schema.get("items", {}), prefix + "[]")
    rows: list[dict[str, Any]] = []
    required = set(schema.get("required", []))
    for name, prop in (schema.get("properties") or {}).items():
        full = f"{prefix}.{name}" if prefix else name
        target = resolve(document, prop)
        rows.append({
            "name": full,
            "type": _type_label(document, prop),
            "required": name in required,
            "description": prop.get("description") or target.get("description", ""),
            "enum": target.get("enum"),
        })
        if target.get("properties") or (target.get("type") == "array" and "properties" in resolve(
            document, target.get("items", {})
        )):
            rows += schema_rows(document, target, full)
    return rows


@bp.get("/docs")
def docs() -> ResponseReturnValue:
    """A human page in Czech listing the endpoints of the OpenAPI document (no sign-in needed)."""
    document = openapi_document()
    operations = []
    for path, item in document["paths"].items():
        for method, op in item.items():
            responses = []
            for status, response in op.get("responses", {}).items():
                response = resolve(document, response)
                schema = response.get("content", {}).get("application/json", {}).get("schema")
                responses.append({
                    "status": status,
                    "description": response.get("description", ""),
                    "schema_name": schema["$ref"].rsplit("/", 1)[-1] if schema and "$ref" in schema else None,
                    "rows": schema_rows(document, schema) if schema else [],
                })
            operations.append({
                "id": op.get("operationId", f"{method}-{path}"),
                "method": method.upper(),
                "path": path,
                "op": op,
                "public": op.get("security") == [],
                "responses": responses,
            })
    return render_template(
        "api/docs.html", document=document, operations=operations, inline_code=inline_code
    )
