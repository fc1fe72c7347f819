"""(being written) CLI commands for importing plans and seeding demo data."""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    """Add the data commands to ``app.cli``."""
