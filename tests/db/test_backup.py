from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

from sqlalchemy.engine import make_url

from duban.db.backup import backup_sqlite, pg_dump_command


def test_backup_copies_a_wal_database_into_one_checked_file(tmp_path: Path) -> None:
    source = tmp_path / "live.db"
    with closing(sqlite3.connect(source, isolation_level=None)) as live:
        live.execute("PRAGMA journal_mode=WAL")
        live.execute("CREATE TABLE units (name TEXT)")
        live.executemany("INSERT INTO units VALUES (?)", [("区财政局",), ("区住建局",)])
        # The rows are still only in the -wal file while this connection stays open.
        result = backup_sqlite(source, tmp_path / "copy.db")
    assert result.ok and result.integrity == "ok"
    assert result.size_bytes == (tmp_path / "copy.db").stat().st_size > 0
    assert not (tmp_path / "copy.db-wal").exists()
    with closing(sqlite3.connect(tmp_path / "copy.db")) as copy:
        assert copy.execute("SELECT count(*) FROM units").fetchone() == (2,)


def test_pg_dump_command_drops_the_password_and_the_driver() -> None:
    url = make_url("postgresql+psycopg://duban:pa ss@db:5432/duban?sslmode=require")
    command, had_password = pg_dump_command(url, Path("/backups/d 1.dump"))
    assert command == (
        "pg_dump --format=custom '--file=/backups/d 1.dump' "
        "'--dbname=postgresql://duban@db:5432/duban?sslmode=require'"
    )
    assert had_password


def test_pg_dump_command_without_a_password() -> None:
    command, had_password = pg_dump_command(make_url("postgresql://root@127.0.0.1/duban"), Path("x.dump"))
    assert command == "pg_dump --format=custom --file=x.dump --dbname=postgresql://root@127.0.0.1/duban"
    assert not had_password
