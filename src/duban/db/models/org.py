"""Who: units (with aliases and a parent), people (with titles over time) and users."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from duban.db.base import Base


class Unit(Base):
    __tablename__ = "units"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    active: Mapped[bool] = mapped_column(default=True)
    # Set when this unit was merged into another; its tasks and aliases moved there.
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    created_at: Mapped[dt.datetime]

    aliases: Mapped[list[UnitAlias]] = relationship(
        back_populates="unit", cascade="all, delete-orphan", order_by="UnitAlias.alias"
    )
    parent: Mapped[Unit | None] = relationship(remote_side=[id], foreign_keys=[parent_id])


class UnitAlias(Base):
    """Another name of a unit (`区财政局` for `财政金融局`). Every alias names exactly one unit."""

    __tablename__ = "unit_aliases"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"), index=True)
    alias: Mapped[str] = mapped_column(String(200), unique=True)

    unit: Mapped[Unit] = relationship(back_populates="aliases")


class Person(Base):
    __tablename__ = "people"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(50), unique=True)
    created_at: Mapped[dt.datetime]

    titles: Mapped[list[PersonTitle]] = relationship(
        back_populates="person", cascade="all, delete-orphan", order_by="PersonTitle.observed_on"
    )


class PersonTitle(Base):
    """A title a document gave a person on a date: titles change, the record of each stays."""

    __tablename__ = "person_titles"
    __table_args__ = (UniqueConstraint("person_id", "title", "document_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id", ondelete="SET NULL"))
    observed_on: Mapped[dt.date | None]
    span_start: Mapped[int | None]
    span_end: Mapped[int | None]

    person: Mapped[Person] = relationship(back_populates="titles")


class UserRole(StrEnum):
    SUPERVISOR = "supervisor"
    UNIT = "unit"
    LEADER = "leader"

    @property
    def label(self) -> str:
        return {"supervisor": "督查室", "unit": "责任单位", "leader": "领导"}[self.value]


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(20))
    # Unit users act for exactly one unit.
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    password_hash: Mapped[str | None] = mapped_column(String(500))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[dt.datetime]

    unit: Mapped[Unit | None] = relationship()


class ApiToken(Base):
    """A bearer token for an integration, acting as its user; only a SHA-256 of the token is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime]
    last_used_at: Mapped[dt.datetime | None]
    revoked_at: Mapped[dt.datetime | None]

    user: Mapped[User] = relationship()
