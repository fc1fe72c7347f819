"""Publishing the report of a closed round (issue 18): a public, read-only copy for anyone.

The secretary publishes a closed round's newest :class:`~workflow.models.RoundSnapshot` (the
report frozen at closing); anyone may then read it without signing in, download it as DOCX, PDF
and XLSX, and harvest its data (CSV, JSON) with a metadata record (:func:`catalogue_record`).
Withdrawing („zrušit zveřejnění“) hides it again. Both are recorded as round events
(``published`` / ``unpublished`` with the actor and, for withdrawing, the reason).

What is public is decided here and nowhere else (:func:`public_content`, :func:`public_data`):
the snapshot's report texts (the consolidated texts, statuses and the report's „Komentář“
column, which belong to the official document) and only assessments that reviewers marked
public. Internal review comments, names of people and attachments are not part of a snapshot,
and the public JSON is built from an explicit list of fields so that a later addition to the
snapshot cannot leak by accident.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from workflow.db import db, utcnow
from workflow.errors import Conflict, PermissionDenied
from workflow.models import ReportingRound, RoundEvent, User
from workflow.models.publications import ReportPublication
from workflow.permissions import Action, can
from workflow.report import ReportBlock, ReportContent, latest_snapshot

#: Fields of a report row that the public JSON carries (an explicit list, see the module doc).
PUBLIC_ROW_FIELDS = (
    "code",
    "description",
    "indicator",
    "deadline",
    "responsibility",
    "strategy_refs",
    "fulfilment",
    "status",
    "status_title",
    "comment",
    "cooperation",
    "title",
    "attributes",
)
#: Formats of the public downloads of the report itself (the data formats are CSV and JSON).
DOCUMENT_FORMATS = ("docx", "pdf", "xlsx")


class PublishingError(Conflict):
    """Publishing or withdrawing is not possible now (``message`` says why, in Czech)."""


def _event(round_: ReportingRound, actor: User, action: str, comment: str = "") -> None:
    db.session.add(
        RoundEvent(round_id=round_.id, action=action, actor_id=actor.id, comment=comment,
                   from_state=round_.state, to_state=round_.state)
    )


def _row(round_: ReportingRound) -> ReportPublication | None:
    return publication_state(round_.id)


def publish(round_: ReportingRound, actor: User) -> ReportPublication:
    """Publish the newest snapshot of the closed ``round_`` (again, when it was withdrawn or the
    round was closed anew since).

    :raises PermissionDenied: ``actor`` may not publish reports (not the secretary).
    :raises PublishingError: the round is not closed or has no snapshot, or exactly this snapshot
        is already public.
    """
    if not can(actor, Action.publish_report):
        raise PermissionDenied(_l("Zprávu může zveřejnit jen tajemník."))
    snapshot = latest_snapshot(round_.id)
    if round_.state != "closed" or snapshot is None:
        raise PublishingError(_l("Zveřejnit lze jen zprávu uzavřeného kola."))
    publication = _row(round_)
    if publication is None:
        publication = ReportPublication(round_id=round_.id, snapshot_id=snapshot.id, published_at=utcnow())
        db.session.add(publication)
    elif publication.withdrawn_at is None and publication.snapshot_id == snapshot.id:
        raise PublishingError(_l("Zpráva je už zveřejněna."))
    publication.snapshot_id = snapshot.id
    publication.published_at = utcnow()
    publication.published_by_id = actor.id
    publication.withdrawn_at = None
    _event(round_, actor, "published")
    db.session.flush()
    return publication


def unpublish(round_: ReportingRound, actor: User, reason: str) -> ReportPublication:
    """Withdraw the public report of ``round_``; the reason is kept in the round's history.

    :raises PermissionDenied: ``actor`` may not publish reports.
    :raises PublishingError: the report is not public, or the reason is empty.
    """
    if not can(actor, Action.publish_report):
        raise PermissionDenied(_l("Zveřejnění může zrušit jen tajemník."))
    publication = _row(round_)
    if publication is None or publication.withdrawn_at is not None:
        raise PublishingError(_l("Zpráva tohoto kola není zveřejněna."))
    if not (reason or "").strip():
        raise PublishingError(_l("Uveďte důvod zrušení zveřejnění."))
    publication.withdrawn_at = utcnow()
    _event(round_, actor, "unpublished", reason.strip())
    db.session.flush()
    return publication


def current_publication(round_id: int) -> ReportPublication | None:
    """The publication of round ``round_id`` if its report is public now, else ``None``."""
    return db.session.scalars(
        select(ReportPublication).where(
            ReportPublication.round_id == round_id, ReportPublication.withdrawn_at.is_(None)
        )
    ).first()


def publication_state(round_id: int) -> ReportPublication | None:
    """The publication row of round ``round_id`` (public or withdrawn), or ``None`` (never)."""
    return db.session.scalars(select(ReportPublication).where(ReportPublication.round_id == round_id)).first()


def published_reports() -> list[tuple[ReportPublication, ReportingRound]]:
    """Every report public now with its round, newest period first."""
    rows = db.session.execute(
        select(ReportPublication, ReportingRound)
        .join(ReportingRound, ReportingRound.id == ReportPublication.round_id)
        .where(ReportPublication.withdrawn_at.is_(None))
        .order_by(ReportingRound.period_end.desc(), ReportingRound.id.desc())
    ).all()
    return [(p, r) for p, r in rows]


def public_content(publication: ReportPublication) -> ReportContent:
    """The report as the public reads it: the published snapshot, without the editors' notes
    (abbreviations used without explanation) and without statistics."""
    content = ReportContent.from_dict(publication.snapshot.content)
    content.from_snapshot = True
    return replace(
        content,
        undefined_abbreviations=[],
        statistics=None,
        assessments=[a for a in content.assessments if a.text.strip()],
    )


def _iso(value: datetime | None) -> str | None:
    return value.date().isoformat() if value else None


def _public_block(block: ReportBlock) -> dict[str, Any]:
    """A block of the plan's levels as public JSON: ``{"level", "code", "title", "blocks": [the
    blocks below it], "activities": [its own activities]}`` (a flat plan: one block with empty
    level, code and title)."""
    return {
        "level": block.level,
        "code": block.code,
        "title": block.title,
        "blocks": [_public_block(child) for child in block.children],
        "activities": [{f: getattr(row, f) for f in PUBLIC_ROW_FIELDS} for row in block.rows],
    }


def public_data(publication: ReportPublication, round_: ReportingRound) -> dict[str, Any]:
    """The report's data as the public JSON (explicit fields only, see :data:`PUBLIC_ROW_FIELDS`):
    the plan's level names (``levels``, the activity's last) and the blocks of its levels
    (``blocks``, :func:`_public_block`; in the shipped plan okruhy with their goals, whose
    ``activities`` are the rows)."""
    content = public_content(publication)
    return {
        "title": content.round_title,
        "plan": content.plan_title,
        "strategy": content.strategy,
        "plan_period": content.period,
        "period_start": round_.period_start.isoformat(),
        "period_end": round_.period_end.isoformat(),
        "closed_on": content.closed_on,
        "published_on": _iso(publication.published_at),
        "levels": list(content.level_names),
        "blocks": [_public_block(block) for block in content.blocks],
        "abbreviations": [
            {"abbreviation": a.get("abbreviation", ""), "meaning": a.get("meaning", "")}
            for a in content.abbreviations
        ],
    }


def catalogue_record(
    publication: ReportPublication,
    round_: ReportingRound,
    *,
    publisher: str,
    licence: str,
    page_url: str,
    downloads: dict[str, tuple[str, str]],
) -> dict[str, Any]:
    """A DCAT (W3C Data Catalog Vocabulary) record of the published report as JSON-LD, for an
    open-data catalogue to harvest: title, description, period, publisher, licence, date of
    publication and one distribution per download.

    :param downloads: ``{format name: (absolute URL, media type)}``.
    """
    content = public_content(publication)
    return {
        "@context": {
            "dcat": "http://www.w3.org/ns/dcat#",
            "dct": "http://purl.org/dc/terms/",
            "foaf": "http://xmlns.com/foaf/0.1/",
        },
        "@id": page_url,
        "@type": "dcat:Dataset",
        "dct:title": {"@language": "cs", "@value": f"{content.round_title} – {content.plan_title}"},
        "dct:description": {
            "@language": "cs",
            "@value": f"Souhrnná zpráva o plnění: {content.plan_title}"
            + (f" ({content.strategy})" if content.strategy else "")
            + f", období {round_.period_start.isoformat()} až {round_.period_end.isoformat()}.",
        },
        "dct:publisher": {"@type": "foaf:Organization", "foaf:name": publisher},
        "dct:license": {"@id": licence},
        "dct:issued": _iso(publication.published_at),
        "dct:temporal": {
            "@type": "dct:PeriodOfTime",
            "dcat:startDate": round_.period_start.isoformat(),
            "dcat:endDate": round_.period_end.isoformat(),
        },
        "dcat:landingPage": {"@id": page_url},
        "dcat:distribution": [
            {
                "@type": "dcat:Distribution",
                "dct:title": name,
                "dcat:downloadURL": {"@id": url},
                "dcat:mediaType": media_type,
                "dct:license": {"@id": licence},
            }
            for name, (url, media_type) in downloads.items()
        ],
    }
