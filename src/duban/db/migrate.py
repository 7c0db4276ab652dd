"""Alembic, driven from code: `duban db upgrade` and the tests call these, no alembic.ini needed."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from alembic.runtime.environment import NameFilterParentNames, NameFilterType
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from duban.db.models.search import FTS_TABLE, PG_ONLY_COLUMNS, PG_ONLY_INDEXES

__all__ = ["alembic_config", "current_revision", "head_revision", "include_name", "upgrade"]


def include_name(name: str | None, type_: NameFilterType, parent_names: NameFilterParentNames) -> bool:
    """Autogenerate compares only what the models describe: the search index's dialect-specific
    full-text parts (SQLite FTS5 tables, PostgreSQL tsvector column and index) are the migration's alone."""
    if type_ == "table":
        return not (name == FTS_TABLE or (name or "").startswith(FTS_TABLE + "_"))
    if parent_names.get("table_name") == "search_entries":
        return not (type_ == "column" and name in PG_ONLY_COLUMNS) and not (
            type_ == "index" and name in PG_ONLY_INDEXES
        )
    return True


def alembic_config(engine: Engine | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", "duban:migrations")
    if engine is not None:
        config.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False))
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to `revision` (head by default) in one transaction."""
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()
