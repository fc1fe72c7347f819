"""All models, importable from one place (Alembic's autogenerate sees them through this module)."""

from workflow.models.accounts import ApiToken, AuditEvent, Deputy, RoleAssignment, User, user_bodies
from workflow.models.bodies import Body, BodyAlias
from workflow.models.changes import CacheGeneration  # also registers the change collector's session hooks
from workflow.models.imports import PlanImport, PlanImportChange
from workflow.models.offline import OfflineUpload
from workflow.models.outbox import DigestItem, OutboxMessage
from workflow.models.plans import Activity, ActivityBody, Plan, PlanNode, place_activity, plan_nodes
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
    RoundChangeSlot,
    RoundEvent,
    RoundRoute,
)
from workflow.models.routing import BodyGroup, RoutingAlias, RoutingDecision

__all__ = [
    "Activity",
    "ActivityBody",
    "ApiToken",
    "AssessmentVersion",
    "Attachment",
    "AuditEvent",
    "Body",
    "BodyAlias",
    "BodyGroup",
    "CacheGeneration",
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
    "OfflineUpload",
    "OutboxMessage",
    "Plan",
    "PlanImport",
    "PlanImportChange",
    "PlanNode",
    "ReminderSettings",
    "ReportExport",
    "ReportPublication",
    "ReportingRound",
    "RoleAssignment",
    "RoundActivity",
    "RoundChangeSlot",
    "RoundEvent",
    "RoundRoute",
    "RoundSnapshot",
    "RoutingAlias",
    "RoutingDecision",
    "StatusOverride",
    "User",
    "Waiver",
    "place_activity",
    "plan_nodes",
    "user_bodies",
]
