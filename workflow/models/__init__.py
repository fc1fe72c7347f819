"""All models, importable from one place (Alembic's autogenerate sees them through this module)."""

from workflow.models.accounts import ApiToken, AuditEvent, Deputy, RoleAssignment, User, user_bodies
from workflow.models.bodies import Body, BodyAlias
from workflow.models.imports import PlanImport
from workflow.models.outbox import DigestItem, OutboxMessage
from workflow.models.plans import Activity, ActivityBody, Area, Goal, Plan
from workflow.models.publications import ReportPublication
from workflow.models.reminders import ReminderSettings
from workflow.models.reports import (
    ConsolidationVersion,
    ReportExport,
    RoundSnapshot,
    StatusOverride,
    Waiver,
)
from workflow.models.rounds import (
    AssessmentVersion,
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
    "Area",
    "AssessmentVersion",
    "Attachment",
    "AuditEvent",
    "Body",
    "BodyAlias",
    "Consolidation",
    "ConsolidationVersion",
    "DeadlineExtension",
    "Deputy",
    "DigestItem",
    "Entry",
    "EntryComment",
    "EntryTransition",
    "EntryVersion",
    "EvidenceLink",
    "Goal",
    "OutboxMessage",
    "Plan",
    "PlanImport",
    "ReminderSettings",
    "ReportExport",
    "ReportPublication",
    "ReportingRound",
    "RoleAssignment",
    "RoundActivity",
    "RoundEvent",
    "RoundRoute",
    "RoundSnapshot",
    "StatusOverride",
    "User",
    "Waiver",
    "user_bodies",
]
