"""Export files of a round's report, built once per content and reused until the content changes.

A :class:`ReportExport` row is keyed by ``(round, format, options, content hash)``; the hash is
:meth:`workflow.report.ReportContent.content_hash` of exactly what the file prints, so any change
of a consolidated text, status, plan text or closing date gives a new hash and a new file, and an
unchanged report is never built twice. Files live under ``<storage_dir>/<id>-<hash8>.<suffix>``.
Large exports are built by the Celery task :func:`workflow.tasks.build_report_export` (ids in);
small ones inline by the download view.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from sqlalchemy import select

from workflow.db import db, utcnow
from workflow.exports import FORMATS, render
from workflow.models import ReportExport, ReportingRound, User
from workflow.report import OPTIONAL_SECTIONS, ReportContent, build_report


def normalize_sections(values: list[str] | tuple[str, ...] | str | None) -> tuple[str, ...]:
    """Known optional sections from a list or a comma-separated string, sorted, unique."""
    if isinstance(values, str):
        values = values.split(",")
    return tuple(sorted({v.strip() for v in values or () if v.strip() in OPTIONAL_SECTIONS}))


def find_export(
    round_: ReportingRound, fmt: str, sections: tuple[str, ...], digest: str
) -> ReportExport | None:
    """The export row for this exact content, or ``None``."""
    return db.session.scalars(
        select(ReportExport).where(
            ReportExport.round_id == round_.id,
            ReportExport.fmt == fmt,
            ReportExport.options == ",".join(sections),
            ReportExport.content_hash == digest,
        )
    ).first()


def request_export(
    round_: ReportingRound, fmt: str, sections: tuple[str, ...], actor: User | None
) -> tuple[ReportExport, bool]:
    """The export of the round's current content in ``fmt``: the existing row, or a new pending one.

    :returns: ``(export, created)``; when ``created`` the caller dispatches the build after commit.
    :raises KeyError: unknown format.
    """
    if fmt not in FORMATS:
        raise KeyError(fmt)
    content = build_report(round_, sections=sections)
    digest = content.content_hash()
    export = find_export(round_, fmt, sections, digest)
    if export is not None and export.state != "failed":
        return export, False
    if export is None:
        export = ReportExport(round_id=round_.id, fmt=fmt, options=",".join(sections), content_hash=digest)
        db.session.add(export)
    export.state, export.progress, export.error = "pending", 0, ""
    export.requested_by_id = actor.id if actor else None
    db.session.flush()
    return export, True


def export_path(export: ReportExport, storage_dir: Path) -> Path:
    """Where the file of ``export`` is (or will be) stored."""
    return storage_dir / (export.path or f"{export.id}-{export.content_hash[:8]}.{FORMATS[export.fmt][1]}")


def run_export(
    export: ReportExport, storage_dir: Path, progress: Callable[[int], None] | None = None
) -> Path:
    """Build the file of ``export`` (state ``running`` → ``ready``; ``failed`` with the error).

    :param progress: called with 10, 50, 90 as the build advances (the Celery task commits there).
    :returns: the file's path.
    :raises Exception: whatever rendering raised (the row is marked ``failed`` first).
    """
    report = lambda value: progress(value) if progress else None  # noqa: E731
    round_ = db.session.get(ReportingRound, export.round_id)
    assert round_ is not None
    export.state, export.progress = "running", 10
    report(10)
    try:
        content: ReportContent = build_report(round_, sections=normalize_sections(export.options))
        export.progress = 50
        report(50)
        data = render(content, export.fmt)
        export.progress = 90
        report(90)
        storage_dir.mkdir(parents=True, exist_ok=True)
        path = export_path(export, storage_dir)
        tmp = path.with_suffix(path.suffix + ".part")
        tmp.write_bytes(data)
        tmp.replace(path)
    except Exception as exc:
        export.state, export.error = "failed", f"{type(exc).__name__}: {exc}"[:2000]
        db.session.flush()
        raise
    export.path, export.size = path.name, len(data)
    export.state, export.progress, export.finished_at = "ready", 100, utcnow()
    db.session.flush()
    return path


def export_now(
    round_: ReportingRound, fmt: str, sections: tuple[str, ...], actor: User | None, storage_dir: Path
) -> tuple[ReportExport, Path]:
    """The file of the round's current report in ``fmt``, built now unless a ready one exists.

    :raises KeyError: unknown format.
    """
    export, _created = request_export(round_, fmt, sections, actor)
    path = export_path(export, storage_dir)
    if export.state == "ready" and path.exists():
        return export, path
    return export, run_export(export, storage_dir)
