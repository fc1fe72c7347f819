"""Routing resolved once, remembered forever (issue 14 §3; docs/import.md „Odpovědnost a směrování“).

- :mod:`workflow.routing.resolution` – the plan's resolution page: its unrecognised names, the
  preview of a decision, applying it (alias, new body or group, „není subjekt“), re-resolution,
  explicit routing decisions and the reasons of the „k revizi“ flags;
- :mod:`workflow.routing.groups` – groups of bodies and their expansion when a round's routing
  is built.
"""
