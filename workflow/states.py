"""Enumerations of the domain: roles, body kinds, round and entry states, fulfilment statuses.

Values are stored by value (short ASCII strings) so that the database stays readable and a
renamed Python member never rewrites data. Czech titles live next to the values; the UI translates
them with Flask-Babel's lazy gettext.
"""

from __future__ import annotations

from enum import StrEnum

from flask_babel import lazy_gettext as _l


class Role(StrEnum):
    """What a user may do; a user may hold several roles (see ``workflow.permissions``)."""

    admin = "admin"  #: správce – users, bodies, tokens, system settings
    secretary = "secretary"  #: tajemník – plans, rounds, routing, reminders, closing, the report
    reviewer = "reviewer"  #: hodnotitel – reviews entries within a scope
    contributor = "contributor"  #: zpracovatel – fills in the entries of own bodies
    head = "head"  #: vedoucí – contributor who submits for the body and receives escalations
    commission = "commission"  #: člen komise – reads approved content and reports only


ROLE_TITLES = {
    Role.admin: _l("Správce"),
    Role.secretary: _l("Tajemník"),
    Role.reviewer: _l("Hodnotitel"),
    Role.contributor: _l("Zpracovatel"),
    Role.head: _l("Vedoucí"),
    Role.commission: _l("Člen komise"),
}


class BodyKind(StrEnum):
    """The kind of a responsible body (seed 002 „Odpovědnost“ and „Seznam zkratek“)."""

    department = "department"  #: odbor krajského úřadu
    unit = "unit"  #: oddělení
    region = "region"  #: the region as a whole (LK, KÚ LK)
    state_agency = "state_agency"  #: ASZ, ÚP ČR, ministries …
    municipality = "municipality"
    ngo = "ngo"
    university = "university"
    other = "other"
    group = "group"  #: a group of bodies (obce, poskytovatelé …), expanded in a round



BODY_KIND_TITLES = {
    BodyKind.department: _l("Odbor krajského úřadu"),
    BodyKind.unit: _l("Oddělení"),
    BodyKind.region: _l("Kraj jako celek"),
    BodyKind.state_agency: _l("Státní instituce"),
    BodyKind.municipality: _l("Obec"),
    BodyKind.ngo: _l("Nestátní nezisková organizace"),
    BodyKind.university: _l("Vysoká škola"),
    BodyKind.other: _l("Jiné"),
    BodyKind.group: _l("Skupina subjektů"),
}


class RoundState(StrEnum):
    """Lifecycle of a reporting round: planned → open → closed."""

    planned = "planned"
    open = "open"
    closed = "closed"


ROUND_STATE_TITLES = {
    RoundState.planned: _l("Připravované"),
    RoundState.open: _l("Otevřené"),
    RoundState.closed: _l("Uzavřené"),
}


class EntryState(StrEnum):
    """Workflow state of one entry (activity × body × round)."""

    not_started = "not_started"
    draft = "draft"
    submitted = "submitted"
    returned = "returned"
    approved = "approved"


ENTRY_STATE_TITLES = {
    EntryState.not_started: _l("Nezahájeno"),
    EntryState.draft: _l("Rozpracováno"),
    EntryState.submitted: _l("Odesláno ke kontrole"),
    EntryState.returned: _l("Vráceno k doplnění"),
    EntryState.approved: _l("Schváleno"),
}


class FulfilmentStatus(StrEnum):
    """How far an activity was fulfilled, as the body reports it (issue 4 vocabulary)."""

    done = "done"  #: Splněno
    ongoing = "ongoing"  #: Plní se průběžně
    partial = "partial"  #: Částečně splněno
    not_done = "not_done"  #: Nesplněno
    not_started = "not_started"  #: Nezahájeno
    cannot_assess = "cannot_assess"  #: Nelze vyhodnotit
    cancelled = "cancelled"  #: Zrušeno – nahrazeno


FULFILMENT_TITLES = {
    FulfilmentStatus.done: _l("Splněno"),
    FulfilmentStatus.ongoing: _l("Plní se průběžně"),
    FulfilmentStatus.partial: _l("Částečně splněno"),
    FulfilmentStatus.not_done: _l("Nesplněno"),
    FulfilmentStatus.not_started: _l("Nezahájeno"),
    FulfilmentStatus.cannot_assess: _l("Nelze vyhodnotit"),
    FulfilmentStatus.cancelled: _l("Zrušeno – nahrazeno"),
}
