"""Celery tasks of the domain. Tasks stay thin: ids in, the logic lives in ``workflow``."""

from __future__ import annotations

from celery import shared_task
from sqlalchemy import func, select

from workflow.db import db
from workflow.models import Activity


@shared_task(name="workflow.count_activities")
def count_activities(plan_id: int) -> int:
    """Return the number of activities of plan ``plan_id`` (used by the health check of workers)."""
    return db.session.scalar(select(func.count(Activity.id)).where(Activity.plan_id == plan_id)) or 0
