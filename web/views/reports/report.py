"""The report page of a round, paged on screen (live, or the closed round's snapshot from the page
cache). The print view and the exports stay whole."""

from __future__ import annotations

import dataclasses
import json
import logging
from dataclasses import dataclass

from flask import Response, abort, current_app, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_login import current_user
from markupsafe import Markup
from redis.exceptions import RedisError
from sqlalchemy import bindparam, select

from forms.reports import ExportForm
from web.extensions import cache, db
from web.views.guards import requires
from web.views.reports import bp
from workflow.exports import FORMATS
from workflow.models import ReportingRound, ReportPublication
from workflow.permissions import Action, can
from workflow.report import (
    COLUMNS,
    COORDINATION_TITLE,
    ReportBlock,
    ReportContent,
    ReportRow,
    build_report,
    printed_snapshot,
    snapshot_hash_of,
)

log = logging.getLogger(__name__)


def _round_for_report(round_id: int) -> tuple[ReportingRound, str | None, ReportPublication | None]:
    """The round, the hash of the snapshot its report prints (:func:`workflow.report.printed_snapshot`:
    ``None`` for a live report) and its publication row (the publish panel), in one statement.

    :raises NotFound: no such round (404).
    """
    row = db.session.execute(_ROUND_FOR_REPORT, {"round_id": round_id}).first()
    if row is None:
        abort(404)
    round_, snapshot_hash, publication = row
    return round_, printed_snapshot(round_, snapshot_hash), publication

#: :func:`_round_for_report`'s statement, built once (its cache key then computed once).
_ROUND_FOR_REPORT = (
    select(ReportingRound, snapshot_hash_of(ReportingRound.id), ReportPublication)
    .outerjoin(ReportPublication, ReportPublication.round_id == ReportingRound.id)
    .where(ReportingRound.id == bindparam("round_id"))
)

#: Most activities on one screen page: a top-level block of the plan's levels (an okruh) is one page;
#: a larger one is cut between the blocks below it (its goals) or between its own activities into
#: pages of at most this many activities (a single block below it larger than that is one page).
PAGE_ROWS = 100

#: Where the page's document goes in the rendered frame (replaced by the document's bytes).
_SLOT = "<!--report-document-slot-->"


@dataclass(frozen=True)
class ReportPage:
    """One screen page of the report: a top-level block (an okruh), or a run of consecutive blocks
    below it (goals) or of its activities when it is large.

    :ivar label: what the page navigation shows (``"A"``, or ``"A1–A4"`` for a part of a block).
    :ivar title: the top-level block's title (the link's tooltip).
    :ivar codes: the codes of the activities on the page (``?aktivita=`` finds the page).
    """

    label: str
    title: str
    codes: tuple[str, ...]


#: A piece of a top-level block a page holds whole: a block below it, or one of its own rows.
_Unit = ReportBlock | ReportRow


def _units(top: ReportBlock) -> list[tuple[_Unit, int]]:
    """The pieces of ``top`` in report order with their numbers of activities: the blocks below
    it, then its own activities one by one."""
    return [(child, len(child.all_rows())) for child in top.children] + [(row, 1) for row in top.rows]


def paginate(content: ReportContent, limit: int = PAGE_ROWS) -> list[tuple[ReportPage, ReportContent]]:
    """The screen pages of ``content``, each with the content it shows: the title block and one
    top-level block (or part of one) each; the block's description and footnotes on its first part
    only, its notes and coordination on its last; the assessments and statistics (when asked for)
    on the last page; the abbreviations on every page.

    :returns: ``[(page, content of the page)]``, one page for a report without activities.
    """
    chunks: list[tuple[int, list[_Unit]]] = []  # (top-level block's index, its pieces)
    for index, top in enumerate(content.blocks):
        run: list[_Unit] = []
        size = 0
        for unit, rows in _units(top):
            if run and size + rows > limit:
                chunks.append((index, run))
                run, size = [], 0
            run.append(unit)
            size += rows
        chunks.append((index, run))
    if not chunks:
        return [(ReportPage("", "", ()), content)]
    parts = {index: sum(1 for i, _pieces in chunks if i == index) for index, _pieces in chunks}
    pages = []
    for number, (index, units) in enumerate(chunks):
        top = content.blocks[index]
        first = number == 0 or chunks[number - 1][0] != index
        last = number == len(chunks) - 1
        last_of_top = last or chunks[number + 1][0] != index
        label = top.code if parts[index] == 1 else f"{units[0].code}–{units[-1].code}"
        if parts[index] > 1 and len(units) == 1:
            label = units[0].code
        shown = dataclasses.replace(
            top,
            children=[u for u in units if isinstance(u, ReportBlock)],
            rows=[u for u in units if isinstance(u, ReportRow)],
            description=top.description if first else "",
            footnotes=top.footnotes if first else [],
            notes=top.notes if last_of_top else "",
            coordination=top.coordination if last_of_top else [],
        )
        part = dataclasses.replace(
            content,
            blocks=[shown],
            assessments=content.assessments if last else [],
            statistics=content.statistics if last else None,
        )
        codes = tuple(row.code for row in shown.all_rows())
        pages.append((ReportPage(label, top.title, codes), part))
    return pages


def _render_page(
    round_: ReportingRound, part: ReportContent, pages: list[ReportPage], number: int, level_names: list[str]
) -> bytes:
    """Screen page ``number`` (1-based) of ``pages``: its part of the document
    (``reports/_report.html``) between its two pagers (``reports/_page.html``), as UTF-8 bytes."""
    document = render_template(
        "reports/_report.html",
        content=part,
        columns=COLUMNS,
        coordination_title=COORDINATION_TITLE,
        print=False,
        editor_links=round_.state != "closed",
        charts={},
    )
    return render_template(
        "reports/_page.html",
        round=round_,
        document=Markup(document),  # nosec B704 # noqa: S704 - our own autoescaped template
        pages=pages,
        page=number,
        level_names=level_names,
    ).encode("utf-8")


# -- the page cache, bytes in and out ---------------------------------------------------------------
def _cached_bytes(key: str) -> bytes | None:
    """The bytes cached under ``key``: on Redis read as stored (no unpickling, no copy), else through
    Flask-Caching; ``None`` when missing or when Redis fails (the page is then rendered)."""
    backend = cache.cache
    client = getattr(backend, "_read_client", None)
    try:
        value = client.get(backend._get_prefix() + key) if client is not None else cache.get(key)
    except (RedisError, OSError) as exc:
        log.warning("page cache read failed (%s); rendering", exc.__class__.__name__)
        return None
    return value if isinstance(value, bytes) else None


def _cache_bytes(key: str, data: bytes) -> None:
    """Keep ``data`` under ``key`` for ``PAGE_CACHE_SECONDS`` (raw bytes on Redis)."""
    seconds = int(current_app.config.get("PAGE_CACHE_SECONDS") or 0)
    if not seconds:
        return
    backend = cache.cache
    client = getattr(backend, "_write_client", None)
    try:
        if client is not None:
            client.set(backend._get_prefix() + key, data, ex=seconds)
        else:
            cache.set(key, data, timeout=seconds)
    except (RedisError, OSError) as exc:
        log.warning("page cache write failed (%s)", exc.__class__.__name__)


# -- the view --------------------------------------------------------------------------------------
def _page_number(pages: list[ReportPage]) -> int:
    """The 1-based page of ``?strana=`` (404 outside the report) or of ``?aktivita=<code>``."""
    wanted = request.args.get("aktivita", "").strip()
    if wanted:
        for number, page in enumerate(pages, start=1):
            if wanted in page.codes:
                return number
    raw = request.args.get("strana", "1")
    number = int(raw) if raw.isdigit() else 0
    if not 1 <= number <= len(pages):
        abort(404)
    return number


def _index_bytes(content: ReportContent, pages: list[ReportPage]) -> bytes:
    return json.dumps(
        {
            "rows": len(content.rows),
            "from_snapshot": content.from_snapshot,
            "level_names": list(content.level_names),
            "pages": [[p.label, p.title, list(p.codes)] for p in pages],
        },
        ensure_ascii=False,
    ).encode("utf-8")


@bp.get("/kola/<int:round_id>/zprava")
@requires(Action.view_reports)
def report(round_id: int) -> ResponseReturnValue:
    """The consolidated report as a page, with the export buttons, one top-level block of the
    plan's levels (an okruh) per screen page (``?strana=N``, or ``?aktivita=<code>`` for the page of
    that activity; a block of more than :data:`PAGE_ROWS` activities is split between the blocks
    below it, its goals, or between its activities; :func:`paginate`). The print view and the exports
    print the whole report.

    The report of a closed round prints its snapshot, which never changes: every page's rendered
    document, with its two pagers (:func:`_render_page`), is kept as UTF-8 bytes in the page cache
    (Flask-Caching's Redis, raw, or ``INSTANCE_PATH/cache``) under the snapshot's hash, the round,
    the language and the page number, with an index of the pages, for ``PAGE_CACHE_SECONDS``; the
    first request renders and caches every page. A reopened and closed-again round has a new
    snapshot and so new keys. The response is the page's frame and the cached bytes sent one after
    the other, not joined. Live reports are built on every request and only the page asked for is
    rendered.
    """
    round_, frozen, publication = _round_for_report(round_id)
    base = f"report-screen:{round_.id}:{frozen}:{get_locale()}" if frozen else None
    index = _cached_bytes(f"{base}:index") if base else None
    document: bytes | None = None
    if index is not None:
        meta = json.loads(index)
        pages = [ReportPage(label, title, tuple(codes)) for label, title, codes in meta["pages"]]
        number = _page_number(pages)
        document = _cached_bytes(f"{base}:{number}")
    if document is None:
        content = build_report(round_)
        parts = paginate(content)
        pages = [page for page, _part in parts]
        number = _page_number(pages)
        meta = {
            "rows": len(content.rows), "from_snapshot": content.from_snapshot,
            "level_names": list(content.level_names),
        }
        level_names = list(content.level_names)
        if base:
            for n, (_page, part) in enumerate(parts, start=1):
                rendered = _render_page(round_, part, pages, n, level_names)
                _cache_bytes(f"{base}:{n}", rendered)
                if n == number:
                    document = rendered
            _cache_bytes(f"{base}:index", _index_bytes(content, pages))  # last: readers then find the pages
        else:
            document = _render_page(round_, parts[number - 1][1], pages, number, level_names)
    assert document is not None
    frame = render_template(
        "reports/report.html",
        round=round_,
        document=meta,
        document_html=Markup(_SLOT),  # nosec B704 # noqa: S704 - a constant comment
        can_edit=can(current_user, Action.edit_consolidation),
        export_form=ExportForm(),
        formats=list(FORMATS),
        publication=publication,
    ).encode("utf-8")
    head, slot, tail = frame.partition(_SLOT.encode())
    body = [head, document, tail] if slot else [frame]
    return Response(body, mimetype="text/html")
