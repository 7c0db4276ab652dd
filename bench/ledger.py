"""Ledger benchmarks on SQLite and PostgreSQL, one core.

For each database (a temporary SQLite file; a scratch PostgreSQL database `duban_bench` created and
dropped with the admin URL, skipped with a message when unreachable), migrated from empty:

(a) ingest: N generated 会议纪要-style documents (seeded, each distinct) through
    `duban.ingest.store.ingest_file`, one write transaction per document: documents/s and tasks/s;
(b) ledger listing over --tasks tasks (bulk-inserted across 40 units): open tasks of one unit in one
    status, by deadline, first page of 50 plus the total (`duban.db.repositories.tasks.list_tasks`),
    and a full unfiltered listing with `classify()` per row: p50/p95 over --repeats;
(c) the reminder scan (`duban.workflow.reminders.scan`) over --scan-tasks tasks, then its same-day rerun;
(d) unit scoring (`duban.workflow.scoring.score_units`) over the same tasks.

Peak RSS is printed at the end. The scenario's "today" is fixed (2026-06-15) so figures repeat.
Run: `.venv/bin/python bench/ledger.py [--docs 1000] [--tasks 10000] [--scan-tasks 100000] [--skip-postgres]`.
"""

from __future__ import annotations

import os

# One core: pin thread pools before numpy/onnxruntime load.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "ORT_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import datetime as dt  # noqa: E402
import math  # noqa: E402
import random  # noqa: E402
import resource  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable, Iterator  # noqa: E402
from contextlib import contextmanager  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

from sqlalchemy import Engine, insert, select, text  # noqa: E402

from duban import clock  # noqa: E402
from duban.config import Settings  # noqa: E402
from duban.db.migrate import upgrade  # noqa: E402
from duban.db.models import OwnerRole, Task, TaskOwner, Unit  # noqa: E402
from duban.db.repositories.tasks import TaskQuery, list_tasks  # noqa: E402
from duban.db.scratch import empty_tables, postgres_or_skip  # noqa: E402
from duban.db.session import make_engine, read_session, write_session  # noqa: E402
from duban.workflow.principal import OPERATOR  # noqa: E402
from duban.workflow.reminders import scan  # noqa: E402
from duban.workflow.scoring import Period, score_units  # noqa: E402
from duban.workflow.states import State  # noqa: E402
from duban.workflow.warnings import classify  # noqa: E402
from vocabulary import ACTIONS, PEOPLE, PROJECTS, UNITS  # noqa: E402

TODAY = dt.date(2026, 6, 15)
PG_ADMIN_URL = "postgresql://root@127.0.0.1:5432/postgres"
PG_BENCH_DB = "duban_bench"

NUMERALS = "一二三四五六七八九十"


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _pct(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


def _ms(samples: list[float]) -> str:
    return f"p50 {_pct(samples, 0.5) * 1000:8.1f} ms   p95 {_pct(samples, 0.95) * 1000:8.1f} ms"


# --- documents -------------------------------------------------------------------------------


def minutes_text(i: int, rng: random.Random) -> str:
    """One 会议纪要 with 3–7 议题, each a decision with a lead unit, helpers, a deadline and money."""
    month, day = rng.randint(1, 12), rng.randint(1, 28)
    lines = [
        "",
        "高新区管委会 会议纪要",
        "",
        f"高新办纪〔2026〕{i + 1}号",
        "",
        f"2026年{month}月{day}日上午，管委会主任{rng.choice(PEOPLE)}同志主持召开主任办公会议（第{i + 1}次），"
        "区领导班子成员出席会议，有关部门负责同志列席会议。会议研究了近期有关重点工作，纪要如下：",
        "",
    ]
    for k in range(rng.randint(3, 7)):
        project = rng.choice(PROJECTS)
        lead, helper_a, helper_b = rng.sample(UNITS, 3)
        amount = rng.choice([f"{rng.randint(5, 500)}万元", f"{rng.randint(1, 30)}.{rng.randint(1, 9)}亿元"])
        lines.append(f"{NUMERALS[k]}、关于{project}有关事项")
        lines.append(
            f"会议听取了{lead}关于{project}第{rng.randint(1, 9)}阶段工作进展情况的汇报。会议决定：同意由{lead}"
            f"牵头负责，{helper_a}、{helper_b}配合，于2026年{rng.randint(1, 12)}月{rng.randint(1, 28)}日前"
            f"{rng.choice(ACTIONS)}。同意拨付{lead}专项经费{amount}，用于{project}。"
        )
        if rng.random() < 0.6:
            lines.append(
                f"会议要求，{helper_a}要倒排工期、挂图作战，确保2026年{rng.randint(1, 12)}月"
                f"{rng.randint(1, 28)}日前{rng.choice(ACTIONS)}，每月{rng.randint(1, 28)}日前向党政办公室报送进展情况。"
            )
        lines.append("")
    lines.append(f"出席：{'、'.join(rng.sample(PEOPLE, 4))}")
    lines.append(f"列席：{'、'.join(rng.sample(UNITS, 5))}")
    lines.append(f"高新区党政办公室 2026年{month}月{day}日印发")
    return "\n".join(lines) + "\n"


# --- databases -------------------------------------------------------------------------------


@contextmanager
def sqlite_database(folder: Path) -> Iterator[Engine]:
    engine = make_engine(f"sqlite:///{folder / 'bench.db'}")
    try:
        yield engine
    finally:
        engine.dispose()


def analyze(engine: Engine) -> None:
    # Fresh bulk loads have no planner statistics; production has them from autovacuum / a nightly ANALYZE.
    with engine.begin() as conn:
        conn.execute(text("ANALYZE"))


# --- (a) ingest ------------------------------------------------------------------------------


def bench_ingest(engine: Engine, docs: int, data_dir: Path, seed: int) -> None:
    # Imported here: the ingest stack (readers, NER) loads models only this part needs.
    from duban.ingest import store
    from duban.ingest.pipeline import run_text
    from duban.ingest.types import Source
    from duban.workflow.audit import Actor

    settings = Settings(data_dir=data_dir, ocr_enabled=False)
    actor = Actor.system("bench")
    rng = random.Random(seed)
    texts = [minutes_text(i, rng) for i in range(docs)]
    assert len(set(texts)) == len(texts), "generated documents must be distinct"
    run_text(minutes_text(docs, random.Random(seed + 1)), "warmup.txt")  # load models outside the timing
    tasks = chars = failed = 0
    started = time.perf_counter()
    for i, body in enumerate(texts):
        source = Source(f"会议纪要-{i:05d}.txt", body.encode("utf-8"))
        with write_session(engine) as session:
            result = store.ingest_file(session, source, actor, settings)
        tasks += result.tasks
        chars += len(body)
        failed += result.outcome.value == "failed"
    elapsed = time.perf_counter() - started
    print(
        f"(a) ingest {docs} documents ({chars / 1e6:.2f} M characters) in {elapsed:.1f} s: "
        f"{docs / elapsed:.1f} documents/s, {tasks / elapsed:.1f} tasks/s ({tasks} tasks, {failed} failed)"
    )


# --- bulk tasks ------------------------------------------------------------------------------

_STATUS_MIX = [
    (State.DRAFT, 0.05),
    (State.ASSIGNED, 0.15),
    (State.IN_PROGRESS, 0.45),
    (State.SUBMITTED, 0.10),
    (State.DONE, 0.20),
    (State.CANCELLED, 0.05),
]


def insert_units(engine: Engine) -> list[int]:
    now = clock.now()
    with write_session(engine) as session:
        return list(
            session.scalars(
                insert(Unit).returning(Unit.id, sort_by_parameter_order=True),
                [{"name": name, "created_at": now} for name in UNITS],
            )
        )


def insert_tasks(engine: Engine, n: int, unit_ids: list[int], seed: int, batch: int = 5000) -> float:
    """`n` tasks over 2026 in a realistic state mix, 1–3 owner units each; returns seconds taken."""
    rng = random.Random(seed)
    states = [s for s, _ in _STATUS_MIX]
    weights = [w for _, w in _STATUS_MIX]
    now = clock.now()
    started = time.perf_counter()
    for first in range(0, n, batch):
        rows: list[dict[str, Any]] = []
        for i in range(first, min(n, first + batch)):
            state = rng.choices(states, weights)[0]
            deadline = None if rng.random() < 0.03 else TODAY + dt.timedelta(days=rng.randint(-165, 199))
            done_at = None
            if state is State.DONE:
                base = deadline or TODAY
                done_day = min(TODAY, base + dt.timedelta(days=rng.randint(-20, 10)))
                done_at = dt.datetime.combine(
                    done_day, dt.time(rng.randint(0, 23), rng.randint(0, 59)), dt.UTC
                )
            rows.append(
                {
                    "text": f"{rng.choice(PROJECTS)}：{rng.choice(ACTIONS)}（第{i + 1}项）",
                    "kind": "decision",
                    "status": state.value,
                    "version": 1,
                    "confirmed": state is not State.DRAFT,
                    "deadline": deadline,
                    "deadline_confirmed": True,
                    "created_at": now,
                    "updated_at": now,
                    "done_at": done_at,
                }
            )
        with write_session(engine) as session:
            ids = list(session.scalars(insert(Task).returning(Task.id, sort_by_parameter_order=True), rows))
            owners: list[dict[str, Any]] = []
            for task_id in ids:
                picked = rng.sample(unit_ids, 3)
                roles = [OwnerRole.LEAD]
                if rng.random() < 0.4:
                    roles.append(OwnerRole.RESPONSIBLE)
                if rng.random() < 0.5:
                    roles.append(OwnerRole.SUPPORTING)
                owners.extend(
                    {"task_id": task_id, "unit_id": unit, "role": role.value, "position": pos}
                    for pos, (unit, role) in enumerate(zip(picked, roles, strict=False))
                )
            session.execute(insert(TaskOwner), owners)
    return time.perf_counter() - started


# --- (b) listing -----------------------------------------------------------------------------


def _timed(fn: Callable[[], Any], repeats: int) -> tuple[list[float], Any]:
    samples: list[float] = []
    result: Any = None
    for _ in range(repeats):
        started = time.perf_counter()
        result = fn()
        samples.append(time.perf_counter() - started)
    return samples, result


def bench_listing(engine: Engine, n: int, repeats: int, seed: int) -> None:
    empty_tables(engine)
    unit_ids = insert_units(engine)
    took = insert_tasks(engine, n, unit_ids, seed)
    analyze(engine)
    print(f"(b) {n:,} tasks bulk-inserted across {len(unit_ids)} units in {took:.1f} s")
    rng = random.Random(seed)

    def filtered_page() -> tuple[int, int]:
        query = TaskQuery(statuses=(State.IN_PROGRESS,), unit_id=rng.choice(unit_ids))
        with read_session(engine) as session:
            page = list_tasks(session, OPERATOR, query, TODAY)
            return len(page.rows), page.total

    def first_page() -> tuple[int, int]:
        with read_session(engine) as session:
            page = list_tasks(session, OPERATOR, TaskQuery(), TODAY)
            return len(page.rows), page.total

    def full_listing() -> int:
        # Every row with its light: one SELECT of the columns a listing shows, classify() per row.
        stmt = select(Task.id, Task.text, Task.deadline, Task.status).order_by(
            Task.deadline.is_(None), Task.deadline, Task.id
        )
        with read_session(engine) as session:
            lights = [
                classify(deadline, State(status), TODAY) for _, _, deadline, status in session.execute(stmt)
            ]
        return len(lights)

    samples, (rows, total) = _timed(filtered_page, repeats)
    print("    open tasks of one unit, status 办理中, by deadline, page 1 of 50 + total (list_tasks):")
    print(f"        {_ms(samples)}   ({rows} rows of {total} in the last run)")
    samples, (rows, total) = _timed(first_page, repeats)
    print(f"    unfiltered page 1 of 50 + total (list_tasks): {_ms(samples)}   ({rows} of {total})")
    samples, count = _timed(full_listing, repeats)
    print(f"    full unfiltered listing of {count:,} rows with classify() each:   {_ms(samples)}")


# --- (c) scan and (d) scoring ----------------------------------------------------------------


def bench_scan_and_scoring(engine: Engine, n: int, repeats: int, seed: int) -> None:
    empty_tables(engine)
    unit_ids = insert_units(engine)
    took = insert_tasks(engine, n, unit_ids, seed)
    analyze(engine)
    print(f"(c) {n:,} tasks bulk-inserted across {len(unit_ids)} units in {took:.1f} s")
    for label in ("first scan of the day", "same-day rerun"):
        started = time.perf_counter()
        with write_session(engine) as session:
            result = scan(session, TODAY)
        elapsed = time.perf_counter() - started
        print(
            f"    reminder scan, {label}: {elapsed * 1000:,.0f} ms incl. commit "
            f"({len(result.near_due):,} near-due, {len(result.overdue):,} overdue, {result.messages:,} messages)"
        )

    for key in ("2026", "2026Q2"):
        period = Period.parse(key)

        def score(period: Period = period) -> int:
            with read_session(engine) as session:
                return len(score_units(session, period, TODAY))

        samples, units = _timed(score, repeats)
        print(f"(d) scoring {period.label} over {n:,} tasks: {_ms(samples)}   ({units} units ranked)")


# --- main ------------------------------------------------------------------------------------


def run_backend(name: str, engine: Engine, args: argparse.Namespace, data_dir: Path) -> None:
    print(f"\n=== {name} ===")
    started = time.perf_counter()
    upgrade(engine)
    print(f"migrated in {time.perf_counter() - started:.1f} s")
    if args.docs:
        bench_ingest(engine, args.docs, data_dir, args.seed)
    if args.tasks:
        bench_listing(engine, args.tasks, args.repeats, args.seed)
    if args.scan_tasks:
        bench_scan_and_scoring(engine, args.scan_tasks, max(3, args.repeats // 4), args.seed)
    print(f"peak memory (RSS) so far: {_peak_mb():,.0f} MB")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--docs", type=int, default=1000, help="documents to ingest (0 skips)")
    ap.add_argument("--tasks", type=int, default=10_000, help="tasks for the listing benchmark (0 skips)")
    ap.add_argument(
        "--scan-tasks", type=int, default=100_000, help="tasks for the scan and scoring (0 skips)"
    )
    ap.add_argument("--repeats", type=int, default=20, help="timed repeats per query (p50/p95)")
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--skip-postgres", action="store_true", help="SQLite only")
    ap.add_argument("--skip-sqlite", action="store_true", help="PostgreSQL only")
    ap.add_argument("--pg-admin-url", default=os.environ.get("DUBAN_BENCH_PG_URL", PG_ADMIN_URL))
    args = ap.parse_args()

    with tempfile.TemporaryDirectory(prefix="duban-bench-") as tmp:
        folder = Path(tmp)
        if not args.skip_sqlite:
            with sqlite_database(folder) as engine:
                run_backend("SQLite (WAL, temporary file)", engine, args, folder / "sqlite-data")
        if not args.skip_postgres:
            with postgres_or_skip(args.pg_admin_url, PG_BENCH_DB) as pg:
                if pg is not None:
                    run_backend(
                        f"PostgreSQL ({PG_BENCH_DB} at {pg.url.host}:{pg.url.port})",
                        pg,
                        args,
                        folder / "pg-data",
                    )
    print(f"\npeak memory (RSS): {_peak_mb():,.0f} MB")


if __name__ == "__main__":
    main()
