"""Web benchmarks: the ledger page and the tasks API over 10,000 tasks, on SQLite and PostgreSQL.

For each database (a temporary SQLite file; a scratch PostgreSQL database created and dropped with
the admin URL, skipped with a message when unreachable): migrate, bulk-insert --tasks tasks across 40
units (the generator of bench/ledger.py), start the real server (`duban serve --no-worker`, uvicorn,
--workers processes) in a subprocess, sign in through the login form, then measure

(a) latency, one client, --requests sequential requests each: the ledger page `GET /tasks` (first page
    of 50, default sort, with the total and lights), the same page filtered to one unit's 办理中 tasks,
    and the tasks API `GET /api/v1/tasks` (bearer token): p50/p95;
(b) throughput: --clients concurrent clients (threads, one connection each) for --seconds on the ledger
    page and on the tasks API: requests/s and p95 under load.

The load generator runs on the same machine as the server (2 cores here), so (b) is a floor.
Run: `.venv/bin/python bench/web.py [--tasks 10000] [--requests 200] [--clients 20] [--seconds 15]
[--workers 1] [--skip-postgres]`.
"""

from __future__ import annotations

import argparse
import os
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx2 as httpx
from sqlalchemy import Engine, select

sys.path.insert(0, str(Path(__file__).resolve().parent))
from duban import accounts
from duban.db.migrate import upgrade
from duban.db.models import Unit, UserRole
from duban.db.repositories.users import create_user
from duban.db.scratch import postgres_or_skip
from duban.db.session import write_session
from duban.workflow.audit import Actor
from ledger import (
    PG_ADMIN_URL,
    PG_BENCH_DB,
    _pct,
    analyze,
    insert_tasks,
    insert_units,
    sqlite_database,
)

PASSWORD = "bench-password-1"
SECRET = "bench-secret-key"
ROOT = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _ms(samples: list[float]) -> str:
    return f"p50 {_pct(samples, 0.5) * 1000:7.1f} ms   p95 {_pct(samples, 0.95) * 1000:7.1f} ms"


def prepare(engine: Engine, tasks: int, seed: int) -> tuple[int, str]:
    """Schema, units, tasks and a supervisor with a password; returns (a unit id, an API token)."""
    upgrade(engine)
    unit_ids = insert_units(engine)
    seconds = insert_tasks(engine, tasks, unit_ids, seed)
    analyze(engine)
    actor = Actor("bench", None)
    with write_session(engine) as session:
        user = create_user(session, "bench", UserRole.SUPERVISOR, actor, display_name="压测督查员")
        user.password_hash = accounts.hash_password(PASSWORD)
        token = accounts.issue_token(session, user, "bench", actor).secret
        unit_id = session.scalars(select(Unit.id).order_by(Unit.id)).first()
    assert unit_id is not None
    print(f"  {tasks} tasks across {len(unit_ids)} units inserted in {seconds:.1f} s")
    return unit_id, token


@contextmanager
def server(database_url: str, data_dir: Path, workers: int) -> Iterator[str]:
    port = _free_port()
    env = {
        **os.environ,
        "DUBAN_DATABASE_URL": database_url,
        "DUBAN_DATA_DIR": str(data_dir),
        "DUBAN_SECRET_KEY": SECRET,
        "DUBAN_COOKIE_SECURE": "false",
        "DUBAN_LOGIN_MAX_FAILURES": "1000",
    }
    command = [
        str(ROOT / ".venv/bin/duban"),
        "serve",
        "--no-worker",
        "--port",
        str(port),
        "--workers",
        str(workers),
    ]
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/login", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(
                    f"server did not start: {process.stderr.read().decode() if process.stderr else ''}"
                )
            time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)


def signed_in(base: str) -> httpx.Client:
    client = httpx.Client(base_url=base, timeout=30)
    page = client.get("/login").text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert csrf, "login page has no CSRF field"
    response = client.post(
        "/login", data={"username": "bench", "password": PASSWORD, "csrf_token": csrf.group(1)}
    )
    assert response.status_code == 303, f"login failed: {response.status_code}"
    return client


def sequential(fetch: Callable[[], httpx.Response], requests: int) -> list[float]:
    fetch()  # warm caches and the connection
    samples = []
    for _ in range(requests):
        started = time.perf_counter()
        response = fetch()
        samples.append(time.perf_counter() - started)
        assert response.status_code == 200, response.status_code
    return samples


def under_load(
    make_fetch: Callable[[], Callable[[], httpx.Response]], clients: int, seconds: float
) -> tuple[float, list[float], int]:
    """Requests/s, latencies and error count with `clients` threads hammering for `seconds`."""
    stop = time.monotonic() + seconds
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()

    def run() -> None:
        nonlocal errors
        fetch = make_fetch()
        mine: list[float] = []
        bad = 0
        while time.monotonic() < stop:
            started = time.perf_counter()
            try:
                ok = fetch().status_code == 200
            except httpx.TransportError:
                ok = False
            mine.append(time.perf_counter() - started)
            bad += not ok
        with lock:
            latencies.extend(mine)
            errors += bad

    threads = [threading.Thread(target=run) for _ in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return len(latencies) / (time.perf_counter() - started), latencies, errors


def run_backend(name: str, engine: Engine, database_url: str, args: argparse.Namespace) -> None:
    print(f"== {name}")
    unit_id, token = prepare(engine, args.tasks, args.seed)
    with tempfile.TemporaryDirectory() as data, server(database_url, Path(data), args.workers) as base:
        browser = signed_in(base)
        api = httpx.Client(base_url=base, timeout=30, headers={"Authorization": f"Bearer {token}"})
        total = api.get("/api/v1/tasks").json()["total"]
        assert total == args.tasks, f"API sees {total} tasks, expected {args.tasks}"
        filtered = f"/tasks?unit_id={unit_id}&status=in_progress"
        print(
            f"(a) ledger page GET /tasks          {_ms(sequential(lambda: browser.get('/tasks'), args.requests))}"
        )
        print(
            f"    ledger page, one unit 办理中       {_ms(sequential(lambda: browser.get(filtered), args.requests))}"
        )
        print(
            f"    tasks API GET /api/v1/tasks      {_ms(sequential(lambda: api.get('/api/v1/tasks'), args.requests))}"
        )

        def ledger_client() -> Callable[[], httpx.Response]:
            client = signed_in(base)
            return lambda: client.get("/tasks")

        def api_client() -> Callable[[], httpx.Response]:
            client = httpx.Client(base_url=base, timeout=30, headers={"Authorization": f"Bearer {token}"})
            return lambda: client.get("/api/v1/tasks")

        for label, factory in (("ledger page", ledger_client), ("tasks API  ", api_client)):
            rate, latencies, errors = under_load(factory, args.clients, args.seconds)
            print(
                f"(b) {label} {args.clients} clients: {rate:7.1f} requests/s   "
                f"p50 {_pct(latencies, 0.5) * 1000:7.1f} ms   p95 {_pct(latencies, 0.95) * 1000:7.1f} ms   errors {errors}"
            )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--tasks", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument("--pg-admin-url", default=PG_ADMIN_URL)
    args = parser.parse_args()
    print(
        f"bench/web.py: {args.tasks} tasks, {args.requests} sequential requests, {args.clients} clients × {args.seconds:g} s, {args.workers} server worker(s)"
    )
    with tempfile.TemporaryDirectory() as folder, sqlite_database(Path(folder)) as engine:
        run_backend("SQLite", engine, str(engine.url), args)
    if not args.skip_postgres:
        with postgres_or_skip(args.pg_admin_url, PG_BENCH_DB) as engine:
            if engine is not None:
                run_backend("PostgreSQL", engine, engine.url.render_as_string(hide_password=False), args)


if __name__ == "__main__":
    main()
