"""All models, importable from one place (Alembic's autogenerate sees them through this module)."""

from workflow.models.accounts import ApiToken, AuditEvent, Deputy, RoleAssignment, User, user_bodies
from workflow.models.bodies import Body, BodyAlias
from workflow.models.imports import PlanImport
from workflow.models.plans import Activity, ActivityBody, Area, Goal, Plan
from workflow.models.rounds import Consolidation, Entry, ReportingRound

__all__ = [
    "Activity",
    "ActivityBody",
    "ApiToken",
    "Area",
    "AuditEvent",
    "Body",
    "BodyAlias",
    "Consolidation",
    "Deputy",
    "Entry",
    "Goal",
    "Plan",
    "PlanImport",
    "ReportingRound",
    "RoleAssignment",
    "User",
    "user_bodies",
]
