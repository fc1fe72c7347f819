"""All models, importable from one place (Alembic's autogenerate sees them through this module)."""

from notifications.outbox import OutboxMessage

from workflow.models.accounts import ApiToken, AuditEvent, Deputy, RoleAssignment, User, user_bodies
from workflow.models.bodies import Body, BodyAlias
from workflow.models.imports import PlanImport
from workflow.models.plans import Activity, ActivityBody, Area, Goal, Plan
from workflow.models.rounds import (
    Attachment,
    Consolidation,
    DeadlineExtension,
    Entry,
    EntryComment,
    EntryTransition,
    EntryVersion,
    EvidenceLink,
    ReportingRound,
    RoundActivity,
    RoundEvent,
    RoundRoute,
)

__all__ = [
    "Activity",
    "ActivityBody",
    "ApiToken",
    "Attachment",
    "Area",
    "AuditEvent",
    "Body",
    "BodyAlias",
    "Consolidation",
    "DeadlineExtension",
    "Deputy",
    "Entry",
    "EntryComment",
    "EntryTransition",
    "EntryVersion",
    "EvidenceLink",
    "Goal",
    "OutboxMessage",
    "Plan",
    "PlanImport",
    "ReportingRound",
    "RoleAssignment",
    "RoundActivity",
    "RoundEvent",
    "RoundRoute",
    "User",
    "user_bodies",
]
