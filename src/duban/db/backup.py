"""Backups: an online copy of the SQLite file, and the pg_dump command for PostgreSQL.

SQLite is copied with its online backup API, page by page under a read
transaction, so the service can keep writing (WAL: readers do not block
writers) and the copy is a consistent snapshot, unlike copying the file with
its -wal beside it. The copy is switched to a rollback journal so it is one
self-contained file, then checked with `PRAGMA integrity_check`.

PostgreSQL is backed up by pg_dump, which duban does not run for the
operator: credentials, where dumps go and how long they are kept are the
operator's policy. `pg_dump_command` spells out the command for the
configured database, never including the password.
"""

from __future__ import annotations

import shlex
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import URL

__all__ = ["BackupResult", "backup_sqlite", "pg_dump_command"]

_BUSY_TIMEOUT_S = 30.0


@dataclass(frozen=True, slots=True)
class BackupResult:
    path: Path
    size_bytes: int
    integrity: str  # "ok", or what integrity_check reported

    @property
    def ok(self) -> bool:
        return self.integrity == "ok"


def backup_sqlite(source: Path, target: Path) -> BackupResult:
    """Copy the live database `source` to the new file `target` and check the copy."""
    with (
        closing(sqlite3.connect(source, timeout=_BUSY_TIMEOUT_S)) as src,
        closing(sqlite3.connect(target)) as dst,
    ):
        src.backup(dst)
        dst.execute("PRAGMA journal_mode=DELETE")
    with closing(sqlite3.connect(target)) as copy:
        rows = copy.execute("PRAGMA integrity_check").fetchall()
    integrity = "; ".join(str(r[0]) for r in rows)
    return BackupResult(target, target.stat().st_size, integrity)


def pg_dump_command(url: URL, target: Path) -> tuple[str, bool]:
    """The pg_dump command line for `url` writing a custom-format dump to `target`.

    Returns the command and whether the URL had a password, which is left out
    of the command (give it through PGPASSWORD or ~/.pgpass).
    """
    # Rebuilt rather than `url.set(password=None)`: `set` treats None as "leave unchanged".
    libpq_url = URL.create(
        "postgresql",
        username=url.username,
        host=url.host,
        port=url.port,
        database=url.database,
        query=url.query,
    )
    command = [
        "pg_dump",
        "--format=custom",
        f"--file={target}",
        f"--dbname={libpq_url.render_as_string(hide_password=False)}",
    ]
    return shlex.join(command), url.password is not None
