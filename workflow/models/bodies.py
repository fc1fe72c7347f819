"""Responsible bodies („Odpovědnost“) and the aliases under which plans spell them.

The registry of the real plan's bodies is :data:`workflow.bodies_seed.SEED_BODIES` (DOMAIN.md §2.1).
"""

from __future__ import annotations

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workflow.collation import czech
from workflow.db import db


class Body(db.Model):
    """A responsible body: department, unit, the region, an agency, municipality, NGO, university …"""

    __tablename__ = "bodies"

    id: Mapped[int] = mapped_column(primary_key=True)
    abbreviation: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(20), default="other")
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("bodies.id", ondelete="SET NULL"))
    #: Lower-cased, accent-free copy of name and abbreviation for search and Czech sorting fallbacks.
    search_text: Mapped[str] = mapped_column(Text, default="")

    parent: Mapped[Body | None] = relationship(remote_side="Body.id")
    aliases: Mapped[list[BodyAlias]] = relationship(
        back_populates="body", cascade="all, delete-orphan", order_by=lambda: czech(BodyAlias.alias)
    )

    @property
    def label(self) -> str:
        """``"OSV – Odbor sociálních věcí"``, or the name alone when it equals the abbreviation."""
        return self.name if self.name == self.abbreviation else f"{self.abbreviation} – {self.name}"

    def __repr__(self) -> str:
        return f"<Body {self.abbreviation}>"


class BodyAlias(db.Model):
    """Another spelling of a body; ``normalized`` (see ``responsibility.normalize_alias``) is unique."""

    __tablename__ = "body_aliases"

    id: Mapped[int] = mapped_column(primary_key=True)
    body_id: Mapped[int] = mapped_column(ForeignKey("bodies.id", ondelete="CASCADE"), index=True)
    alias: Mapped[str] = mapped_column(String(200))
    normalized: Mapped[str] = mapped_column(String(200), unique=True)

    body: Mapped[Body] = relationship(back_populates="aliases")
